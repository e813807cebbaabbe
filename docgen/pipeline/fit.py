"""The straight line from a case file to documents: load → validate → fill → convert → place.

Nothing is written under its final name until every step for every requested document has
succeeded, so bad input or a failed conversion leaves the output folder as it was.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen._io import child
from docgen.convert.libreoffice import Converter
from docgen.convert.pageturn import turn_landscape_pages
from docgen.errors import DocgenError
from docgen.layout import LINE_PITCH_STEPS_TWIPS
from docgen.pipeline.proof import Proof, prove
from docgen.readback import PdfText, read_pdf
from docgen.render.context import Document
from docgen.render.docxform import has_sized_tables
from docgen.render.templates import render_docx


class Fit(enum.IntEnum):
    """How well a converted document sits on its pages; lower is better."""

    GOOD = 0
    SPILLS = 1  # a one-page form (验收记录) runs onto a second page
    NOTE_ALONE = 2  # the 附注 opens a page: a sheet wasted
    SIGNATURE_ALONE = 3  # 署名 and 成文日期 open a page without body text: GB/T 9704 forbids it


_CLOSING = frozenset({Fit.NOTE_ALONE, Fit.SIGNATURE_ALONE})


@dataclass(frozen=True)
class FitStep:
    """One way of laying a document out, and the faults it can cure."""

    pitch_twips: int
    cures: frozenset[Fit]
    compact_tables: bool = False  # tables one font size smaller
    keep_with_body: bool = False  # the body's last lines go over with the closing block


# GB/T 9704 7.3.5.1: when the 署名 and 成文日期 would open a page without body text, tighten the
# spacing (22, then 23, then 24 lines a page); then set the tables smaller; when even that
# fails, the body's last lines go over with them at the standard 22 lines, so a page never
# holds the closing block alone. A form that spills onto a second page gets smaller tables.
CLOSING_TAIL_LINES = 2  # body lines that go over with the 署名 when nothing else keeps it on the page
FIT_STEPS = (
    FitStep(LINE_PITCH_STEPS_TWIPS[0], frozenset(Fit)),
    *(FitStep(pitch, _CLOSING) for pitch in LINE_PITCH_STEPS_TWIPS[1:]),
    FitStep(LINE_PITCH_STEPS_TWIPS[0], frozenset({Fit.SPILLS, *_CLOSING}), compact_tables=True),
    FitStep(LINE_PITCH_STEPS_TWIPS[0], _CLOSING, keep_with_body=True),
)


@dataclass
class Job:
    """One document on its way from template to a proved PDF, and what happened to it."""

    document: Document
    template: Path
    docx: Path
    pdf: Path
    step: int = 0  # index into FIT_STEPS
    error: str | None = None  # why conversion or the text check failed, when it did
    proof: Proof | None = None
    tail: str = ""  # the body's last printed lines, which go over with the closing block as a last resort
    rendered: int | None = None  # the fit step the DOCX was last filled for: filled once per step
    text: PdfText | None = None  # the PDF's text, read once after each conversion and shared by every check

    def render(self) -> None:
        """Fill the template into the DOCX, laid out as the current fit step says (once per step)."""
        if self.rendered == self.step:
            return
        step = FIT_STEPS[self.step]
        render_docx(
            self.template,
            self.document.context,
            self.docx,
            step.pitch_twips,
            keep_closing=self.tail if step.keep_with_body else None,
            compact_tables=step.compact_tables,
        )
        self.rendered = self.step

    def converted(self) -> None:
        """Read the new PDF's text, once, for the fit, the text check and the archive."""
        self.text = read_pdf(self.pdf)

    def finish(self) -> None:
        """Turn landscape pages for printing, then prove the PDF says what the DOCX says."""
        if turn_landscape_pages(self.pdf) or self.text is None:
            self.text = read_pdf(self.pdf)  # turned pages read differently: read them again
        self.proof = prove(self.docx, self.text)
        if not self.proof.ok:
            self.error = f"《{self.document.title}》的 PDF 与 DOCX 文字不一致：{self.proof.summary()}"

    def fit(self) -> Fit:
        """How the converted PDF sits on its pages."""
        text = self.text or read_pdf(self.pdf)
        context: Mapping[str, Any] = self.document.context
        signature, note = str(context.get("signature", "")), str(context.get("note", ""))
        closing = signature + str(context.get("date", ""))
        # The 附件说明 is not 正文 either: a page opening with it and the 署名 holds no body text.
        attachments = "附件：" + "".join(context.get("attachments") or []) + closing
        if signature and text.some_page_starts_with(closing, attachments):
            return Fit.SIGNATURE_ALONE
        if note and text.some_page_starts_with(f"（{note}）"):
            return Fit.NOTE_ALONE
        if self.document.single_page and text.page_count > 1:
            return Fit.SPILLS
        return Fit.GOOD


def make_jobs(documents: list[Document], templates: Mapping[str, Path], staging: Path) -> list[Job]:
    """One render job per document, writing into ``staging``."""
    return [
        Job(
            doc,
            templates[doc.template_kind],
            child(staging, f"{doc.file_stem}.docx"),
            child(staging, f"{doc.file_stem}.pdf"),
        )
        for doc in documents
    ]


def fit_and_convert(jobs: list[Job], converter: Converter, on_converted: Callable[[Job], None] | None = None) -> None:
    """Render and convert every job, trying the ``FIT_STEPS`` until each sits well on its pages.

    All documents convert together in each round; only those that need it go round again. A
    final PDF has its landscape pages turned and its text proved against the DOCX. A job whose
    conversion or text check fails gets ``error`` set and leaves the rounds; ``on_converted``
    hears of each job once it is final.
    """
    tried: dict[int, dict[int, Fit]] = {id(job): {} for job in jobs}
    pending = list(jobs)
    while pending:
        for job in pending:
            job.render()
        again: list[Job] = []

        def finished(i: int, error: str | None, batch: list[Job] = pending, queue: list[Job] = again) -> None:
            job = batch[i]
            if error is None:
                try:
                    job.converted()
                except DocgenError as exc:  # a PDF that opens but whose text cannot be read
                    error = exc.message
            if error is not None:
                job.error = error
            elif (step := _next_step(job, tried[id(job)])) is not None:
                job.step = step
                queue.append(job)
                return
            else:
                job.finish()
            if on_converted:
                on_converted(job)

        converter.convert_each([(job.docx, job.pdf) for job in pending], on_done=finished)
        pending = again


def _next_step(job: Job, fits: dict[int, Fit]) -> int | None:
    """The fit step to try next after a conversion, or None when this one is final."""
    if job.step in fits:
        return None  # this round re-made the best step already measured: done
    fit = fits[job.step] = job.fit()
    if fit is Fit.GOOD:
        return None
    following = [
        i
        for i in range(job.step + 1, len(FIT_STEPS))
        if fit in FIT_STEPS[i].cures and not (FIT_STEPS[i].compact_tables and not has_sized_tables(job.docx))
    ]
    if following:
        if FIT_STEPS[following[0]].keep_with_body:
            context = job.document.context
            first_line = str(context.get("signature_line") or context.get("signature", ""))  # joint 署名: its first row
            job.tail = (job.text or read_pdf(job.pdf)).lines_before(first_line, CLOSING_TAIL_LINES, block="附件：")
        return following[0]
    best = min(fits, key=lambda step: (fits[step], step))
    return best if best != job.step else None
