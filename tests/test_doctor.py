"""docgen doctor reports LibreOffice, fonts and folders, and fails when conversion cannot work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunCli


@pytest.mark.libreoffice
def test_doctor_reports_a_working_machine(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("-w", str(tmp_path), "doctor", "--json")
    assert result.exit_code == 0, result.err
    report = json.loads(result.out)
    assert report["ok"] is True
    assert report["libreoffice"].startswith("LibreOffice 7")
    names = {f["name"]: f for f in report["fonts"]}
    assert names["仿宋_GB2312"]["family"] == "FandolFang"
    assert names["仿宋_GB2312"]["real"] is False
    assert report["folders"]["工作区"] == str(tmp_path.resolve())


def test_doctor_fails_without_libreoffice(tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_SOFFICE", str(tmp_path / "no-soffice"))
    result = run_cli("-w", str(tmp_path), "doctor")
    assert result.exit_code == 1
    assert "找不到 LibreOffice" in result.err
    assert "无法转换" in result.out


def test_doctor_tells_a_hanging_libreoffice_from_a_missing_one(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    hang = tmp_path / "soffice"
    hang.write_text("#!/bin/sh\nsleep 30\n", encoding="utf-8")
    hang.chmod(0o755)
    monkeypatch.setenv("DOCGEN_SOFFICE", str(hang))
    monkeypatch.setenv("DOCGEN_CONVERT_TIMEOUT", "5")  # the shortest time limit docgen accepts
    result = run_cli("-w", str(tmp_path), "doctor")
    assert result.exit_code == 1
    assert "LibreOffice：已安装，但在 5 秒内没有回应" in result.out
    assert "未找到" not in result.out and "没有回应 --version" in result.err


def test_doctor_tells_a_broken_libreoffice_with_its_exit_code(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "soffice"
    broken.write_text("#!/bin/sh\necho 'failed to load libmergedlo.so' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    monkeypatch.setenv("DOCGEN_SOFFICE", str(broken))
    result = run_cli("-w", str(tmp_path), "doctor")
    assert result.exit_code == 1
    assert "LibreOffice：已安装，但无法运行" in result.out
    assert "退出码为 3（failed to load libmergedlo.so）" in result.err
