"""Benchmark: issuing the example case into a fresh archive, against an earlier docgen, same run.

Both sides run the real command (``python -m docgen -w WS issue case.yaml``) in a process of
their own, alternately, ``ROUNDS`` times each, so start-up, imports, lint, numbering, rendering,
PDF/A conversion, the proof of every character and archiving are all counted, under the same
load. The baseline is the tree of git commit ``BASELINE`` (default: the main of before issue 25,
b1c6e07), exported with ``git archive``. Then, in this process: the no-op re-run, ``archive
verify``, and ``docgen --help`` start-up for both trees. Usage:

    .venv/bin/python bench/bench_issue.py [ROUNDS] [BASELINE]
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from docgen.pipeline.issue import issue_case
from docgen.pipeline.records import verify_archive
from docgen.pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
CASE = REPO / "examples" / "enping-2021" / "case.yaml"
BASELINE = "b1c6e07"


def export_tree(commit: str, target: Path) -> Path:
    """The files of ``commit`` under ``target`` (no checkout touched)."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], capture_output=True, check=True).stdout
    target.mkdir(parents=True)
    tar = target / "tree.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as bundle:
        bundle.extractall(target / "tree", filter="data")
    return target / "tree"


def timed_command(tree: Path, *args: str, cwd: Path) -> float:
    """Seconds for ``python -m docgen ARGS`` with ``tree`` first on the import path."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "docgen", *args], cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", errors="replace")[-400:]
        msg = f"docgen {' '.join(args)} with {tree} failed: {said}"
        raise RuntimeError(msg)
    return elapsed


def issue_once(tree: Path, scratch: Path) -> float:
    ws = Path(tempfile.mkdtemp(dir=scratch))
    shutil.copy(CASE, ws / "case.yaml")
    return timed_command(tree, "-w", str(ws), "issue", str(ws / "case.yaml"), cwd=ws)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    baseline = sys.argv[2] if len(sys.argv) > 2 else BASELINE
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        old_tree = export_tree(baseline, tmp / "baseline")
        trees = {"baseline": old_tree, "now": REPO}
        times: dict[str, list[float]] = {name: [] for name in trees}
        helps: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(rounds):
            for name, tree in trees.items():  # alternate, so a busy moment hurts both alike
                times[name].append(issue_once(tree, tmp))
                helps[name].append(timed_command(tree, "--help", cwd=tmp))
        ws = tmp / "again"
        ws.mkdir()
        shutil.copy(CASE, ws / "case.yaml")
        workspace = Workspace.open(ws, env={})
        first = issue_case(ws / "case.yaml", workspace)
        started = time.perf_counter()
        again = issue_case(ws / "case.yaml", workspace)
        again_s = time.perf_counter() - started
        started = time.perf_counter()
        report = verify_archive(workspace)
        verify_s = time.perf_counter() - started
        assert all(r.status == "unchanged" for r in again) and report.ok
    old, new = statistics.median(times["baseline"]), statistics.median(times["now"])
    old_help, new_help = statistics.median(helps["baseline"]), statistics.median(helps["now"])
    n = len(first)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"docgen issue, {n} documents, fresh archive, median of {rounds} (each run: {rounds} alternating)")
    print(f"  baseline {baseline:<10}: {old:6.2f} s  ({old / n:.2f} s/document)  runs {_runs(times['baseline'])}")
    print(f"  now                : {new:6.2f} s  ({new / n:.2f} s/document)  runs {_runs(times['now'])}")
    print(f"  ratio now/baseline : {new / old:6.2f}")
    print(f"docgen --help start  : baseline {old_help:.2f} s, now {new_help:.2f} s (ratio {new_help / old_help:.2f})")
    print(f"re-issue, nothing changed: {again_s:6.2f} s")
    print(f"archive verify ({report.documents} documents): {verify_s * 1000:6.1f} ms")
    print(f"peak RSS of a child (LibreOffice or docgen): {peak_mb:6.0f} MB")


def _runs(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
