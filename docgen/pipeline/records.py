"""Reading the archive back: verification against the registry, and listings."""

from __future__ import annotations

from docgen.archive.store import Archive, ArchiveMeta, VerifyReport
from docgen.config import Settings
from docgen.numbering.service import registry_for


def verify_archive(settings: Settings, year: int | None = None, *, log: bool = True) -> VerifyReport:
    """Re-hash the archive and compare its numbered documents with the registry; log the check.

    ``log=False`` leaves the log alone, for a caller that records its own, larger check.
    """
    archive = Archive(settings.archive_dir)
    report = archive.verify_files(year)
    registry = {r.number: r for r in registry_for(settings).records(year=year)}
    archived_numbers = set()
    for meta in archive.metas(year):
        number = meta.get("number")
        if not number or "\u3000" in number:
            continue
        archived_numbers.add(number)
        record = registry.get(number)
        if record is None:
            report.unknown_numbers.append(f"{number}（{meta['path']}）：登记簿中没有这个号")
        elif record.state != "issued":
            report.unknown_numbers.append(f"{number}（{meta['path']}）：登记簿中已作废（{record.void_reason}）")
    for number, record in registry.items():
        if record.state == "issued" and record.source == "docgen" and number not in archived_numbers:
            report.numbers_without_document.append(f"{number}《{record.title}》")
    if not log:
        return report
    with archive.locked():
        archive.append_event(
            "verified",
            year=year,
            ok=report.ok,
            documents=report.documents,
            modified=report.modified,
            missing=report.missing,
            unexpected=report.unexpected,
        )
    return report


def list_archive(
    settings: Settings, year: int | None = None, kind: str | None = None, enterprise: str | None = None
) -> list[ArchiveMeta]:
    """Archived documents, newest first, filtered by year, kind and enterprise (name or key)."""
    metas = Archive(settings.archive_dir).metas(year)
    if kind:
        metas = [m for m in metas if m.get("kind") == kind]
    if enterprise:
        metas = [
            m
            for m in metas
            if any(enterprise in (e.get("name") or "") or enterprise == e.get("key") for e in m.get("enterprises", []))
        ]
    return sorted(metas, key=lambda m: (m.get("date", ""), m.get("path", "")), reverse=True)


def add_sm3(settings: Settings) -> tuple[list[str], list[str]]:
    """SM3 manifests for folders archived before docgen stored SM3: (folders done, refused)."""
    return Archive(settings.archive_dir).add_sm3()
