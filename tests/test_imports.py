"""The shape of the house: who may import whom (read from the source, not from a list kept by hand)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict

from tests.conftest import REPO

PACKAGE = REPO / "docgen"
# Modules every part may use: words, geometry, errors, files, settings, the text reader, test hooks.
SHARED = {"vocab", "layout", "wordml", "errors", "_io", "config", "readback", "faults", "pg", "__init__", "__main__"}
CORE = {"case", "render", "convert", "stamp", "numbering", "archive", "search", "lint", "intake", "ocr"}
FACES = {"cli", "web"}  # what a clerk uses: they drive the pipeline and nothing drives them


def part(module: str) -> str:
    """docgen.case.model → case; docgen.vocab → vocab."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def imports() -> dict[str, set[str]]:
    """Every docgen module and the docgen modules it imports, lazily imported ones included."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "docgen":
                    found[name] |= {f"docgen.{a.name}" for a in node.names}
                else:
                    found[name].add(node.module)
            elif isinstance(node, ast.Import):
                found[name] |= {a.name for a in node.names}
    return found


def test_no_circles_between_parts() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in imports().items():
        for target in targets:
            if target.startswith("docgen.") and part(target) != part(module):
                graph[part(module)].add(part(target))
    seen: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        assert node not in path, f"import circle: {' → '.join([*path, node])}"
        if node in seen:
            return
        for nxt in sorted(graph[node]):
            visit(nxt, [*path, node])
        seen.add(node)

    for node in sorted(graph):
        visit(node, [])


def test_the_shared_modules_stand_alone() -> None:
    found = imports()
    for leaf in ("docgen.vocab", "docgen.layout", "docgen.wordml", "docgen.errors"):
        assert not {t for t in found[leaf] if t.startswith("docgen")}, f"{leaf} imports docgen"
    assert {t for t in found["docgen._io"] if t.startswith("docgen")} <= {"docgen.errors"}


def test_click_and_rich_only_in_the_cli() -> None:
    for module, targets in imports().items():
        if module != "docgen.cli":
            assert not {t for t in targets if t.split(".")[0] in ("click", "rich")}, module


# The parts another part may import (its records, not its work); every other part only the shared modules.
READS_ANOTHER_PART = {"render": {"case"}, "intake": {"case"}, "search": {"archive"}}
SHARED_MAY_IMPORT = {
    "docgen.vocab": set(),
    "docgen.layout": set(),
    "docgen.wordml": set(),
    "docgen.errors": set(),
    "docgen._io": {"errors"},
    "docgen.config": {"errors", "vocab", "_io"},
    "docgen.readback": {"errors", "vocab", "_io", "layout"},
}


def test_each_part_imports_only_what_its_docstring_says() -> None:
    found = imports()
    for module, targets in found.items():
        if part(module) not in CORE:
            continue
        used = {part(t) for t in targets if t.startswith("docgen.")} & (CORE | {"pipeline", *FACES}) - {part(module)}
        allowed = READS_ANOTHER_PART.get(part(module), set())
        assert used <= allowed, f"{module} imports {sorted(used - allowed)}: combining parts is the pipeline's job"
    for name in CORE:
        said = (PACKAGE / name / "__init__.py").read_text(encoding="utf-8")
        if name in READS_ANOTHER_PART:
            assert all(f"{other}/" in said for other in READS_ANOTHER_PART[name]), name
        else:
            assert "Imports only the shared modules" in said, f"docgen/{name}/__init__.py should say what it imports"


def test_the_shared_modules_import_only_each_other_as_listed() -> None:
    found = imports()
    for module, allowed in SHARED_MAY_IMPORT.items():
        used = {part(t) for t in found[module] if t.startswith("docgen")}
        assert used <= allowed, f"{module} imports {sorted(used - allowed)}"


def test_only_the_faces_drive_the_pipeline() -> None:
    pipeline_users = {m for m, t in imports().items() if any(x.startswith("docgen.pipeline") for x in t)}
    assert {part(m) for m in pipeline_users} <= {"pipeline", *FACES}, "nothing below the faces drives the pipeline"


# What a face may use below the pipeline: the shared words, errors and file helpers (and the CLI the web face).
FACES_MAY_IMPORT = {"pipeline", "errors", "vocab", "_io", "__init__", "__version__", "web"}


def test_the_faces_reach_docgen_only_through_the_pipeline() -> None:
    for module, targets in imports().items():
        if part(module) not in FACES:
            continue
        used = {part(t) for t in targets if t.startswith("docgen.") or t == "docgen"} - {part(module)}
        assert used <= FACES_MAY_IMPORT, (
            f"{module} imports {sorted(used - FACES_MAY_IMPORT)}: a face calls the pipeline"
        )


HEAVY = ("pydantic", "docxtpl", "docx", "pypdf", "lxml", "tantivy", "whoosh", "reportlab", "yaml", "rich", "starlette")


def test_the_command_line_starts_without_loading_the_heavy_libraries() -> None:
    """``docgen --help`` and the start of every command load click and docgen's words, nothing more."""
    code = (
        "import sys\nfrom docgen.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert loaded.stderr.strip() == "[]", loaded.stderr


def test_the_template_builder_is_for_build_time_only() -> None:
    """``make templates`` runs the builder; nothing docgen runs for a clerk imports it."""
    users = sorted(m for m, targets in imports().items() if "docgen.render.builder" in targets)
    assert users == [], users
