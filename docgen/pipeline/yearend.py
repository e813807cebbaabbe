"""Year-end filing: the year's filing copies with the 归档章, and the 归档文件目录 (PDF and CSV).

The archive stays untouched: copies and catalogue go to ``filing/YEAR/`` and can be made again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pypdf.errors import PyPdfError

from docgen._io import atomic_write_bytes, child, write_spreadsheet
from docgen.archive.digests import file_digests
from docgen.archive.filing import CATALOGUE_FILES, Item, assign_items, catalogue_lists
from docgen.archive.paths import DOCUMENT_PDF
from docgen.errors import DocgenError, FilingError
from docgen.pipeline.workspace import Workspace
from docgen.readback import pdf_reader
from docgen.stamp import stamp_font
from docgen.stamp.catalogue import catalogue_pdf
from docgen.stamp.filing import filing_copy
from docgen.vocab import CATALOGUE_COLUMNS, RETENTION_NAMES


def stamp_values(item: Item, fonds: str, organ: str, year: int, pages: int) -> list[str]:
    """全宗号 | 年度 | 件号 over 机构（问题） | 保管期限 | 页数."""
    return [
        fonds,
        str(year),
        f"{item.item_no:04d}",
        organ,
        RETENTION_NAMES.get(item.retention, item.retention),
        str(pages),
    ]


@dataclass(frozen=True)
class FilingReport:
    """What ``file_year`` made."""

    year: int
    folder: Path
    items: list[Item]
    failures: list[str]


def file_year(ws: Workspace, year: int, on_item: Callable[[Item, str | None], None] | None = None) -> FilingReport:
    """Make the year's filing copies and its catalogue (PDF and CSV) under ``filing/YEAR``."""
    cfg = ws.settings.filing
    archive = ws.archive
    items = assign_items(archive.metas(year), year, cfg.fonds, cfg.organ, dict(cfg.retention))
    if not items:
        msg = f"归档库中没有 {year} 年的文件。"
        raise FilingError(msg)
    damage = archive.verify(year).damage()
    if damage:
        shown = "；".join(damage[:3]) + ("……" if len(damage) > 3 else "")
        msg = (
            f"归档库中 {year} 年的文件有 {len(damage)} 处与存入时不符（{shown}），未生成归档副本：归档副本和目录"
            "只能依据未被改动的原件。请先运行 docgen archive verify 查明。"
        )
        raise FilingError(msg)
    font = stamp_font()
    folder = ws.root / cfg.folder / f"{year:04d}"
    failures = []
    for item in items:
        source = archive.file_path(item.meta["path"], DOCUMENT_PDF)
        error = None
        try:
            reader = pdf_reader(source)
            values = stamp_values(item, cfg.fonds, cfg.organ, year, len(reader.pages))
            filing_copy(reader, source, child(folder, f"{item.code}.pdf"), values, font)
        except (DocgenError, OSError, ValueError, PyPdfError) as exc:
            error = exc.message if isinstance(exc, DocgenError) else f"{source}：{exc}"
            failures.append(error)
        if on_item:
            on_item(item, error)
    lists = catalogue_lists(items)
    table = [[RETENTION_NAMES.get(retention, retention), *row] for retention, rows in lists.items() for row in rows]
    write_spreadsheet(folder / CATALOGUE_FILES[0], [["保管期限", *CATALOGUE_COLUMNS], *table])
    atomic_write_bytes(folder / CATALOGUE_FILES[1], catalogue_pdf(lists, year, cfg.fonds, cfg.organ, font))
    # The catalogue is what the 档案馆 receives: its digests in the log show a later edit.
    with archive.locked():
        archive.log.append(
            "filed",
            year=year,
            items=len(items),
            failures=len(failures),
            catalogue={name: file_digests(folder / name) for name in CATALOGUE_FILES},
        )
    return FilingReport(year, folder, items, failures)
