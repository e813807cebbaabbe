"""Find, check and fill docxtpl templates.

Rendering is strict: an undefined variable is an error, never a blank, and values are XML-
escaped so ``&``, ``<`` and ``{{ }}`` inside case data print literally.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.resources
import itertools
import operator
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.runtime
import jinja2.sandbox
from docx.shared import Twips
from docxtpl import DocxTemplate
from jinja2.exceptions import SecurityError

from docgen import layout
from docgen._io import atomic_copy, atomic_path
from docgen.errors import TemplateError, UnreadableFileError
from docgen.readback import check_docx
from docgen.render import docxform


def _builtin_templates() -> Path:
    """templates/official/ of the checkout, or its copy inside the installed package."""
    checkout = Path(__file__).resolve().parents[2] / "templates" / "official"
    if checkout.is_dir():
        return checkout
    return Path(str(importlib.resources.files("docgen._templates").joinpath("notice.docx"))).parent


BUILTIN_TEMPLATES = _builtin_templates()


# A template may come from a clerk's folder (``templates:``), so it is code docgen did not write:
# it may read the values docgen gives it and do nothing else. Found by an attack run: an
# unsandboxed template reached ``os.popen`` through ``title.__class__.__mro__``.
LOOP_ATTRIBUTES = frozenset({"first", "last", "index", "index0", "revindex", "revindex0", "length"})
SAFE_FILTERS = ("e", "escape", "default", "d", "join", "length", "count", "first", "last", "string", "trim")
MAX_LOOP_STEPS = 1_000_000  # every pass of every loop of one document; real templates take thousands
MAX_PRODUCT = 100_000  # the longest text or list a template may make with * (and no ** at all)


class _DocumentSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja that lets a template read docgen's values and call nothing.

    Attributes: only the fields of docgen's context records and a loop's position; no method of
    any object (so no ``__class__``, no ``str.format``), no globals (no ``range``), a few filters,
    and ``*`` bounded so one tag cannot build a gigabyte.
    """

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True)
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}
        self.tests = {name: self.tests[name] for name in ("defined", "undefined", "none", "sameas")}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """A loop's position, or a field of a dataclass docgen put into the context."""
        if isinstance(obj, jinja2.runtime.LoopContext):
            return attr in LOOP_ATTRIBUTES
        is_record = dataclasses.is_dataclass(obj) and not isinstance(obj, type)
        return is_record and attr in {f.name for f in dataclasses.fields(obj)}

    def is_safe_callable(self, obj: Any) -> bool:
        """Nothing is called from a template (filters are not calls)."""
        return False

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        """Reading anything but docgen's values fails, said in Chinese."""
        said = f"不能读取 {type(obj).__name__} 的 {attribute}"
        return self.undefined(said, name=attribute, obj=obj, exc=SecurityError)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """No call is made from a template: it may only print values."""
        msg = "模板中不能调用函数或方法"
        raise SecurityError(msg)

    def call_binop(self, context: jinja2.runtime.Context, operator_name: str, left: Any, right: Any) -> Any:
        """``*`` within bounds; ``**`` never (a power tower hangs the process)."""
        if operator_name == "**":
            msg = "模板中不能使用 **"
            raise SecurityError(msg)
        sized = [v for v in (left, right) if isinstance(v, (str, list, tuple))]
        counts = [v for v in (left, right) if isinstance(v, int)]
        if sized and counts and len(sized[0]) * max(counts[0], 0) > MAX_PRODUCT:
            msg = f"模板中的乘法结果过长（超过 {MAX_PRODUCT} 项）"
            raise SecurityError(msg)
        return operator.mul(left, right)


class _Counted(list[Any]):
    """A list of the context that counts every step a template's loops take over it."""

    def __init__(self, items: list[Any], steps: list[int]) -> None:
        super().__init__(items)
        self._steps = steps

    def __iter__(self) -> Iterator[Any]:
        for item in super().__iter__():
            self._steps[0] += 1
            if self._steps[0] > MAX_LOOP_STEPS:
                msg = f"模板中的循环超过 {MAX_LOOP_STEPS:,} 次，已停止填写"
                raise SecurityError(msg)
            yield item


def _counted(value: Any, steps: list[int]) -> Any:
    """The context with every list counting the loop steps taken over it (one budget for all)."""
    if isinstance(value, Mapping):
        return {key: _counted(item, steps) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return _Counted([_counted(item, steps) for item in value], steps)
    return value


def strict_env() -> jinja2.Environment:
    """The sandboxed Jinja that fills templates: undefined names fail, values are escaped for XML."""
    return _DocumentSandbox()


TEMPLATE_KINDS = tuple(sorted(p.stem for p in BUILTIN_TEMPLATES.glob("*.docx")))
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024  # the built-in ones are about 40 KB; pictures make a few MB


def find_template(kind: str, custom_dir: Path | None) -> Path:
    """Return the template for ``kind``: from the custom folder if it has one, else built in.

    A custom template must be a plain file in that folder (not a link to one elsewhere, not a
    device) of a reasonable size.
    """
    name = f"{kind}.docx"
    custom = custom_dir / name if custom_dir is not None else None
    if custom is not None and (custom.exists() or custom.is_symlink()):
        if custom.is_symlink() or not custom.is_file():
            msg = f"模板 {custom} 不是普通文件（符号链接、文件夹或设备），未使用。请放入模板文件本身。"
            raise TemplateError(msg)
        if custom.stat().st_size > MAX_TEMPLATE_BYTES:
            msg = f"模板 {custom} 超过 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB，不是公文模板。"
            raise TemplateError(msg)
        return custom
    builtin = BUILTIN_TEMPLATES / name
    if not builtin.is_file():
        msg = f"找不到模板 {name}（已查找：{custom_dir or '无自定义模板文件夹'}，{BUILTIN_TEMPLATES}）"
        raise TemplateError(msg)
    return builtin


def _load(template: Path) -> DocxTemplate:
    try:
        check_docx(template)
    except UnreadableFileError as exc:
        msg = f"模板 {template} 无法使用：{exc.message}"
        raise TemplateError(msg) from exc
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


def template_digest(template: Path) -> str:
    """The SHA-256 of a template file, computed once per file version (issuing asks per document)."""
    stat = template.stat()
    return _digest(str(template), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _digest(template: str, _mtime_ns: int, _size: int) -> str:
    return hashlib.sha256(Path(template).read_bytes()).hexdigest()


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
        tpl.render(_counted(context, [0]), jinja_env=strict_env(), autoescape=True)
    except SecurityError as exc:
        msg = f"模板 {template} 含有不允许的标记（{exc}），未填写。模板只能印出 docgen 提供的值（如 {{{{ title }}}}）。"
        raise TemplateError(msg) from exc
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
