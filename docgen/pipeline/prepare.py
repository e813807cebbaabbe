"""The one preparation of a case: case file → validated case → documents → their templates.

``render``, ``issue`` and ``lint`` all start here, so lint checks exactly the document issue
prints: the workspace's issuer defaults, the case's or workspace's own templates, the numbers
the registry holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docgen.case.model import AUTO_NUMBER, Case, load_case, printed_strings, unprintable_characters
from docgen.config import Settings
from docgen.convert.fonts import coverage
from docgen.convert.libreoffice import Converter, LibreOfficeConverter
from docgen.errors import CaseError, DocgenError
from docgen.faults import pause_point
from docgen.pipeline.numbers import number_for_loaded_case, registry_number
from docgen.render.context import Document, documents_for
from docgen.render.templates import check_template, find_template
from docgen.vocab import NUMBERED_KINDS


@dataclass(frozen=True)
class Prepared:
    """A case ready to be filled: its documents and the template each one uses, all checked."""

    case_path: Path
    case: Case
    documents: list[Document]
    templates: dict[str, Path]


def default_kinds(case: Case) -> list[str]:
    """What issuing a case means when no kind is named: everything its data makes.

    The notice goes out as the composed set when the case has the plan and its task table,
    as the seed document did.
    """
    kinds = []
    if case.notice is not None:
        kinds.append("set" if case.plan is not None and case.tasks is not None else "notice")
    if case.enterprises:
        kinds.append("acceptance")
    if case.announcement is not None:
        kinds.append("announcement")
    kinds += [kind for kind in ("request", "report", "letter", "minutes") if getattr(case, kind) is not None]
    return kinds


def prepare(
    case_path: Path,
    settings: Settings,
    kinds: list[str] | None = None,
    *,
    enterprise: str | None = None,
    allocate: bool = False,
    converting: bool = False,
) -> Prepared:
    """Load the case and make its documents of ``kinds`` (default: ``default_kinds``).

    ``allocate`` takes 发文字号 from the registry (issuing); otherwise a draft shows the number the
    registry already holds, or none. ``converting`` first refuses characters no font can draw
    (before a number is taken). Every template is checked before anything is written.
    """
    case = load_case(case_path, settings.issuer_defaults)
    if converting:
        refuse_undrawable(case_path, case, settings)
    chosen = kinds or default_kinds(case)
    if not chosen:
        wanted = "notice、enterprises、announcement、request、report、letter 或 minutes"
        msg = f"{case_path} 中没有可生成的文件（需要 {wanted}）。"
        raise DocgenError(msg)
    documents: list[Document] = []
    for kind in chosen:
        number = None
        if kind in NUMBERED_KINDS and allocate:
            number = number_for_loaded_case(case, case_path, settings, kind).record.number
        elif kind in NUMBERED_KINDS and (part := case.numbered(kind)) is not None and part.number == AUTO_NUMBER:
            number = registry_number(case_path, settings, kind)
        documents += documents_for(case, kind, enterprise if kind == "acceptance" else None, number)
    if allocate:
        pause_point("issue-after-allocate")
    # A case's own template folder (relative to the case file) wins over the workspace's.
    custom = (case_path.parent / case.templates).resolve() if case.templates else settings.templates_dir
    templates = {doc.template_kind: find_template(doc.template_kind, custom) for doc in documents}
    for doc in documents:
        check_template(templates[doc.template_kind], doc.context)
    return Prepared(case_path, case, documents, templates)


def converter_for(settings: Settings) -> Converter:
    """The converter a workspace's settings ask for."""
    return LibreOfficeConverter(
        soffice=settings.soffice, timeout=settings.convert_timeout, font_dirs=settings.font_dirs
    )


def refuse_undrawable(case_path: Path, case: Case, settings: Settings) -> None:
    """Stop before converting when a character of the case is in no font LibreOffice can use.

    Asking fontconfig costs ~0.2 s, so a case written in common characters (those every GB/T
    9704 font has, which ``docgen doctor`` checks) skips it.
    """
    rare = {ch for _, text in printed_strings(case) for ch in text if not _common(ch)}
    if not rare:
        return
    problems = unprintable_characters(case_path, case, coverage(settings.font_dirs))
    if problems:
        raise CaseError(problems)


def _common(ch: str) -> bool:
    code = ord(ch)
    return (
        0x20 <= code < 0x7F
        or 0x4E00 <= code <= 0x9FA5  # the CJK ideographs of GB 2312 and GBK lie in this block
        or 0x3000 <= code <= 0x301F
        or 0xFF01 <= code <= 0xFF5E
        or ch in "“”‘’—…·×÷±℃°％№\u3000\t\n"
    )
