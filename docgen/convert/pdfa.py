"""Archival renditions: a PDF/A-2b made from an imported PDF that is not one.

DA/T 70 lets an archive keep a file converted to a long-term format beside the original, as long
as the conversion is recorded. Ghostscript's pdfwrite does the conversion: it embeds every font
it can, writes the XMP ``pdfaid`` marks and the sRGB output intent, and passes scanned images
through; measured on a 1-page text PDF, a scan and a PDF with an unembedded CJK font: 0.06-0.09 s
and 25-29 MB each (LibreOffice cannot open a PDF without its Draw module; OCRmyPDF's own PDF/A
step is this same Ghostscript call). What Ghostscript cannot do is keep the text of a font that
was never embedded (a bare ``STSong-Light``): the result reads as garbage, so the caller reads
every rendition back and, where its text differs, makes one from page images with the text laid
invisibly over them instead (``page_images``).

A scan gets its recognised text as an invisible layer (``with_text_layer``): each line drawn in
render mode 3 at the place it was read, stretched to the width it covers, so a reader can search
and select it over the image. Imports only the shared modules and third-party libraries.
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.errors import ConversionError

GS_TIMEOUT_S = 600  # a 300-page scan takes about a minute
ICC_PROFILES = (
    Path("/usr/share/color/icc/ghostscript/srgb.icc"),  # Debian's libgs10-common
    Path("/usr/share/color/icc/sRGB.icc"),
)
IMAGE_DPI = 300  # page images of a PDF whose text Ghostscript could not keep
INSTALL_HINT = "请安装 Ghostscript（Debian 软件包 ghostscript；make demo 和 make test 会自动安装）"

# Ghostscript's own PDFA_def.ps, with the profile's path filled in: the output intent and the
# ICC stream every PDF/A needs (ISO 19005-2 6.2.3).
_PDFA_DEF = """%!
/ICCProfile ({icc}) def
[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} << /N 3 >> /PUT pdfmark
[{{icc_PDFA}} ICCProfile (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} <<
  /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc_PDFA}}
  /OutputConditionIdentifier (sRGB)
>> /PUT pdfmark
[{{Catalog}} << /OutputIntents [ {{OutputIntent_PDFA}} ] >> /PUT pdfmark
"""


@dataclass(frozen=True)
class TextRun:
    """One line of text and where it stands on its page, in points from the page's top left.

    ``angle`` (degrees, counter-clockwise) turns the line about its box's centre: on a crooked or
    sideways scan the text runs that way, and its invisible copy follows it.
    """

    text: str
    left: float
    top: float
    right: float
    bottom: float
    angle: float = 0.0


@functools.cache
def ghostscript() -> tuple[str, str]:
    """The Ghostscript program and its version, or a ``ConversionError`` saying how to install it."""
    program = shutil.which("gs")
    if program is None:
        msg = f"生成 PDF/A 转换件需要 Ghostscript，本机没有。{INSTALL_HINT}"
        raise ConversionError(msg)
    try:
        found = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        msg = f"Ghostscript 无法运行（{exc}）。{INSTALL_HINT}"
        raise ConversionError(msg) from exc
    return program, found.stdout.strip()


def _icc_profile() -> Path:
    for profile in ICC_PROFILES:
        if profile.is_file():
            return profile
    msg = f"找不到 sRGB 色彩配置文件（{ICC_PROFILES[0]}）。{INSTALL_HINT}"
    raise ConversionError(msg)


def to_pdfa(source: Path, target: Path, *, legacy: bool = False) -> str:
    """Convert ``source`` to a PDF/A-2b at ``target``; returns the tool and version used.

    The caller reads the result back: Ghostscript says nothing when it substitutes a font. Its
    PDF interpreter of 10.0 (Debian 12) drops the ToUnicode map of the TrueType text layer laid
    over a scan, so the layer reads back as control characters; ``legacy`` uses the interpreter
    it replaced, which keeps it (and which later releases no longer have).
    """
    program, version = ghostscript()
    icc = _icc_profile()
    with tempfile.TemporaryDirectory(prefix="docgen-pdfa-") as tmp:
        definition = Path(tmp) / "pdfa_def.ps"
        definition.write_text(_PDFA_DEF.format(icc=icc), encoding="ascii")
        command = [
            program,
            "-q",
            "-dSAFER",
            "-dBATCH",
            "-dNOPAUSE",
            "-dPDFA=2",
            "-dPDFACompatibilityPolicy=1",  # what cannot be PDF/A (e.g. a transparency group) is dropped, not refused
            "-sColorConversionStrategy=RGB",
            "-sDEVICE=pdfwrite",
            "-dAutoRotatePages=/None",  # pdfwrite turns a page whose text runs sideways: a rendition keeps it as it is
            *(["-dNEWPDF=false"] if legacy else []),
            f"--permit-file-read={icc}",
            f"-sOutputFile={target}",
            str(definition),
            str(source),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=GS_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            msg = f"{source.name}：转换为 PDF/A 失败（{exc}）"
            raise ConversionError(msg) from exc
    if done.returncode != 0 or not target.is_file() or not target.stat().st_size:
        said = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"退出码 {done.returncode}"]
        msg = f"{source.name}：转换为 PDF/A 失败（Ghostscript：{said[0][:200]}）"
        raise ConversionError(msg)
    return f"Ghostscript {version}" + ("（旧版 PDF 解释器）" if legacy else "")


def with_text_layer(source: Path, runs: Mapping[int, Sequence[TextRun]], target: Path) -> None:
    """``source`` with each page's ``runs`` (1-based page numbers) drawn over it as invisible text."""
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415 - heavy, and only imports need it
    from reportlab.pdfgen import canvas  # noqa: PLC0415

    name = _glyphless_font("".join(run.text for lines in runs.values() for run in lines))
    reader = PdfReader(source)
    writer = PdfWriter(clone_from=reader)
    for number, page in enumerate(writer.pages, start=1):
        lines = runs.get(number)
        if not lines:
            continue
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        buffer = io.BytesIO()
        # Our font as the canvas's first font: reportlab would otherwise add an unembedded Helvetica.
        layer = canvas.Canvas(buffer, pagesize=(width, height), initialFontName=name, initialFontSize=10)
        for run in lines:
            _draw_invisible(layer, name, run, height)
        layer.showPage()
        layer.save()
        overlay = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
        if box.left or box.bottom:
            overlay.add_transformation((1, 0, 0, 1, float(box.left), float(box.bottom)))
        page.merge_page(overlay)
    with target.open("wb") as out:
        writer.write(out)


def _glyphless_font(text: str) -> str:
    """A TrueType font that maps every character of ``text`` to one empty glyph, registered with reportlab.

    The layer is never seen, only searched and selected: what it needs is each character's code
    (the ToUnicode map reportlab writes), not its shape. A real font lacks some characters a
    document holds (AR PL SungtiL has no 〇), and those would read back as nothing; this one has
    them all, as OCRmyPDF's GlyphLessFont does. A square advance (1 em) keeps widths simple.
    """
    from fontTools.fontBuilder import FontBuilder  # noqa: PLC0415
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # noqa: PLC0415
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415

    characters = sorted({ord(ch) for ch in text if ch.isprintable()} | {ord("x")})
    name = f"DocgenText{hashlib.sha256(repr(characters).encode()).hexdigest()[:12]}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder([".notdef", "blank"])
    builder.setupCharacterMap(dict.fromkeys(characters, "blank"))
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({".notdef": empty, "blank": empty})
    builder.setupHorizontalMetrics({".notdef": (1000, 0), "blank": (1000, 0)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": name, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    buffer = io.BytesIO()
    builder.save(buffer)
    pdfmetrics.registerFont(TTFont(name, io.BytesIO(buffer.getvalue())))
    return name


def _draw_invisible(layer: Any, font: str, run: TextRun, page_height: float) -> None:
    """One line in render mode 3 (neither filled nor stroked), as tall and as wide as it was read."""
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415

    width, height = run.right - run.left, run.bottom - run.top
    size = max(1.0, height * 0.9)
    natural = pdfmetrics.stringWidth(run.text, font, size) or 1.0
    layer.saveState()
    layer.translate((run.left + run.right) / 2, page_height - (run.top + run.bottom) / 2)
    layer.rotate(run.angle)
    text = layer.beginText()
    text.setTextRenderMode(3)
    text.setFont(font, size)
    text.setHorizScale(max(1.0, min(1000.0, 100.0 * width / natural)))
    text.setTextOrigin(-width / 2, -height / 2 + size * 0.12)
    text.textOut(run.text)
    layer.drawText(text)
    layer.restoreState()


def page_pngs(source: Path, folder: Path, dpi: int, *, gray: bool = False) -> list[Path]:
    """Every page of ``source`` as a PNG in ``folder``, in page order (poppler's pdftoppm)."""
    folder.mkdir(parents=True, exist_ok=True)
    command = ["pdftoppm", "-r", str(dpi), *(["-gray"] if gray else []), "-png", str(source), str(folder / "p")]
    try:
        subprocess.run(command, capture_output=True, timeout=GS_TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        msg = f"{source.name}：无法转成页面图片（{exc}）"
        raise ConversionError(msg) from exc
    return sorted(folder.glob("p-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def page_images(source: Path, pages: int, target: Path, dpi: int = IMAGE_DPI) -> None:
    """An image-only copy of ``source``: every page rendered by poppler (which finds a stand-in for a missing font)."""
    from PIL import Image  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="docgen-pages-") as tmp:
        files = page_pngs(source, Path(tmp), dpi, gray=True)
        if len(files) != pages:
            msg = f"{source.name}：转出 {len(files)} 页图片，原件有 {pages} 页"
            raise ConversionError(msg)
        images = [Image.open(f) for f in files]
        images[0].save(target, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
        for image in images:
            image.close()


__all__ = ["IMAGE_DPI", "TextRun", "ghostscript", "page_images", "to_pdfa", "with_text_layer"]
