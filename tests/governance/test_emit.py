"""How a governance mode's result leaves the program: warnings on stderr once each, the document on stdout."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from bedrock_usage.governance.render import Output, emit


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_warnings_already_said_are_not_said_again(tmp_path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    """The sync prints its warnings as it ends; the mode's files keep them, but stderr says each one once."""
    output = Output("text", {"warnings": ["eu-west-1 not synced: no bucket", "3 calls have no price"]},
                    {"": pd.DataFrame({"calls": [3]})}, "bedrock_check")
    emit(output, fmt, "-" if fmt == "json" else str(tmp_path), said=("eu-west-1 not synced: no bucket",))
    captured = capsys.readouterr()
    assert captured.err == "warning: 3 calls have no price\n"
    if fmt == "json":
        assert json.loads(captured.out)["warnings"] == output.document["warnings"]  # the document keeps both
