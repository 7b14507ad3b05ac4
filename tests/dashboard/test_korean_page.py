"""The Korean page says in Korean what the English page says in English: where the logs were read (the engine's
source), in the status line of the read and in the caption under the Amazon Bedrock tab's tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from bedrock_usage.dashboard.text import STRINGS, Text
from bedrock_usage.engines.athena import AthenaEngine
from bedrock_usage.engines.local import LocalEngine
from tests.dashboard.helpers import END, START, open_app, shown
from tests.engines.test_local_engine import record, user
from tests.logfiles import write_records


def fixed_part(template: str) -> str:
    """The words of a text.py template before its first field (``DuckDB over local log files in ``)."""
    return template.split("{", 1)[0]


@pytest.mark.parametrize("cache", [False, True])
def test_the_english_source_line_is_the_engines_own_description(tmp_path: Path, cache: bool) -> None:
    """The English page words the source as the CLI's reports do (the engine's description)."""
    local = LocalEngine(tmp_path / "logs", cache=tmp_path / "cache" if cache else False)
    athena = AthenaEngine(None, workgroup="nightly")
    for engine in (local, athena):
        assert shown(Text("en").log_source(engine.source)) == engine.description


def test_the_korean_page_says_where_the_logs_were_read_in_korean(no_aws_env: dict[str, str], tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_records(logs, [record(f"{START}T10:00:00Z", user("alice")), record(f"{END}T10:00:00Z", user("bob"))])
    at = open_app(lang="ko", source="local", logs=str(logs), start=START.isoformat(), end=END.isoformat())
    english, korean = fixed_part(STRINGS["en"]["source_read_local"]), fixed_part(STRINGS["ko"]["source_read_local"])
    assert english.strip() and korean.strip() and english != korean
    captions = [shown(caption.value) for caption in at.caption]
    scan = fixed_part(STRINGS["ko"]["scan_line"])
    assert any(text.startswith(scan) and korean in text and str(logs) in text for text in captions), captions
    outcomes = [shown(box.label) for box in [*at.status, *at.expander]]
    assert any(korean in label for label in outcomes), outcomes
    everything = [*captions, *outcomes, *(shown(m.value) for m in at.markdown)]
    assert not [text for text in everything if english in text]

