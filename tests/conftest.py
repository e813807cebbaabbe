"""Shared fixtures: an isolated environment, a CLI runner and one real rendering of the seed."""

from __future__ import annotations

import fcntl
import functools
import io
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from docgen.cli import main
from docgen.convert import libreoffice, pool
from tests.conversion_cache import ConversionCache, real_soffice
from tools.city import ObjectStore, Postgres, config_lines

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CASE = REPO / "examples" / "enping-2021" / "case.yaml"
SEED = REPO.parent / "shared" / "seed" / "enping-2021-notice.txt"


# The files that take longest go first (pytest-xdist hands out whole files in this order), so the
# two workers end together, and each session-wide fixture below is made by a file that starts
# early, not waited for by a worker with nothing else to do. Measured with --durations.
SLOWEST_FILES = (
    "test_pages.py",
    "test_import_scans.py",
    "test_issue_kill.py",
    "test_city.py",
    "test_attacks.py",
    "test_batch.py",
    "test_forms.py",
    "test_docxform.py",
    "test_wheel.py",
    "test_issue.py",
    "test_web.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the files slowest first (the tests within a file keep their order)."""
    rank = {name: i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def session_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This test session's own folder, shared by its pytest-xdist workers and by no other session."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """``make`` a folder once per session, whichever worker asks first; the others wait and reuse it.

    What is made here is read, or copied, by the tests: never changed.
    """
    shared = session_folder(tmp_path_factory) / name
    done = shared.parent / f"{name}.made"
    with (shared.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            make(shared)
            done.touch()
    return shared


@pytest.fixture(scope="session", autouse=True)
def conversion_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConversionCache]:
    """Each distinct DOCX converted by the real LibreOffice once per session (``conversion_cache``).

    The folder is this session's: shared by pytest-xdist's workers, never by another session
    (whose code may convert otherwise).
    """
    folder = session_folder(tmp_path_factory) / "conversions"
    folder.mkdir(exist_ok=True)
    cache = ConversionCache(folder, libreoffice.run_batch, real_soffice())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(libreoffice, "run_batch", cache.run_batch)
        patch.setattr(pool, "run_batch", cache.run_batch)
        yield cache


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the user's HOME and DOCGEN_* settings out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "DOCGEN_WORKSPACE",
        "DOCGEN_TEMPLATES",
        "DOCGEN_FONTS",
        "DOCGEN_ARCHIVE",
        "DOCGEN_INDEX",
        "DOCGEN_SOFFICE",
        "DOCGEN_CONVERT_TIMEOUT",
        "DOCGEN_DATABASE",
        "DOCGEN_ORGAN",
        "DOCGEN_S3_ENDPOINT",
        "DOCGEN_S3_BUCKET",
        "DOCGEN_S3_ACCESS_KEY",
        "DOCGEN_S3_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)


# The two profiles every store test runs against: the embedded default (SQLite files and folders)
# and the city's server profile (PostgreSQL, started on loopback by this session).
PROFILES = ("embedded", "city")
CITY_ORGAN = "恩平市科工商务局"


@pytest.fixture(scope="session")
def city_postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster of this worker's own, on loopback, stopped when the session ends.

    Made in a folder of its own under /tmp: run as root, PostgreSQL runs as ``postgres``, which
    cannot enter pytest's private temporary folders.
    """
    from docgen.pg import Database
    from tools.city import start_postgres

    folder = Path(tempfile.mkdtemp(prefix="docgen-pg-"))
    server = start_postgres(folder)
    yield server
    Database.close_all()
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def city_objects() -> Iterator[ObjectStore]:
    """SeaweedFS's S3 gateway with object lock, this worker's own, on loopback."""
    from tools.city import start_object_store

    folder = Path(tempfile.mkdtemp(prefix="docgen-s3-"))
    store = start_object_store(folder)
    yield store
    store.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=PROFILES)
def profile(request: pytest.FixtureRequest) -> str:
    """Which profile the test's workspace is: each such test runs once for each."""
    return str(request.param)


def logged_events(ws: Path) -> list[dict[str, Any]]:
    """The event log as the workspace's own archive reads it: events.jsonl, or the city's database."""
    from docgen.pipeline.workspace import Workspace

    return Workspace.open(ws, env={}).archive.log.events()


def city_settings(request: pytest.FixtureRequest, *, objects: bool = True) -> str:
    """docgen.toml for a workspace of the city: a fresh database and (with ``objects``) a fresh bucket."""
    server: Postgres = request.getfixturevalue("city_postgres")
    name = uuid.uuid4().hex[:12]
    store: ObjectStore | None = request.getfixturevalue("city_objects") if objects else None
    return config_lines(server.create_database(f"t{name}"), store, f"t{name}") + f'organ = "{CITY_ORGAN}"\n'


@pytest.fixture
def workspace(tmp_path: Path, profile: str, request: pytest.FixtureRequest) -> Path:
    """``tmp_path`` as a workspace of ``profile``: for the city, a fresh database and a fresh locked bucket."""
    if profile == "city":
        (tmp_path / "docgen.toml").write_text(city_settings(request), encoding="utf-8")
    return tmp_path


@dataclass
class CliResult:
    exit_code: int
    out: str
    err: str


RunCli = Callable[..., CliResult]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Iterator[RunCli]:
    """Run ``docgen`` in-process exactly as the console script does (errors handled by main)."""

    def run(*args: str, input: str | None = None) -> CliResult:
        capsys.readouterr()
        code = 0
        stdin = sys.stdin
        try:
            if input is not None:
                sys.stdin = io.StringIO(input)
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            sys.stdin = stdin
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    yield run


@dataclass(frozen=True)
class Rendered:
    docx: Path
    pdf: Path


@pytest.fixture(scope="session")
def seed_rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The example case rendered once, for real, through the CLI entry point."""
    out = tmp_path_factory.mktemp("seed-out")
    ws = tmp_path_factory.mktemp("ws")
    try:
        main(["-w", str(ws), "render", str(EXAMPLE_CASE), "-o", str(out), "--format", "both"])
    except SystemExit as exc:
        assert not exc.code, f"render failed with exit code {exc.code}"
    return Rendered(out / "notice.docx", out / "notice.pdf")


def copy_example(target: Path) -> Path:
    """Copy the example case into ``target`` and return the copy's path."""
    target.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(EXAMPLE_CASE, target / "case.yaml"))


def issue_example(workspace: Path, *args: str) -> Path:
    """Copy the example case into ``workspace`` and issue it for real; return the workspace."""
    shutil.copy(EXAMPLE_CASE, workspace / "case.yaml")
    try:
        main(["-w", str(workspace), "issue", str(workspace / "case.yaml"), *args])
    except SystemExit as exc:
        assert not exc.code, f"issue failed with exit code {exc.code}"
    return workspace


def edited_case(source: Path, target: Path, old: str, new: str) -> Path:
    """The case ``source`` written to ``target`` with ``old`` (which must be there) replaced by ``new``."""
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{source} has no {old!r}"
    target.write_text(text.replace(old, new), encoding="utf-8")
    return target


def copy_workspace(source: Path, target: Path) -> Path:
    """A copy of the workspace ``source`` in ``target`` (an empty folder); a workspace may move."""
    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    return target


@pytest.fixture(scope="session")
def issued_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example issued for real, once per session; a module copies it (``copy_workspace``), never changes it."""
    return made_once(tmp_path_factory, "issued-once", issue_example)


def _file_2021(workspace: Path) -> None:
    try:
        main(["-w", str(workspace), "file", "2021"])
    except SystemExit as exc:
        assert not exc.code, f"file failed with exit code {exc.code}"


@pytest.fixture(scope="session")
def filed_once(tmp_path_factory: pytest.TempPathFactory, issued_once: Path) -> Path:
    """``issued_once`` then filed for 2021 (归档副本, 归档文件目录, a "filed" event): copied, never changed."""
    return made_once(tmp_path_factory, "filed-once", lambda ws: _file_2021(copy_workspace(issued_once, ws)))


OTHER_BUREAU_CASE = REPO / "tests" / "cases" / "taishan-2022.yaml"
ALL_KINDS = ("set", "notice", "plan", "tasks", "acceptance", "announcement")


@pytest.fixture(scope="session")
def rendered_kinds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of the example and of another bureau's case, rendered once for real (case name → folder)."""
    return {
        name: made_once(tmp_path_factory, f"kinds-{name}", functools.partial(_render_every_kind, case))
        for name, case in (("enping", EXAMPLE_CASE), ("taishan", OTHER_BUREAU_CASE))
    }


def _render_every_kind(case: Path, folder: Path) -> None:
    for kinds in (
        ("-k", "set"),
        ("-k", "notice", "-k", "plan", "-k", "tasks", "-k", "acceptance", "-k", "announcement"),
    ):
        try:
            main(["-w", str(folder), "render", str(case), *kinds, "-o", str(folder), "--format", "both"])
        except SystemExit as exc:
            assert not exc.code, f"render {' '.join(kinds)} of {case} failed"
    made = {p.stem.split("-")[0] for p in folder.glob("*.pdf")}
    assert made >= set(ALL_KINDS), f"{case}: no {set(ALL_KINDS) - made}"
