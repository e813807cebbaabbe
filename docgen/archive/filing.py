"""Year-end filing (DA/T 22-2015): 档号, filing copies with the 归档章, and the 归档文件目录.

Each archived document (its newest version) is one 件. 件号 count from 0001 within the lowest
class of 年度 - 保管期限 - 机构（问题）, in date order (then 发文字号, then name), so every
year's numbers are unique and gap-free per class. The archive stays untouched: filing copies and
the catalogue are written to the workspace's ``filing/YEAR/`` and can be made again any time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from docgen.archive.records import ArchiveMeta
from docgen.vocab import RETENTION_NAMES, parse_number


@dataclass(frozen=True)
class Item:
    """One archival item (件) of a year."""

    code: str  # 档号, e.g. 0001-WS·2021-Y-BGS-0001
    item_no: int  # 件号
    retention: str
    meta: ArchiveMeta


def archival_code(fonds: str, year: int, retention: str, organ: str, item_no: int) -> str:
    """全宗号-WS·年度-保管期限-机构代码-件号, with the 件号 in four digits."""
    return f"{fonds}-WS·{year:04d}-{retention}-{organ}-{item_no:04d}"


def _sort_key(meta: ArchiveMeta) -> tuple[str, int, str]:
    parsed = parse_number(meta.get("number") or "")
    return (meta.get("date", ""), parsed.number.sequence if parsed else 0, meta.get("path", ""))


def assign_items(
    metas: Iterable[ArchiveMeta], year: int, fonds: str, organ: str, retention: dict[str, str]
) -> list[Item]:
    """Number the year's documents (newest version of each) as archival items."""
    newest: dict[str, ArchiveMeta] = {}
    for meta in metas:
        if not str(meta.get("date", "")).startswith(f"{year:04d}"):
            continue
        key = str(meta.get("identity") or meta.get("path"))
        if key not in newest or int(meta.get("version", 1)) > int(newest[key].get("version", 1)):
            newest[key] = meta
    classes: dict[str, list[ArchiveMeta]] = {}
    for meta in newest.values():
        period = retention.get(str(meta.get("kind")), retention.get("other", "D10"))
        classes.setdefault(period, []).append(meta)
    items = []
    # 永久 first, then 30年, then 10年, as the catalogue lists them.
    for period in sorted(classes, key=lambda p: (list(RETENTION_NAMES).index(p) if p in RETENTION_NAMES else 9, p)):
        for n, meta in enumerate(sorted(classes[period], key=_sort_key), start=1):
            items.append(Item(archival_code(fonds, year, period, organ, n), n, period, meta))
    return items


# DA/T 22-2015 6.3: 序号, 档号, 文号, 责任者, 题名, 日期, 密级, 页数, 备注.
CATALOGUE_FILES = ("归档文件目录.csv", "归档文件目录.pdf")


def catalogue_lists(items: list[Item]) -> dict[str, list[list[str]]]:
    """The 归档文件目录 rows, one list per 保管期限, each numbered from 1.

    日期 as YYYYMMDD; a title the archivist wrote goes in [ ].
    """
    lists: dict[str, list[list[str]]] = {}
    for item in items:
        meta = item.meta
        rows = lists.setdefault(item.retention, [])
        title = str(meta.get("title", ""))
        if meta.get("guessed"):
            title = f"[{title}]"
        rows.append(
            [
                str(len(rows) + 1),
                item.code,
                str(meta.get("number") or ""),
                str(meta.get("issuer") or ""),
                title,
                re.sub(r"\D", "", str(meta.get("date", ""))),
                "",
                str(meta.get("pages") or ""),
                "待OCR" if meta.get("needs_ocr") else "",
            ]
        )
    return lists
