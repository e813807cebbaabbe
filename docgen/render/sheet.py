"""The 发文稿纸 (发文处理笺): the form that travels with a 正本 and shows who drafted, checked and signed.

What the 档案馆 receives with each document it files: 文号, 密级, 标题, 主送, 抄送, then 签发, 会签,
核稿 and 拟稿 with each person's name, opinion and time, as every office's printed 稿纸 lays them
out (签发 at the top, where the 局长 writes). ``sheet_rows`` is the pure layout; ``write_sheet``
writes it as a DOCX in the official fonts, which the converter turns into a PDF/A like any
document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from docgen.vocab import FANGSONG, HEITI, XIAOBIAOSONG, FontRole

LABEL_WIDTH_MM = 28.0
TEXT_WIDTH_MM = 156.0


@dataclass(frozen=True)
class Signature:
    """One person's part in the flow: name, opinion, when."""

    name: str
    opinion: str
    time: str


@dataclass(frozen=True)
class SheetData:
    """What a 发文稿纸 shows."""

    organ: str
    number: str
    secrecy: str
    urgency: str
    title: str
    recipients: str
    copy_to: str
    attachments: str
    signed: list[Signature]
    countersigned: list[Signature]
    reviewed: list[Signature]
    drafted: Signature


def _signatures(items: list[Signature]) -> str:
    return "\n".join(f"{s.opinion}　{s.name}　{s.time}" if s.opinion else f"{s.name}　{s.time}" for s in items) or "无"


def sheet_rows(data: SheetData) -> list[tuple[str, str]]:
    """The rows of the form, label and content, top to bottom."""
    return [
        ("签发", _signatures(data.signed)),
        ("会签", _signatures(data.countersigned)),
        ("核稿", _signatures(data.reviewed)),
        ("拟稿", _signatures([data.drafted])),
        ("发文字号", data.number or "（签发后编号）"),
        ("密级和保密期限", data.secrecy or "无"),
        ("紧急程度", data.urgency or "无"),
        ("标题", data.title),
        ("主送", data.recipients or "无"),
        ("抄送", data.copy_to or "无"),
        ("附件", data.attachments or "无"),
    ]


def _font(run: object, font: FontRole, size_pt: float) -> None:
    rpr = run._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font.name)
    run.font.size = Pt(size_pt)  # type: ignore[attr-defined]


def write_sheet(data: SheetData, target: Path) -> None:
    """The 发文稿纸 as a one-page A4 DOCX: the organ's name and 发文稿纸 above a ruled table."""
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    section.left_margin = section.right_margin = Mm(13)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(f"{data.organ}发文稿纸"), XIAOBIAOSONG, 22)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # LibreOffice lays a table out by its grid, Word by its cells: both are given the widths.
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, (LABEL_WIDTH_MM, TEXT_WIDTH_MM), strict=True):
        column.w = Mm(width)
    for label, content in sheet_rows(data):
        row = table.add_row()
        row.height = Mm(12)
        cells = row.cells
        cells[0].width, cells[1].width = Mm(LABEL_WIDTH_MM), Mm(TEXT_WIDTH_MM)
        cells[0].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        label_paragraph = cells[0].paragraphs[0]
        label_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(label_paragraph.add_run(label), HEITI, 12)
        for i, line in enumerate(content.split("\n")):
            paragraph = cells[1].paragraphs[0] if i == 0 else cells[1].add_paragraph()
            _font(paragraph.add_run(line), FANGSONG, 14)
    doc.save(str(target))


__all__ = ["SheetData", "Signature", "sheet_rows", "write_sheet"]
