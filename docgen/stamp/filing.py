"""The DA/T 22-2015 归档章: a red 2×3 grid in the blank above the text of page 1."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from docgen._io import atomic_write_bytes
from docgen.errors import FilingError
from docgen.stamp import MM, on_first_page, text_boxes_mm

STAMP_W_MM, STAMP_H_MM = 45.0, 16.0  # six cells of 15 x 8 mm

STAMP_RED = (0.85, 0.0, 0.0)


def stamp_position(page_w_mm: float, boxes: list[tuple[float, float, float, float]]) -> tuple[float, float] | None:
    """Where the 归档章 goes, as (x, top) in mm; None if no place keeps clear of the text.

    Top-right over the block, else top-centre, else top-left, in the blank above the first text
    and at least 5 mm from the paper's edge.
    """
    top_text = min((b[1] for b in boxes), default=297.0)
    top = max(5.0, min(12.0, top_text - STAMP_H_MM - 3.0))
    if top + STAMP_H_MM > top_text - 1.0:
        return None
    right = page_w_mm - 26.0 - STAMP_W_MM
    for x in (right, (page_w_mm - STAMP_W_MM) / 2, 28.0):
        rect = (x, top, x + STAMP_W_MM, top + STAMP_H_MM)
        clear = all(b[2] < rect[0] or b[0] > rect[2] or b[3] < rect[1] or b[1] > rect[3] for b in boxes)
        if clear:
            return x, top
    return None


def stamp_overlay(page_mm: tuple[float, float], place_mm: tuple[float, float], values: list[str], font: Path) -> bytes:
    """One transparent page with the red 2x3 归档章 and its six values."""
    page_w_mm, page_h_mm = page_mm
    x_mm, top_mm = place_mm
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - only filing needs reportlab
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415
    from reportlab.pdfgen import canvas  # noqa: PLC0415

    if "DocgenStamp" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DocgenStamp", str(font)))
    buf = io.BytesIO()
    # A CJK initial font: reportlab's default Helvetica would be an unembedded font in the copy.
    c = canvas.Canvas(buf, pagesize=(page_w_mm * MM, page_h_mm * MM), initialFontName="DocgenStamp", initialFontSize=9)
    c.setStrokeColorRGB(*STAMP_RED)
    c.setFillColorRGB(*STAMP_RED)
    c.setLineWidth(0.8)
    cell_w, cell_h = STAMP_W_MM / 3, STAMP_H_MM / 2
    for row in range(2):
        for col in range(3):
            x = (x_mm + col * cell_w) * MM
            y = (page_h_mm - top_mm - (row + 1) * cell_h) * MM
            c.rect(x, y, cell_w * MM, cell_h * MM, stroke=1, fill=0)
            text = values[row * 3 + col]
            size = 9.0 if pdfmetrics.stringWidth(text, "DocgenStamp", 9) < (cell_w - 1) * MM else 7.0
            c.setFont("DocgenStamp", size)
            c.drawCentredString(x + cell_w * MM / 2, y + (cell_h * MM - size * 0.7) / 2, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def filing_copy(reader: PdfReader, source: Path, target: Path, values: list[str], font: Path) -> None:
    """Write the PDF ``reader`` read from ``source`` with the 归档章 on page 1, the pages otherwise untouched."""
    first = reader.pages[0]
    width, height = float(first.mediabox.width) / MM, float(first.mediabox.height) / MM
    place = stamp_position(width, text_boxes_mm(first))
    if place is None:
        msg = f"{source}：首页上方没有能放归档章的空白，未生成归档副本。"
        raise FilingError(msg)
    atomic_write_bytes(target, on_first_page(reader, stamp_overlay((width, height), place, values, font)))
