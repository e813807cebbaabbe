"""Distribution copies: one PDF per addressee of a numbered document, each with its 份号.

GB/T 9704 puts the 份号 (six Arabic digits, 3号) flush left on the first line of the text
block; docgen's red-header layout leaves that line blank above the 发文机关标志. Copies and the
record of which 份号 went to whom are written to ``copies/<发文字号>/`` (the archive is not
touched) and made again identically on every run.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter

from docgen._io import atomic_write_bytes, child
from docgen.archival import MM, FilingError, stamp_font, text_boxes_mm
from docgen.archive_paths import safe_name
from docgen.case import load_case
from docgen.config import Settings

SERIAL_PT = 16.0  # 3号
BLOCK_LEFT_MM, BLOCK_TOP_MM = 28.0, 37.0


@dataclass(frozen=True)
class Addressee:
    """Who receives a copy, and as what (主送 or 抄送)."""

    role: str
    name: str


def addressees(recipients: str, copy_to: list[str]) -> list[Addressee]:
    """The 主送 organs (split at 、 and ，) then the 抄送 organs, in the order written."""
    main = [p.strip() for p in re.split(r"[，、,]", recipients.rstrip("：:")) if p.strip()]
    return [Addressee("主送", n) for n in main] + [Addressee("抄送", n.strip("。")) for n in copy_to if n.strip()]


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
    baseline = page_mm[1] * MM - BLOCK_TOP_MM * MM - SERIAL_PT * 0.88
    c.drawString(BLOCK_LEFT_MM * MM, baseline, serial)
    c.showPage()
    c.save()
    return buf.getvalue()


def make_copies(settings: Settings, archived_folder: Path) -> Path:
    """Write the distribution copies of one archived numbered document; return their folder."""
    meta = json.loads((archived_folder / "meta.json").read_text(encoding="utf-8"))
    case = load_case(archived_folder / "case.yaml")
    if case.notice is None or not meta.get("number"):
        msg = f"{archived_folder}：不是有发文字号的通知，不分发。"
        raise FilingError(msg)
    people = addressees(case.notice.recipients, list(case.notice.copy_to))
    source = archived_folder / "document.pdf"
    reader = PdfReader(source)
    first = reader.pages[0]
    page_mm = (float(first.mediabox.width) / MM, float(first.mediabox.height) / MM)
    line = (BLOCK_LEFT_MM, BLOCK_TOP_MM, BLOCK_LEFT_MM + 6 * SERIAL_PT / 2 / MM * 1.1, BLOCK_TOP_MM + SERIAL_PT / MM)
    if any(not (b[2] < line[0] or b[0] > line[2] or b[3] < line[1] or b[1] > line[3]) for b in text_boxes_mm(first)):
        msg = f"{source}：版心第一行已有文字，无处编排份号。"
        raise FilingError(msg)
    font = stamp_font()
    folder = settings.workspace / "copies" / safe_name(str(meta["number"]))
    rows: list[list[Any]] = []
    for n, person in enumerate(people, start=1):
        serial = f"{n:06d}"
        overlay = PdfReader(io.BytesIO(serial_overlay(page_mm, serial, font))).pages[0]
        writer = PdfWriter(clone_from=reader)
        writer.pages[0].merge_page(overlay)
        out = io.BytesIO()
        writer.write(out)
        name = f"{serial} {safe_name(person.name)}.pdf"
        atomic_write_bytes(child(folder, name), out.getvalue())
        rows.append([serial, person.role, person.name, meta["number"], meta["title"], name])
    text = io.StringIO()
    record = csv.writer(text)
    record.writerow(["份号", "类别", "收文单位", "发文字号", "标题", "文件"])
    record.writerows(rows)
    atomic_write_bytes(folder / "分发记录.csv", text.getvalue().encode("utf-8-sig"))
    return folder
