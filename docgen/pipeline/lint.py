"""``docgen lint`` on case files: each document the case makes, as issue would print it.

Findings point at the case file's lines: a paragraph by the YAML line its text comes from, a line
docgen composes from a field (a date, the 印发 line) by that field's line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from docgen._io import child
from docgen.case.model import HEADING_NUMBER, load_case
from docgen.case.yamlsource import YamlSource, load_yaml
from docgen.lint import lint_paths
from docgen.lint.model import Finding, Line, LintDocument
from docgen.lint.readers import read_docx
from docgen.pipeline.prepare import default_kinds, prepare
from docgen.pipeline.workspace import Workspace
from docgen.render.templates import render_docx


def lint_files(paths: list[Path], ws: Workspace) -> list[Finding]:
    """Findings for every file: case files through the pipeline's preparation, others as they are."""
    return lint_paths(paths, read_case=lambda path: read_case(path, ws))


def read_case(path: Path, ws: Workspace) -> list[LintDocument]:
    """A case file: every document it makes, filled in as DOCX, with places mapped to its lines."""
    yaml_source = load_yaml(path)  # first: it says clearly what is wrong with an unreadable file
    source = path.read_text(encoding="utf-8").splitlines()
    case = load_case(path, ws.settings.issuer_defaults)
    kinds = [k for k in default_kinds(case) if k != "set"] + (["notice", "plan"] if case.plan else [])
    # Characters no font prints are refused here as render and issue refuse them.
    prepared = prepare(path, ws, list(dict.fromkeys(kinds)), converting=True)
    docs = []
    with tempfile.TemporaryDirectory(prefix="docgen-lint-") as tmp:
        for document in prepared.documents:
            target = child(Path(tmp), f"{document.file_stem}.docx")
            render_docx(prepared.templates[document.template_kind], document.context, target)
            read = read_docx(target, kind=document.kind)
            lines = [
                Line(
                    ln.text,
                    _field_place(yaml_source, ln, document.kind) or _case_place(source, ln, document.file_stem),
                    ln.role,
                )
                for ln in read.lines
            ]
            docs.append(LintDocument(path, lines, kind=document.kind))
    return docs


# Lines docgen composes from a field (a date written as 2021年5月24日, the 版记's 印发 line, a
# 主送 with its colon) cannot be found by their text: they point at the field they come from, in
# the part of the case the document is made from.
_ROLE_FIELDS = {
    "printed": ("printed", "date"),
    "number": ("number",),
    "signer": ("signers",),
    "recipients": ("recipients",),
    "date": ("date",),
}
_PART_OF_KIND = {"set": "notice", "plan": "notice", "tasks": "notice"}


def _field_place(source: YamlSource, line: Line, kind: str | None) -> str | None:
    field = _ROLE_FIELDS.get(line.role)
    if field is None:
        return None
    part = _PART_OF_KIND.get(kind or "notice", kind or "notice")
    found = source.line_of((part, *field))
    return f"第{found}行" if found else None


def _case_place(source: list[str], line: Line, stem: str) -> str:
    """Where in the case file a rendered paragraph's text comes from, when it can be found."""
    text = HEADING_NUMBER.sub("", line.text.strip())  # docgen adds heading numbers itself
    probe = text[:12]
    if probe:
        for n, text in enumerate(source, start=1):
            if probe in text:
                return f"第{n}行"
    return f"（生成的 {stem} {line.place}）"
