"""A LibreOffice that hangs or fails gives a clear error, exit 1 and no output file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CASE, RunCli


def fake_soffice(tmp_path: Path, body: str) -> Path:
    """An executable in soffice's place that misbehaves as LibreOffice sometimes does."""
    exe = tmp_path / "bin" / "soffice"
    exe.parent.mkdir()
    exe.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    exe.chmod(0o755)
    return exe


def test_hanging_conversion_is_killed(tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "child.pid"
    exe = fake_soffice(tmp_path, f"sleep 300 & echo $! > {marker}\nwait")
    monkeypatch.setenv("DOCGEN_SOFFICE", str(exe))
    monkeypatch.setenv("DOCGEN_CONVERT_TIMEOUT", "5")  # the shortest time limit docgen accepts
    out = tmp_path / "out"
    started = time.monotonic()
    result = run_cli("-w", str(tmp_path), "render", str(EXAMPLE_CASE), "-o", str(out))
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    assert "秒内没有完成" in result.err and "已终止" in result.err
    assert not out.exists()
    child = int(marker.read_text())
    time.sleep(0.2)
    assert not alive(child), "the whole process group was killed, not only the shell"


def alive(pid: int) -> bool:
    """True if ``pid`` runs; a killed orphan may linger as a zombie until init reaps it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_failing_conversion_names_the_document(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 1")
    monkeypatch.setenv("DOCGEN_SOFFICE", str(exe))
    out = tmp_path / "out"
    result = run_cli("-w", str(tmp_path), "render", str(EXAMPLE_CASE), "-o", str(out))
    assert result.exit_code == 1
    assert "未能把" in result.err and "notice.docx" in result.err
    assert "source file could not be loaded" in result.err
    assert not out.exists()


def test_docx_only_needs_no_libreoffice(tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCGEN_SOFFICE", str(tmp_path / "missing"))
    out = tmp_path / "out"
    result = run_cli("-w", str(tmp_path), "render", str(EXAMPLE_CASE), "-o", str(out), "--format", "docx")
    assert result.exit_code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == ["notice.docx"]
