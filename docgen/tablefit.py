"""Table cells laid out by docgen: column widths from their content, lines broken where a clerk would.

LibreOffice breaks Chinese text between any two characters, so a name, a date or a quantity in a
narrow cell comes out as "恩平市恒达钢铁有限/公司" or "20万吨/ 年". It ignores U+2060 WORD
JOINER between Han characters (measured on 7.4), so the only reliable way to keep such units
whole is to decide the lines here and write them as explicit line breaks, with every line
measured conservatively narrower than its cell.

Everything here is pure: text in, widths and lines out.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# A cell this short with no sentence punctuation (a name, a header word, a date, a capacity) is
# one unit: "a name up to 16 characters never breaks".
WHOLE_CELL_MAX = 16
# Items of a 、-list (organs in 责任单位) are kept whole up to this length.
LIST_ITEM_MAX = 12

# GB/T 15834 and common practice (避头尾): these never start a line ...
NO_LINE_START = frozenset("，。、；：？！）》」』”’〕】〉…—·%‰℃×,.;:?!)]}")
# ... and these never end one.
NO_LINE_END = frozenset("（《「『“‘〔【〈([{")

_SENTENCE_PUNCT = re.compile(r"[，。；：？！,;:?!]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_UNITS = (
    "平方米|立方米|千瓦时|千瓦|兆瓦|千伏安|千克|公斤|公里|千米|小时|标箱|重量箱|"
    "吨|台|套|座|条|个|件|辆|米|元|人|家|户|项|处|批|次|双|只|张|片|块|天|年|月|日|"
    "m³|m²|m3|m2|kW|MW|kVA|kWh|kg|km|mm|cm|t|m|h|%|℃"
)
_UNBREAKABLE = re.compile(
    "|".join(
        [
            # 发文字号: 恩科工商务字〔2021〕58号
            r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号",
            # dates and deadlines: 2021年6月15日前, 2021年5月底前, 2021年4-5月, 2021年全年
            r"\d{4}年(?:\d{1,2}(?:[-—~至]\d{1,2})?月(?:\d{1,2}日)?)?(?:底前|以前|之前|前|底|上旬|中旬|下旬|全年)?",
            # quantities with units: 20万吨/年, 1.5万平方米/年, 2台, 35℃, 10m³
            rf"\d+(?:\.\d+)?(?:[万千百亿])?(?:{_UNITS})(?:/(?:{_UNITS}|a|d))?",
            # codes, model numbers and Latin words: 91440785MA4UH1A2BG, GW-5t, φ250mm; a size
            # such as φ2.5m×10m may break after its ×
            r"[A-Za-z0-9φΦ][A-Za-z0-9φΦ.\-_/*³²℃%+·]*",
            # short bracketed notes stay together with their brackets: （街道办事处）
            r"（[^（）]{1,8}）",
            # enterprise names inside longer text
            r"[\u4e00-\u9fff]{2,12}(?:股份有限公司|有限责任公司|有限公司)",
        ]
    )
)


_ASCII_EM = {" ": 0.5, "M": 1.1, "W": 1.1, "m": 1.0, "w": 1.0, "%": 1.0, "+": 0.88, **dict.fromkeys("0123456789", 0.6)}


def char_em(ch: str) -> float:
    """Width of one character in em, measured generously for the fonts docgen uses.

    Measured advance widths (FandolFang, Noto Sans/Serif CJK, FandolKai): Han and full-width
    characters 1 em; digits 0.50-0.60; lower case up to 0.69 (m, w up to 1.01); upper case
    up to 0.86 (M, W up to 1.09). Rounding up keeps every line inside its cell in any of them.
    """
    if ord(ch) < 0x80:
        return _ASCII_EM.get(ch, 0.88 if ch.isupper() else 0.7)
    if unicodedata.east_asian_width(ch) in "FWA" or ord(ch) >= 0x2E80:
        return 1.0
    return 0.9


# LibreOffice puts 0.2 em between Han text and Latin letters or digits (measured on 7.4: "能20"
# advances 1.2 em, "0万" 0.7 em). It ignores w:autoSpaceDE/DN="0", which would turn that off.
AUTOSPACE_EM = 0.2


def _western(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def text_em(text: str) -> float:
    """Width of ``text`` in em, with LibreOffice's space between Han and Latin text."""
    turns = sum(1 for a, b in itertools.pairwise(text) if _western(a) != _western(b) and not (a + b).isascii())
    return sum(char_em(ch) for ch in text) + AUTOSPACE_EM * turns


def _whole(text: str) -> bool:
    # Han text only: a size such as φ2.5m×10m may break after its ×, a code never breaks anyway.
    return len(text) <= WHOLE_CELL_MAX and not _SENTENCE_PUNCT.search(text) and bool(_HAN.search(text))


# Where an organ's name may break when its column cannot hold it whole: after a place (江门市|)
# or an office (生态环境局|) of at least three characters, or after 政府, with two or more to follow.
_ORGAN_BREAK = re.compile(r"(?<=[\u4e00-\u9fff]{2}[省市县区镇局厅])(?=[\u4e00-\u9fff（]{2})|(?<=政府)(?=.{2})")
_COMPANY = re.compile(r"(?:公司|厂|店|社|中心|合作社)$")


def atoms(text: str, *, soft: bool = False) -> list[str]:
    """Split ``text`` into pieces a line may break between, and nowhere else.

    Units that must stay whole (see ``_UNBREAKABLE``, short cells, short list items) are one
    piece; other text is one piece per character; punctuation then joins its neighbour so no
    line starts with a closing mark or ends with an opening one. ``soft`` lets the name of an
    organ break between its words (江门市生态环境局|恩平分局); an enterprise's name never breaks.
    """
    if not text:
        return []
    if _whole(text):
        if soft and not _COMPANY.search(text):
            return [p for p in _ORGAN_BREAK.split(text) if p]
        return [text]
    pieces: list[str] = []
    for item in re.split(r"(?<=、)", text):
        body = item.removesuffix("、")
        if len(body) <= LIST_ITEM_MAX and "、" in text and not _SENTENCE_PUNCT.search(body):
            pieces.extend(atoms(body, soft=True) if soft else [body])
            if item.endswith("、"):
                pieces.append("、")
            continue
        pos = 0
        for match in _UNBREAKABLE.finditer(item):
            pieces.extend(item[pos : match.start()])
            pieces.append(match.group())
            pos = match.end()
        pieces.extend(item[pos:])
    joined: list[str] = []
    for piece in pieces:
        if joined and (piece[0] in NO_LINE_START or joined[-1][-1] in NO_LINE_END):
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


Measure = Callable[[str], float]  # width of a text in em


def min_em(text: str, *, soft: bool = False, measure: Measure = text_em) -> float:
    """The narrowest width ``text`` can be set in without breaking a unit."""
    return max((measure(a) for a in atoms(text, soft=soft)), default=0.0)


def break_lines(
    text: str, width_em: float, *, no_orphan: bool = False, soft: bool = False, measure: Measure = text_em
) -> list[str]:
    """Greedy line breaking at atom boundaries; a single atom wider than the line is split.

    ``no_orphan`` pulls a character down so the last line never holds one character alone
    (a title that ends "…目/录" reads badly). ``measure`` gives widths in em; the default is
    LibreOffice's, for the fonts docgen uses.
    """
    lines: list[str] = []
    line = ""
    for atom in atoms(text, soft=soft):
        if line and measure(line + atom) > width_em:
            lines.append(line)
            line = ""
        rest = atom
        while measure(rest) > width_em and len(rest) > 1:  # wider than the cell: last resort
            cut = max(1, _fit_prefix(rest, width_em, measure))
            lines.append(rest[:cut])
            rest = rest[cut:]
        line += rest
    if line:
        lines.append(line)
    if no_orphan and len(lines) > 1 and len(lines[-1]) == 1 and len(lines[-2]) > 2:
        lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    return lines


def _fit_prefix(text: str, width_em: float, measure: Measure) -> int:
    for i in range(1, len(text) + 1):
        if measure(text[:i]) > width_em:
            return i - 1
    return len(text)


@dataclass(frozen=True)
class Cell:
    """One table cell as the width computation sees it."""

    text: str  # paragraphs joined with newlines
    column: int  # first grid column
    span: int = 1
    size_pt: float = 14.0
    soft: bool = False  # organ names may break between their words
    measure: Measure = text_em

    def _em_to_mm(self, em: float) -> float:
        return em * self.size_pt * 25.4 / 72

    def min_mm(self) -> float:
        """Narrowest text width without breaking a unit, in mm."""
        widest = max((min_em(p, soft=self.soft, measure=self.measure) for p in self.text.splitlines()), default=0.0)
        return self._em_to_mm(widest)

    def natural_mm(self) -> float:
        """Width of the longest paragraph set on one line, in mm."""
        return self._em_to_mm(max((self.measure(p) for p in self.text.splitlines()), default=0.0))


@dataclass(frozen=True)
class ColumnPlan:
    """Column widths (mm) for a table, and whether every unit fits within ``total_mm``."""

    widths_mm: tuple[float, ...]
    fits: bool


def plan_columns(cells: Sequence[Cell], columns: int, total_mm: float, padding_mm: float) -> ColumnPlan:
    """Widths that keep every unit whole and share the rest by how much text each column holds.

    Like a browser's automatic table layout: each column gets at least its widest unbreakable
    unit, and the remaining width goes to columns in proportion to how much wider their longest
    line would like to be. Cells spanning several columns are satisfied afterwards by widening
    the columns they span. ``padding_mm`` is the cell's left and right margins together.
    """
    minimum = [padding_mm] * columns
    natural = [padding_mm] * columns
    for cell in cells:
        if cell.span == 1:
            minimum[cell.column] = max(minimum[cell.column], cell.min_mm() + padding_mm)
            natural[cell.column] = max(natural[cell.column], cell.natural_mm() + padding_mm)
    for cell in cells:
        if cell.span > 1:
            cols = range(cell.column, min(columns, cell.column + cell.span))
            short = cell.min_mm() + padding_mm - sum(minimum[c] for c in cols)
            if short > 0:
                for c in cols:
                    minimum[c] += short / len(cols)
                    natural[c] = max(natural[c], minimum[c])
    natural = [max(n, m) for n, m in zip(natural, minimum, strict=True)]
    if sum(minimum) > total_mm:
        return ColumnPlan(tuple(minimum), fits=False)
    if sum(natural) <= total_mm:
        spare = total_mm - sum(natural)
        weight = sum(natural)
        return ColumnPlan(tuple(n + spare * n / weight for n in natural), fits=True)
    stretch = [n - m for n, m in zip(natural, minimum, strict=True)]
    spare = total_mm - sum(minimum)
    return ColumnPlan(tuple(m + spare * s / sum(stretch) for m, s in zip(minimum, stretch, strict=True)), fits=True)
