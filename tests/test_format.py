"""``docgen format``: Word drafts read into cases, role by role, and docgen's own documents read back whole.

Two proofs. A corpus of clerk drafts (each source typed eight ways by ``clerk_drafts``, and drafts
written by hand as other bureaus write them) is read and every paragraph's role compared with the
role a person gives it: precision and recall per role are printed and held at 0.97. And every
document docgen renders, read back by ``format``, renders again to the same text paragraph for
paragraph: ``format(render(case))`` gives back the case.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml

from docgen.intake.draftroles import ROLES, clean, read_draft
from docgen.intake.wordreader import read_word
from docgen.pipeline.formatting import format_draft
from docgen.pipeline.render import render_case
from docgen.pipeline.workspace import Workspace
from tests.clerk_drafts import VARIANTS, Source, corpus, with_headings
from tests.conftest import REPO, RunCli

EXAMPLE = REPO / "examples" / "enping-2021" / "case.yaml"
COORDINATION = REPO / "examples" / "enping-2021-coordination" / "case.yaml"
OTHER = REPO / "tests" / "cases" / "taishan-2022.yaml"
HANDWRITTEN = REPO / "tests" / "drafts" / "handwritten"
SURE_ENOUGH = 0.97
BOMB_SECONDS = 10  # refused from the package's own counts, long before anything is parsed


def sources() -> list[Source]:
    """The documents the corpus types out: each example kind, and two with a three-level heading tree."""
    enping, coordination, other = (
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in (EXAMPLE, COORDINATION, OTHER)
    )
    organ = enping["issuer"]["name"]
    heads = ["工作进展", "主要做法", "加强执法检查", "存在问题"]
    return [
        Source("enping-notice", "notice", organ, enping["notice"]["number"], enping["notice"]),
        Source("taishan-notice", "notice", other["issuer"]["name"], "台工信〔2022〕41号", other["notice"]),
        Source("request", "request", organ, "恩科工商务字〔2021〕12号", coordination["request"]),
        Source("letter", "letter", organ, "恩科工商务函〔2021〕3号", coordination["letter"]),
        Source("report", "report", organ, "恩科工商务字〔2021〕30号", coordination["report"]),
        Source(
            "request-tree", "request", organ, "恩科工商务字〔2021〕13号", with_headings(coordination["request"], heads)
        ),
    ]


def predicted(path: Path) -> list[tuple[str, str, int | None]]:
    """(text, role, level) of every non-empty paragraph as ``format`` reads the draft."""
    draft = read_word(path)
    readings = read_draft(draft).readings  # a 印发合成件 read part by part, as format reads it
    return [(clean(draft.paragraphs[r.index].text), r.role, r.level) for r in readings if r.role != "skip"]


def scores(pairs: list[tuple[str, str]]) -> dict[str, tuple[float, float, int]]:
    """Precision, recall and support of each role over (truth, predicted) pairs."""
    truth, said = Counter(t for t, _ in pairs), Counter(p for _, p in pairs)
    right = Counter(t for t, p in pairs if t == p)
    return {
        role: (right[role] / said[role] if said[role] else 1.0, right[role] / truth[role], truth[role])
        for role in truth
    }


@pytest.fixture(scope="module")
def drafts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    made = corpus(sources(), tmp_path_factory.mktemp("clerk-drafts"))
    written = sorted(HANDWRITTEN.glob("*.docx")) if HANDWRITTEN.is_dir() else []
    return made + written


def test_every_role_of_the_corpus_is_read_right_97_times_in_100(drafts: list[Path]) -> None:
    assert len(drafts) >= 40
    pairs: list[tuple[str, str]] = []
    levels: list[tuple[int | None, int | None]] = []
    for path in drafts:
        truth = json.loads(path.with_suffix(".roles.json").read_text(encoding="utf-8"))
        read = predicted(path)
        assert [clean(t["text"]) for t in truth] == [text for text, _, _ in read], f"{path.name}: paragraphs differ"
        pairs += [(t["role"], role) for t, (_, role, _) in zip(truth, read, strict=True)]
        levels += [
            (t["level"], level)
            for t, (_, role, level) in zip(truth, read, strict=True)
            if t["role"] == role == "heading"
        ]
    measured = scores(pairs)
    print(f"\n{len(drafts)} drafts, {len(pairs)} paragraphs")
    for role, (precision, recall, support) in sorted(measured.items(), key=lambda kv: -kv[1][2]):
        print(f"  {ROLES[role]:<10} precision {precision:.3f}  recall {recall:.3f}  ({support})")
    print(f"  heading levels right: {sum(a == b for a, b in levels)}/{len(levels)}")
    low = {ROLES[r]: (round(p, 3), round(rc, 3)) for r, (p, rc, _) in measured.items() if min(p, rc) < SURE_ENOUGH}
    assert not low, f"roles read less than {SURE_ENOUGH:.0%} right: {low}"
    assert all(a == b for a, b in levels), "every heading at its level"


def rendered_text(path: Path) -> list[str]:
    """Every paragraph of a rendered DOCX, table cells included, spaces as printed."""
    doc = docx.Document(str(path))
    out = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        out += [p.text for row in table.rows for cell in row.cells for p in cell.paragraphs]
    return out


@pytest.mark.parametrize(
    ("case", "kind"),
    [
        (EXAMPLE, "notice"),
        (OTHER, "notice"),
        (COORDINATION, "request"),
        (COORDINATION, "report"),
        (COORDINATION, "letter"),
        (COORDINATION, "minutes"),
        (EXAMPLE, "plan"),
        (EXAMPLE, "set"),
        (EXAMPLE, "announcement"),
        (OTHER, "plan"),
        (OTHER, "set"),
        (OTHER, "announcement"),
    ],
)
def test_a_document_docgen_rendered_is_read_back_into_the_same_document(tmp_path: Path, case: Path, kind: str) -> None:
    # A 工作计划 names no organ: the office's docgen.toml does, as it does for every case.
    (tmp_path / "docgen.toml").write_text('[issuer]\nname = "恩平市科工商务局"\n', encoding="utf-8")
    ws = Workspace.open(tmp_path, env={})
    (first,) = render_case(case, ws, kinds=[kind], out_dir=tmp_path / "first", output_format="docx")
    assert first.docx is not None
    done = format_draft(ws, first.docx, target=tmp_path / "read.yaml")
    assert done.reading.kind == kind and not done.problems, done.problems
    (again,) = render_case(done.case_path, ws, kinds=[kind], out_dir=tmp_path / "again", output_format="docx")
    assert again.docx is not None
    before = rendered_text(first.docx)
    if kind == "plan":  # its 附件说明 is printed from the case's 任务分工表, which a plan alone has not
        assert before[-1].startswith("附件：") and before[-2] == ""
        before = before[:-2]
    assert rendered_text(again.docx) == before


def test_format_says_what_to_check_refuses_to_overwrite_and_renders_on(tmp_path: Path, run_cli: RunCli) -> None:
    (source,) = [s for s in sources() if s.name == "enping-notice"]
    from tests.clerk_drafts import make_draft

    draft = make_draft(source, "split_title", tmp_path / "草稿.docx")
    said = run_cli("-w", str(tmp_path), "format", str(draft))
    assert said.exit_code == 0, said.err
    assert "标题：关于印发恩平市2021年度推动落后产能退出工作计划的通知" in said.out
    assert "请核对 notice.title：标题由 2 段合成" in said.out
    written = (tmp_path / "草稿.yaml").read_text(encoding="utf-8")
    assert "# 请核对：标题由 2 段合成" in written
    again = run_cli("-w", str(tmp_path), "format", str(draft))
    assert again.exit_code != 0 and "已经存在" in again.err and "--force" in again.err
    not_word = tmp_path / "说明.docx"
    not_word.write_bytes(b"not a zip")
    refused = run_cli("-w", str(tmp_path), "format", str(not_word), "-o", str(tmp_path / "x.yaml"))
    assert refused.exit_code != 0 and "DOCX 文件已损坏，无法读取" in refused.err and "Traceback" not in refused.err
    assert not (tmp_path / "x.yaml").exists(), "nothing written for a file that could not be read"
    listed = json.loads(run_cli("-w", str(tmp_path), "format", str(draft), "--force", "--json").out)
    roles: dict[str, Any] = {r["role"]: r for r in listed["roles"]}
    assert roles["发文字号"]["text"] == "恩科工商务字〔2021〕58号" and listed["kind"] == "notice"
    assert len(VARIANTS) == 8


@pytest.mark.libreoffice
def test_archive_import_reads_a_word_file_with_the_same_reader(tmp_path: Path, run_cli: RunCli) -> None:
    from tests.clerk_drafts import make_draft

    (tree,) = [s for s in sources() if s.name == "request-tree"]
    numbered = make_draft(tree, "auto_numbered", tmp_path / "in" / "numbered.docx")
    tracked = make_draft(tree, "tracked", tmp_path / "in" / "tracked.docx")
    (tmp_path / "ws").mkdir()
    done = run_cli("-w", str(tmp_path / "ws"), "archive", "import", str(numbered), str(tracked), "--json")
    assert done.exit_code == 0, done.err
    texts = {
        Path(r["file"]).name: (Path(r["path"]) / "text.txt").read_text(encoding="utf-8") for r in json.loads(done.out)
    }
    assert "一、工作进展" in texts["numbered.docx"] and "（一）主要做法" in texts["numbered.docx"], (
        "Word's numbers read"
    )
    assert "草稿中删去的一句" not in texts["tracked.docx"], "a tracked deletion is not the document's text"
    first = tree.doc["body"][0]
    assert first in texts["tracked.docx"].replace("\n", ""), "a tracked insertion is"


def test_a_word_bomb_is_refused_before_it_is_unpacked(tmp_path: Path, run_cli: RunCli) -> None:
    from docgen.readback import MAX_PART_TAGS
    from tests.hostile_files import paragraph_bomb, zip_bomb

    for bomb, said in (
        (paragraph_bomb(tmp_path / "段落炸弹.docx", MAX_PART_TAGS + 1000), "标记"),
        (zip_bomb(tmp_path / "压缩炸弹.docx", 300), "压缩炸弹"),
    ):
        started = time.monotonic()
        refused = run_cli("-w", str(tmp_path), "format", str(bomb))
        assert refused.exit_code == 1 and said in refused.err and "Traceback" not in refused.err, refused.err
        assert time.monotonic() - started < BOMB_SECONDS
        assert not bomb.with_suffix(".yaml").exists()


def test_lint_reads_a_word_draft_as_format_does(tmp_path: Path) -> None:
    from docgen.lint.readers import read_docx
    from tests.clerk_drafts import make_draft

    (tree,) = [s for s in sources() if s.name == "request-tree"]
    numbered = read_docx(make_draft(tree, "auto_numbered", tmp_path / "numbered.docx"), kind="request")
    assert "一、工作进展" in [line.text for line in numbered.lines], "Word's own numbers are linted as printed"
    tracked = read_docx(make_draft(tree, "tracked", tmp_path / "tracked.docx"), kind="request")
    assert not any("草稿中删去的一句" in line.text for line in tracked.lines), "a tracked deletion is not linted"


def test_tables_are_read_as_tables_or_said_to_be_left_out(tmp_path: Path) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    def draft_with_table(path: Path, title: str, before: list[str], table: list[list[str]], after: list[str]) -> Path:
        doc = docx.Document()
        doc.add_paragraph(title).alignment = WD_ALIGN_PARAGRAPH.CENTER
        for text in before:
            doc.add_paragraph(text)
        grid = doc.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
        for text in after:
            doc.add_paragraph(text)
        doc.save(str(path))
        return path

    announcement = draft_with_table(
        tmp_path / "公告.docx",
        "台山市工业和信息化局关于2022年落后产能退出企业的公告",
        ["根据有关规定，以下企业已完成落后产能退出，现予公告。"],
        [
            ["序号", "企业名称", "所属行业", "淘汰设备", "淘汰产能", "处置方式", "所在镇（街）"],
            ["1", "台山市大江铸造有限公司", "铸造", "冲天炉1台（5t/h）", "2万吨/年", "拆除", "大江镇"],
            ["2", "台山市水步纸品厂", "造纸", "造纸机2台（1575型）", "0.8万吨/年", "封存", "水步镇"],
        ],
        ["特此公告。", "台山市工业和信息化局", "2022年11月8日"],
    )
    read = read_draft(read_word(announcement))
    assert read.kind == "announcement"
    listed = read.data["announcement"]["enterprises"]
    assert [e["name"] for e in listed] == ["台山市大江铸造有限公司", "台山市水步纸品厂"]
    assert listed[1] == {
        "name": "台山市水步纸品厂",
        "industry": "造纸",
        "equipment": "造纸机2台（1575型）",
        "capacity": "0.8万吨/年",
        "exit_method": "封存",
    }
    assert "所在镇（街）" in read.doubts["announcement.enterprises"], "a column no field takes is said, not lost"
    assert read.data["announcement"]["date"].isoformat() == "2022-11-08"

    notice = draft_with_table(
        tmp_path / "通知.docx",
        "关于报送2022年技术改造项目的通知",
        ["各镇人民政府：", "请于11月30日前报送下列项目情况："],
        [["项目", "投资额"], ["扩产项目", "1200万元"]],
        ["台山市工业和信息化局", "2022年11月8日"],
    )
    read = read_draft(read_word(notice))
    assert read.kind == "notice"
    assert "表格（2 行）" in read.doubts["notice.body"]
    assert not any("1200万元" in text for text in read.data["notice"]["body"]), "cells are not run into the text"


def test_hand_written_tables_make_valid_cases_of_their_kind(tmp_path: Path) -> None:
    """Other bureaus' 公告 and 印发合成件, typed without docgen: each reads into a case docgen accepts."""
    ws = Workspace.open(tmp_path, env={})
    kinds = {}
    for path in sorted(HANDWRITTEN.glob("*.docx")):
        truth = json.loads(path.with_suffix(".roles.json").read_text(encoding="utf-8"))
        if not any(t["role"] == "table" for t in truth):
            continue
        done = format_draft(ws, path, target=tmp_path / f"{path.stem}.yaml")
        assert not done.problems, done.problems
        kinds[path.stem[:2]] = done.reading.kind
        rows = [r for r in done.reading.readings if r.role == "table"]
        case = yaml.safe_load(done.case_path.read_text(encoding="utf-8"))
        if done.reading.kind == "announcement":
            listed = case["announcement"]["enterprises"]
            assert len(listed) == len({r.row for r in rows}) - 1, "one enterprise a row under the header"
        else:
            assert case["tasks"]["rows"] and case["plan"]["sections"] and case["notice"]["body"]
    assert kinds == {"09": "announcement", "10": "announcement", "11": "set", "12": "set"}


def test_a_mistyped_entry_of_a_listed_announcement_is_named_once_at_its_line(tmp_path: Path, run_cli: RunCli) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("  enterprises:", text.index("announcement:"))
    end = text.index("\n  publicity:", start)
    listed = "  enterprises:\n    - hengda\n    - industry: 钢铁\n    - name: 某某公司\n      colour: red\n    - 123\n"
    case = tmp_path / "case.yaml"
    case.write_text(text[:start] + listed + text[end + 1 :], encoding="utf-8")
    said = run_cli("-w", str(tmp_path), "render", str(case), "-k", "announcement", "-o", str(tmp_path / "out")).err
    lines = text[:start].count("\n") + 1
    assert f"第{lines + 2}行 字段 announcement.enterprises.1.name：缺少必填字段" in said
    assert f"第{lines + 4}行 字段 announcement.enterprises.2.colour：未知字段" in said
    assert f"第{lines + 5}行 字段 announcement.enterprises.3（公告企业）：应为文字" in said
    assert said.count("announcement.enterprises.") == 3, "one message for each entry, the one for what it is"
