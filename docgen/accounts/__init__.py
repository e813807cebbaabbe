"""Accounts: one per person, with roles, and what each role may do.

A 拟稿人 drafts, a 科长 checks (核稿), a 局长 signs off (签发), an 档案员 files; an office's
管理员 makes the accounts. Every action in the browser is done as an account, and the server asks
``allowed`` before doing it. Passwords are kept only as argon2id hashes (RFC 9106, argon2-cffi's
defaults: 64 MiB, 3 passes), so a copied accounts file gives no password away.

Imports only the shared modules. The store is a protocol (``AccountStore``) with an SQLite file
in the workspace as today's implementation (``accounts.sqlite3``), the seam where a server
deployment keeps accounts in its database.
"""

from __future__ import annotations

import contextlib
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from docgen._io import SqliteRecords, now
from docgen.errors import AccountError
from docgen.vocab import ROLES

ACCOUNTS_FILE = "accounts.sqlite3"
MAX_NAME_CHARS = 20
MIN_PASSWORD_CHARS = 10
BUSY_TIMEOUT_S = 30.0

# What each action needs: any one of these roles. Issue 26: only 签发 issues; only 档案员 or 管理员
# voids or files; a number for a draft typed in Word is taken by whoever may issue or file.
PERMITTED: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "verify": frozenset(ROLES),
    "draft": frozenset({"drafter"}),
    "review": frozenset({"reviewer"}),
    "sign": frozenset({"signer"}),
    "take_number": frozenset({"signer", "archivist", "admin"}),
    "void_number": frozenset({"archivist", "admin"}),
    "file": frozenset({"archivist", "admin"}),
    "manage_accounts": frozenset({"admin"}),
    "audit": frozenset({"archivist", "admin"}),
    "read_other_organs": frozenset({"city_archivist"}),  # the city profile: no query crosses organs but these
}
ACTION_NAMES = {
    "read": "查阅",
    "verify": "核验",
    "draft": "拟稿",
    "review": "核稿",
    "sign": "签发",
    "take_number": "取发文字号",
    "void_number": "作废发文字号",
    "file": "归档",
    "manage_accounts": "管理账户",
    "audit": "查看操作记录",
    "read_other_organs": "查阅其他机关的归档文件",
    "csrf": "提交不带本会话令牌的表单",
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name        TEXT PRIMARY KEY,
    password    TEXT NOT NULL,
    roles       TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT NOT NULL,
    changed_at  TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Account:
    """A person who signs in: the name the records show, the roles held, whether it may sign in."""

    name: str
    roles: tuple[str, ...]
    active: bool = True
    created_at: str = ""
    changed_at: str = ""

    def may(self, action: str) -> bool:
        """Whether this account may do ``action`` (a key of ``PERMITTED``)."""
        return self.active and bool(PERMITTED[action] & set(self.roles))

    @property
    def role_names(self) -> str:
        """The roles as a clerk reads them: 拟稿、核稿."""
        return "、".join(ROLES[r] for r in self.roles)


@dataclass(frozen=True)
class StoredAccount:
    """An account as a store keeps it: what it shows, and its password's argon2id hash."""

    account: Account
    password_hash: str = field(repr=False)


def allowed(account: Account | None, action: str) -> bool:
    """Whether ``account`` may do ``action``; nobody signed in may do nothing."""
    return account is not None and account.may(action)


def account_name(text: str) -> str:
    """A person's name as an account: trimmed, printable, at most 20 characters, or an ``AccountError``."""
    name = unicodedata.normalize("NFC", " ".join(text.split()))
    if not name or len(name) > MAX_NAME_CHARS:
        msg = f"账户名“{name[:MAX_NAME_CHARS]}”不能为空，也不能超过 {MAX_NAME_CHARS} 个字。"
        raise AccountError(msg)
    if any(not ch.isprintable() or ch in "|<>&\"'" for ch in name):
        msg = f"账户名“{name}”含有不能使用的字符（控制字符或 | < > & 引号）。"
        raise AccountError(msg)
    return name


def role_keys(given: Iterable[str]) -> tuple[str, ...]:
    """Roles as typed (拟稿 or drafter), as keys in the order of ``ROLES``; unknown ones refused."""
    by_word = {word: key for key, word in ROLES.items()}
    wanted = set()
    for role in given:
        key = role if role in ROLES else by_word.get(role.strip())
        if key is None:
            msg = f"没有“{role}”这个角色；角色有：{'、'.join(ROLES.values())}。"
            raise AccountError(msg)
        wanted.add(key)
    return tuple(key for key in ROLES if key in wanted)


def password_problem(name: str, password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"密码至少 {MIN_PASSWORD_CHARS} 个字符。"
    if name in password or password.lower() in {"password1234", "1234567890", "0123456789"}:
        return "密码不能包含账户名，也不能是常见的密码。"
    return None


class AccountStore(Protocol):
    """Where accounts are kept; every method is one transaction."""

    def count(self) -> int:
        """How many accounts there are (active or not)."""

    def all(self) -> list[Account]:
        """Every account, by name."""

    def get(self, name: str) -> Account | None:
        """One account, or None."""

    def add(self, name: str, password: str, roles: tuple[str, ...]) -> Account:
        """A new account; an ``AccountError`` if the name is taken."""

    def update(
        self,
        name: str,
        *,
        roles: tuple[str, ...] | None = None,
        password: str | None = None,
        active: bool | None = None,
    ) -> Account:
        """Change an account's roles, password or whether it may sign in."""

    def verify(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is its password and it may sign in, else None."""

    def stored_rows(self) -> list[StoredAccount]:
        """Every account with its password hash, for moving accounts to another store."""

    def adopt(self, rows: Iterable[StoredAccount]) -> tuple[int, int]:
        """Accounts moved from another store, all or nothing: (added, already here and the same)."""


class AccountBook:
    """The rules of the accounts, written once over a DB-API connection (SQLite's or PostgreSQL's).

    A store supplies its transactions (``_read`` gives None when there are no accounts yet, so
    asking creates nothing), the clauses that keep a shared database to one organ (``_scope``),
    the organ's columns of a new row (``_owner``), and which driver error is a name taken.
    SQL is written with "?" parameters; ``_sql`` turns them into the driver's.
    """

    _SELECT = "SELECT name, roles, active, created_at, changed_at"

    def __init__(self) -> None:
        self._hasher: Any = None
        self._unknown_hash = ""

    def _read(self) -> contextlib.AbstractContextManager[Any | None]:
        raise NotImplementedError

    def _write(self) -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def _scope(self) -> tuple[str, list[object]]:
        """A clause (" AND organ = ?") and its arguments every query of this store adds."""
        return "", []

    def _owner(self) -> tuple[str, list[object]]:
        """The columns (", organ") and values a new account gets in this store."""
        return "", []

    def _name_taken(self, exc: Exception) -> bool:
        raise NotImplementedError

    def _sql(self, text: str) -> str:
        return text

    @property
    def _argon2(self) -> Any:
        if self._hasher is None:
            from argon2 import PasswordHasher  # noqa: PLC0415 - only signing in and account changes need it

            self._hasher = PasswordHasher()
            # What an unknown name's password is compared with: a hash of a secret nobody holds.
            self._unknown_hash = self._hasher.hash(secrets.token_hex(16))
        return self._hasher

    def _rows(self, conn: Any, where: str, args: list[object], columns: str = "") -> list[tuple[Any, ...]]:
        scope, scope_args = self._scope()
        sql = f"{self._SELECT}{columns} FROM accounts WHERE {where}{scope} ORDER BY name"
        return list(conn.execute(self._sql(sql), [*args, *scope_args]).fetchall())

    def count(self) -> int:
        """How many accounts there are (active or not)."""
        return len(self.all())

    def all(self) -> list[Account]:
        """Every account, by name."""
        with self._read() as conn:
            return [] if conn is None else [_account(row) for row in self._rows(conn, "1 = 1", [])]

    def get(self, name: str) -> Account | None:
        """One account, or None."""
        with self._read() as conn:
            rows = [] if conn is None else self._rows(conn, "name = ?", [name])
        return _account(rows[0]) if rows else None

    def add(self, name: str, password: str, roles: tuple[str, ...]) -> Account:
        """A new account; an ``AccountError`` if the name is taken or the password too weak."""
        name = account_name(name)
        if problem := password_problem(name, password):
            raise AccountError(problem)
        hashed = self._argon2.hash(password)
        stamp = now()
        columns, values = self._owner()
        marks = "".join(", ?" for _ in values)
        with self._write() as conn:
            try:
                conn.execute(
                    self._sql(
                        f"INSERT INTO accounts (name, password, roles, active, created_at, changed_at{columns})"  # noqa: S608 - our columns
                        f" VALUES (?, ?, ?, 1, ?, ?{marks})"
                    ),
                    (name, hashed, ",".join(roles), stamp, stamp, *values),
                )
            except Exception as exc:
                if self._name_taken(exc):
                    msg = f"账户“{name}”已经存在。"
                    raise AccountError(msg) from None
                raise
        return Account(name, roles, True, stamp, stamp)

    def update(
        self,
        name: str,
        *,
        roles: tuple[str, ...] | None = None,
        password: str | None = None,
        active: bool | None = None,
    ) -> Account:
        """Change an account's roles, password or whether it may sign in."""
        changes: dict[str, object] = {}
        if roles is not None:
            changes["roles"] = ",".join(roles)
        if password is not None:
            if problem := password_problem(name, password):
                raise AccountError(problem)
            changes["password"] = self._argon2.hash(password)
        if active is not None:
            changes["active"] = int(active)
        changes["changed_at"] = now()
        scope, scope_args = self._scope()
        with self._write() as conn:
            assignments = ", ".join(f"{column} = ?" for column in changes)
            sql = f"UPDATE accounts SET {assignments} WHERE name = ?{scope}"  # noqa: S608 - column names are ours
            done = conn.execute(self._sql(sql), (*changes.values(), name, *scope_args))
            if done.rowcount != 1:
                msg = f"没有账户“{name}”。"
                raise AccountError(msg)
        account = self.get(name)
        assert account is not None  # noqa: S101 - just updated
        return account

    def stored_rows(self) -> list[StoredAccount]:
        """Every account as stored, its password hash included (for moving accounts, never shown)."""
        with self._read() as conn:
            rows = [] if conn is None else self._rows(conn, "1 = 1", [], ", password")
        return [StoredAccount(_account(row[:5]), str(row[5])) for row in rows]

    def adopt(self, rows: Iterable[StoredAccount]) -> tuple[int, int]:
        """Accounts moved from another store, hashes as they are: (added, already here and the same).

        All or nothing: an account of the same name that differs refuses the whole move.
        """
        here = {r.account.name: r for r in self.stored_rows()}
        columns, values = self._owner()
        marks = "".join(", ?" for _ in values)
        added = same = 0
        with self._write() as conn:
            for row in rows:
                held = here.get(row.account.name)
                if held is not None:
                    if held != row:
                        msg = f"账户“{row.account.name}”在两处不同（角色、状态或密码），未迁移任何账户。"
                        raise AccountError(msg)
                    same += 1
                    continue
                a = row.account
                conn.execute(
                    self._sql(
                        f"INSERT INTO accounts (name, password, roles, active, created_at, changed_at{columns})"  # noqa: S608 - our columns
                        f" VALUES (?, ?, ?, ?, ?, ?{marks})"
                    ),
                    (a.name, row.password_hash, ",".join(a.roles), int(a.active), a.created_at, a.changed_at, *values),
                )
                added += 1
        return added, same

    def verify(self, name: str, password: str) -> Account | None:
        """The account when ``password`` is its password and it may sign in, else None."""
        from argon2.exceptions import VerificationError  # noqa: PLC0415

        with self._read() as conn:
            rows = [] if conn is None else self._rows(conn, "name = ?", [name], ", password")
        row = rows[0] if rows else None
        # An unknown name costs a hash as a known one does: the time does not tell which names exist.
        hasher = self._argon2
        hashed = row[5] if row else self._unknown_hash
        try:
            hasher.verify(hashed, password)
        except VerificationError:
            return None
        except Exception:  # an unreadable hash in the file: refused, not a crash
            return None
        if row is None:
            return None
        account = _account(row[:5])
        return account if account.active else None


class Accounts(SqliteRecords, AccountBook):
    """Accounts in one SQLite file of the workspace, passwords as argon2id hashes."""

    error = AccountError
    label = "账户文件"
    busy_timeout = BUSY_TIMEOUT_S

    def __init__(self, path: Path) -> None:
        SqliteRecords.__init__(self, path)
        AccountBook.__init__(self)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self.path.exists() and not self.path.parent.is_dir():
            msg = f"工作区文件夹 {self.path.parent} 不存在。"
            raise AccountError(msg)
        with super()._connect() as conn:
            yield conn

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        conn.execute(_SCHEMA)

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection | None]:
        if not self.path.exists():  # reading must not create the file: a workspace without accounts stays as it was
            yield None
            return
        with self._connect() as conn:
            yield conn

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._connect()  # autocommit: each statement its own transaction

    def _name_taken(self, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.IntegrityError)


def _account(row: tuple[object, ...]) -> Account:
    name, roles, active, created, changed = row
    kept = tuple(r for r in str(roles).split(",") if r in ROLES)
    return Account(str(name), kept, bool(active), str(created), str(changed))


__all__ = [
    "ACCOUNTS_FILE",
    "ACTION_NAMES",
    "PERMITTED",
    "Account",
    "AccountBook",
    "AccountStore",
    "Accounts",
    "StoredAccount",
    "account_name",
    "allowed",
    "password_problem",
    "role_keys",
]
