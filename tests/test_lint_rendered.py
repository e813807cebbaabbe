"""docgen never produces what its own lint rejects; layout rules on DOCX and PDF; lint in issue."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter

from docgen.lint import lint_path
from tests.conftest import EXAMPLE_CASE, RunCli

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def rendered(rendered_kinds: dict[str, Path]) -> Path:
    return rendered_kinds["enping"]


@pytest.mark.parametrize(("case", "records"), [("enping", 6), ("taishan", 4)])
def test_every_rendered_document_is_clean(rendered_kinds: dict[str, Path], case: str, records: int) -> None:
    files = sorted(p for p in rendered_kinds[case].iterdir() if p.suffix in (".docx", ".pdf"))
    assert len(files) == 2 * (5 + records)  # five single documents and the 验收记录, DOCX and PDF each
    for path in files:
        assert lint_path(path) == [], path.name


def test_rendered_text_is_understood(rendered: Path) -> None:
    """The clean result above must come from rules that saw the parts, not from missing them."""
    from docgen.lint.readers import read_docx, read_pdf

    for doc in (read_docx(rendered / "set.docx"), read_pdf(rendered / "set.pdf")):
        roles = {line.role for line in doc.lines}
        assert {"number", "title", "recipients", "date", "heading", "attachment_note"} <= roles
    assert "page_number" in {line.role for line in read_pdf(rendered / "set.pdf").lines}
    assert "printed" in {line.role for line in read_docx(rendered / "notice.docx").lines}


def edit_docx(source: Path, target: Path, part: str, old: str, new: str) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                text = data.decode()
                assert re.search(old, text), old
                data = re.sub(old, new, text, count=1).encode()
            zout.writestr(item, data)
    return target


@pytest.mark.parametrize(
    ("part", "old", "new", "code"),
    [
        ("word/document.xml", r'w:top="2098"', 'w:top="1440"', "GW812"),
        ("word/document.xml", r'<w:pgSz w:w="11906" w:h="16838"/>', '<w:pgSz w:w="12240" w:h="15840"/>', "GW811"),
        ("word/styles.xml", r'<w:sz w:val="32"/>', '<w:sz w:val="28"/>', "GW813"),
        ("word/styles.xml", r'(w:styleId="GwTitle".*?)<w:sz w:val="44"/>', r'\1<w:sz w:val="36"/>', "GW814"),
        ("word/footer1.xml", "— ", "- ", "GW801"),
    ],
)
def test_docx_layout_rules(rendered: Path, tmp_path: Path, part: str, old: str, new: str, code: str) -> None:
    broken = edit_docx(rendered / "notice.docx", tmp_path / "notice.docx", part, old, new)
    assert code in [f.code for f in lint_path(broken)]


def test_pdf_page_size_rule(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)  # US Letter
    path = tmp_path / "letter.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert [f.code for f in lint_path(path)] == ["GW811"]


def test_issue_refuses_a_document_with_errors_unless_told(tmp_path: Path, run_cli: RunCli) -> None:
    case = tmp_path / "case.yaml"
    shutil.copy(EXAMPLE_CASE, case)
    # A leftover 1999-edition 主题词 line: an error that must stop the notice.
    text = case.read_text(encoding="utf-8").replace(
        "    - 根据《关于印发广东省", "    - 主题词：落后产能\n    - 根据《关于印发广东省"
    )
    case.write_text(text, encoding="utf-8")
    blocked = run_cli("-w", str(tmp_path), "issue", str(case), "-k", "notice", "-k", "announcement")
    assert blocked.exit_code == 1
    assert "格式检查有错误，未签发" in blocked.out and "GW951" in blocked.out
    assert "已归档：恩平市科工商务局关于" in blocked.out, "the clean document is still issued"
    forced = run_cli("-w", str(tmp_path), "issue", str(case), "-k", "notice", "--no-lint")
    assert forced.exit_code == 0, forced.err
    events = [
        json.loads(line) for line in (tmp_path / "archive" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    notice = [e for e in events if e.get("number") == "恩科工商务字〔2021〕58号"]
    assert notice and notice[-1]["lint"] == "skipped"
