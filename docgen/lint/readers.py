"""Turn a file into a ``LintDocument``: plain text, DOCX, PDF or a case file."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docx import Document as DocxDocument
from docx.oxml.ns import qn

from docgen.errors import DocgenError
from docgen.lint.model import Finding, Line, LintDocument
from docgen.lint.roles import assign_roles
from docgen.readback import check_docx, pdf_reader
from docgen.wordml import body_texts

TWIPS_PER_MM = 1440 / 25.4
PORTRAIT_MARGINS_MM = (37, 35, 28, 26)  # top, bottom, left, right
LANDSCAPE_MARGINS_MM = (28, 26, 35, 37)


def read_text(path: Path) -> LintDocument:
    """A plain-text document: one line per line."""
    text = path.read_text(encoding="utf-8-sig")
    lines = [Line(t, f"第{n}行") for n, t in enumerate(text.splitlines(), start=1)]
    return LintDocument(path, [ln for ln in assign_roles(lines) if ln.role != "blank"])


def _style_value(style: object, tag: str, attr: str) -> str | None:
    """Follow a style's basedOn chain for one run property (w:sz/@w:val, w:rFonts/@w:eastAsia)."""
    while style is not None:
        rpr = style.element.rPr  # type: ignore[attr-defined]
        if rpr is not None:
            el = rpr.find(qn(tag))
            if el is not None and el.get(qn(attr)):
                return str(el.get(qn(attr)))
        style = style.base_style  # type: ignore[attr-defined]
    return None


def _defaults_value(doc: object, tag: str, attr: str) -> str | None:
    styles = doc.styles.element  # type: ignore[attr-defined]
    el = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn(tag)}")
    return str(el.get(qn(attr))) if el is not None and el.get(qn(attr)) else None


def _paragraph_size_font(doc: object, paragraph: object) -> tuple[float | None, str | None]:
    """The East Asian font and the size (pt) most of a paragraph's text is set in."""
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    style = paragraph.style  # type: ignore[attr-defined]
    style_sz = _style_value(style, "w:sz", "w:val") or _defaults_value(doc, "w:sz", "w:val")
    style_font = _style_value(style, "w:rFonts", "w:eastAsia") or _defaults_value(doc, "w:rFonts", "w:eastAsia")
    for run in paragraph.runs:  # type: ignore[attr-defined]
        rpr = run.element.rPr
        sz = rpr.find(qn("w:sz")) if rpr is not None else None
        rf = rpr.find(qn("w:rFonts")) if rpr is not None else None
        size = int(sz.get(qn("w:val"))) / 2 if sz is not None else (int(style_sz) / 2 if style_sz else None)
        font = rf.get(qn("w:eastAsia")) if rf is not None and rf.get(qn("w:eastAsia")) else style_font
        if size:
            sizes[size] += len(run.text)
        if font:
            fonts[font] += len(run.text)
    return (sizes.most_common(1)[0][0] if sizes else None), (fonts.most_common(1)[0][0] if fonts else None)


def _described(size: float | None, font: str | None = None) -> str:
    """A size and font as a clerk says them: "14 磅 宋体", "未设字号"."""
    said = f" {size:g} 磅" if size else "未设字号"
    return said + (f" {font}" if font else "")


def _docx_layout(path: Path, doc: object, lines: list[Line], paragraphs: list[object]) -> list[Finding]:
    findings = []
    for n, section in enumerate(doc.sections, start=1):  # type: ignore[attr-defined]
        width, height = section.page_width, section.page_height
        landscape = bool(width and height and width > height)
        paper = sorted((round(width.mm), round(height.mm))) if width and height else None
        if paper != [210, 297]:
            findings.append(Finding("GW811", "error", str(path), f"第{n}节", "", f"纸张应为 A4，现为 {paper} mm"))
        margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
        wanted = LANDSCAPE_MARGINS_MM if landscape else PORTRAIT_MARGINS_MM
        got = [round(m.mm) if m is not None else None for m in margins]
        if any(g is None or abs(g - w) > 1 for g, w in zip(got, wanted, strict=True)):
            findings.append(
                Finding(
                    "GW812",
                    "error",
                    str(path),
                    f"第{n}节",
                    "",
                    f"页边距（上下左右）应为 {list(wanted)} mm，现为 {got} mm",
                )
            )
    body = [(line, p) for line, p in zip(lines, paragraphs, strict=True) if line.role == "body" and len(line.text) > 30]
    if body:
        line, p = body[0]
        size, font = _paragraph_size_font(doc, p)
        if size != 16 or not font or "仿宋" not in font:
            findings.append(
                Finding(
                    "GW813",
                    "warning",
                    str(path),
                    line.place,
                    line.text[:20],
                    f"正文应为 3号（16磅）仿宋，现为{_described(size, font)}",
                )
            )
    for line, p in zip(lines, paragraphs, strict=True):
        if line.role == "title":
            size, font = _paragraph_size_font(doc, p)
            if size != 22 or not font or "小标宋" not in font:
                findings.append(
                    Finding(
                        "GW814",
                        "warning",
                        str(path),
                        line.place,
                        line.text[:20],
                        f"标题应为 2号（22磅）小标宋，现为{_described(size, font)}",
                    )
                )
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("word/footer") and name.endswith(".xml"):
                xml = zf.read(name).decode("utf-8", "replace")
                text = "".join(part.split("</w:t>")[0] for part in xml.split("<w:t")[1:])
                if "PAGE" in xml and ("—" not in text or "-" in text or "第" in text):
                    findings.append(Finding("GW801", "error", str(path), name, text, "页码应为“— 1 —”（一字线）"))
    return findings


def _plain(text: str) -> str:
    return text.replace("\u2060", "")


def read_docx(path: Path, kind: str | None = None) -> LintDocument:
    """A DOCX: one line per paragraph (tables included, row by row), plus its page layout."""
    check_docx(path)  # within bounds before any parser sees it (a bomb took 14 GB here)
    try:
        doc = DocxDocument(str(path))
    except Exception as exc:  # python-docx raises many types for a damaged package
        msg = f"{path}：无法作为 DOCX 读取（文件已损坏、不完整，或不是 DOCX）"
        raise DocgenError(msg) from exc
    paragraphs = list(doc.paragraphs)
    # Read as Word shows it (its automatic "一、", tracked changes accepted), as docgen format reads.
    # A line break inside a paragraph (a title docgen balanced over two lines) is layout, not text.
    # A word docgen glued whole carries U+2060 between its characters: layout, not text.
    texts = body_texts(doc)
    lines = assign_roles([Line(_plain(t.replace("\n", "")), f"第{n}段") for n, t in enumerate(texts, start=1)])
    # docgen's own 发文机关标志 is no body text, whatever its length.
    lines = [
        dataclasses.replace(ln, role="banner") if p.style is not None and p.style.style_id == "GwBanner" else ln
        for ln, p in zip(lines, paragraphs, strict=True)
    ]
    keep = [(ln, p) for ln, p in zip(lines, paragraphs, strict=True) if ln.role != "blank"]
    layout = _docx_layout(path, doc, [ln for ln, _ in keep], [p for _, p in keep])
    for t, table in enumerate(doc.tables, start=1):
        for r, row in enumerate(table.rows, start=1):
            text = "　".join(dict.fromkeys(_plain(c.text) for c in row.cells))
            role = "cc" if text.startswith("抄送") else "printed" if text.rstrip().endswith("印发") else "table"
            keep.append((Line(text, f"第{t}个表格第{r}行", role), None))  # type: ignore[arg-type]
    return LintDocument(path, [ln for ln, _ in keep], kind=kind, layout=layout)


def read_pdf(path: Path, kind: str | None = None) -> LintDocument:
    """A PDF: its printed lines per page (wrapped, not paragraphs), sizes and fonts as printed."""
    try:
        reader = pdf_reader(path)
        lines: list[Line] = []
        sized: list[PrintedRun] = []
        findings: list[Finding] = []
        for n, page in enumerate(reader.pages, start=1):
            w, h = float(page.mediabox.width) / 72 * 25.4, float(page.mediabox.height) / 72 * 25.4
            if sorted((round(w), round(h))) != [210, 297]:
                findings.append(
                    Finding("GW811", "error", str(path), f"第{n}页", "", f"纸张应为 A4，现为 {round(w)}×{round(h)} mm")
                )
            # A turned page's left edge is no 订口: only upright pages tell the margin.
            text = page.extract_text(visitor_text=_recorder(sized, upright=h > w)) or ""
            lines += [Line(t, f"第{n}页") for t in text.splitlines() if t.strip()]
    except Exception as exc:  # pypdf raises many types on damaged or hostile files (RecursionError too)
        msg = f"{path}：无法作为 PDF 读取（文件已损坏、不完整，或不是 PDF）"
        raise DocgenError(msg) from exc
    lines = assign_roles(lines, wrapped=True)
    findings += _pdf_text_layout(path, lines, sized)
    return LintDocument(path, lines, kind=kind, paragraphs=False, layout=findings)


@dataclass(frozen=True)
class PrintedRun:
    """A run of text as a PDF draws it: its size in points, its font, its left edge (mm); None when turned."""

    text: str
    size: float
    font: str
    x_mm: float | None


def _recorder(
    sized: list[PrintedRun], *, upright: bool
) -> Callable[[str, list[float], list[float], object, float], None]:
    """A pypdf text visitor that records each run's size, font and left edge into ``sized``."""

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
            x = (cm[0] * tm[4] + cm[2] * tm[5] + cm[4]) / 72 * 25.4
            turned = abs(tm[1]) > abs(tm[0]) or abs(cm[1]) > abs(cm[0])  # a turned table's text
            sized.append(PrintedRun(text, round(size * scale, 1), name, x if upright and not turned else None))

    return visit


# Fonts a 正文 must not be set in: monospaced faces (a typewriter look, wider than the 28-字 line).
_MONOSPACED = re.compile(r"courier|mono|consol|typewriter", re.IGNORECASE)
BODY_CHARS_MIN = 100  # a PDF with less running text is a form or a scan: its body size says nothing
RUN_CHARS_MIN = 12
RUNNING_SHARE = 0.7  # of a document's characters in long runs: running text, not a form
LEFT_MARGIN_MM, LEFT_MARGIN_TOLERANCE_MM = 28.0, 3.0


def _pdf_text_layout(path: Path, lines: list[Line], sized: list[PrintedRun]) -> list[Finding]:
    """The 正文's size, font and left margin, and the 标题's size, as the PDF prints them.

    A document with a 标题 is judged as docgen always did: its 正文 is the commonest size of 14 pt
    or more (a table's smaller cells are no 正文), or the commonest size at all when nothing is
    that large. Without one, only a document of running text is judged (a form's short cells
    are not); a turned table's pages never are.
    """
    findings: list[Finding] = []
    upright = [run for run in sized if run.x_mm is not None]
    running = [run for run in upright if len(run.text.strip()) >= RUN_CHARS_MIN]
    title = next((ln for ln in lines if ln.role == "title"), None)
    total = sum(len(run.text.strip()) for run in upright)
    in_runs = sum(len(run.text.strip()) for run in running)
    if total < BODY_CHARS_MIN or (title is None and in_runs < RUNNING_SHARE * total):
        return findings
    large: Counter[float] = Counter()
    every: Counter[float] = Counter()
    for run in upright if title is not None else running:
        every[run.size] += len(run.text.strip())
        if run.size >= 14:
            large[run.size] += len(run.text.strip())
    body = (large or every).most_common(1)[0][0]
    if abs(body - 16) > 0.25:
        findings.append(Finding("GW813", "warning", str(path), "", "", f"正文应为 3号（16磅），现为 {body:g} 磅"))
    fonts: Counter[str] = Counter()
    for run in running:
        if run.size == body:
            fonts[run.font.split("+")[-1].lstrip("/")] += len(run.text.strip())
    font = fonts.most_common(1)[0][0] if fonts else ""
    if _MONOSPACED.search(font):
        findings.append(Finding("GW813", "warning", str(path), "", "", f"正文应为仿宋，现为等宽字体 {font}"))
    edges = [run.x_mm for run in upright if run.size == body and run.x_mm is not None]
    if edges:
        left = min(edges)  # where wrapped lines of the body begin (their first run may be a short one)
        if abs(left - LEFT_MARGIN_MM) > LEFT_MARGIN_TOLERANCE_MM:
            findings.append(
                Finding(
                    "GW812", "warning", str(path), "", "", f"版心左边距（订口）应为 28 mm，正文现从 {left:.0f} mm 起"
                )
            )
    if title is None:
        return findings
    head = title.text[:6]
    title_sizes = {run.size for run in sized if head and run.text.strip() and run.text.strip()[:6] in title.text}
    if title_sizes and 22 not in title_sizes:
        findings.append(
            Finding(
                "GW814",
                "warning",
                str(path),
                title.place,
                title.text[:20],
                f"标题应为 2号（22磅），现为{'、'.join(f'{s:g} 磅' for s in sorted(title_sizes))}",
            )
        )
    return findings
