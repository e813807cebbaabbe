"""What the linter reads and what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Line:
    """One paragraph (DOCX, text) or printed line (PDF), with its role when known or guessed."""

    text: str
    place: str  # 第12段 / 第3页 / 第5行
    role: str = "body"


@dataclass(frozen=True)
class Finding:
    """One fault: a stable code, a severity, where, what, and the fix when there is one."""

    code: str
    severity: Severity
    file: str
    place: str
    text: str
    message: str
    fix: str | None = None

    def __str__(self) -> str:
        level = "错误" if self.severity == "error" else "警告"
        where = f"{self.file} {self.place}".strip()
        fix = f"（改为：{self.fix}）" if self.fix else ""
        excerpt = f"“{self.text[:40]}{'…' if len(self.text) > 40 else ''}”" if self.text else ""
        return f"{where} {level} {self.code}：{self.message}{fix} {excerpt}".rstrip()


@dataclass
class LintDocument:
    """A document ready for the text rules, plus layout findings its reader already made."""

    path: Path
    lines: list[Line]
    kind: str | None = None  # notice, announcement … when the source says so
    paragraphs: bool = True  # False for PDF text, whose lines are wrapped, not paragraphs
    layout: list[Finding] = field(default_factory=list)
