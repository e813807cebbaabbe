"""Importing documents docgen did not make: LibreOffice PDFs, python-docx DOCX, scans, junk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from docgen.intake import read_metadata
from docgen.readback import pdf_facts
from tests.conftest import RunCli
from tests.documents import pdf_from_text, pdf_with_unembedded_font, pdfs_from_texts, scan_of
from tests.pdfmeasure import xmp_text

pytestmark = pytest.mark.libreoffice

OLD_NOTICE = """恩平市经济和信息化局文件
恩经信字〔2019〕12号
关于做好2019年工业企业安全生产工作的通知
各镇人民政府（街道办事处）：
为做好全市工业企业安全生产工作，请恩平市恒达钢铁有限公司、恩平市粤西水泥有限公司等重点企业于3月底前完成自查。
恩平市经济和信息化局
2019年3月5日
"""


def make_docx(path: Path, text: str) -> Path:
    doc = Document()
    for line in text.strip().splitlines():
        doc.add_paragraph(line)
    doc.save(str(path))
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("inputs")
    pdf = pdf_from_text(tmp, "old-notice", OLD_NOTICE)
    truncated = tmp / "truncated.pdf"
    truncated.write_bytes(pdf.read_bytes()[: pdf.stat().st_size // 2])
    fake = tmp / "not-really.pdf"
    fake.write_text("这是一个改了扩展名的文本文件", encoding="utf-8")
    return {
        "pdf": pdf,
        "docx": make_docx(tmp / "旧通知.docx", OLD_NOTICE.replace("12号", "13号").replace("3月5日", "3月8日")),
        "scan": scan_of([(pdf, [1])], tmp / "扫描件.pdf", dpi=50),
        "truncated": truncated,
        "fake": fake,
    }


def test_pdf_import_reads_its_metadata(tmp_path: Path, run_cli: RunCli, files: dict[str, Path]) -> None:
    result = run_cli("-w", str(tmp_path), "archive", "import", str(files["pdf"]), "--json")
    assert result.exit_code == 0, result.err
    [item] = json.loads(result.out)
    assert item["status"] == "imported"
    assert item["number"] == "恩经信字〔2019〕12号"
    assert item["title"] == "关于做好2019年工业企业安全生产工作的通知"
    assert item["date"] == "2019-03-05"
    assert item["kind"] == "notice"
    assert item["enterprises"] == ["恩平市恒达钢铁有限公司", "恩平市粤西水泥有限公司"]
    assert item["issuer"] == "恩平市经济和信息化局"  # the 署名 above the date
    assert set(item["read_from_text"]) == {"发文字号", "标题", "成文日期", "企业名称", "责任者"}
    folder = Path(item["path"])
    assert folder.relative_to(tmp_path / "archive").as_posix().startswith("2019/03/05/恩经信字〔2019〕12号 关于做好")
    assert (folder / "original.pdf").read_bytes() == files["pdf"].read_bytes(), "an imported PDF is kept as it came"
    # Not a PDF/A: beside it, a PDF/A-2b rendition with the same pages and the same text.
    rendition = PdfReader(folder / "document.pdf")
    assert pdf_facts(folder / "document.pdf").pdfa_part == 2
    original = PdfReader(files["pdf"])
    assert [[round(float(v)) for v in p.mediabox[2:]] for p in rendition.pages] == [
        [round(float(v)) for v in p.mediabox[2:]] for p in original.pages
    ]
    assert ["".join(p.extract_text().split()) for p in rendition.pages] == [
        "".join(p.extract_text().split()) for p in original.pages
    ]
    conversion = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["conversion"]
    assert (conversion["from"], conversion["method"], conversion["text_layer"]) == (
        "original.pdf",
        "pdfwrite",
        "original",
    )
    assert "安全生产" in (folder / "text.txt").read_text(encoding="utf-8")
    listed = json.loads(run_cli("-w", str(tmp_path), "number", "list", "--json").out)
    assert [(r["number"], r["source"]) for r in listed] == [("恩经信字〔2019〕12号", "import")]
    again = run_cli("-w", str(tmp_path), "archive", "import", str(files["pdf"]))
    assert "已在归档库中，未重复导入" in again.out
    assert run_cli("-w", str(tmp_path), "archive", "verify").exit_code == 0


def test_docx_import_gets_a_pdfa(tmp_path: Path, run_cli: RunCli, files: dict[str, Path]) -> None:
    result = run_cli("-w", str(tmp_path), "archive", "import", str(files["docx"]), "--json")
    assert result.exit_code == 0, result.err
    [item] = json.loads(result.out)
    assert item["number"] == "恩经信字〔2019〕13号" and item["date"] == "2019-03-08"
    folder = Path(item["path"])
    assert (folder / "original.docx").read_bytes() == files["docx"].read_bytes()
    xmp = xmp_text(folder / "document.pdf")
    assert "pdfaid:part" in xmp
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["pdfa_part"] == 2 and meta["source"] == "import"
    conversion = meta["conversion"]
    assert (conversion["from"], conversion["method"]) == ("original.docx", "libreoffice")
    assert conversion["tool"].startswith("LibreOffice"), conversion


def test_without_ghostscript_the_original_is_archived_and_the_import_says_why(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    import subprocess
    import sys

    ws = tmp_path / "ws"
    ws.mkdir()
    env = {"PATH": str(tmp_path / "no-tools"), "HOME": str(tmp_path)}  # no gs (nor anything else) on PATH
    done = subprocess.run(
        [sys.executable, "-m", "docgen", "-w", str(ws), "archive", "import", str(files["pdf"]), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    [item] = json.loads(done.stdout)
    assert any("需要 Ghostscript" in said and "KY-2" in said for said in item["warnings"]), item["warnings"]
    folder = Path(item["path"])
    assert (folder / "document.pdf").read_bytes() == files["pdf"].read_bytes(), "nothing lost: the original"
    assert not (folder / "original.pdf").exists()


def test_a_pdf_whose_font_was_never_embedded_gets_a_rendition_from_its_page_images(
    tmp_path: Path, run_cli: RunCli
) -> None:
    """Ghostscript turns an unembedded STSong-Light into unreadable text: the read-back refuses it."""
    source = pdf_with_unembedded_font(tmp_path / "旧文件.pdf", OLD_NOTICE)
    (tmp_path / "ws").mkdir()
    assert pdf_facts(source).fonts_not_embedded
    result = run_cli("-w", str(tmp_path / "ws"), "archive", "import", str(source), "--json")
    assert result.exit_code == 0, result.err
    [item] = json.loads(result.out)
    folder = Path(item["path"])
    facts = pdf_facts(folder / "document.pdf")
    assert (facts.pdfa_part, facts.fonts_not_embedded) == (2, ())
    conversion = json.loads((folder / "meta.json").read_text(encoding="utf-8"))["conversion"]
    assert conversion["method"] == "page-images"
    assert any("文字与原件不同" in said for said in conversion["refused_attempts"]), conversion
    text = "".join(PdfReader(folder / "document.pdf").pages[0].extract_text().split())
    assert text == "".join(PdfReader(source).pages[0].extract_text().split())
    check = json.loads(run_cli("-w", str(tmp_path / "ws"), "archive", "check", "--json").out)
    failed = {i["code"]: i["files"] for i in check["items"] if i["result"] == "不通过"}
    assert failed == {}, failed


def test_a_scan_imported_without_ocr_is_flagged(tmp_path: Path, run_cli: RunCli, files: dict[str, Path]) -> None:
    result = run_cli("-w", str(tmp_path), "archive", "import", str(files["scan"]), "--no-ocr")
    assert result.exit_code == 0, result.err
    assert "待 OCR" in result.out
    assert "推测（请核对）" in result.out
    [item] = json.loads(run_cli("-w", str(tmp_path), "archive", "list", "--json").out)
    assert item["needs_ocr"] is True
    assert item["title"] == "扫描件"


def test_given_metadata_wins(tmp_path: Path, run_cli: RunCli, files: dict[str, Path]) -> None:
    result = run_cli(
        "-w",
        str(tmp_path),
        "archive",
        "import",
        str(files["scan"]),
        "--no-ocr",
        "--title",
        "关于淘汰落后产能的公告",
        "--date",
        "2018-12-28",
        "--number",
        "恩经信字[2018]88号",
        "--enterprise",
        "恩平市华艺陶瓷有限公司",
        "--json",
    )
    [item] = json.loads(result.out)
    assert item["kind"] == "announcement"
    assert item["number"] == "恩经信字〔2018〕88号", "typed brackets are corrected"
    assert item["enterprises"] == ["恩平市华艺陶瓷有限公司"]
    assert item["kind_name"] == "公告"
    assert Path(item["path"]).relative_to(tmp_path / "archive").as_posix().startswith("2018/12/28/")


@pytest.mark.parametrize("bad", ["truncated", "fake"])
def test_invalid_files_are_refused_and_nothing_is_stored(
    tmp_path: Path, run_cli: RunCli, files: dict[str, Path], bad: str
) -> None:
    result = run_cli("-w", str(tmp_path), "archive", "import", str(files["pdf"]), str(files[bad]))
    assert result.exit_code == 1
    assert str(files[bad]) in result.err
    assert "损坏" in result.err or "不是 PDF 或 DOCX" in result.err
    assert "Traceback" not in result.err
    archive = tmp_path / "archive"
    assert not archive.exists() or not list(archive.glob("[0-9]*")), "the good file was not stored either"


def test_hostile_titles_and_names_stay_inside_the_archive(
    tmp_path: Path, run_cli: RunCli, files: dict[str, Path]
) -> None:
    hostile = [
        ("../../../etc/passwd", "../../x"),
        ('a/b\\c:d*e?f"g<h>i|j', "恩平市/..\\华艺:陶瓷有限公司"),
        ("..", ".."),
        ("关于" + "很长的标题" * 80 + "的通知", "某" * 300 + "有限公司"),
        ("CON", "NUL"),
    ]
    root = (tmp_path / "archive").resolve()
    for i, (title, enterprise) in enumerate(hostile):
        result = run_cli(
            "-w",
            str(tmp_path),
            "archive",
            "import",
            str(files["scan"]),
            "--no-ocr",
            "--title",
            title,
            "--enterprise",
            enterprise,
            "--kind",
            "acceptance",
            "--date",
            f"2020-01-{i + 1:02d}",
            "--json",
        )
        assert result.exit_code == 0, result.err
        [item] = json.loads(result.out)
        folder = Path(item["path"]).resolve()
        assert folder.is_relative_to(root)
        assert folder.parent.parent.parent.parent == root, "exactly YYYY/MM/DD/<name>"
        assert len(folder.name) <= 70 and len(folder.name.encode()) <= 200
        assert not any(ch in folder.name for ch in '/\\:*?"<>|')
    assert run_cli("-w", str(tmp_path), "archive", "verify").exit_code == 0


def test_the_issuer_is_read_from_the_banner_when_there_is_no_signature() -> None:
    banner_only = OLD_NOTICE.replace("恩平市经济和信息化局\n2019年3月5日", "2019年3月5日")
    assert read_metadata(banner_only).issuer == "恩平市经济和信息化局"
    assert read_metadata("关于某事的说明\n正文。\n2019年3月5日").issuer is None


def test_an_issued_year_with_copies_and_older_files_imported_passes_the_four_properties(
    tmp_path: Path, run_cli: RunCli, issued_once: Path
) -> None:
    """Issue 24's whole case: docgen's own year, its notice again as PDF and Word, another office's
    text PDF and a crooked scan of a document docgen never issued — then every applicable 四性检测
    item passes, and the copies are recorded as copies, not as documents.
    """
    # Measured before: a Word and a PDF copy of the issued notice were imported as two more
    # documents under its 发文字号 ("warnings: []"), ZS-4 then failed; the text PDF and the scan
    # were stored as they came and KY-2 failed for good.
    import shutil

    from tests.conftest import copy_workspace
    from tests.test_intake import OLD_NOTICE_SQUARE_BRACKETS, TAISHAN_NOTICE

    ws = copy_workspace(issued_once, tmp_path / "ws")
    [folder] = (ws / "archive").glob("*/*/*/恩科工商务字〔2021〕58号*")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    shutil.copy(folder / "document.pdf", incoming / "通知.pdf")
    shutil.copy(folder / "document.docx", incoming / "通知.docx")
    text_pdf = pdf_from_text(incoming, "台山来文", TAISHAN_NOTICE)
    never_issued = pdf_from_text(tmp_path, "鹤山旧文", OLD_NOTICE_SQUARE_BRACKETS)
    scan = scan_of([(never_issued, [1])], incoming / "鹤山扫描.pdf", dpi=200, skew=0.8)

    def listed() -> int:
        return len(json.loads(run_cli("-w", str(ws), "archive", "list", "--json").out))

    before = listed()
    sources = [incoming / "通知.pdf", incoming / "通知.docx", text_pdf, scan]
    result = run_cli("-w", str(ws), "archive", "import", *map(str, sources), "--json")
    assert result.exit_code == 0, result.err
    items = json.loads(result.out)
    assert [item["status"] for item in items] == ["copy", "copy", "imported", "imported"]
    assert all("副本" in " ".join(item["warnings"]) for item in items[:2])
    assert listed() == before + 2, "no second document under the issued number"
    events = [json.loads(line) for line in (ws / "archive" / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    recorded = [e for e in events if e.get("event") == "copy_recognised"]
    assert [e["original_name"] for e in recorded] == ["通知.pdf", "通知.docx"]
    assert all(e["copy_of"] == folder.relative_to(ws / "archive").as_posix() for e in recorded)
    for item, source in zip(items[2:], sources[2:], strict=True):
        stored = Path(item["path"])
        assert (stored / "original.pdf").read_bytes() == source.read_bytes(), "the original as it came"
        assert pdf_facts(stored / "document.pdf").pdfa_part == 2, "beside it, its PDF/A rendition"
        assert item["to_fill"] == [], item
    assert items[3]["number"] == "鹤经信〔2019〕5号", "read from the scan, brackets as a clerk reads them"
    check = json.loads(run_cli("-w", str(ws), "archive", "check", "--json").out)
    results = {item["code"]: (item["result"], item["files"]) for item in check["items"]}
    assert {code for code, (result, _) in results.items() if result == "不通过"} == set(), results
    assert results["KY-2"][0] == results["ZS-4"][0] == results["WZ-1"][0] == "通过"
    # A different document under the same number is still refused.
    other = make_docx(tmp_path / "另一份.docx", OLD_NOTICE.replace("恩经信字〔2019〕12号", "恩科工商务字〔2021〕58号"))
    refused = run_cli("-w", str(ws), "archive", "import", str(other))
    assert refused.exit_code != 0 and "--allow-duplicate-number" in refused.err


def test_a_clerk_fills_in_what_an_import_could_not_read(tmp_path: Path, run_cli: RunCli) -> None:
    """补录 is an event: meta.json stays as stored, every reader and the 四性检测 see the filled values."""
    unnumbered = (
        "关于做好2019年度企业技术改造验收工作的通知\n各镇人民政府：\n    请按要求做好验收工作。\n2019年3月5日\n"
    )
    sources = pdfs_from_texts(tmp_path, {"无文号": unnumbered, "有文号": OLD_NOTICE})
    ws = tmp_path / "ws"
    ws.mkdir()
    [item, _] = json.loads(run_cli("-w", str(ws), "archive", "import", *map(str, sources.values()), "--json").out)
    assert item["to_fill"] == ["责任者", "文号"]
    folder, relative = Path(item["path"]), Path(item["path"]).relative_to(ws / "archive").as_posix()
    stored_meta = (folder / "meta.json").read_bytes()

    def check() -> dict[str, list[str]]:
        report = json.loads(run_cli("-w", str(ws), "archive", "check", "--json").out)
        return {i["code"]: i["files"] for i in report["items"] if i["result"] == "不通过"}

    assert check() == {"WZ-1": [f"{relative}：缺少 文号、责任者（导入时未能读出，待补录）"]}
    log = ws / "archive" / "events.jsonl"
    # Refused fills change nothing: a number of another shape, a number another document holds, a date of another year.
    events_before = log.read_bytes()
    for wrong, said in (
        (["--number", "恩科工商务字[2019]7"], "发文字号“恩科工商务字[2019]7”无效"),
        (["--date", "2020-03-05"], "与归档位置的年度 2019 不同"),
        (["--title", "x" * 201], "不能超过 200 个字"),
        (["--number", "恩经信字〔2019〕12号"], "已属于登记簿中的《关于做好2019年工业企业安全生产工作的通知》"),
    ):
        refused = run_cli("-w", str(ws), "archive", "fill", relative, *wrong)
        assert refused.exit_code != 0 and said in refused.err, refused.err
    refused = run_cli("-w", str(ws), "archive", "fill", "2019/03/05/没有这个文件夹", "--issuer", "某局")
    assert refused.exit_code != 0 and "归档库中没有文件夹" in refused.err
    assert log.read_bytes() == events_before
    filled = run_cli("-w", str(ws), "archive", "fill", relative, "--issuer", "恩平市科工商务局", "--json")
    assert filled.exit_code == 0, filled.err
    assert json.loads(filled.out)["to_fill"] == ["文号"]
    done = run_cli("-w", str(ws), "archive", "fill", str(folder), "--number", "恩科工商务字〔2019〕7号")
    assert "这份文件已没有待补录的项目" in done.out, done.out
    assert (folder / "meta.json").read_bytes() == stored_meta, "meta.json is written once"
    assert check() == {}
    [listed] = [m for m in json.loads(run_cli("-w", str(ws), "archive", "list", "--json").out) if m["path"] == relative]
    assert (listed["number"], listed["to_fill"]) == ("恩科工商务字〔2019〕7号", [])
    numbers = json.loads(run_cli("-w", str(ws), "number", "list", "--json").out)
    assert ("恩科工商务字〔2019〕7号", "import") in [(r["number"], r["source"]) for r in numbers]
    found = json.loads(run_cli("-w", str(ws), "search", "恩科工商务字〔2019〕7号", "--json").out)
    assert [hit["number"] for hit in found] == ["恩科工商务字〔2019〕7号"]
    fills = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if '"filled"' in line]
    assert [(e["values"], e["previous"]) for e in fills] == [
        ({"issuer": "恩平市科工商务局"}, {"issuer": None}),
        ({"number": "恩科工商务字〔2019〕7号"}, {"number": None}),
    ]
    assert all(e["user"] and e["time"] for e in fills)
    assert run_cli("-w", str(ws), "archive", "verify").exit_code == 0


def test_what_an_import_could_not_read_is_listed_and_stored_as_to_fill(tmp_path: Path, run_cli: RunCli) -> None:
    # Measured before: an imported 验收记录 got no 责任者, silently; WZ-1 then failed with no word at import.
    from tests.documents import pdf_from_text
    from tests.test_intake import HESHAN_ACCEPTANCE

    record = pdf_from_text(tmp_path, "record", HESHAN_ACCEPTANCE)
    notice = pdf_from_text(tmp_path, "notice", OLD_NOTICE)
    ws = tmp_path / "ws"
    ws.mkdir()
    result = run_cli("-w", str(ws), "archive", "import", str(record), str(notice), "--json")
    assert result.exit_code == 0, result.err
    items = json.loads(result.out)
    assert [item["to_fill"] for item in items] == [["责任者"], []], "a 验收记录 has no 文号 to fill in"
    said = run_cli("-w", str(ws), "archive", "import", str(pdf_from_text(tmp_path, "again", HESHAN_ACCEPTANCE + "。")))
    assert "待补录：责任者" in said.out
    listed = json.loads(run_cli("-w", str(ws), "archive", "list", "--json").out)
    assert sorted(tuple(m["to_fill"]) for m in listed) == [(), ("责任者",), ("责任者",)]
    assert "待补录：责任者" in run_cli("-w", str(ws), "archive", "list").out
    check = json.loads(run_cli("-w", str(ws), "archive", "check", "--json").out)
    [wz1] = [item for item in check["items"] if item["code"] == "WZ-1"]
    assert any("待补录" in finding for finding in wz1["files"]), wz1
