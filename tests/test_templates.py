"""Built-in templates are reproducible from code, valid, and strictly checked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from docgen.errors import TemplateError
from docgen.paths import BUILTIN_TEMPLATES
from docgen.template_builder import build_all
from docgen.templates import check_template


def test_committed_templates_match_the_builder() -> None:
    built = build_all()
    assert built, "no templates built"
    for name, data in built.items():
        committed = (BUILTIN_TEMPLATES / name).read_bytes()
        assert committed == data, f"{name} is stale: run `make templates` and commit"
    assert build_all() == built, "the builder is not deterministic"


def test_templates_open_in_python_docx() -> None:
    doc = Document(str(BUILTIN_TEMPLATES / "notice.docx"))
    section = doc.sections[0]
    measured = [
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    ]
    assert [round(length.mm) if length is not None else None for length in measured] == [210, 297, 37, 35, 28, 26]


def test_xml_parts_are_well_formed() -> None:
    from xml.etree import ElementTree

    with zipfile.ZipFile(BUILTIN_TEMPLATES / "notice.docx") as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(zf.read(name))  # noqa: S314 - our own files


def edited_template(tmp_path: Path, old: str, new: str) -> Path:
    source = BUILTIN_TEMPLATES / "notice.docx"
    target = tmp_path / "notice.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.decode().replace(old, new).encode()
            zout.writestr(item, data)
    return target


def test_unknown_tag_is_named_with_the_template(tmp_path: Path) -> None:
    template = edited_template(tmp_path, "{{ title }}", "{{ title }}{{ 签发人 }}")
    with pytest.raises(TemplateError) as info:
        check_template(
            template,
            {
                "title": "x",
                "banner": "",
                "number": "",
                "recipients": "",
                "body": [],
                "signature": "",
                "date": "",
                "note": "",
                "disclosure": "",
                "copy_to": "",
                "printed_by": "",
                "printed_date": "",
            },
        )
    assert "{{ 签发人 }}" in info.value.message
    assert str(template) in info.value.message


def test_custom_template_folder_is_used_and_checked(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import EXAMPLE_CASE

    folder = tmp_path / "tpl"
    folder.mkdir()
    edited_template(folder, "{{ title }}", "{{ titel }}")
    (tmp_path / "docgen.toml").write_text('[paths]\ntemplates = "tpl"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("-w", str(tmp_path), "render", str(EXAMPLE_CASE), "-o", str(out), "--format", "docx")
    assert result.exit_code == 1
    assert "{{ titel }}" in result.err and str(folder / "notice.docx") in result.err
    assert not out.exists()
