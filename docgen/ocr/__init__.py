"""Reading scanned pages: an image-only PDF page in, its text and a confidence out.

Imports only the shared modules. One small interface (``OcrEngine``) with two engines behind it:
RapidOCR (PaddleOCR's Chinese models run by onnxruntime, the models inside the wheel, no network)
is the default, chosen by measurement (``bench/bench_ocr.py``); Tesseract (``chi_sim``) is the
other, for machines that have it and not the optional extra. Pages are rendered one at a time
with poppler's pdftoppm, so memory stays that of one page.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PIL import Image

from docgen.errors import OcrError

if TYPE_CHECKING:
    from docgen.ocr.upright import Turn

DPI = 300
REVIEW_BELOW = 0.90  # mean line confidence under which a page is listed for a person to check
RENDER_TIMEOUT_S = 120
ENGINES = ("rapidocr", "tesseract")
INSTALL_HINT = "安装 OCR 组件：.venv/bin/pip install 'docgen[ocr]'（make demo 和 make test 会自动安装）"

# OCR sets a space wherever glyphs stand apart; between Han characters, or a Han character and a
# digit or Latin letter, such a space is never in the document.
_SPACE_AFTER_HAN = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]+(?=\S)")
_SPACE_BEFORE_HAN = re.compile(r"(?<=\S)[ \t]+(?=[\u3000-\u9fff\uff00-\uffef])")


def tidy(line: str) -> str:
    """One recognised line without the spaces OCR puts between Chinese characters."""
    return _SPACE_BEFORE_HAN.sub("", _SPACE_AFTER_HAN.sub("", line.strip()))


@dataclass(frozen=True)
class Box:
    """One recognised run of text: its box on the page (pixels) and the engine's confidence."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float


@dataclass(frozen=True)
class PageText:
    """A recognised page: its lines in reading order and their mean confidence (by characters).

    ``dropped`` counts the lines of ink the engine returned no text for: an engine drops a whole
    line it cannot read (measured: RapidOCR at 150 dpi and 1.6° skew dropped the longest lines
    and still said 0.973 for the page), so the confidence of what it did read is not enough.
    """

    page: int
    text: str
    confidence: float
    characters: int
    dropped: int = 0
    boxes: tuple[Box, ...] = ()  # each run in reading order, where it stands on the scan: for the text layer
    turned: float = 0.0  # degrees (counter-clockwise) the scan was turned to be read: a skew, a quarter or half turn


@dataclass
class OcrResult:
    """What the engine read from a document's image-only pages."""

    engine: str
    version: str
    dpi: int
    pages: list[PageText] = field(default_factory=list)

    def review_pages(self, below: float = REVIEW_BELOW) -> list[int]:
        """Pages under ``below``, with no text, or with lines of ink left unread: a person should check them."""
        return [p.page for p in self.pages if p.confidence < below or not p.characters or p.dropped]


class OcrEngine(Protocol):
    """A recogniser of one page image."""

    name: str
    version: str

    def boxes(self, image: Path) -> list[Box]:
        """The text runs found on the image, in any order."""

    def line_confidence(self, line: Image.Image) -> float:
        """How sure the engine is of reading ``line`` as one line of upright text, not turning it itself."""


CELL_GAP = 0.5  # a gap wider than half a character's height parts two table cells
_RULE = re.compile(r"\s*[|｜]\s*")  # a table's vertical rule read as a bar


def rows_of(boxes: Sequence[Box]) -> list[list[Box]]:
    """Runs grouped into lines top to bottom, each line's runs left to right: the reading order."""
    if not boxes:
        return []
    height = sorted(b.bottom - b.top for b in boxes)[len(boxes) // 2]
    rows: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        centre = (box.top + box.bottom) / 2
        if rows and abs(centre - sum((b.top + b.bottom) / 2 for b in rows[-1]) / len(rows[-1])) < height / 2:
            rows[-1].append(box)
        else:
            rows.append([box])
    for row in rows:
        row.sort(key=lambda b: b.left)
    return rows


def lines_of(boxes: Sequence[Box]) -> list[str]:
    """Runs grouped into lines top to bottom, left to right; table cells joined by a tab."""
    if not boxes:
        return []
    height = sorted(b.bottom - b.top for b in boxes)[len(boxes) // 2]
    lines = []
    for row in rows_of(boxes):
        text = row[0].text
        for before, box in itertools.pairwise(row):
            text += ("\t" if box.left - before.right > height * CELL_GAP else "") + box.text
        lines.append(_RULE.sub("\t", tidy(text)).strip("\t"))
    return [line for line in lines if line]


def page_text(page: int, boxes: list[Box], dropped: int = 0) -> PageText:
    """A page's text and its confidence, each run weighted by its characters."""
    characters = sum(len(b.text) for b in boxes)
    confidence = sum(b.confidence * len(b.text) for b in boxes) / characters if characters else 0.0
    text = "\n".join(lines_of(boxes))
    return PageText(page, text, round(confidence, 4), characters, dropped, tuple(boxes))


INK_BELOW = 160  # grey level under which a pixel is ink (red print included)
LINE_STROKES = 12  # strokes a row of unread ink crosses to be text: a few characters, not a table's rules
_STROKE = re.compile(rb"\xff{2,}")  # two pixels at least: a speck on the scan is no stroke


def dropped_lines(image: Path, boxes: list[Box]) -> int:
    """How many lines of ink on the page no recognised box covers.

    Boxes are widened by half their height (a skewed line strays out of its box); what is left
    is text when, row after row, it crosses many strokes, for at least half the height of a
    recognised line. A table's rules cross few; a rule across the page is one or two rows high.
    """
    from PIL import ImageDraw  # noqa: PLC0415 - only OCR needs the image

    if not boxes:
        return 0
    with Image.open(image) as opened:
        ink = opened.convert("L").point(lambda v: 255 if v < INK_BELOW else 0)
    painter = ImageDraw.Draw(ink)
    heights = sorted(b.bottom - b.top for b in boxes)
    line_height = heights[len(heights) // 2]
    for b in boxes:
        pad = (b.bottom - b.top) / 2
        painter.rectangle((b.left - pad, b.top - pad, b.right + pad, b.bottom + pad), fill=0)
    width, height = ink.size
    data = ink.tobytes()
    run, found = 0, 0
    for y in range(height):
        if len(_STROKE.findall(data, y * width, (y + 1) * width)) >= LINE_STROKES:
            run += 1
            continue
        found += run >= line_height / 2
        run = 0
    return found + (run >= line_height / 2)


def run_tool(command: list[str | Path], timeout: float, failed: str) -> str:
    """Run an outside program (pdftoppm, tesseract) and return what it printed; ``failed`` says what did not work."""
    try:
        done = subprocess.run(
            [str(part) for part in command], capture_output=True, text=True, timeout=timeout, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        msg = f"{failed}（{exc}）"
        raise OcrError(msg) from exc
    return done.stdout


def render_page(pdf: Path, page: int, folder: Path, dpi: int = DPI) -> Path:
    """One page as a PNG image (poppler's pdftoppm), ``folder/p<page>.png``."""
    prefix = folder / f"p{page}"
    first = str(page)
    command: list[str | Path] = [
        "pdftoppm",
        "-r",
        str(dpi),
        "-png",
        "-singlefile",
        "-f",
        first,
        "-l",
        first,
        pdf,
        prefix,
    ]
    run_tool(command, RENDER_TIMEOUT_S, f"{pdf}：第 {page} 页无法转成图片")
    return prefix.with_suffix(".png")


MAX_PAGES = 300


def refuse_long_ocr(pdf: Path, pages: int) -> None:
    """Refuse more than ``MAX_PAGES`` pages of OCR in one run, saying how long it would take."""
    if pages > MAX_PAGES:
        msg = (
            f"{pdf.name}：有 {pages} 页需要 OCR，超过一次的上限 {MAX_PAGES} 页（约 {MAX_PAGES * 2 // 60} 分钟）。"
            "请把文件拆分后导入，或加 --no-ocr 先导入（标记为待 OCR）。"
        )
        raise OcrError(msg)


def recognise_pages(
    pdf: Path,
    pages: list[int],
    engine: OcrEngine,
    *,
    dpi: int = DPI,
    on_page: Callable[[int, int], None] | None = None,
) -> OcrResult:
    """Recognise the given pages (1-based) of ``pdf``; ``on_page(done, total)`` reports progress.

    At most ``MAX_PAGES`` in one run: about two seconds a page, a 5,000-page blank scan would
    otherwise take three hours before anything is said.
    """
    refuse_long_ocr(pdf, len(pages))
    result = OcrResult(engine.name, engine.version, dpi)
    with tempfile.TemporaryDirectory(prefix="docgen-ocr-") as tmp:
        for done, page in enumerate(pages, start=1):
            image = render_page(pdf, page, Path(tmp), dpi)
            result.pages.append(recognise_upright(page, image, engine))
            image.unlink()
            if on_page:
                on_page(done, len(pages))
    return result


def recognise_upright(page: int, image: Path, engine: OcrEngine) -> PageText:
    """One page read upright (``upright``): its text in reading order, its boxes where they stand on the scan."""
    from docgen.ocr import upright  # noqa: PLC0415 - numpy comes with the OCR extra

    with Image.open(image) as opened:
        scan = opened.convert("L")
    turn = upright.Turn(skew=upright.find_skew(scan))
    straight, read_from = _straightened(scan, turn, image)
    boxes = engine.boxes(read_from)
    if upright.sideways(boxes):
        quarter = upright.quarter_turn(read_from, boxes, engine.line_confidence)
        turned = scan.rotate(quarter, expand=True)
        turn = upright.Turn(quarter, upright.find_skew(turned))
        straight, read_from = _straightened(scan, turn, image)
        boxes = engine.boxes(read_from)
    if upright.upside_down(read_from, boxes, engine.line_confidence):
        # Read again the right way up: the engine's own turning of each line read 3 points fewer
        # characters right (bench_ocr, "倒置") and left the lines' order to be undone.
        turn = dataclasses.replace(turn, half=True)
        straight = straight.rotate(180)
        straight.save(read_from := image.with_name(f"{image.stem}-upright.png"), compress_level=1)
        boxes = engine.boxes(read_from)
    text = page_text(page, boxes, dropped_lines(read_from, boxes))
    ordered = [b for row in rows_of(boxes) for b in row]
    on_scan = tuple(upright.back_on_scan(b, turn, straight.size, scan.size) for b in ordered)
    return dataclasses.replace(text, boxes=on_scan, turned=turn.degrees)


def _straightened(scan: Image.Image, turn: Turn, image: Path) -> tuple[Image.Image, Path]:
    """The scan turned as ``turn`` says, and the file the engine reads it from (the scan's own when unturned)."""
    from docgen.ocr.upright import straightened  # noqa: PLC0415

    straight = straightened(scan, turn)
    if straight is scan:
        return scan, image
    read_from = image.with_name(f"{image.stem}-upright.png")
    straight.save(read_from, compress_level=1)  # read once, at once: a smaller file is not worth a second
    return straight, read_from


def open_engine(name: str = "rapidocr") -> OcrEngine:
    """The named engine, or an ``OcrError`` that says how to install it."""
    if name == "rapidocr":
        from docgen.ocr.rapid import RapidEngine  # noqa: PLC0415 - onnxruntime loads only for OCR

        return RapidEngine()
    if name == "tesseract":
        from docgen.ocr.tesseract import TesseractEngine  # noqa: PLC0415

        return TesseractEngine()
    msg = f"未知的 OCR 引擎“{name}”，可用：{'、'.join(ENGINES)}。"
    raise OcrError(msg)


__all__ = [
    "DPI",
    "ENGINES",
    "INSTALL_HINT",
    "MAX_PAGES",
    "REVIEW_BELOW",
    "Box",
    "OcrEngine",
    "OcrResult",
    "PageText",
    "lines_of",
    "open_engine",
    "page_text",
    "recognise_pages",
    "recognise_upright",
    "refuse_long_ocr",
    "render_page",
    "rows_of",
    "tidy",
]
