"""发文字号 for a case's documents, and the registry checked against the archive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from docgen.archive.store import Archive, ArchiveMeta
from docgen.case.model import AUTO_NUMBER, Case, load_case
from docgen.config import Settings
from docgen.errors import DocgenError
from docgen.numbering.registry import Allocation, NumberRecord
from docgen.numbering.service import RunReport, check_registry, parse_typed_number, registry_for
from docgen.pipeline.characters import refuse_undrawable
from docgen.vocab import KIND_NAMES, NUMBERED_KINDS, format_number, parse_number


def case_reference(case_path: Path, settings: Settings) -> str:
    """How the registry names a case file: relative to the workspace when inside it.

    Relative names keep working when the whole workspace moves to another folder or machine.
    """
    resolved = case_path.resolve()
    try:
        return resolved.relative_to(settings.workspace).as_posix()
    except ValueError:
        return resolved.as_posix()


def registry_number(case_path: Path, settings: Settings, kind: str) -> str | None:
    """The number the registry already holds for a case document, if any (never allocates)."""
    doc_key = NUMBERED_KINDS.get(kind)
    if doc_key is None:
        return None
    record = registry_for(settings).lookup_document(case_reference(case_path, settings), doc_key)
    return record.number if record else None


def number_for_case(case_path: Path, settings: Settings, kind: str) -> Allocation:
    """Give a case document its number: allocate for ``auto``, else record the one it prints."""
    if kind not in NUMBERED_KINDS:
        numbered = "、".join(f"{k}（{KIND_NAMES[k]}）" for k in NUMBERED_KINDS)
        msg = f"{KIND_NAMES.get(kind, kind)}不编发文字号；编号的文种：{numbered}。"
        raise DocgenError(msg)
    case = load_case(case_path, settings.issuer_defaults)
    refuse_undrawable(case_path, case, settings)  # a number is taken only for what can be printed
    return number_for_loaded_case(case, case_path, settings, kind)


def number_for_loaded_case(case: Case, case_path: Path, settings: Settings, kind: str) -> Allocation:
    """As ``number_for_case`` for a case already loaded and validated."""
    part = case.numbered(kind)
    if part is None:
        msg = f"案卷文件中没有 {kind}（{KIND_NAMES[kind]}），无从编发文字号。"
        raise DocgenError(msg)
    registry = registry_for(settings)
    ref, doc_key = case_reference(case_path, settings), NUMBERED_KINDS[kind]
    if part.number == AUTO_NUMBER:
        prefix = case.number_prefix(kind) or ""
        return registry.allocate(prefix, part.date.year, part.title, kind=doc_key, case_file=ref, doc_key=doc_key)
    parsed = parse_number(part.number)
    if parsed is None:  # validated on load; kept for type narrowing
        msg = f"无法解析发文字号 {part.number}"
        raise DocgenError(msg)
    n = parsed.number
    return registry.claim(n.prefix, n.year, n.sequence, part.title, kind=doc_key, case_file=ref, doc_key=doc_key)


def void_number(settings: Settings, text: str, reason: str) -> NumberRecord:
    """Void a number for good, with the reason the ledger must show."""
    if not reason.strip():
        msg = "作废发文字号必须写明原因。"
        raise DocgenError(msg)
    prefix, year, seq = parse_typed_number(text)
    wanted = format_number(prefix, year, seq)
    filed = _filed_numbers(settings, year).get(wanted)
    if filed is not None:
        # The number is printed on a document the archive keeps: voiding it would make the
        # ledger and the archive disagree (archive verify fails) about a document that exists.
        msg = (
            f"{wanted} 已用于归档库中的《{filed.get('title')}》（{filed['path']}），不能作废。"
            "已印发的文件撤回时，号保留不再使用，请另发文件说明撤回。"
        )
        raise DocgenError(msg)
    record = registry_for(settings).void(prefix, year, seq, reason.strip())
    archive = Archive(settings.archive_dir)
    if archive.root.is_dir():  # the archive's log keeps the office's whole story
        with archive.locked():
            archive.append_event("voided", number=record.number, reason=record.void_reason, title=record.title)
    return record


def check_numbers(
    settings: Settings, year: int | None = None, on_warning: Callable[[str], None] | None = None
) -> list[RunReport]:
    """``docgen number check``: each run of numbers audited, numbers never filed read from the archive.

    Folders whose meta.json cannot be read are not counted; ``on_warning`` is told how many.
    """
    damaged: dict[str, str] = {}
    filed = {number: str(meta.get("path", "")) for number, meta in _filed_numbers(settings, year, damaged).items()}
    if damaged and on_warning:
        on_warning(
            f"有 {len(damaged)} 个归档文件夹的 meta.json 已损坏，其中的发文字号未计入；请运行 docgen archive verify。"
        )
    return check_registry(settings, year, filed)


def _filed_numbers(
    settings: Settings, year: int | None, damaged: dict[str, str] | None = None
) -> dict[str, ArchiveMeta]:
    """The 发文字号 the archive's documents print (of one year, or all), each with a document."""
    archive = Archive(settings.archive_dir)
    metas = archive.metas(year) if archive.root.is_dir() else []
    if damaged is not None:
        damaged.update(archive.damaged)
    return {str(m["number"]): m for m in metas if m.get("number")}
