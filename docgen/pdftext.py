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


def some_page_starts_with(pdf: Path, text: str) -> bool:
    """Tell whether a page after the first begins with ``text`` (white space ignored)."""
    start = _SPACE.sub("", text)
    return bool(start) and any(i > 0 and page.startswith(start) for i, page in enumerate(page_texts(pdf)))
