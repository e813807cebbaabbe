"""WordprocessingML facts the parts that write DOCX share: schema order and how docgen marks things.

Imports nothing from docgen (a shared module, like ``vocab`` and ``layout``).
"""

from __future__ import annotations

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
