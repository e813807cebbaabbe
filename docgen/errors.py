"""The one error hierarchy of docgen.

Every error a user can cause or meet carries a message written for a clerk (in Chinese). The
CLI turns any ``DocgenError`` into that message on stderr and ``exit_code``; nothing else in
docgen decides exit codes.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path


def printable(text: object) -> str:
    r"""Text that can be printed and written as UTF-8: a file name's undecodable bytes as U+FFFD.

    A name from an unzipped Windows archive (``bad\xff.pdf``) reaches Python as lone surrogates,
    which no terminal, CSV or JSON file can take.
    """
    shown = str(text)
    if not any("\ud800" <= ch <= "\udfff" for ch in shown):
        return shown
    return re.sub("[\ud800-\udfff]+", "\ufffd", shown)


class DocgenError(Exception):
    """Base class of every error docgen reports to a user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        message = printable(message)
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

    def __init__(self, problems: list[Problem], what: str = "案卷文件") -> None:
        self.problems = problems
        lines = [f"{what}有 {len(problems)} 处错误：" if len(problems) > 1 else f"{what}有错误："]
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


class LibreOfficeBrokenError(ConversionError):
    """Raised when LibreOffice is there but exits with an error before doing anything."""


class UnsafePathError(DocgenError):
    """Raised when a name would write outside the folder it belongs in."""


class UnreadableFileError(DocgenError):
    """Raised when a file is not a PDF or DOCX docgen can read."""


class SearchError(DocgenError):
    """Raised when the search index cannot be used."""


class RegistryError(DocgenError):
    """Raised when the registry refuses an operation or cannot be used."""


class NeedsConfirmationError(RegistryError):
    """A number that may well be a typing mistake (an unknown 机关代字, a year far from today): asked, not taken.

    ``confirm`` names what the clerk confirms to go ahead: "new_series" or "far_year".
    """

    def __init__(self, message: str, confirm: str) -> None:
        super().__init__(message)
        self.confirm = confirm


class AccountError(DocgenError):
    """Raised when an account cannot be made, changed or used (or a role does not permit an action)."""


class FlowError(DocgenError):
    """Raised when a draft cannot take a step of the 拟稿 → 核稿 → 签发 flow.

    ``refused``: the person may not take it (a role missing, their own draft), not merely "not now".
    """

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


class FilingError(DocgenError):
    """Raised when filing copies or the catalogue cannot be made."""


class OcrError(DocgenError):
    """Scanned pages could not be recognised (no engine installed, a page that will not render)."""


class ArchiveError(DocgenError):
    """Raised when the archive cannot be read or written as asked."""


_OS_ERRORS = {
    errno.ENOENT: "不存在",
    errno.EEXIST: "已经存在",
    errno.EISDIR: "是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "不允许这样操作",
    errno.ENOSPC: "磁盘已满",
    errno.EROFS: "所在的磁盘只读",
    errno.ENAMETOOLONG: "名称过长",
    errno.EINVAL: "不能在这里创建或写入",
}


_TEMPORARY = re.compile(r"\.([^/]+)\.[A-Za-z0-9_]{8}\.part$")


def os_error_message(exc: OSError) -> str:
    """An operating-system error as a clerk reads it: the path and what is wrong, in Chinese."""
    said = _OS_ERRORS.get(exc.errno or 0, f"无法读写（系统错误 {exc.errno}）")
    # A failed atomic write names its hidden temporary file (.notice.pdf.x7k2m9qz.part): say the file meant.
    where = " → ".join(_TEMPORARY.sub(r"\1", printable(name)) for name in (exc.filename, exc.filename2) if name)
    return f"{where or '文件'}：{said}。"
