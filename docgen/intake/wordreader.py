"""A Word draft as Word knows it, read from its file (the reading itself is ``docgen.wordml``'s).

The package is checked within bounds first (a zip bomb, a million tags), as ``archive import``
checks it, then opened with python-docx and read by ``wordml.read_document``: Word's automatic
numbers written in front, tracked changes accepted, text boxes at their anchor, tables by cell.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from docgen.errors import UnreadableFileError
from docgen.readback import check_docx
from docgen.wordml import Para, WordDraft, read_document


def read_word(path: Path) -> WordDraft:
    """Read a .docx draft: body paragraphs, text boxes where they are anchored, tables cell by cell."""
    import docx  # noqa: PLC0415 - python-docx loads only when a Word file is read
    from docx.opc.exceptions import PackageNotFoundError  # noqa: PLC0415

    check_docx(path)  # a zip bomb or a million tags is refused before python-docx unpacks anything
    try:
        doc = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        msg = f"{path}：不是能读取的 Word 文件（.docx）：{exc}"
        raise UnreadableFileError(msg) from exc
    return read_document(doc)


def word_text(path: Path) -> str:
    """The draft's text as Word shows it, a paragraph a line (what ``archive import`` reads a DOCX by)."""
    return "\n".join(p.text for p in read_word(path).paragraphs)


__all__ = ["Para", "WordDraft", "read_word", "word_text"]
