"""``docgen archive check``: each DA/T 70 item broken on purpose fails alone, naming the file.

One issued and filed example archive is copied for every test, then one thing is done to it the
way a careless program or a tamperer would: a byte changed, a file removed, a metadata value
wrong, an event line edited or deleted, a duplicate 发文字号 imported, an encrypted PDF or one
without its fonts imported, a file made writable, the catalogue edited, a virus found.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from docgen.archive.store import Archive, StagedDocument
from docgen.pipeline import check as check_module
from docgen.readback import pdf_facts
from tests.conftest import RunCli, copy_workspace

pytestmark = pytest.mark.libreoffice

ISSUER = "恩平市科工商务局"
NOTICE_NUMBER = "恩科工商务字〔2021〕58号"


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory, filed_once: Path) -> Path:
    """The example issued, then filed (归档文件目录 and a "filed" event); PDFs to import beside it."""
    ws = copy_workspace(filed_once, tmp_path_factory.mktemp("filed"))
    announcement = next((ws / "archive").glob("2021/*/*/公告*/document.pdf"))
    bad = ws.parent / "to-import"
    bad.mkdir()
    writer = PdfWriter(clone_from=PdfReader(announcement))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")  # noqa: S106 - a test file's
    writer.write(bad / "encrypted.pdf")
    writer = PdfWriter(clone_from=PdfReader(announcement))
    removed = 0
    for page in writer.pages:
        fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]  # pypdf types it as PdfObject
        for font in fonts.values():
            for part in font.get_object().get("/DescendantFonts", [font]):
                descriptor = part.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        del descriptor[key]
                        removed += 1
    assert removed
    writer.write(bad / "fonts-removed.pdf")
    shutil.copy(next((ws / "archive").glob("2021/*/*/验收记录-恩平市华艺*/document.pdf")), bad / "acceptance.pdf")
    return ws


@pytest.fixture
def ws(filed: Path, tmp_path: Path) -> Path:
    """A copy of the filed workspace, file modes kept (archived files stay read-only)."""
    copy = tmp_path / "ws"
    shutil.copytree(filed, copy)
    return copy


def source(filed: Path, name: str) -> Path:
    """A PDF the module fixture prepared for import (beside the filed workspace)."""
    return filed.parent / "to-import" / name


def check(run_cli: RunCli, ws: Path, *args: str) -> dict[str, Any]:
    result = run_cli("-w", str(ws), "archive", "check", "--json", *args)
    report: dict[str, Any] = json.loads(result.out)
    assert result.exit_code == (0 if report["ok"] else 1), result.err
    return report


def failed(report: dict[str, Any]) -> dict[str, list[str]]:
    return {item["code"]: item["files"] for item in report["items"] if item["result"] == "不通过"}


def folder_of(ws: Path, pattern: str) -> Path:
    return next((ws / "archive").glob(f"2021/*/*/{pattern}"))


def writable(path: Path) -> Path:
    path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return path


def test_the_example_archive_passes_and_the_report_is_a_signable_table(
    ws: Path, run_cli: RunCli, tmp_path: Path
) -> None:
    report = check(run_cli, ws, "--report", str(tmp_path / "report.pdf"))
    results = {item["code"]: item["result"] for item in report["items"]}
    assert len(results) == 20
    assert results.pop("AQ-3") == "不适用"  # no scanner given
    assert set(results.values()) == {"通过"}, report
    assert report["documents"] == 8
    assert report["bytes"] == sum(
        (folder / name).stat().st_size
        for folder in (ws / "archive").glob("2021/*/*/*")
        for name in json.loads((folder / "meta.json").read_text(encoding="utf-8"))["files"]
    )
    assert report["logged"] is True
    events = [json.loads(line) for line in (ws / "archive" / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert events[-1]["event"] == "checked"
    assert events[-1]["failed"] == []
    assert [e["event"] for e in events].count("filed") == 1

    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "report.pdf").pages)
    assert pdf_facts(tmp_path / "report.pdf").fonts_not_embedded == (), "a report that passes KY-3 itself"
    head = json.loads((ws / "archive" / "events.head").read_text(encoding="utf-8"))
    assert "".join(f"事件日志：{head['count']}条，最后一条的SM3为{head['sm3']}".split()) in "".join(text.split()), (
        "the signed report anchors the log"
    )
    squashed = "".join(text.split())
    assert "电子档案四性检测报告" in squashed
    for code in results:
        assert code in squashed
    assert "结论：全部适用项目通过。" in squashed
    assert "检测人" in squashed
    # Looked at as a picture: the table's grid and text really are drawn on the page.
    picture = ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(tmp_path / "report.pdf"), str(tmp_path / "p")]
    subprocess.run(picture, check=True)
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    dark = sum(page.histogram()[:128])
    assert 0.01 < dark / (page.width * page.height) < 0.3

    check(run_cli, ws, "--report", str(tmp_path / "report.html"))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "电子档案四性检测报告" in html
    assert "<script" not in html


def test_one_changed_byte_fails_zs1_only(ws: Path, run_cli: RunCli) -> None:
    folder = folder_of(ws, "公告*")
    text = writable(folder / "text.txt")
    data = bytearray(text.read_bytes())
    data[-2] ^= 0x01
    text.write_bytes(bytes(data))
    writable(folder / "text.txt").chmod(0o444)
    found = failed(check(run_cli, ws))
    assert set(found) == {"ZS-1"}
    assert any(folder.name in f and "text.txt" in f for f in found["ZS-1"])


@pytest.mark.parametrize("name", ["document.docx", "text.txt", "context.json"])
def test_a_removed_file_fails_wz3_only(ws: Path, run_cli: RunCli, name: str) -> None:
    folder = folder_of(ws, "恩科工商务字*")  # the notice: it lists 附件, so its text and context are read
    (folder / name).unlink()
    found = failed(check(run_cli, ws))
    assert set(found) == {"WZ-3"}
    assert any(folder.name in f and name in f for f in found["WZ-3"])


def test_a_wrong_metadata_value_fails_zs2_only(ws: Path, run_cli: RunCli, tmp_path: Path) -> None:
    """A document another program filed with a kind docgen does not know."""
    source = folder_of(ws, "公告*")
    archive = Archive(ws / "archive")
    meta = json.loads((source / "meta.json").read_text(encoding="utf-8"))
    staged = StagedDocument(
        identity="other-program:1",
        fingerprint="1",
        kind="通知书",
        kind_name="通知书",
        title="关于另一件事的通知",
        date="2021-12-07",
        files={"document.pdf": source / "document.pdf", "text.txt": source / "text.txt"},
        meta={"source": "import", "issuer": ISSUER, "pages": meta["pages"], "event": "imported"},
    )
    stored = archive.store(staged)
    found = failed(check(run_cli, ws))
    assert set(found) == {"ZS-2"}
    assert found["ZS-2"] == [f"{stored.meta['path']}：文种“通知书”无效"]


def rewrite_events(ws: Path, change: Callable[[list[str]], object]) -> list[str]:
    """Edit events.jsonl as a text editor would; returns the lines as they were."""
    log = ws / "archive" / "events.jsonl"
    lines = log.read_text(encoding="utf-8").splitlines()
    edited = list(lines)
    change(edited)
    log.write_text("".join(f"{line}\n" for line in edited), encoding="utf-8")
    return lines


def test_an_edited_event_fails_zs5_only(ws: Path, run_cli: RunCli) -> None:
    def edit(lines: list[str]) -> None:
        lines[2] = lines[2].replace('"user": "', '"user": "某人', 1)

    rewrite_events(ws, edit)
    found = failed(check(run_cli, ws))
    assert set(found) == {"ZS-5"}
    assert any("第4行" in f for f in found["ZS-5"])


def test_a_deleted_event_fails_zs5_only(ws: Path, run_cli: RunCli) -> None:
    def delete_filing(lines: list[str]) -> None:
        lines.remove(next(line for line in lines if '"event": "filed"' in line))

    rewrite_events(ws, delete_filing)
    found = failed(check(run_cli, ws))
    assert set(found) == {"ZS-5"}
    assert any("events.jsonl" in f for f in found["ZS-5"])


def test_a_deleted_storing_event_also_names_the_folder_it_leaves_unrecorded(ws: Path, run_cli: RunCli) -> None:
    before = rewrite_events(ws, lambda lines: lines.pop(3))
    found = failed(check(run_cli, ws))
    assert set(found) == {"ZS-5", "ZS-6"}
    assert found["ZS-6"] == [f"{json.loads(before[3])['path']}：文件夹不在日志中"]


def test_a_duplicate_number_in_the_archive_fails_zs4_only(ws: Path, filed: Path, run_cli: RunCli) -> None:
    """Import refuses a 发文字号 already used; confirmed with --allow-duplicate-number, the check still names it."""
    args = (
        "-w", str(ws), "archive", "import", str(source(filed, "acceptance.pdf")),
        "--number", NOTICE_NUMBER, "--kind", "announcement", "--title", "关于另一件事的公告", "--issuer", ISSUER,
    )  # fmt: skip
    refused = run_cli(*args)
    assert refused.exit_code == 1
    assert "--allow-duplicate-number" in refused.err
    confirmed = run_cli(*args, "--allow-duplicate-number")
    assert confirmed.exit_code == 0, confirmed.err
    found = failed(check(run_cli, ws))
    assert set(found) == {"ZS-4"}
    (finding,) = found["ZS-4"]
    assert finding.startswith(f"{NOTICE_NUMBER}：2 份不同的文件使用了同一个发文字号")
    assert "关于另一件事的公告" in finding
    assert "关于印发" in finding
    assert "导入时经确认" in finding


@pytest.mark.parametrize(
    ("pdf", "code", "said"), [("encrypted.pdf", "KY-4", "已加密"), ("fonts-removed.pdf", "KY-3", "未嵌入字体")]
)
def test_an_unusable_pdf_imported_fails_its_item_only(
    ws: Path, filed: Path, run_cli: RunCli, pdf: str, code: str, said: str
) -> None:
    result = run_cli("-w", str(ws), "archive", "import", str(source(filed, pdf)), "--json")
    assert result.exit_code == 0, result.err
    (imported,) = json.loads(result.out)
    assert imported["issuer"] == ISSUER  # read from the 署名 above the date
    found = failed(check(run_cli, ws))
    assert set(found) == {code}
    (finding,) = found[code]
    assert finding.startswith(Path(imported["path"]).relative_to(ws / "archive").as_posix() + "/document.pdf：" + said)


def test_a_writable_archived_file_fails_aq1_only(ws: Path, run_cli: RunCli) -> None:
    folder = folder_of(ws, "验收记录-恩平市金鹏*")
    writable(folder / "document.pdf")
    found = failed(check(run_cli, ws))
    assert set(found) == {"AQ-1"}
    assert found["AQ-1"] == [f"{folder.relative_to(ws / 'archive').as_posix()}/document.pdf：可以写入"]


def test_a_catalogue_edited_after_filing_fails_wz2_only(ws: Path, run_cli: RunCli) -> None:
    catalogue = ws / "filing" / "2021" / "归档文件目录.csv"
    text = catalogue.read_text(encoding="utf-8-sig")
    catalogue.write_text(text.replace("恩平市华艺陶瓷有限公司", "恩平市华艺陶瓷厂", 1), encoding="utf-8-sig")
    found = failed(check(run_cli, ws))
    assert set(found) == {"WZ-2"}
    assert found["WZ-2"] == [f"{catalogue}：与 2021 年归档时记录的校验值不符（归档后被改动）"]


def test_a_gap_in_item_numbers_fails_wz2(ws: Path, run_cli: RunCli) -> None:
    catalogue = ws / "filing" / "2021" / "归档文件目录.csv"
    rows = catalogue.read_text(encoding="utf-8-sig").splitlines()
    del rows[1]  # the first row of the 永久 list: 件号 0001 gone
    catalogue.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    found = failed(check(run_cli, ws))
    assert set(found) == {"WZ-2"}
    assert any("Y 件号缺 1，" in f for f in found["WZ-2"])
    assert any("归档后被改动" in f for f in found["WZ-2"])


def scanner(tmp_path: Path, body: str) -> str:
    script = tmp_path / "scan.sh"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_the_virus_scan_is_run_once_and_its_findings_recorded(ws: Path, run_cli: RunCli, tmp_path: Path) -> None:
    clean = check(run_cli, ws, "--scan-command", scanner(tmp_path, 'echo "$1" >> "$0.calls"; exit 0'))
    item = next(i for i in clean["items"] if i["code"] == "AQ-3")
    assert item["result"] == "通过"
    assert "退出码 0" in item["note"]
    assert (tmp_path / "scan.sh.calls").read_text(encoding="utf-8").splitlines() == [str(ws / "archive")]

    folder = folder_of(ws, "公告*")
    infected = scanner(tmp_path, f'echo "{folder}/document.pdf: Eicar-Signature FOUND"; exit 1')
    found = failed(check(run_cli, ws, "--scan-command", infected))
    assert set(found) == {"AQ-3"}
    assert found["AQ-3"] == [f"{folder.relative_to(ws / 'archive').as_posix()}/document.pdf: Eicar-Signature FOUND"]

    missing = failed(check(run_cli, ws, "--scan-command", str(tmp_path / "no-such-scanner")))
    assert set(missing) == {"AQ-3"}
    assert missing["AQ-3"][0].startswith("检查命令无法运行")


def test_plain_output_names_items_and_files_in_chinese(ws: Path, run_cli: RunCli) -> None:
    writable(folder_of(ws, "验收记录-恩平市金鹏*") / "document.pdf")
    result = run_cli("-w", str(ws), "archive", "check")
    assert result.exit_code == 1
    assert "AQ-1 安全性 不通过" in result.out
    assert "document.pdf：可以写入" in result.out
    assert "结论：1 项不通过：AQ-1。" in result.out
    assert "Traceback" not in result.out + result.err


def test_a_year_with_nothing_archived_is_refused_with_a_message(ws: Path, run_cli: RunCli, tmp_path: Path) -> None:
    before = (ws / "archive" / "events.jsonl").read_bytes()
    result = run_cli("-w", str(ws), "archive", "check", "--year", "2019", "--report", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1
    assert "没有 2019 年的文件" in result.err
    assert not (tmp_path / "r.pdf").exists()
    assert (ws / "archive" / "events.jsonl").read_bytes() == before
    wrong = run_cli("-w", str(ws), "archive", "check", "--report", str(tmp_path / "r.txt"))
    assert wrong.exit_code == 2
    assert "应以 .pdf 或 .html 结尾" in wrong.err


def test_documents_judged_in_worker_processes_give_the_same_report(
    ws: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    writable(folder_of(ws, "验收记录-恩平市金鹏*") / "document.pdf")
    alone = check(run_cli, ws)
    monkeypatch.setattr(check_module, "POOL_FROM", 1)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    pooled = check(run_cli, ws)
    assert pooled["items"] == alone["items"]
    assert (pooled["documents"], pooled["bytes"], pooled["per_year"]) == (
        alone["documents"],
        alone["bytes"],
        alone["per_year"],
    )
    assert set(failed(pooled)) == {"AQ-1"}
