"""Named mutants of the money path, each applied alone to a copy of the tree and run against the tests that should
notice it.

    python tools/mutants.py                  # every mutant (tens of minutes on 2 cores)
    python tools/mutants.py --list           # names, files and tests
    python tools/mutants.py --only NAME ...  # some of them (names or fnmatch patterns)

A mutant is one small, plausible slip (a ``<`` that became ``<=``, a key part dropped, a regex where a literal was
meant) written as the exact text it replaces, so the list reads as a catalogue of the bugs the suite must catch and
stays easy to update: when a refactor moves the text, the run says which mutant no longer applies. The working tree
is never changed: the tree (tracked and untracked, not ignored, files) is copied once to a temporary folder and
each mutant is written there, tested and undone. A mutant is killed when its tests fail (or time out), survives when
they pass. The tests run first on the unchanged copy: a failure there stops the run. Exit status 1 when a mutant
survives or no longer applies. Documented in docs/testing.md with the last score.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The tests each part of the money path answers to: fast, focused files first (a run stops at the first failure).
EDGES = ("tests/report/test_money_edges.py",)
Q_EDGES = ("tests/qdev/test_money_edges.py",)
PRICES = (*EDGES, "tests/report/test_pricing_families.py", "tests/pricing/test_pricing.py")
QUERIES = (*EDGES, "tests/report/test_pricing_families.py", "tests/engines/test_local_engine.py",
           "tests/engines/test_dedup_forms.py")
PERIODS = (*EDGES, "tests/logs/test_period_identity.py", "tests/engines/test_local_engine.py")
CALLERS = ("tests/logs/test_period_identity.py", "tests/report/test_unknown_callers.py")
TRACKER = (*EDGES, "tests/report/test_pricing_families.py", "tests/report/test_unknown_callers.py")
QDEV = (*Q_EDGES, "tests/qdev/test_activity.py", "tests/qdev/test_analysis.py")
# --user-pattern's one rule (logs.identity.holds_pattern) answers to both sides.
USER_PATTERN = (*EDGES, "tests/governance/test_user_pattern_any_case.py", *QDEV)
KIRO = (*Q_EDGES, "tests/qdev/test_kiro_reports.py")
SKIPPED = ("tests/engines/test_local_engine.py", "tests/report/test_skipped_records.py")
TIERS = ("tests/governance/test_usage_types.py", "tests/governance/test_tier_lines.py")


@dataclass(frozen=True)
class Mutant:
    """``old`` (which must occur exactly once in ``path``) replaced by ``new``."""

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = [
    # pricing/: the price book's lookup
    Mutant("book-tier-at-threshold", "bedrock_usage/pricing/book.py",
           "0 < r.context_threshold < tokens", "0 < r.context_threshold <= tokens", PRICES),
    Mutant("book-tier-threshold-kib", "bedrock_usage/pricing/book.py",
           "int(match[1]) * 1000", "int(match[1]) * 1024", PRICES),
    Mutant("book-star-region-first", "bedrock_usage/pricing/book.py",
           "return (not self.own, self.region != region,", "return (not self.own, self.region == region,", PRICES),
    Mutant("book-effective-to-inclusive", "bedrock_usage/pricing/book.py",
           "day < self.effective_to", "day <= self.effective_to", PRICES),
    Mutant("book-effective-from-exclusive", "bedrock_usage/pricing/book.py",
           "self.effective_from <= day", "self.effective_from < day", PRICES),
    Mutant("book-star-mode-in-region-apart", "bedrock_usage/pricing/book.py",
           'return row.mode == "standard" or row.own or self._priced_like_every_region(',
           'return True or self._priced_like_every_region(', PRICES),
    Mutant("book-own-star-row-not-everywhere", "bedrock_usage/pricing/book.py",
           'return row.mode == "standard" or row.own or self._priced_like_every_region(',
           'return row.mode == "standard" or self._priced_like_every_region(', PRICES),
    Mutant("book-region-like-star-refused", "bedrock_usage/pricing/book.py",
           "_figures(other) in everywhere for other", "False for other", PRICES),
    Mutant("book-region-like-star-any-day", "bedrock_usage/pricing/book.py",
           "and (day is None or other.applies_on(day))]", "]", PRICES),
    Mutant("book-users-region-row-prices-apart", "bedrock_usage/pricing/book.py",
           'other.mode == "standard" and not other.own', 'other.mode == "standard"', PRICES),
    Mutant("budget-user-account-ignored", "bedrock_usage/report/user_names.py",
           '\n                                & (facts["account"] == named[1]))', ")",
           ("tests/report/test_accounts.py", "tests/dashboard/test_accounts.py")),
    Mutant("model-id-global-as-regional", "bedrock_usage/pricing/model_ids.py",
           'return "global"', 'return "regional"', PRICES),
    # engines/queries.py: the facts SQL
    Mutant("sql-tier-on-input-only", "bedrock_usage/engines/queries.py",
           'tokens = "input_count + cache_read_count + cache_write_count"', 'tokens = "input_count"', QUERIES),
    Mutant("sql-tier-at-least", "bedrock_usage/engines/queries.py",
           'f"WHEN {tokens} > element_at(', 'f"WHEN {tokens} >= element_at(', QUERIES),
    Mutant("sql-period-end-inclusive", "bedrock_usage/engines/queries.py",
           '"kept_ts < from_iso8601_timestamp(?)"', '"kept_ts <= from_iso8601_timestamp(?)"', PERIODS),
    Mutant("sql-period-start-exclusive", "bedrock_usage/engines/queries.py",
           '"kept_ts >= from_iso8601_timestamp(?)"', '"kept_ts > from_iso8601_timestamp(?)"', PERIODS),
    Mutant("sql-duplicate-by-request-id", "bedrock_usage/engines/queries.py",
           "PARTITION BY request_id, raw_timestamp", "PARTITION BY request_id", QUERIES),
    Mutant("sql-third-copy-only", "bedrock_usage/engines/queries.py",
           "\"duplicate\": \"request_id IS NOT NULL AND copy_number > 1\"",
           "\"duplicate\": \"request_id IS NOT NULL AND copy_number > 2\"", QUERIES),
    Mutant("sql-narrow-dedup-misses-pairs", "bedrock_usage/engines/queries.py",
           "GROUP BY 1 HAVING count(*) > 1", "GROUP BY 1 HAVING count(*) > 2", QUERIES),
    Mutant("sql-arn-filter-always", "bedrock_usage/engines/queries.py",
           "strpos(identity_arn, ?) > 0", "strpos(identity_arn, ?) >= 0", QUERIES),
    Mutant("sql-cache-reads-as-writes", "bedrock_usage/engines/queries.py",
           "cache_read_count > 0 THEN {CACHE_READS}", "cache_read_count > 0 THEN {CACHE_WRITES_5M}", QUERIES),
    Mutant("sql-1h-cache-uncapped", "bedrock_usage/engines/queries.py",
           'return (f"greatest(0, least(cache_write_count, coalesce(', 'return (f"greatest(0, (coalesce(', QUERIES),
    Mutant("sql-negative-1h-cache", "bedrock_usage/engines/queries.py",
           'return (f"greatest(0, least(cache_write_count,', 'return (f"(least(cache_write_count,', QUERIES),
    Mutant("sql-failed-calls-bill-units", "bedrock_usage/engines/queries.py",
           "CASE WHEN body_logged AND error_code IS NULL THEN {sql} END", "CASE WHEN body_logged THEN {sql} END",
           QUERIES),
    Mutant("sql-impossible-units-billed", "bedrock_usage/engines/queries.py",
           'f"{column} BETWEEN 1 AND {MAX_UNITS_PER_CALL}"', 'f"{column} IS NOT NULL"', QUERIES),
    Mutant("sql-not-json-read-as-no-timestamp", "bedrock_usage/engines/queries.py",
           "THEN CASE WHEN no_field THEN", "THEN CASE WHEN false THEN", SKIPPED),
    Mutant("sql-converse-1h-ignored", "bedrock_usage/engines/queries.py",
           "CASE {converse} END, request_1h_count, 0))", "NULL, request_1h_count, 0))", QUERIES),
    Mutant("sql-shots-ignored", "bedrock_usage/engines/queries.py",
           "{SHOT_SECONDS} * coalesce(", "NULL * coalesce(", QUERIES),
    Mutant("sql-rerank-floor", "bedrock_usage/engines/queries.py",
           "greatest(1, CAST(ceil(", "greatest(1, CAST(floor(", QUERIES),
    Mutant("sql-cache-read-sums-writes", "bedrock_usage/engines/queries.py",
           "sum(cache_read_count) AS cache_read_tokens", "sum(cache_write_count) AS cache_read_tokens", QUERIES),
    Mutant("sql-price-day-local", "bedrock_usage/engines/queries.py",
           '"utc_day": "date_format(ts, \'%Y-%m-%d\')",',
           '"utc_day": f"date_format(at_timezone(ts, {zone}), \'%Y-%m-%d\')",', QUERIES),
    # logs/period.py
    Mutant("period-end-is-last-day", "bedrock_usage/logs/period.py",
           "datetime.combine(self.end + timedelta(days=1), time(), self.zone)",
           "datetime.combine(self.end, time(), self.zone)", PERIODS),
    Mutant("period-start-in-utc", "bedrock_usage/logs/period.py",
           "datetime.combine(self.start, time(), self.zone)", "datetime.combine(self.start, time(), UTC)", PERIODS),
    Mutant("period-no-next-day-folder", "bedrock_usage/logs/period.py",
           "return first, last + timedelta(days=1)", "return first, last", PERIODS),
    Mutant("period-previous-overlaps", "bedrock_usage/logs/period.py",
           "Period(self.start - timedelta(days=self.days),", "Period(self.start - timedelta(days=self.days - 1),",
PERIODS),
    # logs/identity.py
    Mutant("identity-sso-user-is-role", "bedrock_usage/logs/identity.py",
           'Principal("sso_user", role, session,', 'Principal("sso_user", role, role,', CALLERS),
    Mutant("identity-app-keeps-suffix", "bedrock_usage/logs/identity.py",
           "role, role[: -len(role_suffix)])", "role, role)", CALLERS),
    Mutant("identity-iam-user-with-path", "bedrock_usage/logs/identity.py",
           'name = rest.rsplit("/", 1)[-1] or UNKNOWN\n        return Principal("iam_user"',
           'name = rest or UNKNOWN\n        return Principal("iam_user"', CALLERS),
    Mutant("user-pattern-regex", "bedrock_usage/logs/identity.py",
           "return pattern.lower() in name.lower()", "return re.search(pattern.lower(), name.lower()) is not None",
           USER_PATTERN),
    Mutant("user-pattern-case-sensitive", "bedrock_usage/logs/identity.py",
           "return pattern.lower() in name.lower()", "return pattern in name", USER_PATTERN),
    # report/tracker.py: attribution, pricing, roll-ups
    Mutant("tracker-user-pattern-ignored", "bedrock_usage/report/tracker.py",
           '"kept": [not user_pattern or holds_pattern(p.user, user_pattern) for p in principals]',
           '"kept": [True for p in principals]', TRACKER),
    Mutant("tracker-tier-not-above", "bedrock_usage/report/tracker.py",
           "context_tokens=context_over + 1 if context_over else 0", "context_tokens=context_over", TRACKER),
    Mutant("tracker-1h-writes-also-5m", "bedrock_usage/report/priced_facts.py",
           'return "(f.cache_write_tokens - f.cache_write_1h_tokens)"', 'return "f.cache_write_tokens"', TRACKER),
    Mutant("tracker-missing-rate-is-free", "bedrock_usage/report/priced_facts.py",
           "IS NULL AND {_billed(name)} > 0 THEN", "IS NULL AND {_billed(name)} < 0 THEN", TRACKER),
    Mutant("tracker-unit-tokens-billed", "bedrock_usage/report/priced_facts.py",
           "CASE WHEN coalesce(r.unit, 'tokens') = 'tokens' THEN coalesce({missing}) END", "coalesce({missing})",
           TRACKER),
    Mutant("tracker-video-input-unseen", "bedrock_usage/report/tracker.py",
           'if unit == "tokens" and row.input is None and row.output is not None:', "if False:", TRACKER),
    Mutant("tracker-service-tier-ignored", "bedrock_usage/report/tracker.py",
           "                                  tier=tier, mode=mode, unit=unit)",
           "                                  tier=tier, unit=unit)", TRACKER),
    Mutant("tracker-video-first-resolution", "bedrock_usage/report/tracker.py",
           'return f"video_{lines}" if f"video_{lines}" in tiers else None', "return tiers[0]", TRACKER),
    Mutant("sql-service-tier-request-first", "bedrock_usage/engines/queries.py",
           'for side in ("output", "input")', 'for side in ("input", "output")', TRACKER),
    Mutant("sql-latency-optimized-unseen", "bedrock_usage/engines/queries.py",
           "{said(LATENCY_PATH)} = 'optimized'", "{said(LATENCY_PATH)} = 'fast'", TRACKER),
    Mutant("tracker-images-given-free", "bedrock_usage/report/tracker.py",
           'rates[BOOK_RATE_FIELDS.index("per_unit")] = image.row.per_unit',
           'rates[BOOK_RATE_FIELDS.index("per_unit")] = 0.0', TRACKER),
    Mutant("sql-failed-media-calls-apart", "bedrock_usage/engines/queries.py",
           "media_count > 0 AND error_code IS NULL ", "media_count > 0 ", TRACKER),
    Mutant("tracker-media-unknown-priced", "bedrock_usage/report/tracker.py",
           "unit != \"tokens\" or per_image or self._takes_media(model_id)", "unit != \"tokens\" or per_image",
           TRACKER),
    Mutant("sql-failed-calls-with-succeeded", "bedrock_usage/engines/queries.py",
           "WHEN error_code IS NOT NULL THEN '{REQUEST_BODY_FAILED}' ", "", ("tests/report/test_offloaded_bodies.py",)),
    Mutant("tracker-failed-units-need-body", "bedrock_usage/report/tracker.py",
           'if key.request_body == REQUEST_BODY_FAILED and unit != "tokens":', "if False:",
           ("tests/report/test_offloaded_bodies.py",)),
    Mutant("sql-media-calls-not-apart", "bedrock_usage/engines/queries.py",
           "CASE WHEN body_logged AND media_count > 0 AND error_code IS NULL", "CASE WHEN false", TRACKER),
    Mutant("tracker-rerank-as-output", "bedrock_usage/report/priced_facts.py",
           "WHEN unit IN ('image', 'second') THEN unit_cost",
           "WHEN unit IN ('image', 'second', 'query') THEN unit_cost", TRACKER),
    Mutant("tracker-unpriced-sums-to-zero", "bedrock_usage/report/priced_facts.py",
           'sums += [f"sum({name}) AS {name}"', 'sums += [f"coalesce(sum({name}), 0.0) AS {name}"', TRACKER),
    Mutant("tracker-tag-ignored", "bedrock_usage/report/priced_facts.py",
           'for tag in application_tags] + ["c.application"]', 'for tag in ()] + ["c.application"]', TRACKER),
    Mutant("tracker-duplicates-counted", "bedrock_usage/report/priced_facts.py",
           "WHERE day IS NOT NULL AND NOT coalesce(duplicate, false)", "WHERE day IS NOT NULL", TRACKER),
    Mutant("tracker-skipped-records-named-as-objects", "bedrock_usage/report/tracker.py",
           "_named(skipped.object_counts.get(code, 0),", "_named(count,", SKIPPED),
    # qdev: prompt logs, activity reports, Kiro credits, people
    Mutant("q-prompt-period-end-inclusive", "bedrock_usage/qdev/analysis.py",
           "period.utc_start <= req.timestamp < period.utc_end", "period.utc_start <= req.timestamp <= period.utc_end",
           QDEV),
    Mutant("q-prompt-period-start-exclusive", "bedrock_usage/qdev/analysis.py",
           "period.utc_start <= req.timestamp < period.utc_end", "period.utc_start < req.timestamp < period.utc_end",
           QDEV),
    Mutant("q-person-names-unmatched", "bedrock_usage/qdev/people.py",
           "return any(holds_pattern(name, pattern) for name in names if name)", "return False", QDEV),
    Mutant("q-email-id-case-apart", "bedrock_usage/qdev/people.py",
           "UserRef(text, person_name(text) if _is_email(text) else text, None, None)",
           "UserRef(text, text, None, None)", (*Q_EDGES, "tests/qdev/test_kiro_edges.py")),
    Mutant("q-activity-period-from-window", "bedrock_usage/qdev/activity.py",
           "in_period = dated_between(rows, first_day, last_day)",
           "in_period = dated_between(rows, window.start, last_day)", QDEV),
    Mutant("q-activity-period-last-day-out", "bedrock_usage/qdev/activity.py",
           "in_period = dated_between(rows, first_day, last_day)",
           "in_period = dated_between(rows, first_day, last_day - timedelta(days=1))", QDEV),
    Mutant("kiro-reexport-earliest-wins", "bedrock_usage/qdev/activity.py",
           'order.groupby(groups).transform("max")', 'order.groupby(groups).transform("min")',
           (*KIRO, "tests/qdev/test_athena_sql.py")),
    Mutant("kiro-reexport-key-without-client", "bedrock_usage/qdev/kiro_report.py",
           "fact_frame[CLIENT], fact_frame[PROFILE]]", "fact_frame[PROFILE]]", KIRO),
    Mutant("kiro-reexport-key-without-account", "bedrock_usage/qdev/kiro_report.py",
           'export = [fact_frame[c] for c in ("account", "region", "file_client")]',
           'export = [fact_frame[c] for c in ("region", "file_client")]', KIRO + ("tests/qdev/test_kiro_edges.py",)),
    Mutant("kiro-projection-at-allowance-flagged", "bedrock_usage/qdev/credits.py",
           "    if projected > allowance:\n        return PROJECTED",
           "    if projected >= allowance:\n        return PROJECTED",
           KIRO + ("tests/qdev/test_kiro_edges.py",)),
    Mutant("q-projection-at-limit-flagged", "bedrock_usage/qdev/limits.py",
           "        if self.projected > self.allowance:", "        if self.projected >= self.allowance:", QDEV),
    Mutant("kiro-period-last-day-out", "bedrock_usage/qdev/credits.py",
           'period_rows = facts[(facts[kr.DATE] >= first_day) & (facts[kr.DATE] <= last_day)]',
           'period_rows = facts[(facts[kr.DATE] >= first_day) & (facts[kr.DATE] < last_day)]', KIRO),
    Mutant("kiro-prorate-30-days", "bedrock_usage/qdev/credits.py",
           "return 1 / calendar.monthrange(day.year, day.month)[1]", "return 1 / 30", KIRO),
    Mutant("kiro-latest-earliest", "bedrock_usage/qdev/credits.py",
           'return ordered.groupby("person")[column].last()', 'return ordered.groupby("person")[column].first()', KIRO),
    # qdev/: days reported, re-delivered reports, records without a user
    Mutant("month-counts-unreported-days", "bedrock_usage/qdev/limits.py",
           "counted_to = as_of if reported_through is None else min(as_of, reported_through)",
           "counted_to = as_of", QDEV),
    Mutant("activity-redelivery-without-account", "bedrock_usage/qdev/activity.py",
           "kept = later_file_wins(order, [account, rows[", "kept = later_file_wins(order, [rows[",
           ("tests/qdev/test_athena_sql.py",)),
    Mutant("unknown-user-is-a-subscriber", "bedrock_usage/qdev/analysis.py",
           'return requests["user_id"] != UNKNOWN_USER', 'return requests["user_id"] == requests["user_id"]', QDEV),
    # governance/: forecasts as of a day in progress
    Mutant("forecast-today-in-the-mean", "bedrock_usage/governance/anomalies.py",
           "pace_days(self.as_of - timedelta(days=1) if self.in_progress else self.as_of,",
           "pace_days(self.as_of,",
           ("tests/governance/test_budgets.py",)),
    Mutant("forecast-today-at-its-cost-so-far", "bedrock_usage/governance/anomalies.py",
           "rest_of_today = max(0.0, mean - float(series.get(as_of, 0.0))) if basis.in_progress else 0.0",
           "rest_of_today = 0.0", ("tests/governance/test_budgets.py",)),
    Mutant("budget-window-one-day-short", "bedrock_usage/governance/budgets.py",
           "as_of - timedelta(days=2 * window)), as_of, tz)", "as_of - timedelta(days=window - 1)), as_of, tz)",
           ("tests/governance/test_budgets.py",)),
    # twelfth run: periods past today, chargeback coverage, the dashboard's like-for-like change, Athena's bill and
    # result file, Q/Kiro status order, caches named by the parse code
    Mutant("period-past-today-kept", "bedrock_usage/logs/period.py",
           "    if period.end <= today:", "    if True:", ("tests/logs/test_period_identity.py",)),
    Mutant("chargeback-last-day-is-over", "bedrock_usage/governance/coverage.py",
           "return self.today <= self.period.end", "return self.today < self.period.end",
           ("tests/governance/test_chargeback.py",)),
    Mutant("dashboard-hour-in-progress-whole", "bedrock_usage/dashboard/data.py",
           "share = (cut - start) / (end - start)", "share = 1.0",
           ("tests/dashboard/test_views.py::test_a_period_ending_today_is_compared_with_the_same_hours_of_the_day_"
            "before_it",)),
    Mutant("qdev-prompt-copy-counted-twice", "bedrock_usage/qdev/analysis.py",
           "            if key in delivered:  # a copy", "            if key in ():  # a copy",
           ("tests/qdev/test_analysis.py",)),
    Mutant("qdev-redelivery-raw-user-id", "bedrock_usage/qdev/activity.py",
           'rows["region"], person_keys(rows["UserId"]), rows["Date"]', 'rows["region"], rows["UserId"], rows["Date"]',
           ("tests/qdev/test_athena_sql.py",)),
    Mutant("lifecycle-rule-on-owners-bucket", "bedrock_usage/aws/provisioning.py",
           "    if current is None and not setups_bucket:\n", "    if False:\n",
           ("tests/aws/test_existing_configuration.py",)),
    Mutant("empty-regions-mean-all", "bedrock_usage/logs/regions.py",
           "    if values and not names:\n", "    if False:\n", ("tests/logs/test_regions.py",)),
    Mutant("check-text-off-healthy", "bedrock_usage/aws/logging_status.py",
           "return (self.enabled and self.text_delivery and", "return (self.enabled and",
           ("tests/aws/test_existing_configuration.py",)),
    Mutant("chargeback-stem-without-digest", "bedrock_usage/governance/render.py",
           '    if by != group_by.replace(":", "-", 1):\n', "    if False:\n",
           ("tests/governance/test_chargeback.py",)),
    Mutant("budget-nan-accepted", "bedrock_usage/governance/budgets.py",
           " or not math.isfinite(value) or value <= 0:", " or value <= 0:", ("tests/governance/test_budgets.py",)),
    Mutant("skipped-in-next-days-folder", "bedrock_usage/engines/queries.py",
           "THEN partition_day BETWEEN {own_first} AND {own_last}", "THEN true",
           ("tests/report/test_money_edges.py",)),
    Mutant("folder-owned-by-two-days", "bedrock_usage/logs/period.py",
           "astimezone(zone).date() <= self.end]", "astimezone(zone).date() <= self.end + timedelta(days=1)]",
           ("tests/report/test_money_edges.py",)),
    Mutant("unreadable-object-of-another-day-counted", "bedrock_usage/engines/local.py",
           "if scope.owns(_folder_day(obj)):", "if True:", ("tests/report/test_money_edges.py",)),
    Mutant("missing-context-tier-priced-at-base", "bedrock_usage/pricing/book.py",
           "if self.context_threshold_passed(ref.base_id, tokens) > max(",
           "if False and self.context_threshold_passed(ref.base_id, tokens) > max(", PRICES),
    Mutant("summary-of-unpriced-calls-costs-0", "bedrock_usage/report/render.py",
           'if summary["calls"] and summary["unpriced_calls"] == summary["calls"]:', "if False:",
           ("tests/report/test_money_edges.py",)),
    Mutant("developer-total-without-unknown-part", "bedrock_usage/governance/chargeback.py",
           'table["total_cost_usd"] = total.mask(unknown)', 'table["total_cost_usd"] = total',
           ("tests/governance/test_chargeback.py",)),
    Mutant("context-tiers-fixed", "bedrock_usage/report/tracker.py",
           "context_thresholds=self.prices.context_thresholds)", "context_thresholds=(200_000,))",
           ("tests/report/test_money_edges.py",)),
    Mutant("sync-failure-beside-empty-regions-ok", "bedrock_usage/aws/mirror.py",
           "if not any(result.holds_records for result in results):",
           "if all(result.failure for result in results):", ("tests/aws/test_mirror_regions.py",)),
    Mutant("unreadable-period-as-zero", "bedrock_usage/report/tracker.py",
           "(None if unreadable_ok else none_readable(\n            period, result.stats) or none_projected(",
           "(None if unreadable_ok else (\n            None) or none_projected(",
           ("tests/report/test_unreadable_period.py",)),
    Mutant("kiro-tier-latest-of-period", "bedrock_usage/qdev/credits.py",
           "return tiers[max(key for key in tiers if key <= month)]", "return tiers[max(tiers)]",
           ("tests/qdev/test_money_edges.py",)),
    Mutant("profile-fills-empty-tag", "bedrock_usage/governance/profiles.py",
           "missing = rows & frame[column].isna()", 'missing = rows & (frame[column].isna() | (frame[column] == ""))',
           ("tests/governance/test_profiles.py",)),
    Mutant("price-file-other-regions-unsaid", "bedrock_usage/report/price_notes.py",
           "elif region not in priced_in and EVERY_REGION not in priced_in:", "elif False:",
           ("tests/report/test_price_file_regions.py",)),
    Mutant("price-file-missing-tier-unsaid", "bedrock_usage/report/price_notes.py",
           "if book_tier is not None:", "if False:", ("tests/report/test_price_file_tiers.py",)),
    Mutant("q-user-cost-zero-when-unpriced", "bedrock_usage/qdev/analysis.py",
           'virtual_cost_usd=("cost", priced_sum),', 'virtual_cost_usd=("cost", "sum"),',
           ("tests/qdev/test_cost_days.py",)),
    Mutant("parse-error-message-undecodable", "bedrock_usage/engines/local.py",
           "except (duckdb.Error, UnicodeDecodeError):", "except duckdb.Error:",
           ("tests/engines/test_hostile_objects.py",)),
    Mutant("anomaly-tag-labelled-before-grouping", "bedrock_usage/governance/anomalies.py",
           "return values.where(values.notna(), None)",
           'return values.where(values.notna(), NO_VALUE).where(values != "", EMPTY_TAG_VALUE)',
           ("tests/governance/test_anomalies.py",)),
    Mutant("anomaly-day-hides-unpriced-calls", "bedrock_usage/governance/anomalies.py",
           'long = long.assign(unpriced_calls=unpriced_long["unpriced_calls"].astype("int64"))',
           'long = long.assign(unpriced_calls=0)', ("tests/governance/test_anomalies.py",)),
    Mutant("csv-cost-in-exponent", "bedrock_usage/output/files.py",
           "        return _PlainNumber(value)\n", "        return value\n", ("tests/output/test_files.py",)),
    Mutant("csv-warnings-unsaid", "bedrock_tracker_cli.py", "    print_warnings(unsaid)\n", "",
           ("tests/report/test_cli.py",)),
    Mutant("q-cost-on-a-zones-day", "bedrock_usage/qdev/cost.py",
           'frame["timestamp"].dt.tz_convert("UTC").dt.date', 'frame["timestamp"].dt.tz_convert("Asia/Seoul").dt.date',
           ("tests/qdev/test_cost_days.py",)),
    Mutant("record-without-region-unpriced", "bedrock_usage/engines/queries.py",
           "coalesce(nullif(region, ''), {_FOLDER_REGION}) AS source_region", "region AS source_region",
           ("tests/report/test_money_edges.py",)),
    Mutant("athena-cancelled-query-free", "bedrock_usage/engines/athena.py",
           '"athena_cancelled", **query), scanned)', '"athena_cancelled", **query))',
           ("tests/engines/test_athena_engine.py",)),
    Mutant("athena-file-empty-string-is-null", "bedrock_usage/engines/athena.py",
           "quoted_strings_can_be_null=False", "quoted_strings_can_be_null=True",
           ("tests/engines/test_athena_engine.py",)),
    Mutant("q-warning-before-projection", "bedrock_usage/qdev/limits.py",
           "        if self.projected > self.allowance:\n            return PROJECTED_TO_EXCEED\n"
           "        if self.used >= WARNING_SHARE * self.allowance:\n            return WARNING",
           "        if self.used >= WARNING_SHARE * self.allowance:\n            return WARNING\n"
           "        if self.projected > self.allowance:\n            return PROJECTED_TO_EXCEED", QDEV),
    Mutant("cache-parts-outlive-parse-code", "bedrock_usage/engines/columnar_cache.py",
           'source_digest(_PARSE_CODE), library_version("duckdb")', 'library_version("duckdb")',
           ("tests/engines/test_columnar_cache.py::test_parts_made_by_other_parse_code_are_parsed_again",)),
    # fifteenth run: user price rows, the Q/Kiro virtual cost, forecasts before logging began, links, refresh
    Mutant("book-builtin-before-users", "bedrock_usage/pricing/book.py",
           "return (not self.own, self.region != region,", "return (self.own, self.region != region,", PRICES),
    Mutant("book-earliest-start-wins", "bedrock_usage/pricing/book.py",
           "-(self.effective_from or date.min).toordinal())", "(self.effective_from or date.min).toordinal())",
           PRICES),
    Mutant("q-long-context-at-base", "bedrock_usage/qdev/cost.py",
           "(int(n) + 1 if n else 0 for n in passed)", "(0 for n in passed)", ("tests/qdev/test_cost_days.py",)),
    Mutant("q-kiro-subscribes-to-q", "bedrock_usage/qdev/cost.py",
           "subscribers = set(people[q_developer].dropna())", "subscribers = set(people.dropna())",
           ("tests/qdev/test_cost_days.py",)),
    Mutant("q-kiro-claude-names-unread", "bedrock_usage/qdev/cost.py",
           "_claude_ids(book).get(_canonical(model_id), model_id)", "model_id",
           ("tests/qdev/test_cost_days.py",)),
    Mutant("forecast-reads-one-window", "bedrock_usage/governance/budgets.py",
           "as_of - timedelta(days=2 * window)), as_of, tz)", "as_of - timedelta(days=window)), as_of, tz)",
           ("tests/governance/test_budgets.py",)),
    Mutant("anomalies-forecast-reads-one-window", "bedrock_usage/governance/anomalies.py",
           "period.end - timedelta(days=2 * window),", "period.end - timedelta(days=window),",
           ("tests/governance/test_budgets.py",)),
    Mutant("forecast-logging-start-of-the-whole-read", "bedrock_usage/governance/anomalies.py",
           "recent = days[(days >= as_of - timedelta(days=2 * window)) & (days <= as_of)]", "recent = days",
           ("tests/governance/test_budgets.py",)),
    Mutant("forecast-pace-before-logging", "bedrock_usage/governance/anomalies.py",
           "return days_between(max(first, logs_from) if logs_from else first, last_whole)",
           "return days_between(first, last_whole)", ("tests/governance/test_budgets.py",)),
    Mutant("budget-late-month-quiet-days-one-short", "bedrock_usage/governance/budgets.py",
           "(first - read_from).days <= window:", "(first - read_from).days < window:",
           ("tests/governance/test_budgets.py",)),
    Mutant("budget-breach-money-in-cents", "bedrock_usage/governance/budgets.py",
           'spend {money(day)} is over the daily {money(budget.daily_usd)}',
           'spend ${day:,.2f} is over the daily ${budget.daily_usd:,.2f}', ("tests/governance/test_budgets.py",)),
    Mutant("compacted-days-before-the-copy-from-parquet", "bedrock_usage/engines/compacted.py",
           "start, through = max(compacted.first, first_day), min(compacted.last, last_day)",
           "start, through = first_day, min(compacted.last, last_day)", ("tests/aws/test_compaction.py",)),
    Mutant("compaction-earlier-days-forwards", "bedrock_usage/aws/compaction.py",
           "before = blocks_to_copy(start, None, copied.first - timedelta(days=1))[::-1]",
           "before = blocks_to_copy(start, None, copied.first - timedelta(days=1))", ("tests/aws/test_compaction.py",)),
    Mutant("compaction-first-day-unrecorded", "bedrock_usage/aws/compaction.py",
           "table_input[\"Parameters\"] = {**table.get(\"Parameters\", {}), COMPACTED_FROM: days.first.isoformat(),",
           "table_input[\"Parameters\"] = {**table.get(\"Parameters\", {}),", ("tests/aws/test_compaction.py",)),
    Mutant("test-data-replaces-real-logs", "generate_test_data.py",
           "foreign = [key for key in existing if not is_synthetic_key(key)]", "foreign = []",
           ("tests/demo/test_synthetic.py",)),
    Mutant("callers-iam-users-of-two-accounts-merged", "bedrock_usage/report/priced_facts.py",
           '"user": ["user", "principal_type", "principal", "account"],',
           '"user": ["user", "principal_type", "principal"],',
           ("tests/report/test_accounts.py",)),
    Mutant("users-count-ignores-accounts", "bedrock_usage/report/priced_facts.py",
           "+ [_USERS_COUNT, ", "+ ['count(DISTINCT \"user\")', ", ("tests/report/test_accounts.py",)),
    Mutant("users-count-by-principal", "bedrock_usage/report/priced_facts.py",
           "+ [_USERS_COUNT, ", "+ ['count(DISTINCT (\"user\", principal_type, account))', ",
           ("tests/report/test_accounts.py",)),
    Mutant("athena-unknown-zone-accepted", "bedrock_usage/logs/period.py",
           "    if name in ATHENA_UNKNOWN_ZONES:\n", "    if False:\n", ("tests/engines/test_athena_sql_rules.py",)),
    Mutant("zone-from-the-system-folder-accepted", "bedrock_usage/logs/period.py",
           "    if _NOT_ZONES.fullmatch(name):\n        return False\n", "",
           ("tests/engines/test_athena_sql_rules.py",)),
    Mutant("dashboard-link-values-as-markdown", "bedrock_usage/dashboard/sidebar.py",
           'params=", ".join(map(plain, ignored))', 'params=", ".join(ignored)', ("tests/dashboard/test_apptest.py",)),
    Mutant("dashboard-link-number-in-other-digits", "bedrock_usage/dashboard/url_state.py",
           "return int(text) if text.isascii() and text.isdigit() else 0",
           "return int(text) if text.isdigit() else 0", ("tests/dashboard/test_url_state.py",)),
    Mutant("body-fraction-cast-not-rounded", "bedrock_usage/engines/queries.py",
           'return f"try(CAST(round(CAST({_body_text(path, side)} AS double)) AS bigint))"',
           'return f"try(CAST(CAST({_body_text(path, side)} AS double) AS bigint))"', EDGES),
    Mutant("card-count-unit-before-rounding", "bedrock_usage/dashboard/text.py",
           "if abs(round(value / 1e3, 1)) < 1_000:", "if abs(value) < 1_000_000:",
           ("tests/dashboard/test_text.py",)),
    Mutant("athena-retryable-failure-not-rerun", "bedrock_usage/engines/athena.py",
           'if state == "FAILED" and status.get("AthenaError", {}).get("Retryable"):',
           'if state == "FAILED" and False:', ("tests/engines/test_athena_engine.py",)),
    Mutant("link-unknown-region-reads-all", "bedrock_usage/dashboard/url_state.py",
           'link.values["regions"] = [r for r in named if r in REGION_NAMES]',
           'link.values["regions"] = named if all(r in REGION_NAMES for r in named) else [ALL]',
           ("tests/dashboard/test_url_state.py",)),
    Mutant("refresh-tier-prices-as-base", "bedrock_usage/pricing/offer_file.py",
           "if any(_sized_only(tiers[(model, price.unit)]) or _other_unit(tiers, model, price.unit)"
           " for model in models):",
           "if any(_other_unit(tiers, model, price.unit) for model in models):", ("tests/pricing/test_refresh.py",)),
    Mutant("refresh-new-tier-as-sized", "bedrock_usage/pricing/offer_file.py",
           "if any(_sized_only(tiers[(model, price.unit)]) or _other_unit(tiers, model, price.unit)"
           " for model in models):",
           "if any((tiers[(model, price.unit)] and price.tier not in tiers[(model, price.unit)])\n"
           "            or _other_unit(tiers, model, price.unit) for model in models):",
           ("tests/pricing/test_refresh.py",)),
    Mutant("qcli-warnings-unsaid", "qcli_s3_analyzer.py", "    print_warnings(report.warnings)\n", "",
           ("tests/qdev/test_cli.py",)),
    # the eighteenth run's fixes
    Mutant("application-apart-in-one-account", "bedrock_usage/logs/identity.py",
           "len(accounts[p.user]) > 1", "len(accounts[p.user]) >= 1", ("tests/report/test_accounts.py",)),
    Mutant("provisioned-read-as-other-arn", "bedrock_usage/pricing/model_ids.py",
           '"provisioned-model": "provisioned",', "",
           ("tests/report/test_provisioned_throughput.py", "tests/pricing/test_pricing.py")),
    Mutant("report-cell-trimmed-of-unicode-spaces", "bedrock_usage/qdev/activity.py",
           "cell = raw.strip(BLANKS)", "cell = raw.strip()",
           ("tests/qdev/test_athena_sql.py", "tests/qdev/test_kiro_edges.py")),
    Mutant("non-utf8-object-skipped", "bedrock_usage/engines/local.py",
           'text, replaced = text.decode("utf-8", errors="replace").encode("utf-8"), True', "raise",
           ("tests/engines/test_hostile_objects.py",)),
    Mutant("org-only-deny-undecided", "bedrock_usage/aws/logging_status.py",
           'ABSENT_FOR_SERVICE = frozenset({"aws:principalorgid", "aws:principalorgpaths"})',
           "ABSENT_FOR_SERVICE = frozenset()", ("tests/aws/test_bucket_policy.py",)),
    Mutant("price-row-under-its-own-id-only", "bedrock_usage/pricing/book.py",
           "for model in forms.get(model_key(row.model), (row.model,)):", "for model in (row.model,):",
           ("tests/report/test_price_file_id_forms.py",)),
    Mutant("empty-tag-value-as-untagged", "bedrock_usage/governance/chargeback.py",
           "    if not tag:  # a tag value logged empty", "    if True:  # a tag value logged empty",
           ("tests/report/test_empty_tag_values.py",)),
    Mutant("e-mail-spellings-apart", "bedrock_usage/logs/identity.py",
           "    return session_name.lower()", "    return session_name",
           ("tests/governance/test_chargeback.py",)),
    Mutant("sync-own-account-only", "bedrock_usage/aws/mirror.py",
           "return tuple(log_accounts(s3_client, bucket, prefix)) or (own,), \"\"",
           "return (own,), \"\"", ("tests/aws/test_mirror_regions.py",)),
    Mutant("bedrock-service-not-bedrock", "bedrock_usage/governance/usage_types.py",
           "return service in OWN_SHAPE_SERVICES or", "return service == BEDROCK_SERVICE or",
           ("tests/governance/test_usage_types.py", "tests/governance/test_reconcile.py")),
    Mutant("usage-type-model-id-prefix", "bedrock_usage/governance/usage_types.py",
           'if lower.startswith(f"{part}-") and _is_detail(lower[len(part) + 1:]):',
           'if lower.startswith(f"{part}-"):',
           ("tests/governance/test_usage_types.py",)),
    Mutant("unmetered-model-in-coverage", "bedrock_usage/governance/reconcile.py",
           'metered = by_model["metered_calls"] > 0', 'metered = by_model["metered_calls"] >= 0',
           ("tests/governance/test_reconcile_coverage.py", "tests/governance/test_reconcile.py")),
    Mutant("region-day-ok-over-flagged-model", "bedrock_usage/governance/reconcile.py",
           "elif status not in FLAGGED and (row.region, row.utc_day) in flagged:", "elif False:",
           ("tests/governance/test_reconcile_coverage.py", "tests/governance/test_reconcile.py")),
    Mutant("tag-none-joins-untagged", "bedrock_usage/governance/chargeback.py",
           "present = ~missing.astype(bool)", "present = missing | True",
           ("tests/governance/test_chargeback.py",)),
    Mutant("service-offer-read-as-marketplace", "bedrock_usage/pricing/offer_file.py",
           "    if code == SERVICE_OFFER:", "    if False:", ("tests/pricing/test_refresh.py",)),
    Mutant("offer-disagreement-last-wins", "bedrock_usage/pricing/offer_file.py",
           "if all(math.isclose(p.value, prices[0].value, rel_tol=1e-12) for p in prices):", "if True:",
           ("tests/pricing/test_refresh.py",)),
    Mutant("kiro-unpriced-day-nobody-on", "bedrock_usage/qdev/credits.py",
           "if row is None and (tier, day) in held]", "if row is None]", ("tests/qdev/test_kiro_edges.py",)),
    Mutant("disputed-region-takes-new-star", "bedrock_usage/pricing/offer_file.py",
           "carried = set() if own else kept & regions[star].keys()", "carried = set()",
           ("tests/pricing/test_refresh.py",)),
    Mutant("unknown-region-charges-in-no-total", "bedrock_usage/governance/reconcile.py",
           'billed = pd.concat([table["billed_cost_usd"], table[BATCH_BILLED],\n'
           '                            self.billed_without_region["billed_cost_usd"]]).sum(min_count=1)',
           'billed = pd.concat([table["billed_cost_usd"], table[BATCH_BILLED]]).sum(min_count=1)',
           ("tests/governance/test_usage_types.py",)),
    Mutant("corrupt-copy-counted-skipped", "bedrock_usage/report/priced_facts.py",
           "WHERE day IS NULL AND NOT coalesce(duplicate, false) GROUP BY 1, 2", "WHERE day IS NULL GROUP BY 1, 2",
           ("tests/report/test_corrupt_copies.py",)),
    Mutant("unpriced-bar-reads-zero", "bedrock_usage/dashboard/charts.py",
           'marks["unpriced"] if math.isnan(float(v)) else', 'usd(0.0) if math.isnan(float(v)) else',
           ("tests/dashboard/test_unpriced_figures.py",)),
    Mutant("unprojected-days-blamed-on-logging", "bedrock_usage/governance/coverage.py",
           "elif any(day not in unread for day in days_between(self.period.start, self.record_days[0])[:-1]):",
           "elif self.record_days[0] > self.period.start:",
           ("tests/engines/test_athena_engine.py",)),
    Mutant("no-region-logged-reported-as-zero", "bedrock_usage/report/tracker.py",
           "unreadable = none_logged(regions, result.stats) or (", "unreadable = (",
           ("tests/report/test_no_region_logged.py",)),
    Mutant("hidden-objects-read", "bedrock_usage/logs/layout.py",
           'return name.startswith(("_", "."))', 'return name.startswith(("_", ".")) and False',
           ("tests/engines/test_hostile_objects.py",)),
    Mutant("twin-price-file-row-one-id", "bedrock_usage/pricing/book.py",
           "by_alias.setdefault(one_model_key(model), []).append(model)",
           "by_alias.setdefault(__import__('bedrock_usage.pricing.model_ids', fromlist=['alias_key'])"
           ".alias_key(model), []).append(model)", ("tests/report/test_price_file_id_forms.py",)),
    Mutant("cost-change-over-priced-part", "bedrock_usage/dashboard/bedrock_tab.py",
           'if summary["unpriced_calls"] or previous["unpriced_calls"]:', 'if False:',
           ("tests/dashboard/test_unpriced_figures.py",)),
    Mutant("estimate-priced-part-unmarked", "bedrock_usage/dashboard/governance_tab.py",
           "    if unpriced:\n        return (t(label), t(\"cost_partial\"",
           "    if False:\n        return (t(label), t(\"cost_partial\"",
           ("tests/dashboard/test_governance_cards.py",)),
    Mutant("caller-difference-over-priced-part", "bedrock_usage/governance/callers.py",
           "return None if unpriced or billed is None or estimated is None else estimated - billed",
           "return None if billed is None or estimated is None else estimated - billed",
           ("tests/governance/test_caller_unpriced.py",)),
    Mutant("bill-comparison-over-priced-part", "bedrock_usage/governance/reconcile.py",
           "return values.where(pd.to_numeric(unpriced_calls).fillna(0) == 0)", "return values",
           ("tests/governance/test_reconcile_coverage.py",)),
    Mutant("models-joined-on-id-only", "bedrock_usage/report/priced_facts.py",
           "    AND f.source_region IS NOT DISTINCT FROM m.source_region\n", "",
           ("tests/report/test_govcloud_endpoint.py",)),
    Mutant("govcloud-endpoint-as-logged", "bedrock_usage/pricing/model_ids.py",
           'return "govcloud" if self.family(region) == "govcloud" else self.endpoint', "return self.endpoint",
           ("tests/report/test_govcloud_endpoint.py",)),
    Mutant("pattern-duplicates-of-everyone", "bedrock_usage/report/tracker.py",
           "if holds_pattern(user if user is not None else self._principal(arn).user, user_pattern))", "if True)",
           ("tests/report/test_money_edges.py",)),
    Mutant("price-file-calls-any-priced", "bedrock_usage/report/priced_facts.py",
           "FILTER (WHERE priced AND own_price)", "FILTER (WHERE priced)",
           ("tests/report/test_price_file_named.py",)),
    Mutant("empty-price-file-taken", "bedrock_usage/pricing/book.py",
           "    if not rows:\n        raise UsageError(Notice(f\"price file {path} holds",
           "    if False:\n        raise UsageError(Notice(f\"price file {path} holds",
           ("tests/pricing/test_pricing.py",)),
    Mutant("managed-key-by-arn-unseen", "bedrock_usage/aws/provisioning.py",
           "key_id = key[arn.end():] if arn else key", "key_id = key",
           ("tests/aws/test_existing_configuration.py",)),
    Mutant("athena-reads-every-object", "bedrock_usage/logs/layout.py",
           "RECORD_PATH_SQL = (f\"\\\"$path\\\" LIKE", "RECORD_PATH_SQL = (f\"TRUE OR \\\"$path\\\" LIKE",
           ("tests/engines/test_same_objects.py",)),
    Mutant("unreadable-projection-silent", "bedrock_usage/engines/athena.py",
           "stats.projections_not_checked[region] = unchecked", "pass",
           ("tests/engines/test_athena_engine.py",)),
    Mutant("arn-model-checked-in-every-region", "bedrock_usage/aws/permissions.py",
           "if arn_region(model) not in (None, region):", "if False:",
           ("tests/aws/test_permissions_success.py",)),
    Mutant("region-logging-stopped-unnamed", "bedrock_usage/governance/coverage.py",
           "if after and (after[-1] - days[-1]).days > pause:", "if False:",
           ("tests/governance/test_region_coverage.py",)),
    Mutant("offloaded-response-1h-request-ignored", "bedrock_usage/engines/queries.py",
           "WHEN {points_1h} = {points} THEN cache_write_count END END",
           "WHEN {points_1h} = {points} THEN NULL END END", ("tests/report/test_offloaded_cache_writes.py",)),
    Mutant("kiro-seat-before-first-row", "bedrock_usage/qdev/credits.py",
           "for day in days if (month := (day.year, day.month)) >= min(tiers)}",
           "for day in days if (month := max((day.year, day.month), min(tiers)))}",
           ("tests/qdev/test_kiro_edges.py",)),
    Mutant("log-under-earlier-key-taken-as-evidence", "bedrock_usage/aws/provisioning.py",
           "        return named == written\n", "        return True\n",
           ("tests/aws/test_existing_configuration.py",)),
    Mutant("user-pattern-case-names-another-file", "bedrock_usage/governance/filters.py",
           '"user_pattern": pattern.lower()', '"user_pattern": pattern',
           ("tests/governance/test_user_pattern_any_case.py",)),
    Mutant("chargeback-csv-without-cost-accuracy", "bedrock_usage/governance/render.py",
           'CHARGEBACK_NOTES = {"": ("tokens", "cost", "unpriced"),', 'CHARGEBACK_NOTES = {"": ("tokens", "unpriced"),',
           ("tests/governance/test_csv_accuracy_columns.py",)),
    Mutant("scan-warnings-without-days-read", "bedrock_usage/governance/days_read.py",
           "return [*own, heading or self.days_read_line(), *self.scan_warnings]",
           "return [*own, *self.scan_warnings]",
           ("tests/governance/test_budgets.py", "tests/governance/test_anomalies.py")),
    Mutant("router-call-keeps-router-arn", "bedrock_usage/engines/queries.py",
           "{_MODEL_ID} AS model_id,", "modelId AS model_id,", ("tests/report/test_prompt_routers.py",)),
    Mutant("marketplace-endpoint-as-model", "bedrock_usage/pricing/model_ids.py",
           "    if _MARKETPLACE_RE.match(raw):", "    if False:",
           ("tests/report/test_provisioned_throughput.py",)),
    Mutant("one-image-call-counts-no-image", "bedrock_usage/report/priced_facts.py",
           'counts["images"] = "CASE WHEN coalesce(r.images_are_calls, false) THEN f.calls ELSE f.images END"',
           'counts["images"] = "f.images"', ("tests/report/test_offloaded_bodies.py",)),
    Mutant("sdxl-as-one-image-model", "bedrock_usage/report/tracker.py",
           "and not book_model.startswith(STABILITY_COUNTED)", "", ("tests/report/test_offloaded_bodies.py",)),
    Mutant("router-call-without-tokens-unpriced", "bedrock_usage/report/priced_facts.py",
           "CASE WHEN m.endpoint = '{PROMPT_ROUTER}' AND {_NO_TOKENS} THEN NULL ELSE",
           "CASE WHEN false THEN NULL ELSE", ("tests/report/test_prompt_routers.py",)),
    # governance/: the tier a bill line names, compared with the estimate of that tier
    Mutant("bill-unknown-word-read-as-standard", "bedrock_usage/governance/usage_types.py",
           "    if tokens and not set(words[start:]) <= TOKEN_WORDS:\n", "    if False:\n", TIERS),
    Mutant("bill-latency-read-as-standard", "bedrock_usage/governance/usage_types.py",
           "        named.add(LATENCY_MODE)", "        named.add(STANDARD_MODE)", TIERS),
    Mutant("logs-tier-ignored-per-model", "bedrock_usage/governance/reconcile.py",
           'return facts["service_tier"].map(lambda tier: SERVICE_TIER_MODES.get(tier, tier))',
           'return facts["service_tier"].map(lambda tier: "standard")', TIERS),
    Mutant("unknown-tier-compared", "bedrock_usage/governance/reconcile.py",
           "cost_by_model_day=_cost_by_model(facts, charges.loc[~batch & ~unknown_tier]),",
           "cost_by_model_day=_cost_by_model(facts, charges.loc[~batch]),", TIERS),
]


def copy_tree(target: Path) -> None:
    """The tracked and untracked (not ignored) files of the working tree, as they are now."""
    listed = subprocess.run(["git", "ls-files", "-z", "-c", "-o", "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def run_tests(tree: Path, tests: tuple[str, ...], timeout: float) -> tuple[str, str]:
    """(``passed``, ``failed`` or ``timeout``; the first failing test): the tests run in ``tree`` on one worker,
    stopping at the first failure."""
    env = {**os.environ, "CI": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-n", "0", "-m", "not slow",
               "-rfE", *dict.fromkeys(tests)]
    try:
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    failing = [line.split(" ", 1)[1].split(" - ")[0] for line in done.stdout.splitlines()
               if line.startswith(("FAILED ", "ERROR "))]
    return ("passed" if done.returncode == 0 else "failed"), (failing[0] if failing else "")


def selected(patterns: list[str] | None) -> list[Mutant]:
    if not patterns:
        return MUTANTS
    chosen = [m for m in MUTANTS if any(fnmatch.fnmatchcase(m.name, p) for p in patterns)]
    if not chosen:
        raise SystemExit(f"no mutant matches {' '.join(patterns)} (see --list)")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="mutant names or fnmatch patterns")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per test run (default 900)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the run of the tests on the unchanged tree (when they are known to pass)")
    args = parser.parse_args(argv)
    mutants = selected(args.only)
    if args.list:
        for m in mutants:
            print(f"{m.name:34} {m.path}\n{'':34} tests: {' '.join(dict.fromkeys(m.tests))}")
        return 0
    with tempfile.TemporaryDirectory(prefix="mutants-") as folder:
        tree = Path(folder)
        copy_tree(tree)
        baseline = tuple(dict.fromkeys(t for m in mutants for t in m.tests))
        if not args.no_baseline:
            print(f"baseline: {len(baseline)} test files on the unchanged tree ...", flush=True)
            outcome, failing = run_tests(tree, baseline, args.timeout * 3)
            if outcome != "passed":
                print(f"the tests fail on the unchanged tree ({failing or outcome}): fix them first", file=sys.stderr)
                return 2
        results: dict[str, list[str]] = {"killed": [], "survived": [], "stale": []}
        for m in mutants:
            path = tree / m.path
            original = path.read_text(encoding="utf-8")
            if original.count(m.old) != 1:
                results["stale"].append(m.name)
                print(f"{m.name:34} STALE: the text to replace occurs {original.count(m.old)} times", flush=True)
                continue
            started = time.monotonic()
            path.write_text(original.replace(m.old, m.new), encoding="utf-8")
            try:
                outcome, failing = run_tests(tree, m.tests, args.timeout)
            finally:
                path.write_text(original, encoding="utf-8")
            status = "survived" if outcome == "passed" else "killed"
            results[status].append(m.name)
            note = " (timeout)" if outcome == "timeout" else f" by {failing}" if failing else ""
            print(f"{m.name:34} {status}{note}  {time.monotonic() - started:.0f} s", flush=True)
    applied = len(results["killed"]) + len(results["survived"])
    print(f"\nscore: {len(results['killed'])}/{applied} killed"
          + (f"; survived: {', '.join(results['survived'])}" if results["survived"] else "")
          + (f"; stale: {', '.join(results['stale'])}" if results["stale"] else ""))
    return 1 if results["survived"] or results["stale"] else 0


if __name__ == "__main__":
    sys.exit(main())
