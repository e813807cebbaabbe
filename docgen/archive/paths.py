"""The archive's layout: where every document folder goes and what every file in it is called.

Nothing else in docgen spells an archive file name; everything asks here. Under the archive root
(the workspace's ``archive/``)::

    YYYY/MM/DD/<readable name>/   one folder per document version, by its 成文日期
        document.pdf              the PDF/A the office keeps (an imported file's archival rendition)
        document.docx             the DOCX it was made from (docgen's documents)
        original.docx             an imported DOCX as it came in
        original.pdf              an imported PDF as it came in, when document.pdf is a rendition of it
        case.yaml, context.json   the case file and the exact data filled in (docgen's documents)
        text.txt                  the text, for the search index
        ocr.json                  what OCR read of a scan, page by page
        meta.json                 what the document is, with the digests of every file above
        manifest-sha256.txt       BagIt-style "<digest>  <file>" for every file, meta.json included
        manifest-sm3.txt          the same with SM3 (GB/T 32905)
    events.jsonl, events.head     the chained event log and its head (``docgen.archive.log``)
    registry.sqlite3              the 发文字号 registry, by default (``docgen.numbering``)

A clerk browses the archive in Windows Explorer as often as docgen reads it, so the folder of a
document is ``YYYY/MM/DD/<发文字号 title>``: readable, sorted by date, and safe on both Windows
and Linux file systems whatever a title contains.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import PurePosixPath

DOCUMENT_PDF = "document.pdf"
DOCUMENT_DOCX = "document.docx"
ORIGINAL_DOCX = "original.docx"
ORIGINAL_PDF = "original.pdf"
DRAFT_SHEET = "sheet.pdf"  # the 发文稿纸 of a document drafted and signed off in docgen
CASE_FILE = "case.yaml"
CONTEXT = "context.json"
TEXT = "text.txt"
OCR = "ocr.json"
META = "meta.json"
MANIFEST = "manifest-sha256.txt"
EVENTS = "events.jsonl"
EVENTS_HEAD = "events.head"  # how many events the log holds and the SM3 of the last: a cut-off tail shows
REGISTRY = "registry.sqlite3"
LOCK = ".lock"
TMP = ".tmp"
# Files the archive root may hold besides the dated tree.
ROOT_ENTRIES = frozenset({EVENTS, EVENTS_HEAD, LOCK, TMP, "README.md", REGISTRY, f"{REGISTRY}-wal", f"{REGISTRY}-shm"})
# Events that put a document folder into the tree; the tree is checked against them.
STORING_EVENTS = ("issued", "new_version", "recovered", "imported")
STARTED_EVENT = "store_started"  # the city: a store's files about to be put (``archive.city``)
FILLED_EVENT = "filled"  # metadata a clerk filled in after an import (``records.with_filled``)

MAX_NAME_CHARS = 60
MAX_NAME_BYTES = 180  # UTF-8; Linux allows 255 per component, leave room for version suffixes

# Characters Windows forbids in names, replaced by their full-width look-alikes so the name
# still reads the same to a clerk.
_FULL_WIDTH = str.maketrans(
    {
        "/": "／",
        "\\": "＼",
        ":": "：",
        "*": "＊",
        "?": "？",
        '"': "＂",
        "<": "＜",
        ">": "＞",
        "|": "｜",
    }
)
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)


def safe_name(text: str) -> str:
    """Make ``text`` one safe path component: no separators, no control characters, capped."""
    text = unicodedata.normalize("NFC", text).translate(_FULL_WIDTH)
    text = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) and ch != "\u3000" else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.strip(". ")  # Windows drops trailing dots and spaces; a leading dot hides a file
    if len(text) > MAX_NAME_CHARS:
        text = text[: MAX_NAME_CHARS - 1].rstrip(". ") + "…"
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-2].rstrip(". ") + "…"
    if not text or set(text) <= {"."}:
        text = "未命名"
    if _RESERVED.match(text):
        text = f"_{text}"
    return text


def document_folder_name(
    kind_name: str, title: str, number: str | None = None, enterprise: str | None = None, version: int = 1
) -> str:
    """``<发文字号> <title>``, or ``<文种>-<enterprise> [<title>]`` for unnumbered documents.

    The title is left out when it only repeats the enterprise's name and the kind (验收记录).
    """
    head = number or (f"{kind_name}-{enterprise}" if enterprise else kind_name)
    redundant = enterprise is not None and enterprise in title and title.endswith(kind_name)
    name = safe_name(head if redundant else f"{head} {title}")
    return f"{name}（第{version}版）" if version > 1 else name


def dated_folder(day: dt.date, name: str) -> PurePosixPath:
    """The archive-relative folder of a document: ``YYYY/MM/DD/<name>``."""
    return PurePosixPath(f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}", name)
