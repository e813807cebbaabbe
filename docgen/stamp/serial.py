"""The 份号 of a distribution copy: six digits, 3号, flush left on the first line of the text block."""

from __future__ import annotations

import io
from pathlib import Path

from docgen import layout
from docgen.stamp import MM

# The first line of the text block, where GB/T 9704 puts the 份号.
BLOCK_LEFT_MM, BLOCK_TOP_MM = layout.PAGE.left_mm, layout.PAGE.top_mm

SERIAL_PT = 16.0  # 3号
# Measured: LibreOffice sets the 份号 line of a rendered document (one grid line, exact height)
# with its em box 2.65 mm below the top of the block; a copy's 份号 stands where render's does.
SERIAL_TOP_MM = BLOCK_TOP_MM + 2.65


def serial_overlay(page_mm: tuple[float, float], serial: str, font: Path) -> bytes:
    """One transparent page with the 份号 on the first line of the text block."""
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415 - only copies need reportlab
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415
    from reportlab.pdfgen import canvas  # noqa: PLC0415

    if "DocgenStamp" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DocgenStamp", str(font)))
    buf = io.BytesIO()
    c = canvas.Canvas(
        buf, pagesize=(page_mm[0] * MM, page_mm[1] * MM), initialFontName="DocgenStamp", initialFontSize=SERIAL_PT
    )
    c.setFont("DocgenStamp", SERIAL_PT)
    baseline = page_mm[1] * MM - SERIAL_TOP_MM * MM - SERIAL_PT * 0.88
    c.drawString(BLOCK_LEFT_MM * MM, baseline, serial)
    c.showPage()
    c.save()
    return buf.getvalue()
