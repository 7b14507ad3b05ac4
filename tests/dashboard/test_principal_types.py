"""The dashboard's tables say what kind of caller each row is in the page's language (an SSO user, an application
role, an IAM user), never the internal codes, while their CSV downloads keep the codes the CLI writes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.dashboard.helpers import END, START, downloads, open_app
from tests.engines.test_local_engine import ACCOUNT, record, user
from tests.logfiles import write_records

CALLERS = {  # the ARN of each kind of caller, and the type the CLI names it by
    f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Developers_0123456789abcdef/jane@example.com": "sso_user",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/Support-BedrockRole/task-42": "application_role",
    user("reporting-svc"): "iam_user",
}
WORDS = {"en": {"sso_user": "SSO user", "application_role": "Application role", "iam_user": "IAM user"},
         "ko": {"sso_user": "SSO 사용자", "application_role": "애플리케이션 역할", "iam_user": "IAM 사용자"}}
HEADER = {"en": "Type", "ko": "유형"}


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.slow
def test_the_user_tables_type_column_is_in_words_and_its_csv_in_codes(
    no_aws_env: dict[str, str], tmp_path: Path, lang: str
) -> None:
    logs = tmp_path / "logs"
    write_records(logs, [record(f"{START}T10:0{i}:00Z", arn) for i, arn in enumerate(CALLERS)])
    at = open_app(lang=lang, source="local", logs=str(logs), start=START.isoformat(), end=END.isoformat())

    typed = [frame for frame in at.dataframe if "principal_type" in json.loads(frame.proto.columns)]
    assert typed, "a table with the callers' type"
    for frame in typed:
        assert json.loads(frame.proto.columns)["principal_type"]["label"] == HEADER[lang]
        assert set(frame.value["principal_type"]) == set(WORDS[lang].values())
    tables = [list(csv.DictReader(io.StringIO(data.decode("utf-8")))) for data in downloads(at).values()]
    kinds = [{row["principal_type"] for row in rows} for rows in tables if rows and "principal_type" in rows[0]]
    assert len(kinds) == len(typed) and all(found == set(CALLERS.values()) for found in kinds), kinds
