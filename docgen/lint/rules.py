"""Text rules from GB/T 9704-2012 and common practice (see the README for the list of codes).

Every rule is a pure function of a ``LintDocument`` yielding ``Finding``s. Roles of lines are
known for docgen's own documents and guessed for others (``roles.assign_roles``).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import get_args

from docgen.lint.model import Finding, Line, LintDocument, Severity
from docgen.vocab import (
    LOOKALIKE_CLOSE,
    LOOKALIKE_OPEN,
    TITLE_KIND_WORDS,
    TITLE_WORD_OF_KIND,
    WRITTEN_DATE,
    SecrecyLevel,
    chinese_numeral,
    number_pattern,
    parse_number,
)

CN_DIGITS = "零一二三四五六七八九十百"
DOC_KINDS = "|".join(TITLE_KIND_WORDS)

_LOOKALIKE_NUMBER = re.compile(number_pattern(LOOKALIKE_OPEN, LOOKALIKE_CLOSE))
_ANY_NUMBER = re.compile(number_pattern("〔", "〕"))
_DATE = WRITTEN_DATE
_ZERO_PAD = re.compile(r"\d{4}\s*年\s*0\d\s*月|月\s*0\d\s*日")
_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月")
_ISO_DATE = re.compile(r"^\s*\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}\s*$")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_BOOK = re.compile(r"《([^《》]{4,80})》")
_HALF_PUNCT = re.compile(r"[\u4e00-\u9fa5][,;:?!](?!\d)")
_HALF_PARENS = re.compile(r"\([^()]*[\u4e00-\u9fa5][^()]*\)")
_DOUBLED = re.compile(r"([。，、；：！？])\1")

Rule = Callable[[LintDocument], Iterator[Finding]]


def _finding(  # noqa: PLR0917 - every rule calls it; positional reads best there
    doc: LintDocument, line: Line, code: str, severity: Severity, message: str, fix: str | None = None
) -> Finding:
    return Finding(code, severity, str(doc.path), line.place, line.text.strip(), message, fix)


def _first(doc: LintDocument, role: str) -> Line | None:
    return next((line for line in doc.lines if line.role == role), None)


def _date_of(line: Line | None) -> tuple[int, int, int] | None:
    if line is None:
        return None
    m = _DATE.search(line.text)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def number_form(doc: LintDocument) -> Iterator[Finding]:
    """GW101/GW102: 发文字号 form (〔〕, no 第, no leading zero) and its year against the date."""
    for line in doc.lines:
        typed_number = line.text.partition("签发人")[0].strip() if line.role == "signer" else ""
        if _LOOKALIKE_NUMBER.fullmatch(re.sub(r"\s+", "", typed_number)):  # a draft's "〔2021〕　　号" is no number yet
            line = Line(typed_number, line.place, "number")  # noqa: PLW2901 - the number part of a 签发人 line
        if line.role == "number":
            # A PDF's text layer has no spaces of its own: readers insert them between Han and digits.
            typed = line.text.strip() if doc.paragraphs else re.sub(r"\s+", "", line.text)
            parsed = parse_number(typed)
            if parsed is None:
                yield _finding(doc, line, "GW101", "error", "发文字号格式不对，应为 机关代字〔年份〕序号号")
            elif parsed.problems:
                yield _finding(doc, line, "GW101", "error", "；".join(parsed.problems), str(parsed.number))
            continue
        # A PDF's text layer has no spaces of its own (see above): judge the number without them.
        unspaced = (lambda written: written) if doc.paragraphs else (lambda written: re.sub(r"\s+", "", written))
        for m in _LOOKALIKE_NUMBER.finditer(line.text):
            parsed = parse_number(unspaced(m[0]))
            fix = str(parsed.number) if parsed else None
            yield _finding(doc, line, "GW101", "error", f"文号“{m[0]}”的年份应使用六角括号〔〕", fix)
        for m in _ANY_NUMBER.finditer(line.text):
            parsed = parse_number(unspaced(m[0]))
            if parsed and parsed.problems:
                yield _finding(
                    doc, line, "GW101", "error", f"文号“{m[0]}”：{'；'.join(parsed.problems)}", str(parsed.number)
                )
    number, date = _first(doc, "number"), _date_of(_first(doc, "date"))
    parsed = parse_number(number.text.strip()) if number else None
    if number and parsed and date and parsed.number.year != date[0]:
        yield _finding(
            doc, number, "GW102", "warning", f"发文字号年份 {parsed.number.year} 与成文日期年份 {date[0]} 不一致"
        )


def dates(doc: LintDocument) -> Iterator[Finding]:
    """GW201/GW202: dates in Arabic numerals without zero padding; 印发日期 not before 成文日期."""
    for line in doc.lines:
        if _ZERO_PAD.search(line.text):
            fixed = re.sub(r"(\d{4}\s*年\s*)0(\d)", r"\1\2", line.text.strip())
            fixed = re.sub(r"(月\s*)0(\d)", r"\1\2", fixed)
            yield _finding(doc, line, "GW201", "error", "日期不编虚位（不写 05月、09日）", fixed)
        if _CN_YEAR.search(line.text):
            yield _finding(doc, line, "GW201", "error", "成文日期用阿拉伯数字（二〇二一年是1999年版的写法）")
        if line.role in ("date", "printed") and _ISO_DATE.match(line.text.replace("印发", "")):
            yield _finding(doc, line, "GW201", "error", "日期应写作 2021年5月24日")
    signed, printed = _date_of(_first(doc, "date")), _first(doc, "printed")
    printed_date = _date_of(printed)
    if printed and signed and printed_date and printed_date < signed:
        yield _finding(doc, printed, "GW202", "error", "印发日期早于成文日期")


def title_form(doc: LintDocument) -> Iterator[Finding]:
    """GW301/GW302: no trailing punctuation; 关于…的 + a 文种 that matches the document kind."""
    title = _first(doc, "title")
    if title is None:
        return
    text = title.text.strip()
    if text and text[-1] in "。，、；：！？.,;:!?":
        yield _finding(doc, title, "GW301", "error", "标题末尾不加标点", text.rstrip("。，、；：！？.,;:!?"))
    if not re.search(rf"关于.+的({DOC_KINDS})$", text):
        yield _finding(doc, title, "GW302", "warning", "标题一般为“关于……的”加文种")
    wanted = TITLE_WORD_OF_KIND.get(doc.kind or "")
    if wanted and not text.endswith(wanted):
        yield _finding(doc, title, "GW302", "warning", f"文种与文件种类不符：这是{wanted}，标题应以“{wanted}”结尾")


def _other_years(doc: LintDocument) -> dict[str, str | None]:
    """The year the 发文字号, the 成文日期 and (by majority) the body speak of."""
    number = _first(doc, "number")
    parsed = parse_number(number.text.strip()) if number else None
    date = _date_of(_first(doc, "date"))
    body = Counter(y for line in doc.lines if line.role in ("body", "heading") for y in _YEAR.findall(line.text))
    return {
        "发文字号": str(parsed.number.year) if parsed else None,
        "成文日期": str(date[0]) if date else None,
        "正文": body.most_common(1)[0][0] if body else None,
    }


def _title_year(doc: LintDocument) -> str | None:
    title = _first(doc, "title")
    years = set(_YEAR.findall(title.text)) if title else set()
    return years.pop() if len(years) == 1 else None


def _agreed_year(doc: LintDocument) -> str | None:
    """The year everything but the title agrees on, when the title says another."""
    year = _title_year(doc)
    others = {v for v in _other_years(doc).values() if v}
    if year and len(others) == 1 and year not in others:
        return others.pop()
    return None


def year_agreement(doc: LintDocument) -> Iterator[Finding]:
    """GW303: a year in the title agrees with the 发文字号, the 成文日期 and the body."""
    title, year = _first(doc, "title"), _title_year(doc)
    if title is None or year is None:
        return
    disagree = [f"{name}为 {value}" for name, value in _other_years(doc).items() if value and value != year]
    if disagree:
        yield _finding(doc, title, "GW303", "warning", f"标题中的年份 {year} 与{'、'.join(disagree)}不一致")


def issued_names(doc: LintDocument) -> Iterator[Finding]:
    """GW304: a document the body names in 《》 agrees with the title of the document issued."""
    title = _first(doc, "title")
    names = []
    if title:
        m = re.search(r"关于(?:印发|转发)(.+?)的通知", title.text.strip())
        if m:
            names.append(m[1].strip("《》"))
    names += [line.text.strip() for line in doc.lines if line.role == "plan_title"]
    if not names:
        return
    # When the title's year is the odd one out (GW303), the name it gives is corrected with it.
    year, agreed = _title_year(doc), _agreed_year(doc)
    for line in doc.lines:
        if line.role not in ("body", "heading"):
            continue
        for m in _BOOK.finditer(line.text):
            cited = m[1]
            for name in names:
                same_organ = len(cited) > 3 and cited[:3] == name[:3]
                close = difflib.SequenceMatcher(None, cited, name).ratio() >= 0.8
                if same_organ and close and cited != name:
                    fixed = name.replace(year, agreed) if year and agreed else name
                    if fixed == cited:
                        break  # the body is right; GW303 reports the title
                    yield _finding(
                        doc,
                        line,
                        "GW304",
                        "warning",
                        f"正文所称《{cited}》与所印发文件的名称《{name}》不一致",
                        f"《{fixed}》",
                    )
                    break


def recipients(doc: LintDocument) -> Iterator[Finding]:
    """GW401/GW402: 主送 ends with a full-width colon; a 公告 has no 主送."""
    line = _first(doc, "recipients")
    if line is None:
        return
    if line.text.rstrip().endswith(":"):
        yield _finding(doc, line, "GW401", "error", "主送机关后用全角冒号“：”", line.text.rstrip()[:-1] + "：")
    if doc.kind == "announcement":
        yield _finding(doc, line, "GW402", "error", "公告不写主送机关")


_HEADING_FORMS = [
    (re.compile(rf"^([{CN_DIGITS}]+)、"), 1, None),
    (re.compile(rf"^（([{CN_DIGITS}]+)）"), 2, None),
    (re.compile(r"^(\d+)\.(?!\d)"), 3, None),
    (re.compile(r"^（(\d+)）"), 4, None),
    (re.compile(rf"^([{CN_DIGITS}]+)[.．，,]"), 1, "{n}、"),
    (re.compile(r"^(\d+)[、．，,](?!\d)"), 3, "{n}."),
    (re.compile(rf"^\(([{CN_DIGITS}]+)\)"), 2, "（{n}）"),
    (re.compile(r"^\((\d+)\)"), 4, "（{n}）"),
]


_PART_STARTS = frozenset({"title", "plan_title", "attachment_label", "attachment_title"})


def _cn_value(text: str) -> int:

    for n in range(1, 200):
        if chinese_numeral(n) == text:
            return n
    return 0


def headings(doc: LintDocument) -> Iterator[Finding]:
    """GW501-GW504: heading number forms, sequences, skipped levels, stand-alone heading punctuation."""
    counters = [0, 0, 0, 0, 0]
    for line in doc.lines:
        text = line.text.strip()
        if line.role in _PART_STARTS:  # a set's plan numbers its headings afresh after the notice's
            counters = [0, 0, 0, 0, 0]
            continue
        if line.role == "attachment_note":  # "2. name" continues the 附件说明; it is no heading
            continue
        for pattern, level, fix in _HEADING_FORMS:
            m = pattern.match(text)
            if not m:
                continue
            n = int(m[1]) if m[1].isdigit() else _cn_value(m[1])
            if fix:
                right = fix.format(n=m[1])
                yield _finding(doc, line, "GW501", "error", f"标题序号写法不对：应为“{right}”", right + text[m.end() :])
            if level in (2, 4) and text[m.end() : m.end() + 1] in ("、", ".", "．"):
                yield _finding(doc, line, "GW501", "error", "“（一）”“（1）”后不再加标点")
            if level == 2 and counters[1] == 0:
                yield _finding(doc, line, "GW503", "warning", "出现“（一）”级标题但没有上一级“一、”")
            if level == 4 and counters[3] == 0 and counters[2] == 0:
                yield _finding(doc, line, "GW503", "warning", "出现“（1）”级标题但没有上一级")
            expected = counters[level] + 1
            if n and n != expected and not (n == 1 and counters[level] == 0):
                message = f"标题序号不连续：此处应为第 {expected} 项，写的是第 {n} 项"
                yield _finding(doc, line, "GW502", "warning", message)
            counters[level] = n or expected
            for deeper in range(level + 1, 5):
                counters[deeper] = 0
            # A heading that stands alone is a few words (一、总体要求); "三、会议要求各单位……死灰复燃。" is
            # a numbered sentence. Judged on the words alone, so a DOCX and its PDF agree.
            words = text[m.end() :]
            is_alone = line.role == "heading" and len(words) <= HEADING_WORDS_MAX and not re.search(r"[，；、]", words)
            if is_alone and text.endswith(("。", "：")) and level <= 2:
                yield _finding(doc, line, "GW504", "warning", "单独成行的标题末尾不加句号或冒号", text[:-1])
            break


HEADING_WORDS_MAX = 16  # the words of a stand-alone heading, its closing mark included


def attachments(doc: LintDocument) -> Iterator[Finding]:
    """GW601/GW602: 附件说明 form, and that it matches the attachments bound with the document."""
    notes = [line for line in doc.lines if line.role == "attachment_note"]
    items = []
    for line in notes:
        text = re.sub(r"^附件[:：]", "", line.text.strip())
        if text != line.text.strip() and line.text.strip().startswith("附件:"):
            yield _finding(doc, line, "GW601", "error", "“附件”后用全角冒号“：”")
        m = re.match(r"^(\d+)[.．、]\s*(.+)$", text)
        number, name = (int(m[1]), m[2]) if m else (None, text)
        if name and name[-1] in "。，；、.,;":
            yield _finding(doc, line, "GW601", "error", "附件名称后不加标点", name[:-1])
        items.append((number, name.strip()))
    if len(items) == 1 and items[0][0] is not None:
        yield _finding(doc, notes[0], "GW601", "warning", "只有一个附件时不编序号")
    labels = [(i, line) for i, line in enumerate(doc.lines) if line.role == "attachment_label"]
    if not labels or not items:
        return
    bound = []
    for i, label in labels:
        m = re.match(r"^附件\s*(\d*)$", label.text.strip())
        number = int(m[1]) if m and m[1] else None
        title = next((line.text.strip() for line in doc.lines[i + 1 : i + 4] if line.text.strip()), "")
        bound.append((number, title))
    for _, name in items:
        squashed = name.replace(" ", "")
        if not any(squashed in t.replace(" ", "") or t.replace(" ", "") in squashed for _, t in bound if t):
            yield _finding(doc, notes[0], "GW602", "warning", f"附件说明中的“{name}”找不到对应的附件")
    if len(bound) != len(items):
        yield _finding(
            doc, labels[0][1], "GW602", "warning", f"附件说明列出 {len(items)} 个附件，文中装订了 {len(bound)} 个"
        )


def imprint(doc: LintDocument) -> Iterator[Finding]:
    """GW701: 版记 form: 抄送：…，…。 and an 印发 line ending with 印发."""
    for line in doc.lines:
        text = line.text.strip()
        if line.role == "cc":
            if not text.startswith("抄送："):
                yield _finding(doc, line, "GW701", "error", "抄送机关前写“抄送：”（全角冒号）")
            if not text.endswith("。"):
                yield _finding(doc, line, "GW701", "error", "抄送机关末尾加句号", text + "。")
            if "," in text or "、" in text:
                yield _finding(doc, line, "GW701", "error", "抄送机关之间用全角逗号“，”")
        if line.role == "printed" and not text.endswith("印发"):
            yield _finding(doc, line, "GW701", "error", "印发日期后加“印发”二字")


def page_numbers(doc: LintDocument) -> Iterator[Finding]:
    """GW801: page numbers are "— N —" with em dashes, not "-1-" or "第1页"."""
    for line in doc.lines:
        text = line.text.strip()
        if line.role == "page_number" and not re.fullmatch(r"—\s*\d+\s*—", text):
            n = re.search(r"\d+", text)
            yield _finding(doc, line, "GW801", "error", "页码应为“— 1 —”（一字线）", f"— {n[0] if n else 1} —")


def punctuation(doc: LintDocument) -> Iterator[Finding]:
    """GW901/GW902: half-width punctuation in Chinese text; doubled punctuation."""
    for line in doc.lines:
        if line.role in ("page_number",):
            continue
        m = _HALF_PUNCT.search(line.text)
        if m:
            yield _finding(doc, line, "GW901", "warning", f"中文后用了半角标点“{m[0][-1]}”，应用全角")
        if _HALF_PARENS.search(line.text):
            yield _finding(doc, line, "GW901", "warning", "中文内容用了半角括号，应用全角“（）”")
        m = _DOUBLED.search(line.text)
        if m:
            yield _finding(doc, line, "GW902", "warning", f"标点重复：“{m[0]}”")


def leftovers_1999(doc: LintDocument) -> Iterator[Finding]:
    """GW951: elements removed in GB/T 9704-2012 (主题词)."""
    for line in doc.lines:
        if line.text.strip().startswith("主题词"):
            yield _finding(doc, line, "GW951", "error", "2012年版已取消“主题词”，请删除")


# What a 请示 asks with, at its end; a 报告 must not ask (《党政机关公文处理工作条例》 第十五条).
_ASKING = re.compile(r"妥否|当否|请批示|请审批|请批复|请予审定|请审定|请予批准|请核准|请审示")
_PHONE = re.compile(r"\d{3,4}-?\d{7,8}|1\d{10}|(?<!\d)\d{7,8}(?!\d)")
_SECRECY_LINE = re.compile(rf"^({'|'.join(get_args(SecrecyLevel))})(★\S+)?$")


def upward_documents(doc: LintDocument) -> Iterator[Finding]:
    """GW1001-GW1005: what an upward document must and must not hold.

    A 请示 or 报告 names its 签发人; a 请示 goes to one organ, asks for one thing at its end and
    gives a contact in its 附注; a 报告 asks for nothing.
    """
    if doc.kind not in ("request", "report") or not doc.lines:
        return
    first = doc.lines[0]
    if _first(doc, "signer") is None:
        yield _finding(doc, first, "GW1001", "error", "上行文（请示、报告）应在版头标注签发人")
    body = [line for line in doc.lines if line.role in ("body", "heading")]
    asking = [line for line in body if _ASKING.search(line.text)]
    if doc.kind == "report":
        for line in asking:
            yield _finding(doc, line, "GW1005", "error", "报告中不得夹带请示事项（需要批复的事项另行请示）")
        return
    recipients_line = _first(doc, "recipients")
    if recipients_line is not None and re.search(r"[、，,]", recipients_line.text):
        yield _finding(doc, recipients_line, "GW1002", "error", "请示只主送一个上级机关；其他机关可抄送")
    if not asking:
        where = body[-1] if body else first
        yield _finding(doc, where, "GW1003", "warning", "请示结尾应有请求语，如“妥否，请批示。”")
    elif len(asking) > 1:
        yield _finding(doc, asking[1], "GW1003", "warning", "请示应一文一事：请求语出现了不止一处")
    notes = [line for line in doc.lines if line.text.strip().startswith(("（", "(")) and "联系" in line.text]
    if not notes or not any(_PHONE.search(line.text) for line in notes):
        yield _finding(doc, first, "GW1004", "warning", "请示应在附注中注明联系人和联系电话")


def letter_form(doc: LintDocument) -> Iterator[Finding]:
    """GW1010/GW1011: the 信函格式 banner carries no 文件; a 函's number has a 函 代字."""
    if doc.kind != "letter":
        return
    banner = next((line for line in doc.lines if line.text.strip()), None)
    if banner is not None and banner.text.strip().endswith("文件"):
        yield _finding(doc, banner, "GW1010", "error", "信函格式的发文机关标志只用机关名称，不加“文件”")
    number = _first(doc, "number")
    parsed = parse_number(re.sub(r"\s+", "", number.text)) if number else None
    if number is not None and parsed is not None and "函" not in parsed.number.prefix:
        yield _finding(
            doc, number, "GW1011", "warning", "函一般使用带“函”字的机关代字单独编号，如 恩科工商务函〔2021〕12号"
        )


def classified(doc: LintDocument) -> Iterator[Finding]:
    """GW1101: a document marked 密级 does not belong in an ordinary archive.

    The mark is looked for on a line (or table cell line) of its own anywhere: a 函's head is a
    table positioned on the page, which a DOCX lists after the body and a PDF after page 1's text.
    """
    for line in doc.lines:
        if any(_SECRECY_LINE.match("".join(piece.split())) for piece in re.split(r"[\n　]", line.text)):
            message = "标有密级的文件须按保密规定在涉密系统中处理，不应存入普通档案库、检索库或网页"
            yield _finding(doc, line, "GW1101", "warning", message)
            return


def classified_not_public(doc: LintDocument) -> Iterator[Finding]:
    """GW1102: a document marked 秘密, 机密 or 绝密 is not 主动公开."""
    secret = any(
        _SECRECY_LINE.match("".join(piece.split())) for line in doc.lines for piece in re.split(r"[\n　]", line.text)
    )
    if not secret:
        return
    for line in doc.lines:
        if re.search(r"公开方式[:：]\s*(主动公开|依申请公开)", line.text):
            message = "标有密级的文件不能公开：公开方式应为“不予公开”，或先解密再公开"
            yield _finding(doc, line, "GW1102", "error", message, "公开方式：不予公开")
            return


def printed_pages(doc: LintDocument) -> Iterator[Finding]:
    """GW831-GW833: what only printed pages show.

    A unit cut from its number, a page 1 without body text, a 版记 on an odd (front) side.
    """
    if doc.paragraphs:
        return
    for line in doc.lines:
        if line.text.lstrip().startswith("/"):
            message = "行首是“/”：单位（如“万吨/年”）被拆到了两行，应与数字排在同一行"
            yield _finding(doc, line, "GW831", "warning", message)
    first_page = [line for line in doc.lines if line.place == "第1页"]
    title = next((i for i, line in enumerate(first_page) if line.role == "title"), None)
    # The 版头 above the title (the 标志 is read as body text in a PDF) is not 正文.
    if title is not None and not any(line.role in ("body", "heading") for line in first_page[title + 1 :]):
        message = "首页没有正文：主送机关过长时应移入版记，写作“主送：”，排在抄送之上（GB/T 9704 7.3.3）"
        yield _finding(doc, first_page[title], "GW832", "error", message)
    printed = next((line for line in doc.lines if line.role == "printed"), None)
    page = re.fullmatch(r"第(\d+)页", printed.place) if printed else None
    if printed is not None and page and int(page[1]) % 2 == 1 and int(page[1]) > 1:
        message = "版记应在最后一个偶数页（封四）；其前可空一页，空白页和版记页都不编页码（GB/T 9704 7.5）"
        yield _finding(doc, printed, "GW833", "warning", message)


RULES: tuple[Rule, ...] = (
    number_form,
    dates,
    title_form,
    year_agreement,
    issued_names,
    recipients,
    headings,
    attachments,
    imprint,
    page_numbers,
    punctuation,
    leftovers_1999,
    upward_documents,
    letter_form,
    classified,
    classified_not_public,
    printed_pages,
)


def run_rules(doc: LintDocument) -> list[Finding]:
    """Every text rule over one document, then its layout findings."""
    findings = [f for rule in RULES for f in rule(doc)]
    return findings + doc.layout
