"""The 发文字号 ledger in the city's PostgreSQL: the same rules as the SQLite ledger, many organs, many servers.

Each run (机关代字, year) has a counter row. Every write first locks that row (``SELECT … FOR
UPDATE``) and reads the highest number from it, so allocations of one run queue behind each
other on any number of servers while other runs go on; the new number's row and the raised
counter commit together or not at all, so a server killed half-way leaves neither (a SEQUENCE
would leave a gap: ``nextval`` is never rolled back). A 机关代字 belongs to one organ: another
organ using it is refused. Every query is kept to this workspace's organ.
"""

from __future__ import annotations

import contextlib
from typing import Any

from docgen.errors import RegistryError
from docgen.numbering.registry import COLUMNS, Ledger, NumberRecord
from docgen.pg import Database

_INSERT = (
    f"INSERT INTO numbers (organ, {COLUMNS}) VALUES (%s, {', '.join('%s' for _ in NumberRecord.__dataclass_fields__)})"  # noqa: S608
)


class PgRegistry(Ledger):
    """One organ's view of the city ledger."""

    def __init__(self, database: Database, organ: str) -> None:
        self.database = database
        self.organ = organ

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def _scope(self) -> tuple[list[str], list[object]]:
        return ["organ = ?"], [self.organ]

    def _write(self) -> contextlib.AbstractContextManager[Any]:
        return self.database.transaction("发文字号登记簿", RegistryError)

    def _read(self) -> contextlib.AbstractContextManager[Any]:
        return self.database.transaction("发文字号登记簿", RegistryError)

    def _highest(self, conn: Any, prefix: str, year: int) -> int:
        """The run's counter, locked until the transaction ends; the series claimed for this organ."""
        conn.execute("INSERT INTO series (prefix, organ) VALUES (%s, %s) ON CONFLICT DO NOTHING", (prefix, self.organ))
        (owner,) = conn.execute("SELECT organ FROM series WHERE prefix = %s", (prefix,)).fetchone()
        if owner != self.organ:
            msg = f"机关代字“{prefix}”属于{owner}，{self.organ}不能使用；请核对机关代字。"
            raise RegistryError(msg)
        conn.execute("INSERT INTO number_runs (prefix, year) VALUES (%s, %s) ON CONFLICT DO NOTHING", (prefix, year))
        (highest,) = conn.execute(
            "SELECT highest FROM number_runs WHERE prefix = %s AND year = %s FOR UPDATE", (prefix, year)
        ).fetchone()
        return int(highest)

    def _insert(self, conn: Any, record: NumberRecord) -> None:
        conn.execute(_INSERT, (self.organ, *record.__dict__.values()))
        conn.execute(
            "UPDATE number_runs SET highest = GREATEST(highest, %s) WHERE prefix = %s AND year = %s",
            (record.seq, record.prefix, record.year),
        )


__all__ = ["PgRegistry"]
