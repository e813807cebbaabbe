"""Jobs: work queued in the city's database and taken by ``docgen worker`` processes on any machine.

A job is taken with ``SELECT … FOR UPDATE SKIP LOCKED``: two workers never take the same job,
and none waits for another. A taken job holds a lease the worker renews while it works; a worker
killed mid-way stops renewing, and when the lease runs out the job is taken again. Running a job
twice is safe by construction: issuing is idempotent (a document's number is found again by its
case file and key; an unchanged document is not archived again; a folder stored but not logged
is recovered), so a job done twice is archived once.

Imports only the shared modules.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Protocol

from docgen.errors import DocgenError
from docgen.pg import Database

LEASE_SECONDS = 120.0  # a worker renews its lease every third of this; a killed one's job waits this long
JOB_STATES = {"queued": "排队", "running": "进行中", "done": "已完成", "failed": "失败"}


class JobError(DocgenError):
    """The job queue cannot be read or written."""


@dataclass(frozen=True)
class Job:
    """One piece of queued work."""

    id: int
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int
    queued_by: str
    queued_at: dt.datetime
    taken_by: str | None = None
    done_at: dt.datetime | None = None
    result: Any = None
    error: str | None = None


class JobStore(Protocol):
    """Where jobs wait; every method is one transaction."""

    def enqueue(self, kind: str, payload: dict[str, Any], by: str) -> Job:
        """A new job, queued."""

    def enqueue_once(self, kind: str, payload: dict[str, Any], by: str) -> tuple[Job, bool]:
        """The job for this very work: one queued, running or done already, else a new one (and True)."""

    def take(self, worker: str, lease_seconds: float = LEASE_SECONDS) -> Job | None:
        """The oldest job nobody holds (queued, or running with its lease run out), now held by ``worker``."""

    def renew(self, job: Job, worker: str, lease_seconds: float = LEASE_SECONDS) -> bool:
        """Extend a held job's lease; False when another worker has taken it since."""

    def finish(self, job: Job, worker: str, result: Any) -> None:
        """Record a job done."""

    def fail(self, job: Job, worker: str, error: str) -> None:
        """Record a job that cannot be done (its error said); it is not taken again."""

    def get(self, job_id: int) -> Job | None:
        """One job, or None."""

    def recent(self, limit: int = 50) -> list[Job]:
        """The newest jobs first."""


_COLUMNS = "id, kind, payload, state, attempts, queued_by, queued_at, taken_by, done_at, result, error"


class PgJobs:
    """One organ's jobs in the city database."""

    def __init__(self, database: Database, organ: str) -> None:
        self.database = database
        self.organ = organ

    def _transaction(self) -> contextlib.AbstractContextManager[Any]:
        return self.database.transaction("任务队列", JobError)

    def enqueue(self, kind: str, payload: dict[str, Any], by: str) -> Job:
        """A new job, queued."""
        with self._transaction() as conn:
            return self._insert(conn, kind, payload, by)

    def _insert(self, conn: Any, kind: str, payload: dict[str, Any], by: str) -> Job:
        row = conn.execute(
            "INSERT INTO jobs (organ, kind, payload, queued_by) VALUES (%s, %s, %s::jsonb, %s)"  # noqa: S608
            f" RETURNING {_COLUMNS}",
            (self.organ, kind, json.dumps(payload, ensure_ascii=False), by),
        ).fetchone()
        return Job(*row)

    def enqueue_once(self, kind: str, payload: dict[str, Any], by: str) -> tuple[Job, bool]:
        """The job for this very work if one is queued, running or done; else a new one (and True).

        A server killed between a draft's sign-off and its job asks again when it starts: the
        advisory lock on the work makes two servers asking at once queue it once.
        """
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self._transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('docgen-job'), hashtext(%s))", (f"{kind}{text}",))
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE organ = %s AND kind = %s AND payload = %s::jsonb"  # noqa: S608
                " AND state IN ('queued', 'running', 'done') ORDER BY id DESC LIMIT 1",
                (self.organ, kind, text),
            ).fetchone()
            if row is not None:
                return Job(*row), False
            return self._insert(conn, kind, payload, by), True

    def take(self, worker: str, lease_seconds: float = LEASE_SECONDS) -> Job | None:
        """The oldest job nobody holds, now held by ``worker`` for ``lease_seconds``."""
        with self._transaction() as conn:
            row = conn.execute(
                f"UPDATE jobs SET state = 'running', attempts = attempts + 1, taken_by = %s,"  # noqa: S608
                " lease_until = now() + make_interval(secs => %s)"
                " WHERE id = (SELECT id FROM jobs WHERE organ = %s AND (state = 'queued'"
                " OR (state = 'running' AND lease_until < now())) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                f" RETURNING {_COLUMNS}",
                (worker, lease_seconds, self.organ),
            ).fetchone()
        return Job(*row) if row else None

    def renew(self, job: Job, worker: str, lease_seconds: float = LEASE_SECONDS) -> bool:
        """Extend the lease of a job this worker holds."""
        with self._transaction() as conn:
            done = conn.execute(
                "UPDATE jobs SET lease_until = now() + make_interval(secs => %s)"
                " WHERE id = %s AND taken_by = %s AND state = 'running'",
                (lease_seconds, job.id, worker),
            )
        return bool(done.rowcount)

    def _end(self, job: Job, worker: str, state: str, result: Any, error: str | None) -> None:
        with self._transaction() as conn:
            conn.execute(
                "UPDATE jobs SET state = %s, done_at = now(), result = %s::jsonb, error = %s, lease_until = NULL"
                " WHERE id = %s AND taken_by = %s",
                (state, json.dumps(result, ensure_ascii=False), error, job.id, worker),
            )

    def finish(self, job: Job, worker: str, result: Any) -> None:
        """Record a job done."""
        self._end(job, worker, "done", result, None)

    def fail(self, job: Job, worker: str, error: str) -> None:
        """Record a job that cannot be done."""
        self._end(job, worker, "failed", None, error)

    def get(self, job_id: int) -> Job | None:
        """One job of this organ, or None."""
        with self._transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE id = %s AND organ = %s",  # noqa: S608
                (job_id, self.organ),
            ).fetchone()
        return Job(*row) if row else None

    def recent(self, limit: int = 50) -> list[Job]:
        """The newest jobs of this organ first."""
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE organ = %s ORDER BY id DESC LIMIT %s",  # noqa: S608
                (self.organ, limit),
            ).fetchall()
        return [Job(*row) for row in rows]


__all__ = ["JOB_STATES", "LEASE_SECONDS", "Job", "JobError", "JobStore", "PgJobs"]
