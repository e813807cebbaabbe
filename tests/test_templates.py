"""Built-in templates are reproducible from code, valid, and strictly checked."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document

from docgen.errors import TemplateError
from docgen.render.builder import build_all
from docgen.render.templates import BUILTIN_TEMPLATES, check_template


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


def test_export_copies_every_template_and_never_overwrites(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "mine"
    result = run_cli("templates", "export", str(target))
    assert result.exit_code == 0, result.err
    names = sorted(p.name for p in target.iterdir())
    assert names == sorted(p.name for p in BUILTIN_TEMPLATES.glob("*.docx"))
    (target / "notice.docx").write_bytes(b"edited by a clerk")
    result = run_cli("templates", "export", str(target))
    assert result.exit_code == 1
    assert "已存在" in result.err
    assert (target / "notice.docx").read_bytes() == b"edited by a clerk"
    assert run_cli("templates", "export", str(target), "--force").exit_code == 0
    assert (target / "notice.docx").read_bytes() == (BUILTIN_TEMPLATES / "notice.docx").read_bytes()


def test_case_template_folder_wins_and_is_checked(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import EXAMPLE_CASE

    folder = tmp_path / "case-templates"
    folder.mkdir()
    source = BUILTIN_TEMPLATES / "acceptance.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(folder / "acceptance.docx", "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.decode().replace("{{ address }}", "{{ address }}{{ 法定代表人 }}").encode()
            zout.writestr(item, data)
    case = tmp_path / "case.yaml"
    case.write_text(
        EXAMPLE_CASE.read_text(encoding="utf-8").replace("year: 2021", "year: 2021\ntemplates: case-templates"),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli("-w", str(tmp_path), "render", str(case), "-k", "acceptance", "-o", str(out))
    assert result.exit_code == 1
    assert "{{ 法定代表人 }}" in result.err
    assert str(folder / "acceptance.docx") in result.err
    assert not out.exists()


def test_every_style_a_template_uses_is_defined() -> None:
    import re

    for template in BUILTIN_TEMPLATES.glob("*.docx"):
        with zipfile.ZipFile(template) as zf:
            styles = zf.read("word/styles.xml").decode()
            defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
            used: set[str] = set()
            for part in ("word/document.xml", "word/footer1.xml", "word/footer2.xml"):
                used |= set(re.findall(r'<w:pStyle w:val="([^"]+)"', zf.read(part).decode()))
        assert used <= defined, f"{template.name}: undefined styles {used - defined}"
