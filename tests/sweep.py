"""The body-length sweep: one document per length, one line more each time, measured page by page.

A test helper (and a script: ``python -m tests.sweep OUT [KIND...]`` prints what it finds); the
cases come from ``bench.sweepcase`` and every document converts on one pool.
"""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.sweepcase import LENGTHS, squash, write_cases
from docgen import layout
from docgen.pipeline.fit import CLOSING_TAIL_LINES
from tests.pdfmeasure import Line, page_forms, read_lines

_PAGE_NUMBER = re.compile(r"—\s*\d+\s*—")


@dataclass(frozen=True)
class SweepFault:
    pdf: str
    fault: str


def page_faults(pdf: Path, body: list[str], closing: list[str], imprint_end: str) -> list[str]:
    """What a typesetter would send back about one document's pages (empty when none)."""
    lines = [ln for ln in read_lines(pdf) if squash(ln.text) and not _PAGE_NUMBER.fullmatch(squash(ln.text))]
    forms = page_forms(pdf)
    pages = len(forms)
    by_page: dict[int, list[Line]] = {n: [] for n in range(1, pages + 1)}
    for line in lines:
        by_page[line.page].append(line)
    body_text = squash("".join(body))
    block_bottom = layout.PAGE.top_mm + layout.PAGE.block_height_mm
    pitch = layout.LINE_PITCH_TWIPS / layout.TWIPS_PER_PT / layout.PT_PER_MM
    faults = []
    imprint_pages = [n for n, held in by_page.items() if any(squash(ln.text).endswith(imprint_end) for ln in held)]
    for n in range(1, pages + 1):
        held = by_page[n]
        following = by_page.get(n + 1) or []
        # The last resort of fitting takes the body's last line over with a closing block that
        # needs more room than the page has left: that page's room is the closing block's, not waste.
        kept_over = any(
            squash(ln.text).startswith(tuple(squash(c) for c in closing if c))
            for ln in following[1 : 1 + CLOSING_TAIL_LINES]
        )
        if following and squash(following[0].text) in body_text and held and not kept_over:
            empty = (block_bottom - held[-1].bottom) / pitch
            if empty >= 5:
                faults.append(f"第{n}页下方空 {empty:.1f} 行，正文却延续到下一页")
        if n > 1 and held and any(squash(held[0].text).startswith(squash(c)) for c in closing if c):
            faults.append(f"第{n}页以落款或附件说明开头，没有正文：{held[0].text.strip()[:20]}")
    recipients_at = next((i for i, ln in enumerate(by_page[1]) if squash(ln.text).endswith("：")), None)
    if recipients_at is not None and not any(squash(ln.text) in body_text for ln in by_page[1][recipients_at + 1 :]):
        faults.append("第1页没有正文")
    if imprint_pages != [pages]:
        faults.append(f"版记在第{imprint_pages}页，共{pages}页")
    elif pages > 1 and pages % 2:
        faults.append(f"版记在奇数页第{pages}页")
    elif pages > 1 and not by_page[pages - 1]:  # a blank page before the 版记: neither numbered
        numbered = [n for n in (pages - 1, pages) if forms[n - 1].number]
        if numbered:
            faults.append(f"版记页前是空白页，第{numbered}页却编了页码")
    return faults


def sweep(
    out: Path, kinds: tuple[str, ...] = ("notice", "request", "letter"), lengths: range = range(LENGTHS)
) -> list[SweepFault]:
    """Render every kind at every length on one pool; every fault found, per PDF."""
    from docgen.convert.pool import ConversionPool
    from docgen.pipeline.fit import Job, fit_and_convert, make_jobs
    from docgen.pipeline.prepare import prepare
    from docgen.pipeline.workspace import Workspace

    (out / "ws").mkdir(parents=True, exist_ok=True)
    ws = Workspace.open(out / "ws", env={})
    jobs = []
    for kind in kinds:
        folder = out / kind
        folder.mkdir(parents=True, exist_ok=True)
        for case in write_cases(folder, kind, lengths):
            prepared = prepare(case, ws, [kind], converting=True)
            staging = folder / case.stem
            staging.mkdir(exist_ok=True)
            jobs += make_jobs(prepared.documents, prepared.templates, staging)
    faults: list[SweepFault] = []

    def measure(job: Job) -> None:
        """Measure a document as soon as it is final, while the others still convert."""
        if job.error:
            faults.append(SweepFault(str(job.pdf), job.error))
            return
        context = job.document.context
        data = yaml.safe_load(Path(f"{job.pdf.parent}.yaml").read_text(encoding="utf-8"))
        closing = [str(context.get("signature") or ""), str(context.get("date") or ""), "附件："]
        imprint_end = (
            squash(f"{context.get('printed_date', '')}印发")
            if context.get("printed_by")
            else squash(f"抄送：{context.get('copy_to', '')}")
        )
        for fault in page_faults(job.pdf, data[job.document.kind]["body"], closing, imprint_end):
            faults.append(SweepFault(str(job.pdf), fault))

    with ConversionPool(ws.settings.soffice, ws.settings.convert_timeout, ws.settings.font_dirs) as pool:
        fit_and_convert(jobs, pool, on_converted=measure)
    return faults


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="sweep-"))
    found = sweep(target, tuple(sys.argv[2:]) or ("notice", "request", "letter"))
    for item in found:
        print(item.pdf, item.fault)
    print(f"{len(found)} faults")
