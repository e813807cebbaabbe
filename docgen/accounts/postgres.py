"""Accounts in the city's PostgreSQL: the same rules as the embedded file, each organ's people its own.

An account belongs to one organ: the same name in two organs is two people, and nothing here
reads or changes another organ's accounts.
"""

from __future__ import annotations

import contextlib
from typing import Any

from docgen.accounts import AccountBook
from docgen.errors import AccountError
from docgen.pg import Database


class PgAccounts(AccountBook):
    """One organ's accounts in the city database."""

    def __init__(self, database: Database, organ: str) -> None:
        super().__init__()
        self.database = database
        self.organ = organ

    def _sql(self, text: str) -> str:
        return text.replace("?", "%s")

    def _scope(self) -> tuple[str, list[object]]:
        return " AND organ = ?", [self.organ]

    def _owner(self) -> tuple[str, list[object]]:
        return ", organ", [self.organ]

    def _name_taken(self, exc: Exception) -> bool:
        import psycopg  # noqa: PLC0415 - the city profile's driver

        return isinstance(exc, psycopg.errors.UniqueViolation)

    def _read(self) -> contextlib.AbstractContextManager[Any]:
        return self.database.transaction("账户", AccountError)

    def _write(self) -> contextlib.AbstractContextManager[Any]:
        return self.database.transaction("账户", AccountError)


__all__ = ["PgAccounts"]
