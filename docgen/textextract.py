"""Text and metadata read back from PDF and DOCX files (issued by docgen or made elsewhere)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as DocxDocument
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from docgen.docnumber import parse_number
from docgen.errors import DocgenError


class UnreadableFileError(DocgenError):
    """Raised when a file is not a PDF or DOCX docgen can read."""


@dataclass(frozen=True)
class ExtractedText:
    """Text of a document and what could be told from its bytes."""

    kind: str  # "pdf" or "docx"
    text: str
    pages: int | None
    pdfa_part: int | None = None


def file_kind(path: Path) -> str | None:
    """'pdf' or 'docx' by content (not by the name), or None."""
    try:
        with path.open("rb") as fh:
            head = fh.read(5)
    except OSError:
        return None
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK") and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            if "word/document.xml" in zf.namelist():
                return "docx"
    return None


_PDFA_PART = re.compile(rb"pdfaid:part(?:>|=\")\s*(\d)")


def pdfa_part(reader: PdfReader) -> int | None:
    """The PDF/A part declared in the XMP metadata (2 for PDF/A-2b), or None."""
    try:
        metadata = reader.root_object.get("/Metadata")
        data = metadata.get_object().get_data() if metadata is not None else b""
    except (PyPdfError, KeyError, AttributeError, ValueError):
        return None
    found = _PDFA_PART.search(data)
    return int(found[1]) if found else None


def extract(path: Path) -> ExtractedText:
    """Read the text of a PDF or DOCX, refusing anything else with a clear message."""
    kind = file_kind(path)
    if kind == "pdf":
        try:
            reader = PdfReader(path, strict=False)
            pages = [page.extract_text() or "" for page in reader.pages]
        except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
            msg = f"{path}：PDF 文件已损坏或不完整，无法读取（{exc}）"
            raise UnreadableFileError(msg) from exc
        if not pages:
            msg = f"{path}：PDF 文件没有页面"
            raise UnreadableFileError(msg)
        return ExtractedText("pdf", "\n".join(pages), len(pages), pdfa_part(reader))
    if kind == "docx":
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


_NUMBER_RE = re.compile(r"[\u4e00-\u9fa5]{2,15}\s*[〔\[【（(﹝［]\s*\d{4}\s*[〕\]】）)﹞］]\s*第?\s*\d{1,4}\s*号")
_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TITLE_RE = re.compile(
    r"(.{0,30}?关于.{2,80}?的(?:通知|通报|公告|通告|意见|决定|报告|请示|批复|函|纪要|计划|方案|办法))"
)
_SEGMENT_SPLIT = re.compile(r"[^\u4e00-\u9fa5（）()]+")
_COMPANY_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团公司)")
_PLACE = re.compile(r"[\u4e00-\u9fa5]{2,3}[省市县区镇]")
MAX_ENTERPRISE_CHARS = 24
_LEADING_FUNCTION_WORDS = "请由对向和与及将把从在为据经的是了即"


def enterprise_names(text: str) -> list[str]:
    """Names ending in 有限公司 and the like, cut at punctuation and at a leading place name."""
    names: list[str] = []
    # Line breaks inside a table cell split names (恩平市恒达钢铁有限 / 公司): join lines first.
    for segment in _SEGMENT_SPLIT.split(text.replace("\n", "")):
        for suffix in _COMPANY_SUFFIX.finditer(segment):
            window = segment[max(0, suffix.end() - MAX_ENTERPRISE_CHARS) : suffix.end()]
            window = window.lstrip(_LEADING_FUNCTION_WORDS)  # 请恩平市… → 恩平市…
            place = _PLACE.search(window)
            name = window[place.start() :] if place else window
            name = name.lstrip("（()）")
            if len(name) > len(suffix[0]) + 1 and name not in names:
                names.append(name)
    return names


@dataclass
class Inferred:
    """Metadata read from a document's text; empty where nothing convincing was found."""

    number: str | None = None
    date: dt.date | None = None
    title: str | None = None
    enterprises: list[str] = field(default_factory=list)


def infer_metadata(text: str) -> Inferred:
    """Guess 发文字号, 成文日期, title and enterprise names from a document's text."""
    found = Inferred()
    squashed = re.sub(r"[ \t]+", "", text)
    lines = [line for line in squashed.splitlines() if line]
    # A document's own 发文字号 stands on a line of its own in the 版头; others are citations.
    for line in lines[:8]:
        if _NUMBER_RE.fullmatch(line):
            parsed = parse_number(line)
            found.number = str(parsed.number) if parsed else None
            break
    dates = []
    for m in _DATE_RE.finditer(squashed):
        try:
            dates.append(dt.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            continue
    # The 成文日期 follows the body; 印发日期 in the 版记 equals or follows it: take the first of
    # the last two dates found, which is the signature's in a docgen-style layout.
    if dates:
        found.date = dates[-2] if len(dates) >= 2 and dates[-2] <= dates[-1] else dates[-1]
    for i, line in enumerate(lines[:20]):  # titles wrap over up to three lines
        if "关于" not in line:
            continue
        for candidate in (line, line + "".join(lines[i + 1 : i + 2]), line + "".join(lines[i + 1 : i + 3])):
            title = _TITLE_RE.fullmatch(candidate)
            if title:
                found.title = title[1]
                break
        if found.title:
            break
    found.enterprises = enterprise_names(re.sub(r" +", "", text))  # tabs still part cells
    return found
