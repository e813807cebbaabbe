"""Personal accounts and roles: made by command, hashed with argon2id, enforced by the server, every change logged."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from docgen.numbering.registry import Registry
from docgen.pipeline.workspace import Workspace
from docgen.web import ServerOptions, create_app
from tests.conftest import RunCli, copy_workspace, logged_events

pytestmark = pytest.mark.libreoffice
PREFIX = "恩科工商务字"
OFFICE_PASSWORD = "office-secret-2021"  # noqa: S105 - the tests' own office password
PEOPLE = {  # name: (password, roles)
    "王局长": ("signer-password-1", ("签发", "管理员")),
    "李科长": ("reviewer-password-2", ("核稿",)),
    "张三": ("drafter-password-3", ("拟稿",)),
    "赵档案": ("archivist-password-4", ("档案员",)),
}


def add(run_cli: RunCli, ws: Path, name: str, password: str, *roles: str) -> str:
    roles_given = [part for role in roles for part in ("--role", role)]
    result = run_cli("-w", str(ws), "account", "add", name, *roles_given, "--password-stdin", input=password + "\n")
    return result.err if result.exit_code else result.out


def stored_hashes(ws: Path) -> list[str]:
    """The password column as the store keeps it: the embedded file, or the city's table."""
    settings = Workspace.open(ws, env={}).settings
    if settings.city is None:
        with sqlite3.connect(ws / "accounts.sqlite3") as db:
            return [row[0] for row in db.execute("SELECT password FROM accounts")]
    from docgen.pg import Database

    with Database(settings.city.database).transaction() as conn:
        return [row[0] for row in conn.execute("SELECT password FROM accounts")]


def test_accounts_are_made_by_command_with_hashed_passwords_and_logged(workspace: Path, run_cli: RunCli) -> None:
    ws = workspace
    assert "已新建账户：王局长\t签发、管理员" in add(run_cli, ws, "王局长", "signer-password-1", "管理员", "签发")
    for wrong, said in (
        (("李四", "short", "拟稿"), "密码至少 10 个字符"),
        (("李四", "李四的密码1234567", "拟稿"), "密码不能包含账户名"),
        (("李四", "a-good-password", "科员"), "没有“科员”这个角色"),
        (("王局长", "another-password", "拟稿"), "账户“王局长”已经存在"),
        (("a|b", "another-password", "拟稿"), "含有不能使用的字符"),
    ):
        assert said in add(run_cli, ws, *wrong), wrong
    add(run_cli, ws, "李科长", "reviewer-password-2", "核稿")
    hashes = stored_hashes(ws)
    assert not any("signer-password-1" in h or "reviewer-password-2" in h for h in hashes)
    assert all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in hashes), hashes
    listed = json.loads(run_cli("-w", str(ws), "account", "list", "--json").out)
    assert [(a["name"], a["roles"], a["active"]) for a in listed] == [
        ("李科长", ["reviewer"], True),
        ("王局长", ["signer", "admin"], True),
    ]
    # The last administrator cannot be taken away, by role or by disabling.
    for change in (["--remove-role", "管理员"], ["--disable"]):
        kept = run_cli("-w", str(ws), "account", "change", "王局长", *change)
        assert kept.exit_code != 0 and "最后一个能登录的管理员" in kept.err
    changed = run_cli("-w", str(ws), "account", "change", "李科长", "--add-role", "签发", "--disable", "--json")
    assert json.loads(changed.out)["active"] is False
    logged = [(e["event"], e.get("account"), e.get("roles"), e.get("active")) for e in logged_events(ws)]
    assert logged == [
        ("account_added", "王局长", ["signer", "admin"], None),
        ("account_added", "李科长", ["reviewer"], None),
        ("account_changed", "李科长", ["reviewer", "signer"], False),
    ]
    assert all(e["by"] and e["user"] and "password" not in json.dumps(e) for e in logged_events(ws))
    ws_open = Workspace.open(ws, env={})
    assert ws_open.accounts.verify("王局长", "signer-password-1") is not None
    assert ws_open.accounts.verify("王局长", "wrong-password-1") is None
    assert ws_open.accounts.verify("无此人", "signer-password-1") is None
    assert ws_open.accounts.verify("李科长", "reviewer-password-2") is None, "a disabled account cannot sign in"


@pytest.fixture
def office(issued_once: Path, workspace: Path, run_cli: RunCli) -> Path:
    """The issued example workspace with four people's accounts, on each profile."""
    ws = copy_workspace(issued_once, workspace / "ws")
    if (workspace / "docgen.toml").exists():  # the city's database named beside the copied archive
        shutil.copy(workspace / "docgen.toml", ws / "docgen.toml")
        numbers = Registry(ws / "archive" / "registry.sqlite3").records()
        Workspace.open(ws, env={}).numbers.import_records(numbers)  # the example's numbers, as moved
    for name, (password, roles) in PEOPLE.items():
        add(run_cli, ws, name, password, *roles)
    return ws


def signed_in(ws: Path, name: str) -> tuple[TestClient, str]:
    """A browser signed in as ``name``, and its page's CSRF token."""
    web = TestClient(create_app(Workspace.open(ws, env={}), ServerOptions()))
    page = web.post("/login?next=/numbers", data={"name": name, "password": PEOPLE[name][0]})
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text)
    assert token is not None
    return web, token[1]


def test_the_server_lets_each_role_do_its_own_and_refuses_and_logs_the_rest(office: Path) -> None:
    ws = office
    # With accounts, even this machine's own browser signs in: nobody is anybody by default.
    anonymous = TestClient(create_app(Workspace.open(ws, env={}), ServerOptions()))
    assert anonymous.get("/search", follow_redirects=False).headers["location"] == "/login?next=%2Fsearch"
    assert anonymous.post("/numbers/void", data={"number": "x"}, follow_redirects=False).status_code == 303
    wrong = anonymous.post("/login", data={"name": "张三", "password": PEOPLE["王局长"][0]})
    assert wrong.status_code == 401 and "账户名或密码不对" in wrong.text

    drafter, drafter_token = signed_in(ws, "张三")
    assert "经办人：张三（拟稿）" in drafter.get("/search").text
    ledger = drafter.get("/numbers").text
    assert 'action="/numbers/next"' not in ledger and 'action="/numbers/void"' not in ledger
    assert "取发文字号需要“签发”“档案员”或“管理员”角色" in ledger, "the page offers only what the roles permit"
    take = {"prefix": PREFIX, "year": "2021", "title": "关于张三起草的通知"}
    refused = drafter.post("/numbers/next", data={"csrf": drafter_token, **take})
    assert refused.status_code == 403 and "没有“取发文字号”的权限（你的角色：拟稿）" in refused.text

    signer, signer_token = signed_in(ws, "王局长")
    taken = signer.post("/numbers/next", data={"csrf": signer_token, **take})
    number = re.search(r"恩科工商务字〔2021〕\d+号", taken.text.split("已分配：", 1)[1])
    assert number is not None
    [record] = [r for r in Workspace.open(ws, env={}).numbers.records() if r.number == number[0]]
    assert record.issued_by == "王局长", "the ledger records the account"

    reviewer, reviewer_token = signed_in(ws, "李科长")
    void = {"number": number[0], "reason": "文件未发出", "confirm": "1"}
    assert reviewer.post("/numbers/void", data={"csrf": reviewer_token, **void}).status_code == 403
    # Another session's token is no token.
    assert drafter.post("/numbers/void", data={"csrf": signer_token, **void}).status_code == 403
    archivist, archivist_token = signed_in(ws, "赵档案")
    assert 'action="/numbers/void"' in archivist.get("/numbers").text
    done = archivist.post("/numbers/void", data={"csrf": archivist_token, **void})
    assert f"已作废：{number[0]}" in done.text
    assert drafter.post("/verify", data={"csrf": drafter_token}).status_code == 200, "every role may verify"

    refusals = [(e["account"], e["action"]) for e in logged_events(ws) if e["event"] == "refused"]
    assert refusals == [("张三", "take_number"), ("李科长", "void_number"), ("张三", "csrf")]
    voided = next(e for e in logged_events(ws) if e["event"] == "voided")
    assert voided["user"] == "赵档案"


def test_a_name_typed_before_the_first_account_was_made_is_not_that_account(
    issued_once: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    ws = copy_workspace(issued_once, tmp_path / "ws")
    web = TestClient(create_app(Workspace.open(ws, env={}), ServerOptions(password=OFFICE_PASSWORD)))
    assert web.post("/login", data={"name": "王局长", "password": OFFICE_PASSWORD}).status_code == 200
    password, roles = PEOPLE["王局长"]
    assert "已新建账户" in add(run_cli, ws, "王局长", password, *roles)
    assert web.get("/numbers", follow_redirects=False).headers["location"].startswith("/login")


def test_a_disabled_account_is_signed_out_at_its_next_request(office: Path, run_cli: RunCli) -> None:
    web, _ = signed_in(office, "张三")
    assert web.get("/search", follow_redirects=False).status_code == 200
    assert run_cli("-w", str(office), "account", "change", "张三", "--disable").exit_code == 0
    assert web.get("/search", follow_redirects=False).headers["location"].startswith("/login")
    again = web.post("/login", data={"name": "张三", "password": PEOPLE["张三"][0]})
    assert again.status_code == 401
