"""GB/T 9704-2012 page geometry and the pure computations built on it.

Word measures in twips (1/20 pt) and eighths of a point; the standard in millimetres and
characters. Everything here is arithmetic on those units, with no I/O, so it is shared by the
template builder, the renderer and the tests that measure PDFs.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
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
CELL_MARGIN_MM = (
    1.0  # each side: Word and WPS use 1.9 mm; 1.0 lets a six-column 公告 keep its sizes whole on a portrait page
)

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
    # A name too long to centre on the date within the block: its lines, each centred on the
    # date (the paragraph centred between ``organ_left_twips`` and the right margin).
    organ_lines: tuple[str, ...] = ()
    organ_left_twips: int = 0


def signature_layout(organ: str, date_text: str, date_right_chars: float = 4.0) -> SignatureLayout:
    """Place the date four characters from the right and centre the organ name over it.

    GB/T 9704 7.3.5.1 (sealed document, one issuer): 成文日期 右空四字, 发文机关署名 centred on
    the date. A name too long to be centred there within the block (a 25-character organ) is
    broken between its words into lines that are each centred on the date.
    """
    char_twips = CHAR_PITCH_PT * TWIPS_PER_PT
    date_chars = text_width_chars(date_text)
    organ_chars = text_width_chars(organ)
    organ_right = date_right_chars + (date_chars - organ_chars) / 2
    date_right = round(date_right_chars * char_twips)
    if organ_right >= 0:
        return SignatureLayout(round(organ_right * char_twips), date_right)
    room = 2 * (date_right_chars + date_chars / 2)  # the widest line centred on the date
    lines = tuple(title_lines(organ, room - 0.01, measure=text_width_chars))  # balanced, at whole words
    return SignatureLayout(0, date_right, lines, round((CHARS_PER_LINE - room) * char_twips))


# --- table cells ------------------------------------------------------------------------------
# Table cells laid out by docgen: column widths from their content, lines broken where a clerk would.
#
# LibreOffice breaks Chinese text between any two characters, so a name, a date or a quantity in a
# narrow cell comes out as "恩平市恒达钢铁有限/公司" or "20万吨/ 年". It ignores U+2060 WORD
# JOINER between Han characters (measured on 7.4), so the only reliable way to keep such units
# whole is to decide the lines here and write them as explicit line breaks, with every line
# measured conservatively narrower than its cell.
#
# Everything here is pure: text in, widths and lines out.

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


_DATE_UNIT = r"\d{4}年(?:\d{1,2}(?:[-—~至]\d{1,2})?月(?:\d{1,2}日)?)?(?:底前|以前|之前|前|底|上旬|中旬|下旬|全年)?"
_WORD_UNITS = [
    # 档号 (DA/T 22): 0001-WS·2021-Y-BGS-0001, its · included
    r"[0-9A-Za-z]{1,12}-WS·\d{4}-(?:Y|D30|D10)-[A-Z0-9]{1,6}-\d{4}",
    # 发文字号: 恩科工商务字〔2021〕58号
    r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号",
    # sizes: φ2.5m×10m, 2.5m×180m (before the quantities, which would take 2.5m alone)
    r"[φΦ]?\d+(?:\.\d+)?[A-Za-z]*(?:×[φΦ]?\d+(?:\.\d+)?[A-Za-z³²]*)+",
    # quantities with units: 20万吨/年, 1.5万平方米/年, 2台, 35℃, 10m³
    rf"\d+(?:\.\d+)?(?:[万千百亿])?(?:{_UNITS})(?:/(?:{_UNITS}|a|d))?",
    # codes, model numbers, sizes and Latin words: 91440785MA4UH1A2BG, GW-5t, φ250mm, φ2.5m×10m
    # (and a specification joined by · after it: YLW-1200MA·|120℃)
    r"[A-Za-z0-9φΦ](?:[A-Za-z0-9φΦ.\-_/*³²℃%+]|×(?=[0-9φΦ]))*",
    # short bracketed notes stay together with their brackets: （街道办事处）
    r"（[^（）]{1,8}）",
    # enterprise names inside longer text
    r"[\u4e00-\u9fff]{2,12}(?:股份有限公司|有限责任公司|有限公司)",
]
# A table cell also keeps dates and deadlines whole (2021年6月15日前); running text lets a date
# break between its parts, as typesetters do, and keeps LibreOffice's space between its digits
# and Han characters, which a glued run would lose.
_UNBREAKABLE = re.compile("|".join([_DATE_UNIT, *_WORD_UNITS]))
_GLUED_UNITS = "|".join(_WORD_UNITS)
_DATE_PART = re.compile(r"\d+[年月日]")  # what the quantities' units also match: a date's parts


# A word glued whole in running text (see ``kept_whole``) must fit a line with room to spare:
# LibreOffice force-breaks a glued word wider than its line, leaving its first character alone.
GLUED_MAX = 12
_GLUE_SEPARATORS = re.compile(r"[，、,；;：:。\s]+")


def name_words(*texts: str) -> list[str]:
    """The words of the names in ``texts`` (a 主送 or 抄送 line is split at its separators).

    A name goes over a line end only between its words, the way ``atoms`` lets an organ's name
    break in a table: after a place or an office (江门市|生态环境局|恩平分局). Each word is kept
    whole; a whole name kept whole would leave a line stretched wide when it goes over.
    """
    words = []
    for text in texts:
        for name in _GLUE_SEPARATORS.split(text):
            for part in _ORGAN_BREAK.split(name):
                words += [w for w in _PLACE_END.split(part) if 2 <= len(w) <= GLUED_MAX and _HAN.search(w)]
    return words


def kept_whole(text: str, names: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Spans of ``text`` no line may break inside: the case's ``names`` and ``_UNBREAKABLE`` units.

    Spans of ASCII alone are left out (Latin words and numbers break only at spaces anyway), and
    none is longer than ``GLUED_MAX``; "——" and "……" are kept as pairs (GB/T 15834: two cells, one line).
    """
    wanted = sorted({n for n in names if 2 <= len(n) <= GLUED_MAX}, key=len, reverse=True)
    # A bracketed specification (φ2.5m×10m) stays with its brackets, as a short note does.
    pattern = "|".join([*map(re.escape, wanted), "——", "……", r"（[^（），。]{1,10}）", _GLUED_UNITS])
    return [
        m.span()
        for m in re.finditer(pattern, text)
        if 2 <= len(m.group()) <= GLUED_MAX and not m.group().isascii() and not _DATE_PART.fullmatch(m.group())
    ]


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


_LONG_NAME = re.compile(r"[\u4e00-\u9fff（）]+(?:公司|厂|店|社|中心)")
_PLACE_END = re.compile(r"(?<=[\u4e00-\u9fff][省市县区镇乡])(?=[\u4e00-\u9fff]{2})")


def _name_parts(unit: str) -> list[str]:
    """A name longer than a cell may hold whole breaks after a place, into the most even parts.

    江门市新会区古井镇华南纸业有限公司 (18) prints as 江门市新会区古井镇 / 华南纸业有限公司, never
    with one character alone on a line; names up to ``WHOLE_CELL_MAX`` stay whole.
    """
    if len(unit) <= WHOLE_CELL_MAX or not _COMPANY.search(unit):
        return [unit]
    cuts = [m.start() for m in _PLACE_END.finditer(unit)] or [len(unit) - WHOLE_CELL_MAX]
    cut = min(cuts, key=lambda at: max(at, len(unit) - at))
    return [*_name_parts(unit[:cut]), *_name_parts(unit[cut:])]


@functools.lru_cache(maxsize=64)
def _unbreakable(kept: tuple[str, ...]) -> re.Pattern[str]:
    """``_UNBREAKABLE`` with the case's own words first, longest first."""
    if not kept:
        return _UNBREAKABLE
    words = "|".join(re.escape(w) for w in sorted(kept, key=len, reverse=True))
    return re.compile(f"{words}|{_UNBREAKABLE.pattern}")


def atoms(text: str, *, soft: bool = False, kept: tuple[str, ...] = ()) -> list[str]:
    """Split ``text`` into pieces a line may break between, and nowhere else.

    Units that must stay whole (see ``_UNBREAKABLE``, the case's own words ``kept`` such as its
    equipment 蒸球 and 热定型机, short cells, short list items) are one piece; other text is one
    piece per character; punctuation then joins its neighbour so no line starts with a closing
    mark or ends with an opening one. ``soft`` lets the name of an organ break between its words
    (江门市生态环境局|恩平分局) and an enterprise's after its place (恩平市|恒达钢铁有限公司).
    """
    if not text:
        return []
    if len(text) > WHOLE_CELL_MAX and _LONG_NAME.fullmatch(text) and text.count("公司") <= 1:
        return _name_parts(text)
    if soft and _LONG_NAME.fullmatch(text) and (place := _PLACE_END.search(text)):
        return [text[: place.start()], text[place.start() :]]  # 恩平市|恒达钢铁有限公司, when a column needs it
    if _whole(text):
        if soft and not _COMPANY.search(text):
            return [p for p in _ORGAN_BREAK.split(text) if p]
        return [text]
    pieces: list[str] = []
    for item in re.split(r"(?<=、)", text):
        body = item.removesuffix("、")
        listed = "、" in text and not _SENTENCE_PUNCT.search(body)
        # A longer item breaks between its words only: 各镇人民政府|（街道办事处）.
        words = [p for p in _ORGAN_BREAK.split(body) if p] if listed and len(body) > LIST_ITEM_MAX else []
        if listed and (len(body) <= LIST_ITEM_MAX or (len(words) > 1 and max(map(len, words)) <= LIST_ITEM_MAX)):
            pieces.extend(words or (atoms(body, soft=True, kept=kept) if soft else [body]))
            if item.endswith("、"):
                pieces.append("、")
            continue
        pos = 0
        for match in _unbreakable(kept).finditer(item):
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


def min_em(text: str, *, soft: bool = False, measure: Measure = text_em, kept: tuple[str, ...] = ()) -> float:
    """The narrowest width ``text`` can be set in without breaking a unit."""
    return max((measure(a) for a in atoms(text, soft=soft, kept=kept)), default=0.0)


def break_lines(
    text: str,
    width_em: float,
    *,
    no_orphan: bool = False,
    soft: bool = False,
    words: bool = False,
    measure: Measure = text_em,
    kept: tuple[str, ...] = (),
) -> list[str]:
    """Greedy line breaking at atom boundaries; a single atom wider than the line is split.

    ``no_orphan`` pulls a character down so the last line never holds one character alone
    (a title that ends "…目/录" reads badly); ``words`` breaks a title between its words
    (``title_pieces``). ``measure`` gives widths in em; the default is LibreOffice's, for the
    fonts docgen uses.
    """
    lines: list[str] = []
    line = ""
    for atom in title_pieces(text) if words else atoms(text, soft=soft, kept=kept):
        if line and measure(line + atom) > width_em:
            lines.append(line)
            line = ""
        rest = atom
        while len(rest) > 1 and (cut := _fit_prefix(rest, width_em, measure)) < len(rest):  # wider than the cell
            cut = max(1, cut)
            lines.append(rest[:cut])
            rest = rest[cut:]
        line += rest
    if line:
        lines.append(line)
    if no_orphan and len(lines) > 1 and len(lines[-1]) == 1 and len(lines[-2]) > 2:
        lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    return lines


# Words of official titles that a line break must not split ("依法关/闭" reads as two words). A
# short list suffices: titles draw on a small vocabulary, and a break inside an unknown word only
# costs balance, never a character.
_TITLE_WORDS = frozenset(
    """
    关于 印发 转发 批转 恳请 审定 审批 批准 商请 提供 报送 上报 请求 申请 拨付 下达 公布 公示 通报 表彰
    年度 季度 上半年 下半年 第一季度 第二季度 第三季度 第四季度 全年
    推动 推进 加快 加强 进一步 做好 开展 实施 落实 安全生产 组织 建立 健全 完善 规范 促进 支持 做好 切实 深入
    落后 产能 退出 淘汰 关闭 关停 依法 依规 企业 设备 名单 情况 工作 计划 方案 要点 任务 分工 分工表
    意见 办法 规定 细则 通知 请示 报告 批复 公告 通告 纪要 会议 协调 领导 小组 成员 单位 部门
    资金 奖补 补助 专项 项目 建设 管理 监督 检查 执法 整治 行动 安全 生产 环境 保护 生态 质量
    协助 核查 核实 用电 用水 信息 共享 验收 记录 结果 有关 事项 问题 总结 部署 推广 经验
    工业 信息化 科工 商务局 发展 改革 市场 监管 应急 自然 资源 财政 税务 人民 政府 办公室 街道
    钢铁 水泥 陶瓷 印染 造纸 铸造 平板 玻璃 电解铝 焦炭 铁合金 电石
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_MAX_WORD = 4
MAX_BALANCED_LINES = 8  # a title of more lines is broken greedily (none in practice: titles are limited)


# A place in a title (江门市, 新会区, 古井镇): two characters and the level, kept whole.
_TITLE_PLACE = re.compile(r"[\u4e00-\u9fff]{2}[省市县区镇乡]")


def title_pieces(title: str) -> list[str]:
    """The title's atoms (``atoms``), with place names and dictionary words kept whole (longest first)."""
    places = {m.start(): m.end() for m in _TITLE_PLACE.finditer(title) if m.group()[:2] not in _TITLE_WORDS}
    pieces: list[str] = []
    at = 0
    place_end = 0
    for piece in atoms(title):
        start, at = at, at + len(piece)
        inside_place = pieces and start < place_end
        if start in places and len(piece) == 1:
            place_end = places[start]
        if (piece == "度" and pieces and pieces[-1].endswith("年")) or inside_place:
            pieces[-1] += piece  # 2021年|度 is one word: 2021年度; 新会|区 one place: 新会区
        else:
            pieces.append(piece)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        for size in range(_MAX_WORD, 1, -1):
            word = "".join(pieces[i : i + size])
            if len(word) == size and word in _TITLE_WORDS:
                out.append(word)
                i += size
                break
        else:
            out.append(pieces[i])
            i += 1
    return out


def title_lines(title: str, width_em: float, measure: Measure = text_em) -> list[str]:
    """A title too long for one line, broken into as few lines as it needs, of balanced length.

    GB/T 9704 7.3.1: a title over several lines breaks at whole words and forms a trapezoid or a
    diamond; "…会议纪/要" with one character alone reads badly. The lines are chosen among the
    breaks between words (``title_pieces``) so that their widths differ least; of two lines the
    upper is the longer (上长下短) whenever a break allows it; no line is wider than ``width_em``.
    """
    total = measure(title)
    if total <= width_em:
        return [title]
    fewest = int(-(-total // width_em))
    if fewest > MAX_BALANCED_LINES:  # no title is this long; keep the work linear all the same
        return break_lines(title, width_em, no_orphan=True, words=True, measure=measure)
    pieces = title_pieces(title)
    # Word breaks may not allow the fewest lines the length needs: then one line more, balanced.
    for count in range(fewest, fewest + 3):
        found = _balanced_breaks(pieces, count, width_em, measure)
        if found is not None:
            cuts = [0, *found]
            return ["".join(pieces[a:b]) for a, b in itertools.pairwise(cuts)]
    return break_lines(title, width_em, no_orphan=True, measure=measure)  # a unit wider than a line


def _balanced_breaks(pieces: list[str], count: int, width_em: float, measure: Measure) -> list[int] | None:
    """Where to end each of ``count`` lines so their widths differ least, or None when none fits.

    A line holds only as many pieces as fit its width, so each end looks back over a bounded
    number of starts: the work grows with the title's length times ``count``, not its fifth power
    (an attack run's 485-character title took 63 s to lint before).
    """
    if count == 2:  # 上长下短: the most even split whose upper line is not the shorter, if there is one
        splits = [
            (upper, lower, cut)
            for cut in range(1, len(pieces))
            if (upper := measure("".join(pieces[:cut]))) <= width_em
            and (lower := measure("".join(pieces[cut:]))) <= width_em
        ]
        if splits:
            _, _, cut = min(splits, key=lambda s: (s[0] < s[1], abs(s[0] - s[1])))
            return [cut, len(pieces)]
        return None
    target = measure("".join(pieces)) / count
    # best[(i, j)]: least squared deviation from the target for pieces[:i] in j lines.
    best: dict[tuple[int, int], tuple[float, list[int]]] = {(0, 0): (0.0, [])}
    for lines in range(1, count + 1):
        for end in range(1, len(pieces) + 1):
            for start in range(end - 1, -1, -1):
                width = measure("".join(pieces[start:end]))
                if width > width_em:
                    break  # an earlier start only makes the line wider
                if (start, lines - 1) not in best:
                    continue
                cost, breaks = best[start, lines - 1]
                # A small bonus for a longer earlier line keeps ties a trapezoid, not a funnel.
                cost += (width - target) ** 2 - width * 1e-3 / lines
                if (end, lines) not in best or cost < best[end, lines][0]:
                    best[end, lines] = (cost, [*breaks, end])
    found = best.get((len(pieces), count))
    return found[1] if found else None


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
    kept: tuple[str, ...] = ()  # the case's own words, never broken (see ``atoms``)

    def _em_to_mm(self, em: float) -> float:
        return em * self.size_pt * 25.4 / 72

    def min_mm(self) -> float:
        """Narrowest text width without breaking a unit, in mm."""
        widest = max(
            (min_em(p, soft=self.soft, measure=self.measure, kept=self.kept) for p in self.text.splitlines()),
            default=0.0,
        )
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


# --- the 版头 ----------------------------------------------------------------------------------


def banner_space_before(head_lines: int) -> int:
    """Space, in twips, above the 发文机关标志 so its top edge stays 35 mm below the block's top.

    The 份号, 密级 and 紧急程度 lines (GB/T 9704 7.2.1-7.2.3) take the first lines of the block,
    each one grid line high, above the banner.
    """
    return max(0, mm_to_twips(BANNER_TOP_FROM_BLOCK_MM) - head_lines * LINE_PITCH_TWIPS)


# Below 2号 (22 pt, the title's size) a banner stops looking like one: a longer name wraps instead.
MIN_BANNER_PT = 22.0


def banner_size_pt(text: str) -> float:
    """The banner's size: 36 pt, smaller when a long name (a 纪要's 标志) would wrap.

    GB/T 9704 asks only that the 发文机关标志 look prominent and sit centred in the block; a
    banner broken over two lines reads as two organs.
    """
    fits = PAGE.block_width_mm * PT_PER_MM * 0.97 / max(1.0, text_width_chars(text))
    return max(MIN_BANNER_PT, min(BANNER_PT, int(fits * 2) / 2))


@dataclass(frozen=True)
class JointBanner:
    """A joint banner (联合行文, GB/T 9704 7.2.4): the organs stacked, 文件 to their right."""

    size_pt: float
    names_twips: int  # the column of organ names, each set to its full width (distributed)
    word_twips: int  # the column holding 文件, vertically centred on the names
    wraps: bool = False  # a name is too long for one line even at the smallest banner size


JOINT_WORD = "文件"


def joint_banner(names: Sequence[str]) -> JointBanner:
    """Size and columns of a joint banner: as large as 36 pt allows with 文件 beside the longest name."""
    widest = max(text_width_chars(name) for name in names)
    room = PAGE.block_width_mm * PT_PER_MM * 0.97
    size = max(MIN_BANNER_PT, min(BANNER_PT, int(room / (widest + len(JOINT_WORD) + 0.5) * 2) / 2))
    word = round((len(JOINT_WORD) + 0.5) * size * TWIPS_PER_PT)
    wanted = round(widest * size * TWIPS_PER_PT) + 40
    column = min(wanted, mm_to_twips(PAGE.block_width_mm) - word)
    return JointBanner(size, column, word, wraps=wanted > column)


def joint_signature_columns(date_text: str) -> tuple[int, int]:
    """Columns (twips) for the 署名 of a joint document, two organs a row.

    The right column is centred on the 成文日期 (右空四字), so the last organ's seal presses its
    name and the date together (7.3.5.2); the left column takes the rest of the block.
    """
    char_twips = CHAR_PITCH_PT * TWIPS_PER_PT
    block = mm_to_twips(PAGE.block_width_mm)
    right = round(2 * (4 + text_width_chars(date_text) / 2) * char_twips)
    right = min(right, block * 3 // 5)
    return block - right, right


# Rows of joint 署名: two blank lines above the first (its seals' room, as one organ's), then
# five lines (51 mm) a row, so 42 mm seals one above the other never touch (7.3.5.2).
JOINT_FIRST_ROW_LINES = 3
JOINT_ROW_LINES = 5


# The 发文字号 line is exactly one character high, so the red rule's distance is measured from
# the glyphs (see ``RED_RULE_BORDER_SPACE_PT``); 签发人 lines above it share that height.
NUMBER_LINE_TWIPS = round(BODY_PT * TWIPS_PER_PT)
MINUTES_ORGAN_GAP_MM = 3.3  # before a 纪要's organ and date line under its 期号 (see ``minutes_context``)
SIGNERS_PER_LINE = 2  # GB/T 9704 7.2.5: two names a line, in the order of the issuing organs
SIGNER_LABEL = "签发人："


@dataclass(frozen=True)
class SignerLine:
    """One line of the 签发人 block: the label (first line only), the names, the space above."""

    label: str
    names: str
    before_twips: int


@dataclass(frozen=True)
class SignerLayout:
    """The 签发人 lines of an upward document; the last shares its line with the 发文字号."""

    lines: tuple[SignerLine, ...]
    names_at_twips: int  # where every line's names start, from the block's left edge


def signer_layout(names: Sequence[str]) -> SignerLayout:
    """Lay out the 签发人 (GB/T 9704 7.2.5) below the banner.

    Two blank lines below the banner, right-aligned one character from the edge, two names a
    line, wrapped names aligned under the first name.
    """
    chunks = ["\u3000".join(names[i : i + SIGNERS_PER_LINE]) for i in range(0, len(names), SIGNERS_PER_LINE)]
    char_twips = CHAR_PITCH_PT * TWIPS_PER_PT
    widest = max(text_width_chars(chunk) for chunk in chunks)
    names_at = round(mm_to_twips(PAGE.block_width_mm) - (1 + widest) * char_twips)
    first_before, next_before = 2 * LINE_PITCH_TWIPS, LINE_PITCH_TWIPS - NUMBER_LINE_TWIPS
    lines = tuple(
        SignerLine(SIGNER_LABEL if i == 0 else "", chunk, first_before if i == 0 else next_before)
        for i, chunk in enumerate(chunks)
    )
    return SignerLayout(lines, names_at)


# --- the 信函格式 (GB/T 9704 10.1) -----------------------------------------------------------------
# Page 1 of a 函 has its head above the text block: the banner's top 30 mm below the paper's
# top edge, a red double rule (thick over thin) 4 mm below it, and another (thin over thick)
# 20 mm above the paper's bottom edge, both 170 mm long. The head is a table positioned on the
# page (LibreOffice keeps a floating table where it is told, as it does the 版记); the lower
# rule is the first page's footer, which also keeps page 1 unnumbered.
LETTER_BANNER_TOP_MM = 30.0
LETTER_RULE_MM = 170.0
LETTER_BOTTOM_RULE_FROM_EDGE_MM = 20.0
LETTER_RULE_EIGHTHS = 24  # 3 pt for the thick line; LibreOffice draws the thin one at 0.75 pt
# 7/8 of a 3号 character between the upper rule and the 份号 / 发文字号 below it.
LETTER_NUMBER_GAP_PT = BODY_PT * 7 / 8
LETTER_BANNER_LINE_PT = BANNER_PT * 1.25
# Measured on LibreOffice 7.4: the double rule is drawn from 0.55 mm below the banner's line
# box (3.7 mm under the glyphs of a 36 pt banner) to 1.75 mm below it; in the row under it, the
# glyphs of a line one grid line high (the 份号 and 发文字号 lines) stand 2.39 mm lower than the
# cell's top margin says, so the margin is that much smaller than the 7/8 字 gap. With the other
# kinds' footer distance, the first page footer's rule lands at 269.8/270.7 mm (thin/thick);
# lowering the footer by 6.75 mm centres the pair 20 mm above the paper's edge.
LETTER_RULE_PAIR_MM = 1.75
LETTER_CELL_SHIFT_MM = 2.39
LETTER_FOOTER_LIFT_MM = 6.75


def letter_rule_x_mm() -> float:
    """Left end of the 170 mm double rules, centred on the text block."""
    return PAGE.left_mm + (PAGE.block_width_mm - LETTER_RULE_MM) / 2


def letter_title_space_before(head_lines: int) -> int:
    """Space, in twips, above a 函's title: two lines below the last 版头 line (10.1).

    The flow starts at the top of the block (37 mm); the head above it ends with the
    发文字号 line and any 份号 / 密级 / 紧急程度 lines beside and under it.
    """
    head_end_mm = (
        LETTER_BANNER_TOP_MM
        + pt_to_mm(LETTER_BANNER_LINE_PT)
        + LETTER_RULE_PAIR_MM
        + pt_to_mm(LETTER_NUMBER_GAP_PT)
        + pt_to_mm((max(1, head_lines) - 1) * LINE_PITCH_PT + BODY_PT)
    )
    return max(0, round((head_end_mm - PAGE.top_mm) * PT_PER_MM * TWIPS_PER_PT) + 2 * LINE_PITCH_TWIPS)
