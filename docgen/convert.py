"""DOCX to PDF conversion with headless LibreOffice.

``Converter`` is the seam: the one-shot ``LibreOfficeConverter`` here serves single documents;
a pooled converter (batch) or an OFD writer can stand behind the same protocol later.
Every run gets its own LibreOffice profile folder (two soffice processes sharing one profile
refuse to run) and the private font configuration from ``docgen.fonts``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from docgen._io import atomic_copy
from docgen.errors import ConversionError
from docgen.fonts import write_conversion_config

# The JSON filter-options form; LibreOffice 7.4 silently ignores the older "SelectPdfVersion=2".
PDFA2B_FILTER = "pdf:writer_pdf_Export:" + json.dumps({"SelectPdfVersion": {"type": "long", "value": "2"}})


class Converter(Protocol):
    """Turns DOCX files into PDF files."""

    def convert(self, jobs: Sequence[tuple[Path, Path]]) -> None:
        """Convert each ``(docx, pdf)`` pair; write every PDF atomically or raise."""


def find_soffice(soffice: str) -> str:
    """Return the path of the LibreOffice executable or raise a clear error."""
    found = shutil.which(soffice)
    if found is None:
        msg = (
            f"找不到 LibreOffice（{soffice}）。请运行 make demo 安装，"
            "或在 docgen.toml 的 [conversion] soffice 中写明路径。"
        )
        raise ConversionError(msg)
    return found


def libreoffice_version(soffice: str, timeout: float = 60) -> str:
    """Return LibreOffice's version line."""
    exe = find_soffice(soffice)
    with tempfile.TemporaryDirectory(prefix="docgen-lo-") as tmp:
        result = _run([exe, f"-env:UserInstallation={Path(tmp).as_uri()}", "--version"], timeout, os.environ.copy())
    return result.stdout.strip()


def _run(cmd: list[str], timeout: float, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A session of its own lets a timeout kill soffice together with its oosplash parent.
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        msg = (
            f"LibreOffice 在 {timeout:g} 秒内没有完成转换，已终止。"
            "可在 docgen.toml 的 [conversion] timeout 中放宽时限。"
        )
        raise ConversionError(msg) from exc
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def is_pdf(path: Path) -> bool:
    """Tell whether ``path`` is a non-empty file that starts like a PDF and ends like one."""
    try:
        size = path.stat().st_size
        if size < 64:
            return False
        with path.open("rb") as fh:
            head = fh.read(5)
            fh.seek(max(0, size - 1024))
            tail = fh.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


@dataclass(frozen=True)
class LibreOfficeConverter:
    """One soffice run per call, converting all given documents in that run."""

    soffice: str = "soffice"
    timeout: float = 180.0
    font_dirs: tuple[Path, ...] = ()
    pdfa: bool = True

    def convert(self, jobs: Sequence[tuple[Path, Path]]) -> None:
        """Convert each ``(docx, pdf)`` pair in one LibreOffice run."""
        if not jobs:
            return
        exe = find_soffice(self.soffice)
        with tempfile.TemporaryDirectory(prefix="docgen-lo-") as tmp_name:
            tmp = Path(tmp_name)
            outdir = tmp / "out"
            outdir.mkdir()
            # Staged copies under unique stems: two inputs named notice.docx must not collide.
            staged = []
            for i, (docx, _pdf) in enumerate(jobs):
                copy = tmp / "in" / f"{i:05d}.docx"
                copy.parent.mkdir(exist_ok=True)
                shutil.copyfile(docx, copy)
                staged.append(copy)
            env = {**os.environ, "FONTCONFIG_FILE": str(write_conversion_config(tmp / "fontconfig", self.font_dirs))}
            cmd = [
                exe,
                f"-env:UserInstallation={(tmp / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--nologo",
                "--convert-to",
                PDFA2B_FILTER if self.pdfa else "pdf",
                "--outdir",
                str(outdir),
                *map(str, staged),
            ]
            result = _run(cmd, self.timeout * len(jobs), env)
            for copy, (docx, pdf) in zip(staged, jobs, strict=True):
                produced = outdir / f"{copy.stem}.pdf"
                if not is_pdf(produced):
                    detail = (result.stderr or result.stdout).strip().splitlines()
                    hint = f"（LibreOffice 输出：{detail[-1]}）" if detail else ""
                    msg = f"LibreOffice 未能把 {docx} 转换为 PDF{hint}"
                    raise ConversionError(msg)
                atomic_copy(produced, pdf)
