"""An archived document's record (meta.json): its shape, and the one reader that checks it.

Every reader of a record gets one that holds what readers rely on (types, the date's form);
damage of any kind is a ``DamagedRecordError`` naming the file and what is wrong, which the
checks report as a finding, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NotRequired, TypedDict

from docgen._io import NotPlainFileError, read_plain
from docgen.archive.digests import ALGORITHMS, plain_file_name
from docgen.errors import ArchiveError


class EnterpriseRef(TypedDict):
    """An enterprise a document names: its key in the case file (None for imported documents)."""

    key: str | None
    name: str
    credit_code: NotRequired[str]


class ArchiveMeta(TypedDict, total=False):
    """meta.json of one archived document version: what it is, where it came from, its digests."""

    path: str  # the folder, relative to the archive root (added when read back)
    identity: str  # the same document across versions, e.g. "case.yaml#set"
    fingerprint: str
    kind: str
    kind_name: str
    title: str
    number: str | None
    date: str  # ISO 成文日期
    version: int
    previous: str | None
    reason: str | None
    archived_at: str
    archived_by: str
    files: dict[str, str]  # file name → sha256 (the name archives made before SM3 also use)
    digests: dict[str, dict[str, str]]  # algorithm → file name → digest
    sizes: dict[str, int]  # file name → bytes
    event: str
    source: str  # "docgen" or "import"
    issuer: str
    enterprises: list[EnterpriseRef]
    pages: int | None
    pdfa_part: int | None
    case_file: str
    archive_key: str
    docgen_version: str
    template: dict[str, str]
    text_check: dict[str, str | int]
    lint: str
    original_name: str
    original_sha256: str
    needs_ocr: bool
    needs_review: bool  # an import whose metadata was guessed or whose OCR is unsure
    secrecy: str | None  # 密级和保密期限 as printed (机密★1年): its text stays out of search and the web
    text_source: str  # "pdf", "docx", "ocr", "pdf+ocr", "none"
    ocr: dict[str, Any]  # engine, version, dpi, review_pages, confidence
    conversion: dict[str, Any]  # an import's archival rendition: from, to, tool, method, digests, what was checked
    duplicate_number_allowed: bool  # imported with a 发文字号 another document holds, as confirmed
    read_from_text: list[str]
    guessed: list[str]
    to_fill: list[str]  # 待补录: metadata an import could not read, for a clerk to fill in
    filled: list[dict[str, Any]]  # what a clerk filled in since (from the log's "filled" events), never in meta.json


MAX_META_BYTES = 4 * 1024 * 1024  # a meta.json is a few KB; an OCR'd import's a few hundred


class DamagedRecordError(ArchiveError):
    """A record file of the archive (meta.json) that cannot be read as one; ``why`` says how."""

    def __init__(self, path: Path | str, why: str) -> None:
        super().__init__(f"{path}：{why}")
        self.path, self.why = path, why


_META_TEXT_FIELDS = ("kind", "title", "date")  # what every reader needs; the rest is checked when present


def meta_problem(data: object) -> str | None:
    """Why ``data`` read from a meta.json is not the record of a document, or None.

    Only what readers rely on is checked (types and the date's form); which values are allowed
    is the 四性检测's ZS-2.
    """
    if not isinstance(data, dict):
        return f"不是一组字段（是 {type(data).__name__}）"
    digests = data.get("digests", {})
    enterprises = data.get("enterprises", [])
    version = data.get("version", 1)
    checks: tuple[tuple[Callable[[], bool], str], ...] = (
        (lambda: all(isinstance(data.get(k), str) and data[k] for k in _META_TEXT_FIELDS), "缺少或无效的字段"),
        (lambda: isinstance(data.get("identity", ""), str), "字段 identity 不是文字"),
        (lambda: _iso_date(data["date"]), "日期不是 YYYY-MM-DD"),
        (lambda: isinstance(version, int) and not isinstance(version, bool), "字段 version 不是整数"),
        (lambda: data.get("number") is None or isinstance(data["number"], str), "字段 number 不是文字"),
        (lambda: names_to_digests(data.get("files", {})), "字段 files 不是文件名与校验值的对照"),
        (lambda: _names_to_sizes(data.get("sizes", {})), "字段 sizes 不是文件名与字节数的对照"),
        (
            lambda: (
                isinstance(digests, dict)
                and set(digests) <= set(ALGORITHMS)
                and all(map(names_to_digests, digests.values()))
            ),
            "字段 digests 无效",
        ),
        (
            lambda: (
                isinstance(enterprises, list)
                and all(isinstance(e, dict) and isinstance(e.get("name", ""), str) for e in enterprises)
            ),
            "字段 enterprises 无效",
        ),
    )
    return next((said for holds, said in checks if not holds()), None)


def _iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _names_to_sizes(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and plain_file_name(k) and type(v) is int for k, v in value.items()
    )


def names_to_digests(value: object) -> bool:
    """Whether ``value`` maps file names to digests (text to text), as meta.json and the log record them.

    A name is one plain name inside the folder: a record naming ``../x`` would send every reader
    (and the city's cache, which replaces a file that is not the one recorded) out of the archive.
    """
    return isinstance(value, dict) and all(
        isinstance(k, str) and plain_file_name(k) and isinstance(v, str) for k, v in value.items()
    )


def read_record(path: Path, relative: str) -> ArchiveMeta:
    """The record in the meta.json at ``path``, checked, with the folder ``relative`` as its ``path``."""
    try:
        raw = read_plain(path, MAX_META_BYTES)
    except NotPlainFileError as exc:  # a link, a FIFO or a device in its place
        raise DamagedRecordError(path, str(exc.strerror)) from exc
    except OSError as exc:
        raise DamagedRecordError(path, f"无法读取（{exc.strerror}）") from exc
    return record_from_bytes(raw, path, relative)


def record_from_bytes(raw: bytes, where: Path | str, relative: str) -> ArchiveMeta:
    """The record ``raw`` holds (a meta.json's bytes, read from ``where``), checked, its ``path`` set."""
    if len(raw) > MAX_META_BYTES:
        raise DamagedRecordError(where, f"超过 {MAX_META_BYTES // 1024 // 1024} MB，不是一份元数据")
    try:
        data = json.loads(raw)
    except ValueError as exc:  # not JSON, or not UTF-8
        raise DamagedRecordError(where, "不是有效的 JSON 文本") from exc
    except RecursionError as exc:  # [[[[…]]]] thousands deep
        raise DamagedRecordError(where, "嵌套层数过多，不是一份元数据") from exc
    why = meta_problem(data)
    if why:
        raise DamagedRecordError(where, why)
    data["path"] = relative
    meta: ArchiveMeta = data
    return meta


MAX_TEXT_BYTES = 64 * 1024 * 1024  # text.txt of a 2,000-page document is about 20 MB


def read_stored_text(path: Path) -> str:
    """A text file of a document folder (text.txt), "" when it is not a plain file docgen can read."""
    try:
        return read_plain(path, MAX_TEXT_BYTES)[:MAX_TEXT_BYTES].decode("utf-8", errors="replace")
    except OSError:
        return ""


# What a clerk may fill in after an import (``docgen archive fill``): meta key → the word 待补录 uses.
FILLABLE = {"issuer": "责任者", "number": "文号", "title": "标题", "date": "成文日期"}


MAX_FILLED_CHARS = 200  # a 补录 value: a title, a number, a date, an issuer


def fill_problem(meta: ArchiveMeta, event: dict[str, Any]) -> str | None:
    """Why a 补录 event may not change ``meta`` (``archive fill``'s own rules), or None.

    Only an imported document is filled in, only the fields ``FILLABLE`` names, a date only as a
    date: an event written past ``archive fill`` (by whoever can write the log) changes nothing.
    """
    values = event.get("values")
    if meta.get("source") != "import":
        return "docgen 签发的文件不能补录"
    if not isinstance(values, dict) or not values:
        return "补录的内容不是一组字段"
    for key, value in values.items():
        if key not in FILLABLE or not isinstance(value, str) or not value or len(value) > MAX_FILLED_CHARS:
            return f"不能补录“{key}”这样的值"
    if "date" in values and not _iso_date(values["date"]):
        return f"补录的成文日期“{values['date']}”不是日期"
    return None


def with_filled(meta: ArchiveMeta, fills: list[dict[str, Any]]) -> ArchiveMeta:
    """A record as it stands after the clerk's 补录 events, oldest first.

    meta.json is written once, with the folder; what was filled in later lives in the event log
    (who, when, what), and every reader of the archive sees the record with it applied. An event
    ``fill_problem`` refuses is not applied (``archive verify`` names it).
    """
    fills = [event for event in fills if fill_problem(meta, event) is None]
    if not fills:
        return meta
    effective: dict[str, Any] = dict(meta)
    done = []
    for event in fills:
        values = dict(event["values"])
        effective.update(values)
        labels = {FILLABLE[k] for k in values}
        effective["to_fill"] = [label for label in effective.get("to_fill") or [] if label not in labels]
        done.append({"values": values, "user": event.get("user"), "time": event.get("time"), "seq": event.get("seq")})
    effective["filled"] = done
    filled: ArchiveMeta = effective  # type: ignore[assignment]
    return filled


def meta_summary(meta: ArchiveMeta) -> dict[str, Any]:
    """The fields ``archive list --json`` prints."""
    keys = ("number", "date", "kind", "kind_name", "title", "version", "path", "enterprises", "pages", "needs_ocr")
    return {k: meta.get(k) for k in keys} | {
        "needs_review": bool(meta.get("needs_review")),
        "to_fill": list(meta.get("to_fill") or []),
    }
