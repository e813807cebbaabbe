"""Distribution copies: one PDF per addressee of a numbered document, each with its 份号.

GB/T 9704 puts the 份号 (six Arabic digits, 3号) flush left on the first line of the text
block; docgen's red-header layout leaves that line blank above the 发文机关标志. Copies and the
record of which 份号 went to whom are written to ``copies/<发文字号>/`` (the archive is not
touched) and made again identically on every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen._io import atomic_write_bytes, child, write_spreadsheet
from docgen.archive.paths import CASE_FILE, DOCUMENT_PDF, safe_name
from docgen.case.model import load_case
from docgen.errors import FilingError
from docgen.pipeline.workspace import Workspace
from docgen.readback import pdf_reader
from docgen.stamp import MM, on_first_page, stamp_font, text_boxes_mm
from docgen.stamp.serial import BLOCK_LEFT_MM, SERIAL_PT, SERIAL_TOP_MM, serial_overlay


@dataclass(frozen=True)
class Addressee:
    """Who receives a copy, and as what (主送 or 抄送)."""

    role: str
    name: str


def addressees(recipients: str, copy_to: list[str]) -> list[Addressee]:
    """The 主送 organs (split at 、 and ，) then the 抄送 organs, in the order written."""
    main = [p.strip() for p in re.split(r"[，、,]", recipients.rstrip("：:")) if p.strip()]
    return [Addressee("主送", n) for n in main] + [Addressee("抄送", n.strip("。")) for n in copy_to if n.strip()]


def make_copies(ws: Workspace, relative: str) -> Path:
    """Write the distribution copies of the archived numbered document in folder ``relative``; return their folder."""
    meta = ws.archive.read_meta(relative)
    case = load_case(ws.archive.file_path(relative, CASE_FILE))
    if case.notice is None or not meta.get("number"):
        msg = f"{relative}：不是有发文字号的通知，不分发。"
        raise FilingError(msg)
    people = addressees(case.notice.recipients, list(case.notice.copy_to))
    source = ws.archive.file_path(relative, DOCUMENT_PDF)
    reader = pdf_reader(source)
    first = reader.pages[0]
    page_mm = (float(first.mediabox.width) / MM, float(first.mediabox.height) / MM)
    line = (BLOCK_LEFT_MM, SERIAL_TOP_MM, BLOCK_LEFT_MM + 6 * SERIAL_PT / 2 / MM * 1.1, SERIAL_TOP_MM + SERIAL_PT / MM)
    if any(not (b[2] < line[0] or b[0] > line[2] or b[3] < line[1] or b[1] > line[3]) for b in text_boxes_mm(first)):
        msg = f"{source}：版心第一行已有文字，无处编排份号。"
        raise FilingError(msg)
    font = stamp_font()
    folder = ws.root / "copies" / safe_name(str(meta["number"]))
    rows: list[list[Any]] = []
    for n, person in enumerate(people, start=1):
        serial = f"{n:06d}"
        name = f"{serial} {safe_name(person.name)}.pdf"
        atomic_write_bytes(child(folder, name), on_first_page(reader, serial_overlay(page_mm, serial, font)))
        rows.append([serial, person.role, person.name, meta["number"], meta["title"], name])
    write_spreadsheet(folder / "分发记录.csv", [["份号", "类别", "收文单位", "发文字号", "标题", "文件"], *rows])
    return folder
