"""Documents as other offices make them, for import tests: PDFs from plain text, scans of PDFs."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from docgen.ocr import render_page


def pdf_from_text(folder: Path, name: str, text: str) -> Path:
    """A PDF with a text layer made by LibreOffice from plain text (as Word or WPS would print it)."""
    source = folder / f"{name}.txt"
    source.write_text(text, encoding="utf-8")
    profile = (folder / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / f"{name}.pdf"


def scan_of(pdfs: list[tuple[Path, list[int]]], target: Path, dpi: int = 200) -> Path:
    """An image-only PDF of the given pages, like a scanner's output: no text layer at all."""
    images = []
    for n, (pdf, pages) in enumerate(pdfs):
        work = target.parent / f"{target.stem}-pages-{n}"
        work.mkdir(exist_ok=True)
        images += [Image.open(render_page(pdf, page, work, dpi)).convert("RGB") for page in pages]
    images[0].save(target, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return target
