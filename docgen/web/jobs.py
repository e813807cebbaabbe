"""The server's background work: previews of drafts as they change, and issuing signed-off drafts.

Two daemon threads, started on first use. Previews coalesce: a draft saved five times while one
preview renders gets one more preview, of its latest text; one LibreOffice stays up for them.
Issuing runs one draft at a time with the pipeline's own converter; its progress is the draft's
flow record, so a page polls it and a browser closed mid-way misses nothing. A server stopped
mid-issue takes the draft up again when it starts (``resume``): issuing is idempotent.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable

from docgen._io import acting_as
from docgen.errors import DocgenError
from docgen.pipeline.drafting import Previewer, issue_draft, waiting_jobs
from docgen.pipeline.working import queue_draft, queue_waiting_drafts
from docgen.pipeline.workspace import Workspace

RESUME_RETRY_S = 10.0  # how often a server that started without its database asks again


class DraftWork:
    """The two queues and their threads for one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._issues: queue.Queue[str] = queue.Queue()
        self._previews: set[str] = set()
        self._previewing: set[str] = set()
        self._wake = threading.Condition()
        self._started: set[str] = set()
        self._lock = threading.Lock()

    def _start(self, name: str, target: Callable[[], None]) -> None:
        with self._lock:
            if name not in self._started:
                self._started.add(name)
                threading.Thread(target=target, name=f"docgen-{name}", daemon=True).start()

    # --- issuing -------------------------------------------------------------------------------

    def issue(self, draft_id: str) -> None:
        """Queue a signed-off draft for issuing: the city's job queue (any worker), else this server's thread."""
        if self.ws.jobs is not None:
            queue_draft(self.ws, draft_id)
            return
        self._issues.put(draft_id)
        self._start("issue", self._issue_loop)

    def resume(self) -> int:
        """Queue every draft a stopped server left signed off but not archived; how many.

        The city's queue keeps its jobs through any restart; a draft signed off by a server killed
        before it queued the job is queued now (once, however many servers start).
        """
        if self.ws.jobs is not None:
            try:
                return queue_waiting_drafts(self.ws)
            except DocgenError:  # the database out of reach: every page says so; queue them once it answers
                self._start("resume", self._resume_when_reachable)
                return 0
        waiting = waiting_jobs(self.ws)
        for draft in waiting:
            self.issue(draft.id)
        return len(waiting)

    def _resume_when_reachable(self) -> None:
        while True:
            time.sleep(RESUME_RETRY_S)
            with contextlib.suppress(DocgenError):
                queue_waiting_drafts(self.ws)
                return

    def _issue_loop(self) -> None:
        while True:
            draft_id = self._issues.get()
            with contextlib.suppress(Exception), acting_as(None):  # the draft's record says how it ended
                issue_draft(self.ws, draft_id)

    # --- previews ------------------------------------------------------------------------------

    def preview(self, draft_id: str) -> None:
        """Ask for a fresh preview of the draft (one more, whatever number of asks come meanwhile)."""
        with self._wake:
            self._previews.add(draft_id)
            self._wake.notify()
        self._start("preview", self._preview_loop)

    def busy(self, draft_id: str) -> bool:
        """Whether a preview of the draft is waiting or being made."""
        with self._wake:
            return draft_id in self._previews or draft_id in self._previewing

    def _preview_loop(self) -> None:
        previewer = Previewer(self.ws)
        while True:
            with self._wake:
                while not self._previews:
                    self._wake.wait()
                draft_id = self._previews.pop()
                self._previewing.add(draft_id)
            try:
                previewer.make(draft_id)
            except Exception:  # noqa: S110 - a preview that cannot be made leaves the last good one
                pass
            finally:
                with self._wake:
                    self._previewing.discard(draft_id)


__all__ = ["DraftWork"]
