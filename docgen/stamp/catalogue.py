"""The 归档文件目录 as a PDF (DA/T 22-2015): one list per 保管期限, landscape, with a binding margin."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docgen import layout
from docgen.stamp import MM
from docgen.vocab import CATALOGUE_COLUMNS, RETENTION_NAMES

CATALOGUE_PT = 10.5  # 五号: nine columns on a landscape sheet


CATALOGUE_MARGINS_MM = (20.0, 20.0, 28.0, 15.0)  # top, bottom, left (binding edge), right


CELL_PADDING_MM = 1.5


def catalogue_pdf(lists: dict[str, list[list[str]]], year: int, fonds: str, organ: str, font: Path) -> bytes:
    """The catalogue on landscape A4: one list per 保管期限, header row on every page, page numbers.

    Column widths come from the content (``tablefit``, measured with the font's own metrics): a
    档号 or 文号 is never broken, a 题名 breaks between words and never leaves one character alone.
    """
    from reportlab.lib import colors  # noqa: PLC0415
    from reportlab.lib.pagesizes import A4, landscape  # noqa: PLC0415
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle  # noqa: PLC0415

    if "DocgenStamp" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DocgenStamp", str(font)))

    def measure(text: str) -> float:
        return float(pdfmetrics.stringWidth(text, "DocgenStamp", 1))

    top, bottom, left, right = CATALOGUE_MARGINS_MM
    width_mm = 297 - left - right
    cell = ParagraphStyle("cell", fontName="DocgenStamp", fontSize=CATALOGUE_PT, leading=CATALOGUE_PT * 1.4)
    centred = ParagraphStyle("centred", parent=cell, alignment=1)
    head = ParagraphStyle("title", fontName="DocgenStamp", fontSize=18, leading=26, alignment=1)
    scope = ParagraphStyle("scope", fontName="DocgenStamp", fontSize=12, leading=20, alignment=1)
    every_row = [CATALOGUE_COLUMNS, *(row for rows in lists.values() for row in rows)]
    for soft in (False, True):  # the 责任者 whole if it can be, else broken between its words
        cells = [
            layout.Cell(text, column, size_pt=CATALOGUE_PT, soft=soft and column == 3, measure=measure)
            for row in every_row
            for column, text in enumerate(row)
        ]
        plan = layout.plan_columns(cells, len(CATALOGUE_COLUMNS), width_mm, 2 * CELL_PADDING_MM + 0.5)
        if plan.fits:
            break
    widths = [w * width_mm / sum(plan.widths_mm) for w in plan.widths_mm]
    story: list[Any] = []
    for n, (retention, rows) in enumerate(lists.items()):
        data = []
        for r, row in enumerate([CATALOGUE_COLUMNS, *rows]):
            line = []
            for c, text in enumerate(row):
                room = (widths[c] - 2 * CELL_PADDING_MM - 0.5) * MM / CATALOGUE_PT
                title = c == CATALOGUE_COLUMNS.index("题名")  # 题名 breaks between its words (工作|协调|会议)
                lines = layout.break_lines(
                    text, room, no_orphan=True, soft=soft and c == 3, words=title, measure=measure
                )
                style = centred if r == 0 or c not in (3, 4) else cell
                line.append(Paragraph("<br/>".join(escape(x) for x in lines), style))
            data.append(line)
        table = Table(data, colWidths=[w * MM for w in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), "DocgenStamp"),  # else Table names an unembedded Helvetica
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_MM * MM),
                    ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_MM * MM),
                ]
            )
        )
        if n:
            story.append(PageBreak())
        name = RETENTION_NAMES.get(retention, retention)
        story += [
            Paragraph("归档文件目录", head),
            Paragraph(f"全宗号：{fonds}　年度：{year}　保管期限：{name}　机构（问题）：{organ}", scope),
            table,
        ]

    def page_number(canvas: Any, doc: Any) -> None:
        canvas.setFont("DocgenStamp", 12)
        canvas.drawCentredString(297 * MM / 2, bottom * MM / 2, f"— {doc.page} —")

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=left * MM,
        rightMargin=right * MM,
        topMargin=top * MM,
        bottomMargin=bottom * MM,
        initialFontName="DocgenStamp",
        title=f"{year}年度归档文件目录",
    )
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()
