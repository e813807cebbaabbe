"""``docgen render``: a case's documents of one kind into an output folder, atomically.

Nothing is written under its final name until every requested document has converted and
passed the text check, so bad input or a failed conversion leaves the output folder as it was.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from docgen._io import atomic_copy, child
from docgen.archive.paths import safe_name
from docgen.convert.libreoffice import Converter
from docgen.errors import ConversionError
from docgen.pipeline.fit import fit_and_convert, make_jobs
from docgen.pipeline.prepare import converter_for, prepare
from docgen.pipeline.workspace import Workspace
from docgen.render.templates import export_templates

OutputFormat = Literal["docx", "pdf", "both"]


@dataclass(frozen=True)
class RenderedDocument:
    """One document written by ``render_case``."""

    kind: str
    title: str
    number: str | None
    enterprise: str | None
    docx: Path | None
    pdf: Path | None


def default_output_dir(case_path: Path) -> Path:
    """``out/<case name>`` in the current folder; a file named case.yaml is named by its folder.

    The name is made a safe single folder name (a case file called "...yaml" must not write
    into out/..).
    """
    stem = case_path.stem
    name = case_path.resolve().parent.name if stem == "case" else stem
    return child(Path("out"), safe_name(name))


def render_case(
    case_path: Path,
    ws: Workspace,
    *,
    kinds: Sequence[str] = ("notice",),
    enterprise: str | None = None,
    out_dir: Path | None = None,
    output_format: OutputFormat = "both",
    converter: Converter | None = None,
) -> list[RenderedDocument]:
    """Render the documents of the given kinds from a case file into ``out_dir``, converted in one go."""
    # A draft shows the number the registry holds, never takes one.
    wanted = list(dict.fromkeys(kinds))
    prepared = prepare(case_path, ws, wanted, enterprise=enterprise, converting=output_format != "docx")
    out_dir = ws.settings.output_outside_records(
        out_dir if out_dir is not None else default_output_dir(case_path), "输出文件夹"
    )
    want_docx = output_format in ("docx", "both")
    want_pdf = output_format in ("pdf", "both")

    with tempfile.TemporaryDirectory(prefix="docgen-render-") as tmp_name:
        staging = Path(tmp_name)
        jobs = make_jobs(prepared.documents, prepared.templates, staging)
        if want_pdf:
            with contextlib.nullcontext(converter) if converter else converter_for(ws.settings) as convert:
                fit_and_convert(jobs, convert)  # the fit rounds share one LibreOffice profile
            failed = [job.error for job in jobs if job.error]
            if failed:
                raise ConversionError("；".join(failed))
        else:
            for job in jobs:
                job.render()
        out_dir.mkdir(parents=True, exist_ok=True)
        results = []
        for job in jobs:
            final_docx = child(out_dir, job.docx.name) if want_docx else None
            final_pdf = child(out_dir, job.pdf.name) if want_pdf else None
            if final_docx:
                _place(job.docx, final_docx)
            if final_pdf:
                _place(job.pdf, final_pdf)
            doc = job.document
            results.append(RenderedDocument(doc.kind, doc.title, doc.number, doc.enterprise_key, final_docx, final_pdf))
    return results


def export_builtin_templates(target: Path, *, overwrite: bool = False) -> list[Path]:
    """``docgen templates export``: the built-in templates copied out for a clerk to edit."""
    return export_templates(target, overwrite=overwrite)


def _place(source: Path, target: Path) -> None:
    try:
        source.replace(target)
    except OSError:  # staging is on another filesystem
        atomic_copy(source, target)
