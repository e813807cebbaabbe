"""发文字号 for a case's documents, and the registry checked against the archive."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from docgen.archive.records import ArchiveMeta
from docgen.case.model import AUTO_NUMBER, Case, load_case
from docgen.drafts import DRAFTS_DIR
from docgen.errors import DocgenError
from docgen.numbering.registry import Allocation, NumberRecord
from docgen.numbering.service import (
    NOTHING_CONFIRMED,
    Confirmed,
    RunReport,
    allocate_external,
    check_registry,
    import_numbers,
    parse_typed_number,
)
from docgen.pipeline.characters import refuse_undrawable
from docgen.pipeline.workspace import Workspace
from docgen.vocab import KIND_NAMES, NUMBERED_KINDS, format_number, parse_number

_ORIGIN = re.compile(r"([0-9a-f]{12}):(.*)", re.DOTALL)


def case_reference(case_path: Path, ws: Workspace) -> str:
    """How the registry and the archive name a case file: relative to the workspace when inside it.

    Relative names keep working when the whole workspace moves to another folder or machine. In
    the city the workspace's origin goes first (``3f2a9c1b7d4e:case.yaml``): two workspaces of one
    organ each with a ``case.yaml`` hold two documents, not two versions of one. A draft's case
    (``drafts/<id>/case.yaml``) is named without it: its id is the organ's, whichever machine issues it.
    """
    resolved = case_path.resolve()
    try:
        name = resolved.relative_to(ws.root).as_posix()
    except ValueError:
        name = resolved.as_posix()
    # A draft's case is one of the organ's (its id is the city's, any worker issues it): no origin.
    return f"{ws.origin}:{name}" if ws.origin and not name.startswith(f"{DRAFTS_DIR}/") else name


def case_in_workspace(reference: str) -> tuple[str, str]:
    """(origin, the case's name in its workspace) of a ``case_reference``."""
    found = _ORIGIN.fullmatch(reference)
    return (found[1], found[2]) if found else ("", reference)


def registry_number(case_path: Path, ws: Workspace, kind: str) -> str | None:
    """The number the registry already holds for a case document, if any (never allocates)."""
    doc_key = NUMBERED_KINDS.get(kind)
    if doc_key is None:
        return None
    record = ws.numbers.lookup_document(case_reference(case_path, ws), doc_key)
    return record.number if record else None


def number_for_case(case_path: Path, ws: Workspace, kind: str) -> Allocation:
    """Give a case document its number: allocate for ``auto``, else record the one it prints."""
    if kind not in NUMBERED_KINDS:
        numbered = "、".join(f"{k}（{KIND_NAMES[k]}）" for k in NUMBERED_KINDS)
        msg = f"{KIND_NAMES.get(kind, kind)}不编发文字号；编号的文种：{numbered}。"
        raise DocgenError(msg)
    case = load_case(case_path, ws.settings.issuer_defaults)
    refuse_undrawable(case_path, case, ws.settings)  # a number is taken only for what can be printed
    return number_for_loaded_case(case, case_path, ws, kind)


def number_for_loaded_case(case: Case, case_path: Path, ws: Workspace, kind: str) -> Allocation:
    """As ``number_for_case`` for a case already loaded and validated."""
    part = case.numbered(kind)
    if part is None:
        msg = f"案卷文件中没有 {kind}（{KIND_NAMES[kind]}），无从编发文字号。"
        raise DocgenError(msg)
    ref, doc_key = case_reference(case_path, ws), NUMBERED_KINDS[kind]
    if part.number == AUTO_NUMBER:
        prefix = case.number_prefix(kind) or ""
        return ws.numbers.allocate(prefix, part.date.year, part.title, kind=doc_key, case_file=ref, doc_key=doc_key)
    parsed = parse_number(part.number)
    if parsed is None:  # validated on load; kept for type narrowing
        msg = f"无法解析发文字号 {part.number}"
        raise DocgenError(msg)
    n = parsed.number
    return ws.numbers.claim(n.prefix, n.year, n.sequence, part.title, kind=doc_key, case_file=ref, doc_key=doc_key)


def number_for_draft(
    ws: Workspace, prefix: str, year: int, title: str, confirmed: Confirmed = NOTHING_CONFIRMED
) -> Allocation:
    """The next number for a document drafted outside docgen (in Word); the same title asking again gets it back.

    ``confirmed`` says what the clerk confirmed: another document of the same title, a new
    机关代字, a year far from today (``numbering.service.Confirmed``).
    """
    return allocate_external(ws.numbers, prefix, year, title, confirmed)


def list_numbers(ws: Workspace, prefix: str | None = None, year: int | None = None) -> list[NumberRecord]:
    """The ledger: every number (of one 机关代字, of one year), in order."""
    return ws.numbers.records(prefix, year)


def import_number_list(ws: Workspace, csv_path: Path) -> tuple[int, int]:
    """Numbers issued by hand, from a CSV, all or nothing: (added, already there)."""
    return import_numbers(ws.numbers, csv_path)


def void_number(ws: Workspace, text: str, reason: str) -> NumberRecord:
    """Void a number for good, with the reason the ledger must show."""
    if not reason.strip():
        msg = "作废发文字号必须写明原因。"
        raise DocgenError(msg)
    prefix, year, seq = parse_typed_number(text)
    wanted = format_number(prefix, year, seq)
    filed = _filed_numbers(ws, year).get(wanted)
    if filed is not None:
        # The number is printed on a document the archive keeps: voiding it would make the
        # ledger and the archive disagree (archive verify fails) about a document that exists.
        msg = (
            f"{wanted} 已用于归档库中的《{filed.get('title')}》（{filed['path']}），不能作废。"
            "已印发的文件撤回时，号保留不再使用，请另发文件说明撤回。"
        )
        raise DocgenError(msg)
    record = ws.numbers.void(prefix, year, seq, reason.strip())
    if ws.archive.exists():  # the archive's log keeps the office's whole story
        with ws.archive.locked():
            ws.archive.log.append("voided", number=record.number, reason=record.void_reason, title=record.title)
    return record


def check_numbers(
    ws: Workspace, year: int | None = None, on_warning: Callable[[str], None] | None = None
) -> list[RunReport]:
    """``docgen number check``: each run of numbers audited, numbers never filed read from the archive.

    Folders whose meta.json cannot be read are not counted; ``on_warning`` is told how many.
    """
    damaged: dict[str, str] = {}
    filed = {number: str(meta.get("path", "")) for number, meta in _filed_numbers(ws, year, damaged).items()}
    if damaged and on_warning:
        count = len(damaged)
        on_warning(f"有 {count} 个归档文件夹的 meta.json 已损坏，其中的发文字号未计入；请运行 docgen archive verify。")
    return check_registry(ws.numbers, lambda reference: _case_found(ws, reference), year, filed)


def _case_found(ws: Workspace, reference: str) -> bool:
    """Whether a ledger record's case file is still there: a draft of the organ, or a file of this workspace.

    In the city a case of another workspace of the organ is that workspace's to look for.
    """
    origin, name = case_in_workspace(reference)
    if origin and origin != ws.origin:
        return True
    if name.startswith(f"{DRAFTS_DIR}/") and name.count("/") == 2:
        try:
            return ws.drafts.get(name.split("/")[1]) is not None
        except DocgenError:
            return False
    path = Path(name)
    return (path if path.is_absolute() else ws.root / path).is_file()


def _filed_numbers(ws: Workspace, year: int | None, damaged: dict[str, str] | None = None) -> dict[str, ArchiveMeta]:
    """The 发文字号 the archive's documents print (of one year, or all), each with a document."""
    metas = ws.archive.metas(year) if ws.archive.exists() else []
    if damaged is not None:
        damaged.update(ws.archive.damaged)
    return {str(m["number"]): m for m in metas if m.get("number")}


__all__ = [
    "NOTHING_CONFIRMED",
    "Confirmed",
    "NumberRecord",
    "case_in_workspace",
    "case_reference",
    "check_numbers",
    "import_number_list",
    "list_numbers",
    "number_for_case",
    "number_for_draft",
    "number_for_loaded_case",
    "registry_number",
    "void_number",
]
