"""``docgen format``: a clerk's Word draft read into a case file that everything else in docgen takes.

The draft is read as Word knows it (``intake.wordreader``), each paragraph given its role
(``intake.draftroles``), and the case written as YAML with what to check beside the unsure
fields. The case is then validated as any case is: what the model refuses is said as the
command line says it, and the file is still written (a clerk corrects it there), unless asked
to render, which needs a valid case.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from docgen._io import atomic_write_bytes
from docgen.case.editing import new_case_text
from docgen.case.model import load_case
from docgen.errors import CaseError, DocgenError, Problem
from docgen.intake.draftroles import ROLES, DraftReading, read_draft
from docgen.intake.wordreader import read_word
from docgen.pipeline.workspace import Workspace
from docgen.vocab import FORMAT_KINDS, KIND_NAMES


@dataclass(frozen=True)
class Formatted:
    """What ``format_draft`` read, where it wrote the case, and what the model says of it."""

    reading: DraftReading
    case_path: Path
    problems: list[Problem] = field(default_factory=list)

    @property
    def roles(self) -> list[tuple[str, str, float]]:
        """Each role read (in Chinese), its text, how sure: what the command prints (a title's lines as one)."""
        out: list[tuple[str, str, float]] = []
        last: tuple[str, int | None] = ("", None)
        for r in self.reading.readings:
            if r.role == "skip" or not r.text:
                continue
            if (r.role, r.row) == last and r.role in ("title", "table"):  # a table's row as one line, cells by ｜
                joined = out[-1][1] + ("｜" if r.role == "table" else "") + r.text
                out[-1] = (out[-1][0], joined, min(out[-1][2], r.sure))
            else:
                out.append((ROLES[r.role], r.text, r.sure))
            last = (r.role, r.row)
        return out


def default_case_path(source: Path) -> Path:
    """``草稿.docx`` → ``草稿.yaml`` beside it."""
    return source.with_suffix(".yaml")


def format_draft(
    ws: Workspace, source: Path, *, kind: str | None = None, target: Path | None = None, overwrite: bool = False
) -> Formatted:
    """Read ``source`` (.docx) into a case file at ``target``; refuse to replace a file unless told."""
    if kind is not None and kind not in FORMAT_KINDS:
        known = "、".join(f"{k}（{KIND_NAMES[k]}）" for k in FORMAT_KINDS)
        msg = f"docgen format 能读成的文种：{known}。"
        raise DocgenError(msg)
    target = target or default_case_path(source)
    if target.exists() and not overwrite:
        msg = f"{target} 已经存在；要替换它请加 --force，或用 -o 写到别的文件。"
        raise DocgenError(msg)
    reading = read_draft(read_word(source), kind)
    if reading.kind not in FORMAT_KINDS:
        seems = KIND_NAMES.get(reading.kind, reading.kind)
        title = reading.title
        msg = f"《{title}》看来是{seems}，请用 -k 指定要读成的文种（{'、'.join(FORMAT_KINDS)}）。"
        raise DocgenError(msg)
    text = new_case_text(
        reading.data,
        [
            f"由 docgen format 从 {source.name} 读出。标有“请核对”的字段请对照原稿。",
            f"生成：docgen render {target.name} -k {reading.kind}",
        ],
        reading.doubts,
    )
    problems = _problems(text, target, ws)
    atomic_write_bytes(target, text.encode("utf-8"))
    return Formatted(reading, target, problems)


def _problems(text: str, target: Path, ws: Workspace) -> list[Problem]:
    """What ``docgen check`` would say of the case, named by the file it will be written to."""
    with tempfile.TemporaryDirectory(prefix="docgen-format-") as tmp:
        probe = Path(tmp) / target.name
        probe.write_text(text, encoding="utf-8")
        try:
            load_case(probe, ws.settings.issuer_defaults)
        except CaseError as exc:
            return [Problem(target, p.line, p.field, p.message) for p in exc.problems]
    return []


__all__ = ["Formatted", "default_case_path", "format_draft"]
