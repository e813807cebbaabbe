"""Issuing case documents into the archive, and checking the archive against the registry.

``issue_case`` is the whole pipeline: numbers from the registry → render → PDF/A → archive.
A re-run after a crash or Ctrl-C finishes what is missing and does nothing twice: numbers are
idempotent per case document, and a document whose content fingerprint is already archived is
skipped before any conversion.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import __version__ as pypdf_version

from docgen import __version__
from docgen._io import child
from docgen.archive import Archive, StagedDocument, VerifyReport, sha256_file
from docgen.case import Case, load_case
from docgen.config import Settings
from docgen.convert import Converter
from docgen.documents import KIND_NAMES, NUMBERED_KINDS, Document, documents_for
from docgen.errors import ConversionError, DocgenError
from docgen.faults import pause_point
from docgen.numbering import case_reference, number_for_loaded_case, registry_for
from docgen.pipeline import Job, converter_for, fit_and_convert, make_jobs, refuse_undrawable
from docgen.templates import check_template, find_template, render_docx
from docgen.textextract import extract

PDFA_PART = 2


@dataclass(frozen=True)
class Issued:
    """One document ``issue_case`` dealt with: "issued", "new_version" or "unchanged"."""

    status: str
    kind: str
    title: str
    number: str | None
    path: Path
    enterprise: str | None = None
    findings: list[str] = dataclasses.field(default_factory=list)


def _lint_documents(
    documents: list[Document], templates: dict[str, Path], on_warning: Callable[[str], None] | None
) -> tuple[list[Document], list[tuple[Document, list[Any]]]]:
    """Lint each document as it will be printed; split off those with errors."""
    from docgen.lint import lint_document  # noqa: PLC0415 - lint machinery loads only when used
    from docgen.lint.readers import read_docx  # noqa: PLC0415

    ok, blocked = [], []
    with tempfile.TemporaryDirectory(prefix="docgen-lint-") as tmp:
        for doc in documents:
            target = child(Path(tmp), f"{doc.file_stem}.docx")
            render_docx(templates[doc.template_kind], doc.context, target)
            findings = lint_document(read_docx(target, kind=doc.kind))
            errors = [f for f in findings if f.severity == "error"]
            for warning in (f for f in findings if f.severity == "warning"):
                if on_warning:
                    on_warning(f"《{doc.title}》{warning}")
            if errors:
                blocked.append((doc, errors))
            else:
                ok.append(doc)
    return ok, blocked


def default_kinds(case: Case) -> list[str]:
    """What issuing a case means when no kind is named: everything its data makes.

    The notice goes out as the composed set when the case has the plan and its task table,
    as the seed document did.
    """
    kinds = []
    if case.notice is not None:
        kinds.append("set" if case.plan is not None and case.tasks is not None else "notice")
    if case.enterprises:
        kinds.append("acceptance")
    if case.announcement is not None:
        kinds.append("announcement")
    return kinds


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def context_json(context: dict[str, Any]) -> str:
    """The filled-in data, canonical: the same data always gives the same text."""
    return json.dumps(context, ensure_ascii=False, sort_keys=True, indent=1, default=_jsonable)


def fingerprint(document: Document, template: Path) -> str:
    """What the printed document depends on: its kind, the data filled in and the template."""
    digest = hashlib.sha256()
    digest.update(document.kind.encode())
    digest.update(context_json(document.context).encode())
    digest.update(sha256_file(template).encode())
    return digest.hexdigest()


def issue_case(
    case_path: Path,
    settings: Settings,
    *,
    kinds: list[str] | None = None,
    enterprise: str | None = None,
    reason: str | None = None,
    on_document: Callable[[Issued], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    lint: bool = True,
    converter: Converter | None = None,
) -> list[Issued]:
    """Lint, number, render, convert to PDF/A, archive and index the chosen documents of a case.

    A document whose lint finds an error is not issued (``Issued.status == "blocked"``); with
    ``lint=False`` nothing is checked and the archive's event log records that.
    """
    case = load_case(case_path, settings.issuer_defaults)
    refuse_undrawable(case_path, case, settings)
    documents = _numbered_documents(case, case_path, settings, kinds or default_kinds(case), enterprise)
    custom = (case_path.parent / case.templates).resolve() if case.templates else settings.templates_dir
    templates = {doc.template_kind: find_template(doc.template_kind, custom) for doc in documents}
    for doc in documents:
        check_template(templates[doc.template_kind], doc.context)
    results: list[Issued] = []
    if lint:
        documents, blocked = _lint_documents(documents, templates, on_warning)
        for doc, findings in blocked:
            _report(
                results,
                on_document,
                Issued(
                    "blocked",
                    doc.kind,
                    doc.title,
                    doc.number,
                    case_path,
                    doc.enterprise_key,
                    [str(f) for f in findings],
                ),
            )

    archive = Archive(settings.archive_dir)
    ref = case_reference(case_path, settings)
    pending = []
    for doc in documents:
        print_ = fingerprint(doc, templates[doc.template_kind])
        latest = archive.latest(f"{ref}#{doc.archive_key}")
        if latest is not None and latest.get("fingerprint") == print_:
            archive.recover_event(latest)
            done = Issued(
                "unchanged", doc.kind, doc.title, doc.number, archive.root / latest["path"], doc.enterprise_key
            )
            results.append(done)
            if on_document:
                on_document(done)
        else:
            pending.append((doc, print_))
    if not pending:
        return results

    with tempfile.TemporaryDirectory(prefix="docgen-issue-") as tmp_name:
        staging = Path(tmp_name)
        jobs = make_jobs([doc for doc, _ in pending], templates, staging)
        prints = {id(job): print_ for job, (_, print_) in zip(jobs, pending, strict=True)}
        stored_metas: list[dict[str, Any]] = []

        def file_away(job: Job) -> None:
            """Store each document as soon as its PDF is final, so a crash keeps what is done."""
            doc = job.document
            if job.error:
                done = Issued("failed", doc.kind, doc.title, doc.number, case_path, doc.enterprise_key, [job.error])
            else:
                pause_point("issue-after-convert")
                staged = _stage(job, prints[id(job)], case=case, case_path=case_path, ref=ref)
                if not lint:
                    staged = dataclasses.replace(staged, meta={**staged.meta, "lint": "skipped"})
                stored = archive.store(staged, reason=reason)
                stored_metas.append(stored.meta)
                done = Issued(stored.status, doc.kind, doc.title, doc.number, stored.path, doc.enterprise_key)
            results.append(done)
            if on_document:
                on_document(done)

        fit_and_convert(jobs, converter or converter_for(settings), on_converted=file_away)
    index_archived(settings, stored_metas, on_warning)
    return results


def _report(results: list[Issued], on_document: Callable[[Issued], None] | None, item: Issued) -> None:
    results.append(item)
    if on_document:
        on_document(item)


def index_archived(
    settings: Settings, metas: list[dict[str, Any]], on_warning: Callable[[str], None] | None = None
) -> None:
    """Add newly archived documents to the search index; a failure is a warning, never an error."""
    from docgen.search import SearchError, SearchIndex  # noqa: PLC0415 - engines load only when used

    try:
        SearchIndex(settings).add(metas)
    except SearchError as exc:
        if on_warning:
            on_warning(exc.message)


@dataclass(frozen=True)
class BatchCase:
    """One case of a batch: how many documents it makes, or why it cannot be read."""

    path: Path
    documents: int
    error: str | None = None


def plan_batch(cases: list[Path], settings: Settings, kinds: list[str] | None = None) -> list[BatchCase]:
    """Read every case first, so a batch knows its size and bad cases are reported, not fatal."""
    planned = []
    for path in cases:
        try:
            case = load_case(path, settings.issuer_defaults)
            count = sum(len(documents_for(case, k)) for k in (kinds or default_kinds(case)))
            planned.append(BatchCase(path, count))
        except DocgenError as exc:
            planned.append(BatchCase(path, 0, exc.message))
    return planned


def issue_batch(
    planned: list[BatchCase],
    settings: Settings,
    *,
    kinds: list[str] | None = None,
    workers: int | None = None,
    on_document: Callable[[Issued], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> list[Issued]:
    """Issue many cases through one conversion pool; one bad document or case never stops the rest.

    Re-running the same batch after a crash or Ctrl-C issues only what is missing.
    """
    from docgen.pool import ConversionPool  # noqa: PLC0415 - only batches need the pool

    pool = ConversionPool(settings.soffice, settings.convert_timeout, settings.font_dirs)
    if workers:
        pool.workers = workers
    results: list[Issued] = []
    for item in planned:
        if item.error is not None:
            failed = Issued("failed", "case", item.path.name, None, item.path, None, [item.error])
            results.append(failed)
            if on_document:
                on_document(failed)
            continue
        try:
            results += issue_case(
                item.path, settings, kinds=kinds, on_document=on_document, on_warning=on_warning, converter=pool
            )
        except DocgenError as exc:
            failed = Issued("failed", "case", item.path.name, None, item.path, None, [exc.message])
            results.append(failed)
            if on_document:
                on_document(failed)
    return results


def _numbered_documents(
    case: Case, case_path: Path, settings: Settings, kinds: list[str], enterprise: str | None
) -> list[Document]:
    """The documents to issue, with their numbers allocated (or found) in the registry."""
    if not kinds:
        msg = f"{case_path} 中没有可签发的文件（需要 notice、enterprises 或 announcement）。"
        raise DocgenError(msg)
    documents: list[Document] = []
    for kind in kinds:
        allocated = None
        if kind in NUMBERED_KINDS:
            allocated = number_for_loaded_case(case, case_path, settings, kind).record.number
        documents += documents_for(case, kind, enterprise if kind == "acceptance" else None, allocated)
    pause_point("issue-after-allocate")
    for doc in documents:
        if doc.date is None:
            msg = f"{KIND_NAMES[doc.kind]}《{doc.title}》没有成文日期（需要案卷中的 notice.date），无法归档。"
            raise DocgenError(msg)
    return documents


def _stage(job: Job, print_: str, *, case: Case, case_path: Path, ref: str) -> StagedDocument:
    pdf, docx, template, doc = job.pdf, job.docx, job.template, job.document
    assert job.proof is not None  # noqa: S101 - a job without a passed text check has an error and is not staged
    extracted = extract(pdf)
    if extracted.pdfa_part != PDFA_PART:
        msg = f"《{doc.title}》的 PDF 没有 PDF/A-2 标记（pdfaid:part={extracted.pdfa_part}），未归档。"
        raise ConversionError(msg)
    folder = pdf.parent / f"{pdf.stem}.files"
    folder.mkdir()
    (folder / "context.json").write_text(context_json(doc.context), encoding="utf-8")
    (folder / "text.txt").write_text(extracted.text, encoding="utf-8")
    shutil.copyfile(case_path, folder / "case.yaml")
    assert doc.date is not None  # noqa: S101 - checked before rendering
    return StagedDocument(
        identity=f"{ref}#{doc.archive_key}",
        fingerprint=print_,
        kind=doc.kind,
        kind_name=KIND_NAMES[doc.kind],
        title=doc.title,
        date=doc.date.isoformat(),
        number=doc.number,
        enterprise_name=doc.enterprise_names[0] if doc.enterprise_key else None,
        files={
            "document.pdf": pdf,
            "document.docx": docx,
            "case.yaml": folder / "case.yaml",
            "context.json": folder / "context.json",
            "text.txt": folder / "text.txt",
        },
        meta={
            "source": "docgen",
            "issuer": case.issuer.name,
            "enterprises": [
                {"key": key, "name": name} for key, name in zip(doc.enterprise_keys, doc.enterprise_names, strict=False)
            ],
            "pages": extracted.pages,
            "pdfa_part": extracted.pdfa_part,
            "case_file": ref,
            "archive_key": doc.archive_key,
            "docgen_version": __version__,
            "template": {"name": template.name, "sha256": sha256_file(template)},
            # The PDF was read back and compared with its DOCX, character by character.
            "text_check": {"result": "一致", "characters": job.proof.characters, "reader": f"pypdf {pypdf_version}"},
        },
    )


def verify_archive(settings: Settings, year: int | None = None) -> VerifyReport:
    """Re-hash the archive and compare its numbered documents with the registry; log the check."""
    archive = Archive(settings.archive_dir)
    report = archive.verify_files(year)
    registry = {r.number: r for r in registry_for(settings).records(year=year)}
    archived_numbers = set()
    for meta in archive.metas(year):
        number = meta.get("number")
        if not number or "\u3000" in number:
            continue
        archived_numbers.add(number)
        record = registry.get(number)
        if record is None:
            report.unknown_numbers.append(f"{number}（{meta['path']}）：登记簿中没有这个号")
        elif record.state != "issued":
            report.unknown_numbers.append(f"{number}（{meta['path']}）：登记簿中已作废（{record.void_reason}）")
    for number, record in registry.items():
        if record.state == "issued" and record.source == "docgen" and number not in archived_numbers:
            report.numbers_without_document.append(f"{number}《{record.title}》")
    with archive.locked():
        archive.append_event(
            "verified",
            year=year,
            ok=report.ok,
            documents=report.documents,
            modified=report.modified,
            missing=report.missing,
            unexpected=report.unexpected,
        )
    return report


def list_archive(
    settings: Settings, year: int | None = None, kind: str | None = None, enterprise: str | None = None
) -> list[dict[str, Any]]:
    """Archived documents, newest first, filtered by year, kind and enterprise (name or key)."""
    metas = Archive(settings.archive_dir).metas(year)
    if kind:
        metas = [m for m in metas if m.get("kind") == kind]
    if enterprise:
        metas = [
            m
            for m in metas
            if any(enterprise in (e.get("name") or "") or enterprise == e.get("key") for e in m.get("enterprises", []))
        ]
    return sorted(metas, key=lambda m: (m.get("date", ""), m.get("path", "")), reverse=True)


def after_batch(
    settings: Settings, results: list[Issued], *, copies: bool, filing: bool
) -> tuple[list[str], list[str]]:
    """Distribution copies and/or the year's filing for what a batch issued; (notes, errors)."""
    from docgen.archival import file_year  # noqa: PLC0415 - reportlab loads only when asked
    from docgen.distribution import make_copies  # noqa: PLC0415

    notes: list[str] = []
    errors: list[str] = []
    done = [r for r in results if r.status in ("issued", "new_version", "unchanged")]
    if copies:
        for r in done:
            if r.number and r.kind in NUMBERED_KINDS:
                try:
                    notes.append(f"分发件：{make_copies(settings, r.path)}")
                except DocgenError as exc:
                    errors.append(exc.message)
    if filing:
        years = sorted({int(json.loads((r.path / "meta.json").read_text(encoding="utf-8"))["date"][:4]) for r in done})
        for year in years:
            report = file_year(settings, year)
            errors += report.failures
            notes.append(f"{year} 年：{len(report.items)} 件归档副本和归档文件目录已生成：{report.folder}")
    return notes, errors
