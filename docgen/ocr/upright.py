"""Turning a scanned page upright before it is read: a quarter turn, a small skew, a half turn.

A sheet fed crooked comes out a degree or two off; one fed sideways or upside down, a quarter or
a half turn off. Measured with RapidOCR on a 200 dpi page: a 1.6° skew at 150 dpi cost whole
lines; a page turned 90° or 180° was read character for character (its classifier turns each
line), but in the wrong order — the 署名 and date first, the title last — so the title, the
发文字号 and the 责任者 were read from the wrong lines.

The skew is found from the ink alone, by projection: rows of a level page of text alternate
between ink and paper, so the sum of ink along each row changes sharply, and most sharply at the
angle that puts the lines level. Which way up the page is cannot be told that way (characters on
a grid line up in columns as well as in rows): it is asked of the engine. Lines it found running
down the page mean a quarter turn, and a few of the longest are read turned both ways round; a
page read level is checked for upside down the same way, its longest lines read as they are and
turned half round. Either way the page is then read again, upright.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from docgen.ocr import Box

INK_BELOW = 160  # grey level under which a pixel is ink
MAX_SKEW = 5.0  # degrees: more than a feeder ever turns a sheet
COARSE_STEP, FINE_STEP = 0.4, 0.05
MIN_SKEW = 0.3  # degrees: the measure is good to about 0.2°; turning a page by less only blurs it
PROBE_WIDTH = 700  # pixels: the page is judged at this size (a 300 dpi A4 page is 2480 × 3508)
TALL = 1.5  # a box this much taller than wide holds a line running down the page (RapidOCR turns such crops)
SAMPLE_LINES = 3
UPSIDE_DOWN_MARGIN = 0.1  # mean confidence the half-turned reading must win by
SURE = 0.9  # a line read this well as it is settles the question by itself


@dataclass(frozen=True)
class Turn:
    """How a page was turned to be read: a quarter turn (0, 90 or 270), a skew, then maybe a half turn.

    Angles are counter-clockwise degrees as PIL's ``rotate`` takes them.
    """

    quarter: int = 0
    skew: float = 0.0
    half: bool = False

    @property
    def degrees(self) -> float:
        """The whole turn applied to the scan, for the record."""
        return round(self.quarter + self.skew + (180 if self.half else 0), 2) % 360

    @property
    def straightening(self) -> float:
        """The turn before the half turn (the half turn is applied to the straightened image)."""
        return self.quarter + self.skew


def find_skew(page: Image.Image) -> float:
    """The small turn (degrees, counter-clockwise) that puts a page's lines level, from its ink."""
    import numpy as np  # noqa: PLC0415 - comes with the OCR extra, as does every caller

    gray = page.convert("L")
    small = gray.reduce(max(1, math.ceil(max(gray.size) / PROBE_WIDTH)))  # a box filter: fast, keeps thin strokes
    ink = small.point(lambda v: 255 if v < INK_BELOW else 0)

    def sharpness(angle: float) -> float:
        turned = ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
        rows = np.asarray(turned, dtype=np.float64).sum(axis=1) / 255
        return float(np.square(np.diff(rows)).sum())

    step = COARSE_STEP
    steps = round(MAX_SKEW / step)
    angle = max((i * step for i in range(-steps, steps + 1)), key=sharpness)
    while step > FINE_STEP:  # narrow down around the best: halving the step, three angles a time
        step = max(FINE_STEP, step / 2)
        angle = max((angle - step, angle, angle + step), key=sharpness)
    return _rounded(angle)


def sideways(boxes: Sequence[Box]) -> bool:
    """Whether most of what was read stands in boxes taller than wide: lines running down the page."""
    tall = sum(len(b.text) for b in boxes if len(b.text) > 1 and b.bottom - b.top > TALL * (b.right - b.left))
    return tall * 2 > sum(len(b.text) for b in boxes)


def quarter_turn(image: Path, boxes: Sequence[Box], line_confidence: Callable[[Image.Image], float]) -> int:
    """90 or 270: the quarter turn under which the engine reads the longest tall lines best."""
    crops = _longest(image, [b for b in boxes if b.bottom - b.top > TALL * (b.right - b.left)])
    scores = {q: sum(line_confidence(c.rotate(q, expand=True)) for c in crops) for q in (90, 270)}
    return max(scores, key=lambda q: scores[q])


def upside_down(image: Path, boxes: Sequence[Box], line_confidence: Callable[[Image.Image], float]) -> bool:
    """Whether the engine reads the page's longest lines better turned half round."""
    crops = _longest(image, boxes)
    as_is, turned = [], []
    for crop in crops:
        as_is.append(line_confidence(crop))
        turned.append(line_confidence(crop.rotate(180)))
        if len(as_is) == 1 and as_is[0] >= SURE and as_is[0] > turned[0] + UPSIDE_DOWN_MARGIN:
            return False  # the longest line reads well as it is and badly turned: most pages stop here
    return bool(crops) and sum(turned) / len(crops) > sum(as_is) / len(crops) + UPSIDE_DOWN_MARGIN


def _longest(image: Path, boxes: Sequence[Box]) -> list[Image.Image]:
    longest = sorted(boxes, key=lambda b: (len(b.text), b.right - b.left), reverse=True)[:SAMPLE_LINES]
    with Image.open(image) as opened:
        page = opened.convert("L")
        return [page.crop((round(b.left), round(b.top), round(b.right), round(b.bottom))) for b in longest]


def _rounded(angle: float) -> float:
    return 0.0 if abs(angle) < MIN_SKEW else round(angle, 2)


def straightened(page: Image.Image, turn: Turn) -> Image.Image:
    """The page turned by the quarter turn and skew (white where the turn uncovers the canvas)."""
    if not turn.straightening:
        return page
    return page.rotate(turn.straightening, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")


def half_turned(box: Box, width: float, height: float) -> Box:
    """A box of an image seen turned half round: where it stands on the image as it was."""
    left, top = width - box.right, height - box.bottom
    return replace(box, left=left, top=top, right=width - box.left, bottom=height - box.top)


def back_on_scan(box: Box, turn: Turn, straight: tuple[int, int], scan: tuple[int, int]) -> Box:
    """A box read on the straightened image, placed on the scan as it came (its centre turned back).

    Its size stays as read, along the line and across it: the text laid there is turned by the
    page's turn (``PageText.turned``) about that centre, so it covers the same ink.
    """
    if turn.half:
        box = half_turned(box, *straight)
    angle = math.radians(turn.straightening)
    cx, cy = (box.left + box.right) / 2 - straight[0] / 2, (box.top + box.bottom) / 2 - straight[1] / 2
    # PIL turns counter-clockwise as seen, in coordinates whose y runs down: undo that.
    x = cx * math.cos(angle) - cy * math.sin(angle) + scan[0] / 2
    y = cx * math.sin(angle) + cy * math.cos(angle) + scan[1] / 2
    width, height = box.right - box.left, box.bottom - box.top
    return replace(box, left=x - width / 2, top=y - height / 2, right=x + width / 2, bottom=y + height / 2)


__all__ = [
    "Turn",
    "back_on_scan",
    "find_skew",
    "half_turned",
    "quarter_turn",
    "sideways",
    "straightened",
    "upside_down",
]
