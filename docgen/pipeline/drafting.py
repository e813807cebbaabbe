"""A draft from its first line to the archive: edited, checked (核稿), signed off (签发), issued.

The drafts themselves are ``docgen.drafts``'s; here each step is also an event in the archive's
chained log (who, which draft, the opinion), a refused step is logged as such, and a signed-off
draft is issued by the same ``issue_case`` as ``docgen issue`` — numbered, converted to PDF/A,
proved, archived and indexed — with its 发文稿纸 made from the flow and archived beside the 正本.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docgen._io import acting_as, atomic_copy, atomic_write_bytes, now
from docgen.accounts import Account, allowed
from docgen.archive.paths import DRAFT_SHEET
from docgen.case.editing import (
    DRAFT_KINDS,
    FormField,
    apply_form,
    form_fields,
    form_values,
    new_case_text,
    problem_field,
)
from docgen.case.model import AUTO_NUMBER, Case, load_case
from docgen.convert.libreoffice import Converter
from docgen.convert.pdfa import page_pngs
from docgen.drafts import EDITABLE, RULES, WORD_ROLES, WORD_SOURCE, Draft, Stage, Step, next_stage
from docgen.errors import CaseError, ConversionError, DocgenError, FlowError, NeedsConfirmationError, Problem
from docgen.intake.draftroles import ROLES, DraftReading, read_draft
from docgen.intake.wordreader import read_word
from docgen.numbering.service import refuse_unknown_series
from docgen.pipeline.accounts import REFUSED_EVENT, log_event, require
from docgen.pipeline.issue import Issued, issue_case
from docgen.pipeline.prepare import converter_for
from docgen.pipeline.render import render_case
from docgen.pipeline.workspace import Workspace
from docgen.readback import PDFA_PART, read_pdf
from docgen.render.context import Document
from docgen.render.sheet import SheetData, Signature, write_sheet
from docgen.vocab import KIND_NAMES, clerk_time

LEAD_KINDS = frozenset(DRAFT_KINDS)  # the document of a case the 发文稿纸 belongs to
DRAFT_KIND_NAMES = {kind: KIND_NAMES[kind] for kind in DRAFT_KINDS}  # what a new draft may be
STEP_NAMES = {step: rule.name for step, rule in RULES.items()}
PREVIEW_DPI = 60  # a page 496 px wide: readable beside the form, 30-60 KB
PREVIEW_RECORD = "preview.json"


@dataclass(frozen=True)
class Offered:
    """A step a page offers an account: the step, its button, the opinion box's label, whether required."""

    step: str
    label: str
    opinion: str
    needed: bool


_OPINION_LABELS = {
    "return": "退回意见（必填）",
    "sign_return": "退回意见（必填）",
    "pass": "核稿意见",
    "sign": "签发意见",
}


def offered_steps(draft: Draft, account: Account | None) -> list[Offered]:
    """The steps ``account`` may take on ``draft`` now, as the flow's rules allow."""
    if account is None:
        return []
    out = []
    for step, rule in RULES.items():
        own = account.name == draft.author
        if draft.stage in rule.from_stages and allowed(account, rule.action) and own == rule.by_author:
            label = _OPINION_LABELS.get(step, "")
            out.append(Offered(step, rule.name, label, label.endswith("（必填）")))
    return out


def waiting_for(drafts: list[Draft], account: Account | None) -> list[Draft]:
    """The drafts waiting for this account: to check, to sign off, or returned to their author."""
    return [d for d in drafts if offered_steps(d, account) and d.stage is not Stage.DRAFTING]


def editable_by(draft: Draft, account: Account | None) -> bool:
    """Whether ``account`` may change the draft's text now (its author, while drafting or returned)."""
    return account is not None and draft.stage in EDITABLE and account.name == draft.author


@dataclass(frozen=True)
class DraftView:
    """A draft as its page shows it: the record, the form with its values, what validation says."""

    draft: Draft
    fields: list[FormField]
    values: dict[str, str]
    problems: dict[str, list[str]]  # by form input; "" for those no input shows
    text: str
    from_word: bool = False  # read from a Word draft kept with it (its roles can be corrected)


def new_draft(ws: Workspace, account: Account, kind: str, title: str, *, prefix: str = "", organ: str = "") -> Draft:
    """A new draft of ``kind``: a case file with the issuing organ, today's date and what is known.

    ``organ`` (the 发文机关) defaults to docgen.toml's ``[issuer]``; the 机关代字 goes where the
    kind numbers under.
    """
    with _as(account):
        return _new_draft(ws, account, kind, " ".join(title.split()), prefix=prefix.strip(), organ=organ.strip())


def _new_draft(ws: Workspace, account: Account, kind: str, title: str, *, prefix: str, organ: str) -> Draft:
    require(ws, account, "draft", f"新建稿件 {title}")
    if kind not in DRAFT_KINDS:
        msg = f"网页上不能起草这一文种：{kind}"
        raise FlowError(msg)
    if not title:
        msg = "请先写标题。"
        raise FlowError(msg)
    today = dt.date.today()
    issuer = dict(ws.settings.issuer_defaults)
    if organ and organ != issuer.get("name"):
        issuer["name"] = organ
    document: dict[str, Any] = {"title": title}
    if kind != "minutes":
        document = {"number": AUTO_NUMBER, **document, "recipients": "", "body": []}
    if prefix:  # a 函 has its own series (恩科工商务函); the others number under the issuer's
        (document if kind == "letter" else issuer)["prefix"] = prefix
    document["date"] = today
    if kind == "notice":
        document["printed"] = {"date": today}
    data = {"issuer": issuer, "year": today.year, kind: document}
    text = new_case_text(
        data,
        [
            f"{KIND_NAMES[kind]}稿件，{account.name} 于 {clerk_time(now())} 在 docgen 网页新建。",
            "可在网页上编辑，也可直接编辑本文件（docgen render 本文件 可先看版面）。",
        ],
    )
    draft = ws.drafts.create(kind, title, account.name, text)
    log_event(ws, "draft_created", draft=draft.id, kind=kind, title=title)
    return draft


@dataclass(frozen=True)
class WordLine:
    """One paragraph of the Word draft a draft was read from, with the role it was given."""

    index: int
    text: str
    role: str
    sure: float
    level: int | None
    corrected: bool


def draft_from_word(ws: Workspace, account: Account, source: Path, name: str) -> Draft:
    """A new draft read from a clerk's Word file (as ``docgen format`` reads it); the file kept with it."""
    with _as(account):
        require(ws, account, "draft", f"从 Word 稿新建稿件 {name}")
        reading = read_draft(read_word(source))
        if reading.kind not in DRAFT_KINDS:  # a 公告 or a 印发合成件: the browser drafts the kinds it has forms for
            seems = KIND_NAMES.get(reading.kind, reading.kind)
            reading = read_draft(read_word(source), "notice")
            reading.doubts.setdefault(
                "notice.title", f"原稿看来是{seems}，网页稿件按通知读入；要照原样读入请用命令 docgen format"
            )
        title = reading.title or Path(name).stem
        draft = ws.drafts.create(reading.kind, title, account.name, _word_case_text(reading, name))
        ws.drafts.keep(draft.id, WORD_SOURCE, source.read_bytes())
        log_event(ws, "draft_created", draft=draft.id, kind=reading.kind, title=title, source=name)
        return draft


def _word_case_text(reading: DraftReading, name: str) -> str:
    comments = [f"由 Word 稿 {name} 读出（docgen format）。标有“请核对”的字段请对照原稿。"]
    return new_case_text(reading.data, comments, reading.doubts)


def word_lines(ws: Workspace, draft_id: str) -> list[WordLine]:
    """The Word draft's paragraphs with their roles (the clerk's corrections marked); [] when not from Word."""
    draft = _draft(ws, draft_id)
    source = ws.drafts.kept(draft.id, WORD_SOURCE)
    if source is None:
        return []
    roles = _corrections(ws, draft.id)
    reading = read_draft(read_word(source), draft.kind, roles)
    return [
        WordLine(r.index, r.text, r.role, r.sure, r.level, r.index in roles)
        for r in reading.readings
        if r.role != "skip"
    ]


def correct_role(ws: Workspace, account: Account, draft_id: str, index: int, role: str) -> Draft:
    """Give a paragraph of the Word draft another role and read the draft again (its text replaced)."""
    with _as(account), ws.drafts.locked():
        draft = _draft(ws, draft_id)
        source = ws.drafts.kept(draft.id, WORD_SOURCE)
        if source is None or not editable_by(draft, account) or role not in ROLES:
            msg = f"稿件《{draft.title}》不能改段落角色（只有拟稿人在拟稿中、且稿件是从 Word 稿读出的才能改）。"
            raise FlowError(msg, refused=True)
        roles = {**_corrections(ws, draft.id), index: role}
        ws.drafts.keep(draft.id, WORD_ROLES, json.dumps({str(k): v for k, v in roles.items()}).encode("utf-8"))
        reading = read_draft(read_word(source), draft.kind, roles)
        title = str(reading.data[draft.kind].get("title") or draft.title)
        return ws.drafts.save_text(draft.id, _word_case_text(reading, source.name), title)


def _corrections(ws: Workspace, draft_id: str) -> dict[int, str]:
    kept = ws.drafts.kept(draft_id, WORD_ROLES)
    if kept is None:
        return {}
    try:
        return {int(k): str(v) for k, v in json.loads(kept.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError):
        return {}


def view_draft(ws: Workspace, draft_id: str) -> DraftView:
    """The draft with its form and what validation says of the saved text."""
    draft = _draft(ws, draft_id)
    fields = form_fields(draft.kind)
    text = ws.drafts.text(draft.id)
    problems: dict[str, list[str]] = {}
    for problem in draft_problems(ws, draft):
        field = problem_field(problem, fields)
        said = problem.message if field is not None or not problem.field else f"{problem.field}：{problem.message}"
        problems.setdefault(field or "", []).append(said)
    from_word = ws.drafts.kept(draft.id, WORD_SOURCE) is not None
    return DraftView(draft, fields, form_values(text, fields), problems, text, from_word)


def draft_problems(ws: Workspace, draft: Draft) -> list[Problem]:
    """What ``docgen check`` would say of the draft's case (nothing: it may be submitted)."""
    try:
        case = load_case(ws.drafts.case_path(draft.id), ws.settings.issuer_defaults)
    except CaseError as exc:
        return exc.problems
    prefix = case.number_prefix(draft.kind)
    part = case.numbered(draft.kind)
    if prefix and part is not None and part.number == AUTO_NUMBER:
        try:
            refuse_unknown_series(ws.numbers, prefix)
        except NeedsConfirmationError as exc:
            return [Problem(ws.drafts.case_path(draft.id), None, "issuer.prefix", exc.message.split("确是新的")[0])]
    return []


def save_draft(ws: Workspace, account: Account, draft_id: str, submitted: dict[str, str]) -> Draft:
    """Write the form into the draft's case file (a new revision); only its author, only while editable.

    A form that changes nothing changes nothing, whoever sends it and whenever: the autosave a
    page sends as its author clicks 送核稿 (the text box losing focus) is no attempt to edit.
    """
    with _as(account), ws.drafts.locked():
        draft = _draft(ws, draft_id)
        fields = form_fields(draft.kind)
        text = apply_form(ws.drafts.text(draft.id), fields, submitted)
        title = submitted.get(f"{draft.kind}.title", "").strip() or draft.title
        if text == ws.drafts.text(draft.id) and title == draft.title:
            return draft
        if not editable_by(draft, account):
            detail = f"修改稿件 {draft.id}《{draft.title}》"
            log_event(ws, REFUSED_EVENT, account=account.name, action="draft", detail=detail)
            msg = f"稿件《{draft.title}》现在{draft.stage.label}，只有拟稿人 {draft.author} 在拟稿或退回后能修改。"
            raise FlowError(msg, refused=True)
        return ws.drafts.save_text(draft.id, text, title)


def take_step(ws: Workspace, account: Account, draft_id: str, step: str, opinion: str = "") -> Draft:
    """送核稿, 退回, 核稿通过, 签发: checked against the flow's rules, recorded, logged.

    A refused step is logged too. Submitting needs a draft the case model accepts; signing off
    leaves the draft ``signed`` with its issuing job queued (``issue_draft`` runs it).
    """
    opinion = opinion.strip()
    with _as(account), ws.drafts.locked():
        draft = _draft(ws, draft_id)
        rule = RULES.get(step)
        try:
            stage = next_stage(draft, step, account.name, allowed(account, rule.action) if rule else False, opinion)
        except FlowError as exc:
            if not exc.refused:
                raise
            detail = f"{rule.name if rule else step} 稿件 {draft.id}《{draft.title}》：{exc.message}"
            log_event(ws, REFUSED_EVENT, account=account.name, action=rule.action if rule else step, detail=detail)
            raise
        if step == "submit":
            problems = draft_problems(ws, draft)
            if problems:
                msg = f"稿件还有 {len(problems)} 处要改，改好后才能送核稿：" + "；".join(
                    p.message for p in problems[:3]
                )
                raise FlowError(msg)
        if step == "sign":
            _date_signed(ws, draft)
            draft = _draft(ws, draft.id)
        taken = Step(step, account.name, now(), opinion)
        job = {"state": "queued", "time": taken.time} if stage is Stage.SIGNED else draft.job
        draft = ws.drafts.update(replace(draft, stage=stage, steps=(*draft.steps, taken), job=job))
        log_event(ws, f"draft_{step}", draft=draft.id, title=draft.title, reason=opinion or None, stage=stage.value)
    return draft


def _date_signed(ws: Workspace, draft: Draft) -> None:
    """成文日期 is the day the 负责人 signs off (GB/T 9704 7.3.5.2), 印发日期 the day it is issued: both today."""
    if draft.kind == "minutes":
        return  # a 纪要 is dated by the meeting that agreed it
    today = dt.date.today().isoformat()
    fields = [f for f in form_fields(draft.kind) if f.widget == "date" and f.path[0] == draft.kind]
    text = ws.drafts.text(draft.id)
    ws.drafts.save_text(draft.id, apply_form(text, fields, {f.name: today for f in fields}), draft.title)


def issue_draft(ws: Workspace, draft_id: str, on_progress: Callable[[Draft], None] | None = None) -> Draft:
    """Issue a signed-off draft: the whole ``issue_case`` as its signer, the 发文稿纸 with the 正本.

    Safe to run again after a crash or a server restart: numbers and archived documents are
    idempotent per case document, so a second run finishes what the first left.
    """
    draft = _draft(ws, draft_id)
    if draft.stage is not Stage.SIGNED:
        msg = f"稿件《{draft.title}》现在{draft.stage.label}，不能归档。"
        raise FlowError(msg)
    signer = draft.last("sign") or draft.last("retry")
    with acting_as(signer.by if signer else None):  # the archive records who signed it off
        return _issue_signed(ws, draft, on_progress)


def _issue_signed(ws: Workspace, draft: Draft, on_progress: Callable[[Draft], None] | None) -> Draft:
    done: list[dict[str, str]] = []

    def progress(state: str, **more: Any) -> Draft:
        nonlocal draft
        with ws.drafts.locked():
            draft = ws.drafts.update(replace(draft, job={"state": state, "time": now(), "done": list(done), **more}))
        if on_progress:
            on_progress(draft)
        return draft

    def archived(item: Issued) -> None:
        done.append({"title": item.title, "number": item.number or "", "status": item.status.sentence})
        progress("running")

    progress("running")
    try:
        case = load_case(ws.drafts.case_path(draft.id), ws.settings.issuer_defaults)
        results = issue_case(
            ws.drafts.case_path(draft.id), ws, on_document=archived, attach=lambda doc: _sheet_for(ws, draft, case, doc)
        )
    except DocgenError as exc:
        return _finish(ws, progress("failed", message=exc.message), Stage.FAILED)
    except Exception as exc:  # a background job's end: the draft must never stay "running" for good
        return _finish(ws, progress("failed", message=f"docgen 内部错误（{type(exc).__name__}: {exc}）"), Stage.FAILED)
    failed = [f"《{r.title}》{r.status.sentence}：{'；'.join(r.findings)}" for r in results if not r.status.stored]
    if failed:
        return _finish(ws, progress("failed", message="；".join(failed)), Stage.FAILED)
    issued = tuple(
        {"title": r.title, "number": r.number or "", "path": str(r.path.relative_to(ws.settings.archive_dir))}
        for r in results
    )
    return _finish(ws, replace(progress("done"), issued=issued), Stage.ISSUED)


def _as(account: Account) -> contextlib.AbstractContextManager[None]:
    """What a step does is done, and logged, as the account that takes it."""
    return acting_as(account.name)


def _finish(ws: Workspace, draft: Draft, stage: Stage) -> Draft:
    with ws.drafts.locked():
        draft = ws.drafts.update(replace(draft, stage=stage))
    log_event(ws, f"draft_{stage.value}", draft=draft.id, title=draft.title, reason=draft.job.get("message"))
    return draft


@dataclass(frozen=True)
class Preview:
    """The draft's last good preview (its revision and page images) and why a later one failed."""

    revision: int = 0
    pages: tuple[str, ...] = ()
    error: str | None = None
    error_revision: int = 0


def read_preview(ws: Workspace, draft_id: str) -> Preview:
    """What the preview folder holds now."""
    try:
        raw = json.loads((ws.drafts.preview_dir(draft_id) / PREVIEW_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Preview()
    return Preview(raw["revision"], tuple(raw["pages"]), raw.get("error"), raw.get("error_revision", 0))


def make_preview(ws: Workspace, draft_id: str, converter: Converter) -> Preview:
    """Render and convert the draft as ``docgen render`` would, and keep its pages as images.

    A draft that does not render (a field still empty) keeps its last good pages and says why;
    the images of older revisions are removed once the new ones are in place.
    """
    draft = _draft(ws, draft_id)
    folder, shown = ws.drafts.preview_dir(draft.id), read_preview(ws, draft.id)
    if shown.revision == draft.revision:
        return shown
    try:
        with tempfile.TemporaryDirectory(prefix="docgen-preview-") as tmp:
            rendered = render_case(
                ws.drafts.case_path(draft.id), ws, kinds=[draft.kind], out_dir=Path(tmp) / "out",
                output_format="pdf", converter=converter,
            )  # fmt: skip
            assert rendered[0].pdf is not None  # noqa: S101 - asked for a PDF
            pngs = page_pngs(rendered[0].pdf, Path(tmp) / "png", PREVIEW_DPI)
            names = []
            for n, png in enumerate(pngs, 1):
                name = f"r{draft.revision:04d}-{n}.png"
                atomic_copy(png, folder / name)
                names.append(name)
        preview = Preview(draft.revision, tuple(names))
    except DocgenError as exc:
        preview = replace(shown, error=exc.message, error_revision=draft.revision)
    record = {"revision": preview.revision, "pages": list(preview.pages), "error": preview.error,
              "error_revision": preview.error_revision}  # fmt: skip
    atomic_write_bytes(folder / PREVIEW_RECORD, json.dumps(record, ensure_ascii=False).encode("utf-8"))
    for old in folder.glob("r*.png"):
        if old.name not in preview.pages:
            old.unlink(missing_ok=True)
    return preview


class Previewer:
    """Previews made one after another with one LibreOffice kept warm (started at the first)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._stack = contextlib.ExitStack()
        self._converter: Converter | None = None

    def make(self, draft_id: str) -> Preview:
        """The draft's preview now; a LibreOffice that failed is not trusted with the next one."""
        try:
            if self._converter is None:
                self._converter = self._stack.enter_context(converter_for(self.ws.settings))
            return make_preview(self.ws, draft_id, self._converter)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        """Stop the LibreOffice kept for previews."""
        self._stack.close()
        self._converter = None


def preview_image(ws: Workspace, draft_id: str, name: str) -> Path | None:
    """A page image of the draft's current preview (only a name the preview lists)."""
    return ws.drafts.preview_dir(draft_id) / name if name in read_preview(ws, draft_id).pages else None


def waiting_jobs(ws: Workspace) -> list[Draft]:
    """Drafts signed off but not yet archived: what a server restarted mid-way takes up again."""
    return [d for d in ws.drafts.all() if d.stage is Stage.SIGNED]


def sheet_data(draft: Draft, case: Case, doc: Document) -> SheetData:
    """The 发文稿纸 of a draft's 正本: the document's own data and every step of the flow."""
    part = case.numbered(doc.kind) or getattr(case, doc.kind, None)
    copy_to = getattr(part, "copy_to", []) or []
    attachments = getattr(part, "attachments", []) or []
    secrecy = getattr(part, "secrecy", None)

    def signed(step: str) -> list[Signature]:
        return [Signature(s.by, s.opinion, clerk_time(s.time)) for s in draft.steps if s.step in _SIGNING[step]]

    submitted = draft.last("submit")
    return SheetData(
        organ=case.issuer.name,
        number=doc.number or "",
        secrecy=secrecy.mark if secrecy else "",
        urgency=getattr(part, "urgency", None) or "",
        title=doc.title,
        recipients=str(getattr(part, "recipients", "") or ""),
        copy_to="、".join(copy_to),
        attachments="；".join(attachments),
        signed=signed("sign"),
        countersigned=[],
        reviewed=signed("review"),
        drafted=Signature(draft.author, "", clerk_time(submitted.time if submitted else draft.created)),
    )


_SIGNING = {"sign": ("sign", "sign_return", "retry"), "review": ("pass", "return")}


def _sheet_for(ws: Workspace, draft: Draft, case: Case, doc: Document) -> dict[str, bytes]:
    """The 发文稿纸 as a PDF/A for the draft's own document (none for the rest of the case)."""
    if doc.kind != draft.kind or doc.kind not in LEAD_KINDS:
        return {}
    data = sheet_data(draft, case, doc)
    with tempfile.TemporaryDirectory(prefix="docgen-sheet-") as tmp:
        docx, pdf = Path(tmp) / "sheet.docx", Path(tmp) / "sheet.pdf"
        write_sheet(data, docx)
        with converter_for(ws.settings) as convert:
            convert.convert([(docx, pdf)])
        text = read_pdf(pdf)
        # Read back, never trusted: the PDF/A mark, and every name and the number as typed.
        squeezed = "".join("".join(text.pages).split())
        wanted = [data.number, data.drafted.name, *(s.name for s in data.signed + data.reviewed)]
        missing = [w for w in wanted if w and "".join(w.split()) not in squeezed]
        if text.pdfa_part != PDFA_PART or missing:
            msg = f"发文稿纸的 PDF 读回不一致（PDF/A-{text.pdfa_part}，缺：{'、'.join(missing) or '无'}），未归档。"
            raise ConversionError(msg)
        return {DRAFT_SHEET: pdf.read_bytes()}


def _draft(ws: Workspace, draft_id: str) -> Draft:
    draft = ws.drafts.get(draft_id)
    if draft is None:
        msg = f"没有这份稿件：{draft_id}"
        raise FlowError(msg)
    return draft


__all__ = [
    "DRAFT_KIND_NAMES",
    "ROLES",
    "STEP_NAMES",
    "Draft",
    "DraftView",
    "Offered",
    "Preview",
    "Previewer",
    "Stage",
    "WordLine",
    "correct_role",
    "draft_from_word",
    "editable_by",
    "issue_draft",
    "make_preview",
    "new_draft",
    "offered_steps",
    "preview_image",
    "read_preview",
    "save_draft",
    "sheet_data",
    "take_step",
    "view_draft",
    "waiting_for",
    "waiting_jobs",
    "word_lines",
]
