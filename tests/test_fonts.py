"""GB/T 9704 font names resolve to stand-ins, and a licensed real font dropped in wins."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from docgen.convert.fonts import resolve_fonts, write_conversion_config
from docgen.vocab import FANGSONG, FONT_ROLES
from tests.conftest import RunCli

FANDOL_KAI = Path("/usr/local/share/fonts/docgen-fandol/FandolKai-Regular.otf")


def test_every_name_resolves_to_its_stand_in(tmp_path: Path) -> None:
    conf = write_conversion_config(tmp_path, [tmp_path / "no-such-folder"])
    resolved = {r.role.name: r for r in resolve_fonts(conf)}
    for role in FONT_ROLES:
        res = resolved[role.name]
        assert not res.real
        assert res.family == role.stand_in_family, res
    assert resolved["方正小标宋简体"].style == "Bold"


def make_licensed_font(target_dir: Path) -> Path:
    """Stand in for a licensed 仿宋_GB2312: a real font file whose family is that name."""
    font = TTFont(FANDOL_KAI)
    names = font["name"]
    names.removeNames(platformID=1)  # Mac Roman records cannot hold Chinese
    for name_id in (1, 4, 16):
        names.removeNames(nameID=name_id)
        for lang in (0x409, 0x804):
            names.setName(FANGSONG.name, name_id, 3, 1, lang)
    names.removeNames(nameID=6)
    names.setName("FangSongGB2312Licensed", 6, 3, 1, 0x409)
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / "fangsong_gb2312.otf"
    font.save(path)
    return path


def test_a_licensed_font_in_the_workspace_wins(tmp_path: Path) -> None:
    make_licensed_font(tmp_path / "fonts")
    conf = write_conversion_config(tmp_path / "fc", [tmp_path / "fonts"])
    resolved = {r.role.name: r for r in resolve_fonts(conf)}
    assert resolved[FANGSONG.name].real
    assert resolved[FANGSONG.name].file.endswith("fangsong_gb2312.otf")
    assert not resolved["黑体"].real


@pytest.mark.libreoffice
def test_conversion_embeds_the_licensed_font(tmp_path: Path, run_cli: RunCli) -> None:
    from tests.conftest import EXAMPLE_CASE

    make_licensed_font(tmp_path / "fonts")
    out = tmp_path / "out"
    result = run_cli("-w", str(tmp_path), "render", str(EXAMPLE_CASE), "-o", str(out), "--format", "pdf")
    assert result.exit_code == 0, result.err
    fonts = subprocess.run(["pdffonts", str(out / "notice.pdf")], capture_output=True, text=True, check=True).stdout
    # The test font carries FandolKai's outlines (and CFF name): they are what must be embedded.
    assert "FandolKai" in fonts
    assert "FandolFang" not in fonts
    assert not (out / "notice.docx").exists(), "--format pdf writes only the PDF"


def test_docx_names_the_real_fonts_on_the_east_asian_slot() -> None:
    import zipfile

    from docgen.render.templates import BUILTIN_TEMPLATES

    xml = ""
    for template in BUILTIN_TEMPLATES.glob("*.docx"):
        with zipfile.ZipFile(template) as zf:
            xml += zf.read("word/styles.xml").decode() + zf.read("word/document.xml").decode()
            assert "GwPageNumber" in zf.read("word/footer1.xml").decode()
    for name in ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"):
        assert f'w:eastAsia="{name}"' in xml
