"""DOCX to PDF conversion with headless LibreOffice.

``Converter`` is the seam: the one-shot ``LibreOfficeConverter`` here serves single documents;
a pooled converter (batch) or an OFD writer can stand behind the same protocol later.
Every run gets its own LibreOffice profile folder (two soffice processes sharing one profile
refuse to run) and the private font configuration from ``docgen.fonts``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from docgen._io import atomic_copy
from docgen.convert.fonts import write_conversion_config
from docgen.convert.keepwhole import glue_words
from docgen.convert.sanitize import clean_docx
from docgen.errors import ConversionError, DocgenError, LibreOfficeBrokenError
from docgen.readback import PDFA_PART, pdf_opens

# The JSON filter-options form; LibreOffice 7.4 silently ignores the older "SelectPdfVersion=2".
PDFA2B_FILTER = "pdf:writer_pdf_Export:" + json.dumps({"SelectPdfVersion": {"type": "long", "value": str(PDFA_PART)}})


class Converter(Protocol):
    """Turns DOCX files into PDF files."""

    def convert(self, jobs: Sequence[tuple[Path, Path]]) -> None:
        """Convert each ``(docx, pdf)`` pair; write every PDF atomically or raise."""

    def convert_each(
        self, jobs: Sequence[tuple[Path, Path]], on_done: Callable[[int, str | None], None] | None = None
    ) -> dict[int, str]:
        """Convert what can be converted; return the failures as {job index: reason}."""


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
    if result.returncode != 0 or not result.stdout.strip():
        said = (result.stderr.strip().splitlines() or ["没有输出"])[-1]
        msg = (
            f"LibreOffice（{exe}）无法运行：--version 的退出码为 {result.returncode}（{said[:120]}）。"
            "安装可能已损坏，请重新安装（Debian：apt install --reinstall libreoffice-writer）。"
        )
        raise LibreOfficeBrokenError(msg)
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


# LibreOffice's own settings for every profile docgen starts it with: links to images and files
# outside the document are not followed (measured: an external image relationship made 7.4 send
# OPTIONS, HEAD and GET, and embedded a file:/// image; with these, neither), links never
# updated, no macro run.
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">\
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update">\
<prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
</oor:items>
"""


def prepare_profile(profile: Path) -> None:
    """Give a new LibreOffice profile docgen's settings before soffice first starts with it."""
    settings = profile / "user" / "registrymodifications.xcu"
    if not settings.exists():
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(PROFILE_SETTINGS, encoding="utf-8")


@functools.cache
def offline_prefix() -> tuple[str, ...]:
    """The command that starts soffice without a network (a namespace of its own), or () where none can.

    As root ``unshare --net`` does; otherwise a user namespace may allow it. The settings above
    block links either way; this is the second lock.
    """
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    for prefix in ((unshare, "--net"), (unshare, "--map-root-user", "--net")):
        try:
            probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if probe.returncode == 0:
            return prefix
    return ()


def run_batch(
    exe: str,
    jobs: Sequence[tuple[Path, Path]],
    *,
    profile: Path,
    timeout: float,
    font_dirs: Sequence[Path],
    pdfa: bool = True,
    on_ready: Callable[[int], None] | None = None,
) -> dict[int, str]:
    """Convert ``jobs`` in one soffice process; return failures as {job index: reason}.

    ``timeout`` is per document: LibreOffice writes each PDF when it finishes it, so a process
    that produces nothing new for that long is hung, and its whole process group is killed.
    ``on_ready(i)`` hears of each PDF in place, while soffice goes on with the next documents
    (the caller's reading overlaps the conversion); a job it heard of is never a failure.
    """
    failures: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="docgen-lo-") as tmp_name:
        tmp = Path(tmp_name)
        outdir, indir = tmp / "out", tmp / "in"
        outdir.mkdir()
        indir.mkdir()
        # Staged copies under unique stems (two inputs named notice.docx must not collide), each
        # without what could reach out of the document (``sanitize``).
        staged: dict[int, Path] = {}
        for i, (docx, _pdf) in enumerate(jobs):
            copy = indir / f"{i:05d}.docx"
            try:
                clean_docx(docx, copy)
                glue_words(copy)  # what a printed line keeps whole: in this copy only, not the clerk's
            except DocgenError as exc:
                failures[i] = exc.message
                continue
            staged[i] = copy
        if not staged:
            return failures
        prepare_profile(profile)
        env = {**os.environ, "FONTCONFIG_FILE": str(write_conversion_config(tmp / "fontconfig", font_dirs))}
        cmd = [
            *offline_prefix(),
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            PDFA2B_FILTER if pdfa else "pdf",
            "--outdir",
            str(outdir),
            *map(str, staged.values()),
        ]
        ready: set[int] = set()

        def take(i: int) -> bool:
            """Put job ``i``'s PDF in place if it is whole; True when it is."""
            produced = outdir / f"{staged[i].stem}.pdf"
            if i in ready or not (is_pdf(produced) and pdf_opens(produced)):
                return i in ready
            atomic_copy(produced, jobs[i][1])
            ready.add(i)
            if on_ready:
                on_ready(i)
            return True

        log = tmp / "soffice.log"
        with log.open("w") as log_fh:
            proc = subprocess.Popen(cmd, stdout=log_fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)
            hung = _watch(proc, outdir, timeout, take)
        detail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        hint = f"（LibreOffice 输出：{detail[-1]}）" if detail else ""
        for i, copy in staged.items():
            docx = jobs[i][0]
            produced = outdir / f"{copy.stem}.pdf"
            if take(i):
                continue
            if produced.exists() and not hung:
                failures[i] = f"LibreOffice 为 {docx.name} 写出的 PDF 已损坏，无法打开{hint}"
            elif hung:
                failures[i] = f"LibreOffice 在 {timeout:g} 秒内没有完成 {docx.name} 的转换，已终止"
            else:
                failures[i] = f"LibreOffice 未能把 {docx} 转换为 PDF{hint}"
    return failures


def _watch(proc: subprocess.Popen[bytes], outdir: Path, timeout: float, take: Callable[[int], bool]) -> bool:
    """Wait for soffice; kill it when no new PDF appears for ``timeout`` seconds. True if killed.

    soffice converts its documents in the order given, so once a PDF appears every earlier one
    is finished and is handed to ``take`` at once. An error there kills soffice too.
    """
    seen, last_progress = 0, time.monotonic()
    try:
        while proc.poll() is None:
            produced = sorted(outdir.glob("*.pdf"))
            now = time.monotonic()
            if len(produced) > seen:
                seen, last_progress = len(produced), now
                for earlier in produced[:-1]:
                    take(int(earlier.stem))
            elif now - last_progress > timeout:
                _kill(proc)
                return True
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            _kill(proc)
    return False


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class ConvertsAll:
    """``convert`` for converters that implement ``convert_each``: all converted, or an error."""

    def convert_each(
        self, jobs: Sequence[tuple[Path, Path]], on_done: Callable[[int, str | None], None] | None = None
    ) -> dict[int, str]:
        """Convert what can be converted; return the failures as {job index: reason}."""
        raise NotImplementedError

    def convert(self, jobs: Sequence[tuple[Path, Path]]) -> None:
        """Convert every ``(docx, pdf)`` pair, or raise naming what failed."""
        failures = self.convert_each(jobs)
        if failures:
            raise ConversionError("；".join(failures.values()))


@dataclass
class LibreOfficeConverter(ConvertsAll):
    """One soffice run per call, converting all given documents in that run.

    Used as a context manager it keeps one profile folder for all its calls (a document's fit
    rounds): a profile made afresh costs about half a second at every start.
    """

    soffice: str = "soffice"
    timeout: float = 180.0
    font_dirs: tuple[Path, ...] = ()
    pdfa: bool = True
    _profile: Path | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> LibreOfficeConverter:
        self._profile = Path(tempfile.mkdtemp(prefix="docgen-profile-"))
        return self

    def __exit__(self, *_: object) -> None:
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
        self._profile = None

    def convert_each(
        self, jobs: Sequence[tuple[Path, Path]], on_done: Callable[[int, str | None], None] | None = None
    ) -> dict[int, str]:
        """Convert in one run; return the failures."""
        if not jobs:
            return {}
        if self._profile is None:  # not inside ``with``: a fresh profile for this call alone
            with self:
                return self.convert_each(jobs, on_done)
        exe = find_soffice(self.soffice)
        heard: set[int] = set()

        def ready(i: int) -> None:
            heard.add(i)
            if on_done:
                on_done(i, None)

        failures = run_batch(
            exe,
            jobs,
            profile=self._profile,
            timeout=self.timeout,
            font_dirs=self.font_dirs,
            pdfa=self.pdfa,
            on_ready=ready,
        )
        if failures:  # a killed soffice may leave its profile locked: the next call starts afresh
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile.mkdir()
        for i in range(len(jobs)):
            if i not in heard and on_done:
                on_done(i, failures.get(i))
        return failures
