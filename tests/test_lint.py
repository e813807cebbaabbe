"""docgen lint: every rule fails on a faulty example and passes on a correct one."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from docgen.lint import lint_path
from docgen.lint.model import Line, LintDocument
from docgen.lint.rules import run_rules
from tests.conftest import EXAMPLE_CASE, SEED, RunCli

GOOD = """恩平市科工商务局文件
恩科工商务字〔2021〕58号
关于印发恩平市2021年度推动落后产能退出工作计划的通知
各镇人民政府（街道办事处），市有关单位：
根据工作需要，我局编制《恩平市2021年度推动落后产能退出工作计划》，现印发给你们，请遵照执行。
一、总体要求
按照统一部署，依法依规推动落后产能退出。
（一）全面部署阶段
5月底前制定工作计划。
（二）执行监管阶段
1.加强执法检查
2.做好验收工作
二、保障措施
附件：恩平市2021年推动落后产能退出工作要点任务分工表
恩平市科工商务局
2021年5月24日
（联系人：何国琨；联系电话：7115128）
附件
恩平市2021年推动落后产能退出工作要点任务分工表
抄送：江门市工业和信息化局，江门市发展和改革局。
恩平市科工商务局办公室 2021年5月24日印发
— 1 —
"""


def codes(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    return [f.code for f in lint_path(path)]


def test_a_correct_document_has_no_findings(tmp_path: Path) -> None:
    assert codes(tmp_path, GOOD) == []


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("恩科工商务字〔2021〕58号\n", "恩科工商务字﹝2021﹞58号\n", "GW101"),
        ("恩科工商务字〔2021〕58号\n", "恩科工商务字〔2021〕058号\n", "GW101"),
        ("恩科工商务字〔2021〕58号\n", "恩科工商务字〔2021〕第58号\n", "GW101"),
        ("我局编制", "根据工信部联产业[2017]30号文，我局编制", "GW101"),
        ("恩科工商务字〔2021〕58号\n", "恩科工商务字〔2020〕58号\n", "GW102"),
        ("2021年5月24日\n（联系人", "2021年05月24日\n（联系人", "GW201"),
        ("2021年5月24日\n（联系人", "二〇二一年五月二十四日\n（联系人", "GW201"),
        ("2021年5月24日\n（联系人", "2021.5.24\n（联系人", "GW201"),
        ("2021年5月24日印发", "2021年5月20日印发", "GW202"),
        ("工作计划的通知\n", "工作计划的通知。\n", "GW301"),
        ("关于印发恩平市2021年度推动落后产能退出工作计划的通知", "关于恩平市2021年度推动落后产能退出工作计划", "GW302"),
        ("关于印发恩平市2021年度", "关于印发恩平市2020年度", "GW303"),
        (
            "我局编制《恩平市2021年度推动落后产能退出工作计划》",
            "我局编制《恩平市2021年度推动落后产能退出行动计划》",
            "GW304",
        ),
        ("市有关单位：", "市有关单位:", "GW401"),
        ("二、保障措施", "二.保障措施", "GW501"),
        ("1.加强执法检查", "1、加强执法检查", "GW501"),
        ("（二）执行监管阶段", "(二)执行监管阶段", "GW501"),
        ("二、保障措施", "三、保障措施", "GW502"),
        ("一、总体要求\n", "", "GW503"),
        ("（一）全面部署阶段\n", "（一）全面部署阶段。\n", "GW504"),
        (
            "附件：恩平市2021年推动落后产能退出工作要点任务分工表\n",
            "附件：恩平市2021年推动落后产能退出工作要点任务分工表。\n",
            "GW601",
        ),
        (
            "附件：恩平市2021年推动落后产能退出工作要点任务分工表\n",
            "附件：1. 恩平市2021年推动落后产能退出工作要点任务分工表\n",
            "GW601",
        ),
        ("附件：恩平市2021年推动落后产能退出工作要点任务分工表\n", "附件：恩平市2021年淘汰落后产能验收名单\n", "GW602"),
        ("抄送：江门市工业和信息化局，江门市发展和改革局。", "抄送：江门市工业和信息化局，江门市发展和改革局", "GW701"),
        (
            "抄送：江门市工业和信息化局，江门市发展和改革局。",
            "抄送:江门市工业和信息化局，江门市发展和改革局。",
            "GW701",
        ),
        ("2021年5月24日印发", "2021年5月24日", "GW701"),
        ("— 1 —", "-1-", "GW801"),
        ("— 1 —", "第1页", "GW801"),
        ("现印发给你们，请遵照执行。", "现印发给你们,请遵照执行。", "GW901"),
        ("现印发给你们，请遵照执行。", "现印发给你们，请遵照执行。。", "GW902"),
        ("— 1 —\n", "— 1 —\n主题词：产能 退出 通知\n", "GW951"),
    ],
)
def test_each_rule_catches_its_fault(tmp_path: Path, old: str, new: str, code: str) -> None:
    assert old in GOOD, old
    assert code in codes(tmp_path, GOOD.replace(old, new, 1))


def test_a_notice_recipient_line_on_an_announcement(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "关于恩平市2021年度落后产能退出企业名单的公告",
            "各镇人民政府：",
            "现将名单予以公告。",
            "恩平市科工商务局",
            "2021年12月6日",
        ]
    )
    path = tmp_path / "ann.txt"
    path.write_text(text, encoding="utf-8")
    from docgen.lint.model import LintDocument
    from docgen.lint.readers import read_text
    from docgen.lint.rules import run_rules

    doc = read_text(path)
    assert "GW402" in [f.code for f in run_rules(LintDocument(doc.path, doc.lines, kind="announcement"))]
    assert "GW402" not in [f.code for f in run_rules(LintDocument(doc.path, doc.lines, kind="notice"))]
    doc_ok = read_text(path)
    no_recipients = [line for line in doc_ok.lines if line.role != "recipients"]
    assert "GW402" not in [f.code for f in run_rules(LintDocument(path, no_recipients, kind="announcement"))]


def test_the_seed_reports_its_two_slips(run_cli: RunCli) -> None:
    result = run_cli("lint", str(SEED), "--json")
    findings = json.loads(result.out)
    year = [f for f in findings if f["code"] == "GW303"]
    assert year and "2020" in year[0]["message"] and "2021" in year[0]["message"]
    names = [f for f in findings if f["code"] == "GW304"]
    assert names and "行动计划" in names[0]["message"] and "工作计划" in names[0]["message"]
    assert result.exit_code == 0, "warnings alone do not fail without --strict"
    assert run_cli("lint", str(SEED), "--strict").exit_code == 1


def test_errors_fail_and_name_file_place_and_fix(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(GOOD.replace("恩科工商务字〔2021〕58号", "恩科工商务字【2021】58号"), encoding="utf-8")
    result = run_cli("lint", str(path))
    assert result.exit_code == 1
    assert str(path) in result.out and "第2行" in result.out and "GW101" in result.out
    assert "改为：恩科工商务字〔2021〕58号" in result.out


def test_the_example_case_is_clean(run_cli: RunCli) -> None:
    result = run_cli("lint", str(EXAMPLE_CASE), "--strict")
    assert result.exit_code == 0, result.out
    assert "未发现问题" in result.out


def test_case_findings_point_at_the_yaml_line(tmp_path: Path, run_cli: RunCli) -> None:
    case = tmp_path / "case.yaml"
    text = EXAMPLE_CASE.read_text(encoding="utf-8").replace("请遵照执行。执行中", "请遵照执行,执行中")
    case.write_text(text, encoding="utf-8")
    findings = json.loads(run_cli("lint", str(case), "--json").out)
    [punct] = [f for f in findings if f["code"] == "GW901"]
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if "请遵照执行,执行中" in t)
    assert punct["place"] == f"第{line}行"


def test_unreadable_input(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("lint", str(tmp_path / "missing.docx"))
    assert result.exit_code == 1 and "文件不存在" in result.err


# --- faults found in use (issue 11), each with the case that showed it -------------------------


def test_a_sets_notice_numbers_its_own_headings_apart_from_the_plans(tmp_path: Path, run_cli: RunCli) -> None:
    data = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))
    data["notice"]["body"] = [
        "一、总体要求。为做好工作，特通知如下。",
        "二、工作任务。按计划推进。",
        "三、工作要求。请遵照执行。",
    ]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert (
        run_cli(
            "-w", str(tmp_path), "render", str(case), "-k", "set", "-o", str(tmp_path), "--format", "docx"
        ).exit_code
        == 0
    )
    findings = [f.code for f in lint_path(tmp_path / "set.docx")]
    assert "GW502" not in findings, "the plan's 一、 starts its own count"
    broken = GOOD.replace("二、保障措施", "三、保障措施")
    assert "GW502" in codes(tmp_path, broken), "a real gap is still found"


def test_spaces_a_pdf_reader_puts_into_a_number_are_not_the_documents() -> None:
    from docgen.lint.model import Line, LintDocument
    from docgen.lint.rules import run_rules

    lines = [Line("恩科工商务字〔2021〕58 号", "第1页", "number")]
    assert "GW101" not in [f.code for f in run_rules(LintDocument(Path("x.pdf"), lines, paragraphs=False))]
    typed = [Line("恩科工商务字〔2021〕58 号", "第2行", "number")]
    assert "GW101" in [f.code for f in run_rules(LintDocument(Path("x.txt"), typed))], "typed in a text, it is"


def test_layout_messages_speak_as_a_clerk_does(tmp_path: Path) -> None:
    from docx import Document as NewDocument

    doc = NewDocument()
    doc.add_paragraph("关于做好2021年度推动落后产能退出工作的通知")
    doc.add_paragraph("各镇人民政府：")
    doc.add_paragraph("为做好落后产能退出工作，现将有关事项通知如下，请各单位结合实际认真贯彻落实，确保按时完成任务。")
    doc.save(str(tmp_path / "plain.docx"))
    messages = [f.message for f in lint_path(tmp_path / "plain.docx") if f.code in ("GW813", "GW814")]
    assert messages
    assert not any("None" in m or "[" in m for m in messages), messages


def test_a_printed_date_before_the_signing_date_points_at_its_yaml_line(tmp_path: Path, run_cli: RunCli) -> None:
    text = EXAMPLE_CASE.read_text(encoding="utf-8")
    lines = text.splitlines()
    printed = next(
        n
        for n, t in enumerate(lines)
        if t.strip() == "printed:                               # 版记：印发机关和印发日期"
    )
    assert lines[printed + 1].strip().startswith("date: 2021-05-24")
    lines[printed + 1] = lines[printed + 1].replace("2021-05-24", "2021-05-20")
    case = tmp_path / "case.yaml"
    case.write_text("\n".join(lines), encoding="utf-8")
    [late] = [f for f in json.loads(run_cli("lint", str(case), "--json").out) if f["code"] == "GW202"]
    assert late["place"] == f"第{printed + 2}行"


def test_the_seeds_fix_for_the_plan_name_follows_the_year_everything_else_says(run_cli: RunCli) -> None:
    findings = json.loads(run_cli("lint", str(SEED), "--json").out)
    [name] = [f for f in findings if f["code"] == "GW304"]
    assert "2021" in name["fix"] and "2020" not in name["fix"] and "工作计划" in name["fix"]


def test_a_classified_document_marked_for_publication_is_an_error(tmp_path: Path, run_cli: RunCli) -> None:
    classified = "机密★1年\n" + GOOD.replace("抄送：", "公开方式：主动公开\n抄送：", 1)
    assert "GW1102" in codes(tmp_path, classified)
    assert "GW1102" not in codes(tmp_path, classified.replace("主动公开", "不予公开"))
    assert "GW1102" not in codes(tmp_path, GOOD.replace("抄送：", "公开方式：主动公开\n抄送：", 1))
    # The case a clerk writes: a 机密 notice that still says 主动公开 is refused, not printed.
    data = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))
    data["notice"]["secrecy"] = {"level": "机密", "period": "1年"}
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli("-w", str(tmp_path), "lint", str(case))
    assert result.exit_code == 1
    assert "GW1102" in result.out and "不予公开" in result.out


def _printed(*pages: list[tuple[str, str]]) -> LintDocument:
    """A PDF as lint reads it: wrapped lines with their roles, page by page."""
    lines = [Line(text, f"第{n}页", role) for n, page in enumerate(pages, start=1) for text, role in page]
    return LintDocument(Path("doc.pdf"), lines, kind="notice", paragraphs=False)


def test_what_only_printed_pages_show() -> None:
    head = [("恩平市科工商务局文件", "body"), ("关于印发工作计划的通知", "title"), ("各镇人民政府：", "recipients")]
    body = [("现将工作计划印发给你们，年产能8万吨", "body"), ("/年的生产线依法关停。", "body")]
    imprint = [("抄送：江门市工业和信息化局。", "cc"), ("恩平市科工商务局办公室 2021年5月24日印发", "printed")]
    found = [f.code for f in run_rules(_printed(head + body, [("— 2 —", "page_number"), *imprint]))]
    assert found == ["GW831"], "a unit cut from its number; page 1 has body text; the 版记 is on page 2"
    no_body = [f.code for f in run_rules(_printed(head, body, imprint))]
    assert "GW832" in no_body, "page 1 holds the 版头, the title and the 主送 only"
    assert "GW833" in no_body, "the 版记 on page 3, a front side"
    on_page_1 = [f.code for f in run_rules(_printed(head + body[:1] + imprint))]
    assert on_page_1 == [], "a one-page document may carry its 版记 on page 1"
    as_paragraphs = dataclasses.replace(_printed(head, body, imprint), paragraphs=True)
    assert not {"GW831", "GW832", "GW833"} & {f.code for f in run_rules(as_paragraphs)}, "only printed pages show it"


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_numbered_sentence_is_no_heading_in_a_docx_nor_in_its_pdf(tmp_path: Path, wrapped: bool) -> None:
    # Measured before: GW504 took "三、会议要求……死灰复燃。" in a 纪要's DOCX for a heading ending in 。,
    # and in its PDF said nothing about a heading that did end in one. Now both agree.
    from docgen.lint import lint_document
    from docgen.lint.model import Line, LintDocument
    from docgen.lint.roles import assign_roles

    sentence = "三、会议要求各成员单位加强日常巡查，严防已关停的落后产能死灰复燃。"
    texts = ["会议纪要", "一、总体要求。", "二、工作安排", sentence]
    if wrapped:  # as a PDF prints it: the sentence over two lines of 28 characters
        texts = [*texts[:3], sentence[:28], sentence[28:]]
    lines = assign_roles([Line(t, f"第{n}行") for n, t in enumerate(texts, 1)], wrapped=wrapped)
    found = lint_document(LintDocument(tmp_path / "doc", lines, kind="minutes", paragraphs=not wrapped))
    flagged = [f.place for f in found if f.code == "GW504"]
    assert flagged == ["第2行"], "only the short heading that ends in 。"


def test_a_pdf_is_measured_in_pdf_terms(tmp_path: Path) -> None:
    # Measured before: `lint --strict` passed a 10 pt monospaced PDF with 20 mm margins ("未发现问题").
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from docgen.lint import lint_path

    pdf = tmp_path / "typed.pdf"
    page = canvas.Canvas(str(pdf), pagesize=A4)
    page.setFont("Courier", 10)
    for n in range(40):
        page.drawString(20 * mm, A4[1] - (20 + 5 * n) * mm, f"Line {n} of a report typed in a monospaced font.")
    page.save()
    said = {(f.code, f.message) for f in lint_path(pdf)}
    assert ("GW813", "正文应为 3号（16磅），现为 10 磅") in said
    assert ("GW813", "正文应为仿宋，现为等宽字体 Courier") in said
    assert ("GW812", "版心左边距（订口）应为 28 mm，正文现从 20 mm 起") in said
