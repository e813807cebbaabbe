"""Title, kind, 发文字号, 成文日期 and 责任者 of a document, read from its text.

The 版头 of a 公文 is read top down as GB/T 9704 lays it out: 份号, 密级, 紧急程度, the 发文机关标志
("…文件"), the 发文字号 (with 签发人 beside it in an upward document), then the title, over one to
three lines, ending in the kind's word (通知, 公告, 验收记录 …), then the 主送机关 ending in "：".
A document without a 版头 (an announcement, a record) starts with its title.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from docgen.intake.enterprises import Enterprise, find_enterprises
from docgen.vocab import NUMBER_IN_TEXT, TITLE_KIND_WORDS, WRITTEN_DATE, format_number, parse_number

HEAD_LINES = 15  # the 版头 and title sit in the first lines of page 1
MAX_TITLE_LINES = 3
MAX_TITLE_CHARS = 100
# Kind words a title ends with, longest first; the kind docgen files it under, or "other".
TITLE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("验收记录", "acceptance"),
    ("工作计划", "plan"),
    ("实施方案", "other"),
    ("工作方案", "other"),
    ("名单公告", "announcement"),
    ("公告", "announcement"),
    ("公示", "announcement"),
    ("通知", "notice"),
    ("计划", "plan"),
    ("通报", "other"),
    ("通告", "other"),
    ("意见", "other"),
    ("决定", "other"),
    ("报告", "report"),
    ("请示", "request"),
    ("批复", "other"),
    ("纪要", "minutes"),
    ("方案", "other"),
    ("办法", "other"),
    ("规定", "other"),
    ("决议", "other"),
    ("记录", "other"),
    ("函", "letter"),
)
_NOT_TITLE = re.compile(
    r"^(?:\d{6}|[特加平]急|特提|(?:绝密|机密|秘密)(?:★.*)?|签发人.*|.{2,30}文件|第?\s*\d+\s*页|[—\-－]\s*\d+\s*[—\-－])$"
)
_CHINESE_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE_DATE = re.compile(
    r"([〇○零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_ORGAN = re.compile(r"[\u4e00-\u9fa5（）()]{2,40}?(?:局|委员会|委|人民政府|政府|办公室|办|厅|部|院|中心|公司|所|站|会)")
_TITLE_WITH_GUANYU = re.compile(rf"(.{{0,30}}?关于.{{2,80}}?的(?:{'|'.join(TITLE_KIND_WORDS)}))")


@dataclass
class Read:
    """What a document's text says about it; None (or empty) where nothing convincing was found."""

    title: str | None = None
    kind: str | None = None
    kind_name: str | None = None
    number: str | None = None
    number_as_written: str | None = None
    date: dt.date | None = None
    issuer: str | None = None
    enterprises: list[Enterprise] = field(default_factory=list)


def kind_of_title(title: str) -> tuple[str, str | None]:
    """(docgen kind, the kind's word) from a title's ending: 关于…的请示 → ("request", "请示")."""
    bare = title.rstrip("。.；; ")
    if "验收记录" in bare:
        return "acceptance", "验收记录"
    for word, kind in TITLE_ENDINGS:
        if bare.endswith(word):
            return kind, word
    return "other", None


def _chinese_number(text: str) -> int:
    """十二 → 12, 二十 → 20, 五 → 5 (the day and month words of a date)."""
    if "十" not in text:
        return _CHINESE_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[ones] if ones else 0)


def _dates(text: str) -> list[tuple[int, dt.date]]:
    """(position, date) of every written date, Arabic (2021年5月24日) or Chinese (二〇二一年五月二十四日)."""
    found = []
    for m in WRITTEN_DATE.finditer(text):
        try:
            found.append((m.start(), dt.date(int(m[1]), int(m[2]), int(m[3]))))
        except ValueError:
            continue
    for m in _CHINESE_DATE.finditer(text):
        try:
            year = int("".join(str(_CHINESE_DIGITS[c]) for c in m[1]))
            found.append((m.start(), dt.date(year, _chinese_number(m[2]), _chinese_number(m[3]))))
        except (ValueError, KeyError):
            continue
    return sorted(found)


# A 发文字号 as OCR reads it from a scan: the 〔〕 around the year lost or read as other marks
# ("台工信字2022）17号", "台工信字C2022]17号"). A clerk reads it as 台工信字〔2022〕17号: a line of its own
# in the 版头, a plausible year, then a mark that is no digit, then the 序号.
_OCR_NUMBER = re.compile(
    r"^(?P<prefix>[\u4e00-\u9fa5]{2,15}?)[^\d\u4e00-\u9fa5]{0,2}(?P<year>(?:19[4-9]|20\d)\d)"
    r"[^\d\u4e00-\u9fa5]{1,2}第?(?P<seq>[1-9]\d{0,4})号(?=$|签发人)"
)


# Any line shaped like a 发文字号, even one OCR garbled past reading: never part of a title.
_NUMBER_SHAPED = re.compile(r"^[\u4e00-\u9fa5]{2,15}\D{0,3}\d{4}\D{0,3}\d{0,5}号(?:签发人.*)?$")


def _number(lines: list[str]) -> tuple[str | None, str | None]:
    """(the 发文字号 in its printed 〔〕 form, as written) from a line of its own in the 版头."""
    for line in lines[:HEAD_LINES]:
        found = NUMBER_IN_TEXT.match(line)
        if found and (found.end() == len(line) or line[found.end() :].lstrip().startswith("签发人")):
            parsed = parse_number(found.group())
            if parsed is not None:
                return str(parsed.number), found.group()
    for line in lines[:HEAD_LINES]:
        if misread := _OCR_NUMBER.match(line):
            return format_number(misread["prefix"], int(misread["year"]), int(misread["seq"])), misread.group()
    return None, None


# A 公告's or 通告's own number, on a line of its own under (or over) the title: （2019年第2号）.
_SERIAL_NUMBER = re.compile(r"^[（(]?(\d{4}年第\d{1,4}号)[）)]?$")


def _serial_number(lines: list[str]) -> str | None:
    """A 公告编号 such as 2019年第2号, kept as the document's number when it has no 发文字号."""
    for line in lines[:HEAD_LINES]:
        if found := _SERIAL_NUMBER.match(line):
            return found[1]
    return None


def _not_title(line: str) -> bool:
    """A 版头 line (份号, 密级, 文件 banner, 发文字号, 签发人, 公告编号) or the 主送机关: never part of a title."""
    return bool(
        _NOT_TITLE.match(line)
        or NUMBER_IN_TEXT.match(line)
        or _NUMBER_SHAPED.match(line)
        or _SERIAL_NUMBER.match(line)
        or line.endswith(("：", ":"))
    )


def _title(lines: list[str]) -> str | None:
    """The title lines under the 版头, joined; else a "关于…的…" sentence near the top."""
    head = lines[:HEAD_LINES]
    for i, line in enumerate(head):
        if line.endswith(("：", ":")):
            break  # the 主送机关: the title was above it
        if _not_title(line):
            continue
        for n in range(1, MAX_TITLE_LINES + 1):
            part = head[i : i + n]
            candidate = "".join(part)
            if len(candidate) > MAX_TITLE_CHARS or any(_not_title(x) for x in part[1:]):
                break
            if kind_of_title(candidate)[1] and not re.search(r"[，。；,;]", candidate):
                return candidate
    for i, line in enumerate(lines[:20]):
        if "关于" in line:
            for n in range(1, MAX_TITLE_LINES + 1):
                found = _TITLE_WITH_GUANYU.fullmatch("".join(lines[i : i + n]))
                if found:
                    return found[1]
    return None


_ORGANISER = re.compile(r"^(?:组织验收单位|验收组织单位|组织单位)[:：](.+)$")


def _issuer(lines: list[str], signed: dt.date | None, text_dates: list[tuple[int, dt.date]]) -> str | None:
    """The 发文机关署名 above the 成文日期, else the organ of a 版头 "…文件", else a 验收记录's 组织验收单位."""
    if signed is not None:
        for i in range(len(lines) - 1, 0, -1):
            if any(d == signed for _, d in _dates(lines[i])) and _ORGAN.fullmatch(lines[i - 1]):
                return lines[i - 1]
    for line in lines[:3]:
        if line.endswith("文件") and _ORGAN.fullmatch(line[:-2]):
            return line[:-2]
    for line in lines:  # a 验收记录 names the organ that organised it
        if (found := _ORGANISER.match(line)) and _ORGAN.fullmatch(found[1]):
            return found[1]
    return None


def read_metadata(text: str) -> Read:
    """Read title, kind, 发文字号, 成文日期, 责任者 and enterprises from a document's text."""
    read = Read()
    lines = [re.sub(r"[ \t\u3000]+", "", line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    read.number, read.number_as_written = _number(lines)
    if read.number is None and (serial := _serial_number(lines)):
        read.number = read.number_as_written = serial
    read.title = _title(lines)
    if read.title:
        read.kind, read.kind_name = kind_of_title(read.title)
    squashed = "\n".join(lines)
    dates = _dates(squashed)
    # The 成文日期 follows the body; an 印发日期 in the 版记 equals or follows it: of the last two
    # dates, the earlier is the signature's.
    if dates:
        last = [d for _, d in dates[-2:]]
        read.date = last[0] if len(last) == 2 and last[0] <= last[1] else last[-1]
    read.issuer = _issuer(lines, read.date, dates)
    read.enterprises = find_enterprises(re.sub(r" +", "", text))
    return read
