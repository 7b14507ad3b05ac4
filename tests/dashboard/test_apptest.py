"""The dashboard run by Streamlit's AppTest on the demo corpus: its figures equal the CLIs' JSON for the same period.

One demo corpus is generated per session (tests/dashboard/conftest.py) and shared by every test here; the CLIs
read the same folder as subprocesses. A plain-Python count over the corpus files (tests/oracle.py, with its own
prices) checks the figures independently, cost included.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import string
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import boto3
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from bedrock_usage.cache import CACHE_ENV
from bedrock_usage.dashboard.data import load_qdev
from bedrock_usage.dashboard.text import COLUMNS, PRINCIPAL_TYPES, STRINGS, WEEKDAYS
from bedrock_usage.demo.synthetic import CorpusSpec, generate_records
from bedrock_usage.demo.writer import write_local
from tests.aws.refusing_proxy import refusing_proxy
from tests.dashboard.helpers import (
    APP,
    END,
    PREVIOUS,
    QCLI,
    START,
    analyze,
    checked,
    cli_report,
    downloads,
    expected_change,
    expected_compact,
    expected_compact_usd,
    frame_starting,
    metric,
    open_app,
    plain,
    run_cli,
    same_utc_day,
    shown,
    tab,
)
from tests.oracle import aggregate, caller, with_profiles_resolved

MEASURES = ("calls", "errors", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
            "unpriced_calls")
CARDS = {  # metric label -> summary field
    "Calls": "calls",
    "Input tokens": "input_tokens",
    "Output tokens": "output_tokens",
    "Cache read": "cache_read_tokens",
    "Cache write": "cache_write_tokens",
}


def by_keys(rows: list[dict], keys: list[str]) -> dict[tuple, dict]:
    """Rows keyed by their key columns, with the measures and the estimated cost."""
    out = {}
    for row in rows:
        key = tuple(plain(row[k]) for k in keys)
        assert key not in out, key
        out[key] = {name: plain(row[name]) for name in (*MEASURES, "estimated_cost_usd")}
    return out


def assert_same_table(frame: pd.DataFrame, cli_rows: list[dict], keys: list[str], label: str) -> None:
    """Same groups, same counts, same cost (to float rounding), whatever the row order."""
    shown, expected = by_keys(frame.to_dict("records"), keys), by_keys(cli_rows, keys)
    assert shown.keys() == expected.keys(), label
    for key, row in expected.items():
        for name in MEASURES:
            assert int(shown[key][name]) == row[name], f"{label} {key} {name}"
        if row["estimated_cost_usd"] is None:
            assert shown[key]["estimated_cost_usd"] is None, f"{label} {key}"
        else:
            assert shown[key]["estimated_cost_usd"] == pytest.approx(row["estimated_cost_usd"], rel=1e-9, abs=1e-9)


def summed(rows: list[dict], keys: list[str]) -> list[dict]:
    """CLI rows summed by ``keys`` in plain Python (cost stays None only when no row of a group is priced)."""
    groups: dict[tuple, dict] = defaultdict(lambda: {name: 0 for name in MEASURES} | {"estimated_cost_usd": None})
    for row in rows:
        group = groups[tuple(row[k] for k in keys)]
        for name in MEASURES:
            group[name] += row[name]
        if row["estimated_cost_usd"] is not None:
            group["estimated_cost_usd"] = (group["estimated_cost_usd"] or 0.0) + row["estimated_cost_usd"]
    return [dict(zip(keys, key, strict=True)) | values for key, values in groups.items()]


@pytest.mark.parametrize(
    ("arn_pattern", "user_pattern"),
    [("", ""), ("DataAnalysis", ""), ("AWSReservedSSO", "example.com")],
    ids=["all-callers", "arn-filter", "arn-and-user-filter"],
)
@pytest.mark.slow
def test_demo_figures_equal_the_cli_json(demo_env: dict[str, str], demo_records: list[dict], arn_pattern: str,
                                         user_pattern: str) -> None:
    at = analyze(open_app(), arn_pattern=arn_pattern, user_pattern=user_pattern)
    options = [*(("--arn-pattern", arn_pattern) if arn_pattern else ()),
               *(("--user-pattern", user_pattern) if user_pattern else ())]
    report = cli_report(demo_env, START, END, *options)
    # The changes against the previous period are checked once, without filters (one CLI run less per case).
    previous = None if options else cli_report(demo_env, *PREVIOUS)["summary"]
    summary = report["summary"]

    assert summary["calls"] > 100
    # Independently: the plain-Python count and its own prices, over the callers the filters keep.
    kept = [r for r in with_profiles_resolved(demo_records) if user_pattern.lower() in caller(r)[0].lower()]
    oracle = aggregate(kept, START, END, "UTC", arn_pattern or None)["summary"][()]
    assert (summary["calls"], summary["input_tokens"]) == (oracle.calls, oracle.input_tokens)
    assert summary["estimated_cost_usd"] == pytest.approx(oracle.estimated_cost, rel=1e-9)

    assert any("Demo mode" in info.value for info in at.info)
    assert not at.error
    bedrock = tab(at, "Amazon Bedrock")
    cost = summary["estimated_cost_usd"]
    card = metric(bedrock, "Estimated cost")
    assert card.value == expected_compact_usd(cost)
    assert f"${cost:,.4f}" in card.help
    assert previous is None or card.delta == expected_change(cost, previous["estimated_cost_usd"])
    for label, name in CARDS.items():
        card = metric(bedrock, label)
        assert card.value == expected_compact(summary[name]), label
        assert f"{summary[name]:,}" in card.help, label
        assert previous is None or card.delta == expected_change(summary[name], previous[name]), label

    tables = report["analyses"]
    # the page words each caller's kind (the CLI keeps its code)
    worded_types = [{**row, "principal_type": PRINCIPAL_TYPES["en"][row["principal_type"]]} for row in tables["user"]]
    assert_same_table(frame_starting(at, "user", "principal_type", "principal"), worded_types,
                      ["user", "principal_type", "principal"], "user")
    user_app = ["user", "account", "application", "model", "source_region"]
    assert_same_table(frame_starting(at, *user_app), tables["user-app"], user_app, "user-app")
    detail = ["application", "model", "source_region"]
    assert_same_table(frame_starting(at, *detail), summed(tables["user-app"], detail), detail, "detail")
    assert_same_table(frame_starting(at, "model", "endpoint"), tables["model"], ["model", "endpoint"], "model")
    assert_same_table(frame_starting(at, "day", "calls"), tables["daily"], ["day"], "daily")
    assert_same_table(frame_starting(at, "source_region", "calls"), tables["region"], ["source_region"], "region")
    assert len(at.get("download_button")) >= 6


@pytest.mark.slow
def test_group_by_a_request_metadata_tag(demo_env: dict[str, str], demo_records: list[dict]) -> None:
    at = open_app()
    at.radio(key="group_by").set_value("tag").run()
    at = analyze(at, tag_key="cost_center")
    table = frame_starting(at, "tag:cost_center", "calls")

    lo = datetime.combine(START, datetime.min.time(), UTC)
    hi = datetime.combine(END + timedelta(days=1), datetime.min.time(), UTC)
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in with_profiles_resolved(demo_records):  # the demo's profiles carry a cost_center tag
        if lo <= datetime.fromisoformat(record["timestamp"].replace("Z", "+00:00")) < hi:
            tag = (record.get("requestMetadata") or {}).get("cost_center") or "(none)"
            expected[tag][0] += 1
            expected[tag][1] += (record.get("input") or {}).get("inputTokenCount") or 0
    shown = {row["tag:cost_center"]: [row["calls"], row["input_tokens"]] for row in table.to_dict("records")}
    assert len(expected) > 2
    assert shown == expected
    # the file has a missing tag empty, as the CLI's file does, never the page's "(none)"
    [file] = [content for name, content in downloads(at).items() if name.endswith("_tag_cost_center.csv")]
    rows = list(csv.DictReader(io.StringIO(file.decode("utf-8"))))
    assert {row["tag:cost_center"] for row in rows} == {tag if tag != "(none)" else "" for tag in expected}


@pytest.mark.slow
def test_after_analyze_widgets_re_render_from_the_cache(demo_env: dict[str, str], tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_local(logs, generate_records(CorpusSpec(records=2_000, start_date=PREVIOUS[0], end_date=END, seed=7)))
    at = open_app()
    at.radio(key="source").set_value("local").run()
    at = analyze(at, logs_dir=str(logs))
    before = [(m.label, m.value) for m in at.metric]
    assert not at.error and before

    shutil.rmtree(logs)  # a query from now on would fail: the logs are gone
    at.radio(key="stack_by").set_value("application").run()
    assert not at.exception and not at.error
    assert [(m.label, m.value) for m in at.metric] == before
    at.radio(key="lang").set_value("ko").run()
    assert not at.exception and not at.error
    marks = [STRINGS[lang]["cost_partial"].format(amount="") for lang in ("en", "ko")]  # the priced part's mark
    assert [m.value for m in at.metric] == [value.replace(*marks) for _, value in before]

    at.button(key="analyze").click().run()  # the same request again: still served from the cache
    assert not at.error


@pytest.mark.slow
def test_korean_text_is_complete_and_renders(demo_env: dict[str, str]) -> None:
    assert STRINGS["ko"].keys() == STRINGS["en"].keys()
    for key, english in STRINGS["en"].items():
        fields = {name for _, name, _, _ in string.Formatter().parse(english) if name}
        assert fields == {name for _, name, _, _ in string.Formatter().parse(STRINGS["ko"][key]) if name}, key
    assert COLUMNS["ko"].keys() == COLUMNS["en"].keys()
    assert len(WEEKDAYS["ko"]) == len(WEEKDAYS["en"]) == 7
    at = analyze(open_app())
    at.radio(key="lang").set_value("ko").run()
    assert not at.exception
    assert [m.label for m in at.metric][:2] == ["예상 비용", "호출 수"]
    assert at.radio(key="source").value == "demo" and at.radio(key="group_by").value == "user"


@pytest.mark.slow
def test_input_mistakes_are_one_line_errors(demo_env: dict[str, str], tmp_path: Path) -> None:
    at = open_app()
    at.multiselect(key="regions").set_value([])
    at.button(key="analyze").click().run()
    assert [e.value for e in at.error] == ["Choose at least one region."]

    at.multiselect(key="regions").set_value(["us-east-1"])
    at.radio(key="source").set_value("local").run()
    at = analyze(at, logs_dir=str(tmp_path / "missing"))
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "missing" in errors[0] and "\n" not in errors[0]


@pytest.mark.parametrize(("lang", "error"), [
    ("en", "Cannot analyse: logs folder {root} does not exist: set **Logs folder** in the sidebar to the folder that "
           "holds AWSLogs/"),
    ("ko", "분석할 수 없습니다: 로그 폴더 {root} 이(가) 없습니다: 사이드바의 **로그 폴더** 에 AWSLogs/ 를 담은 폴더를 "
           "지정하세요"),
])
def test_a_link_to_a_missing_logs_folder_names_the_field_once(no_aws_env: dict[str, str], tmp_path: Path, lang: str,
                                                             error: str) -> None:
    root = tmp_path / "nonexistent"
    at = open_app(source="local", logs=str(root), days="7", lang=lang)
    assert [shown(e.value) for e in at.error] == [error.format(root=root)]


@pytest.mark.parametrize(("lang", "error"), [
    ("en", "Cannot analyse: no folder under {root} (cn-north-1, cn-northwest-1, xx-fake-9) is a Region this tool "
           "reads, so no report is made ($0 would read as no spend): cn-north-1, cn-northwest-1: the folder name is "
           "a Region of the aws-cn partition (China), whose logs this tool neither reads nor prices (it reads the "
           "Regions of the aws and aws-us-gov partitions); xx-fake-9: the folder name is not an Amazon Bedrock region "
           "this botocore knows, so their calls are not in these figures (a region newer than botocore: upgrade boto3 "
           "and botocore)"),
    ("ko", "분석할 수 없습니다: {root} 아래의 폴더 (cn-north-1, cn-northwest-1, xx-fake-9) 중 이 도구가 읽는 "
           "리전은 없어 보고서를 만들지 않습니다 ($0 은 지출 없음으로 읽힙니다): cn-north-1, cn-northwest-1: 폴더 "
           "이름이 aws-cn 파티션 (중국) 의 리전이며, 이 도구는 그 로그를 읽지도 가격을 매기지도 않습니다 (aws 와 "
           "aws-us-gov 파티션의 리전을 읽습니다), xx-fake-9: 폴더 이름이 이 botocore가 아는 Amazon Bedrock 리전이 "
           "아니어서 그 호출은 이 수치에 없습니다 (botocore보다 새로운 리전: boto3와 botocore를 업그레이드하세요)"),
])
def test_a_logs_folder_of_china_regions_and_an_unknown_folder_names_each(no_aws_env: dict[str, str], tmp_path: Path,
                                                                        lang: str, error: str) -> None:
    """No Region this tool reads: China's Regions are named as the aws-cn partition's, the unknown folder as unknown
    (the page advised an upgrade of botocore for all three)."""
    service = tmp_path / "logs" / "AWSLogs" / "123456789012" / "BedrockModelInvocationLogs"
    for folder in ("cn-north-1", "cn-northwest-1", "xx-fake-9"):
        (service / folder).mkdir(parents=True)
    at = open_app(source="local", logs=str(tmp_path / "logs"), days="7", regions="all", lang=lang)
    assert [shown(e.value) for e in at.error] == [error.format(root=tmp_path / "logs")]


@pytest.mark.slow
def test_a_period_whose_objects_are_all_unreadable_is_an_error_and_an_unreadable_previous_one_is_not(
        no_aws_env: dict[str, str], tmp_path: Path) -> None:
    """Every object of the period gunzipped to ``.json``: an error, not $0 and "No calls"; the same objects in the
    previous period (the comparison's) leave the period's own figures shown."""
    from tests.logfiles import write_records
    from tests.report.test_unreadable_period import DAY, unreadable_logs

    plain, cut = unreadable_logs(tmp_path / "logs")
    at = open_app(source="local", logs=str(tmp_path / "logs"), start=DAY, end=DAY, regions="us-east-1")
    [error] = [shown(e.value) for e in at.error]
    assert error.startswith(f"Cannot analyse: none of the {plain + cut} log objects of {DAY} .. {DAY} (UTC) could be "
                            "read, so no report is made")
    assert not at.metric and STRINGS["en"]["no_calls"] not in [i.value for i in at.info]

    # The period's second day holds a call; the previous period (DAY - 1 .. DAY, read through DAY + 1) none.
    first, second = (datetime.fromisoformat(DAY) + timedelta(days=n) for n in (1, 2))
    write_records(tmp_path / "logs", [{"timestamp": f"{second.date()}T10:00:00Z", "region": "us-east-1",
                                       "requestId": "n", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
                                       "identity": {"arn": "arn:aws:iam::123456789012:user/ann"},
                                       "input": {"inputTokenCount": 10}, "output": {"outputTokenCount": 1}}])
    at = open_app(source="local", logs=str(tmp_path / "logs"), start=str(first.date()), end=str(second.date()),
                  regions="us-east-1")
    assert not at.error and metric(tab(at, "Amazon Bedrock"), "Calls").value == "1"


def test_a_hostile_link_shows_its_values_as_text_never_as_links_or_images(no_aws_env: dict[str, str]) -> None:
    """Values of a hand-edited link reach the page as the characters they are: no link to click, no remote image,
    no bold line posing as the page's own."""
    tab_value = "[Open the full report](https://evil.example/report)"
    region = "**Session expired.** ![x](https://evil.example/pixel.png)"
    at = open_app(source="demo", days="7", tab=tab_value, regions=region)
    texts = [w.value for w in at.warning] + [e.value for e in at.error]
    assert any(f"tab={tab_value}" in shown(text) for text in texts), texts
    assert any(region in shown(text) for text in texts), texts
    for text in texts:
        assert "](" not in text and "**Session" not in text, text


@pytest.mark.slow
def test_amazon_q_tab_equals_the_q_cli(demo_env: dict[str, str], tmp_path: Path) -> None:
    # The Amazon Q demo is made anew each day, every day of it different: the page reads today's, not one an earlier
    # test's page kept from before midnight, and the CLI reads the same one unless the day changes meanwhile.
    load_qdev.clear()
    with same_utc_day():
        at = analyze(open_app())
        q = run_cli(demo_env, QCLI, "--demo", "--format", "json", "--output-dir", str(tmp_path), "--start-date",
                    START.isoformat(), "--end-date", END.isoformat())
    summary, cost = q["summary"], q["virtual_cost"]
    assert summary["requests"] > 0
    qdev = tab(at, "Amazon Q / Kiro")
    for label, name in (("Requests", "requests"), ("Input tokens", "input_tokens"), ("Output tokens", "output_tokens")):
        assert metric(qdev, label).value == expected_compact(summary[name]), label
        assert f"{summary[name]:,}" in metric(qdev, label).help, label
    assert metric(qdev, "Active users").value == f"{summary['users']:,}"
    assert metric(qdev, "Virtual cost incl. Kiro").value == expected_compact_usd(cost["total"])
    assert f"${cost['total']:,.4f}" in metric(qdev, "Virtual cost incl. Kiro").help
    q_only = metric(qdev, "Virtual cost, Q Developer")
    assert q_only.value == expected_compact_usd(cost["subscribed_requests_cost"])
    assert f"${cost['subscribed_requests_cost']:,.4f}" in q_only.help
    assert metric(qdev, "Subscription").value == expected_compact_usd(cost["subscription"])
    per_user = frame_starting(at, "user", "person", "user_ids", "products")
    assert by_user(per_user.to_dict("records")) == by_user(q["per_user"])
    assert all("@" in row["user"] for row in q["per_user"])  # the demo's people are shown by e-mail

    kiro = q["kiro"]
    assert kiro["per_user"], "the demo period holds Kiro user reports"
    credits = sum(row["credits_in_plan"] for row in kiro["per_user"])
    assert metric(qdev, "Credits in plan").value == expected_compact(round(credits))
    assert metric(qdev, "Kiro cost").value == expected_compact_usd(kiro["cost"]["total_usd"])
    flagged = [row for row in kiro["allowance"]["rows"]
               if row["status"] in ("in overage", "allowance used up", "warning", "projected to exceed")]
    assert metric(qdev, "Near or over allowance").value == f"{len(flagged):,}"
    kiro_users = frame_starting(at, "user", "person", "user_ids", "tier")
    shown = {row["user"]: (round(row["credits_in_plan"], 6), round(row["overage_credits"], 6))
             for row in kiro_users.to_dict("records")}
    assert shown == {row["user"]: (round(row["credits_in_plan"], 6), round(row["overage_credits"], 6))
                     for row in kiro["per_user"]}


def by_user(rows: list[dict]) -> dict[str, tuple[int, int, int]]:
    return {row["user"]: (int(row["requests"]), int(row["input_tokens"]), int(row["output_tokens"])) for row in rows}


@pytest.mark.slow
def test_with_aws_credentials_it_defaults_to_athena_and_names_setup_steps(aws_env: dict[str, str],
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    at = open_app()
    assert at.radio(key="source").value == "athena"
    assert not any("Demo mode" in info.value for info in at.info)
    at.multiselect(key="regions").set_value(["us-east-1", "ap-northeast-2"])
    at.button(key="analyze").click().run()
    assert not at.exception
    assert any("setup_athena_bucket.py" in shown(e.value) for e in at.error), [e.value for e in at.error]

    # text delivery someone turned off: the panel's command is the one setup needs for it (as the check's)
    boto3.client("bedrock", region_name="ap-northeast-2").put_model_invocation_logging_configuration(loggingConfig={
        "cloudWatchConfig": {"logGroupName": "team", "roleArn": "arn:aws:iam::123456789012:role/team"},
        "textDataDeliveryEnabled": False})
    at.button(key="check_logging_button").click().run()
    assert not at.exception
    status = [w.value for w in at.warning]
    off = "Model Invocation Logging to S3 is off. Run `python setup_bedrock_logging.py --regions"
    assert f"**us-east-1**: {off} us-east-1`." in status, status
    assert f"**ap-northeast-2**: {off} ap-northeast-2 --replace-existing`." in status, status

    # All regions with logs: the regions whose logging is on, to S3 or to CloudWatch only, as check_bedrock_logging.py
    # finds them: the CloudWatch-only region is named with the command that adds S3, the region without logging not
    at.multiselect(key="regions").set_value(["all"]).run()
    at.button(key="check_logging_button").click().run()
    assert not at.exception
    assert [w.value for w in at.warning if w.value.startswith("**")] == [
        f"**ap-northeast-2**: {off} ap-northeast-2 --replace-existing`."]
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="team-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    boto3.client("bedrock", region_name="eu-west-1").put_model_invocation_logging_configuration(
        loggingConfig={"s3Config": {"bucketName": "team-logs", "keyPrefix": ""}, "textDataDeliveryEnabled": True})
    at.button(key="check_logging_button").click().run()
    checked = [m.value for m in [*at.warning, *at.success] if m.value.startswith("**")]
    assert sorted(line.split("**")[1] for line in checked) == ["ap-northeast-2", "eu-west-1"], checked


@pytest.mark.slow
def test_a_region_where_a_read_was_refused_gets_no_setup_command(aws_env: dict[str, str], moto_endpoint: str,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    """us-east-1's bucket lets Bedrock write but its location read is refused: the panel names the refusal and the
    reader statements to add (refused-logs is no bedrock-logs-* name, which alone the reader policy grants the check's
    reads on) and proposes no setup; ap-northeast-2's bucket has no policy: its repair command stays."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    account = "123456789012"
    for region, bucket in (("us-east-1", "refused-logs"), ("ap-northeast-2", "open-logs")):
        location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        boto3.client("s3", region_name=region).create_bucket(Bucket=bucket, **location)
        boto3.client("bedrock", region_name=region).put_model_invocation_logging_configuration(
            loggingConfig={"s3Config": {"bucketName": bucket, "keyPrefix": ""}, "textDataDeliveryEnabled": True})
    boto3.client("s3", region_name="us-east-1").put_bucket_policy(Bucket="refused-logs", Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "AllowBedrock", "Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::refused-logs/AWSLogs/{account}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account},
                          "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock:us-east-1:{account}:*"}}}]}))

    def refuses_location(method: str, path: str) -> bool:
        return method == "GET" and path.startswith("/refused-logs") and "location" in path

    with refusing_proxy(moto_endpoint, refuses_location) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{proxy.server_port}")
        at = open_app()
        at.multiselect(key="regions").set_value(["us-east-1", "ap-northeast-2"])
        at = checked(at.button(key="check_logging_button").click().run())
    assert proxy.refused
    lines = {w.value.split("**")[1]: shown(w.value) for w in at.warning if w.value.startswith("**")}
    refused = "bucket region: access denied: this identity needs s3:GetBucketLocation. Delivery is not confirmed"
    assert refused in lines["us-east-1"], lines
    assert ("add the log bucket reader statements of docs/aws-setup.md, \"A team's own bucket names\" (Resource "
            "arn:*:s3:::refused-logs)") in lines["us-east-1"], lines
    assert "setup_bedrock_logging" not in lines["us-east-1"], lines
    assert "bucket open-logs has no policy" in lines["ap-northeast-2"], lines
    assert "`python setup_bedrock_logging.py --regions ap-northeast-2 --bucket open-logs --prefix " in \
        lines["ap-northeast-2"], lines


def test_with_oidc_login_configured_nothing_shows_before_log_in(demo_env: dict[str, str]) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s3cret",
                          "client_id": "dashboard", "client_secret": "x",
                          "server_metadata_url": "https://login.example.com/.well-known/openid-configuration"}
    at.run()
    assert not at.exception
    assert at.button(key="log_in").label == "Log in"
    assert not at.metric and not at.dataframe and not at.sidebar.button


@pytest.mark.slow
def test_calls_without_caller_or_model_are_shown_as_unknown(demo_env: dict[str, str], tmp_path: Path) -> None:
    from tests.logfiles import write_records

    day = START.isoformat()
    base = {"timestamp": f"{day}T10:00:00Z", "region": "us-east-1", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "input": {"inputTokenCount": 10}, "output": {"outputTokenCount": 1}}
    write_records(tmp_path / "logs", [
        {**base, "requestId": "a", "identity": {"arn": "arn:aws:iam::123456789012:user/ann"}},
        {**base, "requestId": "b", "identity": None},
        {**base, "requestId": "c", "identity": {"arn": None}, "modelId": None},
    ])
    at = open_app()
    at.multiselect(key="regions").set_value(["us-east-1"])
    at.radio(key="source").set_value("local").run()
    at = analyze(at, START, START, logs_dir=str(tmp_path / "logs"))
    users = frame_starting(at, "user", "principal_type")
    assert dict(zip(users["user"], users["calls"], strict=True)) == {"(unknown caller)": 2, "ann": 1}
    warnings = " ".join(shown(m.value) for m in at.markdown)
    assert "2 calls without a caller (identity.arn)" in warnings and "1 call without a modelId" in warnings


@pytest.mark.slow
def test_provisioned_throughput_calls_say_why_they_are_unpriced(demo_env: dict[str, str], tmp_path: Path) -> None:
    """The page shows the CLI's reason for calls through a Provisioned Throughput ARN (billed per model-unit hour),
    in its unpriced table and its warnings, with their tokens."""
    from tests.logfiles import write_records
    from tests.report.test_provisioned_throughput import PROVISIONED, REASON, call

    write_records(tmp_path / "logs", [{**call(0, PROVISIONED, (1000, 300)), "timestamp": f"{START}T10:00:00Z"}])
    at = open_app(source="local", logs=str(tmp_path / "logs"), start=START.isoformat(), end=START.isoformat(),
                  regions="us-east-1")
    unpriced = frame_starting(at, "model_id", "source_region", "reason")
    assert unpriced[["model_id", "reason", "input_tokens"]].values.tolist() == [[PROVISIONED, REASON, 1000]]
    warnings = " ".join(shown(m.value) for m in at.markdown)
    assert f"unpriced ({REASON}): {PROVISIONED} in us-east-1: 1 call" in warnings


@pytest.mark.slow
def test_a_logged_name_shown_in_a_heading_stays_text(demo_env: dict[str, str], tmp_path: Path) -> None:
    """An application named in a request's metadata heads the drill-down as the characters it is, never as a link."""
    from tests.logfiles import write_records

    name = "[Sign in](https://evil.example) **Session expired**"
    write_records(tmp_path / "logs", [{
        "timestamp": f"{START.isoformat()}T10:00:00Z", "region": "us-east-1", "requestId": "a",
        "modelId": "anthropic.claude-3-haiku-20240307-v1:0", "identity": {"arn": "arn:aws:iam::123456789012:user/ann"},
        "requestMetadata": {"application_name": name}, "input": {"inputTokenCount": 10},
        "output": {"outputTokenCount": 1}}])
    at = open_app(source="local", logs=str(tmp_path / "logs"), start=START.isoformat(), end=START.isoformat(),
                  regions="us-east-1", focus_by="application", focus=name)
    headings = [m.value for m in at.markdown if name in shown(m.value)]
    assert headings and not any("](" in h or "**Session" in h for h in headings), headings


@pytest.mark.slow
def test_every_region_with_logs_is_read_by_default_and_stands_alone(demo_env: dict[str, str],
                                                                     tmp_path: Path) -> None:
    from tests.logfiles import write_records

    day = START.isoformat()
    base = {"timestamp": f"{day}T10:00:00Z", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "identity": {"arn": "arn:aws:iam::123456789012:user/ann"},
            "input": {"inputTokenCount": 10}, "output": {"outputTokenCount": 1}}
    # eu-west-3 and ca-central-1 are outside the six regions a new session once started with
    write_records(tmp_path / "logs", [{**base, "requestId": "a", "region": "eu-west-3"},
                                      {**base, "requestId": "b", "region": "eu-west-3"},
                                      {**base, "requestId": "c", "region": "ca-central-1"}])
    at = open_app()
    assert at.multiselect(key="regions").value == ["all"]
    at.radio(key="source").set_value("local").run()
    at = analyze(at, START, START, logs_dir=str(tmp_path / "logs"))
    regions = frame_starting(at, "source_region", "calls")
    assert dict(zip(regions["source_region"], regions["calls"], strict=True)) == {"eu-west-3": 2, "ca-central-1": 1}
    notes = " ".join(shown(m.value) for m in at.markdown) + " ".join(shown(w.value) for w in at.warning)
    assert "no logs of" not in notes and "not read" not in notes, notes
    assert "regions" not in at.query_params  # the default stays out of the address

    at.multiselect(key="regions").set_value(["all", "eu-west-3"]).run()  # naming a region drops "all"
    assert at.multiselect(key="regions").value == ["eu-west-3"]
    at = analyze(at, START, START)
    regions = frame_starting(at, "source_region", "calls")
    assert dict(zip(regions["source_region"], regions["calls"], strict=True)) == {"eu-west-3": 2}
    assert at.query_params["regions"] == "eu-west-3"
    at.multiselect(key="regions").set_value(["eu-west-3", "all"]).run()  # choosing "all" drops the named ones
    assert at.multiselect(key="regions").value == ["all"]


@pytest.mark.slow
def test_a_period_after_today_is_refused_not_shown_as_today(demo_env: dict[str, str]) -> None:
    """From a shared link or the pickers, a period starting after today has no logs: it is refused with the reason,
    instead of showing today's figures under other dates. The pickers' today, a UTC day, is allowed in any zone."""
    with same_utc_day() as today:
        later = today + timedelta(days=26)
        at = open_app(source="demo", start=later.isoformat(), end=(later + timedelta(days=4)).isoformat())
        assert [e.value for e in at.error] == [f"The period starts after today ({today} in UTC): it has no logs yet. "
                                               "Choose a start up to today."]
        assert not at.metric  # nothing analysed
        at = analyze(at, later, later + timedelta(days=4))
        assert len(at.error) == 1 and not at.metric
        at = analyze(at, today + timedelta(days=1), today + timedelta(days=1))  # tomorrow, in UTC: refused too
        assert len(at.error) == 1 and not at.metric
        at.selectbox(key="tz").set_value("America/Los_Angeles").run()
        west_today = datetime.now(ZoneInfo("America/Los_Angeles")).date()
        at = analyze(at, today, today)  # the pickers' today, a UTC day: tomorrow in Los Angeles for some hours
        assert not at.error and at.metric
        at = analyze(at, west_today + timedelta(days=2), west_today + timedelta(days=2))
        assert len(at.error) == 1


@pytest.mark.slow
def test_a_previous_period_logged_only_in_part_is_said(demo_env: dict[str, str], tmp_path: Path) -> None:
    """Logging began three days into the previous period: the changes compare a whole period with four days of one,
    and the page says from which day the previous period has calls."""
    from tests.logfiles import write_records

    began = START - timedelta(days=4)  # the previous period is START - 7 .. START - 1
    base = {"modelId": "anthropic.claude-3-haiku-20240307-v1:0", "region": "us-east-1",
            "identity": {"arn": "arn:aws:iam::123456789012:user/ann"},
            "input": {"inputTokenCount": 10}, "output": {"outputTokenCount": 1}}
    days = [began + timedelta(days=n) for n in range((END - began).days + 1)]
    write_records(tmp_path / "logs", [{**base, "requestId": f"r{n}", "timestamp": f"{day}T10:00:00Z"}
                                      for n, day in enumerate(days)])
    at = open_app()
    at.radio(key="source").set_value("local").run()
    at = analyze(at, START, END, logs_dir=str(tmp_path / "logs"))
    notes = [c.value for c in at.caption if "previous period has no calls" in c.value]
    assert notes == [f"The previous period has no calls logged before {began} (3 of its 7 days): if logging began "
                     "then, the changes compare unlike periods."]
    at = analyze(at, began, began + timedelta(days=2))  # its previous period has no calls at all: no changes
    assert [c.value for c in at.caption if "previous period has no calls" in c.value] == [
        "The previous period has no calls logged: no changes shown."]
    assert not [m.label for m in at.metric if m.delta]
    at = analyze(at, START, END, user_pattern="ann")  # a caller filter: a late first call is them starting
    assert not [c.value for c in at.caption if "previous period has no calls" in c.value]
