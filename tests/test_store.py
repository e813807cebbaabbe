"""The archive's record of itself: SHA-256 and SM3 of every file, a chained event log, the tree checked against it."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest

from docgen.archive.city import PgEventLog
from docgen.archive.digests import SM3_PROVIDER, digest_bytes, file_digests, read_manifest
from docgen.archive.store import Archive
from docgen.pg import Database
from docgen.pipeline.migrating import migrate_to_city
from docgen.pipeline.workspace import Workspace
from tests.conftest import RunCli, city_settings, copy_workspace
from tools.city import Postgres

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory, issued_once: Path) -> Path:
    return copy_workspace(issued_once, tmp_path_factory.mktemp("issued"))


@pytest.fixture
def archive(issued: Path, tmp_path: Path) -> Path:
    """A fresh copy of the issued workspace, made writable as a tamperer would."""
    ws = tmp_path / "ws"
    shutil.copytree(issued, ws)
    for path in ws.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return ws / "archive"


@pytest.fixture(scope="module")
def city_issued(request: pytest.FixtureRequest, issued: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issued workspace moved into the city once (its database the template of each test's copy)."""
    moved = copy_workspace(issued, tmp_path_factory.mktemp("city-issued"))
    (moved / "docgen.toml").write_text(city_settings(request), encoding="utf-8")
    assert migrate_to_city(Workspace.open(moved, env={})).ok
    Database.close_all()  # nobody connected: the database can be copied
    return moved


@pytest.fixture
def logged(profile: str, archive: Path, request: pytest.FixtureRequest) -> Path:
    """``archive``, or for the city a copy of the moved workspace with a database of its own (one bucket shared)."""
    if profile == "embedded":
        return archive
    moved: Path = request.getfixturevalue("city_issued")
    server: Postgres = request.getfixturevalue("city_postgres")
    settings = (moved / "docgen.toml").read_text(encoding="utf-8")
    template = re.search(r'database = "[^"]*/([^/"]+)"', settings)
    assert template is not None
    ws = archive.parent.parent / "city-ws"
    shutil.copytree(moved, ws)
    dsn = server.create_database(f"s{uuid.uuid4().hex[:12]}", template=template[1])
    (ws / "docgen.toml").write_text(re.sub(r'database = "[^"]*"', f'database = "{dsn}"', settings), encoding="utf-8")
    return ws / "archive"


def city_log(archive: Path) -> PgEventLog | None:
    """The city's event log of the workspace, or None for the embedded one."""
    log = Workspace.open(archive.parent, env={}).archive.log
    return log if isinstance(log, PgEventLog) else None


def verify(run_cli: RunCli, archive: Path) -> dict[str, Any]:
    result = run_cli("-w", str(archive.parent), "archive", "verify", "--json")
    report: dict[str, Any] = json.loads(result.out)
    assert (result.exit_code == 0) == report["ok"]
    return report


def test_every_file_has_both_digests_named_by_algorithm(archive: Path, run_cli: RunCli) -> None:
    folders = [p.parent for p in archive.glob("2021/*/*/*/meta.json")]
    assert len(folders) == 8
    for folder in folders:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        assert set(meta["digests"]) == {"sha256", "sm3"}
        sha, sm3 = read_manifest(folder / "manifest-sha256.txt"), read_manifest(folder / "manifest-sm3.txt")
        assert set(sha) == set(sm3) == {p.name for p in folder.iterdir() if not p.name.startswith("manifest-")}
        for name in sha:
            actual = file_digests(folder / name)
            assert (actual["sha256"], actual["sm3"]) == (sha[name], sm3[name])
    # SM3 of "abc", GB/T 32905-2016 appendix A: the provider really is SM3.
    assert digest_bytes(b"abc", "sm3") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    events = [json.loads(line) for line in (archive / "events.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {e["sm3_provider"] for e in events if e["event"] == "issued"} == {SM3_PROVIDER}
    assert verify(run_cli, archive)["ok"] is True


def lines_of(archive: Path) -> list[str]:
    """The event log's lines: events.jsonl, or the city's rows."""
    log = city_log(archive)
    return log.lines() if log else (archive / "events.jsonl").read_text(encoding="utf-8").splitlines()


def write_lines(archive: Path, lines: list[str]) -> None:
    """Rewrite the log's lines as a tamperer would (events.jsonl, or the rows), leaving its head as it is."""
    log = city_log(archive)
    if log is None:
        (archive / "events.jsonl").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return
    with log.session.database.transaction() as conn:
        conn.execute("DELETE FROM archive_events WHERE organ = %s", (log.organ,))
        for seq, line in enumerate(lines, start=1):
            conn.execute("INSERT INTO archive_events (organ, seq, line) VALUES (%s, %s, %s)", (log.organ, seq, line))


def delete_head(archive: Path) -> None:
    """Remove what records the log's end: events.head, or the organ's head row."""
    log = city_log(archive)
    if log is None:
        (archive / "events.head").unlink()
        return
    with log.session.database.transaction() as conn:
        conn.execute("DELETE FROM archive_heads WHERE organ = %s", (log.organ,))


def test_an_edited_event_is_found(logged: Path, run_cli: RunCli) -> None:
    archive = logged
    lines = lines_of(archive)
    lines[2] = lines[2].replace('"user": "', '"user": "某人', 1)
    write_lines(archive, lines)
    report = verify(run_cli, archive)
    assert not report["ok"]
    assert any("第4行与上一行的链接不符" in p for p in report["log_problems"])


def test_a_deleted_event_is_found(logged: Path, run_cli: RunCli) -> None:
    archive = logged
    lines = lines_of(archive)
    del lines[3]
    write_lines(archive, lines)
    report = verify(run_cli, archive)
    problems = report["log_problems"]
    assert any("第4行" in p and "链接不符" in p for p in problems)
    assert any("第4行的序号是 5" in p for p in problems)
    assert report["unlogged_folders"], "the folder whose event went is no longer accounted for"


def test_a_truncated_log_is_found(logged: Path, run_cli: RunCli) -> None:
    archive = logged
    write_lines(archive, lines_of(archive)[:-2])
    report = verify(run_cli, archive)
    assert any("末尾被截断或改写" in p for p in report["log_problems"])


def test_a_removed_folder_without_a_number_is_named(archive: Path, run_cli: RunCli) -> None:
    [gone] = list(archive.glob("2021/*/*/验收记录-恩平市华艺陶瓷有限公司"))
    shutil.rmtree(gone)
    report = verify(run_cli, archive)
    assert report["documents"] == 7
    [missing] = report["missing_folders"]
    assert "验收记录-恩平市华艺陶瓷有限公司" in missing


def test_a_renamed_folder_is_named_twice(archive: Path, run_cli: RunCli) -> None:
    [folder] = list(archive.glob("2021/*/*/验收记录-恩平市华艺陶瓷有限公司"))
    folder.rename(folder.with_name("验收记录-某公司"))
    report = verify(run_cli, archive)
    assert any("华艺" in p for p in report["missing_folders"])
    assert any(p.endswith("验收记录-某公司") for p in report["unlogged_folders"])


def test_metadata_rewritten_with_its_manifest_lines_is_found(archive: Path, run_cli: RunCli) -> None:
    [folder] = list(archive.glob("2021/*/*/验收记录-恩平市华艺陶瓷有限公司"))
    meta_file = folder / "meta.json"
    meta_file.write_text(meta_file.read_text(encoding="utf-8").replace("华艺", "华美"), encoding="utf-8")
    new = file_digests(meta_file)
    for algorithm in ("sha256", "sm3"):  # the tamperer fixes both manifests too
        manifest = folder / f"manifest-{algorithm}.txt"
        listed = read_manifest(manifest)
        listed["meta.json"] = new[algorithm]
        manifest.write_text("".join(f"{d}  {n}\n" for n, d in sorted(listed.items())), encoding="utf-8")
    report = verify(run_cli, archive)
    assert report["modified"] == [] and report["missing"] == []
    [changed] = report["differs_from_log"]
    assert "华艺" in changed and "meta.json" in changed


def make_legacy(archive: Path) -> None:
    """As an archive made before SM3 and the chain: SHA-256 manifests only, plain log lines, no head."""
    for manifest in archive.glob("2021/*/*/*/manifest-sm3.txt"):
        manifest.unlink()
    legacy = []
    for line in lines_of(archive):
        record = json.loads(line)
        for key in ("seq", "prev_sm3", "digests", "meta_digests", "sm3_provider"):
            record.pop(key, None)
        legacy.append(json.dumps(record, ensure_ascii=False))
    write_lines(archive, legacy)
    (archive / "events.head").unlink()


def test_an_archive_from_before_sm3_is_named_then_gets_its_manifests_added_and_nothing_rewritten(
    archive: Path, run_cli: RunCli
) -> None:
    make_legacy(archive)
    before = verify(run_cli, archive)
    assert len(before["without_sm3"]) == 8
    assert any("docgen archive add-sm3" in p for p in before["log_problems"]), "an unchained log is said"
    stored = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in archive.glob("2021/*/*/*/*")}
    result = run_cli("-w", str(archive.parent), "archive", "add-sm3", "--json")
    assert result.exit_code == 0, result.err
    added = json.loads(result.out)["added"]
    assert len(added) == 8
    assert all((p.read_bytes(), p.stat().st_mtime_ns) == before for p, before in stored.items()), "nothing rewritten"
    for folder in (archive / path for path in added):
        sm3 = read_manifest(folder / "manifest-sm3.txt")
        assert sm3 == {name: file_digests(folder / name)["sm3"] for name in sm3}
        assert not os.access(folder / "manifest-sm3.txt", os.W_OK) or os.geteuid() == 0
    events = [json.loads(line) for line in lines_of(archive)]
    assert [e["path"] for e in events if e["event"] == "sm3_added"] == added
    assert verify(run_cli, archive)["ok"] is True
    again = json.loads(run_cli("-w", str(archive.parent), "archive", "add-sm3", "--json").out)
    assert again["added"] == [], "a second run adds nothing"


def test_old_log_lines_are_sealed_by_the_first_chained_event(archive: Path, run_cli: RunCli) -> None:
    make_legacy(archive)
    assert run_cli("-w", str(archive.parent), "archive", "add-sm3").exit_code == 0
    assert verify(run_cli, archive)["ok"] is True
    lines = lines_of(archive)
    lines[1] = lines[1].replace('"user": "', '"user": "某人', 1)  # an old, unchained line edited
    write_lines(archive, lines)
    problems = verify(run_cli, archive)["log_problems"]
    assert any("链接开始前的旧记录" in p for p in problems), problems


def test_a_file_changed_with_its_manifest_lines_is_found_against_the_log(archive: Path, run_cli: RunCli) -> None:
    [folder] = list(archive.glob("2021/*/*/验收记录-恩平市华艺陶瓷有限公司"))
    pdf = folder / "document.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01  # same size: only the digests can tell
    pdf.write_bytes(bytes(data))
    new = file_digests(pdf)
    for algorithm in ("sha256", "sm3"):
        manifest = folder / f"manifest-{algorithm}.txt"
        listed = read_manifest(manifest)
        listed["document.pdf"] = new[algorithm]
        manifest.write_text("".join(f"{d}  {n}\n" for n, d in sorted(listed.items())), encoding="utf-8")
    report = verify(run_cli, archive)
    assert report["modified"] == []
    [differs] = report["differs_from_log"]
    assert "华艺" in differs and differs.split("（")[0].endswith("/document.pdf")


def test_a_removed_sm3_manifest_is_missing(archive: Path, run_cli: RunCli) -> None:
    [folder] = list(archive.glob("2021/*/*/验收记录-恩平市华艺陶瓷有限公司"))
    (folder / "manifest-sm3.txt").unlink()
    report = verify(run_cli, archive)
    assert [m for m in report["missing"] if m.endswith("/manifest-sm3.txt")], report
    assert report["without_sm3"] == [], "a folder issued with SM3 is not mistaken for an old one"


@pytest.mark.parametrize("damage", ["last line deleted", "head deleted"])
def test_a_damaged_log_end_stays_found_after_later_events(logged: Path, run_cli: RunCli, damage: str) -> None:
    """A verify (or an issue) appends an event after the damage; the append must not cover it up."""
    archive = logged
    if damage == "last line deleted":
        write_lines(archive, lines_of(archive)[:-1])
    else:
        delete_head(archive)
    for _ in range(2):
        assert verify(run_cli, archive)["ok"] is False
    problems = verify(run_cli, archive)["log_problems"]
    assert any("写入时发现" in p for p in problems), problems


def test_appends_read_only_the_logs_end_and_read_it_all_when_in_doubt(archive: Path) -> None:
    store = Archive(archive)
    before = len(lines_of(archive))

    def note(n: int) -> None:
        with store.locked():
            store.log.append("note", n=n)

    note(1)
    note(2)
    assert store.log.problems() == []
    head = json.loads((archive / "events.head").read_text(encoding="utf-8"))
    del head["bytes"]  # as a head from before it recorded the log's size: the whole log is read
    (archive / "events.head").write_text(json.dumps(head), encoding="utf-8")
    note(3)
    assert store.log.problems() == []
    with (archive / "events.jsonl").open("ab") as fh:
        fh.write(b'{"event": "torn')  # a power cut in the middle of a line
    note(4)
    assert [json.loads(line)["seq"] for line in lines_of(archive) if "torn" not in line] == [
        *range(1, before + 4),
        before + 5,
    ]
    assert store.log.problems() == [f"第{before + 4}行不是完整的记录（被改动，或写入时中断）"]


def rewrite_manifests(folder: Path, change: Any) -> None:
    """Apply ``change(listed, algorithm)`` to both manifests of a folder, as a careful tamperer would."""
    for algorithm in ("sha256", "sm3"):
        manifest = folder / f"manifest-{algorithm}.txt"
        listed = read_manifest(manifest)
        change(listed, algorithm)
        manifest.write_text("".join(f"{d}  {n}\n" for n, d in sorted(listed.items())), encoding="utf-8")


def test_files_removed_or_added_with_their_manifest_lines_are_found(archive: Path, run_cli: RunCli) -> None:
    [folder] = list(archive.glob("2021/*/*/验收记录-恩平市华艺陶瓷有限公司"))
    for name in ("document.pdf", "document.docx"):
        (folder / name).unlink()
    (folder / "payload.exe").write_bytes(b"MZ")
    payload = file_digests(folder / "payload.exe")

    def change(listed: dict[str, str], algorithm: str) -> None:
        del listed["document.pdf"], listed["document.docx"]
        listed["payload.exe"] = payload[algorithm]

    rewrite_manifests(folder, change)
    report = verify(run_cli, archive)
    assert {m.split("（")[0].rsplit("/", 1)[1] for m in report["missing"]} == {"document.pdf", "document.docx"}
    assert any(d.split("（")[0].endswith("/payload.exe") for d in report["differs_from_log"])


def test_a_forged_second_storing_event_is_found(archive: Path, run_cli: RunCli) -> None:
    """Without a key a tamperer can extend the chain; a folder stored twice still gives it away."""
    [folder] = list(archive.glob("2021/*/*/验收记录-恩平市华艺陶瓷有限公司"))
    store = Archive(archive)
    first = next(e for e in store.log.events() if e.get("path") == folder.relative_to(archive).as_posix())
    with store.locked():
        store.log.append(
            "issued", **{k: v for k, v in first.items() if k not in ("time", "user", "event", "seq", "prev_sm3")}
        )
    report = verify(run_cli, archive)
    assert store.log.problems() == [], "the chain itself holds"
    assert any("又一次记录存入" in d for d in report["differs_from_log"])
