"""The case file: one YAML file holding the data of a set of documents, validated once here.

Everything downstream takes these typed models; nothing else reads YAML. Unknown keys are
rejected (a mistyped key must not be silently ignored) and every error names the file, the
line and the field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from docgen.case.creditcode import credit_code_problem
from docgen.case.yamlsource import YamlSource, key_line, load_yaml, odd_key_line
from docgen.errors import CaseError, Problem
from docgen.vocab import (
    COPY_NUMBER_DIGITS,
    MAX_TITLE_CHARS,
    WRITTEN_DATE,
    SecrecyLevel,
    Urgency,
    clip,
    describe_char,
    name_problem,
    parse_number,
    prefix_problem,
    secrecy_mark,
    shown_value,
    text_problem,
)

AUTO_NUMBER = "auto"
HEADING_NUMBER = re.compile(
    r"^\s*([一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百]+[）)]|\d+[.．、]|[（(]\d+[）)])"
)


def _parse_date(value: Any) -> Any:
    """Accept a YAML date, ISO text or the written form 2021年5月24日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        m = WRITTEN_DATE.fullmatch(value.strip())
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as exc:
                msg = f"日期不存在：{value}"
                raise ValueError(msg) from exc
    return value


def _strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _refusing(problem_of: Callable[[str], str | None], said: str) -> Callable[[str], str]:
    """A validator that lets a value through, or raises ``said`` with its problem."""

    def check(value: str) -> str:
        problem = problem_of(value)
        if problem:
            raise ValueError(said.format(value=clip(value, 40), problem=problem))
        return value

    return check


_printable = _refusing(text_problem, "{problem}")
_file_name = _refusing(name_problem, "键名“{value}”会成为文件名：{problem}")
_prefix = _refusing(prefix_problem, "机关代字“{value}”{problem}")


def _number_or_auto(value: str) -> str:
    return value if value == AUTO_NUMBER else check_document_number(value)


def _without_colon(value: str) -> str:
    # The template prints the full-width colon GB/T 9704 asks for; a typed one would double it.
    return value.rstrip("：:").rstrip()


def _not_a_truth_value(value: Any) -> Any:
    # YAML reads true/yes as a truth value and pydantic would count it as 1: "1台" from "quantity: true".
    if isinstance(value, bool):
        msg = f"应为整数，现为 {shown_value(value)}"
        raise ValueError(msg)  # noqa: TRY004 - pydantic reports ValueError at the field's line
    return value


def _whole_number(value: Any) -> Any:
    # pydantic takes 2021.0 for 2021: a year or a count written as a decimal is a slip worth naming.
    if isinstance(value, float) and math.isfinite(value):  # .inf and .nan are told apart by pydantic
        msg = f"应为整数，现为 {shown_value(value)}"
        raise ValueError(msg)
    return _not_a_truth_value(value)


Count = Annotated[int, BeforeValidator(_whole_number)]
Date = Annotated[dt.date, BeforeValidator(_parse_date)]
Text = Annotated[str, BeforeValidator(_strip_text), Field(min_length=1), AfterValidator(_printable)]
# An enterprise key names the files of its 验收记录 (acceptance-<key>.pdf).
Key = Annotated[str, BeforeValidator(_strip_text), AfterValidator(_file_name)]
Title = Annotated[Text, Field(max_length=MAX_TITLE_CHARS)]  # a document's title: a few lines, never a page
DocumentNumber = Annotated[Text, AfterValidator(_number_or_auto)]  # 发文字号, or auto
Recipients = Annotated[Text, AfterValidator(_without_colon)]  # 主送机关
Prefix = Annotated[Text, AfterValidator(_prefix)]  # 机关代字


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, allow_inf_nan=False)


class Issuer(_Model):
    """The issuing organ (发文机关)."""

    name: Text = Field(title="发文机关全称")
    banner: Text | None = Field(default=None, title="发文机关标志")
    prefix: Prefix | None = Field(default=None, title="机关代字")
    letter_prefix: Prefix | None = Field(default=None, title="函的机关代字")
    printing_office: Text | None = Field(default=None, title="印发机关")

    @property
    def banner_text(self) -> str:
        """The red 发文机关标志: as given, else the name + 文件."""
        return self.banner or f"{self.name}文件"

    @property
    def banner_name(self) -> str:
        """The organ's name as its banner prints it, without 文件 (the lead of a joint banner)."""
        return self.banner_text.removesuffix("文件") or self.name


class Printed(_Model):
    """印发机关 and 印发日期 of the 版记."""

    by: Text | None = Field(default=None, title="印发机关")
    date: Date = Field(title="印发日期")


Disclosure = Literal["主动公开", "依申请公开", "不予公开"]
_SECRECY_PERIOD = re.compile(r"^([0-9]{1,3}(年|个月)|长期)$")


def _copy_number(value: Any) -> Any:
    """份号: six Arabic digits; 1 or "1" is written 000001, as GB/T 9704 7.2.1 prints it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,6}", value.strip()) and int(value) > 0:
        return value.strip().zfill(COPY_NUMBER_DIGITS)
    msg = "份号应为 1 至 999999 的阿拉伯数字（印出时补足 6 位，如 000001）"
    raise ValueError(msg)


CopyNumber = Annotated[str, BeforeValidator(_copy_number)]


class Secrecy(_Model):
    """密级和保密期限 (GB/T 9704 7.2.2): 机密★1年."""

    level: SecrecyLevel = Field(title="密级")
    period: Text | None = Field(default=None, title="保密期限")

    @field_validator("period")
    @classmethod
    def _arabic_period(cls, value: str | None) -> str | None:
        if value is not None and not _SECRECY_PERIOD.match(value):
            msg = "保密期限用阿拉伯数字写，如 1年、6个月，或写 长期"
            raise ValueError(msg)
        return value

    @property
    def mark(self) -> str:
        """As printed in the 版头."""
        return secrecy_mark(self.level, self.period)


class Head(_Model):
    """The 版头 elements above the 发文机关标志 that any document may carry (GB/T 9704 7.2.1-7.2.3)."""

    copy_number: CopyNumber | None = Field(default=None, title="份号")
    secrecy: Secrecy | None = Field(default=None, title="密级和保密期限")
    urgency: Urgency | None = Field(default=None, title="紧急程度")


class JointOrgan(_Model):
    """Another organ issuing a joint document (联合行文) with the issuer, which leads."""

    name: Text = Field(title="机关全称")
    banner: Text | None = Field(default=None, title="标志中的名称")

    @property
    def banner_name(self) -> str:
        """The name as the banner prints it: the short form when given."""
        return self.banner or self.name


class Notice(Head):
    """The 通知: the document that issues (印发) the others."""

    number: DocumentNumber = Field(title="发文字号")
    title: Title = Field(title="标题")
    recipients: Recipients = Field(title="主送机关")
    body: list[Text] = Field(min_length=1, title="正文段落")
    attachments: list[Text] = Field(default_factory=list, title="附件说明")
    signature: Text | None = Field(default=None, title="发文机关署名")
    date: Date = Field(title="成文日期")
    note: Text | None = Field(default=None, title="附注")
    disclosure: Disclosure | None = Field(default=None, title="公开方式")
    copy_to: list[Text] = Field(default_factory=list, title="抄送机关")
    printed: Printed = Field(title="印发机关和印发日期")
    joint: list[JointOrgan] = Field(default_factory=list, title="联合发文机关")


class Section(_Model):
    """One heading of the plan with what follows it; docgen numbers headings itself."""

    heading: Text = Field(title="标题")
    text: Text | None = Field(default=None, title="标题后同段文字")
    body: list[Text] = Field(default_factory=list, title="段落")
    sections: list[Section] = Field(default_factory=list, title="下级标题")

    @field_validator("heading")
    @classmethod
    def _no_typed_number(cls, value: str) -> str:
        if HEADING_NUMBER.match(value):
            msg = f"标题“{value}”不要自己写序号，docgen 会按层级自动编号（一、（一）1.（1））"
            raise ValueError(msg)
        return value


MAX_HEADING_DEPTH = 4  # 一、 / （一） / 1. / （1）


def at_most_four_levels(sections: list[Section]) -> list[Section]:
    """Refuse a fifth heading level: GB/T 9704 numbers four (一、（一）1.（1））."""

    def check(items: list[Section], depth: int) -> None:
        for item in items:
            if item.sections and depth == MAX_HEADING_DEPTH:
                msg = f"标题“{item.heading}”下还有下级标题：公文标题最多四级（一、（一）1.（1））"
                raise ValueError(msg)
            check(item.sections, depth + 1)

    check(sections, 1)
    return sections


Sections = Annotated[list[Section], AfterValidator(at_most_four_levels)]


class Plan(_Model):
    """The 工作计划 issued by the notice."""

    title: Title = Field(title="计划标题")
    preamble: list[Text] = Field(default_factory=list, title="开头段落")
    sections: Sections = Field(min_length=1, title="章节")


class TaskRow(_Model):
    """One row of the 任务分工表."""

    task: Text = Field(title="工作任务")
    units: list[Text] = Field(min_length=1, title="责任单位")
    deadline: Text = Field(title="完成时限")


class Tasks(_Model):
    """The 任务分工表, attached to the plan."""

    title: Title = Field(title="附件标题")
    rows: list[TaskRow] = Field(min_length=1, title="任务")


MAX_QUANTITY = 1_000_000_000  # 台, 套, 万吨/年: far above any enterprise, far below 1e40


class Equipment(_Model):
    """One line of equipment taken out of production."""

    name: Text = Field(title="设备名称")
    model: Text = Field(title="规格型号")
    quantity: Count = Field(gt=0, le=MAX_QUANTITY, title="数量")
    unit: Text = Field(default="台", title="数量单位")


class Capacity(_Model):
    """A production capacity: a number and its unit, e.g. 3 万吨/年."""

    value: Annotated[float, BeforeValidator(_not_a_truth_value)] = Field(gt=0, le=MAX_QUANTITY, title="产能数值")
    unit: Text = Field(title="产能单位")

    @property
    def text(self) -> str:
        """The capacity as printed: 3万吨/年, 1.5万吨/年, 1200000吨/年 (never 1.2e+06)."""
        number = f"{self.value:.6f}".rstrip("0").rstrip(".")
        return f"{number}{self.unit}"


ExitMethod = Literal["拆除", "封存", "断电断水", "关停", "取缔"]


class TeamMember(_Model):
    """A member of the verification team (验收组)."""

    name: Text = Field(title="姓名")
    unit: Text = Field(title="单位")
    title: Text = Field(title="职务")


class Enterprise(_Model):
    """An enterprise, defined once and referred to by its key."""

    name: Text = Field(title="企业名称")
    credit_code: Text = Field(title="统一社会信用代码")
    address: Text = Field(title="地址")
    industry: Text = Field(title="行业")
    equipment: list[Equipment] = Field(min_length=1, title="退出设备")
    capacity: Capacity = Field(title="退出产能")
    exit_method: ExitMethod = Field(title="退出方式")
    acceptance_date: Date = Field(title="验收时间")
    acceptance_team: list[TeamMember] = Field(min_length=1, title="验收组成员")
    conclusion: Text | None = Field(default=None, title="验收结论")

    @field_validator("credit_code")
    @classmethod
    def _check_credit_code(cls, value: str) -> str:
        problem = credit_code_problem(value)
        if problem:
            msg = f"统一社会信用代码{problem}"
            raise ValueError(msg)
        return value


class Acceptance(_Model):
    """Settings shared by every 验收记录."""

    title: Title = Field(default="落后产能退出验收记录", title="记录标题")
    enterprises: list[Text] | None = Field(default=None, title="验收企业")


class Publicity(_Model):
    """公示期."""

    start: Date = Field(title="公示开始日期")
    end: Date = Field(title="公示结束日期")

    @model_validator(mode="after")
    def _in_order(self) -> Publicity:
        if self.end < self.start:
            msg = f"公示结束日期 {self.end} 早于开始日期 {self.start}"
            raise ValueError(msg)
        return self


class Complaint(_Model):
    """Where the public sends objections (监督/投诉渠道)."""

    unit: Text = Field(title="受理单位")
    phone: Text = Field(title="监督电话")
    address: Text | None = Field(default=None, title="联系地址")
    postcode: Text | None = Field(default=None, title="邮政编码")
    email: Text | None = Field(default=None, title="电子邮箱")


class ListedEnterprise(_Model):
    """An enterprise as a 公告 lists it, written out in the 公告 itself.

    What a 公告 drafted elsewhere (or read from Word by ``docgen format``) says of an enterprise
    whose 验收记录 is not in this case: the row of its table, cell by cell, as printed.
    """

    name: Text = Field(title="企业名称")
    industry: Text = Field(default="", title="行业")
    equipment: Text = Field(default="", title="退出设备")
    capacity: Text = Field(default="", title="退出产能")
    exit_method: Text = Field(default="", title="退出方式")


def _reference_or_row(value: object) -> str:
    """Which an entry of a 公告's list is: a key (text) or a row written out (a mapping)."""
    return "row" if isinstance(value, Mapping | ListedEnterprise) else "key"


# Told apart before validation, so a mistyped entry gets one message, the one for what it is.
AnnouncedEnterprise = Annotated[
    Annotated[Text, Tag("key")] | Annotated[ListedEnterprise, Tag("row")], Discriminator(_reference_or_row)
]


class Announcement(_Model):
    """The 公告 listing the enterprises whose capacity has left production."""

    title: Title = Field(title="公告标题")
    number: Text | None = Field(default=None, title="公告编号")
    basis: list[Text] = Field(min_length=1, title="依据和事由")
    # A key of ``enterprises`` (the case's own, with its 验收记录), or the row written out.
    enterprises: list[AnnouncedEnterprise] = Field(min_length=1, title="公告企业")
    remarks: list[Text] = Field(default_factory=list, title="表后段落")  # printed under the table, as written
    publicity: Publicity | None = Field(default=None, title="公示期")
    complaint: Complaint | None = Field(default=None, title="监督渠道")
    closing: Text | None = Field(default=None, title="结束语")
    signature: Text | None = Field(default=None, title="发文机关署名")
    date: Date = Field(title="成文日期")


class Correspondence(Head):
    """What a 请示, a 报告 and a 函 share: a numbered document to one organ, signed and dated."""

    number: DocumentNumber = Field(title="发文字号")
    prefix: Prefix | None = Field(default=None, title="机关代字")
    title: Title = Field(title="标题")
    recipients: Recipients = Field(title="主送机关")
    body: list[Text] = Field(min_length=1, title="正文段落")
    sections: Sections = Field(default_factory=list, title="正文标题")
    closing: list[Text] = Field(default_factory=list, title="结尾段落")
    attachments: list[Text] = Field(default_factory=list, title="附件说明")
    signature: Text | None = Field(default=None, title="发文机关署名")
    date: Date = Field(title="成文日期")
    note: Text | None = Field(default=None, title="附注")
    copy_to: list[Text] = Field(default_factory=list, title="抄送机关")


class Upward(Correspondence):
    """A 上行文 (请示, 报告): the 签发人 stand in the 版头; a 版记 with 印发机关 and 印发日期."""

    signers: list[Text] = Field(min_length=1, title="签发人")
    printed: Printed | None = Field(default=None, title="印发机关和印发日期")
    joint: list[JointOrgan] = Field(default_factory=list, title="联合发文机关")

    @model_validator(mode="after")
    def _a_signer_for_every_organ(self) -> Upward:
        organs = 1 + len(self.joint)
        if len(self.signers) < organs:
            msg = f"联合上报的请示、报告应标注每个发文机关的签发人：共 {organs} 个机关，只写了 {len(self.signers)} 人"
            raise ValueError(msg)
        return self


class Request(Upward):
    """A 请示: asks one organ above for one thing."""


class Report(Upward):
    """A 报告: tells the organ above what was done; asks for nothing."""


class Letter(Correspondence):
    """A 函 in the 信函格式 (GB/T 9704 10.1), numbered under the issuer's own 函 prefix."""


class Minutes(Head):
    """A 纪要 (GB/T 9704 10.3): what a meeting agreed, with who attended."""

    banner: Text = Field(title="纪要标志")
    number: Text | None = Field(default=None, title="期号")
    title: Title = Field(title="标题")
    body: list[Text] = Field(min_length=1, title="正文段落")
    sections: Sections = Field(default_factory=list, title="正文标题")
    present: list[Text] = Field(min_length=1, title="出席")
    absent: list[Text] = Field(default_factory=list, title="请假")
    attending: list[Text] = Field(default_factory=list, title="列席")
    date: Date = Field(title="成文日期")
    copy_to: list[Text] = Field(default_factory=list, title="分送")
    printed: Printed | None = Field(default=None, title="印发机关和印发日期")


class Case(_Model):
    """One case file: the whole set of documents of one piece of work."""

    issuer: Issuer = Field(title="发文机关")
    year: Count = Field(ge=1949, le=2200, title="年度")
    templates: Text | None = Field(default=None, title="自定义模板文件夹")
    notice: Notice | None = Field(default=None, title="通知")
    plan: Plan | None = Field(default=None, title="工作计划")
    tasks: Tasks | None = Field(default=None, title="任务分工表")
    enterprises: dict[Key, Enterprise] = Field(default_factory=dict, title="企业")
    acceptance: Acceptance = Field(default_factory=Acceptance, title="验收记录")
    announcement: Announcement | None = Field(default=None, title="公告")
    request: Request | None = Field(default=None, title="请示")
    report: Report | None = Field(default=None, title="报告")
    letter: Letter | None = Field(default=None, title="函")
    minutes: Minutes | None = Field(default=None, title="纪要")

    def numbered(self, kind: str) -> Notice | Correspondence | None:
        """The part of the case that holds the 发文字号 of ``kind`` (the set prints the notice's)."""
        part = {"notice": self.notice, "set": self.notice}.get(kind)
        if kind in ("request", "report", "letter"):
            part = getattr(self, kind)
        return part

    def number_prefix(self, kind: str) -> str | None:
        """The 机关代字 an ``auto`` number of ``kind`` is taken under: the document's, else the issuer's."""
        part = self.numbered(kind)
        own = part.prefix if isinstance(part, Correspondence) else None
        if kind == "letter":
            return own or self.issuer.letter_prefix
        return own or self.issuer.prefix

    def acceptance_keys(self) -> list[str]:
        """Keys of the enterprises that get a 验收记录, in file order."""
        if self.acceptance.enterprises is not None:
            return list(self.acceptance.enterprises)
        return list(self.enterprises)


def check_document_number(value: str) -> str:
    """Validate a 发文字号 as it will be printed; raise ValueError with the correction."""
    parsed = parse_number(value)
    if parsed is None:
        msg = "不是有效的发文字号（应为 机关代字〔年份〕序号号，例如 恩科工商务字〔2021〕58号；或写 auto 由登记簿分配）"
        raise ValueError(msg)
    if parsed.problems:
        msg = f"{'；'.join(parsed.problems)}。应写作 {parsed.number}"
        raise ValueError(msg)
    return value


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
    "int_from_float": "应为整数",
    "finite_number": "应为有限的数",
    "float_type": "应为数",
    "float_parsing": "应为数",
    "bool_type": "应为 是 或 否（true/false）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "string_too_long": "过长（最多 {max_length} 个字）",
    "too_long": "项数过多",
    "date_from_datetime_inexact": "应为日期（不带时间），例如 2021-05-24",
    "string_unicode": "含有无效的字符（孤立的 UTF-16 代理码位，如 \\ud800）；请删去",
}


def _unwrap(annotation: Any) -> Any:
    """Strip ``X | None`` and ``Annotated`` down to the type that holds further fields."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _field_title(loc: tuple[str | int, ...]) -> str | None:
    """Return the Chinese title of the field at ``loc``, walking models, lists and mappings."""
    current: Any = Case
    title = None
    for part in loc:
        current = _unwrap(current)
        if get_origin(current) in (list, dict):
            current = get_args(current)[-1]  # an index or a key: the container's title applies
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(str(part))
        if info is None:
            return None
        title, current = info.title, info.annotation
    return title


UNION_TAGS = frozenset({"key", "row"})  # what ``AnnouncedEnterprise`` tells its entries apart by


def _problem(source: YamlSource, error: ErrorDetails) -> Problem:
    # pydantic puts a tagged union's tag in the path; the YAML has no such level.
    loc = tuple(
        p for i, p in enumerate(error["loc"]) if not (p in UNION_TAGS and i and isinstance(error["loc"][i - 1], int))
    )
    field = ".".join(str(p) for p in loc) or None
    title = _field_title(loc)
    if field and title:
        field = f"{field}（{title}）"
    if loc and loc[-1] == "[key]":  # a mapping's key, such as an enterprise's: name the mapping
        field = f"{loc[0]}（{_field_title(loc[:1])}）的键名"
    kind = error["type"]
    if kind == "invalid_key":  # `~: 2021` or `1: x`: pydantic names the key by its repr
        field = "键名"
        shown = "空值（~ 或 null）" if error.get("input") is None else shown_value(error.get("input"), 40)
        return Problem(source.path, odd_key_line(source, loc[:-1]), field, f"键名应为文字，现为 {shown}")
    if kind == "value_error":
        message = str(error["ctx"]["error"]) if "ctx" in error else error["msg"]
    elif kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", ""))
        message = f"取值无效，应为 {expected.replace(' or ', ', ').replace(', ', '、')} 之一"
    else:
        # pydantic's own text is English: every kind gets Chinese, unknown ones a plain "invalid". A
        # constrained text too long reports "too_long" as a list would: said as text.
        said = "string_too_long" if kind == "too_long" and isinstance(error.get("input"), str) else kind
        message = _MESSAGES.get(said, "取值无效").format(**error.get("ctx", {}))
    if kind in ("string_type", "list_type", "date_type", "int_type", "int_from_float", "finite_number") and (
        "input" in error
    ):
        message += f"，现为 {shown_value(error['input'])}"
    if kind == "string_type" and isinstance(error.get("input"), int | float):
        message += '（编号、电话、邮编等请加引号，如 "0750-7115128"，以免前导零丢失）'
    if kind == "extra_forbidden":
        line = key_line(source, loc)
    elif loc and loc[-1] == "[key]":
        line = key_line(source, loc[:-1])
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
        case = Case.model_validate(data)
    except ValidationError as exc:
        problems = sorted((_problem(source, e) for e in exc.errors()), key=lambda p: p.line or 0)
        raise CaseError(problems) from exc
    problems = _dangling_references(source, case) + _number_needs_prefix(source, case) + _joint_repeats(source, case)
    if problems:
        raise CaseError(problems)
    return case


def _joint_repeats(source: YamlSource, case: Case) -> list[Problem]:
    """An organ issues a joint document once: the issuer leads and is not listed again under ``joint``."""
    problems = []
    for kind in ("notice", "request", "report"):
        part = getattr(case, kind)
        seen = {case.issuer.name}
        for i, organ in enumerate(getattr(part, "joint", None) or []):
            if organ.name in seen:
                lead = "主办机关（issuer.name）" if organ.name == case.issuer.name else "前面"
                where = (kind, "joint", i)
                message = f"联合发文机关“{organ.name}”与{lead}重复：每个机关只列一次，主办机关不写在 joint 中"
                problems.append(
                    Problem(source.path, source.line_of(where), f"{kind}.joint.{i}（联合发文机关）", message)
                )
            seen.add(organ.name)
    return problems


def _number_needs_prefix(source: YamlSource, case: Case) -> list[Problem]:
    """``number: auto`` is allocated under a 机关代字, which must then be given."""
    problems = []
    for kind in ("notice", "request", "report", "letter"):
        part = case.numbered(kind)
        if part is None or part.number != AUTO_NUMBER or case.number_prefix(kind):
            continue
        if kind == "letter":
            field, example = "issuer.letter_prefix（函的机关代字）", "恩科工商务函"
        else:
            field, example = "issuer.prefix（机关代字）", "恩科工商务字"
        message = (
            f"{kind}.number 写 auto 时，须在 {field.split('（')[0]} 或 {kind}.prefix 写明机关代字（例如 {example}）"
        )
        problems.append(Problem(source.path, source.line_of((kind, "number")), field, message))
    return problems


def _dangling_references(source: YamlSource, case: Case) -> list[Problem]:
    """Every enterprise key a document refers to must be defined under ``enterprises``."""
    refs: list[tuple[tuple[str | int, ...], Sequence[object]]] = []
    if case.acceptance.enterprises is not None:
        refs.append((("acceptance", "enterprises"), case.acceptance.enterprises))
    if case.announcement is not None:
        refs.append((("announcement", "enterprises"), case.announcement.enterprises))
    names = list(case.enterprises)
    known = "、".join(names[:10]) + (f" 等 {len(names)} 个" if len(names) > 10 else "") or "（尚未定义任何企业）"
    problems = []
    for loc, keys in refs:
        for i, key in enumerate(keys):
            if isinstance(key, str) and key not in case.enterprises:  # a row written out refers to nothing
                where = (*loc, i)
                field = ".".join(map(str, where)) + f"（{_field_title(where)}）"
                message = f"引用的企业 {clip(key, 40)} 未在 enterprises 中定义（已定义：{known}）"
                problems.append(Problem(source.path, source.line_of(where), field, message))
    return problems


def load_case(path: Path, issuer_defaults: Mapping[str, str] | None = None) -> Case:
    """Read, parse and validate a case file."""
    return validate_case(load_yaml(path), issuer_defaults)


_NOT_PRINTED = frozenset({"templates", "credit_code"})  # a folder; a code checked against its own alphabet


def printed_strings(model: BaseModel, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string of a case that ends up printed, with where it sits in the YAML."""
    for name in type(model).model_fields:
        if name in _NOT_PRINTED:
            continue
        yield from _strings(getattr(model, name), (*loc, name))


def _strings(value: object, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, BaseModel):
        yield from printed_strings(value, loc)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, (*loc, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*loc, key))


def field_problem(case_path: Path, loc: tuple[str | int, ...], message: str) -> Problem:
    """A fault found after validation, at the line of the field at ``loc`` (the file is read again)."""
    field = ".".join(map(str, loc)) + (f"（{title}）" if (title := _field_title(loc)) else "")
    return Problem(case_path, load_yaml(case_path).line_of(loc), field, message)


def unprintable_characters(case_path: Path, case: Case, drawable: Container[int]) -> list[Problem]:
    """Characters of the case that no font available for conversion can draw, by field and line."""
    found: list[tuple[tuple[str | int, ...], list[str]]] = []
    for loc, text in printed_strings(case):
        missing = list(dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in drawable))
        if missing:
            found.append((loc, missing))
    if not found:
        return []
    source = load_yaml(case_path)
    problems = []
    for loc, missing in found:
        field = ".".join(map(str, loc)) + (f"（{title}）" if (title := _field_title(loc)) else "")
        chars = "、".join(f"“{ch}”{describe_char(ch)}" for ch in missing[:5])
        message = (
            f"字体中没有 {chars}，印出来会是空白或方框。请换成常用字，或把含有这些字的字体放进工作区的 fonts/ 文件夹"
        )
        problems.append(Problem(case_path, source.line_of(loc), field, message))
    return problems
