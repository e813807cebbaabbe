"""The one error hierarchy of docgen.

Every error a user can cause or meet carries a message written for a clerk (in Chinese). The
CLI turns any ``DocgenError`` into that message on stderr and ``exit_code``; nothing else in
docgen decides exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DocgenError(Exception):
    """Base class of every error docgen reports to a user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Problem:
    """One fault in an input file, located as precisely as the file allows."""

    path: Path
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f" 第{self.line}行"
        if self.field:
            where += f" 字段 {self.field}"
        return f"{where}：{self.message}"


class CaseError(DocgenError):
    """Raised when a case file cannot be read or does not validate."""

    SHOWN = 20  # a file with a thousand faults gets the first twenty and a count, not a wall of text

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [f"案卷文件有 {len(problems)} 处错误：" if len(problems) > 1 else "案卷文件有错误："]
        lines += [f"  {p}" for p in problems[: self.SHOWN]]
        if len(problems) > self.SHOWN:
            lines.append(f"  ……另有 {len(problems) - self.SHOWN} 处错误，请先改正上面的")
        super().__init__("\n".join(lines))


class ConfigError(DocgenError):
    """Raised when the workspace or its docgen.toml is unusable."""


class TemplateError(DocgenError):
    """Raised when a template is missing, malformed or needs data docgen does not provide."""


class ConversionError(DocgenError):
    """Raised when LibreOffice cannot turn a DOCX into a PDF (missing, failed, hung)."""


class UnsafePathError(DocgenError):
    """Raised when a name would write outside the folder it belongs in."""


class UnreadableFileError(DocgenError):
    """Raised when a file is not a PDF or DOCX docgen can read."""


class SearchError(DocgenError):
    """Raised when the search index cannot be used."""


class RegistryError(DocgenError):
    """Raised when the registry refuses an operation or cannot be used."""


class FilingError(DocgenError):
    """Raised when filing copies or the catalogue cannot be made."""


class OcrError(DocgenError):
    """Scanned pages could not be recognised (no engine installed, a page that will not render)."""


class ArchiveError(DocgenError):
    """Raised when the archive cannot be read or written as asked."""
