"""The case file: one YAML file holding the data of a set of documents, validated once here.

Everything downstream takes these typed models; nothing else reads YAML. Unknown keys are
rejected (a mistyped key must not be silently ignored) and every error names the file, the
line and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from docgen.docnumber import parse_number
from docgen.errors import CaseError, Problem
from docgen.yamlsource import YamlSource, key_line, load_yaml

_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")


def _parse_date(value: Any) -> Any:
    """Accept a YAML date, ISO text or the written form 2021年5月24日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        m = _CN_DATE.match(value)
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as exc:
                msg = f"日期不存在：{value}"
                raise ValueError(msg) from exc
    return value


def _strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Date = Annotated[dt.date, BeforeValidator(_parse_date)]
Text = Annotated[str, BeforeValidator(_strip_text), Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Issuer(_Model):
    """The issuing organ (发文机关)."""

    name: Text = Field(title="发文机关全称")
    banner: Text | None = Field(default=None, title="发文机关标志")
    prefix: Text | None = Field(default=None, title="机关代字")
    printing_office: Text | None = Field(default=None, title="印发机关")

    @property
    def banner_text(self) -> str:
        """The red 发文机关标志: as given, else the name + 文件."""
        return self.banner or f"{self.name}文件"


class Printed(_Model):
    """印发机关 and 印发日期 of the 版记."""

    by: Text | None = Field(default=None, title="印发机关")
    date: Date = Field(title="印发日期")


Disclosure = Literal["主动公开", "依申请公开", "不予公开"]


class Notice(_Model):
    """The 通知: the document that issues (印发) the others."""

    number: Text = Field(title="发文字号")
    title: Text = Field(title="标题")
    recipients: Text = Field(title="主送机关")
    body: list[Text] = Field(min_length=1, title="正文段落")
    signature: Text | None = Field(default=None, title="发文机关署名")
    date: Date = Field(title="成文日期")
    note: Text | None = Field(default=None, title="附注")
    disclosure: Disclosure | None = Field(default=None, title="公开方式")
    copy_to: list[Text] = Field(default_factory=list, title="抄送机关")
    printed: Printed = Field(title="印发机关和印发日期")

    @field_validator("number")
    @classmethod
    def _check_number(cls, value: str) -> str:
        parsed = parse_number(value)
        if parsed is None:
            msg = "不是有效的发文字号（应为 机关代字〔年份〕序号号，例如 恩科工商务字〔2021〕58号）"
            raise ValueError(msg)
        if parsed.problems:
            msg = f"{'；'.join(parsed.problems)}。应写作 {parsed.number}"
            raise ValueError(msg)
        return value

    @field_validator("recipients")
    @classmethod
    def _drop_trailing_colon(cls, value: str) -> str:
        # The template prints the full-width colon GB/T 9704 asks for; a typed one would double it.
        return value.rstrip("：:").rstrip()


class Case(_Model):
    """One case file."""

    issuer: Issuer = Field(title="发文机关")
    notice: Notice = Field(title="通知")


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（请检查拼写；允许的字段见 examples/）",
    "string_type": "应为文字",
    "list_type": "应为列表（每项一行，以“- ”开头）",
    "dict_type": "应为一组字段（键: 值）",
    "model_type": "应为一组字段（键: 值）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "date_type": "应为日期，例如 2021-05-24 或 2021年5月24日",
    "date_parsing": "应为日期，例如 2021-05-24 或 2021年5月24日",
    "date_from_datetime_parsing": "应为日期，例如 2021-05-24 或 2021年5月24日",
    "string_too_short": "不能为空",
    "too_short": "不能为空",
    "literal_error": "取值无效",
}


def _field_title(loc: tuple[str | int, ...]) -> str | None:
    """Return the Chinese title of the field at ``loc``, walking the model classes."""
    model: type[BaseModel] | None = Case
    title = None
    for part in loc:
        if isinstance(part, int):
            continue  # a list index: the title of the list applies
        if model is None or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        title = info.title
        annotation = info.annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        if model is None:
            for arg in getattr(annotation, "__args__", ()):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    model = arg
    return title


def _problem(source: YamlSource, error: ErrorDetails) -> Problem:
    loc = tuple(error["loc"])
    field = ".".join(str(p) for p in loc) or None
    title = _field_title(loc)
    if field and title:
        field = f"{field}（{title}）"
    kind = error["type"]
    if kind == "value_error":
        message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    elif kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        message = f"取值无效，应为 {expected.replace(' or ', ', ').replace(', ', '、')} 之一"
    else:
        message = _MESSAGES.get(kind, error["msg"])
    if kind in ("string_type", "list_type", "date_type", "int_type") and "input" in error:
        message += f"，现为 {error['input']!r}"
    if kind == "extra_forbidden":
        line = key_line(source, loc)
    elif kind == "missing":
        line = key_line(source, loc[:-1]) if len(loc) > 1 else 1
    else:
        line = source.line_of(loc)
    return Problem(source.path, line, field, message)


def validate_case(source: YamlSource, issuer_defaults: Mapping[str, str] | None = None) -> Case:
    """Validate parsed YAML into a ``Case``; ``issuer_defaults`` fill the issuer's gaps."""
    data = source.data
    if not isinstance(data, dict):
        raise CaseError([Problem(source.path, 1, None, "案卷文件应为一组字段（键: 值），现在是空的或格式不对")])
    if issuer_defaults:
        issuer = data.get("issuer")
        data = {**data, "issuer": {**issuer_defaults, **(issuer if isinstance(issuer, dict) else {})}}
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = sorted((_problem(source, e) for e in exc.errors()), key=lambda p: p.line or 0)
        raise CaseError(problems) from exc


def load_case(path: Path, issuer_defaults: Mapping[str, str] | None = None) -> Case:
    """Read, parse and validate a case file."""
    return validate_case(load_yaml(path), issuer_defaults)
