"""Enterprise names in running text and tables, with their 统一社会信用代码 where one stands beside them.

A name ends in a legal-form word (有限公司, 厂, 店, 合作社, 中心 …) and starts at a place name
(台山市, 恩平市 …) or at the word boundary before it; the words that lead into a name in official
prose (其中, 现将, 请, 包括 …) are never part of it. The weak endings (厂, 店, 社, 中心) count only
with a place name in front, since 该厂, 社会 and 服务中心 are everyday words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docgen.case.creditcode import credit_code_problem

MAX_NAME_CHARS = 30
STRONG_ENDINGS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司")
WEAK_ENDINGS = ("专业合作社", "合作社", "中心", "商行", "经营部", "厂", "店", "社")
# A weak ending followed by one of these is a longer word (厂房, 社会, 店铺, 中心城区 …).
NOT_AN_ENDING_BEFORE = {
    "厂": set("房区址长内外家商级方部矿务"),
    "店": set("铺面员长内"),
    "社": set("会区保团员长"),
    "中心": set("城区点任"),
}
# Words that lead into a name in official prose, longest first: never the start of a name.
LEAD_WORDS = sorted(
    (
        *("其中", "包括", "以下", "如下", "分别是", "分别为", "现将", "同意", "对于", "关于", "根据", "经查", "确认"),
        *("位于", "属于", "列入", "纳入", "督促", "责令", "要求", "组织", "通过", "完成", "企业", "单位", "名单"),
        # verbs an enterprise follows in a notice or a request: 检查台山市新光印染厂, 支持…砖厂
        *("检查", "核查", "督查", "抽查", "支持", "协助", "指导", "帮扶", "关停", "关闭", "取缔", "淘汰"),
        *("拆除", "整治", "查处", "约谈", "通报", "推荐", "认定", "确定", "公布", "批准", "恳请"),
        *"请由对经和与及或将把向在为据即是的了等有共该",
    ),
    key=len,
    reverse=True,
)
_PLACE = re.compile(r"[\u4e00-\u9fa5]{2,4}?(?:自治区|自治州|自治县|省|市|县|区|镇|乡)")
# A "place" holding one of these is a phrase (2022年度县级…, 全市, 本区), not a place name.
_NOT_IN_A_PLACE = set("年月日度级全各本该我贵此每")
_HAN_RUN = re.compile(r"[\u4e00-\u9fa5（）()]+")
_ENDING = re.compile("|".join(map(re.escape, [*STRONG_ENDINGS, *WEAK_ENDINGS])))
CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Z])")


@dataclass(frozen=True)
class Enterprise:
    """An enterprise a document names, with its 统一社会信用代码 when the document gives it."""

    name: str
    credit_code: str | None = None


def _strip_lead_words(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for word in LEAD_WORDS:
            if text.startswith(word) and len(text) > len(word):
                text, changed = text[len(word) :], True
                break
    return text


def _place_start(span: str, limit: int) -> int | None:
    """Where the place name nearest to the ending starts (a chain 广东省江门市… taken whole), or None."""
    for nearest in range(limit - 3, -1, -1):
        place = _PLACE.match(span, nearest)
        if place and place.end() <= limit - 1 and not _NOT_IN_A_PLACE & set(place.group()):
            start = nearest
            while True:  # the place before it, if any: 江门市 before 台山市
                before = next((n for n in (3, 4) if start >= n and _PLACE.fullmatch(span[start - n : start])), 0)
                if not before:
                    return start
                start -= before
    return None


def _name_before(run: str, end: int, ending: str, start_limit: int) -> str | None:
    """The name that ends at ``end`` in a run of Han text, not reaching back before ``start_limit``."""
    span = run[max(start_limit, end - MAX_NAME_CHARS) : end]
    start = _place_start(span, len(span) - len(ending))
    # On a word boundary: at the start of the run, or right after a word that leads into a name.
    bounded = start is not None and (start == 0 or span[:start].endswith(tuple(LEAD_WORDS)))
    if ending in WEAK_ENDINGS and not bounded:
        return None  # 服务中心, 该厂: a weak ending needs a place name standing on a word boundary
    name = span[start:] if start is not None else _strip_lead_words(span)
    name = name.lstrip("（()）")
    body = name[: len(name) - len(ending)]
    return name if len(body) >= 2 else None


def _names_in(run: str) -> list[tuple[str, int]]:
    """(name, end) for each enterprise name in a run of Han text, left to right."""
    found: list[tuple[str, int]] = []
    last_end = 0
    for ending in _ENDING.finditer(run):
        word, end = ending.group(), ending.end()
        after = run[end : end + 1]
        # The longest ending wins: 有限公司 inside 股份有限公司 is found once, at its full form.
        longer = _ENDING.match(run, end)
        if longer or after in NOT_AN_ENDING_BEFORE.get(word, set()):
            continue
        if word == "中心" and run[end : end + 2] in {"任务", "工作"}:
            continue
        name = _name_before(run, end, word, last_end)
        if name:
            found.append((name, end))
            last_end = end
    return found


_BOOK_TITLE = re.compile(r"《[^》]*》")


def _line_names(line: str) -> list[str]:
    # A name inside 《》 is part of a document's title (《某县农民专业合作社评定办法》), not an enterprise.
    return [name for run in _HAN_RUN.findall(_BOOK_TITLE.sub("。", line)) for name, _ in _names_in(run)]


def _codes(line: str) -> list[str]:
    return [c for c in CREDIT_CODE.findall(line) if credit_code_problem(c) is None]


def find_enterprises(text: str) -> list[Enterprise]:
    """Enterprise names in order of first mention, each with the valid credit code on its line.

    A code on the line below names that have none (企业名称：… / 统一社会信用代码：…) is theirs
    when the counts agree and that line names no enterprise of its own.
    """
    names: dict[str, str | None] = {}
    lines = _lines(text)
    for n, line in enumerate(lines):
        codes, line_names = _codes(line), _line_names(line)
        if not codes and line_names and n + 1 < len(lines) and not _line_names(lines[n + 1]):
            codes = _codes(lines[n + 1])
        for i, name in enumerate(line_names):
            names.setdefault(name, None)
            if names[name] is None and len(codes) == len(line_names):
                names[name] = codes[i]
    return [Enterprise(name, code) for name, code in names.items()]


def _lines(text: str) -> list[str]:
    """Lines of text, with a name broken over two lines (恩平市恒达钢铁有限 / 公司) put back together."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if lines and (_ending_broken_between(lines[-1], line) or _name_broken_between(lines[-1], line)):
            lines[-1] += line
        else:
            lines.append(line)
    return lines


def _name_broken_between(before: str, after: str) -> bool:
    """Whether a name runs from the end of one line into the next (台山市新光 / 印染厂)."""
    tail = _HAN_RUN.findall(before[-MAX_NAME_CHARS:])
    head = _HAN_RUN.match(after)
    if not tail or head is None or not before.endswith(tail[-1]):
        return False
    joined = tail[-1] + head.group()
    return any(end > len(tail[-1]) and end - len(name) < len(tail[-1]) for name, end in _names_in(joined))


def _ending_broken_between(before: str, after: str) -> bool:
    """Whether a legal-form word starts at the end of one line and ends at the start of the next."""
    return any(
        before.endswith(word[:k]) and after.startswith(word[k:])
        for word in (*STRONG_ENDINGS, *WEAK_ENDINGS)
        for k in range(1, len(word))
    )
