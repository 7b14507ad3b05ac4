"""An Athena workgroup name is checked against the pattern of botocore's Athena model before anything runs: botocore
does not check it, so setup made the bucket, database and tables before AWS refused the name."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest

ROOT = Path(__file__).resolve().parents[2]


REFUSED = [("setup_athena_bucket.py", ""), ("setup_athena_bucket.py", "my/wg"), ("bedrock_tracker_cli.py", "x" * 129),
           ("qcli_s3_analyzer.py", "team wg")]


@pytest.mark.parametrize(("script", "name"), REFUSED)
def test_a_workgroup_name_athena_refuses_is_refused_first(script: str, name: str, no_aws_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, str(ROOT / script), f"--workgroup={name}", "--dry-run"], cwd=ROOT,
                          env=no_aws_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "is not an Athena workgroup name" in done.stderr, done.stderr


def test_the_names_athena_takes_pass() -> None:
    from bedrock_usage.output.command import workgroup_name

    pattern = botocore.session.get_session().get_service_model("athena").shape_for("WorkGroupName").metadata
    assert pattern == {"pattern": "[a-zA-Z0-9._-]{1,128}"}
    for name in ("bedrock-usage", "team.nightly_2", "x" * 128):
        assert workgroup_name(name) == name
    for name in ("", "my/wg", "x" * 129, "team wg"):
        with pytest.raises(argparse.ArgumentTypeError):
            workgroup_name(name)
