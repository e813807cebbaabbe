"""Font resolution for conversion: licensed GB/T 9704 fonts where present, free stand-ins otherwise.

Documents keep the names an office PC has (仿宋_GB2312 …). For LibreOffice here, docgen writes
a private fontconfig file that adds the configured font folders and, only for a name no
installed font provides, rewrites the request to its stand-in. Deciding per name (rather than a
weak alias) is what guarantees a licensed real font dropped into a font folder wins.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from docgen.errors import ConversionError
from docgen.vocab import FONT_ROLES, FontRole

SYSTEM_FONTCONFIG = Path("/etc/fonts/fonts.conf")


@dataclass(frozen=True)
class FontResolution:
    """What one GB/T 9704 font name turns into during conversion."""

    role: FontRole
    real: bool
    family: str
    style: str
    file: str

    @property
    def describe(self) -> str:
        """A one-line Chinese description for ``docgen doctor``."""
        kind = "正式字体" if self.real else "替代字体"
        return f"{self.family} {self.style}（{kind}，{self.file}）"


def _conf_text(font_dirs: Sequence[Path], substitutes: Sequence[FontRole]) -> str:
    dirs = "".join(f"<dir>{escape(str(d))}</dir>" for d in font_dirs)
    rules = []
    for role in substitutes:
        weight = '<edit name="weight" mode="assign"><const>bold</const></edit>' if role.stand_in_bold else ""
        rules.append(
            '<match target="pattern">'
            f'<test name="family"><string>{escape(role.name)}</string></test>'
            f'<edit name="family" mode="assign" binding="strong"><string>{escape(role.stand_in_family)}</string></edit>'
            f"{weight}</match>"
        )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>'
        f'<include ignore_missing="yes">{SYSTEM_FONTCONFIG}</include>{dirs}{"".join(rules)}</fontconfig>\n'
    )


def _fc(tool: str, conf: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which(tool)
    if exe is None:
        msg = f"找不到 {tool}（fontconfig）。请先运行 make demo 或安装 fontconfig。"
        raise ConversionError(msg)
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    return subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=60, check=False)


def has_family(conf: Path, family: str) -> bool:
    """Tell whether an installed font declares ``family`` among its family names."""
    result = _fc("fc-list", conf, "-q", f"{family}")
    return result.returncode == 0


def write_conversion_config(directory: Path, font_dirs: Sequence[Path]) -> Path:
    """Write the fontconfig file for conversion into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    existing_dirs = [d for d in font_dirs if d.is_dir()]
    base = directory / "fonts-base.conf"
    base.write_text(_conf_text(existing_dirs, []), encoding="utf-8")
    missing = [role for role in FONT_ROLES if not has_family(base, role.name)]
    conf = directory / "fonts.conf"
    conf.write_text(_conf_text(existing_dirs, missing), encoding="utf-8")
    return conf


def resolve_fonts(conf: Path) -> list[FontResolution]:
    """Ask fontconfig, through ``conf``, what each GB/T 9704 font name resolves to."""
    resolutions = []
    for role in FONT_ROLES:
        out = _fc("fc-match", conf, "-f", "%{family}|%{style[0]}|%{file}", role.name).stdout
        families, style, file = ([*out.split("|"), "", "", ""])[:3]
        names = families.split(",")
        real = role.name in names
        resolutions.append(FontResolution(role, real, role.name if real else names[0], style, file))
    return resolutions


def _parse_charset(text: str) -> set[int]:
    """Fontconfig's charset notation ("20-7e a0 4e00-9fa5") as code points."""
    points: set[int] = set()
    for part in text.split():
        first, _, last = part.partition("-")
        with contextlib.suppress(ValueError):
            points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


@functools.lru_cache(maxsize=4)
def coverage(font_dirs: tuple[Path, ...]) -> frozenset[int]:
    """Every character some font LibreOffice may use during conversion can draw.

    LibreOffice falls back from the font a run asks for to any font that has a glyph; when no
    font has one it prints an empty box or nothing, and the DOCX still holds the character.
    (fontconfig answers from its cache: ~30 ms for 60 fonts.)
    """
    with tempfile.TemporaryDirectory(prefix="docgen-fc-") as tmp:
        conf = write_conversion_config(Path(tmp), font_dirs)
        listing = _fc("fc-list", conf, "-f", "%{charset}\\n").stdout
    points: set[int] = set()
    for line in listing.splitlines():
        points |= _parse_charset(line)
    return frozenset(points)
