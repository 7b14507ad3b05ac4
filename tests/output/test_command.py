"""guard_output: only a failure of standard output itself is reported as one; another file's error is not its."""

from __future__ import annotations

import pytest

from bedrock_usage.output.command import EXIT_USER, guard_output


def write_to_a_full_disk() -> int:
    """A body whose own file fails as on a full disk (Python names no file for a failed write)."""
    print("the report")
    with open("/dev/full", "w") as full:
        full.write("x")
    return 0


def test_a_full_disk_elsewhere_is_not_reported_as_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(OSError, match="No space left on device") as raised:
        guard_output(write_to_a_full_disk)
    assert raised.value.filename is None
    assert "standard output" not in capsys.readouterr().err


def test_a_full_standard_output_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full = open("/dev/full", "w")  # noqa: SIM115 (closed below; guard_output puts /dev/null on its descriptor)
    monkeypatch.setattr("sys.stdout", full)
    try:
        assert guard_output(lambda: print("the report") or 0) == EXIT_USER
    finally:
        full.close()
    assert capsys.readouterr().err == "error: cannot write to standard output: No space left on device\n"
