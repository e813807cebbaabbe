"""发文字号 for case documents and for documents drafted elsewhere, through the registry."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from docgen.errors import CaseError, DocgenError, NeedsConfirmationError, Problem, RegistryError
from docgen.numbering.registry import Allocation, NumberRecord, NumberStore, new_record
from docgen.vocab import (
    clip,
    missing_ranges,
    parse_number,
    prefix_problem,
    sequence_problem,
    text_problem,
    title_problem,
)

FAR_YEARS = 1  # a year further than this from today is more often a typing slip than a plan


@dataclass(frozen=True)
class Confirmed:
    """What a clerk confirmed when taking a number for a draft: each a reason the ledger would ask."""

    again: bool = False  # another document with the same title: a new number, not its number back
    new_series: bool = False  # a 机关代字 the ledger has no number of yet
    far_year: bool = False  # a year more than a year from today that the series has no number in


NOTHING_CONFIRMED = Confirmed()


def allocate_external(
    registry: NumberStore, prefix: str, year: int, title: str, confirmed: Confirmed = NOTHING_CONFIRMED
) -> Allocation:
    """Give the next number to a document drafted outside docgen (e.g. in Word).

    The same title asking again gets its number back, unless ``confirmed.again``. A 机关代字 the
    ledger does not know needs ``new_series`` (恩科工商字 for 恩科工商务字 had started a new series
    at 1号 without a word); a far year the series has no number in, ``far_year`` (2099 was taken).
    """
    if not prefix.strip() or not title.strip():
        msg = "机关代字和标题都不能为空。"
        raise DocgenError(msg)
    said = prefix_problem(prefix.strip())
    if said:
        msg = f"机关代字“{clip(prefix.strip(), 40)}”{said}。"
        raise DocgenError(msg)
    said = title_problem(title.strip())
    if said:
        msg = f"标题{said}。"
        raise DocgenError(msg)
    if not 1949 <= year <= 2200:
        msg = f"年份 {year} 不合理。"
        raise DocgenError(msg)
    prefix = prefix.strip()
    if not confirmed.new_series:
        refuse_unknown_series(registry, prefix)
    this_year = dt.date.today().year
    if abs(year - this_year) > FAR_YEARS and not confirmed.far_year and not registry.records(prefix, year):
        msg = (
            f"年份 {year} 与今年（{this_year}）相差 {abs(year - this_year)} 年，登记簿中 {prefix} 还没有这一年的号，"
            "可能写错了。确需使用，请确认后再取号（网页上勾选“确认年份”，命令行加 --confirm-year）。"
        )
        raise NeedsConfirmationError(msg, "far_year")
    return registry.allocate(prefix, year, title.strip(), same_title_same_number=not confirmed.again)


def refuse_unknown_series(registry: NumberStore, prefix: str) -> None:
    """Ask before a 机关代字 the ledger has no number of starts a series (with the likeliest known one)."""
    known = registry.prefixes()
    if not known or prefix in known:
        return  # a new ledger's first series is whatever the office starts it with
    close = difflib.get_close_matches(prefix, known, n=1, cutoff=0.5)
    guess = f"是否应为“{close[0]}”？" if close else ""
    msg = (
        f"机关代字“{clip(prefix, 20)}”不在登记簿已有的代字中（{'、'.join(known[:8])}）。{guess}"
        "确是新的机关代字，请确认后再取号（网页上勾选“新的机关代字”，命令行加 --new-series）。"
    )
    raise NeedsConfirmationError(msg, "new_series")


def parse_typed_number(text: str) -> tuple[str, int, int]:
    """Parse a number a clerk typed on the command line (look-alike brackets accepted)."""
    parsed = parse_number(text)
    if parsed is None:
        msg = f"无法识别发文字号“{text}”（应为 机关代字〔年份〕序号号，例如 恩科工商务字〔2021〕58号）。"
        raise DocgenError(msg)
    n = parsed.number
    return n.prefix, n.year, n.sequence


@dataclass
class RunReport:
    """The run of numbers of one 机关代字 and year."""

    prefix: str
    year: int
    highest: int
    issued: int
    gaps: list[tuple[int, int]] = field(default_factory=list)  # (first, last) of each run of missing numbers
    voided: list[NumberRecord] = field(default_factory=list)
    missing_documents: list[NumberRecord] = field(default_factory=list)
    unfiled: list[tuple[NumberRecord, int]] = field(default_factory=list)  # taken, not archived: (record, days)
    unregistered: list[tuple[str, str]] = field(default_factory=list)  # archived, not in the registry: (number, folder)

    @property
    def ok(self) -> bool:
        """True when every number of the run is explained."""
        return not self.gaps and not self.missing_documents and not self.unregistered

    @property
    def missing_count(self) -> int:
        """How many numbers the gaps hold."""
        return sum(last - first + 1 for first, last in self.gaps)


def check_registry(
    registry: NumberStore, case_found: Callable[[str], bool], year: int | None, filed: Mapping[str, str]
) -> list[RunReport]:
    """Audit each run of numbers: gaps, voided numbers, numbers whose case file is gone.

    ``case_found`` says whether a record's case file is still there (the pipeline knows where).

    ``filed`` maps the numbers the archive stores to their folders (the pipeline reads them): a
    number taken and never filed is listed with its age; a number filed that the registry does
    not hold (a registry deleted, emptied or replaced) is a fault of its run.
    """
    runs: dict[tuple[str, int], list[NumberRecord]] = defaultdict(list)
    for record in registry.records(year=year):
        runs[(record.prefix, record.year)].append(record)
    registered = {r.number for records in runs.values() for r in records}
    strays: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for number, folder in filed.items():
        parsed = parse_number(number)
        if parsed is not None and number not in registered:
            strays[(parsed.number.prefix, parsed.number.year)].append((number, folder))
    today = dt.datetime.now(dt.UTC)
    reports = []
    for key in sorted(set(runs) | set(strays)):
        prefix, run_year = key
        records = runs.get(key, [])
        seqs = {r.seq for r in records}
        report = RunReport(prefix, run_year, max(seqs, default=0), sum(1 for r in records if r.state == "issued"))
        report.gaps = missing_ranges(seqs)
        report.voided = [r for r in records if r.state == "voided"]
        report.unregistered = sorted(strays.get(key, []))
        for r in records:
            if r.state == "issued" and r.case_file is not None and not case_found(r.case_file):
                report.missing_documents.append(r)
            if r.state == "issued" and r.number not in filed:
                report.unfiled.append((r, _age_days(r.issued_at, today)))
        reports.append(report)
    return reports


def _age_days(stamp: str, today: dt.datetime) -> int:
    try:
        taken = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return 0
    if taken.tzinfo is None:
        taken = taken.replace(tzinfo=dt.UTC)
    return max(0, (today - taken).days)


CSV_COLUMNS = {
    "发文字号": "number",
    "number": "number",
    "标题": "title",
    "title": "title",
    "日期": "date",
    "date": "date",
    "经办人": "user",
    "user": "user",
}


def _decode(data: bytes) -> str:
    # Excel on a Chinese Windows saves CSV as GBK; elsewhere UTF-8 (with a BOM from Excel).
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def read_number_csv(path: Path) -> list[NumberRecord]:
    """Read numbers issued by hand from a CSV (发文字号, 标题[, 日期, 经办人]); errors name the line."""
    if not path.is_file():
        raise CaseError([Problem(path, None, None, "文件不存在")], what="发文字号登记表")
    try:
        text = _decode(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise CaseError(
            [Problem(path, None, None, "文件编码无法识别（请存为 UTF-8 或 GBK 的 CSV）")], what="发文字号登记表"
        ) from exc
    rows = _csv_rows(path, text)
    if not rows:
        raise CaseError([Problem(path, 1, None, "文件是空的")], what="发文字号登记表")
    header = [CSV_COLUMNS.get(h.strip().lstrip("\ufeff")) for h in rows[0][1]]
    if "number" not in header or "title" not in header:
        message = "第一行应为表头，至少包括 发文字号 和 标题 两列（可选 日期、经办人）"
        raise CaseError([Problem(path, 1, None, message)], what="发文字号登记表")
    records, problems = [], []
    seen: dict[tuple[str, int, int], int] = {}
    for line_no, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        values = {name: row[i].strip() for i, name in enumerate(header) if name and i < len(row)}
        read = _row_record(values)
        if isinstance(read, tuple):
            problems.append(Problem(path, line_no, *read))
            continue
        key = (read.prefix, read.year, read.seq)
        if key in seen:
            problems.append(Problem(path, line_no, "发文字号", f"与第{seen[key]}行重复：{read.number}"))
            continue
        seen[key] = line_no
        records.append(read)
    if problems:
        raise CaseError(problems, what="发文字号登记表")
    return records


def _row_record(values: dict[str, str]) -> NumberRecord | tuple[str, str]:
    """One row of the CSV as a ledger record, or (field, what is wrong with it)."""
    typed = values.get("number", "")
    parsed = parse_number(typed)
    if parsed is None:
        return "发文字号", f"无法识别“{clip(typed, 40)}”"
    n = parsed.number
    said = sequence_problem(n.sequence) or prefix_problem(n.prefix)
    if said:
        return "发文字号", f"{clip(typed, 40)}：{said}"
    title = values.get("title", "")
    said = title_problem(title) if title else "不能为空"
    if said:
        return "标题", said
    said = _user_problem(values.get("user"))
    if said:
        return "经办人", said
    issued_at = None
    if values.get("date"):
        try:
            issued_at = dt.date.fromisoformat(values["date"].replace("/", "-")).isoformat()
        except ValueError:
            return "日期", f"应为 2021-05-24 这样的日期，现为“{clip(values['date'], 20)}”"
    user = values.get("user")
    return new_record(n.prefix, n.year, n.sequence, title, source="import", issued_by=user, issued_at=issued_at)


MAX_CSV_FIELD = 1_000  # characters in one cell: a title is at most a few hundred
MAX_CSV_ROWS = 100_000  # numbers of one office over many years
MAX_USER_CHARS = 20  # a clerk's name, as the web page takes it


_CSV_SAID = {"NUL": "含有 NUL 字符", "field larger": f"有一格超过 {MAX_CSV_FIELD} 个字，不是发文字号登记表的内容"}
_CSV_QUOTES = "格式不对（引号没有成对）"


def _csv_rows(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """The CSV's rows with their line numbers; a cell too long or a NUL is refused at its line."""
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            said = next((chinese for english, chinese in _CSV_SAID.items() if english in str(exc)), _CSV_QUOTES)
            raise CaseError([Problem(path, reader.line_num, None, said)], what="发文字号登记表") from exc
        if any(len(cell) > MAX_CSV_FIELD for cell in row):
            said = _CSV_SAID["field larger"]
            raise CaseError([Problem(path, reader.line_num, None, said)], what="发文字号登记表")
        if len(rows) >= MAX_CSV_ROWS:
            said = f"超过 {MAX_CSV_ROWS} 行，请分成几个文件导入"
            raise CaseError([Problem(path, reader.line_num, None, said)], what="发文字号登记表")
        rows.append((reader.line_num, row))


def _user_problem(user: str | None) -> str | None:
    if not user:
        return None
    if len(user) > MAX_USER_CHARS:
        return f"过长（最多 {MAX_USER_CHARS} 个字）"
    return text_problem(user)


def import_numbers(registry: NumberStore, csv_path: Path) -> tuple[int, int]:
    """Import a CSV of hand-issued numbers, all or nothing; return (added, already there)."""
    records = read_number_csv(csv_path)
    try:
        return registry.import_records(records)
    except RegistryError as exc:
        msg = f"{csv_path}：{exc.message}（未导入任何一行）"
        raise RegistryError(msg) from exc
