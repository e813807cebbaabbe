"""Named pause points where tests stop a real docgen process to kill it (SIGKILL).

Crash-safety claims are only worth what a real kill shows. A test sets
``DOCGEN_PAUSE_AT=<point>:<marker file>``; when docgen reaches that point it creates the marker
file and sleeps, and the test kills it there. Unset (always, in normal use) this does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(name: str) -> None:
    """Stop here for a while if a test asked to, after announcing it through a marker file."""
    wanted = os.environ.get("DOCGEN_PAUSE_AT")
    if not wanted:
        return
    point, _, marker = wanted.partition(":")
    if point != name or not marker:
        return
    Path(marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(60)
