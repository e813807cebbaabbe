"""The archive with a locked copy of every document in the city's object store.

The folders on disk stay what every reader reads (the web page, filing, search); each document
stored is then put, file by file, into the bucket under a COMPLIANCE lock for its 保管期限. A copy
that could not be put (the store unreachable) leaves the document archived all the same, with a
``lock_failed`` event; ``archive verify`` names what has no locked copy and ``archive lock`` puts
it. Verification compares every file with its locked copy's SHA-256 as well as with its own digests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docgen.archive.digests import file_digests
from docgen.archive.objects import LockedBucket, retain_until
from docgen.archive.records import ArchiveMeta
from docgen.archive.store import Archive, StagedDocument, StoreResult
from docgen.archive.verify import VerifyReport
from docgen.errors import ArchiveError


@dataclass
class LockReport:
    """What ``lock`` did: files put, already there, retention dates moved out, and failures."""

    put: int = 0
    there: int = 0
    renewed: int = 0
    failed: list[str] = field(default_factory=list)


class LockedArchive(Archive):
    """An archive whose documents are also kept, write-once, in a bucket with object lock."""

    def __init__(self, root: Path, bucket: LockedBucket, organ: str, retention: Mapping[str, str]) -> None:
        super().__init__(root)
        self.bucket = bucket
        self.organ = organ
        self.retention = dict(retention)

    def key(self, relative: str, name: str) -> str:
        """The object key of one file: the organ's, then the folder's own path."""
        return f"{self.organ}/{relative}/{name}"

    def until(self, meta: ArchiveMeta) -> dt.datetime:
        """How long a document's copies stay locked: its kind's 保管期限 from its year."""
        period = self.retention.get(str(meta.get("kind")), self.retention.get("other", "D10"))
        return retain_until(int(str(meta.get("date", "1970"))[:4]), period)

    def _files(self, relative: str) -> list[Path]:
        folder = self.root / relative
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink())

    def lock_copies(self, meta: ArchiveMeta, *, renew: bool = False) -> LockReport:
        """Put every file of one document folder into the bucket (once), locked for its 保管期限."""
        report = LockReport()
        until = self.until(meta)
        for path in self._files(meta["path"]):
            key = self.key(meta["path"], path.name)
            done = self.bucket.put(key, path, until)
            if done == "put":
                report.put += 1
            else:
                report.there += 1
                if renew and self.bucket.extend(key, until):
                    report.renewed += 1
        return report

    def store(self, staged: StagedDocument, reason: str | None = None) -> StoreResult:
        """Store as the archive does, then lock its copies; a store out of reach is logged, not fatal."""
        result = super().store(staged, reason)
        if result.status != "unchanged":
            try:
                self.lock_copies(result.meta)
            except ArchiveError as exc:
                with self.locked():
                    self.log.append("lock_failed", path=result.meta["path"], error=str(exc))
        return result

    def lock(self, *, renew: bool = False) -> LockReport:
        """Put every document's files that have no locked copy yet; with ``renew``, move 永久 dates out."""
        total = LockReport()
        for meta in self.metas():
            try:
                one = self.lock_copies(meta, renew=renew)
            except ArchiveError as exc:
                total.failed.append(f"{meta['path']}：{exc}")
                continue
            total.put += one.put
            total.there += one.there
            total.renewed += one.renewed
        if total.put or total.renewed:
            with self.locked():
                self.log.append("locked", put=total.put, renewed=total.renewed, failed=len(total.failed))
        return total

    def verify(self, year: int | None = None) -> VerifyReport:
        """As the archive verifies, and every file against its locked copy."""
        report = super().verify(year)
        for meta in self.metas(year):
            for path in self._files(meta["path"]):
                key = self.key(meta["path"], path.name)
                copy = self.bucket.copy_of(key)
                if copy is None:
                    report.not_locked.append(f"{meta['path']}/{path.name}")
                elif copy.sha256 != file_digests(path, ("sha256",))["sha256"]:
                    report.locked_differs.append(f"{meta['path']}/{path.name}")
        return report


__all__ = ["LockReport", "LockedArchive"]
