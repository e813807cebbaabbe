"""The one preparation of a case: case file → validated case → documents → their templates.

``render``, ``issue`` and ``lint`` all start here, so lint checks exactly the document issue
prints: the workspace's issuer defaults, the case's or workspace's own templates, the numbers
the registry holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docgen.case.model import AUTO_NUMBER, Case, field_problem, validate_case
from docgen.case.yamlsource import YamlSource, load_yaml
from docgen.config import Settings
from docgen.convert.libreoffice import LibreOfficeConverter
from docgen.errors import CaseError, ConfigError, DocgenError
from docgen.faults import pause_point
from docgen.pipeline.characters import refuse_undrawable
from docgen.pipeline.numbers import number_for_loaded_case, registry_number
from docgen.pipeline.workspace import Workspace
from docgen.render.context import Document, documents_for
from docgen.render.templates import TEMPLATE_KINDS, check_template, find_template
from docgen.vocab import NUMBERED_KINDS


@dataclass(frozen=True)
class Prepared:
    """A case ready to be filled: its documents and the template each one uses, all checked."""

    case_path: Path
    case: Case
    documents: list[Document]
    templates: dict[str, Path]
    source: bytes  # the case file as it was read and validated: what the archive keeps


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
    ws: Workspace,
    kinds: list[str] | None = None,
    *,
    enterprise: str | None = None,
    allocate: bool = False,
    converting: bool = False,
    loaded: YamlSource | None = None,
) -> Prepared:
    """Load the case and make its documents of ``kinds`` (default: ``default_kinds``).

    ``allocate`` takes 发文字号 from the registry (issuing); otherwise a draft shows the number the
    registry already holds, or none. ``converting`` first refuses characters no font can draw
    (before a number is taken). Every template is checked before anything is written. A case
    already read (``loaded``, by a batch that counted its documents) is not read again.
    """
    source = loaded or load_yaml(case_path)  # read once: the bytes validated are the bytes archived
    case = validate_case(source, ws.settings.issuer_defaults)
    if converting:
        refuse_undrawable(case_path, case, ws.settings)
    chosen = kinds or default_kinds(case)
    if not chosen:
        wanted = "notice、enterprises、announcement、request、report、letter 或 minutes"
        msg = f"{case_path} 中没有可生成的文件（需要 {wanted}）。"
        raise DocgenError(msg)
    documents: list[Document] = []
    for kind in chosen:
        number = None
        if kind in NUMBERED_KINDS and allocate:
            number = number_for_loaded_case(case, case_path, ws, kind).record.number
        elif kind in NUMBERED_KINDS and (part := case.numbered(kind)) is not None and part.number == AUTO_NUMBER:
            number = registry_number(case_path, ws, kind)
        documents += documents_for(case, kind, enterprise if kind == "acceptance" else None, number)
    if allocate:
        pause_point("issue-after-allocate")
    custom = template_folder(case_path, case, ws.settings)
    templates = {doc.template_kind: find_template(doc.template_kind, custom) for doc in documents}
    for doc in documents:
        check_template(templates[doc.template_kind], doc.context)
    return Prepared(case_path, case, documents, templates, source.raw)


def template_folder(case_path: Path, case: Case, settings: Settings) -> Path | None:
    """The folder of the office's own templates: the case's (relative to the case file), else the workspace's.

    A template is code that fills documents, so a case may only name a folder of templates
    inside the workspace (or the one its settings name): not ``/etc``, not ``/dev/zero``, not a
    folder with no template in it, which would silently print with the built-in ones.
    """
    configured = settings.templates_dir
    if not case.templates:
        if configured is not None and not configured.is_dir():
            msg = f"设置中的模板文件夹 {configured}（[paths] templates 或 DOCGEN_TEMPLATES）不存在或不是文件夹。"
            raise ConfigError(msg)
        return configured
    folder = (case_path.parent / case.templates).resolve()
    named = configured is not None and folder == configured
    problem = None
    if not folder.is_dir():
        problem = f"{folder} 不是文件夹" if folder.exists() else f"找不到文件夹 {folder}"
    elif not (named or folder.is_relative_to(settings.workspace)):
        problem = (
            f"{folder} 不在工作区 {settings.workspace} 内：模板会被用来生成公文，只能使用工作区内的模板文件夹，"
            "或在 docgen.toml 的 [paths] templates 中写明的文件夹"
        )
    elif not any((folder / f"{kind}.docx").is_file() for kind in TEMPLATE_KINDS):
        names = "、".join(f"{kind}.docx" for kind in TEMPLATE_KINDS[:3])
        problem = f"{folder} 中没有模板（{names} 等，可用 docgen templates export 导出后修改）"
    if problem:
        raise CaseError([field_problem(case_path, ("templates",), problem)])
    return folder


def converter_for(settings: Settings) -> LibreOfficeConverter:
    """The converter a workspace's settings ask for."""
    return LibreOfficeConverter(
        soffice=settings.soffice, timeout=settings.convert_timeout, font_dirs=settings.font_dirs
    )
