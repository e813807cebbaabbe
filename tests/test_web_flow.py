"""The whole 发文 flow in real Chromium, with four people's accounts, as the office would walk it.

张三 drafts a notice and watches its pages appear beside the form; 李科长 returns it with a comment;
张三 corrects it; 李科长 passes it; 王局长 signs it off and watches it being archived; the 正本 and
its 发文稿纸 open from the archive and the notice is found by search. Each forbidden step on the
way (张三 signing off his own draft, 李科长 voiding a number, a signed-out browser posting a form,
a form carrying another session's token) is refused and logged. Every page is looked at, at an
office screen's size and a phone's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from docgen.pipeline.accounts import add_account
from docgen.pipeline.workspace import Workspace
from docgen.readback import read_pdf
from docgen.web import create_app
from tests.browser import CHROMIUM, CHROMIUM_ARGS, OFFICE_SCREEN, PHONE_SCREEN, looked_at, pdf_drawn, share_of
from tests.clerk_drafts import make_draft
from tests.conftest import copy_workspace
from tests.documents import pdf_from_text
from tests.test_format import sources as format_sources
from tests.webserver import running

pytestmark = pytest.mark.libreoffice
PEOPLE = {  # name: (password, roles); 张三 may sign off too, just never his own draft
    "张三": ("drafter-password-3", ("drafter", "signer")),
    "李科长": ("reviewer-password-2", ("reviewer",)),
    "王局长": ("signer-password-1", ("signer", "admin")),
    "赵档案": ("archivist-password-4", ("archivist",)),
}
TITLE = "关于开展2026年冬季工业企业消防安全检查的通知"
ISSUE_TIMEOUT_MS = 120_000
RED = (183, 28, 28)  # the bar of every page
BANNER_RED = (255, 0, 0)  # the 发文机关标志 on a page


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, issued_once: Path) -> Iterator[tuple[str, Path]]:
    ws = copy_workspace(issued_once, tmp_path_factory.mktemp("flow"))
    opened = Workspace.open(ws, env={})
    for name, (password, roles) in PEOPLE.items():
        add_account(opened, name, password, roles)
    with running(create_app(Workspace.open(ws, env={}))) as base:
        yield base, ws


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def signed_in(browser: Browser, base: str, name: str, screen: ViewportSize = OFFICE_SCREEN) -> Page:
    """A browser of its own (its own cookies) with ``name`` signed in."""
    page = browser.new_context(viewport=screen, locale="zh-CN", base_url=base).new_page()
    page.goto("/drafts")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PEOPLE[name][0])
    page.click("button[type=submit]")
    expect(page.locator(".who")).to_contain_text(f"经办人：{name}")
    return page


def token(page: Page) -> str:
    value = page.locator("input[name=csrf]").first.get_attribute("value")
    assert value
    return value


def events(ws: Path) -> list[dict[str, object]]:
    lines = (ws / "archive" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def wait_for_preview(page: Page) -> None:
    """Until the preview shows the draft as last saved (LibreOffice renders it in the background)."""
    expect(page.locator("#preview")).not_to_have_class(re.compile(r"\bbusy\b"), timeout=60_000)
    expect(page.locator("#preview img.page").first).to_be_visible()


def draft_and_submit(drafter: Page, tmp_path: Path) -> str:
    """张三 drafts the notice, sees its pages beside the form, and sends it to 核稿; the draft's URL."""
    expect(drafter.locator("nav a.here")).to_have_text("稿件")
    drafter.select_option("#new-draft select[name=kind]", "notice")
    drafter.fill("#new-draft input[name=title]", TITLE)
    drafter.click("#new-draft button")
    expect(drafter.locator("h1")).to_have_text(TITLE)
    # What the model requires is said beside its field, as the command line would say it.
    expect(drafter.locator('[id="p-notice.body"]')).to_have_text("不能为空")
    drafter.fill('[name="notice.recipients"]', "各镇人民政府（街道办事处），市有关单位")
    drafter.fill(
        '[name="notice.body"]', "为做好今冬明春消防安全工作，现就有关事项通知如下。\n请各单位于12月20日前完成自查。"
    )
    expect(drafter.locator("#draft-status")).to_contain_text("格式检查通过", timeout=15_000)
    expect(drafter.locator('[id="p-notice.body"]')).to_have_text("")
    wait_for_preview(drafter)
    drafter.evaluate("window.scrollTo(0, 0)")
    picture = looked_at(drafter, "draft", tmp_path)
    box = drafter.locator("#preview img.page").first.bounding_box()
    assert box is not None and box["x"] > OFFICE_SCREEN["width"] / 2, "the pages sit beside the form"
    right = picture.crop((int(box["x"]), int(box["y"]), OFFICE_SCREEN["width"], OFFICE_SCREEN["height"]))
    assert share_of(right, BANNER_RED, tolerance=60) > 0.0004, "the preview shows the red 发文机关标志"
    expect(drafter.locator("#step-sign")).to_have_count(0)  # never offered on one's own draft
    drafter.click("#submit-draft")
    expect(drafter.locator(".line .stage")).to_have_text("待核稿")
    return drafter.url


def returned_and_corrected(drafter: Page, reviewer: Page, draft_url: str) -> None:
    """李科长 returns the draft with a comment, 张三 reads it and corrects the draft, 李科长 passes it."""
    reviewer.goto("/drafts")
    reviewer.locator("table.waiting a", has_text=TITLE).click()
    expect(reviewer.locator("#draft-form")).to_have_count(0)  # a reviewer reads, the author edits
    reviewer.fill("#step-return textarea", "请写明检查范围。")
    reviewer.click("#step-return button")
    expect(reviewer.locator(".line .stage")).to_have_text("退回修改")
    drafter.goto(draft_url)
    expect(drafter.locator("ol.events")).to_contain_text("李科长 退回：请写明检查范围。")
    body = drafter.locator('[name="notice.body"]')
    body.fill(body.input_value() + "\n检查范围为全市规模以上工业企业。")
    drafter.click("#submit-draft")  # straight after typing: what is on the screen goes to 核稿
    expect(drafter.locator(".line .stage")).to_have_text("待核稿")
    reviewer.goto(draft_url)
    reviewer.fill("#step-pass textarea", "同意。")
    reviewer.click("#step-pass button")
    expect(reviewer.locator(".line .stage")).to_have_text("待签发")


def forbidden_steps(browser: Browser, base: str, drafter: Page, reviewer: Page, draft_url: str) -> None:
    """Each step the roles do not allow is refused, however the form is sent."""
    voided = reviewer.request.post("/numbers/void", form={"csrf": token(reviewer), "number": "x", "reason": "y"})
    assert voided.status == 403 and "作废发文字号" in voided.text(), "a 核稿 voids no number"
    # 张三 holds 签发 but this is his own draft: the button is not there, and a form sent anyway is refused.
    drafter.goto(draft_url)
    expect(drafter.locator("#step-sign")).to_have_count(0)
    own = drafter.request.post(f"{draft_url}/step", form={"csrf": token(drafter), "step": "sign"})
    assert own.status == 403 and "不能核稿或签发自己起草的稿件" in own.text()
    # Another session's token is no token; a browser signed out is sent to sign in, nothing done.
    borrowed = reviewer.request.post(f"{draft_url}/step", form={"csrf": token(drafter), "step": "return"})
    assert borrowed.status == 403
    stranger = browser.new_context(base_url=base).new_page()
    posted = stranger.request.post(f"{draft_url}/step", form={"step": "sign"}, max_redirects=0)
    assert posted.status == 303 and posted.headers["location"].startswith("/login")


def signed_off_and_opened(signer: Page, draft_url: str, tmp_path: Path) -> None:
    """王局长 signs off, watches the job finish, opens the 正本 and reads its 发文稿纸."""
    signer.goto(draft_url)
    signer.fill("#step-sign textarea", "同意印发。")
    signer.click("#step-sign button")
    expect(signer.locator("#job")).to_be_visible()
    looked_at(signer, "issuing", tmp_path)
    expect(signer.locator("#issued")).to_be_visible(timeout=ISSUE_TIMEOUT_MS)
    link = signer.locator("#job ul.issued a")
    expect(link).to_contain_text(re.compile(r"恩科工商务字〔\d{4}〕\d+号"))
    number = re.search(r"恩科工商务字〔\d{4}〕\d+号", link.inner_text())
    assert number is not None
    link.click()
    expect(signer.locator("h1")).to_have_text(TITLE)
    expect(signer.locator("iframe#sheet-pdf")).to_be_visible()
    sheet = signer.request.get(str(signer.locator("iframe#sheet-pdf").get_attribute("src")))
    assert sheet.ok and sheet.body().startswith(b"%PDF-")
    (tmp_path / "sheet.pdf").write_bytes(sheet.body())
    said = "".join("".join(read_pdf(tmp_path / "sheet.pdf").pages).split())
    for text in (number[0], "同意印发。王局长", "请写明检查范围。李科长", "同意。李科长", "张三"):
        assert text in said, text
    pdf_drawn(signer, "document", tmp_path)
    signer.goto("/search?q=规模以上工业企业")  # the correction typed just before 送核稿 was archived
    expect(signer.locator(".hits a.title", has_text=TITLE)).to_be_visible()


def test_a_notice_is_drafted_checked_signed_off_and_archived_with_its_sheet(
    browser: Browser, office: tuple[str, Path], tmp_path: Path
) -> None:
    base, ws = office
    drafter, reviewer = signed_in(browser, base, "张三"), signed_in(browser, base, "李科长")
    draft_url = draft_and_submit(drafter, tmp_path)
    returned_and_corrected(drafter, reviewer, draft_url)
    forbidden_steps(browser, base, drafter, reviewer, draft_url)
    signed_off_and_opened(signed_in(browser, base, "王局长"), draft_url, tmp_path)

    steps = [(e["event"], e["user"]) for e in events(ws) if str(e["event"]).startswith("draft_")]
    assert steps == [
        ("draft_created", "张三"),
        ("draft_submit", "张三"),
        ("draft_return", "李科长"),
        ("draft_submit", "张三"),
        ("draft_pass", "李科长"),
        ("draft_sign", "王局长"),
        ("draft_issued", "王局长"),
    ]
    refused = [(e["account"], e["action"]) for e in events(ws) if e["event"] == "refused"]
    assert refused == [("李科长", "void_number"), ("张三", "sign"), ("李科长", "csrf")]
    issued = next(e for e in events(ws) if e["event"] == "issued" and e.get("title") == TITLE)
    assert issued["user"] == "王局长", "the archive records who signed it off"


@pytest.mark.parametrize("screen", [OFFICE_SCREEN, PHONE_SCREEN], ids=["office", "phone"])
def test_every_page_fits_the_screen(
    browser: Browser, office: tuple[str, Path], tmp_path: Path, screen: ViewportSize
) -> None:
    base, _ = office
    page = signed_in(browser, base, "王局长", screen)
    size = "office" if screen == OFFICE_SCREEN else "phone"
    for name in ("search", "browse", "drafts", "numbers", "verify", "import", "audit"):
        page.goto(f"/{name}")
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("nav a[aria-current=page]")).to_have_count(1)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= screen["width"], f"/{name} is {wide} px wide on a {screen['width']} px screen"
        picture = looked_at(page, f"{name}-{size}", tmp_path)
        assert share_of(picture, RED) > 0.01, "the red bar is drawn"
    # A draft and an archived document, as the flow left them.
    page.goto("/drafts")
    page.locator("table.docs a", has_text=TITLE).click()
    for name in ("draft", "document"):
        if name == "document":
            page.locator("#job ul.issued a").click()
        expect(page.locator("h1")).to_have_text(TITLE)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= screen["width"], f"the {name} page is {wide} px wide on a {screen['width']} px screen"
        looked_at(page, f"{name}-page-{size}", tmp_path)


OLD_LETTER = """开平市工业和信息化局
开工信函〔2020〕7号
关于商请提供落后产能退出企业名单的函
恩平市科工商务局：
为做好两市落后产能退出工作衔接，请提供贵局2020年度退出企业名单。
开平市工业和信息化局
2020年6月2日
"""


def test_the_archivist_uploads_an_old_file_and_the_audit_shows_who_did_what(
    browser: Browser, office: tuple[str, Path], tmp_path: Path
) -> None:
    base, _ = office
    drafter = signed_in(browser, base, "张三")
    expect(drafter.locator("nav a[href='/import']")).to_have_count(0)  # the page offers what the roles permit
    assert drafter.request.get("/audit").status == 403
    upload = pdf_from_text(tmp_path, "开平来函", OLD_LETTER)
    archivist = signed_in(browser, base, "赵档案")
    archivist.click("nav a[href='/import']")
    archivist.set_input_files("#import-form input[type=file]", str(upload))
    archivist.click("#import-form button")
    row = archivist.locator("table.docs tbody tr").first
    expect(row).to_contain_text("开平来函.pdf")
    expect(row).to_contain_text("已导入")
    row.locator("a").click()
    expect(archivist.locator("h1")).to_contain_text("关于商请提供落后产能退出企业名单的函")
    expect(archivist.locator("table.meta")).to_contain_text("开工信函〔2020〕7号")
    expect(archivist.locator("table.meta")).to_contain_text("开平来函.pdf")  # the original's own name
    looked_at(archivist, "imported", tmp_path)

    archivist.goto("/audit?who=赵档案")
    expect(archivist.locator("table.audit")).to_contain_text("导入")
    archivist.goto("/audit?event=refused")
    refused = archivist.locator("table.audit tbody tr")
    expect(refused.first).to_contain_text("张三")
    assert all("拒绝越权操作" in text for text in refused.all_inner_texts())
    looked_at(archivist, "audit", tmp_path)


def test_a_word_draft_is_read_its_roles_corrected_with_one_click_and_it_goes_on_as_a_draft(
    browser: Browser, office: tuple[str, Path], tmp_path: Path
) -> None:
    base, ws = office
    (source,) = [s for s in format_sources() if s.name == "request-tree"]
    word = make_draft(source, "typed_numbers", tmp_path / "请示草稿.docx")
    drafter = signed_in(browser, base, "张三")
    drafter.goto("/drafts")
    drafter.set_input_files("#word-draft input[type=file]", str(word))
    drafter.click("#word-draft button")
    expect(drafter).to_have_url(re.compile(r"/drafts/[0-9a-f]{12}/roles$"))
    rows = drafter.locator("#roles tbody tr")
    expect(rows.filter(has_text="妥否，请批示。").locator("select")).to_have_value("body")
    note = rows.filter(has_text="联系人：梁志明")
    expect(note.locator("select")).to_have_value("note")
    looked_at(drafter, "word-roles", tmp_path)
    # One change of a role, and the draft is read again: the 附注 becomes the last paragraph of the text.
    note.locator("select").select_option("body")
    expect(drafter.locator("#roles tbody tr", has_text="联系人：梁志明").locator("td").last).to_have_text("已改")
    draft_id = drafter.url.split("/")[-2]
    text = (ws / "drafts" / draft_id / "case.yaml").read_text(encoding="utf-8")
    assert "note:" not in text and "- （联系人：梁志明；联系电话：0750-7115128）" in text
    drafter.click("a:has-text('← 稿件')")
    expect(drafter.locator("h1")).to_have_text(source.doc["title"])
    expect(drafter.locator("#word-roles")).to_be_visible()
    expect(drafter.locator('[name="request.recipients"]')).to_have_value("恩平市人民政府")
