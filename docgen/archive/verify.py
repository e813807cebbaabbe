"""Verification: every archived file against its manifests, the tree against the event log.

Comparing with the log, not only with each folder's own manifests, finds a file changed or
removed together with its manifest lines: the log is chained, the manifests are not. Nothing
is followed through a symbolic link: an archived file is the file itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgen.archive.digests import ALGORITHMS, file_digests, manifest_name, read_manifest
from docgen.archive.paths import FILLED_EVENT, MANIFEST, META, ROOT_ENTRIES, STORING_EVENTS
from docgen.archive.records import ArchiveMeta, DamagedRecordError, fill_problem, names_to_digests, read_record

if TYPE_CHECKING:  # the archive verifies itself through these functions (``Archive.verify``)
    from docgen.archive.store import Archive


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
    not_locked: list[str] = field(default_factory=list)  # no locked copy in the city's object store (archive lock)
    locked_differs: list[str] = field(default_factory=list)  # the locked copy is not this file
    unrecorded_copies: list[str] = field(default_factory=list)  # in the city's bucket, no record, no event
    interrupted_copies: list[str] = field(default_factory=list)  # a store killed after its files: said, no damage
    logged: bool = True  # the verification was recorded in the event log (not in a read-only copy)

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
            ("对象存储中没有锁定副本（运行 docgen archive lock）", self.not_locked),
            ("与对象存储中锁定的副本不同", self.locked_differs),
            ("对象存储中有、却没有记录也没有日志的文件夹（记录和日志可能被删）", self.unrecorded_copies),
        ]

    def damage(self) -> list[str]:
        """What shows the stored files or their log changed since storing (not the registry, not SM3 to add)."""
        return [
            *self.modified, *self.missing, *self.unexpected, *self.log_problems, *self.missing_folders,
            *self.unlogged_folders, *self.differs_from_log, *self.damaged_records, *self.locked_differs,
            *self.unrecorded_copies,
        ]  # fmt: skip

    @property
    def ok(self) -> bool:
        """True when the archive, its log and the registry agree and every file is intact."""
        return not any(found for _, found in self.sections())


def verify_tree(archive: Archive, year: int | None = None) -> VerifyReport:
    """Re-hash every file; report modified, missing and unexpected files."""
    report = VerifyReport()
    for folder in archive.document_folders(year):
        _verify_folder(archive, folder, report)
    report.unexpected.extend(_stray_entries(archive, year))
    report.log_problems = archive.log.problems()
    _check_tree_against_log(archive, report, year)
    report.log_problems += refused_fills(archive.log.events(), lambda path: _as_stored(archive, path))
    return report


def _as_stored(archive: Archive, relative: str) -> ArchiveMeta | None:
    try:
        return read_record(archive.root / relative / META, relative)
    except DamagedRecordError:
        return None


def refused_fills(events: list[dict[str, Any]], stored: Callable[[str], ArchiveMeta | None]) -> list[str]:
    """补录 events ``archive fill`` would not have written (so no reader applies them), said as log findings."""
    found = []
    for event in events:
        if event.get("event") != FILLED_EVENT:
            continue
        path = event.get("path")
        meta = stored(path) if isinstance(path, str) else None
        why = "补录的文件夹不在归档库中" if meta is None else fill_problem(meta, event)
        if why:
            found.append(f"第{event.get('seq')}条记录（补录 {path}）：{why}，未采用")
    return found


def verify_folder(archive: Archive, relative: str) -> VerifyReport:
    """Re-hash one document folder's files against its manifests (for a page showing one document)."""
    report = VerifyReport()
    _verify_folder(archive, archive.root / relative, report)
    return report


def _verify_folder(archive: Archive, folder: Path, report: VerifyReport) -> None:
    rel = folder.relative_to(archive.root).as_posix()
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
        _verify_file(folder / name, f"{rel}/{name}", manifests, report)
    manifest_files = {manifest_name(a) for a in ALGORITHMS}
    for entry in folder.iterdir():
        if entry.name in manifest_files and entry.is_symlink():
            report.modified.append(f"{rel}/{entry.name}（已被换成符号链接）")
        elif entry.name not in listed and entry.name not in manifest_files:
            report.unexpected.append(f"{rel}/{entry.name}")


def _verify_file(path: Path, shown: str, manifests: dict[str, dict[str, str]], report: VerifyReport) -> None:
    """One listed file against the digests its folder's manifests give it."""
    if path.is_symlink():  # never followed: an archived file is the file itself
        report.modified.append(f"{shown}（已被换成符号链接，指向 {path.readlink()}）")
    elif path.exists() and not path.is_file():  # never opened: a FIFO would wait for a writer forever
        report.modified.append(f"{shown}（已被换成管道、设备或文件夹）")
    elif not path.exists():
        report.missing.append(shown)
    else:
        try:
            actual = file_digests(path, tuple(manifests))
        except OSError as exc:  # replaced by a FIFO or a device since it was looked at
            report.modified.append(f"{shown}（无法读取：{exc.strerror}）")
            return
        if any(path.name in manifests[a] and manifests[a][path.name] != actual[a] for a in manifests):
            report.modified.append(shown)


def _check_tree_against_log(archive: Archive, report: VerifyReport, year: int | None) -> None:
    """Every folder the log says was stored is there, its files as the log recorded them, and nothing else is.

    Comparing with the log, not only with the folder's own manifests, finds a file changed
    together with its manifest lines: the log is chained, the manifests are not.
    """
    logged: dict[str, dict[str, Any]] = {}
    sm3_added: dict[str, str] = {}  # folder -> SM3 of the manifest-sm3.txt add-sm3 wrote
    for event in archive.log.events():
        if event.get("event") in STORING_EVENTS and isinstance(event.get("path"), str) and event["path"]:
            if str(event["path"]) in logged:  # a folder is stored once; a second record is forged
                report.differs_from_log.append(f"{event['path']}（日志中又一次记录存入，时间 {event.get('time')}）")
                continue
            logged[str(event["path"])] = event
        elif event.get("event") == "sm3_added" and event.get("path"):
            sm3_added[str(event["path"])] = str(event.get("manifest_sm3"))
    if year is not None:
        logged = {p: e for p, e in logged.items() if p.startswith(f"{year:04d}/")}
    on_disk = {f.relative_to(archive.root).as_posix() for f in archive.document_folders(year)}
    for path in sorted(set(logged) - on_disk):
        report.missing_folders.append(f"{path}（日志记录于 {logged[path].get('time', '')}）")
    report.unlogged_folders += sorted(on_disk - set(logged))
    for path in sorted(set(logged) & on_disk):
        _compare_with_log(archive, report, path, logged[path], sm3_added)


def _compare_with_log(
    archive: Archive, report: VerifyReport, path: str, event: dict[str, Any], sm3_added: dict[str, str]
) -> None:
    folder = archive.root / path
    logged = event.get("digests") or {"sha256": event.get("checksums") or {}}
    if not isinstance(logged, dict) or not all(names_to_digests(files) for files in logged.values()):
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
    _compare_file_lists(archive, report, path, recorded, differing)
    sm3_manifest = folder / manifest_name("sm3")
    has_sm3 = sm3_manifest.is_file()
    if has_sm3 and path in sm3_added and file_digests(sm3_manifest, ("sm3",))["sm3"] != sm3_added[path]:
        report.differs_from_log.append(f"{path}/{sm3_manifest.name}（与添加时日志记录的校验值不同）")
    if not has_sm3 and ("sm3" in recorded or path in sm3_added):
        report.missing.append(f"{path}/{sm3_manifest.name}")
    elif not has_sm3:
        report.without_sm3.append(path)


def _compare_file_lists(
    archive: Archive, report: VerifyReport, path: str, recorded: dict[str, dict[str, str]], differing: set[str]
) -> None:
    """The manifests list the files the log recorded, no fewer and no more; meta.json agrees.

    A file removed (or added) together with its manifest lines leaves a folder that agrees
    with itself; only the log and meta.json, written when it was stored, still know.
    """
    folder = archive.root / path
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
        described = archive.read_meta(path).get("digests") or {}
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


def _stray_entries(archive: Archive, year: int | None) -> list[str]:
    """Anything in the tree outside document folders that docgen did not put there."""
    if not archive.root.is_dir():
        return []
    stray = [
        f"{e.name}（符号链接）" if e.is_symlink() else e.name
        for e in archive.root.iterdir()
        if not (_digits_dir(e, 4) or e.name in ROOT_ENTRIES) or (e.name in ROOT_ENTRIES and e.is_symlink())
    ]
    years = [archive.root / f"{year:04d}"] if year else [e for e in archive.root.iterdir() if _digits_dir(e, 4)]
    for year_dir in filter(Path.is_dir, years):
        for month in year_dir.iterdir():
            days = list(month.iterdir()) if _digits_dir(month, 2) else []
            stray += [] if days or _digits_dir(month, 2) else [month.relative_to(archive.root).as_posix()]
            for day in days:
                if not _digits_dir(day, 2):
                    stray.append(day.relative_to(archive.root).as_posix())
                    continue
                stray += [
                    f.relative_to(archive.root).as_posix() + ("（符号链接）" if f.is_symlink() else "")
                    for f in day.iterdir()
                    if f.is_symlink() or not f.is_dir()
                ]
    return sorted(stray)


def _digits_dir(entry: Path, width: int) -> bool:
    return (
        entry.is_dir()
        and not entry.is_symlink()
        and entry.name.isascii()
        and entry.name.isdigit()
        and len(entry.name) == width
    )
