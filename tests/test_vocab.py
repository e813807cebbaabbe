"""发文字号 parsing and formatting."""

from __future__ import annotations

import pytest

from docgen.vocab import DocNumber, format_number, parse_number


def test_format_follows_gbt9704() -> None:
    assert format_number("恩科工商务字", 2021, 58) == "恩科工商务字〔2021〕58号"
    assert str(DocNumber("粤工信规划政策函", 2021, 20)) == "粤工信规划政策函〔2021〕20号"


def test_correct_number_has_no_problems() -> None:
    parsed = parse_number("恩科工商务字〔2021〕58号")
    assert parsed is not None
    assert parsed.number == DocNumber("恩科工商务字", 2021, 58)
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("恩科工商务字[2021]58号", "六角括号"),
        ("恩科工商务字【2021】58号", "六角括号"),
        ("恩科工商务字（2021）58号", "六角括号"),
        ("恩科工商务字(2021)58号", "六角括号"),
        ("恩科工商务字﹝2021﹞58号", "六角括号"),
        ("恩科工商务字〔2021〕058号", "前导零"),
        ("恩科工商务字〔2021〕第58号", "第"),
        ("恩科工商务字 〔2021〕 58号", "空格"),
    ],
)
def test_lookalikes_parse_with_a_correction(typed: str, problem: str) -> None:
    parsed = parse_number(typed)
    assert parsed is not None
    assert str(parsed.number) == "恩科工商务字〔2021〕58号"
    assert any(problem in p for p in parsed.problems), parsed.problems


@pytest.mark.parametrize("typed", ["58号", "恩科工商务字〔21〕58号", "恩科工商务字〔2021〕", "2021年第45号", ""])
def test_unrecognisable(typed: str) -> None:
    assert parse_number(typed) is None
