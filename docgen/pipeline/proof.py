"""The text check: a PDF says exactly what the DOCX it was made from says, character by character.

LibreOffice has dropped full-width punctuation at line ends without a word; fonts drop
characters they lack. So after every conversion docgen reads the PDF's text layer back and
walks the DOCX's paragraphs and table cells in order, finding each one's text in the PDF. A
paragraph or cell that cannot be found whole is aligned against the PDF to name exactly the
characters lost; PDF text that no paragraph accounts for is reported as added.

White space is not compared (line wraps and justification make it up), nor are the page numbers
the footers draw, nor invisible format characters. Everything else is: Han characters,
punctuation, digits, Latin letters.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from docgen.readback import PAGE_NUMBER, PdfText

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Compatibility forms a PDF's ToUnicode map may give for a shared glyph (⼀ for 一, ﬁ for fi).
_COMPAT_BLOCKS = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0xFB00, 0xFB4F), (0x2F800, 0x2FA1F))
CONTEXT_CHARS = 10
LATE_GLYPHS = 3  # characters a fallback-font run may be listed after their place


def normalize(text: str) -> str:
    """Drop white space and invisible format characters; unify compatibility forms."""
    out = []
    for ch in text:
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        code = ord(ch)
        if any(lo <= code <= hi for lo, hi in _COMPAT_BLOCKS):
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Unit:
    """A paragraph or a table cell of the DOCX, and how to name it to a clerk."""

    place: str
    text: str
    frame: int | None = None  # the positioned table this cell belongs to, drawn apart from the flow


def _paragraph_text(paragraph: Any) -> str:
    parts: list[str] = []
    in_field_code = False
    for node in paragraph.iter(f"{W}t", f"{W}fldChar", f"{W}noBreakHyphen"):
        if node.tag == f"{W}fldChar":
            kind = node.get(f"{W}fldCharType")
            in_field_code = kind == "begin"
            continue
        if node.tag == f"{W}noBreakHyphen":
            parts.append("-")
        elif not in_field_code:
            parts.append(node.text or "")
    return "".join(parts)


def _units(container: Any, prefix: str, counter: dict[str, int]) -> Iterator[Unit]:
    for child in container:
        if child.tag == f"{W}p":
            counter["p"] += 1
            yield Unit(f"{prefix}第{counter['p']}段", _paragraph_text(child))
        elif child.tag == f"{W}tbl":
            counter["t"] += 1
            table = counter["t"]
            frame = table if child.find(f"{W}tblPr/{W}tblpPr") is not None else None
            for r, row in enumerate(child.iter(f"{W}tr"), start=1):
                if row.getparent() is not child:
                    continue  # rows of a nested table are read with their cell
                for c, cell in enumerate(row.iterchildren(f"{W}tc"), start=1):
                    text = "".join(_paragraph_text(p) for p in cell.iter(f"{W}p"))
                    yield Unit(f"{prefix}表{table}第{r}行第{c}列", text, frame)
        elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
            yield from _units(child, prefix, counter)


@dataclass(frozen=True)
class DocxText:
    """What the text check needs of a DOCX, read once: its units, running heads, repeated table heads."""

    units: list[Unit]
    running: list[str]  # header and footer text, printed on every page, never compared
    repeated: list[str]  # table header rows, which LibreOffice repeats on every page a table runs onto


def read_docx_text(docx: Path) -> DocxText:
    """The body's paragraphs and table cells in document order, and the text printed on every page."""
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
        running = []
        for name in zf.namelist():
            if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
                for paragraph in etree.fromstring(zf.read(name)).iter(f"{W}p"):
                    text = normalize(_paragraph_text(paragraph)).strip("—")
                    if len(text) >= 2:
                        running.append(text)
    body = root.find(f"{W}body")
    units = [u for u in _units(body, "", {"p": 0, "t": 0}) if normalize(u.text)]
    repeated = [
        text
        for row in root.iter(f"{W}tr")
        if row.find(f"{W}trPr/{W}tblHeader") is not None
        and (text := normalize("".join(_paragraph_text(p) for p in row.iter(f"{W}p"))))
    ]
    return DocxText(units, running, repeated)


def docx_units(docx: Path) -> list[Unit]:
    """The body's paragraphs and table cells in document order."""
    return read_docx_text(docx).units


@dataclass
class Proof:
    """The outcome of comparing a PDF with its DOCX."""

    characters: int = 0  # characters of the DOCX found in the PDF
    missing: list[str] = field(default_factory=list)  # one line per paragraph or cell that lost text
    added: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every character is there and nothing was added."""
        return not self.missing and not self.added

    def summary(self, limit: int = 5) -> str:
        """The differences in a few lines a clerk can act on."""
        lines = self.missing[:limit] + self.added[: max(0, limit - len(self.missing))]
        more = len(self.missing) + len(self.added) - len(lines)
        return "；".join(lines) + (f"；另有 {more} 处" if more > 0 else "")


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS) : start]
    after = text[end : end + CONTEXT_CHARS]
    return f"「{'…' if start > CONTEXT_CHARS else ''}{before}【{text[start:end]}】{after}…」"


def compare(units: list[Unit], pages: list[str], running: Sequence[str] = (), repeated: Sequence[str] = ()) -> Proof:
    """Find every unit's text, in order, in the pages' text; name what is missing or added.

    ``running`` is header and footer text, removed from every page; ``repeated`` are table
    header rows, which may appear again wherever a table continues on a new page.
    """
    stream = "".join(_page_body(page, running) for page in pages)
    proof = Proof()
    stream, units = _take_frames(stream, units, proof)
    used = bytearray(len(stream))
    cursor = 0
    for unit in units:
        want = normalize(unit.text)
        at = _find_unused(stream, want, cursor, used)
        if at >= 0:
            used[at : at + len(want)] = b"\1" * len(want)
            cursor = at + len(want)
            proof.characters += len(want)
            continue
        cursor = _align(unit.place, want, stream, cursor=cursor, used=used, proof=proof)
    for row in repeated:
        at = _find_unused(stream, row, 0, used)
        while at >= 0:
            used[at : at + len(row)] = b"\1" * len(row)
            at = _find_unused(stream, row, at, used)
    start = None
    for i, flag in enumerate([*used, 1]):
        if not flag and start is None:
            start = i
        elif flag and start is not None:
            proof.added.append(f"PDF 中多出“{stream[start:i]}”{_context(stream, start, i)}")
            start = None
    return proof


def _take_frames(stream: str, units: list[Unit], proof: Proof) -> tuple[str, list[Unit]]:
    """Take the text of positioned tables (a 函's head, the 版记) out of the stream first.

    LibreOffice draws such a table after the flow text of its page, so in a long 函 its head
    lands between the two halves of the paragraph that runs over from page 1 to page 2. Each
    table's cells, joined in order, are found whole and cut out; one that is not found is left
    to the flow comparison, which then names what is missing.
    """
    frames: dict[int, list[Unit]] = {}
    for unit in units:
        if unit.frame is not None:
            frames.setdefault(unit.frame, []).append(unit)
    taken: set[int] = set()
    for frame, cells in frames.items():
        joined = "".join(normalize(cell.text) for cell in cells)
        at = stream.find(joined) if joined else -1
        if at >= 0:
            stream = stream[:at] + stream[at + len(joined) :]
            proof.characters += len(joined)
            taken.add(frame)
    return stream, [unit for unit in units if unit.frame not in taken]


def _page_body(page: str, running: Sequence[str]) -> str:
    """A page's text without its page number (the last one drawn) and running heads."""
    numbers = list(PAGE_NUMBER.finditer(page))
    if numbers:
        page = page[: numbers[-1].start()] + page[numbers[-1].end() :]
    text = normalize(page)
    for fixed in running:
        text = text.replace(fixed, "")
    return text


def _align(place: str, want: str, stream: str, *, cursor: int, used: bytearray, proof: Proof) -> int:
    """Align a unit that was not found whole with the text after ``cursor``; record what it lost."""
    window_end = min(len(stream), cursor + len(want) + 40)
    matcher = difflib.SequenceMatcher(None, want, stream[cursor:window_end], autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    extent = cursor + max((b.b + b.size for b in blocks), default=0)
    lost: list[tuple[int, int, int]] = []  # (start, end) in the unit, where in the stream it belonged
    last = 0
    for block in matcher.get_matching_blocks():
        if block.a > last:
            lost.append((last, block.a, cursor + block.b))
        if block.size:
            used[cursor + block.b : cursor + block.b + block.size] = b"\1" * block.size
            proof.characters += block.size
        last = block.a + block.size
    for start, end, belongs in lost:
        segment = want[start:end]
        # A glyph the main font lacks is drawn from a fallback font in a run of its own, which
        # the text layer lists after its neighbours ("45m/h³" for "45m³/h"): the character is
        # printed, only listed late. Found unused within this unit's own text, or right where
        # it ends, it counts; never further on, where it would be another unit's character.
        late = stream.find(segment, belongs, extent + len(segment)) if len(segment) <= LATE_GLYPHS else -1
        if late >= 0 and not any(used[late : late + len(segment)]):
            used[late : late + len(segment)] = b"\1" * len(segment)
            proof.characters += len(segment)
            extent = max(extent, late + len(segment))
            continue
        proof.missing.append(f"{place}{_context(want, start, end)}在 PDF 中缺少“{segment}”")
    return extent


def _find_unused(stream: str, want: str, cursor: int, used: bytearray) -> int:
    """The first occurrence of ``want`` at or after ``cursor`` not yet matched, else anywhere."""
    for begin in (cursor, 0):
        at = stream.find(want, begin)
        while at >= 0:
            if not any(used[at : at + len(want)]):
                return at
            at = stream.find(want, at + 1)
    return -1


def prove(docx: Path, pdf: PdfText) -> Proof:
    """Compare the text of a PDF (read once, ``readback.read_pdf``) with the ``docx`` it was converted from."""
    text = read_docx_text(docx)
    return compare(text.units, list(pdf.pages), text.running, text.repeated)
