"""The archive: write-once document folders with checksums, an event log, and verification.

Layout under the archive root (the workspace's ``archive/``)::

    YYYY/MM/DD/<readable name>/   one folder per document version, by its 成文日期
        document.pdf              the PDF/A the office keeps (or an imported original PDF)
        document.docx             the DOCX it was made from (docgen and imported DOCX only)
        case.yaml, context.json   the case file and the exact data filled in (docgen only)
        original.*                an imported file as it came in
        text.txt                  extracted text, for the search index
        meta.json                 what the document is, with the sha256 of every file above
        manifest-sha256.txt       BagIt-style "<sha256>  <file>" for every file, meta.json included
    events.jsonl                  append-only log of what happened, with time, user and checksums
    registry.sqlite3              the 发文字号 registry (see docgen.registry)

A folder appears under its final name only complete: it is assembled in ``.tmp/``, every file
fsync'd, then renamed into place, all while holding the archive lock. Files are made read-only;
nothing is ever overwritten: a changed document gets a new version folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NotRequired, TypedDict

from docgen._io import atomic_path, atomic_write_bytes, current_user, exclusive_lock, fsync_dir, now
from docgen.archive.digests import (
    ALGORITHMS,
    SM3_PROVIDER,
    digest_bytes,
    file_digests,
    manifest_name,
    manifest_text,
    read_manifest,
)
from docgen.archive.paths import dated_folder, document_folder_name
from docgen.errors import ArchiveError, UnsafePathError
from docgen.faults import pause_point

META = "meta.json"
MANIFEST = "manifest-sha256.txt"
EVENTS = "events.jsonl"
EVENTS_HEAD = "events.head"  # how many events the log holds and the SM3 of the last: a cut-off tail shows
LOCK = ".lock"
TMP = ".tmp"
# Files the archive root may hold besides the dated tree.
ROOT_ENTRIES = {
    EVENTS,
    EVENTS_HEAD,
    LOCK,
    TMP,
    "README.md",
    "registry.sqlite3",
    "registry.sqlite3-wal",
    "registry.sqlite3-shm",
}
# Events that put a document folder into the tree; the tree is checked against them.
STORING_EVENTS = ("issued", "new_version", "recovered", "imported")
NO_PREVIOUS = "0" * 64
TAIL_BYTES = 1 << 16  # the end of the log read to confirm its head; a longer event is read in full
LOCK_TIMEOUT_S = 120.0


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class EnterpriseRef(TypedDict):
    """An enterprise a document names: its key in the case file (None for imported documents)."""

    key: str | None
    name: str
    credit_code: NotRequired[str]


class ArchiveMeta(TypedDict, total=False):
    """meta.json of one archived document version: what it is, where it came from, its digests."""

    path: str  # the folder, relative to the archive root (added when read back)
    identity: str  # the same document across versions, e.g. "case.yaml#set"
    fingerprint: str
    kind: str
    kind_name: str
    title: str
    number: str | None
    date: str  # ISO 成文日期
    version: int
    previous: str | None
    reason: str | None
    archived_at: str
    archived_by: str
    files: dict[str, str]  # file name → sha256 (the name archives made before SM3 also use)
    digests: dict[str, dict[str, str]]  # algorithm → file name → digest
    sizes: dict[str, int]  # file name → bytes
    event: str
    source: str  # "docgen" or "import"
    issuer: str
    enterprises: list[EnterpriseRef]
    pages: int | None
    pdfa_part: int | None
    case_file: str
    archive_key: str
    docgen_version: str
    template: dict[str, str]
    text_check: dict[str, str | int]
    lint: str
    original_name: str
    original_sha256: str
    needs_ocr: bool
    needs_review: bool  # an import whose metadata was guessed or whose OCR is unsure
    secrecy: str | None  # 密级和保密期限 as printed (机密★1年): its text stays out of search and the web
    text_source: str  # "pdf", "docx", "ocr", "pdf+ocr", "none"
    ocr: dict[str, Any]  # engine, version, dpi, review_pages, confidence
    duplicate_number_allowed: bool  # imported with a 发文字号 another document holds, as confirmed
    read_from_text: list[str]
    guessed: list[str]


@dataclass(frozen=True)
class StagedDocument:
    """Everything needed to file one document: its files and what it is."""

    identity: str  # the same document across versions, e.g. "case.yaml#set"
    fingerprint: str  # equal fingerprints mean the same content: issuing it again is a no-op
    kind: str
    kind_name: str
    title: str
    date: str  # ISO 成文日期
    files: Mapping[str, Path]  # name inside the folder -> staged source file
    meta: ArchiveMeta  # further metadata (issuer, enterprises, pages ...)
    number: str | None = None
    enterprise_name: str | None = None


@dataclass(frozen=True)
class StoreResult:
    """What ``store`` did: "issued", "new_version" or "unchanged"."""

    status: str
    path: Path
    meta: ArchiveMeta


@dataclass
class VerifyReport:
    """What ``verify`` found; ``ok`` when nothing is wrong."""

    documents: int = 0
    modified: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unknown_numbers: list[str] = field(default_factory=list)  # archived, but not issued in the registry
    numbers_without_document: list[str] = field(default_factory=list)  # issued by docgen, not archived
    log_problems: list[str] = field(default_factory=list)  # the event log's chain or head does not hold
    missing_folders: list[str] = field(default_factory=list)  # logged as stored, not in the tree
    unlogged_folders: list[str] = field(default_factory=list)  # in the tree, never logged
    differs_from_log: list[str] = field(default_factory=list)  # a file differs from the digests the log recorded
    without_sm3: list[str] = field(default_factory=list)  # folders from before SM3 (docgen archive add-sm3)
    damaged_records: list[str] = field(default_factory=list)  # a meta.json that cannot be read as one
    registry_problems: list[str] = field(default_factory=list)  # the registry unreadable, or its titles differ

    def sections(self) -> list[tuple[str, list[str]]]:
        """What was found, under the headings a clerk reads (the CLI and the web page show the same)."""
        return [
            ("被改动", self.modified),
            ("缺失", self.missing),
            ("多出", self.unexpected),
            ("登记簿不认可的发文字号", self.unknown_numbers),
            ("已登记但未归档的发文字号", self.numbers_without_document),
            ("事件日志", self.log_problems),
            ("日志记录了、文件夹却不在", self.missing_folders),
            ("日志中没有记录的文件夹", self.unlogged_folders),
            ("与签发时日志记录的不同", self.differs_from_log),
            ("没有 SM3 校验值（运行 docgen archive add-sm3）", self.without_sm3),
            ("元数据已损坏", self.damaged_records),
            ("发文字号登记簿", self.registry_problems),
        ]

    @property
    def ok(self) -> bool:
        """True when the archive, its log and the registry agree and every file is intact."""
        return not any(found for _, found in self.sections())


class Archive:
    """The archive under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # identity -> newest meta, valid while events.jsonl keeps the size it had when built:
        # every store appends an event, so another process's store invalidates it.
        self._latest: dict[str, ArchiveMeta] | None = None
        self._events_size = -1
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

    def append_event(self, event: str, **fields: Any) -> dict[str, Any]:
        """Append one event to ``events.jsonl`` and flush it to disk. Call with the lock held.

        Each event carries its number and the SM3 of the line before it, so an event deleted,
        edited or moved breaks the chain at the next one; ``events.head`` records the count and
        the SM3 of the last line, so a cut-off tail shows too. An append never hides a tampered
        end: it chains onto what the head says came last and records what it found.
        """
        count, last, notes = self._chain_point()
        record = {
            "time": now(),
            "user": current_user(),
            "event": event,
            **fields,
            **notes,
            "seq": count + 1,
            "prev_sm3": last,
        }
        line = json.dumps(record, ensure_ascii=False, sort_keys=True)
        fd = os.open(self.root / EVENTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        head = {"count": count + 1, "sm3": digest_bytes(line.encode("utf-8"), "sm3"), "bytes": size}
        atomic_write_bytes(self.root / EVENTS_HEAD, json.dumps(head).encode("utf-8"))
        return record

    def _chain_point(self) -> tuple[int, str, dict[str, Any]]:
        """(seq of the last event, its SM3, fields the next event must carry) for an append.

        Read from the head when the file's end agrees with it: reading only the end keeps an
        append cheap in an archive of many thousand events. Any doubt reads the whole file:
        - a head one event behind is a crash between writing a line and its head: chain on;
        - a head that disagrees otherwise means the end was cut or rewritten: chain onto the
          head's record (so the sequence jump stays visible) and say so in the new event;
        - no head over a chained log: say so; no head over an unchained log (written before
          the chain existed): seal its lines with one SM3, so editing them later shows.
        """
        path = self.root / EVENTS
        trusted = self._tail_from_head(path) if path.exists() else (0, NO_PREVIOUS)
        if trusted is not None:
            return (*trusted, {})
        lines = path.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:  # a line torn by a power cut: end it, so the next event is a line of its own
            with path.open("ab") as fh:
                fh.write(b"\n")
        if not lines:
            return 0, NO_PREVIOUS, {}
        actual = (len(lines), digest_bytes(lines[-1], "sm3"))
        head = self.head()
        if head is None:
            if _chained(lines[-1]):
                return (*actual, {"log_anomaly": f"缺少 {EVENTS_HEAD}，日志末尾无法确认"})
            sealed = digest_bytes(b"\n".join(lines) + b"\n", "sm3")
            return (*actual, {"legacy_lines": len(lines), "legacy_sm3": sealed})
        count, sm3 = head
        if 0 < count <= len(lines) <= count + 1 and digest_bytes(lines[count - 1], "sm3") == sm3:
            return (*actual, {})
        found = f"日志末尾与 {EVENTS_HEAD} 不符（应有 {count} 条记录，实有 {len(lines)} 条，或最后一条被改动）"
        return count, sm3, {"log_anomaly": found}

    def head(self) -> tuple[int, str] | None:
        """(events in the log, SM3 of the last one) as ``events.head`` records them, or None."""
        try:
            head = json.loads((self.root / EVENTS_HEAD).read_text(encoding="utf-8"))
            count, sm3 = head["count"], head["sm3"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return (count, sm3) if isinstance(count, int) and isinstance(sm3, str) else None

    def _tail_from_head(self, path: Path) -> tuple[int, str] | None:
        try:
            head = json.loads((self.root / EVENTS_HEAD).read_text(encoding="utf-8"))
            size = path.stat().st_size
            if head.get("bytes") != size or size == 0:
                return None
            with path.open("rb") as fh:
                fh.seek(max(0, size - TAIL_BYTES))
                tail = fh.read()
        except (OSError, ValueError, AttributeError):
            return None
        body = tail[:-1] if tail.endswith(b"\n") else None
        if body is None or (b"\n" not in body and size > len(tail)):
            return None  # torn last line, or a line longer than the tail read
        last = body.rsplit(b"\n", 1)[-1]
        if digest_bytes(last, "sm3") != head.get("sm3") or not isinstance(head.get("count"), int):
            return None
        return int(head["count"]), str(head["sm3"])

    def log_problems(self) -> list[str]:
        """Where the event log's chain or head does not hold (edited, deleted, reordered, cut-off events)."""
        path = self.root / EVENTS
        if not path.exists():
            return []
        lines = path.read_bytes().split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        problems = []
        previous = NO_PREVIOUS
        chained = False
        for n, raw in enumerate(lines, start=1):
            try:
                record = json.loads(raw)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                problems.append(f"第{n}行不是完整的记录（被改动，或写入时中断）")
                previous = digest_bytes(raw, "sm3")
                continue
            if "prev_sm3" in record:
                if not chained:
                    problems += _legacy_problems(lines[: n - 1], record)
                chained = True
                problems += _link_problems(n, record, previous)
            elif chained:
                problems.append(f"第{n}行没有链接：是在链接开始后插入的记录")
            previous = digest_bytes(raw, "sm3")
        head = self.head()
        if chained and head is not None:
            if head != (len(lines), previous):
                problems.append(f"日志应有 {head[0]} 条记录，现有 {len(lines)} 条，或最后一条被改动：末尾被截断或改写")
        elif chained:
            problems.append(f"缺少 {EVENTS_HEAD}：无法确认日志末尾完整")
        elif lines:
            problems.append(
                "事件日志没有链接（docgen 旧版本写的日志），改动无法发现：运行 docgen archive add-sm3 加以封存"
            )
        return problems

    def events(self) -> list[dict[str, Any]]:
        """Every event so far: lines that are not one (a torn last line, damage) are skipped here.

        ``log_problems`` names them; every reader of the log gets records it can rely on.
        """
        path = self.root / EVENTS
        if not path.exists():
            return []
        out = []
        for line in path.read_bytes().splitlines():
            try:
                record = json.loads(line)
            except ValueError:  # not JSON, or not UTF-8
                continue
            if isinstance(record, dict):
                out.append(record)
        return out

    # --- reading -----------------------------------------------------------------------------

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
        """The meta.json of every document, with its archive-relative ``path`` added.

        A meta.json that cannot be read as one (damaged, emptied, replaced by ``[]``) is left
        out and named in ``self.damaged`` (folder → why) for the checks to report.
        """
        out = []
        self.damaged = {}
        for folder in self.document_folders(year):
            relative = folder.relative_to(self.root).as_posix()
            if not (folder / META).is_file():
                continue
            try:
                out.append(self.read_meta(relative))
            except DamagedRecordError as exc:
                self.damaged[relative] = exc.why
        return out

    def read_meta(self, relative: str) -> ArchiveMeta:
        """The meta.json of the folder ``relative`` (to the archive root), checked; with its ``path``."""
        path = self.root / relative / META
        try:
            if path.is_symlink():
                raise DamagedRecordError(path, "是符号链接")
            with path.open("rb") as fh:
                raw = fh.read(MAX_META_BYTES + 1)
            if len(raw) > MAX_META_BYTES:
                raise DamagedRecordError(path, f"超过 {MAX_META_BYTES // 1024 // 1024} MB，不是一份元数据")
            data = json.loads(raw)
        except OSError as exc:
            raise DamagedRecordError(path, f"无法读取（{exc.strerror}）") from exc
        except ValueError as exc:  # not JSON, or not UTF-8
            raise DamagedRecordError(path, "不是有效的 JSON 文本") from exc
        why = meta_problem(data)
        if why:
            raise DamagedRecordError(path, why)
        data["path"] = relative
        meta: ArchiveMeta = data
        return meta

    def _events_file_size(self) -> int:
        try:
            return (self.root / EVENTS).stat().st_size
        except FileNotFoundError:
            return 0

    def latest(self, identity: str) -> ArchiveMeta | None:
        """The newest version of a document, or None if it was never archived."""
        size = self._events_file_size()
        if self._latest is None or size != self._events_size:
            newest: dict[str, ArchiveMeta] = {}
            for meta in self.metas():
                key = str(meta.get("identity"))
                if key not in newest or int(meta.get("version", 1)) > int(newest[key].get("version", 1)):
                    newest[key] = meta
            self._latest, self._events_size = newest, size
        return self._latest.get(identity)

    # --- writing -----------------------------------------------------------------------------

    def store(self, staged: StagedDocument, reason: str | None = None) -> StoreResult:
        """File one document: a new folder, a new version folder, or nothing when unchanged."""
        with self.locked():
            self._clean_tmp()
            previous = self.latest(staged.identity)
            if previous is not None and previous.get("fingerprint") == staged.fingerprint:
                self._log_if_unlogged(previous)
                return StoreResult("unchanged", self.root / previous["path"], previous)
            version = int(previous["version"]) + 1 if previous else 1
            relative = self._free_folder(staged, version)
            meta: ArchiveMeta = {
                **staged.meta,
                "identity": staged.identity,
                "fingerprint": staged.fingerprint,
                "kind": staged.kind,
                "kind_name": staged.kind_name,
                "title": staged.title,
                "number": staged.number,
                "date": staged.date,
                "version": version,
                "previous": previous["path"] if previous else None,
                "reason": reason if previous else None,
                "archived_at": now(),
                "archived_by": current_user(),
            }
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
            if self._latest is not None:
                self._latest[staged.identity] = meta
            event = "new_version" if previous else str(staged.meta.get("event", "issued"))
            self.append_event(
                event,
                path=meta["path"],
                kind=staged.kind,
                title=staged.title,
                number=staged.number,
                version=version,
                reason=meta["reason"],
                checksums=meta["files"],
                digests=meta["digests"],
                meta_digests=file_digests(final / META),
                sm3_provider=SM3_PROVIDER,
                **({"lint": staged.meta["lint"]} if "lint" in staged.meta else {}),
            )
            self._events_size = self._events_file_size()  # our own event, under the lock: cache stays valid
            return StoreResult("new_version" if previous else "issued", final, meta)

    def _free_folder(self, staged: StagedDocument, version: int) -> PurePosixPath:
        name = document_folder_name(staged.kind_name, staged.title, staged.number, staged.enterprise_name, version)
        day = dt.date.fromisoformat(staged.date)
        relative = dated_folder(day, name)
        n = 2
        while (self.root / relative).exists():  # a different document with the same name
            relative = dated_folder(day, f"{name}（{n}）")
            n += 1
        return relative

    def _write_folder(self, final: Path, files: Mapping[str, Path], meta: ArchiveMeta) -> None:
        tmp = self.root / TMP / uuid.uuid4().hex
        tmp.mkdir(parents=True)
        digests: dict[str, dict[str, str]] = {algorithm: {} for algorithm in ALGORITHMS}
        for name, source in files.items():
            target = tmp / name
            shutil.copyfile(source, target)
            for algorithm, value in file_digests(target).items():
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
        pause_point("archive-before-rename")
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(final)
        fsync_dir(final.parent)

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
        if any(e.get("path") == meta["path"] for e in self.events()):
            return
        self.append_event(
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

    # --- verification ------------------------------------------------------------------------

    def verify_files(self, year: int | None = None) -> VerifyReport:
        """Re-hash every file; report modified, missing and unexpected files."""
        report = VerifyReport()
        for folder in self.document_folders(year):
            self._verify_folder(folder, report)
        report.unexpected.extend(self._stray_entries(year))
        report.log_problems = self.log_problems()
        self._check_tree_against_log(report, year)
        return report

    def verify_folder(self, relative: str) -> VerifyReport:
        """Re-hash one document folder's files against its manifests (for a page showing one document)."""
        report = VerifyReport()
        self._verify_folder(self.root / relative, report)
        return report

    def _verify_folder(self, folder: Path, report: VerifyReport) -> None:
        rel = folder.relative_to(self.root).as_posix()
        manifest = folder / MANIFEST
        if not manifest.is_file():
            report.unexpected.append(f"{rel}/（没有 {MANIFEST}，不是完整的归档文件夹）")
            return
        report.documents += 1
        manifests = {}
        for algorithm in ALGORITHMS:
            manifest = folder / manifest_name(algorithm)
            if manifest.is_file() and not manifest.is_symlink():
                bad: list[str] = []
                manifests[algorithm] = read_manifest(manifest, bad)
                report.modified += [f"{rel}/{manifest.name}（{said}）" for said in bad]
        listed = {name for digests in manifests.values() for name in digests}
        for name in sorted(listed):
            path = folder / name
            if path.is_symlink():  # never followed: an archived file is the file itself
                report.modified.append(f"{rel}/{name}（已被换成符号链接，指向 {path.readlink()}）")
                continue
            if not path.is_file():
                report.missing.append(f"{rel}/{name}")
                continue
            actual = file_digests(path, tuple(manifests))
            if any(name in manifests[a] and manifests[a][name] != actual[a] for a in manifests):
                report.modified.append(f"{rel}/{name}")
        manifest_files = {manifest_name(a) for a in ALGORITHMS}
        for entry in folder.iterdir():
            if entry.name in manifest_files and entry.is_symlink():
                report.modified.append(f"{rel}/{entry.name}（已被换成符号链接）")
            elif entry.name not in listed and entry.name not in manifest_files:
                report.unexpected.append(f"{rel}/{entry.name}")

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
                self.append_event(
                    "sm3_added",
                    path=rel,
                    manifest_sm3=digest_bytes(text.encode("utf-8"), "sm3"),
                    sm3_provider=SM3_PROVIDER,
                )
                done.append(rel)
            if not done and self.head() is None and (self.root / EVENTS).is_file():
                self.append_event("log_sealed")  # a log from before the chain: its lines sealed from now on
        return done, refused

    def _check_tree_against_log(self, report: VerifyReport, year: int | None) -> None:
        """Every folder the log says was stored is there, its files as the log recorded them, and nothing else is.

        Comparing with the log, not only with the folder's own manifests, finds a file changed
        together with its manifest lines: the log is chained, the manifests are not.
        """
        logged: dict[str, dict[str, Any]] = {}
        sm3_added: dict[str, str] = {}  # folder -> SM3 of the manifest-sm3.txt add-sm3 wrote
        for event in self.events():
            if event.get("event") in STORING_EVENTS and isinstance(event.get("path"), str) and event["path"]:
                if str(event["path"]) in logged:  # a folder is stored once; a second record is forged
                    report.differs_from_log.append(f"{event['path']}（日志中又一次记录存入，时间 {event.get('time')}）")
                    continue
                logged[str(event["path"])] = event
            elif event.get("event") == "sm3_added" and event.get("path"):
                sm3_added[str(event["path"])] = str(event.get("manifest_sm3"))
        if year is not None:
            logged = {p: e for p, e in logged.items() if p.startswith(f"{year:04d}/")}
        on_disk = {f.relative_to(self.root).as_posix() for f in self.document_folders(year)}
        for path in sorted(set(logged) - on_disk):
            report.missing_folders.append(f"{path}（日志记录于 {logged[path].get('time', '')}）")
        report.unlogged_folders += sorted(on_disk - set(logged))
        for path in sorted(set(logged) & on_disk):
            self._compare_with_log(report, path, logged[path], sm3_added)

    def _compare_with_log(
        self, report: VerifyReport, path: str, event: dict[str, Any], sm3_added: dict[str, str]
    ) -> None:
        folder = self.root / path
        logged = event.get("digests") or {"sha256": event.get("checksums") or {}}
        if not isinstance(logged, dict) or not all(_names_to_digests(files) for files in logged.values()):
            report.log_problems.append(f"{path}：日志中存入这个文件夹的记录没有可读的校验值（被改动）")
            return
        recorded: dict[str, dict[str, str]] = {str(algorithm): dict(files) for algorithm, files in logged.items()}
        meta_digests = event.get("meta_digests") or {}
        for algorithm, digest in meta_digests.items() if isinstance(meta_digests, dict) else []:
            recorded.setdefault(str(algorithm), {})[META] = str(digest)
        # The files were hashed against the manifests already: a manifest that agrees with the
        # log vouches for them, so nothing is read twice.
        differing: set[str] = set()
        for algorithm, files in recorded.items():
            manifest = folder / manifest_name(algorithm)
            if algorithm in ALGORITHMS and manifest.is_file():
                listed = read_manifest(manifest)
                differing |= {n for n, digest in files.items() if n in listed and listed[n] != digest}
        report.differs_from_log += [f"{path}/{n}（与签发时日志记录的校验值不同）" for n in sorted(differing)]
        self._compare_file_lists(report, path, recorded, differing)
        sm3_manifest = folder / manifest_name("sm3")
        has_sm3 = sm3_manifest.is_file()
        if has_sm3 and path in sm3_added and file_digests(sm3_manifest, ("sm3",))["sm3"] != sm3_added[path]:
            report.differs_from_log.append(f"{path}/{sm3_manifest.name}（与添加时日志记录的校验值不同）")
        if not has_sm3 and ("sm3" in recorded or path in sm3_added):
            report.missing.append(f"{path}/{sm3_manifest.name}")
        elif not has_sm3:
            report.without_sm3.append(path)

    def _compare_file_lists(
        self, report: VerifyReport, path: str, recorded: dict[str, dict[str, str]], differing: set[str]
    ) -> None:
        """The manifests list the files the log recorded, no fewer and no more; meta.json agrees.

        A file removed (or added) together with its manifest lines leaves a folder that agrees
        with itself; only the log and meta.json, written when it was stored, still know.
        """
        folder = self.root / path
        dropped: set[str] = set()
        added: set[str] = set()
        for algorithm, files in recorded.items():
            manifest = folder / manifest_name(algorithm)
            if algorithm not in ALGORITHMS or not manifest.is_file():
                continue
            listed = set(read_manifest(manifest)) - ({META} if META not in files else set())
            dropped |= set(files) - listed
            added |= listed - set(files)
        report.missing += [f"{path}/{n}（连同校验清单中的一行被删去）" for n in sorted(dropped)]
        report.differs_from_log += [f"{path}/{n}（日志中没有这个文件）" for n in sorted(added)]
        try:
            described = self.read_meta(path).get("digests") or {}
        except DamagedRecordError:
            return  # a meta.json gone or unreadable is named above
        for algorithm, files in described.items():
            manifest = folder / manifest_name(algorithm)
            in_manifest = read_manifest(manifest) if algorithm in ALGORITHMS and manifest.is_file() else {}
            report.differs_from_log += [
                f"{path}/{n}（与 meta.json 记录的校验值不同）"
                for n, digest in sorted(files.items())
                if n in in_manifest and in_manifest[n] != digest and n not in dropped | differing
            ]

    def _stray_entries(self, year: int | None) -> list[str]:
        """Anything in the tree outside document folders that docgen did not put there."""
        if not self.root.is_dir():
            return []
        stray = [
            f"{e.name}（符号链接）" if e.is_symlink() else e.name
            for e in self.root.iterdir()
            if not (_digits_dir(e, 4) or e.name in ROOT_ENTRIES) or (e.name in ROOT_ENTRIES and e.is_symlink())
        ]
        years = [self.root / f"{year:04d}"] if year else [e for e in self.root.iterdir() if _digits_dir(e, 4)]
        for year_dir in filter(Path.is_dir, years):
            for month in year_dir.iterdir():
                days = list(month.iterdir()) if _digits_dir(month, 2) else []
                stray += [] if days or _digits_dir(month, 2) else [month.relative_to(self.root).as_posix()]
                for day in days:
                    if not _digits_dir(day, 2):
                        stray.append(day.relative_to(self.root).as_posix())
                        continue
                    stray += [
                        f.relative_to(self.root).as_posix() + ("（符号链接）" if f.is_symlink() else "")
                        for f in day.iterdir()
                        if f.is_symlink() or not f.is_dir()
                    ]
        return sorted(stray)


MAX_META_BYTES = 4 * 1024 * 1024  # a meta.json is a few KB; an OCR'd import's a few hundred


class DamagedRecordError(ArchiveError):
    """A record file of the archive (meta.json) that cannot be read as one; ``why`` says how."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path}：{why}")
        self.path, self.why = path, why


_META_TEXT_FIELDS = ("kind", "title", "date")  # what every reader needs; the rest is checked when present


def meta_problem(data: object) -> str | None:
    """Why ``data`` read from a meta.json is not the record of a document, or None.

    Only what readers rely on is checked (types and the date's form); which values are allowed
    is the 四性检测's ZS-2.
    """
    if not isinstance(data, dict):
        return f"不是一组字段（是 {type(data).__name__}）"
    digests = data.get("digests", {})
    enterprises = data.get("enterprises", [])
    version = data.get("version", 1)
    checks: tuple[tuple[Callable[[], bool], str], ...] = (
        (lambda: all(isinstance(data.get(k), str) and data[k] for k in _META_TEXT_FIELDS), "缺少或无效的字段"),
        (lambda: isinstance(data.get("identity", ""), str), "字段 identity 不是文字"),
        (lambda: _iso_date(data["date"]), "日期不是 YYYY-MM-DD"),
        (lambda: isinstance(version, int) and not isinstance(version, bool), "字段 version 不是整数"),
        (lambda: data.get("number") is None or isinstance(data["number"], str), "字段 number 不是文字"),
        (lambda: _names_to_digests(data.get("files", {})), "字段 files 不是文件名与校验值的对照"),
        (lambda: _names_to_sizes(data.get("sizes", {})), "字段 sizes 不是文件名与字节数的对照"),
        (lambda: isinstance(digests, dict) and all(map(_names_to_digests, digests.values())), "字段 digests 无效"),
        (
            lambda: (
                isinstance(enterprises, list)
                and all(isinstance(e, dict) and isinstance(e.get("name", ""), str) for e in enterprises)
            ),
            "字段 enterprises 无效",
        ),
    )
    return next((said for holds, said in checks if not holds()), None)


def _iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _names_to_sizes(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and type(v) is int for k, v in value.items())


def _names_to_digests(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _chained(raw: bytes) -> bool:
    try:
        record = json.loads(raw)
    except ValueError:
        return False
    return isinstance(record, dict) and "prev_sm3" in record


def _link_problems(n: int, record: dict[str, Any], previous: str) -> list[str]:
    """What one chained event says is wrong: its link, its number, what its writer found."""
    problems = []
    if record["prev_sm3"] != previous:
        problems.append(f"第{n}行与上一行的链接不符：上一行被改动、删除或调换了位置")
    if record.get("seq") != n:
        problems.append(f"第{n}行的序号是 {record.get('seq')}：其前的记录被删除或插入")
    if record.get("log_anomaly"):
        problems.append(f"第{n}行写入时发现：{record['log_anomaly']}")
    return problems


def _legacy_problems(before: list[bytes], first_chained: dict[str, Any]) -> list[str]:
    """Lines written before the chain began are vouched for by the SM3 the first chained event sealed."""
    if not before:
        return []
    sealed, count = first_chained.get("legacy_sm3"), first_chained.get("legacy_lines")
    if sealed is None:
        return [f"第1–{len(before)}行没有链接，也没有被封存：是后来插入的记录"]
    if count != len(before) or digest_bytes(b"\n".join(before) + b"\n", "sm3") != sealed:
        return [f"第1–{len(before)}行（链接开始前的旧记录）与封存时不符：被改动、删除或插入"]
    return []


def _digits_dir(entry: Path, width: int) -> bool:
    return (
        entry.is_dir()
        and not entry.is_symlink()
        and entry.name.isascii()
        and entry.name.isdigit()
        and len(entry.name) == width
    )


def meta_summary(meta: ArchiveMeta) -> dict[str, Any]:
    """The fields ``archive list --json`` prints."""
    keys = ("number", "date", "kind", "kind_name", "title", "version", "path", "enterprises", "pages", "needs_ocr")
    return {k: meta.get(k) for k in keys} | {"needs_review": bool(meta.get("needs_review"))}
