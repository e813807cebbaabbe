"""The one reader of text in PDF and DOCX files: for import, lint and the checks after conversion."""

from __future__ import annotations

import functools
import io
import logging
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document as DocxDocument
from pypdf import PdfReader

from docgen._io import NotPlainFileError, open_plain
from docgen.errors import UnreadableFileError

# pypdf logs what it repairs ("EOF marker not found") in English on stderr; docgen reports what
# matters itself, in Chinese, so only pypdf's errors would be worth a line.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class ExtractedText:
    """Text of a document and what could be told from its bytes."""

    kind: str  # "pdf" or "docx"
    text: str
    pages: int | None
    pdfa_part: int | None = None
    page_texts: tuple[str, ...] = ()  # a PDF's text page by page (an image-only page gives "")

    @property
    def image_only_pages(self) -> list[int]:
        """Pages (1-based) of a PDF with no text layer: scans, to be read by OCR."""
        return [n for n, text in enumerate(self.page_texts, start=1) if not text.strip()]


# What a DOCX may hold before docgen opens it. A real 500-page document has a few MB of XML and a
# few hundred thousand elements; an attack run's 299 KB file of 33.5 million empty paragraphs
# took 6 GB to open, a 1 MB zip bomb 1.9 GB before it was refused. Parts are read as a stream
# against these bounds (a zip's own size fields can lie), before any XML parser sees them.
MAX_DOCX_BYTES = 100 * 1024 * 1024
MAX_PACKAGE_ENTRIES = 5_000
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_PACKAGE_BYTES = 256 * 1024 * 1024
# "<" in one part, its opening and closing tags: a 500-page document has a few hundred thousand.
# An attack run's 1.99 million empty paragraphs passed a bound of 2 million and kept LibreOffice
# busy for 4 minutes and 1.9 GB; every part is counted, whatever its name (``document.XML``).
MAX_PART_TAGS = 1_000_000
_STREAM_CHUNK = 1 << 20
MAX_PDF_PAGES = 2_000  # one file of an import; a bound volume of a year is a few hundred pages


def docx_parts(path: Path, *, keep: bool = True) -> dict[str, bytes]:
    """Every part of a DOCX package, read within the bounds above; refused with a clear message.

    ``keep=False`` only checks: the parts are read and dropped (each returned empty).
    """
    try:
        if path.stat().st_size > MAX_DOCX_BYTES:
            msg = f"{path}：DOCX 文件超过 {MAX_DOCX_BYTES // 1024 // 1024} MB，不予处理。"
            raise UnreadableFileError(msg)
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
            if len(entries) > MAX_PACKAGE_ENTRIES:
                msg = f"{path}：DOCX 文件包含 {len(entries)} 个部件，超过上限 {MAX_PACKAGE_ENTRIES}，不予处理。"
                raise UnreadableFileError(msg)
            parts: dict[str, bytes] = {}
            total = 0
            for entry in entries:
                if entry.is_dir():
                    continue
                size, data = _read_part(zf, entry, path, MAX_PACKAGE_BYTES - total, keep)
                total += size
                parts[entry.filename] = data
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError) as exc:
        msg = f"{path}：DOCX 文件已损坏，无法读取（{exc}）"
        raise UnreadableFileError(msg) from exc
    except RuntimeError as exc:  # an encrypted entry
        msg = f"{path}：DOCX 文件加密或已损坏，无法读取。"
        raise UnreadableFileError(msg) from exc
    return parts


def _read_part(zf: zipfile.ZipFile, entry: zipfile.ZipInfo, path: Path, room: int, keep: bool) -> tuple[int, bytes]:
    limit = min(MAX_PART_BYTES, room)
    chunks, size, tags = [], 0, 0
    with zf.open(entry) as fh:
        while chunk := fh.read(_STREAM_CHUNK):
            size += len(chunk)
            if size > limit:
                what = "部件" if limit == MAX_PART_BYTES else "内容"
                shown = f"{limit // 1024 // 1024} MB"
                msg = f"{path}：DOCX 文件解压后的{what}超过 {shown}（{entry.filename}），不予处理（可能是压缩炸弹）。"
                raise UnreadableFileError(msg)
            tags += chunk.count(b"<")
            if tags > MAX_PART_TAGS:
                msg = (
                    f"{path}：DOCX 文件的 {entry.filename} 含有超过 {MAX_PART_TAGS:,} 个标记，远超任何公文，不予处理。"
                )
                raise UnreadableFileError(msg)
            if keep:
                chunks.append(chunk)
    return size, b"".join(chunks)


def check_docx(path: Path) -> None:
    """Refuse a DOCX that would cost more than a document's worth to open (see ``docx_parts``)."""
    docx_parts(path, keep=False)


def is_regular_file(path: Path) -> bool:
    """A plain file: not a folder, a device or a FIFO (opening a FIFO waits for a writer forever)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def file_kind(path: Path) -> str | None:
    """'pdf' or 'docx' by content (not by the name), or None (also for anything not a plain file)."""
    if not is_regular_file(path):
        return None
    try:
        with path.open("rb") as fh:
            head = fh.read(5)
        if head.startswith(b"%PDF-"):
            return "pdf"
        if head.startswith(b"PK") and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        return None
    return None


PDFA_PART = 2  # what docgen archives: PDF/A-2b (GB/T 23286, ISO 19005-2), by the XMP pdfaid:part
_PDFA_PART = re.compile(rb"pdfaid:part(?:>|\s*=\s*[\"'])\s*(\d)")  # element or attribute, either quote


def pdfa_part(reader: PdfReader) -> int | None:
    """The PDF/A part declared in the XMP metadata (2 for PDF/A-2b), or None."""
    try:
        metadata = reader.root_object.get("/Metadata")
        data = metadata.get_object().get_data() if metadata is not None else b""
    except Exception:  # damaged or hostile (arrays nested thousands deep): no claim can be read
        return None
    found = _PDFA_PART.search(data)
    return int(found[1]) if found else None


def extract(path: Path) -> ExtractedText:
    """Read the text of a PDF or DOCX, refusing anything else with a clear message."""
    kind = file_kind(path)
    if kind == "pdf":
        text = read_pdf(path, max_pages=MAX_PDF_PAGES)
        if not text.pages:
            msg = f"{path}：PDF 文件没有页面"
            raise UnreadableFileError(msg)
        return ExtractedText("pdf", text.stored_text(), text.page_count, text.pdfa_part, text.pages)
    if kind == "docx":
        check_docx(path)
        try:
            doc = DocxDocument(str(path))
        except Exception as exc:  # python-docx raises many types for a damaged package
            msg = f"{path}：DOCX 文件已损坏，无法读取（{exc}）"
            raise UnreadableFileError(msg) from exc
        lines = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                cells, seen = [], set()
                for cell in row.cells:  # a merged cell is listed once per grid column it spans
                    # python-docx gives a merged cell no public identity; its XML element is one.
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text)
                lines.append("\t".join(cells))
        return ExtractedText("docx", "\n".join(lines), None)
    msg = f"{path}：不是 PDF 或 DOCX 文件（按内容识别，与扩展名无关），未导入。"
    raise UnreadableFileError(msg)


# --- laid-out text of PDFs docgen made (fit checks) ----------------------------------------

_SPACE = re.compile(r"\s+")


PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")  # the page number docgen's footers draw: — 1 —


# A page number as printed (— 1 —) or as read by OCR (一1一, -1-), alone on its line.
_PAGE_NUMBER_LINE = re.compile(r"^\s*[—\-－一–]{1,2}\s*\d{1,4}\s*[—\-－一–]{1,2}\s*$", re.MULTILINE)


def without_page_number(page: str) -> str:
    """A page's text without its page number, so a sentence running over to the next page stays whole.

    The stored text is what search reads: "…人民政府同 — 1 — 意…" would find neither 同意 nor the
    sentence. The number is the last one drawn on the page (docgen draws the footer last).
    """
    numbers = list(PAGE_NUMBER.finditer(page))
    if numbers:
        page = page[: numbers[-1].start()] + page[numbers[-1].end() :]
    return _PAGE_NUMBER_LINE.sub("", page).strip("\n")


def pdf_reader(path: Path) -> PdfReader:
    """Pypdf's reader of the plain PDF file at ``path`` (which pypdf would read whole anyway).

    A link, FIFO or device raises ``NotPlainFileError``: pypdf would follow it, wait on a FIFO
    forever or read ``/dev/zero`` without end (put in an archive folder by an attack run).
    """
    with open_plain(path) as fh:
        return PdfReader(io.BytesIO(fh.read()), strict=False)


def pdf_opens(path: Path) -> bool:
    """Whether a PDF opens and its pages can be listed (a converter's output is never trusted)."""
    try:
        return len(pdf_reader(path).pages) > 0
    except Exception:  # any failure to open means "not a usable PDF"
        return False


@dataclass(frozen=True)
class PdfText:
    """A PDF's text layer, read once: what each page says as pypdf extracts it, and its PDF/A claim.

    Everything docgen asks of a PDF it made (does a page open with the 署名, how many pages, the
    lines before the 署名, the text to store and search, the text check) is answered from this
    one reading: parsing an 11-page set costs most of a second each time.
    """

    pages: tuple[str, ...]
    pdfa_part: int | None = None

    @property
    def page_count(self) -> int:
        """How many pages."""
        return len(self.pages)

    @functools.cached_property
    def squeezed(self) -> tuple[str, ...]:
        """Each page's text with white space and page numbers removed."""
        return tuple(PAGE_NUMBER.sub("", _SPACE.sub("", page)) for page in self.pages)

    def stored_text(self) -> str:
        """The text to store and search: pages joined, page numbers left out."""
        return "\n".join(without_page_number(page) for page in self.pages)

    def some_page_starts_with(self, *texts: str) -> bool:
        """Tell whether a page after the first begins with one of ``texts`` (white space ignored)."""
        starts = tuple(s for s in (_SPACE.sub("", t) for t in texts) if s)
        return bool(starts) and any(i > 0 and page.startswith(starts) for i, page in enumerate(self.squeezed))

    def some_page_opens_inside(self, block: str, end: str) -> bool:
        """Tell whether a page after the first opens within ``block`` and holds its ``end`` too.

        The 附件说明 with the 署名 after it (``block``, ending with the closing ``end``): a page that
        opens with the tail of its list, say the second attachment's name, and then the 署名,
        holds no body text either (white space ignored).
        """
        whole, closing = _SPACE.sub("", block), _SPACE.sub("", end)
        for page in self.squeezed[1:]:
            at = page.find(closing)
            if closing and at >= 0 and whole.endswith(page[: at + len(closing)]):
                return True
        return False

    def page_holding(self, text: str) -> int | None:
        """The index of the last page that holds ``text`` (white space ignored), or None."""
        wanted = _SPACE.sub("", text)
        found = [i for i, page in enumerate(self.squeezed) if wanted and wanted in page]
        return found[-1] if found else None

    def text_besides(self, index: int, text: str) -> bool:
        """Whether page ``index`` holds anything but ``text`` and its page number (white space ignored)."""
        return bool(self.squeezed[index].replace(_SPACE.sub("", text), "", 1))

    def lines_before(self, line: str, count: int, block: str = "", floor: str = "") -> str:
        """The text of the ``count`` printed lines before the last line that reads ``line`` (white space ignored).

        When lines beginning with ``block`` (say "附件：") come just before that line, they are
        taken too and not counted. One line at least is left after the last line ending ``floor``
        (the 主送, after which the body begins): page 1 must show body text.
        """
        wanted = _SPACE.sub("", line)
        lines = []
        for page in self.pages:
            for text in page.splitlines():
                squeezed = _SPACE.sub("", text)
                if squeezed and not PAGE_NUMBER.fullmatch(squeezed):
                    lines.append(squeezed)
        hits = [i for i, text in enumerate(lines) if text == wanted]
        if not wanted or not hits:
            return ""
        end = start = hits[-1]
        if block:
            start = next((i for i in range(end - 1, max(-1, end - 8), -1) if lines[i].startswith(block)), end)
        lowest = 0
        if above := _SPACE.sub("", floor):
            ends = [i for i in range(start) if above.endswith(lines[i])]
            lowest = ends[-1] + 2 if ends else 0
        return "".join(lines[min(start, max(lowest, start - count)) : end])


def read_pdf(path: Path, *, max_pages: int | None = None) -> PdfText:
    """Read a PDF's text once; a PDF that cannot be read (damaged, hostile, too long) is refused clearly."""
    try:
        reader = pdf_reader(path)
        count = len(reader.pages)
        pages = tuple(page.extract_text() or "" for page in reader.pages) if count <= (max_pages or count) else ()
    except RecursionError as exc:  # arrays nested thousands deep: pypdf reads them by recursion
        msg = f"{path}：PDF 文件的结构嵌套过深，无法安全读取（可能是恶意构造的文件）。"
        raise UnreadableFileError(msg) from exc
    except NotPlainFileError as exc:
        msg = f"{path}：{exc.strerror}，未读取。"
        raise UnreadableFileError(msg) from exc
    except Exception as exc:  # pypdf raises many types on damaged files; each is "cannot be read"
        msg = f"{path}：PDF 文件已损坏或不完整，无法读取（{str(exc)[:120]}）"
        raise UnreadableFileError(msg) from exc
    if len(pages) < count:
        msg = f"{path}：PDF 文件有 {count} 页，超过一次导入的上限 {max_pages} 页，请拆分后导入。"
        raise UnreadableFileError(msg)
    return PdfText(pages, pdfa_part(reader))


# --- what an archivist checks in a PDF (DA/T 70 可用性) ------------------------------------------


@dataclass(frozen=True)
class PdfFacts:
    """What can be told of a PDF without trusting who made it."""

    opens: bool
    pages: int | None = None
    encrypted: bool = False
    pdfa_part: int | None = None
    fonts_not_embedded: tuple[str, ...] = ()
    has_text: bool = False
    problem: str | None = None


def _font_files(font: Any) -> bool:
    """Whether a font dictionary (or, for a composite font, its descendant) carries its font program."""
    descriptor = font.get("/FontDescriptor")
    if descriptor is not None:
        descriptor = descriptor.get_object()
        return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    descendants = font.get("/DescendantFonts")
    if descendants is not None:
        return all(_font_files(d.get_object()) for d in descendants.get_object())
    return bool(font.get("/Subtype") == "/Type3")  # drawn with PDF operators: nothing to embed


def pdf_facts(path: Path) -> PdfFacts:
    """Open ``path`` and read what the 可用性 checks need; never raises."""
    try:
        reader = pdf_reader(path)
        encrypted = reader.is_encrypted
        if encrypted:
            reader.decrypt("")
        missing: set[str] = set()
        has_text = False
        for page in reader.pages:
            resources = page.get("/Resources")
            fonts = resources.get_object().get("/Font") if resources is not None else None
            for font in fonts.get_object().values() if fonts is not None else []:
                font = font.get_object()  # noqa: PLW2901 - an indirect reference, resolved
                if not _font_files(font):
                    missing.add(str(font.get("/BaseFont", "?")).lstrip("/"))
            has_text = has_text or bool((page.extract_text() or "").strip())
        return PdfFacts(True, len(reader.pages), encrypted, pdfa_part(reader), tuple(sorted(missing)), has_text)
    except Exception as exc:
        return PdfFacts(False, problem=str(exc)[:120])
