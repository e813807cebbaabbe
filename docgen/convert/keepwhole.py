"""Words a printed line keeps whole, glued in the copy LibreOffice converts (never in the clerk's DOCX).

LibreOffice 7.4 breaks zh-CN text in its own CJK iterator, which ignores U+2060 WORD JOINER; a run
whose East Asian language is en-US is broken by ICU's rules, which never break at one (UAX #14
LB11). So each span ``layout.kept_whole`` finds becomes a run of its own: its characters joined
by U+2060, its language en-US, its glyphs scaled to the advance the grid counts on. U+2060 prints
nothing and does not reach the PDF's text (measured; README, "Keeping a word whole"). The DOCX a
clerk opens keeps plain text, so Word's find and copy work on it as written.

The names a line keeps whole are read from the document itself: the paragraphs docgen's styles
mark as 主送, 署名, 版记, 出席 and the cells of its tables.
"""

from __future__ import annotations

import copy
import zipfile
from collections.abc import Collection
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from docgen import layout
from docgen._io import atomic_path
from docgen.wordml import RPR_ORDER, Element, is_autofit, paragraph_text, style_id

WORD_JOINER = "\u2060"  # prints nothing; ICU never breaks a line beside it
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
# docgen's paragraph styles whose text is names (of organs, enterprises, people).
NAME_STYLES = frozenset({"GwRecipients", "GwSignature", "GwImprint", "GwAttendance", "GwTableText", "GwTableCenter"})
OWN_STYLE = "GwBody"  # a document without it is not docgen's: nothing is glued
# Paragraphs whose last word is glued too, so no line holds one character alone (measured: a
# 附件说明 ended "…任务分工 / 表").
NO_ORPHAN_STYLES = frozenset({"GwAttachmentNote", "GwAttachmentMore"})


def document_names(body: Element) -> list[str]:
    """The words of the names the document's own name paragraphs hold."""
    texts = [paragraph_text(p) for p in body.iter(qn("w:p")) if style_id(p) in NAME_STYLES]
    return layout.name_words(*(t.removeprefix("抄送：").removeprefix("主送：") for t in texts))


def glue_words(docx: Path) -> int:
    """Glue the words in ``docx`` (a staged copy, rewritten in place); how many were glued."""
    with zipfile.ZipFile(docx) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    if "word/document.xml" not in parts or "word/styles.xml" not in parts:
        return 0
    document = etree.fromstring(parts["word/document.xml"], _PARSER)
    styles = etree.fromstring(parts["word/styles.xml"], _PARSER)
    body = document.find(qn("w:body"))
    if body is None or not any(style_id(p) == OWN_STYLE for p in body.iter(qn("w:p"))):
        return 0
    glued = keep_words_whole(body, styles, document_names(body))
    if glued:
        parts["word/document.xml"] = etree.tostring(document, xml_declaration=True, encoding="UTF-8", standalone=True)
        with atomic_path(docx) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for name, data in parts.items():
                out.writestr(name, data)
    return glued


class _RunFormats:
    """A run's size and character spacing as its styles give them (for a glued run's scale)."""

    def __init__(self, styles: Element) -> None:
        self.by_id = {s.get(qn("w:styleId")): s for s in styles.iter(qn("w:style"))}
        defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        self.defaults = defaults
        self.default_paragraph = next(
            (
                s.get(qn("w:styleId"))
                for s in styles.iter(qn("w:style"))
                if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) == "1"
            ),
            None,
        )

    def value(self, run: Element, style_id: str | None, tag: str) -> int | None:
        """The run's ``w:sz`` or ``w:spacing``: its own, else its paragraph style's (with what that is based on)."""
        found = run.find(f"{qn('w:rPr')}/{qn(tag)}")
        seen: set[str] = set()
        style_id = style_id or self.default_paragraph
        while found is None and style_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id.get(style_id)
            if style is None:
                break
            found = style.find(f"{qn('w:rPr')}/{qn(tag)}")
            based = style.find(qn("w:basedOn"))
            style_id = None if based is None else based.get(qn("w:val"))
        if found is None and self.defaults is not None:
            found = self.defaults.find(qn(tag))
        return None if found is None else int(found.get(qn("w:val")))

    def scale(self, run: Element, style_id: str | None) -> int:
        """The width (percent) that gives a glued run the advance its text has unglued.

        A run sent through ICU's line breaking loses a negative character spacing (measured on
        LibreOffice 7.4: 16.00 pt a character instead of 15.75), which would cost a full line a
        character; scaling the glyphs by as much keeps 28 characters a line.
        """
        spacing = self.value(run, style_id, "w:spacing") or 0
        if spacing >= 0:
            return 100
        half_points = self.value(run, style_id, "w:sz") or round(layout.BODY_PT * 2)
        size_twips = half_points * 10
        return max(90, int(100 * (size_twips + spacing) / size_twips))


def _set_rpr(rpr: Element, tag: str, **attrs: str) -> None:
    """Set ``tag``'s attributes in ``rpr``, adding it where the schema puts it."""
    name = qn(tag)
    element = rpr.find(name)
    if element is None:
        element = rpr.makeelement(name, {})
        rank = RPR_ORDER.index(name)
        later = next((c for c in rpr if c.tag in RPR_ORDER and RPR_ORDER.index(c.tag) > rank), None)
        if later is not None:
            later.addprevious(element)
        else:
            rpr.append(element)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)


def _glued_run(template: Element, text: str, scale: int) -> Element:
    run = copy.deepcopy(template)
    rpr = run.find(qn("w:rPr"))
    if rpr is None:
        rpr = run.makeelement(qn("w:rPr"), {})
        run.insert(0, rpr)
    if scale != 100:
        _set_rpr(rpr, "w:w", val=str(scale))
    _set_rpr(rpr, "w:lang", eastAsia="en-US")
    run.find(qn("w:t")).text = WORD_JOINER.join(text)
    return run


def keep_words_whole(body: Element, styles: Element, names: Collection[str]) -> int:
    """Glue each span ``layout.kept_whole`` finds in ``body``, so no line breaks inside it; how many."""
    formats = _RunFormats(styles)
    # A table docgen sizes has its cells' lines broken by docgen already (``layout.break_lines``),
    # at the widths it measured: gluing there could make a unit wider than its cell.
    glued = 0
    for paragraph in body.iter(qn("w:p")):
        if any(ancestor.tag == qn("w:tbl") and is_autofit(ancestor) for ancestor in paragraph.iterancestors()):
            continue
        paragraph_style = style_id(paragraph)
        runs = list(paragraph.iter(qn("w:r")))
        for run in runs:
            content = [c for c in run if c.tag != qn("w:rPr")]
            if len(content) != 1 or content[0].tag != qn("w:t") or not content[0].text:
                continue
            text = content[0].text
            spans = layout.kept_whole(text, tuple(names))
            if paragraph_style in NO_ORPHAN_STYLES and run is runs[-1]:
                spans = _without_orphan(text, spans)
            if not spans:
                continue
            scale = formats.scale(run, paragraph_style)
            pieces: list[Element] = []
            at = 0
            for start, end in spans:
                if start > at:
                    plain = copy.deepcopy(run)
                    plain.find(qn("w:t")).text = text[at:start]
                    pieces.append(plain)
                pieces.append(_glued_run(run, text[start:end], scale))
                at = end
            if at < len(text):
                plain = copy.deepcopy(run)
                plain.find(qn("w:t")).text = text[at:]
                pieces.append(plain)
            for piece in pieces:
                piece.find(qn("w:t")).set(_XML_SPACE, "preserve")
                run.addprevious(piece)
            run.getparent().remove(run)
            glued += len(spans)
    return glued


def _without_orphan(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with the last word of ``text`` kept whole (at least its last two characters)."""
    end = len(text.rstrip())
    pieces = layout.title_pieces(text[:end])
    width = max(2, len(pieces[-1])) if pieces else 0
    tail = text[end - width : end]
    if end < width or width > layout.GLUED_MAX or not all("\u4e00" <= ch <= "\u9fff" for ch in tail):
        return spans
    if spans and spans[-1][1] > end - width:  # the tail is in a span already, or touches one
        return spans
    return [*spans, (end - width, end)]
