"""请示, 报告, 函 and 纪要, and the 版头 elements: rendered, converted, measured against GB/T 9704-2012.

Positions are read back from the PDFs with pdfplumber (tests/pdfmeasure.py), in millimetres from
the paper's top-left corner: the text block runs 28-184 mm across and 37-262 mm down.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from docgen.lint import lint_path
from docgen.lint.model import Line, LintDocument
from docgen.lint.rules import run_rules
from docgen.pipeline.workspace import Workspace
from docgen.web import ServerOptions, create_app
from tests.conftest import REPO, RunCli
from tests.pdfmeasure import Line as PdfLine
from tests.pdfmeasure import Rule, read_lines, read_rules

pytestmark = pytest.mark.libreoffice

COORDINATION = REPO / "examples" / "enping-2021-coordination" / "case.yaml"
CHAR_MM = 15.75 / 72 * 25.4  # one condensed 3号 character
BLOCK_LEFT, BLOCK_RIGHT, BLOCK_TOP = 28.0, 184.0, 37.0
RED = (1.0, 0.0, 0.0)

# Another bureau, every 版头 element, three signers, long lists: unlike the example on purpose.
OTHER_BUREAU = """
issuer:
  name: 台山市工业和信息化局
  prefix: 台工信
  letter_prefix: 台工信函
year: 2022
request:
  number: auto
  copy_number: 12
  secrecy: {level: 机密, period: 1年}
  urgency: 特急
  signers: [陈志远, 黄丽萍, 欧阳建国]
  title: 关于恳请拨付2022年度淘汰落后产能奖补资金的请示
  recipients: 台山市人民政府
  body:
    - 2022年我市共淘汰落后产能企业7家，退出产能合计31.5万吨/年，均已通过验收并公告。
    - 按照省有关规定，恳请拨付奖补资金共计315万元。妥否，请批示。
  date: 2022-10-18
  note: 联系人：李明；联系电话：0750-5512345
letter:
  number: auto
  copy_number: 3
  title: 关于商请协助核查台山市2022年度落后产能退出企业用电情况的函
  recipients: 广东电网有限责任公司台山供电局
  body:
{letter_body}
  date: 2022-11-02
  note: 联系人：李明；联系电话：0750-5512345
  copy_to: [台山市发展和改革局, 台山市市场监督管理局]
minutes:
  banner: 台山市淘汰落后产能工作领导小组会议纪要
  number: 第7期
  title: 2022年第三季度淘汰落后产能工作推进会议纪要
  body:
    - 2022年9月28日，领导小组召开推进会议，研究第三季度工作。会议议定如下事项。
  present: [{present}]
  absent: [台山市应急管理局郑海]
  attending: [台城街道办事处赵刚, 大江镇人民政府孙立]
  date: 2022-09-28
"""
LETTER_PARAGRAPH = (
    "    - 为核实已退出企业的主体设备不再投入生产，现商请贵局协助核查下列企业自验收之日起的用电情况，"
    "并于2022年11月30日前书面回复我局。"
)
PRESENT_UNITS = ["工业和信息化局", "发展和改革局", "生态环境局", "市场监督管理局", "自然资源局", "财政局", "税务局"]
PRESENT_UNITS.append("人力资源和社会保障局")
PRESENT_PEOPLE = ["陈志远", "黄丽萍", "欧阳建国", "林晓峰", "何振华", "吴思远", "张伟", "刘芳"]
PRESENT = ", ".join(f"台山市{unit}{name}" for unit, name in zip(PRESENT_UNITS, PRESENT_PEOPLE, strict=True))


def _render(ws: Path, case: Path, kinds: Sequence[str], out: Path) -> None:
    from docgen.cli import main

    ws.mkdir(exist_ok=True)
    for kind in kinds:
        try:
            main(["-w", str(ws), "render", str(case), "-k", kind, "-o", str(out)])
        except SystemExit as exc:
            assert not exc.code, f"render -k {kind} failed"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forms-example")
    _render(out / "ws", COORDINATION, ("request", "report", "letter", "minutes"), out)
    return out


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forms-other")
    case = out / "case.yaml"
    text = OTHER_BUREAU.replace("{letter_body}", "\n".join([LETTER_PARAGRAPH] * 14)).replace("{present}", PRESENT)
    case.write_text(text, encoding="utf-8")
    _render(out / "ws", case, ("request", "letter", "minutes"), out)
    return out


def lines_of(pdf: Path, page: int = 1) -> list[PdfLine]:
    return [line for line in read_lines(pdf) if line.page == page]


def line_with(pdf: Path, text: str, page: int = 1) -> PdfLine:
    found = [line for line in lines_of(pdf, page) if text in line.text.replace(" ", "")]
    assert found, f"no line with {text!r} on page {page} of {pdf.name}"
    return found[0]


def red_rules(pdf: Path, page: int = 1) -> list[Rule]:
    seen: dict[tuple[float, float], Rule] = {}
    for rule in read_rules(pdf):
        if rule.page == page and rule.color[:3] == RED:
            seen.setdefault((round(rule.top, 1), rule.width_pt), rule)
    return sorted(seen.values(), key=lambda r: r.top)


# --- 请示 and 报告: the 上行文 版头 ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["request", "report"])
def test_an_upward_document_puts_number_and_signer_on_one_line_over_the_red_rule(example: Path, kind: str) -> None:
    pdf = example / f"{kind}.pdf"
    banner = line_with(pdf, "恩平市科工商务局文件")
    assert banner.color[:3] == RED
    # 7.2.4: the banner's top edge 35 mm below the block's (an 加急 line above it does not move it).
    assert banner.top == pytest.approx(BLOCK_TOP + 35, abs=1.0)
    number = line_with(pdf, "签发人：")
    assert number.text.replace(" ", "").startswith("恩科工商务〔2021〕")
    assert number.x0 == pytest.approx(BLOCK_LEFT + CHAR_MM, abs=0.8), "发文字号 one character from the left"
    assert number.x1 == pytest.approx(BLOCK_RIGHT - CHAR_MM, abs=1.2), "签发人 one character from the right"
    # Two blank lines below the banner; the red rule 4 mm below the number, as wide as the block.
    assert 2 * 10.2 <= number.top - banner.bottom <= 3 * 10.2
    [rule] = [r for r in red_rules(pdf) if r.top > number.bottom]
    assert rule.top - number.bottom == pytest.approx(4.0, abs=0.6)
    assert rule.x0 == pytest.approx(BLOCK_LEFT, abs=0.3)
    assert rule.x1 == pytest.approx(BLOCK_RIGHT, abs=0.3)


def test_signer_names_are_kaiti_and_the_label_fangsong(example: Path) -> None:
    import pdfplumber

    with pdfplumber.open(example / "request.pdf") as doc:
        chars = doc.pages[0].chars
    label = [c for c in chars if c["text"] in "签发人"]
    names = [c for c in chars if c["text"] in "何国琨"]
    assert label and names
    assert all("Fang" in c["fontname"] for c in label)
    assert all("Kai" in c["fontname"] for c in names), {c["fontname"] for c in names}


def test_urgency_stands_flush_left_on_the_first_line_in_heiti(example: Path) -> None:
    urgent = line_with(example / "request.pdf", "加急")
    assert urgent.x0 == pytest.approx(BLOCK_LEFT, abs=0.3)
    assert BLOCK_TOP <= urgent.top <= BLOCK_TOP + 4
    assert "Sans" in urgent.fontname, "紧急程度 in 3号黑体"


def test_copy_number_secrecy_and_urgency_stand_in_that_order_and_several_signers_wrap(other: Path) -> None:
    pdf = other / "request.pdf"
    copy, secret, urgent = line_with(pdf, "000012"), line_with(pdf, "机密★1年"), line_with(pdf, "特急")
    assert copy.top < secret.top < urgent.top, "份号 → 密级 → 紧急程度, top to bottom (7.2.3)"
    for line in (copy, secret, urgent):
        assert line.x0 == pytest.approx(BLOCK_LEFT, abs=0.3)
    assert secret.top - copy.top == pytest.approx(urgent.top - secret.top, abs=0.3)
    assert "Sans" in secret.fontname and "Sans" in urgent.fontname
    banner = line_with(pdf, "台山市工业和信息化局文件")
    assert banner.top == pytest.approx(BLOCK_TOP + 35, abs=1.0), "three marks do not push the banner down"
    # Three signers: two names on the first line, the third under the first name, beside the number.
    first, last = line_with(pdf, "签发人："), line_with(pdf, "欧阳建国")
    assert "陈志远" in first.text and "黄丽萍" in first.text
    assert "台工信〔2022〕" in last.text.replace(" ", "") and "签发人" not in last.text
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        chars = doc.pages[0].chars
    first_name = min(c["x0"] for c in chars if c["text"] == "陈") / (72 / 25.4)
    wrapped_name = min(c["x0"] for c in chars if c["text"] == "欧") / (72 / 25.4)
    assert wrapped_name == pytest.approx(first_name, abs=0.3), "wrapped names align under the first name"
    assert last.top - first.top == pytest.approx(10.2, abs=0.6)


# --- 函: the 信函格式 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["example", "other"])
def test_the_letter_form_per_gbt_9704_10_1(example: Path, other: Path, which: str) -> None:
    folder = example if which == "example" else other
    pdf = folder / "letter.pdf"
    organ = "恩平市科工商务局" if which == "example" else "台山市工业和信息化局"
    banner = lines_of(pdf)[0]
    assert banner.text.replace(" ", "") == organ, "the organ's name alone: no 文件"
    assert banner.color[:3] == RED
    assert banner.top == pytest.approx(30.0, abs=0.5), "banner's top edge 30 mm below the paper's"
    upper, lower = [r for r in red_rules(pdf) if r.top < 100], [r for r in red_rules(pdf) if r.top > 200]
    assert [r.width_pt > 2 for r in upper] == [True, False], "upper double rule: thick over thin"
    assert [r.width_pt > 2 for r in lower] == [False, True], "lower double rule: thin over thick"
    for rule in upper + lower:
        assert rule.x1 - rule.x0 == pytest.approx(170.0, abs=0.3)
        assert (rule.x0 + rule.x1) / 2 == pytest.approx((BLOCK_LEFT + BLOCK_RIGHT) / 2, abs=0.3)
    assert upper[0].top - banner.bottom == pytest.approx(4.0, abs=0.6)
    assert (lower[0].top + lower[1].top) / 2 == pytest.approx(297 - 20, abs=0.6), "20 mm above the bottom edge"
    number = line_with(pdf, "〔20")
    assert number.x1 == pytest.approx(BLOCK_RIGHT, abs=0.3), "发文字号 flush right"
    assert number.top - upper[-1].top == pytest.approx(16 * 7 / 8 / 72 * 25.4 + 0.3, abs=0.6), "7/8 字 below"
    title = line_with(pdf, "关于商请")
    assert 2 * 10.2 - 0.5 <= title.top - number.bottom <= 2.6 * 10.2, "title two lines below the number"
    assert not any(re.search(r"—\s*\d+\s*—", line.text) for line in lines_of(pdf)), "page 1 is unnumbered"
    all_lines = read_lines(pdf)
    assert "印发" not in "".join(line.text for line in all_lines), "no 印发机关 or 印发日期"
    black = [r for r in read_rules(pdf) if r.color[:3] != RED]
    assert not black, "the 版记 of a 函 has no rules"
    if which == "other":
        pages = max(line.page for line in all_lines)
        assert pages >= 2
        for page in range(2, pages + 1):
            assert any(re.fullmatch(rf"—\s*{page}\s*—", line.text) for line in lines_of(pdf, page))
            assert not red_rules(pdf, page), "the double rules are page 1's alone"
        cc = next(line for line in all_lines if line.text.replace(" ", "").startswith("抄送："))
        assert cc.text.replace(" ", "") == "抄送：台山市发展和改革局，台山市市场监督管理局。"
        assert cc.page == pages, "the 版记 is on the last page"
        assert 262 - 12 <= cc.bottom <= 262 + 0.5, "at the foot of the block (10.1: 最后一面版心内最下方)"
        copy = line_with(pdf, "000003")
        assert copy.x0 == pytest.approx(BLOCK_LEFT, abs=0.3)
        assert copy.top == pytest.approx(number.top, abs=0.5), "份号 flush left on the number's line"


# --- 纪要 ----------------------------------------------------------------------------------------------


def test_minutes_banner_number_and_attendance_labels(example: Path, other: Path) -> None:
    for folder, banner_text in (
        (example, "恩平市淘汰落后产能工作协调小组会议纪要"),
        (other, "台山市淘汰落后产能工作领导小组会议纪要"),
    ):
        pdf = folder / "minutes.pdf"
        banner = lines_of(pdf)[0]
        assert banner.text.replace(" ", "") == banner_text, "a long 纪要标志 stays on one line"
        assert banner.color[:3] == RED
        assert banner.top == pytest.approx(BLOCK_TOP + 35, abs=1.0)
        assert BLOCK_LEFT - 0.5 <= banner.x0 and banner.x1 <= BLOCK_RIGHT + 0.5
    pdf = other / "minutes.pdf"
    present = line_with(pdf, "出席：")
    assert present.x0 == pytest.approx(BLOCK_LEFT + 2 * CHAR_MM, abs=0.5), "左空二字"
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        chars = [c for page in doc.pages for c in page.chars]
    labels = [c for c in chars if c["text"] in "出席请假列" and "Sans" in c["fontname"]]
    assert len(labels) >= 6, "出席 / 请假 / 列席 in 黑体"
    following = [line for line in read_lines(pdf) if line.page == present.page and line.top > present.top]
    wrapped = following[0]
    assert "请假" not in wrapped.text, "the long 出席 list wraps"
    assert wrapped.x0 == pytest.approx(BLOCK_LEFT + 5 * CHAR_MM, abs=0.6), "wrapped names align after the colon"
    # No name or organ breaks at a line end (measured before: "黄 / 志强", "改 / 革局").
    from docgen import layout

    block = [line.text.replace(" ", "") for line in [present, *following] if line.x0 < BLOCK_LEFT + 6 * CHAR_MM]
    joined, ends = "", []
    for text in block[:4]:
        joined += text
        ends.append(len(joined))
    for unit, person in zip(PRESENT_UNITS, PRESENT_PEOPLE, strict=True):
        for word in (*layout.name_words(f"台山市{unit}"), person):
            for at in (m.start() for m in re.finditer(re.escape(word), joined)):
                assert not any(at < end < at + len(word) for end in ends), f"“{word}” broken at a line end"


# --- 联合行文: several organs ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def joint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("forms-joint")
    notice = (REPO / "examples" / "enping-2021" / "case.yaml").read_text(encoding="utf-8")
    extra = (
        "  joint:\n"
        "    - {name: 恩平市发展和改革局}\n"
        "    - {name: 江门市生态环境局恩平分局, banner: 江门市生态环境局恩平分局}\n"
    )
    notice = notice.replace("\nplan:", f"{extra}\nplan:", 1)
    (out / "notice.yaml").write_text(notice, encoding="utf-8")
    request = COORDINATION.read_text(encoding="utf-8").replace(
        "  signers: [何国琨]", "  signers: [何国琨, 黄俊峰]\n  joint:\n    - {name: 恩平市发展和改革局}", 1
    )
    (out / "request.yaml").write_text(request, encoding="utf-8")
    _render(out / "ws", out / "notice.yaml", ("notice",), out)
    _render(out / "ws", out / "request.yaml", ("request",), out)
    return out


def _chars(pdf: Path) -> list[dict[str, Any]]:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return [dict(c, page=n) for n, page in enumerate(doc.pages, start=1) for c in page.chars]


def _box(chars: list[dict[str, Any]]) -> tuple[float, float, float, float]:
    mm = 72 / 25.4
    return (
        min(c["x0"] for c in chars) / mm,
        max(c["x1"] for c in chars) / mm,
        min(c["top"] for c in chars) / mm,
        max(c["bottom"] for c in chars) / mm,
    )


@pytest.mark.parametrize(("name", "organs"), [("notice", 3), ("request", 2)])
def test_a_joint_banner_stacks_the_organs_with_the_word_centred_beside_them(
    joint: Path, name: str, organs: int
) -> None:
    chars = [
        c for c in _chars(joint / f"{name}.pdf") if c["page"] == 1 and tuple(c["non_stroking_color"] or ())[:3] == RED
    ]
    word = [c for c in chars if c["text"] in "文件"]
    names = [c for c in chars if c["text"] not in "文件"]
    assert len(word) == 2, "文件 once, beside the organs"
    rows: dict[int, list[dict[str, Any]]] = {}
    for c in names:
        rows.setdefault(round(c["top"]), []).append(c)
    assert len(rows) == organs, "one line per organ, the lead first"
    lead = min(rows)
    assert "".join(c["text"] for c in sorted(rows[lead], key=lambda c: c["x0"])) == "恩平市科工商务局"
    boxes = [_box(row) for _, row in sorted(rows.items())]
    assert boxes[0][2] == pytest.approx(BLOCK_TOP + 35, abs=1.0), "the banner's top 35 mm below the block's"
    for box in boxes:
        assert box[0] == pytest.approx(boxes[0][0], abs=0.5) and box[1] == pytest.approx(boxes[0][1], abs=0.8), (
            "every organ set to the same width"
        )
    w = _box(word)
    assert w[0] > boxes[0][1], "文件 to the right of the names"
    assert (w[2] + w[3]) / 2 == pytest.approx((boxes[0][2] + boxes[-1][3]) / 2, abs=1.0), "vertically centred"
    assert BLOCK_LEFT - 0.3 <= boxes[0][0] and w[1] <= BLOCK_RIGHT + 0.3
    assert (boxes[0][0] + w[1]) / 2 == pytest.approx((BLOCK_LEFT + BLOCK_RIGHT) / 2, abs=1.0), "centred"


def test_a_joint_document_is_signed_by_every_organ_with_room_for_each_seal(joint: Path) -> None:
    pdf = joint / "notice.pdf"
    lines = read_lines(pdf)
    date = next(line for line in reversed(lines) if line.text.replace(" ", "") == "2021年5月24日")
    closing = [line for line in lines if line.page == date.page and line.top < date.top]
    first_row = next(line for line in closing if "恩平市科工商务局" in line.text and "恩平市发展和改革局" in line.text)
    last = next(line for line in closing if line.text.replace(" ", "") == "江门市生态环境局恩平分局")
    assert last.top - first_row.top == pytest.approx(5 * 10.2, abs=1.0), "rows far enough apart for 42 mm seals"
    assert (last.x0 + last.x1) / 2 == pytest.approx((date.x0 + date.x1) / 2, abs=2.0), "the last organ over the date"
    # Centred in its column: the stand-in font's wider digits put it up to 2 mm off 右空四字.
    assert date.x1 == pytest.approx(BLOCK_RIGHT - 4 * CHAR_MM, abs=2.0), "the date 右空四字"
    body = [line for line in lines if line.page == date.page and line.top < first_row.top and line.text.strip()]
    assert body, "the 署名 never opens a page without body text"
    assert "恩科工商务字〔2021〕58号" in "".join(line.text.replace(" ", "") for line in lines), "the lead's number"
    request = read_lines(joint / "request.pdf")
    assert any("签发人：何国琨" in line.text and "黄俊峰" in line.text for line in request), "both signers, one line"


# --- the text check, the registry, lint --------------------------------------------------------------


def test_issuing_the_new_kinds_numbers_each_prefix_apart_and_proves_every_character(
    tmp_path: Path, run_cli: RunCli
) -> None:
    ws = tmp_path / "ws"
    (ws / "coordination").mkdir(parents=True)
    shutil.copy(COORDINATION, ws / "coordination" / "case.yaml")
    shutil.copytree(REPO / "examples" / "enping-2021", ws / "plan")
    assert run_cli("-w", str(ws), "issue", str(ws / "plan" / "case.yaml")).exit_code == 0
    result = run_cli("-w", str(ws), "issue", str(ws / "coordination" / "case.yaml"))
    assert result.exit_code == 0, result.out + result.err
    meta_files = sorted((ws / "archive").glob("2021/*/*/*/meta.json"))
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in meta_files]
    numbers = {m["kind"]: m.get("number") for m in metas}
    assert numbers["request"] == "恩科工商务〔2021〕1号"
    assert numbers["report"] == "恩科工商务〔2021〕2号"
    assert numbers["letter"] == "恩科工商务函〔2021〕1号", "函 numbered under its own prefix"
    assert numbers["set"] == "恩科工商务字〔2021〕58号", "the other sequence is untouched"
    assert numbers["minutes"] is None, "a 纪要 carries a 期号, not a 发文字号"
    for meta, meta_file in zip(metas, meta_files, strict=True):
        assert meta["text_check"]["result"] == "一致"
        for name in ("document.pdf", "document.docx"):  # numbered, as issued: lint still finds nothing
            assert lint_path(meta_file.parent / name) == [], (meta_file.parent.name, name)
    again = run_cli("-w", str(ws), "issue", str(ws / "coordination" / "case.yaml"))
    assert again.exit_code == 0 and "未变化" in again.out
    ledger = run_cli("-w", str(ws), "number", "list").out
    assert ledger.count("恩科工商务〔2021〕") == 2 and ledger.count("恩科工商务函〔2021〕") == 1
    found = run_cli("-w", str(ws), "search", "联合执法检查", "--kind", "minutes")
    assert found.exit_code == 0 and "协调会议纪要" in found.out


def test_every_new_kind_docgen_renders_lints_clean(example: Path, other: Path) -> None:
    """Wrapped 附件说明 items, numbers cited in the body, 签发人 lines: read back from the PDF too."""
    for path in sorted([*example.glob("*.pdf"), *example.glob("*.docx")]):
        assert lint_path(path) == [], path.name
    for path in sorted([*other.glob("*.pdf"), *other.glob("*.docx")]):
        # The other bureau's 请示 is marked 机密 on purpose: that warning, and only it.
        marked = path.stem == "request"
        assert {f.code for f in lint_path(path)} == ({"GW1101"} if marked else set()), path.name


def _lint(kind: str, lines: list[tuple[str, str]]) -> set[str]:
    doc = LintDocument(
        Path("x.docx"), [Line(text, f"第{i}段", role) for i, (text, role) in enumerate(lines)], kind=kind
    )
    return {f.code for f in run_rules(doc)}


REQUEST_LINES = [
    ("恩平市科工商务局文件", "body"),
    ("恩科工商务〔2021〕3号\t签发人：\t何国琨", "signer"),
    ("关于恳请审定某计划的请示", "title"),
    ("恩平市人民政府：", "recipients"),
    ("现将有关情况说明如下。妥否，请批示。", "body"),
    ("（联系人：梁志明；联系电话：0750-7115128）", "body"),
]


def test_lint_knows_what_a_request_and_a_report_must_hold() -> None:
    assert not _lint("request", REQUEST_LINES) & {"GW1001", "GW1002", "GW1003", "GW1004", "GW1101"}
    two_organs = [(t.replace("恩平市人民政府", "恩平市人民政府、江门市工业和信息化局"), r) for t, r in REQUEST_LINES]
    assert "GW1002" in _lint("request", two_organs)
    no_signer = [(t, "number" if r == "signer" else r) for t, r in REQUEST_LINES]
    assert "GW1001" in _lint("request", no_signer)
    not_asking = [(t.replace("妥否，请批示。", ""), r) for t, r in REQUEST_LINES]
    assert "GW1003" in _lint("request", not_asking)
    no_phone = [(t, r) for t, r in REQUEST_LINES if "联系" not in t]
    assert "GW1004" in _lint("request", no_phone)
    report = [(t.replace("请示", "报告"), r) for t, r in REQUEST_LINES]
    assert "GW1005" in _lint("report", report), "a 报告 carries no request"
    assert "GW1005" not in _lint("report", [(t, r) for t, r in report if "批示" not in t])


def test_lint_knows_the_letter_form_and_warns_of_secrecy() -> None:
    letter = [("恩平市科工商务局文件", "body"), ("恩科工商务〔2021〕12号", "number"), ("关于商请的函", "title")]
    assert {"GW1010", "GW1011"} <= _lint("letter", letter)
    right = [("恩平市科工商务局", "body"), ("恩科工商务函〔2021〕12号", "number"), ("关于商请的函", "title")]
    assert not _lint("letter", right) & {"GW1010", "GW1011"}
    assert "GW1101" in _lint("request", [("机密★1年", "body"), *REQUEST_LINES])
    # A 函's head is a positioned table: a DOCX lists it after the body, a PDF after page 1's text.
    head_cell = ("恩平市科工商务局　000003\n秘密★6个月\n加急\n恩科工商务函〔2021〕1号", "table")
    assert "GW1101" in _lint("letter", [*right, ("正文。", "body"), head_cell])
    assert "GW1101" in _lint("letter", [*right, ("正文。", "body"), ("秘密★6 个月", "body")])
    assert "GW1101" not in _lint("letter", [*right, ("本函不涉及机密事项。", "body")])


def test_the_case_refuses_malformed_head_elements(tmp_path: Path, run_cli: RunCli) -> None:
    base = OTHER_BUREAU.replace("{letter_body}", LETTER_PARAGRAPH).replace("{present}", "某人")
    for old, new, says in (
        ("copy_number: 12", "copy_number: 1234567", "份号"),
        ("period: 1年", "period: 一年", "保密期限"),
        ("urgency: 特急", "urgency: 急件", "紧急程度"),
        ("  letter_prefix: 台工信函\n", "", "letter_prefix"),
        ("signers: [陈志远, 黄丽萍, 欧阳建国]", "signers: []", "签发人"),
        (
            "  urgency: 特急\n",
            "  urgency: 特急\n  joint: [{name: 台山市财政局}, {name: 台山市发展和改革局}, {name: 台山市税务局}]\n",
            "每个发文机关的签发人",
        ),
    ):
        case = tmp_path / "case.yaml"
        case.write_text(base.replace(old, new), encoding="utf-8")
        result = run_cli("-w", str(tmp_path), "lint", str(case))
        assert result.exit_code != 0
        assert says in result.out + result.err, (old, result.out + result.err)
        assert "Traceback" not in result.err


# --- 密级: kept out of search snippets and web previews ----------------------------------------------------


def test_a_classified_document_is_not_spread_by_search_or_the_web_page(tmp_path: Path, run_cli: RunCli) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    case = ws / "case.yaml"
    text = OTHER_BUREAU.replace("{letter_body}", LETTER_PARAGRAPH).replace("{present}", "某人")
    case.write_text(text, encoding="utf-8")
    issued = run_cli("-w", str(ws), "issue", str(case), "-k", "request")
    assert issued.exit_code == 0, issued.out + issued.err
    said = issued.out + issued.err
    assert "GW1101" in said, "lint warns that classified documents do not belong here"
    assert f"{case} （生成的 request" in said and ".tmp" not in said, "the warning names the case, not a temporary file"
    body_phrase = "奖补资金共计315万元"
    assert (
        run_cli("-w", str(ws), "search", body_phrase).exit_code != 0
        or "没有找到" in run_cli("-w", str(ws), "search", body_phrase).out
    )
    by_title = run_cli("-w", str(ws), "search", "奖补资金的请示")
    assert by_title.exit_code == 0 and "台工信〔2022〕1号" in by_title.out
    assert "315万元" not in by_title.out
    web = TestClient(create_app(Workspace.open(ws, env={}), ServerOptions()))
    page = web.get("/search", params={"q": "奖补资金的请示"}).text
    [doc_id] = set(re.findall(r'href="/doc/([0-9a-f]{16})"', page))
    shown = web.get(f"/doc/{doc_id}").text
    assert "机密★1年" in shown and "<iframe" not in shown and "?download=1" not in shown
    for name in ("document.pdf", "document.docx"):
        assert web.get(f"/doc/{doc_id}/{name}").status_code == 403
    # A workspace that is allowed to (``[secrecy] show_text``) indexes and shows the text.
    (ws / "docgen.toml").write_text("[secrecy]\nshow_text = true\n", encoding="utf-8")
    assert run_cli("-w", str(ws), "index", "rebuild").exit_code == 0
    found = run_cli("-w", str(ws), "search", body_phrase)
    assert found.exit_code == 0 and "315万元" in found.out


def test_lint_of_a_case_points_at_the_field_a_finding_comes_from(tmp_path: Path, run_cli: RunCli) -> None:
    case = tmp_path / "case.yaml"
    text = COORDINATION.read_text(encoding="utf-8").replace(
        "  recipients: 恩平市人民政府              # 请示只主送一个机关",
        "  recipients: 恩平市人民政府，江门市工业和信息化局",
    )
    case.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if "recipients: 恩平市人民政府，" in t)
    result = run_cli("-w", str(tmp_path), "lint", str(case))
    assert result.exit_code == 1
    assert f"第{line}行 错误 GW1002" in result.out, result.out
