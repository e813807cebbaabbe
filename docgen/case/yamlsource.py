"""Read YAML while remembering where each value came from, so errors can name the line."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from docgen.errors import CaseError, Problem
from docgen.vocab import clip, describe_char


@dataclass(frozen=True)
class YamlSource:
    """Parsed YAML data plus its node tree for locating values by path."""

    path: Path
    data: Any
    root: yaml.Node | None
    raw: bytes = b""  # the file's bytes as read and parsed: what is archived is what was validated

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """Return the 1-based line of the value at ``loc``, or of its nearest existing parent."""
        node = self.root
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            child = _child(node, part)
            if child is None:
                break
            node = child
            line = node.start_mark.line + 1
        return line


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                found: yaml.Node = value
                return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


def key_line(source: YamlSource, loc: Sequence[str | int]) -> int | None:
    """Return the line of the *key* at ``loc`` (for unknown keys) or of its parent."""
    node = source.root
    parent_line = node.start_mark.line + 1 if node is not None else None
    for i, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    if i == len(loc) - 1:
                        return key.start_mark.line + 1
                    node = value
                    parent_line = value.start_mark.line + 1
                    break
            else:
                return parent_line
        else:
            child = _child(node, part)
            if child is None:
                return parent_line
            node = child
            parent_line = child.start_mark.line + 1
    return parent_line


def odd_key_line(source: YamlSource, loc: Sequence[str | int]) -> int | None:
    """The line of the first key that is not text (~, 1, true) in the mapping at ``loc``."""
    node = source.root
    for part in loc:
        node = _child(node, part)
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:str":
                return key.start_mark.line + 1
    return None


# Limits on what a case file may make docgen do. A real case is a few hundred lines; these are
# far above that and far below what would exhaust a clerk's PC (a 16 KB "billion laughs" file of
# anchors expands to 10^9 values).
MAX_FILE_BYTES = 4 * 1024 * 1024  # about 500 times the example; parsed and checked in a few seconds
MAX_VALUES = 200_000  # scalars, lists and mappings, counting every use of an alias in full
MAX_DEPTH = 40
MAX_STRING = 50_000
MAX_ITEMS = 2_000  # entries in one list or mapping: a 公告 of 2,000 enterprises lints in seconds


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, with dates that do not exist reported at their line."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return yaml.constructor.SafeConstructor.construct_yaml_timestamp(self, node)
        except ValueError as exc:
            msg = f"日期不存在：{node.value}"
            raise yaml.constructor.ConstructorError(None, None, msg, node.start_mark) from exc

    def construct_undefined_binary(self, node: yaml.Node) -> Any:
        # !!binary would give bytes, which pydantic decodes into a title nobody can read in the file.
        msg = "不接受 !!binary（以编码形式写入的内容）：请直接写出文字"
        raise yaml.constructor.ConstructorError(None, None, msg, node.start_mark)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:binary", _Loader.construct_undefined_binary)


# libyaml parses about 13 times faster than PyYAML's Python (12.5 ms against 0.9 ms for the
# example): a case file at the size limit loads in about a second, not twelve. Its messages
# differ, so a file that fails is parsed again by PyYAML's Python to say why.
_FAST_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FastLoader(_FAST_BASE):  # type: ignore[misc]
    """libyaml's safe loader where PyYAML was built with it, with the same date check."""

    construct_yaml_timestamp = _Loader.construct_yaml_timestamp
    construct_undefined_binary = _Loader.construct_undefined_binary


_FastLoader.add_constructor("tag:yaml.org,2002:timestamp", _FastLoader.construct_yaml_timestamp)
_FastLoader.add_constructor("tag:yaml.org,2002:binary", _FastLoader.construct_undefined_binary)


def _too_big(path: Path, root: yaml.Node) -> Problem | None:
    """Check sizes on the node graph, counting aliases as expanded without expanding them."""
    sizes: dict[int, tuple[int, int]] = {}  # id(node) → (values when expanded, depth)
    opened: set[int] = set()  # nodes whose children are being sized: meeting one again is a loop
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:  # iterative: a deeply nested file must not exhaust Python's stack here
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            line = node.start_mark.line + 1
            if id(node) in opened:  # ``a: &x [*x]`` contains itself; expanding it never ends
                return Problem(path, line, None, "别名（&、*）引用了自身所在的内容，形成循环，无法展开")
            opened.add(id(node))
            if isinstance(node, yaml.ScalarNode) and len(node.value) > MAX_STRING:
                return Problem(path, line, None, f"文字过长（{len(node.value)} 个字符，上限 {MAX_STRING}）")
            if len(children) > MAX_ITEMS * (2 if isinstance(node, yaml.MappingNode) else 1):
                count = len(children) // (2 if isinstance(node, yaml.MappingNode) else 1)
                return Problem(path, line, None, f"一个列表或字段组中有 {count} 项，超过上限 {MAX_ITEMS}")
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        values = 1 + sum(sizes[id(c)][0] for c in children)
        depth = 1 + max((sizes[id(c)][1] for c in children), default=0)
        if depth > MAX_DEPTH:
            return Problem(path, node.start_mark.line + 1, None, f"嵌套层数过多（超过 {MAX_DEPTH} 层）")
        if values > MAX_VALUES:  # plain values were counted by the scan: here aliases multiplied them
            message = f"展开别名（&、*）后有 {values} 个值，超过上限 {MAX_VALUES}；请不要用别名层层套用"
            return Problem(path, node.start_mark.line + 1, None, message)
        sizes[id(node)] = (values, depth)
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _duplicate_keys(path: Path, root: yaml.Node) -> list[Problem]:
    """A key written twice in one mapping: YAML keeps the last silently, docgen refuses."""
    problems = []
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in first:
                        twice = f"第{first[key.value]}行和第{line}行"
                        message = f"字段 {clip(key.value, 40)} 写了两次（{twice}），请删去一处"
                        problems.append(Problem(path, line, None, message))
                    else:
                        first[key.value] = line
        stack.extend(_children(node))
    return problems


# PyYAML's problems as a clerk would be told them (by the start of its English text).
_PROBLEMS = (
    ("mapping values are not allowed here", "此处不能写“键: 值”（多半是缩进不对，或冒号后的文字里有“: ”，请加引号）"),
    ("found character '\\t' that cannot start any token", "不能用 Tab 键缩进，请改用空格"),
    ("found character", "此处的字符不能开始一个值（以 @ ` % 等开头的文字请加引号）"),
    ("could not find expected ':'", "缺少冒号“:”，或引号没有成对"),
    ("did not find expected key", "缩进没有对齐，或多了一个值"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有成对，或项之间少了逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有成对，或项之间少了逗号"),
    ("did not find expected '-' indicator", "列表项应以“- ”开头并对齐"),
    ("expected <block end>", "缩进没有对齐"),
    ("found undefined alias", "引用了没有定义的别名（*）"),
    ("found duplicate anchor", "别名（&）重复定义"),
    ("found unknown escape character", "双引号中的反斜杠“\\”后面的字符无效；如要写反斜杠本身，请改用单引号"),
    ("expected a comment or a line break", "此处应换行，或文字应加引号"),
    ("found unexpected end of stream", "文件在一个值写完之前就结束了"),
    ("found unhashable key", "键不能是列表或 { }（键名写在冒号前，是一段文字）"),
    ("but found another document", "文件中只能有一份案卷（“---”之后又开始了一份）"),
    ("could not determine a constructor for the tag", "不能使用“!”开头的标记，请删去或给这个值加引号"),
    ("found character that cannot start any token", "此处的字符不能开始一个值（以 @ ` % 等开头的文字请加引号）"),
    ("expected alphabetic or numeric character", "“&”或“*”后面缺少别名"),
    ("found a tab character", "不能用 Tab 键缩进，请改用空格"),
)


def _in_chinese(problem: str) -> str:
    for english, chinese in _PROBLEMS:
        if problem.startswith(english):
            return chinese
    return "此处无法解析（请检查缩进、冒号、引号和括号）"


def _yaml_error(path: Path, exc: yaml.YAMLError) -> Problem:
    """A parse error at the line a clerk should look at."""
    if isinstance(exc, yaml.reader.ReaderError):
        text = path.read_text(encoding="utf-8", errors="replace")
        reader_line = text.count("\n", 0, exc.position) + 1
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        return Problem(path, reader_line, None, f"含有不能出现在案卷中的字符 {describe_char(char)}；请删去")
    if isinstance(exc, yaml.MarkedYAMLError):
        problem, context = exc.problem_mark, exc.context_mark
        # An unclosed quote or bracket is only noticed at the end of the file: name where it opened.
        opened = context is not None and "end of stream" in (exc.problem or "")
        mark = context if opened else (problem or context)
        line = mark.line + 1 if mark else None
        if (exc.problem or "").startswith(("日期不存在", "不接受")):  # our own constructors' words
            return Problem(path, line, None, str(exc.problem))
        detail = _in_chinese(exc.problem or "无法解析")
        if opened and problem is not None:
            detail = f"从这里开始的引号或括号到文件末尾（第{problem.line + 1}行）仍未结束"
        return Problem(path, line, None, f"YAML 格式错误（请检查缩进、冒号、引号和括号）：{detail}")
    return Problem(path, None, None, f"YAML 格式错误：{clip(str(exc))}")


def _scan(path: Path, text: str, loader: type = _Loader) -> tuple[Problem | None, Problem | None]:
    """Scan the tokens first (no recursion, cheap): (nesting too deep, a quote that ran on for lines).

    A missing closing quote makes YAML read on to the next quote, often many lines later, and
    fail there; the line a clerk must fix is where the long quoted value began.
    """
    depth = scalars = 0
    longest: yaml.Token | None = None
    opening = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowSequenceStartToken)
    closing = (yaml.BlockEndToken, yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, (*opening, yaml.FlowMappingStartToken)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = token.start_mark.line + 1
                    return Problem(path, line, None, f"嵌套层数过多（超过 {MAX_DEPTH} 层）"), None
            elif isinstance(token, closing):
                depth -= 1
            elif isinstance(token, yaml.ScalarToken) and (scalars := scalars + 1) > MAX_VALUES:
                # Counted before anything is built: a file of plain values too many to check fast.
                message = f"案卷中有 {MAX_VALUES} 个以上的值，超过上限；一份案卷不会有这么多内容"
                return Problem(path, token.start_mark.line + 1, None, message), None
            elif (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and token.end_mark.line - token.start_mark.line >= 2
            ):
                longest = token
    except yaml.YAMLError:
        pass  # reported, with its line, by the full parse
    if longest is None:
        return None, None
    start, end = longest.start_mark.line + 1, longest.end_mark.line + 1
    message = f"这一行的引号没有在本行结束（直到第{end}行才遇到下一个引号），请检查引号是否成对"
    # A long quoted value is legal YAML; it is named only if the file then fails to parse.
    return None, Problem(path, start, None, message)


def load_yaml(path: Path) -> YamlSource:
    """Read and parse ``path`` within the limits above; every fault becomes a ``CaseError``."""
    if not path.exists():
        raise CaseError([Problem(path, None, None, "文件不存在")])
    if not path.is_file():
        raise CaseError([Problem(path, None, None, "不是文件")])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        message = f"文件过大（{size // 1024 // 1024} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），不像是案卷文件"
        raise CaseError([Problem(path, None, None, message)])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_of_byte = raw.count(b"\n", 0, exc.start) + 1
        message = "文件不是 UTF-8 编码的文本（请在编辑器中另存为 UTF-8）"
        raise CaseError([Problem(path, line_of_byte, None, message)]) from exc
    try:
        parsed = _parse(path, text, _FastLoader)
    except yaml.YAMLError:
        parsed = _parse(path, text, _Loader)  # the same file through PyYAML's Python, for its messages
    return dataclasses.replace(parsed, raw=raw)


def _parse(path: Path, text: str, loader_class: type) -> YamlSource:
    too_deep, runaway_quote = _scan(path, text, loader_class)
    if too_deep is not None:
        raise CaseError([too_deep])
    try:
        loader = loader_class(text)
        try:
            root = loader.get_single_node()
            if root is None:
                return YamlSource(path, None, None)
            too_big = _too_big(path, root)
            if too_big is not None:
                raise CaseError([too_big])
            duplicates = _duplicate_keys(path, root)
            if duplicates:
                raise CaseError(duplicates)
            data = loader.construct_document(root)
        finally:
            loader.dispose()
    except RecursionError as exc:
        raise CaseError([Problem(path, None, None, f"嵌套层数过多（超过 {MAX_DEPTH} 层）")]) from exc
    except yaml.YAMLError as exc:
        if loader_class is not _Loader:
            raise
        raise CaseError([runaway_quote or _yaml_error(path, exc)]) from exc
    return YamlSource(path, data, root)
