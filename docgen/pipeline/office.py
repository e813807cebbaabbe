"""What the office sees in a browser: the archive held in memory, one document, search, the ledger.

A server answers many pages between two stores, so the archive's metadata and events are read
once and read again only when ``events.jsonl`` has grown (every store appends to it). Documents
are named in URLs by an opaque id derived from their folder, never by a path: nothing a URL
says reaches the disk except through this table.
"""

from __future__ import annotations

import hashlib
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from docgen.archive.paths import DOCUMENT_DOCX, DOCUMENT_PDF, DRAFT_SHEET, ORIGINAL_DOCX, ORIGINAL_PDF, safe_name
from docgen.archive.records import ArchiveMeta
from docgen.archive.verify import VerifyReport
from docgen.errors import DocgenError
from docgen.numbering.registry import Allocation, NumberRecord
from docgen.numbering.service import RunReport
from docgen.pipeline.numbers import NOTHING_CONFIRMED, Confirmed, check_numbers, number_for_draft
from docgen.pipeline.workspace import Workspace
from docgen.vocab import clip

SERVED_FILES = (DOCUMENT_PDF, DOCUMENT_DOCX, ORIGINAL_PDF, ORIGINAL_DOCX, DRAFT_SHEET)  # what a page may hand out
FILE_LABELS = {  # each served file as its download button says it
    DOCUMENT_PDF: "PDF/A",
    DOCUMENT_DOCX: "DOCX",
    ORIGINAL_PDF: "原件 PDF",
    ORIGINAL_DOCX: "原件 DOCX",
    DRAFT_SHEET: "发文稿纸",
}
DOWNLOAD_NOTES = {
    ORIGINAL_PDF: "（原件）",
    ORIGINAL_DOCX: "（原件）",
    DRAFT_SHEET: "（发文稿纸）",
}  # in the file's name
DOCUMENT_ID_CHARS = 16
T = TypeVar("T")
MEMO_ENTRIES = 256  # filter combinations remembered per archive generation
EVENT_FIELDS = (
    "time", "user", "event", "reason", "version", "number", "path", "year", "ok", "title", "failed",
    "account", "action", "detail", "draft", "roles", "active", "seq",
)  # fmt: skip


def _newest_versions(metas: list[ArchiveMeta]) -> list[ArchiveMeta]:
    """Of each document, its newest version, in the order given."""
    newest: dict[str, ArchiveMeta] = {}
    for meta in metas:
        key = str(meta.get("identity") or meta["path"])
        if key not in newest or int(meta.get("version", 1)) > int(newest[key].get("version", 1)):
            newest[key] = meta
    return [m for m in metas if newest.get(str(m.get("identity") or m["path"])) is m]


def document_id(path: str) -> str:
    """The id of an archive folder in URLs: stable, opaque, not a path."""
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:DOCUMENT_ID_CHARS]


@dataclass(frozen=True)
class Facets:
    """Counts for browsing: by year and month, by kind, by enterprise."""

    months: dict[str, Counter[str]]  # year → month → documents
    kinds: Counter[str]
    enterprises: Counter[str]


@dataclass(frozen=True)
class DocumentView:
    """One document as its page shows it."""

    id: str
    meta: ArchiveMeta
    versions: list[ArchiveMeta]  # every version of the same document, oldest first
    events: list[dict[str, Any]]
    verified: VerifyReport
    files: list[str]  # of SERVED_FILES, those this document has


class ArchiveView:
    """The archive's metadata and events, cached until the event log grows; safe across threads."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.archive = ws.archive
        self._lock = threading.Lock()
        self._generation: tuple[int, int] | None = None
        self._metas: list[ArchiveMeta] = []
        self._by_id: dict[str, ArchiveMeta] = {}
        self._events: list[dict[str, Any]] = []
        self._latest: list[ArchiveMeta] = []
        # Browse pages asked again and again (page 2, page 3 of one filter) share one counting.
        self._memo: dict[tuple[str, tuple[str | None, ...]], Any] = {}

    def _fresh(self) -> None:
        generation = self.ws.changed()
        with self._lock:
            if generation == self._generation and generation[0] >= 0:
                return
            metas = self.archive.metas() if self.archive.exists() else []
            events = [{k: e[k] for k in EVENT_FIELDS if k in e} for e in self.archive.log.events()]
            self._metas = sorted(metas, key=lambda m: (str(m.get("date", "")), m["path"]), reverse=True)
            self._by_id = {document_id(m["path"]): m for m in metas}
            self._events = events
            self._latest = _newest_versions(self._metas)
            self._memo = {}
            self._generation = generation

    def metas(self) -> list[ArchiveMeta]:
        """Every document folder's metadata, newest date first."""
        self._fresh()
        return self._metas

    def events(self) -> list[dict[str, Any]]:
        """Every event, in the order logged (only the fields a page shows)."""
        self._fresh()
        return self._events

    def audit(self, who: str = "", event: str = "", day_from: str = "", day_to: str = "") -> list[dict[str, Any]]:
        """The events one person did (or was refused), of one kind, between two days; newest first."""
        found = []
        for e in reversed(self.events()):
            day = str(e.get("time", ""))[:10]
            if (who and who not in (e.get("user"), e.get("account"))) or (event and e.get("event") != event):
                continue
            if (day_from and day < day_from) or (day_to and day > day_to):
                continue
            found.append(e)
        return found

    def issuers(self) -> list[str]:
        """The organs the office has issued as (docgen's own documents), the most frequent first."""
        counted = Counter(str(m["issuer"]) for m in self.metas() if m.get("source") == "docgen" and m.get("issuer"))
        return [name for name, _ in counted.most_common()]

    def latest(self) -> list[ArchiveMeta]:
        """The newest version of each document, newest date first."""
        self._fresh()
        return self._latest

    def _remembered(self, what: str, key: tuple[str | None, ...], compute: Callable[[], T]) -> T:
        """``compute()`` once per archive generation and ``key``: a browse page's counts cost one pass."""
        self._fresh()
        memo = self._memo
        if (what, key) not in memo:
            if len(memo) > MEMO_ENTRIES:
                memo.clear()
            memo[what, key] = compute()
        found: T = memo[what, key]
        return found

    def facets(
        self, year: str | None = None, month: str | None = None, kind: str | None = None, enterprise: str | None = None
    ) -> Facets:
        """Counts of the newest versions by year and month, kind and enterprise.

        Each group counts under the other groups' filters, so a count is what its link shows:
        in 2021 年 10 月, 报告 1 means one 报告 of that month.
        """
        return self._remembered(
            "facets", (year, month, kind, enterprise), lambda: self._facets(year, month, kind, enterprise)
        )

    def _facets(self, year: str | None, month: str | None, kind: str | None, enterprise: str | None) -> Facets:
        months: dict[str, Counter[str]] = {}
        for meta in self.listing(None, None, kind, enterprise):
            date = str(meta.get("date", ""))
            months.setdefault(date[:4], Counter())[date[5:7]] += 1
        kinds = Counter(str(meta.get("kind")) for meta in self.listing(year, month, None, enterprise))
        enterprises: Counter[str] = Counter()
        for meta in self.listing(year, month, kind, None):
            enterprises.update({str(e.get("name")) for e in meta.get("enterprises", []) if e.get("name")})
        return Facets(dict(sorted(months.items(), reverse=True)), kinds, enterprises)

    def listing(
        self, year: str | None = None, month: str | None = None, kind: str | None = None, enterprise: str | None = None
    ) -> list[ArchiveMeta]:
        """The newest versions that match every filter given (an enterprise by its full name)."""
        return self._remembered(
            "listing", (year, month, kind, enterprise), lambda: self._listing(year, month, kind, enterprise)
        )

    def _listing(
        self, year: str | None, month: str | None, kind: str | None, enterprise: str | None
    ) -> list[ArchiveMeta]:
        found = []
        for meta in self.latest():
            date = str(meta.get("date", ""))
            if (year and date[:4] != year) or (month and date[5:7] != month):
                continue
            if kind and meta.get("kind") != kind:
                continue
            if enterprise and enterprise not in {e.get("name") for e in meta.get("enterprises", [])}:
                continue
            found.append(meta)
        return found

    def bundle(self, doc_ids: list[str], target: Path) -> tuple[int, list[str]]:
        """The PDFs of the documents named, as one ZIP at ``target``; (how many, titles left out).

        Only what a document page would hand out goes in: its ``document.pdf``, never one marked
        secret unless the office shows such documents. Each file is named by 文号 and title.
        """
        added, withheld, names = 0, [], set()
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as bundle:  # PDFs are compressed already
            for doc_id in dict.fromkeys(doc_ids):
                meta = self.find(doc_id)
                path = self.file(doc_id, DOCUMENT_PDF) if meta else None
                if meta is None or path is None:
                    continue
                if meta.get("secrecy") and not self.ws.settings.show_classified:
                    withheld.append(str(meta.get("title", "")))
                    continue
                stem = safe_name(f"{meta.get('number') or meta.get('date', '')} {meta.get('title', '')}".strip())
                name = next(
                    n for i in range(1, 10_000) if (n := f"{stem}{f' ({i})' if i > 1 else ''}.pdf") not in names
                )
                names.add(name)
                bundle.write(path, name)
                added += 1
        return added, withheld

    def find(self, doc_id: str) -> ArchiveMeta | None:
        """The document folder an id names, or None."""
        self._fresh()
        return self._by_id.get(doc_id)

    def document(self, doc_id: str) -> DocumentView | None:
        """Everything the page of one document shows; its files are re-hashed now."""
        meta = self.find(doc_id)
        if meta is None:
            return None
        identity = meta.get("identity")
        versions = sorted(
            [m for m in self.metas() if identity and m.get("identity") == identity],
            key=lambda m: int(m.get("version", 1)),
        ) or [meta]
        paths = {m["path"] for m in versions}
        number = meta.get("number")
        # An event about a folder belongs to that folder; one about a number alone (voided) to
        # every document printing it. A scan repeating a number never shows another's issue.
        events = [
            e
            for e in self.events()
            if e.get("path") in paths or (not e.get("path") and number and e.get("number") == number)
        ]
        files = [name for name in SERVED_FILES if name in meta.get("files", {})]
        return DocumentView(doc_id, meta, versions, events, self.archive.verify_folder(meta["path"]), files)

    def file(self, doc_id: str, name: str) -> Path | None:
        """The stored file ``name`` of a document, only if its records list it and it may be served."""
        meta = self.find(doc_id)
        if meta is None or name not in SERVED_FILES or name not in meta.get("files", {}):
            return None
        path = self.archive.file_path(meta["path"], name)
        inside = path.resolve().is_relative_to(self.ws.settings.archive_dir.resolve())
        return path if inside and path.is_file() and not path.is_symlink() else None


@dataclass
class Ledger:
    """The ledger of one 机关代字 and year, with what is known of its run."""

    prefix: str | None
    year: int | None
    records: list[NumberRecord]
    runs: list[RunReport]
    prefixes: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)


def ledger(ws: Workspace, year: int | None = None, prefix: str | None = None) -> Ledger:
    """Numbers used and voided, and gaps, for a year and prefix (each optional)."""
    everything = ws.numbers.records()
    records = [r for r in everything if (year is None or r.year == year) and (prefix is None or r.prefix == prefix)]
    runs = [run for run in (check_numbers(ws, year) if everything else []) if prefix is None or run.prefix == prefix]
    return Ledger(
        prefix,
        year,
        sorted(records, key=lambda r: (r.prefix, r.year, r.seq)),
        runs,
        sorted({r.prefix for r in everything}),
        sorted({r.year for r in everything}, reverse=True),
    )


def take_number(
    ws: Workspace, prefix: str, year: str, title: str, confirmed: Confirmed = NOTHING_CONFIRMED
) -> Allocation:
    """The next number for a document drafted outside docgen (a form's fields, as typed).

    The same registry call as ``docgen number next --prefix --year --title``.
    """
    if not re.fullmatch(r"[0-9]{4}", year.strip()):
        msg = f"年份应为四位数字，例如 2021，现为“{clip(year, 20)}”。"
        raise DocgenError(msg)
    return number_for_draft(ws, prefix, int(year), title, confirmed)
