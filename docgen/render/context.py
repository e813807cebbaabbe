"""Turn validated case models into the flat context each template is filled with (pure).

Each document kind has a builder returning a ``Document``: what to call it, which template to
fill and with what. The composed 印发 set merges the contexts of its parts, so the keys of the
notice, plan and task-table contexts never collide.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from docgen.case.model import (
    AUTO_NUMBER,
    Case,
    Correspondence,
    Enterprise,
    Head,
    Issuer,
    JointOrgan,
    ListedEnterprise,
    Minutes,
    Notice,
    Section,
    Upward,
)
from docgen.errors import DocgenError
from docgen.layout import (
    BODY_PT,
    JOINT_FIRST_ROW_LINES,
    JOINT_ROW_LINES,
    LINE_PITCH_TWIPS,
    LIST_ITEM_MAX,
    MINUTES_ORGAN_GAP_MM,
    banner_size_pt,
    banner_space_before,
    break_lines,
    joint_banner,
    joint_signature_columns,
    letter_title_space_before,
    mm_to_twips,
    signer_layout,
)
from docgen.vocab import KIND_NAMES, chinese_numeral, draft_number

T = TypeVar("T")


HEADING_NUMBERS: tuple[Callable[[int], str], ...] = (
    lambda n: f"{chinese_numeral(n)}、",
    lambda n: f"（{chinese_numeral(n)}）",
    lambda n: f"{n}.",
    lambda n: f"（{n}）",
)


@dataclass(frozen=True)
class PlanParagraph:
    """One paragraph of the plan: a numbered heading (level 1-4) or body text (level 0)."""

    level: int
    number: str = ""
    heading: str = ""
    text: str = ""


def number_sections(sections: list[Section], level: int = 1) -> list[PlanParagraph]:
    """Flatten the section tree into paragraphs, numbering headings by level (一、（一）1.（1））."""
    out: list[PlanParagraph] = []
    for i, section in enumerate(sections, start=1):
        number = HEADING_NUMBERS[level - 1](i)
        out.append(PlanParagraph(level, number, section.heading, section.text or ""))
        out.extend(PlanParagraph(0, text=para) for para in section.body)
        out.extend(number_sections(section.sections, level + 1))
    return out


def format_date(day: dt.date) -> str:
    """Write a date as GB/T 9704 asks: Arabic numerals, no zero padding (2021年5月24日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def attachment_lines(titles: list[str]) -> list[str]:
    """附件说明 items: one title as is; several numbered "1. title" (no punctuation after)."""
    if len(titles) <= 1:
        return list(titles)
    return [f"{i}. {title}" for i, title in enumerate(titles, start=1)]


@dataclass(frozen=True)
class Document:
    """One document to render: its kind, template, context and how it is named."""

    kind: str
    template_kind: str
    title: str
    context: dict[str, Any]
    number: str | None = None
    enterprise_key: str | None = None
    enterprise_names: list[str] = field(default_factory=list)
    enterprise_keys: list[str] = field(default_factory=list)
    date: dt.date | None = None  # 成文日期, which files the document in the archive
    single_page: bool = False  # a form meant to fit one sheet (the 验收记录)
    kept_words: tuple[str, ...] = ()  # the case's own words a table cell never breaks (its equipment)

    @property
    def archive_key(self) -> str:
        """Which document of its case this is, across versions: the kind, and the enterprise."""
        return f"{self.kind}:{self.enterprise_key}" if self.enterprise_key else self.kind

    @property
    def file_stem(self) -> str:
        """File name (without extension) in the output folder."""
        return f"{self.kind}-{self.enterprise_key}" if self.enterprise_key else self.kind


def _require(part: T | None, kind: str, key: str) -> T:
    if part is None:
        msg = f"案卷文件中没有 {key}，不能生成{KIND_NAMES[kind]}。"
        raise DocgenError(msg)
    return part


def _numbered_part(case: Case, kind: str) -> Notice | Correspondence:
    part = case.numbered(kind)
    if part is None:
        msg = f"案卷文件中没有 {kind}（{KIND_NAMES[kind]}），不能生成{KIND_NAMES[kind]}。"
        raise DocgenError(msg)
    return part


def document_number(case: Case, kind: str, allocated: str | None) -> str:
    """The 发文字号 to print: as written, as the registry allocated it, or a draft placeholder."""
    part = _numbered_part(case, kind)
    if part.number != AUTO_NUMBER:
        return part.number
    if allocated:
        return allocated
    return draft_number(case.number_prefix(kind) or "", part.date.year)


def head_context(head: Head) -> dict[str, Any]:
    """The 份号, 密级和保密期限 and 紧急程度 lines above the banner, and the banner's place below them."""
    lines = sum(1 for mark in (head.copy_number, head.secrecy, head.urgency) if mark)
    return {
        "copy_number": head.copy_number or "",
        "secrecy": head.secrecy.mark if head.secrecy else "",
        "urgency": head.urgency or "",
        "head_lines": lines,
        "banner_before": banner_space_before(lines),
    }


def banner_context(text: str) -> dict[str, Any]:
    """The 发文机关标志 and its size in half-points, small enough to stay on one line."""
    size = banner_size_pt(text)
    # The line is 1.25 times the size, as the 36 pt banner's: LibreOffice sets the glyphs of an
    # exact line by its height, so the top edge stays 35 mm below the block at any size.
    return {"banner": text, "banner_size": round(size * 2), "banner_line": round(size * 1.25 * 20)}


def joint_context(issuer: Issuer, joint: list[JointOrgan], date_text: str) -> dict[str, Any]:
    """The banner and the 署名 of a joint document (联合行文); empty lists for one organ.

    The issuer leads: its name first in the banner and the 署名, its 机关代字 in the number.
    """
    if not joint:  # every key the templates name, so one template serves one organ or several
        return dict.fromkeys(("joint_names_twips", "joint_word_twips", "joint_left_twips", "joint_right_twips"), 0) | {
            "joint_banner": [],
            "joint_rows": [],
            "joint_jc": "distribute",
        }
    names = [issuer.banner_name, *(organ.banner_name for organ in joint)]
    banner = joint_banner(names)
    signers = [issuer.name, *(organ.name for organ in joint)]
    left, right = joint_signature_columns(date_text)
    # A name wider than its column breaks between its words (江门市生态环境局 / 恩平分局), docgen's lines.
    column_em = {0: left / (BODY_PT * 20) - 1, 1: right / (BODY_PT * 20) - 1}
    printed = [
        "\n".join(break_lines(name, column_em[1 if i == len(signers) - 1 or i % 2 else 0], soft=True))
        for i, name in enumerate(signers)
    ]
    pairs = [printed[i : i + 2] for i in range(0, len(printed), 2)]
    if len(pairs[-1]) == 1:  # the last organ stands over the date, on the right
        pairs[-1] = ["", pairs[-1][0]]
    rows = []
    for i, (a, b) in enumerate(pairs):
        last = i == len(pairs) - 1
        # The last row also holds the date, a line under the last organ's name.
        height = ((JOINT_FIRST_ROW_LINES if i == 0 else JOINT_ROW_LINES) + last) * LINE_PITCH_TWIPS
        lines = [a.count("\n") + 1, b.count("\n") + 1 + last]  # an empty cell's paragraph is a line too
        # Each cell's lines stand at the foot of the row, under its seal: the room goes before them.
        before = [max(0, height - n * LINE_PITCH_TWIPS) for n in lines]
        rows.append({"left": a, "right": b, "height": height, "left_before": before[0], "right_before": before[1]})
    return {
        "joint_banner": names,
        "banner_size": round(banner.size_pt * 2),
        "banner_line": round(banner.size_pt * 1.25 * 20),
        "joint_names_twips": banner.names_twips,
        # Names of one width (distributed), unless one must wrap: spreading its last line would gape.
        "joint_jc": "both" if banner.wraps else "distribute",
        "joint_word_twips": banner.word_twips,
        "joint_rows": rows,
        "joint_left_twips": left,
        "joint_right_twips": right,
        # What a page opening with the 署名 starts with, and its first printed line (fitting looks for both).
        "signature": "".join(signers),
        "signature_line": "".join(name.split("\n")[0] for name in pairs[0]),
    }


def copy_to_text(organs: list[str]) -> str:
    """抄送: names separated by full-width commas, ending with a full stop (GB/T 9704 7.4.2)."""
    return "，".join(organs) + "。" if organs else ""


def notice_context(case: Case, allocated: str | None = None) -> dict[str, Any]:
    """Context of the notice template; ``allocated`` is the registry's number for ``auto``."""
    notice, issuer = _require(case.notice, "notice", "notice（通知）"), case.issuer
    return {
        **head_context(notice),
        **banner_context(issuer.banner_text),
        "number": document_number(case, "notice", allocated),
        "title": notice.title,
        "recipients": notice.recipients,
        "body": list(notice.body),
        "paragraphs": [],
        "closing": [],
        "attachments": attachment_lines(list(notice.attachments)),
        "signature": notice.signature or issuer.name,
        "date": format_date(notice.date),
        "note": notice.note or "",
        "disclosure": notice.disclosure or "",
        "copy_to": copy_to_text(list(notice.copy_to)),
        "printed_by": notice.printed.by or issuer.printing_office or f"{issuer.name}办公室",
        "printed_date": format_date(notice.printed.date),
    } | joint_context(issuer, list(notice.joint), format_date(notice.date))


def plan_context(case: Case) -> dict[str, Any]:
    """Context of the plan template; its 附件说明 names the task table when the case has one."""
    plan = _require(case.plan, "plan", "plan（工作计划）")
    return {
        "plan_title": plan.title,
        "plan_preamble": list(plan.preamble),
        "plan_paragraphs": number_sections(list(plan.sections)),
        "plan_attachments": attachment_lines([case.tasks.title] if case.tasks else []),
    }


def tasks_context(case: Case) -> dict[str, Any]:
    """Context of the task-table template."""
    tasks = _require(case.tasks, "tasks", "tasks（任务分工表）")
    rows = [
        {"index": i, "task": row.task, "units": "、".join(row.units), "deadline": row.deadline}
        for i, row in enumerate(tasks.rows, start=1)
    ]
    return {"tasks_label": "附件", "tasks_title": tasks.title, "task_rows": rows}


def equipment_text(enterprise: Enterprise) -> str:
    """All equipment lines of one enterprise in one cell: 中频感应炉2台（GW-5t）；…."""
    return "；".join(f"{e.name}{e.quantity}{e.unit}（{e.model}）" for e in enterprise.equipment)


def default_conclusion(enterprise: Enterprise) -> str:
    """The conclusion a verification team writes when nothing is unusual."""
    return (
        f"经现场核查，该企业退出设备与任务清单一致，已按“{enterprise.exit_method}”方式完成退出，"
        f"相应产能{enterprise.capacity.text}不再投入生产，同意通过验收。"
    )


def acceptance_context(case: Case, key: str) -> dict[str, Any]:
    """Context of the 验收记录 of one enterprise."""
    enterprise = case.enterprises[key]
    return {
        "record_title": case.acceptance.title,
        "enterprise_name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "address": enterprise.address,
        "industry": enterprise.industry,
        "exit_method": enterprise.exit_method,
        "capacity": enterprise.capacity.text,
        "acceptance_date": format_date(enterprise.acceptance_date),
        "equipment": [
            {"index": i, "name": e.name, "model": e.model, "quantity": f"{e.quantity}{e.unit}"}
            for i, e in enumerate(enterprise.equipment, start=1)
        ],
        "conclusion": enterprise.conclusion or default_conclusion(enterprise),
        "team": [{"name": m.name, "unit": m.unit, "title": m.title} for m in enterprise.acceptance_team],
        "organiser": case.issuer.name,
    }


def announcement_context(case: Case) -> dict[str, Any]:
    """Context of the 公告."""
    ann = _require(case.announcement, "announcement", "announcement（公告）")
    rows = []
    for i, entry in enumerate(ann.enterprises, start=1):
        if isinstance(entry, ListedEnterprise):  # the row as the 公告 itself writes it
            rows.append({"index": i, **entry.model_dump()})
            continue
        e = case.enterprises[entry]
        rows.append(
            {
                "index": i,
                "name": e.name,
                "industry": e.industry,
                "equipment": equipment_text(e),
                "capacity": e.capacity.text,
                "exit_method": e.exit_method,
            }
        )
    closing = list(ann.remarks)
    if ann.publicity:
        closing.append(
            f"公示期：{format_date(ann.publicity.start)}至{format_date(ann.publicity.end)}。"
            "公示期间如有异议，请以书面形式向受理单位反映，反映情况应客观真实，并提供联系方式。"
        )
    if ann.complaint:
        c = ann.complaint
        channel = f"受理单位：{c.unit}；监督电话：{c.phone}"
        channel += f"；联系地址：{c.address}" if c.address else ""
        channel += f"；邮政编码：{c.postcode}" if c.postcode else ""
        channel += f"；电子邮箱：{c.email}" if c.email else ""
        closing.append(channel + "。")
    closing.append(ann.closing or "特此公告。")
    return {
        "title": ann.title,
        "announcement_number": ann.number or "",
        "basis": list(ann.basis),
        "announcement_rows": rows,
        "closing": closing,
        "signature": ann.signature or case.issuer.name,
        "date": format_date(ann.date),
    } | joint_context(case.issuer, [], format_date(ann.date))


def correspondence_context(case: Case, kind: str, allocated: str | None = None) -> dict[str, Any]:
    """Context of a 请示, 报告 or 函: the notice's parts, with the 签发人 of an upward document."""
    part = _numbered_part(case, kind)
    assert isinstance(part, Correspondence)  # noqa: S101 - request, report and letter are Correspondence parts
    issuer = case.issuer
    head = head_context(part)
    context = {
        **head,
        # The 信函格式 prints the organ's name alone: no 文件 (GB/T 9704 10.1).
        **banner_context(issuer.name if kind == "letter" else issuer.banner_text),
        "number": document_number(case, kind, allocated),
        "title": part.title,
        "recipients": part.recipients,
        "body": list(part.body),
        "paragraphs": number_sections(list(part.sections)),
        "closing": list(part.closing),
        "attachments": attachment_lines(list(part.attachments)),
        "signature": part.signature or issuer.name,
        "date": format_date(part.date),
        "note": part.note or "",
        "copy_to": copy_to_text(list(part.copy_to)),
    }
    context |= joint_context(issuer, list(part.joint) if isinstance(part, Upward) else [], context["date"])
    if kind == "letter":
        context["title_before"] = letter_title_space_before(head["head_lines"])
    if isinstance(part, Upward):
        signers = signer_layout(list(part.signers))
        rows = [{"label": s.label, "names": s.names, "before": s.before_twips} for s in signers.lines]
        printed = part.printed
        context |= {
            "signer_rows": rows[:-1],
            "last_signer": rows[-1],
            "signer_tab": signers.names_at_twips,
            "disclosure": "",
            "printed_by": (printed.by if printed else None) or issuer.printing_office or f"{issuer.name}办公室",
            "printed_date": format_date(printed.date if printed else part.date),
        }
    return context


def minutes_context(case: Case) -> dict[str, Any]:
    """Context of a 纪要: its 标志, who attended, and a 版记 that 分送s it."""
    minutes: Minutes = _require(case.minutes, "minutes", "minutes（纪要）")
    issuer, printed = case.issuer, minutes.printed
    attendance = [
        {"label": label, "names": "、".join(names)}
        for label, names in (("出席", minutes.present), ("请假", minutes.absent), ("列席", minutes.attending))
        if names
    ]
    printed_by = (printed.by if printed else None) or issuer.printing_office or f"{issuer.name}办公室"
    return {
        **head_context(minutes),
        **banner_context(minutes.banner),
        "minutes_number": minutes.number or "",
        "minutes_organ": printed_by,
        # The organ and date line, with the red rule under it, keeps two lines below the banner;
        # under a 期号 it stands one line pitch lower (measured: 3.3 mm before it puts its glyphs
        # 10.2 mm under the 期号's; with none they were 6.9 mm apart, the boxes 1.3 mm).
        "organ_before": mm_to_twips(MINUTES_ORGAN_GAP_MM) if minutes.number else 2 * LINE_PITCH_TWIPS,
        "title": minutes.title,
        "body": list(minutes.body),
        "paragraphs": number_sections(list(minutes.sections)),
        "attendance": attendance,
        "date": format_date(minutes.date),
        "disclosure": "",
        "copy_to": copy_to_text(list(minutes.copy_to)),
        "printed_by": printed_by,
        "printed_date": format_date(printed.date if printed else minutes.date),
    }


def documents_for(case: Case, kind: str, enterprise: str | None = None, allocated: str | None = None) -> list[Document]:
    """The documents of one kind a case yields (one per enterprise for 验收记录).

    ``allocated`` is the number the registry holds for the notice when the case says ``auto``.
    """
    words = case_words(case)
    documents = []
    for made in _documents_of_kind(case, kind, enterprise, allocated):
        named = named_enterprises(case, made.context) if not made.enterprise_names else {}
        keys, names = (list(named), list(named.values())) if named else (made.enterprise_keys, made.enterprise_names)
        documents.append(dataclasses.replace(made, kept_words=words, enterprise_keys=keys, enterprise_names=names))
    return documents


def named_enterprises(case: Case, context: dict[str, Any]) -> dict[str, str]:
    """The case's enterprises a document names in its text (key → name), in the case's order.

    A 请示, 纪要 or 印发合成件 that names an enterprise is found by ``search --enterprise`` as its
    公告 and 验收记录 are.
    """
    text = "".join(_strings(context))
    return {key: e.name for key, e in case.enterprises.items() if e.name in text}


def _strings(value: Any) -> Iterator[str]:
    """Every string in a context value, however nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


_ITEM_NAME = re.compile(r"^(\D+?)\d")  # an equipment item's name, up to its count


def case_words(case: Case) -> tuple[str, ...]:
    """Words of the case a line never breaks: the names of its enterprises' equipment (蒸球, 热定型机)."""
    names = {item.name for enterprise in case.enterprises.values() for item in enterprise.equipment}
    if case.announcement is not None:  # a row written out names its equipment before each count: "蒸球2个（14m³）"
        listed = [e.equipment for e in case.announcement.enterprises if isinstance(e, ListedEnterprise)]
        names |= {m[1] for text in listed for item in text.split("；") if (m := _ITEM_NAME.match(item))}
    return tuple(sorted(name for name in names if 1 < len(name) <= LIST_ITEM_MAX))


def _documents_of_kind(  # noqa: PLR0911 - one return per kind of document
    case: Case, kind: str, enterprise: str | None, allocated: str | None
) -> list[Document]:
    if kind not in KIND_NAMES:
        msg = f"未知的文种 {kind}，可选：{'、'.join(f'{k}（{v}）' for k, v in KIND_NAMES.items())}"
        raise DocgenError(msg)
    if enterprise is not None and kind != "acceptance":
        msg = "--enterprise 只适用于验收记录（-k acceptance）。"
        raise DocgenError(msg)
    if kind == "acceptance":
        keys = case.acceptance_keys() if enterprise is None else [enterprise]
        if enterprise is not None and enterprise not in case.enterprises:
            msg = f"案卷中没有企业 {enterprise}（已定义：{'、'.join(case.enterprises) or '无'}）"
            raise DocgenError(msg)
        if not keys:
            msg = "案卷文件中没有企业（enterprises），不能生成验收记录。"
            raise DocgenError(msg)
        return [
            Document(
                kind="acceptance",
                template_kind="acceptance",
                title=f"{case.enterprises[key].name}{case.acceptance.title}",
                context=acceptance_context(case, key),
                enterprise_key=key,
                enterprise_names=[case.enterprises[key].name],
                enterprise_keys=[key],
                date=case.enterprises[key].acceptance_date,
                single_page=True,
            )
            for key in keys
        ]
    if kind in ("request", "report", "letter"):
        ctx = correspondence_context(case, kind, allocated)
        part = case.numbered(kind)
        return [Document(kind, kind, ctx["title"], ctx, number=ctx["number"], date=part.date if part else None)]
    if kind == "minutes":
        ctx = minutes_context(case)
        return [Document("minutes", "minutes", ctx["title"], ctx, date=case.minutes.date if case.minutes else None)]
    notice_date = case.notice.date if case.notice else None
    if kind == "notice":
        ctx = notice_context(case, allocated)
        return [Document("notice", "notice", ctx["title"], ctx, number=ctx["number"], date=notice_date)]
    if kind == "plan":
        ctx = plan_context(case)
        return [Document("plan", "plan", ctx["plan_title"], ctx, date=notice_date)]
    if kind == "tasks":
        ctx = tasks_context(case)
        return [Document("tasks", "tasks", ctx["tasks_title"], ctx, date=notice_date)]
    if kind == "announcement":
        ctx = announcement_context(case)
        ann = _require(case.announcement, "announcement", "announcement（公告）")
        return [
            Document(
                "announcement",
                "announcement",
                ctx["title"],
                ctx,
                enterprise_names=[row["name"] for row in ctx["announcement_rows"]],
                enterprise_keys=[e if isinstance(e, str) else e.name for e in ann.enterprises],
                date=ann.date,
            )
        ]
    # The composed 印发 set: the notice, the plan it issues and the plan's 附件.
    ctx = {**notice_context(case, allocated), **plan_context(case), **tasks_context(case)}
    return [Document("set", "set", ctx["title"], ctx, number=ctx["number"], date=notice_date)]
