"""The archival rendition of an imported PDF: a PDF/A-2b, read back before it is trusted.

An imported file is kept byte for byte as it came (``original.pdf``); where it is not already a
PDF/A-2 with a text layer, ``document.pdf`` is a rendition made from it (``convert.pdfa``) with
the text of every page — the file's own, or what OCR read of a scan laid invisibly over the
image. The rendition is accepted only when it reads back as PDF/A-2, with every font embedded,
the same number and size of pages as the original, and the same text page by page. The
conversion is recorded with the document (its tool, the digests of both sides, what was
compared), so the archive can show what was converted from what.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen.convert.pdfa import TextRun, ghostscript, page_images, to_pdfa, with_text_layer
from docgen.errors import ConversionError, DocgenError, printable
from docgen.ocr import Box, OcrResult, tidy
from docgen.readback import PDFA_PART, ExtractedText, pdf_facts, pdf_reader, read_pdf

SIZE_TOLERANCE_PT = 1.0  # page images are whole pixels: a 300 dpi page may be 0.24 pt smaller
_BLANK = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass
class Rendition:
    """The PDF/A made from an original, and how it was made and checked."""

    path: Path
    tool: str
    method: str  # "pdfwrite" (as it is), "page-images" (pages as images, text laid over), "libreoffice" (a DOCX)
    text_layer: str  # "original" (the file's own), "ocr", "original+ocr"
    problems_before: list[str] = field(default_factory=list)  # ways tried first, and why each was not kept
    checked: str = "PDF/A-2b，字体全部嵌入，页数和页面尺寸与原件相同，逐页文字与原件（或 OCR 结果）相同"


def needs_rendition(extracted: ExtractedText) -> bool:
    """A PDF that is not PDF/A-2, or has pages without text, gets a rendition; a DOCX gets LibreOffice's."""
    return extracted.kind == "pdf" and (extracted.pdfa_part != PDFA_PART or bool(extracted.image_only_pages))


def make_rendition(source: Path, extracted: ExtractedText, ocr: OcrResult | None, work: Path) -> Rendition:
    """A checked PDF/A-2b of ``source`` in ``work``, or a ``ConversionError`` saying why none could be made.

    Ways are tried in order until one reads back right: the file as it is (with OCR text laid
    over its scanned pages), then its pages as images with its own text laid over them — for a
    font the original never embedded, whose text cannot be kept but whose look can. Each way
    with Ghostscript's current PDF interpreter, then with its legacy one.
    """
    ghostscript()  # none on this machine: said once, with how to install it
    expected = _expected_pages(extracted, ocr)
    scanned = {p.page: _runs(p.boxes, ocr.dpi, -p.turned) for p in ocr.pages} if ocr else {}
    layer = "ocr" if ocr and len(ocr.pages) == extracted.pages else "original+ocr" if ocr else "original"
    target, refused = work / "rendition.pdf", list[str]()
    for method in ("pdfwrite", "page-images"):
        if method == "page-images" and len(scanned) == extracted.pages:
            break  # every page is a scan already: as images, it would be the same attempt again
        prepared = _prepared(source, method, scanned, len(expected), work)
        for legacy in (False, True):
            try:
                tool = to_pdfa(prepared, target, legacy=legacy)
            except ConversionError as exc:  # e.g. a Ghostscript without the legacy interpreter
                refused.append(exc.message)
                continue
            problems = rendition_problems(source, target, expected)
            if not problems:
                return Rendition(target, tool, method, layer, refused)
            refused.append(f"{tool}，{'原样转换' if method == 'pdfwrite' else '页面图片'}：{problems[0]}")
    msg = f"{source.name}：未能生成可用的 PDF/A 转换件（{'；'.join(refused)}）"
    raise ConversionError(msg)


def _prepared(source: Path, method: str, scanned: dict[int, list[TextRun]], pages: int, work: Path) -> Path:
    """What Ghostscript converts: the original, its pages as images, with the text layers laid over."""
    if method == "page-images":
        images = work / "pages.pdf"
        page_images(source, pages, images)
        layered = work / "pages-layered.pdf"
        with_text_layer(images, {**_text_lines(source), **scanned}, layered)
        return layered
    if not scanned:
        return source
    layered = work / "layered.pdf"
    with_text_layer(source, scanned, layered)
    return layered


def docx_rendition(pdf: Path) -> Rendition:
    """LibreOffice's PDF/A of an imported DOCX, read back; its producer names the tool.

    A DOCX has no pages of its own to compare with: what is checked is what makes it archival.
    """
    facts = pdf_facts(pdf)
    problems = [] if facts.opens else [f"转换件无法打开（{facts.problem}）"]
    if facts.opens and facts.pdfa_part != PDFA_PART:
        problems.append(f"转换件没有 PDF/A-2 标记（pdfaid:part={facts.pdfa_part}）")
    if facts.fonts_not_embedded:
        problems.append(f"转换件有未嵌入的字体：{'、'.join(facts.fonts_not_embedded)}")
    if problems:
        msg = f"{pdf.name}：LibreOffice 的转换件不能归档（{problems[0]}）"
        raise ConversionError(msg)
    info = pdf_reader(pdf).metadata
    producer = str((info.get("/Producer") if info is not None else None) or "LibreOffice")
    return Rendition(pdf, printable(producer), "libreoffice", "original", checked="PDF/A-2b，字体全部嵌入")


def conversion_record(rendition: Rendition, original_name: str, digests: dict[str, str]) -> dict[str, Any]:
    """What the event log and meta.json say of the conversion (DA/T 70: a conversion is recorded)."""
    return {
        "from": original_name,
        "to": "document.pdf",
        "tool": rendition.tool,
        "method": rendition.method,
        "text_layer": rendition.text_layer,
        "from_sha256": digests["from"],
        "to_sha256": digests["to"],
        "checked": rendition.checked,
        **({"refused_attempts": rendition.problems_before} if rendition.problems_before else {}),
    }


def rendition_problems(original: Path, rendition: Path, expected: Sequence[str]) -> list[str]:
    """What is wrong with a rendition, read back from it: nothing when it may stand for the original."""
    facts = pdf_facts(rendition)
    if not facts.opens:
        return [f"转换件无法打开（{facts.problem}）"]
    problems = []
    if facts.pdfa_part != PDFA_PART:
        problems.append(f"转换件没有 PDF/A-2 标记（pdfaid:part={facts.pdfa_part}）")
    if facts.fonts_not_embedded:
        problems.append(f"转换件有未嵌入的字体：{'、'.join(facts.fonts_not_embedded)}")
    if facts.encrypted:
        problems.append("转换件已加密")
    sizes = _page_sizes(original), _page_sizes(rendition)
    if len(sizes[0]) != len(sizes[1]):
        return [*problems, f"转换件有 {len(sizes[1])} 页，原件有 {len(sizes[0])} 页"]
    for n, (was, now) in enumerate(zip(*sizes, strict=True), start=1):
        if any(abs(a - b) > SIZE_TOLERANCE_PT for a, b in zip(was, now, strict=True)):
            sizes_said = f"原件 {was[0]:.0f}×{was[1]:.0f} pt，转换件 {now[0]:.0f}×{now[1]:.0f} pt"
            problems.append(f"第 {n} 页尺寸不同：{sizes_said}")
    read = read_pdf(rendition).pages
    for n, (want, got) in enumerate(zip(expected, read, strict=True), start=1):
        if _BLANK.sub("", want) != _BLANK.sub("", got):
            problems.append(f"第 {n} 页转换后的文字与原件不同（{_differs_at(want, got)}）")
            break
    return problems


def _expected_pages(extracted: ExtractedText, ocr: OcrResult | None) -> list[str]:
    """Each page's text as the rendition must give it back: the file's own, or what OCR read."""
    read = {p.page: _ocr_line_text(p.boxes) for p in ocr.pages} if ocr else {}
    return [read.get(n, text) for n, text in enumerate(extracted.page_texts, start=1)]


def _ocr_line_text(boxes: Sequence[Box]) -> str:
    return "".join(tidy(b.text) for b in boxes)


def _runs(boxes: Sequence[Box], dpi: int, angle: float) -> list[TextRun]:
    """OCR runs in points, in reading order (drawn in it, read back in it), turned as the scan's text runs."""
    scale = 72 / dpi
    return [
        TextRun(tidy(b.text), b.left * scale, b.top * scale, b.right * scale, b.bottom * scale, angle)
        for b in boxes
        if tidy(b.text)
    ]


def _text_lines(source: Path) -> dict[int, list[TextRun]]:
    """The original's own text, line by line with its place: laid over its page images."""
    import pdfplumber  # noqa: PLC0415 - heavy, and only this fallback needs line positions

    runs: dict[int, list[TextRun]] = {}
    try:
        with pdfplumber.open(source) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                lines = page.extract_text_lines(return_chars=False)
                runs[number] = [
                    TextRun(str(line["text"]), *(float(line[k]) for k in ("x0", "top", "x1", "bottom")))
                    for line in lines
                    if str(line["text"]).strip()
                ]
    except Exception as exc:  # pdfminer raises many types on a damaged file
        msg = f"{source.name}：无法读出文字位置（{str(exc)[:120]}）"
        raise DocgenError(msg) from exc
    return runs


def _page_sizes(pdf: Path) -> list[tuple[float, float]]:
    reader = pdf_reader(pdf)
    sizes = []
    for page in reader.pages:
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        sizes.append((height, width) if int(page.get("/Rotate", 0) or 0) % 180 else (width, height))
    return sizes


def _differs_at(want: str, got: str) -> str:
    a, b = _BLANK.sub("", want), _BLANK.sub("", got)
    at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return f"原件“{_shown(a[at : at + 12])}”，转换件“{_shown(b[at : at + 12])}”"


def _shown(text: str) -> str:
    """Text read back from a broken conversion is often control characters: each shown as □."""
    return _CONTROL.sub("□", printable(text))


__all__ = [
    "Rendition",
    "conversion_record",
    "docx_rendition",
    "make_rendition",
    "needs_rendition",
    "rendition_problems",
]
