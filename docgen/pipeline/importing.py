"""Bring documents made before docgen (PDF and DOCX files, scans included) into the archive.

Files named one by one are all read and checked before anything is stored: one file that is not
a valid PDF or DOCX, or that repeats a 发文字号 already used, refuses the whole import. A folder is
imported file by file instead, each with its outcome in a CSV report (imported, already there,
refused and why, to be checked), and can be run again after an interruption: what is stored is
skipped by its digest before any work is done.

What the clerk does not give is read from the text as a clerk reads it (``intake``): title,
kind, 发文字号, 成文日期, 责任者, enterprises. Pages without a text layer are read by OCR; the scan's
bytes are stored untouched, the recognised text beside them, marked as machine-read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen._io import write_spreadsheet
from docgen.archive.paths import DOCUMENT_PDF, OCR, ORIGINAL_DOCX, ORIGINAL_PDF, TEXT, safe_name
from docgen.archive.records import ArchiveMeta
from docgen.archive.store import StagedDocument, sha256_file
from docgen.config import Settings
from docgen.convert.sanitize import clean_docx
from docgen.errors import DocgenError, OcrError, RegistryError, os_error_message, printable
from docgen.intake import Enterprise, kind_of_title, read_metadata
from docgen.intake.wordreader import word_text
from docgen.numbering.registry import new_record
from docgen.ocr import INSTALL_HINT, OcrEngine, OcrResult, PageText, open_engine, recognise_pages, refuse_long_ocr
from docgen.pipeline.prepare import converter_for
from docgen.pipeline.rendition import Rendition, conversion_record, docx_rendition, make_rendition, needs_rendition
from docgen.pipeline.searching import index_archived
from docgen.pipeline.workspace import Workspace
from docgen.readback import ExtractedText, extract, file_kind, without_page_number
from docgen.vocab import KIND_NAMES, NUMBERED_KINDS, parse_number

IMPORTED_KIND_NAMES = {**KIND_NAMES, "other": "其他文件"}
IMPORTABLE = (".pdf", ".docx")
CHUNK = 10  # files of a folder converted (DOCX) and indexed together; also what a restart may redo
REPORT_COLUMNS = (
    "文件",
    "结果",
    "说明",
    "标题",
    "文种",
    "发文字号",
    "成文日期",
    "责任者",
    "企业",
    "OCR置信度",
    "待核对页",
    "归档位置",
)


@dataclass
class ImportPlan:
    """What one file will be imported as, and which values were read from its text."""

    source: Path
    extracted: ExtractedText
    kind: str
    title: str
    number: str | None
    date: dt.date
    enterprises: list[Enterprise]
    needs_ocr: bool
    issuer: str | None = None
    kind_name: str | None = None
    text: str = ""
    ocr: OcrResult | None = None
    review_below: float = 0.9
    read_from_text: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)
    allow_duplicate_number: bool = False

    @property
    def review_pages(self) -> list[int]:
        """Pages OCR read with low confidence: a person should compare them with the scan."""
        return self.ocr.review_pages(self.review_below) if self.ocr else []

    @property
    def needs_review(self) -> bool:
        """True when something was guessed or read with low confidence."""
        return bool(self.review_pages or self.guessed or self.needs_ocr)

    @property
    def to_fill(self) -> list[str]:
        """The metadata a clerk must still fill in (待补录): not read from the file nor given."""
        missing = [label for label, found in (("责任者", self.issuer), ("文号", self.number)) if not found]
        if self.kind not in NUMBERED_KINDS:
            missing = [label for label in missing if label != "文号"]  # a 公告 or 验收记录 has none
        return missing + [guess.split("（")[0] for guess in self.guessed]


@dataclass(frozen=True)
class Imported:
    """The outcome for one file: "imported", "unchanged" (already in the archive) or "copy" (of an archived one)."""

    plan: ImportPlan
    status: str
    path: Path
    warnings: list[str]
    meta: ArchiveMeta


@dataclass(frozen=True)
class Given:
    """What the clerk typed on the command line; None where the text is to be read."""

    kind: str | None = None
    number: str | None = None
    date: dt.date | None = None
    title: str | None = None
    enterprises: list[str] | None = None
    issuer: str | None = None
    allow_duplicate_number: bool = False


class _Engine:
    """The OCR engine, loaded once on first need; None (with the reason) where it cannot be had."""

    def __init__(self, settings: Settings, wanted: bool, on_warning: Callable[[str], None] | None) -> None:
        self.settings, self.wanted, self.on_warning = settings, wanted, on_warning
        self._engine: OcrEngine | None = None
        self.unavailable: str | None = None if wanted else "导入时未做 OCR（--no-ocr）"

    def get(self) -> OcrEngine | None:
        if self._engine is None and self.unavailable is None:
            try:
                self._engine = open_engine(self.settings.ocr.engine)
            except OcrError as exc:
                self.unavailable = exc.message
                if self.on_warning:
                    self.on_warning(exc.message)
        return self._engine


def plan_import(
    source: Path,
    given: Given,
    engine: _Engine,
    on_page: Callable[[int, int], None] | None = None,
) -> ImportPlan:
    """Read one file (OCR for pages without text) and decide its metadata: given values win."""
    extracted = extract(source)
    if extracted.kind == "docx":  # read as docgen format reads a draft: Word's numbers, changes accepted
        extracted = dataclasses.replace(extracted, text=word_text(source))
    text, ocr = extracted.text, None
    scanned = extracted.image_only_pages if extracted.kind == "pdf" else []
    if scanned and engine.wanted:
        refuse_long_ocr(source, len(scanned))  # before the engine loads: a refusal costs nothing
    ocr_engine = engine.get() if scanned else None
    if ocr_engine is not None:
        cfg = engine.settings.ocr
        ocr = recognise_pages(source, scanned, ocr_engine, dpi=cfg.dpi, on_page=on_page)
        by_page = {p.page: p.text for p in ocr.pages}
        pages = (by_page.get(n, t) for n, t in enumerate(extracted.page_texts, start=1))
        text = "\n".join(without_page_number(page) for page in pages)
    needs_ocr = bool(scanned) and ocr is None and not text.strip()
    read = read_metadata(text)
    said, guessed = [], []
    where = "（OCR）" if ocr else ""

    def pick(label: str, typed: Any, found: Any) -> Any:
        if typed is not None:
            return typed
        if found:
            said.append(label + where)
        return found

    number = given.number
    if number is not None:
        parsed = parse_number(number)
        if parsed is None:
            msg = f"无法识别发文字号“{number}”。"
            raise DocgenError(msg)
        number = str(parsed.number)
    number = pick("发文字号", number, read.number)
    title = pick("标题", given.title, read.title)
    if not title:
        title = printable(source.stem)
        guessed.append("标题（取自文件名）")
    date = pick("成文日期", given.date, read.date)
    if date is None:
        date = dt.datetime.fromtimestamp(source.stat().st_mtime).astimezone().date()
        guessed.append("成文日期（取自文件修改时间）")
    typed_enterprises = [Enterprise(n) for n in given.enterprises] if given.enterprises is not None else None
    enterprises = pick("企业名称", typed_enterprises, read.enterprises) or []
    issuer = pick("责任者", given.issuer, read.issuer)
    kind, word = kind_of_title(title)
    kind = given.kind or kind
    plan = ImportPlan(source, extracted, kind, title, number, date, enterprises, needs_ocr, issuer)
    plan.kind_name = word if kind == "other" and word else IMPORTED_KIND_NAMES.get(kind, kind)
    plan.text, plan.ocr, plan.review_below = text, ocr, engine.settings.ocr.review_below
    plan.read_from_text, plan.guessed = said, guessed
    plan.allow_duplicate_number = given.allow_duplicate_number
    return plan


def number_holder(ws: Workspace, plan: ImportPlan) -> str | None:
    """Who already holds the plan's 发文字号: a document of another title in the registry.

    Every issued and imported number is in the registry, so it alone answers; the archive is
    not walked once per file.
    """
    parsed = parse_number(plan.number) if plan.number else None
    if parsed is None:
        return None
    n = parsed.number
    record = ws.numbers.find(n.prefix, n.year, n.sequence)
    if record is not None and "".join(record.title.split()) != "".join(plan.title.split()):
        return f"登记簿中的《{record.title}》"
    return None


def archived_copy(ws: Workspace, plan: ImportPlan) -> ArchiveMeta | None:
    """The archived document the file is a copy of: the same 发文字号 and the same title.

    A Word or PDF copy of a document docgen issued (or imported before) is not a second document
    under its number (四性检测 ZS-4 would then report one number used twice).
    """
    parsed = parse_number(plan.number) if plan.number else None
    if parsed is None:
        return None
    n = parsed.number
    record = ws.numbers.find(n.prefix, n.year, n.sequence)
    title = "".join(plan.title.split())
    if record is None or "".join(record.title.split()) != title:
        return None
    if ws.archive.latest(f"import:{sha256_file(plan.source)}") is not None:
        return None  # the very file imported before: the archive says so itself ("unchanged")
    for year in sorted({n.year, plan.date.year}):
        for meta in reversed(ws.archive.metas(year)):
            if meta.get("number") == str(n) and "".join(str(meta.get("title", "")).split()) == title:
                found: ArchiveMeta = meta
                return found
    return None


def _record_copy(ws: Workspace, plan: ImportPlan, original: ArchiveMeta) -> Imported:
    """Record in the event log that the file is a copy of an archived document; store nothing."""
    ws.archive.log.append(
        "copy_recognised",
        copy_of=original["path"],
        original_name=printable(plan.source.name),
        original_sha256=sha256_file(plan.source),
        number=plan.number,
        title=plan.title,
    )
    said = (
        f"与归档库中的《{original['title']}》（{original['path']}）发文字号和标题相同，是它的副本："
        "未另存为新文件，已在事件日志中记录。"
    )
    return Imported(plan, "copy", ws.settings.archive_dir / original["path"], [said], original)


def _refuse_duplicate(ws: Workspace, plan: ImportPlan) -> list[str]:
    """Refuse a 发文字号 someone else holds, unless the clerk confirmed it; then say so."""
    holder = number_holder(ws, plan)
    if holder is None:
        return []
    if not plan.allow_duplicate_number:
        msg = (
            f"{plan.source}：发文字号 {plan.number} 已被{holder}使用，未导入。确属历史上的重号，"
            "请加 --allow-duplicate-number 导入（会记录在案，四性检测中列明）。"
        )
        raise DocgenError(msg)
    return [f"发文字号 {plan.number} 与{holder}重复，已按 --allow-duplicate-number 导入并记录。"]


def import_files(
    ws: Workspace,
    files: list[Path],
    given: Given | None = None,
    *,
    ocr: bool = True,
    on_warning: Callable[[str], None] | None = None,
    on_page: Callable[[int, int], None] | None = None,
) -> list[Imported]:
    """Import PDF and DOCX files into the archive (and the index); all are read and checked first."""
    given = given or Given()
    if len(files) > 1 and (given.number or given.title):
        msg = "--number 和 --title 只能用于导入单个文件。"
        raise DocgenError(msg)
    engine = _Engine(ws.settings, ocr, on_warning)
    plans = [plan_import(f, given, engine, on_page) for f in files]
    originals = {id(plan): archived_copy(ws, plan) for plan in plans}
    notes = {id(plan): _refuse_duplicate(ws, plan) for plan in plans if originals[id(plan)] is None}
    stored = iter(_store_all(ws, [plan for plan in plans if originals[id(plan)] is None]))
    results = []
    for plan in plans:  # in the order given
        original = originals[id(plan)]
        result = _record_copy(ws, plan, original) if original is not None else next(stored)
        result.warnings[:0] = notes.get(id(plan), [])
        results.append(result)
    index_archived(ws, [r.meta for r in results if r.status == "imported"], on_warning)
    return results


def _store_all(ws: Workspace, plans: list[ImportPlan]) -> list[Imported]:
    """Make each plan's archival rendition (DOCX files converted together), then store each."""
    results = []
    with tempfile.TemporaryDirectory(prefix="docgen-import-") as tmp_name:
        staging = Path(tmp_name)
        docx_pdfs: dict[int, Path] = {}
        docx_jobs = []
        said: dict[int, list[str]] = {}
        for i, plan in enumerate(plans):
            if plan.extracted.kind == "docx":
                docx_pdfs[i] = staging / f"{i}.pdf"
                # What would reach the network or this machine's files is taken out of the copy
                # LibreOffice converts; the original is archived byte for byte as it came.
                cleaned = staging / f"{i}.docx"
                removed = clean_docx(plan.source, cleaned)
                if removed:
                    said[i] = [f"转换为 PDF/A 前已移除：{'、'.join(removed)}（原件照原样保存）"]
                docx_jobs.append((cleaned, docx_pdfs[i]))
        if docx_jobs:
            converter_for(ws.settings).convert(docx_jobs)  # a DOCX also gets its PDF/A
        for i, plan in enumerate(plans):
            work = staging / str(i)
            work.mkdir()
            try:
                rendition = docx_rendition(docx_pdfs[i]) if i in docx_pdfs else _pdf_rendition(plan, work)
            except DocgenError as exc:
                if i in docx_pdfs:
                    raise  # a DOCX has nothing else to archive as its PDF
                rendition = None
                said.setdefault(i, []).append(f"{exc.message}。原件照原样归档，四性检测 KY-2（PDF/A）将不通过。")
            result = _store(ws, plan, rendition, work)
            result.warnings[:0] = said.get(i, [])
            results.append(result)
    return results


def _pdf_rendition(plan: ImportPlan, work: Path) -> Rendition | None:
    """The PDF/A standing for an imported PDF; None when the original already is one with text."""
    if not needs_rendition(plan.extracted) or (plan.needs_ocr and plan.ocr is None):
        return None  # a scan not read by OCR yet: its rendition comes with its text
    return make_rendition(plan.source, plan.extracted, plan.ocr, work)


def _without_boxes(page: PageText) -> dict[str, Any]:
    return {f.name: getattr(page, f.name) for f in dataclasses.fields(page) if f.name != "boxes"}


def _ocr_record(plan: ImportPlan) -> dict[str, Any]:
    assert plan.ocr is not None  # noqa: S101 - only called for OCR'd plans
    return {
        "engine": plan.ocr.engine,
        "version": plan.ocr.version,
        "dpi": plan.ocr.dpi,
        "review_below": plan.review_below,
        "pages": [{**_without_boxes(p), "text": None} for p in plan.ocr.pages],
        "review_pages": plan.review_pages,
    }


def _store(ws: Workspace, plan: ImportPlan, rendition: Rendition | None, work: Path) -> Imported:
    (work / "text.txt").write_text(plan.text, encoding="utf-8")
    original_sha = sha256_file(plan.source)
    pdf = rendition.path if rendition is not None else plan.source
    files = {DOCUMENT_PDF: pdf, TEXT: work / "text.txt"}
    extra: dict[str, Any] = {}
    if rendition is not None:
        original = ORIGINAL_DOCX if plan.extracted.kind == "docx" else ORIGINAL_PDF
        files[original] = plan.source
        digests = {"from": original_sha, "to": sha256_file(pdf)}
        extra["conversion"] = conversion_record(rendition, original, digests)
    if plan.ocr is not None:
        record = _ocr_record(plan)
        (work / OCR).write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
        files[OCR] = work / OCR
        extra["ocr"] = {k: record[k] for k in ("engine", "version", "dpi", "review_pages")} | {
            "confidence": min((p.confidence for p in plan.ocr.pages), default=0.0)
        }
    warnings = _register_number(ws, plan)
    stored_pdf = extract(pdf)
    staged = StagedDocument(
        identity=f"import:{original_sha}",
        fingerprint=original_sha,
        kind=plan.kind,
        kind_name=plan.kind_name or IMPORTED_KIND_NAMES.get(plan.kind, plan.kind),
        title=plan.title,
        date=plan.date.isoformat(),
        number=plan.number,
        enterprise_name=plan.enterprises[0].name if plan.kind == "acceptance" and plan.enterprises else None,
        files=files,
        meta={
            "event": "imported",
            "source": "import",
            "original_name": printable(plan.source.name),
            "original_sha256": original_sha,
            "enterprises": [
                {"key": None, "name": e.name, **({"credit_code": e.credit_code} if e.credit_code else {})}
                for e in plan.enterprises
            ],
            **({"issuer": plan.issuer} if plan.issuer else {}),
            "pages": stored_pdf.pages,
            "pdfa_part": stored_pdf.pdfa_part,
            "text_source": _text_source(plan),
            "needs_ocr": plan.needs_ocr,
            "needs_review": plan.needs_review,
            "read_from_text": plan.read_from_text,
            "guessed": plan.guessed,
            "to_fill": plan.to_fill,
            **({"duplicate_number_allowed": True} if plan.allow_duplicate_number and plan.number else {}),
            **extra,  # type: ignore[typeddict-item]
        },
    )
    stored = ws.archive.store(staged)
    status = "imported" if stored.status == "issued" else stored.status
    return Imported(plan, status, stored.path, warnings, stored.meta)


def _text_source(plan: ImportPlan) -> str:
    """Where the stored text came from: the file's own text layer, OCR, or both."""
    if plan.extracted.kind == "docx":
        return "docx"
    if plan.ocr is None:
        return "none" if plan.needs_ocr else "pdf"
    return "ocr" if len(plan.ocr.pages) == plan.extracted.pages else "pdf+ocr"


def _register_number(ws: Workspace, plan: ImportPlan) -> list[str]:
    """Record an imported document's number in the registry, so numbering continues after it."""
    if not plan.number:
        return []
    parsed = parse_number(plan.number)
    if parsed is None:
        return []
    n = parsed.number
    record = new_record(n.prefix, n.year, n.sequence, plan.title, source="import", kind=plan.kind)
    try:
        ws.numbers.import_records([record])
    except RegistryError as exc:
        return [exc.message]
    return []


# --- folders -------------------------------------------------------------------------------


@dataclass
class FolderRow:
    """One file's line in the import report."""

    file: Path
    outcome: str  # 已导入 / 已在归档库中 / 副本 / 拒绝 / 待核对
    note: str = ""
    imported: Imported | None = None


@dataclass
class FolderReport:
    """What a folder import did, file by file, and where its CSV report is."""

    rows: list[FolderRow] = field(default_factory=list)
    report: Path | None = None

    def count(self, outcome: str) -> int:
        """How many files ended with ``outcome``."""
        return sum(1 for row in self.rows if row.outcome == outcome)


def files_in(folders: list[Path], recursive: bool) -> list[Path]:
    """The PDF and DOCX names in the folders (and their subfolders with ``recursive``), in name order.

    Links are listed, not followed (``_plan_one`` refuses them): a folder of old files must not
    reach files elsewhere on the machine. A subfolder reached through a link is not entered.
    """
    found: list[Path] = []
    for folder in folders:
        for top, subfolders, names in os.walk(folder, followlinks=False):
            if not recursive:
                subfolders.clear()
            subfolders.sort()
            found += sorted(
                Path(top) / name
                for name in names
                if Path(name).suffix.lower() in IMPORTABLE and not name.startswith(".")
            )
    return found


def import_folder(
    ws: Workspace,
    files: list[Path],
    given: Given,
    *,
    report: Path,
    ocr: bool = True,
    on_file: Callable[[int, int, Path], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> FolderReport:
    """Import many files one by one: each gets an outcome; the CSV report is written even if interrupted.

    A PDF is stored as soon as it is read (its OCR is never lost to an interruption); DOCX files
    wait to be converted to PDF/A together, ``CHUNK`` at a time. The index is brought up to date
    every ``CHUNK`` stored files and at the end; if the run is cut short it is rebuilt on next use.
    """
    engine = _Engine(ws.settings, ocr, on_warning)
    done = FolderReport(report=report)
    waiting: list[ImportPlan] = []
    unindexed: list[ArchiveMeta] = []
    storing: list[ImportPlan] = []  # being stored now: an interruption may come after the archive has them
    try:
        for n, source in enumerate(files, start=1):
            planned = _plan_one(ws, source, given, engine)
            if isinstance(planned, FolderRow):
                done.rows.append(planned)
            elif planned.extracted.kind == "docx":
                waiting.append(planned)
            else:
                storing = [planned]
                unindexed += _store_rows(ws, storing, done)
            if len(waiting) >= CHUNK:
                storing = waiting
                unindexed += _store_rows(ws, storing, done)
                waiting = []
            if len(unindexed) >= CHUNK:
                index_archived(ws, unindexed, on_warning)
                unindexed = []
            if on_file:
                on_file(n, len(files), source)
        storing = waiting
        unindexed += _store_rows(ws, storing, done)
        index_archived(ws, unindexed, on_warning)
    finally:
        # Cut short (Ctrl+C, a kill), the report still accounts for every file given: one stored
        # just before the interruption says so; the ones read but not yet stored and the ones
        # never reached are listed for the next run.
        reported = {row.file for row in done.rows}
        for plan in storing:
            if plan.source not in reported and ws.archive.latest(f"import:{sha256_file(plan.source)}") is not None:
                done.rows.append(FolderRow(plan.source, "已导入", "导入中断前已存入归档库"))
        reported = {row.file for row in done.rows}
        done.rows += [FolderRow(f, "未处理", "导入中断，重新运行即可继续") for f in files if f not in reported]
        _write_report(done)
    return done


def upload_path(folder: Path, name: str, n: int) -> Path:
    """Where the ``n``th uploaded file is saved: under its own name (the archive records it), made safe."""
    target = folder / f"{n:02d}" / (safe_name(Path(name).name) or f"file-{n}")  # two of one name stay two
    target.parent.mkdir(parents=True)
    return target


def import_uploads(ws: Workspace, files: list[Path], report: Path) -> FolderReport:
    """Files uploaded in the browser, imported one by one as a folder is, each with its outcome."""
    return import_folder(ws, files, Given(), report=report)


def _plan_one(ws: Workspace, source: Path, given: Given, engine: _Engine) -> FolderRow | ImportPlan:
    """The file's plan; or its row when it is already stored (skipped at once) or refused.

    One bad file never stops the folder: whatever goes wrong with it is its row.
    """
    if source.is_symlink():
        return FolderRow(source, "拒绝", "是符号链接，未跟随（只导入文件夹中的文件本身）")
    try:
        if file_kind(source) is None:
            return FolderRow(source, "拒绝", "不是 PDF 或 DOCX 文件（或不是普通文件）")
        previous = ws.archive.latest(f"import:{sha256_file(source)}")
        if previous is not None:
            return FolderRow(source, "已在归档库中", previous["path"])
        plan = plan_import(source, given, engine)
        if (original := archived_copy(ws, plan)) is not None:
            copied = _record_copy(ws, plan, original)
            return FolderRow(source, "副本", copied.warnings[0], copied)
        _refuse_duplicate(ws, plan)
    except Exception as exc:  # a damaged file may break a reader in ways of its own: it is this file's row
        return FolderRow(source, "拒绝", _why(exc))
    return plan


def _why(exc: Exception) -> str:
    """What went wrong with one file, as its report row says it."""
    if isinstance(exc, DocgenError):
        return exc.message
    if isinstance(exc, OSError):
        return os_error_message(exc)
    return printable(f"无法读取（{type(exc).__name__}：{str(exc)[:80]}）")


def _store_rows(ws: Workspace, plans: list[ImportPlan], done: FolderReport) -> list[ArchiveMeta]:
    """Store the plans (DOCX converted together), add their rows; return the metas to index."""
    if not plans:
        return []
    try:
        results = _store_all(ws, plans)
    except DocgenError as exc:  # a DOCX LibreOffice cannot convert: the files are tried one by one
        if len(plans) == 1:
            done.rows.append(FolderRow(plans[0].source, "拒绝", exc.message))
            return []
        return [meta for plan in plans for meta in _store_rows(ws, [plan], done)]
    for result in results:
        plan = result.plan
        notes = [*result.warnings]
        if plan.review_pages:
            notes.append(f"OCR 置信度低的页：{'、'.join(map(str, plan.review_pages))}，请对照原件核对")
        if plan.guessed:
            notes.append(f"推测：{'、'.join(plan.guessed)}")
        if plan.to_fill:
            notes.append(f"待补录：{'、'.join(plan.to_fill)}")
        if plan.needs_ocr:
            notes.append("没有文字层，未能 OCR")
        outcome = "待核对" if plan.needs_review else "已导入"
        done.rows.append(FolderRow(plan.source, outcome, "；".join(notes), result))
    return [r.meta for r in results if r.status == "imported"]


def _write_report(done: FolderReport) -> None:
    if done.report is None:
        return
    table: list[list[str]] = []
    for row in done.rows:
        plan = row.imported.plan if row.imported else None
        table.append(
            [
                printable(row.file),
                row.outcome,
                printable(row.note),
                plan.title if plan else "",
                (plan.kind_name or plan.kind) if plan else "",
                (plan.number or "") if plan else "",
                plan.date.isoformat() if plan else "",
                (plan.issuer or "") if plan else "",
                "、".join(e.name for e in plan.enterprises) if plan else "",
                f"{min(p.confidence for p in plan.ocr.pages):.3f}" if plan and plan.ocr and plan.ocr.pages else "",
                "、".join(map(str, plan.review_pages)) if plan else "",
                str(row.imported.path) if row.imported else "",
            ]
        )
    write_spreadsheet(done.report, [list(REPORT_COLUMNS), *table])


__all__ = [
    "INSTALL_HINT",
    "FolderReport",
    "FolderRow",
    "Given",
    "ImportPlan",
    "Imported",
    "files_in",
    "import_files",
    "import_folder",
    "number_holder",
    "plan_import",
]
