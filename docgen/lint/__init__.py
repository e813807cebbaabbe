"""``docgen lint``: catch the faults that get official documents sent back.

Reads case files (the documents they make), DOCX, PDF and plain text; every finding has a stable
code (GW101 …), a severity, its place, a Chinese message and, where obvious, the fix.

Imports only the shared modules; case files are read for it by the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from docgen.errors import DocgenError
from docgen.lint.model import Finding, LintDocument
from docgen.lint.readers import read_docx, read_pdf, read_text
from docgen.lint.rules import run_rules
from docgen.readback import file_kind

__all__ = ["Finding", "LintDocument", "lint_document", "lint_path", "lint_paths"]


def lint_document(document: LintDocument) -> list[Finding]:
    """Findings for one read document."""
    return run_rules(document)


CaseReader = Callable[[Path], list[LintDocument]]


def lint_path(path: Path, kind: str | None = None, read_case: CaseReader | None = None) -> list[Finding]:
    """Findings for one file, read as what its content (or, for YAML, its name) says it is.

    Case files are read by ``read_case`` (the pipeline's, which prepares a case as issue does).
    """
    if not path.is_file():
        msg = f"{path}：文件不存在"
        raise DocgenError(msg)
    if path.suffix.lower() in (".yaml", ".yml"):
        if read_case is None:
            msg = f"{path}：案卷文件请用 docgen lint 检查"
            raise DocgenError(msg)
        return [f for doc in read_case(path) for f in run_rules(doc)]
    detected = file_kind(path)
    if detected == "docx":
        return run_rules(read_docx(path, kind))
    if detected == "pdf":
        return run_rules(read_pdf(path, kind))
    try:
        return run_rules(read_text(path))
    except UnicodeDecodeError as exc:
        msg = f"{path}：不是案卷（YAML）、DOCX、PDF 或 UTF-8 文本文件"
        raise DocgenError(msg) from exc


def lint_paths(paths: list[Path], read_case: CaseReader | None = None) -> list[Finding]:
    """Findings for every file, in order, duplicates removed."""
    out: list[Finding] = []
    for path in paths:
        for finding in lint_path(path, read_case=read_case):
            if finding not in out:
                out.append(finding)
    return out
