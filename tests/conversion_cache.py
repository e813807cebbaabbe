"""Each distinct DOCX is converted by the real LibreOffice once per test session.

Dozens of tests issue the same example, and each issue converts the same documents: the same
bytes in, the same PDF out, 1-2 s of soffice each time. The cache sits where docgen starts
soffice (``run_batch``), keyed by what decides the PDF: the DOCX's parts (not the zip's
timestamps), the soffice binary, the font folders and PDF/A. A document seen before gets the
PDF soffice made for it then; everything after (opening it, the fit checks, the proof of every
character, archiving) runs as always. A fake soffice (a test's hanging or lying converter) is
never cached: only the real binary on PATH is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RunBatch = Callable[..., dict[int, str]]


def conversion_key(docx: Path, exe: str, font_dirs: Sequence[Path], pdfa: bool) -> str | None:
    """What decides the PDF soffice makes of ``docx``, as a digest (None when the file is no zip)."""
    digest = hashlib.sha256(f"{exe}\0{pdfa}".encode())
    for folder in font_dirs:  # what the folders hold decides the PDF, not where they are (a workspace's fonts/)
        fonts = sorted(folder.rglob("*")) if folder.is_dir() else []
        digest.update(
            repr([(p.relative_to(folder).as_posix(), p.stat().st_size) for p in fonts if p.is_file()]).encode()
        )
    try:
        with zipfile.ZipFile(docx) as zf:
            for entry in sorted(zf.infolist(), key=lambda e: e.filename):
                digest.update(entry.filename.encode() + b"\0" + hashlib.sha256(zf.read(entry)).digest())
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    return digest.hexdigest()


class ConversionCache:
    """A folder of PDFs by conversion key, shared by every test of the session (and xdist worker)."""

    def __init__(self, folder: Path, real: RunBatch, soffice: str | None) -> None:
        self.folder = folder
        self.real = real
        self.soffice = os.path.realpath(soffice) if soffice else None
        self.hits = 0
        self.misses = 0

    def run_batch(self, exe: str, jobs: Sequence[tuple[Path, Path]], **options: Any) -> dict[int, str]:
        """``docgen.convert.libreoffice.run_batch`` with the session's conversions remembered."""
        if self.soffice is None or os.path.realpath(exe) != self.soffice:
            return self.real(exe, jobs, **options)
        keys = [conversion_key(docx, exe, options.get("font_dirs", ()), options.get("pdfa", True)) for docx, _ in jobs]
        on_ready = options.pop("on_ready", None)
        todo = []
        for i, ((_, pdf), key) in enumerate(zip(jobs, keys, strict=True)):
            cached = self.folder / f"{key}.pdf"
            if key is not None and cached.is_file():
                _copy(cached, pdf)
                self.hits += 1
                if on_ready:
                    on_ready(i)
            else:
                todo.append(i)
        if not todo:
            return {}
        self.misses += len(todo)
        if on_ready:
            options["on_ready"] = lambda j: on_ready(todo[j])
        failed = self.real(exe, [jobs[i] for i in todo], **options)
        failures = {todo[j]: reason for j, reason in failed.items()}
        for j, i in enumerate(todo):
            key, pdf = keys[i], jobs[i][1]
            if j not in failed and key is not None and pdf.is_file():
                _copy(pdf, self.folder / f"{key}.pdf")
        return failures


def _copy(source: Path, target: Path) -> None:
    """Copy atomically: another worker may read ``target`` at any moment."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    shutil.copyfile(source, partial)
    partial.replace(target)


def real_soffice() -> str | None:
    """The soffice on PATH, as docgen finds it."""
    return shutil.which("soffice")


HOOKS = Path(__file__).resolve().parent / "subprocess_hooks"


def install_in_this_process(folder: str) -> ConversionCache:
    """Patch docgen's soffice runner in this process to use the cache in ``folder``."""
    from docgen.convert import libreoffice, pool

    cache = ConversionCache(Path(folder), libreoffice.run_batch, real_soffice())
    libreoffice.run_batch = cache.run_batch
    pool.run_batch = cache.run_batch  # type: ignore[attr-defined]
    return cache


def subprocess_env(cache: ConversionCache, repo: Path) -> dict[str, str]:
    """Environment for a ``python -m docgen`` subprocess that should share ``cache``."""
    return {"PYTHONPATH": f"{repo}{os.pathsep}{HOOKS}", "DOCGEN_TEST_CONVERSIONS": str(cache.folder)}
