"""The office's web pages (Starlette, server-rendered Jinja2, a little vendored htmx).

Every page reads through ``pipeline.office``; every change (a number taken or voided, a
verification) goes through the same registry and event-log calls as the CLI, as the signed-in
clerk. A URL never names a path: documents are found by their opaque id in the archive's own
records, and only the files those records list are served.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import tempfile
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import anyio
import jinja2
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docgen._io import acting_as, current_user
from docgen.errors import AccountError, DocgenError, NeedsConfirmationError
from docgen.pipeline.accounts import ACTION_NAMES, REFUSED_EVENT, Account, log_event, require, sign_in, uses_accounts
from docgen.pipeline.drafting import STEP_NAMES
from docgen.pipeline.importing import import_uploads, upload_path
from docgen.pipeline.numbers import Confirmed, void_number
from docgen.pipeline.office import (
    DOWNLOAD_NOTES,
    FILE_LABELS,
    SERVED_FILES,
    ArchiveView,
    document_id,
    ledger,
    take_number,
)
from docgen.pipeline.organs import city_organs, organ_workspace
from docgen.pipeline.records import FILLABLE, verify_archive
from docgen.pipeline.searching import SortOrder, build_query, search_archive
from docgen.pipeline.workspace import Workspace
from docgen.vocab import KIND_NAMES, clerk_time, ranges_text
from docgen.web.drafting import DraftPages
from docgen.web.security import (
    Session,
    SignInGuard,
    clean_name,
    csrf_ok,
    csrf_token,
    new_session,
    password_ok,
    read_session,
)

COOKIE = "docgen_session"
SERVER_LOG = logging.getLogger("docgen.serve")
KIND_LABELS = {**KIND_NAMES, "other": "其他文件"}
RECENT = 12
RESULTS = 20  # hits a page
MAX_PAGE = 500  # 10,000 hits: further than anyone pages; a narrower search is said instead
PAGE_ACTIONS = ("take_number", "void_number", "draft", "audit", "file", "read_other_organs")  # what pages offer by role
AUDIT_PAGE = 100  # events a page of the audit shows
MAX_UPLOADS = 20  # files one upload may import
MAX_UPLOAD_BYTES = 500 << 20  # one upload in all: a few 300-page scans at 300 dpi
BROWSE_PAGE = 50  # documents a browse page lists (10,000 on one page took 10.7 s to show)
TOP_ENTERPRISES = 40  # enterprises listed before "全部 N 家"
MAX_BUNDLE = 200  # documents in one ZIP
SORTS: dict[SortOrder, str] = {"date": "日期（新的在前）", "number": "发文字号", "relevance": "相关度"}
SORTS_BY_VALUE: dict[str, SortOrder] = {key: key for key in SORTS}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONFIRMATIONS = {"new_series": "新的机关代字", "far_year": "确认年份"}  # what a clerk ticks to take such a number
HASHING_AT_ONCE = 2  # eight clerks signing in at nine o'clock: 128 MiB of argon2, not 512
LOGIN_FAILURE_PAUSE_S = 1.0  # slows a password guesser to one try a second per connection
META_LABELS = {  # meta.json keys a clerk reads, in the order the page shows them
    "title": "题名",
    "number": "发文字号",
    "kind_name": "文种",
    "secrecy": "密级和保密期限",
    "date": "成文日期",
    "issuer": "责任者",
    "enterprises": "涉及企业",
    "pages": "页数",
    "version": "版本",
    "reason": "修改原因",
    "source": "来源",
    "archived_at": "归档时间",
    "archived_by": "归档人",
    "text_check": "逐字核对",
    "pdfa_part": "格式",
    "original_name": "原文件名",
    "needs_ocr": "待 OCR",
    "text_source": "文字来源",
    "ocr": "OCR",
    "conversion": "转换件",
    "needs_review": "待核对",
    "to_fill": "待补录",
    "filled": "补录",
    "path": "归档位置",
}
EVENT_LABELS = {
    "issued": "签发归档",
    "new_version": "归档新版本",
    "imported": "导入",
    "recovered": "补记归档",
    "voided": "作废发文字号",
    "verified": "核验",
    "checked": "四性检测",
    "filed": "年度归档",
    "sm3_added": "补充 SM3 清单",
    "filled": "补录元数据",
    "copy_recognised": "导入的副本",
    "account_added": "新建账户",
    "account_changed": "修改账户",
    "refused": "拒绝越权操作",
    "draft_created": "新建稿件",
    "draft_submit": "送核稿",
    "draft_return": "核稿退回",
    "draft_pass": "核稿通过",
    "draft_sign_return": "签发退回",
    "draft_sign": "签发",
    "draft_retry": "重新归档",
    "draft_issued": "稿件归档",
    "draft_failed": "稿件归档未完成",
    "store_started": "开始存入对象存储",
    "lock_failed": "锁定副本未存入",
    "locked": "补存锁定副本",
}
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-src 'self'; object-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "SAMEORIGIN",
}

T = TypeVar("T")


@dataclass(frozen=True)
class ServerOptions:
    """How the server runs: the office password (None: local use only) and the hosts it answers to."""

    password: str | None = None
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1", "testserver")


TEXT_SOURCES: dict[str, str] = {
    "pdf": "PDF 的文字层",
    "docx": "DOCX 原文",
    "ocr": "OCR 识别（机器识别，以原件为准）",
    "pdf+ocr": "PDF 文字层，无文字的页 OCR 识别",
    "none": "无（扫描件，未做 OCR）",
}
_SHOWN_BY_KEY: dict[str, Callable[[Any], str]] = {
    "text_check": lambda v: f"{v.get('result', '')}（{v.get('characters', '?')} 字，{v.get('reader', '')} 读取）",
    "archived_at": clerk_time,
    "pdfa_part": lambda v: f"PDF/A-{v}",
    "source": lambda v: {"docgen": "docgen 签发", "import": "导入"}.get(str(v), str(v)),
    "text_source": lambda v: TEXT_SOURCES.get(str(v), str(v)),
    "ocr": lambda v: (
        f"{v.get('engine')} {v.get('version')}，{v.get('dpi')} dpi"
        + (f"；请对照原件核对第 {'、'.join(map(str, v['review_pages']))} 页" if v.get("review_pages") else "")
    ),
    "conversion": lambda v: (
        f"{v.get('to')} 由原件 {v.get('from')} 转换（{v.get('tool')}"
        + ("，页面图像加原件文字" if v.get("method") == "page-images" else "")
        + ("，OCR 文字层" if "ocr" in str(v.get("text_layer")) else "")
        + f"）；已核对：{v.get('checked')}"
    ),
    "filled": lambda v: "；".join(
        f"{clerk_time(str(f.get('time')))} {f.get('user')} 补录 "
        + "，".join(f"{FILLABLE.get(k, k)}：{value}" for k, value in (f.get("values") or {}).items())
        for f in v
        if isinstance(f, dict)
    ),
}


def _shown(key: str, value: Any) -> str:
    """A meta.json value as a clerk reads it."""
    if key in _SHOWN_BY_KEY and (key not in ("text_check", "ocr", "conversion") or isinstance(value, dict)):
        return _SHOWN_BY_KEY[key](value)
    if isinstance(value, list):
        return "、".join(str(v.get("name") if isinstance(v, dict) else v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _segments(snippet: str, highlights: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The snippet cut into (text, highlighted) runs, for <mark> without trusting any HTML."""
    out: list[tuple[str, bool]] = []
    at = 0
    for start, end in highlights:
        if start < at:
            continue
        out += [(snippet[at:start], False), (snippet[start:end], True)]
        at = end
    out.append((snippet[at:], False))
    return [(text, marked) for text, marked in out if text]


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("docgen.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        kind_labels=KIND_LABELS,
        event_labels=EVENT_LABELS,
        document_id=document_id,
        step_names=STEP_NAMES,
        file_labels=FILE_LABELS,
        action_names=ACTION_NAMES,
    )
    env.filters.update(when=clerk_time, segments=_segments, ranges=ranges_text)
    return Jinja2Templates(env=env)


class _Sessions:
    """Reads the session cookie; signs a clerk in or, on a local server, opens a session at once."""

    def __init__(self, app: ASGIApp, secret: bytes, password: str | None, signed_out: set[str], office: Office) -> None:
        self.app, self.secret, self.password, self.signed_out = app, secret, password, signed_out
        self.office = office

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        session = read_session(self.secret, request.cookies.get(COOKIE))
        if session is not None and session.nonce in self.signed_out:
            session = None
        cookie = None
        open_paths = request.url.path.startswith("/static/") or request.url.path == "/login"
        try:
            accounts = await run_in_threadpool(self.office.uses_accounts)
            if accounts and session is not None and session.nonce not in self.office.account_sessions:
                session = None  # signed in by a typed name before the first account was made: not an account
            if accounts and session is not None:
                # Every request as the account as it is now: one disabled or removed is signed out at once.
                account = await run_in_threadpool(self.office.ws.accounts.get, session.name)
                if account is None or not account.active:
                    session = None
                scope.setdefault("state", {})["account"] = account
        except DocgenError as exc:  # the accounts cannot be read (the city's database down): said, not a 500
            SERVER_LOG.error("无法读取账户：%s", exc.message)
            said = f"{exc.message}\n\n暂时无法登录和查阅，请稍后再试；一直如此请告诉管理员。"
            await Response(said, status_code=503, media_type="text/plain; charset=utf-8")(scope, receive, send)
            return
        if session is None and self.password is None and not accounts:
            session, cookie = new_session(self.secret, "")
        if session is None and not open_paths:
            if request.method == "POST":  # on the console, not in the archive's log: anyone may knock
                client = request.client.host if request.client else "?"
                SERVER_LOG.warning("未登录的表单提交已拒绝：%s %s（来自 %s）", request.method, request.url.path, client)
            target = urlencode({"next": request.url.path + (f"?{request.url.query}" if request.url.query else "")})
            await RedirectResponse(f"/login?{target}", status_code=303)(scope, receive, send)
            return
        scope.setdefault("state", {})["session"] = session

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                if cookie is not None:
                    headers.append((b"set-cookie", _cookie_header(cookie).encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _cookie_header(value: str, max_age: int | None = None) -> str:
    age = f"; Max-Age={max_age}" if max_age is not None else ""
    return f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{age}"


class Office:
    """The pages of one workspace; one instance per server."""

    def __init__(self, ws: Workspace, options: ServerOptions) -> None:
        self.ws, self.settings, self.options = ws, ws.settings, options
        self.secret = secrets.token_bytes(32)
        self.signed_out: set[str] = set()  # nonces of sessions ended by 退出, until the server restarts
        self.account_sessions: set[str] = set()  # nonces of sessions opened by an account's password
        self.guard = SignInGuard()
        self._hashing = threading.BoundedSemaphore(HASHING_AT_ONCE)
        self._accounts_in_use = False
        self.view = ArchiveView(ws)
        self._organ_views: dict[str, tuple[Workspace, ArchiveView]] = {}  # other organs the 市档案员 read
        self._organ_guard = threading.Lock()
        self.templates = _templates()
        self.drafting = DraftPages(self)

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def session_of(request: Request) -> Session:
        """The session the middleware attached to this request."""
        session: Session = request.state.session
        return session

    def uses_accounts(self) -> bool:
        """Whether the office signs in with personal accounts (once the first is made, always)."""
        if not self._accounts_in_use:
            self._accounts_in_use = uses_accounts(self.ws)
        return self._accounts_in_use

    @staticmethod
    def account_of(request: Request) -> Account | None:
        """The signed-in account (None where the office has no accounts yet)."""
        account: Account | None = getattr(request.state, "account", None)
        return account

    async def permit(self, request: Request, action: str, detail: str = "") -> None:
        """Refuse (403, logged) an action the signed-in account's roles do not permit."""
        if not self.uses_accounts():
            return  # an office without accounts: the office password (or this machine) is the permission
        account = self.account_of(request)
        try:
            await self.as_clerk(request, require, self.ws, account, action, detail)
        except AccountError as exc:
            raise HTTPException(403, exc.message) from exc

    async def scope(self, request: Request) -> tuple[Workspace, ArchiveView, str | None]:
        """The organ a page shows: this server's own, or (``?organ=``, 市档案员 only) another of the city."""
        organ = request.query_params.get("organ", "").strip()
        if not organ or (self.settings.city is not None and organ == self.settings.city.organ):
            return self.ws, self.view, None
        if not self.uses_accounts():  # no accounts: nobody is known to be the 市档案员
            raise HTTPException(403, "只有市档案员可以查阅其他机关的文件：请用市档案员的账户登录。")
        await self.permit(request, "read_other_organs", organ)
        try:
            seen = await run_in_threadpool(organ_workspace, self.ws, organ, self.account_of(request))
        except AccountError as exc:
            raise HTTPException(403, exc.message) from exc
        except DocgenError as exc:
            raise HTTPException(404, exc.message) from exc
        with self._organ_guard:
            if organ not in self._organ_views:
                self._organ_views[organ] = (seen, ArchiveView(seen))
            return (*self._organ_views[organ], organ)

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        """Render a page with what every page shows (the clerk, the CSRF token, the section)."""
        session = self.session_of(request)
        account = self.account_of(request)
        values = {
            "user": session.name or current_user(),
            "roles": account.role_names if account else "",
            # What the page offers: every form where there are no accounts yet, else what the roles permit.
            "may": {action: account is None or account.may(action) for action in PAGE_ACTIONS},
            "signed_in": bool(session.name),
            "csrf": csrf_token(self.secret, session),
            "section": name.removesuffix(".html"),
            "error": None,
            "organ": None,
        }
        merged = {**values, **context}
        merged["doc_href"] = _doc_href(merged["organ"])
        return self.templates.TemplateResponse(request, name, merged, status_code=status)

    async def as_clerk(self, request: Request, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work in a thread, as the signed-in clerk (the ledger's 经办人, the log's user)."""
        name = self.session_of(request).name or None

        def run() -> T:
            with acting_as(name):
                return work(*args, **kwargs)

        return await run_in_threadpool(run)

    async def checked_form(self, request: Request, **limits: int) -> FormData:
        """The submitted form, refused (403) unless it carries this session's CSRF token."""
        try:
            form = await request.form(**limits)
        except MultiPartException as exc:
            limit = f"每次最多 {MAX_UPLOADS} 个文件、合计 {MAX_UPLOAD_BYTES >> 20} MB"
            raise HTTPException(413, f"上传的内容太多或太大（{limit}）：{exc.message}") from exc
        token = form.get("csrf")
        if not csrf_ok(self.secret, self.session_of(request), token if isinstance(token, str) else None):
            account = self.account_of(request)
            if account is not None:  # a signed-in account's form without its own token: logged
                detail = f"{request.method} {request.url.path}：表单令牌不是本会话的"
                said = {"account": account.name, "action": "csrf", "detail": detail}
                await self.as_clerk(request, log_event, self.ws, REFUSED_EVENT, **said)
            raise HTTPException(403, "表单已过期或不是从本系统的页面提交的。请刷新页面后重试。")
        return form

    # --- pages --------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        """``/``: the search page."""
        return RedirectResponse("/search", status_code=303)

    async def search(self, request: Request) -> Response:
        """``/search?q=&kind=&year=&from=&to=&enterprise=&sort=&page=``: the query lives in the URL."""
        q = request.query_params
        typed = {k: q.get(k, "").strip() for k in ("q", "kind", "year", "enterprise", "from", "to")}
        sort: SortOrder = SORTS_BY_VALUE.get(q.get("sort", ""), "date")
        page = int(q["page"]) if q.get("page", "").isdigit() and 0 < int(q["page"]) <= MAX_PAGE else 1
        seen, view, organ = await self.scope(request)
        found, error = None, None
        asked = any(typed.values())
        if asked:
            try:
                query = build_query(
                    typed["q"], kind=typed["kind"] or None, year=typed["year"] or None,
                    enterprise=typed["enterprise"] or None, date_from=typed["from"] or None,
                    date_to=typed["to"] or None, sort=sort, limit=RESULTS, offset=(page - 1) * RESULTS,
                )  # fmt: skip
                found = await self.as_clerk(request, search_archive, seen, query)
            except DocgenError as exc:
                error = exc.message
        recent = [] if asked else (await run_in_threadpool(view.latest))[:RECENT]
        total = found.total if found else 0
        return self.page(
            request,
            "search.html",
            status=400 if error else 200,
            typed=typed,
            q=typed["q"],
            sort=sort,
            sorts=SORTS,
            asked=asked,
            found=found,
            hits=found.hits if found else [],
            recent=recent,
            error=error,
            page_number=page,
            pages=min(MAX_PAGE, -(-total // RESULTS)),
            first_shown=(page - 1) * RESULTS + 1,
            organ=organ,
            link=lambda **change: "/search?" + urlencode({**typed, "sort": sort, **_organ_param(organ), **change}),
        )

    async def browse(self, request: Request) -> Response:
        """``/browse``: the archive by year and month, kind and enterprise, with counts, a page at a time."""
        q = request.query_params
        year, month, kind, enterprise = (q.get(k) or None for k in ("year", "month", "kind", "enterprise"))
        every_enterprise = q.get("enterprises") == "all"
        _, view, organ = await self.scope(request)
        facets = await run_in_threadpool(view.facets, year, month, kind, enterprise)
        documents = await run_in_threadpool(view.listing, year, month, kind, enterprise)
        kept = {"organ": organ, "year": year, "month": month, "kind": kind, "enterprise": enterprise}
        return self.page(
            request,
            "browse.html",
            facets=facets,
            **one_page(documents, "documents", q.get("page", ""), BROWSE_PAGE),
            year=year,
            month=month,
            kind=kind,
            enterprise=enterprise,
            every_enterprise=every_enterprise,
            enterprises_shown=facets.enterprises.most_common(None if every_enterprise else TOP_ENTERPRISES),
            organ=organ,
            link=lambda **change: _url("/browse", {**kept, **change}),
            facet_link=lambda **change: _url("/browse", {**_organ_param(organ), **change}),
        )

    async def document(self, request: Request) -> Response:
        """``/doc/<id>``: one document: metadata, versions, events, its verification, the PDF."""
        _, view, organ = await self.scope(request)
        shown = await run_in_threadpool(view.document, request.path_params["doc_id"])
        if shown is None:
            raise HTTPException(404, "没有这份文件。")
        meta: dict[str, Any] = dict(shown.meta)
        labelled = [
            (label, _shown(key, meta[key])) for key, label in META_LABELS.items() if meta.get(key) not in (None, "", [])
        ]
        withheld = bool(meta.get("secrecy")) and not self.settings.show_classified
        return self.page(request, "document.html", doc=shown, labelled=labelled, withheld=withheld, organ=organ)

    async def document_file(self, request: Request) -> Response:
        """``/doc/<id>/<name>``: a file the document's records list, PDF inline, DOCX downloaded."""
        doc_id, name = request.path_params["doc_id"], request.path_params["name"]
        _, view, _ = await self.scope(request)
        path = await run_in_threadpool(view.file, doc_id, name)
        meta = view.find(doc_id)
        if path is None or meta is None:
            raise HTTPException(404, "没有这个文件。")
        if meta.get("secrecy") and not self.settings.show_classified:
            raise HTTPException(403, f"这份文件标有密级（{meta['secrecy']}），不在网页上预览或下载。")
        is_pdf = path.suffix == ".pdf"
        said = DOWNLOAD_NOTES.get(name, "")
        download = f"{meta.get('number') or ''} {meta.get('title', name)}".strip() + said + path.suffix
        return FileResponse(
            path,
            media_type="application/pdf" if is_pdf else DOCX_TYPE,
            filename=download,
            content_disposition_type="inline" if is_pdf and "download" not in request.query_params else "attachment",
        )

    async def download(self, request: Request) -> Response:
        """``/download?doc=…&doc=…``: the PDFs of the documents ticked on a result page, as one ZIP."""
        picked = request.query_params.getlist("doc")[:MAX_BUNDLE]
        if not picked:
            raise HTTPException(400, "请先勾选要下载的文件。")
        spool = tempfile.NamedTemporaryFile(prefix="docgen-zip-", suffix=".zip", delete=False)  # noqa: SIM115 - handed to the response
        spool.close()
        target = Path(spool.name)
        try:
            _, view, _ = await self.scope(request)
            added, withheld = await run_in_threadpool(view.bundle, picked, target)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        if not added:
            target.unlink(missing_ok=True)
            said = f"（{len(withheld)} 份标有密级，不在网页上下载）" if withheld else ""
            raise HTTPException(404, f"所选文件都不能下载{said}。")
        name = f"公文 {dt.date.today().isoformat()}（{added} 份）.zip"
        return FileResponse(
            target,
            media_type="application/zip",
            filename=name,
            background=BackgroundTask(target.unlink, missing_ok=True),
        )

    async def organs(self, request: Request) -> Response:
        """``/organs``: every organ of the city with its documents, for the 市档案员 to open (read only)."""
        account = self.account_of(request)
        if account is None or not account.may("read_other_organs"):
            if account is not None:
                await self.permit(request, "read_other_organs", "各机关")
            raise HTTPException(403, "只有市档案员可以查阅各机关的文件。")
        organs = await run_in_threadpool(city_organs, self.ws)
        own = self.settings.city.organ if self.settings.city else ""
        return self.page(request, "organs.html", organs=organs, own=own)

    async def numbers(self, request: Request) -> Response:
        """``/numbers?year=&prefix=``: the ledger and the forms to take or void a number."""
        q = request.query_params
        year = int(q["year"]) if re.fullmatch(r"[0-9]{4}", q.get("year", "")) else None
        return await self._ledger_page(
            request, year, q.get("prefix") or None, taken=q.get("taken"), again=q.get("again") == "1",
            voided=q.get("voided"),
        )  # fmt: skip

    async def _ledger_page(
        self,
        request: Request,
        year: int | None,
        prefix: str | None,
        *,
        taken: str | None = None,
        again: bool = False,
        voided: str | None = None,
        error: str | None = None,
        form: dict[str, str] | None = None,
        confirm: list[str] | None = None,
        void_form: dict[str, str] | None = None,
    ) -> Response:
        shown = await run_in_threadpool(ledger, self.ws, year, prefix)
        return self.page(
            request,
            "numbers.html",
            status=400 if error else 200,
            ledger=shown,
            year=year,
            prefix=prefix,
            taken=next((r for r in shown.records if r.number == taken), None),
            again=again,
            voided=voided,
            this_year=dt.date.today().year,
            error=error,
            form=form or {},
            void_form=void_form or {},
            confirm={key: CONFIRMATIONS[key] for key in confirm or []},
        )

    async def numbers_next(self, request: Request) -> Response:
        """POST ``/numbers/next``: the next number for a document drafted in Word."""
        form = await self.checked_form(request)
        typed = {k: str(form.get(k, "")).strip() for k in ("prefix", "title", "year")}
        await self.permit(request, "take_number", f"{typed['prefix']} {typed['year']} {typed['title']}")
        ticked = {k: form.get(k) == "1" for k in ("again", *CONFIRMATIONS)}
        try:
            allocation = await self.as_clerk(
                request, take_number, self.ws, typed["prefix"], typed["year"], typed["title"], Confirmed(**ticked)
            )
        except NeedsConfirmationError as exc:
            asked = [k for k in CONFIRMATIONS if ticked[k]] + [exc.confirm]
            return await self._ledger_page(request, None, None, error=exc.message, form=typed, confirm=asked)
        except DocgenError as exc:
            return await self._ledger_page(request, None, None, error=exc.message, form=typed)
        record = allocation.record
        query = {"year": record.year, "prefix": record.prefix, "taken": record.number}
        if not allocation.new:
            query["again"] = "1"
        return RedirectResponse(f"/numbers?{urlencode(query)}", status_code=303)

    async def numbers_void(self, request: Request) -> Response:
        """POST ``/numbers/void``: void a number for good, with its reason, once the clerk confirmed it."""
        form = await self.checked_form(request)
        typed = {k: str(form.get(k, "")).strip() for k in ("number", "reason")}
        await self.permit(request, "void_number", typed["number"])
        if form.get("confirm") != "1":
            said = "作废后这个号永不再用：请勾选“确认作废”后再提交。"
            return await self._ledger_page(request, None, None, error=said, void_form=typed)
        try:
            record = await self.as_clerk(request, void_number, self.ws, typed["number"], typed["reason"])
        except DocgenError as exc:
            return await self._ledger_page(request, None, None, error=exc.message, void_form=typed)
        query = {"year": record.year, "prefix": record.prefix, "voided": record.number}
        return RedirectResponse(f"/numbers?{urlencode(query)}", status_code=303)

    async def audit(self, request: Request) -> Response:
        """``/audit?who=&event=&from=&to=&page=``: who did what, and what was refused, from the chained log."""
        await self.permit(request, "audit")
        q = request.query_params
        typed = {k: q.get(k, "").strip() for k in ("who", "event", "from", "to")}
        events = await run_in_threadpool(self.view.audit, typed["who"], typed["event"], typed["from"], typed["to"])
        people = sorted({str(e.get("user")) for e in await run_in_threadpool(self.view.events) if e.get("user")})
        return self.page(
            request,
            "audit.html",
            typed=typed,
            **one_page(events, "events", q.get("page", ""), AUDIT_PAGE),
            people=people,
            link=lambda **change: "/audit?" + urlencode({k: v for k, v in {**typed, **change}.items() if v}),
        )

    async def upload(self, request: Request) -> Response:
        """``/import``: PDF and DOCX files uploaded and imported as ``docgen archive import`` imports a folder."""
        report = None
        if request.method == "POST":
            await self.permit(request, "file")
            # Starlette spools uploaded files without a limit: the size a browser declares is checked first.
            length = request.headers.get("content-length", "")
            if not length.isdigit() or int(length) > MAX_UPLOAD_BYTES:
                limit = f"每次最多 {MAX_UPLOADS} 个文件、合计 {MAX_UPLOAD_BYTES >> 20} MB"
                raise HTTPException(413, f"上传的内容太大（{limit}），请分几次上传。")
            form = await self.checked_form(request, max_files=MAX_UPLOADS)
            uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
            if not uploads:
                return self.page(request, "import.html", status=400, error="请先选择要导入的 PDF 或 DOCX 文件。")
            with tempfile.TemporaryDirectory(prefix="docgen-upload-") as tmp:
                saved = [await _saved_upload(f, Path(tmp), n) for n, f in enumerate(uploads)]
                report = await self.as_clerk(request, import_uploads, self.ws, saved, Path(tmp) / "report.csv")
        elif self.uses_accounts():
            await self.permit(request, "file")
        return self.page(request, "import.html", report=report, limit=MAX_UPLOADS)

    async def verify(self, request: Request) -> Response:
        """``/verify``: ``archive verify`` on a button (POST), its result shown."""
        report = None
        if request.method == "POST":
            await self.checked_form(request)
            await self.permit(request, "verify")
            report = await self.as_clerk(request, verify_archive, self.ws)
        return self.page(request, "verify.html", report=report)

    # --- signing in ---------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        """``/login``: name and office password; the name becomes the 经办人 of what the clerk does."""
        wanted = request.query_params.get("next", "/search")
        target = wanted if wanted.startswith("/") and not wanted.startswith("//") else "/search"
        if request.method == "GET":
            return self._login_page(request, target, None)
        form = await request.form()
        name = clean_name(str(form.get("name", "")))
        given = form.get("password")
        if await run_in_threadpool(self.uses_accounts):
            return await self._account_login(request, target, name, given if isinstance(given, str) else "")
        expected = self.options.password
        if expected is not None:
            account, address = name or "", request.client.host if request.client else "?"
            wait = self.guard.wait(account, address)
            if wait > 0:  # locked: refused before the password is even compared
                minutes = max(1, round(wait / 60))
                said = f"密码错误次数过多，已暂停登录，请 {minutes} 分钟后再试。"
                return self._login_page(request, target, said, status=429)
            if not password_ok(expected, given if isinstance(given, str) else None):
                self.guard.failed(account, address)
                await anyio.sleep(LOGIN_FAILURE_PAUSE_S)
                return self._login_page(request, target, "密码不对。", status=401)
            self.guard.succeeded(account)
        if name is None:
            return self._login_page(
                request, target, "请填写姓名（20 字以内），发文字号登记簿会记下经办人。", status=400
            )
        _, cookie = new_session(self.secret, name)
        response = RedirectResponse(target, status_code=303)
        response.headers.append("set-cookie", _cookie_header(cookie))
        return response

    async def _account_login(self, request: Request, target: str, name: str | None, given: str) -> Response:
        """Sign in with a personal account: slowed per account and per address like the office password."""
        account_name, address = name or "", request.client.host if request.client else "?"
        wait = self.guard.wait(account_name, address)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            return self._login_page(request, target, f"密码错误次数过多，已暂停登录，请 {minutes} 分钟后再试。", 429)
        account = await run_in_threadpool(self._sign_in, account_name, given) if name else None
        if account is None:
            self.guard.failed(account_name, address)
            await anyio.sleep(LOGIN_FAILURE_PAUSE_S)
            return self._login_page(request, target, "账户名或密码不对（或账户已停用）。", status=401)
        self.guard.succeeded(account_name)
        session, cookie = new_session(self.secret, account.name)
        self.account_sessions.add(session.nonce)
        response = RedirectResponse(target, status_code=303)
        response.headers.append("set-cookie", _cookie_header(cookie))
        return response

    def _sign_in(self, name: str, password: str) -> Account | None:
        """Check a password; at most ``HASHING_AT_ONCE`` at a time (argon2id takes 64 MiB each)."""
        with self._hashing:
            return sign_in(self.ws, name, password)

    def _login_page(self, request: Request, target: str, error: str | None, status: int = 200) -> Response:
        context = {"next": target, "error": error, "section": "login", "accounts": self.uses_accounts()}
        return self.templates.TemplateResponse(request, "login.html", context, status_code=status)

    async def logout(self, request: Request) -> Response:
        """POST ``/logout``."""
        await self.checked_form(request)
        self.signed_out.add(self.session_of(request).nonce)
        response = RedirectResponse("/login", status_code=303)
        response.headers.append("set-cookie", _cookie_header("", max_age=0))
        return response

    async def refused(self, request: Request, exc: Exception) -> Response:
        """404, 403 and the like as a page in Chinese (plain text before a session exists).

        A ``DocgenError`` no page expected (a registry found damaged while listing it) is said as the
        CLI says it, with status 500: the clerk reads what is wrong, not "Internal Server Error".
        """
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "服务器出错。"
        if isinstance(exc, DocgenError):
            detail = exc.message
        if status == 404 and detail == "Not Found":
            detail = "没有这个页面。"
        if getattr(request.state, "session", None) is None:
            return Response(detail, status_code=status, media_type="text/plain; charset=utf-8")
        return self.page(request, "error.html", status=status, message=detail, status_code=status)

    def routes(self) -> list[BaseRoute]:
        """Every URL the server answers; anything else is 404."""
        return [
            Route("/", self.home),
            Route("/search", self.search),
            Route("/browse", self.browse),
            Route("/doc/{doc_id:str}", self.document),
            Route("/doc/{doc_id:str}/{name:str}", self.document_file),
            Route("/download", self.download),
            Route("/organs", self.organs),
            Route("/numbers", self.numbers),
            Route("/numbers/next", self.numbers_next, methods=["POST"]),
            Route("/numbers/void", self.numbers_void, methods=["POST"]),
            Route("/verify", self.verify, methods=["GET", "POST"]),
            Route("/audit", self.audit),
            Route("/import", self.upload, methods=["GET", "POST"]),
            *self.drafting.routes(),
            Route("/login", self.login, methods=["GET", "POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Mount("/static", StaticFiles(packages=[("docgen.web", "static")]), name="static"),
        ]


def _url(path: str, params: dict[str, Any]) -> str:
    """``path`` with the parameters that have a value."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{path}?{query}" if query else path


def _organ_param(organ: str | None) -> dict[str, str]:
    return {"organ": organ} if organ else {}


def _doc_href(organ: str | None) -> Callable[..., str]:
    """How a page links to a document (or one of its files) of the organ it shows."""
    query = f"?organ={quote(organ)}" if organ else ""

    def href(path: str, name: str = "", *, download: bool = False) -> str:
        tail = f"{query}&download=1" if download and query else ("?download=1" if download else query)
        return f"/doc/{document_id(path)}{'/' + name if name else ''}{tail}"

    return href


def one_page(items: list[T], name: str, asked: str, size: int) -> dict[str, Any]:
    """The page of ``items`` a ``?page=`` asks for (the last one if asked past it), and how it is told."""
    pages = max(1, -(-len(items) // size))
    page = min(int(asked), pages) if asked.isdigit() and int(asked) > 0 else 1
    shown = items[(page - 1) * size : page * size]
    return {name: shown, "total": len(items), "first_shown": (page - 1) * size + 1, "page_number": page, "pages": pages}


async def _saved_upload(upload: UploadFile, folder: Path, n: int) -> Path:
    """An uploaded file saved under its own name (the archive records it as the original's name)."""
    target = upload_path(folder, upload.filename or f"file-{n}", n)
    with target.open("wb") as out:
        while chunk := await upload.read(1 << 20):
            out.write(chunk)
    return target


def create_app(ws: Workspace, options: ServerOptions | None = None) -> Starlette:
    """The whole web app for one workspace."""
    office = Office(ws, options or ServerOptions())
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(office.options.allowed_hosts)),
        Middleware(
            _Sessions,
            secret=office.secret,
            password=office.options.password,
            signed_out=office.signed_out,
            office=office,
        ),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: office.refused,
        DocgenError: office.refused,
    }
    return Starlette(routes=office.routes(), middleware=middleware, exception_handlers=handlers)


__all__ = ["SERVED_FILES", "Office", "ServerOptions", "create_app"]
