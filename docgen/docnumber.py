"""发文字号 (document numbers): parse what clerks type, format what GB/T 9704 prints.

The printed form is 机关代字 + 〔YYYY〕 + sequence without leading zeros + 号, with the
tortoise-shell brackets U+3014/U+3015. Clerks type look-alikes (half-width brackets, 【】, （）,
the small ﹝﹞); the parser accepts them so it can say exactly what to correct.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPEN, CLOSE = "〔", "〕"
_LOOKALIKE_BRACKETS = "〔〕[]【】()（）﹝﹞［］"
_NUMBER_RE = re.compile(
    r"^\s*(?P<prefix>[\u4e00-\u9fa5]+?)\s*(?P<open>[" + re.escape(_LOOKALIKE_BRACKETS) + r"])\s*"
    r"(?P<year>\d{4})\s*(?P<close>[" + re.escape(_LOOKALIKE_BRACKETS) + r"])\s*"
    r"(?P<di>第?)\s*(?P<seq>\d+)\s*号\s*$"
)


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
    if text != text.strip() or any(ch.isspace() for ch in text.strip()):
        problems.append("不应含空格")
    prefix = m["prefix"]
    if prefix.endswith("字") and m["di"]:
        pass  # "字第" is the redundant old form; the 第 problem above already names it
    return ParsedNumber(DocNumber(prefix, int(m["year"]), int(m["seq"])), tuple(problems))
