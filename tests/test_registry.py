"""The 发文字号 registry under real contention, real kills, and end to end through the CLI."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docgen.pipeline.workspace import Workspace
from tests.conftest import EXAMPLE_CASE, REPO, RunCli

PREFIX = "恩科工商务字"
YEAR_2021 = ("--year", "2021", "--confirm-year")  # a new ledger's first year, whatever today is


def next_number(workspace: Path, title: str) -> list[str]:
    """``docgen number next`` for a Word draft of ``title`` in 2021, as a clerk types it."""
    return ["-w", str(workspace), "number", "next", "--prefix", PREFIX, *YEAR_2021, "--title", title]


def registry_rows(workspace: Path) -> list[tuple[int, str, str]]:
    """The ledger's rows as the workspace's own store reads them back (SQLite or the city's PostgreSQL)."""
    return [(r.seq, r.number, r.state) for r in Workspace.open(workspace, env={}).numbers.records()]


def test_eight_processes_allocate_800_distinct_numbers_without_gaps(workspace: Path) -> None:
    tmp_path = workspace
    out = tmp_path / "numbers.txt"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.workers.allocate", str(tmp_path), PREFIX, "2021", "100", str(out)],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=600)
        assert worker.returncode == 0, err
    printed = out.read_text(encoding="utf-8").split()
    assert len(printed) == 800
    assert len(set(printed)) == 800, "no number handed out twice"
    assert sorted(int(n.removeprefix(f"{PREFIX}〔2021〕").removesuffix("号")) for n in printed) == list(range(1, 801))
    rows = registry_rows(tmp_path)
    assert [seq for seq, _, _ in rows] == list(range(1, 801)), "each recorded once, no gap"
    assert sorted(number for _, number, _ in rows) == sorted(printed)


def test_a_kill_in_the_middle_of_an_allocation_leaves_the_registry_consistent(
    workspace: Path, profile: str, run_cli: RunCli
) -> None:
    tmp_path = workspace
    for i in range(3):
        assert run_cli(*next_number(tmp_path, f"前{i}")).exit_code == 0
    marker = tmp_path / "paused"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DOCGEN_PAUSE_AT": f"allocate-before-commit:{marker}"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "docgen",
            *next_number(tmp_path, "被中断的分配"),
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # The allocation has inserted number 4 and holds the write lock, uncommitted: kill it there.
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    if profile == "embedded":
        with sqlite3.connect(tmp_path / "archive" / "registry.sqlite3") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert [seq for seq, _, _ in registry_rows(tmp_path)] == [1, 2, 3], "the killed allocation left nothing"
    result = run_cli("-w", str(tmp_path), "number", "next", "--prefix", PREFIX, *YEAR_2021, "--title", "后")
    assert result.exit_code == 0
    assert result.out.strip() == f"{PREFIX}〔2021〕4号", "the sequence continues without a gap"
    assert run_cli("-w", str(tmp_path), "number", "check").exit_code == 0


def write_csv(path: Path, rows: list[str], encoding: str = "gb18030") -> Path:
    path.write_bytes(("\n".join(rows) + "\n").encode(encoding))
    return path


def test_import_list_next_void_check_end_to_end(workspace: Path, run_cli: RunCli) -> None:
    tmp_path = workspace
    ws = ["-w", str(tmp_path)]
    # Hand-issued numbers 1, 2, 3 and 5 of this year, saved from Excel on a Chinese PC (GBK).
    csv_file = write_csv(
        tmp_path / "手工登记.csv",
        [
            "发文字号,标题,日期,经办人",
            "恩科工商务字〔2021〕1号,关于开展安全生产检查的通知,2021-01-08,李文",
            "恩科工商务字[2021]2号,关于做好春节期间值班工作的通知,2021-01-20,李文",
            "恩科工商务字〔2021〕3号,关于报送2020年工作总结的通知,2021-02-02,王芳",
            "恩科工商务字〔2021〕5号,关于召开全市工业工作会议的通知,2021-02-25,王芳",
        ],
    )
    result = run_cli(*ws, "number", "import", str(csv_file))
    assert result.exit_code == 0, result.err
    assert "已导入 4 个" in result.out
    assert run_cli(*ws, "number", "import", str(csv_file)).out.count("4 个已在登记簿中") == 1, "re-import is a no-op"

    listed = json.loads(run_cli(*ws, "number", "list", "--json").out)
    assert [r["number"] for r in listed][:2] == ["恩科工商务字〔2021〕1号", "恩科工商务字〔2021〕2号"]
    assert listed[1]["issued_by"] == "李文" and listed[1]["source"] == "import"

    nxt = run_cli(*next_number(tmp_path, "关于印发工作计划的通知"))
    assert nxt.out.strip() == f"{PREFIX}〔2021〕6号", "the sequence continues after the imported numbers"

    check = run_cli(*ws, "number", "check", "--year", "2021")
    assert check.exit_code == 1
    assert "缺号：恩科工商务字〔2021〕4号" in check.out

    voided_gap = run_cli(*ws, "number", "void", "恩科工商务字〔2021〕4号", "--reason", "手工登记时漏用")
    assert voided_gap.exit_code == 0, voided_gap.err
    assert run_cli(*ws, "number", "check", "--year", "2021").exit_code == 0

    assert run_cli(*ws, "number", "void", "恩科工商务字（2021）2号", "--reason", "文件撤回").exit_code == 0
    again = run_cli(*ws, "number", "void", "恩科工商务字〔2021〕2号", "--reason", "再次作废")
    assert again.exit_code == 1 and "已于" in again.err and "文件撤回" in again.err
    beyond = run_cli(*ws, "number", "void", "恩科工商务字〔2021〕99号", "--reason", "x")
    assert beyond.exit_code == 1 and "尚未使用" in beyond.err
    no_reason = run_cli(*ws, "number", "void", "恩科工商务字〔2021〕3号", "--reason", " ")
    assert no_reason.exit_code == 1 and "原因" in no_reason.err

    nxt = run_cli(*ws, "number", "next", "--prefix", PREFIX, *YEAR_2021, "--title", "关于另一事项的通知")
    assert nxt.out.strip() == f"{PREFIX}〔2021〕7号", "voided numbers are never reused"
    check = run_cli(*ws, "number", "check", "--json")
    [run] = json.loads(check.out)
    assert run["gaps"] == [] and run["highest"] == 7
    assert sorted(v["number"] for v in run["voided"]) == ["恩科工商务字〔2021〕2号", "恩科工商务字〔2021〕4号"]
    text = run_cli(*ws, "number", "list").out
    assert "已作废：文件撤回" in text


def test_import_is_all_or_nothing(workspace: Path, run_cli: RunCli) -> None:
    tmp_path = workspace
    ws = ["-w", str(tmp_path)]
    first = write_csv(tmp_path / "a.csv", ["发文字号,标题", "恩科工商务字〔2021〕1号,甲"], "utf-8-sig")
    assert run_cli(*ws, "number", "import", str(first)).exit_code == 0
    clash = write_csv(
        tmp_path / "b.csv", ["number,title", "恩科工商务字〔2021〕2号,乙", "恩科工商务字〔2021〕1号,不是甲"], "utf-8"
    )
    result = run_cli(*ws, "number", "import", str(clash))
    assert result.exit_code == 1
    assert "已登记为《甲》" in result.err and "未导入任何一行" in result.err
    assert [seq for seq, _, _ in registry_rows(tmp_path)] == [1], "the good row was not imported either"


def test_bad_csv_names_the_line(tmp_path: Path, run_cli: RunCli) -> None:
    bad = write_csv(
        tmp_path / "bad.csv", ["发文字号,标题", "恩科工商务字〔2021〕1号,甲", "第二号,乙", "恩科工商务字〔2021〕1号,丙"]
    )
    result = run_cli("-w", str(tmp_path), "number", "import", str(bad))
    assert result.exit_code == 1
    assert "第3行" in result.err and "无法识别" in result.err
    assert "第4行" in result.err and "与第2行重复" in result.err
    assert not (tmp_path / "archive" / "registry.sqlite3").exists()


def auto_case(folder: Path) -> Path:
    text = EXAMPLE_CASE.read_text(encoding="utf-8").replace("number: 恩科工商务字〔2021〕58号", "number: auto")
    case = folder / "case.yaml"
    case.write_text(text, encoding="utf-8")
    return case


def test_case_documents_get_one_number_each(workspace: Path, profile: str, run_cli: RunCli) -> None:
    from docx import Document

    tmp_path = workspace
    ws = ["-w", str(tmp_path)]
    case = auto_case(tmp_path)
    draft = run_cli(*ws, "render", str(case), "--format", "docx", "-o", str(tmp_path / "draft"))
    assert draft.exit_code == 0, draft.err
    assert "恩科工商务字〔2021〕\u3000\u3000号" in [
        p.text for p in Document(str(tmp_path / "draft" / "notice.docx")).paragraphs
    ]
    assert registry_rows(tmp_path) == [], "rendering a draft allocates nothing"

    first = run_cli(*ws, "number", "next", str(case), "-k", "notice")
    assert first.out.strip() == f"{PREFIX}〔2021〕1号"
    again = run_cli(*ws, "number", "next", str(case), "-k", "set", "--json")
    assert json.loads(again.out)["number"] == f"{PREFIX}〔2021〕1号" and json.loads(again.out)["new"] is False
    # Relative to the workspace; the city names the workspace too (its origin), one of the organ's several.
    origin = (tmp_path / ".docgen-origin").read_text(encoding="utf-8") if profile == "city" else ""
    expected = f"{origin}:case.yaml" if origin else "case.yaml"
    assert json.loads(again.out)["case_file"] == expected, "stored relative to the workspace"

    rendered = run_cli(*ws, "render", str(case), "--format", "docx", "-o", str(tmp_path / "after"))
    assert "恩科工商务字〔2021〕1号" in rendered.out
    assert "恩科工商务字〔2021〕1号" in [p.text for p in Document(str(tmp_path / "after" / "notice.docx")).paragraphs]

    plan = run_cli(*ws, "number", "next", str(case), "-k", "plan")
    assert plan.exit_code == 2, "only numbered kinds can be chosen"


def test_an_explicit_number_is_claimed_once(workspace: Path, run_cli: RunCli) -> None:
    tmp_path = workspace
    ws = ["-w", str(tmp_path)]
    case_a = tmp_path / "a.yaml"
    case_a.write_text(EXAMPLE_CASE.read_text(encoding="utf-8"), encoding="utf-8")
    case_b = tmp_path / "b.yaml"
    case_b.write_text(EXAMPLE_CASE.read_text(encoding="utf-8").replace("关于印发", "关于转发"), encoding="utf-8")
    assert run_cli(*ws, "number", "next", str(case_a)).out.strip() == f"{PREFIX}〔2021〕58号"
    clash = run_cli(*ws, "number", "next", str(case_b))
    assert clash.exit_code == 1
    assert "已被《关于印发恩平市2021年度推动落后产能退出工作计划的通知》使用" in clash.err
    # The allocator continues after the highest number claimed; 1-57 are gaps to explain.
    nxt = run_cli(*ws, "number", "next", "--prefix", PREFIX, *YEAR_2021, "--title", "后续")
    assert nxt.out.strip() == f"{PREFIX}〔2021〕59号"
    check = run_cli(*ws, "number", "check")
    assert check.exit_code == 1 and "缺号：恩科工商务字〔2021〕1—57号（57 个）" in check.out


def test_check_reports_numbers_whose_document_is_missing(tmp_path: Path, run_cli: RunCli) -> None:
    ws = ["-w", str(tmp_path)]
    case = auto_case(tmp_path)
    assert run_cli(*ws, "number", "next", str(case)).exit_code == 0
    assert run_cli(*ws, "number", "check").exit_code == 0
    case.unlink()
    check = run_cli(*ws, "number", "check")
    assert check.exit_code == 1
    assert "找不到文件：恩科工商务字〔2021〕1号" in check.out


def test_auto_needs_a_prefix(tmp_path: Path, run_cli: RunCli) -> None:
    case = auto_case(tmp_path)
    case.write_text(case.read_text(encoding="utf-8").replace("  prefix: 恩科工商务字", ""), encoding="utf-8")
    result = run_cli("-w", str(tmp_path), "number", "next", str(case))
    assert result.exit_code == 1
    assert "issuer.prefix（机关代字）" in result.err and "第" in result.err


@pytest.mark.parametrize(
    "args",
    [
        ["number", "next"],
        ["number", "next", "--prefix", PREFIX, "--year", "2021"],
    ],
)
def test_next_needs_a_case_or_all_three_options(tmp_path: Path, run_cli: RunCli, args: list[str]) -> None:
    result = run_cli("-w", str(tmp_path), *args)
    assert result.exit_code == 2
    assert "--prefix" in result.err


def test_asking_again_for_the_same_word_draft_gets_its_number_back(workspace: Path, run_cli: RunCli) -> None:
    tmp_path = workspace
    ask = next_number(tmp_path, "关于召开推进会的通知")
    first = json.loads(run_cli(*ask, "--json").out)
    # As after a number next killed once its number was committed: the clerk simply asks again.
    again = json.loads(run_cli(*ask, "--json").out)
    assert (first["number"], first["new"]) == (f"{PREFIX}〔2021〕1号", True)
    assert (again["number"], again["new"]) == (first["number"], False)
    other = json.loads(run_cli(*ask, "--new", "--json").out)
    assert other["number"] == f"{PREFIX}〔2021〕2号", "--new: another document with the same title"
    check = json.loads(run_cli("-w", str(tmp_path), "number", "check", "--json").out)
    assert [u["number"] for u in check[0]["unfiled"]] == [first["number"], other["number"]]
    assert all(u["age_days"] == 0 for u in check[0]["unfiled"])
