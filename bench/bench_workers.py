"""Benchmark: issuing through the city's job queue with one worker and with two, in the same run.

Each run: a fresh database of a PostgreSQL and a fresh bucket of a SeaweedFS this run starts on
loopback (the city's archive: files locked in the bucket, records in the database), a fresh workspace, N cases
(the example's notice, each its own title and an ``auto`` number) queued with ``docgen issue
--queue``, then worker processes (``docgen worker --idle-exit``) started together until the
queue is empty. One worker is the baseline. Every job must end done, every number once. Usage:

    .venv/bin/python -m bench.bench_workers [CASES]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from docgen.pg import Database
from docgen.pipeline.workspace import Workspace
from tools.city import ObjectStore, Postgres, config_lines, start_object_store, start_postgres

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "enping-2021" / "case.yaml"


def docgen(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "docgen", "-w", str(ws), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def run(server: Postgres, store: ObjectStore, cases: int, workers: int) -> float:
    ws = Path(tempfile.mkdtemp(prefix=f"bench-workers{workers}-"))
    try:
        name = f"w{uuid.uuid4().hex[:8]}"
        settings = config_lines(server.create_database(name), store, name) + 'organ = "恩平市科工商务局"\n'
        (ws / "docgen.toml").write_text(settings, encoding="utf-8")
        text = EXAMPLE.read_text(encoding="utf-8").replace("number: 恩科工商务字〔2021〕58号", "number: auto")
        for i in range(cases):
            case = ws / f"case{i}.yaml"
            case.write_text(
                text.replace("推动落后产能退出工作计划的通知", f"推动落后产能退出工作计划的通知（第{i + 1}批）", 1)
            )
            docgen(ws, "issue", str(case), "-k", "notice", "--queue")
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        started = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "docgen", "-w", str(ws), "worker", "--idle-exit", "2"],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        for p in procs:
            assert p.wait(timeout=1800) == 0
        elapsed = time.perf_counter() - started - 2.0  # the idle wait at the end is not work
        jobs = json.loads(docgen(ws, "jobs", "--json").stdout)
        assert len(jobs) == cases and all(j["state"] == "done" for j in jobs), jobs
        numbers = [r.seq for r in Workspace.open(ws, env={}).numbers.records()]
        assert sorted(numbers) == list(range(1, cases + 1)), "every number once"
        assert len(Workspace.open(ws, env={}).archive.metas()) == cases, "every notice archived once"
        return elapsed
    finally:
        Database.close_all()
        shutil.rmtree(ws, ignore_errors=True)


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    # Folders of their own: run as root, PostgreSQL runs as ``postgres``, which cannot enter root's.
    folder = Path(tempfile.mkdtemp(prefix="bench-workers-pg-"))
    objects = Path(tempfile.mkdtemp(prefix="bench-workers-s3-"))
    server = start_postgres(folder)
    store = start_object_store(objects)
    try:
        one = run(server, store, cases, 1)
        print(f"1 worker : {cases} notices in {one:5.1f} s, {cases / one:.2f} documents/s [baseline]")
        two = run(server, store, cases, 2)
        print(f"2 workers: {cases} notices in {two:5.1f} s, {cases / two:.2f} documents/s, ratio {one / two:.2f}x")
    finally:
        store.stop()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(objects, ignore_errors=True)


if __name__ == "__main__":
    main()
