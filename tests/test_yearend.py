"""Year-end filing: 档号, filing copies with the 归档章 read back, and the catalogue."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from docgen.archive.filing import archival_code, assign_items
from docgen.archive.records import ArchiveMeta
from docgen.readback import pdf_facts
from tests.conftest import RunCli, copy_workspace
from tests.documents import pdf_from_text
from tests.pdfmeasure import MM

pytestmark = pytest.mark.libreoffice
RED = (0.85, 0.0, 0.0)


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory, filed_once: Path) -> Path:
    return copy_workspace(filed_once, tmp_path_factory.mktemp("ws"))


def test_codes_are_unique_and_gap_free_per_class(filed: Path) -> None:
    copies = sorted(p.stem for p in (filed / "filing" / "2021").glob("0001-WS*.pdf"))
    assert len(copies) == 8
    by_class: dict[str, list[int]] = {}
    for code in copies:
        m = re.fullmatch(r"0001-WS·2021-(Y|D30|D10)-BGS-(\d{4})", code)
        assert m, code
        by_class.setdefault(m[1], []).append(int(m[2]))
    for numbers in by_class.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert sorted(by_class) == ["D30", "Y"]


def catalogue(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "归档文件目录.csv").read_text(encoding="utf-8-sig"))))


def test_catalogue_lists_every_item_once_per_retention_class(filed: Path) -> None:
    folder = filed / "filing" / "2021"
    header = next(csv.reader(io.StringIO((folder / "归档文件目录.csv").read_text(encoding="utf-8-sig"))))
    # DA/T 22-2015: 日期 | 密级 | 页数, and one list per 保管期限.
    assert header == ["保管期限", "序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
    body = catalogue(folder)
    archived = [json.loads(p.read_text(encoding="utf-8")) for p in (filed / "archive").glob("2021/*/*/*/meta.json")]
    assert len(body) == len(archived) == 8
    assert sorted(r["题名"] for r in body) == sorted(m["title"] for m in archived)
    assert len({r["档号"] for r in body}) == 8
    assert all(re.fullmatch(r"2021\d{4}", r["日期"]) for r in body)
    assert [r["保管期限"] for r in body] == ["永久"] * 2 + ["30年"] * 6, "永久 first"
    for period in ("永久", "30年"):
        assert [int(r["序号"]) for r in body if r["保管期限"] == period] == list(
            range(1, 1 + sum(r["保管期限"] == period for r in body))
        )
    notice = next(r for r in body if r["文号"] == "恩科工商务字〔2021〕58号")
    set_pdf = next(filed.glob("archive/2021/05/24/*/document.pdf"))
    assert notice["日期"] == "20210524" and notice["页数"] == str(len(PdfReader(set_pdf).pages))


def test_catalogue_pdf_has_a_binding_margin_readable_text_whole_numbers_and_page_numbers(filed: Path) -> None:
    assert pdf_facts(filed / "filing" / "2021" / "归档文件目录.pdf").fonts_not_embedded == ()
    body = catalogue(filed / "filing" / "2021")
    with pdfplumber.open(filed / "filing" / "2021" / "归档文件目录.pdf") as pdf:
        pages = list(pdf.pages)
        assert all(p.width > p.height for p in pages), "landscape"
        assert len(pages) == 2, "one list per 保管期限, each from a new page"
        lines: list[str] = []
        for n, page in enumerate(pages, start=1):
            assert min(c["x0"] for c in page.chars) / MM >= 27.5, "28 mm binding margin on the left"
            assert min(c["size"] for c in page.chars) >= 10.4, "no text below 五号"
            rows: dict[int, list[dict[str, object]]] = {}
            for c in sorted(page.chars, key=lambda c: float(c["top"])):
                rows.setdefault(round(c["top"]), []).append(c)
            page_lines = [
                "".join(str(c["text"]) for c in sorted(r, key=lambda c: float(str(c["x0"])))) for r in rows.values()
            ]
            assert page_lines[-1].replace(" ", "") == f"—{n}—", "page number at the foot"
            lines += page_lines
    text = "".join(lines)
    for row in body:
        assert row["档号"] in text
        if row["文号"]:
            assert any(row["文号"] in line for line in lines), f"{row['文号']} printed whole on one line"


def test_filing_copy_carries_the_stamp_and_nothing_else_changes(filed: Path) -> None:
    folder = filed / "filing" / "2021"
    rows = catalogue(folder)
    by_title = {
        json.loads(p.read_text(encoding="utf-8"))["title"]: p.parent
        for p in (filed / "archive").glob("2021/*/*/*/meta.json")
    }
    for row in rows:
        code, title, pages = row["档号"], row["题名"], row["页数"]
        copy, original = folder / f"{code}.pdf", by_title[title] / "document.pdf"
        with pdfplumber.open(copy) as doc, pdfplumber.open(original) as orig:
            assert len(doc.pages) == len(orig.pages) == int(pages)
            page, before = doc.pages[0], orig.pages[0]
            red = [r for r in page.rects if tuple(r.get("stroking_color") or ()) == RED]
            assert len(red) == 6, "a 2x3 grid"
            x0, top = min(r["x0"] for r in red), min(r["top"] for r in red)
            x1, bottom = max(r["x1"] for r in red), max(r["bottom"] for r in red)
            assert bottom / MM < 37, "inside the top margin"
            assert round((x1 - x0) / MM) == 45 and round((bottom - top) / MM) == 16
            stamp = [c for c in page.chars if c["x0"] >= x0 - 1 and c["x1"] <= x1 + 1 and c["bottom"] <= bottom + 1]
            assert all(tuple(c["non_stroking_color"] or ()) == RED for c in stamp), "the stamp is red"
            inside = "".join(c["text"] for c in sorted(stamp, key=lambda c: (round(c["top"]), c["x0"])))
            retention = "永久" if "-Y-" in code else "30年"
            assert inside == f"00012021{code[-4:]}BGS{retention}{pages}"
            covered = [
                c for c in before.chars if c["x1"] > x0 and c["x0"] < x1 and c["bottom"] > top and c["top"] < bottom
            ]
            assert covered == [], "no text of the page is covered"
            original_chars = [(c["text"], round(c["x0"], 1), round(c["top"], 1)) for c in before.chars]
            copy_chars = [(c["text"], round(c["x0"], 1), round(c["top"], 1)) for c in page.chars if c not in stamp]
            assert copy_chars == original_chars, "page 1 otherwise untouched"
            for n in range(1, len(orig.pages)):
                assert doc.pages[n].extract_text() == orig.pages[n].extract_text()


def test_only_the_newest_version_is_an_item() -> None:
    metas: list[ArchiveMeta] = [
        {"identity": "a", "version": 1, "date": "2021-03-01", "kind": "notice", "path": "x1"},
        {"identity": "a", "version": 2, "date": "2021-03-02", "kind": "notice", "path": "x2"},
        {"identity": "b", "version": 1, "date": "2021-01-05", "kind": "notice", "path": "y"},
        {"identity": "c", "version": 1, "date": "2020-12-31", "kind": "notice", "path": "z"},
    ]
    items = assign_items(metas, 2021, "Z109", "BGS", {"notice": "Y"})
    assert [(i.code, i.meta["path"]) for i in items] == [
        ("Z109-WS·2021-Y-BGS-0001", "y"),
        ("Z109-WS·2021-Y-BGS-0002", "x2"),
    ]
    assert archival_code("Z109", 2011, "Y", "BGS", 1) == "Z109-WS·2011-Y-BGS-0001"


def test_a_page_with_no_blank_top_is_reported(tmp_path: Path, run_cli: RunCli) -> None:
    pdf_from_text(tmp_path, "old", "关于旧事项的通知\n" + "正文内容。" * 200)
    assert (
        run_cli("-w", str(tmp_path), "archive", "import", str(tmp_path / "old.pdf"), "--date", "2019-05-05").exit_code
        == 0
    )
    result = run_cli("-w", str(tmp_path), "file", "2019")
    assert result.exit_code == 1
    assert "没有能放归档章的空白" in result.err
    assert (tmp_path / "filing" / "2019" / "归档文件目录.csv").exists(), "the catalogue is made all the same"


def test_nothing_to_file(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("-w", str(tmp_path), "file", "2030")
    assert result.exit_code == 1 and "没有 2030 年的文件" in result.err
