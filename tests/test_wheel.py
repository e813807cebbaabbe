"""A wheel built from the checkout, installed into a fresh environment, works outside the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CASE, REPO

pytestmark = pytest.mark.libreoffice


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_wheel_renders_issues_and_searches_from_a_folder_outside_the_checkout(tmp_path: Path) -> None:
    # Built from a copy of the tracked files: a build writes build/ into its source folder.
    source = tmp_path / "source"
    for name in run("git", "ls-files", cwd=REPO).splitlines():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", source, cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("docgen-*.whl")
    fresh = tmp_path / "fresh"
    run(sys.executable, "-m", "venv", fresh, cwd=tmp_path)
    # The dependencies come from the test environment (no download); docgen itself only from the wheel.
    site = Path(sysconfig.get_paths(vars={"base": str(fresh), "platbase": str(fresh)})["purelib"])
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(fresh / "bin" / "python", "-m", "pip", "install", "--no-deps", "-q", wheel, cwd=tmp_path)
    office = tmp_path / "office"
    office.mkdir()
    shutil.copy(EXAMPLE_CASE, office / "case.yaml")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    docgen = fresh / "bin" / "docgen"
    where = run(
        fresh / "bin" / "python",
        "-c",
        "import docgen, docgen.render.templates as t; print(docgen.__file__); print(t.BUILTIN_TEMPLATES)",
        cwd=office,
        env=env,
    )
    module, templates = where.split()
    assert module.startswith(str(fresh)) and templates.startswith(str(fresh)), "docgen and its templates from the wheel"
    # Every package of the checkout travels in the wheel (a package left out of pyproject.toml
    # works in the checkout and fails only for someone who installed docgen).
    in_checkout = {".".join(init.parent.relative_to(REPO).parts) for init in (REPO / "docgen").rglob("__init__.py")}
    installed = run(
        fresh / "bin" / "python",
        "-c",
        "import pkgutil, docgen; print('docgen');"
        "[print(m.name) for m in pkgutil.walk_packages(docgen.__path__, 'docgen.') if m.ispkg]",
        cwd=office,
        env=env,
    )
    assert in_checkout <= set(installed.split()), in_checkout - set(installed.split())
    run(docgen, "-w", office, "render", "case.yaml", "-k", "announcement", "-o", office / "out", cwd=office, env=env)
    assert (office / "out" / "announcement.pdf").is_file()
    run(docgen, "-w", office, "issue", "case.yaml", "-k", "notice", cwd=office, env=env)
    found = run(docgen, "-w", office, "search", "58号", "--json", cwd=office, env=env)
    assert "恩科工商务字〔2021〕58号" in found
    # Importing an older PDF and the 四性检测 run from the wheel too.
    run(docgen, "-w", office, "archive", "import", office / "out" / "announcement.pdf", cwd=office, env=env)
    found = run(docgen, "-w", office, "search", "恒达钢铁", "--kind", "announcement", "--json", cwd=office, env=env)
    assert "announcement" in found
    run(docgen, "-w", office, "archive", "check", "--report", office / "check.pdf", cwd=office, env=env)
    assert (office / "check.pdf").read_bytes().startswith(b"%PDF")
    # The web pages, their templates and the vendored htmx come from the wheel too.
    page = run(
        fresh / "bin" / "python",
        "-c",
        "from pathlib import Path; from starlette.testclient import TestClient;"
        "from docgen.pipeline.workspace import Workspace; from docgen.web import create_app; import docgen.web as w;"
        "print(w.__file__); c = TestClient(create_app(Workspace.open(Path('.'), env={})));"
        "print(c.get('/search?q=58号').text.count('恩科工商务字〔2021〕58号'),"
        " c.get('/static/htmx.min.js').status_code)",
        cwd=office,
        env=env,
    )
    web_module, hits, htmx = page.split()
    assert web_module.startswith(str(fresh))
    assert int(hits) >= 1
    assert htmx == "200"
