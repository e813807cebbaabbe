"""The archive: write-once document folders with checksums, read back through one validating reader.

The tree and its file names are ``paths``'s; the event log is ``log``'s; verification is
``verify``'s. A folder appears under its final name only complete: it is assembled in ``.tmp/``,
every file fsync'd, then renamed into place, all while holding the archive lock. Files are made
read-only; nothing is ever overwritten: a changed document gets a new version folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from docgen._io import atomic_path, current_user, exclusive_lock, fsync_dir, now
from docgen.archive.digests import (
    ALGORITHMS,
    SM3_PROVIDER,
    digest_bytes,
    file_digests,
    manifest_name,
    manifest_text,
    read_manifest,
    write_with_digests,
)
from docgen.archive.log import ArchiveLog, EventLog
from docgen.archive.paths import EVENTS, FILLED_EVENT, LOCK, META, TEXT, TMP, dated_folder, document_folder_name
from docgen.archive.records import ArchiveMeta, DamagedRecordError, read_record, read_stored_text, with_filled
from docgen.archive.verify import VerifyReport, verify_folder, verify_tree
from docgen.errors import ArchiveError, UnsafePathError
from docgen.faults import pause_point

LOCK_TIMEOUT_S = 120.0


def sha256_file(path: Path) -> str:
    """The sha256 of a file a clerk named (a link to it is fine: it is the file meant)."""
    return file_digests(path.resolve(), ("sha256",))["sha256"]


@dataclass(frozen=True)
class StagedDocument:
    """Everything needed to file one document: its files and what it is."""

    identity: str  # the same document across versions, e.g. "case.yaml#set"
    fingerprint: str  # equal fingerprints mean the same content: issuing it again is a no-op
    kind: str
    kind_name: str
    title: str
    date: str  # ISO 成文日期
    files: Mapping[str, Path | bytes]  # name inside the folder -> a file to copy, or the bytes themselves
    meta: ArchiveMeta  # further metadata (issuer, enterprises, pages ...)
    number: str | None = None
    enterprise_name: str | None = None


@dataclass(frozen=True)
class StoreResult:
    """What ``store`` did: "issued", "new_version" or "unchanged"."""

    status: str
    path: Path
    meta: ArchiveMeta


def new_record(staged: StagedDocument, previous: ArchiveMeta | None, reason: str | None) -> ArchiveMeta:
    """The record of a document about to be stored: what it is, its version, who and when (files come later)."""
    return {
        **staged.meta,
        "identity": staged.identity,
        "fingerprint": staged.fingerprint,
        "kind": staged.kind,
        "kind_name": staged.kind_name,
        "title": staged.title,
        "number": staged.number,
        "date": staged.date,
        "version": int(previous["version"]) + 1 if previous else 1,
        "previous": previous["path"] if previous else None,
        "reason": reason if previous else None,
        "archived_at": now(),
        "archived_by": current_user(),
    }


def storing_event(
    staged: StagedDocument, meta: ArchiveMeta, meta_digests: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """The event that records a stored document (its name and fields): the digests the chain vouches for."""
    event = "new_version" if meta.get("previous") else str(staged.meta.get("event", "issued"))
    return event, {
        "path": meta["path"],
        "kind": staged.kind,
        "title": staged.title,
        "number": staged.number,
        "version": meta["version"],
        "reason": meta["reason"],
        "checksums": meta["files"],
        "digests": meta["digests"],
        "meta_digests": meta_digests,
        "sm3_provider": SM3_PROVIDER,
        **({"lint": staged.meta["lint"]} if "lint" in staged.meta else {}),
        **({"conversion": staged.meta["conversion"]} if "conversion" in staged.meta else {}),
    }


class DocumentStore(Protocol):
    """The archive: documents stored once and never overwritten, their records, the event log."""

    log: ArchiveLog
    damaged: dict[str, str]

    def exists(self) -> bool:
        """Whether anything was ever stored."""

    def locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the archive's write lock."""

    def document_folders(self, year: int | None = None) -> Iterator[Path]:
        """Every stored document folder (of one year)."""

    def metas(self, year: int | None = None) -> list[ArchiveMeta]:
        """The record of every stored document (of one year); damaged ones named in ``damaged``."""

    def read_meta(self, relative: str) -> ArchiveMeta:
        """The record of one document folder, checked."""

    def latest(self, identity: str) -> ArchiveMeta | None:
        """The newest version of a document."""

    def store(self, staged: StagedDocument, reason: str | None = None) -> StoreResult:
        """Store one document: a new folder, a new version, or nothing when unchanged."""

    def recover_event(self, meta: ArchiveMeta) -> None:
        """Log a folder a killed process stored but never logged."""

    def file_path(self, relative: str, name: str) -> Path:
        """Where a stored file of a document can be read."""

    def text_of(self, meta: ArchiveMeta) -> str:
        """The stored text of a document (for search), or "" when it has none."""

    def local_copy(self, year: int | None = None) -> None:
        """Every document folder (of one year) whole on this machine, for checks that read folders."""

    def add_sm3(self) -> tuple[list[str], list[str]]:
        """SM3 manifests for folders stored before SM3: (folders done, refused)."""

    def verify(self, year: int | None = None) -> VerifyReport:
        """Every stored file against its digests and the log (of one year)."""

    def verify_folder(self, relative: str) -> VerifyReport:
        """One document folder's files against its digests."""


class Archive:
    """The archive under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.log: ArchiveLog = EventLog(root)
        # Every meta.json read back once for as long as the event log stays the same (every
        # store appends to it, so another process's store shows), and the newest of each document.
        self._all: list[ArchiveMeta] | None = None
        self._damaged_all: dict[str, str] = {}
        self._latest: dict[str, ArchiveMeta] | None = None
        self._generation: tuple[int, int] | None = None
        self._fills: dict[str, list[dict[str, Any]]] | None = None
        self._fills_generation: tuple[int, int] | None = None
        self.damaged: dict[str, str] = {}  # folder → why its meta.json could not be read (see ``metas``)

    # --- locking and the event log ---------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the archive's write lock (other docgen processes wait, up to two minutes)."""
        busy = f"归档库 {self.root} 正被另一个 docgen 进程使用，等待超时。"
        try:
            with exclusive_lock(self.root / LOCK, LOCK_TIMEOUT_S, busy):
                yield
        except TimeoutError as exc:
            raise ArchiveError(str(exc)) from None

    # --- reading -----------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether the archive was ever written (its root folder is there)."""
        return self.root.is_dir()

    def file_path(self, relative: str, name: str) -> Path:
        """Where the file ``name`` of the document folder ``relative`` is read."""
        return self.root / relative / name

    def text_of(self, meta: ArchiveMeta) -> str:
        """The stored text of a document (text.txt), "" when it has none; never through a link."""
        return read_stored_text(self.file_path(meta["path"], TEXT))

    def local_copy(self, year: int | None = None) -> None:
        """The folders are on this disk already: they are the archive."""

    def document_folders(self, year: int | None = None) -> Iterator[Path]:
        """Every folder of the dated tree that holds a document (complete or not)."""
        if not self.root.is_dir():
            return
        years = [self.root / f"{year:04d}"] if year else sorted(self.root.glob("[0-9][0-9][0-9][0-9]"))
        for year_dir in years:
            if year_dir.is_symlink():
                continue  # a link is never part of the tree (``_stray_entries`` names it)
            for folder in sorted(year_dir.glob("[0-9][0-9]/[0-9][0-9]/*")):
                if folder.is_dir() and not any(p.is_symlink() for p in (folder, folder.parent, folder.parent.parent)):
                    yield folder

    def metas(self, year: int | None = None) -> list[ArchiveMeta]:
        """The meta.json of every document (of one year), with its archive-relative ``path`` added.

        A meta.json that cannot be read as one (damaged, emptied, replaced by ``[]``) is left
        out and named in ``self.damaged`` (folder → why) for the checks to report. The tree is
        walked once for as long as the log says nothing changed (``EventLog.generation``).
        """
        everything, damaged = self._scan()
        if year is None:
            self.damaged = dict(damaged)
            return list(everything)
        prefix = f"{year:04d}/"
        self.damaged = {path: why for path, why in damaged.items() if path.startswith(prefix)}
        return [meta for meta in everything if meta["path"].startswith(prefix)]

    def _scan(self) -> tuple[list[ArchiveMeta], dict[str, str]]:
        generation = self.log.generation()
        if self._all is None or generation != self._generation or generation[0] < 0:
            metas, damaged = [], {}
            self._fills = None
            for folder in self.document_folders():
                relative = folder.relative_to(self.root).as_posix()
                if not (folder / META).is_file():
                    continue
                try:
                    metas.append(self.read_meta(relative))
                except DamagedRecordError as exc:
                    damaged[relative] = exc.why
            self._all, self._damaged_all, self._latest, self._generation = metas, damaged, None, generation
        return self._all, self._damaged_all

    def read_meta(self, relative: str) -> ArchiveMeta:
        """The record of the folder ``relative`` (to the archive root), checked, with what was filled in since."""
        return with_filled(read_record(self.root / relative / META, relative), self._filled().get(relative, []))

    def _filled(self) -> dict[str, list[dict[str, Any]]]:
        """The log's 补录 events by folder, read once for as long as the log stays the same."""
        generation = self.log.generation()
        if self._fills is None or self._fills_generation != generation:
            fills: dict[str, list[dict[str, Any]]] = {}
            if generation[0] > 0:
                for event in self.log.events():
                    if event.get("event") == FILLED_EVENT and isinstance(event.get("path"), str):
                        fills.setdefault(event["path"], []).append(event)
            self._fills, self._fills_generation = fills, generation
        return self._fills

    def latest(self, identity: str) -> ArchiveMeta | None:
        """The newest version of a document, or None if it was never archived."""
        everything, _ = self._scan()
        if self._latest is None:
            newest: dict[str, ArchiveMeta] = {}
            for meta in everything:
                key = str(meta.get("identity"))
                if key not in newest or int(meta.get("version", 1)) > int(newest[key].get("version", 1)):
                    newest[key] = meta
            self._latest = newest
        return self._latest.get(identity)

    # --- verification (``docgen.archive.verify``) ------------------------------------------

    def verify(self, year: int | None = None) -> VerifyReport:
        """Re-hash every file, check the log's chain and the tree against the log."""
        return verify_tree(self, year)

    def verify_folder(self, relative: str) -> VerifyReport:
        """Re-hash one document folder's files against its manifests."""
        return verify_folder(self, relative)

    # --- writing -----------------------------------------------------------------------------

    def store(self, staged: StagedDocument, reason: str | None = None) -> StoreResult:
        """File one document: a new folder, a new version folder, or nothing when unchanged."""
        with self.locked():
            self._clean_tmp()
            previous = self.latest(staged.identity)
            if previous is not None and previous.get("fingerprint") == staged.fingerprint:
                self._log_if_unlogged(previous)
                return StoreResult("unchanged", self.root / previous["path"], previous)
            meta = new_record(staged, previous, reason)
            relative = self._free_folder(staged, int(meta["version"]))
            final = self.root / relative
            # Names are made safe by document_folder_name; check where they land all the same.
            if (
                not final.resolve().is_relative_to(self.root.resolve())
                or final.parent.parent.parent.parent != self.root
            ):
                msg = f"归档文件夹名“{relative}”会落到归档库以外，未归档。"
                raise UnsafePathError(msg)
            self._write_folder(final, staged.files, meta)
            pause_point("archive-after-rename")
            meta["path"] = relative.as_posix()
            event, fields = storing_event(staged, meta, file_digests(final / META))
            self.log.append(event, **fields)
            self._remember(meta)
            return StoreResult("new_version" if previous else "issued", final, meta)

    def _remember(self, meta: ArchiveMeta) -> None:
        """Our own store, under the lock, after our own event: the walk made before stays good."""
        if self._all is not None:
            self._all.append(meta)
            if self._latest is not None:
                self._latest[str(meta.get("identity"))] = meta
            self._generation = self.log.generation()

    def _free_folder(self, staged: StagedDocument, version: int) -> PurePosixPath:
        name = document_folder_name(staged.kind_name, staged.title, staged.number, staged.enterprise_name, version)
        day = dt.date.fromisoformat(staged.date)
        relative = dated_folder(day, name)
        n = 2
        while (self.root / relative).exists():  # a different document with the same name
            relative = dated_folder(day, f"{name}（{n}）")
            n += 1
        return relative

    def _write_folder(self, final: Path, files: Mapping[str, Path | bytes], meta: ArchiveMeta) -> None:
        tmp = self._assemble(files, meta)
        pause_point("archive-before-rename")
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(final)
        fsync_dir(final.parent)

    def _assemble(self, files: Mapping[str, Path | bytes], meta: ArchiveMeta) -> Path:
        """A complete document folder under ``.tmp/``: files, meta.json, manifests, all fsync'd and read-only."""
        tmp = self.root / TMP / uuid.uuid4().hex
        tmp.mkdir(parents=True)
        digests: dict[str, dict[str, str]] = {algorithm: {} for algorithm in ALGORITHMS}
        for name, content in files.items():
            # Each file is written and digested in one pass: what is recorded is what was written.
            for algorithm, value in write_with_digests(tmp / name, content).items():
                digests[algorithm][name] = value
        meta["files"] = digests["sha256"]
        meta["digests"] = digests
        meta["sizes"] = {name: (tmp / name).stat().st_size for name in files}
        (tmp / META).write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
        meta_digests = file_digests(tmp / META)
        for algorithm in ALGORITHMS:
            text = manifest_text({**digests[algorithm], META: meta_digests[algorithm]})
            (tmp / manifest_name(algorithm)).write_text(text, encoding="utf-8")
        for entry in tmp.iterdir():
            with entry.open("rb") as fh:
                os.fsync(fh.fileno())
            entry.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # write-once: read-only files
        fsync_dir(tmp)
        return tmp

    def _clean_tmp(self) -> None:
        """Remove folders a killed process left half-assembled (only ever under the lock)."""
        tmp_root = self.root / TMP
        if tmp_root.is_dir():
            for leftover in tmp_root.iterdir():
                shutil.rmtree(leftover, ignore_errors=True)

    def recover_event(self, meta: ArchiveMeta) -> None:
        """Log a folder a killed process renamed into place but never logged (takes the lock)."""
        with self.locked():
            self._log_if_unlogged(meta)

    def _log_if_unlogged(self, meta: ArchiveMeta) -> None:
        """A process killed between rename and log leaves a folder with no event: log it now."""
        if meta["path"] in self.log.paths():
            return
        self.log.append(
            "recovered",
            path=meta["path"],
            kind=meta.get("kind"),
            title=meta.get("title"),
            number=meta.get("number"),
            version=meta.get("version"),
            checksums=meta.get("files"),
            digests=meta.get("digests"),
            meta_digests=file_digests(self.root / meta["path"] / META),
        )

    def add_sm3(self) -> tuple[list[str], list[str]]:
        """Give folders made before SM3 their manifest-sm3.txt; return (folders done, refused).

        Only new files are written and nothing stored is changed; a folder whose SHA-256 manifest
        no longer holds is refused (its files are not vouched for again). Each addition is logged.
        """
        done: list[str] = []
        refused: list[str] = []
        with self.locked():
            for folder in self.document_folders():
                sha256_manifest, sm3_manifest = folder / manifest_name("sha256"), folder / manifest_name("sm3")
                if sm3_manifest.exists() or not sha256_manifest.is_file():
                    continue
                rel = folder.relative_to(self.root).as_posix()
                listed = read_manifest(sha256_manifest)
                digests = {name: file_digests(folder / name) for name in listed if (folder / name).is_file()}
                if set(digests) != set(listed) or any(digests[n]["sha256"] != d for n, d in listed.items()):
                    refused.append(f"{rel}（文件与 {manifest_name('sha256')} 不符，未添加 SM3）")
                    continue
                text = manifest_text({name: d["sm3"] for name, d in digests.items()})
                with atomic_path(sm3_manifest) as tmp:
                    tmp.write_text(text, encoding="utf-8")
                sm3_manifest.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
                self.log.append(
                    "sm3_added",
                    path=rel,
                    manifest_sm3=digest_bytes(text.encode("utf-8"), "sm3"),
                    sm3_provider=SM3_PROVIDER,
                )
                done.append(rel)
            if not done and self.log.head() is None and (self.root / EVENTS).is_file():
                self.log.append("log_sealed")  # a log from before the chain: its lines sealed from now on
        return done, refused
