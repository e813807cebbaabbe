"""Read text back from PDFs docgen made, for checks that need the laid-out result."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

_SPACE = re.compile(r"\s+")
_PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")


def page_texts(pdf: Path) -> list[str]:
    """Text of each page with white space and page numbers removed."""
    reader = PdfReader(pdf)
    return [_PAGE_NUMBER.sub("", _SPACE.sub("", page.extract_text() or "")) for page in reader.pages]


def page_count(pdf: Path) -> int:
    """Number of pages."""
    return len(PdfReader(pdf).pages)


def some_page_starts_with(pdf: Path, *texts: str) -> bool:
    """Tell whether a page after the first begins with one of ``texts`` (white space ignored)."""
    starts = tuple(s for s in (_SPACE.sub("", t) for t in texts) if s)
    return bool(starts) and any(i > 0 and page.startswith(starts) for i, page in enumerate(page_texts(pdf)))


def lines_before(pdf: Path, line: str, count: int, block: str = "") -> str:
    """The text of the ``count`` printed lines before the last line that reads ``line`` (white space ignored).

    When lines beginning with ``block`` (say "附件：") come just before that line, they are taken
    too and not counted.
    """
    wanted = _SPACE.sub("", line)
    lines = []
    for page in PdfReader(pdf).pages:
        for text in (page.extract_text() or "").splitlines():
            squeezed = _SPACE.sub("", text)
            if squeezed and not _PAGE_NUMBER.fullmatch(squeezed):
                lines.append(squeezed)
    hits = [i for i, text in enumerate(lines) if text == wanted]
    if not wanted or not hits:
        return ""
    end = start = hits[-1]
    if block:
        start = next((i for i in range(end - 1, max(-1, end - 8), -1) if lines[i].startswith(block)), end)
    return "".join(lines[max(0, start - count) : end])
