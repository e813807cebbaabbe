"""Reading the archive back: verification against the registry, and listings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docgen.archive.city import CityArchive, LockReport
from docgen.archive.paths import FILLED_EVENT, META
from docgen.archive.records import FILLABLE, MAX_FILLED_CHARS, ArchiveMeta, meta_summary
from docgen.archive.verify import VerifyReport
from docgen.errors import ArchiveError, DocgenError, RegistryError
from docgen.numbering.registry import NumberRecord, new_record
from docgen.pipeline.searching import index_archived
from docgen.pipeline.workspace import Workspace
from docgen.vocab import parse_number


def verify_archive(ws: Workspace, year: int | None = None, *, log: bool = True) -> VerifyReport:
    """Re-hash the archive and compare its numbered documents with the registry; log the check.

    ``log=False`` leaves the log alone, for a caller that records its own, larger check.
    """
    archive = ws.archive
    report = archive.verify(year)
    metas = archive.metas(year)
    report.damaged_records += [f"{path}/{META}：{why}" for path, why in sorted(archive.damaged.items())]
    try:
        records = ws.numbers.records(year=year)
    except RegistryError as exc:  # the files are verified all the same; the registry is one finding
        report.registry_problems.append(exc.message)
    else:
        _compare_with_registry(report, metas, {r.number: r for r in records})
    if not log:
        return report
    try:  # a read-only copy, or a log replaced by something else, is verified all the same
        with archive.locked():
            archive.log.append(
                "verified",
                year=year,
                ok=report.ok,
                documents=report.documents,
                modified=report.modified,
                missing=report.missing,
                unexpected=report.unexpected,
            )
    except (OSError, DocgenError):
        report.logged = False
    return report


def _compare_with_registry(report: VerifyReport, metas: list[ArchiveMeta], registry: dict[str, NumberRecord]) -> None:
    """Every number the archive prints is issued in the registry, under the title it was filed with.

    The newest version of a document is the one whose title the registry keeps; a number taken
    by docgen and never filed is listed too.
    """
    newest: dict[str, ArchiveMeta] = {}
    for meta in metas:
        number = meta.get("number")
        if not number or "\u3000" in number:
            continue
        record = registry.get(number)
        if record is None:
            report.unknown_numbers.append(f"{number}（{meta['path']}）：登记簿中没有这个号")
        elif record.state != "issued":
            report.unknown_numbers.append(f"{number}（{meta['path']}）：登记簿中已作废（{record.void_reason}）")
        elif not meta.get("duplicate_number_allowed"):
            held = newest.get(number)
            if held is None or int(meta.get("version", 1)) > int(held.get("version", 1)):
                newest[number] = meta
    for number, meta in sorted(newest.items()):
        filed, ledger = "".join(str(meta.get("title")).split()), "".join(registry[number].title.split())
        if filed != ledger:
            report.registry_problems.append(
                f"{number}：登记簿中的标题《{registry[number].title}》与归档文件《{meta.get('title')}》不同"
                f"（{meta['path']}；登记簿被改动过？）"
            )
    archived = {m.get("number") for m in metas}
    for number, record in registry.items():
        if record.state == "issued" and record.source == "docgen" and number not in archived:
            report.numbers_without_document.append(f"{number}《{record.title}》")


def list_archive(
    ws: Workspace, year: int | None = None, kind: str | None = None, enterprise: str | None = None
) -> list[ArchiveMeta]:
    """Archived documents, newest first, filtered by year, kind and enterprise (name or key)."""
    metas = ws.archive.metas(year)
    if kind:
        metas = [m for m in metas if m.get("kind") == kind]
    if enterprise:
        metas = [
            m
            for m in metas
            if any(enterprise in (e.get("name") or "") or enterprise == e.get("key") for e in m.get("enterprises", []))
        ]
    return sorted(metas, key=lambda m: (m.get("date", ""), m.get("path", "")), reverse=True)


def fill_metadata(ws: Workspace, folder: str, values: dict[str, str]) -> ArchiveMeta:
    """补录: record what a clerk fills in for an imported document, as an event; return the record now.

    The folder's files and meta.json stay as stored (the archive is written once); the event says
    who filled what and when, and every reader applies it (``with_filled``). A filled 发文字号 is
    entered in the registry, as an imported one is, so numbering and ``archive check`` agree.
    """
    archive = ws.archive
    relative = _folder_of(ws, folder)
    meta = archive.read_meta(relative)
    where = f"{relative}："
    if meta.get("source") != "import":
        msg = f"{where}这是 docgen 签发的文件，元数据来自案卷，不能补录（只能补录导入的文件）。"
        raise ArchiveError(msg)
    wanted = {key: " ".join(value.split()) for key, value in values.items() if value is not None}
    if not wanted:
        msg = f"没有要补录的内容：请至少给出 {'、'.join(f'--{k}' for k in FILLABLE)} 中的一项。"
        raise ArchiveError(msg)
    for key, value in wanted.items():
        if key not in FILLABLE:
            msg = f"不能补录“{key}”：可以补录的是 {'、'.join(FILLABLE.values())}。"
            raise ArchiveError(msg)
        if not value or len(value) > MAX_FILLED_CHARS:
            msg = f"{where}{FILLABLE[key]}不能为空，也不能超过 {MAX_FILLED_CHARS} 个字。"
            raise ArchiveError(msg)
    if "date" in wanted:
        wanted["date"] = _filled_date(where, wanted["date"], relative)
    record = None
    if "number" in wanted:
        title = wanted.get("title") or meta["title"]
        wanted["number"], record = _filled_number(ws, where, wanted["number"], title, str(meta.get("kind")))
    if "title" in wanted and parse_number(wanted["title"].split()[0]) is not None:
        msg = f"{where}标题不能以发文字号开头（发文字号用 --number 补录）。"
        raise ArchiveError(msg)
    with archive.locked():
        previous = {key: meta.get(key) for key in wanted}
        archive.log.append(FILLED_EVENT, path=relative, values=wanted, previous=previous)
    if record is not None:
        ws.numbers.import_records([record])
    filled = archive.read_meta(relative)
    index_archived(ws, [filled])
    return filled


def _folder_of(ws: Workspace, folder: str) -> str:
    """The archive-relative folder a clerk named: as ``archive list`` prints it, or its full path."""
    root = ws.settings.archive_dir
    given = Path(folder)
    if given.is_absolute():
        try:
            given = given.resolve().relative_to(root.resolve())
        except ValueError:
            msg = f"{folder} 不在归档库 {root} 中。"
            raise ArchiveError(msg) from None
    relative = given.as_posix().strip("/")
    known = {m["path"] for m in ws.archive.metas()}
    if relative not in known:
        msg = f"归档库中没有文件夹“{relative}”（用 docgen archive list 查看文件夹名）。"
        raise ArchiveError(msg)
    return relative


def _filled_date(where: str, value: str, relative: str) -> str:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        msg = f"{where}成文日期“{value}”无效，请写成 2019-03-05 的形式。"
        raise ArchiveError(msg) from None
    if f"{day.year:04d}" != relative[:4]:
        msg = f"{where}成文日期 {day} 与归档位置的年度 {relative[:4]} 不同：请删除后按正确日期重新导入。"
        raise ArchiveError(msg)
    return day.isoformat()


def _filled_number(ws: Workspace, where: str, value: str, title: str, kind: str) -> tuple[str, NumberRecord | None]:
    parsed = parse_number(value)
    if parsed is None or parsed.problems:
        said = "；".join(parsed.problems) if parsed else "不是发文字号的格式"
        msg = f"{where}发文字号“{value}”无效（{said}）。"
        raise ArchiveError(msg)
    n = parsed.number
    held = ws.numbers.find(n.prefix, n.year, n.sequence)
    if held is not None and "".join(held.title.split()) != "".join(title.split()):
        msg = f"{where}发文字号 {n} 已属于登记簿中的《{held.title}》，不能补录给这份文件。"
        raise ArchiveError(msg)
    if held is not None:
        return str(n), None
    return str(n), new_record(n.prefix, n.year, n.sequence, title, source="import", kind=kind)


def add_sm3(ws: Workspace) -> tuple[list[str], list[str]]:
    """SM3 manifests for folders archived before docgen stored SM3: (folders done, refused)."""
    return ws.archive.add_sm3()


def lock_archive(ws: Workspace, *, renew: bool = False) -> LockReport:
    """Put every archived file without a locked copy into the city's bucket; with ``renew``, move 永久 out."""
    if not isinstance(ws.archive, CityArchive):
        msg = "本工作区没有设置对象存储：在 docgen.toml 的 [city] 中写明 database、objects 和 bucket 后才能锁定副本。"
        raise DocgenError(msg)
    return ws.archive.lock(renew=renew)


__all__ = ["FILLABLE", "add_sm3", "fill_metadata", "list_archive", "lock_archive", "meta_summary", "verify_archive"]
