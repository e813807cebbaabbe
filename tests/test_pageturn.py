"""横排表格 pages printed as GB/T 9704 10.2 shows them: portrait sheets, table turned, page number upright."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf.generic import FloatObject, NameObject

from docgen import layout
from docgen.convert.pageturn import footer_offset_mm, turn_operations
from tests.pdfmeasure import page_forms, read_lines


def test_the_page_number_moves_to_where_portrait_pages_have_it() -> None:
    # Odd pages: right edge of the number one character inside the block's right edge.
    assert footer_offset_mm(1) == pytest.approx((184 - 260, 35 - 26))
    # Even pages: left edge one character inside the block's left edge.
    assert footer_offset_mm(2) == pytest.approx((28 - 35, 35 - 26))


def test_footer_artifacts_stay_upright_and_the_rest_turns() -> None:
    footer_y = (layout.LANDSCAPE.bottom_mm - 7) * layout.PT_PER_MM
    body: list[tuple[list[Any], bytes]] = [
        ([NameObject("/Span")], b"BDC"),
        ([], b"BT"),
        ([FloatObject(100), FloatObject(400)], b"Td"),
        ([], b"ET"),
        ([], b"EMC"),
    ]
    footer: list[tuple[list[Any], bytes]] = [
        ([NameObject("/Artifact")], b"BMC"),
        ([], b"BT"),
        ([FloatObject(120), FloatObject(footer_y)], b"Td"),
        ([], b"ET"),
        ([], b"EMC"),
    ]
    operations, moved = turn_operations(body + footer, page_number=3, height_pt=595.3)
    assert moved == 1
    assert operations[1] == ([0, 1, -1, 0, pytest.approx(595.3), 0], b"cm")  # counter-clockwise
    assert operations[2 : 2 + len(body)] == body
    shift = operations[2 + len(body) + 2]
    assert shift[1] == b"cm" and shift[0][:4] == [1, 0, 0, 1], "the footer is moved, not turned"
    assert operations[-len(footer) - 1 : -1] == footer


@pytest.mark.libreoffice
@pytest.mark.parametrize("case", ["enping", "taishan"])
def test_every_page_of_the_set_is_portrait_with_its_number_in_the_same_place(
    rendered_kinds: dict[str, Path], case: str
) -> None:
    forms = page_forms(rendered_kinds[case] / "set.pdf")
    assert any(f.turned for f in forms), "the task table is turned"
    assert all((round(f.width), round(f.height)) == (210, 297) for f in forms), "portrait A4 only"
    numbered = [f for f in forms if f.number is not None]
    assert [f.number for f in numbered] == [str(n) for n in range(1, len(numbered) + 1)]
    for parity in (0, 1):
        same = [f for f in numbered if int(f.number or 0) % 2 == parity]
        assert same
        # odd pages line up on the number's right edge, even pages on its left edge
        edges = [f.number_x1 if parity else f.number_x0 for f in same]
        assert max(e or 0 for e in edges) - min(e or 0 for e in edges) < 0.3, edges
        tops = [f.number_top or 0 for f in same]
        assert max(tops) - min(tops) < 0.3, tops
    assert abs((numbered[0].number_x1 or 0) - (184 - 14 * 25.4 / 72)) < 0.5, "odd: one character from the right"


@pytest.mark.libreoffice
def test_the_table_head_faces_the_left_edge_on_odd_and_even_pages(rendered_kinds: dict[str, Path]) -> None:
    import pdfplumber

    with pdfplumber.open(rendered_kinds["enping"] / "tasks.pdf") as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            turned = [c for c in page.chars if not c["upright"]]
            head = [c for c in turned if "Sans" in c["fontname"] and c["size"] < 15]  # the 黑体 head row
            body = [c for c in turned if "Fang" in c["fontname"]]
            assert head and body
            # The head row is the table's top: turned counter-clockwise it stands nearest the left edge.
            assert max(c["x1"] for c in head) < min(c["x0"] for c in body)
    lines = [ln for ln in read_lines(rendered_kinds["enping"] / "tasks.pdf") if ln.text.replace(" ", "") == "—1—"]
    assert lines and lines[0].x1 > 150, "page 1 is odd: its number stands at the right"
