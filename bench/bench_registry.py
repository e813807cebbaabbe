"""Benchmark: 发文字号 allocations per second, one process alone and eight (or sixteen) contending.

Every run uses the ledger's real API (one transaction per number, committed to disk), in this
process tree, on the same disk: the embedded SQLite ledger, then the city's PostgreSQL ledger
(a cluster this run starts on loopback), each with one process (the baseline) and many. Usage:

    .venv/bin/python -m bench.bench_registry [NUMBERS_PER_PROCESS]
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from docgen.numbering.postgres import PgRegistry
from docgen.numbering.registry import NumberStore, Registry
from docgen.pg import Database
from tools.city import start_postgres

PREFIX = "恩科工商务字"


def ledger(where: str) -> NumberStore:
    """The ledger at ``where``: an SQLite file's path, or a PostgreSQL address."""
    if where.startswith("postgresql://"):
        return PgRegistry(Database(where), "恩平市科工商务局")
    return Registry(Path(where))


def allocate(where: str, count: int, title: str) -> None:
    numbers = ledger(where)
    for i in range(count):
        numbers.allocate(PREFIX, 2021, f"{title}-{i}")


def run(where: str, processes: int, per_process: int) -> tuple[float, int]:
    ledger(where).allocate(PREFIX, 2020, "warm-up")  # the schema made outside the timing
    started = time.perf_counter()
    if processes == 1:
        allocate(where, per_process, "p0")
    else:
        ctx = multiprocessing.get_context("spawn")
        workers = [ctx.Process(target=allocate, args=(where, per_process, f"p{i}")) for i in range(processes)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
            assert w.exitcode == 0
    elapsed = time.perf_counter() - started
    seqs = [r.seq for r in ledger(where).records(PREFIX, 2021)]
    assert seqs == list(range(1, len(seqs) + 1)), "a gap or a number twice"
    return elapsed, len(seqs)


def measure(label: str, fresh: Callable[[], str], per_process: int, many: int) -> None:
    total = per_process * many
    single_s, single_n = run(fresh(), 1, total)
    many_s, many_n = run(fresh(), many, per_process)
    assert single_n == many_n == total, "numbers lost or doubled"
    single_rate, many_rate = single_n / single_s, many_n / many_s
    print(
        f"{label:10s} 1 process , {single_n} numbers: {single_rate:7.0f} allocations/s "
        f"({single_s * 1000 / single_n:.2f} ms each) [baseline]"
    )
    print(
        f"{label:10s} {many} processes, {many_n} numbers: {many_rate:7.0f} allocations/s "
        f"({many_s * 1000 / many_n:.2f} ms each, incl. process start), {many_s:.1f} s, "
        f"ratio {many_rate / single_rate:.2f}x"
    )


def main() -> None:
    per_process = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with tempfile.TemporaryDirectory() as tmp:
        files = iter(range(100))
        measure("SQLite", lambda: str(Path(tmp) / f"registry{next(files)}.sqlite3"), per_process, 8)
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    server = start_postgres(folder)
    try:
        measure("PostgreSQL", lambda: server.create_database(f"r{uuid.uuid4().hex[:8]}"), per_process, 8)
        measure("PostgreSQL", lambda: server.create_database(f"r{uuid.uuid4().hex[:8]}"), per_process, 16)
    finally:
        Database.close_all()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
