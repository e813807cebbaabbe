"""Drafts and their flow below the web pages: the form from the model, the YAML kept, the rules, the issue.

The browser walk of the same flow is ``test_web_flow``; here each rule is proved once, directly.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
import yaml

from docgen.accounts import Account
from docgen.case.editing import apply_form, form_fields, form_values, problem_field
from docgen.drafts import Stage
from docgen.errors import AccountError, FlowError, Problem
from docgen.pipeline.accounts import add_account
from docgen.pipeline.drafting import issue_draft, new_draft, save_draft, take_step, view_draft
from docgen.pipeline.workspace import Workspace
from docgen.readback import read_pdf
from docgen.web.jobs import DraftWork
from tests.conftest import REPO

PASSWORD = "flow-password-1"  # noqa: S105 - the tests' own
EXAMPLE = REPO / "examples" / "enping-2021" / "case.yaml"


def events(ws: Workspace) -> list[dict[str, object]]:
    lines = (ws.settings.archive_dir / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture
def office(tmp_path: Path) -> tuple[Workspace, dict[str, Account]]:
    """An empty workspace of another bureau, with a drafter, a reviewer, a signer who also drafts."""
    (tmp_path / "docgen.toml").write_text(
        '[issuer]\nname = "台山市工业和信息化局"\nprefix = "台工信"\n', encoding="utf-8"
    )
    ws = Workspace.open(tmp_path, env={})
    people = {
        "陈拟稿": ("drafter",),
        "林核稿": ("reviewer",),
        "黄局长": ("signer", "drafter"),
    }
    return ws, {name: add_account(ws, name, PASSWORD, roles) for name, roles in people.items()}


def test_the_form_comes_from_the_model_and_a_save_keeps_a_hand_written_case_as_it_was() -> None:
    fields = form_fields("notice")
    by_name = {f.name: f for f in fields}
    assert by_name["notice.title"].label == "标题" and by_name["notice.title"].required
    assert by_name["notice.body"].widget == "lines"
    assert by_name["notice.date"].widget == "date"
    assert by_name["notice.urgency"].choices == ("特急", "加急")
    assert by_name["notice.printed.date"].label == "印发机关和印发日期：印发日期"
    assert "notice.joint" not in by_name, "lists of structures are edited in the YAML"
    assert {f.name for f in form_fields("request")} >= {"request.signers", "request.prefix", "request.closing"}
    assert "minutes.number" in {f.name for f in form_fields("minutes")}, "a 纪要's 期号 is typed"

    text = EXAMPLE.read_text(encoding="utf-8")
    values = form_values(text, fields)
    assert "notice.number" not in values, "a draft's number is taken at 签发"
    assert values["notice.title"] == "关于印发恩平市2021年度推动落后产能退出工作计划的通知"
    assert values["notice.body"] == "\n".join(yaml.safe_load(text)["notice"]["body"])
    # Nothing changed: the text comes back byte for byte, every comment and quote in place.
    assert apply_form(text, fields, values) == text
    changed = apply_form(text, fields, {**values, "notice.note": "", "notice.urgency": "加急"})
    removed = [line for line in text.splitlines() if line not in changed.splitlines()]
    added = [line for line in changed.splitlines() if line not in text.splitlines()]
    assert len(removed) == 1 and removed[0].strip().startswith("note:"), removed
    assert added == ["  urgency: 加急"], added
    assert changed.count("#") == text.count("#") - removed[0].count("#")

    problem = Problem(Path("case.yaml"), 12, "notice.body.3（正文段落）", "不能为空")
    assert problem_field(problem, fields) == "notice.body"
    assert problem_field(Problem(Path("case.yaml"), 1, "plan.sections.0.heading", "x"), fields) is None


def test_a_draft_goes_through_the_flow_and_every_step_and_refusal_is_logged(
    office: tuple[Workspace, dict[str, Account]],
) -> None:
    ws, people = office
    drafter, reviewer, signer = people["陈拟稿"], people["林核稿"], people["黄局长"]
    with pytest.raises(AccountError, match="没有“拟稿”的权限"):
        new_draft(ws, reviewer, "notice", "关于核稿人起草的通知", prefix="台工信")
    draft = new_draft(ws, drafter, "notice", "  关于开展2026年度工业企业安全生产检查的通知 ", prefix="台工信")
    assert draft.title == "关于开展2026年度工业企业安全生产检查的通知" and draft.stage is Stage.DRAFTING
    shown = view_draft(ws, draft.id)
    assert shown.problems == {"notice.recipients": ["不能为空"], "notice.body": ["不能为空"]}
    assert shown.values["issuer.name"] == "台山市工业和信息化局"
    assert "number: auto" in shown.text
    with pytest.raises(FlowError, match="还有 2 处要改"):
        take_step(ws, drafter, draft.id, "submit")

    values = {**shown.values, "notice.recipients": "各镇人民政府，市直有关单位", "notice.body": "第一段。\n\n第二段。"}
    draft = save_draft(ws, drafter, draft.id, values)
    assert draft.revision == 2 and view_draft(ws, draft.id).problems == {}
    history = sorted(p.name for p in ws.drafts.case_path(draft.id).parent.joinpath("history").iterdir())
    assert history == ["0001.yaml", "0002.yaml"], "every saved text is kept"
    assert "    - 第二段。" in ws.drafts.text(draft.id), "one paragraph a line; blank lines dropped"
    meddled = {**values, "notice.body": "签发人改写的正文。"}
    with pytest.raises(FlowError, match="只有拟稿人 陈拟稿") as refused:
        save_draft(ws, signer, draft.id, meddled)
    assert refused.value.refused

    draft = take_step(ws, drafter, draft.id, "submit")
    with pytest.raises(FlowError, match="现在待核稿，只有拟稿人"):
        save_draft(ws, drafter, draft.id, {**values, "notice.body": "送核稿后又改的正文。"})
    # The page's autosave as 送核稿 is clicked sends what was saved already: nothing changes, nothing refused.
    assert save_draft(ws, drafter, draft.id, values).revision == draft.revision
    with pytest.raises(FlowError, match="不能签发"):  # not yet passed: the stage says no before the role
        take_step(ws, signer, draft.id, "sign")
    with pytest.raises(FlowError, match="退回时请写明意见"):
        take_step(ws, reviewer, draft.id, "return", "  ")
    draft = take_step(ws, reviewer, draft.id, "return", "请写明检查时间。")
    assert draft.stage is Stage.RETURNED
    values["notice.body"] += "\n检查时间为12月10日至20日。"
    save_draft(ws, drafter, draft.id, values)
    take_step(ws, drafter, draft.id, "submit")
    draft = take_step(ws, reviewer, draft.id, "pass", "同意。")
    with pytest.raises(FlowError, match="你的账户不能签发"):
        take_step(ws, reviewer, draft.id, "sign")
    draft = take_step(ws, signer, draft.id, "sign", "同意印发。")
    assert draft.stage is Stage.SIGNED and draft.job["state"] == "queued"  # issued by the server's job
    today = dt.date.today().isoformat()
    assert view_draft(ws, draft.id).values["notice.date"] == today, "成文日期 is the day of 签发"

    steps = [(e["event"], e["user"], e.get("reason")) for e in events(ws) if str(e["event"]).startswith("draft_")]
    assert steps == [
        ("draft_created", "陈拟稿", None),
        ("draft_submit", "陈拟稿", None),
        ("draft_return", "林核稿", "请写明检查时间。"),
        ("draft_submit", "陈拟稿", None),
        ("draft_pass", "林核稿", "同意。"),
        ("draft_sign", "黄局长", "同意印发。"),
    ]
    refusals = [(e["account"], e["action"]) for e in events(ws) if e["event"] == "refused"]
    assert refusals == [("林核稿", "draft"), ("黄局长", "draft"), ("陈拟稿", "draft"), ("林核稿", "sign")]


def test_nobody_checks_or_signs_off_their_own_draft(office: tuple[Workspace, dict[str, Account]]) -> None:
    ws, people = office
    signer = people["黄局长"]
    draft = new_draft(ws, signer, "letter", "关于商请协助核实企业信息的函", prefix="台工信")
    values = {
        **view_draft(ws, draft.id).values,
        "letter.recipients": "开平市工业和信息化局",
        "letter.body": "请协助核实。",
    }
    save_draft(ws, signer, draft.id, values)
    take_step(ws, signer, draft.id, "submit")
    reviewer = people["林核稿"]
    take_step(ws, reviewer, draft.id, "pass")
    with pytest.raises(FlowError, match="不能核稿或签发自己起草的稿件") as refused:
        take_step(ws, signer, draft.id, "sign")
    assert refused.value.refused
    assert ws.drafts.get(draft.id).stage is Stage.PASSED  # type: ignore[union-attr]


@pytest.mark.libreoffice
def test_a_signed_draft_is_issued_with_its_sheet_and_a_restarted_server_finishes_it(
    office: tuple[Workspace, dict[str, Account]], tmp_path: Path
) -> None:
    ws, people = office
    draft = new_draft(ws, people["陈拟稿"], "notice", "关于做好2026年度统计报表报送工作的通知", prefix="台工信")
    values = {**view_draft(ws, draft.id).values, "notice.recipients": "各有关企业", "notice.body": "请按时报送。"}
    save_draft(ws, people["陈拟稿"], draft.id, values)
    take_step(ws, people["陈拟稿"], draft.id, "submit")
    take_step(ws, people["林核稿"], draft.id, "pass", "拟同意。")
    take_step(ws, people["黄局长"], draft.id, "sign", "同意。")
    # The server stopped before issuing: the next one to start takes the draft up.
    work = DraftWork(Workspace.open(ws.root, env={}))
    assert work.resume() == 1
    deadline = time.monotonic() + 120
    while (shown := ws.drafts.get(draft.id)) is not None and shown.stage is Stage.SIGNED:
        assert time.monotonic() < deadline, f"still issuing after 120 s: {shown.job}"
        time.sleep(0.2)
    assert shown is not None
    assert shown.stage is Stage.ISSUED, shown.job
    (issued,) = shown.issued
    assert issued["number"] == f"台工信〔{dt.date.today().year}〕1号"
    folder = ws.settings.archive_dir / issued["path"]
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert "sheet.pdf" in meta["files"] and meta["archived_by"] == "黄局长"
    sheet = read_pdf(folder / "sheet.pdf")
    said = "".join("".join(sheet.pages).split())
    for text in (
        "台山市工业和信息化局发文稿纸",
        issued["number"],
        "同意。黄局长",
        "拟同意。林核稿",
        "陈拟稿",
        "各有关企业",
    ):
        assert text in said, text
    assert sheet.pdfa_part == 2
    with pytest.raises(FlowError, match="现在已归档，不能归档"):
        issue_draft(ws, draft.id)
