"""What only the city profile has: PostgreSQL's limits met, organs kept apart, many servers on one ledger."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from docgen.archive.objects import FOREVER_YEARS
from docgen.errors import RegistryError
from docgen.numbering.postgres import PgRegistry
from docgen.pg import Database
from docgen.pipeline.workspace import Workspace
from docgen.search import build_query, collect
from docgen.search.analysis import normalise_shown
from docgen.search.backend import IndexedDocument
from docgen.search.postgres_backend import MAX_POSITION, PgSearchBackend, tsvector
from tests.conftest import CITY_ORGAN, EXAMPLE_CASE, RunCli
from tools.city import ACCESS_KEY, SECRET_KEY, ObjectStore, Postgres, config_lines

HAN = (  # common characters, to fill a long document
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处理府研质"
)


@pytest.fixture(scope="module")
def database(city_postgres: Postgres) -> Database:
    return Database(city_postgres.create_database(f"city{uuid.uuid4().hex[:10]}"))


def document(path: str, content: str, *, title: str = "测试文件") -> IndexedDocument:
    normalised, shown = normalise_shown(content)
    return IndexedDocument(path, "", title, "other", "其他", "2022-03-01", "恩平市科工商务局", (), normalised, shown)


def test_a_document_past_postgresqls_position_limit_is_never_missed(database: Database) -> None:
    rng = random.Random(5)
    long_text = "".join(rng.choice(HAN) for _ in range(MAX_POSITION + 4000)) + "华艺陶瓷有限公司"
    assert tsvector(long_text)[1], "kept without positions: past 16,383 the phrase would be lost"
    assert not tsvector("华艺陶瓷有限公司")[1]
    scattered = "陶瓷" + "".join(rng.choice(HAN) for _ in range(MAX_POSITION)) + "华艺" + "艺陶"
    backend = PgSearchBackend(database, "长文件测试机关")
    backend.add([document("a/long", long_text), document("a/scattered", scattered), document("a/short", "华艺陶瓷")])
    found = collect(backend, build_query("华艺陶瓷", limit=10))
    assert sorted(h.path for h in found.hits) == ["a/long", "a/short"], "the text check refuses the scattered one"
    assert backend.matching(build_query("华艺陶瓷", limit=10)) == 3, "all three bigrams are in the scattered one"


def test_organs_share_the_database_but_never_each_others_rows(database: Database) -> None:
    enping, taishan = PgRegistry(database, "恩平市科工商务局"), PgRegistry(database, "台山市工业和信息化局")
    enping.allocate("恩科工商务字", 2022, "恩平的通知")
    taishan.allocate("台工信", 2022, "台山的通知")
    assert [r.number for r in enping.records()] == ["恩科工商务字〔2022〕1号"]
    assert [r.number for r in taishan.records()] == ["台工信〔2022〕1号"]
    with pytest.raises(RegistryError, match="属于恩平市科工商务局"):
        taishan.allocate("恩科工商务字", 2022, "借用别人的机关代字")
    assert enping.find("台工信", 2022, 1) is None, "another organ's number is not found"
    search_enping = PgSearchBackend(database, "恩平市科工商务局")
    search_taishan = PgSearchBackend(database, "台山市工业和信息化局")
    search_enping.add([document("e/1", "恩平市华艺陶瓷有限公司退出产能")])
    search_taishan.add([document("t/1", "台山市华艺陶瓷有限公司退出产能")])
    assert [h.path for h in search_enping.search(build_query("华艺陶瓷"), 10)] == ["e/1"]
    assert search_taishan.count() == 1


def test_the_schema_is_made_once_by_servers_starting_together(city_postgres: Postgres, tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import REPO

    dsn = city_postgres.create_database(f"race{uuid.uuid4().hex[:10]}")
    code = (
        "import sys; from docgen.pg import Database; from docgen.numbering.postgres import PgRegistry; "
        "ledger = PgRegistry(Database(sys.argv[1]), '恩平市科工商务局'); "
        "print(ledger.allocate('恩科工商务字', 2022, sys.argv[2]).record.seq)"
    )
    starts = [
        subprocess.Popen([sys.executable, "-c", code, dsn, f"第{i}份"], cwd=REPO, stdout=subprocess.PIPE, text=True)
        for i in range(6)
    ]
    seqs = sorted(int(p.communicate(timeout=120)[0]) for p in starts)
    assert [p.returncode for p in starts] == [0] * 6
    assert seqs == [1, 2, 3, 4, 5, 6], "six processes migrating and allocating at once: one schema, six numbers"


def test_rows_lost_from_the_search_table_are_rebuilt_from_the_archive(city_postgres: Postgres, tmp_path: Path) -> None:
    from bench.corpus import generate, write_archive
    from docgen.pipeline.workspace import Workspace

    write_archive(tmp_path / "archive", generate(20, seed=3, chars=300))
    dsn = city_postgres.create_database(f"lost{uuid.uuid4().hex[:10]}")
    ws = Workspace.open(tmp_path, env={"DOCGEN_DATABASE": dsn, "DOCGEN_ORGAN": "恩平市科工商务局"})
    assert ws.search.status().reason == "尚未建立索引"
    name = ws.archive.metas()[0]["enterprises"][0]["name"]
    first = ws.search.search(build_query("", enterprise=name, limit=50))
    assert first.total >= 1 and ws.search.status().documents == 20
    with Database(dsn).transaction() as conn:
        conn.execute("DELETE FROM search_documents WHERE path IN (SELECT path FROM search_documents LIMIT 5)")
    assert ws.search.status().reason == "索引中有 15 份文件，归档库中有 20 份"
    again = ws.search.search(build_query("", enterprise=name, limit=50))
    assert [h.path for h in again.hits] == [h.path for h in first.hits], "rebuilt from the archive before searching"


def city_workspace(folder: Path, server: Postgres, store: ObjectStore, bucket: str) -> Path:
    """A workspace of the city profile: its own database, the bucket named, the example case beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    dsn = server.create_database(f"objects{uuid.uuid4().hex[:8]}")
    (folder / "docgen.toml").write_text(
        config_lines(dsn, store, bucket) + f'organ = "{CITY_ORGAN}"\n', encoding="utf-8"
    )
    shutil.copy(EXAMPLE_CASE, folder / "case.yaml")
    return folder


@pytest.mark.libreoffice
def test_every_archived_file_is_locked_in_the_bucket_and_the_store_refuses_to_lose_it(
    city_postgres: Postgres, city_objects: ObjectStore, tmp_path: Path, run_cli: RunCli
) -> None:
    import boto3
    from botocore.exceptions import ClientError

    ws = city_workspace(tmp_path, city_postgres, city_objects, "locked-archive")
    issued = run_cli("-w", str(ws), "issue", str(ws / "case.yaml"), "-k", "notice", "--json")
    assert issued.exit_code == 0, issued.err
    [result] = json.loads(issued.out)
    folder = Path(result["path"])
    relative = folder.relative_to(ws / "archive").as_posix()
    s3 = boto3.client(
        "s3", endpoint_url=city_objects.endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )  # fmt: skip
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        key = f"{CITY_ORGAN}/{relative}/{path.name}"
        head = s3.head_object(Bucket="locked-archive", Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE"
        assert head["ObjectLockRetainUntilDate"].year >= dt.date.today().year + FOREVER_YEARS, "通知: 永久"
        assert head["Metadata"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    key = f"{CITY_ORGAN}/{relative}/document.pdf"
    version = s3.head_object(Bucket="locked-archive", Key=key)["VersionId"]
    soon = {"Mode": "COMPLIANCE", "RetainUntilDate": dt.datetime.now(dt.UTC) + dt.timedelta(days=1)}
    at = {"Bucket": "locked-archive", "Key": key, "VersionId": version}
    attempts: list[tuple[str, dict[str, Any]]] = [
        ("delete_object", at),
        ("delete_object", {**at, "BypassGovernanceRetention": True}),
        ("put_object_retention", {**at, "Retention": soon}),
    ]
    for method, arguments in attempts:
        with pytest.raises(ClientError) as refused:
            getattr(s3, method)(**arguments)
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert (
        s3.get_object(Bucket="locked-archive", Key=key, VersionId=version)["Body"].read()
        == (folder / "document.pdf").read_bytes()
    ), "the locked copy is still the archived file"
    assert run_cli("-w", str(ws), "archive", "verify").exit_code == 0
    # This server's copy changed on its disk: the archive is the bucket's; the copy is never served.
    text = folder / "text.txt"
    text.chmod(0o644)
    text.write_text(text.read_text(encoding="utf-8") + "篡改", encoding="utf-8")
    assert run_cli("-w", str(ws), "archive", "verify").exit_code == 0
    assert run_cli("-w", str(ws), "index", "rebuild").exit_code == 0
    found = json.loads(run_cli("-w", str(ws), "search", "篡改", "--json").out)
    assert found == [], "the search read the text from the bucket, not the changed copy"
    assert "篡改" not in text.read_text(encoding="utf-8"), "the copy was fetched again"
    # Who can write to the bucket can put a newer version over a locked key: the old one stays, and is found.
    s3.put_object(Bucket="locked-archive", Key=key, Body=b"%PDF-1.7 forged")
    report = json.loads(run_cli("-w", str(ws), "archive", "verify", "--json").out)
    assert report["modified"] == [f"{relative}/document.pdf（对象存储中的最新版本与记录不同）"]


@pytest.mark.libreoffice
def test_a_store_out_of_reach_stores_nothing_and_the_number_waits_for_the_issue_again(
    city_postgres: Postgres, city_objects: ObjectStore, tmp_path: Path, run_cli: RunCli
) -> None:
    ws = city_workspace(tmp_path, city_postgres, city_objects, "later-archive")
    settings = (ws / "docgen.toml").read_text(encoding="utf-8")
    (ws / "docgen.toml").write_text(settings.replace(city_objects.endpoint, "http://127.0.0.1:9"), encoding="utf-8")
    failed = run_cli("-w", str(ws), "issue", str(ws / "case.yaml"), "-k", "notice")
    assert failed.exit_code != 0 and "对象存储" in failed.err and "Traceback" not in failed.err
    (ws / "docgen.toml").write_text(settings, encoding="utf-8")
    listed = json.loads(run_cli("-w", str(ws), "archive", "list", "--json").out)
    assert listed == [], "nothing is said stored that is not locked in the bucket"
    kept = json.loads(run_cli("-w", str(ws), "number", "list", "--json").out)
    issued = run_cli("-w", str(ws), "issue", str(ws / "case.yaml"), "-k", "notice", "--json")
    assert issued.exit_code == 0, issued.err
    assert [r["number"] for r in json.loads(issued.out)] == [r["number"] for r in kept], "the same number"
    assert run_cli("-w", str(ws), "archive", "verify").exit_code == 0
    again = json.loads(run_cli("-w", str(ws), "archive", "lock", "--renew", "--json").out)
    assert again["put"] == 0 and again["failed"] == [] and again["there"] >= 8, "every file there, none put twice"
    # The 四性检测 on a machine holding no file: the folders are fetched from the bucket, then checked.
    elsewhere = another_machine(ws, tmp_path / "checker")
    checked = run_cli("-w", str(elsewhere), "archive", "check", "--json")
    assert checked.exit_code == 0 and json.loads(checked.out)["documents"] == 1, checked.out


@pytest.mark.libreoffice
def test_the_records_and_the_log_in_the_database_are_checked_as_the_files_are(
    city_postgres: Postgres, city_objects: ObjectStore, tmp_path: Path, run_cli: RunCli
) -> None:
    ws = city_workspace(tmp_path, city_postgres, city_objects, "checked-records")
    assert run_cli("-w", str(ws), "issue", str(ws / "case.yaml"), "-k", "notice").exit_code == 0
    city = Workspace.open(ws, env={})
    assert city.database is not None
    [meta] = city.archive.metas()

    def verify() -> dict[str, Any]:
        return dict(json.loads(run_cli("-w", str(ws), "archive", "verify", "--json").out))

    with city.database.transaction() as conn:  # a title changed in the record, by someone with the database
        conn.execute("UPDATE archive_records SET meta = replace(meta, '工作计划', '工作安排')")
    report = verify()
    assert report["differs_from_log"] == [f"{meta['path']}/meta.json（数据库中的记录与签发时日志记录的不同）"]
    with city.database.transaction() as conn:
        conn.execute("UPDATE archive_records SET meta = replace(meta, '工作安排', '工作计划')")
    assert verify()["differs_from_log"] == []
    with city.database.transaction() as conn:  # an event's time rewritten
        conn.execute('UPDATE archive_events SET line = replace(line, \'"time": "20\', \'"time": "19\') WHERE seq = 1')
    assert any("链接不符" in p for p in verify()["log_problems"])
    with city.database.transaction() as conn:  # the storing event deleted from the end
        conn.execute('UPDATE archive_events SET line = replace(line, \'"time": "19\', \'"time": "20\') WHERE seq = 1')
        conn.execute("DELETE FROM archive_events WHERE seq = (SELECT max(seq) FROM archive_events)")
    assert any("末尾被截断或改写" in p for p in verify()["log_problems"])
    with city.database.transaction() as conn:  # the event that stored the document deleted
        conn.execute('DELETE FROM archive_events WHERE line LIKE \'%"event": "issued"%\'')
    report = verify()
    assert report["unlogged_folders"] == [f"{meta['path']}（数据库中有记录，日志中没有存入的记录）"]
    # Appending after the damage never hides it: the next event chains onto the head and says so.
    assert run_cli("-w", str(ws), "archive", "verify").exit_code != 0
    assert any("日志末尾与日志头不符" in p for p in verify()["log_problems"])


@pytest.mark.libreoffice
def test_migrate_moves_a_bureau_into_the_city_proves_it_and_finishes_after_a_kill(
    city_postgres: Postgres, city_objects: ObjectStore, issued_once: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import REPO, copy_workspace

    ws = copy_workspace(issued_once, tmp_path / "ws")
    add = ["-w", str(ws), "account", "add", "王局长", "--role", "签发", "--role", "管理员", "--password-stdin"]
    assert run_cli(*add, input="signer-password-1\n").exit_code == 0
    embedded_numbers = json.loads(run_cli("-w", str(ws), "number", "list", "--json").out)
    dsn = city_postgres.create_database(f"migrate{uuid.uuid4().hex[:8]}")
    (ws / "docgen.toml").write_text(
        config_lines(dsn, city_objects, "migrated-archive") + f'organ = "{CITY_ORGAN}"\n', encoding="utf-8"
    )
    # Killed once the numbers are in: the accounts, the index and the locked copies not yet.
    marker = tmp_path / "paused"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DOCGEN_PAUSE_AT": f"migrate-after-numbers:{marker}"}
    proc = subprocess.Popen([sys.executable, "-m", "docgen", "-w", str(ws), "migrate"], cwd=REPO, env=env)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    half = json.loads(run_cli("-w", str(ws), "number", "list", "--json").out)
    assert half == embedded_numbers, "the numbers were in before the kill"
    done = run_cli("-w", str(ws), "migrate", "--json")
    assert done.exit_code == 0, done.out
    report = json.loads(done.out)
    assert report["ok"] and report["problems"] == []
    assert report["numbers_added"] == 0 and report["numbers_there"] == len(embedded_numbers), "none twice"
    assert report["accounts_added"] == 1 and report["documents_indexed"] == 8
    assert report["queries_compared"] >= 14 and report["documents_verified"] == 8
    assert report["records_added"] == 8 and report["records_there"] == 0
    city = Workspace.open(ws, env={})
    assert city.accounts.verify("王局长", "signer-password-1") is not None, "the password hash moved as it was"
    nxt = run_cli("-w", str(ws), "number", "next", "--prefix", "恩科工商务字", "--year", "2021", "--title", "迁移后")
    assert nxt.out.strip() == "恩科工商务字〔2021〕59号", "the city's ledger carries on after the bureau's"
    again = json.loads(run_cli("-w", str(ws), "migrate", "--json").out)
    assert again["ok"] and again["accounts_added"] == again["records_added"] == 0, "a second run adds nothing"
    assert again["records_there"] == 8


def test_two_servers_on_one_database_hand_eight_clerks_400_numbers_without_a_gap(
    city_postgres: Postgres, tmp_path: Path, run_cli: RunCli
) -> None:
    """Two ``docgen serve`` processes, eight browsers taking 50 numbers each through the ledger page."""
    import concurrent.futures
    import os
    import re
    import subprocess
    import sys
    import time

    import httpx2 as httpx

    from tests.conftest import REPO
    from tools.city import free_port

    ws = tmp_path
    dsn = city_postgres.create_database(f"web{uuid.uuid4().hex[:8]}")
    (ws / "docgen.toml").write_text(f'[city]\ndatabase = "{dsn}"\norgan = "{CITY_ORGAN}"\n', encoding="utf-8")
    add = ["-w", str(ws), "account", "add", "王局长", "--role", "签发", "--role", "管理员", "--password-stdin"]
    assert run_cli(*add, input="signer-password-1\n").exit_code == 0
    ports = [free_port(), free_port()]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "docgen", "-w", str(ws), "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "a server did not start"
                    time.sleep(0.2)

        def clerk(n: int) -> list[str]:
            with httpx.Client(base_url=f"http://127.0.0.1:{ports[n % 2]}", timeout=60, follow_redirects=True) as web:
                page = web.post("/login?next=/numbers", data={"name": "王局长", "password": "signer-password-1"})
                token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
                assert token is not None, page.text[:300]
                taken = []
                for i in range(50):
                    form = {"csrf": token[1], "prefix": "恩科工商务字", "year": "2021", "title": f"第{n}位的第{i}份"}
                    done = web.post("/numbers/next", data={**form, "new_series": "1", "far_year": "1"})
                    assert "已分配：" in done.text, done.text[-800:]
                    got = re.search(r"恩科工商务字〔2021〕\d+号", done.text.split("已分配：", 1)[1])
                    assert got is not None
                    taken.append(got[0])
                return taken

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            numbers = [n for each in pool.map(clerk, range(8)) for n in each]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    assert len(numbers) == 400 and len(set(numbers)) == 400, "no number handed out twice"
    seqs = sorted(int(n.split("〕")[1].removesuffix("号")) for n in numbers)
    assert seqs == list(range(1, 401)), "no gap"
    ledger = Workspace.open(ws, env={}).numbers.records()
    assert [r.seq for r in ledger] == list(range(1, 401)) and {r.issued_by for r in ledger} == {"王局长"}


@pytest.mark.libreoffice
def test_a_queued_issue_survives_its_worker_killed_and_is_archived_once(
    city_postgres: Postgres, city_objects: ObjectStore, tmp_path: Path, run_cli: RunCli
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    ws = city_workspace(tmp_path, city_postgres, city_objects, "killed-worker")
    auto = EXAMPLE_CASE.read_text(encoding="utf-8").replace("number: 恩科工商务字〔2021〕58号", "number: auto")
    (ws / "case.yaml").write_text(auto, encoding="utf-8")
    queued = json.loads(run_cli("-w", str(ws), "issue", str(ws / "case.yaml"), "-k", "notice", "--queue", "--json").out)
    assert queued["state"] == "queued"
    marker = tmp_path / "paused"
    env = {**os.environ, "PYTHONPATH": str(REPO), "DOCGEN_PAUSE_AT": f"archive-before-commit:{marker}"}
    first = subprocess.Popen(
        [sys.executable, "-m", "docgen", "-w", str(ws), "worker", "--once", "--lease", "4"],
        cwd=REPO,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while not marker.exists():
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGKILL)  # the worker and its LibreOffice, mid-archive
    first.wait(timeout=30)
    [job] = json.loads(run_cli("-w", str(ws), "jobs", "--json").out)
    assert job["state"] == "running" and job["attempts"] == 1, "held by the killed worker until its lease ends"
    elsewhere = another_machine(ws, tmp_path / "another-machine")  # without the case file
    second = run_cli("-w", str(elsewhere), "worker", "--once", "--idle-exit", "30")  # waits out the lease
    assert second.exit_code == 0 and "做完 1 个任务" in second.out, second.err
    [job] = json.loads(run_cli("-w", str(ws), "jobs", "--json").out)
    assert (job["state"], job["attempts"]) == ("done", 2)
    assert [r["number"] for r in job["result"]] == ["恩科工商务字〔2021〕1号"], "the number the killed worker took"
    listed = json.loads(run_cli("-w", str(ws), "archive", "list", "--json").out)
    assert [m["number"] for m in listed] == ["恩科工商务字〔2021〕1号"], "archived once, though issued twice"
    assert run_cli("-w", str(ws), "archive", "verify").exit_code == 0
    assert run_cli("-w", str(ws), "number", "check").exit_code == 0
    events = [e["event"] for e in Workspace.open(ws, env={}).archive.log.events()]
    assert events == ["store_started", "store_started", "issued", "verified"], "the killed one's rolled back"
    report = json.loads(run_cli("-w", str(ws), "archive", "verify", "--json").out)
    assert report["ok"] and len(report["interrupted_copies"]) == 1, "its copies in the bucket are said, not damage"


def another_machine(ws: Path, folder: Path) -> Path:
    """An empty workspace naming the same database and bucket as ``ws``: another machine of the city."""
    folder.mkdir()
    shutil.copy(ws / "docgen.toml", folder / "docgen.toml")
    return folder


def reviewed_draft(ws: Workspace) -> str:
    """A notice drafted, submitted and passed by its reviewer: the 签发 is next."""
    from docgen.pipeline.accounts import add_account
    from docgen.pipeline.drafting import new_draft, save_draft, take_step, view_draft

    people = {
        n: add_account(ws, n, "a-long-password-1", r)
        for n, r in (("陈拟稿", ("drafter",)), ("林核稿", ("reviewer",)), ("黄局长", ("signer",)))
    }
    draft = new_draft(ws, people["陈拟稿"], "notice", "关于做好年度统计报表报送工作的通知", prefix="恩科工商务字")
    values = {**view_draft(ws, draft.id).values, "notice.recipients": "各有关企业", "notice.body": "请按时报送。"}
    save_draft(ws, people["陈拟稿"], draft.id, values)
    take_step(ws, people["陈拟稿"], draft.id, "submit")
    take_step(ws, people["林核稿"], draft.id, "pass", "拟同意。")
    return draft.id


def serve(ws: Path, port: int, pause: str | None = None) -> Any:
    """A real ``docgen serve`` on ``port``, answering (``pause``: a DOCGEN_PAUSE_AT point)."""
    import os
    import subprocess
    import sys
    import time

    import httpx2 as httpx

    from tests.conftest import REPO

    env = {**os.environ, "PYTHONPATH": str(REPO), **({"DOCGEN_PAUSE_AT": pause} if pause else {})}
    command = [sys.executable, "-m", "docgen", "-w", str(ws), "serve", "--port", str(port)]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
        except httpx.HTTPError:
            assert server.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        else:
            return server


@pytest.mark.libreoffice
def test_a_server_killed_between_sign_off_and_its_job_queues_it_once_when_it_starts_again(
    city_postgres: Postgres, city_objects: ObjectStore, tmp_path: Path, run_cli: RunCli
) -> None:
    """签发 in the browser of a real ``docgen serve``, killed with SIGKILL before the job is queued.

    The worker that issues it runs in another workspace folder (another machine): the draft, the
    number, the records and the files reach it through the database and the bucket only.
    """
    import os
    import re
    import signal
    import threading
    import time

    import httpx2 as httpx

    from docgen.drafts import Stage
    from tools.city import free_port

    ws_path = city_workspace(tmp_path / "ws", city_postgres, city_objects, f"signed{uuid.uuid4().hex[:8]}")
    with (ws_path / "docgen.toml").open("a", encoding="utf-8") as toml:
        toml.write('[issuer]\nname = "恩平市科工商务局"\nprefix = "恩科工商务字"\n')
    draft_id = reviewed_draft(Workspace.open(ws_path, env={}))
    marker = tmp_path / "paused"
    port = free_port()
    server = serve(ws_path, port, f"draft-before-queue:{marker}")
    signer = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
    assert signer.post("/login", data={"name": "黄局长", "password": "a-long-password-1"}).status_code in (200, 303)
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', signer.get(f"/drafts/{draft_id}").text)
    assert csrf is not None
    form = {"csrf": csrf[1], "step": "sign", "opinion": "同意。"}
    pressed = threading.Thread(target=lambda: _ignore(lambda: signer.post(f"/drafts/{draft_id}/step", data=form)))
    pressed.start()  # the 签发 button: its answer never comes, the server dies first
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert server.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=30)
    pressed.join(timeout=60)
    signed = Workspace.open(ws_path, env={}).drafts.get(draft_id)
    assert signed is not None and signed.stage is Stage.SIGNED, "signed off, and killed before the job"
    assert json.loads(run_cli("-w", str(ws_path), "jobs", "--json").out) == []
    # Two servers start again at once: the signed-off draft is queued, once.
    again = [serve(ws_path, free_port()), serve(ws_path, free_port())]
    for restarted in again:
        restarted.terminate()
        restarted.wait(timeout=30)
    [job] = json.loads(run_cli("-w", str(ws_path), "jobs", "--json").out)
    assert (job["kind"], job["state"]) == ("issue_draft", "queued")
    elsewhere = another_machine(ws_path, tmp_path / "worker-machine")  # no draft, no file of its own
    worked = run_cli("-w", str(elsewhere), "worker", "--once", "--idle-exit", "30")
    assert worked.exit_code == 0, worked.err
    shown = Workspace.open(ws_path, env={}).drafts.get(draft_id)
    assert shown is not None and shown.stage is Stage.ISSUED, shown
    [issued] = shown.issued
    assert issued["number"].startswith("恩科工商务字〔") and issued["number"].endswith("〕1号")
    [meta] = Workspace.open(ws_path, env={}).archive.metas()
    assert meta["archived_by"] == "黄局长" and "sheet.pdf" in meta["files"]
    assert run_cli("-w", str(ws_path), "archive", "verify").exit_code == 0
    assert run_cli("-w", str(ws_path), "number", "check").exit_code == 0


def _ignore(call: Any) -> None:
    """Make a request whose connection is cut (the server killed mid-way)."""
    import contextlib

    import httpx2 as httpx

    with contextlib.suppress(httpx.HTTPError):
        call()


def test_a_city_database_out_of_reach_is_said_on_every_page_not_a_server_error(tmp_path: Path, run_cli: RunCli) -> None:
    from starlette.testclient import TestClient

    from docgen.web import ServerOptions, create_app
    from tools.city import free_port

    gone = f"postgresql://docgen@127.0.0.1:{free_port()}/docgen"  # nothing listens there
    (tmp_path / "docgen.toml").write_text(f'[city]\ndatabase = "{gone}"\norgan = "{CITY_ORGAN}"\n', encoding="utf-8")
    web = TestClient(create_app(Workspace.open(tmp_path, env={}), ServerOptions()))
    for path in ("/search?q=华艺", "/numbers", "/"):
        page = web.get(path)
        assert page.status_code == 503, path
        assert "无法连接城市版数据库" in page.text and "请稍后再试" in page.text and "Traceback" not in page.text
    doctor = run_cli("-w", str(tmp_path), "doctor")
    assert doctor.exit_code != 0 and "城市版数据库：" in doctor.out and "（连不上）" in doctor.out, doctor.out
    assert "无法连接城市版数据库" in doctor.out + doctor.err and "Traceback" not in doctor.err


def test_the_schema_head_docgen_checks_is_alembics_newest_revision() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from docgen.pg import MIGRATIONS, SCHEMA_HEAD

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


@dataclass(frozen=True)
class Organs:
    """Three organs on one database and one bucket: two with archives, the city archive's own office."""

    enping: Path  # the example, migrated in
    taishan: Path  # three generated documents
    records: Path  # 江门市档案馆: no documents, one 市档案员
    source: Path  # the example's embedded workspace, to compare files with


PEOPLE = {"records": ("陈档案", "city-archivist-1", "市档案员"), "enping": ("赵档案", "archivist-password-4", "档案员")}


@pytest.fixture(scope="module")
def organs(
    city_postgres: Postgres, city_objects: ObjectStore, issued_once: Path, tmp_path_factory: pytest.TempPathFactory
) -> Organs:
    from bench.corpus import generate, write_archive
    from docgen.archive.city import CityArchive
    from docgen.archive.store import Archive
    from docgen.pipeline.accounts import add_account
    from docgen.pipeline.migrating import migrate_to_city
    from tests.conftest import copy_workspace

    name = uuid.uuid4().hex[:10]
    shared = config_lines(city_postgres.create_database(f"organs{name}"), city_objects, f"organs{name}")
    folder = tmp_path_factory.mktemp("organs")
    enping = copy_workspace(issued_once, folder / "enping")
    (enping / "docgen.toml").write_text(shared + f'organ = "{CITY_ORGAN}"\n', encoding="utf-8")
    assert migrate_to_city(Workspace.open(enping, env={})).ok
    taishan = folder / "taishan"
    write_archive(taishan / "archive", generate(3, seed=7, chars=200))
    (taishan / "docgen.toml").write_text(shared + 'organ = "台山市工业和信息化局"\n', encoding="utf-8")
    archive = Workspace.open(taishan, env={}).archive
    assert isinstance(archive, CityArchive) and archive.adopt(Archive(taishan / "archive"))[0] == 3
    records = folder / "jiangmen"
    records.mkdir()
    (records / "docgen.toml").write_text(shared + 'organ = "江门市档案馆"\n', encoding="utf-8")
    made = Organs(enping, taishan, records, issued_once)
    for key, (person, password, role) in PEOPLE.items():
        add_account(Workspace.open(getattr(made, key), env={}), person, password, [role])
    return made


def signed_in(organs: Organs, key: str) -> Any:
    """A browser on ``key``'s server, signed in as its person."""
    from starlette.testclient import TestClient

    from docgen.web import ServerOptions, create_app

    person, password, _ = PEOPLE[key]
    web = TestClient(create_app(Workspace.open(getattr(organs, key), env={}), ServerOptions()))
    assert web.post("/login", data={"name": person, "password": password}).status_code == 200
    return web


@pytest.mark.libreoffice
def test_the_city_archivist_reads_every_organs_archive_from_a_server_that_holds_none(organs: Organs) -> None:
    import re

    from docgen.pipeline.office import document_id

    archivist = signed_in(organs, "records")
    listed = archivist.get("/organs").text
    row = r'<td>([^<]+?)(?: <span class="tag">本机关</span>)?</td>\s*<td class="documents">(\d+)</td>'
    rows = re.findall(row, listed)
    assert sorted(rows) == sorted([(CITY_ORGAN, "8"), ("台山市工业和信息化局", "3")])
    browse = archivist.get("/browse", params={"organ": CITY_ORGAN})
    assert browse.status_code == 200 and "：8 份" in browse.text and "正在查阅：恩平市科工商务局" in browse.text
    metas = Workspace.open(organs.enping, env={}).archive.metas()
    [notice] = [m for m in metas if m.get("number") == "恩科工商务字〔2021〕58号"]
    doc = document_id(notice["path"])
    assert f"/doc/{doc}?organ=" in browse.text, "the links keep the organ looked at"
    page = archivist.get(f"/doc/{doc}", params={"organ": CITY_ORGAN}).text
    assert "核验通过" in page and "恩科工商务字〔2021〕58号" in page
    pdf = archivist.get(f"/doc/{doc}/document.pdf", params={"organ": CITY_ORGAN})
    assert pdf.content == (organs.source / "archive" / notice["path"] / "document.pdf").read_bytes()
    found = archivist.get("/search", params={"organ": "台山市工业和信息化局", "q": "有限公司"}).text
    assert found.count('class="title"') == 3
    assert archivist.get("/browse", params={"organ": "不存在的机关"}).status_code == 404
    assert 'href="/organs"' in archivist.get("/search").text, "the 市档案员's pages offer the organs"


@pytest.mark.libreoffice
def test_nobody_else_crosses_organs_and_the_attempt_is_on_record(
    organs: Organs, tmp_path: Path, run_cli: RunCli
) -> None:
    clerk = signed_in(organs, "enping")
    assert 'href="/organs"' not in clerk.get("/search").text
    assert clerk.get("/organs").status_code == 403
    refused = clerk.get("/browse", params={"organ": "台山市工业和信息化局"})
    assert refused.status_code == 403 and "没有“查阅其他机关的归档文件”的权限" in refused.text
    tried = [e for e in Workspace.open(organs.enping, env={}).archive.log.events() if e["event"] == "refused"]
    assert [(e["account"], e["action"]) for e in tried] == [("赵档案", "read_other_organs")] * 2
    # A bureau on its own has no other organ to read: the role is refused there.
    alone = ["-w", str(tmp_path), "account", "add", "钱某", "--role", "市档案员", "--password-stdin"]
    said = run_cli(*alone, input="long-password-9\n")
    assert said.exit_code != 0 and "只用于城市版" in said.err


@pytest.mark.libreoffice
def test_rows_a_tamperer_writes_into_the_database_are_refused_never_followed(
    city_postgres: Postgres, city_objects: ObjectStore, tmp_path: Path, run_cli: RunCli
) -> None:
    """Found by an attack run: a record's folder of ``../..`` made the cache delete files outside the archive."""
    from starlette.testclient import TestClient

    from docgen.archive.city import PgEventLog
    from docgen.pipeline.office import document_id
    from docgen.web import ServerOptions, create_app

    ws = city_workspace(tmp_path / "ws", city_postgres, city_objects, f"tamper{uuid.uuid4().hex[:8]}")
    assert run_cli("-w", str(ws), "issue", str(ws / "case.yaml"), "-k", "notice").exit_code == 0
    city = Workspace.open(ws, env={})
    assert city.database is not None and isinstance(city.archive.log, PgEventLog)
    [notice] = city.archive.metas()
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "text.txt").write_text("不属于归档库的文件", encoding="utf-8")
    (victim / "document.pdf").write_bytes(b"%PDF-1.7 not the archive's")
    outside = "../../victim"
    forged = json.dumps({**notice, "path": None, "files": {"text.txt": "0" * 64, "document.pdf": "0" * 64}})
    bad_name = json.dumps({**notice, "path": None, "files": {"../../victim/text.txt": "0" * 64}})
    with city.database.transaction() as conn:
        insert = "INSERT INTO archive_records (organ, path, identity, version, meta) VALUES (%s, %s, %s, 1, %s)"
        conn.execute(insert, (CITY_ORGAN, outside, "forged#1", forged))
        conn.execute(insert, (CITY_ORGAN, "2021/05/25/伪造", "forged#2", bad_name))
        conn.execute(
            insert, (CITY_ORGAN, "2021/05/26/未知算法", "forged#3", json.dumps({**notice, "digests": {"md5": {}}}))
        )
    city.archive.log.append("filled", path=notice["path"], values={"title": "已撤销", "date": "第一年"})
    city.archive.log.append("filled", path=notice["path"], values=["不是字段"])
    assert run_cli("-w", str(ws), "index", "rebuild").exit_code == 0
    web = TestClient(create_app(Workspace.open(ws, env={}), ServerOptions()))
    assert web.get(f"/doc/{document_id(outside)}/document.pdf").status_code == 404
    assert (victim / "text.txt").is_file() and (victim / "document.pdf").is_file(), "nothing outside was touched"
    listed = json.loads(run_cli("-w", str(ws), "archive", "list", "--json").out)
    assert [(m["title"], m["date"]) for m in listed] == [(notice["title"], notice["date"])], "no forged fill applied"
    report = json.loads(run_cli("-w", str(ws), "archive", "verify", "--json").out)
    assert not report["ok"]
    damaged = "\n".join(report["damaged_records"])
    assert "../../victim：不是归档库的文件夹名" in damaged and "伪造" in damaged and "未知算法" in damaged
    assert sum("补录" in p and "未采用" in p for p in report["log_problems"]) == 2
    # The bucket out of reach: said, never an internal error.
    settings = (ws / "docgen.toml").read_text(encoding="utf-8")
    (ws / "docgen.toml").write_text(settings.replace(city_objects.endpoint, "http://127.0.0.1:9"), encoding="utf-8")
    renewed = run_cli("-w", str(ws), "archive", "lock", "--renew")
    assert renewed.exit_code != 0 and "对象存储" in renewed.err and "内部错误" not in renewed.err, renewed.err
    (ws / "docgen.toml").write_text(settings, encoding="utf-8")
    # The document's record and the event that stored it deleted (its start left): its locked copies tell.
    with city.database.transaction() as conn:
        conn.execute("DELETE FROM archive_records WHERE path = %s", (notice["path"],))
        stored = f'%"event": "issued"%"path": "{notice["path"]}"%'
        conn.execute("DELETE FROM archive_events WHERE line LIKE %s", (stored,))
    report = json.loads(run_cli("-w", str(ws), "archive", "verify", "--json").out)
    assert report["unrecorded_copies"] == [notice["path"]]


@pytest.mark.libreoffice
def test_two_workspaces_of_one_organ_with_a_case_yaml_each_issue_two_documents(
    city_postgres: Postgres, city_objects: ObjectStore, tmp_path: Path, run_cli: RunCli
) -> None:
    """Found by an attack run: the second was archived as a new version of the first, under its number."""
    first = city_workspace(tmp_path / "first", city_postgres, city_objects, f"two{uuid.uuid4().hex[:8]}")
    second = another_machine(first, tmp_path / "second")
    auto = EXAMPLE_CASE.read_text(encoding="utf-8").replace("number: 恩科工商务字〔2021〕58号", "number: auto")
    (first / "case.yaml").write_text(auto, encoding="utf-8")
    (second / "case.yaml").write_text(
        auto.replace("推动落后产能退出工作计划的通知", "另一件事情的通知", 1), encoding="utf-8"
    )
    numbers = []
    for ws in (first, second):
        issued = run_cli("-w", str(ws), "issue", str(ws / "case.yaml"), "-k", "notice", "--json")
        assert issued.exit_code == 0, issued.err
        [result] = json.loads(issued.out)
        assert result["status"] == "issued", result
        numbers.append(result["number"])
    assert numbers == ["恩科工商务字〔2021〕1号", "恩科工商务字〔2021〕2号"]
    listed = json.loads(run_cli("-w", str(second), "archive", "list", "--json").out)
    assert sorted(m["version"] for m in listed) == [1, 1], "two documents, not two versions of one"
    again = json.loads(run_cli("-w", str(first), "issue", str(first / "case.yaml"), "-k", "notice", "--json").out)
    assert [r["status"] for r in again] == ["unchanged"], "each workspace still knows its own case"
