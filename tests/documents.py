"""Documents as other offices make them, for import tests: PDFs from plain text, scans of PDFs."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from PIL import Image

from docgen.ocr import render_page


def pdf_from_text(folder: Path, name: str, text: str) -> Path:
    """A PDF with a text layer made by LibreOffice from plain text (as Word or WPS would print it)."""
    return pdfs_from_texts(folder, {name: text})[name]


def pdfs_from_texts(folder: Path, texts: dict[str, str]) -> dict[str, Path]:
    """``pdf_from_text`` for several texts, in one LibreOffice run (each start costs 2-3 s)."""
    sources = []
    for name, text in texts.items():
        source = folder / f"{name}.txt"
        source.write_text(text, encoding="utf-8")
        sources.append(str(source))
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
            *sources,
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return {name: folder / f"{name}.pdf" for name in texts}


def pdf_with_unembedded_font(target: Path, text: str) -> Path:
    """A PDF whose CJK font is named, not embedded (Adobe's STSong-Light), as older office software made them."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(target), pagesize=(595.3, 841.9), initialFontName="STSong-Light")
    page.setFont("STSong-Light", 14)
    lines = [piece for line in text.splitlines() for piece in textwrap.wrap(line, 30) or [""]]
    for n, line in enumerate(lines):
        page.drawString(72, 780 - n * 22, line)
    page.save()
    return target


def scan_of(pdfs: list[tuple[Path, list[int]]], target: Path, dpi: int = 200, skew: float = 0.0) -> Path:
    """An image-only PDF of the given pages, like a scanner's output: no text layer at all.

    ``skew`` turns each page by that many degrees (counter-clockwise), as a sheet fed crooked,
    sideways (90) or upside down (180) comes out.
    """
    images = []
    for n, (pdf, pages) in enumerate(pdfs):
        work = target.parent / f"{target.stem}-pages-{n}"
        work.mkdir(exist_ok=True)
        for page in pages:
            image = Image.open(render_page(pdf, page, work, dpi)).convert("RGB")
            if skew:
                # A quarter turn is a sheet fed sideways: the page comes out landscape.
                image = image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor="white", expand=skew % 90 == 0)
            images.append(image)
    images[0].save(target, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return target
