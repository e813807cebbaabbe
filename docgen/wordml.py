"""WordprocessingML facts the parts that write and read DOCX share.

Writing: schema order and how docgen marks things. Reading: a document as Word shows it — its
automatic numbers written in front of the text ("一、", "（二）", "3."), outline levels and heading
styles, alignment and size, tracked changes accepted (insertions kept, deletions and text moved
away dropped), comments left out, text boxes where they are anchored, tables cell by cell. One
reader for ``docgen format``, ``archive import`` and ``docgen lint``.

Imports nothing from docgen (a shared module, like ``vocab`` and ``layout``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from docx.oxml.ns import qn

Element = Any  # lxml elements carry no useful static type

AUTOFIT_CAPTION = "自动列宽"  # a table whose alt-text title says docgen sizes it
# CT_RPr children in schema order (ECMA-376 17.3.2.28), for placing a property where it belongs.
RPR_ORDER = tuple(
    qn(f"w:{name}")
    for name in (
        *("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline"),
        *("shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing"),
        *("w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText"),
        *("vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"),
    )
)


def style_id(paragraph: Element) -> str | None:
    """The paragraph's style id, or None."""
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return None if style is None else str(style.get(qn("w:val")))


def paragraph_text(paragraph: Element) -> str:
    """The text of a paragraph's runs, as written."""
    return "".join(t.text or "" for t in paragraph.iter(qn("w:t")))


def is_autofit(table: Element) -> bool:
    """Whether docgen sizes this table from what it holds."""
    caption = table.find(f"{qn('w:tblPr')}/{qn('w:tblCaption')}")
    return caption is not None and caption.get(qn("w:val")) == AUTOFIT_CAPTION


# --- reading a document as Word shows it ----------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
CHINESE = "零一二三四五六七八九十"


@dataclass(frozen=True)
class Para:
    """One paragraph of the draft as Word shows it."""

    text: str  # changes accepted, the automatic number written in front, line breaks as "\n"
    label: str = ""  # the automatic number Word draws ("一、"), "" when none
    level: int | None = None  # outline level 1–9 from the numbering, the style or outlineLvl
    style: str = ""
    centered: bool = False
    right: bool = False
    size: float | None = None  # the largest font size of its runs, in points
    bold: bool = False
    where: str = "body"  # "body", "table" (a cell's paragraph), "textbox"
    row: int | None = None  # a table's row and cell, for table paragraphs
    cell: int | None = None
    table: int | None = None  # which of ``WordDraft.tables``, for table paragraphs


@dataclass
class WordDraft:
    """Every paragraph in reading order, and each table's rows of cell texts."""

    paragraphs: list[Para] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)


def _chinese_count(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (as Word's chineseCounting writes them)."""
    if n < 10:
        return CHINESE[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CHINESE[tens]) + "十" + (CHINESE[ones] if ones else "")


def _formatted(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional"):
        return _chinese_count(n)
    if fmt == "decimalFullWidth":
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in {"bullet", "none"}:
        return ""
    return str(n)


class _Numbering:
    """Word's list numbering: which format each (numId, level) draws, and the counters as it counts."""

    def __init__(self, doc: Any) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) → (numFmt, lvlText, start)
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {}
        for item in root.findall(f"{_W}abstractNum"):
            lvls = {}
            for lvl in item.findall(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = _val(lvl.find(f"{_W}numFmt")) or "decimal"
                text = _val(lvl.find(f"{_W}lvlText")) or ""
                start = int(_val(lvl.find(f"{_W}start")) or "1")
                lvls[ilvl] = (fmt, text, start)
            abstract[item.get(f"{_W}abstractNumId")] = lvls
        for num in root.findall(f"{_W}num"):
            num_id = num.get(f"{_W}numId") or ""
            lvls = dict(abstract.get(_val(num.find(f"{_W}abstractNumId")), {}))
            for override in num.findall(f"{_W}lvlOverride"):
                ilvl = int(override.get(f"{_W}ilvl", "0"))
                restart = _val(override.find(f"{_W}startOverride"))
                if restart is not None and restart.isdigit() and ilvl in lvls:
                    fmt, text, _ = lvls[ilvl]
                    lvls[ilvl] = (fmt, text, int(restart))
            for ilvl, spec in lvls.items():
                self.levels[num_id, ilvl] = spec

    def label(self, num_id: str, ilvl: int) -> str:
        """The number the next paragraph of this list and level shows; deeper levels start again."""
        if (num_id, ilvl) not in self.levels or num_id == "0":
            return ""
        _, text, start = self.levels[num_id, ilvl]
        self.counters[num_id, ilvl] = self.counters.get((num_id, ilvl), start - 1) + 1
        for key in [k for k in self.counters if k[0] == num_id and k[1] > ilvl]:
            del self.counters[key]

        def number(match: re.Match[str]) -> str:
            level = int(match[1]) - 1
            lvl_fmt, _, lvl_start = self.levels.get((num_id, level), ("decimal", "", 1))
            return _formatted(self.counters.get((num_id, level), lvl_start), lvl_fmt)

        return re.sub(r"%([1-9])", number, text)


def _val(element: Any) -> str | None:
    return None if element is None else element.get(f"{_W}val")


def _style_chain(doc: Any, style_id: str | None) -> Iterator[Any]:
    """The paragraph's style and the styles it is based on, nearest first."""
    seen = set()
    styles = doc.styles.element
    while style_id and style_id not in seen:
        seen.add(style_id)
        style = styles.find(f"{_W}style[@{_W}styleId='{style_id}']")
        if style is None:
            return
        yield style
        style_id = _val(style.find(f"{_W}basedOn"))


def _text_of(p: Any) -> str:
    """The paragraph's text with tracked changes accepted, text boxes and moved-away text left out."""
    out = []
    for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr"):
        skip = False
        for parent in node.iterancestors():
            if parent is p:
                break
            if parent.tag in (f"{_W}txbxContent", f"{_W}moveFrom", f"{_W}del"):
                skip = True
                break
        if skip:
            continue
        if node.tag == f"{_W}t":
            out.append(node.text or "")
        elif node.tag == f"{_W}tab":
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _inherited(ppr: Any, chain: list[Any], tag: str) -> Any:
    """A paragraph property as it applies: the paragraph's own, else its style's, else the base style's."""
    for props in [ppr, *(style.find(f"{_W}pPr") for style in chain)]:
        found = props.find(f"{_W}{tag}") if props is not None else None
        if found is not None:
            return found
    return None


def _size_and_bold(p: Any, chain: list[Any]) -> tuple[float | None, bool]:
    """The largest font size among the runs that hold text (else the style's), and whether any is bold."""
    sizes, bold = [], False
    for run in p.iter(f"{_W}r"):
        rpr = run.find(f"{_W}rPr")
        if rpr is None or not (run.findtext(f"{_W}t") or "").strip():
            continue
        size = _val(rpr.find(f"{_W}sz"))
        if size and size.isdigit():
            sizes.append(int(size) / 2)
        weight = rpr.find(f"{_W}b")
        bold = bold or (weight is not None and _val(weight) not in ("0", "false"))
    for style in chain if not sizes else []:
        spr = style.find(f"{_W}rPr")
        size = _val(spr.find(f"{_W}sz")) if spr is not None else None
        if size and size.isdigit():
            sizes.append(int(size) / 2)
            break
    return (max(sizes) if sizes else None), bold


def _para(
    doc: Any,
    p: Any,
    numbering: _Numbering,
    where: str,
    *,
    row: int | None = None,
    cell: int | None = None,
    table: int | None = None,
) -> Para:
    ppr = p.find(f"{_W}pPr")
    chain = list(_style_chain(doc, _val(ppr.find(f"{_W}pStyle")) if ppr is not None else None))
    style_name = next((_val(s.find(f"{_W}name")) for s in chain[:1]), None) or ""
    num_pr = _inherited(ppr, chain, "numPr")  # a list the style defines: a template's numbered "Heading 1"
    label, level = "", None
    if num_pr is not None:
        num_id, ilvl = _val(num_pr.find(f"{_W}numId")) or "", int(_val(num_pr.find(f"{_W}ilvl")) or "0")
        label = numbering.label(num_id, ilvl)
        level = ilvl + 1 if label else None
    outline = _val(_inherited(ppr, chain, "outlineLvl")) or "9"
    heading = HEADING_STYLE.match(style_name)
    if heading:
        level = int(heading[1])
    elif outline.isdigit() and int(outline) < 9:
        level = int(outline) + 1
    jc = _val(_inherited(ppr, chain, "jc"))
    size, bold = _size_and_bold(p, chain)
    text = _text_of(p)
    return Para(
        text=label + text if label else text,
        label=label,
        level=level,
        style=style_name,
        centered=jc == "center",
        right=jc in ("right", "end"),
        size=size,
        bold=bold,
        where=where,
        row=row,
        cell=cell,
        table=table,
    )


def read_document(doc: Any) -> WordDraft:
    """Every paragraph of an open python-docx document in reading order: body, text boxes, table cells."""
    numbering = _Numbering(doc)
    draft = WordDraft()
    for block in doc.element.body.iterchildren():
        if block.tag == f"{_W}p":
            for box in block.iter(f"{_W}txbxContent"):
                if any(a.tag.endswith("}Fallback") for a in box.iterancestors()):
                    continue  # Word writes a text box twice: DrawingML, and VML for old readers
                draft.paragraphs += [_para(doc, q, numbering, "textbox") for q in box.iter(f"{_W}p")]
            draft.paragraphs.append(_para(doc, block, numbering, "body"))
        elif block.tag == f"{_W}tbl":
            rows: list[list[str]] = []
            for r, tr in enumerate(block.iter(f"{_W}tr")):
                cells = []
                for c, tc in enumerate(tr.iter(f"{_W}tc")):
                    paras = [
                        _para(doc, q, numbering, "table", row=r, cell=c, table=len(draft.tables))
                        for q in tc.iter(f"{_W}p")
                    ]
                    draft.paragraphs += paras
                    cells.append("\n".join(q.text for q in paras).strip())
                rows.append(cells)
            draft.tables.append(rows)
    return draft


def body_texts(doc: Any) -> list[str]:
    """The text of each body paragraph of an open python-docx document, as Word shows it.

    One per ``doc.paragraphs``, in their order: Word's automatic numbers in front, tracked
    changes accepted, text boxes left out (what ``docgen lint`` reads a draft by).
    """
    numbering = _Numbering(doc)
    return [_para(doc, p._p, numbering, "body").text for p in doc.paragraphs]
