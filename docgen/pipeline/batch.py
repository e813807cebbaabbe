"""``docgen batch``: many cases through one conversion pool; then distribution copies and filing."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from docgen.case.model import validate_case
from docgen.case.yamlsource import YamlSource, load_yaml
from docgen.errors import DocgenError
from docgen.pipeline.fit import Job, fit_and_convert
from docgen.pipeline.issue import Issued, IssuePlan, Status, file_away, plan_issue
from docgen.pipeline.prepare import default_kinds
from docgen.pipeline.searching import index_archived
from docgen.pipeline.workspace import Workspace
from docgen.render.context import documents_for
from docgen.vocab import NUMBERED_KINDS


@dataclass(frozen=True)
class BatchCase:
    """One case of a batch: how many documents it makes, or why it cannot be read."""

    path: Path
    documents: int
    error: str | None = None
    loaded: YamlSource | None = None  # the case as read for counting, issued from without reading it again


def plan_batch(cases: list[Path], ws: Workspace, kinds: list[str] | None = None) -> list[BatchCase]:
    """Read every case first, so a batch knows its size and bad cases are reported, not fatal."""
    planned = []
    for path in cases:
        try:
            source = load_yaml(path)
            case = validate_case(source, ws.settings.issuer_defaults)
            count = sum(len(documents_for(case, k)) for k in (kinds or default_kinds(case)))
            planned.append(BatchCase(path, count, loaded=source))
        except DocgenError as exc:
            planned.append(BatchCase(path, 0, exc.message))
    return planned


def issue_batch(
    planned: list[BatchCase],
    ws: Workspace,
    *,
    kinds: list[str] | None = None,
    workers: int | None = None,
    on_document: Callable[[Issued], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> list[Issued]:
    """Issue many cases through one pool of LibreOffice processes that lives for the whole batch.

    Every case is planned first (numbered, rendered, linted), then all their documents convert
    together, so the workers never wait for one case's last document before starting the next.
    One bad document or case never stops the rest; re-running the same batch after a crash or
    Ctrl-C issues only what is missing.
    """
    from docgen.convert.pool import ConversionPool  # noqa: PLC0415 - only batches need the pool

    settings = ws.settings
    pool = ConversionPool(settings.soffice, settings.convert_timeout, settings.font_dirs)
    if workers:
        pool.workers = workers
    failed: list[Issued] = []
    plans: list[IssuePlan] = []

    def case_failed(path: Path, error: str) -> None:
        item = Issued(Status.FAILED, "case", path.name, None, path, None, [error])
        failed.append(item)
        if on_document:
            on_document(item)

    with tempfile.TemporaryDirectory(prefix="docgen-batch-") as staging, pool:
        for item in planned:
            if item.error is not None:
                case_failed(item.path, item.error)
                continue
            try:
                plans.append(
                    plan_issue(
                        item.path,
                        ws,
                        Path(staging),
                        kinds=kinds,
                        on_document=on_document,
                        on_warning=on_warning,
                        loaded=item.loaded,
                    )
                )
            except DocgenError as exc:
                case_failed(item.path, exc.message)
        owner = {id(job): plan for plan in plans for job in plan.jobs}

        def store(job: Job) -> None:
            plan = owner[id(job)]
            try:
                file_away(plan, job)
            except DocgenError as exc:  # this document fails; the batch goes on
                doc = job.document
                path = plan.prepared.case_path
                plan.report(
                    Issued(Status.FAILED, doc.kind, doc.title, doc.number, path, doc.enterprise_key, [exc.message])
                )

        jobs = [job for plan in plans for job in plan.jobs]
        if jobs:
            fit_and_convert(jobs, pool, on_converted=store)
    index_archived(ws, [meta for plan in plans for meta in plan.stored], on_warning)
    return failed + [item for plan in plans for item in plan.results]


def after_batch(
    ws: Workspace, results: list[Issued], *, copies: bool, filing: bool
) -> tuple[list[str], list[str], list[str]]:
    """Distribution copies and/or the year's filing for what a batch issued; (notes, copy errors, filing errors)."""
    from docgen.pipeline.copies import make_copies  # noqa: PLC0415
    from docgen.pipeline.yearend import file_year  # noqa: PLC0415 - reportlab loads only when asked

    notes: list[str] = []
    copy_errors: list[str] = []
    errors: list[str] = []
    stored = {r.path.relative_to(ws.settings.archive_dir).as_posix(): r for r in results if r.status.stored}
    if copies:
        for folder, r in stored.items():
            if r.number and r.kind in NUMBERED_KINDS:
                try:
                    notes.append(f"分发件：{make_copies(ws, folder)}")
                except DocgenError as exc:
                    copy_errors.append(exc.message)
    if filing:
        years = sorted({int(ws.archive.read_meta(folder)["date"][:4]) for folder in stored})
        for year in years:
            report = file_year(ws, year)
            errors += report.failures
            notes.append(f"{year} 年：{len(report.items)} 件归档副本和归档文件目录已生成：{report.folder}")
    return notes, copy_errors, errors


@dataclass(frozen=True)
class BatchReport:
    """What a batch did: each document's outcome, then the copies and filing notes and errors."""

    results: list[Issued]
    notes: list[str]
    errors: list[str]  # filing copies not made, and why
    copy_errors: list[str] = field(default_factory=list)  # distribution copies not made, and why


def batch_cases(
    cases: list[Path],
    ws: Workspace,
    *,
    kinds: list[str] | None = None,
    workers: int | None = None,
    copies: bool = False,
    filing: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_document: Callable[[Issued], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> BatchReport:
    """``docgen batch``: read every case, issue them through one pool, then copies and filing.

    ``on_start`` learns how many documents (and unreadable cases) there are before any is issued.
    """
    planned = plan_batch(cases, ws, kinds)
    if on_start:
        on_start(sum(p.documents for p in planned) + sum(1 for p in planned if p.error))
    results = issue_batch(planned, ws, kinds=kinds, workers=workers, on_document=on_document, on_warning=on_warning)
    notes, copy_errors, errors = (
        after_batch(ws, results, copies=copies, filing=filing) if copies or filing else ([], [], [])
    )
    return BatchReport(results, notes, errors, copy_errors)
