"""Changes made to a filled DOCX before conversion: sections, line pitch, closing block, tables.

The templates say what a document holds; what depends on the filled-in text is decided here:
how wide each table column is and where its cell lines break (``tablefit``), whether a table
must turn landscape, which section's line pitch is tightened to keep the 署名 with the body, and
whether the closing block has to take the last body lines with it. Everything works on the
WordprocessingML tree of a python-docx document, in schema order.
"""

from __future__ import annotations

import copy
import itertools
import re
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml

from docgen import layout
from docgen.wordml import AUTOFIT_CAPTION, RPR_ORDER, Element, is_autofit, paragraph_text, style_id

SECTION_BREAK_STYLE = "GwSectionBreak"  # an empty paragraph that only carries a section's set-up
SIGNATURE_STYLE = "GwSignature"
# Each line of a cell is set this much narrower than the cell, so rounding in LibreOffice, Word
# or WPS never pushes its last unit onto a line of its own.
CELL_SLACK_MM = 0.5
# Measured on LibreOffice 7.4: a cell wraps "序号" (12 pt) below 11.47 mm, i.e. text + its two
# 1.5 mm margins + 0.03 mm. The slack above covers that and the rounding to whole twips.
TABLE_LINE_FACTOR = 1.35  # exact line height of table text, as the template's table styles set it
SMALLER_PT = {14.0: 12.0, 12.0: 10.5}  # 4号 → 小四 → 五号: the one step down a table may take
TWIPS_PER_MM = layout.TWIPS_PER_PT * layout.PT_PER_MM


# CT_PPr children in schema order (what may come before w:sectPr, and what must come after).
_PPR_AFTER_SECTPR = (qn("w:pPrChange"),)


def _twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def _mm(twips: str | int | None) -> float:
    return int(twips or 0) / TWIPS_PER_MM


def _body_sections(body: Element) -> Iterator[tuple[list[Element], Element]]:
    """Each section as (its block-level elements, its w:sectPr)."""
    elements: list[Element] = []
    for child in body:
        if child.tag == qn("w:sectPr"):
            yield elements, child
            return
        elements.append(child)
        sect = child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") if child.tag == qn("w:p") else None
        if sect is not None:
            yield elements, sect
            elements = []


def _ppr(paragraph: Element) -> Element:
    ppr = paragraph.find(qn("w:pPr"))
    if ppr is None:
        ppr = paragraph.makeelement(qn("w:pPr"), {})
        paragraph.insert(0, ppr)
    return ppr


def _insert(parent: Element, element: Element, later: Collection[str]) -> None:
    """Put ``element`` in ``parent`` before the first child whose tag comes after it in the schema."""
    follower = next((c for c in parent if c.tag in later), None)
    if follower is None:
        parent.append(element)
    else:
        follower.addprevious(element)


def _put_sectpr(paragraph: Element, sect: Element) -> None:
    """Give ``paragraph`` a section set-up, in its place in CT_PPr (before any w:pPrChange)."""
    _insert(_ppr(paragraph), sect, _PPR_AFTER_SECTPR)


def fold_section_breaks(body: Element) -> None:
    """Move each section-break carrier's w:sectPr onto the paragraph before it, and drop it.

    A carrier after a paragraph would add an empty line to the end of its section, which can
    be the line that pushes the 附注 onto a page of its own. After a table it has to stay.
    """
    for carrier in [p for p in body.iter(qn("w:p")) if style_id(p) == SECTION_BREAK_STYLE]:
        sect = carrier.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        before = carrier.getprevious()
        if sect is None or before is None or before.tag != qn("w:p"):
            continue
        if before.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            continue
        _put_sectpr(before, sect)
        carrier.getparent().remove(carrier)


def set_closing_pitch(body: Element, pitch_twips: int) -> None:
    """Set the grid pitch of the section holding the 发文机关署名 (or of every section without one).

    Fitting belongs to the part that needs it: in the 印发 set only the notice is tightened; the
    plan it issues keeps GB/T 9704's 22 lines.
    """
    sections = list(_body_sections(body))
    # A joint document's 署名 stand in a table: look inside tables too.
    chosen = [
        sect
        for elements, sect in sections
        if any(style_id(p) == SIGNATURE_STYLE for element in elements for p in element.iter(qn("w:p")))
    ] or [sect for _, sect in sections]
    for sect in chosen:
        for grid in sect.iter(qn("w:docGrid")):
            grid.set(qn("w:linePitch"), str(pitch_twips))


def narrow_seal_space(body: Element) -> bool:
    """Leave one blank line, not two, between the body (or 附件说明) and the 署名.

    GB/T 9704 7.3.5.1 asks only that the seal's top be within one line below the body; the
    template's second blank line is room, not a rule, and giving it up keeps the 署名, 成文日期
    and 附注 on the body's page without changing the 22-line grid. False when there are not two
    blank lines to narrow (a joint 署名's table has none above it).
    """
    signature = next((p for p in body.iter(qn("w:p")) if style_id(p) == SIGNATURE_STYLE), None)
    if signature is None:
        return False
    block = signature  # a joint 署名 stands in a table, whose rows keep the seals' room themselves
    while block.getparent() is not None and block.getparent() is not body:
        block = block.getparent()
    blanks: list[Element] = []
    before = block.getprevious()
    while before is not None and before.tag == qn("w:p") and not paragraph_text(before).strip() and len(blanks) < 2:
        if before.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            break
        blanks.append(before)
        before = before.getprevious()
    if len(blanks) < 2:
        return False
    body.remove(blanks[0])
    return True


def keep_closing_with_body(body: Element, tail: str = "") -> bool:
    """Take the body's last lines over with the closing block, so 署名 and 日期 never open a page alone.

    The last resort of fitting, when no line pitch keeps the closing block on the body's last
    page. ``tail`` is the text of the last printed lines before the 署名 (they may span the last
    body paragraph and the 附件说明): a page break goes in where they begin, inside a paragraph
    if need be (it stays one paragraph, its lines as they were). Without a ``tail`` the last
    paragraph keeps with the next, and LibreOffice moves all of it (measured, with and without
    widow control), which can leave a first page holding only the title. Returns False when
    there is no closing block.
    """
    paragraphs = list(body.iter(qn("w:p")))
    signature = next((i for i, p in enumerate(paragraphs) if style_id(p) == SIGNATURE_STYLE), None)
    if signature is None:
        return False
    before = paragraphs[:signature]
    texted = [i for i, p in enumerate(before) if "".join(paragraph_text(p).split())]
    if not texted:
        return True
    rest = "".join(tail.split())
    for i in reversed(texted):
        text = "".join(paragraph_text(before[i]).split())
        if rest and rest.endswith(text) and len(rest) > len(text):
            rest = rest[: -len(text)]
            continue
        if rest and rest == text:
            _page_break_at(before[i], 0)
            return True
        if rest and text.endswith(rest):
            _page_break_at(before[i], len(text) - len(rest))
            return True
        break
    for paragraph in before[texted[-1] :]:
        _set_keep_next(paragraph)
    return True


def _set_keep_next(paragraph: Element) -> None:
    ppr = _ppr(paragraph)
    if ppr.find(qn("w:keepNext")) is not None:
        return
    keep = ppr.makeelement(qn("w:keepNext"), {})
    style = ppr.find(qn("w:pStyle"))
    if style is not None:
        style.addnext(keep)
    else:
        ppr.insert(0, keep)


def _page_break_at(paragraph: Element, offset: int) -> None:
    """Put a page break into ``paragraph`` before its ``offset``-th character (white space not counted)."""
    text = paragraph_text(paragraph)
    raw = [i for i, ch in enumerate(text) if not ch.isspace()][offset]
    position = 0
    for run in list(paragraph.iterchildren(qn("w:r"))):
        run_text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if position <= raw < position + len(run_text):
            cut = raw - position
            brk = run.makeelement(qn("w:r"), {})
            brk.append(brk.makeelement(qn("w:br"), {qn("w:type"): "page"}))
            if cut:
                later = copy.deepcopy(run)
                _set_run_text(run, run_text[:cut])
                _set_run_text(later, run_text[cut:])
                run.addnext(later)
                run.addnext(brk)
            else:
                run.addprevious(brk)
            return
        position += len(run_text)


def _set_run_text(run: Element, text: str) -> None:
    for child in list(run):
        if child.tag != qn("w:rPr"):
            run.remove(child)
    node = run.makeelement(qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    node.text = text
    run.append(node)


# --- the 版记 on the last even side ---------------------------------------------------------------

RECIPIENTS_STYLE = "GwRecipients"
COPY_LABELS = ("抄送", "分送")  # the 版记 row a moved 主送 goes above
# CT_TcPr children after w:tcBorders.
_TCPR_AFTER_BORDERS = [
    qn(f"w:{n}") for n in ("shd", "noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")
]
IMPRINT_NEXT_PAGE = "next"  # the 版记 goes over to the following (even) page, numbered as usual
IMPRINT_AFTER_BLANK = "blank"  # a blank page, then the 版记: neither page numbered (GB/T 9704 7.5)
# CT_PPrBase children that come before w:pageBreakBefore.
_PPR_BEFORE_PAGE_BREAK = frozenset(qn(f"w:{n}") for n in ("pStyle", "keepNext", "keepLines"))


def imprint_table(body: Element) -> Element | None:
    """The 版记: the last table of the body pinned to the bottom of the text block."""
    for table in reversed(list(body.iterchildren(qn("w:tbl")))):
        spec = table.find(f"{qn('w:tblPr')}/{qn('w:tblpPr')}")
        if spec is not None and spec.get(qn("w:tblpYSpec")) == "bottom":
            return table
    return None


def imprint_text(docx: Path) -> str:
    """What the 版记 of a filled DOCX says ("" when it has none), to find its page in the PDF."""
    with zipfile.ZipFile(docx) as zf:
        body = parse_xml(zf.read("word/document.xml")).find(qn("w:body"))
    table = imprint_table(body) if body is not None else None
    return "" if table is None else "".join(paragraph_text(p) for p in table.iter(qn("w:p")))


def place_imprint(document: Any, where: str) -> bool:
    """Move the 版记 to the page after the one LibreOffice put it on, an odd side.

    The floating table goes wherever the paragraph after it (its anchor) goes, so that paragraph
    starts a page. ``IMPRINT_AFTER_BLANK``: the 版记 stood alone on its odd page, so that page
    stays blank; both are set in a last section of their own with empty footers, and the text
    before keeps its numbered section. False when the document has no 版记 to move.
    """
    body = document.element.body
    table = imprint_table(body)
    anchor = table.getnext() if table is not None else None
    if table is None or anchor is None or anchor.tag != qn("w:p"):
        return False
    if where == IMPRINT_AFTER_BLANK:
        last = document.sections[-1]
        if _text_since_section_start(table):
            # The body's section ends with its last paragraph (a paragraph of its own after a
            # table, which could add a line); a 1-twip paragraph then holds the blank page.
            before = table.getprevious()
            if before.tag != qn("w:p") or before.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                before = copy.deepcopy(anchor)
                table.addprevious(before)
            _put_sectpr(before, copy.deepcopy(last._sectPr))
            table.addprevious(copy.deepcopy(anchor))
        sect = last._sectPr
        for unwanted in [*sect.iterchildren(qn("w:footerReference")), *sect.iterchildren(qn("w:titlePg"))]:
            sect.remove(unwanted)
        last.footer.is_linked_to_previous = False  # a footer part of its own, empty
        last.even_page_footer.is_linked_to_previous = False
    ppr = _ppr(anchor)
    if ppr.find(qn("w:pageBreakBefore")) is None:
        later = [c.tag for c in ppr if c.tag not in _PPR_BEFORE_PAGE_BREAK]
        _insert(ppr, ppr.makeelement(qn("w:pageBreakBefore"), {}), later)
    return True


def move_recipients_to_imprint(body: Element) -> bool:
    """Print the 主送 in the 版记, as "主送：…。" one line above the 抄送, when it leaves page 1 without body text.

    GB/T 9704's remedy for a 主送 too long for page 1. No rule parts it from the 抄送; its wrapped
    lines align after the colon; the body takes its place, one blank line below the title. False when
    the document has no 主送 or no 版记.
    """
    recipients = next((p for p in body.iter(qn("w:p")) if style_id(p) == RECIPIENTS_STYLE), None)
    table = imprint_table(body)
    if recipients is None or table is None:
        return False
    names = paragraph_text(recipients).strip().rstrip("：:")
    rows = list(table.iterchildren(qn("w:tr")))
    copied = next((r for r in rows if paragraph_text(r).startswith(COPY_LABELS)), None)
    row = copy.deepcopy(copied if copied is not None else rows[-1])
    line = next(row.iter(qn("w:p")))
    runs = list(line.iterchildren(qn("w:r")))
    for extra in runs[1:]:
        line.remove(extra)
    _set_run_text(runs[0], f"主送：{names}。")
    label = round(len("主送：") * layout.IMPRINT_PT * layout.TWIPS_PER_PT)
    indent = _ppr_child(line, "w:ind", _AFTER_IND)
    margin = round(layout.IMPRINT_PT * layout.TWIPS_PER_PT)  # the 版记's one character each side
    indent.set(qn("w:left"), str(margin + label))
    indent.set(qn("w:right"), str(margin))
    indent.set(qn("w:hanging"), str(label))
    for height in row.iter(qn("w:trHeight")):
        height.set(qn("w:hRule"), "atLeast")  # the list may take several lines
    if copied is not None:
        _cell_border(row, "bottom")
        _cell_border(copied, "top")
        copied.addprevious(row)
    else:
        rows[-1].addprevious(row)
    recipients.getparent().remove(recipients)  # the blank line below the title stays: the body follows it
    return True


ATTACHMENT_STYLES = {
    "GwAttachmentNote": 2,
    "GwAttachmentMore": 5,
}  # where each style's first line starts, in characters
ATTACHMENT_NAME_AT = 5  # characters from the margin: "附件：" starts at 2
_NUMBERED_ATTACHMENT = re.compile(r"^(附件：)?(\d+[.．])\s*(\S.*)$", re.DOTALL)


def align_attachment_names(body: Element) -> None:
    """Set the names of a numbered 附件说明 one under the other, wrapped lines under their name.

    Measured before: "附件：1. " put the first name 3.3 mm right of the second ("2. " has no
    space after a colon to lose), and wrapped lines started under "1.", 9.4 mm left of the
    name. The number is followed by a tab to a stop where every name begins; that stop is the
    paragraph's left indent, so a wrapped line begins there too (GB/T 9704 7.3.4).
    """
    numbered = []
    for paragraph in body.iter(qn("w:p")):
        start = ATTACHMENT_STYLES.get(style_id(paragraph) or "")
        runs = paragraph.findall(qn("w:r"))
        match = _NUMBERED_ATTACHMENT.match(paragraph_text(paragraph)) if start is not None else None
        if (
            start is not None
            and match
            and runs
            and len({_rpr_xml(r) for r in runs}) == 1
            and not any(r.find(qn("w:tab")) for r in runs)
        ):
            numbered.append((paragraph, start, match))
    if not numbered:
        return
    # "1." is two half-width characters (one full one) with LibreOffice's 1.9 mm between a colon
    # and a digit before it; "10." half a character more.
    widest = max(len(match[2]) for _, _, match in numbered)
    char = layout.CHAR_PITCH_PT * layout.TWIPS_PER_PT
    name_at = round((ATTACHMENT_NAME_AT + (1.5 if widest <= 2 else 2.0)) * char)
    for paragraph, start, match in numbered:
        runs = paragraph.findall(qn("w:r"))
        for extra in runs[1:]:
            paragraph.remove(extra)
        # Three runs, so the name is a run of text alone (as the gluing of words whole expects).
        first = runs[0]
        tab, name = copy.deepcopy(first), copy.deepcopy(first)
        _set_run_text(first, f"{match[1] or ''}{match[2]}")
        _set_run_text(name, match[3])
        _set_run_text(tab, "")
        for child in [c for c in tab if c.tag != qn("w:rPr")]:
            tab.remove(child)
        tab.append(tab.makeelement(qn("w:tab"), {}))
        first.addnext(tab)
        tab.addnext(name)
        tabs = _ppr_child(paragraph, "w:tabs", _AFTER_TABS)
        tabs.append(tabs.makeelement(qn("w:tab"), {qn("w:val"): "left", qn("w:pos"): str(name_at)}))
        indent = _ppr_child(paragraph, "w:ind", _AFTER_IND)
        indent.set(qn("w:left"), str(name_at))
        indent.set(qn("w:hanging"), str(name_at - round(start * char)))


def _ppr_child(paragraph: Element, tag: str, later: Collection[str]) -> Element:
    """The paragraph's property ``tag``, made in its place in schema order when missing."""
    ppr = _ppr(paragraph)
    node = ppr.find(qn(tag))
    if node is None:
        node = ppr.makeelement(qn(tag), {})
        _insert(ppr, node, later)
    return node


def _cell_border(row: Element, side: str) -> None:
    """No rule on ``side`` of the row's cells (the table's inside rule is drawn elsewhere)."""
    for cell in row.iterchildren(qn("w:tc")):
        tcpr = cell.find(qn("w:tcPr"))
        if tcpr is None:
            tcpr = cell.makeelement(qn("w:tcPr"), {})
            cell.insert(0, tcpr)
        borders = tcpr.find(qn("w:tcBorders"))
        if borders is None:
            borders = tcpr.makeelement(qn("w:tcBorders"), {})
            _insert(tcpr, borders, _TCPR_AFTER_BORDERS)
        order = ("top", "start", "left", "bottom", "end", "right", "insideH", "insideV", "tl2br", "tr2bl")
        edge = borders.makeelement(qn(f"w:{side}"), {qn("w:val"): "nil"})
        _insert(borders, edge, [qn(f"w:{n}") for n in order[order.index(side) + 1 :]])


def _text_since_section_start(element: Element) -> bool:
    """Whether anything printed comes before ``element`` in its section (a table or a paragraph's text)."""
    before = element.getprevious()
    while before is not None:
        if before.tag == qn("w:tbl"):
            return True
        if before.tag == qn("w:p"):
            if before.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                return False
            if paragraph_text(before).strip():
                return True
        before = before.getprevious()
    return False


# CT_PPrBase children that follow w:spacing, for inserting it in schema order.
_AFTER_SPACING = {
    qn(f"w:{n}")
    for n in (
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    )
}


# --- tables --------------------------------------------------------------------------------------


def has_sized_tables(docx: Path) -> bool:
    """Tell whether a DOCX holds a table docgen sizes (so setting tables smaller can change its pages)."""
    with zipfile.ZipFile(docx) as zf:
        return f'w:tblCaption w:val="{AUTOFIT_CAPTION}"'.encode() in zf.read("word/document.xml")


def _section_of(body: Element, element: Element) -> Element:
    """The w:sectPr of the section ``element`` (a block-level child of the body) belongs to."""
    for elements, sect in _body_sections(body):
        if element in elements:
            return sect
    msg = "element is not a block-level child of the body"
    raise ValueError(msg)


def _block_width_mm(sect: Element) -> float:
    size = sect.find(qn("w:pgSz"))
    margins = sect.find(qn("w:pgMar"))
    return _mm(size.get(qn("w:w"))) - _mm(margins.get(qn("w:left"))) - _mm(margins.get(qn("w:right")))


def _is_landscape(sect: Element) -> bool:
    size = sect.find(qn("w:pgSz"))
    return int(size.get(qn("w:w"))) > int(size.get(qn("w:h")))


class _Sizes:
    """Font size (pt) of a paragraph from its style chain and document defaults."""

    def __init__(self, document: Any) -> None:
        styles = document.styles.element
        default = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}")
        self.default = int(default.get(qn("w:val"))) / 2 if default is not None else layout.BODY_PT
        self.styles = {s.get(qn("w:styleId")): s for s in styles.iter(qn("w:style"))}

    def style_size(self, style_id: str | None) -> float:
        seen = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            style = self.styles[style_id]
            sz = style.find(f"{qn('w:rPr')}/{qn('w:sz')}")
            if sz is not None:
                return int(sz.get(qn("w:val"))) / 2
            based = style.find(qn("w:basedOn"))
            style_id = None if based is None else based.get(qn("w:val"))
        return self.default

    def paragraph_size(self, paragraph: Element) -> float:
        run_size = paragraph.find(f"{qn('w:r')}/{qn('w:rPr')}/{qn('w:sz')}")
        if run_size is not None:
            return int(run_size.get(qn("w:val"))) / 2
        return self.style_size(style_id(paragraph))


def _cell_padding_mm(table: Element) -> float:
    margins = table.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}")
    if margins is None:
        return 2 * layout.CELL_MARGIN_MM
    left, right = margins.find(qn("w:left")), margins.find(qn("w:right"))
    return sum(_mm(m.get(qn("w:w"))) for m in (left, right) if m is not None)


def _grid_cells(table: Element, sizes: _Sizes) -> Iterator[tuple[Element, int, int, float]]:
    """(w:tc, first grid column, span, font size) for every cell of ``table``."""
    for row in table.iter(qn("w:tr")):
        column = 0
        for cell in row.iterchildren(qn("w:tc")):
            span_el = cell.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
            span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
            paragraphs = cell.findall(qn("w:p"))
            size = max((sizes.paragraph_size(p) for p in paragraphs), default=sizes.default)
            yield cell, column, span, size
            column += span


def fit_tables(document: Any, *, compact: bool = False, kept: tuple[str, ...] = ()) -> None:
    """Size every table marked 自动列宽 from its content and break its cell lines.

    Tried in order until every unit fits: the table as it is; with organ names allowed to
    break between their words; one font size smaller (4号 → 小四 → 五号), likewise; then all of
    that on landscape pages of its own (GB/T 9704 横排表格, which the PDF step turns back for
    printing). Past that the columns share the block and units break. ``compact`` starts at the
    smaller size.
    """
    body = document.element.body
    sizes = _Sizes(document)
    for table in [t for t in body.iterchildren(qn("w:tbl")) if is_autofit(t)]:
        columns = len(table.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}"))
        padding = _cell_padding_mm(table) + CELL_SLACK_MM
        cells = list(_grid_cells(table, sizes))
        texts = ["\n".join(paragraph_text(p) for p in tc.findall(qn("w:p"))) for tc, *_ in cells]
        portrait = _section_of(body, table)
        turned = portrait if _is_landscape(portrait) else _landscape_of(portrait)
        choice = None
        sizes_to_try = (True,) if compact else (False, True)
        for sect, smaller, soft in itertools.product((portrait, turned), sizes_to_try, (False, True)):
            measured = [
                layout.Cell(text, column, span, SMALLER_PT.get(size, size) if smaller else size, soft, kept=kept)
                for text, (_, column, span, size) in zip(texts, cells, strict=True)
            ]
            plan = layout.plan_columns(measured, columns, _block_width_mm(sect), padding)
            if plan.fits:
                choice = (sect, smaller, soft, list(plan.widths_mm))
                break
        if choice is None:  # even landscape is too narrow: share the block, units break as a last resort
            plan = layout.plan_columns(measured, columns, _block_width_mm(turned), padding)
            scale = _block_width_mm(turned) / sum(plan.widths_mm)
            choice = (turned, True, True, [w * scale for w in plan.widths_mm])
        sect, smaller, soft, widths = choice
        if sect is not portrait:
            _turn_landscape(body, table, portrait, sect)
        _write_widths(table, widths, cells)
        for tc, column, span, size in cells:
            set_pt = SMALLER_PT.get(size, size) if smaller else size
            width = sum(widths[column : column + span]) - padding
            for paragraph in tc.findall(qn("w:p")):
                if smaller:
                    _set_size(paragraph, set_pt)
                # A hair of tolerance: the width was rounded to whole twips on the way.
                _break_paragraph(paragraph, width * layout.PT_PER_MM / set_pt + 0.01, soft=soft, kept=kept)


def _set_size(paragraph: Element, size_pt: float) -> None:
    """Set every run of a table paragraph, and its exact line height, to ``size_pt``."""
    half = str(round(size_pt * 2))
    for run in paragraph.iterchildren(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            rpr = run.makeelement(qn("w:rPr"), {})
            run.insert(0, rpr)
        for tag in ("w:sz", "w:szCs"):
            node = rpr.find(qn(tag))
            if node is None:
                node = rpr.makeelement(qn(tag), {})
                _insert(rpr, node, _RPR_AFTER_SZ)
            node.set(qn("w:val"), half)
    spacing = _ppr_child(paragraph, "w:spacing", _AFTER_SPACING)
    spacing.set(qn("w:line"), str(round(size_pt * TABLE_LINE_FACTOR * layout.TWIPS_PER_PT)))
    spacing.set(qn("w:lineRule"), "exact")


_AFTER_IND = _AFTER_SPACING - {qn("w:ind")}
# CT_PPrBase children that follow w:tabs.
_AFTER_TABS = _AFTER_SPACING | {
    qn(f"w:{n}")
    for n in (
        *("suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE"),
        *("autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing"),
    )
}

# CT_RPr children after w:sz/w:szCs, for inserting those in schema order.
_RPR_AFTER_SZ = set(RPR_ORDER[RPR_ORDER.index(qn("w:szCs")) + 1 :])


def _write_widths(table: Element, widths: list[float], cells: list[tuple[Element, int, int, float]]) -> None:
    tbl_w = table.find(f"{qn('w:tblPr')}/{qn('w:tblW')}")
    if tbl_w is not None:
        tbl_w.set(qn("w:w"), str(sum(_twips(w) for w in widths)))
        tbl_w.set(qn("w:type"), "dxa")
    for col, width in zip(table.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}"), widths, strict=True):
        col.set(qn("w:w"), str(_twips(width)))
    for tc, column, span, _ in cells:
        tc_w = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
        if tc_w is not None:
            tc_w.set(qn("w:w"), str(sum(_twips(w) for w in widths[column : column + span])))
            tc_w.set(qn("w:type"), "dxa")


TITLE_STYLE = "GwTitle"
TITLE_SLACK_EM = 0.3  # LibreOffice must never need a line more than docgen planned


def balance_titles(body: Element) -> None:
    """Break every multi-line title into balanced lines (``layout.title_lines``) as the section allows."""
    for paragraph in body.findall(qn("w:p")):
        if style_id(paragraph) != TITLE_STYLE or not paragraph_text(paragraph):
            continue
        width_mm = _block_width_mm(_section_of(body, paragraph))
        width_em = width_mm * layout.PT_PER_MM / layout.TITLE_PT - TITLE_SLACK_EM
        _break_paragraph(paragraph, width_em, lines_of=layout.title_lines)


def _break_paragraph(
    paragraph: Element,
    width_em: float,
    *,
    soft: bool = False,
    kept: tuple[str, ...] = (),
    lines_of: Callable[[str, float], list[str]] | None = None,
) -> None:
    """Rewrite a one-format paragraph's text as lines joined by w:br, if it needs more than one.

    ``lines_of`` breaks the text (default: ``layout.break_lines``, organ names ``soft``).
    """
    runs = paragraph.findall(qn("w:r"))
    if not runs or any(r.find(qn("w:br")) is not None or r.find(qn("w:tab")) is not None for r in runs):
        return
    formats = {_rpr_xml(r) for r in runs}
    if len(formats) != 1:
        return  # mixed formatting: leave the breaking to the converter
    text = paragraph_text(paragraph)
    lines = lines_of(text, width_em) if lines_of else layout.break_lines(text, width_em, soft=soft, kept=kept)
    if len(lines) > 1:
        write_lines(paragraph, lines)


def write_lines(paragraph: Element, lines: Sequence[str]) -> None:
    """Rewrite a one-format paragraph's text as ``lines`` joined by w:br."""
    runs = paragraph.findall(qn("w:r"))
    if not runs:
        return
    first = runs[0]
    for run in runs[1:]:
        paragraph.remove(run)
    for child in list(first):
        if child.tag != qn("w:rPr"):
            first.remove(child)
    for i, line in enumerate(lines):
        if i:
            first.append(first.makeelement(qn("w:br"), {}))
        text = first.makeelement(qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
        text.text = line
        first.append(text)


def _rpr_xml(run: Element) -> bytes:
    from lxml import etree  # noqa: PLC0415 - python-docx's own XML library

    rpr = run.find(qn("w:rPr"))
    return b"" if rpr is None else etree.tostring(rpr)


def _landscape_of(portrait: Element) -> Element:
    """The landscape set-up matching a portrait section's.

    The margins turn with the page so that, once the PDF step rotates the page counter-clockwise
    for printing, they are the portrait page's again (订口 28 mm on the left, 天头 37 mm on top);
    the page number keeps its distance below the block.
    """
    landscape = copy.deepcopy(portrait)
    size, margins = landscape.find(qn("w:pgSz")), landscape.find(qn("w:pgMar"))
    width, height = size.get(qn("w:w")), size.get(qn("w:h"))
    size.set(qn("w:w"), height)
    size.set(qn("w:h"), width)
    size.set(qn("w:orient"), "landscape")
    old = portrait.find(qn("w:pgMar"))
    sides = {side: int(old.get(qn(f"w:{side}"))) for side in ("top", "bottom", "left", "right")}
    for side, source in (("top", "left"), ("bottom", "right"), ("left", "bottom"), ("right", "top")):
        margins.set(qn(f"w:{side}"), str(sides[source]))
    if old.get(qn("w:footer")) is not None:
        below_block = sides["bottom"] - int(old.get(qn("w:footer")))
        margins.set(qn("w:footer"), str(max(0, sides["right"] - below_block)))
    return landscape


def _turn_landscape(body: Element, table: Element, portrait: Element, landscape: Element) -> None:
    """Put ``table`` on landscape pages of its own, set up as ``landscape``."""
    table.addprevious(_carrier(table, copy.deepcopy(portrait)))
    table.addnext(_carrier(table, landscape))
    fold_section_breaks(body)


def _carrier(near: Element, sect: Element) -> Element:
    """An empty paragraph one twip high that ends a section with ``sect``."""
    paragraph = near.makeelement(qn("w:p"), {})
    ppr = paragraph.makeelement(qn("w:pPr"), {})
    style = ppr.makeelement(qn("w:pStyle"), {qn("w:val"): SECTION_BREAK_STYLE})
    ppr.append(style)
    paragraph.append(ppr)
    ppr.append(sect)
    return paragraph
