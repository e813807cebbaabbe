"""``docgen migrate``: a bureau's embedded workspace moved into the city's stores, and the move proved.

Run in the workspace once its docgen.toml names the city (``[city]``): the SQLite ledger and
accounts file it has kept so far are read and put into PostgreSQL, the search index is built
there from the archive; with a bucket named, every archived file is put into it, locked, each
folder's meta.json becomes its record in the database and the event log's lines move there byte
for byte, so the chain holds across the move. Then it proves the move: every number equal field
by field, every account equal (hash included), the same search answers from both engines for
every enterprise, every 发文字号 and each title's first words, and ``archive verify`` clean (every
copy read back from the bucket against its record, every record against its chained event).

Every step only adds what is missing and compares what is there, so a migration killed at any
point is finished by running it again. The embedded files are left as they were: nothing is
deleted; they are the way back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from docgen._io import atomic_write_bytes
from docgen.accounts import ACCOUNTS_FILE, Accounts
from docgen.archive.city import CityArchive
from docgen.archive.store import Archive
from docgen.errors import DocgenError
from docgen.faults import pause_point
from docgen.numbering.registry import Registry
from docgen.pipeline.workspace import ORIGIN_FILE, Workspace, registry_path
from docgen.search import SearchIndex, SearchQuery, build_query

SAMPLE_TITLE_CHARS = 8  # each title's first characters are one of the queries compared


@dataclass
class MigrationReport:
    """What was moved, what was there already, what was compared, and what differs."""

    numbers_added: int = 0
    numbers_there: int = 0
    accounts_added: int = 0
    accounts_there: int = 0
    documents_indexed: int = 0
    records_added: int = 0
    records_there: int = 0
    queries_compared: int = 0
    documents_verified: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every comparison held."""
        return not self.problems


def migrate_to_city(ws: Workspace, say: Callable[[str], None] = lambda _: None) -> MigrationReport:
    """Move the embedded ledger, accounts, index and files into the city's stores; compare everything."""
    if ws.settings.city is None:
        msg = "docgen.toml 中还没有写明城市版的数据库（[city] database）：写明后再运行 docgen migrate。"
        raise DocgenError(msg)
    report = MigrationReport()
    origin = ws.root / ORIGIN_FILE
    if not origin.exists():  # the workspace's documents keep the names they had: it is the origin ""
        atomic_write_bytes(origin, b"")
    _numbers(ws, report, say)
    pause_point("migrate-after-numbers")
    _accounts(ws, report, say)
    embedded = Archive(ws.settings.archive_dir)
    if isinstance(ws.archive, CityArchive):
        say("归档文件锁定存入对象存储，记录和事件日志存入数据库……")
        report.records_added, report.records_there, problems = ws.archive.adopt(embedded)
        report.problems += [f"归档记录：{p}" for p in problems]
        pause_point("migrate-after-archive")
    _search(ws, embedded, report, say)
    say("核验归档库……")
    verified = ws.archive.verify()
    report.documents_verified = verified.documents
    report.problems += [f"归档库核验：{label}：{item}" for label, items in verified.sections() for item in items]
    return report


def _numbers(ws: Workspace, report: MigrationReport, say: Callable[[str], None]) -> None:
    path = registry_path(ws.settings)
    before = Registry(path).records() if path.exists() else []
    say(f"发文字号：{len(before)} 个……")
    report.numbers_added, report.numbers_there = ws.numbers.import_records(before)
    after = {(r.prefix, r.year, r.seq): r for r in ws.numbers.records()}
    for record in before:
        moved = after.get((record.prefix, record.year, record.seq))
        if moved != record:
            report.problems.append(f"发文字号 {record.number} 迁移后不同：{moved}")


def _accounts(ws: Workspace, report: MigrationReport, say: Callable[[str], None]) -> None:
    path = ws.root / ACCOUNTS_FILE
    before = Accounts(path).stored_rows() if path.exists() else []
    say(f"账户：{len(before)} 个……")
    report.accounts_added, report.accounts_there = ws.accounts.adopt(before)
    after = {r.account.name: r for r in ws.accounts.stored_rows()}
    report.problems += [f"账户“{r.account.name}”迁移后不同" for r in before if after.get(r.account.name) != r]


def _search(ws: Workspace, embedded_archive: Archive, report: MigrationReport, say: Callable[[str], None]) -> None:
    """The city's index built from the archive, then asked what the embedded index is asked."""
    say("建立检索索引……")
    report.documents_indexed = ws.search.rebuild()
    embedded = SearchIndex(
        embedded_archive,
        ws.settings.index_dir,
        engine=ws.settings.search_engine,
        classified_text=ws.settings.show_classified,
    )
    embedded.rebuild_if_needed()
    for query in _sample_queries(ws):
        report.queries_compared += 1
        here, there = embedded.search(query), ws.search.search(query)
        # The same documents and the same total; documents of one day may come in another order.
        if sorted(h.path for h in here.hits) != sorted(h.path for h in there.hits) or here.total != there.total:
            what = " ".join(query.parts) or query.enterprise or query.number
            report.problems.append(f"检索“{what}”两处结果不同")


def _sample_queries(ws: Workspace) -> list[SearchQuery]:
    """Every enterprise, every 发文字号 and each title's first words, as a clerk would ask."""
    metas = ws.archive.metas()
    names = sorted({str(e["name"]) for m in metas for e in m.get("enterprises", []) if e.get("name")})
    numbers = sorted({str(m["number"]) for m in metas if m.get("number")})
    titles = sorted({str(m.get("title", ""))[:SAMPLE_TITLE_CHARS] for m in metas if m.get("title")})
    queries = [build_query("", enterprise=name, limit=50) for name in names]
    queries += [build_query("", number=number, limit=50) for number in numbers]
    return queries + [build_query(title, limit=50) for title in titles if title.strip()]


__all__ = ["MigrationReport", "migrate_to_city"]
