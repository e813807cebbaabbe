"""Benchmark: search engines on generated archives of 10,000 and 100,000 documents.

For each size and engine, in the same run: index time, documents/s, index size on disk, and
p50/p95 latency of enterprise (exact name filter), fragment (2-4 characters) and phrase (6-12
characters) queries, through docgen's real search path (engine + exact check + snippet).
whoosh is pure Python and takes ~30 minutes per 100,000 documents, so by default it is measured
up to 10,000 only; ``--whoosh-max 100000`` measures it at every size. ``postgresql`` is the city
profile's search (bigram tsvectors under GIN) in a PostgreSQL this run starts on loopback; its
size is the table's and its indexes'. Usage:

    .venv/bin/python -m bench.bench_search [--sizes 10000,100000] [--engines tantivy,postgresql,whoosh]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from bench.corpus import generate
from docgen.pg import Database
from docgen.search import build_query, collect, open_backend
from docgen.search.analysis import normalise
from docgen.search.backend import IndexedDocument, SearchBackend, SearchQuery
from docgen.search.postgres_backend import PgSearchBackend
from tools.city import start_postgres

BATCH = 5000


def documents(count: int) -> list[IndexedDocument]:
    out = []
    for g in generate(count, seed=count):
        meta = g.meta
        names = tuple(e["name"] for e in meta["enterprises"])
        number = meta["number"] or ""
        out.append(
            IndexedDocument(
                path=g.path,
                number=number,
                title=meta["title"],
                kind=meta["kind"],
                kind_name=meta["kind_name"],
                date=meta["date"],
                issuer=meta["issuer"],
                enterprises=names,
                content=normalise("\n".join([meta["title"], number, *names, g.text])),
            )
        )
    return out


def queries(docs: list[IndexedDocument], n: int) -> dict[str, list[SearchQuery]]:
    rng = random.Random(5)
    picks = rng.sample(docs, n)
    out: dict[str, list[SearchQuery]] = {"enterprise": [], "fragment": [], "phrase": []}
    for d in picks:
        out["enterprise"].append(build_query("", enterprise=d.enterprises[0], limit=20))
        text = d.content.replace(" ", "")
        for kind, (low, high) in (("fragment", (2, 4)), ("phrase", (6, 12))):
            length = rng.randint(low, high)
            start = rng.randint(0, len(text) - length)
            out[kind].append(build_query(text[start : start + length], limit=20))
    return out


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def opened(engine: str, folder: Path) -> tuple[SearchBackend, Callable[[], float], Callable[[], None]]:
    """The engine's backend, how big its index is (MB), and how to stop what it started."""
    if engine != "postgresql":
        return open_backend(engine, folder), lambda: size_mb(folder), lambda: None
    server = start_postgres(folder)
    database = Database(server.create_database(f"bench{uuid.uuid4().hex[:8]}"))
    backend = PgSearchBackend(database, "恩平市科工商务局")

    def size() -> float:
        with database.transaction() as conn:
            row = conn.execute("SELECT pg_total_relation_size('search_documents')").fetchone()
        return int(row[0]) / 1e6 if row else 0.0

    def stop() -> None:
        Database.close_all()
        server.stop()

    return backend, size, stop


def run(engine: str, docs: list[IndexedDocument], qs: dict[str, list[SearchQuery]]) -> str:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{engine}-"))
    backend, size, stop = opened(engine, folder)
    try:
        started = time.perf_counter()
        for i in range(0, len(docs), BATCH):
            backend.add(docs[i : i + BATCH])
        index_s = time.perf_counter() - started
        assert backend.count() == len(docs)
        if engine != "postgresql":
            backend = open_backend(engine, folder)  # a fresh reader, as a CLI call has
        parts = [
            f"{engine:10s} {len(docs):>7,d} docs: index {index_s:7.1f} s ({len(docs) / index_s:6.0f} docs/s), "
            f"{size():6.0f} MB"
        ]
        for kind, items in qs.items():
            for q in items[:5]:
                collect(backend, q)  # warm the caches a clerk's second query would find warm
            times = []
            for q in items:
                t = time.perf_counter()
                collect(backend, q)
                times.append((time.perf_counter() - t) * 1000)
            p50 = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[18]
            parts.append(f"{kind} p50/p95 {p50:6.1f}/{p95:6.1f} ms")
        return "; ".join(parts)
    finally:
        stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--engines", default="tantivy,postgresql,whoosh")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--whoosh-max", type=int, default=10000)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        docs = documents(size)
        avg = sum(len(d.content) for d in docs) / len(docs)
        print(f"-- {size:,d} generated documents (~{avg:.0f} characters each) in {time.perf_counter() - started:.0f} s")
        qs = queries(docs, args.queries)
        baseline = None
        for engine in args.engines.split(","):
            if engine == "whoosh" and size > args.whoosh_max:
                print(f"whoosh     {size:>7,d} docs: skipped (pure Python; --whoosh-max {size} to include)")
                continue
            line = run(engine, docs, qs)
            print(line, flush=True)
            baseline = baseline or line
    print("Goals (2 cores, tantivy, 10,000 docs): enterprise p95 < 10 ms, phrase p95 < 25 ms, >= 200 docs/s.")


if __name__ == "__main__":
    main()
