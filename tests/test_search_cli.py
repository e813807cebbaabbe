"""Searching the issued example from the command line; the index is derived and self-healing."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from docgen.case.model import load_case
from docgen.readback import read_pdf
from tests.conftest import CITY_ORGAN, EXAMPLE_CASE, PROFILES, REPO, RunCli, copy_workspace
from tools.city import Postgres

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def embedded_ws(tmp_path_factory: pytest.TempPathFactory, issued_once: Path) -> Path:
    return copy_workspace(issued_once, tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module", params=PROFILES)
def ws(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, issued_once: Path) -> Path:
    """The issued example, searched in its own index (embedded) or in the city's PostgreSQL."""
    if request.param == "embedded":
        return Path(request.getfixturevalue("embedded_ws"))
    server: Postgres = request.getfixturevalue("city_postgres")
    city = copy_workspace(issued_once, tmp_path_factory.mktemp("city"))
    dsn = server.create_database(f"searchcli{uuid.uuid4().hex[:8]}")
    (city / "docgen.toml").write_text(f'[city]\ndatabase = "{dsn}"\norgan = "{CITY_ORGAN}"\n', encoding="utf-8")
    return city


def engine_of(ws: Path) -> str:
    return "postgresql" if (ws / "docgen.toml").exists() else "tantivy"


def search(run_cli: RunCli, ws: Path, *args: str) -> list[dict[str, object]]:
    result = run_cli("-w", str(ws), "search", *args, "--json")
    assert result.exit_code == 0, result.err
    data: list[dict[str, object]] = json.loads(result.out)
    return data


def test_issue_builds_the_index(ws: Path, run_cli: RunCli) -> None:
    if engine_of(ws) == "postgresql":  # issued before the city's database was named: rebuilt from the archive
        assert "已重建索引：8 份文件" in run_cli("-w", str(ws), "index", "rebuild", "--if-needed").out
    status = json.loads(run_cli("-w", str(ws), "index", "status", "--json").out)
    assert status["needs_rebuild"] is False
    assert status["documents"] == status["archived"] == 8
    assert status["engine"] == engine_of(ws)


def test_each_enterprise_by_full_name_and_by_two_characters(ws: Path, run_cli: RunCli) -> None:
    case = load_case(EXAMPLE_CASE)
    for enterprise in case.enterprises.values():
        short = enterprise.name[3:5]  # 恩平市华艺陶瓷有限公司 -> 华艺
        for query in (enterprise.name, short):
            hits = search(run_cli, ws, query)
            kinds = {(h["kind"], h["title"]) for h in hits}
            assert ("acceptance", f"{enterprise.name}落后产能退出验收记录") in kinds, query
            assert any(kind == "announcement" for kind, _ in kinds), query


def test_number_fragment_phrase_and_filters(ws: Path, run_cli: RunCli) -> None:
    [hit] = search(run_cli, ws, "--number", "58号")
    assert hit["number"] == "恩科工商务字〔2021〕58号" and hit["kind"] == "set"
    assert [h["kind"] for h in search(run_cli, ws, "恩科工商务字〔2021〕58号")] == ["set"]
    assert search(run_cli, ws, "158号") == []
    phrase = search(run_cli, ws, "依法依规实施联合惩戒")
    assert [h["kind"] for h in phrase] == ["set"]
    assert "依法依规实施联合惩戒" in str(phrase[0]["snippet"])
    steel = search(run_cli, ws, "钢", "--kind", "acceptance")
    assert {h["title"] for h in steel} >= {"恩平市恒达钢铁有限公司落后产能退出验收记录"}
    assert search(run_cli, ws, "华艺", "--year", "2019-2020") == []
    assert len(search(run_cli, ws, "华艺", "--year", "2021")) == 2
    assert [h["kind"] for h in search(run_cli, ws, "--enterprise", "华艺陶瓷", "--kind", "announcement")] == [
        "announcement"
    ]
    dates = [str(h["date"]) for h in search(run_cli, ws, "恩平市")]
    assert dates == sorted(dates, reverse=True)


def han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def test_a_sentence_running_over_a_page_break_is_found(ws: Path, run_cli: RunCli) -> None:
    """The stored text leaves the page number out, so the words either side of it join up."""
    [folder] = [p.parent for p in (ws / "archive").glob("2021/*/*/*/meta.json") if "58号" in p.parent.name]
    pages = read_pdf(folder / "document.pdf").squeezed
    assert len(pages) > 2
    written = "".join(EXAMPLE_CASE.read_text(encoding="utf-8").split())
    tried = 0
    for before, after in itertools.pairwise(pages):
        across = before[-3:] + after[:3]
        if all(map(han, across)) and across in written:  # a sentence of the case, not a table's head
            assert [h["kind"] for h in search(run_cli, ws, across)] == ["set"], across
            tried += 1
    assert tried, "the example has a sentence over a page break"


def test_table_output(ws: Path, run_cli: RunCli) -> None:
    result = run_cli("-w", str(ws), "search", "华艺陶瓷")
    assert result.exit_code == 0
    for header in ("发文字号", "日期", "类型", "标题", "摘要"):
        assert header in result.out
    assert "共 2 条" in result.out
    assert "没有找到" in run_cli("-w", str(ws), "search", "不存在的企业名称").out


def test_rebuild_if_needed_and_corruption(embedded_ws: Path, run_cli: RunCli) -> None:
    ws = embedded_ws
    assert "无需重建" in run_cli("-w", str(ws), "index", "rebuild", "--if-needed").out
    for f in (ws / "index" / "tantivy").glob("*"):
        if f.is_file():
            f.write_bytes(b"garbage")
    status = json.loads(run_cli("-w", str(ws), "index", "status", "--json").out)
    assert status["needs_rebuild"] is True
    assert len(search(run_cli, ws, "华艺陶瓷")) == 2, "a corrupt index is rebuilt before searching"
    assert json.loads(run_cli("-w", str(ws), "index", "status", "--json").out)["needs_rebuild"] is False
    rebuilt = run_cli("-w", str(ws), "index", "rebuild")
    assert "已重建索引：8 份文件" in rebuilt.out


def test_whoosh_engine_by_setting(embedded_ws: Path, run_cli: RunCli) -> None:
    ws = embedded_ws
    (ws / "docgen.toml").write_text('[search]\nengine = "whoosh"\n', encoding="utf-8")
    try:
        status = json.loads(run_cli("-w", str(ws), "index", "status", "--json").out)
        assert status["engine"] == "whoosh" and status["needs_rebuild"] is True
        assert {h["kind"] for h in search(run_cli, ws, "华艺")} == {"acceptance", "announcement"}
    finally:
        (ws / "docgen.toml").unlink()


def test_a_locked_index_never_fails_an_issue(tmp_path: Path, run_cli: RunCli) -> None:
    shutil.copy(EXAMPLE_CASE, tmp_path / "case.yaml")
    (tmp_path / "index").mkdir()
    with (tmp_path / "index" / ".lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another writer holds the index
        proc = subprocess.run(
            [sys.executable, "-m", "docgen", "-w", str(tmp_path), "issue", "case.yaml", "-k", "announcement"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(REPO), "DOCGEN_INDEX_LOCK_TIMEOUT": "1"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    assert "已归档" in proc.stdout
    assert "未能加入检索索引" in proc.stderr
    status = json.loads(run_cli("-w", str(tmp_path), "index", "status", "--json").out)
    assert status["needs_rebuild"] is True
    hits = search(run_cli, tmp_path, "华艺陶瓷")
    assert [h["kind"] for h in hits] == ["announcement"], "the next search rebuilds from the archive"


def test_a_query_of_marks_alone_is_an_error_not_every_document(ws: Path, run_cli: RunCli) -> None:
    for query in ("，，", "\udcff\udcfe"):  # punctuation; bytes a terminal could not decode
        result = run_cli("-w", str(ws), "search", query)
        assert result.exit_code == 1 and "没有可以检索的" in result.err, query


def test_an_empty_query_without_filters_is_an_error(ws: Path, run_cli: RunCli) -> None:
    for query in ("", " "):
        result = run_cli("-w", str(ws), "search", query)
        assert result.exit_code == 1 and "请写出检索词" in result.err
    assert len(search(run_cli, ws, "--kind", "announcement")) == 1, "a filter alone is a search"


def test_a_notice_that_names_an_enterprise_is_found_by_it(tmp_path: Path, run_cli: RunCli) -> None:
    # Measured before: search --enterprise missed the bureau's own notices, 请示 and 纪要 that name
    # an enterprise (their stored enterprise lists were empty); the plain search found them.
    from tests.conftest import OTHER_BUREAU_CASE, edited_case

    named = "结合我市实际（台山市宏远新型建筑材料有限公司等已列入计划），"
    case = edited_case(OTHER_BUREAU_CASE, tmp_path / "case.yaml", "结合我市实际，", named)
    issued = run_cli("-w", str(tmp_path), "issue", str(case), "-k", "notice", "--json")
    assert issued.exit_code == 0, issued.err
    found = search(run_cli, tmp_path, "--enterprise", "宏远")
    assert [hit["kind"] for hit in found] == ["notice"], found
    assert not search(run_cli, tmp_path, "--enterprise", "嘉和"), "an enterprise the notice does not name"
