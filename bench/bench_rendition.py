"""Benchmark: the PDF/A rendition an import makes beside an original that is not one.

Three originals as other offices' files come: the example notice printed to PDF without PDF/A
(LibreOffice, 2 pages), a 200 dpi scan of the same two pages (image only; OCR is run once,
outside the timing), and a one-page PDF whose CJK font was never embedded (Adobe's
STSong-Light, as older software wrote it). For each, in the same process: reading the original
(``readback.read_pdf``: what an import did before, the baseline) and making its rendition
(``pipeline.rendition.make_rendition``: Ghostscript, the text layer, and the read-back that
compares pages, sizes and text), median of N runs.

Usage: ``.venv/bin/python -m bench.bench_rendition [runs]``
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docgen.ocr import open_engine, recognise_pages
from docgen.pipeline.rendition import make_rendition
from docgen.readback import extract, read_pdf
from tests.documents import pdf_with_unembedded_font, scan_of

REPO = Path(__file__).resolve().parent.parent


def originals(folder: Path) -> dict[str, Path]:
    """The three kinds of original, made for real."""
    case = REPO / "examples" / "enping-2021" / "case.yaml"
    render = [sys.executable, "-m", "docgen", "-w", str(folder), "render", str(case), "-k", "notice"]
    subprocess.run(
        [*render, "-o", str(folder), "--format", "docx"],
        check=True,
        capture_output=True,
    )
    # The DOCX printed to a plain PDF, as Word or WPS would: no PDF/A marks.
    profile = (folder / "lo-profile").as_uri()
    plain = folder / "plain"
    convert = ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*convert, "--outdir", str(plain), str(folder / "notice.docx")],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {
        "普通 PDF（2 页）": plain / "notice.pdf",
        "扫描件 200 dpi（2 页）": scan_of([(plain / "notice.pdf", [1, 2])], folder / "scan.pdf", dpi=200),
        "未嵌入字体的 PDF（1 页）": pdf_with_unembedded_font(
            folder / "unembedded.pdf", extract(plain / "notice.pdf").text[:600]
        ),
    }


def median_seconds(action: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    engine = open_engine("rapidocr")
    print(f"{'original':<24} {'read (baseline)':>15} {'rendition':>10} {'ratio':>7}  method")
    with tempfile.TemporaryDirectory(prefix="bench-rendition-") as tmp_name:
        folder = Path(tmp_name)
        for name, source in originals(folder).items():
            extracted = extract(source)
            scanned = extracted.image_only_pages
            ocr = recognise_pages(source, scanned, engine) if scanned else None
            made: list[str] = []

            def render(source: Path = source, ocr: object = ocr, made: list[str] = made) -> None:
                with tempfile.TemporaryDirectory(dir=folder) as work:
                    rendition = make_rendition(source, extract(source), ocr, Path(work))  # type: ignore[arg-type]
                    made[:] = [f"{rendition.method}, {rendition.tool}"]

            baseline = median_seconds(lambda source=source: read_pdf(source), runs)
            seconds = median_seconds(render, runs)
            print(f"{name:<24} {baseline * 1000:12.0f} ms {seconds:8.2f} s {seconds / baseline:6.0f}x  {made[0]}")


if __name__ == "__main__":
    main()
