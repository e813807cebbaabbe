"""The straight line from a case file to documents: load → validate → fill → convert → place.

Nothing is written under its final name until every step for every requested document has
succeeded, so bad input or a failed conversion leaves the output folder as it was.
"""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from docgen._io import atomic_copy
from docgen.case import AUTO_NUMBER, load_case
from docgen.config import Settings
from docgen.convert import Converter, LibreOfficeConverter
from docgen.documents import Document, documents_for
from docgen.errors import ConversionError
from docgen.layout import LINE_PITCH_STEPS_TWIPS
from docgen.numbering import registry_number
from docgen.pdftext import some_page_starts_with
from docgen.templates import check_template, find_template, render_docx

OutputFormat = Literal["docx", "pdf", "both"]


@dataclass(frozen=True)
class RenderedDocument:
    """One document written by ``render_case``."""

    kind: str
    title: str
    number: str | None
    enterprise: str | None
    docx: Path | None
    pdf: Path | None


def default_output_dir(case_path: Path) -> Path:
    """``out/<case name>`` in the current folder; a file named case.yaml is named by its folder."""
    stem = case_path.stem
    name = case_path.resolve().parent.name if stem == "case" else stem
    return Path("out") / name


def converter_for(settings: Settings) -> Converter:
    """The converter a workspace's settings ask for."""
    return LibreOfficeConverter(
        soffice=settings.soffice, timeout=settings.convert_timeout, font_dirs=settings.font_dirs
    )


class Fit(enum.IntEnum):
    """How well the closing block (署名, 成文日期, 附注) sits after conversion; lower is better."""

    GOOD = 0
    NOTE_ALONE = 1  # the 附注 opens a page: wasteful, but the standard does not forbid it
    SIGNATURE_ALONE = 2  # 署名 and 成文日期 open a page without body text: GB/T 9704 forbids it


@dataclass
class _Job:
    document: Document
    template: Path
    docx: Path
    pdf: Path
    pitch_step: int = 0
    error: str | None = None  # why conversion failed, when it did

    def render(self) -> None:
        render_docx(self.template, self.document.context, self.docx, LINE_PITCH_STEPS_TWIPS[self.pitch_step])

    def fit(self) -> Fit:
        context: Mapping[str, Any] = self.document.context
        signature, note = str(context.get("signature", "")), str(context.get("note", ""))
        if signature and some_page_starts_with(self.pdf, signature + str(context.get("date", ""))):
            return Fit.SIGNATURE_ALONE
        if note and some_page_starts_with(self.pdf, f"（{note}）"):
            return Fit.NOTE_ALONE
        return Fit.GOOD


def make_jobs(documents: list[Document], templates: Mapping[str, Path], staging: Path) -> list[_Job]:
    """One render job per document, writing into ``staging``."""
    return [
        _Job(doc, templates[doc.template_kind], staging / f"{doc.file_stem}.docx", staging / f"{doc.file_stem}.pdf")
        for doc in documents
    ]


def fit_and_convert(jobs: list[_Job], converter: Converter, on_converted: Callable[[_Job], None] | None = None) -> None:
    """Render and convert every job, tightening the line pitch while the closing block splits off.

    GB/T 9704 forbids a page holding the 署名 and 成文日期 but no body text and asks for tighter
    spacing instead (22, then 23, then 24 lines a page). When no pitch keeps the 附注 on the
    page too, the loosest pitch that keeps the signature with the body wins. All documents
    convert together in each round; only those that need it go round again. A job whose
    conversion fails gets ``error`` set and leaves the rounds; ``on_converted`` hears of each
    job once it is final.
    """
    tried: dict[int, dict[int, Fit]] = {id(job): {} for job in jobs}
    pending = list(jobs)
    while pending:
        for job in pending:
            job.render()
        again: list[_Job] = []

        def finished(i: int, error: str | None, batch: list[_Job] = pending, queue: list[_Job] = again) -> None:
            job = batch[i]
            if error is not None:
                job.error = error
            elif (step := _next_pitch(job, tried[id(job)])) is not None:
                job.pitch_step = step
                queue.append(job)
                return
            if on_converted:
                on_converted(job)

        converter.convert_each([(job.docx, job.pdf) for job in pending], on_done=finished)
        pending = again


def _next_pitch(job: _Job, fits: dict[int, Fit]) -> int | None:
    """The pitch step to try next after a conversion, or None when this one is final."""
    if job.pitch_step in fits:
        return None  # this round re-made the best pitch already measured: done
    fits[job.pitch_step] = job.fit()
    if fits[job.pitch_step] is Fit.GOOD:
        return None
    if job.pitch_step + 1 < len(LINE_PITCH_STEPS_TWIPS):
        return job.pitch_step + 1
    best = min(fits, key=lambda step: (fits[step], step))
    return best if best != job.pitch_step else None


def render_case(
    case_path: Path,
    settings: Settings,
    *,
    kind: str = "notice",
    enterprise: str | None = None,
    out_dir: Path | None = None,
    output_format: OutputFormat = "both",
    converter: Converter | None = None,
) -> list[RenderedDocument]:
    """Render the documents of one kind from a case file into ``out_dir``."""
    case = load_case(case_path, settings.issuer_defaults)
    allocated = None
    if case.notice is not None and case.notice.number == AUTO_NUMBER:
        allocated = registry_number(case_path, settings, kind)  # drafts show it; only issuing allocates
    documents = documents_for(case, kind, enterprise, allocated)
    # A case's own template folder (relative to the case file) wins over the workspace's.
    custom = (case_path.parent / case.templates).resolve() if case.templates else settings.templates_dir
    templates = {doc.template_kind: find_template(doc.template_kind, custom) for doc in documents}
    for doc in documents:  # every template is checked before anything is written
        check_template(templates[doc.template_kind], doc.context)
    out_dir = out_dir if out_dir is not None else default_output_dir(case_path)
    want_docx = output_format in ("docx", "both")
    want_pdf = output_format in ("pdf", "both")

    with tempfile.TemporaryDirectory(prefix="docgen-render-") as tmp_name:
        staging = Path(tmp_name)
        jobs = make_jobs(documents, templates, staging)
        if want_pdf:
            fit_and_convert(jobs, converter or converter_for(settings))
            failed = [job.error for job in jobs if job.error]
            if failed:
                raise ConversionError("；".join(failed))
        else:
            for job in jobs:
                job.render()
        out_dir.mkdir(parents=True, exist_ok=True)
        results = []
        for job in jobs:
            final_docx = out_dir / job.docx.name if want_docx else None
            final_pdf = out_dir / job.pdf.name if want_pdf else None
            if final_docx:
                _place(job.docx, final_docx)
            if final_pdf:
                _place(job.pdf, final_pdf)
            doc = job.document
            results.append(RenderedDocument(doc.kind, doc.title, doc.number, doc.enterprise_key, final_docx, final_pdf))
    return results


def _place(source: Path, target: Path) -> None:
    try:
        source.replace(target)
    except OSError:  # staging is on another filesystem
        atomic_copy(source, target)
