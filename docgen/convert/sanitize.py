"""What LibreOffice must never see in a DOCX: anything that reaches out of the document.

An attack run found that LibreOffice, converting a DOCX, sends OPTIONS/HEAD/GET to an address
an image relationship names (``TargetMode="External"``, ``a:blip r:link``), and embeds a
``file:///`` image from the converting machine into the PDF, which the archive then keeps and
the web page serves. ``clean_docx`` writes a copy without such content and says what it took
out; the converter stages every input through it, and additionally runs LibreOffice with links
blocked and, where the system allows, without a network.

Removed: relationships to anything outside the package (except hyperlinks, which nothing
follows during a conversion), attributes that point at them or at an address directly,
fields that fetch (INCLUDETEXT, INCLUDEPICTURE, LINK, DDE, DDEAUTO, IMPORT, INCLUDE) with their
code (their last shown result stays), linked OLE objects, embedded chunks of other formats
(altChunk), sub-documents, an attached template, mail-merge sources, web framesets, CSS
``url(...)`` and ``@import`` that leave the part, and document type declarations.

Every part whose content is XML is cleaned, whatever its name says: a second attack run put
``xlink:href="file:///..."`` in an SVG picture and the main text in ``word/document.XML``. A part
that looks like XML and does not parse (nested past lxml's limit, broken) is refused with the
whole document: what docgen cannot read, it cannot vouch for.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

from docgen._io import atomic_path
from docgen.errors import UnreadableFileError
from docgen.readback import docx_parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
OFFICE = "urn:schemas-microsoft-com:office:office"

# Field instructions that load something from outside the document when LibreOffice updates them.
FETCHING_FIELD = re.compile(r"^\s*(INCLUDETEXT|INCLUDEPICTURE|INCLUDE|LINK|DDEAUTO|DDE|IMPORT)\b", re.IGNORECASE)
# Elements removed whole wherever they stand (w: namespace unless said).
REMOVED_ELEMENTS = {
    f"{{{W}}}altChunk": "嵌入的其他格式内容（altChunk）",
    f"{{{W}}}subDoc": "子文档链接",
    f"{{{W}}}attachedTemplate": "附加的外部模板",
    f"{{{W}}}mailMerge": "邮件合并数据源",
    f"{{{W}}}frameset": "网页框架",
}
URL = re.compile(r"^\s*([a-z][a-z0-9+.\-]*:|\\\\|//)", re.IGNORECASE)
# CSS that fetches: url(...) naming anything but a fragment of the same part, and @import.
CSS_FETCH = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)
# A quick look before parsing anything: a document with none of these is copied as it is.
_SUSPECT = re.compile(
    rb'TargetMode="External"|INCLUDE|LINK|DDE|IMPORT|altChunk|subDoc|attachedTemplate|mailMerge|frameset|'
    rb"href|src=|r:link=|Type=\"Link\"|url\(|<!DOCTYPE|<!ENTITY",
    re.IGNORECASE,
)
_XML_START = re.compile(rb"^(\xef\xbb\xbf)?\s*<")  # UTF-8 XML (a BOM allowed); UTF-16 starts with a BOM or NUL
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


def clean_docx(source: Path, target: Path) -> list[str]:
    """Write ``source`` to ``target`` without what could reach the network or local files.

    Returns what was removed, as a clerk reads it (empty when the copy is byte for byte the
    source). The source is read within ``readback``'s bounds (a bomb is refused, not opened).
    """
    parts = docx_parts(source)
    xml = {name: data for name, data in parts.items() if _is_xml(data)}
    if not any(_SUSPECT.search(data) or not _XML_START.match(data) for data in xml.values()):
        with atomic_path(target) as tmp:
            tmp.write_bytes(source.read_bytes())
        return []
    removed: Counter[str] = Counter()
    dropped_ids: dict[str, set[str]] = {}  # part that owns the .rels → relationship ids removed
    for name in [n for n in xml if n.lower().endswith(".rels")]:
        parts[name], ids = _clean_relationships(source, name, parts[name], removed)
        dropped_ids[_owner_of(name).lower()] = ids
    for name in [n for n in xml if not n.lower().endswith(".rels") and n != "[Content_Types].xml"]:
        parts[name] = _clean_part(source, name, parts[name], dropped_ids.get(name.lower(), set()), removed)
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return [f"{what} {count} 处" for what, count in removed.items()]


def _owner_of(rels_name: str) -> str:
    """word/_rels/document.xml.rels → word/document.xml (the part whose ids it defines)."""
    folder, _, file = rels_name.rpartition("_rels/")
    return folder + file.removesuffix(".rels")


def _is_xml(data: bytes) -> bool:
    """Whether a part's content is XML (UTF-8, or UTF-16 as its BOM or its NUL bytes show)."""
    return bool(_XML_START.match(data)) or data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"<\0?\0", b"\0<\0?")


def _parse(source: Path, name: str, data: bytes) -> etree._Element:
    """The part's XML tree; a part that does not parse refuses the whole document."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        msg = (
            f"{source}：其中的 {name} 不是有效的 XML（{str(exc)[:80]}），无法确认它不引用外部内容，不予转换。"
            "请在 Word/WPS 中打开后另存为 DOCX 再试。"
        )
        raise UnreadableFileError(msg) from exc
    if root.getroottree().docinfo.internalDTD is not None and any(
        isinstance(node, etree._Entity) for node in root.iter()
    ):
        msg = f"{source}：其中的 {name} 使用了自定义实体（<!ENTITY>），不是 Word 写的内容，不予转换。"
        raise UnreadableFileError(msg)
    return root


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _clean_relationships(source: Path, name: str, data: bytes, removed: Counter[str]) -> tuple[bytes, set[str]]:
    root = _parse(source, name, data)
    ids = set()
    for rel in list(root):
        target = rel.get("Target") or ""
        outside = rel.get("TargetMode") == "External" or bool(URL.match(target))
        if outside and rel.get("Type") != HYPERLINK:
            ids.add(rel.get("Id") or "")
            removed["外部链接（图片、模板或对象）"] += 1
            root.remove(rel)
    return (_serialise(root), ids) if ids else (data, ids)


def _clean_part(source: Path, name: str, data: bytes, dropped: set[str], removed: Counter[str]) -> bytes:
    utf8 = bool(_XML_START.match(data))
    if utf8 and not _SUSPECT.search(data) and not dropped:
        return data
    root = _parse(source, name, data)
    changed = _drop_fetching_fields(root, removed) or not utf8  # UTF-16 is written back as UTF-8
    if root.getroottree().docinfo.doctype:  # a DTD may name an address to fetch; serialising drops it
        removed["文档类型声明（DOCTYPE）"] += 1
        changed = True
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if element.tag.rsplit("}", 1)[-1] == "style" and CSS_FETCH.search(element.text or ""):
            element.text = ""  # a style sheet that fetches is dropped whole: half of one is no better
            removed["样式中引用的外部内容"] += 1
            changed = True
        if element.tag in REMOVED_ELEMENTS or (
            element.tag == f"{{{OFFICE}}}OLEObject" and (element.get("Type") or "").lower() == "link"
        ):
            what = REMOVED_ELEMENTS.get(element.tag, "链接的 OLE 对象")
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
                removed[what] += 1
                changed = True
            continue
        for attribute, value in list(element.attrib.items()):
            points_out = attribute.startswith(f"{{{R}}}") and value in dropped
            names_address = (
                attribute.rsplit("}", 1)[-1] in ("href", "src", "link") and bool(URL.match(value))
            ) or bool(CSS_FETCH.search(value))
            if points_out or names_address:
                del element.attrib[attribute]
                if names_address:
                    removed["外部链接（图片、模板或对象）"] += 1
                changed = True
    return _serialise(root) if changed else data


def _drop_fetching_fields(root: etree._Element, removed: Counter[str]) -> bool:
    """Remove the code of fields that fetch; their last shown result stays as plain text."""
    changed = _unwrap_simple_fields(root, removed)
    runs = list(root.iter(f"{{{W}}}r"))
    # One entry per open field: where it began, where its code ended, and the code read so far.
    open_fields: list[dict[str, object]] = []
    doomed: list[etree._Element] = []
    for index, run in enumerate(runs):
        mark = run.find(f"{{{W}}}fldChar")
        kind = mark.get(f"{{{W}}}fldCharType") if mark is not None else None
        if kind == "begin":
            open_fields.append({"begin": index, "separate": None, "code": ""})
        elif kind == "separate" and open_fields:
            open_fields[-1]["separate"] = index
        elif kind == "end" and open_fields:
            field = open_fields.pop()
            code = str(field["code"])
            if FETCHING_FIELD.match(code):
                begin = int(str(field["begin"]))
                last_code = field["separate"] if field["separate"] is not None else index
                doomed += [*runs[begin : int(str(last_code)) + 1], run]
                removed[_field_name(code)] += 1
        else:
            instruction = run.find(f"{{{W}}}instrText")
            if instruction is not None and open_fields and open_fields[-1]["separate"] is None:
                open_fields[-1]["code"] = str(open_fields[-1]["code"]) + (instruction.text or "")
    for run in dict.fromkeys(doomed):
        parent = run.getparent()
        if parent is not None:
            parent.remove(run)
            changed = True
    return changed


def _unwrap_simple_fields(root: etree._Element, removed: Counter[str]) -> bool:
    """``w:fldSimple`` that fetch give way to the runs they hold (the last shown result)."""
    changed = False
    for simple in list(root.iter(f"{{{W}}}fldSimple")):
        instruction = simple.get(f"{{{W}}}instr") or ""
        parent = simple.getparent()
        if parent is None or not FETCHING_FIELD.match(instruction):
            continue
        at = parent.index(simple)
        for child in list(simple):
            parent.insert(at, child)
            at += 1
        parent.remove(simple)
        removed[_field_name(instruction)] += 1
        changed = True
    return changed


def _field_name(code: str) -> str:
    found = FETCHING_FIELD.match(code)
    return f"{found[1].upper() if found else '外部'} 域（读取外部文件）"
