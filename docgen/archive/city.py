"""The city's archive: records and the chained event log in PostgreSQL, every file in the locked bucket.

In the embedded archive the dated tree on one disk is the truth. In the city, several servers and
workers store and read documents, so the truth moves to what they share:

- every file of a document is put into the bucket under a COMPLIANCE lock before anything says
  the document exists (``archive.objects``); nobody can delete or shorten it;
- its record (the exact meta.json bytes) and the event that stores it are written in one
  PostgreSQL transaction, under the organ's advisory lock: a process killed anywhere leaves the
  document stored whole or not at all (at worst, copies in the bucket no record names, which
  the next store steps around);
- the events are the same JSON lines the embedded log chains, with the same SM3 links; a head
  row per organ says how many and which came last, and is what appends lock.

The workspace's ``archive/`` folder becomes this server's cache of the bucket, in the same
readable tree: a file is fetched when first read and checked against its record every time.
``archive verify`` reads every copy in the bucket back and compares it with the record, the
record with the chained event, and the chain with its head.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen._io import atomic_path, atomic_write_bytes
from docgen.archive.digests import (
    ALGORITHMS,
    digest_bytes,
    file_digests,
    manifest_name,
    manifest_text,
    plain_file_name,
)
from docgen.archive.log import NO_PREVIOUS, ArchiveLog, chain_problems, chained_event, parse_event
from docgen.archive.objects import LOCK_MODE, LockedBucket, retain_until
from docgen.archive.paths import META, STARTED_EVENT, STORING_EVENTS, TEXT, dated_folder, document_folder_name
from docgen.archive.records import ArchiveMeta, DamagedRecordError, read_stored_text, record_from_bytes, with_filled
from docgen.archive.store import Archive, StagedDocument, StoreResult, new_record, storing_event
from docgen.archive.verify import VerifyReport, refused_fills
from docgen.errors import ArchiveError, UnsafePathError
from docgen.faults import pause_point
from docgen.pg import Database, Session

INSERT_EVENT = "INSERT INTO archive_events (organ, seq, line) VALUES (%s, %s, %s)"
INSERT_RECORD = (
    "INSERT INTO archive_records (organ, path, identity, version, fingerprint, meta) VALUES (%s, %s, %s, %s, %s, %s)"
)
HEAD_NAME = "日志头（数据库 archive_heads）"
Connection = Any  # a psycopg connection inside a transaction (psycopg loads only in the city profile)


class PgEventLog(ArchiveLog):
    """The organ's chained event log in the city database: the embedded log's lines, row by row."""

    def __init__(self, session: Session, organ: str) -> None:
        self.session = session
        self.organ = organ

    def generation(self) -> tuple[int, int]:
        """(events so far, the last one's SM3 as a number): changes with every append, on any server."""
        head = self.head()
        return (0, 0) if head is None else (head[0], int(head[1][:15], 16))

    def head(self) -> tuple[int, str] | None:
        """(events, SM3 of the last) as the organ's head row records them, or None before the first."""
        with self.session.connection("事件日志") as conn:
            row = conn.execute("SELECT count, sm3 FROM archive_heads WHERE organ = %s", (self.organ,)).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def append(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append one event chained onto the last (the head row locked until the transaction ends)."""
        with self.session.connection("事件日志") as conn:
            return self.append_in(conn, event, fields)

    def append_in(self, conn: Connection, event: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Append inside the caller's transaction: the event stands or falls with what it records.

        As the file's log does, an append never hides a damaged end: with its last events deleted,
        it chains onto what the head says came last (the gap stays visible); with rows added past
        the head, or the head row gone, it chains onto the last row. Either way it says what it found.
        """
        conn.execute(
            "INSERT INTO archive_heads (organ, count, sm3) VALUES (%s, 0, %s) ON CONFLICT (organ) DO NOTHING",
            (self.organ, NO_PREVIOUS),
        )
        count, last = conn.execute(
            "SELECT count, sm3 FROM archive_heads WHERE organ = %s FOR UPDATE", (self.organ,)
        ).fetchone()
        tail = conn.execute(
            "SELECT seq, line FROM archive_events WHERE organ = %s ORDER BY seq DESC LIMIT 1", (self.organ,)
        ).fetchone()
        found = (int(tail[0]), digest_bytes(tail[1].encode("utf-8"), "sm3")) if tail else (0, NO_PREVIOUS)
        notes: dict[str, Any] = {}
        if found != (count, last):
            said = "日志头不见了" if count == 0 else f"日志头记着 {count} 条"
            notes["log_anomaly"] = f"日志末尾与日志头不符（{said}，最后一条是第 {found[0]} 条，或被改动）"
        after = (int(count), str(last)) if count >= found[0] else found
        record, line = chained_event(*after, event, {**fields, **notes})
        conn.execute(INSERT_EVENT, (self.organ, record["seq"], line))
        conn.execute(
            "UPDATE archive_heads SET count = %s, sm3 = %s WHERE organ = %s",
            (record["seq"], digest_bytes(line.encode("utf-8"), "sm3"), self.organ),
        )
        return record

    def lines(self) -> list[str]:
        """Every line of the organ's log, in order."""
        with self.session.connection("事件日志") as conn:
            rows = conn.execute("SELECT line FROM archive_events WHERE organ = %s ORDER BY seq", (self.organ,))
            return [str(row[0]) for row in rows]

    def problems(self) -> list[str]:
        """Where the chain or the head row does not hold (the embedded log's checks, on the same lines)."""
        return chain_problems((line.encode("utf-8") for line in self.lines()), self.head(), HEAD_NAME)

    def events(self) -> list[dict[str, Any]]:
        """Every well-formed event, oldest first."""
        return [event for line in self.lines() if (event := parse_event(line.encode("utf-8"))) is not None]

    def adopt(self, lines: list[bytes]) -> int:
        """Take an embedded log's lines as this organ's first events, byte for byte; how many were added.

        The chain moves with them: their SM3 links hold here as they held in the file. Lines
        already taken (a migration run again) must be the same; a log of the organ's own is refused.
        """
        with self.session.hold(self.organ, "归档库") as conn:
            there = self.lines()
            texts = [line.decode("utf-8") for line in lines]
            if texts[: len(there)] != there:
                msg = f"城市版中{self.organ}已有不同的事件日志（{len(there)} 条），未迁入本工作区的日志。"
                raise ArchiveError(msg)
            for seq, text in enumerate(texts[len(there) :], start=len(there) + 1):
                conn.execute(INSERT_EVENT, (self.organ, seq, text))
            if texts and len(texts) > len(there):
                conn.execute(
                    "INSERT INTO archive_heads (organ, count, sm3) VALUES (%s, %s, %s) "
                    "ON CONFLICT (organ) DO UPDATE SET count = EXCLUDED.count, sm3 = EXCLUDED.sm3",
                    (self.organ, len(texts), digest_bytes(lines[-1], "sm3")),
                )
            return len(texts) - len(there)


@dataclass
class LockReport:
    """What ``lock`` did: files put, already there, retention dates moved out, and failures."""

    put: int = 0
    there: int = 0
    renewed: int = 0
    failed: list[str] = field(default_factory=list)


class CityArchive(Archive):
    """The archive of one organ of the city: records and events in PostgreSQL, files in the bucket."""

    def __init__(
        self, root: Path, bucket: LockedBucket, organ: str, retention: Mapping[str, str], database: Database
    ) -> None:
        super().__init__(root)
        self.bucket = bucket
        self.organ = organ
        self.retention = dict(retention)
        self.session = Session(database, "docgen-archive", ArchiveError)
        self.city_log = PgEventLog(self.session, organ)
        self.log = self.city_log

    def key(self, relative: str, name: str) -> str:
        """The object key of one file: the organ's, then the folder's own path."""
        return f"{self.organ}/{relative}/{name}"

    def until(self, meta: ArchiveMeta) -> dt.datetime:
        """How long a document's copies stay locked: its kind's 保管期限 from its year."""
        period = self.retention.get(str(meta.get("kind")), self.retention.get("other", "D10"))
        return retain_until(int(str(meta.get("date", "1970"))[:4]), period)

    def organs(self) -> list[tuple[str, int]]:
        """Every organ with documents in the city's archive, and how many (for the 市档案员)."""
        with self.session.connection("归档记录") as conn:
            found = conn.execute("SELECT organ, count(*) FROM archive_records GROUP BY organ ORDER BY organ")
            return [(str(organ), int(count)) for organ, count in found]

    # --- the lock ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the organ's archive lock on every server; events appended inside commit with it."""
        with self.session.hold(self.organ, "归档库"):
            yield

    # --- reading -------------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether anything was ever stored or logged for the organ."""
        return self.log.head() is not None

    def _rows(self, relative: str | None = None) -> list[tuple[str, bytes]]:
        """(folder, meta.json bytes) of every record of the organ, or of one folder."""
        with self.session.connection("归档记录") as conn:
            if relative is None:
                found = conn.execute(
                    "SELECT path, meta FROM archive_records WHERE organ = %s ORDER BY path", (self.organ,)
                )
            else:
                found = conn.execute(
                    "SELECT path, meta FROM archive_records WHERE organ = %s AND path = %s", (self.organ, relative)
                )
            rows = [(str(path), str(meta).encode("utf-8")) for path, meta in found]
        return [(path, raw) for path, raw in rows if folder_path(path)]

    def _stray_records(self) -> list[str]:
        """Records whose folder is not one of the dated tree: never read, named by verify."""
        with self.session.connection("归档记录") as conn:
            found = conn.execute("SELECT path FROM archive_records WHERE organ = %s ORDER BY path", (self.organ,))
            return [str(path) for (path,) in found if not folder_path(str(path))]

    def document_folders(self, year: int | None = None) -> Iterator[Path]:
        """Where every recorded document's folder is (or will be) in this server's cache."""
        prefix = f"{year:04d}/" if year else ""
        for relative, _ in self._rows():
            if relative.startswith(prefix):
                yield self.root / relative

    def _scan(self) -> tuple[list[ArchiveMeta], dict[str, str]]:
        generation = self.log.generation()
        if self._all is None or generation != self._generation:
            metas, damaged = [], {}
            self._fills = None
            fills = self._filled()
            for relative, raw in self._rows():
                try:
                    meta = record_from_bytes(raw, _where(relative), relative)
                    metas.append(with_filled(meta, fills.get(relative, [])))
                except DamagedRecordError as exc:
                    damaged[relative] = exc.why
            self._all, self._damaged_all, self._latest, self._generation = metas, damaged, None, generation
        return self._all, self._damaged_all

    def read_meta(self, relative: str) -> ArchiveMeta:
        """The record of one folder from the database, checked, with what was filled in since."""
        rows = self._rows(relative)
        if not rows:
            raise DamagedRecordError(_where(relative), "数据库中没有这份文件的记录")
        return with_filled(record_from_bytes(rows[0][1], _where(relative), relative), self._filled().get(relative, []))

    def file_path(self, relative: str, name: str) -> Path:
        """This server's copy of a stored file, fetched from the bucket when absent or not the file recorded."""
        if not folder_path(relative) or not plain_file_name(name):
            msg = f"“{relative}/{name}”不是归档库中的文件。"
            raise ArchiveError(msg)
        path = self.root / relative / name
        try:
            meta = self.read_meta(relative)
        except DamagedRecordError:
            return path  # no such document: the caller finds nothing there
        expected = (meta.get("files") or {}).get(name)
        if expected is None or (
            path.is_file() and not path.is_symlink() and file_digests(path, ("sha256",))["sha256"] == expected
        ):
            return path
        path.unlink(missing_ok=True)  # a cached copy that is not the file recorded is never served
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp, tmp.open("wb") as out:
            copy = self.bucket.read(self.key(relative, name), out.write)
        if copy is None:
            path.unlink(missing_ok=True)
            msg = f"对象存储中没有 {relative}/{name}：运行 docgen archive verify 查看。"
            raise ArchiveError(msg)
        if file_digests(path, ("sha256",))["sha256"] != expected:
            path.unlink(missing_ok=True)
            msg = f"对象存储中的 {relative}/{name} 与归档记录的校验值不同：未使用，运行 docgen archive verify 查看。"
            raise ArchiveError(msg)
        path.chmod(0o444)
        return path

    def text_of(self, meta: ArchiveMeta) -> str:
        """The stored text (for search), fetched when this server has none; "" when the bucket has none either."""
        try:
            return read_stored_text(self.file_path(meta["path"], TEXT))
        except ArchiveError:
            return ""

    def local_copy(self, year: int | None = None) -> None:
        """Every document folder (of one year) whole in this server's cache, as the 四性检测 reads folders.

        The files come from the bucket, each checked against its record; meta.json and the
        manifests are written from the record itself (``archive verify`` compares the bucket's).
        """
        prefix = f"{year:04d}/" if year else ""
        for relative, raw in self._rows():
            if not relative.startswith(prefix):
                continue
            try:
                meta = record_from_bytes(raw, _where(relative), relative)
            except DamagedRecordError:
                continue  # named by verify
            for name in meta.get("files") or {}:
                self.file_path(relative, name)
            folder = self.root / relative
            written = {META: raw} | {
                manifest_name(algorithm): manifest_text({**files, META: digest_bytes(raw, algorithm)}).encode("utf-8")
                for algorithm, files in (meta.get("digests") or {}).items()
            }
            for name, data in written.items():
                if not (folder / name).is_file() or (folder / name).read_bytes() != data:
                    (folder / name).unlink(missing_ok=True)
                    atomic_write_bytes(folder / name, data)

    # --- writing -------------------------------------------------------------------------------

    def store(self, staged: StagedDocument, reason: str | None = None) -> StoreResult:
        """Put the files, locked, into the bucket; then the record and its event in one transaction."""
        with self.session.hold(self.organ, "归档库") as conn:
            self._clean_tmp()
            previous = self._newest(conn, staged.identity)
            if previous is not None and previous.get("fingerprint") == staged.fingerprint:
                return StoreResult("unchanged", self.root / previous["path"], previous)
            meta = new_record(staged, previous, reason)
            relative = self._free_folder_in(conn, staged, int(meta["version"]))
            tmp = self._assemble(staged.files, meta)
            meta["path"] = relative
            # Said, and committed, before the first file goes in: copies a killed store leaves in the
            # bucket are then told from copies whose record and events were deleted (``verify``).
            with self.session.database.transaction("事件日志", ArchiveError) as intent:
                self.city_log.append_in(intent, STARTED_EVENT, {"path": relative, "number": staged.number})
            for entry in sorted(tmp.iterdir()):
                self.bucket.put(self.key(relative, entry.name), entry, self.until(meta))
            pause_point("archive-after-put")
            raw = (tmp / META).read_bytes()
            conn.execute(
                INSERT_RECORD,
                (self.organ, relative, staged.identity, meta["version"], staged.fingerprint, raw.decode("utf-8")),
            )
            event, fields = storing_event(staged, meta, file_digests(tmp / META))
            self.city_log.append_in(conn, event, fields)
            pause_point("archive-before-commit")
        final = self.root / relative
        if not final.exists():  # this server's cache: the folder as the bucket holds it
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp.rename(final)
        self._remember(meta)
        return StoreResult("new_version" if previous else "issued", final, meta)

    def _newest(self, conn: Connection, identity: str) -> ArchiveMeta | None:
        row = conn.execute(
            "SELECT path, meta FROM archive_records WHERE organ = %s AND identity = %s ORDER BY version DESC LIMIT 1",
            (self.organ, identity),
        ).fetchone()
        return None if row is None else record_from_bytes(str(row[1]).encode("utf-8"), _where(row[0]), str(row[0]))

    def _free_folder_in(self, conn: Connection, staged: StagedDocument, version: int) -> str:
        """A folder no record names and nothing in the bucket occupies (a killed store's copies stay put)."""
        name = document_folder_name(staged.kind_name, staged.title, staged.number, staged.enterprise_name, version)
        day = dt.date.fromisoformat(staged.date)
        n = 1
        while True:
            relative = dated_folder(day, name if n == 1 else f"{name}（{n}）").as_posix()
            taken = conn.execute(
                "SELECT 1 FROM archive_records WHERE organ = %s AND path = %s", (self.organ, relative)
            ).fetchone()
            if not taken and not self.bucket.any_under(self.key(relative, "")):
                break
            n += 1
        final = self.root / relative
        if not final.resolve().is_relative_to(self.root.resolve()):
            msg = f"归档文件夹名“{relative}”会落到归档库以外，未归档。"
            raise UnsafePathError(msg)
        return relative

    def recover_event(self, meta: ArchiveMeta) -> None:
        """Nothing to recover: a record and its event are committed together or not at all."""

    def add_sm3(self) -> tuple[list[str], list[str]]:
        """Every document of the city was stored with SM3 (and migrated ones were given it before)."""
        return [], []

    def lock(self, *, renew: bool = False) -> LockReport:
        """Every recorded file's copy looked for; one missing put from this server's cache when it is the file."""
        total = LockReport()
        for meta in self.metas():
            until = self.until(meta)
            for name, expected in _expected_files(meta, self._meta_digests(meta["path"])):
                key = self.key(meta["path"], name)
                copy = self.bucket.copy_of(key)
                if copy is not None:
                    total.there += 1
                    total.renewed += int(renew and self.bucket.extend(key, until))
                    continue
                local = self.root / meta["path"] / name
                if local.is_file() and file_digests(local, ("sha256",))["sha256"] == expected["sha256"]:
                    self.bucket.put(key, local, until)
                    total.put += 1
                else:
                    total.failed.append(f"{meta['path']}/{name}：对象存储和本机都没有这个文件")
        if total.put or total.renewed:
            self.log.append("locked", put=total.put, renewed=total.renewed, failed=len(total.failed))
        return total

    def _meta_digests(self, relative: str) -> dict[str, str]:
        rows = self._rows(relative)
        return {a: digest_bytes(rows[0][1], a) for a in ALGORITHMS} if rows else {}

    # --- moving an embedded archive in (``docgen migrate``) -------------------------------------

    def adopt(self, embedded: Archive) -> tuple[int, int, list[str]]:
        """Every folder of the embedded archive put into the bucket and recorded; its log taken as it is.

        Returns (records added, records already there, problems). Run again, it adds what is missing.
        """
        added, there, problems = 0, 0, []
        recorded = dict(self._rows())
        for folder in embedded.document_folders():
            relative = folder.relative_to(embedded.root).as_posix()
            raw = (folder / META).read_bytes() if (folder / META).is_file() else None
            if raw is None:
                problems.append(f"{relative}：没有 {META}，未迁入")
                continue
            if relative in recorded:
                there += 1
                if recorded[relative] != raw:
                    problems.append(f"{relative}：城市版中的记录与本工作区的 {META} 不同")
                continue
            try:
                meta = record_from_bytes(raw, folder / META, relative)
            except DamagedRecordError as exc:
                problems.append(f"{relative}：{exc.why}，未迁入")
                continue
            until = self.until(meta)  # the files first: a record never names a file the bucket lacks
            for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()):
                self.bucket.put(self.key(relative, path.name), path, until)
            with self.session.connection("归档记录") as conn:
                conn.execute(
                    INSERT_RECORD,
                    (
                        self.organ,
                        relative,
                        str(meta.get("identity") or relative),
                        int(meta.get("version", 1)),
                        meta.get("fingerprint"),
                        raw.decode("utf-8"),
                    ),
                )
            added += 1
        log_file = embedded.root / "events.jsonl"
        lines = log_file.read_bytes().splitlines() if log_file.is_file() else []
        self.city_log.adopt([line for line in lines if line.strip()])
        return added, there, problems

    # --- verification --------------------------------------------------------------------------

    def verify(self, year: int | None = None) -> VerifyReport:
        """Every copy in the bucket read back against its record, every record against its event, the chain."""
        report = VerifyReport()
        report.log_problems = self.log.problems()
        prefix = f"{year:04d}/" if year else ""
        logged: dict[str, dict[str, Any]] = {}
        events = self.log.events()
        for event in events:
            path = event.get("path")
            if event.get("event") in STORING_EVENTS and isinstance(path, str) and path.startswith(prefix):
                if path in logged:
                    report.differs_from_log.append(f"{path}（日志中又一次记录存入，时间 {event.get('time')}）")
                    continue
                logged[path] = event
        rows = [(relative, raw) for relative, raw in self._rows() if relative.startswith(prefix)]
        report.damaged_records += [
            f"{path}：不是归档库的文件夹名（YYYY/MM/DD/名称），不予读取" for path in self._stray_records()
        ]
        for relative, raw in rows:
            storing = logged.get(relative)
            if storing is None:
                report.unlogged_folders.append(f"{relative}（数据库中有记录，日志中没有存入的记录）")
            self._verify_record(relative, raw, storing, report)
        recorded = {relative for relative, _ in rows}
        stored = dict(self._rows())
        report.log_problems += refused_fills(events, lambda path: self._stored(stored.get(path), path))
        report.missing_folders += [
            f"{path}（日志记录于 {event.get('time', '')}，数据库中没有记录）"
            for path, event in sorted(logged.items())
            if path not in recorded
        ]
        self._copies_without_record(prefix, recorded, events, report)
        return report

    def _copies_without_record(
        self, prefix: str, recorded: set[str], events: list[dict[str, Any]], report: VerifyReport
    ) -> None:
        """Folders in the bucket that no record names: a killed store's (its start logged), or records lost."""
        started = {str(e.get("path")): e for e in events if e.get("event") == STARTED_EVENT}
        named = {str(e.get("path")) for e in events if isinstance(e.get("path"), str)} - set(started)
        listed = self.bucket.keys(f"{self.organ}/{prefix}")
        folders = {key.removeprefix(f"{self.organ}/").rsplit("/", 1)[0] for key in listed}
        stored_again = {(str(m.get("identity")), str(m.get("fingerprint"))) for m in self.metas()}
        for folder in sorted(folders - recorded - named):  # a storing event without a record is named above
            # A killed store's copies: its start logged, and the same document (the same content)
            # stored since. A start alone is not enough: deleting a record and its last event leaves one.
            if folder in started and self._identity_in_bucket(folder) in stored_again:
                report.interrupted_copies.append(f"{folder}（{started[folder].get('time', '')} 开始存入，未完成）")
            else:
                report.unrecorded_copies.append(folder)

    def _identity_in_bucket(self, relative: str) -> tuple[str, str] | None:
        """(identity, fingerprint) the meta.json in the bucket gives a folder (None when there is none to read)."""
        chunks: list[bytes] = []
        try:
            if self.bucket.read(self.key(relative, META), chunks.append) is None:
                return None
            meta = record_from_bytes(b"".join(chunks), self.key(relative, META), relative)
        except (ArchiveError, DamagedRecordError):
            return None
        return str(meta.get("identity")), str(meta.get("fingerprint"))

    @staticmethod
    def _stored(raw: bytes | None, relative: str) -> ArchiveMeta | None:
        try:
            return None if raw is None else record_from_bytes(raw, _where(relative), relative)
        except DamagedRecordError:
            return None

    def verify_folder(self, relative: str) -> VerifyReport:
        """One document's copies in the bucket against its record."""
        report = VerifyReport()
        for path, raw in self._rows(relative):
            self._verify_record(path, raw, None, report)
        return report

    def _verify_record(self, relative: str, raw: bytes, event: dict[str, Any] | None, report: VerifyReport) -> None:
        report.documents += 1
        try:
            meta = record_from_bytes(raw, _where(relative), relative)
        except DamagedRecordError as exc:
            report.damaged_records.append(f"{relative}：{exc.why}")
            return
        meta_digests = {a: digest_bytes(raw, a) for a in ALGORITHMS}
        if event is not None:
            _compare_with_event(relative, meta, meta_digests, event, report)
        year = int(str(meta.get("date", "1970"))[:4])
        period = self.retention.get(str(meta.get("kind")), self.retention.get("other", "D10"))
        until = retain_until(year, period, today=dt.date(year, 1, 1))  # the least its lock may hold
        for name, expected in _expected_files(meta, meta_digests):
            shown = f"{relative}/{name}"
            found = self.bucket.digests(self.key(relative, name))
            if found is None:
                report.missing.append(f"{shown}（对象存储中没有）")
                continue
            copy, actual = found
            if any(actual[a] != digest for a, digest in expected.items()):
                report.modified.append(f"{shown}（对象存储中的最新版本与记录不同）")
            if copy.mode != LOCK_MODE or copy.until is None or copy.until < until - dt.timedelta(days=1):
                report.not_locked.append(f"{shown}（锁定 {copy.mode or '无'}，至 {copy.until or '—'}）")


def folder_path(relative: str) -> bool:
    """Whether a record's folder is one of the dated tree (``YYYY/MM/DD/<name>``), nothing that leaves it."""
    parts = relative.split("/")
    widths = (4, 2, 2)
    return (
        len(parts) == len(widths) + 1
        and all(p.isascii() and p.isdigit() and len(p) == w for p, w in zip(parts, widths, strict=False))
        and plain_file_name(parts[-1])
        and not parts[-1].startswith(".")
    )


def _where(relative: str) -> str:
    return f"数据库中的记录 {relative}/{META}"


def _expected_files(meta: ArchiveMeta, meta_digests: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    """(file name, its digests by algorithm) of every object a stored document has in the bucket."""
    digests = meta.get("digests") or {"sha256": meta.get("files") or {}}
    names = sorted({name for files in digests.values() for name in files})
    for name in names:
        yield name, {a: files[name] for a, files in digests.items() if name in files}
    if meta_digests:
        yield META, meta_digests
        for algorithm, files in digests.items():
            text = manifest_text({**files, META: meta_digests[algorithm]})
            yield manifest_name(algorithm), {a: digest_bytes(text.encode("utf-8"), a) for a in ALGORITHMS}


def _compare_with_event(
    relative: str, meta: ArchiveMeta, meta_digests: dict[str, str], event: dict[str, Any], report: VerifyReport
) -> None:
    """The record in the database is the one the chained event vouched for when it was stored."""
    logged_meta = event.get("meta_digests") or {}
    if isinstance(logged_meta, dict) and any(logged_meta.get(a) not in (None, d) for a, d in meta_digests.items()):
        report.differs_from_log.append(f"{relative}/{META}（数据库中的记录与签发时日志记录的不同）")
    logged = event.get("digests") or {"sha256": event.get("checksums") or {}}
    if isinstance(logged, dict) and logged != (meta.get("digests") or {"sha256": meta.get("files") or {}}):
        report.differs_from_log.append(f"{relative}（记录中的校验值与签发时日志记录的不同）")


__all__ = ["CityArchive", "LockReport", "PgEventLog"]
