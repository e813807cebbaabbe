"""Benchmark: the office's pages over HTTP, eight signed-in clerks at once, on 10,000 documents.

The archive is generated (``bench.corpus``: about 2,000 characters a document) and indexed once;
eight accounts are made. The same work is then done twice in this process tree:

- baseline, in this process: ``search_archive`` for one page of hits (the engine, the check
  against the text, the snippets), the browse page's counts and one page of its list, and a
  draft's preview made again after each change (render, LibreOffice, page images);
- ``docgen serve`` started as a clerk starts it: eight clients, each signed in with its own
  account, ask for ``/search?q=…`` (a full page of 20 hits) and ``/browse?page=…``, while a ninth,
  a drafter, changes a draft and waits for its preview to be refreshed.

Goal: p95 < 50 ms over HTTP for search and browse pages. Also printed: the server's peak memory.

Usage: ``.venv/bin/python -m bench.bench_serve [N] [QUERIES]`` (defaults 10,000 documents, 200 queries).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx

from bench.corpus import Generated, generate, write_archive
from docgen.pipeline.accounts import add_account
from docgen.pipeline.drafting import make_preview, new_draft, save_draft, view_draft
from docgen.pipeline.office import ArchiveView
from docgen.pipeline.prepare import converter_for
from docgen.pipeline.searching import build_query, search_archive
from docgen.pipeline.workspace import Workspace
from docgen.web.app import BROWSE_PAGE, RESULTS

CLIENTS = 8
PACED_PAGES = 60  # pages each clerk reads at an office pace
PREVIEWS = 8  # draft changes whose preview refresh is timed
PASSWORD = "bench-password-1"
READY_TIMEOUT_S = 60
PREVIEW_TIMEOUT_S = 120


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


@contextlib.contextmanager
def signed_in(base: str, name: str) -> Iterator[httpx.Client]:
    """A client with its own account's session, as a browser has it after 登录."""
    with httpx.Client(base_url=base, timeout=60) as web:
        answer = web.post("/login", data={"name": name, "password": PASSWORD})
        assert answer.status_code == 303, answer.text[:200]
        yield web


def over_http(
    base: str, asked: dict[str, list[str]], browse_pages: list[int], *, paced: bool
) -> dict[str, list[float]]:
    """Each client runs through the queries and browse pages; latencies by kind.

    ``paced``: as clerks work, each reading a page for 0.2–1.0 s before the next (a search box
    asks at most every 400 ms of a pause in typing), ``PACED_PAGES`` pages each; otherwise flat
    out, every query and page by every client with no pause: what the server can take.
    """
    timings: dict[str, list[float]] = {kind: [] for kind in [*asked, "浏览"]}
    lock = threading.Lock()

    def clerk(n: int) -> None:
        offset, pace = n * 7, random.Random(n)
        work = [(kind, "/search", {"q": t}) for kind, texts in asked.items() for t in texts[offset:] + texts[:offset]]
        work += [("浏览", "/browse", {"page": str(p)}) for p in browse_pages[offset:] + browse_pages[:offset]]
        pace.shuffle(work)
        with signed_in(base, f"科员{n}") as web:
            for kind, path, params in work[:PACED_PAGES] if paced else work:
                if paced:
                    time.sleep(pace.uniform(0.2, 1.0))
                started = time.perf_counter()
                answer = web.get(path, params=params)
                took = time.perf_counter() - started
                assert answer.status_code == 200, answer.text[:200]
                with lock:
                    timings[kind].append(took)

    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        for done in [pool.submit(clerk, n) for n in range(CLIENTS)]:
            done.result()  # a client's failure is the benchmark's
    return timings


def draft_changes(n: int) -> list[dict[str, str]]:
    """What a drafter types, one change after another: the body grows a paragraph each time."""
    body = ["为做好年底安全生产工作，现就有关事项通知如下。"]
    changes = []
    for i in range(n):
        body.append(f"第{i + 1}项：请各单位于12月{10 + i}日前报送自查情况，联系电话0750-7115128。")
        changes.append({"notice.recipients": "各镇人民政府（街道办事处），市有关单位", "notice.body": "\n".join(body)})
    return changes


def preview_refreshes(base: str) -> list[float]:
    """A drafter changes a draft; seconds from each save until the page shows the new pages."""
    took = []
    with signed_in(base, "拟稿人") as web:
        page = web.get("/drafts").text
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert token is not None
        made = web.post("/drafts/new", data={"csrf": token[1], "kind": "notice", "title": "关于开展年终安全检查的通知"})
        draft = str(made.headers["location"])
        for change in draft_changes(PREVIEWS):
            started = time.perf_counter()
            saved = web.post(f"{draft}/save", data={"csrf": token[1], **change}, headers={"hx-request": "true"})
            assert saved.status_code == 200, saved.text[:300]
            revision = re.search(r"已保存第 (\d+) 稿", saved.text)
            assert revision is not None
            deadline = time.monotonic() + PREVIEW_TIMEOUT_S
            while f"版面预览：第 {revision[1]} 稿" not in web.get(f"{draft}/preview").text:
                assert time.monotonic() < deadline, "the preview did not come"
                time.sleep(0.05)
            took.append(time.perf_counter() - started)
    return took


def in_process_previews(ws: Path) -> list[float]:
    """The baseline: the same changes saved and previewed in this process, with one warm LibreOffice."""
    workspace = Workspace.open(ws, env={})
    drafter = add_account(workspace, "基准拟稿人", PASSWORD, ["drafter"])
    draft = new_draft(workspace, drafter, "notice", "关于开展年终安全检查的通知（基准）")
    took = []
    with converter_for(workspace.settings) as converter:
        make_preview(workspace, draft.id, converter)  # the first start of LibreOffice is not a refresh
        for change in draft_changes(PREVIEWS):
            started = time.perf_counter()
            values = {**view_draft(workspace, draft.id).values, **change}
            save_draft(workspace, drafter, draft.id, values)
            make_preview(workspace, draft.id, converter)
            took.append(time.perf_counter() - started)
    return took


def main() -> None:  # noqa: PLR0915 - one benchmark, told in order
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    asked_count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as tmp_name:
        ws = Path(tmp_name)
        (ws / "docgen.toml").write_text(
            '[issuer]\nname = "恩平市科工商务局"\nprefix = "恩科工商务字"\n', encoding="utf-8"
        )
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
        pages = -(-count // BROWSE_PAGE)
        browse_pages = [random.Random(n).randint(1, pages) for n in range(asked_count)]

        baseline: dict[str, list[float]] = {kind: [] for kind in [*asked, "浏览"]}
        # The workspace keeps its index across searches, as the server keeps it.
        for kind, texts in asked.items():
            for text in texts:
                started = time.perf_counter()
                search_archive(workspace, build_query(text, limit=RESULTS))
                baseline[kind].append(time.perf_counter() - started)
        view = ArchiveView(workspace)
        for page in browse_pages:
            started = time.perf_counter()
            view.facets()
            view.listing()[(page - 1) * BROWSE_PAGE : page * BROWSE_PAGE]
            baseline["浏览"].append(time.perf_counter() - started)
        for n in range(CLIENTS):
            add_account(workspace, f"科员{n}", PASSWORD, ["archivist"])
        add_account(workspace, "拟稿人", PASSWORD, ["drafter"])
        preview_baseline = in_process_previews(ws)

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
                    httpx.get(base + "/login", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                    time.sleep(0.1)
            rss_before = peak_rss_mb(server.pid)
            with concurrent.futures.ThreadPoolExecutor(1) as drafting:
                drafter = drafting.submit(preview_refreshes, base)
                timings = over_http(base, asked, browse_pages, paced=True)
                refreshes = drafter.result()
            started = time.perf_counter()
            flat_out = over_http(base, asked, browse_pages, paced=False)
            http_s = time.perf_counter() - started
            rss_peak = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
    requests = sum(len(t) for t in flat_out.values())
    print(f"archive: {count:,} generated documents, indexed in {indexing_s:.0f} s; {asked_count} queries of each kind")
    print(
        f"{'kind':<8} {'in process p50/p95 [baseline]':>30} {f'{CLIENTS} clerks at office pace':>28} "
        f"{'ratio p95':>10} {f'{CLIENTS} clients flat out':>26}"
    )
    for kind, samples in baseline.items():
        b50, b95 = percentiles(samples)
        h50, h95 = percentiles(timings[kind])
        f50, f95 = percentiles(flat_out[kind])
        print(
            f"{kind:<8} {b50:>17.2f} / {b95:6.2f} ms {h50:>17.1f} / {h95:6.1f} ms {h95 / b95:>9.1f}x "
            f"{f50:>15.1f} / {f95:6.1f} ms"
        )
    paced95 = percentiles([t for ts in timings.values() for t in ts])[1]
    print(f"at office pace: p95 {paced95:.1f} ms over all pages (goal < 50 ms)")
    print(f"flat out: {requests} pages in {http_s:.1f} s ({requests / http_s:.0f} pages/s)")
    b50, b95 = percentiles(preview_baseline)
    h50, h95 = percentiles(refreshes)
    print(
        f"preview refresh ({PREVIEWS} changes): in process {b50 / 1000:.2f} / {b95 / 1000:.2f} s; "
        f"through the page, while the {CLIENTS} clerks search, {h50 / 1000:.2f} / {h95 / 1000:.2f} s (p50/p95)"
    )
    print(f"server memory: {rss_before:.0f} MB after start, peak {rss_peak:.0f} MB")


if __name__ == "__main__":
    main()
