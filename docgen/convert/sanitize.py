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
(altChunk), sub-documents, an attached template, mail-merge sources and web framesets.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

from docgen._io import atomic_path
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
# A quick look before parsing anything: a document with none of these is copied as it is.
_SUSPECT = re.compile(
    rb'TargetMode="External"|INCLUDE|LINK|DDE|IMPORT|altChunk|subDoc|attachedTemplate|mailMerge|frameset|'
    rb'href=|src=|r:link=|Type="Link"',
    re.IGNORECASE,
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)


def clean_docx(source: Path, target: Path) -> list[str]:
    """Write ``source`` to ``target`` without what could reach the network or local files.

    Returns what was removed, as a clerk reads it (empty when the copy is byte for byte the
    source). The source is read within ``readback``'s bounds (a bomb is refused, not opened).
    """
    parts = docx_parts(source)
    if not any(_SUSPECT.search(data) for name, data in parts.items() if name.endswith((".xml", ".rels"))):
        with atomic_path(target) as tmp:
            tmp.write_bytes(source.read_bytes())
        return []
    removed: Counter[str] = Counter()
    dropped_ids: dict[str, set[str]] = {}  # part that owns the .rels → relationship ids removed
    for name in [n for n in parts if n.endswith(".rels")]:
        parts[name], ids = _clean_relationships(parts[name], removed)
        dropped_ids[_owner_of(name)] = ids
    for name in [n for n in parts if n.endswith(".xml") and not n.startswith("[")]:
        parts[name] = _clean_part(parts[name], dropped_ids.get(name, set()), removed)
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return [f"{what} {count} 处" for what, count in removed.items()]


def _owner_of(rels_name: str) -> str:
    """word/_rels/document.xml.rels → word/document.xml (the part whose ids it defines)."""
    folder, _, file = rels_name.rpartition("_rels/")
    return folder + file.removesuffix(".rels")


def _parse(data: bytes) -> etree._Element | None:
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _clean_relationships(data: bytes, removed: Counter[str]) -> tuple[bytes, set[str]]:
    root = _parse(data)
    if root is None:
        return data, set()
    ids = set()
    for rel in list(root):
        target = rel.get("Target") or ""
        outside = rel.get("TargetMode") == "External" or bool(URL.match(target))
        if outside and rel.get("Type") != HYPERLINK:
            ids.add(rel.get("Id") or "")
            removed["外部链接（图片、模板或对象）"] += 1
            root.remove(rel)
    return (_serialise(root), ids) if ids else (data, ids)


def _clean_part(data: bytes, dropped: set[str], removed: Counter[str]) -> bytes:
    if not _SUSPECT.search(data) and not dropped:
        return data
    root = _parse(data)
    if root is None:
        return data
    changed = _drop_fetching_fields(root, removed)
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
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
            names_address = attribute.rsplit("}", 1)[-1] in ("href", "src", "link") and bool(URL.match(value))
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
