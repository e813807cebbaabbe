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
from typing import Any

from docgen.archive import Archive, StagedDocument, sha256_file
from docgen.config import Settings
from docgen.docnumber import parse_number
from docgen.documents import KIND_NAMES
from docgen.errors import DocgenError
from docgen.filing import index_archived
from docgen.numbering import registry_for
from docgen.pipeline import converter_for
from docgen.registry import RegistryError, new_record
from docgen.textextract import ExtractedText, extract, infer_metadata

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
    read_from_text: list[str] = field(default_factory=list)
    guessed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Imported:
    """The outcome for one file: "imported" or "unchanged" (already in the archive)."""

    plan: ImportPlan
    status: str
    path: Path
    warnings: list[str]
    meta: dict[str, Any]


def plan_import(
    source: Path,
    *,
    kind: str | None = None,
    number: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    enterprises: list[str] | None = None,
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
    if kind is None:
        kind = kind_from_title(title)
    return ImportPlan(source, extracted, kind, title, number, date, enterprises, needs_ocr, read, guessed)


def import_files(
    settings: Settings,
    files: list[Path],
    *,
    kind: str | None = None,
    number: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    enterprises: list[str] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> list[Imported]:
    """Import PDF and DOCX files into the archive (and the index); all are checked first."""
    if len(files) > 1 and (number or title):
        msg = "--number 和 --title 只能用于导入单个文件。"
        raise DocgenError(msg)
    plans = [plan_import(f, kind=kind, number=number, date=date, title=title, enterprises=enterprises) for f in files]
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
