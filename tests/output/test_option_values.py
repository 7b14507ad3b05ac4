"""Option values a script run by a job may get wrong: a list option given twice (``--region a --region b``) keeps
every value, as the repeatable ``--model`` does (it kept only the last, and a chargeback left out the first region's
spend with exit 0); an empty value from an unset variable is refused, never taken as "not given"."""

from __future__ import annotations

import pytest

import bedrock_tracker_cli
import pricing
import qcli_s3_analyzer
from bedrock_usage.cli import make_parser


def test_the_report_cli_keeps_every_region_of_a_repeated_option() -> None:
    args = bedrock_tracker_cli.build_parser().parse_args(
        ["--region", "us-east-1", "--regions", "us-west-2", "eu-west-1", "--region", "ap-south-1"])
    assert args.region == ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"]


def test_the_amazon_q_analyzer_and_the_setup_scripts_keep_every_region() -> None:
    argv = ["--regions", "us-east-1", "--regions", "eu-central-1"]
    assert qcli_s3_analyzer.build_parser().parse_args(argv).regions == ["us-east-1", "eu-central-1"]
    setup = make_parser("setup.py", "a setup script", "", exit_codes="")
    assert setup.parse_args(argv).regions == ["us-east-1", "eu-central-1"]


def test_a_wrong_service_is_an_option_mistake_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """``--service bedrok`` exited 2 (the code for a missing set-up step) with argparse's usage block."""
    for argv in (["--service", "bedrok"], ["--service"]):
        assert bedrock_tracker_cli.main(argv) == 1
        [line] = capsys.readouterr().err.splitlines()
        assert line.startswith("error: argument --service:") and line.endswith("(see bedrock_tracker_cli.py --help)")


@pytest.mark.parametrize("option", ["--prices", "--role-suffix", "--inference-profiles", "--output-dir", "--logs-dir",
                                    "--cur-dir", "--qdev-logs-dir", "--qdev-bucket", "--user-map", "--identity-store",
                                    "--kiro-prices"])
def test_an_empty_value_is_refused_not_taken_as_the_default(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``--prices=""`` priced at list prices, ``--role-suffix=`` named an application after the whole role,
    ``--output-dir=`` wrote into report/, ``--logs-dir=`` read the current folder, ``--kiro-prices=`` priced Kiro at
    list prices: each with exit 0 (or a message about another thing)."""
    assert bedrock_tracker_cli.main(["--demo", f"{option}=", "--format", "json"]) == 1
    assert capsys.readouterr().err.startswith(f"error: argument {option}: empty")


def test_the_other_scripts_refuse_empty_files_folders_and_names(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--prices="], ["--output-dir=", "--format", "json"], ["--logs-dir="], ["--bucket="],
                 ["--user-map="], ["--identity-store="], ["--identity-region="], ["--kiro-prices="]):
        assert qcli_s3_analyzer.main(argv) == 1
        assert capsys.readouterr().err.startswith(f"error: argument {argv[0][:-1]}: empty")
    assert pricing.main(["--prices="]) == 1
    assert capsys.readouterr().err.startswith("error: argument --prices: empty")
