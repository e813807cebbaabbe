"""``make city``: the example issued by two workers and shown by two servers, over one database and one bucket.

Two workspace folders stand for two machines (``server-a``, ``server-b``): each names the same
PostgreSQL and the same bucket and keeps its own cache of the archive. The example's eight
documents are queued as eight jobs; a worker on each machine takes them; then a ``docgen serve``
on each machine answers, and each serves the PDFs the other's worker archived. The run ends
with ``archive verify`` (every copy read back from the bucket) and ``number check``.

Usage: ``python -m tools.city_demo FOLDER`` (the services started by ``python -m tools.city start FOLDER``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tools.city import free_port

ORGAN = "恩平市科工商务局"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "enping-2021" / "case.yaml"
ENTERPRISES = ("hengda", "yuexi", "huayi", "jinjiang", "lianhua", "jinpeng")
JOBS = [["-k", "set"], ["-k", "announcement"]] + [["-k", "acceptance", "--enterprise", e] for e in ENTERPRISES]
WAIT_S = 600


def say(text: str) -> None:
    """One line for the person running the demo."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def docgen(ws: Path, *args: str) -> str:
    """Run one docgen command in ``ws``; its output (a failure stops the demo with docgen's own message)."""
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "-w", str(ws), *args], check=False, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)
    return done.stdout


def fetch(port: int, path: str) -> bytes:
    """A page or file from the server on ``port`` of this machine."""
    url = f"http://127.0.0.1:{port}{urllib.parse.quote(path, safe='/?=&')}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


def wait_for(port: int) -> None:
    """Until the server on ``port`` answers (a minute at most)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            fetch(port, "/")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        else:
            return


def main(folder: Path) -> int:
    """The demo in ``folder`` (where ``tools.city`` started the services); 0 when every check held."""
    settings = (folder / "city.toml").read_text(encoding="utf-8") + f'organ = "{ORGAN}"\n'
    machines = [folder / "server-a", folder / "server-b"]
    for ws in machines:
        shutil.rmtree(ws, ignore_errors=True)
        ws.mkdir(parents=True)
        (ws / "docgen.toml").write_text(settings, encoding="utf-8")
    shutil.copy(EXAMPLE, machines[0] / "case.yaml")
    for args in JOBS:  # queued on machine A; any worker on any machine takes them
        docgen(machines[0], "issue", str(machines[0] / "case.yaml"), *args, "--queue")
    say(f"已排队 {len(JOBS)} 个签发任务；两台机器上各一个 docgen worker……")
    env = {**os.environ, "PYTHONPATH": str(EXAMPLE.parents[2])}
    workers = [
        subprocess.Popen([sys.executable, "-m", "docgen", "-w", str(ws), "worker", "--idle-exit", "5"], env=env)
        for ws in machines
    ]
    for worker in workers:
        worker.wait(timeout=WAIT_S)
    jobs = json.loads(docgen(machines[1], "jobs", "--json"))
    by_worker: dict[str, int] = {}
    for job in jobs:
        by_worker[str(job.get("taken_by"))] = by_worker.get(str(job.get("taken_by")), 0) + 1
    failed = [job for job in jobs if job["state"] != "done"]
    say("任务：" + "；".join(f"{w} 做了 {n} 个" for w, n in sorted(by_worker.items())))
    if failed:
        sys.stderr.write(f"有 {len(failed)} 个任务没有完成：{failed}\n")
        return 1
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "docgen", "-w", str(ws), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for ws, port in zip(machines, ports, strict=True)
    ]
    try:
        for port in ports:
            wait_for(port)
        listed = json.loads(docgen(machines[1], "archive", "list", "--json"))
        for ws, port in zip(machines, ports, strict=True):
            pdfs = 0
            for meta in listed:
                from docgen.pipeline.office import document_id  # noqa: PLC0415 - after the services are up

                pdf = fetch(port, f"/doc/{document_id(meta['path'])}/document.pdf")
                pdfs += pdf.startswith(b"%PDF-")
            page = fetch(port, "/search?q=华艺陶瓷").decode("utf-8")
            found = "找到" if "华艺" in page else "没有找到"
            say(f"{ws.name}（http://127.0.0.1:{port}/）：{pdfs} 份 PDF 可下载；检索“华艺陶瓷”：{found}")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    say(docgen(machines[1], "number", "list"))
    say(docgen(machines[1], "archive", "verify"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
