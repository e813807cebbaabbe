"""SIGKILL a multi-document ``docgen issue`` anywhere; a re-run completes it exactly once."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docgen.pipeline.workspace import Workspace
from tests.conftest import EXAMPLE_CASE, REPO, city_settings
from tests.conversion_cache import ConversionCache, subprocess_env

pytestmark = pytest.mark.libreoffice

ISSUE_ARGS = ["issue", "case.yaml", "-k", "set", "-k", "acceptance", "-k", "announcement", "--enterprise", "huayi"]
DOCUMENTS = 3  # the set, huayi's 验收记录, the 公告


def docgen(ws: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    # The system temporary folder is one of the test's own, so leftovers there are seen too.
    system_tmp = ws / "system-tmp"
    system_tmp.mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "docgen", "-w", str(ws), *args],
        cwd=ws,
        env={**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(system_tmp), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill docgen and any LibreOffice it started, as a power cut would."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def finish(ws: Path, env: dict[str, str] | None = None) -> None:
    proc = docgen(ws, *ISSUE_ARGS, env=env)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()


def assert_complete_and_exactly_once(ws: Path) -> None:
    archive = ws / "archive"
    opened = Workspace.open(ws, env={})
    metas = opened.archive.metas()  # the records as the workspace's own archive reads them (folders, or the city's)
    assert sorted(m["kind"] for m in metas) == ["acceptance", "announcement", "set"]
    assert all(m["version"] == 1 for m in metas), "nothing archived twice"
    leftovers = list((archive / ".tmp").iterdir()) if (archive / ".tmp").exists() else []
    assert leftovers == [], "no partial folder is left"
    for folder in archive.glob("[0-9]*/*/*/*"):
        assert (folder / "manifest-sha256.txt").is_file(), f"partial folder {folder}"
    numbers = [(r.number, r.doc_key) for r in opened.numbers.records()]
    assert numbers == [("恩科工商务字〔2021〕58号", "notice")], "no number lost or doubled"
    events = opened.archive.log.events()
    logged = {e["path"] for e in events if e["event"] in ("issued", "recovered")}
    assert len(logged) == DOCUMENTS, "every archived document is in the event log once"
    verify = docgen(ws, "archive", "verify")
    out, _ = verify.communicate(timeout=120)
    assert verify.returncode == 0, out.decode()
    # The killed run's temporary folder (documents, LibreOffice profiles, lu*.tmp) is gone.
    assert not (ws / ".tmp").exists(), list((ws / ".tmp").rglob("*"))[:5]
    assert list((ws / "system-tmp").iterdir()) == [], "nothing in the system temporary folder"


def fresh_workspace(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE_CASE, tmp_path / "case.yaml")
    return tmp_path


@pytest.mark.parametrize(
    ("point", "profile"),
    [
        ("issue-after-allocate", "embedded"),
        ("issue-after-convert", "embedded"),
        ("archive-before-rename", "embedded"),
        ("archive-after-rename", "embedded"),
        # The city's ledger: the number taken in PostgreSQL before the kill, the archive after it.
        ("issue-after-allocate", "city"),
        ("archive-after-put", "city"),  # the files locked in the bucket, no record yet
        ("archive-before-commit", "city"),  # the record and its event written, not committed
    ],
)
def test_kill_at_each_stage_then_rerun(
    tmp_path: Path, point: str, profile: str, conversion_cache: ConversionCache, request: pytest.FixtureRequest
) -> None:
    """Each stop is named, so the runs may share the session's conversions: when is not in question."""
    ws = fresh_workspace(tmp_path)
    if profile == "city":
        (ws / "docgen.toml").write_text(city_settings(request), encoding="utf-8")
    marker = ws / "paused"
    shared = subprocess_env(conversion_cache, REPO)
    proc = docgen(ws, *ISSUE_ARGS, env={"DOCGEN_PAUSE_AT": f"{point}:{marker}", **shared})
    deadline = time.monotonic() + 180
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1].decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    kill_group(proc)
    finish(ws, shared)
    assert_complete_and_exactly_once(ws)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_at_a_random_moment_then_rerun(tmp_path: Path, seed: int, conversion_cache: ConversionCache) -> None:
    """The killed run converts for real, uncached: the moment is chosen within the time a real run takes.

    The run that finishes the job may share the session's conversions: what it must prove is
    that it completes what the killed one left, whatever that was.
    """
    ws = fresh_workspace(tmp_path)
    proc = docgen(ws, *ISSUE_ARGS)
    time.sleep(random.Random(seed).uniform(0.3, 5.0))
    if proc.poll() is None:
        kill_group(proc)
    finish(ws, subprocess_env(conversion_cache, REPO))
    assert_complete_and_exactly_once(ws)
