"""Benchmark: issuing the example case into a fresh archive, then the no-op re-run.

The first run numbers, renders, converts (PDF/A) and archives every document; the re-run finds
every fingerprint archived and converts nothing. Both run in this process; the first is the
baseline. Usage:

    .venv/bin/python bench/bench_issue.py
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from pathlib import Path

from docgen.pipeline.issue import issue_case
from docgen.pipeline.records import verify_archive
from docgen.pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        ws = Path(tmp_name)
        case = ws / "case.yaml"
        shutil.copy(REPO / "examples" / "enping-2021" / "case.yaml", case)
        workspace = Workspace.open(ws, env={})
        started = time.perf_counter()
        first = issue_case(case, workspace)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = issue_case(case, workspace)
        again_s = time.perf_counter() - started
        started = time.perf_counter()
        report = verify_archive(workspace)
        verify_s = time.perf_counter() - started
        assert all(r.status == "unchanged" for r in again) and report.ok
    n = len(first)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"issue {n} documents into a fresh archive : {first_s:6.2f} s  ({first_s / n:.2f} s/document) [baseline]")
    print(f"re-issue, nothing changed               : {again_s:6.2f} s  ratio {first_s / again_s:.0f}x faster")
    print(f"archive verify ({report.documents} documents)            : {verify_s * 1000:6.1f} ms")
    print(f"peak RSS of a LibreOffice child         : {peak_mb:6.0f} MB")


if __name__ == "__main__":
    main()
