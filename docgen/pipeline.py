"""The straight line from a case file to documents: load → validate → fill → convert → place.

Nothing is written under its final name until every step for every requested document has
succeeded, so bad input or a failed conversion leaves the output folder as it was.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from docgen._io import atomic_copy
from docgen.case import load_case
from docgen.config import Settings
from docgen.convert import Converter, LibreOfficeConverter
from docgen.documents import KIND_NAMES, KINDS, context_for
from docgen.errors import DocgenError
from docgen.layout import LINE_PITCH_STEPS_TWIPS
from docgen.pdftext import signature_stands_alone
from docgen.templates import check_template, find_template, render_docx

OutputFormat = Literal["docx", "pdf", "both"]


@dataclass(frozen=True)
class RenderedDocument:
    """One document written by ``render_case``."""

    kind: str
    title: str
    number: str | None
    docx: Path | None
    pdf: Path | None


def default_output_dir(case_path: Path) -> Path:
    """``out/<case name>`` in the current folder; a file named case.yaml is named by its folder."""
    stem = case_path.stem
    name = case_path.resolve().parent.name if stem == "case" else stem
    return Path("out") / name


def converter_for(settings: Settings) -> Converter:
    """The converter a workspace's settings ask for."""
    return LibreOfficeConverter(
        soffice=settings.soffice, timeout=settings.convert_timeout, font_dirs=settings.font_dirs
    )


def render_case(
    case_path: Path,
    settings: Settings,
    *,
    kind: str = "notice",
    out_dir: Path | None = None,
    output_format: OutputFormat = "both",
    converter: Converter | None = None,
) -> list[RenderedDocument]:
    """Render the documents of one kind from a case file into ``out_dir``."""
    if kind not in KINDS:
        msg = f"未知的文种 {kind}，可选：{'、'.join(f'{k}（{KIND_NAMES[k]}）' for k in KINDS)}"
        raise DocgenError(msg)
    case = load_case(case_path, settings.issuer_defaults)
    context = context_for(case, kind)
    template = find_template(kind, settings.templates_dir)
    check_template(template, context)
    out_dir = out_dir if out_dir is not None else default_output_dir(case_path)
    want_docx = output_format in ("docx", "both")
    want_pdf = output_format in ("pdf", "both")

    with tempfile.TemporaryDirectory(prefix="docgen-render-") as tmp_name:
        staging = Path(tmp_name)
        docx, pdf = staging / f"{kind}.docx", staging / f"{kind}.pdf"
        if want_pdf:
            fit_and_convert(template, context, docx, pdf, converter or converter_for(settings))
        else:
            render_docx(template, context, docx)
        out_dir.mkdir(parents=True, exist_ok=True)
        final_docx = out_dir / docx.name if want_docx else None
        final_pdf = out_dir / pdf.name if want_pdf else None
        if final_docx:
            _place(docx, final_docx)
        if final_pdf:
            _place(pdf, final_pdf)
    return [
        RenderedDocument(
            kind=kind,
            title=str(context["title"]),
            number=str(context["number"]) if context.get("number") else None,
            docx=final_docx,
            pdf=final_pdf,
        )
    ]


def fit_and_convert(template: Path, context: Mapping[str, Any], docx: Path, pdf: Path, converter: Converter) -> int:
    """Render and convert, tightening the line pitch while the signature would stand alone.

    Returns the line pitch used. GB/T 9704 forbids a page with the 署名 and 成文日期 but no
    body text; it asks for tighter spacing instead, which is what the later steps are.
    """
    signature, date = str(context.get("signature", "")), str(context.get("date", ""))
    for pitch in LINE_PITCH_STEPS_TWIPS:
        render_docx(template, context, docx, line_pitch_twips=pitch)
        converter.convert([(docx, pdf)])
        if not signature or not signature_stands_alone(pdf, signature, date):
            return pitch
    return LINE_PITCH_STEPS_TWIPS[-1]


def _place(source: Path, target: Path) -> None:
    try:
        source.replace(target)
    except OSError:  # staging is on another filesystem
        atomic_copy(source, target)
