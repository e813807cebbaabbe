"""The drafting pages: the drafts list, a draft with its form and live preview, the flow's buttons.

Every change goes through ``pipeline.drafting`` as the signed-in account; the flow's rules
(who may take which step) are the pipeline's, and a page only offers the buttons they allow.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from docgen.errors import DocgenError, FlowError
from docgen.pipeline.accounts import Account, allowed
from docgen.pipeline.drafting import (
    DRAFT_KIND_NAMES,
    ROLES,
    Draft,
    DraftView,
    Preview,
    Stage,
    correct_role,
    draft_from_word,
    editable_by,
    new_draft,
    offered_steps,
    preview_image,
    read_preview,
    save_draft,
    take_step,
    view_draft,
    waiting_for,
    word_lines,
)
from docgen.vocab import KIND_NAMES
from docgen.web.jobs import DraftWork

if TYPE_CHECKING:
    from docgen.web.app import Office


MAX_WORD_BYTES = 20 << 20  # a Word draft with its pictures


class DraftPages:
    """The drafting pages of one server."""

    def __init__(self, office: Office) -> None:
        self.office, self.ws = office, office.ws
        self.work = DraftWork(office.ws)
        self.work.resume()

    async def _view(self, request: Request) -> DraftView:
        """The draft the URL names (404 when there is none)."""
        try:
            return await self.office.as_clerk(request, view_draft, self.ws, request.path_params["draft_id"])
        except FlowError as exc:
            raise HTTPException(404, exc.message) from exc

    def _account(self, request: Request) -> Account:
        account = self.office.account_of(request)
        if account is None:
            raise HTTPException(403, "稿件的拟稿、核稿和签发要用个人账户：请管理员先用 docgen account add 建立账户。")
        return account

    async def drafts(self, request: Request, error: str | None = None, form: dict[str, str] | None = None) -> Response:
        """``/drafts``: what waits for me, every draft, and a new draft's form."""
        account = self.office.account_of(request)
        drafts = await self.office.as_clerk(request, self.ws.drafts.all)
        prefixes = await self.office.as_clerk(request, self.ws.numbers.prefixes)
        default = self.ws.settings.issuer_defaults.get("prefix")
        organs = [self.ws.settings.issuer_defaults.get("name", ""), *await run_in_threadpool(self.office.view.issuers)]
        return self.office.page(
            request,
            "drafts.html",
            status=400 if error else 200,
            drafts=drafts,
            waiting=waiting_for(drafts, account),
            may_draft=allowed(account, "draft"),
            kinds=DRAFT_KIND_NAMES,
            prefixes=list(dict.fromkeys([*([default] if default else []), *prefixes])),
            organs=[name for name in dict.fromkeys(organs) if name],
            error=error,
            form=form or {},
            accounts=account is not None,
        )

    async def create(self, request: Request) -> Response:
        """POST ``/drafts/new``: a new draft, then its page."""
        form = await self.office.checked_form(request)
        account = self._account(request)
        typed = {k: str(form.get(k, "")) for k in ("kind", "title", "prefix", "organ")}
        try:
            draft = await self.office.as_clerk(
                request,
                lambda: new_draft(
                    self.ws, account, typed["kind"], typed["title"], prefix=typed["prefix"], organ=typed["organ"]
                ),
            )
        except DocgenError as exc:
            return await self.drafts(request, exc.message, typed)
        return RedirectResponse(f"/drafts/{draft.id}", status_code=303)

    async def from_word(self, request: Request) -> Response:
        """POST ``/drafts/word``: a Word draft uploaded, read as ``docgen format`` reads it; then its roles."""
        form = await self.office.checked_form(request, max_files=1)
        account = self._account(request)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self.drafts(request, "请选择一个 Word 文件（.docx）。")
        with tempfile.TemporaryDirectory(prefix="docgen-word-") as tmp:
            source = Path(tmp) / "draft.docx"
            source.write_bytes(await upload.read(MAX_WORD_BYTES + 1))
            if source.stat().st_size > MAX_WORD_BYTES:
                return await self.drafts(request, f"Word 稿太大（超过 {MAX_WORD_BYTES >> 20} MB）。")
            try:
                draft = await self.office.as_clerk(request, draft_from_word, self.ws, account, source, upload.filename)
            except DocgenError as exc:
                return await self.drafts(request, exc.message)
        return RedirectResponse(f"/drafts/{draft.id}/roles", status_code=303)

    async def roles(self, request: Request) -> Response:
        """``/drafts/<id>/roles``: each paragraph of the Word draft with the role it was read as, to correct."""
        view = await self._view(request)
        lines = await self.office.as_clerk(request, word_lines, self.ws, view.draft.id)
        if not lines:
            raise HTTPException(404, "这份稿件不是从 Word 稿读出的。")
        return self.office.page(
            request,
            "roles.html",
            draft=view.draft,
            lines=lines,
            role_names=ROLES,
            editable=editable_by(view.draft, self.office.account_of(request)),
            problems=view.problems,
            section="drafts",
        )

    async def correct(self, request: Request) -> Response:
        """POST ``/drafts/<id>/roles``: one paragraph given another role; the draft read again."""
        form = await self.office.checked_form(request)
        account = self._account(request)
        view = await self._view(request)
        index, role = str(form.get("index", "")), str(form.get("role", ""))
        if not index.isdigit():
            raise HTTPException(400, "没有指明是哪一段。")
        try:
            await self.office.as_clerk(request, correct_role, self.ws, account, view.draft.id, int(index), role)
        except FlowError as exc:
            raise HTTPException(403 if exc.refused else 409, exc.message) from exc
        self.work.preview(view.draft.id)
        return RedirectResponse(f"/drafts/{view.draft.id}/roles#p{index}", status_code=303)

    async def draft(self, request: Request, error: str | None = None, status: int = 200) -> Response:
        """``/drafts/<id>``: the form (for its author while editable), the preview, the flow."""
        account = self.office.account_of(request)
        view = await self._view(request)
        draft = view.draft
        preview = await self.office.as_clerk(request, read_preview, self.ws, draft.id)
        if draft.revision not in (preview.revision, preview.error_revision):
            self.work.preview(draft.id)
        editable = editable_by(draft, account)
        prefixes = await self.office.as_clerk(request, self.ws.numbers.prefixes) if editable else []
        return self.office.page(
            request,
            "draft.html",
            status=status,
            view=view,
            draft=draft,
            preview=preview,
            busy=self._busy(draft, preview),
            editable=editable,
            steps=offered_steps(draft, account),
            prefixes=prefixes,
            kind_label=KIND_NAMES[draft.kind],
            saved=request.query_params.get("saved") == "1",
            error=error,
            section="drafts",
        )

    def _busy(self, draft: Draft, preview: Preview) -> bool:
        fresh = draft.revision in (preview.revision, preview.error_revision)
        return self.work.busy(draft.id) or not fresh

    async def save(self, request: Request) -> Response:
        """POST ``/drafts/<id>/save``: the form saved as a new revision; htmx gets the status back."""
        form = await self.office.checked_form(request)
        account = self._account(request)
        submitted = {k: str(v) for k, v in form.items() if k not in ("csrf", "then")}
        draft_id = request.path_params["draft_id"]
        try:
            await self.office.as_clerk(request, save_draft, self.ws, account, draft_id, submitted)
        except FlowError as exc:
            return await self.draft(request, exc.message, status=403 if exc.refused else 409)
        except DocgenError as exc:
            return await self.draft(request, exc.message, status=400)
        self.work.preview(draft_id)
        if form.get("then") == "submit":  # 保存并送核稿: what is on the screen is what goes to 核稿
            return await self.step(request, form)
        if request.headers.get("hx-request"):
            view = await self.office.as_clerk(request, view_draft, self.ws, draft_id)
            return self.office.page(request, "_draft_status.html", view=view, draft=view.draft, saved=True)
        return RedirectResponse(f"/drafts/{draft_id}?saved=1", status_code=303)

    async def step(self, request: Request, saved: FormData | None = None) -> Response:
        """POST ``/drafts/<id>/step``: 送核稿, 退回, 核稿通过, 签发 — signing off starts the issuing job."""
        form = saved or await self.office.checked_form(request)
        account = self._account(request)
        draft_id = request.path_params["draft_id"]
        step, opinion = str(form.get("then") or form.get("step", "")), str(form.get("opinion", ""))
        try:
            draft = await self.office.as_clerk(request, take_step, self.ws, account, draft_id, step, opinion)
        except FlowError as exc:
            return await self.draft(request, exc.message, status=403 if exc.refused else 409)
        except DocgenError as exc:
            return await self.draft(request, exc.message, status=400)
        if draft.stage is Stage.SIGNED:
            self.work.issue(draft.id)
        return RedirectResponse(f"/drafts/{draft.id}", status_code=303)

    async def preview(self, request: Request) -> Response:
        """``/drafts/<id>/preview``: the preview's part of the page, polled while a new one is made."""
        view = await self._view(request)
        preview = await self.office.as_clerk(request, read_preview, self.ws, view.draft.id)
        busy = self._busy(view.draft, preview)
        return self.office.page(request, "_preview.html", draft=view.draft, preview=preview, busy=busy)

    async def job(self, request: Request) -> Response:
        """``/drafts/<id>/job``: how issuing goes, polled until it ends (then the whole page reloads)."""
        view = await self._view(request)
        return self.office.page(request, "_job.html", draft=view.draft)

    async def page_image(self, request: Request) -> Response:
        """``/drafts/<id>/pages/<name>``: one page image of the current preview."""
        view = await self._view(request)
        path = await self.office.as_clerk(request, preview_image, self.ws, view.draft.id, request.path_params["name"])
        if path is None or not path.is_file():
            raise HTTPException(404, "没有这一页的预览。")
        return FileResponse(path, media_type="image/png", headers={"cache-control": "private, max-age=3600"})

    def routes(self) -> list[BaseRoute]:
        """The drafting URLs."""
        return [
            Route("/drafts", self.drafts),
            Route("/drafts/new", self.create, methods=["POST"]),
            Route("/drafts/word", self.from_word, methods=["POST"]),
            Route("/drafts/{draft_id:str}/roles", self.roles),
            Route("/drafts/{draft_id:str}/roles", self.correct, methods=["POST"]),
            Route("/drafts/{draft_id:str}", self.draft),
            Route("/drafts/{draft_id:str}/save", self.save, methods=["POST"]),
            Route("/drafts/{draft_id:str}/step", self.step, methods=["POST"]),
            Route("/drafts/{draft_id:str}/preview", self.preview),
            Route("/drafts/{draft_id:str}/job", self.job),
            Route("/drafts/{draft_id:str}/pages/{name:str}", self.page_image),
        ]


__all__ = ["DraftPages"]
