"""The city profile's database: one PostgreSQL, its schema kept by Alembic, connections pooled.

The embedded default keeps its records in SQLite files and folders; a city's bureaus share one
PostgreSQL instead (``[city] database`` in docgen.toml, or ``DOCGEN_DATABASE``). Every part that
keeps records there (numbers, search, and in time records, accounts, events) takes its
connections from ``Database``: one pool per process and address, the schema brought to the
newest revision once, under an advisory lock, so several servers starting together do not race.

psycopg, psycopg_pool and Alembic load only when a city database is used: the embedded default
never imports them (``pip install 'docgen[city]'`` adds them).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from docgen.errors import DocgenError

if TYPE_CHECKING:
    import psycopg

MIGRATIONS = "docgen:migrations"  # Alembic's script location, inside the package
SCHEMA_HEAD = "0006"  # the newest revision in migrations/versions (a test holds the two equal)
SCHEMA_LOCK = 0x646F6367656E  # "docgen": the advisory lock every process migrates under
POOL_MAX = 8
CONNECT_TIMEOUT_S = 10


class DatabaseError(DocgenError):
    """The city database cannot be reached or refused what was asked."""


def sqlalchemy_url(dsn: str) -> str:
    """``postgresql://…`` as SQLAlchemy names the psycopg 3 driver."""
    scheme, sep, rest = dsn.partition("://")
    if not sep or scheme not in ("postgresql", "postgres"):
        msg = f"城市版数据库地址应以 postgresql:// 开头（现为 {shown(dsn)}）。"
        raise DatabaseError(msg)
    return f"postgresql+psycopg://{rest}"


def shown(dsn: str) -> str:
    """The address without its password, for messages and logs."""
    scheme, sep, rest = dsn.partition("://")
    who, at, where = rest.rpartition("@")
    if not at:
        return dsn
    return f"{scheme}{sep}{who.split(':')[0]}:***@{where}" if ":" in who else dsn


class Database:
    """One PostgreSQL database: pooled connections, each ``transaction()`` committed or rolled back whole."""

    _pools: dict[str, Any] = {}  # noqa: RUF012 - one pool per process and address, shared by every store
    _migrated: set[str] = set()  # noqa: RUF012
    _guard = threading.Lock()

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        sqlalchemy_url(dsn)  # refuse a wrong scheme before anything connects

    def _pool(self) -> Any:
        with self._guard:
            pool = self._pools.get(self.dsn)
            if pool is None:
                try:
                    from psycopg_pool import ConnectionPool  # noqa: PLC0415 - only the city profile needs it
                except ImportError as exc:
                    msg = "城市版需要 PostgreSQL 驱动：pip install 'docgen[city]'。"
                    raise DatabaseError(msg) from exc
                pool = ConnectionPool(
                    self.dsn,
                    min_size=0,
                    max_size=POOL_MAX,
                    # No prepared statements: a plan made once for every tsquery is a scan of every
                    # row; each search is planned for its own words.
                    kwargs={
                        "connect_timeout": CONNECT_TIMEOUT_S,
                        "application_name": "docgen",
                        "prepare_threshold": None,
                    },
                    open=True,
                )
                self._pools[self.dsn] = pool
            if self.dsn not in self._migrated:
                self._upgrade()
                self._migrated.add(self.dsn)
        return pool

    @contextlib.contextmanager
    def transaction(
        self, what: str = "记录", error: type[DocgenError] = DatabaseError
    ) -> Iterator[psycopg.Connection[Any]]:
        """A connection in one transaction: committed when the block ends, rolled back on any error.

        The driver's errors become ``error`` naming ``what`` was being read or written (a
        connection that fails, ``DatabaseError``); docgen's own errors raised in the block pass.
        """
        import psycopg  # noqa: PLC0415

        pool = self._pool()
        try:
            with pool.connection(timeout=CONNECT_TIMEOUT_S) as conn, conn.transaction():
                yield conn
        except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure) as exc:  # two writers crossed
            msg = f"{what}正被另一处同时修改，本次未写入，请再试一次：{first_line(exc)}"
            raise error(msg) from exc
        except psycopg.OperationalError as exc:
            msg = f"无法连接城市版数据库 {shown(self.dsn)}：{first_line(exc)}"
            raise DatabaseError(msg) from exc
        except psycopg.errors.UniqueViolation as exc:  # two servers writing the same row: never silently
            msg = f"{what}与另一处同时写入的记录冲突，未写入：{exc.diag.message_detail or first_line(exc)}"
            raise error(msg) from exc
        except psycopg.Error as exc:
            msg = f"{what}（城市版数据库）无法读写：{first_line(exc)}"
            raise error(msg) from exc

    def _upgrade(self) -> None:
        """Bring the schema to Alembic's head, once per process, under the advisory lock.

        A database already at ``SCHEMA_HEAD`` is seen so with one query: Alembic (a tenth of a
        second to import) loads only when there is something to do.
        """
        if self._at_head():
            return
        try:
            import sqlalchemy  # noqa: PLC0415
            from alembic import command  # noqa: PLC0415
            from alembic.config import Config  # noqa: PLC0415
        except ImportError as exc:
            msg = "城市版需要 Alembic：pip install 'docgen[city]'。"
            raise DatabaseError(msg) from exc
        engine = sqlalchemy.create_engine(sqlalchemy_url(self.dsn), poolclass=sqlalchemy.pool.NullPool)
        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except sqlalchemy.exc.OperationalError as exc:
            msg = f"无法连接城市版数据库 {shown(self.dsn)}：{first_line(exc.orig or exc)}"
            raise DatabaseError(msg) from exc
        finally:
            engine.dispose()

    def _at_head(self) -> bool:
        import psycopg  # noqa: PLC0415

        try:
            with psycopg.connect(self.dsn, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT version_num FROM alembic_version WHERE to_regclass('alembic_version') IS NOT NULL"
                ).fetchone()
        except psycopg.errors.UndefinedTable:
            return False
        except psycopg.OperationalError as exc:
            msg = f"无法连接城市版数据库 {shown(self.dsn)}：{first_line(exc)}"
            raise DatabaseError(msg) from exc
        return row is not None and row[0] == SCHEMA_HEAD

    @classmethod
    def close_all(cls) -> None:
        """Close every pool of this process (tests, and a server shutting down)."""
        with cls._guard:
            for pool in cls._pools.values():
                pool.close()
            cls._pools.clear()
            cls._migrated.clear()


class Session:
    """A store's transaction held by a ``hold`` block (under an organ's advisory lock), used by every query inside it.

    One connection per block: a thread waiting for the lock never needs a second one from the
    pool, so many waiting threads cannot starve the one holding it. ``lock`` names what is
    locked ("docgen-archive"); ``error`` is the store's own error class.
    """

    def __init__(self, database: Database, lock: str, error: type[DocgenError]) -> None:
        self.database, self.lock, self.error = database, lock, error
        self._held = threading.local()

    @contextlib.contextmanager
    def connection(self, what: str) -> Iterator[psycopg.Connection[Any]]:
        """The held connection inside ``hold``, else a transaction of its own."""
        held = getattr(self._held, "conn", None)
        if held is not None:
            yield held
            return
        with self.database.transaction(what, self.error) as conn:
            yield conn

    @contextlib.contextmanager
    def hold(self, organ: str, what: str) -> Iterator[psycopg.Connection[Any]]:
        """One transaction holding the organ's lock (every server waits for it) for the block."""
        if getattr(self._held, "conn", None) is not None:
            yield self._held.conn  # already held by this thread: the same transaction
            return
        with self.database.transaction(what, self.error) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(%s))", (self.lock, organ))
            self._held.conn = conn
            try:
                yield conn
            finally:
                self._held.conn = None


def first_line(exc: BaseException) -> str:
    """A driver's message without its detail lines."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


__all__ = ["Database", "DatabaseError", "Session", "first_line", "shown", "sqlalchemy_url"]
