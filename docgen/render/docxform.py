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
import zipfile
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from docx.oxml.ns import qn

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


def fit_tables(document: Any, *, compact: bool = False) -> None:
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
                layout.Cell(text, column, span, SMALLER_PT.get(size, size) if smaller else size, soft)
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
                _break_paragraph(paragraph, width * layout.PT_PER_MM / set_pt + 0.01, soft=soft)


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
    spacing = _ppr(paragraph).find(qn("w:spacing"))
    if spacing is None:
        spacing = _ppr(paragraph).makeelement(qn("w:spacing"), {})
        _insert(_ppr(paragraph), spacing, _AFTER_SPACING)
    spacing.set(qn("w:line"), str(round(size_pt * TABLE_LINE_FACTOR * layout.TWIPS_PER_PT)))
    spacing.set(qn("w:lineRule"), "exact")


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
    lines = lines_of(text, width_em) if lines_of else layout.break_lines(text, width_em, soft=soft)
    if len(lines) <= 1:
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
