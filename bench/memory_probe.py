"""Run every analysis of a 30-day range once in this process and print its peak RSS as JSON (for bench/run.py).

The peak is the kernel's high-water mark of this process's memory (VmHWM), which starts afresh at exec;
getrusage's ru_maxrss is printed too, but Linux carries it over from the parent that forked this process.

usage: python bench/memory_probe.py LOGS_DIR CACHE  (CACHE: a folder for the columnar cache, or 'off')
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bedrock_usage.engines.local import LocalEngine  # noqa: E402
from bedrock_usage.logs.period import resolve_period  # noqa: E402
from bedrock_usage.report.tracker import BedrockAthenaTracker  # noqa: E402

PERIOD = resolve_period(start="2025-11-01", end="2025-11-30")


def _high_water_mark_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        print(__doc__, file=sys.stderr if len(sys.argv) != 2 else sys.stdout)
        return 0 if sys.argv[1:2] in (["-h"], ["--help"]) else 1
    cache = False if sys.argv[2] == "off" else Path(sys.argv[2])
    started = time.perf_counter()
    report = BedrockAthenaTracker(LocalEngine(Path(sys.argv[1]), cache=cache)).analyze(PERIOD)
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "calls": report.summary["calls"],
        "peak_rss_mb": _high_water_mark_kb() / 1024,
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
