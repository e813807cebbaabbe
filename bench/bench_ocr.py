"""Benchmark: OCR engines on docgen's own pages, clean and degraded — speed and character accuracy.

The example's notice and plan are rendered for real (LibreOffice); four prose pages are turned
into images seven ways: a clean 300 dpi render, a 200 dpi scan, a 300 dpi page with noise and a
1° skew (a page fed crooked through an office scanner), the two scans a clerk of another bureau
made (200 dpi turned 0.8°, 150 dpi turned 1.6°), and a 200 dpi sheet fed upside down and one fed
sideways. Each engine reads every image twice through docgen's own interface (``docgen.ocr``):
as the image is (``engine.boxes``, the baseline) and turned upright first (``recognise_upright``:
skew and quarter turn from the ink, half turn asked of the engine) — what an import does.
Accuracy is 1 − edit distance / length against the page's text layer, white space ignored: a
page read in the wrong order scores low.

Usage: ``.venv/bin/python -m bench.bench_ocr`` (Tesseract is measured where ``tesseract`` and its
``chi_sim`` data are installed: ``apt install tesseract-ocr tesseract-ocr-chi-sim``).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from docgen.errors import OcrError
from docgen.ocr import OcrEngine, dropped_lines, open_engine, page_text, recognise_upright, render_page
from docgen.pipeline.render import render_case
from docgen.pipeline.workspace import Workspace

REPO = Path(__file__).resolve().parent.parent
PAGES = (("notice", 0), ("notice", 1), ("plan", 0), ("plan", 1))
NOISE = 0.02  # share of pixels flipped to a random grey
SKEW_DEGREES = 1.0


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def accuracy(truth: str, read: str) -> float:
    truth, read = "".join(truth.split()), "".join(read.split())
    return max(0.0, 1 - edit_distance(truth, read) / len(truth))


def degraded(image: Image.Image, seed: int) -> Image.Image:
    rng = random.Random(seed)
    grey = image.convert("L").rotate(SKEW_DEGREES, expand=True, fillcolor=255)
    pixels = grey.load()
    assert pixels is not None
    for _ in range(int(grey.width * grey.height * NOISE)):
        pixels[rng.randrange(grey.width), rng.randrange(grey.height)] = rng.randrange(256)
    return grey.convert("RGB")


def images(folder: Path) -> dict[str, list[tuple[Path, str]]]:
    """(image, its true text) for each variant."""
    workspace = Workspace.open(folder, env={})
    case = REPO / "examples" / "enping-2021" / "case.yaml"
    for kind in ("notice", "plan"):
        render_case(case, workspace, kinds=(kind,), out_dir=folder, output_format="pdf")
    out: dict[str, list[tuple[Path, str]]] = {
        "300 dpi": [],
        "200 dpi": [],
        "噪点+1°倾斜": [],
        "200 dpi+0.8°": [],
        "150 dpi+1.6°": [],
        "200 dpi 倒置": [],
        "200 dpi 横置": [],
    }
    for n, (kind, page) in enumerate(PAGES):
        pdf = folder / f"{kind}.pdf"
        truth = PdfReader(pdf).pages[page].extract_text()
        for dpi in (300, 200, 150):
            pages_at = folder / f"{kind}-{page}-{dpi}"
            pages_at.mkdir()
            rendered = render_page(pdf, page + 1, pages_at, dpi)
            if f"{dpi} dpi" in out:
                out[f"{dpi} dpi"].append((rendered, truth))
            turns = (("200 dpi+0.8°", 0.8), ("150 dpi+1.6°", 1.6), ("200 dpi 倒置", 180), ("200 dpi 横置", 90))
            for variant, degrees in turns:
                if variant.startswith(f"{dpi} "):
                    turned = folder / f"{kind}-{page}-{dpi}-turned-{degrees}.png"
                    Image.open(rendered).convert("L").rotate(degrees, expand=True, fillcolor=255).save(turned)
                    out[variant].append((turned, truth))
        noisy = folder / f"{kind}-{page}-noisy.png"
        degraded(Image.open(out["300 dpi"][-1][0]), n).save(noisy)
        out["噪点+1°倾斜"].append((noisy, truth))
    return out


Measured = dict[str, tuple[float, float, int]]  # variant → (seconds a page, mean accuracy, unread lines)


def measure(engine: OcrEngine, variants: dict[str, list[tuple[Path, str]]], *, upright: bool) -> Measured:
    """Per variant: (seconds a page, mean accuracy, lines of ink left unread on all its pages)."""
    engine.boxes(variants["300 dpi"][0][0])  # models loaded and warm before timing
    results = {}
    for name, pages in variants.items():
        started = time.perf_counter()
        scores, unread = [], 0
        for image, truth in pages:
            if upright:
                read = recognise_upright(1, image, engine)
            else:
                boxes = engine.boxes(image)
                read = page_text(1, boxes, dropped_lines(image, boxes))  # docgen's check, timed with the engine
            unread += read.dropped
            scores.append(accuracy(truth, read.text))
        results[name] = ((time.perf_counter() - started) / len(pages), sum(scores) / len(scores), unread)
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        folder = Path(tmp_name)
        variants = images(folder)
        measured: dict[str, tuple[Measured, Measured]] = {}
        for name in ("tesseract", "rapidocr"):
            try:
                engine = open_engine(name)
            except OcrError as exc:
                print(f"{name}: not measured ({exc.message})")
                continue
            as_is = measure(engine, variants, upright=False)
            measured[f"{engine.name} {engine.version}"] = (as_is, measure(engine, variants, upright=True))
    print(f"{len(PAGES)} prose pages of the example notice and plan; accuracy = 1 - edit distance / characters")
    columns = f"{'s/page':>7} {'accuracy':>9} {'unread':>7}"
    print(f"{'':<35} {'as read (baseline)':^25}   {'turned upright first':^25}")
    print(f"{'engine':<22} {'variant':<12} {columns}   {columns}")
    for engine_name, (as_is, upright) in measured.items():
        for variant in as_is:
            (s0, a0, u0), (s1, a1, u1) = as_is[variant], upright[variant]
            print(f"{engine_name:<22} {variant:<12} {s0:7.2f} {a0:9.1%} {u0:7d}   {s1:7.2f} {a1:9.1%} {u1:7d}")
        print(f"ratio upright / as read [baseline], {engine_name}:")
        for variant in as_is:
            (s0, a0, _), (s1, a1, _) = as_is[variant], upright[variant]
            print(f"  {variant:<12} time {s1 / s0:.2f}x, errors {(1 - a1) / max(1e-9, 1 - a0):.2f}x")
    print("cores:", os.cpu_count())


if __name__ == "__main__":
    main()
