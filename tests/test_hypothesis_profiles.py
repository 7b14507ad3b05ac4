"""The Hypothesis profile follows ``CI``: derandomised with a fixed budget in CI, exploring locally."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
from hypothesis import settings
current = settings.default
print(current.derandomize, current.max_examples, current.database is None)
"""


@pytest.mark.parametrize(("ci", "expected"), [("true", "True 100 True"), (None, "False 100 False")])
def test_the_profile_follows_ci(ci: str | None, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    if ci:
        env["CI"] = ci
    code = f"import tests.conftest\n{PROBE}"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == expected
