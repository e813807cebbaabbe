"""Read YAML while remembering where each value came from, so errors can name the line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from docgen.errors import CaseError, Problem


@dataclass(frozen=True)
class YamlSource:
    """Parsed YAML data plus its node tree for locating values by path."""

    path: Path
    data: Any
    root: yaml.Node | None

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


def load_yaml(path: Path) -> YamlSource:
    """Read and parse ``path``; a missing file or a syntax error becomes a ``CaseError``."""
    if not path.exists():
        raise CaseError([Problem(path, None, None, "文件不存在")])
    if not path.is_file():
        raise CaseError([Problem(path, None, None, "不是文件")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError([Problem(path, None, None, "文件不是 UTF-8 编码的文本")]) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        detail = exc.problem or "无法解析"
        message = f"YAML 格式错误（请检查缩进、冒号、引号和括号）：{detail}"
        raise CaseError([Problem(path, line, None, message)]) from exc
    except yaml.YAMLError as exc:
        raise CaseError([Problem(path, None, None, f"YAML 格式错误：{exc}")]) from exc
    return YamlSource(path, data, root)
