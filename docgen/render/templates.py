"""Find, check and fill docxtpl templates.

Rendering is strict: an undefined variable is an error, never a blank, and values are XML-
escaped so ``&``, ``<`` and ``{{ }}`` inside case data print literally.
"""

from __future__ import annotations

import functools
import importlib.resources
import itertools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from docx.shared import Twips
from docxtpl import DocxTemplate

from docgen import layout
from docgen._io import atomic_copy, atomic_path
from docgen.errors import TemplateError
from docgen.render import docxform


def _builtin_templates() -> Path:
    """templates/official/ of the checkout, or its copy inside the installed package."""
    checkout = Path(__file__).resolve().parents[2] / "templates" / "official"
    if checkout.is_dir():
        return checkout
    return Path(str(importlib.resources.files("docgen._templates").joinpath("notice.docx"))).parent


BUILTIN_TEMPLATES = _builtin_templates()


def strict_env() -> jinja2.Environment:
    """A Jinja environment that fails on undefined names and escapes values for XML."""
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def find_template(kind: str, custom_dir: Path | None) -> Path:
    """Return the template for ``kind``: from the custom folder if it has one, else built in."""
    name = f"{kind}.docx"
    if custom_dir is not None and (custom_dir / name).is_file():
        return custom_dir / name
    builtin = BUILTIN_TEMPLATES / name
    if not builtin.is_file():
        msg = f"找不到模板 {name}（已查找：{custom_dir or '无自定义模板文件夹'}，{BUILTIN_TEMPLATES}）"
        raise TemplateError(msg)
    return builtin


def _load(template: Path) -> DocxTemplate:
    try:
        return DocxTemplate(template)
    except Exception as exc:  # python-docx raises several unrelated types for a bad package
        msg = f"模板 {template} 无法打开（不是有效的 DOCX 文件）：{exc}"
        raise TemplateError(msg) from exc


@functools.lru_cache(maxsize=64)
def _tags_used(template: str, _mtime_ns: int, _size: int) -> frozenset[str]:
    """The tags a template file uses; parsing costs as much as filling, so once per file version."""
    tpl = _load(Path(template))
    try:
        return frozenset(tpl.get_undeclared_template_variables(strict_env()))
    except jinja2.TemplateSyntaxError as exc:
        msg = f"模板 {template} 第{exc.lineno}行附近的标记有语法错误：{exc.message}"
        raise TemplateError(msg) from exc


def check_template(template: Path, context: Mapping[str, Any]) -> None:
    """Fail, before anything is written, if the template uses a tag docgen does not provide."""
    try:
        stat = template.stat()
    except OSError as exc:
        msg = f"模板 {template} 无法读取：{exc}"
        raise TemplateError(msg) from exc
    used = _tags_used(str(template), stat.st_mtime_ns, stat.st_size)
    unknown = sorted(set(used) - set(context))
    if unknown:
        names = "、".join("{{ " + name + " }}" for name in unknown)
        msg = f"模板 {template} 使用了 docgen 不提供的标记：{names}。可用的标记：{'、'.join(sorted(context))}"
        raise TemplateError(msg)


def _apply_signature_layout(tpl: DocxTemplate) -> None:
    """Centre each 发文机关署名 over the 成文日期 that follows it (GB/T 9704 7.3.5.1)."""
    paragraphs = tpl.docx.paragraphs
    for organ, date in itertools.pairwise(paragraphs):
        if organ.style is None or date.style is None:
            continue
        if organ.style.style_id == "GwSignature" and date.style.style_id == "GwDate":
            placed = layout.signature_layout(organ.text, date.text)
            organ.paragraph_format.right_indent = Twips(placed.organ_right_twips)
            date.paragraph_format.right_indent = Twips(placed.date_right_twips)


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    target: Path,
    line_pitch_twips: int | None = None,
    *,
    keep_closing: str | None = None,
    compact_tables: bool = False,
) -> Path:
    """Fill ``template`` with ``context`` and write the DOCX to ``target`` atomically.

    Tables marked 自动列宽 are sized from what was filled in (``docxform.fit_tables``).
    ``line_pitch_twips`` overrides the grid's line pitch of the part holding the 署名 (see
    ``layout.LINE_PITCH_STEPS_TWIPS``); ``keep_closing`` ties the closing block to the body's
    last printed lines, whose text it gives ("" for the whole last paragraph); ``compact_tables``
    sets tables one size smaller.
    """
    check_template(template, context)
    tpl = _load(template)
    try:
        tpl.render(dict(context), jinja_env=strict_env(), autoescape=True)
    except jinja2.TemplateError as exc:
        msg = f"模板 {template} 填写失败：{exc}"
        raise TemplateError(msg) from exc
    _apply_signature_layout(tpl)
    body = tpl.docx.element.body
    docxform.fold_section_breaks(body)
    docxform.balance_titles(body)
    docxform.fit_tables(tpl.docx, compact=compact_tables)
    if line_pitch_twips is not None:
        docxform.set_closing_pitch(body, line_pitch_twips)
    if keep_closing is not None:
        docxform.keep_closing_with_body(body, keep_closing)
    with atomic_path(target) as tmp:
        tpl.save(tmp)
    return target


def export_templates(target: Path, *, overwrite: bool = False) -> list[Path]:
    """Copy the built-in templates into ``target`` for a clerk to edit.

    Existing files are never overwritten unless asked: they may be a clerk's edited templates.
    """
    sources = sorted(BUILTIN_TEMPLATES.glob("*.docx"))
    clashes = [target / s.name for s in sources if (target / s.name).exists()]
    if clashes and not overwrite:
        names = "、".join(str(c) for c in clashes)
        msg = f"以下文件已存在，未作任何改动：{names}。如确需覆盖，请加 --force。"
        raise TemplateError(msg)
    written = []
    for source in sources:
        dest = target / source.name
        atomic_copy(source, dest)
        written.append(dest)
    return written
