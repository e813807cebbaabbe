"""Measure laid-out PDFs in millimetres (test helper)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber

MM = 72 / 25.4


@dataclass(frozen=True)
class Line:
    """One line of text as laid out: em-box top/bottom and left/right edges in mm."""

    page: int
    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    fontname: str
    color: tuple[float, ...]


@dataclass(frozen=True)
class Rule:
    page: int
    top: float
    x0: float
    x1: float
    width_pt: float
    color: tuple[float, ...]


def read_lines(pdf: Path) -> list[Line]:
    lines: list[Line] = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            rows: dict[float, list[dict[str, Any]]] = {}
            for ch in page.chars:
                rows.setdefault(round(ch["top"], 0), []).append(ch)
            for _, chars in sorted(rows.items()):
                chars.sort(key=lambda c: c["x0"])
                first = chars[0]
                lines.append(
                    Line(
                        page=number,
                        text="".join(c["text"] for c in chars),
                        top=min(c["top"] for c in chars) / MM,
                        bottom=max(c["bottom"] for c in chars) / MM,
                        x0=first["x0"] / MM,
                        x1=chars[-1]["x1"] / MM,
                        size=round(first["size"], 1),
                        fontname=first["fontname"],
                        color=tuple(first["non_stroking_color"] or ()),
                    )
                )
    return lines


def read_rules(pdf: Path) -> list[Rule]:
    rules = []
    with pdfplumber.open(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            for obj in page.lines + page.rects:
                if abs(obj["bottom"] - obj["top"]) < 3:
                    rules.append(
                        Rule(
                            number,
                            obj["top"] / MM,
                            obj["x0"] / MM,
                            obj["x1"] / MM,
                            obj["linewidth"] or 0,
                            tuple(obj.get("stroking_color") or ()),
                        )
                    )
    return rules


def page_sizes_mm(pdf: Path) -> list[tuple[float, float]]:
    with pdfplumber.open(pdf) as doc:
        return [(p.width / MM, p.height / MM) for p in doc.pages]


def xmp_text(pdf: Path) -> str:
    """The XMP metadata packet of a PDF, read with pypdf (independently of docgen's reader)."""
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    stream = PdfReader(pdf).root_object["/Metadata"].get_object()
    assert isinstance(stream, StreamObject)
    return stream.get_data().decode("utf-8")


@dataclass(frozen=True)
class PageForm:
    """How a page is printed: its size, whether its text is turned, and where its page number sits."""

    width: float
    height: float
    turned: bool  # most of the text runs sideways (a 横排表格 page turned onto a portrait sheet)
    number: str | None  # the "— N —" read upright at the foot
    number_x0: float | None
    number_x1: float | None
    number_top: float | None


def page_forms(pdf: Path) -> list[PageForm]:
    """Each page's printed form, read with pdfplumber (independently of docgen)."""
    forms = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            upright = [c for c in page.chars if c["upright"]]
            sideways = [c for c in page.chars if not c["upright"]]
            # Below the 262 mm foot of the text block: only the page number is there.
            foot = sorted((c for c in upright if c["top"] / MM > 263), key=lambda c: c["x0"])
            text = "".join(c["text"] for c in foot).replace(" ", "")
            found = re.fullmatch(r"—(\d+)—", text)
            forms.append(
                PageForm(
                    page.width / MM,
                    page.height / MM,
                    len(sideways) > len(upright) - len(foot),
                    found[1] if found else None,
                    foot[0]["x0"] / MM if found else None,
                    foot[-1]["x1"] / MM if found else None,
                    min(c["top"] for c in foot) / MM if found else None,
                )
            )
    return forms


def dash_rows_mm(pdf: Path, page: int, x0_mm: float, x1_mm: float, top_mm: float, bottom_mm: float) -> list[float]:
    """The heights (mm from the top) of the inked pixel rows of a box on a page, rasterised at 600 dpi.

    Where a glyph is drawn, not where its em box says it is: a CJK font's dash sits below the
    middle of its box.
    """
    import subprocess
    import tempfile

    from PIL import Image

    dpi = 600
    px = dpi / 25.4
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "crop"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                "-gray",
                "-png",
                "-x",
                str(round(x0_mm * px)),
                "-y",
                str(round(top_mm * px)),
                "-W",
                str(round((x1_mm - x0_mm) * px)),
                "-H",
                str(round((bottom_mm - top_mm) * px)),
                str(pdf),
                str(out),
            ],
            check=True,
        )
        with Image.open(f"{out}.png") as image:
            gray = image.convert("L")
            width, height = gray.size
            ink = gray.tobytes()
            return [top_mm + y / px for y in range(height) if min(ink[y * width : (y + 1) * width]) < 128]
