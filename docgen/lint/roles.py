"""Guess what each line of a document is (title, 发文字号, 主送 …) from its text alone."""

from __future__ import annotations

import re

from docgen.lint.model import Line
from docgen.lint.rules import CN_DIGITS, DOC_KINDS
from docgen.vocab import number_pattern

_NUMBERISH = re.compile(f"^{number_pattern()}$")
_DATEISH = re.compile(r"^(\d{4}|[〇零一二三四五六七八九]{4})\s*[年.\-/]\s*\S{1,3}\s*[月.\-/]\s*\S{1,3}\s*日?$")
_PAGE = re.compile(r"^(—\s*\d+\s*—|-\s*\d+\s*-|第\s*\d+\s*页(共\s*\d+\s*页)?)$")
_HEADING = re.compile(rf"^([{CN_DIGITS}]+[、.．，,]|[（(][{CN_DIGITS}\d]+[）)]|\d+[.．、，,](?!\d))")
_ORGAN_AND_DATE = re.compile(r"^[\u4e00-\u9fa5（）]{4,}\s+\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_TITLE_END = re.compile(rf"({DOC_KINDS})$")
# The title of a document a notice issues (its plan, its 方案): it opens a part of its own.
_ISSUED_TITLE = re.compile(
    r"^[^，。；：、,;:（(一二三四五六七八九十\d][^，。；：,;:]{4,44}(计划|方案|办法|规定|细则|要点|分工表)$"
)


def _part_title(lines: list[Line], i: int, wrapped: bool, done: list[Line]) -> tuple[str, str] | None:
    """(title, role) when line ``i`` opens a document the notice issues or an attachment.

    A printed title may run onto a second line (PDF text, ``wrapped``).
    """
    text = lines[i].text.strip()
    if not _ISSUED_TITLE.match(text):
        if not wrapped or i + 1 >= len(lines) or not _ISSUED_TITLE.match(text + lines[i + 1].text.strip()):
            return None
        text += lines[i + 1].text.strip()
    after_label = bool(done) and done[-1].role == "attachment_label"
    return text, "attachment_title" if after_label else "plan_title"


def _continues(item: str, printed_above: str, text: str) -> bool:
    """Whether a printed line carries on the 附件说明 item above it (a PDF wraps long names).

    A line above that filled the block (24 of 28 characters after its indent), or an item whose
    bracket is still open, goes on; a short complete item is followed by the 署名 or a blank.
    """
    name = "".join(item.split()).rsplit("附件：", 1)[-1]
    open_bracket = name.count("（") + name.count("《") > name.count("）") + name.count("》")
    return not _DATEISH.match(text) and (open_bracket or len("".join(printed_above.split())) >= 24)


def assign_roles(lines: list[Line], *, wrapped: bool = False) -> list[Line]:  # noqa: PLR0912, PLR0915 - a branch per role
    """Return the lines with guessed roles; ``wrapped`` joins a title split over two lines."""
    out: list[Line] = []
    title_done = recipients_done = False
    in_attachment_note = False
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text.strip()
        role = "body"
        if not text:
            role = "blank"
        elif _PAGE.match(text):
            role = "page_number"
        elif i < 12 and "签发人" in text:
            role = "signer"  # 上行文: the 发文字号 and the 签发人 share a line (or 签发人 alone)
        elif i < 10 and _NUMBERISH.match(text):
            role = "number"
        elif i < 10 and _ORGAN_AND_DATE.match(text):
            role = "head_date"  # a 纪要's organ and date over its red rule, not a 印发 line
        elif not title_done and i < 14 and "关于" in text:
            joined = text
            if wrapped and not _TITLE_END.search(text.rstrip("。")) and i + 1 < len(lines):
                nxt = lines[i + 1].text.strip()
                if _TITLE_END.search(nxt) and len(nxt) < 30:
                    joined, i = text + nxt, i + 1
            core = joined.rstrip("。，；：！？.,;:!?")  # a title with a stray full stop is still the title
            if _TITLE_END.search(core) and not re.search(r"[。，《]", core) and len(core) <= 60:
                out.append(Line(joined, line.place, "title"))
                title_done = True
                i += 1
                continue
        elif title_done and not recipients_done and text.endswith((":", "：")) and len(text) < 80:
            role, recipients_done = "recipients", True
        elif recipients_done and (part := _part_title(lines, i, wrapped, out)):
            out.append(Line(part[0], line.place, part[1]))
            i += 1 + (part[0] != text)
            continue
        elif text.startswith(("附件：", "附件:")):
            role, in_attachment_note = "attachment_note", True
            out.append(Line(text, line.place, role))
            i += 1
            continue
        elif in_attachment_note and re.match(r"^\d+[.．、]", text):
            out.append(Line(text, line.place, "attachment_note"))
            i += 1
            continue
        elif in_attachment_note and wrapped and _continues(out[-1].text, lines[i - 1].text, text):
            out[-1] = Line(out[-1].text + text, out[-1].place, "attachment_note")  # an item wrapped onto a line
            i += 1
            continue
        elif re.fullmatch(r"附件\s*\d*", text):
            role = "attachment_label"
        elif text.startswith("抄送"):
            role = "cc"
        elif (text.endswith("印发") and re.search(r"\d{4}\s*年", text)) or _ORGAN_AND_DATE.match(text):
            role = "printed"
        elif _DATEISH.match(text):
            role = "date"
        elif _HEADING.match(text):
            role = "heading"
        in_attachment_note = False
        out.append(Line(text, line.place, role))
        i += 1
    return out
