"""A case edited through a form: the fields a form shows, read from and written back to the YAML.

The form is generated from the case model, so a field added to a model appears in the browser
with its Chinese title and no page to change. Writing back goes through a round-trip YAML
library (ruamel.yaml): a clerk's comments, key order and quoting in a hand-written case survive
a save from the browser; only the fields the form changed are touched. Validation stays where it
is (``validate_case``): the browser shows the same messages as the command line.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from docgen.case.model import Case, Head, Issuer, Letter, Minutes, Notice, Report, Request, _unwrap
from docgen.errors import Problem

Widget = Literal["text", "lines", "date", "choice"]

# The documents a draft in the browser may be: each one numbered or dated document of a case.
DRAFT_KINDS: dict[str, type[BaseModel]] = {
    "notice": Notice,
    "request": Request,
    "report": Report,
    "letter": Letter,
    "minutes": Minutes,
}
MAX_FORM_DEPTH = 2  # printed.date, secrecy.level: deeper structures are edited as YAML


@dataclass(frozen=True)
class FormField:
    """One input of a draft's form: where its value lives in the case, and how it is typed."""

    path: tuple[str, ...]
    label: str
    widget: Widget
    required: bool
    choices: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The form input's name: the dotted path, as the command line's messages name fields."""
        return ".".join(self.path)


def _widget(annotation: Any) -> tuple[Widget, tuple[str, ...]] | None:
    """How a field of this type is typed in a form; None for structures edited as YAML."""
    inner = _unwrap(annotation)
    if get_origin(inner) is Literal:
        return "choice", tuple(str(a) for a in get_args(inner))
    if isinstance(inner, type) and issubclass(inner, Enum):
        return "choice", tuple(str(m.value) for m in inner)
    if inner is dt.date:
        return "date", ()
    if inner is str:
        return "text", ()
    if get_origin(inner) is list and _unwrap(get_args(inner)[0]) is str:
        return "lines", ()
    return None


def _fields_of(model: type[BaseModel], prefix: tuple[str, ...], required: bool) -> list[FormField]:
    out: list[FormField] = []
    for key, info in model.model_fields.items():
        path, label = (*prefix, key), info.title or key
        inner = _unwrap(info.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            if len(path) < MAX_FORM_DEPTH + 1:
                out += [
                    FormField(f.path, f"{label}：{f.label}", f.widget, f.required, f.choices)
                    for f in _fields_of(inner, path, required and info.is_required())
                ]
            continue
        typed = _widget(info.annotation)
        if typed is not None:
            out.append(FormField(path, label, typed[0], required and info.is_required(), typed[1]))
    return out


def form_fields(kind: str) -> list[FormField]:
    """The inputs of a draft of ``kind``: the issuer and year, then the document's own fields."""
    year = Case.model_fields["year"]
    own = [f for f in _fields_of(DRAFT_KINDS[kind], (kind,), True) if f.path != (kind, "number") or kind == "minutes"]
    # The 发文字号 stays ``auto`` until 签发: a draft never holds a number (a 纪要's 期号 is typed).
    issuer = [f for f in _fields_of(Issuer, ("issuer",), True) if f.path[-1] != "letter_prefix" or kind == "letter"]
    # What the clerk writes first (title, 主送, 正文…), then the 版头 marks (份号, 密级, 紧急程度) and who
    # issues it (filled in from docgen.toml, seldom changed).
    own.sort(key=lambda f: f.path[1] in Head.model_fields)
    return [*own, *issuer, FormField(("year",), year.title or "年度", "text", True)]


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and quoting kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # a long Chinese paragraph stays on its line, as a clerk wrote it
    yaml.indent(mapping=2, sequence=4, offset=2)
    # A date or a text used twice is written twice, not as &id001/*id001; a clerk's own &team stays.
    yaml.representer.ignore_aliases = lambda data: not isinstance(data, CommentedMap | CommentedSeq)
    return yaml


def new_case_text(data: Mapping[str, Any], comments: list[str], notes: Mapping[str, str] | None = None) -> str:
    """A case file's text for ``data``, headed by comment lines; ``notes`` end the lines of the fields they name.

    ``notes`` map a dotted field ("notice.title") to what to check there ("请核对：……"): a case read
    from a Word draft says beside each unsure field what the reader was unsure of.
    """
    tree = _commented(data)
    for dotted, note in (notes or {}).items():
        *parents, key = dotted.split(".")
        node: Any = tree
        for part in parents:
            node = node.get(part) if isinstance(node, CommentedMap) else None
        if isinstance(node, CommentedMap) and key in node:
            node.yaml_add_eol_comment(f"请核对：{note}", key)
    out = io.StringIO()
    out.writelines(f"# {line}\n" for line in comments)
    _yaml().dump(tree, out)
    return out.getvalue()


def _commented(value: Any) -> Any:
    """Plain dicts and lists as ruamel's, which can carry comments."""
    if isinstance(value, Mapping):
        return CommentedMap((k, _commented(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_commented(v) for v in value)
    return value


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def form_values(text: str, fields: list[FormField]) -> dict[str, str]:
    """Each field's value as its input shows it (lines one per line, dates as YYYY-MM-DD)."""
    data = _yaml().load(text) if text.strip() else None
    out: dict[str, str] = {}
    for f in fields:
        value = _get(data, f.path)
        if value is None:
            out[f.name] = ""
        elif f.widget == "lines" and isinstance(value, list):
            out[f.name] = "\n".join(str(v) for v in value)
        else:
            out[f.name] = str(value)
    return out


def _typed(f: FormField, raw: str) -> Any:
    """The YAML value of a submitted input; None when left empty (the key is then removed)."""
    if f.widget == "lines":
        lines = [line.strip() for line in raw.replace("\r\n", "\n").split("\n") if line.strip()]
        return CommentedSeq(lines) if lines else None
    value = raw.strip()
    if not value:
        return None
    if f.widget == "date" and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # kept as typed: validation says the date does not exist
    if f.path == ("year",) and value.isdigit():
        return int(value)
    return value


def apply_form(text: str, fields: list[FormField], submitted: Mapping[str, str]) -> str:
    """The case text with the submitted fields written in; everything else as it was, comments too.

    Only fields whose value changed are written, so an untouched field keeps its quoting and
    its comments; an emptied optional field is removed rather than left as an empty string.
    """
    yaml = _yaml()
    data = yaml.load(text) if text.strip() else None
    if not isinstance(data, CommentedMap):
        data = CommentedMap()
    shown = form_values(text, fields)
    for f in fields:
        if f.name not in submitted or submitted[f.name].replace("\r\n", "\n").strip() == shown[f.name].strip():
            continue
        value = _typed(f, submitted[f.name])
        parent = data
        for key in f.path[:-1]:
            if not isinstance(parent.get(key), CommentedMap):
                if value is None:
                    break
                parent[key] = CommentedMap()
            parent = parent[key]
        else:
            if value is None:
                parent.pop(f.path[-1], None)
            else:
                parent[f.path[-1]] = value
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def problem_field(problem: Problem, fields: list[FormField]) -> str | None:
    """The form input a validation problem belongs to (a list item's problem to its list)."""
    if not problem.field:
        return None
    dotted = problem.field.split("（", 1)[0]
    parts = [p for p in dotted.split(".") if not p.isdigit()]
    names = {f.name for f in fields}
    while parts:
        if ".".join(parts) in names:
            return ".".join(parts)
        parts.pop()
    return None


__all__ = ["DRAFT_KINDS", "FormField", "apply_form", "form_fields", "form_values", "new_case_text", "problem_field"]
