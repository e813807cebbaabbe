"""Layout decided from the filled-in text: closing blocks never alone, tables sized from their content."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from docx.oxml.ns import qn
from pypdf import PdfReader

from docgen import layout
from docgen.case.creditcode import check_character
from docgen.case.model import load_case
from docgen.render.context import equipment_text, format_date
from tests.conftest import EXAMPLE_CASE, OTHER_BUREAU_CASE, RunCli
from tests.pdfmeasure import page_forms, read_lines

pytestmark = pytest.mark.libreoffice
CASES = {"enping": EXAMPLE_CASE, "taishan": OTHER_BUREAU_CASE}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_texts(pdf: Path) -> list[str]:
    return [re.sub(r"—\d+—", "", squash(p.extract_text())) for p in PdfReader(pdf).pages]


FALLBACK_GLYPHS = str.maketrans("", "", "³²")


def printed_lines(pdf: Path) -> list[str]:
    """Every printed line (pypdf reads turned pages in their own direction)."""
    return [squash(line) for page in PdfReader(pdf).pages for line in page.extract_text().splitlines()]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", ["set", "notice", "announcement"])
def test_no_page_opens_with_the_closing_block_or_the_note(
    rendered_kinds: dict[str, Path], case: str, kind: str
) -> None:
    data = load_case(CASES[case])
    part = data.announcement if kind == "announcement" else data.notice
    assert part is not None
    signature = part.signature or data.issuer.name
    closing = [signature + format_date(part.date), "附件："]
    note = getattr(part, "note", None)
    if note:
        closing.append(f"（{squash(note)}）")
    for n, text in enumerate(page_texts(rendered_kinds[case] / f"{kind}.pdf")[1:], start=2):
        assert not text.startswith(tuple(closing)), f"page {n} holds no body text: {text[:40]}"


def test_no_line_breaks_inside_a_unit_an_organ_or_a_dash_pair(tmp_path: Path, run_cli: RunCli) -> None:
    # Each word is set at every position of the 28-character line once: unglued, some land across
    # a line end ("8万吨 / /年", "江门 / 市生态环境局恩平分局", "— / —", all seen in use).
    organ, unit = "江门市生态环境局恩平分局", "8万吨/年"
    sentence = f"年产{unit}的生产线由{organ}核查——核查结果报市政府。"
    data = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))
    data["notice"]["copy_to"] = [organ]
    data["notice"]["body"] = ["落" * pad + sentence for pad in range(28)]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = run_cli("-w", str(tmp_path), "render", str(case), "-k", "notice", "-o", str(tmp_path / "o"))
    assert done.exit_code == 0, done.err
    lines = [squash(ln) for ln in printed_lines(tmp_path / "o" / "notice.pdf")]
    assert not any(ln.startswith("/") for ln in lines), "a unit's /年 opens no line"
    joined, ends = "", []
    for line in lines:
        joined += line
        ends.append(len(joined))
    # An organ's name may go over between its words, as in a table (江门市|生态环境局|恩平分局).
    for word in ("江门市", "生态环境局", "恩平分局", unit, "——"):
        starts = [m.start() for m in re.finditer(re.escape(word), joined)]
        assert len(starts) >= 28, word
        split = [at for at in starts if any(at < end < at + len(word) for end in ends)]
        assert not split, f"“{word}” broken at a line end {len(split)} times"


@pytest.mark.parametrize("joint", [False, True])
def test_the_seals_room_narrows_to_one_blank_line_and_no_further(tmp_path: Path, joint: bool) -> None:
    from docx import Document

    from docgen.pipeline.prepare import prepare
    from docgen.pipeline.workspace import Workspace
    from docgen.render.templates import render_docx

    data = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))
    if joint:
        data["notice"]["joint"] = [{"name": "恩平市发展和改革局"}]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    prepared = prepare(case, Workspace.open(tmp_path, env={}), ["notice"])
    document = prepared.documents[0]

    def blanks_above_signature(narrow: bool) -> int:
        target = tmp_path / f"notice-{narrow}.docx"
        render_docx(prepared.templates[document.template_kind], document.context, target, narrow_seal=narrow)
        texts = []
        for block in Document(str(target)).element.body:
            if "GwSignature" in block.xml:
                break
            texts.append("".join(t.text or "" for t in block.iter(qn("w:t"))))
        blank = 0
        while texts and not texts.pop().strip():
            blank += 1
        return blank

    if joint:  # the table of 署名 keeps the seals' room in its own rows: nothing to give up
        assert blanks_above_signature(narrow=False) == blanks_above_signature(narrow=True) == 0
    else:
        assert blanks_above_signature(narrow=False) == 2
        assert blanks_above_signature(narrow=True) == 1


@pytest.mark.parametrize("kind", ["notice", "set"])
def test_the_example_notice_fills_page_1_to_the_note_and_page_2_holds_only_the_imprint(
    rendered_kinds: dict[str, Path], kind: str
) -> None:
    # Measured before: the body broke after four lines and left the lower half of page 1 empty.
    pdf = rendered_kinds["enping"] / f"{kind}.pdf"
    notice = load_case(EXAMPLE_CASE).notice
    assert notice is not None and notice.note
    lines = read_lines(pdf)
    first = [ln for ln in lines if ln.page == 1 and not re.fullmatch(r"—\s*\d+\s*—", ln.text.strip())]
    assert squash(first[-1].text) == f"（{squash(notice.note)}）", "the 附注 is page 1's last line"
    block_bottom = layout.PAGE.top_mm + layout.PAGE.block_height_mm
    assert first[-1].bottom <= block_bottom + 0.5, f"the 附注 ends at {first[-1].bottom:.1f} mm, inside the block"
    body = [ln for ln in first if squash(ln.text) and squash(ln.text) in squash(notice.body[-1])]
    pitch = body[-1].top - body[-2].top
    signature = next(ln for ln in first if squash(ln.text) == squash(notice.signature or "恩平市科工商务局"))
    lines_down = (signature.top - body[-1].top) / pitch
    assert round(lines_down, 1) == 2.0, f"one blank line (the seal's room) above the 署名, not {lines_down - 1:.1f}"
    if kind == "notice":
        second = squash(page_texts(pdf)[1])
        assert second.startswith("公开方式") and second.endswith("印发"), f"page 2 is the 版记 alone: {second[:60]}"


@pytest.mark.parametrize("case", CASES)
def test_every_page_of_every_kind_is_portrait_a4(rendered_kinds: dict[str, Path], case: str) -> None:
    for pdf in rendered_kinds[case].glob("*.pdf"):
        for n, form in enumerate(page_forms(pdf), start=1):
            assert (round(form.width), round(form.height)) == (210, 297), f"{pdf.name} page {n}"


@pytest.mark.parametrize("case", CASES)
def test_a_verification_record_is_one_sheet(rendered_kinds: dict[str, Path], case: str) -> None:
    records = list(rendered_kinds[case].glob("acceptance-*.pdf"))
    assert len(records) == len(load_case(CASES[case]).enterprises)
    for pdf in records:
        assert len(PdfReader(pdf).pages) == 1, pdf.name


def test_the_plan_inside_the_set_keeps_22_lines_a_page(rendered_kinds: dict[str, Path]) -> None:
    set_pdf = rendered_kinds["enping"] / "set.pdf"
    plan = load_case(EXAMPLE_CASE).plan
    assert plan is not None
    pages = page_texts(set_pdf)
    first = next(i for i, text in enumerate(pages) if text.startswith(squash(plan.title))) + 1
    body = [ln for ln in read_lines(set_pdf) if ln.size == layout.BODY_PT and ln.page > first and ln.x0 < 60]
    full_pages = Counter(ln.page for ln in body)
    turned = {n for n, f in enumerate(page_forms(set_pdf), start=1) if f.turned}
    plan_pages = [p for p in full_pages if p not in turned and p < min(turned)]
    assert plan_pages
    gaps = Counter(
        round(b.top - a.top, 1) for a, b in itertools.pairwise(body) if a.page == b.page and a.page in plan_pages
    )
    pitch_mm = layout.pt_to_mm(layout.LINE_PITCH_TWIPS / layout.TWIPS_PER_PT)
    assert abs(gaps.most_common(1)[0][0] - pitch_mm) < 0.15, gaps
    assert max(full_pages[p] for p in plan_pages) == layout.LINES_PER_PAGE


@pytest.mark.parametrize("case", CASES)
def test_names_units_dates_and_codes_are_never_broken_in_tables(rendered_kinds: dict[str, Path], case: str) -> None:
    data = load_case(CASES[case])
    folder = rendered_kinds[case]
    announced = printed_lines(folder / "announcement.pdf")
    for key, enterprise in data.enterprises.items():
        record = printed_lines(folder / f"acceptance-{key}.pdf")
        for unit in (
            enterprise.name,
            enterprise.credit_code,
            enterprise.capacity.text,
            format_date(enterprise.acceptance_date),
        ):
            assert any(squash(unit) in line for line in record), f"{unit} broken in the record of {key}"
        for member in enterprise.acceptance_team:
            assert any(member.name in line for line in record)
        if data.announcement and key in data.announcement.enterprises:
            for unit in (enterprise.name, enterprise.capacity.text, enterprise.exit_method):
                assert any(squash(unit) in line for line in announced), f"{unit} broken in the announcement"
            for item, equipment in zip(equipment_text(enterprise).split("；"), enterprise.equipment, strict=True):
                model = re.search(r"（(.+)）", item)
                # ³ and ² come from a fallback font, which pypdf lists after their neighbours.
                # A size stays whole (measured before: "（φ2.5m× / 10m）"), and so does the name
                # of the equipment ("蒸 / 球", "热 / 定型机").
                whole = model[1].translate(FALLBACK_GLYPHS) if model else ""
                assert model and any(whole in line.translate(FALLBACK_GLYPHS) for line in announced), item
                assert any(equipment.name in line for line in announced), equipment.name
    assert data.tasks is not None
    tasks = printed_lines(folder / "tasks.pdf")
    for row in data.tasks.rows:
        assert any(squash(row.deadline) in line for line in tasks), row.deadline
    for header in ("序号", "企业名称", "行业", "退出设备", "退出产能", "退出方式"):
        assert any(header in line for line in announced), header


def test_forty_enterprises_with_sixteen_character_names(tmp_path: Path, run_cli: RunCli) -> None:
    data = yaml.safe_load(OTHER_BUREAU_CASE.read_text(encoding="utf-8"))
    base = data["enterprises"]["hongyuan"]
    places = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往"
    enterprises = {}
    for i in range(40):
        first17 = f"91440781MA{i:02d}K1B2C"[:17].ljust(17, "1")
        name = f"台山市{places[i]}{places[i + 1]}新型环保建筑材料有限公司"  # 16 characters
        enterprises[f"e{i:02d}"] = {
            **base,
            "name": name,
            "credit_code": first17 + check_character(first17),
            "capacity": {"value": 10 + i, "unit": "万平方米/年"},
        }
    data["enterprises"] = enterprises
    data["announcement"]["enterprises"] = list(enterprises)
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli("-w", str(tmp_path), "render", str(case), "-k", "announcement", "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.err
    pdf = tmp_path / "o" / "announcement.pdf"
    lines = printed_lines(pdf)
    for enterprise in enterprises.values():
        assert any(enterprise["name"] in line for line in lines), enterprise["name"]
        assert any(f"{enterprise['capacity']['value']}万平方米/年" in line for line in lines)
    forms = page_forms(pdf)
    assert all((round(f.width), round(f.height)) == (210, 297) for f in forms)
    assert [f.number for f in forms] == [str(n) for n in range(1, len(forms) + 1)]
    assert any(f.turned for f in forms), "sixteen-character names in six columns go landscape, turned for print"


def test_the_attachment_note_does_not_count_as_body_text_on_the_signature_page(tmp_path: Path, run_cli: RunCli) -> None:
    data = yaml.safe_load(OTHER_BUREAU_CASE.read_text(encoding="utf-8"))
    # With this note the last body line, the 附件说明 and the closing block overrun page 1 (seen in use).
    data["notice"]["attachments"] = ["台山市2022年度落后产能退出企业初步名单"]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli(
        "-w", str(tmp_path), "render", str(case), "-k", "notice", "-o", str(tmp_path / "o"), "--format", "both"
    )
    assert result.exit_code == 0, result.err
    pages = page_texts(tmp_path / "o" / "notice.pdf")
    assert len(pages) >= 2
    for text in pages[1:]:
        assert not text.startswith(("附件：", "台山市工业和信息化局2022年3月18日", "（联系人")), text[:40]
    from docx import Document

    body = [p.text for p in Document(str(tmp_path / "o" / "notice.docx")).paragraphs]
    assert data["notice"]["body"][1] in body, "the paragraph the page break went into is still one paragraph"
