"""Benchmark: batch-issue N generated 验收记录 through the conversion pool, against one soffice
process per document, in the same run and through the same pipeline (lint, number, render,
PDF/A, archive, index). Reports seconds per document, the ratio, and the peak memory of the
whole batch (docgen plus every LibreOffice process, sampled from /proc). Then before and after:
the command ``docgen batch`` of the same N documents run by the tree of an earlier commit
(default: the main of before issue 25, exported with ``git archive``) and by this one, each in a
process of its own. Usage:

    .venv/bin/python -m bench.bench_batch [N] [BASELINE_N] [BEFORE_COMMIT]
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.batchcase import write_batch_case
from bench.bench_issue import BASELINE, REPO, export_tree, timed_command
from docgen.convert.libreoffice import find_soffice, run_batch
from docgen.pipeline.batch import batch_cases
from docgen.pipeline.issue import Status, issue_case
from docgen.pipeline.workspace import Workspace


class OneProcessPerDocument:
    """The baseline: a fresh soffice (and profile) for every document."""

    def convert(self, jobs: Sequence[tuple[Path, Path]]) -> None:
        self.convert_each(jobs)

    def convert_each(
        self, jobs: Sequence[tuple[Path, Path]], on_done: Callable[[int, str | None], None] | None = None
    ) -> dict[int, str]:
        failures = {}
        for i, job in enumerate(jobs):
            with tempfile.TemporaryDirectory() as profile:
                failed = run_batch(find_soffice("soffice"), [job], profile=Path(profile), timeout=180, font_dirs=())
            if failed:
                failures[i] = failed[0]
            if on_done:
                on_done(i, failed.get(0))
        return failures


class PeakMemory(threading.Thread):
    """Samples the summed RSS of this process and all its descendants."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.running = True

    def tree_rss_kb(self) -> int:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            pid, ppid = int(entry.name), int(fields.get("PPid", "0").strip())
            children.setdefault(ppid, []).append(pid)
            rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
        total, stack = 0, [os.getpid()]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            stack += children.get(pid, [])
        return total

    def run(self) -> None:
        while self.running:
            self.peak_kb = max(self.peak_kb, self.tree_rss_kb())
            time.sleep(0.2)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    baseline_n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    before = sys.argv[3] if len(sys.argv) > 3 else BASELINE
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp)
        workspace = Workspace.open(ws, env={})
        case = write_batch_case(ws / "batch.yaml", n)
        meter = PeakMemory()
        meter.start()
        started = time.perf_counter()
        results = batch_cases([case], workspace, kinds=["acceptance"]).results
        pool_s = (time.perf_counter() - started) / n
        meter.running = False
        assert [r.status for r in results].count(Status.ISSUED) == n, "every document issued once"
        base_case = write_batch_case(ws / "baseline.yaml", baseline_n, seed=99)
        started = time.perf_counter()
        base = issue_case(base_case, workspace, kinds=["acceptance"], converter=OneProcessPerDocument())
        one_s = (time.perf_counter() - started) / baseline_n
        assert len(base) == baseline_n
        before_after = {}
        for name, tree in (("before", export_tree(before, ws / "before-tree")), ("after", REPO)):
            folder = ws / name
            folder.mkdir()
            batch = write_batch_case(folder / "batch.yaml", n, seed=7)
            command = ("-w", str(folder), "batch", str(batch), "-k", "acceptance")
            before_after[name] = timed_command(tree, *command, cwd=folder) / n
    print(f"one soffice per document ({baseline_n} docs): {one_s:6.2f} s/document [baseline]")
    print(
        f"conversion pool, {os.cpu_count()} workers ({n} docs): {pool_s:6.2f} s/document  "
        f"ratio {one_s / pool_s:.1f}x faster"
    )
    print(f"peak memory of the whole batch (docgen + LibreOffice processes): {meter.peak_kb / 1024:.0f} MB")
    old_s, new_s = before_after["before"], before_after["after"]
    print(
        f"docgen batch, {n} docs, each its own process: before ({before}) {old_s:.3f} s/document, "
        f"after {new_s:.3f} s/document (ratio after/before {new_s / old_s:.2f})"
    )
    print("Goals: pool >= 8x faster than one process per document, and < 0.2 s/document.")


if __name__ == "__main__":
    main()
