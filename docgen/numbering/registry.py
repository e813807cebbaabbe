"""The 发文字号 registry: an SQLite ledger that never hands out the same number twice.

One row per number ever used, keyed by (机关代字, year, sequence). Allocation reads the highest
sequence and inserts the next one inside a ``BEGIN IMMEDIATE`` transaction, which takes
SQLite's write lock before the read: two processes can never read the same maximum, and a
process killed half-way leaves no row at all (the transaction never committed). A busy timeout
makes contenders wait their turn instead of failing. Voided numbers stay in the ledger, so they
are never reused and the year's run of numbers explains every gap.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from docgen._io import SqliteRecords, current_user, now
from docgen.errors import DocgenError, RegistryError
from docgen.faults import pause_point
from docgen.vocab import MAX_SEQUENCE, clerk_time, format_number, sequence_problem

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS numbers (
    id          INTEGER PRIMARY KEY,
    prefix      TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    number      TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    kind        TEXT,
    case_file   TEXT,
    doc_key     TEXT,
    source      TEXT    NOT NULL CHECK (source IN ('docgen', 'external', 'import', 'gap')),
    issued_by   TEXT    NOT NULL,
    issued_at   TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('issued', 'voided')),
    void_reason TEXT,
    voided_by   TEXT,
    voided_at   TEXT,
    UNIQUE (prefix, year, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS numbers_document ON numbers (case_file, doc_key)
    WHERE case_file IS NOT NULL;
"""


@dataclass(frozen=True)
class NumberRecord:
    """One row of the ledger."""

    prefix: str
    year: int
    seq: int
    number: str
    title: str
    kind: str | None
    case_file: str | None
    doc_key: str | None
    source: str
    issued_by: str
    issued_at: str
    state: str
    void_reason: str | None
    voided_by: str | None
    voided_at: str | None


@dataclass(frozen=True)
class Allocation:
    """The result of asking for a number: the record and whether it was made just now."""

    record: NumberRecord
    new: bool


def new_record(
    prefix: str,
    year: int,
    seq: int,
    title: str,
    *,
    source: str,
    kind: str | None = None,
    case_file: str | None = None,
    doc_key: str | None = None,
    issued_by: str | None = None,
    issued_at: str | None = None,
) -> NumberRecord:
    """A freshly issued number, stamped with who and when (now, unless given)."""
    return NumberRecord(
        prefix=prefix,
        year=year,
        seq=seq,
        number=format_number(prefix, year, seq),
        title=title,
        kind=kind,
        case_file=case_file,
        doc_key=doc_key,
        source=source,
        issued_by=issued_by or current_user(),
        issued_at=issued_at or now(),
        state="issued",
        void_reason=None,
        voided_by=None,
        voided_at=None,
    )


class NumberStore(Protocol):
    """The 发文字号 ledger: one row per number ever used; every method is one transaction."""

    def allocate(
        self,
        prefix: str,
        year: int,
        title: str,
        *,
        kind: str | None = None,
        case_file: str | None = None,
        doc_key: str | None = None,
        same_title_same_number: bool = True,
    ) -> Allocation:
        """The next number of (prefix, year); the same document asking again gets its own back."""

    def claim(
        self, prefix: str, year: int, seq: int, title: str, *, kind: str, case_file: str, doc_key: str
    ) -> Allocation:
        """Record a number a case prints, refused when another document holds it."""

    def find(self, prefix: str, year: int, seq: int) -> NumberRecord | None:
        """One number's row, or None."""

    def lookup_document(self, case_file: str, doc_key: str) -> NumberRecord | None:
        """The number a case document holds, without allocating one."""

    def void(self, prefix: str, year: int, seq: int, reason: str) -> NumberRecord:
        """Void a number for good."""

    def records(self, prefix: str | None = None, year: int | None = None) -> list[NumberRecord]:
        """Every number, optionally of one prefix and year, in order."""

    def import_records(self, records: list[NumberRecord]) -> tuple[int, int]:
        """Numbers issued elsewhere, all or nothing: (added, already there)."""

    def prefixes(self) -> list[str]:
        """Every 机关代字 the ledger holds a number of, sorted."""


COLUMNS = ", ".join(NumberRecord.__dataclass_fields__)
# Column names are constants of this module; every value goes through "?" parameters.
_SELECT = f"SELECT {COLUMNS} FROM numbers"  # noqa: S608


class Ledger:
    """The ledger's rules, written once over a DB-API connection (SQLite's or PostgreSQL's).

    A store supplies its transactions (``_write``: every number of a run taken one at a time;
    ``_read``), how it finds a run's highest number (``_highest``, which in PostgreSQL also locks
    the run), how it writes a row (``_insert``) and reads one back (``_record``), and the
    clauses that keep a shared database to one organ (``_scope``). SQL is written with "?"
    parameters; ``_sql`` turns them into the driver's.
    """

    error: type[DocgenError] = RegistryError

    def _write(self) -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def _read(self) -> contextlib.AbstractContextManager[Any | None]:
        """A connection to read with, or None when there is no ledger yet (nothing to find)."""
        raise NotImplementedError

    def _highest(self, conn: Any, prefix: str, year: int) -> int:
        raise NotImplementedError

    def _insert(self, conn: Any, record: NumberRecord) -> None:
        raise NotImplementedError

    def _record(self, row: tuple[object, ...]) -> NumberRecord:
        return NumberRecord(*row)  # type: ignore[arg-type]

    def _scope(self) -> tuple[list[str], list[object]]:
        """The clauses and arguments every query of this store adds (an organ's own rows)."""
        return [], []

    def _sql(self, text: str) -> str:
        return text

    def _rows(
        self, conn: Any, clauses: list[str], args: list[object], tail: str = "ORDER BY prefix, year, seq"
    ) -> list[NumberRecord]:
        scope, scope_args = self._scope()
        where = " AND ".join([*scope, *clauses])
        sql = f"{_SELECT}{f' WHERE {where}' if where else ''} {tail}"
        return [self._record(r) for r in conn.execute(self._sql(sql), [*scope_args, *args]).fetchall()]

    def _find_document(self, conn: Any, case_file: str, doc_key: str) -> NumberRecord | None:
        found = self._rows(conn, ["case_file = ?", "doc_key = ?"], [case_file, doc_key], "")
        return found[0] if found else None

    def _get(self, conn: Any, prefix: str, year: int, seq: int) -> NumberRecord | None:
        found = self._rows(conn, ["prefix = ?", "year = ?", "seq = ?"], [prefix, year, seq], "")
        return found[0] if found else None

    def allocate(
        self,
        prefix: str,
        year: int,
        title: str,
        *,
        kind: str | None = None,
        case_file: str | None = None,
        doc_key: str | None = None,
        same_title_same_number: bool = True,
    ) -> Allocation:
        """Give the next number of (prefix, year); asking again for the same document gets it back.

        A case document is known by its case file and key; a document drafted elsewhere by its
        title, so a clerk whose ``number next`` was interrupted after the commit, and who asks
        again, is not given a second number (``same_title_same_number=False`` for a different
        document that happens to share a title).
        """
        with self._write() as conn:
            highest = self._highest(conn, prefix, year)  # first: in PostgreSQL it locks the run
            if case_file is not None and doc_key is not None:
                existing = self._find_document(conn, case_file, doc_key)
                if existing is not None:
                    return Allocation(self._retitled(conn, existing, title), new=False)
            elif same_title_same_number:
                titled = self._rows(
                    conn,
                    ["prefix = ?", "year = ?", "title = ?", "source = 'external'", "state = 'issued'"],
                    [prefix, year, title],
                    "ORDER BY seq LIMIT 1",
                )
                if titled:
                    return Allocation(titled[0], new=False)
            seq = highest + 1
            if seq > MAX_SEQUENCE:
                msg = (
                    f"{prefix} {year} 年的发文字号已用到 {min(highest, MAX_SEQUENCE)} 号以上"
                    f"（最多 {MAX_SEQUENCE} 号），不能再分配。请核对登记簿中是否有误登的大号（docgen number list）。"
                )
                raise RegistryError(msg)
            record = new_record(
                prefix,
                year,
                seq,
                title,
                source="docgen" if case_file else "external",
                kind=kind,
                case_file=case_file,
                doc_key=doc_key,
            )
            self._insert(conn, record)
            pause_point("allocate-before-commit")
            return Allocation(record, new=True)

    def claim(
        self, prefix: str, year: int, seq: int, title: str, *, kind: str, case_file: str, doc_key: str
    ) -> Allocation:
        """Record a number a case already prints; refuse it if another document holds it."""
        _refuse_sequence(prefix, year, seq)
        with self._write() as conn:
            self._highest(conn, prefix, year)
            existing = self._find_document(conn, case_file, doc_key)
            if existing is not None:
                if (existing.prefix, existing.year, existing.seq) != (prefix, year, seq):
                    msg = (
                        f"该文件已登记发文字号 {existing.number}，案卷中却写作 {format_number(prefix, year, seq)}。"
                        "如需改号，请先作废原号（docgen number void）。"
                    )
                    raise RegistryError(msg)
                return Allocation(self._retitled(conn, existing, title), new=False)
            holder = self._get(conn, prefix, year, seq)
            if holder is not None:
                when = clerk_time(holder.issued_at)
                msg = f"发文字号 {holder.number} 已被《{holder.title}》使用（{holder.issued_by}，{when}）。"
                raise RegistryError(msg)
            record = new_record(
                prefix, year, seq, title, source="docgen", kind=kind, case_file=case_file, doc_key=doc_key
            )
            self._insert(conn, record)
            return Allocation(record, new=True)

    def _retitled(self, conn: Any, record: NumberRecord, title: str) -> NumberRecord:
        """The document's number with its ledger title brought up to the case's.

        A title corrected after a failed issue, or changed in a new version, is what the ledger shows.
        """
        if record.title == title or record.state != "issued":
            return record
        conn.execute(
            self._sql("UPDATE numbers SET title = ? WHERE prefix = ? AND year = ? AND seq = ?"),
            (title, record.prefix, record.year, record.seq),
        )
        return dataclasses.replace(record, title=title)

    def find(self, prefix: str, year: int, seq: int) -> NumberRecord | None:
        """The ledger row of one number, issued or voided, or None."""
        with self._read() as conn:
            return None if conn is None else self._get(conn, prefix, year, seq)

    def lookup_document(self, case_file: str, doc_key: str) -> NumberRecord | None:
        """The number a case document already holds, without allocating one."""
        with self._read() as conn:
            return None if conn is None else self._find_document(conn, case_file, doc_key)

    def void(self, prefix: str, year: int, seq: int, reason: str) -> NumberRecord:
        """Void a number for good. A never-used number inside the run may be voided to explain a gap."""
        _refuse_sequence(prefix, year, seq)
        with self._write() as conn:
            highest = self._highest(conn, prefix, year)
            record = self._get(conn, prefix, year, seq)
            if record is None:
                if seq > highest:
                    msg = (
                        f"发文字号 {format_number(prefix, year, seq)} 尚未使用（本年度最大号为 {highest}），不能作废。"
                    )
                    raise RegistryError(msg)
                record = new_record(prefix, year, seq, "（空号）", source="gap")
                self._insert(conn, record)
            if record.state == "voided":
                msg = f"发文字号 {record.number} 已于 {clerk_time(record.voided_at)} 作废（{record.void_reason}）。"
                raise RegistryError(msg)
            user, when = current_user(), now()
            conn.execute(
                self._sql(
                    "UPDATE numbers SET state = 'voided', void_reason = ?, voided_by = ?, voided_at = ? "
                    "WHERE prefix = ? AND year = ? AND seq = ?"
                ),
                (reason, user, when, prefix, year, seq),
            )
            voided = self._get(conn, prefix, year, seq)
            assert voided is not None  # noqa: S101 - updated inside this transaction
            return voided

    def prefixes(self) -> list[str]:
        """Every 机关代字 the ledger holds a number of, sorted."""
        with self._read() as conn:
            if conn is None:
                return []
            return sorted({r.prefix for r in self._rows(conn, [], [], "")})

    def records(self, prefix: str | None = None, year: int | None = None) -> list[NumberRecord]:
        """Every number, optionally of one prefix and/or year, in order."""
        clauses: list[str] = []
        args: list[object] = []
        if prefix is not None:
            clauses.append("prefix = ?")
            args.append(prefix)
        if year is not None:
            clauses.append("year = ?")
            args.append(year)
        with self._read() as conn:
            return [] if conn is None else self._rows(conn, clauses, args)

    def import_records(self, records: list[NumberRecord]) -> tuple[int, int]:
        """Add numbers issued outside docgen, all or nothing; return (added, already there)."""
        added = same = 0
        for record in records:
            _refuse_sequence(record.prefix, record.year, record.seq)
        with self._write() as conn:
            for record in records:
                self._highest(conn, record.prefix, record.year)
                holder = self._get(conn, record.prefix, record.year, record.seq)
                if holder is None:
                    self._insert(conn, record)
                    added += 1
                elif holder.title == record.title:
                    same += 1
                else:
                    msg = f"发文字号 {holder.number} 已登记为《{holder.title}》，与导入的《{record.title}》不同。"
                    raise RegistryError(msg)
        return added, same


_INSERT = f"INSERT INTO numbers ({COLUMNS}) VALUES ({', '.join('?' for _ in NumberRecord.__dataclass_fields__)})"  # noqa: S608


class Registry(SqliteRecords, Ledger):
    """The ledger in one SQLite file. Every public method is one transaction.

    ``BEGIN IMMEDIATE`` takes SQLite's write lock before the first read, so the whole ledger is
    one queue: a run's highest number is read and the next inserted with nobody in between.
    """

    error = RegistryError
    label = "发文字号登记簿"
    busy_timeout = BUSY_TIMEOUT_S

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with super()._connect() as conn:
            yield conn

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        self._ensure_schema(conn)

    def _said(self, exc: sqlite3.Error) -> str:
        return _said(exc)

    @staticmethod
    def _ensure_schema(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _refuse_lost_table(conn)
            # executescript() would COMMIT the write lock away: run the statements one by one.
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            (version,) = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        if int(version) > SCHEMA_VERSION:
            msg = "发文字号登记簿由更新版本的 docgen 创建，请升级 docgen。"
            raise RegistryError(msg)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding SQLite's write lock from its first statement."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection | None]:
        if not self.path.exists():  # asking must not create a ledger
            yield None
            return
        with self._connect() as conn:
            yield conn

    def _record(self, row: tuple[object, ...]) -> NumberRecord:
        """A row as a record, refused when it is not one docgen wrote (SQLite keeps any type in any column)."""
        record = NumberRecord(*row)  # type: ignore[arg-type]
        problem = _row_problem(record)
        if problem is not None:
            raise self._damaged(problem)
        return record

    def _damaged(self, problem: str) -> RegistryError:
        msg = (
            f"发文字号登记簿 {self.path} 已损坏：{problem}。登记簿不应被直接改动，"
            "请从备份恢复，或由管理员核对后修正这一行。"
        )
        return RegistryError(msg)

    def _highest(self, conn: sqlite3.Connection, prefix: str, year: int) -> int:
        """The highest sequence used in a run (0 for none); a value that is not a number is damage."""
        (highest,) = conn.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM numbers WHERE prefix = ? AND year = ?", (prefix, year)
        ).fetchone()
        if type(highest) is not int:  # text sorts above every number in SQLite: it is what MAX finds
            msg = f"{prefix} {year} 年有一行的序号是 {str(highest)[:20]!r}，不是整数"
            raise self._damaged(msg)
        return highest

    def _insert(self, conn: sqlite3.Connection, record: NumberRecord) -> None:
        conn.execute(_INSERT, tuple(record.__dict__.values()))


_OPTIONAL_TEXT = ("kind", "case_file", "doc_key", "void_reason", "voided_by", "voided_at")


def _row_problem(record: NumberRecord) -> str | None:
    """What makes a ledger row one docgen did not write, or None: types, and the number its fields spell."""
    fields = dataclasses.asdict(record)
    for name, value in fields.items():
        wanted: tuple[type, ...] = (int,) if name in ("year", "seq") else (str,)
        if name in _OPTIONAL_TEXT:
            wanted = (str, type(None))
        if type(value) not in wanted:
            shown = str(record.number)[:40]
            return f"“{shown}”一行的字段 {name} 是 {str(value)[:20]!r}，不是{'整数' if wanted == (int,) else '文字'}"
    if record.number != format_number(record.prefix, record.year, record.seq):
        spelled = format_number(record.prefix, record.year, record.seq)
        return f"“{record.number[:40]}”一行的机关代字、年份和序号拼出的是 {spelled[:40]}，两者不符"
    return None


def _refuse_lost_table(conn: sqlite3.Connection) -> None:
    """A ledger that lost its table of numbers must not quietly start again at 1号."""
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" in tables and "numbers" not in tables:
        msg = "登记簿中的号码表（numbers）不见了：登记簿被删改过。请从备份恢复，不要继续取号。"
        raise sqlite3.DatabaseError(msg)


_SQLITE_SAID = {
    "file is not a database": "不是 SQLite 数据库文件（已损坏或被替换）",
    "database disk image is malformed": "数据库文件已损坏",
    "database is locked": "正被另一个程序占用，等待超时",
    "attempt to write a readonly database": "文件只读，不能写入",
    "unable to open database file": "无法打开（文件夹不存在或没有权限）",
}


def _said(exc: sqlite3.Error) -> str:
    text = str(exc)
    return next((chinese for english, chinese in _SQLITE_SAID.items() if text.startswith(english)), text)


def _refuse_sequence(prefix: str, year: int, seq: int) -> None:
    said = sequence_problem(seq)
    if said:
        msg = f"发文字号 {prefix}〔{year}〕…号：{said}。"
        raise RegistryError(msg)
