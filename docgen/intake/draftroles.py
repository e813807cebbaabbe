"""What each paragraph of a Word draft is, and the case it makes: 版头, title, 主送, body, 署名, 版记.

Read top down as GB/T 9704 lays a document out, from what Word knows first and the text second:
a style docgen or the clerk named (公文标题, 主送机关, Heading 2), an outline level or automatic
number, a centred paragraph in a large font; then the words ("关于……的通知", a line ending "：",
a date, "附件：", "抄送："). Each role comes with how sure the reading is; what is unsure is said
in Chinese ("标题可能是两段：……，请核对") and travels into the case file as a comment.

Pure functions over ``wordreader.Para``: no file is opened here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from docgen.intake.metadata import TITLE_ENDINGS
from docgen.intake.wordreader import Para, WordDraft
from docgen.vocab import KIND_NAMES, WRITTEN_DATE, parse_number

ROLES = {
    "mark": "份号、密级、紧急程度",
    "banner": "发文机关标志",
    "number": "发文字号",
    "title": "标题",
    "recipients": "主送机关",
    "body": "正文",
    "heading": "正文标题",
    "attachments": "附件说明",
    "signature": "发文机关署名",
    "date": "成文日期",
    "note": "附注",
    "disclosure": "公开方式",
    "copy_to": "抄送机关",
    "present": "出席、请假、列席",
    "printed": "印发机关和印发日期",
    "label": "附件标识",
    "table": "表格",
    "skip": "空行",
}
STYLE_ROLES = {  # docgen's own paragraph styles, and the names clerks' templates use
    "发文机关标志": "banner",
    "发文字号": "number",
    "公文标题": "title",
    "title": "title",
    "标题": "title",
    "主送机关": "recipients",
    "发文机关署名": "signature",
    "成文日期": "date",
    "附注": "note",
    "附件说明": "attachments",
    "密级和紧急程度": "mark",
    "出席、请假、列席": "present",
}
LEVEL_STYLES = {"一级标题": 1, "二级标题": 2, "三级标题": 3, "四级标题": 4}  # docgen's heading styles
_ISSUE = re.compile(r"^第\s*[0-9０-９]+\s*期$")  # a 纪要's 期号
_ATTENDANCE = re.compile(r"^(出\s*席|请\s*假|列\s*席)\s*[:：]\s*(.+)$")
_DISTRIBUTED = re.compile(r"^(?:抄\s*送|分\s*送)\s*[:：]\s*")
_MARK = re.compile(r"^(?:(?P<copy>\d{6})|(?P<secrecy>绝密|机密|秘密)(?:★(?P<period>.+))?|(?P<urgency>特急|加急))$")
# A 发文字号 as printed, its number left blank in a draft ("恩科工商务字〔2021〕　号"), 签发人 beside it.
_NUMBER_LINE = re.compile(
    r"^(?P<prefix>[\u4e00-\u9fa5]{1,15})\s*[〔［\[【(（]\s*(?P<year>\d{4})\s*[〕］\]】)）]\s*(?P<seq>\d*)\s*号"
    r"(?:\s*签发人[:：]\s*(?P<signers>.+))?$"
)
TYPED_HEADING = (  # a clerk's typed heading numbers, by level (GB/T 9704 7.3.3)
    (1, re.compile(r"^[一二三四五六七八九十]+\s*[、，,．.]\s*")),
    (2, re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*")),
    (3, re.compile(r"^[0-9０-９]+\s*[．.、](?![0-9０-９])\s*")),
    (4, re.compile(r"^[（(][0-9０-９]+[）)]\s*")),
)
_DATE_LINE = re.compile(r"^\s*(\d{4}|[〇○零一二三四五六七八九]{4})\s*年.{1,3}月.{1,3}日\s*$")
_CHINESE_DATE = re.compile(
    r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
_ATTACHMENT = re.compile(r"^附\s*件\s*[:：]\s*")
_ATTACHMENT_ITEM = re.compile(r"^\s*[0-9０-９]+\s*[．.、]\s*\S")
_PRINTED = re.compile(r"^(?P<by>.*?\S)\s+(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*印\s*发\s*$")
_DISCLOSURE = re.compile(r"^公开方式\s*[:：]\s*(主动公开|依申请公开|不予公开)\s*$")
_NOTE = re.compile(r"^[（(].*[）)]$")
_ORGAN_END = re.compile(r"(局|委员会|委|人民政府|政府|办公室|办|厅|部|院|中心|公司|所|站|会|处|队)$")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
MAX_RECIPIENTS_CHARS = 80
MAX_SIGNATURE_CHARS = 40
TITLE_SIZE_PT = 18.0  # 2号 is 22 pt; a clerk's title is seldom smaller than 小2 (18 pt)


@dataclass
class Reading:
    """One paragraph's role, how sure, and what it says (for headings, the level)."""

    index: int
    role: str
    text: str
    sure: float
    level: int | None = None
    row: int | None = None  # a table cell's row


@dataclass
class DraftReading:
    """The roles of a draft's paragraphs, the case data they make, and what to check by eye."""

    kind: str
    readings: list[Reading]
    data: dict[str, Any]
    doubts: dict[str, str] = field(default_factory=dict)  # case path "notice.title" → what to check

    @property
    def title(self) -> str:
        """The document's title (a 印发合成件's is its notice's)."""
        return str(self.data.get("notice" if self.kind == "set" else self.kind, {}).get("title") or "")


def clean(text: str) -> str:
    """A paragraph's text as a case holds it: spaces a clerk typed to indent or to align dropped.

    One space beside a Latin letter or digit is kept ("Windows 10", "发送至 kgsw@example.cn"); all
    others, full-width spaces and tabs included, go: Chinese text has none.
    """
    text = text.replace("\n", "")

    def space(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1 : m.start()], text[m.end() : m.end() + 1]
        latin = (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum())
        return " " if latin and before and after and m[0][0] in " \u00a0" else ""

    return re.sub(r"[ \t\u3000\u00a0]+", space, text).strip()


def _heading_level(para: Para, text: str) -> tuple[int | None, str]:
    """The heading level and the text without its number: Word's numbering first, then what was typed."""
    if para.label and para.level is not None:
        # The number's shape says the level ("（一）" is level 2 however Word's list nests it).
        shaped = next((level for level, pattern in TYPED_HEADING if pattern.match(para.label)), None)
        return shaped or min(para.level, 4), clean(text[len(para.label) :])
    for level, pattern in TYPED_HEADING:
        m = pattern.match(text)
        if m:
            return level, text[m.end() :].strip()
    if para.level is not None and para.style and para.style.lower().startswith(("heading", "标题")):
        return min(para.level, 4), text
    if para.style in LEVEL_STYLES:
        return LEVEL_STYLES[para.style], text
    return None, text


def _is_heading(para: Para, text: str, level: int | None) -> bool:
    """A numbered line is a heading when it is short, or ends without a full stop (a 4-level 正文标题)."""
    if level is None:
        return False
    if para.label or para.style in LEVEL_STYLES or (para.style and para.style.lower().startswith(("heading", "标题"))):
        return True
    body = TYPED_HEADING[level - 1][1].sub("", text)
    if re.match(r"^[0-9０-９]", body):  # "1.5亿元…": a number, not a heading
        return False
    return (len(body) <= 30 and not body.endswith(("。", "；", "，"))) or (level <= 2 and "。" not in body[:-1])


def _banner_like(text: str, after: list[str]) -> bool:
    """A 发文机关标志 as clerks type it: "…文件", or "…纪要" over a 期号."""
    if len(text) > 30:
        return False
    return text.endswith("文件") or (text.endswith("纪要") and any(_ISSUE.match(a) for a in after))


def _number_follows(indices: list[int], texts: list[str]) -> bool:
    return any(_NUMBER_LINE.match(_SPACES.sub(" ", texts[i].strip())) for i in indices)


def _listed_items(readings: list[Reading], paras: list[Para], texts: list[str]) -> None:
    """Typed-number lines that list what a sentence ending in "：" asks for are body, not headings.

    "现商请提供以下资料：（一）……；（二）……；（三）……。": a run of items at one level right after
    the colon, any of them ending "；" or "。", is an enumeration in the text.
    """
    i = 0
    while i < len(readings):
        r = readings[i]
        if r.role == "body" and clean(texts[r.index]).endswith(("：", ":")):
            run = []
            j = i + 1
            while j < len(readings) and readings[j].role in ("heading", "skip"):
                if readings[j].role == "heading" and not paras[readings[j].index].label:
                    run.append(j)
                j += 1
            same_level = len({readings[k].level for k in run}) == 1
            if run and same_level and any(clean(texts[readings[k].index]).endswith(("；", ";", "。")) for k in run):
                for k in run:
                    readings[k] = Reading(readings[k].index, "body", clean(texts[readings[k].index]), 0.85)
            i = j
        else:
            i += 1


ISSUED_ENDINGS = ("计划", "方案", "要点")  # a document a notice issues: docgen lays each out as its 工作计划


def _kind_of(title: str) -> str:
    if title.endswith(ISSUED_ENDINGS):
        return "plan"
    for ending, kind in TITLE_ENDINGS:
        if title.endswith(ending):
            return kind
    return "notice"


def _date(text: str) -> dt.date | None:
    m = WRITTEN_DATE.search(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    m = _CHINESE_DATE.match(text.replace(" ", ""))
    if m:
        digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
        year = int("".join(str(digits[c]) for c in m[1]))

        def small(t: str) -> int:
            if t == "十":
                return 10
            if t.startswith("十"):
                return 10 + digits[t[1]]
            if t.endswith("十"):
                return digits[t[0]] * 10
            return digits[t[0]] * 10 + digits[t[2]] if len(t) == 3 else digits[t]

        try:
            return dt.date(year, small(m[2]), small(m[3]))
        except (ValueError, KeyError):
            return None
    return None


def label_roles(draft: WordDraft) -> list[Reading]:  # noqa: PLR0912, PLR0915 - one pass down the page, a branch per role
    """Each paragraph's role, read top down; empty paragraphs are ``skip``."""
    paras = draft.paragraphs
    texts = [p.text.strip() for p in paras]
    readings = [Reading(i, "skip", "", 1.0) for i in range(len(paras))]
    # A table of data (a 公告's enterprises, a 任务分工表) is read as the table it is, not as text.
    tabled = data_tables(draft)
    for i, p in enumerate(paras):
        if p.table in tabled and texts[i]:
            readings[i] = Reading(i, "table", clean(texts[i]), 0.95, row=p.row)
    filled = [i for i, t in enumerate(texts) if t and paras[i].table not in tabled]
    if not filled:
        return readings
    # A 附注 a clerk put in a text box sits where its box is anchored (often the date's paragraph):
    # read as the note it is, and out of the way of the 署名 and date around it.
    boxed = [i for i in filled[-8:] if paras[i].where == "textbox" and _NOTE.match(clean(texts[i]))]
    for i in boxed:
        readings[i] = Reading(i, "note", clean(texts[i]), 0.9)
    filled = [i for i in filled if i not in boxed]
    by_style = {
        i: STYLE_ROLES.get(paras[i].style.strip().lower()) or STYLE_ROLES.get(paras[i].style.strip()) for i in filled
    }

    # The end of the document, read bottom up: 版记 (印发, 抄送, 公开方式), 附注, date, 署名.
    end = len(filled)
    tail: dict[int, str] = {}
    k = end - 1
    while k >= 0:
        i = filled[k]
        t = clean(texts[i])
        if _PRINTED.match(_SPACES.sub(" ", texts[i].strip())) or (
            "印发" in t and WRITTEN_DATE.search(t) and t.endswith("印发")
        ):
            tail[i] = "printed"
        elif _DISTRIBUTED.match(t):
            tail[i] = "copy_to"
        elif _DISCLOSURE.match(t):
            tail[i] = "disclosure"
        else:
            break
        k -= 1
    if k >= 0 and (_NOTE.match(clean(texts[filled[k]])) or by_style.get(filled[k]) == "note") and k > 0:
        nxt = filled[k - 1]
        if _date(clean(texts[nxt])) and _DATE_LINE.match(clean(texts[nxt]).replace(" ", "")):
            tail[filled[k]] = "note"
            k -= 1
    date_at = None
    if k >= 0 and (_DATE_LINE.match(clean(texts[filled[k]]).replace(" ", "")) or by_style.get(filled[k]) == "date"):
        date_at = filled[k]
        tail[date_at] = "date"
        k -= 1
        # 署名: the short organ names just above the date (joint documents have several).
        while k >= 0 and len(clean(texts[filled[k]])) <= MAX_SIGNATURE_CHARS:
            t = clean(texts[filled[k]])
            if by_style.get(filled[k]) == "signature" or (_ORGAN_END.search(t) and not t.endswith(("。", "：", ":"))):
                tail[filled[k]] = "signature"
                k -= 1
            else:
                break
    while k >= 0 and (_ATTENDANCE.match(clean(texts[filled[k]])) or by_style.get(filled[k]) == "present"):
        tail[filled[k]] = "present"  # a 纪要's 出席, 请假, 列席 close its text
        k -= 1
    body_end = k  # filled[0..body_end] hold the head and the body

    # The head, top down: 份号, 密级, 紧急程度, the 发文机关标志, the 发文字号 (with 签发人).
    pos = 0
    while pos <= body_end:
        i = filled[pos]
        t = clean(texts[i])
        style = by_style.get(i) or ("number" if paras[i].style.startswith("发文字号") else None)
        if style == "mark" or (pos < 4 and _MARK.match(t)):
            readings[i] = Reading(i, "mark", t, 0.95)
        elif style == "banner" or (pos < 4 and _banner_like(t, [clean(texts[n]) for n in filled[pos + 1 : pos + 2]])):
            readings[i] = Reading(i, "banner", t, 0.95)
        elif pos < 3 and _ORGAN_END.search(t) and len(t) <= 30 and _number_follows(filled[pos + 1 : pos + 3], texts):
            readings[i] = Reading(i, "banner", t, 0.9)  # a 函's 发文机关标志 is the organ's name alone
        elif pos < 3 and _ISSUE.match(t):
            readings[i] = Reading(i, "number", t, 0.95)
        elif pos < 4 and any(r.role == "number" and _ISSUE.match(r.text) for r in readings) and _date(t):
            readings[i] = Reading(i, "date", _SPACES.sub(" ", texts[i].strip()), 0.9)  # 纪要: its organ and date
        elif style == "number" or (pos < 5 and _NUMBER_LINE.match(_SPACES.sub(" ", texts[i].strip()))):
            readings[i] = Reading(i, "number", _SPACES.sub(" ", texts[i].strip()), 0.97)
        else:
            break
        pos += 1
    # The title: the paragraphs styled as one, or centred / large ones, until one ends with a kind word.
    title_parts: list[int] = []
    while pos <= body_end:
        i = filled[pos]
        p, t = paras[i], clean(texts[i])
        styled = by_style.get(i) == "title"
        looks = p.centered or (p.size or 0) >= TITLE_SIZE_PT
        if t.endswith(("：", ":")) and title_parts:
            break
        if styled or looks or not title_parts:
            title_parts.append(i)
            pos += 1
            if any(t.endswith(e) for e, _ in TITLE_ENDINGS) and not (
                styled and pos <= body_end and by_style.get(filled[pos]) == "title"
            ):
                break
            if len(title_parts) >= 3:
                break
        else:
            break
    title = "".join(clean(texts[i]) for i in title_parts)
    title_sure = 0.97 if any(by_style.get(i) == "title" for i in title_parts) else 0.9
    if title_parts and not any(title.endswith(e) for e, _ in TITLE_ENDINGS):
        title_sure = 0.6
    for i in title_parts:
        readings[i] = Reading(i, "title", clean(texts[i]), title_sure)
    # 主送: the next paragraph when it ends with a colon and is short.
    if pos <= body_end:
        i = filled[pos]
        t = clean(texts[i])
        if by_style.get(i) == "recipients" or (
            t.endswith(("：", ":")) and len(t) <= MAX_RECIPIENTS_CHARS and not _ATTACHMENT.match(t)
        ):
            readings[i] = Reading(i, "recipients", t.rstrip("：:"), 0.95)
            pos += 1

    # The body: paragraphs, headings, and the 附件说明 that closes it.
    in_attachments = False
    for n in range(pos, body_end + 1):
        i = filled[n]
        p, t = paras[i], clean(texts[i])
        if _ATTACHMENT.match(t) or by_style.get(i) == "attachments":
            in_attachments = True
            readings[i] = Reading(i, "attachments", _ATTACHMENT.sub("", t), 0.95)
            continue
        if in_attachments and (_ATTACHMENT_ITEM.match(t) or p.label):
            readings[i] = Reading(i, "attachments", t, 0.9)
            continue
        in_attachments = False
        level, rest = _heading_level(p, p.text.strip() if p.label else t)
        if _is_heading(p, t, level):
            typed_only = not (p.label or p.level or p.style in LEVEL_STYLES)
            readings[i] = Reading(i, "heading", clean(rest), 0.85 if typed_only else 0.95, level)
        else:
            readings[i] = Reading(i, "body", t, 0.95)
    for i, role in tail.items():
        text = clean(texts[i])
        readings[i] = Reading(i, role, text, 0.95)
    _listed_items(readings, paras, texts)
    return readings


def data_tables(draft: WordDraft) -> set[int]:
    """The tables holding data: a header naming every column, and rows under it.

    A 版记's lines are one column; the 信函格式's head is laid out in a table whose first row is
    one cell and whose second has an empty one: neither is data.
    """
    return {
        n
        for n, rows in enumerate(draft.tables)
        if len(rows) >= 2 and all(len(r) >= 2 for r in rows) and all(clean(c) for c in rows[0])
    }


def corrected(draft: WordDraft, readings: list[Reading], roles: Mapping[int, str]) -> list[Reading]:
    """The readings with the roles a clerk chose (paragraph index → role) put in, sure as can be."""
    out = list(readings)
    for i, role in roles.items():
        if not 0 <= i < len(out) or role not in ROLES or not draft.paragraphs[i].text.strip():
            continue
        para = draft.paragraphs[i]
        level, text = _heading_level(para, para.text.strip()) if role == "heading" else (None, para.text)
        out[i] = Reading(i, role, clean(text), 1.0, (level or 1) if role == "heading" else None)
    return out


def _attachment_items(texts: list[str]) -> list[str]:
    """附件说明 lines as the case holds them: "1. 名称" items without their numbers."""
    items = []
    for t in texts:
        if not t:
            continue
        items.append(re.sub(r"^[0-9０-９]+\s*[．.、]\s*", "", t) if len(texts) > 1 else t)
    return items


def _printed(text: str) -> dict[str, Any]:
    m = _PRINTED.match(text.replace("\t", " ")) or _PRINTED.match(_SPACES.sub(" ", text))
    if not m:
        return {}
    day = _date(m["date"])
    by = clean(m["by"])
    return {"by": by, "date": day} if day else {}


def read_draft(draft: WordDraft, kind: str | None = None, roles: Mapping[int, str] | None = None) -> DraftReading:
    """The roles of a draft and the case they make (issuer, year and the document of ``kind``).

    A 印发合成件 (the notice, the plan it issues, the plan's 附件 table) is read part by part into
    one case of kind ``set``; asked for ``notice`` or ``plan``, only that part is read.
    ``roles`` are a clerk's corrections: paragraph index → role, taken as given.
    """
    parts = split_set(draft)
    if parts is None or kind not in (None, "set"):
        if parts is None or kind not in ("notice", "plan"):
            return _read_one(draft, None if kind == "set" else kind, roles or {})
        one = _read_one(_only(draft, parts.notice if kind == "notice" else parts.issued), kind, roles or {})
        left = "所印发的文件和附件" if kind == "notice" else "印发它的通知和附件"
        one.doubts[f"{kind}.title"] = (
            f"草稿是印发合成件，只读了其中的{KIND_NAMES[kind]}，{left}未读入（全部读入用 -k set）"
        )
        return one
    notice = _read_one(_only(draft, parts.notice), "notice", roles or {})
    issued = _read_one(_only(draft, parts.issued), "plan", roles or {})
    label = _read_attachment(draft, parts.attachment)
    readings = [
        next((r for r in (n, i, a) if r.role != "skip"), n)
        for n, i, a in zip(notice.readings, issued.readings, label.readings, strict=True)
    ]
    doubts = notice.doubts | {k: v for k, v in issued.doubts.items() if not k.startswith("issuer.")} | label.doubts
    data = notice.data | {"plan": issued.data["plan"]} | label.data
    return DraftReading("set" if "tasks" in data else "notice", readings, data, doubts)


@dataclass(frozen=True)
class SetParts:
    """Which paragraphs of a 印发合成件 are the notice (its 版记 included), the plan, the 附件."""

    notice: frozenset[int]
    issued: frozenset[int]
    attachment: frozenset[int]


_LABEL = re.compile(r"^附\s*件\s*[0-9０-９]*$")  # an attachment's 附件标识, on its own line
MIN_NOTICE_PARAGRAPHS = 4  # 标题, 主送, 正文, 署名 at least, before the date that closes a notice


def split_set(draft: WordDraft) -> SetParts | None:
    """The parts of a 印发合成件: a notice closed by its date (and 附注), then a titled document.

    A document dated at its head (a 纪要) or closed by its date is one document: ``None``.
    """
    paras = draft.paragraphs
    texts = [clean(p.text) for p in paras]
    tabled = data_tables(draft)
    body = [i for i, t in enumerate(texts) if t and paras[i].where == "body"]
    label = next(
        (i for i in body if _LABEL.match(texts[i]) and any(p.table in tabled for p in paras[i + 1 :])), len(paras)
    )
    issued_from = None
    for n, d in enumerate(body):
        if n < MIN_NOTICE_PARAGRAPHS or d >= label or not _DATE_LINE.match(texts[d].replace(" ", "")):
            continue
        after = [i for i in body[n + 1 :] if i < label]
        if after and (_NOTE.match(texts[after[0]]) or paras[after[0]].style == "附注"):
            after = after[1:]
        title = paras[after[0]] if after else None
        if title and len(after) >= 2 and (title.centered or (title.size or 0) >= TITLE_SIZE_PT):
            issued_from = after[0]
            break
    if issued_from is None:
        return None
    table_end = label  # the 附件 run to the end of the last table that follows a 附件标识 ("附件1", "附件2")
    for i in (i for i in body if i >= label and _LABEL.match(texts[i])):
        table = next((p.table for p in paras[i + 1 :] if p.table in tabled), None)
        if table is not None:
            table_end = max(table_end, max(n for n, p in enumerate(paras) if p.table == table) + 1)
    every = range(len(paras))
    return SetParts(
        notice=frozenset(i for i in every if i < issued_from or i >= table_end),
        issued=frozenset(range(issued_from, label)),
        attachment=frozenset(range(label, table_end)),
    )


def _only(draft: WordDraft, keep: frozenset[int]) -> WordDraft:
    """The draft with the paragraphs outside ``keep`` emptied: read, they are blank lines."""
    return WordDraft([p if i in keep else Para("") for i, p in enumerate(draft.paragraphs)], draft.tables)


TASK_COLUMNS = {  # the 任务分工表's columns as clerks head them
    "task": ("工作任务", "主要任务", "任务", "工作内容", "工作要点", "重点任务"),
    "units": ("责任单位", "牵头单位", "责任部门", "承办单位"),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限"),
}
LISTED_COLUMNS = {  # a 公告's list of enterprises
    "name": ("企业名称", "单位名称", "名称"),
    "industry": ("行业", "所属行业"),
    "equipment": ("退出设备", "淘汰设备", "设备"),
    "capacity": ("退出产能", "淘汰产能", "产能"),
    "exit_method": ("退出方式", "处置方式", "方式"),
}


def table_records(
    rows: list[list[str]], columns: Mapping[str, tuple[str, ...]]
) -> tuple[list[dict[str, str]], list[str]]:
    """A table's rows as records by its header, and the headers no field takes (序号 aside)."""
    header = [clean(c) for c in rows[0]]
    at = {f: next((n for n, h in enumerate(header) if h in names), None) for f, names in columns.items()}
    taken = {n for n in at.values() if n is not None}
    unread = [h for n, h in enumerate(header) if n not in taken and h not in ("序号", "编号", "")]
    records = [
        {f: clean(row[n]) if n is not None and n < len(row) else "" for f, n in at.items()}
        for row in rows[1:]
        if any(clean(c) for c in row)
    ]
    return records, unread


def _read_attachment(draft: WordDraft, indices: frozenset[int]) -> DraftReading:
    """The 附件 of a 印发合成件: its 附件标识, its title, and the 任务分工表 it holds."""
    paras = draft.paragraphs
    readings = [Reading(i, "skip", "", 1.0) for i in range(len(paras))]
    if not indices:
        return DraftReading("tasks", readings, {})
    tabled = data_tables(draft)
    attachments: list[tuple[list[str], int | None]] = []  # each 附件's title lines and its table
    for i in sorted(indices):
        t = clean(paras[i].text)
        if not t:
            continue
        if paras[i].table in tabled:
            readings[i] = Reading(i, "table", t, 0.95, row=paras[i].row)
            if attachments and attachments[-1][1] is None:
                attachments[-1] = (attachments[-1][0], paras[i].table)
        elif _LABEL.match(t) and (not attachments or attachments[-1][1] is not None):
            readings[i] = Reading(i, "label", t, 0.95)
            attachments.append(([], None))
        else:
            readings[i] = Reading(i, "title", t, 0.95)
            if attachments and attachments[-1][1] is None:
                attachments[-1][0].append(t)
    doubts = {}
    # The 印发合成件 holds one 附件, the 任务分工表: the table naming most of its columns (the first on a tie).
    tabled_ones = [(lines, table) for lines, table in attachments if table is not None]
    title, table = max(tabled_ones, key=lambda a: _task_columns(draft.tables[a[1]]))
    others = ["".join(lines) or "（无标题）" for lines, other in tabled_ones if other != table]
    if others:
        left = "》《".join(others)
        doubts["tasks.title"] = f"印发合成件只带一个附件（任务分工表），另外的附件《{left}》未读入，请另行处理"
    records, unread = table_records(draft.tables[table], TASK_COLUMNS)
    if unread:
        doubts["tasks.rows"] = f"附件表格的列“{'、'.join(unread)}”没有对应的字段，未读入，请核对"
    rows = [
        {"task": r["task"], "units": [u for u in re.split(r"[、，,；;]", r["units"]) if u], "deadline": r["deadline"]}
        for r in records
    ]
    return DraftReading("tasks", readings, {"tasks": {"title": "".join(title), "rows": rows}}, doubts)


def _task_columns(rows: list[list[str]]) -> int:
    """How many of a 任务分工表's columns a table's header names."""
    header = {clean(c) for c in rows[0]}
    return sum(bool(header & set(names)) for names in TASK_COLUMNS.values())


def _read_one(draft: WordDraft, kind: str | None, roles: Mapping[int, str]) -> DraftReading:
    """One document's roles and case."""
    readings = corrected(draft, label_roles(draft), roles)
    paras = draft.paragraphs
    of: dict[str, list[Reading]] = {}
    for r in readings:
        of.setdefault(r.role, []).append(r)
    doubts: dict[str, str] = {}
    title = "".join(r.text for r in of.get("title", []))
    kind = kind or _kind_of(title)
    number_line = _NUMBER_LINE.match(next((r.text for r in of.get("number", [])), ""))
    parsed = parse_number(number_line.group(0).split("签发人")[0].replace(" ", "")) if number_line else None
    doc: dict[str, Any] = {"number": str(parsed.number) if parsed else "auto", "title": title}
    doc |= _marks([r.text for r in of.get("mark", [])])
    if number_line and number_line["signers"]:
        doc["signers"] = [name for name in re.split(r"[\s、，,]+", number_line["signers"]) if name]
    parts = [clean(paras[r.index].text) for r in of.get("title", [])]
    if len(parts) > 1:
        doubts[f"{kind}.title"] = f"标题由 {len(parts)} 段合成：{' / '.join(parts)}，请核对"
    if any(r.sure < UNSURE for r in of.get("title", [])):
        doubts[f"{kind}.title"] = f"标题“{title}”不以文种结尾，可能没有读全，请核对"
    recipients = next((r.text for r in of.get("recipients", [])), "")
    if recipients:
        doc["recipients"] = recipients
    doc |= _body(readings, paras, kind, doubts)
    doc |= _closing(of, paras, kind, doubts)
    issuer = _issuer(of, doubts)
    if number_line:  # the 机关代字 a blank number will be taken under: a 函's own series, or the issuer's
        if kind == "letter":
            doc["prefix"] = number_line["prefix"]
        else:
            issuer["prefix"] = number_line["prefix"]
    in_title = re.search(r"(\d{4})\s*年", title)
    year = int(number_line["year"]) if number_line else int(in_title[1]) if in_title else doc["date"].year
    if of.get("table") and kind != "announcement":
        rows = len({(draft.paragraphs[r.index].table, draft.paragraphs[r.index].row) for r in of["table"]})
        doubts[f"{kind}.body"] = (
            f"草稿中有表格（{rows} 行），{KIND_NAMES[kind]}的正文不带表格，未读入；请作为附件另行处理"
        )
    if kind in SHAPED:
        doc = SHAPED[kind](doc, of, draft, doubts)
    return DraftReading(kind, readings, {"issuer": issuer, "year": year, kind: doc}, doubts)


def _as_plan(
    doc: dict[str, Any], of: dict[str, list[Reading]], draft: WordDraft, doubts: dict[str, str]
) -> dict[str, Any]:
    """A 工作计划 holds its title, its opening paragraphs and its heading tree, nothing else.

    Its 附件说明 is not read: docgen prints it from the case's 任务分工表 (``tasks``).
    """
    return {"title": doc["title"], "preamble": doc["body"], "sections": doc.get("sections", [])}


def _as_minutes(
    doc: dict[str, Any], of: dict[str, list[Reading]], draft: WordDraft, doubts: dict[str, str]
) -> dict[str, Any]:
    """A 纪要: its 纪要标志 and 期号, who attended, was away or sat in, and where it went (分送)."""
    out: dict[str, Any] = {
        "banner": next((r.text for r in of.get("banner", [])), ""),
        "number": next((r.text for r in of.get("number", []) if _ISSUE.match(r.text)), None),
        "title": doc["title"],
        "body": doc["body"],
    }
    if doc.get("sections"):
        out["sections"] = doc["sections"]
    for r in of.get("present", []):
        m = _ATTENDANCE.match(r.text)
        if m:
            key = {"出席": "present", "请假": "absent", "列席": "attending"}[m[1].replace(" ", "")]
            out[key] = [p for p in re.split(r"[，,、；;]", m[2].rstrip("。")) if p]
    out["date"] = doc["date"]
    if doc.get("copy_to"):
        out["copy_to"] = doc["copy_to"]
    if doc.get("printed") and doc["printed"].get("by"):
        out["printed"] = doc["printed"]
    return {k: v for k, v in out.items() if v not in (None, "")}


_PUBLICITY = re.compile(
    r"^公示期[:：](?P<start>\d{4}年\d{1,2}月\d{1,2}日)至(?P<end>\d{4}年\d{1,2}月\d{1,2}日)。(?P<rest>.*)$"
)
PUBLICITY_WORDING = "公示期间如有异议，请以书面形式向受理单位反映，反映情况应客观真实，并提供联系方式。"
_COMPLAINT = re.compile(
    r"^受理单位[:：](?P<unit>[^；;]+)[；;]监督电话[:：](?P<phone>[^；;。]+)"
    r"(?:[；;]联系地址[:：](?P<address>[^；;。]+))?(?:[；;]邮政编码[:：](?P<postcode>[^；;。]+))?"
    r"(?:[；;]电子邮箱[:：](?P<email>[^；;]+?))?。?$"
)
_ANNOUNCEMENT_NUMBER = re.compile(r"^[（(]?第\s*\S{1,8}\s*号[）)]?$")
DEFAULT_CLOSING = "特此公告。"


def _as_announcement(
    doc: dict[str, Any], of: dict[str, list[Reading]], draft: WordDraft, doubts: dict[str, str]
) -> dict[str, Any]:
    """A 公告: its basis above the table, the enterprises the table lists, 公示期 and 监督渠道 below."""
    table = of.get("table", [])
    split = table[0].index if table else None
    texts = sorted(of.get("body", []) + of.get("heading", []), key=lambda r: r.index)
    before = [r.text for r in texts if split is None or r.index < split]
    after = [r.text for r in texts if split is not None and r.index > split]
    out: dict[str, Any] = {"title": doc["title"]}
    if before and _ANNOUNCEMENT_NUMBER.match(before[0]):
        out["number"] = before.pop(0)
    out["basis"] = before
    out["enterprises"] = _listed(draft, table[0].index, doubts) if table else []
    if not table:
        doubts["announcement.enterprises"] = "没有读到列出企业的表格，请填写公告企业"
    out |= _below_the_table(after, doubts)
    if doc.get("signature"):
        out["signature"] = doc["signature"]
    out["date"] = doc["date"]
    return out


def _listed(draft: WordDraft, first: int, doubts: dict[str, str]) -> list[dict[str, str]]:
    """The enterprises a 公告's table lists, each row written out by its header."""
    records, unread = table_records(draft.tables[draft.paragraphs[first].table or 0], LISTED_COLUMNS)
    if unread:
        doubts["announcement.enterprises"] = f"表格的列“{'、'.join(unread)}”没有对应的字段，未读入，请核对"
    return [{k: v for k, v in r.items() if v} for r in records]


def _below_the_table(after: list[str], doubts: dict[str, str]) -> dict[str, Any]:
    """公示期, 监督渠道 and the closing words of a 公告, from the paragraphs below its table.

    What docgen writes itself (its 公示期 sentence, the 受理单位 line) is read into its fields; a
    clerk's own wording stays as written, a paragraph of ``remarks``.
    """
    out: dict[str, Any] = {}
    remarks: list[str] = []
    for n, text in enumerate(after):
        publicity, complaint = _PUBLICITY.match(text), _COMPLAINT.match(text)
        if publicity and publicity["rest"] == PUBLICITY_WORDING:
            out["publicity"] = {"start": _date(publicity["start"]), "end": _date(publicity["end"])}
        elif complaint:
            out["complaint"] = {k: v for k, v in complaint.groupdict().items() if v}
        elif n == len(after) - 1 and text.endswith("。") and len(text) <= MAX_CLOSING_CHARS:
            if text != DEFAULT_CLOSING:
                out["closing"] = text
        else:
            if "complaint" in out or "publicity" in out:  # docgen prints its own fields after the remarks
                doubts["announcement.remarks"] = "表后段落照原文读入，docgen 把它们印在公示期和受理单位之前，请核对顺序"
            remarks.append(text)
    if remarks:
        out["remarks"] = remarks
    return out


MAX_CLOSING_CHARS = 20  # "特此公告。", "特此公告，欢迎监督。": a 公告's last words, not a paragraph


Shape = Callable[[dict[str, Any], dict[str, list[Reading]], WordDraft, dict[str, str]], dict[str, Any]]
SHAPED: dict[str, Shape] = {
    "plan": _as_plan,
    "minutes": _as_minutes,
    "announcement": _as_announcement,
}  # kinds whose fields are not a 通知's


def _marks(texts: list[str]) -> dict[str, Any]:
    """份号, 密级和保密期限, 紧急程度 as the case holds them."""
    out: dict[str, Any] = {}
    for text in texts:
        m = _MARK.match(text)
        if m and m["copy"]:
            out["copy_number"] = m["copy"]
        elif m and m["secrecy"]:
            out["secrecy"] = {"level": m["secrecy"], **({"period": m["period"]} if m["period"] else {})}
        elif m and m["urgency"]:
            out["urgency"] = m["urgency"]
    return out


UNSURE = 0.8  # a reading less sure than this is listed for the clerk to check


def _body(readings: list[Reading], paras: list[Para], kind: str, doubts: dict[str, str]) -> dict[str, Any]:
    """The body's paragraphs, and its heading tree for the kinds that have one (docgen numbers headings)."""
    body: list[str] = []
    sections: list[dict[str, Any]] = []
    stack: list[tuple[int, dict[str, Any]]] = []
    for r in readings:
        if r.role == "heading" and r.level is not None:
            node: dict[str, Any] = _heading_node(r.text)
            while stack and stack[-1][0] >= r.level:
                stack.pop()
            (stack[-1][1].setdefault("sections", []) if stack else sections).append(node)
            stack.append((r.level, node))
            if r.sure < 0.9:
                where = f"{kind}.body" if kind == "notice" else f"{kind}.sections"  # a 通知 keeps them in its text
                doubts.setdefault(where, f"“{r.text}”按手打的序号读作第 {r.level} 级标题，请核对")
        elif r.role == "body":
            (stack[-1][1].setdefault("body", []) if stack else body).append(r.text)
    if kind in ("notice", "announcement") and sections:  # no heading tree: headings stay in the text, numbered
        body = [
            r.text if r.role == "body" else clean(paras[r.index].text)
            for r in readings
            if r.role in ("body", "heading")
        ]
        sections = []
    return {"body": body, **({"sections": sections} if sections else {})}


def _heading_node(text: str) -> dict[str, Any]:
    """A heading, and the text a clerk ran on after it in the same paragraph ("加强统筹协调。充分发挥……")."""
    heading, stop, rest = text.partition("。")
    if stop and rest.strip() and len(heading) <= MAX_RUN_ON_HEADING:
        return {"heading": heading + stop, "text": rest.strip()}  # printed as typed: the stop stays
    return {"heading": text}


MAX_RUN_ON_HEADING = 20  # "（一）加强统筹协调。" — longer, it is a sentence, not a heading


def _closing(of: dict[str, list[Reading]], paras: list[Para], kind: str, doubts: dict[str, str]) -> dict[str, Any]:
    """附件说明, 署名, 成文日期, 附注, 公开方式, 抄送 and the 版记's 印发."""
    doc: dict[str, Any] = {}
    attachments = _attachment_items([r.text for r in of.get("attachments", [])])
    if attachments:
        doc["attachments"] = attachments
    signatures = [r.text for r in of.get("signature", [])]
    if signatures:
        doc["signature"] = signatures[0]
    signed = next((day for r in of.get("date", []) if (day := _date(r.text))), None)
    doc["date"] = signed or dt.date.today()
    if signed is None and kind != "plan":  # a 工作计划 is dated by the notice that issues it
        doubts[f"{kind}.date"] = "没有读到成文日期，暂填今天，请核对"
    note = next((r.text for r in of.get("note", [])), None)
    if note:  # the case holds the 附注 without its parentheses: docgen prints them
        doc["note"] = re.sub(r"^[（(](.*)[）)]$", r"\1", note)
    disclosure = next((_DISCLOSURE.match(r.text) for r in of.get("disclosure", [])), None)
    if disclosure and kind == "notice":
        doc["disclosure"] = disclosure[1]
    elif disclosure:  # docgen prints 公开方式 on a 通知's 版记 only
        doubts[f"{kind}.title"] = f"草稿写有“公开方式：{disclosure[1]}”，docgen 只在通知上印公开方式，未读入"
    copy_to = next((r.text for r in of.get("copy_to", [])), "")
    if copy_to:
        doc["copy_to"] = [c for c in re.split(r"[，,、]", _DISTRIBUTED.sub("", copy_to).rstrip("。")) if c]
    printed = next((_printed(paras[r.index].text) for r in of.get("printed", [])), {})
    if kind == "minutes":
        doc["printed"] = printed
    if kind == "notice":
        doc["printed"] = printed or {"date": doc["date"]}
        if not printed:
            doubts[f"{kind}.printed"] = "没有读到版记的印发机关和印发日期，印发日期暂同成文日期，请核对"
    return doc


def _issuer(of: dict[str, list[Reading]], doubts: dict[str, str]) -> dict[str, Any]:
    """The issuing organ: the 署名, else the organ beside a 纪要's date, else the 发文机关标志 without 文件."""
    banner = next((r.text for r in of.get("banner", [])), "")
    signature = next((r.text for r in of.get("signature", [])), "")
    dated = next((_SPACES.split(r.text)[0] for r in of.get("date", []) if _SPACES.search(r.text)), "")
    organ = signature or (dated if _ORGAN_END.search(dated) else "") or banner.removesuffix("文件")
    issuer: dict[str, Any] = {"name": organ} if organ else {}
    if banner and banner not in (f"{organ}文件", organ):
        issuer["banner"] = banner
    if not organ:
        doubts["issuer.name"] = "没有读到发文机关（署名或版头），请填写"
    return issuer


__all__ = ["ROLES", "DraftReading", "Reading", "clean", "corrected", "label_roles", "read_draft"]
