"""The peak memory of a docgen run in a process of its own, as that process measured it.

The ``ru_maxrss`` a parent reads from ``wait4`` keeps the high-water mark from before ``exec``:
a docgen started by a test worker that has grown to 800 MB reports 800 MB whatever it used.
The process reads its own ``VmHWM`` (the peak of its own memory since ``exec``) as it exits.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_REPORT_PEAK_AND_RUN_DOCGEN = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)
atexit.register(lambda: open(peak_file, "w").write(open("/proc/self/status").read()))
sys.argv[0] = "docgen"
runpy.run_module("docgen", run_name="__main__")
"""


def measured_docgen(peak_file: Path, *args: str) -> list[str]:
    """The command that runs ``docgen ARGS`` and writes its own peak into ``peak_file`` on exit."""
    return [sys.executable, "-c", _REPORT_PEAK_AND_RUN_DOCGEN, str(peak_file), *args]


def peak_mb(peak_file: Path) -> float:
    """The peak resident memory, in MB, that ``measured_docgen`` left in ``peak_file``."""
    found = re.search(r"^VmHWM:\s+(\d+) kB", peak_file.read_text(encoding="utf-8"), re.MULTILINE)
    assert found, f"{peak_file}: no VmHWM line"
    return int(found.group(1)) / 1024
