"""Characters no font can print, refused before anything is numbered or converted."""

from __future__ import annotations

from pathlib import Path

from docgen.case.model import Case, printed_strings, unprintable_characters
from docgen.config import Settings
from docgen.convert.fonts import coverage
from docgen.errors import CaseError


def refuse_undrawable(case_path: Path, case: Case, settings: Settings) -> None:
    """Stop before converting when a character of the case is in no font LibreOffice can use.

    Asking fontconfig costs ~0.2 s, so a case written in common characters (those every GB/T
    9704 font has, which ``docgen doctor`` checks) skips it.
    """
    rare = {ch for _, text in printed_strings(case) for ch in text if not _common(ch)}
    if not rare:
        return
    problems = unprintable_characters(case_path, case, coverage(settings.font_dirs))
    if problems:
        raise CaseError(problems)


def _common(ch: str) -> bool:
    code = ord(ch)
    return (
        0x20 <= code < 0x7F
        or 0x4E00 <= code <= 0x9FA5  # the CJK ideographs of GB 2312 and GBK lie in this block
        or 0x3000 <= code <= 0x301F
        or 0xFF01 <= code <= 0xFF5E
        or ch in "“”‘’—…·×÷±℃°％№\u3000\t\n"
    )
