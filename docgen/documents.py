"""Turn validated case models into the flat context each template is filled with (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from docgen.case import Case

KINDS = ("notice",)
KIND_NAMES = {"notice": "通知"}


def format_date(day: dt.date) -> str:
    """Write a date as GB/T 9704 asks: Arabic numerals, no zero padding (2021年5月24日)."""
    return f"{day.year}年{day.month}月{day.day}日"


def notice_context(case: Case) -> dict[str, Any]:
    """Context of the notice template."""
    notice, issuer = case.notice, case.issuer
    return {
        "banner": issuer.banner_text,
        "number": notice.number,
        "title": notice.title,
        "recipients": notice.recipients,
        "body": list(notice.body),
        "signature": notice.signature or issuer.name,
        "date": format_date(notice.date),
        "note": notice.note or "",
        "disclosure": notice.disclosure or "",
        # 抄送: names separated by full-width commas, ending with a full stop (GB/T 9704 7.4.2).
        "copy_to": "，".join(notice.copy_to) + "。" if notice.copy_to else "",
        "printed_by": notice.printed.by or issuer.printing_office or f"{issuer.name}办公室",
        "printed_date": format_date(notice.printed.date),
    }


def context_for(case: Case, kind: str) -> dict[str, Any]:
    """Return the template context of one document kind."""
    builders = {"notice": notice_context}
    return builders[kind](case)
