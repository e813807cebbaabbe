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
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.filters
import jinja2.nodes
import jinja2.runtime
import jinja2.sandbox
from docx.enum.text import WD_ALIGN_PARAGRAPH
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
# it may read the values docgen gives it and do nothing else. Found by attack runs: an
# unsandboxed template reached ``os.popen`` through ``title.__class__.__mro__``, and a sandboxed
# one still hung the process with ``[1]*100000`` loops, ``{% set s = s ~ s %}`` doubling and
# ``"%0999999999d" % 1``. So a template is checked construct by construct when it is parsed (a
# short list of what printing values needs), and what it may still do is counted while it runs.
LOOP_ATTRIBUTES = frozenset({"first", "last", "index", "index0", "revindex", "revindex0", "length"})
SAFE_FILTERS = ("e", "escape", "default", "d", "join", "length", "count", "first", "last", "string", "trim")
SAFE_TESTS = ("defined", "undefined", "none", "sameas")
MAX_LOOP_STEPS = 1_000_000  # every pass of every loop of one document; real templates take thousands
MAX_PRINTED_CHARS = 64 * 1024 * 1024  # all the XML one document's template writes (check_docx's part limit)

# What a template is made of when it only prints values, tests them and loops over them.
# Built-in templates use these and ``+`` on twips; anything else (set, macro, include, literal
# lists, arithmetic) is refused by name so the clerk knows which tag to change.
_ALLOWED_NODES: tuple[type[jinja2.nodes.Node], ...] = (
    jinja2.nodes.Template,
    jinja2.nodes.Output,
    jinja2.nodes.TemplateData,
    jinja2.nodes.Name,
    jinja2.nodes.Const,
    jinja2.nodes.Getattr,
    jinja2.nodes.Getitem,
    jinja2.nodes.Slice,
    jinja2.nodes.For,
    jinja2.nodes.If,
    jinja2.nodes.Compare,
    jinja2.nodes.Operand,
    jinja2.nodes.And,
    jinja2.nodes.Or,
    jinja2.nodes.Not,
    jinja2.nodes.Neg,
    jinja2.nodes.Pos,
    jinja2.nodes.CondExpr,
    jinja2.nodes.Concat,
    jinja2.nodes.Add,
    jinja2.nodes.Sub,
    jinja2.nodes.Filter,
    jinja2.nodes.Test,
    jinja2.nodes.Keyword,
)
_REFUSED_NAMES = {
    "Assign": "{% set %}",
    "AssignBlock": "{% set %}",
    "Macro": "{% macro %}",
    "CallBlock": "{% call %}",
    "Call": "函数调用",
    "Include": "{% include %}",
    "Extends": "{% extends %}",
    "Import": "{% import %}",
    "FromImport": "{% from … import %}",
    "Block": "{% block %}",
    "FilterBlock": "{% filter %}",
    "With": "{% with %}",
    "ScopedEvalContextModifier": "{% autoescape %}",
    "List": "列表 […]",
    "Tuple": "元组 (…, …)",
    "Dict": "字典 {…}",
    "Mul": "乘法 *",
    "Div": "除法 /",
    "FloorDiv": "除法 //",
    "Mod": "取余或格式化 %",
    "Pow": "乘方 **",
    "ExprStmt": "{% do %}",
    "Continue": "{% continue %}",
    "Break": "{% break %}",
}
_STEP_FILTER = "docgen-loop-step"  # not an identifier, so no template can name it


def _construct_problem(node: jinja2.nodes.Node) -> str | None:
    """Why ``node`` may not appear in a template, or None when it may."""
    if isinstance(node, jinja2.nodes.Tuple) and node.ctx == "store":
        return None  # ``{% for a, b in pairs %}``
    if not isinstance(node, _ALLOWED_NODES):
        name = type(node).__name__
        return _REFUSED_NAMES.get(name, name)
    if isinstance(node, jinja2.nodes.Filter) and node.name not in SAFE_FILTERS:
        return f"过滤器 |{node.name}"
    if isinstance(node, jinja2.nodes.Test) and node.name not in SAFE_TESTS:
        return f"判断 is {node.name}"
    if isinstance(node, jinja2.nodes.For) and node.recursive:
        return "递归循环 recursive"
    return None


class _DocumentSandbox(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja that lets a template read docgen's values and call nothing.

    Attributes: only the fields of docgen's context records and a loop's position; no method of
    any object (so no ``__class__``, no ``str.format``), no globals (no ``range``), a few filters
    and tests, ``+``/``-`` on numbers only. One instance fills one document: it counts that
    document's loop steps and printed characters against the limits above.
    """

    intercepted_binops = frozenset({"+", "-"})

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True)
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}
        self.filters["join"] = _bounded_join
        self.filters[_STEP_FILTER] = self._count_steps
        self.tests = {name: self.tests[name] for name in SAFE_TESTS}
        self._steps = 0
        self._printed = 0

    def _parse(self, source: str, name: str | None, filename: str | None) -> jinja2.nodes.Template:
        """Parse, refuse any construct beyond printing values, and make every loop count its steps."""
        tree = super()._parse(source, name, filename)
        for node in tree.find_all(jinja2.nodes.Node):
            problem = _construct_problem(node)
            if problem is not None:
                msg = f"模板中不能使用{problem}"
                raise SecurityError(msg)
        for loop in tree.find_all(jinja2.nodes.For):
            loop.iter = jinja2.nodes.Filter(loop.iter, _STEP_FILTER, [], [], None, None, lineno=loop.lineno)
        return tree

    def _count_steps(self, iterable: Any) -> Iterator[Any]:
        for item in iterable:
            self._steps += 1
            if self._steps > MAX_LOOP_STEPS:
                msg = f"模板中的循环超过 {MAX_LOOP_STEPS:,} 次，已停止填写"
                raise SecurityError(msg)
            yield item

    def concat(self, pieces: Iterable[str]) -> str:
        """Join what a template part printed, stopping once the document's budget is spent."""
        kept = []
        for piece in pieces:
            self._printed += len(piece)
            if self._printed > MAX_PRINTED_CHARS:
                msg = f"模板写出的内容超过 {MAX_PRINTED_CHARS // 1024 // 1024} M 字符，已停止填写"
                raise SecurityError(msg)
            kept.append(piece)
        return "".join(kept)

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
        """``+`` and ``-`` add up measures (twips); on text or lists they could build anything."""
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
            msg = f"模板中的 {operator_name} 只能用于数字"
            raise SecurityError(msg)
        return operator.add(left, right) if operator_name == "+" else operator.sub(left, right)


@jinja2.pass_eval_context
def _bounded_join(eval_ctx: jinja2.nodes.EvalContext, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    """Jinja's ``join``, refused when the separator alone would repeat past the printing budget."""
    items = list(value)
    if len(str(d)) * len(items) > MAX_PRINTED_CHARS:
        msg = f"模板中的 join 结果过长（超过 {MAX_PRINTED_CHARS // 1024 // 1024} M 字符）"
        raise SecurityError(msg)
    return str(jinja2.filters.do_join(eval_ctx, items, d, attribute))


def strict_env() -> jinja2.Environment:
    """The sandboxed Jinja that fills one document: undefined names fail, values are escaped for XML."""
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
    except SecurityError as exc:
        raise _refused(Path(template), exc) from exc
    except jinja2.TemplateSyntaxError as exc:
        msg = f"模板 {template} 第{exc.lineno}行附近的标记有语法错误：{exc.message}"
        raise TemplateError(msg) from exc
    except (RecursionError, ValueError) as exc:  # brackets nested thousands deep, a 5000-digit number
        msg = f"模板 {template} 的标记无法读取（嵌套过深或数字过长）。"
        raise TemplateError(msg) from exc


def _refused(template: Path, exc: SecurityError) -> TemplateError:
    msg = f"模板 {template} 含有不允许的标记（{exc}），未填写。模板只能印出 docgen 提供的值（如 {{{{ title }}}}）。"
    return TemplateError(msg)


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
            if len(placed.organ_lines) > 1:
                organ.paragraph_format.left_indent = Twips(placed.organ_left_twips)
                organ.alignment = WD_ALIGN_PARAGRAPH.CENTER
                docxform.write_lines(organ._p, placed.organ_lines)


def render_docx(
    template: Path,
    context: Mapping[str, Any],
    target: Path,
    line_pitch_twips: int | None = None,
    *,
    keep_closing: str | None = None,
    compact_tables: bool = False,
    narrow_seal: bool = False,
    imprint: str | None = None,
    recipients_to_imprint: bool = False,
    kept_words: tuple[str, ...] = (),
) -> Path:
    """Fill ``template`` with ``context`` and write the DOCX to ``target`` atomically.

    Tables marked 自动列宽 are sized from what was filled in (``docxform.fit_tables``), the case's
    own words (``kept_words``: its equipment) never broken in a cell.
    ``line_pitch_twips`` overrides the grid's line pitch of the part holding the 署名 (see
    ``layout.LINE_PITCH_STEPS_TWIPS``); ``keep_closing`` ties the closing block to the body's
    last printed lines, whose text it gives ("" for the whole last paragraph); ``compact_tables``
    sets tables one size smaller; ``narrow_seal`` leaves one blank line above the 署名, not two;
    ``imprint`` moves the 版记 off the odd side it was measured on (``docxform.place_imprint``);
    ``recipients_to_imprint`` prints the 主送 in the 版记 (``docxform.move_recipients_to_imprint``).
    """
    check_template(template, context)
    tpl = _load(template)
    try:
        tpl.render(dict(context), jinja_env=strict_env(), autoescape=True)
    except SecurityError as exc:
        raise _refused(template, exc) from exc
    except jinja2.TemplateError as exc:
        msg = f"模板 {template} 填写失败：{exc}"
        raise TemplateError(msg) from exc
    except Exception as exc:  # a template's values may still divide by zero or overflow a number
        msg = f"模板 {template} 填写失败（{type(exc).__name__}：{exc}）"
        raise TemplateError(msg) from exc
    _apply_signature_layout(tpl)
    body = tpl.docx.element.body
    if recipients_to_imprint:
        docxform.move_recipients_to_imprint(body)
    docxform.fold_section_breaks(body)
    docxform.balance_titles(body)
    docxform.align_attachment_names(body)
    docxform.fit_tables(tpl.docx, compact=compact_tables, kept=kept_words)
    if line_pitch_twips is not None:
        docxform.set_closing_pitch(body, line_pitch_twips)
    if narrow_seal:
        docxform.narrow_seal_space(body)
    if keep_closing is not None:
        docxform.keep_closing_with_body(body, keep_closing)
    if imprint is not None:
        docxform.place_imprint(tpl.docx, imprint)
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
