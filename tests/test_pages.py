"""Pages a typesetter signs off: page 1 shows body text, the 版记 on the last even side, no page wasted.

Every check reads the converted PDF back and measures it; the pages were also looked at as
pictures (pdftoppm) when these tests were written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bench.sweepcase import LENGTHS
from tests.conftest import EXAMPLE_CASE, RunCli
from tests.pdfmeasure import page_forms, read_lines, read_rules
from tests.sweep import sweep

pytestmark = pytest.mark.libreoffice
_PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")
TOWNS = ["恩城街道办事处"] + [
    f"{town}镇人民政府" for town in ("横陂", "圣堂", "良西", "沙湖", "牛江", "君堂", "大槐", "东成", "那吉", "大田")
]
RECIPIENTS = [*TOWNS, "恩平工业园管委会"]
COPIES = ["江门市工业和信息化局", "江门市发展和改革局", "江门市生态环境局", "江门市应急管理局", "恩平市自然资源局"]


JOINT = [{"name": "恩平市发展和改革局"}, {"name": "江门市生态环境局恩平分局"}, {"name": "恩平市应急管理局"}]


def squash(text: str) -> str:
    return "".join(text.split())


def example_case(folder: Path, **notice: object) -> Path:
    """The example case with its notice's fields replaced, written into ``folder``."""
    data = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))
    data["notice"].update(notice)
    case = folder / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return case


def test_a_sweep_over_forty_body_lengths_leaves_no_page_wasted(tmp_path: Path) -> None:
    # Notice, request and 函, the body one line longer each time: no page ends 5 or more lines
    # early while the body goes on, no page opens with the 署名 or the 附件说明, page 1 shows
    # body text, and every 版记 is on the last page, an even side (after an unnumbered blank
    # page when it needs one). Measured before: 54 of 120 had the 版记 on an odd side.
    faults = sweep(tmp_path)
    assert len(list(tmp_path.glob("*/*/*.pdf"))) == 3 * LENGTHS
    assert not faults, "\n".join(f"{Path(f.pdf).parent.name}: {f.fault}" for f in faults)


@pytest.fixture(scope="module")
def joint_notice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A notice of four organs with a four-line title, twelve 主送 and five 抄送, rendered."""
    folder = tmp_path_factory.mktemp("joint-recipients")
    title = (
        "关于印发恩平市2021年度推动落后产能关停退出和转型升级及淘汰落后生产设备专项整治行动"
        "工作计划和任务分工方案的联合通知"
    )
    case = example_case(folder, joint=JOINT, title=title, recipients="、".join(RECIPIENTS), copy_to=COPIES)
    from docgen.cli import main

    try:
        main(["-w", str(folder), "render", str(case), "-k", "notice", "-o", str(folder / "out")])
    except SystemExit as exc:
        assert not exc.code
    return folder / "out" / "notice.pdf"


def test_a_recipient_list_too_long_for_page_1_goes_to_the_imprint(joint_notice: Path) -> None:
    # Measured before: the 主送 filled page 1 to its foot and the body began on page 2.
    body = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))["notice"]["body"]
    lines = [ln for ln in read_lines(joint_notice) if not _PAGE_NUMBER.fullmatch(ln.text.strip())]
    first = squash("".join(ln.text for ln in lines if ln.page == 1))
    assert squash(body[0])[:20] in first, "page 1 shows body text"
    assert RECIPIENTS[1] not in first, "the 主送 is not printed above the body"
    last = max(ln.page for ln in lines)
    imprint = [ln for ln in lines if ln.page == last and ln.size < 15]
    texts = [squash(ln.text) for ln in imprint]
    to = next(i for i, t in enumerate(texts) if t.startswith("主送："))
    copied = next(i for i, t in enumerate(texts) if t.startswith("抄送："))
    assert to < copied, "主送 one line above 抄送"
    assert "".join(texts[to:copied]) == squash(f"主送：{'、'.join(RECIPIENTS)}。")
    assert "".join(texts[copied:-1]) == squash(f"抄送：{'，'.join(COPIES)}。")
    # Wrapped lines align after the colon: three characters right of "主送：".
    assert all(abs(ln.x0 - imprint[to].x0 - 3 * 14 * 25.4 / 72) < 0.6 for ln in imprint[to + 1 : copied])
    # No rule between 主送 and 抄送; thin rules above the 主送 and below the 抄送.
    rules = [r.top for r in read_rules(joint_notice) if r.page == last and r.x1 - r.x0 > 150]
    between = [top for top in rules if imprint[copied - 1].bottom < top < imprint[copied].top]
    assert not between, "no rule parts 主送 from 抄送"
    assert any(imprint[to - 1].bottom < top < imprint[to].top for top in rules), "a rule above the 主送"


def test_every_imprint_of_every_kind_is_on_the_last_even_side(rendered_kinds: dict[str, Path]) -> None:
    # The 印发合成件's 版记 stood alone on page 11, an odd side, numbered "— 11 —".
    checked = 0
    for folder in rendered_kinds.values():
        for pdf in sorted(folder.glob("*.pdf")):
            lines = [ln for ln in read_lines(pdf) if not _PAGE_NUMBER.fullmatch(ln.text.strip())]
            printed = [ln.page for ln in lines if squash(ln.text).endswith("印发") and ln.size < 15]
            if not printed:
                continue
            pages = len(page_forms(pdf))
            assert printed == [pages], f"{pdf.name}: 版记 on page {printed} of {pages}"
            assert pages == 1 or pages % 2 == 0, f"{pdf.name}: 版记 on odd page {pages}"
            checked += 1
    assert checked >= 4, "the set and the notice of both cases have a 版记"


def test_a_long_copy_list_is_printed_whole_not_cut_off(tmp_path: Path, run_cli: RunCli) -> None:
    # The 版记's rows had an exact height: a 抄送 of two lines lost its second (the text check refused it).
    copies = [*COPIES, "恩平市人民政府办公室", "恩平市住房和城乡建设局", "恩平市市场监督管理局"]
    case = example_case(tmp_path, copy_to=copies)
    done = run_cli("-w", str(tmp_path), "render", str(case), "-k", "notice", "-o", str(tmp_path / "o"))
    assert done.exit_code == 0, done.err
    text = squash("".join(ln.text for ln in read_lines(tmp_path / "o" / "notice.pdf")))
    assert squash(f"抄送：{'，'.join(copies)}。") in text


def test_an_announcement_table_that_fits_portrait_stays_on_page_1(
    tmp_path: Path, run_cli: RunCli, rendered_kinds: dict[str, Path]
) -> None:
    # Measured before: a three-row table went to a turned page of its own and left page 1 about
    # 80% blank; keeping a size such as φ2.5m×10m whole had turned the example's six rows too.
    data = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))
    keys = data["announcement"]["enterprises"]
    data["announcement"]["enterprises"] = keys[:3]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = run_cli("-w", str(tmp_path), "render", str(case), "-k", "announcement", "-o", str(tmp_path / "o"))
    assert done.exit_code == 0, done.err
    for pdf, shown in (
        (tmp_path / "o" / "announcement.pdf", keys[:3]),
        (rendered_kinds["enping"] / "announcement.pdf", keys),
    ):
        assert not any(form.turned for form in page_forms(pdf)), f"{pdf}: no page turned"
        first = [squash(ln.text) for ln in read_lines(pdf) if ln.page == 1]
        for key in shown:
            name = data["enterprises"][key]["name"]
            assert any(name in line for line in first), f"{name} whole on page 1 of {pdf.parent.name}"


def test_no_line_of_the_attachment_note_or_of_a_table_holds_a_broken_word(tmp_path: Path, run_cli: RunCli) -> None:
    # Measured before: a 附件说明 ended "…任务分工 / 表" with one character alone on its line, and a
    # 责任单位 cell broke "各镇人 / 民政府（街道办事处）".
    name = "恩平市2021年度推动落后产能退出工作计划任务分工表"
    case = example_case(tmp_path, attachments=[name])
    done = run_cli("-w", str(tmp_path), "render", str(case), "-k", "notice", "-k", "tasks", "-o", str(tmp_path / "o"))
    assert done.exit_code == 0, done.err
    lines = [squash(ln.text) for ln in read_lines(tmp_path / "o" / "notice.pdf")]
    start = next(i for i, line in enumerate(lines) if line.startswith("附件："))
    note = lines[start : start + 2]
    assert "".join(note).startswith(f"附件：{name}"), note
    assert all(len(line) > 2 for line in note), f"no character alone on a line: {note}"
    from docgen.readback import read_pdf  # the table's pages are turned: pypdf reads their lines upright

    cells = [squash(line) for page in read_pdf(tmp_path / "o" / "tasks.pdf").pages for line in page.splitlines()]
    town = "各镇人民政府"
    assert any(town in line for line in cells), "the organ's words stay on one line"
    assert not any(line.endswith(("各镇人", "各镇人民", "各镇人民政")) for line in cells)


def test_the_minutes_organ_line_stands_one_line_below_the_issue_number(tmp_path: Path, run_cli: RunCli) -> None:
    # Measured before: the organ and date line hung 1.3 mm under the 期号 (6.9 mm apart, not 10.2).
    from docgen import layout

    case = EXAMPLE_CASE.parent.parent / "enping-2021-coordination" / "case.yaml"
    done = run_cli("-w", str(tmp_path), "render", str(case), "-k", "minutes", "-o", str(tmp_path / "o"))
    assert done.exit_code == 0, done.err
    lines = read_lines(tmp_path / "o" / "minutes.pdf")
    number = next(ln for ln in lines if re.fullmatch(r"第\d+期", squash(ln.text)))
    organ = lines[lines.index(number) + 1]
    assert abs(organ.top - number.top - layout.pt_to_mm(layout.LINE_PITCH_PT)) < 0.3


@pytest.mark.parametrize("extra_lines", [2, 3, 4])
def test_a_joint_signature_keeps_its_seals_room_wherever_it_starts(
    tmp_path: Path, run_cli: RunCli, extra_lines: int
) -> None:
    # Measured before: a joint 署名 table starting 100 mm down page 2 printed its second row of
    # names right under the first (the seals' room gone) and left the room after the date.
    from docgen import layout

    body = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))["notice"]["body"]
    case = example_case(tmp_path, joint=JOINT, body=[*body[:-1], body[-1] + "落实" * (14 * extra_lines) + "。"])
    done = run_cli("-w", str(tmp_path), "render", str(case), "-k", "notice", "-o", str(tmp_path / "o"))
    assert done.exit_code == 0, done.err
    lines = [ln for ln in read_lines(tmp_path / "o" / "notice.pdf") if ln.size == layout.BODY_PT]
    first = next(ln for ln in lines if squash(ln.text) == "恩平市科工商务局恩平市发展和改革局")
    second = next(ln for ln in lines if squash(ln.text).startswith("江门市生态环境局"))
    date = next(ln for ln in lines if squash(ln.text).endswith("2021年5月24日") and ln.top > second.top)
    note = next(ln for ln in lines if squash(ln.text).startswith("（联系人"))
    pitch = layout.pt_to_mm(layout.LINE_PITCH_PT)
    assert first.page == second.page == note.page
    assert round((second.top - first.top) / pitch) == layout.JOINT_ROW_LINES, "a row of seal room between the rows"
    assert round((note.top - date.top) / pitch) == 1, "the 附注 on the line after the date"
