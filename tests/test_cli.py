"""Every command has Chinese help; the program answers --version."""

from __future__ import annotations

import re

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
