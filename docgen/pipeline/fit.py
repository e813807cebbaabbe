"""The straight line from a case file to documents: load → validate → fill → convert → place.

Nothing is written under its final name until every step for every requested document has
succeeded, so bad input or a failed conversion leaves the output folder as it was.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
from docgen.render.docxform import IMPRINT_AFTER_BLANK, IMPRINT_NEXT_PAGE, has_sized_tables, imprint_text
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
    narrow_seal: bool = False  # one blank line above the 署名, not two
    compact_tables: bool = False  # tables one font size smaller
    keep_with_body: bool = False  # the body's last lines go over with the closing block


# GB/T 9704 7.3.5.1: when the 署名 and 成文日期 would open a page without body text, adjust the
# spacing ("此页无正文" is not allowed). First the closing block gives up the second blank line
# above the 署名 (the seal's top need only be within one line below the body) on the standard
# grid, then the part holding it is set at 23, then 24 lines a page; then the tables are set
# smaller; when even that fails, the body's last lines go over with the closing block at the
# standard 22 lines, so a page never holds it alone. A form that spills onto a second page gets
# smaller tables.
CLOSING_TAIL_LINES = 1  # body lines that go over with the 署名 when nothing else keeps it on the page
FIT_STEPS = (
    FitStep(LINE_PITCH_STEPS_TWIPS[0], frozenset(Fit)),
    *(FitStep(pitch, _CLOSING, narrow_seal=True) for pitch in LINE_PITCH_STEPS_TWIPS),
    FitStep(LINE_PITCH_STEPS_TWIPS[0], frozenset({Fit.SPILLS, *_CLOSING}), compact_tables=True),
    FitStep(LINE_PITCH_STEPS_TWIPS[0], _CLOSING, keep_with_body=True),
)


@dataclass
class Variant:
    """The document laid out as one fit step says: its DOCX, its PDF and what the PDF reads."""

    docx: Path
    pdf: Path
    text: PdfText | None = None


@dataclass
class Job:
    """One document on its way from template to a proved PDF, and what happened to it.

    Step 0 is laid out in ``docx``/``pdf``; the other fit steps tried go to files of their own,
    so several can be converted in one LibreOffice run, and the one chosen takes the job's names.
    """

    document: Document
    template: Path
    docx: Path
    pdf: Path
    step: int = 0  # index into FIT_STEPS: the step chosen, or to be converted next
    error: str | None = None  # why conversion or the text check failed, when it did
    proof: Proof | None = None
    tail: str = ""  # the body's last printed lines, which go over with the closing block as a last resort
    rendered: int | None = None  # the fit step the job's own DOCX was last filled for: filled once per step
    text: PdfText | None = None  # the PDF's text, read once after each conversion and shared by every check
    variants: dict[int, Variant] = field(default_factory=dict)  # fit steps converted so far
    recipients_moved: bool = False  # the 主送 printed in the 版记: page 1 held no body text below it
    imprint: str | None = None  # where the 版记 was moved, once measured on an odd side (docxform.place_imprint)

    def render(self) -> None:
        """Fill the template into the job's DOCX as the first fit step lays it out (once)."""
        if self.rendered is None:
            self._fill(0, self.docx)
            self.rendered = 0

    def _fill(self, step: int, docx: Path) -> None:
        layout = FIT_STEPS[step]
        render_docx(
            self.template,
            self.document.context,
            docx,
            layout.pitch_twips,
            keep_closing=self.tail if layout.keep_with_body else None,
            compact_tables=layout.compact_tables,
            narrow_seal=layout.narrow_seal,
            imprint=self.imprint,
            recipients_to_imprint=self.recipients_moved,
            kept_words=self.document.kept_words,
        )

    def variant(self, step: int) -> Variant:
        """The files fit step ``step`` is laid out in, filled now (step 0 under the job's own names)."""
        if step == 0:
            self.render()
            made = Variant(self.docx, self.pdf)
        else:
            stem = self.docx.stem
            made = Variant(self.docx.with_name(f"{stem}.fit{step}.docx"), self.pdf.with_name(f"{stem}.fit{step}.pdf"))
            self._fill(step, made.docx)
        self.variants[step] = made
        return made

    def choose(self, step: int | None) -> None:
        """Make fit step ``step`` the job's document (its files under the job's names); drop the others."""
        chosen = self.variants.get(step) if step is not None else None
        if step is not None and chosen is not None:
            if chosen.docx != self.docx:
                chosen.docx.replace(self.docx)
                chosen.pdf.replace(self.pdf)
                self.rendered = step
            self.step, self.text = step, chosen.text
        for other in self.variants.values():
            if other is not chosen and other.docx != self.docx:
                other.docx.unlink(missing_ok=True)
                other.pdf.unlink(missing_ok=True)
        self.variants = {}

    def move_recipients(self) -> bool:
        """Start the fit steps again with the 主送 in the 版记, when step 0 shows no body text on page 1.

        GB/T 9704 7.3.3: page 1 must show body text; a 主送 so long that none fits goes to the
        版记 as "主送：". Once, and before any other step is judged (they all follow from it).
        """
        first = self.variants.get(0)
        body = [str(p) for p in self.document.context.get("body") or [] if str(p).strip()]
        if self.recipients_moved or first is None or first.text is None or not body:
            return False
        opening = "".join(body[0].split())[:6]
        if opening in first.text.squeezed[0]:
            return False
        self.recipients_moved = True
        self.choose(None)
        self.rendered = None
        return True

    def move_imprint(self) -> bool:
        """Lay the chosen step out again with the 版记 on an even side, when it was measured on an odd one.

        Once: the move leaves the body where it was, so the second layout is final either way
        (``lint`` reports a 版记 still on an odd side).
        """
        if self.imprint is not None or self.text is None:
            return False
        self.imprint = imprint_move(self.text, imprint_text(self.docx))
        if self.imprint is None:
            return False
        if self.step == 0:
            self.rendered = None  # fill the job's own DOCX again
        return True

    def finish(self) -> None:
        """Turn landscape pages for printing, then prove the PDF says what the DOCX says."""
        if turn_landscape_pages(self.pdf) or self.text is None:
            self.text = read_pdf(self.pdf)  # turned pages read differently: read them again
        self.proof = prove(self.docx, self.text)
        if not self.proof.ok:
            self.error = f"《{self.document.title}》的 PDF 与 DOCX 文字不一致：{self.proof.summary()}"

    def fit(self, text: PdfText | None = None) -> Fit:
        """How the converted PDF (``text``, else the job's own) sits on its pages."""
        text = text or self.text or read_pdf(self.pdf)
        context: Mapping[str, Any] = self.document.context
        signature, note = str(context.get("signature", "")), str(context.get("note", ""))
        closing = signature + str(context.get("date", ""))
        # The 附件说明 is not 正文 either: a page opening with it, or with the tail of its list, and
        # then the 署名 holds no body text.
        attachments = "附件：" + "".join(context.get("attachments") or []) + closing
        if signature and (
            text.some_page_starts_with(closing, attachments) or text.some_page_opens_inside(attachments, closing)
        ):
            return Fit.SIGNATURE_ALONE
        if note and text.some_page_starts_with(f"（{note}）"):
            return Fit.NOTE_ALONE
        if self.document.single_page and text.page_count > 1:
            return Fit.SPILLS
        return Fit.GOOD


def imprint_move(text: PdfText, imprint: str) -> str | None:
    """Where the 版记 must go when the PDF shows it on an odd side after page 1, else None.

    GB/T 9704 puts the 版记 on the last page, an even side in duplex printing: the page after
    when the body ends on its page, or after a blank page when it stands alone (both unnumbered).
    """
    page = text.page_holding(imprint)
    if page is None or page == 0 or page % 2 == 1:  # page 1, or an even side (0-based index odd)
        return None
    return IMPRINT_NEXT_PAGE if text.text_besides(page, imprint) else IMPRINT_AFTER_BLANK


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
    document that does not sit well at once has every step it may still need converted in the
    next round together (a LibreOffice start costs more than a page converted in vain), and the
    steps are then judged in their order as if tried one by one. A final PDF has its landscape
    pages turned and its text proved against the DOCX. A job whose conversion or text check
    fails gets ``error`` set and leaves the rounds; ``on_converted`` hears of each job once it
    is final.
    """
    fits: dict[int, dict[int, Fit]] = {id(job): {} for job in jobs}
    wanted: dict[int, list[int]] = {id(job): [0] for job in jobs}
    pending = list(jobs)
    while pending:
        this_round = _Round([(job, step, job.variant(step)) for job in pending for step in wanted[id(job)]])

        def settle(job: Job, failure: str | None) -> bool:
            """Decide a job whose steps of this round are all in; True when it goes round again."""
            if failure is not None:
                job.choose(None)
                job.error = failure
            elif job.move_recipients():
                fits[id(job)].clear()
                wanted[id(job)] = [0]
                return True
            elif (steps := _steps_to_try(job, fits[id(job)])) is not None:
                wanted[id(job)] = steps
                return True
            elif job.move_imprint():
                wanted[id(job)] = [job.step]
                return True
            else:
                job.finish()
            if on_converted:
                on_converted(job)
            return False

        this_round.convert(converter, fits, settle)
        pending = this_round.again


@dataclass
class _Round:
    """One LibreOffice run of a fit round: every step of every pending job, each job settled when its last is in."""

    conversions: list[tuple[Job, int, Variant]]
    failed: dict[int, str] = field(default_factory=dict)  # job id → why a conversion of it failed
    again: list[Job] = field(default_factory=list)  # jobs that need another round

    def convert(
        self, converter: Converter, fits: dict[int, dict[int, Fit]], settle: Callable[[Job, str | None], bool]
    ) -> None:
        waiting = Counter(id(job) for job, _, _ in self.conversions)

        def finished(i: int, error: str | None) -> None:
            job, step, variant = self.conversions[i]
            if error is None:
                try:
                    variant.text = read_pdf(variant.pdf)
                    fits[id(job)][step] = job.fit(variant.text)
                except DocgenError as exc:  # a PDF that opens but whose text cannot be read
                    error = exc.message
            if error is not None:
                self.failed.setdefault(id(job), error)
            waiting[id(job)] -= 1
            if not waiting[id(job)] and settle(job, self.failed.get(id(job))):  # its other steps are in too
                self.again.append(job)

        converter.convert_each([(variant.docx, variant.pdf) for _, _, variant in self.conversions], on_done=finished)


def _steps_to_try(job: Job, fits: dict[int, Fit]) -> list[int] | None:
    """The fit steps to convert next, or None when the job has chosen its step (and taken its files).

    The steps are walked from the first as if tried one by one: a step that sits well ends the
    walk; a fault moves on to the first later step that cures it; when none is left, the best
    step measured is chosen.
    """
    step = 0
    while step in fits:
        fit = fits[step]
        if fit is Fit.GOOD:
            break
        following = [
            i
            for i in range(step + 1, len(FIT_STEPS))
            if fit in FIT_STEPS[i].cures and not (FIT_STEPS[i].compact_tables and not has_sized_tables(job.docx))
        ]
        if not following:
            step = min(fits, key=lambda measured: (fits[measured], measured))
            break
        step = following[0]
    else:
        job.step = step
        # Every later step the walk may still reach, converted in the same round; keeping body
        # lines with the closing block only cures a closing fault, so only one already seen asks for it.
        closing_seen = not _CLOSING.isdisjoint(fits.values())
        wanted = [
            step,
            *(
                i
                for i in range(step + 1, len(FIT_STEPS))
                if i not in fits
                and not (FIT_STEPS[i].compact_tables and not has_sized_tables(job.docx))
                and (closing_seen or not FIT_STEPS[i].keep_with_body)
            ),
        ]
        if any(FIT_STEPS[i].keep_with_body for i in wanted):
            job.tail = _closing_tail(job)
        return wanted
    job.choose(step)
    return None


def _closing_tail(job: Job) -> str:
    """The body's last printed lines before the 署名, as the keeping step will print them.

    That step lays the body out as step 0 does (the standard line pitch, tables at full size) and
    line breaks follow the text's width alone, so step 0's PDF, converted first, tells them.
    """
    context = job.document.context
    first_line = str(context.get("signature_line") or context.get("signature", ""))  # joint 署名: its first row
    text = job.variants[0].text
    assert text is not None  # noqa: S101 - step 0 is converted and read before any other step
    recipients = str(context.get("recipients") or "")
    return text.lines_before(
        first_line, CLOSING_TAIL_LINES, block="附件：", floor=f"{recipients}：" if recipients else ""
    )
