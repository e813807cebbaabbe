"""Bad case files: a clear Chinese message naming file, line and field; exit 1; nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CASE, RunCli


def write_case(tmp_path: Path, replace: dict[str, str] | None = None, append: str = "") -> Path:
    text = EXAMPLE_CASE.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    case = tmp_path / "case.yaml"
    case.write_text(text + append, encoding="utf-8")
    return case


def line_of(case: Path, fragment: str) -> int:
    for number, line in enumerate(case.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def render_fails(run_cli: RunCli, case: Path, out: Path) -> str:
    result = run_cli("-w", str(out.parent), "render", str(case), "-o", str(out))
    assert result.exit_code == 1, result
    assert "Traceback" not in result.err
    assert not out.exists() or not any(out.iterdir()), "nothing may be written on error"
    return result.err


def test_missing_required_field(tmp_path: Path, run_cli: RunCli) -> None:
    case = write_case(tmp_path, {"  title: 关于印发恩平市2021年度推动落后产能退出工作计划的通知\n": ""})
    err = render_fails(run_cli, case, tmp_path / "out")
    assert str(case) in err
    assert "notice.title（标题）" in err
    assert "缺少必填字段" in err
    assert f"第{line_of(case, 'notice:')}行" in err


def test_wrong_type(tmp_path: Path, run_cli: RunCli) -> None:
    case = write_case(
        tmp_path, {"  body:                                  # 正文，每项一段\n    - 根据": "  body: 根据"}
    )
    case.write_text(case.read_text(encoding="utf-8"), encoding="utf-8")
    err = render_fails(run_cli, case, tmp_path / "out")
    assert "notice.body（正文段落）" in err
    assert "应为列表" in err
    assert f"第{line_of(case, '  body: 根据')}行" in err


def test_wrong_date(tmp_path: Path, run_cli: RunCli) -> None:
    case = write_case(tmp_path, {"  date: 2021-05-24 ": "  date: 2021年13月40日 "})
    err = render_fails(run_cli, case, tmp_path / "out")
    assert "notice.date（成文日期）" in err
    assert "日期不存在" in err
    assert f"第{line_of(case, '2021年13月40日')}行" in err


def test_unknown_key(tmp_path: Path, run_cli: RunCli) -> None:
    case = write_case(tmp_path, {"  note: ": "  nots: 拼错的字段\n  note: "})
    err = render_fails(run_cli, case, tmp_path / "out")
    assert "notice.nots" in err
    assert "未知字段" in err
    assert f"第{line_of(case, 'nots:')}行" in err


def test_yaml_syntax_error(tmp_path: Path, run_cli: RunCli) -> None:
    case = write_case(tmp_path, append="notice2: [未闭合\n  - x\n")
    err = render_fails(run_cli, case, tmp_path / "out")
    assert "YAML 格式错误" in err
    assert str(case) in err
    assert "行" in err


def test_missing_case_file(tmp_path: Path, run_cli: RunCli) -> None:
    err = render_fails(run_cli, tmp_path / "不存在.yaml", tmp_path / "out")
    assert "不存在.yaml" in err
    assert "文件不存在" in err


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("恩科工商务字[2021]58号", "六角括号"),
        ("恩科工商务字【2021】58号", "六角括号"),
        ("恩科工商务字﹝2021﹞58号", "六角括号"),
        ("恩科工商务字〔2021〕058号", "前导零"),
        ("恩科工商务字〔2021〕第58号", "第"),
        ("58号", "不是有效的发文字号"),
    ],
)
def test_bad_document_number(tmp_path: Path, run_cli: RunCli, typed: str, hint: str) -> None:
    case = write_case(tmp_path, {"number: 恩科工商务字〔2021〕58号": f"number: {typed}"})
    err = render_fails(run_cli, case, tmp_path / "out")
    assert "notice.number（发文字号）" in err
    assert hint in err
    if "六角括号" in hint:
        assert "应写作 恩科工商务字〔2021〕58号" in err


def test_every_problem_is_reported_at_once(tmp_path: Path, run_cli: RunCli) -> None:
    case = write_case(
        tmp_path, {"  date: 2021-05-24 ": "  date: 明天 ", "  disclosure: 主动公开": "  disclosure: 公开"}
    )
    err = render_fails(run_cli, case, tmp_path / "out")
    assert "2 处错误" in err
    assert "notice.date" in err
    assert "notice.disclosure" in err


def test_empty_case_file(tmp_path: Path, run_cli: RunCli) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("", encoding="utf-8")
    err = render_fails(run_cli, case, tmp_path / "out")
    assert "第1行" in err
