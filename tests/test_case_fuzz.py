"""Random input through case loading and DOCX rendering: always a result or a DocgenError."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen.case.model import load_case
from docgen.errors import DocgenError
from docgen.render.context import documents_for
from docgen.render.templates import find_template, render_docx
from tests.conftest import EXAMPLE_CASE

EXAMPLE: dict[str, Any] = yaml.safe_load(EXAMPLE_CASE.read_text(encoding="utf-8"))

# Any character at all, the troublesome ones made likely: controls, bidi, zero-width, CJK, emoji.
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=["Cs"]),
        st.sampled_from("\x00\x07\x0b\x0c\x1b\u202e\u200b\ufeff恩平〔〕（）：；，。、/\\..\n\t{{}}<&>"),
    ),
    max_size=40,
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT, st.dates())
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=30,
)


def attempt(data: object) -> None:
    """Load ``data`` as a case and render every document it makes; only DocgenError may escape."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with contextlib.suppress(DocgenError):
            case = load_case(path)
            for kind in ("notice", "announcement", "acceptance", "set"):
                for document in documents_for(case, kind):
                    template = find_template(document.template_kind, None)
                    render_docx(template, document.context, Path(tmp) / f"{document.file_stem}.docx")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_random_documents_load_or_fail_cleanly(data: object) -> None:
    attempt(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, body=TEXT, name=TEXT, key=TEXT, unit=TEXT)
def test_random_text_in_a_real_case_renders_or_fails_cleanly(
    title: str, body: str, name: str, key: str, unit: str
) -> None:
    data = yaml.safe_load(yaml.safe_dump(EXAMPLE, allow_unicode=True))
    data["notice"]["title"] = title
    data["notice"]["body"] = [body, "请遵照执行。"]
    enterprise = data["enterprises"].pop("hengda")
    enterprise["name"] = name
    enterprise["capacity"]["unit"] = unit
    data["enterprises"][key] = enterprise
    data["announcement"]["enterprises"] = [key if k == "hengda" else k for k in data["announcement"]["enterprises"]]
    attempt(data)


@settings(max_examples=30, deadline=None)
@given(depth=st.integers(min_value=1, max_value=400), kind=st.sampled_from(["[", "{a: "]))
def test_random_nesting_is_refused_or_loaded(depth: int, kind: str) -> None:
    closing = "]" if kind == "[" else "}"
    text = EXAMPLE_CASE.read_text(encoding="utf-8").replace("year: 2021", f"year: {kind * depth}1{closing * depth}", 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "case.yaml"
        path.write_text(text, encoding="utf-8")
        with contextlib.suppress(DocgenError):
            load_case(path)
