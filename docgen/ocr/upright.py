"""Turning a scanned page upright before it is read: a quarter turn, a small skew, a half turn.

A sheet fed crooked comes out a degree or two off; one fed sideways or upside down, a quarter or
a half turn off. Measured with RapidOCR on a 200 dpi page: a 1.6° skew at 150 dpi cost whole
lines; a page turned 90° or 180° was read character for character (its classifier turns each
line), but in the wrong order — the 署名 and date first, the title last — so the title, the
发文字号 and the 责任者 were read from the wrong lines.

The skew and a quarter turn are found from the ink alone, by projection: rows of an upright page
of text alternate between ink and paper, so the sum of ink along each row changes sharply, and
most sharply at the angle that puts the lines level; if columns change more sharply than rows,
the lines run down the page. Up from down cannot be told that way: it is asked of the engine,
which reads a few of the page's longest lines both ways round without turning them itself.
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
COARSE_STEP, FINE_STEP = 0.25, 0.05
MIN_SKEW = 0.3  # degrees: the measure is good to about 0.2°; turning a page by less only blurs it
PROBE_WIDTH = 700  # pixels: the page is judged at this width (a 300 dpi A4 page is 2480)
SIDEWAYS_RATIO = 1.5  # columns this much sharper than rows: the lines run down the page
SAMPLE_LINES = 3
UPSIDE_DOWN_MARGIN = 0.1  # mean confidence the half-turned reading must win by


@dataclass(frozen=True)
class Turn:
    """How a page was turned to be read: a quarter turn (0 or 90) then a skew, then maybe a half turn.

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
        """What is applied to the image before recognition (the half turn is applied to the boxes)."""
        return self.quarter + self.skew


def find_turn(page: Image.Image) -> Turn:
    """The quarter turn and skew that put a page's lines level, from its ink (numpy, lazily)."""
    import numpy as np  # noqa: PLC0415 - comes with the OCR extra, as does every caller

    gray = page.convert("L")
    scale = PROBE_WIDTH / max(gray.width, gray.height)
    small = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))))
    ink = small.point(lambda v: 255 if v < INK_BELOW else 0)

    def sharpness(image: Image.Image, angle: float) -> float:
        turned = image.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0)
        rows = np.asarray(turned, dtype=np.float64).sum(axis=1) / 255
        return float(np.square(np.diff(rows)).sum())

    def best(image: Image.Image) -> tuple[float, float]:
        coarse = [i * COARSE_STEP for i in range(-round(MAX_SKEW / COARSE_STEP), round(MAX_SKEW / COARSE_STEP) + 1)]
        angle = max(coarse, key=lambda a: sharpness(image, a))
        fine = [angle + i * FINE_STEP for i in range(-4, 5)]
        angle = max(fine, key=lambda a: sharpness(image, a))
        return angle, sharpness(image, angle)

    level, level_score = best(ink)
    across, across_score = best(ink.rotate(90, expand=True))
    if across_score > level_score * SIDEWAYS_RATIO:
        return Turn(90, _rounded(across))
    return Turn(0, _rounded(level))


def _rounded(angle: float) -> float:
    return 0.0 if abs(angle) < MIN_SKEW else round(angle, 2)


def straightened(page: Image.Image, turn: Turn) -> Image.Image:
    """The page turned by the quarter turn and skew (white where the turn uncovers the canvas)."""
    if not turn.straightening:
        return page
    return page.rotate(turn.straightening, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")


def upside_down(image: Path, boxes: Sequence[Box], line_confidence: Callable[[Image.Image], float]) -> bool:
    """Whether the engine reads the page's longest lines better turned half round."""
    longest = sorted(boxes, key=lambda b: (len(b.text), b.right - b.left), reverse=True)[:SAMPLE_LINES]
    if not longest:
        return False
    with Image.open(image) as opened:
        page = opened.convert("L")
        crops = [page.crop((round(b.left), round(b.top), round(b.right), round(b.bottom))) for b in longest]
    as_is = sum(line_confidence(c) for c in crops) / len(crops)
    turned = sum(line_confidence(c.rotate(180)) for c in crops) / len(crops)
    return turned > as_is + UPSIDE_DOWN_MARGIN


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


__all__ = ["Turn", "back_on_scan", "find_turn", "half_turned", "straightened", "upside_down"]
