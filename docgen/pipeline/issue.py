"""Issuing case documents into the archive, and checking the archive against the registry.

``issue_case`` is the whole pipeline: numbers from the registry → render → PDF/A → archive.
A re-run after a crash or Ctrl-C finishes what is missing and does nothing twice: numbers are
idempotent per case document, and a document whose content fingerprint is already archived is
skipped before any conversion.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import __version__ as pypdf_version

from docgen import __version__
from docgen.archive.paths import CASE_FILE, CONTEXT, DOCUMENT_DOCX, DOCUMENT_PDF, TEXT
from docgen.archive.records import ArchiveMeta
from docgen.archive.store import StagedDocument
from docgen.case.yamlsource import YamlSource
from docgen.convert.libreoffice import Converter
from docgen.errors import ConversionError, DocgenError
from docgen.faults import pause_point
from docgen.pipeline.fit import Job, fit_and_convert, make_jobs
from docgen.pipeline.numbers import case_reference
from docgen.pipeline.prepare import Prepared, converter_for, prepare
from docgen.pipeline.searching import index_archived
from docgen.pipeline.workspace import Workspace
from docgen.readback import PDFA_PART
from docgen.render.context import Document
from docgen.render.templates import template_digest
from docgen.vocab import KIND_NAMES


class Status(enum.StrEnum):
    """What became of one document; the value is what ``--json`` prints, ``label`` what a clerk reads."""

    ISSUED = "issued"
    NEW_VERSION = "new_version"
    UNCHANGED = "unchanged"
    BLOCKED = "blocked"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The status in a word or two (counts after a batch)."""
        return _STATUS_LABELS[self][0]

    @property
    def sentence(self) -> str:
        """The status as told for one document."""
        return _STATUS_LABELS[self][1]

    @property
    def stored(self) -> bool:
        """True when the document is in the archive after this run."""
        return self in (Status.ISSUED, Status.NEW_VERSION, Status.UNCHANGED)


_STATUS_LABELS = {
    Status.ISSUED: ("新归档", "已归档"),
    Status.NEW_VERSION: ("新版本", "已归档新版本"),
    Status.UNCHANGED: ("未变化", "未变化，未重复归档"),
    Status.BLOCKED: ("格式错误", "格式检查有错误，未签发"),
    Status.FAILED: ("失败", "转换或核对失败，未签发"),
}


@dataclass(frozen=True)
class Issued:
    """One document ``issue_case`` dealt with, and what became of it."""

    status: Status
    kind: str
    title: str
    number: str | None
    path: Path
    enterprise: str | None = None
    findings: list[str] = dataclasses.field(default_factory=list)


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
    digest.update(template_digest(template).encode())
    return digest.hexdigest()


@dataclass
class IssuePlan:
    """One case on its way into the archive: the jobs still to convert, and what became of the rest.

    Planning numbers the documents, skips those the archive holds unchanged, renders each
    changed one once and lints that rendering; converting (alone, or together with other cases
    in a batch) then fills in ``jobs``, and ``file_away`` stores each as soon as it is final.
    """

    ws: Workspace
    prepared: Prepared
    ref: str
    reason: str | None
    lint: bool
    on_document: Callable[[Issued], None] | None
    attach: Callable[[Document], dict[str, bytes]] | None = None  # more files to archive with a document
    jobs: list[Job] = dataclasses.field(default_factory=list)
    prints: dict[int, str] = dataclasses.field(default_factory=dict)  # id(job) → fingerprint
    results: list[Issued] = dataclasses.field(default_factory=list)
    stored: list[ArchiveMeta] = dataclasses.field(default_factory=list)

    def report(self, item: Issued) -> None:
        """Record what became of one document and tell the caller at once."""
        self.results.append(item)
        if self.on_document:
            self.on_document(item)


def plan_issue(
    case_path: Path,
    ws: Workspace,
    staging: Path,
    *,
    kinds: list[str] | None = None,
    enterprise: str | None = None,
    reason: str | None = None,
    lint: bool = True,
    on_document: Callable[[Issued], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    loaded: YamlSource | None = None,
) -> IssuePlan:
    """Number the case's documents, skip what the archive holds unchanged, render and lint the rest.

    Each document is rendered once, here, for the lint and for its first conversion alike; its
    fingerprint is computed once. ``staging`` is a folder this plan may write its files into.
    """
    prepared = prepare(case_path, ws, kinds, enterprise=enterprise, allocate=True, converting=True, loaded=loaded)
    for doc in prepared.documents:
        if doc.date is None:
            msg = f"{KIND_NAMES[doc.kind]}《{doc.title}》没有成文日期（需要案卷中的 notice.date），无法归档。"
            raise DocgenError(msg)
    plan = IssuePlan(ws, prepared, case_reference(case_path, ws), reason, lint, on_document)
    pending: list[tuple[Document, str]] = []
    for doc in prepared.documents:  # an unchanged document was linted when it was issued: nothing to do
        print_ = fingerprint(doc, prepared.templates[doc.template_kind])
        latest = ws.archive.latest(f"{plan.ref}#{doc.archive_key}")
        if latest is not None and latest.get("fingerprint") == print_:
            ws.archive.recover_event(latest)
            where = ws.settings.archive_dir / latest["path"]
            plan.report(Issued(Status.UNCHANGED, doc.kind, doc.title, doc.number, where, doc.enterprise_key))
        else:
            pending.append((doc, print_))
    folder = Path(tempfile.mkdtemp(prefix="case-", dir=staging))  # cases of a batch share the staging
    for job, (_, print_) in zip(
        make_jobs([doc for doc, _ in pending], prepared.templates, folder), pending, strict=True
    ):
        if lint and _blocked_by_lint(plan, job, on_warning):
            continue
        plan.jobs.append(job)
        plan.prints[id(job)] = print_
    return plan


def _blocked_by_lint(plan: IssuePlan, job: Job, on_warning: Callable[[str], None] | None) -> bool:
    """Lint the document as it will be printed (its first rendering, kept for conversion); report errors."""
    from docgen.lint import lint_document  # noqa: PLC0415 - lint machinery loads only when used
    from docgen.lint.readers import read_docx  # noqa: PLC0415

    doc, case_path = job.document, plan.prepared.case_path
    job.render()
    # Named by the case file and the generated paragraph, not the temporary DOCX.
    findings = [
        dataclasses.replace(f, file=str(case_path), place=f"（生成的 {doc.file_stem} {f.place}）")
        for f in lint_document(read_docx(job.docx, kind=doc.kind))
    ]
    for warning in (f for f in findings if f.severity == "warning"):
        if on_warning:
            on_warning(f"《{doc.title}》{warning}")
    errors = [str(f) for f in findings if f.severity == "error"]
    if errors:
        plan.report(Issued(Status.BLOCKED, doc.kind, doc.title, doc.number, case_path, doc.enterprise_key, errors))
    return bool(errors)


def file_away(plan: IssuePlan, job: Job) -> None:
    """Store one document as soon as its PDF is final, so a crash keeps what is done."""
    doc = job.document
    if job.error:
        case_path = plan.prepared.case_path
        plan.report(Issued(Status.FAILED, doc.kind, doc.title, doc.number, case_path, doc.enterprise_key, [job.error]))
        return
    pause_point("issue-after-convert")
    staged = _stage(plan, job)
    stored = plan.ws.archive.store(staged, reason=plan.reason)
    plan.stored.append(stored.meta)
    plan.report(Issued(Status(stored.status), doc.kind, doc.title, doc.number, stored.path, doc.enterprise_key))


def issue_case(
    case_path: Path,
    ws: Workspace,
    *,
    kinds: list[str] | None = None,
    enterprise: str | None = None,
    reason: str | None = None,
    on_document: Callable[[Issued], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    lint: bool = True,
    converter: Converter | None = None,
    attach: Callable[[Document], dict[str, bytes]] | None = None,
) -> list[Issued]:
    """Lint, number, render, convert to PDF/A, archive and index the chosen documents of a case.

    A document whose lint finds an error is not issued (``Issued.status == "blocked"``); with
    ``lint=False`` nothing is checked and the archive's event log records that. ``attach`` gives
    files archived with a document, made once its number is known (a draft's 发文稿纸).
    """
    with tempfile.TemporaryDirectory(prefix="docgen-issue-") as tmp_name:
        plan = plan_issue(
            case_path,
            ws,
            Path(tmp_name),
            kinds=kinds,
            enterprise=enterprise,
            reason=reason,
            lint=lint,
            on_document=on_document,
            on_warning=on_warning,
        )
        plan.attach = attach
        if plan.jobs:
            # The fit rounds share one LibreOffice profile; a converter given (a batch's pool) is the caller's.
            with contextlib.nullcontext(converter) if converter else converter_for(ws.settings) as convert:
                fit_and_convert(plan.jobs, convert, on_converted=lambda job: file_away(plan, job))
    index_archived(ws, plan.stored, on_warning)
    return plan.results


def _stage(plan: IssuePlan, job: Job) -> StagedDocument:
    """The archive's record of one proved document: the PDF/A, its DOCX, and the data it was made from."""
    pdf, docx, template, doc, text = job.pdf, job.docx, job.template, job.document, job.text
    assert job.proof is not None and text is not None  # noqa: S101 - a job without a passed check has an error
    if text.pdfa_part != PDFA_PART:
        msg = f"《{doc.title}》的 PDF 没有 PDF/A-2 标记（pdfaid:part={text.pdfa_part}），未归档。"
        raise ConversionError(msg)
    assert doc.date is not None  # noqa: S101 - checked when planned
    meta: ArchiveMeta = {
        "source": "docgen",
        "issuer": plan.prepared.case.issuer.name,
        # 密级和保密期限 as printed: search and the web page keep such a document's text back.
        "secrecy": doc.context.get("secrecy") or None,
        "enterprises": [
            {"key": key, "name": name} for key, name in zip(doc.enterprise_keys, doc.enterprise_names, strict=False)
        ],
        "pages": text.page_count,
        "pdfa_part": text.pdfa_part,
        "case_file": plan.ref,
        "archive_key": doc.archive_key,
        "docgen_version": __version__,
        "template": {"name": template.name, "sha256": template_digest(template)},
        # The PDF was read back and compared with its DOCX, character by character.
        "text_check": {"result": "一致", "characters": job.proof.characters, "reader": f"pypdf {pypdf_version}"},
    }
    if not plan.lint:
        meta["lint"] = "skipped"
    return StagedDocument(
        identity=f"{plan.ref}#{doc.archive_key}",
        fingerprint=plan.prints[id(job)],
        kind=doc.kind,
        kind_name=KIND_NAMES[doc.kind],
        title=doc.title,
        date=doc.date.isoformat(),
        number=doc.number,
        enterprise_name=doc.enterprise_names[0] if doc.enterprise_key else None,
        files={
            DOCUMENT_PDF: pdf,
            DOCUMENT_DOCX: docx,
            # The case as it was read and validated, not as it may be on disk by now.
            CASE_FILE: plan.prepared.source,
            CONTEXT: context_json(doc.context).encode("utf-8"),
            TEXT: text.stored_text().encode("utf-8"),
            **(plan.attach(doc) if plan.attach else {}),
        },
        meta=meta,
    )
