"""Issuing as queued work: ``docgen issue --queue`` puts a case in the city's job queue, ``docgen worker`` does it.

Any number of workers on any machine that sees the workspace take jobs one at a time, each with
one LibreOffice kept warm for all its jobs. A worker renews its job's lease while it works; a
worker killed mid-way leaves the job to be taken again once the lease runs out, and issuing it
again finishes it without archiving anything twice (``issue_case`` is idempotent per document).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from docgen._io import acting_as, atomic_write_bytes, current_user
from docgen.convert.libreoffice import Converter
from docgen.errors import DocgenError
from docgen.faults import pause_point
from docgen.jobs import JOB_STATES, LEASE_SECONDS, Job, JobStore
from docgen.pipeline.drafting import issue_draft, waiting_jobs
from docgen.pipeline.issue import issue_case
from docgen.pipeline.numbers import case_in_workspace, case_reference
from docgen.pipeline.prepare import converter_for
from docgen.pipeline.workspace import Workspace

ISSUE_CASE = "issue_case"
ISSUE_DRAFT = "issue_draft"  # a draft signed off in the browser: its 正本 and 发文稿纸
POLL_SECONDS = 1.0


def job_store(ws: Workspace) -> JobStore:
    """The workspace's job queue: the city's database, or an error saying what is missing."""
    if ws.jobs is None:
        msg = "任务队列在城市版的数据库中：先在 docgen.toml 的 [city] 写明 database。本机签发直接运行 docgen issue。"
        raise DocgenError(msg)
    return ws.jobs


def queue_issue(
    ws: Workspace,
    case_path: Path,
    *,
    kinds: list[str] | None = None,
    enterprise: str | None = None,
    reason: str | None = None,
    lint: bool = True,
) -> Job:
    """Queue a case for issuing by a worker, as the clerk who queued it."""
    if not case_path.is_file():
        msg = f"案卷文件 {case_path} 不存在。"
        raise DocgenError(msg)
    payload = {
        # Named as the registry names it (relative to the workspace when inside it), with its text:
        # a worker on another machine writes it at the same place in its own workspace.
        "case": case_reference(case_path, ws),
        "text": case_path.read_text(encoding="utf-8"),
        "kinds": kinds,
        "enterprise": enterprise,
        "reason": reason,
        "lint": lint,
    }
    return job_store(ws).enqueue(ISSUE_CASE, payload, current_user())


def queue_draft(ws: Workspace, draft_id: str) -> bool:
    """Queue a signed-off draft for issuing by a worker (the city's 签发 in the browser); False when it was already.

    Asked again for a draft already queued, running or issued (a restarted server taking up
    what it left), nothing is queued twice.
    """
    pause_point("draft-before-queue")
    return job_store(ws).enqueue_once(ISSUE_DRAFT, {"draft": draft_id}, current_user())[1]


def queue_waiting_drafts(ws: Workspace) -> int:
    """Queue every signed-off draft no job holds (a server killed between 签发 and its job); how many."""
    return sum(queue_draft(ws, draft.id) for draft in waiting_jobs(ws))


def worker_name() -> str:
    """This worker as the queue records it: machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_worker(
    ws: Workspace,
    *,
    once: bool = False,
    idle_exit: float | None = None,
    lease: float = LEASE_SECONDS,
    say: Callable[[str], None] = lambda _: None,
) -> int:
    """Take and do jobs until told to stop (``once``: one job; ``idle_exit``: after that long with none).

    ``once`` with ``idle_exit`` waits up to that long for its one job.

    Returns how many jobs were done (or failed for good).
    """
    jobs = job_store(ws)
    name = worker_name()
    done = 0
    idle_since = time.monotonic()
    with contextlib.ExitStack() as stack:
        converter: Converter | None = None
        while True:
            job = jobs.take(name, lease)
            if job is None:  # --once alone: none now, done; with --idle-exit: wait that long for one
                idle = time.monotonic() - idle_since
                if (once and idle_exit is None) or (idle_exit is not None and idle >= idle_exit):
                    return done
                time.sleep(POLL_SECONDS)
                continue
            say(f"任务 {job.id}（第 {job.attempts} 次）：{job.payload.get('case')}")
            if converter is None:  # one LibreOffice for every job of this worker, started at the first
                converter = stack.enter_context(converter_for(ws.settings))
            with _renewing(jobs, job, name, lease):
                try:
                    result = _do(ws, job, converter)
                except DocgenError as exc:
                    jobs.fail(job, name, exc.message)
                    say(f"任务 {job.id} 失败：{exc.message}")
                else:
                    jobs.finish(job, name, result)
                    say(f"任务 {job.id} 完成")
            done += 1
            idle_since = time.monotonic()
            if once:
                return done


@contextlib.contextmanager
def _renewing(jobs: JobStore, job: Job, worker: str, lease: float) -> Iterator[None]:
    """Renew the job's lease every third of it while the block runs."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease / 3):
            with contextlib.suppress(DocgenError):  # a missed renewal: the next one, or the lease runs out
                jobs.renew(job, worker, lease)

    thread = threading.Thread(target=renew, name=f"docgen-lease-{job.id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _case_here(ws: Workspace, reference: str, text: str | None) -> tuple[Workspace, Path]:
    """The queued case file on this machine, and the workspace naming it as the one that queued it did.

    Queued from this very workspace: its own file. Queued from another (another machine, another
    clerk's folder): the job's text, written under ``.cache/origins/<origin>/``, never a file of
    this workspace that happens to have the same name.
    """
    origin, name = case_in_workspace(reference)
    if origin == ws.origin or text is None:
        return ws, Path(name) if Path(name).is_absolute() else ws.root / name
    if Path(name).is_absolute() or ".." in Path(name).parts:
        msg = f"案卷 {name} 不在排队的工作区内：放在工作区内的案卷，其他机器上的 worker 才能签发。"
        raise DocgenError(msg)
    named = ws.with_origin(origin, ws.root / ".cache" / "origins" / (origin or "_"))
    path = named.root / name
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        atomic_write_bytes(path, text.encode("utf-8"))
    return named, path


def _do(ws: Workspace, job: Job, converter: Converter) -> Any:
    p = job.payload
    if job.kind == ISSUE_DRAFT:  # the draft's flow says who signed it: the archive records that person
        draft = issue_draft(ws, str(p["draft"]))
        return draft.issued
    if job.kind != ISSUE_CASE:
        msg = f"不认识的任务类型 {job.kind}。"
        raise DocgenError(msg)
    named, case = _case_here(ws, str(p["case"]), p.get("text"))
    with acting_as(job.queued_by):  # the ledger and the log record the clerk who queued it
        issued = issue_case(
            case,
            named,
            kinds=p.get("kinds"),
            enterprise=p.get("enterprise"),
            reason=p.get("reason"),
            lint=bool(p.get("lint", True)),
            converter=converter,
        )
    return [{"status": i.status.value, "number": i.number, "title": i.title, "path": str(i.path)} for i in issued]


__all__ = [
    "ISSUE_CASE",
    "ISSUE_DRAFT",
    "JOB_STATES",
    "job_store",
    "queue_draft",
    "queue_issue",
    "queue_waiting_drafts",
    "run_worker",
    "worker_name",
]
