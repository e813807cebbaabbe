"""Benchmark: filling the notice template, and converting it with one soffice per document.

Prints ms per document for docxtpl filling and seconds per document for LibreOffice, plus the
ratio between them, measured in this one process tree. Usage:

    .venv/bin/python bench/bench_render.py [N]
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from docgen.case import load_case
from docgen.convert import LibreOfficeConverter
from docgen.documents import context_for
from docgen.templates import find_template, render_docx

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    case = load_case(REPO / "examples" / "enping-2021" / "case.yaml")
    context = context_for(case, "notice")
    template = find_template("notice", None)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        fill_ms = []
        for i in range(n * 4):
            started = time.perf_counter()
            render_docx(template, context, tmp / f"n{i}.docx")
            fill_ms.append((time.perf_counter() - started) * 1000)
        converter = LibreOfficeConverter()
        convert_s = []
        for i in range(n):
            started = time.perf_counter()
            converter.convert([(tmp / f"n{i}.docx", tmp / f"n{i}.pdf")])
            convert_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        converter.convert([(tmp / f"n{i}.docx", tmp / f"batch{i}.pdf") for i in range(n)])
        batch_s = (time.perf_counter() - started) / n
    fill = statistics.median(fill_ms)
    one_shot = statistics.median(convert_s)
    peak_children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"fill template (docxtpl)        : {fill:7.1f} ms/doc (median of {len(fill_ms)})")
    print(f"convert, one soffice per doc   : {one_shot:7.2f} s/doc (median of {n})  [baseline]")
    print(f"convert, {n} docs in one soffice: {batch_s:7.2f} s/doc  ratio {one_shot / batch_s:.1f}x vs baseline")
    print(f"conversion is {one_shot * 1000 / fill:.0f}x the cost of filling the template")
    print(f"peak RSS of a soffice child    : {peak_children_mb:7.0f} MB")


if __name__ == "__main__":
    main()
