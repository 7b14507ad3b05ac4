"""Options that only one governance mode reads are refused elsewhere, instead of being ignored without a word."""

from __future__ import annotations

import pytest

import bedrock_tracker_cli
from bedrock_usage.errors import UsageError
from bedrock_usage.governance.options import governance_mode


def mode_of(*argv: str) -> str | None:
    return governance_mode(bedrock_tracker_cli.build_parser().parse_args(list(argv)))


@pytest.mark.parametrize(("argv", "message"), [
    (("--chargeback-by", "user"), "--chargeback-by goes with --chargeback"),
    (("--notify-sns", "arn:aws:sns:us-east-1:123456789012:t"), "--notify-sns goes with --check-budgets"),
    (("--anomalies", "--notify-webhook", "http://127.0.0.1/x"), "--notify-webhook goes with --check-budgets"),
    (("--anomaly-factor", "2"), "--anomaly-factor goes with --anomalies"),
    (("--check-budgets", "b.toml", "--anomaly-min-cost", "5"), "--anomaly-min-cost goes with --anomalies"),
    (("--chargeback", "2025-11", "--anomaly-window", "14"),
     "--anomaly-window goes with --anomalies or --check-budgets"),
    (("--user-map", "people.csv"), "--user-map goes with --developer-costs"),
    (("--qdev-logs-dir", "q"), "--qdev-logs-dir goes with --developer-costs"),
    (("--kiro-prices", "kiro.csv"), "--kiro-prices goes with --developer-costs"),
    (("--coverage-threshold", "90"), "--coverage-threshold goes with --reconcile"),
    (("--account", "123456789012", "--anomalies"), "--account goes with --reconcile"),
    (("--chargeback", "2025-11", "--days", "3"), "--chargeback reads the month it names: leave out --days"),
    (("--developer-costs", "2025-11", "--start-date", "2025-10-01", "--end-date", "2025-10-31"),
     "leave out --start-date and --end-date"),
    (("--chargeback", "2025-11", "--analysis", "user"), "--chargeback writes its own tables: leave out --analysis"),
    (("--anomalies", "--tag", "cost_center"), "--anomalies writes its own tables: leave out --tag"),
    (("--check-budgets", "b.toml", "--days", "30"),
     "--check-budgets reads the month of --end-date \\(default today\\): leave out --days"),
    (("--anomalies", "--anomaly-min-cost", "-1"), "--anomaly-min-cost must be 0 or more"),
    # a mistyped alert target is found before any scan, not when a breach is to be alerted
    (("--check-budgets", "b.toml", "--notify-webhook", "htps://hooks.example.com/x"),
     "--notify-webhook 'htps://hooks.example.com/x' must be an http:// or https:// URL with a host"),
    (("--check-budgets", "b.toml", "--notify-webhook", "ftp://hooks.example.com/x"), "must be an http:// or https://"),
    (("--check-budgets", "b.toml", "--notify-webhook", "https:///x"), "must be an http:// or https:// URL with a host"),
    (("--check-budgets", "b.toml", "--notify-webhook", "http://[::1/x"), "must be an http:// or https://"),
    (("--check-budgets", "b.toml", "--notify-sns", "arn:aws:sqs:us-east-1:123456789012:t"),
     "--notify-sns 'arn:aws:sqs:us-east-1:123456789012:t' is not an SNS topic ARN"),
])
def test_an_option_its_run_would_ignore_is_refused(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        mode_of(*argv)


@pytest.mark.parametrize(("argv", "mode"), [
    ((), None),
    (("--days", "3", "--analysis", "user"), None),
    (("--check-budgets", "b.toml", "--anomaly-window", "14", "--notify-webhook", "http://127.0.0.1/x"),
     "check_budgets"),
    (("--anomalies", "--anomaly-factor", "2", "--anomaly-min-cost", "0", "--days", "30"), "anomalies"),
    (("--chargeback", "2025-11", "--chargeback-by", "tag:team"), "chargeback"),
    (("--reconcile", "--coverage-threshold", "90", "--account", "123456789012"), "reconcile"),
    (("--developer-costs", "2025-11", "--qdev-logs-dir", "q", "--user-map", "m.csv"), "developer_costs"),
    (("--developer-costs", "2025-11", "--qdev-logs-dir", "q", "--kiro-prices", "k.csv"), "developer_costs"),
])
def test_options_of_the_mode_asked_for_are_taken(argv: tuple[str, ...], mode: str | None) -> None:
    assert mode_of(*argv) == mode


@pytest.mark.parametrize("argv", [("--anomalies", "--anomaly-factor", "nan"),
                                  ("--anomalies", "--anomaly-min-cost", "nan"),
                                  ("--reconcile", "--coverage-threshold", "inf")])
def test_a_number_that_is_not_finite_is_refused(argv: tuple[str, ...]) -> None:
    """Nothing compares over nan: the check would find nothing and exit 0."""
    with pytest.raises(UsageError, match=f"argument {argv[1]}: '{argv[2]}' is not a finite number"):
        mode_of(*argv)
