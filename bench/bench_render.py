"""Benchmark: filling templates, converting, and what docgen does to every PDF after conversion.

Prints, measured in this one process tree: ms per document for filling (docxtpl plus docgen's
table sizing and section work), seconds per document for LibreOffice one soffice per document
(the baseline) and in one batch, and ms for turning the 印发 set's landscape pages, for cleaning
its DOCX before conversion and for the text check of the set, each as a share of the baseline.
Then what the page planner costs (issue 23): the 40 notices of the body-length sweep fitted on
one pool with the planner (版记 moved to an even side, 主送 to the 版记) and without it (the
fit steps alone, as before), in seconds per document and LibreOffice conversions. Usage:

    .venv/bin/python -m bench.bench_render [N]
"""

from __future__ import annotations

import contextlib
import functools
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from unittest import mock

from bench.sweepcase import write_cases
from docgen.case.model import load_case
from docgen.convert.keepwhole import glue_words
from docgen.convert.libreoffice import LibreOfficeConverter
from docgen.convert.pageturn import turn_landscape_pages
from docgen.convert.sanitize import clean_docx
from docgen.pipeline.proof import prove
from docgen.readback import read_pdf
from docgen.render.context import Document, documents_for
from docgen.render.templates import find_template, render_docx

REPO = Path(__file__).resolve().parent.parent


def fitted(folder: Path, *, planner: bool) -> tuple[float, int, int]:
    """Seconds per document, conversions and documents moved fitting the sweep's 40 notices."""
    from docgen.convert.pool import ConversionPool  # noqa: PLC0415
    from docgen.pipeline import fit  # noqa: PLC0415
    from docgen.pipeline.prepare import prepare  # noqa: PLC0415
    from docgen.pipeline.workspace import Workspace  # noqa: PLC0415

    (folder / "ws").mkdir(parents=True)
    ws = Workspace.open(folder / "ws", env={})
    jobs = []
    for case in write_cases(folder, "notice"):
        prepared = prepare(case, ws, ["notice"], converting=True)
        staging = folder / case.stem
        staging.mkdir()
        jobs += fit.make_jobs(prepared.documents, prepared.templates, staging)
    conversions = 0
    with ConversionPool(ws.settings.soffice, ws.settings.convert_timeout, ws.settings.font_dirs) as pool:
        convert_each = pool.convert_each

        def counted(
            pairs: Sequence[tuple[Path, Path]], on_done: Callable[[int, str | None], None] | None = None
        ) -> dict[int, str]:
            nonlocal conversions
            conversions += len(pairs)
            return convert_each(pairs, on_done)

        with contextlib.ExitStack() as patches:
            patches.enter_context(mock.patch.object(pool, "convert_each", counted))
            if not planner:
                for step in ("move_imprint", "move_recipients"):
                    patches.enter_context(mock.patch.object(fit.Job, step, return_value=False))
            started = time.perf_counter()
            fit.fit_and_convert(jobs, pool)
            seconds = time.perf_counter() - started
    moved = sum(1 for job in jobs if job.imprint or job.recipients_moved)
    return seconds / len(jobs), conversions, moved


def timed(action: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def fill_form(kind: str, doc: Document, folder: Path) -> None:
    """Fill one built-in template into ``folder``."""
    render_docx(find_template(kind, None), doc.context, folder / f"{kind}.docx")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    case = load_case(REPO / "examples" / "enping-2021" / "case.yaml")
    notice = documents_for(case, "notice")[0]
    composed = documents_for(case, "set")[0]
    coordination = load_case(REPO / "examples" / "enping-2021-coordination" / "case.yaml")
    forms = {kind: documents_for(coordination, kind)[0] for kind in ("request", "letter", "minutes")}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        fill = timed(lambda: render_docx(find_template("notice", None), notice.context, tmp / "n.docx"), n * 4)
        fill_set = timed(lambda: render_docx(find_template("set", None), composed.context, tmp / "s.docx"), n * 2)
        converter = LibreOfficeConverter()
        for i in range(n):
            render_docx(find_template("notice", None), notice.context, tmp / f"n{i}.docx")
        singles = []
        for i in range(n):
            started = time.perf_counter()
            converter.convert([(tmp / f"n{i}.docx", tmp / f"n{i}.pdf")])
            singles.append(time.perf_counter() - started)
        one_shot = statistics.median(singles)
        batch = timed(lambda: converter.convert([(tmp / f"n{i}.docx", tmp / f"b{i}.pdf") for i in range(n)]), 1) / n
        converter.convert([(tmp / "s.docx", tmp / "s.pdf")])
        pristine = (tmp / "s.pdf").read_bytes()

        def turn() -> None:
            (tmp / "t.pdf").write_bytes(pristine)
            turn_landscape_pages(tmp / "t.pdf")

        turning = timed(turn, n)
        # Every DOCX is staged through the cleaning before LibreOffice sees it (issue 22).
        cleaning = timed(lambda: clean_docx(tmp / "s.docx", tmp / "c.docx"), n * 2)

        # The staged copy then has the words a line keeps whole glued (issue 23).
        def glue() -> None:
            clean_docx(tmp / "s.docx", tmp / "g.docx")
            glue_words(tmp / "g.docx")

        gluing = timed(glue, n * 2) - cleaning
        glued = glue_words(tmp / "c.docx")
        # Reading the PDF once is part of the check (the pipeline reads it once for every check).
        checking = timed(lambda: prove(tmp / "s.docx", read_pdf(tmp / "t.pdf")), n)
        characters = prove(tmp / "s.docx", read_pdf(tmp / "t.pdf")).characters
        fill_forms = {kind: timed(functools.partial(fill_form, kind, doc, tmp), n * 2) for kind, doc in forms.items()}
        converter.convert([(tmp / f"{kind}.docx", tmp / f"{kind}.pdf") for kind in forms])
        # The 函's head is a positioned table, taken out of the page text before the flow is compared.
        letter_check = timed(lambda: prove(tmp / "letter.docx", read_pdf(tmp / "letter.pdf")), n)
        letter_characters = prove(tmp / "letter.docx", read_pdf(tmp / "letter.pdf")).characters
    peak_children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"fill notice (docxtpl + docgen)    : {fill * 1000:7.1f} ms/doc")
    print(f"fill 印发 set (tables sized)       : {fill_set * 1000:7.1f} ms/doc")
    print(f"convert, one soffice per doc      : {one_shot:7.2f} s/doc (median of {n})  [baseline]")
    print(f"convert, {n} docs in one soffice   : {batch:7.2f} s/doc  {one_shot / batch:.1f}x faster than baseline")
    print(f"turn the set's landscape pages    : {turning * 1000:7.1f} ms  ({turning / one_shot:.1%} of baseline)")
    print(f"clean the set's DOCX before soffice: {cleaning * 1000:6.1f} ms  ({cleaning / one_shot:.1%} of baseline)")
    print(
        f"glue the set's kept-whole words   : {gluing * 1000:7.1f} ms for {glued} words"
        f"  ({gluing / one_shot:.1%} of baseline)"
    )
    print(
        f"text check of the set             : {checking * 1000:7.1f} ms for {characters} characters"
        f"  ({checking / one_shot:.1%} of baseline)"
    )
    for kind, seconds in fill_forms.items():
        print(
            f"fill {kind:<8} (head, signers, title): {seconds * 1000:7.1f} ms/doc  ({seconds / fill:.1f}x the notice)"
        )
    print(
        f"text check of the 函               : {letter_check * 1000:7.1f} ms for {letter_characters} characters"
        f"  ({letter_check / one_shot:.1%} of baseline)"
    )
    print(f"peak RSS of a soffice child       : {peak_children_mb:7.0f} MB")
    planner_cost()


def planner_cost() -> None:
    """What the page planner adds to fitting, against the fit steps alone (as before it)."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        without, without_runs, _ = fitted(tmp / "without", planner=False)
        planned, planned_runs, moved = fitted(tmp / "planned", planner=True)
    print(f"fit 40 notices, fit steps alone   : {without:7.2f} s/doc, {without_runs} conversions  [before the planner]")
    print(
        f"fit 40 notices, with page planner : {planned:7.2f} s/doc, {planned_runs} conversions"
        f"  ({planned / without:.2f}x; {moved} documents had their 版记 or 主送 moved)"
    )


if __name__ == "__main__":
    main()
