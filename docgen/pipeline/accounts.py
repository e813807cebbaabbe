"""Accounts as the office manages them: made, changed, signed in with; each change in the event log.

The accounts themselves are ``accounts``'s; here a change is also recorded in the archive's
chained event log (who changed whose account, and how — never a password), and a refused action
is recorded as such, so the audit shows both what was done and what was tried.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from docgen._io import current_user
from docgen.accounts import ACTION_NAMES, Account, account_name, allowed, role_keys
from docgen.errors import AccountError, ArchiveError
from docgen.pipeline.workspace import Workspace
from docgen.vocab import CITY_ROLES, ROLES

REFUSED_EVENT = "refused"


def add_account(ws: Workspace, name: str, password: str, roles: Iterable[str]) -> Account:
    """A new account with its roles (at least one), recorded in the event log."""
    keys = role_keys(roles)
    if not keys:
        msg = "请至少给出一个角色（--role），例如 --role 管理员。"
        raise AccountError(msg)
    _city_roles_only_in_the_city(ws, keys)
    account = ws.accounts.add(name, password, keys)
    log_event(ws, "account_added", account=account.name, roles=list(account.roles))
    return account


def change_account(
    ws: Workspace,
    name: str,
    *,
    add_roles: Iterable[str] = (),
    remove_roles: Iterable[str] = (),
    password: str | None = None,
    active: bool | None = None,
) -> Account:
    """Change an account's roles, password or whether it may sign in; the last 管理员 is kept."""
    name = account_name(name)
    account = ws.accounts.get(name)
    if account is None:
        msg = f"没有账户“{name}”（docgen account list 列出全部账户）。"
        raise AccountError(msg)
    added, removed = set(role_keys(add_roles)), set(role_keys(remove_roles))
    roles = tuple(r for r in role_keys([*account.roles, *added]) if r not in removed)
    _city_roles_only_in_the_city(ws, tuple(added))
    if not roles:
        msg = f"账户“{name}”至少要有一个角色；不再使用的账户请停用（--disable）。"
        raise AccountError(msg)
    will_admin = "admin" in roles and (account.active if active is None else active)
    if account.may("manage_accounts") and not will_admin and not _other_admins(ws, name):
        msg = "这是最后一个能登录的管理员账户：请先给另一个账户“管理员”角色，以免没有人能管理账户。"
        raise AccountError(msg)
    changed = ws.accounts.update(
        name, roles=roles if roles != account.roles else None, password=password, active=active
    )
    said: dict[str, Any] = {"account": name}
    if changed.roles != account.roles:
        said["roles"] = list(changed.roles)
    if password is not None:
        said["password_changed"] = True
    if changed.active != account.active:
        said["active"] = changed.active
    log_event(ws, "account_changed", **said)
    return changed


def _city_roles_only_in_the_city(ws: Workspace, keys: tuple[str, ...]) -> None:
    """市档案员 reads every organ of a city: a workspace of one bureau has no other organ to read."""
    given = [ROLES[k] for k in keys if k in CITY_ROLES]
    if given and ws.settings.city is None:
        msg = f"“{'、'.join(given)}”只用于城市版（docgen.toml 写明 [city] 之后）：本工作区只有本局的文件。"
        raise AccountError(msg)


def _other_admins(ws: Workspace, name: str) -> bool:
    return any(a.name != name and a.may("manage_accounts") for a in ws.accounts.all())


def list_accounts(ws: Workspace) -> list[Account]:
    """Every account, by name."""
    return ws.accounts.all()


def uses_accounts(ws: Workspace) -> bool:
    """Whether the office signs in with personal accounts (once the first one is made)."""
    return ws.accounts.count() > 0


def sign_in(ws: Workspace, name: str, password: str) -> Account | None:
    """The account when the name and password match and it may sign in."""
    try:
        return ws.accounts.verify(account_name(name), password)
    except AccountError:
        return None


def require(ws: Workspace, account: Account | None, action: str, detail: str = "") -> None:
    """Refuse ``action`` unless ``account`` holds a role that permits it; a refusal is logged."""
    if allowed(account, action):
        return
    who = account.name if account else None
    log_event(ws, REFUSED_EVENT, account=who, action=action, detail=detail)
    held = f"（你的角色：{account.role_names}）" if account and account.roles else ""
    msg = f"你的账户没有“{ACTION_NAMES[action]}”的权限{held}。"
    raise AccountError(msg)


def log_event(ws: Workspace, event: str, **fields: Any) -> None:
    """Record an account event in the archive's chained log, as the person who did it."""
    try:
        with ws.archive.locked():
            ws.archive.log.append(event, by=current_user(), **fields)
    except (OSError, ArchiveError) as exc:
        msg = f"账户的变动无法记入事件日志（{exc}）。"
        raise AccountError(msg) from exc


__all__ = [
    "ACTION_NAMES",
    "REFUSED_EVENT",
    "Account",
    "add_account",
    "allowed",
    "change_account",
    "list_accounts",
    "log_event",
    "require",
    "sign_in",
    "uses_accounts",
]
