"""Year-end filing: 档号, filing copies with the 归档章 read back, and the catalogue."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pdfplumber
import pytest

from docgen.archival import archival_code, assign_items
from tests.conftest import RunCli, issue_example
from tests.pdfmeasure import MM

pytestmark = pytest.mark.libreoffice
RED = (0.85, 0.0, 0.0)


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from docgen.cli import main

    ws = issue_example(tmp_path_factory.mktemp("ws"))
    try:
        main(["-w", str(ws), "file", "2021"])
    except SystemExit as exc:
        assert not exc.code
    return ws


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


def test_catalogue_lists_every_item_once(filed: Path) -> None:
    folder = filed / "filing" / "2021"
    rows = list(csv.reader(io.StringIO((folder / "归档文件目录.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["序号", "档号", "文号", "责任者", "题名", "日期", "页数", "密级", "备注"]
    body = rows[1:]
    archived = [json.loads(p.read_text(encoding="utf-8")) for p in (filed / "archive").glob("2021/*/*/*/meta.json")]
    assert len(body) == len(archived) == 8
    assert sorted(r[4] for r in body) == sorted(m["title"] for m in archived)
    assert len({r[1] for r in body}) == 8
    assert all(re.fullmatch(r"2021\d{4}", r[5]) for r in body)
    notice = next(r for r in body if r[2] == "恩科工商务字〔2021〕58号")
    assert notice[5] == "20210524" and notice[6] == "10"
    with pdfplumber.open(folder / "归档文件目录.pdf") as pdf:
        assert pdf.pages[0].width > pdf.pages[0].height, "landscape"
        text = "".join(page.extract_text() for page in pdf.pages)
    for row in body:
        assert row[1] in text


def test_filing_copy_carries_the_stamp_and_nothing_else_changes(filed: Path) -> None:
    folder = filed / "filing" / "2021"
    rows = list(csv.reader(io.StringIO((folder / "归档文件目录.csv").read_text(encoding="utf-8-sig"))))[1:]
    by_title = {
        json.loads(p.read_text(encoding="utf-8"))["title"]: p.parent
        for p in (filed / "archive").glob("2021/*/*/*/meta.json")
    }
    for row in rows:
        code, title, pages = row[1], row[4], row[6]
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
    metas = [
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
    from tests.test_import import make_pdf_with_libreoffice

    make_pdf_with_libreoffice(tmp_path, "old", "关于旧事项的通知\n" + "正文内容。" * 200)
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
