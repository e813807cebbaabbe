"""Cases for the body-length sweep: an example's body repeated to one line more each time.

The body of an example document is replaced by its own text repeated to ``(length + 2) × 28``
characters, in paragraphs of at most 149 characters (used by ``tests/test_pages.py`` and
``bench/bench_render.py``).
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from docgen import layout

REPO = Path(__file__).resolve().parent.parent
SOURCES = {
    "notice": REPO / "examples" / "enping-2021" / "case.yaml",
    "request": REPO / "examples" / "enping-2021-coordination" / "case.yaml",
    "letter": REPO / "examples" / "enping-2021-coordination" / "case.yaml",
}
LENGTHS = 40
PARAGRAPH_MAX = 149  # a body paragraph of about five lines
_OPENING_PUNCTUATION = "。，；、：）》”"


def squash(text: str) -> str:
    return "".join(text.split())


def body_of_length(text: str, lines: int) -> list[str]:
    """``text`` repeated to ``lines`` full lines, cut into paragraphs that end with "。"."""
    wanted = (lines + 2) * layout.CHARS_PER_LINE
    repeated = (text * (wanted // len(text) + 2))[:wanted]
    paragraphs = []
    for start in range(0, len(repeated), PARAGRAPH_MAX):
        chunk = repeated[start : start + PARAGRAPH_MAX].lstrip(_OPENING_PUNCTUATION)
        chunk = chunk.rstrip("。，；、：（《“") + "。"
        if len(chunk) > 1:
            paragraphs.append(chunk)
    return paragraphs


def write_cases(folder: Path, kind: str, lengths: range = range(LENGTHS)) -> list[Path]:
    """One case file per body length for ``kind``, written into ``folder``."""
    data = yaml.safe_load(SOURCES[kind].read_text(encoding="utf-8"))
    text = squash("".join(data[kind]["body"]))
    paths = []
    for lines in lengths:
        case = copy.deepcopy(data)
        case[kind]["body"] = body_of_length(text, lines)
        path = folder / f"{kind}-{lines:02d}.yaml"
        path.write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths
