"""docgen numbers plan headings itself: 一、/（一）/1./（1）, any width, up to four levels."""

from __future__ import annotations

import pytest

from docgen.case.model import Section
from docgen.render.context import number_sections
from docgen.vocab import chinese_numeral


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
    ],
)
def test_chinese_numerals(n: int, text: str) -> None:
    assert chinese_numeral(n) == text


def tree(width: int, depth: int) -> list[Section]:
    if depth == 0:
        return []
    return [
        Section(heading=f"标题{depth}-{i}", body=[f"段落{depth}-{i}"], sections=tree(width, depth - 1))
        for i in range(1, width + 1)
    ]


def test_four_levels_and_width_twelve() -> None:
    paragraphs = number_sections(tree(12, 4))
    headings = [p for p in paragraphs if p.level]
    assert len(headings) == 12 + 12**2 + 12**3 + 12**4
    numbers = {level: [p.number for p in headings if p.level == level] for level in range(1, 5)}
    assert numbers[1] == [f"{chinese_numeral(i)}、" for i in range(1, 13)]
    assert numbers[1][9:] == ["十、", "十一、", "十二、"]
    assert numbers[2][:12] == [f"（{chinese_numeral(i)}）" for i in range(1, 13)]
    assert numbers[2][10] == "（十一）"
    assert numbers[3][:12] == [f"{i}." for i in range(1, 13)]
    assert numbers[4][:12] == [f"（{i}）" for i in range(1, 13)]
    # Numbering restarts under every parent.
    assert numbers[2][12] == "（一）"
    assert numbers[4][12] == "（1）"


def test_order_is_depth_first_with_body_after_its_heading() -> None:
    paragraphs = number_sections(tree(2, 2))
    shown = [(p.level, p.number or p.text) for p in paragraphs]
    assert shown == [
        (1, "一、"),
        (0, "段落2-1"),
        (2, "（一）"),
        (0, "段落1-1"),
        (2, "（二）"),
        (0, "段落1-2"),
        (1, "二、"),
        (0, "段落2-2"),
        (2, "（一）"),
        (0, "段落1-1"),
        (2, "（二）"),
        (0, "段落1-2"),
    ]


def test_run_in_text_stays_with_its_heading() -> None:
    [heading] = number_sections([Section(heading="加强统筹协调。", text="充分发挥作用。")])
    assert (heading.number, heading.heading, heading.text) == ("一、", "加强统筹协调。", "充分发挥作用。")
