"""Issuing case documents into the archive, and checking the archive against the registry.

``issue_case`` is the whole pipeline: numbers from the registry → render → PDF/A → archive.
A re-run after a crash or Ctrl-C finishes what is missing and does nothing twice: numbers are
idempotent per case document, and a document whose content fingerprint is already archived is
skipped before any conversion.
"""

from __future__ import annotations

import dataclasses
import enum
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
from docgen.archive.records import ArchiveMeta
from docgen.archive.store import StagedDocument, sha256_file
from docgen.case.model import Case
from docgen.convert.libreoffice import Converter
from docgen.errors import ConversionError, DocgenError
from docgen.faults import pause_point
from docgen.pipeline.fit import Job, fit_and_convert, make_jobs
from docgen.pipeline.numbers import case_reference
from docgen.pipeline.prepare import converter_for, prepare
from docgen.pipeline.searching import index_archived
from docgen.pipeline.workspace import Workspace
from docgen.readback import extract
from docgen.render.context import Document
from docgen.render.templates import render_docx
from docgen.vocab import KIND_NAMES

PDFA_PART = 2


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


def _lint_documents(
    documents: list[Document],
    templates: dict[str, Path],
    on_warning: Callable[[str], None] | None,
    case_path: Path,
) -> tuple[list[Document], list[tuple[Document, list[Any]]]]:
    """Lint each document as it will be printed; split off those with errors."""
    from docgen.lint import lint_document  # noqa: PLC0415 - lint machinery loads only when used
    from docgen.lint.readers import read_docx  # noqa: PLC0415

    ok, blocked = [], []
    with tempfile.TemporaryDirectory(prefix="docgen-lint-") as tmp:
        for doc in documents:
            target = child(Path(tmp), f"{doc.file_stem}.docx")
            render_docx(templates[doc.template_kind], doc.context, target)
            # Named by the case file and the generated paragraph, not the temporary DOCX.
            findings = [
                dataclasses.replace(f, file=str(case_path), place=f"（生成的 {doc.file_stem} {f.place}）")
                for f in lint_document(read_docx(target, kind=doc.kind))
            ]
            errors = [f for f in findings if f.severity == "error"]
            for warning in (f for f in findings if f.severity == "warning"):
                if on_warning:
                    on_warning(f"《{doc.title}》{warning}")
            if errors:
                blocked.append((doc, errors))
            else:
                ok.append(doc)
    return ok, blocked


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
    ws: Workspace,
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
    prepared = prepare(case_path, ws, kinds, enterprise=enterprise, allocate=True, converting=True)
    case, documents, templates = prepared.case, prepared.documents, prepared.templates
    for doc in documents:
        if doc.date is None:
            msg = f"{KIND_NAMES[doc.kind]}《{doc.title}》没有成文日期（需要案卷中的 notice.date），无法归档。"
            raise DocgenError(msg)
    results: list[Issued] = []
    archive = ws.archive
    ref = case_reference(case_path, ws)
    changed = []
    for doc in documents:  # an unchanged document was linted when it was issued: nothing to do
        print_ = fingerprint(doc, templates[doc.template_kind])
        latest = archive.latest(f"{ref}#{doc.archive_key}")
        if latest is not None and latest.get("fingerprint") == print_:
            archive.recover_event(latest)
            where = ws.settings.archive_dir / latest["path"]
            _report(
                results,
                on_document,
                Issued(Status.UNCHANGED, doc.kind, doc.title, doc.number, where, doc.enterprise_key),
            )
        else:
            changed.append(doc)
    if lint:
        changed, blocked = _lint_documents(changed, templates, on_warning, case_path)
        for doc, findings in blocked:
            findings_text = [str(f) for f in findings]
            item = Issued(Status.BLOCKED, doc.kind, doc.title, doc.number, case_path, doc.enterprise_key, findings_text)
            _report(results, on_document, item)
    pending = [(doc, fingerprint(doc, templates[doc.template_kind])) for doc in changed]
    if not pending:
        return results

    with tempfile.TemporaryDirectory(prefix="docgen-issue-") as tmp_name:
        staging = Path(tmp_name)
        jobs = make_jobs([doc for doc, _ in pending], templates, staging)
        prints = {id(job): print_ for job, (_, print_) in zip(jobs, pending, strict=True)}
        stored_metas: list[ArchiveMeta] = []

        def file_away(job: Job) -> None:
            """Store each document as soon as its PDF is final, so a crash keeps what is done."""
            doc = job.document
            if job.error:
                done = Issued(
                    Status.FAILED, doc.kind, doc.title, doc.number, case_path, doc.enterprise_key, [job.error]
                )
            else:
                pause_point("issue-after-convert")
                staged = _stage(job, prints[id(job)], case=case, case_path=case_path, ref=ref)
                if not lint:
                    staged = dataclasses.replace(staged, meta={**staged.meta, "lint": "skipped"})
                stored = archive.store(staged, reason=reason)
                stored_metas.append(stored.meta)
                done = Issued(Status(stored.status), doc.kind, doc.title, doc.number, stored.path, doc.enterprise_key)
            results.append(done)
            if on_document:
                on_document(done)

        fit_and_convert(jobs, converter or converter_for(ws.settings), on_converted=file_away)
    index_archived(ws, stored_metas, on_warning)
    return results


def _report(results: list[Issued], on_document: Callable[[Issued], None] | None, item: Issued) -> None:
    results.append(item)
    if on_document:
        on_document(item)


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
            # 密级和保密期限 as printed: search and the web page keep such a document's text back.
            "secrecy": doc.context.get("secrecy") or None,
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
