"""One reading of a region's logging status for the check script's table and the dashboard's panel: a region whose
logging looks healthy but where a part could not be checked is never shown as simply enabled."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bedrock_usage.aws.logging_status import LogObject, RegionLoggingStatus

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("check_bedrock_logging", ROOT / "check_bedrock_logging.py")
assert SPEC and SPEC.loader
CHECK = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(CHECK)


def status(**fields: object) -> RegionLoggingStatus:
    base: dict[str, object] = {"region": "us-east-1", "enabled": True, "bucket": "logs", "prefix": "",
                               "bucket_region": "us-east-1", "bedrock_can_write": True}
    return RegionLoggingStatus(**{**base, **fields})  # type: ignore[arg-type]


NEWEST = LogObject("AWSLogs/1/BedrockModelInvocationLogs/us-east-1/2026/12/06/09/a.json.gz",
                   datetime(2026, 12, 6, 9, 5, tzinfo=UTC))


@pytest.mark.parametrize(("fields", "verdict", "shown"), [
    ({"newest_log": NEWEST}, "ok", "✅ enabled"),
    ({}, "no_logs", "✅ enabled, no log yet"),
    # healthy as far as read, but the newest log could not be listed: not "enabled" without a word
    ({"bedrock_can_write": None, "problems": ("newest log: AccessDenied",)}, "problems", "⚠️ enabled, not all checked"),
    ({"bucket_region": "us-west-2", "problems": ("bucket is in us-west-2",)}, "problems", "⚠️ enabled, not healthy"),
    ({"text_delivery": False, "newest_log": NEWEST}, "problems", "⚠️ enabled, not healthy"),
    # the AWS managed key's policy cannot let Bedrock use it (docs/aws-setup.md): logs arrive no more
    ({"kms_key": "the AWS managed key aws/s3", "aws_managed_key": True, "newest_log": NEWEST}, "problems",
     "⚠️ enabled, not healthy"),
    ({"enabled": False, "bucket": None, "problems": ("logs go to CloudWatch only",)}, "disabled", "❌ not to S3"),
    ({"enabled": False, "bucket": None}, "disabled", "❌ not configured"),
    ({"enabled": False, "error": "AccessDenied"}, "error", "❔ unknown"),
])
def test_the_check_table_and_the_dashboard_read_a_status_alike(fields: dict, verdict: str, shown: str) -> None:
    region = status(**fields)
    assert region.verdict == verdict
    _, rows = CHECK.summary_table([region])
    assert rows[0][1] == shown


def test_a_regions_block_says_what_its_table_row_says() -> None:
    """The per-region block above the table reads the same verdict: not a plain 'Enabled' when part is unchecked."""
    unchecked = status(bedrock_can_write=None, problems=("newest log: AccessDenied",))
    assert "  Status: ⚠️ Enabled, not all checked\n" in CHECK.render_status(unchecked)
    assert "  Status: ✅ Enabled (no log yet)\n" in CHECK.render_status(status())
    assert "  Status: ✅ Enabled\n" in CHECK.render_status(status(newest_log=NEWEST))
