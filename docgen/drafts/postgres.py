"""Drafts in the city's PostgreSQL: the flow and the text every server and every worker of the organ sees.

A draft signed off in one server's browser is issued by a worker on another machine, which
records the outcome in the same row the server reads. The rules are ``DraftBook``'s; this store
keeps the rows. What needs a file (the case a worker issues, a Word draft kept with it, the
preview images) is written to this machine's cache under the workspace's ``drafts/`` folder, in
the same place the embedded store keeps it, so a case file's name is the same on every machine.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from docgen._io import atomic_write_bytes
from docgen.drafts import (
    CASE_FILE,
    KEPT_FILES,
    PREVIEW_DIR,
    Draft,
    DraftBook,
    draft_from,
)
from docgen.errors import FlowError
from docgen.pg import Database, Session


class PgDrafts(DraftBook):
    """One organ's drafts in the city database, with this machine's cache of their files at ``root``."""

    def __init__(self, database: Database, organ: str, root: Path) -> None:
        self.session = Session(database, "docgen-drafts", FlowError)
        self.organ = organ
        self.root = root

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One change to the organ's drafts at a time, on every server (a transaction-level advisory lock)."""
        with self.session.hold(self.organ, "稿件"):
            yield

    def _cached(self, draft_id: str, name: str, data: bytes) -> Path:
        """The file ``name`` of a draft in this machine's cache, written when it is not what is stored."""
        path = self.root / self.checked_id(draft_id) / name
        if not path.is_file() or path.read_bytes() != data:
            atomic_write_bytes(path, data)
        return path

    def case_path(self, draft_id: str) -> Path:
        """The draft's case text as a file on this machine (for rendering and issuing)."""
        return self._cached(draft_id, CASE_FILE, self.text(draft_id).encode("utf-8"))

    def preview_dir(self, draft_id: str) -> Path:
        """This machine's page images of the draft's last good preview."""
        return self.root / self.checked_id(draft_id) / PREVIEW_DIR

    def get(self, draft_id: str) -> Draft | None:
        """The draft, or None when the organ has none of that id."""
        if not self._known(draft_id):
            return None
        with self.session.connection("稿件") as conn:
            row = conn.execute(
                "SELECT flow FROM drafts WHERE organ = %s AND id = %s", (self.organ, draft_id)
            ).fetchone()
        return None if row is None else draft_from(json.loads(row[0]))

    def all(self) -> list[Draft]:
        """Every draft of the organ, newest first."""
        with self.session.connection("稿件") as conn:
            rows = conn.execute("SELECT flow FROM drafts WHERE organ = %s ORDER BY created DESC", (self.organ,))
            return [draft_from(json.loads(row[0])) for row in rows]

    def text(self, draft_id: str) -> str:
        """The draft's case text as saved last."""
        with self.session.connection("稿件") as conn:
            row = conn.execute(
                "SELECT text FROM drafts WHERE organ = %s AND id = %s", (self.organ, self.checked_id(draft_id))
            ).fetchone()
        if row is None:
            msg = f"没有这份稿件：{draft_id}"
            raise FlowError(msg)
        return str(row[0])

    def keep(self, draft_id: str, name: str, data: bytes) -> Path:
        """Keep a file with the draft (the Word draft it was read from, the roles a clerk corrected)."""
        if name not in KEPT_FILES:
            msg = f"稿件不保存这种文件：{name}"
            raise FlowError(msg)
        with self.session.connection("稿件") as conn:
            conn.execute(
                "INSERT INTO draft_files (organ, id, name, data) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (organ, id, name) DO UPDATE SET data = EXCLUDED.data",
                (self.organ, self.checked_id(draft_id), name, data),
            )
        return self._cached(draft_id, name, data)

    def kept(self, draft_id: str, name: str) -> Path | None:
        """A file kept with the draft (written to this machine's cache), or None."""
        if name not in KEPT_FILES or not self._known(draft_id):
            return None
        with self.session.connection("稿件") as conn:
            row = conn.execute(
                "SELECT data FROM draft_files WHERE organ = %s AND id = %s AND name = %s", (self.organ, draft_id, name)
            ).fetchone()
        return None if row is None else self._cached(draft_id, name, bytes(row[0]))

    def _known(self, draft_id: str) -> bool:
        try:
            self.checked_id(draft_id)
        except FlowError:
            return False
        return True

    def _new(self, draft: Draft, text: str) -> None:
        with self.session.connection("稿件") as conn:
            conn.execute(
                "INSERT INTO drafts (organ, id, created, flow, text) VALUES (%s, %s, %s, %s, %s)",
                (self.organ, draft.id, draft.created, self.flow_record(draft).decode("utf-8"), text),
            )
            self._write_text(draft.id, text, 1)

    def _write_text(self, draft_id: str, text: str, revision: int) -> None:
        with self.session.connection("稿件") as conn:
            conn.execute(
                "INSERT INTO draft_history (organ, id, revision, text) VALUES (%s, %s, %s, %s)",
                (self.organ, draft_id, revision, text),
            )
            conn.execute("UPDATE drafts SET text = %s WHERE organ = %s AND id = %s", (text, self.organ, draft_id))

    def _write_flow(self, draft: Draft) -> None:
        with self.session.connection("稿件") as conn:
            conn.execute(
                "UPDATE drafts SET flow = %s WHERE organ = %s AND id = %s",
                (self.flow_record(draft).decode("utf-8"), self.organ, draft.id),
            )


__all__ = ["PgDrafts"]
