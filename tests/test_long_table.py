"""A 60-row task table flows across turned landscape pages with its header repeated."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import EXAMPLE_CASE, RunCli
from tests.pdfmeasure import page_forms

pytestmark = pytest.mark.libreoffice


def test_sixty_rows(tmp_path: Path, run_cli: RunCli) -> None:
    data = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))
    data["tasks"]["rows"] = [
        {
            "task": f"第{i}项工作任务：组织开展重点行业落后产能排查并建立台账，逐项销号",
            "units": ["市科工商务局"],
            "deadline": "2021年12月底前",
        }
        for i in range(1, 61)
    ]
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run_cli("-w", str(tmp_path), "render", str(case), "-k", "tasks", "-o", str(tmp_path / "o"))
    assert result.exit_code == 0, result.err
    pdf = tmp_path / "o" / "tasks.pdf"
    pages = [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(pdf).pages]
    assert len(pages) >= 3
    for page in pages:
        assert page.count("序号工作任务责任单位完成时限") == 1
    text = "".join(pages)
    for i in range(1, 61):
        assert f"第{i}项工作任务" in text
    forms = page_forms(pdf)
    assert all(f.turned and (round(f.width), round(f.height)) == (210, 297) for f in forms)
    assert [f.number for f in forms] == [str(n) for n in range(1, len(forms) + 1)], "upright page numbers"
