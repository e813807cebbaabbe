"""The office's pages in a real headless Chromium (Debian's), driven by Playwright, as a clerk uses them.

Open the home page, type 华艺 into the search box, press Enter, see the 验收记录 and the 公告, open
one and see its PDF, then take the next number through the form. The screenshots are looked at
as pictures; with DOCGEN_SCREENSHOTS=<folder> they are also kept there (the README's come from here).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from docgen.pipeline.workspace import Workspace
from docgen.web import create_app
from tests.browser import CHROMIUM, CHROMIUM_ARGS, OFFICE_SCREEN, looked_at, pdf_drawn, share_of
from tests.conftest import copy_workspace
from tests.webserver import running

pytestmark = pytest.mark.libreoffice


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, issued_once: Path) -> Iterator[str]:
    ws = copy_workspace(issued_once, tmp_path_factory.mktemp("browser"))
    with running(create_app(Workspace.open(ws, env={}))) as base:
        yield base


@pytest.fixture(scope="module")
def page(base_url: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page(viewport=OFFICE_SCREEN, locale="zh-CN", base_url=base_url)
        browser.close()


def test_a_clerk_searches_opens_a_document_and_takes_a_number(page: Page, tmp_path: Path) -> None:
    page.goto("/")
    expect(page.locator("h2")).to_have_text("最近归档")
    page.fill("#q", "华艺")
    page.press("#q", "Enter")
    hits = page.locator(".hits li")
    expect(hits).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/search\?q=%E5%8D%8E%E8%89%BA&"))  # the query is in the URL
    titles = hits.locator("a.title").all_inner_texts()
    assert any("验收记录" in t for t in titles) and any("公告" in t for t in titles), titles
    expect(page.locator(".hits mark").first).to_have_text("华艺")
    search = looked_at(page, "search", tmp_path)
    assert share_of(search, (183, 28, 28)) > 0.03, "the red bar is drawn"
    assert share_of(search, (255, 224, 138)) > 0.0005, "the matches are highlighted"
    # A year typed wrong is said where the results go (htmx swaps the 400 answer in too).
    page.fill("input[name=year]", "19")
    page.press("input[name=year]", "Enter")
    expect(page.locator("#results .alert.bad")).to_contain_text("年")
    expect(hits).to_have_count(0)
    page.fill("input[name=year]", "")
    page.press("#q", "Enter")
    expect(hits).to_have_count(2)

    page.locator(".hits a.title", has_text="公告").click()
    expect(page.locator("h1")).to_contain_text("落后产能退出企业名单的公告")
    frame = page.locator("iframe#pdf")
    expect(frame).to_be_visible()
    pdf = page.request.get(str(frame.get_attribute("src")))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    expect(page.locator(".alert.good")).to_contain_text("核验通过")
    pdf_drawn(page, "announcement", tmp_path)

    page.click("text=发文字号")
    page.fill("input[name=title]", "关于开展2021年度安全生产检查的通知")
    page.fill("input[name=year]", "2021")
    page.click("#next-form button")
    expect(page.locator("#taken")).to_contain_text("已分配：恩科工商务字〔2021〕59号")
    expect(page.locator("table.docs")).to_contain_text("关于开展2021年度安全生产检查的通知")
    looked_at(page, "numbers", tmp_path)


def test_history_follows_committed_searches_and_an_input_method_is_waited_for(page: Page) -> None:
    page.goto("/search")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/search?" in request.url else None)
    start = page.evaluate("history.length")
    page.locator("#q").press_sequentially("华艺", delay=50)
    expect(page.locator("#total")).to_contain_text("共 2 份")
    assert page.evaluate("history.length") == start, "typing adds no history entry"
    expect(page).to_have_url(re.compile("q=%E5%8D%8E%E8%89%BA"))  # the address follows the box all the same
    page.press("#q", "Enter")
    expect(page.locator("#total")).to_contain_text("共 2 份")
    page.fill("#q", "落后产能")
    page.press("#q", "Enter")
    expect(page.locator("#total")).not_to_contain_text("共 2 份")
    assert page.evaluate("history.length") == start + 2, "each search sent with Enter is one entry"
    page.go_back()
    expect(page.locator("#q")).to_have_value("华艺")  # the box says what the results are for
    expect(page.locator("#total")).to_contain_text("共 2 份")

    # A pinyin input method composing "huayi": nothing is searched until the characters are chosen.
    page.fill("#q", "")
    page.wait_for_timeout(600)
    asked.clear()
    composing = """(text) => { const box = document.querySelector('#q'); box.value = text;
        box.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true})); }"""
    for typed in ("h", "hua", "huayi"):
        page.evaluate(composing, typed)
    page.wait_for_timeout(900)
    assert asked == [], f"searched while composing: {asked}"
    page.evaluate("""() => { const box = document.querySelector('#q'); box.value = '华艺';
        box.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: '华艺'}));
        box.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: false})); }""")
    expect(page.locator("#total")).to_contain_text("共 2 份")
    assert len(asked) == 1 and "q=%E5%8D%8E%E8%89%BA" in asked[0], asked


def test_results_page_and_download_together(page: Page, tmp_path: Path) -> None:
    page.goto("/search?q=落后产能&sort=number")
    expect(page.locator("#total")).to_contain_text("发文字号")
    boxes = page.locator(".hits input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    with page.expect_download() as waiting:
        page.click("#picked button")
    bundle = tmp_path / "bundle.zip"
    waiting.value.save_as(bundle)
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        assert len(names) == 2 and all(n.endswith(".pdf") for n in names), names
        assert all(zf.read(n).startswith(b"%PDF-") for n in names)
