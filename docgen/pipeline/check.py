"""``docgen archive check``: the 四性检测 of DA/T 70-2018, on the archive docgen keeps.

An archive office runs these four properties on what a bureau hands over (GB/T 39362-2020):
真实性 (authenticity), 完整性 (integrity), 可用性 (usability), 安全性 (security). Each item here is
one check, with a code, a result (通过 / 不通过 / 不适用) and the files it concerns. Documents are
read one at a time, so a large archive streams.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import os
import re
import shlex
import stat
import subprocess
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgen._io import atomic_write_bytes, now, read_plain
from docgen.archive.digests import SM3_PROVIDER, file_digests
from docgen.archive.filing import CATALOGUE_FILES, assign_items
from docgen.archive.paths import (
    CONTEXT,
    DOCUMENT_DOCX,
    DOCUMENT_PDF,
    DRAFT_SHEET,
    META,
    ORIGINAL_DOCX,
    ORIGINAL_PDF,
    STORING_EVENTS,
    TEXT,
)
from docgen.archive.records import MAX_META_BYTES, MAX_TEXT_BYTES, ArchiveMeta, read_stored_text
from docgen.archive.store import DocumentStore
from docgen.archive.verify import VerifyReport
from docgen.config import Settings
from docgen.errors import ArchiveError, DocgenError
from docgen.pipeline.records import verify_archive
from docgen.pipeline.workspace import Workspace
from docgen.readback import PDFA_PART, file_kind, pdf_facts
from docgen.stamp import stamp_font
from docgen.stamp.report import report_html, report_pdf
from docgen.vocab import KIND_NAMES, NUMBERED_KINDS, RETENTION_NAMES, missing_ranges, parse_number, ranges_text

PASS, FAIL, NOT_APPLICABLE = "通过", "不通过", "不适用"
ARCHIVAL_CODE = re.compile(r"^[0-9A-Za-z]{1,12}-WS·\d{4}-(Y|D30|D10)-[A-Z0-9]{1,6}-\d{4}$")
KNOWN_KINDS = {*KIND_NAMES, "other"}
POOL_FROM = 64  # documents: fewer are checked in this process, a pool would cost more than it saves
POOL_CHUNK = 16
SCAN_TIMEOUT_S = 6 * 3600  # a whole archive through clamscan


@dataclass
class CheckItem:
    """One DA/T 70 item as docgen checks it."""

    code: str
    property: str  # 真实性 / 完整性 / 可用性 / 安全性
    name: str
    result: str = PASS
    files: list[str] = field(default_factory=list)
    note: str = ""

    def fail(self, finding: str) -> None:
        """Record one file (or fact) that fails this item."""
        self.result = FAIL
        self.files.append(finding)


def _items() -> dict[str, CheckItem]:
    items = [
        CheckItem("ZS-1", "真实性", "固化信息有效：每个文件的 SHA-256 和 SM3 与校验清单一致"),
        CheckItem("ZS-2", "真实性", "元数据取值有效：日期、发文字号格式、文种、保管期限、档号格式"),
        CheckItem("ZS-3", "真实性", "元数据与内容相符：文件名、文件格式、页数与元数据一致"),
        CheckItem("ZS-4", "真实性", "发文字号唯一，且与发文字号登记簿一致"),
        CheckItem("ZS-5", "真实性", "事件日志未被篡改：逐条链接完整，末尾完整"),
        CheckItem("ZS-6", "真实性", "存储位置与事件日志一致：文件夹齐全、无未记录的文件夹、文件与存入时记录的一致"),
        CheckItem("WZ-1", "完整性", "必备元数据齐全：题名、文号（有文号的文种）、责任者、日期、保管期限、页数"),
        CheckItem("WZ-2", "完整性", "件号连续：每个年度、每个保管期限内件号无缺号"),
        CheckItem("WZ-3", "完整性", "内容齐全：校验清单所列文件都在，没有多余或不完整的文件夹"),
        CheckItem("WZ-4", "完整性", "数量和字节数与元数据一致"),
        CheckItem("WZ-5", "完整性", "附件齐全：列出附件的文件，其附件都已归档"),
        CheckItem("KY-1", "可用性", "PDF 能打开，页数可读"),
        CheckItem("KY-2", "可用性", "PDF 声明为 PDF/A-2b"),
        CheckItem("KY-3", "可用性", "PDF 的字体全部嵌入"),
        CheckItem("KY-4", "可用性", "PDF 未加密"),
        CheckItem("KY-5", "可用性", "文字可提取（或旁附识别文字）"),
        CheckItem("KY-6", "可用性", "DOCX 能打开"),
        CheckItem("AQ-1", "安全性", "归档文件为只读"),
        CheckItem("AQ-2", "安全性", "操作留痕：每个归档文件夹都有记录操作人和时间的事件，记录覆盖其中每个文件"),
        CheckItem("AQ-3", "安全性", "病毒检查"),
    ]
    return {item.code: item for item in items}


@dataclass
class CheckReport:
    """The whole check: scope, totals and items; ``ok`` when no item fails."""

    archive: str
    year: int | None
    checked_at: str
    documents: int = 0
    bytes: int = 0
    per_year: dict[str, dict[str, int]] = field(default_factory=dict)
    sm3_provider: str = SM3_PROVIDER
    items: list[CheckItem] = field(default_factory=list)
    logged: bool = True  # the check was recorded in the event log
    log_head: tuple[int, str] | None = None  # events, SM3 of the last: printed on the report

    @property
    def ok(self) -> bool:
        """True when no item fails."""
        return all(item.result != FAIL for item in self.items)

    def to_json(self) -> dict[str, Any]:
        """The report as plain data (for --json and the HTML/PDF reports)."""
        return {
            "archive": self.archive,
            "year": self.year,
            "checked_at": self.checked_at,
            "documents": self.documents,
            "bytes": self.bytes,
            "per_year": self.per_year,
            "sm3_provider": self.sm3_provider,
            "ok": self.ok,
            "logged": self.logged,
            "log_head": self.log_head,
            "items": [item.__dict__ for item in self.items],
        }


def check_archive(
    ws: Workspace,
    year: int | None = None,
    *,
    scan_command: str | None = None,
    on_document: Callable[[int, int], None] | None = None,
) -> CheckReport:
    """Run every item on the archive (or one year of it); ``on_document(done, total)`` reports progress."""
    archive, root, settings = ws.archive, ws.settings.archive_dir, ws.settings
    items = _items()
    report = CheckReport(str(root), year, now())
    verified = verify_archive(ws, year, log=False)
    _from_verification(items, verified)
    metas = archive.metas(year)
    archive.local_copy(year)  # the city's folders fetched whole into this server's cache first
    if not metas and not any(archive.document_folders(year)) and not verified.missing_folders:
        scope = f" {year} 年的文件" if year is not None else "任何文件"
        msg = f"归档库 {root} 中没有{scope}，没有可检测的内容。"
        raise ArchiveError(msg)
    logged, filed = _logged(archive)
    numbers: dict[str, dict[str, str]] = defaultdict(dict)
    judged = _judge_documents(settings, root, metas, [logged.get(m["path"]) for m in metas])
    for n, (meta, (findings, size)) in enumerate(zip(metas, judged, strict=True), start=1):
        for code, finding in findings:
            items[code].fail(finding)
        report.documents += 1
        report.bytes += size
        totals = report.per_year.setdefault(str(meta.get("date", ""))[:4], {"documents": 0, "bytes": 0})
        totals["documents"] += 1
        totals["bytes"] += size
        if meta.get("number"):
            # Versions of one document share its identity; different identities are different documents.
            numbers[str(meta["number"])].setdefault(str(meta.get("identity") or meta["path"]), meta["path"])
        if on_document:
            on_document(n, len(metas))
    confirmed = {str(m.get("number")) for m in metas if m.get("duplicate_number_allowed")}
    for number, documents in sorted(numbers.items()):
        if len(documents) > 1:
            which = "；".join(sorted(documents.values()))
            finding = f"{number}：{len(documents)} 份不同的文件使用了同一个发文字号（{which}）"
            # Confirmed on import (--allow-duplicate-number) or not, one number on two documents
            # is what the receiving archive must see: the confirmation is said, the item still fails.
            said = "，导入时经确认（--allow-duplicate-number）" if number in confirmed else ""
            items["ZS-4"].fail(finding + said)
    _check_items_numbers(items, settings, metas, year, filed)
    _check_attachments(items, root, metas)
    _scan(items, root, year, scan_command)
    report.items = list(items.values())
    _log_check(archive, report)
    report.log_head = archive.log.head()
    return report


def _log_check(archive: DocumentStore, report: CheckReport) -> None:
    """Record the check and its outcome in the event log, where the archive lets us write.

    An archive office often checks a read-only copy it received: there the check still runs,
    and the report says the log was left as it was.
    """
    failed = [item.code for item in report.items if item.result == FAIL]
    try:
        with archive.locked():
            archive.log.append("checked", year=report.year, documents=report.documents, failed=failed)
    except (OSError, DocgenError):
        report.logged = False


def _from_verification(items: dict[str, CheckItem], verified: VerifyReport) -> None:
    """What ``archive verify`` found, item by item."""
    found = [
        ("ZS-1", verified.modified, "校验值不符"),
        ("ZS-1", verified.without_sm3, "没有 SM3 校验值，运行 docgen archive add-sm3 补上"),
        ("WZ-3", verified.missing, "文件缺失"),
        ("WZ-3", verified.unexpected, "多出的文件或不完整的文件夹"),
        ("ZS-4", verified.unknown_numbers + verified.numbers_without_document + verified.registry_problems, ""),
        ("ZS-2", verified.damaged_records, "元数据无法读取"),
        ("ZS-5", [f"events.jsonl {p}" for p in verified.log_problems], ""),
        ("ZS-6", verified.missing_folders, "日志中有，文件夹不在"),
        ("ZS-6", verified.unlogged_folders, "文件夹不在日志中"),
        ("ZS-6", verified.differs_from_log, ""),
    ]
    for code, findings, reason in found:
        for finding in findings:
            items[code].fail(f"{finding}：{reason}" if reason else finding)


def _logged(archive: DocumentStore) -> tuple[dict[str, dict[str, Any]], dict[int, dict[str, Any]]]:
    """From the event log: the event that stored each folder, and each year's last filing."""
    stored: dict[str, dict[str, Any]] = {}
    filed: dict[int, dict[str, Any]] = {}
    for event in archive.log.events():
        if event.get("event") in STORING_EVENTS and event.get("path"):
            stored[str(event["path"])] = event
        elif event.get("event") == "filed" and isinstance(event.get("year"), int):
            filed[event["year"]] = event
    return stored, filed


Findings = list[tuple[str, str]]  # (item code, finding)


def _judge_documents(
    settings: Settings, root: Path, metas: list[ArchiveMeta], events: list[dict[str, Any] | None]
) -> Iterator[tuple[Findings, int]]:
    """Each document's findings and bytes, in order; on every core once there are enough.

    Opening PDFs dominates a large check (about 14 ms a document, single-threaded in pypdf), so
    documents are judged in worker processes, in order, a chunk at a time: memory stays flat.
    """
    judge = functools.partial(_check_document, settings, root)
    cores = os.cpu_count() or 1
    if len(metas) < POOL_FROM or cores < 2:
        yield from map(judge, metas, events)
        return
    with ProcessPoolExecutor(max_workers=cores) as pool:
        yield from pool.map(judge, metas, events, chunksize=POOL_CHUNK)


def _check_document(
    settings: Settings, root: Path, meta: ArchiveMeta, event: dict[str, Any] | None
) -> tuple[Findings, int]:
    """The items that look at one document folder: its findings and the bytes it holds."""
    items = _items()
    folder = root / meta["path"]
    _check_values(items, settings, meta)
    size = _check_files(items, folder, meta)
    _check_usability(items, folder, meta)
    _check_logged(items, meta, event)
    return [(code, finding) for code, item in items.items() for finding in item.files], size


def _check_values(items: dict[str, CheckItem], settings: Settings, meta: ArchiveMeta) -> None:
    """真实性: the values of the metadata; 完整性: the required ones are there."""
    rel = meta["path"]
    try:
        dt.date.fromisoformat(str(meta.get("date")))
    except ValueError:
        items["ZS-2"].fail(f"{rel}：日期“{meta.get('date')}”无效")
    number = meta.get("number")
    if number and "\u3000" not in number:
        parsed = parse_number(number)
        if parsed is None or parsed.problems:
            items["ZS-2"].fail(f"{rel}：发文字号“{number}”格式不对")
    kind = str(meta.get("kind"))
    if kind not in KNOWN_KINDS:
        items["ZS-2"].fail(f"{rel}：文种“{kind}”无效")
    retention = settings.filing.retention.get(kind, settings.filing.retention.get("other"))
    if retention not in RETENTION_NAMES:
        items["ZS-2"].fail(f"{rel}：保管期限“{retention}”无效")
    required = (
        ("题名", meta.get("title")),
        ("文号", number or kind not in NUMBERED_KINDS),
        ("责任者", meta.get("issuer")),
        ("日期", meta.get("date")),
        ("页数", meta.get("pages")),
    )
    missing = [label for label, present in required if not present]
    to_fill = meta.get("to_fill") or []
    if missing:
        said = "（导入时未能读出，待补录）" if to_fill else ""
        items["WZ-1"].fail(f"{rel}：缺少 {'、'.join(missing)}{said}")


def _check_files(items: dict[str, CheckItem], folder: Path, meta: ArchiveMeta) -> int:
    """真实性: names and formats as the metadata says; 完整性: sizes; 安全性: read-only. Returns bytes."""
    rel, listed, sizes = meta["path"], meta.get("files", {}), meta.get("sizes")
    if "document.pdf" not in listed:
        items["ZS-3"].fail(f"{rel}：元数据没有列出 document.pdf")
    # A listed file that is gone is WZ-3's finding; here only what is there is judged.
    for name in (DOCUMENT_PDF, DOCUMENT_DOCX, ORIGINAL_PDF, ORIGINAL_DOCX, DRAFT_SHEET):
        path, kind = folder / name, name.rsplit(".", 1)[1]
        if name in listed and path.is_file() and file_kind(path) != kind:
            items["ZS-3"].fail(f"{rel}/{name}：文件名与格式不符，内容不是 {kind.upper()}")
    _check_conversion(items, meta)
    total = 0
    for name in listed:
        path = folder / name
        if not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        if sizes is not None and sizes.get(name) != size:
            items["WZ-4"].fail(f"{rel}/{name}：{size} 字节，元数据记录 {sizes.get(name)} 字节")
        if path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            items["AQ-1"].fail(f"{rel}/{name}：可以写入")
    return total


def _check_conversion(items: dict[str, CheckItem], meta: ArchiveMeta) -> None:
    """真实性 of an archival rendition: the conversion record names the files kept, by their digests."""
    conversion, listed = meta.get("conversion"), meta.get("files", {})
    if not isinstance(conversion, dict):
        return
    rel = meta["path"]
    for side, name in (("from", conversion.get("from")), ("to", conversion.get("to"))):
        if name not in listed:
            items["ZS-3"].fail(f"{rel}：转换记录中的 {name} 不在文件清单中")
        elif listed[name] != conversion.get(f"{side}_sha256"):
            items["ZS-3"].fail(f"{rel}/{name}：与转换记录中的校验值不符")


def _check_usability(items: dict[str, CheckItem], folder: Path, meta: ArchiveMeta) -> None:
    """可用性: the PDF opens, is PDF/A-2b, embeds its fonts, is not encrypted, has text; the DOCX opens."""
    rel, pdf = meta["path"], folder / "document.pdf"
    if pdf.is_file():
        facts = pdf_facts(pdf)
        if not facts.opens:
            items["KY-1"].fail(f"{rel}/document.pdf：无法打开（{facts.problem}）")
            return
        if meta.get("pages") and facts.pages != meta.get("pages"):
            items["ZS-3"].fail(f"{rel}：元数据记 {meta.get('pages')} 页，PDF 有 {facts.pages} 页")
        if facts.pdfa_part != PDFA_PART:
            items["KY-2"].fail(f"{rel}/document.pdf：没有声明 PDF/A-2（pdfaid:part={facts.pdfa_part}）")
        if facts.fonts_not_embedded:
            items["KY-3"].fail(f"{rel}/document.pdf：未嵌入字体 {'、'.join(facts.fonts_not_embedded)}")
        if facts.encrypted:
            items["KY-4"].fail(f"{rel}/document.pdf：已加密")
        if not facts.has_text and not read_stored_text(folder / TEXT).strip():
            items["KY-5"].fail(f"{rel}/document.pdf：没有可提取的文字，也没有识别文字")
    docx = folder / "document.docx"
    if "document.docx" in meta.get("files", {}) and docx.is_file():
        try:
            with zipfile.ZipFile(docx) as zf:
                zf.read("word/document.xml")
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            items["KY-6"].fail(f"{rel}/document.docx：无法打开（{exc}）")


def _check_logged(items: dict[str, CheckItem], meta: ArchiveMeta, event: dict[str, Any] | None) -> None:
    """安全性: the log holds who stored the folder, when, and the digest of every file in it."""
    if event is None:
        return  # ZS-6 names a folder the log does not know
    rel = meta["path"]
    if not event.get("user") or not event.get("time"):
        items["AQ-2"].fail(f"{rel}：签发事件没有记录操作人或时间")
    unlogged = sorted(set(meta.get("files", {})) - set(event.get("checksums") or {}))
    if unlogged:
        items["AQ-2"].fail(f"{rel}：日志中没有 {'、'.join(unlogged)} 的校验值")


def _check_items_numbers(
    items: dict[str, CheckItem],
    settings: Settings,
    metas: list[ArchiveMeta],
    year: int | None,
    filed: dict[int, dict[str, Any]],
) -> None:
    """件号 and 档号: as numbered now, and as the year's filed catalogue printed them (unchanged since)."""
    cfg = settings.filing
    years = sorted({int(str(m.get("date", "0"))[:4]) for m in metas if str(m.get("date", ""))[:4].isdigit()})
    filed_any = False
    for each in years if year is None else [year]:
        for item in assign_items(metas, each, cfg.fonds, cfg.organ, dict(cfg.retention)):
            if not ARCHIVAL_CODE.match(item.code):
                items["ZS-2"].fail(f"{item.meta['path']}：档号“{item.code}”格式不对")
        folder = settings.workspace / cfg.folder / f"{each:04d}"
        catalogue = folder / CATALOGUE_FILES[0]
        if not catalogue.is_file():
            continue
        filed_any = True
        recorded = filed.get(each, {}).get("catalogue", {})
        for name in CATALOGUE_FILES:
            wanted = recorded.get(name, {}).get("sha256")
            if wanted and (not (folder / name).is_file() or file_digests(folder / name)["sha256"] != wanted):
                items["WZ-2"].fail(f"{folder / name}：与 {each} 年归档时记录的校验值不符（归档后被改动）")
        runs: dict[str, list[int]] = defaultdict(list)
        for row in csv.DictReader(io.StringIO(catalogue.read_text(encoding="utf-8-sig"))):
            code = row.get("档号", "")
            serial = code.rsplit("-", 1)[-1]
            item_no = int(serial) if re.fullmatch(r"[0-9]{1,4}", serial) else 0  # 件号: four digits (DA/T 22)
            runs[code.split("-")[2] if code.count("-") >= 4 else "?"].append(item_no)
        for period, numbers in sorted(runs.items()):
            gaps = missing_ranges(n for n in numbers if n > 0)
            doubled = sorted(n for n, c in Counter(numbers).items() if c > 1)
            unreadable = numbers.count(0)
            if gaps or doubled or unreadable:
                said = f"件号缺 {ranges_text(gaps) or '无'}，重复 {'、'.join(map(str, doubled)) or '无'}"
                said += f"，{unreadable} 个档号的件号不是四位数字" if unreadable else ""
                items["WZ-2"].fail(f"{catalogue}：{each} 年 {period} {said}")
    if not filed_any:
        items["WZ-2"].result, items["WZ-2"].note = NOT_APPLICABLE, "尚未生成归档文件目录（docgen file 年度）"


def _check_attachments(items: dict[str, CheckItem], root: Path, metas: list[ArchiveMeta]) -> None:
    """A document that lists 附件 has them: bound into it, or archived from the same case."""
    by_case: dict[str, list[ArchiveMeta]] = defaultdict(list)
    for meta in metas:
        by_case[str(meta.get("case_file"))].append(meta)
    listing = 0
    for meta in metas:
        folder = root / meta["path"]
        if meta.get("source") != "docgen":
            continue
        try:  # a file gone or unreadable is WZ-3's or ZS-1's finding; here only what can be read is judged
            context = json.loads(read_plain(folder / CONTEXT, MAX_META_BYTES))
            text = "".join(read_plain(folder / TEXT, MAX_TEXT_BYTES).decode("utf-8").split())
        except (OSError, ValueError, RecursionError):
            continue
        if not isinstance(context, dict):
            continue
        listed = [context.get("attachments", []), context.get("plan_attachments", [])]
        wanted = [
            re.sub(r"^\d+\.\s*", "", a)
            for items in listed
            if isinstance(items, list)
            for a in items
            if isinstance(a, str)
        ]
        if not wanted:
            continue
        listing += 1
        titles = {str(m.get("title")) for m in by_case[str(meta.get("case_file"))]}
        for title in wanted:
            if "".join(title.split()) not in text and title not in titles:
                items["WZ-5"].fail(f"{meta['path']}：附件《{title}》既未装订在文件中，也未归档")
    if not listing:
        items["WZ-5"].result, items["WZ-5"].note = NOT_APPLICABLE, "没有列出附件的文件"


def _scan(items: dict[str, CheckItem], root: Path, year: int | None, command: str | None) -> None:
    """Run a virus scanner once over the folders checked (e.g. "clamscan -r -i --no-summary").

    Exit 0 is clean; any other exit fails the item with the lines the scanner printed that name
    a file in the archive (clamscan prints "<path>: <signature> FOUND"), else its last line.
    """
    item = items["AQ-3"]
    if not command:
        item.result, item.note = NOT_APPLICABLE, "未指定病毒检查命令（--scan-command，例如 clamscan -r -i）"
        return
    scope = root / f"{year:04d}" if year is not None else root
    if not scope.is_dir():
        item.result, item.note = NOT_APPLICABLE, f"{scope} 不存在，没有要检查的文件"
        return
    item.note = f"检查命令：{command}"
    try:
        done = subprocess.run(
            [*shlex.split(command), str(scope)], capture_output=True, text=True, timeout=SCAN_TIMEOUT_S, check=False
        )
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        item.fail(f"检查命令无法运行：{exc}")
        return
    item.note += f"，退出码 {done.returncode}"
    if done.returncode == 0:
        return
    said = (done.stdout + done.stderr).strip().splitlines()
    prefix = f"{root}/"
    named = [line.replace(prefix, "") for line in said if prefix in line]
    for line in named or said[-1:] or [f"退出码 {done.returncode}"]:
        item.fail(line)


def write_report(ws: Workspace, report: CheckReport, target: Path) -> None:
    """Write the report as PDF or HTML, by the target's suffix (never into the archive it checks)."""
    target = ws.settings.output_outside_records(target, "检测报告")
    data = report.to_json()
    if target.suffix.lower() == ".pdf":
        atomic_write_bytes(target, report_pdf(data, stamp_font()))
    else:
        atomic_write_bytes(target, report_html(data).encode("utf-8"))


__all__ = ["FAIL", "META", "NOT_APPLICABLE", "PASS", "CheckItem", "CheckReport", "check_archive", "write_report"]
