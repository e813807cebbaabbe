"""Issuing the example into the archive: tree, PDF/A, manifests, events, versions, verify."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.case.model import load_case
from docgen.pipeline.workspace import Workspace
from tests.conftest import EXAMPLE_CASE, RunCli, copy_workspace, logged_events
from tests.pdfmeasure import xmp_text

pytestmark = pytest.mark.libreoffice


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folders(ws: Path) -> list[Path]:
    return sorted(p.parent for p in (ws / "archive").glob("[0-9]*/[0-9]*/[0-9]*/*/meta.json"))


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory, issued_once: Path) -> Path:
    return copy_workspace(issued_once, tmp_path_factory.mktemp("ws"))


def test_tree_has_one_dated_folder_per_document(issued: Path) -> None:
    case = load_case(EXAMPLE_CASE)
    names = [f.relative_to(issued / "archive").as_posix() for f in folders(issued)]
    assert "2021/05/24/恩科工商务字〔2021〕58号 关于印发恩平市2021年度推动落后产能退出工作计划的通知" in names
    assert "2021/12/06/公告 恩平市科工商务局关于恩平市2021年度落后产能退出企业名单的公告" in names
    for enterprise in case.enterprises.values():
        day = enterprise.acceptance_date
        assert f"{day:%Y/%m/%d}/验收记录-{enterprise.name}" in names
    assert len(names) == 2 + len(case.enterprises)
    assert not any((issued / "archive" / ".tmp").iterdir()), "no half-assembled folder remains"


def test_every_pdf_is_pdfa_2b_and_complete(issued: Path) -> None:
    for folder in folders(issued):
        reader = PdfReader(folder / "document.pdf")
        xmp = xmp_text(folder / "document.pdf")
        assert re.search(r"pdfaid:part(>|=\")2", xmp), folder
        assert re.search(r"pdfaid:conformance(>|=\")B", xmp), folder
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        assert meta["pages"] == len(reader.pages)
        assert set(meta["files"]) == {"document.pdf", "document.docx", "case.yaml", "context.json", "text.txt"}
        assert (folder / "case.yaml").read_bytes() == EXAMPLE_CASE.read_bytes()
        assert meta["docgen_version"] and meta["template"]["sha256"]
        assert meta["issuer"] == "恩平市科工商务局"
        text = (folder / "text.txt").read_text(encoding="utf-8")
        assert re.sub(r"\s+", "", meta["title"])[:10] in re.sub(r"\s+", "", text)


def test_manifests_and_meta_checksums_match_the_files(issued: Path) -> None:
    for folder in folders(issued):
        manifest = {}
        for line in (folder / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines():
            digest, name = line.split("  ", 1)
            manifest[name] = digest
        on_disk = {p.name for p in folder.iterdir()} - {"manifest-sha256.txt", "manifest-sm3.txt"}
        assert set(manifest) == on_disk
        for name, digest in manifest.items():
            assert sha(folder / name) == digest
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        for name, digest in meta["files"].items():
            assert manifest[name] == digest
        assert all(not (p.stat().st_mode & 0o222) for p in folder.iterdir()), "archived files are read-only"


def test_meta_describes_the_document(issued: Path) -> None:
    notice = next(
        json.loads((f / "meta.json").read_text(encoding="utf-8")) for f in folders(issued) if "58号" in f.name
    )
    assert notice["kind"] == "set" and notice["number"] == "恩科工商务字〔2021〕58号"
    assert notice["date"] == "2021-05-24" and notice["version"] == 1
    announcement = next(
        json.loads((f / "meta.json").read_text(encoding="utf-8")) for f in folders(issued) if f.name.startswith("公告")
    )
    assert [e["key"] for e in announcement["enterprises"]] == [
        "hengda",
        "yuexi",
        "huayi",
        "jinjiang",
        "lianhua",
        "jinpeng",
    ]
    assert announcement["enterprises"][2]["name"] == "恩平市华艺陶瓷有限公司"


def test_event_log_records_each_issue_with_checksums(issued: Path) -> None:
    logged = [e for e in logged_events(issued) if e["event"] == "issued"]
    assert len(logged) == len(folders(issued))
    for event in logged:
        folder = issued / "archive" / str(event["path"])
        assert event["checksums"] == json.loads((folder / "meta.json").read_text(encoding="utf-8"))["files"]
        assert event["user"] and event["time"]


def test_reissue_unchanged_is_a_no_op_and_a_change_is_a_new_version(workspace: Path, run_cli: RunCli) -> None:
    ws = workspace
    case = ws / "case.yaml"
    shutil.copy(EXAMPLE_CASE, case)
    first = run_cli("-w", str(ws), "issue", str(case), "-k", "notice", "--json")
    assert first.exit_code == 0, first.err
    assert [r["status"] for r in json.loads(first.out)] == ["issued"]
    again = run_cli("-w", str(ws), "issue", str(case), "-k", "notice")
    assert again.exit_code == 0 and "未变化，未重复归档" in again.out
    assert len(folders(ws)) == 1

    case.write_text(case.read_text(encoding="utf-8").replace("请遵照执行。", "请认真遵照执行。"), encoding="utf-8")
    changed = run_cli("-w", str(ws), "issue", str(case), "-k", "notice", "--reason", "正文措辞调整", "--json")
    assert changed.exit_code == 0, changed.err
    [result] = json.loads(changed.out)
    assert result["status"] == "new_version"
    assert result["number"] == "恩科工商务字〔2021〕58号", "a new version keeps its number"
    assert result["path"].endswith("（第2版）")
    meta = json.loads((Path(result["path"]) / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == 2 and meta["reason"] == "正文措辞调整"
    assert meta["previous"].startswith("2021/05/24/") and not meta["previous"].endswith("版）")
    # The city logs each store's start too, before its files go into the bucket.
    stored = [e["event"] for e in logged_events(ws) if e["event"] != "store_started"]
    assert stored == ["issued", "new_version"]
    assert run_cli("-w", str(ws), "archive", "verify").exit_code == 0


def test_verify_names_a_modified_a_missing_and_a_stray_file(tmp_path: Path, run_cli: RunCli) -> None:
    ws = tmp_path
    case = ws / "case.yaml"
    shutil.copy(EXAMPLE_CASE, case)
    assert run_cli("-w", str(ws), "issue", str(case), "-k", "acceptance").exit_code == 0
    assert run_cli("-w", str(ws), "archive", "verify").exit_code == 0
    first, second, third = folders(ws)[:3]
    pdf = first / "document.pdf"
    pdf.chmod(0o644)
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    (second / "text.txt").unlink()
    (third / "我的笔记.txt").write_text("clerk's note", encoding="utf-8")
    (ws / "archive" / "2021" / "stray.pdf").write_bytes(b"%PDF-")
    result = run_cli("-w", str(ws), "archive", "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.out)
    assert report["modified"] == [f"{first.relative_to(ws / 'archive').as_posix()}/document.pdf"]
    assert report["missing"] == [f"{second.relative_to(ws / 'archive').as_posix()}/text.txt"]
    assert f"{third.relative_to(ws / 'archive').as_posix()}/我的笔记.txt" in report["unexpected"]
    assert "2021/stray.pdf" in report["unexpected"]
    text = run_cli("-w", str(ws), "archive", "verify").out
    assert "被改动" in text and "缺失" in text and "多出" in text
    assert logged_events(ws)[-1]["event"] == "verified" and logged_events(ws)[-1]["ok"] is False


def test_verify_compares_numbers_with_the_registry(workspace: Path, run_cli: RunCli) -> None:
    ws = workspace
    case = ws / "case.yaml"
    shutil.copy(EXAMPLE_CASE, case)
    assert run_cli("-w", str(ws), "issue", str(case), "-k", "notice").exit_code == 0
    other = ws / "other.yaml"
    other.write_text(
        EXAMPLE_CASE.read_text(encoding="utf-8").replace("number: 恩科工商务字〔2021〕58号", "number: auto"),
        encoding="utf-8",
    )
    assert run_cli("-w", str(ws), "number", "next", str(other)).exit_code == 0  # numbered, never issued
    refused = run_cli("-w", str(ws), "number", "void", "恩科工商务字〔2021〕58号", "--reason", "测试")
    assert refused.exit_code == 1 and "不能作废" in refused.err, "docgen never voids an archived number"
    Workspace.open(ws, env={}).numbers.void("恩科工商务字", 2021, 58, "另一个工具作废")  # as another tool might
    result = run_cli("-w", str(ws), "archive", "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.out)
    assert any("58号" in item and "作废" in item for item in report["unknown_numbers"])
    assert any("59号" in item for item in report["numbers_without_document"])


def test_a_failed_issue_keeps_its_number_for_the_corrected_document(
    workspace: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Numbered, then the conversion fails; the clerk corrects the title: same number, ledger follows."""
    tmp_path = workspace
    case = tmp_path / "case.yaml"
    case.write_text(
        EXAMPLE_CASE.read_text(encoding="utf-8").replace("number: 恩科工商务字〔2021〕58号", "number: auto"),
        encoding="utf-8",
    )
    monkeypatch.setenv("DOCGEN_SOFFICE", "/bin/false")
    assert run_cli("-w", str(tmp_path), "issue", str(case), "-k", "notice").exit_code == 1
    monkeypatch.delenv("DOCGEN_SOFFICE")
    title = "关于印发恩平市2021年度推动落后产能退出工作计划的通知"
    case.write_text(
        case.read_text(encoding="utf-8").replace(title, title.replace("推动", "加快推动")), encoding="utf-8"
    )
    assert run_cli("-w", str(tmp_path), "issue", str(case), "-k", "notice").exit_code == 0
    [row] = json.loads(run_cli("-w", str(tmp_path), "number", "list", "--json").out)
    assert row["number"] == "恩科工商务字〔2021〕1号", "the number taken before the failure, not a second one"
    assert row["title"] == title.replace("推动", "加快推动"), "the ledger shows the title that was issued"
    assert run_cli("-w", str(tmp_path), "archive", "verify").exit_code == 0


def test_list_filters(issued: Path, run_cli: RunCli) -> None:
    listed = json.loads(run_cli("-w", str(issued), "archive", "list", "--json").out)
    assert len(listed) == len(folders(issued))
    assert [m["date"] for m in listed] == sorted((m["date"] for m in listed), reverse=True)
    huayi = json.loads(run_cli("-w", str(issued), "archive", "list", "--enterprise", "华艺陶瓷", "--json").out)
    assert sorted(m["kind"] for m in huayi) == ["acceptance", "announcement"]
    sets = json.loads(run_cli("-w", str(issued), "archive", "list", "--kind", "set", "--year", "2021", "--json").out)
    assert [m["number"] for m in sets] == ["恩科工商务字〔2021〕58号"]
    assert json.loads(run_cli("-w", str(issued), "archive", "list", "--year", "2020", "--json").out) == []
