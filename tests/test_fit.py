"""The fit rounds: which layout steps are converted together, and which one a document keeps.

Several steps are converted in one LibreOffice run, but the choice must be the one trying them
one by one would make: the first step that sits well, in the order GB/T 9704 7.3.5.1 asks for.
The walk is given measured fits here; the real conversions it drives are proved in
``test_docxform`` (no page opens with the closing block) and ``test_kinds``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.pipeline.fit import FIT_STEPS, Fit, Job, _steps_to_try, imprint_move, make_jobs
from docgen.pipeline.prepare import Prepared, prepare
from docgen.pipeline.workspace import Workspace
from docgen.readback import PdfText
from docgen.render.docxform import IMPRINT_AFTER_BLANK, IMPRINT_NEXT_PAGE
from tests.conftest import EXAMPLE_CASE

# The closing block's own steps: one blank line above the 署名 at 22, 23 and 24 lines a page.
TIGHTER = [i for i, s in enumerate(FIT_STEPS) if s.narrow_seal]
COMPACT = next(i for i, s in enumerate(FIT_STEPS) if s.compact_tables)
KEEP = next(i for i, s in enumerate(FIT_STEPS) if s.keep_with_body)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    return prepare(EXAMPLE_CASE, Workspace.open(tmp_path_factory.mktemp("fit"), env={}), ["notice", "acceptance"])


@pytest.fixture
def jobs(prepared: Prepared, tmp_path: Path) -> dict[str, Job]:
    """The example's notice and last acceptance record, filled at the first step, each in a fresh folder."""
    made = {job.document.kind: job for job in make_jobs(prepared.documents, prepared.templates, tmp_path)}
    for job in made.values():
        job.render()
    return made


def walk(job: Job, fits: dict[int, Fit]) -> list[int] | None:
    for step in fits:  # the files of every measured step, as a round leaves them
        job.variant(step).pdf.write_text(f"step {step}", encoding="utf-8")
    return _steps_to_try(job, fits)


def test_a_document_that_sits_well_keeps_its_first_layout(jobs: dict[str, Job]) -> None:
    notice = jobs["notice"]
    assert walk(notice, {0: Fit.GOOD}) is None
    assert notice.step == 0 and notice.variants == {}


def test_a_lonely_signature_has_every_later_step_converted_in_one_round_in_the_standards_order(
    jobs: dict[str, Job],
) -> None:
    # The notice has no sized table: smaller tables would cure nothing. Keeping body lines with the
    # 署名 is converted in the same round (a LibreOffice start saved), its tail told by step 0's PDF.
    notice = jobs["notice"]
    signature = str(notice.document.context["signature"])
    notice.variant(0).text = PdfText((f"第一行\n第二行\n第三行\n{signature}", ""))
    assert _steps_to_try(notice, {0: Fit.SIGNATURE_ALONE}) == [*TIGHTER, KEEP]
    pitches = [FIT_STEPS[i].pitch_twips for i in TIGHTER]
    assert pitches[0] == FIT_STEPS[0].pitch_twips, "the seal's room goes before the 22-line grid does"
    assert pitches == sorted(pitches, reverse=True), "then 23, then 24 lines a page"
    assert notice.tail == "第三行", "one body line goes over with the 署名: the page before gives up no more"


def test_the_line_kept_with_the_signature_never_empties_page_1(jobs: dict[str, Job]) -> None:
    # A two-line body under a 主送 moved whole with the closing block: page 1 showed no body text.
    notice = jobs["notice"]
    context = notice.document.context
    recipients, signature = context["recipients"], context["signature"]
    notice.variant(0).text = PdfText((f"标题\n{recipients}：\n第一行\n附件：计划\n{signature}", ""))
    assert _steps_to_try(notice, {0: Fit.SIGNATURE_ALONE}) == [*TIGHTER, KEEP]
    assert notice.tail == "附件：计划", "page 1 keeps its only body line"
    notice.variant(0).text = PdfText((f"标题\n{recipients}：\n第一行\n第二行\n{signature}", ""))
    _steps_to_try(notice, {0: Fit.SIGNATURE_ALONE})
    assert notice.tail == "第二行"


def test_the_first_step_that_sits_well_wins_and_takes_the_documents_names(jobs: dict[str, Job]) -> None:
    notice = jobs["notice"]
    fits = {0: Fit.SIGNATURE_ALONE, TIGHTER[0]: Fit.GOOD, TIGHTER[1]: Fit.GOOD}
    assert walk(notice, fits) is None
    assert notice.step == TIGHTER[0]
    folder = notice.docx.parent
    assert not list(folder.glob("*.fit*")), "the steps not chosen are removed"
    assert notice.rendered == TIGHTER[0]
    assert notice.pdf.read_text(encoding="utf-8") == f"step {TIGHTER[0]}"


def test_a_form_that_spills_tries_smaller_tables_only(jobs: dict[str, Job]) -> None:
    assert walk(jobs["acceptance"], {0: Fit.SPILLS}) == [COMPACT]


def test_the_body_lines_kept_with_the_signature_are_those_of_the_standard_spacing(jobs: dict[str, Job]) -> None:
    # The keeping step sets the body as step 0 does; a tighter step may break its page elsewhere.
    notice = jobs["notice"]
    fits = dict.fromkeys([0, *TIGHTER], Fit.SIGNATURE_ALONE)
    signature = str(notice.document.context["signature"])
    for step in fits:
        notice.variant(step).text = PdfText((f"第一行\n第二行\n第{step}行\n{signature}", ""))
    assert _steps_to_try(notice, fits) == [KEEP]
    assert notice.tail == "第0行"


def test_when_nothing_cures_the_best_measured_step_is_kept(jobs: dict[str, Job]) -> None:
    acceptance = jobs["acceptance"]
    assert walk(acceptance, {0: Fit.SPILLS, COMPACT: Fit.SPILLS}) is None
    assert acceptance.step == 0, "smaller tables that cure nothing are not worth their smaller type"


def test_the_files_of_a_round_are_named_apart(jobs: dict[str, Job]) -> None:
    notice = jobs["notice"]
    made = {step: notice.variant(step) for step in (0, *TIGHTER)}
    assert len({v.docx for v in made.values()}) == len(made)
    assert made[0].docx == notice.docx
    notice.choose(0)
    assert not list(notice.docx.parent.glob("*.fit*"))


def test_a_page_opening_with_the_tail_of_the_attachment_list_and_the_signature_holds_no_body() -> None:
    # Seen in a 请示 whose 附件说明 lists two attachments: page 2 opened "（送审稿）2. 征求意见采纳情况表",
    # then the 署名 — no body text, though it does not open with "附件：" or the 署名.
    closing = "恩平市科工商务局2021年5月10日"
    block = "附件：1. 恩平市2021年度推动落后产能退出工作计划（送审稿）2. 征求意见采纳情况表" + closing
    body = "第一页的正文。\n附件：1. 恩平市2021年度推动落后产能退出工作计划\n"
    tail = PdfText((body, "（送审稿）\n2. 征求意见采纳情况表\n恩平市科工商务局\n2021年5月10日"))
    assert tail.some_page_opens_inside(block, closing)
    with_body = PdfText((body, "请予审定。\n" + "（送审稿）2. 征求意见采纳情况表\n恩平市科工商务局\n2021年5月10日"))
    assert not with_body.some_page_opens_inside(block, closing), "a body line on the page: it is not alone"
    assert not PdfText((body + closing, "— 2 —")).some_page_opens_inside(block, closing)


def test_the_imprint_goes_over_to_the_next_even_side() -> None:
    imprint = "抄送：江门市工业和信息化局。恩平市科工商务局办公室 2021年5月24日印发"
    assert imprint_move(PdfText((f"正文\n{imprint}\n— 1 —",)), imprint) is None, "a one-page document keeps it"
    assert imprint_move(PdfText(("正文", f"正文\n{imprint}\n— 2 —")), imprint) is None, "an even side"
    assert imprint_move(PdfText(("正文", "正文", f"署名\n{imprint}\n— 3 —")), imprint) == IMPRINT_NEXT_PAGE
    alone = PdfText(("正文", "正文", f"{imprint}\n— 3 —"))
    assert imprint_move(alone, imprint) == IMPRINT_AFTER_BLANK, "alone on page 3: a blank page 3, 版记 on 4"
