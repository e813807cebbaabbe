"""Benchmark: 发文字号 allocations per second, one process alone and eight contending.

Both runs use the registry's real API (one transaction per number, fsync'd), in this process
tree, on the same disk. The single process is the baseline. Usage:

    .venv/bin/python bench/bench_registry.py [NUMBERS_PER_PROCESS]
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from docgen.numbering.registry import Registry

PREFIX = "恩科工商务字"


def allocate(path: str, count: int, title: str) -> None:
    registry = Registry(Path(path))
    for i in range(count):
        registry.allocate(PREFIX, 2021, f"{title}-{i}")


def run(processes: int, per_process: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "registry.sqlite3")
        Registry(Path(path)).records()  # create the schema outside the timing
        Registry(Path(path)).allocate(PREFIX, 2020, "warm-up")
        started = time.perf_counter()
        if processes == 1:
            allocate(path, per_process, "p0")
        else:
            ctx = multiprocessing.get_context("spawn")
            workers = [ctx.Process(target=allocate, args=(path, per_process, f"p{i}")) for i in range(processes)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
                assert w.exitcode == 0
        elapsed = time.perf_counter() - started
        with sqlite3.connect(path) as conn:
            (count,) = conn.execute("SELECT COUNT(DISTINCT seq) FROM numbers WHERE year = 2021").fetchone()
    return elapsed, count


def main() -> None:
    per_process = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    single_s, single_n = run(1, per_process * 8)
    many_s, many_n = run(8, per_process)
    single_rate, many_rate = single_n / single_s, many_n / many_s
    print(
        f"1 process , {single_n} numbers: {single_rate:8.0f} allocations/s  "
        f"({single_s * 1000 / single_n:.2f} ms each) [baseline]"
    )
    print(
        f"8 processes, {many_n} numbers: {many_rate:8.0f} allocations/s  ({many_s * 1000 / many_n:.2f} ms each, "
        f"incl. process start)  ratio {many_rate / single_rate:.2f}x"
    )
    assert single_n == per_process * 8 and many_n == per_process * 8, "numbers lost or doubled"


if __name__ == "__main__":
    main()
