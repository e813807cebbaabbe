"""The text check: every character of the DOCX is in the PDF docgen keeps, or the document fails."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml
from docx import Document

from docgen.convert.libreoffice import LibreOfficeConverter
from docgen.pipeline.proof import Unit, compare, docx_units, prove
from docgen.readback import read_pdf
from tests.conftest import EXAMPLE_CASE, RunCli

# --- the comparison itself ----------------------------------------------------------------------


def test_identical_text_passes_whatever_the_white_space_and_page_numbers() -> None:
    units = [Unit("第1段", "根据《通知》要求，现印发给你们。"), Unit("表1第1行第1列", "恩平市恒达钢铁有限公司")]
    pages = ["根据《通知》要求，现印\n发给你们。\n— 1 —", "恩平市恒达钢铁\n有限公司\n— 2 —"]
    proof = compare(units, pages)
    assert proof.ok and proof.characters == len("根据《通知》要求，现印发给你们。恩平市恒达钢铁有限公司")


def test_a_lost_comma_is_named_with_its_paragraph_and_context() -> None:
    units = [Unit("第3段", "以钢铁、水泥等行业为重点，通过完善综合标准体系")]
    proof = compare(units, ["以钢铁、水泥等行业为重点\n通过完善综合标准体系"])
    assert not proof.ok
    assert proof.missing == ["第3段「…铁、水泥等行业为重点【，】通过完善综合标准体系…」在 PDF 中缺少“，”"]
    assert "第3段" in proof.summary() and "缺少“，”" in proof.summary()


def test_text_the_docx_does_not_have_is_reported_as_added() -> None:
    proof = compare([Unit("第1段", "特此公告。")], ["特此公告。□"])
    assert proof.added and "□" in proof.added[0]


def test_blocks_drawn_out_of_order_and_repeated_table_heads_are_not_differences() -> None:
    units = [
        Unit("第1段", "正文第一段。"),
        Unit("表1第1行第1列", "序号"),
        Unit("表1第2行第1列", "1"),
        Unit("表2第1行第1列", "抄送：某局。"),
    ]
    # LibreOffice may draw the floating 版记 before the body; a table's head repeats on each page.
    pages = ["抄送：某局。正文第一段。序号1", "序号"]
    assert compare(units, pages, repeated=["序号"]).ok


def test_a_fallback_glyph_listed_after_its_neighbours_is_printed_not_lost() -> None:
    """LibreOffice draws ³ (not in FandolFang) from DejaVu Sans in a run of its own, listed late."""
    units = [Unit("表1第6行第5列", "45m³/h"), Unit("表1第6行第6列", "取缔")]
    assert compare(units, ["45m/h³取缔"]).ok
    inside = [Unit("表1第4行第4列", "炉1台（LBCM-45m³/h）"), Unit("表1第4行第5列", "1200万米/年")]
    assert compare(inside, ["炉1台（LBCM-45m/h³）1200万米/年"]).ok
    lost = compare(units, ["45m/h取缔"])
    assert lost.missing == ["表1第6行第5列「45m【³】/h…」在 PDF 中缺少“³”"]
    # Only right after its own text: a comma dropped at a line end is not found in the next sentence.
    comma = compare([Unit("第1段", "为重点，通过"), Unit("第2段", "现将，有关")], ["为重点通过现将，有关"])
    assert comma.missing and "缺少“，”" in comma.missing[0]


def test_compatibility_forms_from_a_font_map_count_as_the_character() -> None:
    assert compare([Unit("第1段", "一二三")], ["⼀⼆三"]).ok  # Kangxi radicals U+2F00, U+2F06


# --- on real conversions ------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_a_pdf_with_one_character_removed_fails_the_check(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("-w", str(tmp_path), "render", str(EXAMPLE_CASE), "-o", str(tmp_path / "o"), "--format", "both")
    assert result.exit_code == 0, result.err
    docx = tmp_path / "o" / "notice.docx"
    assert prove(docx, read_pdf(tmp_path / "o" / "notice.pdf")).ok
    # The same document with one "，" taken out of its body, converted for real.
    altered = Document(str(docx))
    paragraph = next(p for p in altered.paragraphs if "请遵照执行" in p.text)
    run = next(r for r in paragraph.runs if "，请遵照执行" in r.text)
    run.text = run.text.replace("，请遵照执行", "请遵照执行", 1)
    altered.save(str(tmp_path / "altered.docx"))
    LibreOfficeConverter().convert([(tmp_path / "altered.docx", tmp_path / "altered.pdf")])
    proof = prove(docx, read_pdf(tmp_path / "altered.pdf"))
    assert not proof.ok
    assert len(proof.missing) == 1 and "缺少“，”" in proof.missing[0] and "【，】请遵照执行" in proof.missing[0]


def hanging_template(folder: Path) -> Path:
    """The built-in notice template as it was before the fix: no w:overflowPunct."""
    folder.mkdir()
    source = EXAMPLE_CASE.parents[2] / "templates" / "official" / "notice.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(folder / "notice.docx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml":
                assert b'<w:overflowPunct w:val="1"/>' in data
                data = data.replace(b'<w:overflowPunct w:val="1"/>', b"")
            zout.writestr(item, data)
    return folder


def punctuation_case(folder: Path, templates: Path | None = None) -> Path:
    """A notice whose body puts each full-width mark at every position of a line's end."""
    data = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))
    filler = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒" * 3
    data["notice"]["body"] = [
        filler[: position - 1] + mark + "日月盈昃辰宿列张。" for position in range(53, 58) for mark in "，。；：、"
    ]
    for key in ("plan", "tasks"):
        data.pop(key)
    if templates is not None:
        data["templates"] = str(templates)
    case = folder / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return case


@pytest.mark.libreoffice
def test_libreoffice_dropping_line_end_punctuation_is_caught_and_nothing_is_written(
    tmp_path: Path, run_cli: RunCli
) -> None:
    case = punctuation_case(tmp_path, hanging_template(tmp_path / "old-template"))
    out = tmp_path / "o"
    result = run_cli("-w", str(tmp_path), "render", str(case), "-o", str(out))
    assert result.exit_code == 1
    assert "PDF 与 DOCX 文字不一致" in result.err and "在 PDF 中缺少" in result.err
    assert not out.exists() or not any(out.iterdir()), "a document that failed the check is not written"


@pytest.mark.libreoffice
def test_every_mark_at_every_line_end_survives_with_the_built_in_template(tmp_path: Path, run_cli: RunCli) -> None:
    case = punctuation_case(tmp_path)
    result = run_cli("-w", str(tmp_path), "render", str(case), "-o", str(tmp_path / "o"), "--format", "both")
    assert result.exit_code == 0, result.err
    text = "".join(unit.text for unit in docx_units(tmp_path / "o" / "notice.docx"))
    from pypdf import PdfReader

    printed = "".join(page.extract_text() for page in PdfReader(tmp_path / "o" / "notice.pdf").pages)
    for mark in "，。；：、":
        assert printed.count(mark) == text.count(mark), mark


@pytest.mark.libreoffice
def test_the_archive_records_the_check(issued_once: Path) -> None:
    workspace = issued_once
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in workspace.glob("archive/2021/*/*/*/meta.json")]
    assert len(metas) == 8
    for meta in metas:
        check = meta["text_check"]
        assert check["result"] == "一致" and check["characters"] > 100 and check["reader"].startswith("pypdf ")
