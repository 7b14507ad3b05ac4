"""Every named mutant of tools/mutants.py still finds the code it mutates: a mutant whose text occurs no more (or
twice) would be reported stale only when someone runs the tool, and the slip it stands for would go unwatched."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_mutant_text_occurs_once_in_its_file() -> None:
    spec = importlib.util.spec_from_file_location("mutants", ROOT / "tools" / "mutants.py")
    assert spec and spec.loader
    mutants = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mutants", mutants)  # its dataclasses look their module up there
    spec.loader.exec_module(mutants)
    counts = {m.name: (ROOT / m.path).read_text(encoding="utf-8").count(m.old) for m in mutants.MUTANTS}
    assert {name: count for name, count in counts.items() if count != 1} == {}
    assert len(counts) == len(mutants.MUTANTS)  # names are unique
