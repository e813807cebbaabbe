"""Values with XML and Jinja syntax print literally, in the DOCX and in the PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from tests.conftest import EXAMPLE_CASE, RunCli

pytestmark = pytest.mark.libreoffice

TRICKY = "A&B <公司> {{ title }} {% if x %} R&D"


def test_special_characters_print_literally(tmp_path: Path, run_cli: RunCli) -> None:
    text = EXAMPLE_CASE.read_text(encoding="utf-8")
    text = text.replace("  note: 联系人：何国琨；联系电话：7115128", f"  note: '{TRICKY}'")
    text = text.replace("    - 根据", f"    - '{TRICKY}'\n    - 根据")
    case = tmp_path / "case.yaml"
    case.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("-w", str(tmp_path), "render", str(case), "-o", str(out))
    assert result.exit_code == 0, result.err
    paragraphs = [p.text for p in Document(str(out / "notice.docx")).paragraphs]
    assert TRICKY in paragraphs
    assert f"（{TRICKY}）" in paragraphs
    pdf_text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(out / "notice.pdf").pages))
    assert pdf_text.count(re.sub(r"\s+", "", TRICKY)) == 2
