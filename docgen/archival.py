"""Year-end filing (DA/T 22-2015): 档号, filing copies with the 归档章, and the 归档文件目录.

Each archived document (its newest version) is one 件. 件号 count from 0001 within the lowest
class of 年度 - 保管期限 - 机构（问题）, in date order (then 发文字号, then name), so every
year's numbers are unique and gap-free per class. The archive stays untouched: filing copies and
the catalogue are written to the workspace's ``filing/YEAR/`` and can be made again any time.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from docgen import tablefit
from docgen._io import atomic_write_bytes, child
from docgen.archive import Archive
from docgen.config import Settings
from docgen.docnumber import parse_number
from docgen.errors import DocgenError

MM = 72 / 25.4
STAMP_W_MM, STAMP_H_MM = 45.0, 16.0  # six cells of 15 x 8 mm
STAMP_RED = (0.85, 0.0, 0.0)
RETENTION_NAMES = {"Y": "永久", "D30": "30年", "D10": "10年"}


class FilingError(DocgenError):
    """Raised when filing copies or the catalogue cannot be made."""


@dataclass(frozen=True)
class Item:
    """One archival item (件) of a year."""

    code: str  # 档号, e.g. 0001-WS·2021-Y-BGS-0001
    item_no: int  # 件号
    retention: str
    meta: dict[str, Any]


def archival_code(fonds: str, year: int, retention: str, organ: str, item_no: int) -> str:
    """全宗号-WS·年度-保管期限-机构代码-件号, with the 件号 in four digits."""
    return f"{fonds}-WS·{year:04d}-{retention}-{organ}-{item_no:04d}"


def _sort_key(meta: dict[str, Any]) -> tuple[str, int, str]:
    parsed = parse_number(meta.get("number") or "")
    return (meta.get("date", ""), parsed.number.sequence if parsed else 0, meta.get("path", ""))


def assign_items(
    metas: Iterable[dict[str, Any]], year: int, fonds: str, organ: str, retention: dict[str, str]
) -> list[Item]:
    """Number the year's documents (newest version of each) as archival items."""
    newest: dict[str, dict[str, Any]] = {}
    for meta in metas:
        if not str(meta.get("date", "")).startswith(f"{year:04d}"):
            continue
        key = str(meta.get("identity") or meta.get("path"))
        if key not in newest or int(meta.get("version", 1)) > int(newest[key].get("version", 1)):
            newest[key] = meta
    classes: dict[str, list[dict[str, Any]]] = {}
    for meta in newest.values():
        period = retention.get(str(meta.get("kind")), retention.get("other", "D10"))
        classes.setdefault(period, []).append(meta)
    items = []
    # 永久 first, then 30年, then 10年, as the catalogue lists them.
    for period in sorted(classes, key=lambda p: (list(RETENTION_NAMES).index(p) if p in RETENTION_NAMES else 9, p)):
        for n, meta in enumerate(sorted(classes[period], key=_sort_key), start=1):
            items.append(Item(archival_code(fonds, year, period, organ, n), n, period, meta))
    return items


def stamp_font() -> Path:
    """A TrueType CJK font reportlab can embed (AR PL SungtiL GB, Debian fonts-arphic-gbsn00lp)."""
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", "AR PL SungtiL GB"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except FileNotFoundError:
        out = ""
    if not out.endswith((".ttf", ".ttc")) or not Path(out).is_file():
        msg = "缺少绘制归档章的字体 AR PL SungtiL GB（Debian 软件包 fonts-arphic-gbsn00lp），请运行 make demo 安装。"
        raise FilingError(msg)
    return Path(out)


def text_boxes_mm(page: Any) -> list[tuple[float, float, float, float]]:
    """Rough boxes (x0, top, x1, bottom in mm from the top-left) of the text on a page."""
    height = float(page.mediabox.height)
    boxes: list[tuple[float, float, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5 or 1.0
        pt = size * scale
        x = tm[4] * cm[0] + cm[4]
        y = tm[5] * cm[3] + cm[5]
        width = len(text) * pt
        boxes.append((x / MM, (height - y - pt) / MM, (x + width) / MM, (height - y + 0.3 * pt) / MM))

    page.extract_text(visitor_text=visit)
    return boxes


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


def filing_copy(source: Path, target: Path, values: list[str], font: Path) -> None:
    """Write ``source`` with the 归档章 on page 1, the pages otherwise untouched."""
    reader = PdfReader(source)
    first = reader.pages[0]
    width, height = float(first.mediabox.width) / MM, float(first.mediabox.height) / MM
    place = stamp_position(width, text_boxes_mm(first))
    if place is None:
        msg = f"{source}：首页上方没有能放归档章的空白，未生成归档副本。"
        raise FilingError(msg)
    overlay = PdfReader(io.BytesIO(stamp_overlay((width, height), place, values, font))).pages[0]
    writer = PdfWriter(clone_from=reader)
    writer.pages[0].merge_page(overlay)
    out = io.BytesIO()
    writer.write(out)
    atomic_write_bytes(target, out.getvalue())


# DA/T 22-2015 6.3: 序号, 档号, 文号, 责任者, 题名, 日期, 密级, 页数, 备注.
CATALOGUE_COLUMNS = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
CATALOGUE_PT = 10.5  # 五号: nine columns on a landscape sheet
CATALOGUE_MARGINS_MM = (20.0, 20.0, 28.0, 15.0)  # top, bottom, left (binding edge), right
CELL_PADDING_MM = 1.5


def catalogue_lists(items: list[Item]) -> dict[str, list[list[str]]]:
    """The 归档文件目录 rows, one list per 保管期限, each numbered from 1.

    日期 as YYYYMMDD; a title the archivist wrote goes in [ ].
    """
    lists: dict[str, list[list[str]]] = {}
    for item in items:
        meta = item.meta
        rows = lists.setdefault(item.retention, [])
        title = str(meta.get("title", ""))
        if meta.get("guessed"):
            title = f"[{title}]"
        rows.append(
            [
                str(len(rows) + 1),
                item.code,
                str(meta.get("number") or ""),
                str(meta.get("issuer") or ""),
                title,
                re.sub(r"\D", "", str(meta.get("date", ""))),
                "",
                str(meta.get("pages") or ""),
                "待OCR" if meta.get("needs_ocr") else "",
            ]
        )
    return lists


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
            tablefit.Cell(text, column, size_pt=CATALOGUE_PT, soft=soft and column == 3, measure=measure)
            for row in every_row
            for column, text in enumerate(row)
        ]
        plan = tablefit.plan_columns(cells, len(CATALOGUE_COLUMNS), width_mm, 2 * CELL_PADDING_MM + 0.5)
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
                lines = tablefit.break_lines(text, room, no_orphan=True, soft=soft and c == 3, measure=measure)
                style = centred if r == 0 or c not in (3, 4) else cell
                line.append(Paragraph("<br/>".join(escape(x) for x in lines), style))
            data.append(line)
        table = Table(data, colWidths=[w * MM for w in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
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


@dataclass(frozen=True)
class FilingReport:
    """What ``file_year`` made."""

    year: int
    folder: Path
    items: list[Item]
    failures: list[str]


def file_year(settings: Settings, year: int, on_item: Callable[[Item, str | None], None] | None = None) -> FilingReport:
    """Make the year's filing copies and its catalogue (PDF and CSV) under ``filing/YEAR``."""
    cfg = settings.filing
    archive = Archive(settings.archive_dir)
    items = assign_items(archive.metas(year), year, cfg.fonds, cfg.organ, dict(cfg.retention))
    if not items:
        msg = f"归档库中没有 {year} 年的文件。"
        raise FilingError(msg)
    font = stamp_font()
    folder = settings.workspace / cfg.folder / f"{year:04d}"
    failures = []
    for item in items:
        source = archive.root / item.meta["path"] / "document.pdf"
        error = None
        try:
            pages = len(PdfReader(source).pages)
            filing_copy(
                source, child(folder, f"{item.code}.pdf"), stamp_values(item, cfg.fonds, cfg.organ, year, pages), font
            )
        except (DocgenError, OSError, ValueError, PyPdfError) as exc:
            error = exc.message if isinstance(exc, DocgenError) else f"{source}：{exc}"
            failures.append(error)
        if on_item:
            on_item(item, error)
    lists = catalogue_lists(items)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["保管期限", *CATALOGUE_COLUMNS])
    for retention, rows in lists.items():
        writer.writerows([RETENTION_NAMES.get(retention, retention), *row] for row in rows)
    # UTF-8 with a BOM: Excel on a Chinese PC opens it without garbling.
    atomic_write_bytes(folder / "归档文件目录.csv", text.getvalue().encode("utf-8-sig"))
    atomic_write_bytes(folder / "归档文件目录.pdf", catalogue_pdf(lists, year, cfg.fonds, cfg.organ, font))
    return FilingReport(year, folder, items, failures)
