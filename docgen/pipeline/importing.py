"""Bring documents made before docgen (PDF and DOCX files) into the archive.

Every file is read and checked before anything is stored: one file that is not a valid PDF or
DOCX refuses the whole import. What the clerk does not give is read from the text where it can
be (发文字号, 成文日期, title, enterprise names) and reported as read; a PDF without a text layer
is imported all the same and flagged for OCR.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from docgen.archive.store import Archive, ArchiveMeta, StagedDocument, sha256_file
from docgen.config import Settings
from docgen.errors import DocgenError, RegistryError
from docgen.numbering.registry import new_record
from docgen.numbering.service import registry_for
from docgen.pipeline.issue import index_archived
from docgen.pipeline.prepare import converter_for
from docgen.readback import ExtractedText, extract
from docgen.vocab import KIND_NAMES, NUMBER_IN_TEXT, WRITTEN_DATE, parse_number

IMPORTED_KIND_NAMES = {**KIND_NAMES, "other": "其他文件"}
_KIND_BY_TITLE = (("验收记录", "acceptance"), ("公告", "announcement"), ("计划", "plan"), ("通知", "notice"))


def kind_from_title(title: str) -> str:
    """The document kind a title names (关于…的通知 → notice), or "other"."""
    for word, kind in _KIND_BY_TITLE:
        if title.endswith(word) or (word == "验收记录" and word in title):
            return kind
    return "other"


@dataclass
class ImportPlan:
    """What one file will be imported as, and which values were read from its text."""

    source: Path
    extracted: ExtractedText
    kind: str
    title: str
    number: str | None
    date: dt.date
    enterprises: list[str]
    needs_ocr: bool
    issuer: str | None = None
    read_from_text: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    """The outcome for one file: "imported" or "unchanged" (already in the archive)."""

    plan: ImportPlan
    status: str
    path: Path
    warnings: list[str]
    meta: ArchiveMeta


def plan_import(
    source: Path,
    *,
    kind: str | None = None,
    number: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    enterprises: list[str] | None = None,
    issuer: str | None = None,
) -> ImportPlan:
    """Read one file and decide its metadata: given values win, then its text, then the file."""
    extracted = extract(source)
    inferred = infer_metadata(extracted.text)
    read, guessed = [], []
    needs_ocr = extracted.kind == "pdf" and not re.sub(r"\s+", "", extracted.text)
    if number is not None:
        parsed = parse_number(number)
        if parsed is None:
            msg = f"无法识别发文字号“{number}”。"
            raise DocgenError(msg)
        number = str(parsed.number)
    elif inferred.number:
        number = inferred.number
        read.append("发文字号")
    if title is None and inferred.title:
        title = inferred.title
        read.append("标题")
    elif title is None:
        title = source.stem
        guessed.append("标题（取自文件名）")
    if date is None and inferred.date:
        date = inferred.date
        read.append("成文日期")
    elif date is None:
        date = dt.datetime.fromtimestamp(source.stat().st_mtime).astimezone().date()
        guessed.append("成文日期（取自文件修改时间）")
    if enterprises is None:
        enterprises = inferred.enterprises
        if enterprises:
            read.append("企业名称")
    if issuer is None and inferred.issuer:
        issuer = inferred.issuer
        read.append("责任者")
    if kind is None:
        kind = kind_from_title(title)
    return ImportPlan(source, extracted, kind, title, number, date, enterprises, needs_ocr, issuer, read, guessed)


def import_files(
    settings: Settings,
    files: list[Path],
    *,
    kind: str | None = None,
    number: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    enterprises: list[str] | None = None,
    issuer: str | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> list[Imported]:
    """Import PDF and DOCX files into the archive (and the index); all are checked first."""
    if len(files) > 1 and (number or title):
        msg = "--number 和 --title 只能用于导入单个文件。"
        raise DocgenError(msg)
    plans = [
        plan_import(f, kind=kind, number=number, date=date, title=title, enterprises=enterprises, issuer=issuer)
        for f in files
    ]
    archive = Archive(settings.archive_dir)
    results = []
    with tempfile.TemporaryDirectory(prefix="docgen-import-") as tmp_name:
        staging = Path(tmp_name)
        pdfs = {}
        docx_jobs = []
        for i, plan in enumerate(plans):
            if plan.extracted.kind == "docx":
                pdfs[i] = staging / f"{i}.pdf"
                docx_jobs.append((plan.source, pdfs[i]))
            else:
                pdfs[i] = plan.source
        if docx_jobs:
            converter_for(settings).convert(docx_jobs)  # a DOCX also gets its PDF/A
        for i, plan in enumerate(plans):
            results.append(_store(archive, settings, plan, pdfs[i], staging / str(i)))
    index_archived(settings, [r.meta for r in results if r.status == "imported"], on_warning)
    return results


def _store(archive: Archive, settings: Settings, plan: ImportPlan, pdf: Path, work: Path) -> Imported:
    work.mkdir()
    (work / "text.txt").write_text(plan.extracted.text, encoding="utf-8")
    original_sha = sha256_file(plan.source)
    files = {"document.pdf": pdf, "text.txt": work / "text.txt"}
    if plan.extracted.kind == "docx":
        files["original.docx"] = plan.source
    warnings = _register_number(settings, plan)
    staged = StagedDocument(
        identity=f"import:{original_sha}",
        fingerprint=original_sha,
        kind=plan.kind,
        kind_name=IMPORTED_KIND_NAMES.get(plan.kind, plan.kind),
        title=plan.title,
        date=plan.date.isoformat(),
        number=plan.number,
        enterprise_name=plan.enterprises[0] if plan.kind == "acceptance" and plan.enterprises else None,
        files=files,
        meta={
            "event": "imported",
            "source": "import",
            "original_name": plan.source.name,
            "original_sha256": original_sha,
            "enterprises": [{"key": None, "name": name} for name in plan.enterprises],
            **({"issuer": plan.issuer} if plan.issuer else {}),
            "pages": extract(pdf).pages,
            "pdfa_part": extract(pdf).pdfa_part,
            "needs_ocr": plan.needs_ocr,
            "read_from_text": plan.read_from_text,
            "guessed": plan.guessed,
        },
    )
    stored = archive.store(staged)
    status = "imported" if stored.status == "issued" else stored.status
    return Imported(plan, status, stored.path, warnings, stored.meta)


def _register_number(settings: Settings, plan: ImportPlan) -> list[str]:
    """Record an imported document's number in the registry, so numbering continues after it."""
    if not plan.number:
        return []
    parsed = parse_number(plan.number)
    if parsed is None:
        return []
    n = parsed.number
    record = new_record(n.prefix, n.year, n.sequence, plan.title, source="import", kind=plan.kind)
    try:
        registry_for(settings).import_records([record])
    except RegistryError as exc:
        return [exc.message]
    return []


# --- metadata read from a document's text --------------------------------------------------


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
    issuer: str | None = None


_ORGAN = re.compile(r"[\u4e00-\u9fa5（）()]{2,40}?(?:局|委员会|委|人民政府|政府|办公室|办|厅|部|院|中心|公司|所|站|会)")


def _issuer(lines: list[str], signed: dt.date | None) -> str | None:
    """The 发文机关署名 above the 成文日期, or else the organ in a 版头 ``…文件``."""
    if signed is not None:
        written = f"{signed.year}年{signed.month}月{signed.day}日"
        for i in range(len(lines) - 1, 0, -1):
            if lines[i].startswith(written) and _ORGAN.fullmatch(lines[i - 1]):
                return lines[i - 1]
    for line in lines[:3]:
        if line.endswith("文件") and _ORGAN.fullmatch(line[:-2]):
            return line[:-2]
    return None


def infer_metadata(text: str) -> Inferred:
    """Guess 发文字号, 成文日期, title and enterprise names from a document's text."""
    found = Inferred()
    squashed = re.sub(r"[ \t]+", "", text)
    lines = [line for line in squashed.splitlines() if line]
    # A document's own 发文字号 stands on a line of its own in the 版头; others are citations.
    for line in lines[:8]:
        if NUMBER_IN_TEXT.fullmatch(line):
            parsed = parse_number(line)
            found.number = str(parsed.number) if parsed else None
            break
    dates = []
    for m in WRITTEN_DATE.finditer(squashed):
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
    found.issuer = _issuer(lines, found.date)
    return found
