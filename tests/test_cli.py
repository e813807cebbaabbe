"""Every command has Chinese help; the program answers --version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from docgen import __version__
from docgen.cli import cli
from tests.conftest import RunCli


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_chinese_help(run_cli: RunCli, command: str) -> None:
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert re.search(r"[\u4e00-\u9fff]", result.out)


def test_version(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.out


def test_unknown_option_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("render", "--no-such-option")
    assert result.exit_code == 2
    assert "Traceback" not in result.err


def every_command() -> list[tuple[str, ...]]:
    """Every command path of the CLI: (), ("render",), ("number", "next") …"""
    import click

    from docgen.cli import cli

    paths: list[tuple[str, ...]] = []

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        paths.append(path)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))

    walk(cli, ())
    return paths


def test_every_help_reads_as_clean_chinese(run_cli: RunCli) -> None:
    paths = every_command()
    assert len(paths) > 20
    for path in paths:
        result = run_cli(*path, "--help")
        assert result.exit_code == 0, path
        text = result.out
        for english in ("Show the version and exit.", "Show this message and exit.", "Usage:", "Options:", "[default"):
            assert english not in text, (path, english)
        assert "。." not in text and "\\b" not in text, path
        assert "用法：docgen" in text and "显示本帮助后退出。" in text, path
        assert "选项：" in text and "选项:" not in text, path
        assert not re.search(r"\b(TEXT|INTEGER|FLOAT)\b", text), path  # Click's placeholders, in English
        # No gap where Click joined two lines of a Chinese paragraph (……退出码 1）。 中断后……).
        for line in text.splitlines():
            assert not re.search(r"[，。；：、）] +[\u4e00-\u9fff]", line), (path, line)


def test_clicks_own_errors_read_as_chinese(run_cli: RunCli) -> None:
    missing = run_cli("render")
    assert missing.exit_code == 2 and "缺少参数 'CASE'。" in missing.err
    wrong = run_cli("batch", "x.yaml", "--jobs", "abc")
    assert wrong.exit_code == 2 and "'abc' 不是有效的数字。" in wrong.err
    assert "integer" not in wrong.err
    outside = run_cli("batch", "x.yaml", "--jobs", "0")
    assert outside.exit_code == 2 and "0 不在 1<=x<=64 的范围内。" in outside.err


@pytest.mark.parametrize("command", ["render", "issue", "lint"])
def test_an_error_under_json_is_json_on_stdout_with_each_fault_placed(
    tmp_path: Path, run_cli: RunCli, command: str
) -> None:
    case = tmp_path / "bad.yaml"
    case.write_text("notice:\n  title: 关于开展检查的通知\n", encoding="utf-8")
    result = run_cli("-w", str(tmp_path), command, str(case), "--json")
    assert result.exit_code == 1
    said = json.loads(result.out)
    assert said["exit_code"] == 1 and "缺少必填字段" in said["error"]
    fields = {p["field"].split("（")[0] for p in said["problems"]}
    assert {"issuer", "year", "notice.number"} <= fields
    assert all(p["file"] == str(case) and p["line"] == 1 for p in said["problems"])
    assert "错误：" in result.err, "a person at the terminal still reads the message"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"], "nothing written"
