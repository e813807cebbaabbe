"""Every document kind rendered from the example, read back from the PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.case.model import Case, load_case
from docgen.render.context import format_date, number_sections
from tests.conftest import EXAMPLE_CASE, RunCli
from tests.pdfmeasure import page_forms

pytestmark = pytest.mark.libreoffice


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Out:
    folder: Path
    case: Case

    def pages(self, name: str) -> list[str]:
        return [squash(p.extract_text()) for p in PdfReader(self.folder / name).pages]

    def text(self, name: str) -> str:
        return "".join(self.pages(name))


@pytest.fixture(scope="module")
def out(rendered_kinds: dict[str, Path]) -> Out:
    """The example's kinds as the session rendered them once (``rendered_kinds``)."""
    return Out(rendered_kinds["enping"], load_case(EXAMPLE_CASE))


def plan_heading_lines(case: Case) -> list[str]:
    assert case.plan is not None
    return [p.number + p.heading for p in number_sections(list(case.plan.sections)) if p.level]


def test_every_kind_makes_docx_and_pdf(out: Out) -> None:
    names = {p.name for p in out.folder.iterdir() if p.suffix in (".docx", ".pdf")}
    expected = {"set", "notice", "plan", "tasks", "announcement"} | {f"acceptance-{k}" for k in out.case.enterprises}
    assert names == {f"{stem}.{ext}" for stem in expected for ext in ("docx", "pdf")}


def test_set_is_notice_then_plan_then_turned_table_then_imprint(out: Out) -> None:
    pages = out.pages("set.pdf")
    forms = page_forms(out.folder / "set.pdf")
    assert out.case.notice is not None and out.case.plan is not None and out.case.tasks is not None
    assert pages[0].startswith("恩平市科工商务局文件恩科工商务字〔2021〕58号")
    plan_page = next(i for i, p in enumerate(pages) if p.startswith(squash(out.case.plan.title)))
    assert plan_page >= 1, "the plan starts on a new page"
    assert squash(out.case.notice.title) not in "".join(pages[plan_page:])
    table_pages = [i for i, p in enumerate(pages) if "序号工作任务责任单位完成时限" in p]
    assert table_pages, "the task table is in the set"
    assert table_pages[0] > plan_page
    assert pages[table_pages[0]].startswith("附件" + squash(out.case.tasks.title))
    for i, form in enumerate(forms):
        assert (round(form.width), round(form.height)) == (210, 297), f"page {i + 1} prints on portrait A4"
        assert form.turned == (i in table_pages), f"page {i + 1}: only the table pages are turned"
    last = pages[-1]
    assert "恩平市科工商务局办公室2021年5月24日印发" in last
    assert "公开方式：主动公开" in last


def test_set_page_numbers_continue_through_every_page(out: Out) -> None:
    pages = out.pages("set.pdf")
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"—{number}—", page), f"page {number} lacks — {number} —"


def test_plan_headings_are_numbered_by_docgen(out: Out) -> None:
    for name in ("plan.pdf", "set.pdf"):
        text = out.text(name)
        headings = plan_heading_lines(out.case)
        for heading in headings:
            assert squash(heading) in text, f"{heading} missing from {name}"
        assert "一、总体要求" in text and "四、保障措施" in text
        assert "（三）总结阶段（2021年6月、12月，2022年1月）" in text
        assert "（五）畅通举报渠道。市各有关部门" in text, "run-in text follows its heading"


def test_plan_carries_the_attachment_note(out: Out) -> None:
    assert out.case.tasks is not None
    assert f"附件：{squash(out.case.tasks.title)}" in out.text("plan.pdf")


def test_task_table_rows_and_turned_pages(out: Out) -> None:
    assert out.case.tasks is not None
    text = out.text("tasks.pdf")
    for i, row in enumerate(out.case.tasks.rows, start=1):
        assert squash(row.task) in text.replace(str(i), "", 1) or squash(row.task)[:20] in text
        assert squash(row.deadline) in text
        for unit in row.units:
            assert squash(unit) in text
    forms = page_forms(out.folder / "tasks.pdf")
    assert all(f.turned and (round(f.width), round(f.height)) == (210, 297) for f in forms)
    pages = out.pages("tasks.pdf")
    assert all(p.count("序号工作任务责任单位完成时限") == 1 for p in pages), "header on every page"


def test_acceptance_record_per_enterprise(out: Out) -> None:
    for key, enterprise in out.case.enterprises.items():
        pdf = f"acceptance-{key}.pdf"
        text = out.text(pdf)
        assert len(out.pages(pdf)) == 1, "a verification record is one sheet"
        for value in (
            enterprise.name,
            enterprise.credit_code,
            enterprise.address,
            enterprise.industry,
            enterprise.capacity.text,
            enterprise.exit_method,
            format_date(enterprise.acceptance_date),
        ):
            assert squash(value) in text, f"{value} missing from {pdf}"
        for equipment in enterprise.equipment:
            assert squash(equipment.name) in text
            assert squash(equipment.model) in text
            assert f"{equipment.quantity}{equipment.unit}" in text
        for member in enterprise.acceptance_team:
            assert squash(member.name + member.unit + member.title) in text
        assert "签字" in text and "验收结论" in text
        assert "同意通过验收" in text


def test_announcement_lists_every_enterprise(out: Out) -> None:
    ann = out.case.announcement
    assert ann is not None
    text = out.text("announcement.pdf")
    assert text.startswith(squash(ann.title))
    for key in ann.enterprises:
        assert isinstance(key, str), "the example's 公告 names its own enterprises"
        enterprise = out.case.enterprises[key]
        assert squash(enterprise.name) in text
        assert squash(enterprise.capacity.text) in text
    assert "公示期：2021年12月6日至2021年12月12日" in text
    assert "0750-7115128" in text
    assert "特此公告。" in text
    assert text.rstrip("—0123456789").endswith("恩平市科工商务局2021年12月6日")
    assert "：" not in squash(ann.title)
    first_body = squash(ann.basis[0])[:10]
    before_body = text.split(first_body)[0]
    assert not before_body.endswith("："), "a 公告 has no 主送机关"


def test_one_enterprise_only(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "-w",
        str(tmp_path),
        "render",
        str(EXAMPLE_CASE),
        "-k",
        "acceptance",
        "--enterprise",
        "huayi",
        "-o",
        str(tmp_path / "o"),
        "--format",
        "docx",
        "--json",
    )
    assert result.exit_code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["acceptance-huayi.docx"]
    assert "恩平市华艺陶瓷有限公司" in result.out


def test_unknown_enterprise_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli(
        "-w",
        str(tmp_path),
        "render",
        str(EXAMPLE_CASE),
        "-k",
        "acceptance",
        "--enterprise",
        "nobody",
        "-o",
        str(tmp_path / "o"),
    )
    assert result.exit_code == 1
    assert "nobody" in result.err and "huayi" in result.err
    assert not (tmp_path / "o").exists()
