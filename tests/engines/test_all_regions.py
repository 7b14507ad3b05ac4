"""'All regions' means every region with logs: the region folders present (local engine) or the regions whose
logging delivers to S3 (Athena). A region folder present but not read is named in a warning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from bedrock_usage.aws.session import Aws
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.engines.local import LocalEngine
from bedrock_usage.errors import SetupRequired
from bedrock_usage.logs.period import resolve_period
from bedrock_usage.report.render import report_document
from bedrock_usage.report.tracker import BedrockAthenaTracker
from tests.logfiles import ACCOUNT, write_records

ROOT = Path(__file__).resolve().parents[2]
PERIOD = resolve_period(start="2025-11-02", end="2025-11-02")
CALLS = {"us-east-1": 2, "us-east-2": 3, "eu-west-1": 4, "ap-south-1": 5, "mars-central-1": 6}


def record(region: str, minute: int) -> dict:
    return {"timestamp": f"2025-11-02T10:{minute:02d}:00Z", "region": region, "requestId": f"{region}-{minute}",
            "identity": {"arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "operation": "Converse",
            "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "input": {"inputTokenCount": 10},
            "output": {"outputTokenCount": 5}}


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    write_records(tmp_path, [record(region, m) for region, count in CALLS.items() for m in range(count)])
    return tmp_path


def test_all_reads_every_bedrock_region_folder_and_names_the_others(logs: Path) -> None:
    report = BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(PERIOD)
    assert set(report.regions) == {"us-east-1", "us-east-2", "eu-west-1", "ap-south-1"}
    assert report.summary["calls"] == 2 + 3 + 4 + 5
    (unread,) = [w for w in report.warnings if w.startswith("logs of ")]
    assert unread.startswith("logs of mars-central-1 are not read: the folder name is not an Amazon Bedrock region")


def test_a_region_folder_left_out_by_the_choice_is_named(logs: Path) -> None:
    report = BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(PERIOD, ["us-east-2"])
    assert report.regions == ("us-east-2",) and report.summary["calls"] == 3
    named = [w for w in report.warnings if w.startswith("logs of ")]
    assert named == ["logs of ap-south-1, eu-west-1, us-east-1 are not read: not among the regions asked for",
                     "logs of mars-central-1 are not read: the folder name is not an Amazon Bedrock region this "
                     "botocore knows, so their calls are not in these figures (a region newer than botocore: upgrade "
                     "boto3 and botocore)"]  # one line per reason, not one per region


CHINA = ("the folder name is a Region of the aws-cn partition (China), whose logs this tool neither reads nor prices "
         "(it reads the Regions of the aws and aws-us-gov partitions)")


def test_a_china_region_folder_is_named_as_such_in_the_cli_and_in_korean(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """China's Regions (botocore knows them, in the aws-cn partition) in a mirrored tree: their logs are not read, as
    before, but the warning said the folder was no Region this botocore knows and to upgrade botocore, which brings
    them no nearer; it now says what they are, in the CLI's lines and on the Korean page."""
    import bedrock_tracker_cli
    from bedrock_usage.dashboard.tables import warning_lines
    from bedrock_usage.dashboard.text import Text
    from tests.dashboard.helpers import shown
    from tests.dashboard.test_korean_page_english_left import english_left

    calls = {"us-east-1": 2, "cn-north-1": 3, "cn-northwest-1": 1}
    write_records(tmp_path, [record(region, m) for region, count in calls.items() for m in range(count)])
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path), "--start-date", "2025-11-02",
                                     "--end-date", "2025-11-02", "--analysis", "region", "--format", "json",
                                     "--output-dir", "-", "--quiet"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert {row["source_region"]: row["calls"] for row in document["analyses"]["region"]} == {"us-east-1": 2}
    assert f"logs of cn-north-1, cn-northwest-1 are not read: {CHINA}" in document["warnings"]
    assert not any("upgrade" in warning for warning in document["warnings"])

    report = BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(PERIOD)
    (line,) = [w for w in report.warnings if w.startswith("logs of ")]
    assert shown(warning_lines(Text("ko"), [line])[0]) == (
        "cn-north-1, cn-northwest-1 의 로그는 읽지 않습니다: 폴더 이름이 aws-cn 파티션 (중국) 의 리전이며, 이 도구는 "
        "그 로그를 읽지도 가격을 매기지도 않습니다 (aws 와 aws-us-gov 파티션의 리전을 읽습니다)")
    assert english_left([line], theirs=("aws-cn",)) == {}  # AWS's name of the partition


def test_a_tree_of_china_regions_only_is_refused_saying_what_they_are(tmp_path: Path) -> None:
    """No folder of a Region this tool reads: no report ($0 would read as no spend), and the reason is the partition,
    not an old botocore; in Korean too."""
    from bedrock_usage.dashboard.text import Text
    from bedrock_usage.errors import UsageError
    from tests.dashboard.test_korean_page_english_left import english_left

    write_records(tmp_path, [record("cn-north-1", 1)])
    with pytest.raises(UsageError) as refused:
        BedrockAthenaTracker(LocalEngine(tmp_path, cache=False)).analyze(PERIOD)
    assert str(refused.value) == (f"no folder under {tmp_path} (cn-north-1) is a Region this tool reads, so no report "
                                  f"is made ($0 would read as no spend): {CHINA}")
    assert Text("ko").notice(refused.value.args[0]) == (
        f"{tmp_path} 아래의 폴더 (cn-north-1) 중 이 도구가 읽는 리전은 없어 보고서를 만들지 않습니다 ($0 은 지출 "
        "없음으로 읽힙니다): 폴더 이름이 aws-cn 파티션 (중국) 의 리전이며, 이 도구는 그 로그를 읽지도 가격을 "
        "매기지도 않습니다 (aws 와 aws-us-gov 파티션의 리전을 읽습니다)")
    assert english_left([refused.value.args[0]], theirs=("aws-cn",)) == {}


UNKNOWN = ("the folder name is not an Amazon Bedrock region this botocore knows, so their calls are not in these "
           "figures (a region newer than botocore: upgrade boto3 and botocore)")


def test_a_tree_of_china_regions_and_an_unknown_folder_is_refused_naming_each(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """China's Regions beside a folder no partition names, and no Region this tool reads: the refusal advised an
    upgrade of botocore for all three, which brings China's no nearer; it now names each folder's reason."""
    import bedrock_tracker_cli

    write_records(tmp_path, [record(region, 1) for region in ("cn-north-1", "cn-northwest-1", "xx-fake-9")])
    code = bedrock_tracker_cli.main(["--engine", "local", "--logs-dir", str(tmp_path), "--start-date", "2025-11-02",
                                     "--end-date", "2025-11-02", "--quiet"])
    assert code == 1
    assert capsys.readouterr().err == (
        f"error: no folder under {tmp_path} (cn-north-1, cn-northwest-1, xx-fake-9) is a Region this tool reads, so "
        f"no report is made ($0 would read as no spend): cn-north-1, cn-northwest-1: {CHINA}; xx-fake-9: {UNKNOWN}\n")


def test_a_region_asked_for_without_logs_is_named_not_shown_as_no_spend(logs: Path) -> None:
    """A typo (us-west-2 for us-east-2) or a region that never logged here reads nothing: the report says so rather
    than showing its zero as spend."""
    asked = ["us-east-2", "us-west-2", "sa-east-1"]
    report = BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(PERIOD, asked)
    assert report.summary["calls"] == CALLS["us-east-2"]
    assert report.stats.regions_without_logs == {"sa-east-1": str(logs), "us-west-2": str(logs)}
    (missing,) = [w for w in report.warnings if w.startswith("no logs of ")]  # one line, not one per region
    assert missing == f"no logs of sa-east-1, us-west-2 under {logs}, though asked for: their figures are unknown, " \
                      "not zero"
    document = report_document(report, [])
    assert document["scan"]["regions_without_logs"] == {"sa-east-1": str(logs), "us-west-2": str(logs)}
    every = BedrockAthenaTracker(LocalEngine(logs, cache=False)).analyze(PERIOD)
    assert not every.stats.regions_without_logs  # "all" is the regions found


@pytest.mark.slow
def test_the_cli_reads_every_region_by_default_and_with_all(logs: Path, no_aws_env: dict[str, str]) -> None:
    for extra in ((), ("--region", "all")):
        result = subprocess.run(
            [sys.executable, str(ROOT / "bedrock_tracker_cli.py"), "--engine", "local", "--logs-dir", str(logs),
             "--start-date", "2025-11-02", "--end-date", "2025-11-02", "--analysis", "region", "--format", "json",
             "--output-dir", "-", *extra], capture_output=True, text=True, env=no_aws_env, timeout=300)
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        calls = {row["source_region"]: row["calls"] for row in document["analyses"]["region"]}
        assert calls == {region: n for region, n in CALLS.items() if region != "mars-central-1"}
        assert any("mars-central-1" in w for w in document["warnings"])


def configure_logging(region: str) -> None:
    boto3.client("bedrock", region_name=region).put_model_invocation_logging_configuration(loggingConfig={
        "s3Config": {"bucketName": f"logs-{region}"}, "textDataDeliveryEnabled": True})


@pytest.mark.slow
def test_athena_queries_every_region_whose_logging_delivers_to_s3(aws_env: dict[str, str]) -> None:
    for region in ("us-east-2", "eu-west-1", "us-east-1"):
        boto3.client("athena", region_name=region).create_work_group(
            Name="bedrock-usage", Configuration={"ResultConfiguration": {"OutputLocation": "s3://results/x/"}})
    for region in ("us-east-2", "eu-west-1"):
        configure_logging(region)
    boto3.client("bedrock", region_name="us-east-1").put_model_invocation_logging_configuration(loggingConfig={
        "cloudWatchConfig": {"logGroupName": "g", "roleArn": f"arn:aws:iam::{ACCOUNT}:role/r"},
        "textDataDeliveryEnabled": True})  # CloudWatch only: nothing to read from S3
    engine = AthenaEngine(Aws.connect())
    assert engine.log_regions().regions == ("eu-west-1", "us-east-2")
    report = BedrockAthenaTracker(engine).analyze(PERIOD, ["all"])
    assert report.regions == ("eu-west-1", "us-east-2") and report.stats.failed_regions == {}
    for region, queries in (("us-east-2", 1), ("eu-west-1", 1), ("us-east-1", 0)):
        ids = boto3.client("athena", region_name=region).list_query_executions()["QueryExecutionIds"]
        assert len(ids) == queries, region


def test_athena_with_no_region_logging_to_s3_names_the_setup_step(aws_env: dict[str, str]) -> None:
    with pytest.raises(SetupRequired, match=f"delivers to S3 in no region of account {ACCOUNT}: run python "
                                            "setup_bedrock_logging.py --regions REGION"):
        BedrockAthenaTracker(AthenaEngine(Aws.connect())).analyze(PERIOD)
