"""Shared words: kinds, 发文字号, dates, font names, file names, printable text.

Imports nothing from docgen.

Every name that becomes part of a path (an enterprise key, a case file's name, a kind) passes
``name_problem``; every string a case prints passes ``text_problem``. Both are pure, so the case
loader, the CLI and the tests agree on them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

# CJK, Latin letters, digits and a few marks; nothing that means something to a file system.
FILE_NAME = re.compile(r"^[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff（）()_\-·.]{1,64}$")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)

# Characters that change how text is shown without being seen: bidirectional overrides and
# isolates can print "通知红的" for "的红通知"; zero-width ones hide in titles and folder names.
_INVISIBLE_NAMES = {
    0x200B: "零宽空格",
    0x200C: "零宽不连字",
    0x200D: "零宽连字",
    0x200E: "从左向右标记",
    0x200F: "从右向左标记",
    0x202A: "从左向右嵌入",
    0x202B: "从右向左嵌入",
    0x202C: "方向格式结束",
    0x202D: "从左向右覆盖",
    0x202E: "从右向左覆盖",
    0x2066: "从左向右隔离",
    0x2067: "从右向左隔离",
    0x2068: "方向隔离",
    0x2069: "方向隔离结束",
    0xFEFF: "字节顺序标记",
}
MAX_COMBINING_MARKS = 2  # accents on a Latin letter; more is stacking
_CONTROL_NAMES = {
    0x09: "制表符",
    0x00: "NUL",
    0x07: "BEL 响铃符",
    0x08: "退格",
    0x0B: "垂直制表符",
    0x0C: "换页符",
    0x1B: "ESC 转义符",
    0x7F: "DEL",
}


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be part of a file or folder name, or None when it can."""
    if not FILE_NAME.match(name):
        return "只能用汉字、字母、数字和 ( ) _ - · .，最多 64 个字符，不能含 / \\ : 空格等"
    if name.strip(".") == "" or name.startswith("."):
        return "不能以“.”开头"
    if _WINDOWS_RESERVED.match(name):
        return f"“{name}”是 Windows 保留的文件名"
    return None


def describe_char(ch: str) -> str:
    """U+202E（从右向左覆盖）: a character a clerk cannot see, named so it can be found."""
    code = ord(ch)
    name = _INVISIBLE_NAMES.get(code) or _CONTROL_NAMES.get(code)
    if name is None:
        category = unicodedata.category(ch)
        names = {
            "Cc": "控制字符",
            "Cf": "格式字符",
            "Cs": "代理码位",
            "Co": "私用区字符",
            "Cn": "未分配的码位",
            "Zl": "行分隔符",
            "Zp": "段分隔符",
            "Mn": "变体选择符" if 0xFE00 <= code <= 0xFE0F else "叠加的组合符号",
        }
        name = names.get(category)
    return f"U+{code:04X}（{name}）" if name else f"U+{code:04X}"


# 机关代字: the organ's abbreviation before the 〔year〕 (恩科工商务字, 粤工信规划政策函): words only.
PREFIX_MAX = 20


def prefix_problem(prefix: str) -> str | None:
    """Why ``prefix`` cannot be a 机关代字, or None."""
    if not prefix:
        return "不能为空"
    if len(prefix) > PREFIX_MAX:
        return f"过长（{len(prefix)} 个字，最多 {PREFIX_MAX} 个）"
    if not re.fullmatch(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z]+", prefix):
        return "只能由汉字或字母组成，不含年份、括号、序号和符号（例如 恩科工商务字）"
    return None


# Emoji and pictographs: the blocks of "Miscellaneous Symbols", "Dingbats" and U+1F000 onwards.
# ★ and ☆ stay allowed: GB/T 9704 prints 密级★保密期限 with the star.
_PICTOGRAPHS = ((0x2600, 0x27BF), (0x1F000, 0x1FAFF))
_ALLOWED_SYMBOLS = {0x2605, 0x2606}


def _is_emoji(ch: str) -> bool:
    code = ord(ch)
    return code not in _ALLOWED_SYMBOLS and any(low <= code <= high for low, high in _PICTOGRAPHS)


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` may not be printed, or None when it may.

    Control characters, invisible format characters (bidirectional overrides, zero-width
    spaces), lone surrogates and unassigned code points are refused; ``multiline`` allows line
    breaks (none of docgen's fields need them).
    """
    marks = 0
    for i, ch in enumerate(text):
        if multiline and ch in "\t\n":
            continue
        category = unicodedata.category(ch)
        marks = marks + 1 if category == "Mn" else 0
        where = f"第 {i + 1} 个字符" if len(text) > 1 else "此处"
        # Line and paragraph separators break a line the clerk cannot see; variation selectors
        # ask for a picture (emoji) form no 公文 font has; stacked marks pile glyphs up.
        if (
            category in ("Cc", "Cf", "Cs", "Cn", "Zl", "Zp")
            or ord(ch) in _INVISIBLE_NAMES
            or 0xFE00 <= ord(ch) <= 0xFE0F
            or marks > MAX_COMBINING_MARKS
        ):
            return f"含有不能打印的字符 {describe_char(ch)}，在{where}；请删去"
        if _is_emoji(ch):
            # A fallback font may draw it, but no 公文 font has it: a reviewer sends it back.
            return f"含有表情或图形符号 {ch}（U+{ord(ch):04X}），在{where}；公文中不用这类符号，请删去或改用文字"
    return None


MAX_TITLE_CHARS = 200  # a title of ten lines; the longest real ones (转发…的通知的通知) are about 80


def title_problem(title: str) -> str | None:
    """Why ``title`` cannot be a document's title, or None."""
    if len(title) > MAX_TITLE_CHARS:
        return f"过长（{len(title)} 个字，最多 {MAX_TITLE_CHARS} 个）"
    return text_problem(title)


def shown_value(value: object, limit: int = 80) -> str:
    """A value as the clerk wrote it in YAML or TOML: 空 for nothing, true/false, text quoted."""
    if value is None:
        return "空（没有填写）"
    if isinstance(value, bool):
        return "true" if value else "false"
    return clip(repr(value), limit)


def clip(value: object, limit: int = 80) -> str:
    """At most ``limit`` characters of a value, for messages: a huge input must not become a huge error."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text)} 个字符）"


# --- kinds of document ----------------------------------------------------------------------

KIND_NAMES = {
    "notice": "通知",
    "plan": "工作计划",
    "tasks": "任务分工表",
    "acceptance": "验收记录",
    "announcement": "公告",
    "set": "印发合成件（通知+工作计划+附件）",
    "request": "请示",
    "report": "报告",
    "letter": "函",
    "minutes": "纪要",
}


KINDS = tuple(KIND_NAMES)


# The 文种 words a title ends with: the 15 kinds of the 党政机关公文处理工作条例 and the plans and
# rules a bureau also issues under a 通知.
TITLE_KIND_WORDS = (
    "通知", "通报", "公告", "通告", "意见", "决定", "报告", "请示", "批复",
    "函", "纪要", "计划", "方案", "办法", "规定", "决议", "命令", "议案", "公报",
)  # fmt: skip
# The word the title of each docgen kind ends with (the set is its notice).
TITLE_WORD_OF_KIND = {
    "notice": "通知",
    "set": "通知",
    "announcement": "公告",
    "request": "请示",
    "report": "报告",
    "letter": "函",
    "minutes": "纪要",
}


# What ``docgen format`` reads a Word draft into; a 印发合成件 (通知 + 工作计划 + 任务分工表) in one
# file is read as ``set``.
FORMAT_KINDS = ("notice", "set", "request", "report", "letter", "minutes", "plan", "announcement")

# Kinds that carry a 发文字号, and the registry key of the document that holds it: the set is
# the notice with what it issues, so both print the same number.
NUMBERED_KINDS = {"notice": "notice", "set": "notice", "request": "request", "report": "report", "letter": "letter"}


# 版头 elements (GB/T 9704 7.2.1-7.2.3): 密级 and 紧急程度 as the standard spells them.
SecrecyLevel = Literal["秘密", "机密", "绝密"]
Urgency = Literal["特急", "加急"]
COPY_NUMBER_DIGITS = 6  # 份号: six Arabic digits, zero-filled (000001)


def secrecy_mark(level: str, period: str | None) -> str:
    """密级和保密期限 as printed: 机密★1年, or the level alone."""
    return f"{level}★{period}" if period else level


# --- 发文字号 --------------------------------------------------------------------------------
# 发文字号 (document numbers): parse what clerks type, format what GB/T 9704 prints.
#
# The printed form is 机关代字 + 〔YYYY〕 + sequence without leading zeros + 号, with the
# tortoise-shell brackets U+3014/U+3015. Clerks type look-alikes (half-width brackets, 【】, （）,
# the small ﹝﹞); the parser accepts them so it can say exactly what to correct.

OPEN, CLOSE = "〔", "〕"


_LOOKALIKE_BRACKETS = "〔〕[]【】()（）﹝﹞［］"
# Opening and closing look-alikes of 〔 〕 that clerks type.
LOOKALIKE_OPEN, LOOKALIKE_CLOSE = "[【（(﹝［", "]】）)﹞］"


_NUMBER_RE = re.compile(
    r"^\s*(?P<prefix>[\u4e00-\u9fa5]+?)\s*(?P<open>[" + re.escape(_LOOKALIKE_BRACKETS) + r"])\s*"
    r"(?P<year>[0-9]{4})\s*(?P<close>[" + re.escape(_LOOKALIKE_BRACKETS) + r"])\s*"
    r"(?P<di>第?)\s*(?P<seq>[0-9]{1,30})\s*号\s*$"
)
# The highest 序号 a 机关代字 gives in a year. No bureau comes near it; a typo past it (585858585号)
# would make every list and check of the year's numbers as long as the typo is large.
MAX_SEQUENCE = 99_999


@dataclass(frozen=True)
class DocNumber:
    """A parsed 发文字号."""

    prefix: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return format_number(self.prefix, self.year, self.sequence)


def format_number(prefix: str, year: int, sequence: int) -> str:
    """Format a 发文字号 exactly as GB/T 9704 prints it."""
    return f"{prefix}{OPEN}{year}{CLOSE}{sequence}号"


def draft_number(prefix: str, year: int) -> str:
    """The number a draft shows before issuing allocates one: 恩科工商务字〔2021〕　　号."""
    return f"{prefix}{OPEN}{year}{CLOSE}\u3000\u3000号"


@dataclass(frozen=True)
class ParsedNumber:
    """A number as typed, with the corrections it needs before it may be printed."""

    number: DocNumber
    problems: tuple[str, ...]


def parse_number(text: str) -> ParsedNumber | None:
    """Parse a typed 发文字号; ``None`` when it is not recognisable as one at all."""
    m = _NUMBER_RE.match(text)
    if not m:
        return None
    problems = []
    if m["open"] != OPEN or m["close"] != CLOSE:
        problems.append(f"年份应使用六角括号〔〕，不能用 {m['open']}{m['close']}")
    if m["di"]:
        problems.append("序号前不加“第”")
    if len(m["seq"]) > 1 and m["seq"].startswith("0"):
        problems.append("序号不编虚位（不加前导零）")
    if int(m["seq"]) == 0:
        problems.append("序号从 1 开始")
    if int(m["seq"]) > MAX_SEQUENCE:
        problems.append(f"序号 {clip(m['seq'], 12)} 过大（每个机关代字每年最多 {MAX_SEQUENCE} 号），请核对")
    if text != text.strip() or any(ch.isspace() for ch in text.strip()):
        problems.append("不应含空格")
    prefix = m["prefix"]
    if prefix.endswith("字") and m["di"]:
        pass  # "字第" is the redundant old form; the 第 problem above already names it
    return ParsedNumber(DocNumber(prefix, int(m["year"]), int(m["seq"])), tuple(problems))


def sequence_problem(sequence: int) -> str | None:
    """Why ``sequence`` cannot be a 序号 of the registry, or None."""
    if not 1 <= sequence <= MAX_SEQUENCE:
        said = "过大" if sequence > MAX_SEQUENCE else "应从 1 开始"
        return f"序号{said}（应在 1 到 {MAX_SEQUENCE} 之间），现为 {clip(str(sequence), 24)}"
    return None


def missing_ranges(present: Iterable[int]) -> list[tuple[int, int]]:
    """The runs of numbers from 1 to the highest present that are absent, as (first, last) pairs.

    Never expanded: a run of a million missing numbers is one pair, found in the time it takes
    to sort what is present.
    """
    ranges = []
    expected = 1
    for number in sorted(set(present)):
        if number > expected:
            ranges.append((expected, number - 1))
        expected = max(expected, number + 1)
    return ranges


def ranges_text(ranges: Iterable[tuple[int, int]]) -> str:
    """3、5—57 for [(3, 3), (5, 57)]."""
    return "、".join(str(first) if first == last else f"{first}—{last}" for first, last in ranges)


# --- dates ---------------------------------------------------------------------------------------

# 2021年5月24日, the form GB/T 9704 prints; spaces allowed, as text extraction leaves them.
WRITTEN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def clerk_time(stamp: object, *, seconds: bool = False, zone: bool = False) -> str:
    """An ISO time as a clerk reads it, in this machine's time zone: 2021年5月24日 09:30.

    ``seconds`` and ``zone`` add what a signed report prints (09:30:05（UTC+0800））. Anything
    that is not an ISO time is shown as it is.
    """
    try:
        moment = dt.datetime.fromisoformat(str(stamp)).astimezone()
    except ValueError:
        return str(stamp)
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    return f"{moment.year}年{moment.month}月{moment.day}日 {clock}" + (f"（UTC{moment:%z}）" if zone else "")


def number_pattern(opening: str = "〔" + LOOKALIKE_OPEN, closing: str = "〕" + LOOKALIKE_CLOSE) -> str:
    """A 发文字号 inside text: 2-15 Han characters, a year in any of ``opening``/``closing``, a number."""
    year = rf"[{re.escape(opening)}]\s*[0-9]{{4}}\s*[{re.escape(closing)}]"
    return rf"[\u4e00-\u9fa5]{{2,15}}\s*{year}\s*第?\s*[0-9]{{1,5}}\s*号"


NUMBER_IN_TEXT = re.compile(number_pattern())


# --- fonts ------------------------------------------------------------------------------------
# The font names GB/T 9704 documents use, as a Chinese office PC knows them.
#
# The DOCX always carries these names (on the East Asian slot too), so a document opened in Word
# or WPS on an office PC shows the real fonts. Conversion here maps each to a free stand-in
# unless a licensed copy of the real font is installed (see ``docgen.fonts``).


@dataclass(frozen=True)
class FontRole:
    """One GB/T 9704 font: the name written into documents and its free stand-in here."""

    name: str
    role: str
    stand_in_family: str
    stand_in_bold: bool = False


FANGSONG = FontRole("仿宋_GB2312", "正文（3号仿宋）", "FandolFang")


XIAOBIAOSONG = FontRole("方正小标宋简体", "标题、发文机关标志", "Noto Serif CJK SC", stand_in_bold=True)


HEITI = FontRole("黑体", "一级标题、附件标识", "Noto Sans CJK SC")


KAITI = FontRole("楷体_GB2312", "二级标题", "FandolKai")


SONGTI = FontRole("宋体", "页码", "Noto Serif CJK SC")


FONT_ROLES: tuple[FontRole, ...] = (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI)


# 保管期限 (DA/T 22-2015 6.1.4) by code, and the columns of the 归档文件目录 (DA/T 22-2015 8.3.2).
# The people of a 发文 flow, as every Chinese OA names them; one person may hold several roles.
# 市档案员: the city profile's archivist, who may read every organ's archive (and only read it).
ROLES = {
    "drafter": "拟稿",
    "reviewer": "核稿",
    "signer": "签发",
    "archivist": "档案员",
    "admin": "管理员",
    "city_archivist": "市档案员",
}
CITY_ROLES = frozenset({"city_archivist"})  # roles only the city profile grants
RETENTION_NAMES = {"Y": "永久", "D30": "30年", "D10": "10年"}
CATALOGUE_COLUMNS = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """Write 1..9999 in Chinese numerals as headings use them: 十、十一、二十、一百零一."""
    if not 0 < n < 10000:
        msg = f"序号超出范围：{n}"
        raise ValueError(msg)
    units = [(1000, "千"), (100, "百"), (10, "十")]
    out = ""
    rest = n
    gap = False
    for value, name in units:
        digit, rest = divmod(rest, value)
        if digit:
            if gap:
                out += "零"
            # 十一 not 一十一 when the number starts with the tens.
            out += ("" if (value == 10 and digit == 1 and not out) else CHINESE_DIGITS[digit]) + name
            gap = False
        elif out:
            gap = True
    if rest:
        if gap:
            out += "零"
        out += CHINESE_DIGITS[rest]
    return out
