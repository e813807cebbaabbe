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


def signature_stands_alone(pdf: Path, signature: str, date: str) -> bool:
    """Tell whether the 署名 + 成文日期 begin a page of their own, with no body text above them."""
    block = _SPACE.sub("", signature + date)
    return any(i > 0 and text.startswith(block) for i, text in enumerate(page_texts(pdf)))
