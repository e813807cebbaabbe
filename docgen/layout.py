"""GB/T 9704-2012 page geometry and the pure computations built on it.

Word measures in twips (1/20 pt) and eighths of a point; the standard in millimetres and
characters. Everything here is arithmetic on those units, with no I/O, so it is shared by the
template builder, the renderer and the tests that measure PDFs.
"""

from __future__ import annotations

from dataclasses import dataclass

TWIPS_PER_PT = 20
PT_PER_MM = 72 / 25.4


def mm_to_twips(mm: float) -> int:
    """Convert millimetres to whole twips."""
    return round(mm * PT_PER_MM * TWIPS_PER_PT)


def pt_to_mm(pt: float) -> float:
    """Convert points to millimetres."""
    return pt / PT_PER_MM


@dataclass(frozen=True)
class Page:
    """A4 portrait page with the GB/T 9704 margins (天头 37 mm, 订口 28 mm)."""

    width_mm: float = 210.0
    height_mm: float = 297.0
    top_mm: float = 37.0
    bottom_mm: float = 35.0
    left_mm: float = 28.0
    right_mm: float = 26.0

    @property
    def block_width_mm(self) -> float:
        """Width of the text block (版心), 156 mm."""
        return self.width_mm - self.left_mm - self.right_mm

    @property
    def block_height_mm(self) -> float:
        """Height of the text block (版心), 225 mm."""
        return self.height_mm - self.top_mm - self.bottom_mm


PAGE = Page()
# A landscape page (横排表格) keeps the same 225 x 156 mm block, turned. Printed, it is rotated
# counter-clockwise onto a portrait sheet (GB/T 9704 10.2: the table head faces the binding edge
# on odd pages and the outer edge on even ones, i.e. the left edge on both), so its top margin
# becomes the 28 mm 订口, its left the 35 mm foot and its right the 37 mm 天头.
LANDSCAPE = Page(width_mm=297.0, height_mm=210.0, top_mm=28.0, bottom_mm=26.0, left_mm=35.0, right_mm=37.0)

# 3号 仿宋 body: 16 pt characters, 22 lines of 28 characters in a 156 x 225 mm block.
BODY_PT = 16.0
TITLE_PT = 22.0  # 2号 小标宋
IMPRINT_PT = 14.0  # 4号, used by the 版记 and the page numbers
BANNER_PT = 36.0  # 发文机关标志: the standard asks only that it be prominent
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

# 28 characters of 16 pt (448 pt) do not fit the 442.2 pt block: condense each by 0.25 pt
# (28 x 15.75 pt = 441 pt). LibreOffice ignores Word's character grid, so this is the grid.
CHAR_CONDENSE_TWIPS = -5
CHAR_PITCH_PT = BODY_PT + CHAR_CONDENSE_TWIPS / TWIPS_PER_PT
# 225 mm / 22 lines = 637.8 pt / 22 = 28.99 pt; 28.95 pt keeps the 22nd line inside the block.
LINE_PITCH_TWIPS = 579
LINE_PITCH_PT = LINE_PITCH_TWIPS / TWIPS_PER_PT


def line_pitch_for(lines_per_page: int) -> int:
    """Grid pitch, in twips, that fits exactly ``lines_per_page`` lines in the 225 mm block.

    LibreOffice centres a grid that does not fill the block, which would move the whole text
    down; a pitch that divides the block keeps the first line at the top edge.
    """
    return int(PAGE.block_height_mm * PT_PER_MM * TWIPS_PER_PT / lines_per_page)


# When the 署名 and 成文日期 would start a page without body text, GB/T 9704 7.3.5.1 asks for
# tighter spacing ("此页无正文" is not allowed): 23, then 24 lines a page. (At 25 lines
# LibreOffice 7.4 shifts the grid down again, measured: the first line moves 4 mm.)
LINE_PITCH_STEPS_TWIPS = tuple(line_pitch_for(n) for n in (LINES_PER_PAGE, 23, 24))

BANNER_TOP_FROM_BLOCK_MM = 35.0  # top edge of the 发文机关标志 below the top of the block
RED_RULE_BELOW_NUMBER_MM = 4.0
RED_RULE_WIDTH_PT = 1.0  # the standard gives none; 0.35 mm is common practice
# LibreOffice draws a paragraph's bottom border ~1.3 mm further down than the border spacing
# says (measured); 8 pt of spacing puts the rule 4 mm below the 发文字号's glyphs.
RED_RULE_BORDER_SPACE_PT = 8
PAGE_NUMBER_BELOW_BLOCK_MM = 7.0

IMPRINT_THICK_EIGHTHS = 8  # 0.35 mm, first and last 版记 rules
IMPRINT_THIN_EIGHTHS = 6  # 0.25 mm, rules between 版记 items
IMPRINT_ROW_MM = 8.0
TABLE_PT = 14.0  # 4号 in tables, so a row carries enough text
TABLE_SMALL_PT = 12.0  # 小四, for tables of six or more columns on a portrait page
TABLE_RULE_EIGHTHS = 4  # 0.5 pt cell borders
CELL_MARGIN_MM = 1.5

RED = "FF0000"


# Digits are 0.5 em in 仿宋_GB2312 and 0.64 em in the FandolFang stand-in; between the two
# keeps the signature centred within ~1 mm under either font.
HALF_WIDTH_CHARS = 0.57


def text_width_chars(text: str) -> float:
    """Width of ``text`` in body characters: CJK counts 1, half-width ASCII a little over 1/2."""
    return sum(HALF_WIDTH_CHARS if ord(ch) < 0x2000 else 1.0 for ch in text)


@dataclass(frozen=True)
class SignatureLayout:
    """Right indents, in twips, of the 发文机关署名 and the 成文日期 lines."""

    organ_right_twips: int
    date_right_twips: int


def signature_layout(organ: str, date_text: str, date_right_chars: float = 4.0) -> SignatureLayout:
    """Place the date four characters from the right and centre the organ name over it.

    GB/T 9704 7.3.5.1 (sealed document, one issuer): 成文日期 右空四字, 发文机关署名 centred on
    the date. A name longer than the date is centred too, but never pushed past the margin.
    """
    char_twips = CHAR_PITCH_PT * TWIPS_PER_PT
    date_chars = text_width_chars(date_text)
    organ_chars = text_width_chars(organ)
    organ_right = date_right_chars + (date_chars - organ_chars) / 2
    return SignatureLayout(
        organ_right_twips=max(0, round(organ_right * char_twips)),
        date_right_twips=round(date_right_chars * char_twips),
    )
