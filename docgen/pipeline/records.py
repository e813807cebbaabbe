"""Reading the archive back: verification against the registry, and listings."""

from __future__ import annotations

from docgen.archive.paths import META
from docgen.archive.records import ArchiveMeta, meta_summary
from docgen.archive.verify import VerifyReport
from docgen.errors import DocgenError, RegistryError
from docgen.numbering.registry import NumberRecord
from docgen.pipeline.workspace import Workspace


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


def add_sm3(ws: Workspace) -> tuple[list[str], list[str]]:
    """SM3 manifests for folders archived before docgen stored SM3: (folders done, refused)."""
    return ws.archive.add_sm3()


__all__ = ["add_sm3", "list_archive", "meta_summary", "verify_archive"]
