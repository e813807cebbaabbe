"""Benchmark: the search page over HTTP, two clerks at once, on an archive of 10,000 documents.

The archive is generated (``bench.corpus``: about 2,000 characters a document) and indexed once.
The same queries are then run twice in this process tree:

- baseline: ``search_archive`` called in this process (the engine, the check against the text,
  the snippets: what the page shows, without the page);
- ``docgen serve`` started as a clerk starts it, asked for ``/search?q=…`` by two concurrent
  HTTP clients (a full HTML page each time).

Goal: p95 < 50 ms over HTTP. Also printed: the server process's peak memory.

Usage: ``.venv/bin/python -m bench.bench_serve [N] [QUERIES]`` (defaults 10,000 documents, 200 queries).
"""

from __future__ import annotations

import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx

from bench.corpus import Generated, generate, write_archive
from docgen.pipeline.searching import build_query, search_archive
from docgen.pipeline.workspace import Workspace

CLIENTS = 2
READY_TIMEOUT_S = 60


def queries(documents: list[Generated], count: int) -> dict[str, list[str]]:
    """Enterprise names, 2–4 character fragments and 6–12 character phrases from the documents."""
    rng = random.Random(7)
    out: dict[str, list[str]] = {"企业名称": [], "片段": [], "短语": []}
    for doc in rng.sample(documents, count):
        out["企业名称"].append(str(doc.meta["enterprises"][0]["name"]))
        text = "".join(doc.text.split())
        for kind, (low, high) in (("片段", (2, 4)), ("短语", (6, 12))):
            length = rng.randint(low, high)
            start = rng.randint(0, len(text) - length)
            out[kind].append(text[start : start + length])
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def over_http(base: str, asked: dict[str, list[str]]) -> dict[str, list[float]]:
    """Each client runs through every query; latencies by kind."""
    timings: dict[str, list[float]] = {kind: [] for kind in asked}
    lock = threading.Lock()

    def clerk(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as web:
            web.get("/search")  # the session cookie, as a browser has it
            for kind, texts in asked.items():
                for text in texts[offset:] + texts[:offset]:
                    started = time.perf_counter()
                    answer = web.get("/search", params={"q": text})
                    took = time.perf_counter() - started
                    assert answer.status_code == 200, answer.text[:200]
                    with lock:
                        timings[kind].append(took)

    threads = [threading.Thread(target=clerk, args=(n * 7,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    asked_count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as tmp_name:
        ws = Path(tmp_name)
        documents = list(generate(count, seed=count))
        write_archive(ws / "archive", iter(documents))
        workspace = Workspace.open(ws, env={})
        archive = workspace.archive
        with archive.locked():  # an archive has a log: its end tells a server the archive has not changed
            archive.log.append("generated", documents=count)
        started = time.perf_counter()
        workspace.search.rebuild()
        indexing_s = time.perf_counter() - started
        asked = queries(documents, asked_count)

        baseline: dict[str, list[float]] = {kind: [] for kind in asked}
        # The workspace keeps its index across searches, as the server keeps it.
        for kind, texts in asked.items():
            for text in texts:
                started = time.perf_counter()
                search_archive(workspace, build_query(text, limit=50))
                baseline[kind].append(time.perf_counter() - started)

        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "docgen", "-w", str(ws), "serve", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while True:
                try:
                    httpx.get(base + "/search", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                    time.sleep(0.1)
            rss_before = peak_rss_mb(server.pid)
            started = time.perf_counter()
            timings = over_http(base, asked)
            http_s = time.perf_counter() - started
            rss_peak = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
    requests = sum(len(t) for t in timings.values())
    print(f"archive: {count:,} generated documents, indexed in {indexing_s:.0f} s; {asked_count} queries of each kind")
    print(
        f"{'kind':<8} {'in process p50/p95 [baseline]':>30} {f'HTTP, {CLIENTS} clients p50/p95':>28} {'ratio p95':>10}"
    )
    for kind in asked:
        b50, b95 = percentiles(baseline[kind])
        h50, h95 = percentiles(timings[kind])
        print(f"{kind:<8} {b50:>17.1f} / {b95:6.1f} ms {h50:>17.1f} / {h95:6.1f} ms {h95 / b95:>9.1f}x")
    all95 = percentiles([t for ts in timings.values() for t in ts])[1]
    print(
        f"all pages: {requests} in {http_s:.1f} s ({requests / http_s:.0f} pages/s); p95 {all95:.1f} ms (goal < 50 ms)"
    )
    print(f"server memory: {rss_before:.0f} MB after start, peak {rss_peak:.0f} MB")


if __name__ == "__main__":
    main()
