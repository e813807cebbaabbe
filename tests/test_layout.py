"""Pure layout arithmetic."""

from __future__ import annotations

from docgen import layout


def test_page_geometry() -> None:
    assert layout.PAGE.block_width_mm == 156
    assert layout.PAGE.block_height_mm == 225
    assert layout.mm_to_twips(25.4) == 1440


def test_28_condensed_characters_fit_the_block() -> None:
    block_pt = layout.PAGE.block_width_mm * layout.PT_PER_MM
    assert layout.CHARS_PER_LINE * layout.CHAR_PITCH_PT <= block_pt
    assert (layout.CHARS_PER_LINE + 1) * layout.CHAR_PITCH_PT > block_pt


def test_line_pitch_fits_22_lines() -> None:
    assert layout.line_pitch_for(layout.LINES_PER_PAGE) == layout.LINE_PITCH_TWIPS
    block_twips = layout.PAGE.block_height_mm * layout.PT_PER_MM * layout.TWIPS_PER_PT
    for lines, pitch in zip((22, 23, 24), layout.LINE_PITCH_STEPS_TWIPS, strict=True):
        assert pitch * lines <= block_twips < pitch * (lines + 1)


def test_signature_is_centred_over_the_date() -> None:
    placed = layout.signature_layout("恩平市科工商务局", "2021年5月24日")
    char = layout.CHAR_PITCH_PT * layout.TWIPS_PER_PT
    assert placed.date_right_twips == round(4 * char)
    date_w = layout.text_width_chars("2021年5月24日") * char
    organ_w = 8 * char
    date_centre = placed.date_right_twips + date_w / 2
    organ_centre = placed.organ_right_twips + organ_w / 2
    assert abs(date_centre - organ_centre) <= 1


def test_a_very_long_organ_name_never_passes_the_margin() -> None:
    placed = layout.signature_layout("恩平市科工商务局恩平市科工商务局恩平市科工商务局", "2021年5月24日")
    assert placed.organ_right_twips == 0
