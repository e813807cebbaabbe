"""docgen batch: a pool of LibreOffice workers; one bad document or case never stops the rest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.batchcase import write_batch_case
from tests.conftest import RunCli

pytestmark = pytest.mark.libreoffice


def archived(ws: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in (ws / "archive").glob("[0-9]*/*/*/*/meta.json")]


def test_batch_issues_every_case_and_reports_a_bad_one(tmp_path: Path, run_cli: RunCli) -> None:
    good = write_batch_case(tmp_path / "good.yaml", 12)
    bad = tmp_path / "bad.yaml"
    bad.write_text("issuer: [未闭合\n", encoding="utf-8")
    first = run_cli("-w", str(tmp_path), "batch", str(good), str(bad), "--jobs", "2", "--json")
    assert first.exit_code == 1
    results = json.loads(first.out)
    failed = [r for r in results if r["status"] == "failed"]
    assert len(failed) == 1 and "bad.yaml" in failed[0]["path"] and "YAML" in failed[0]["findings"][0]
    assert sum(r["status"] == "issued" for r in results) == 12 + 2  # 验收记录, the set, the 公告
    assert len(archived(tmp_path)) == 14
    again = json.loads(run_cli("-w", str(tmp_path), "batch", str(good), "--json").out)
    assert {r["status"] for r in again} == {"unchanged"}, "a re-run does nothing twice"
    assert run_cli("-w", str(tmp_path), "archive", "verify").exit_code == 0
    hits = json.loads(run_cli("-w", str(tmp_path), "search", "第7有限公司", "--json").out)
    assert any(h["kind"] == "acceptance" for h in hits), "batch-issued documents are searchable"


def hanging_soffice(tmp_path: Path, hangs: int) -> Path:
    """A soffice that hangs on its first ``hangs`` runs, then is the real LibreOffice."""
    counter = tmp_path / "hangs-left"
    counter.write_text(str(hangs), encoding="utf-8")
    real = shutil.which("soffice")
    assert real
    exe = tmp_path / "bin" / "soffice"
    exe.parent.mkdir()
    exe.write_text(
        f'#!/bin/sh\nc=$(cat {counter})\nif [ "$c" -gt 0 ]; then echo $((c-1)) > {counter}; exec sleep 600; fi\n'
        f'exec {real} "$@"\n',
        encoding="utf-8",
    )
    exe.chmod(0o755)
    return exe


def test_a_hung_worker_is_killed_the_rest_finish_and_a_rerun_completes(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = write_batch_case(tmp_path / "case.yaml", 4)
    # First run: the 4-document chunk hangs, then the retry of its first document hangs too.
    monkeypatch.setenv("DOCGEN_SOFFICE", str(hanging_soffice(tmp_path, hangs=2)))
    monkeypatch.setenv("DOCGEN_CONVERT_TIMEOUT", "5")  # the shortest time limit docgen accepts
    first = run_cli("-w", str(tmp_path), "batch", str(case), "-k", "acceptance", "--jobs", "1", "--json")
    assert first.exit_code == 1
    results = json.loads(first.out)
    assert sorted(r["status"] for r in results) == ["failed", "issued", "issued", "issued"]
    [failed] = [r for r in results if r["status"] == "failed"]
    assert "秒内没有完成" in failed["findings"][0]
    assert len(archived(tmp_path)) == 3
    assert not list((tmp_path / "archive" / ".tmp").iterdir())
    second = run_cli("-w", str(tmp_path), "batch", str(case), "-k", "acceptance", "--jobs", "1", "--json")
    assert second.exit_code == 0, second.err
    assert sorted(r["status"] for r in json.loads(second.out)) == ["issued", "unchanged", "unchanged", "unchanged"]
    assert len(archived(tmp_path)) == 4


def test_batch_with_filing_copies(tmp_path: Path, run_cli: RunCli) -> None:
    case = write_batch_case(tmp_path / "case.yaml", 3)
    result = run_cli("-w", str(tmp_path), "batch", str(case), "--file")
    assert result.exit_code == 0, result.err
    folder = tmp_path / "filing" / "2021"
    assert len(list(folder.glob("0001-WS*.pdf"))) == 3 + 2
    assert (folder / "归档文件目录.csv").read_text(encoding="utf-8-sig").count("\n") == 1 + 5


def test_distribution_copies_carry_their_serial_numbers(tmp_path: Path, run_cli: RunCli) -> None:
    import csv
    import io

    import pdfplumber

    from tests.conftest import EXAMPLE_CASE, edited_case
    from tests.pdfmeasure import MM

    disclosed = "  disclosure: 主动公开"
    case = edited_case(
        EXAMPLE_CASE, tmp_path / "case.yaml", disclosed, f"{disclosed}\n  copy_to: [江门市工业和信息化局]"
    )
    result = run_cli("-w", str(tmp_path), "batch", str(case), "-k", "notice", "--copies")
    assert result.exit_code == 0, result.err
    folder = tmp_path / "copies" / "恩科工商务字〔2021〕58号"
    rows = list(csv.reader(io.StringIO((folder / "分发记录.csv").read_text(encoding="utf-8-sig"))))[1:]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("000001", "主送", "各镇人民政府（街道办事处）"),
        ("000002", "主送", "市有关单位"),
        ("000003", "抄送", "江门市工业和信息化局"),
    ]
    # Where render sets a 份号 the case gives (measured before: the copies' stood 2.7 mm higher).
    numbered = edited_case(case, tmp_path / "numbered.yaml", disclosed, f"{disclosed}\n  copy_number: 1")
    assert run_cli("-w", str(tmp_path), "render", str(numbered), "-o", str(tmp_path / "r")).exit_code == 0
    with pdfplumber.open(tmp_path / "r" / "notice.pdf") as pdf:
        rendered = min(pdf.pages[0].extract_words(), key=lambda w: w["top"])
    assert rendered["text"] == "000001"
    for serial, *_rest, name in rows:
        with pdfplumber.open(folder / name) as pdf:
            words = pdf.pages[0].extract_words()
        first = min(words, key=lambda w: w["top"])
        assert first["text"] == serial, "the 份号 is the first line"
        assert abs(first["x0"] / MM - 28) < 1, "flush left"
        assert abs(first["top"] - rendered["top"]) / MM < 0.3, "on the line where render sets it"


def test_batch_shows_lint_warnings_after_its_progress_bar(tmp_path: Path, run_cli: RunCli) -> None:
    from tests.conftest import EXAMPLE_CASE

    case = tmp_path / "case.yaml"
    # A half-width comma in the body: a lint warning (GW901), not an error, so the notice is issued.
    case.write_text(
        EXAMPLE_CASE.read_text(encoding="utf-8").replace("请遵照执行。执行中", "请遵照执行,执行中"), encoding="utf-8"
    )
    result = run_cli("-w", str(tmp_path), "batch", str(case), "-k", "notice", "--json")
    assert result.exit_code == 0, result.err
    assert [r["status"] for r in json.loads(result.out)] == ["issued"], "stdout stays JSON"
    assert "GW901" in result.err and "注意" in result.err
