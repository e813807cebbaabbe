"""Landscape table pages (横排表格) turned onto portrait sheets, as GB/T 9704-2012 10.2 prints them.

LibreOffice writes a landscape section as landscape PDF pages with the page number on their long
edge. Printed and bound, that number stands sideways. The standard's form: the page stays a
portrait A4 sheet, the table is turned so its head faces the binding edge on odd pages and the
outer edge on even pages (the left edge on both), and the page number sits upright exactly where
the portrait pages have it.

So each landscape page is rotated counter-clockwise onto a portrait page, except its footer
(the page number), which LibreOffice marks as an /Artifact and draws below the text block: that
is moved, upright, to the portrait page's footer position for its parity. The page object stays
the same, so the structure tree of the tagged PDF/A still points at it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, FloatObject, NameObject, RectangleObject

from docgen import layout
from docgen._io import atomic_write_bytes

Operation = tuple[list[Any], bytes]


def footer_offset_mm(page_number: int) -> tuple[float, float]:
    """How far a landscape page's page number moves (dx, dy in mm) to stand where a portrait one does.

    The footers are the same paragraphs in both orientations (odd: right-aligned one character
    from the right edge of the block; even: left-aligned one character from its left edge;
    7 mm below the block), so the shift is the difference between the two blocks' edges.
    """
    portrait, turned = layout.PAGE, layout.LANDSCAPE
    dy = portrait.bottom_mm - turned.bottom_mm
    if page_number % 2:
        return (portrait.width_mm - portrait.right_mm) - (turned.width_mm - turned.right_mm), dy
    return portrait.left_mm - turned.left_mm, dy


def _sequences(operations: Sequence[Operation]) -> Iterator[list[Operation]]:
    """Top-level marked-content sequences (BMC/BDC … EMC), and single operations between them."""
    depth = 0
    current: list[Operation] = []
    for operation in operations:
        operator = operation[1]
        current.append(operation)
        if operator in (b"BMC", b"BDC"):
            depth += 1
        elif operator == b"EMC":
            depth -= 1
        if depth <= 0:
            yield current
            current = []
            depth = 0
    if current:
        yield current


def _text_y(sequence: list[Operation]) -> list[float]:
    """Baselines (pt, page space) of the text objects in ``sequence`` as LibreOffice writes them."""
    ys = []
    in_text = False
    for operands, operator in sequence:
        if operator == b"BT":
            in_text = True
            first = True
        elif operator == b"ET":
            in_text = False
        elif in_text and first and operator in (b"Td", b"TD"):
            ys.append(float(operands[1]))
            first = False
        elif in_text and operator == b"Tm":
            ys.append(float(operands[5]))
            first = False
    return ys


def _is_footer(sequence: list[Operation], block_bottom_pt: float) -> bool:
    operands, operator = sequence[0]
    if operator not in (b"BMC", b"BDC") or not operands or operands[0] != "/Artifact":
        return False
    ys = _text_y(sequence)
    return bool(ys) and all(y < block_bottom_pt for y in ys)


def turn_operations(operations: Sequence[Operation], page_number: int, height_pt: float) -> tuple[list[Operation], int]:
    """The operations of a landscape page drawn turned onto a portrait page; (operations, footers moved)."""
    block_bottom = layout.LANDSCAPE.bottom_mm * layout.PT_PER_MM
    body: list[Operation] = []
    footer: list[Operation] = []
    for sequence in _sequences(operations):
        (footer if _is_footer(sequence, block_bottom) else body).extend(sequence)
    dx, dy = (v * layout.PT_PER_MM for v in footer_offset_mm(page_number))
    # (x, y) on the landscape page lands at (height - y, x): its top edge goes to the left.
    rotate = [FloatObject(v) for v in (0, 1, -1, 0, height_pt, 0)]
    turned: list[Operation] = [([], b"q"), (rotate, b"cm"), *body, ([], b"Q")]
    if footer:
        shift = [FloatObject(v) for v in (1, 0, 0, 1, dx, dy)]
        turned += [([], b"q"), (shift, b"cm"), *footer, ([], b"Q")]
    return turned, sum(1 for op in footer if op[1] == b"BT")


def _turn_rect(rect: Any, height_pt: float) -> RectangleObject:
    x0, y0, x1, y1 = (float(v) for v in rect)
    return RectangleObject([height_pt - y1, x0, height_pt - y0, x1])


def turn_landscape_pages(pdf: Path) -> int:
    """Rewrite ``pdf`` in place with every landscape page turned for printing; return how many."""
    reader = PdfReader(pdf)
    if all(float(p.mediabox.width) <= float(p.mediabox.height) for p in reader.pages):
        return 0
    writer = PdfWriter(clone_from=reader)
    turned = 0
    for number, page in enumerate(writer.pages, start=1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        if width <= height:
            continue
        content = ContentStream(page.get_contents(), writer)
        content.operations, _ = turn_operations(content.operations, number, height)
        page.replace_contents(content)
        page.compress_content_streams()
        page.mediabox = RectangleObject([0, 0, height, width])
        for box in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
            if box in page:
                del page[NameObject(box)]
        for annotation in page.get("/Annots") or []:
            annot = annotation.get_object()
            if "/Rect" in annot:
                annot[NameObject("/Rect")] = _turn_rect(annot["/Rect"], height)
        turned += 1
    # Keep LibreOffice's document information as it was: PDF/A wants it to agree with the XMP.
    if reader.metadata is not None:
        writer.add_metadata(dict(reader.metadata))
    out = io.BytesIO()
    writer.write(out)
    atomic_write_bytes(pdf, out.getvalue())
    return turned
