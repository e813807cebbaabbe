"""Validation of the whole-set fields: as clear as the notice's, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CASE, RunCli


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE_CASE.read_text(encoding="utf-8")
    assert old in text, old
    case = tmp_path / "case.yaml"
    case.write_text(text.replace(old, new, 1), encoding="utf-8")
    return case


def line_of(case: Path, fragment: str) -> int:
    lines = case.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "field", "message", "marker"),
    [
        (
            "  enterprises: [hengda, yuexi,",
            "  enterprises: [hengda, nobody,",
            "announcement.enterprises.1（公告企业）",
            "引用的企业 nobody 未在 enterprises 中定义",
            "[hengda, nobody,",
        ),
        (
            "credit_code: 91440785MA4W5F6G7N",
            "credit_code: 91440785MA4W5F6G7X",
            "enterprises.huayi.credit_code（统一社会信用代码）",
            "校验位不对",
            "91440785MA4W5F6G7X",
        ),
        (
            "credit_code: 91440785MA4W5F6G7N",
            "credit_code: 9144078A",
            "enterprises.huayi.credit_code（统一社会信用代码）",
            "应为 18 位",
            "credit_code: 9144078A",
        ),
        (
            "credit_code: 91440785MA4W5F6G7N",
            "credit_code: 1234567",
            "enterprises.huayi.credit_code（统一社会信用代码）",
            "请加引号",
            "credit_code: 1234567",
        ),
        (
            "exit_method: 封存",
            "exit_method: 停产",
            "enterprises.huayi.exit_method（退出方式）",
            "拆除",
            "exit_method: 停产",
        ),
        (
            "{name: 长网造纸机, model: 1760mm, quantity: 1}",
            "{name: 长网造纸机, model: 1760mm, quantity: 0}",
            "enterprises.jinjiang.equipment.0.quantity（数量）",
            "",
            "quantity: 0",
        ),
        (
            "capacity: {value: 20, unit: 万吨/年}",
            "capacity: {value: 20}",
            "enterprises.yuexi.capacity.unit（产能单位）",
            "缺少必填字段",
            "capacity: {value: 20}",
        ),
        (
            "    - heading: 总体要求",
            "    - heading: 一、总体要求",
            "plan.sections.0.heading（标题）",
            "不要自己写序号",
            "一、总体要求",
        ),
        (
            "acceptance_date: 2021-10-12",
            "acceptance_date: 十月",
            "enterprises.huayi.acceptance_date（验收时间）",
            "应为日期",
            "acceptance_date: 十月",
        ),
        (
            "  title: 落后产能退出验收记录",
            "  title: 落后产能退出验收记录\n  enterprises: [huayi, ghost]",
            "acceptance.enterprises.1（验收企业）",
            "ghost",
            "[huayi, ghost]",
        ),
    ],
)
def test_field_errors(
    tmp_path: Path, run_cli: RunCli, old: str, new: str, field: str, message: str, marker: str
) -> None:
    case = edited(tmp_path, old, new)
    out = tmp_path / "out"
    result = run_cli("-w", str(tmp_path), "render", str(case), "-k", "set", "-o", str(out))
    assert result.exit_code == 1
    assert field in result.err
    assert message in result.err
    assert f"第{line_of(case, marker)}行" in result.err
    assert str(case) in result.err
    assert not out.exists()


def test_plan_deeper_than_four_levels(tmp_path: Path, run_cli: RunCli) -> None:
    deep = (
        "    - heading: 总体要求\n      sections:\n        - heading: 二级\n          sections:\n"
        "            - heading: 三级\n              sections:\n                - heading: 四级\n"
        "                  sections:\n                    - heading: 五级\n"
    )
    case = edited(tmp_path, "    - heading: 总体要求\n", deep + "    - heading: 总体要求\n")
    result = run_cli("-w", str(tmp_path), "render", str(case), "-k", "plan", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "最多四级" in result.err and "四级" in result.err
    assert "plan.sections" in result.err


def test_missing_part_for_a_kind(tmp_path: Path, run_cli: RunCli) -> None:
    text = EXAMPLE_CASE.read_text(encoding="utf-8")
    start, end = text.index("announcement:"), len(text)
    case = tmp_path / "case.yaml"
    case.write_text(text[:start] + text[end:], encoding="utf-8")
    result = run_cli("-w", str(tmp_path), "render", str(case), "-k", "announcement", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "没有 announcement" in result.err
    assert not (tmp_path / "out").exists()
