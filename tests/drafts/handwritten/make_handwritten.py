"""Build eight hand-made 公文 drafts (.docx) with ground-truth role labels.

Each draft imitates the way a clerk at a county/city bureau types a document
in Word or WPS: typed full-width spaces for indents, headings typed by hand or
made with Word automatic numbering, red-head banners, tracked changes, comments,
text boxes, 版记 lines or a 版记 table, and so on.

For every draft ``NN-name.docx`` a ``NN-name.roles.json`` is written: one entry
per non-empty paragraph in reading order, ``{"text", "role", "level"}``.

Conventions used for "text":
  * the paragraph's text exactly as Word displays it: typed leading spaces
    (full-width "　") are kept, an automatic numbering label Word draws
    (e.g. "一、") is prefixed, tracked deletions are dropped and tracked
    insertions kept (i.e. the text after "accept all changes");
  * comment (批注) text never appears;
  * text-box paragraphs are listed just before the paragraph that anchors the
    text box (if that anchor paragraph is empty, it is not listed at all);
  * table cell paragraphs are listed in row/cell order where the table sits.

Run:  /work/main/.venv/bin/python tests/drafts/handwritten/make_handwritten.py
The script rebuilds all files deterministically (fixed metadata, fixed zip
timestamps) and then re-opens every .docx with python-docx and checks the
labels against an independent reading of the XML.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import json
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

HERE = Path(__file__).resolve().parent

S = "\u3000"  # full-width space, as typed by clerks

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECL = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:wp14="http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:w10="urn:schemas-microsoft-com:office:word"'
)

# order of children inside w:pPr (subset we use), per the OOXML schema
PPR_ORDER = [
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
]

ROLES = {
    "banner",
    "number",
    "title",
    "recipients",
    "body",
    "heading",
    "attachments",
    "signature",
    "date",
    "note",
    "disclosure",
    "copy_to",
    "printed",
}


def el(tag: str, **attrs) -> OxmlElement:
    e = OxmlElement(tag)
    for k, v in attrs.items():
        e.set(qn("w:" + k), str(v))
    return e


# --------------------------------------------------------------------------
# numbering definitions (Word automatic numbering)
# --------------------------------------------------------------------------


def lvl_xml(ilvl, fmt, text, *, east=None, bold=False, first=640, left=0, suff="nothing", start=1):
    rpr = ""
    if east or bold:
        fonts = f'<w:rFonts w:ascii="{east}" w:hAnsi="{east}" w:eastAsia="{east}" w:hint="eastAsia"/>' if east else ""
        rpr = f"<w:rPr>{fonts}{'<w:b/>' if bold else ''}</w:rPr>"
    suff_xml = f'<w:suff w:val="{suff}"/>' if suff else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}">'
        f'<w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'{suff_xml}<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left}" w:firstLine="{first}"/></w:pPr>{rpr}</w:lvl>'
    )


def add_abstract_num(doc, abstract_id: int, nsid: str, lvls: list[str], multi=True):
    numbering = doc.part.numbering_part.element
    rest = "".join(
        lvl_xml(i, "decimal", f"%{i + 1}.", first=0, left=420 * (i + 1), suff=None) for i in range(len(lvls), 9)
    )
    xml = (
        f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{abstract_id}">'
        f'<w:nsid w:val="{nsid}"/>'
        f'<w:multiLevelType w:val="{"multilevel" if multi else "singleLevel"}"/>'
        f'<w:tmpl w:val="{nsid[::-1]}"/>' + "".join(lvls) + rest + "</w:abstractNum>"
    )
    node = parse_xml(xml)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(node)
    else:
        numbering.append(node)


def add_num(doc, num_id: int, abstract_id: int):
    numbering = doc.part.numbering_part.element
    numbering.append(
        parse_xml(f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>')
    )


# --------------------------------------------------------------------------
# text boxes
# --------------------------------------------------------------------------


def textbox_run_wps(paras, shape_id: int, *, width_emu=5029200, height_emu=457200, off_y_emu=114300):
    """A Word 2010+ text box (wps shape) with a VML fallback, as Word writes it."""
    w_pt = width_emu / 12700
    h_pt = height_emu / 12700
    xml = (
        f'<w:r {NSDECL}><w:rPr><w:noProof/></w:rPr><mc:AlternateContent><mc:Choice Requires="wps">'
        "<w:drawing>"
        '<wp:anchor distT="0" distB="0" distL="114300" distR="114300" simplePos="0"'
        f' relativeHeight="{251659264 + shape_id}" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset>'
        f'</wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>{off_y_emu}</wp:posOffset>'
        f'</wp:positionV><wp:extent cx="{width_emu}" cy="{height_emu}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapTopAndBottom/>'
        f'<wp:docPr id="{shape_id}" name="文本框 {shape_id}"/><wp:cNvGraphicFramePr/><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{width_emu}" cy="{height_emu}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
        '</a:prstGeom><a:noFill/><a:ln w="6350"><a:noFill/></a:ln></wps:spPr><wps:txbx><w:txbxContent/>'
        "</wps:txbx>"
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="91440" tIns="45720" rIns="91440" bIns="45720"'
        ' anchor="t" anchorCtr="0">'
        "<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>"
        "</mc:Choice><mc:Fallback><w:pict>"
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f'<v:shape id="文本框 {shape_id}" o:spid="_x0000_s{1025 + shape_id}" type="#_x0000_t202"'
        f' style="position:absolute;margin-left:0;margin-top:{off_y_emu / 12700:.1f}pt;width:{w_pt:.1f}pt;'
        f"height:{h_pt:.1f}pt;z-index:{251659264 + shape_id};mso-wrap-style:square;"
        'mso-position-horizontal-relative:text;mso-position-vertical-relative:text" filled="f" stroked="f"'
        ' strokeweight=".5pt">'
        '<v:textbox><w:txbxContent/></v:textbox><w10:wrap type="topAndBottom"/></v:shape></w:pict>'
        "</mc:Fallback></mc:AlternateContent></w:r>"
    )
    r = parse_xml(xml)
    boxes = r.findall(".//" + qn("w:txbxContent"))
    for p in paras:
        boxes[0].append(p)
        boxes[1].append(copy.deepcopy(p))
    return r


def textbox_run_vml(paras, shape_id: int, *, style: str):
    """An old-style VML-only text box (Word 2003/2007 compatibility, WPS)."""
    xml = (
        f"<w:r {NSDECL}><w:pict>"
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f'<v:shape id="_x0000_s{1025 + shape_id}" type="#_x0000_t202" style="{style}" stroked="f">'
        '<v:fill opacity="0"/><v:textbox><w:txbxContent/></v:textbox></v:shape></w:pict></w:r>'
    )
    r = parse_xml(xml)
    box = r.find(".//" + qn("w:txbxContent"))
    for p in paras:
        box.append(p)
    return r


def vml_red_line_run(width_pt=442):
    xml = (
        f'<w:r {NSDECL}><w:pict><v:line id="_x0000_s1026" style="position:absolute;z-index:251658240;'
        f'mso-position-horizontal-relative:text;mso-position-vertical-relative:text" '
        f'from="0,6pt" to="{width_pt}pt,6pt" strokecolor="red" strokeweight="1.5pt"/></w:pict></w:r>'
    )
    return parse_xml(xml)


# --------------------------------------------------------------------------
# the draft builder
# --------------------------------------------------------------------------

FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


class Draft:
    def __init__(  # noqa: PLR0915
        self,
        slug,
        *,
        author,
        when: dt.datetime,
        east="仿宋_GB2312",
        ascii="Times New Roman",
        size=16,
        line=28.0,
        margins="gb",
        fragment=False,
        reviewer=None,
        track=False,
        footer_page=True,
    ):
        self.slug = slug
        self.doc = Document()
        self.roles: list[dict] = []
        self.base = {"east": east, "ascii": ascii, "size": size}
        self.line = line
        self.fragment = fragment
        self.when = when
        self.reviewer = reviewer or author
        self.rev_ids = itertools.count(101)
        self.shape_ids = itertools.count(1)
        self.body = self.doc.element.body

        cp = self.doc.core_properties
        cp.author = author
        cp.last_modified_by = self.reviewer
        cp.created = when
        cp.modified = when + dt.timedelta(hours=3)
        cp.revision = 7
        cp.title = ""
        cp.subject = ""
        cp.keywords = ""
        cp.comments = ""
        cp.category = ""

        # Normal style = what the clerk's template sets
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(size)
        rpr = normal.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = el("w:rFonts")
            rpr.insert(0, rfonts)
        for k in ("ascii", "hAnsi"):
            rfonts.set(qn("w:" + k), ascii)
        rfonts.set(qn("w:eastAsia"), east)
        for k in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme"):
            rfonts.attrib.pop(qn("w:" + k), None)

        sect = self.doc.sections[0]._sectPr
        pgsz = sect.find(qn("w:pgSz"))
        pgsz.set(qn("w:w"), "11906")
        pgsz.set(qn("w:h"), "16838")
        pgmar = sect.find(qn("w:pgMar"))
        if margins == "gb":  # GB/T 9704: 37 / 35 / 28 / 26 mm
            vals = {"top": 2098, "bottom": 1984, "left": 1588, "right": 1474, "header": 851, "footer": 992}
            pitch = "579"
        else:  # Word's Chinese default page
            vals = {"top": 1440, "bottom": 1440, "left": 1800, "right": 1800, "header": 851, "footer": 992}
            pitch = "312"
        for k, v in vals.items():
            pgmar.set(qn("w:" + k), str(v))
        grid = sect.find(qn("w:docGrid"))
        if margins == "gb":
            grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), pitch)

        if track:
            settings = self.doc.settings.element
            settings.find(qn("w:defaultTabStop")).addprevious(el("w:trackRevisions"))
        if footer_page:
            self._page_footer()

    # ---- low level -----------------------------------------------------
    def rpr(self, *, east=None, ascii=None, size=None, bold=False, color=None, scale=None, spacing=None):
        east = east or self.base["east"]
        ascii = ascii or self.base["ascii"]
        size = size or self.base["size"]
        rpr = el("w:rPr")
        rpr.append(el("w:rFonts", ascii=ascii, hAnsi=ascii, eastAsia=east, hint="eastAsia"))
        if bold:
            rpr.append(el("w:b"))
            rpr.append(el("w:bCs"))
        if color:
            rpr.append(el("w:color", val=color))
        if spacing is not None:
            rpr.append(el("w:spacing", val=spacing))
        if scale is not None:
            rpr.append(el("w:w", val=scale))
        rpr.append(el("w:sz", val=int(size * 2)))
        rpr.append(el("w:szCs", val=int(size * 2)))
        return rpr

    def run(self, text, fmt, *, deleted=False):
        r = el("w:r")
        r.append(self.rpr(**fmt))
        t = el("w:delText" if deleted else "w:t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
        return r

    def pieces(self, text):
        if not self.fragment:
            return [text]
        return [m.group(0) for m in re.finditer(r"[0-9A-Za-z.%@\-]+|[^0-9A-Za-z.%@\-]+", text)]

    def rev(self, tag):
        return el(
            tag,
            id=next(self.rev_ids),
            author=self.reviewer,
            date=(self.when + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:00Z"),
        )

    def ppr(  # noqa: PLR0912, PLR0915
        self,
        *,
        style=None,
        num=None,
        align=None,
        first=None,
        first_chars=None,
        left=None,
        right=None,
        hanging=None,
        line=None,
        before=None,
        after=None,
        border=None,
        keep_next=False,
        mark=None,
        mark_fmt=None,
    ):
        ppr = el("w:pPr")
        kids = []
        if style:
            kids.append(el("w:pStyle", val=style))
        if keep_next:
            kids.append(el("w:keepNext"))
        if num:
            num_id, ilvl = num
            np_ = el("w:numPr")
            np_.append(el("w:ilvl", val=ilvl))
            np_.append(el("w:numId", val=num_id))
            kids.append(np_)
        if border:
            bdr = el("w:pBdr")
            for side in ("top", "bottom"):
                if side in border:
                    val, sz, color = border[side]
                    bdr.append(el("w:" + side, val=val, sz=sz, space=1, color=color))
            kids.append(bdr)
        line = self.line if line is None else line
        sp = el("w:spacing")
        if before is not None:
            sp.set(qn("w:before"), str(before))
        if after is not None:
            sp.set(qn("w:after"), str(after))
        if line:
            if isinstance(line, str):  # "1.5" -> multiple
                sp.set(qn("w:line"), str(int(float(line) * 240)))
                sp.set(qn("w:lineRule"), "auto")
            else:  # exact points
                sp.set(qn("w:line"), str(int(line * 20)))
                sp.set(qn("w:lineRule"), "exact")
        if len(sp.attrib):
            kids.append(sp)
        if any(v is not None for v in (first, first_chars, left, right, hanging)):
            ind = el("w:ind")
            if left is not None:
                ind.set(qn("w:left"), str(left))
            if right is not None:
                ind.set(qn("w:right"), str(right))
            if first_chars is not None:
                ind.set(qn("w:firstLineChars"), str(first_chars))
                ind.set(qn("w:firstLine"), str(first_chars * 16 // 5))  # 200 chars -> 640
            elif first is not None:
                ind.set(qn("w:firstLine"), str(first))
            if hanging is not None:
                ind.set(qn("w:hanging"), str(hanging))
            kids.append(ind)
        if align:
            kids.append(el("w:jc", val=align))
        if mark or mark_fmt:
            mrpr = self.rpr(**(mark_fmt or {}))
            if mark:
                mrpr.insert(0, self.rev("w:" + mark))
            kids.append(mrpr)
        for k in sorted(kids, key=lambda e: PPR_ORDER.index(e.tag.split("}")[1])):
            ppr.append(k)
        return ppr

    def build_p(self, segs, fmt, popts):
        """Return (w:p element, visible text, [(run element, comment text)])."""
        if isinstance(segs, str):
            segs = [("t", segs)]
        p = el("w:p")
        p.append(self.ppr(**popts))
        visible = []
        comments = []
        for seg in segs:
            kind = seg[0]
            sfmt = dict(fmt, **(seg[2] if len(seg) > 2 and isinstance(seg[2], dict) else {}))
            if kind == "t":
                for piece in self.pieces(seg[1]):
                    p.append(self.run(piece, sfmt))
                visible.append(seg[1])
            elif kind == "ins":
                w = self.rev("w:ins")
                w.append(self.run(seg[1], sfmt))
                p.append(w)
                visible.append(seg[1])
            elif kind == "del":
                w = self.rev("w:del")
                w.append(self.run(seg[1], sfmt, deleted=True))
                p.append(w)
            elif kind == "cmt":
                r = self.run(seg[1], fmt)
                p.append(r)
                comments.append((r, seg[2]))
                visible.append(seg[1])
            elif kind == "bm":
                p.append(el("w:bookmarkStart", id=0, name="_GoBack"))
                p.append(el("w:bookmarkEnd", id=0))
            elif kind == "proof":
                p.append(el("w:proofErr", type=seg[1]))
            elif kind == "raw":
                p.append(seg[1])
            else:
                raise ValueError(kind)
        return p, "".join(visible), comments

    def _append_body(self, p):
        sect = self.body.find(qn("w:sectPr"))
        sect.addprevious(p)

    def _attach_comments(self, p, comments):
        para = Paragraph(p, self.doc._body)
        for i, (r, text) in enumerate(comments):
            c = self.doc.add_comment(Run(r, para), text=text, author=self.reviewer, initials=self.reviewer[:1])
            c._comment_elm.date = (self.when + dt.timedelta(days=1, minutes=5 + i)).replace(tzinfo=dt.UTC)

    # ---- public API ----------------------------------------------------
    def p(  # noqa: PLR0912
        self,
        segs="",
        role=None,
        level=None,
        *,
        label="",
        fmt=None,
        textboxes=(),
        where=None,
        deleted_paragraph=False,
        **popts,
    ):
        """Add a paragraph (to the body or to `where`, a table cell) and record its role."""
        fmt = dict(fmt or {})
        if deleted_paragraph:
            popts["mark"] = "del"
        p, visible, comments = self.build_p(segs, fmt, popts)
        if deleted_paragraph:
            # whole paragraph deleted with revision marks: every run goes into w:del
            for r in list(p.findall(qn("w:r"))):
                d = self.rev("w:del")
                r.addprevious(d)
                d.append(r)
                for t in r.findall(qn("w:t")):
                    t.tag = qn("w:delText")
            visible = ""
        # text boxes anchored in this paragraph: their roles come first
        for tb in textboxes:
            inner = []
            for ttext, trole, tlevel, tfmt, tpopts in tb["paras"]:
                tp, tvis, _ = self.build_p(ttext, dict(tfmt), dict(tpopts, line=tpopts.get("line", 0)))
                inner.append(tp)
                if tvis:
                    self._record(tvis, trole, tlevel)
            sid = next(self.shape_ids)
            if tb["kind"] == "wps":
                run = textbox_run_wps(inner, sid, **tb.get("geom", {}))
            else:
                run = textbox_run_vml(inner, sid, style=tb["style"])
            p.append(run)
        text = label + visible
        if text:
            self._record(text, role, level)
        else:
            assert role is None, (segs, role)
        if where is None:
            self._append_body(p)
        else:
            where._tc.append(p)
        if comments:
            self._attach_comments(p, comments)
        return p

    def _record(self, text, role, level):
        assert role in ROLES, role
        if role == "heading":
            assert level in (1, 2, 3, 4), (text, level)
        else:
            assert level is None
        self.roles.append({"text": text, "role": role, "level": level})

    def blank(self, n=1, **popts):
        for _ in range(n):
            self.p("", **popts)

    def _page_footer(self):
        sec = self.doc.sections[0]
        sec.footer.is_linked_to_previous = False
        fp = sec.footer.paragraphs[0]._p
        for old in fp.findall(qn("w:pPr")):
            fp.remove(old)
        fp.append(self.ppr(style="Footer", align="center", line=0))
        fmt = {"east": "宋体", "ascii": "宋体", "size": 14}
        fp.append(self.run("— ", fmt))
        for kind in ("begin", "instr", "separate", "1", "end"):
            r = el("w:r")
            r.append(self.rpr(**fmt))
            if kind == "instr":
                it = el("w:instrText")
                it.text = " PAGE   \\* MERGEFORMAT "
                it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r.append(it)
            elif kind == "1":
                t = el("w:t")
                t.text = "1"
                r.append(t)
            else:
                r.append(el("w:fldChar", fldCharType=kind))
            fp.append(r)
        fp.append(self.run(" —", fmt))

    def save(self):
        buf = io.BytesIO()
        self.doc.save(buf)
        src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for info in src.infolist():
                zi = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = 0o644 << 16
                z.writestr(zi, src.read(info.filename))
        (HERE / f"{self.slug}.docx").write_bytes(out.getvalue())
        (HERE / f"{self.slug}.roles.json").write_text(
            json.dumps(self.roles, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


# common formats
BANNER = {"east": "方正小标宋简体", "ascii": "方正小标宋简体", "color": "FF0000"}
TITLE22 = {"east": "方正小标宋简体", "ascii": "方正小标宋简体", "size": 22}
HEI = {"east": "黑体", "ascii": "黑体"}
KAI = {"east": "楷体_GB2312", "ascii": "楷体_GB2312"}
RED_LINE = {"bottom": ("single", 18, "FF0000")}


# --------------------------------------------------------------------------
# 01  通知  台山市工业和信息化局  2023  (red head, typed headings, comment, 版记)
# --------------------------------------------------------------------------


def draft01():
    d = Draft(
        "01-taishan-gongxin-jigai",
        author="李伟",
        when=dt.datetime(2023, 3, 13, 9, 12),
        reviewer="黄志坚",
        fragment=True,
    )
    d.blank(2)
    d.p("台山市工业和信息化局文件", "banner", fmt=dict(BANNER, size=34), align="center", line=0, after=0)
    d.blank(2)
    d.p("台工信〔2023〕15号", "number", align="center")
    d.p("", border=RED_LINE, line=0)
    d.blank(1)
    d.p("台山市工业和信息化局关于做好2023年度", "title", fmt=TITLE22, align="center", line=35)
    d.p("工业企业技术改造项目申报工作的通知", "title", fmt=TITLE22, align="center", line=35)
    d.blank(1)
    d.p("各镇人民政府（街道办事处），市直有关单位，各有关企业：", "recipients")
    d.p(
        S * 2 + "为贯彻落实省、江门市关于推动制造业高质量发展的工作部署，加快我市工业企业技术改造步伐，"
        "根据《江门市工业和信息化局关于组织申报2023年度工业企业技术改造专项资金项目的通知》"
        "（江工信〔2023〕32号）要求，现就做好我市2023年度工业企业技术改造项目申报工作有关事项通知如下：",
        "body",
    )
    d.p(S * 2 + "一、申报范围", "heading", 1, fmt=HEI)
    d.p(
        S * 2 + "在我市行政区域内依法登记注册、具有独立法人资格、财务管理制度健全的工业企业，"
        "2022年1月1日以来已开工建设或已竣工的技术改造项目，且项目设备购置额不低于300万元。",
        "body",
    )
    d.p(S * 2 + "二、申报要求", "heading", 1, fmt=HEI)
    d.p(S * 2 + "（一）申报材料", "heading", 2, fmt=KAI)
    d.p(
        S * 2 + "申报企业须提交项目申报表、营业执照复印件、项目备案证明、设备购置发票清单及相关证明材料，"
        "材料一式三份，按顺序装订成册。",
        "body",
    )
    d.p(S * 2 + "（二）申报时间", "heading", 2, fmt=KAI)
    d.p(
        [
            ("t", S * 2 + "请各企业于"),
            ("cmt", "2023年4月20日前", "省厅截止时间为4月28日，我局留的审核时间是否够？请再核实。"),
            (
                "t",
                "将申报材料报送至市工业和信息化局技术改造股（台山市台城街道东华路18号行政服务中心5楼），逾期不予受理。",
            ),
        ],
        "body",
    )
    d.p(S * 2 + "三、工作安排", "heading", 1, fmt=HEI)
    d.p(
        S * 2 + "1.各镇（街道）要高度重视，认真组织辖区内企业做好项目梳理和申报工作，确保符合条件的企业应报尽报。",
        "body",
    )
    d.p(
        S * 2 + "2.市工业和信息化局将会同市财政局对申报项目进行审核，并视情况组织现场核查，审核结果在局门户网站公示。",
        "body",
    )
    d.p(
        [("t", S * 2 + "3.申报企业须对申报材料的真实性负责，对弄虚作假骗取专项资金的，依法依规追究责任。"), ("bm",)],
        "body",
    )
    d.blank(1)
    d.p(S * 2 + "附件：1.2023年度工业企业技术改造项目申报表", "attachments")
    d.p(S * 5 + "2.技术改造项目申报承诺书", "attachments")
    d.blank(3)
    d.p(S * 13 + "台山市工业和信息化局", "signature")
    d.p(S * 15 + "2023年3月14日", "date")
    d.p(S * 2 + "（联系人：李伟；联系电话：0750-5522316）", "note")
    d.blank(1)
    d.p("公开方式：主动公开", "disclosure")
    d.blank(4)
    d.p(
        "抄送：江门市工业和信息化局，台山市财政局。",
        "copy_to",
        fmt={"size": 14},
        left=320,
        right=320,
        border={"top": ("single", 8, "000000"), "bottom": ("single", 4, "000000")},
    )
    d.p(
        "台山市工业和信息化局办公室" + S * 3 + "2023年3月14日印发",
        "printed",
        fmt={"size": 14},
        left=320,
        right=320,
        border={"bottom": ("single", 8, "000000")},
    )
    d.save()


# --------------------------------------------------------------------------
# 02  通知  开平市市场监督管理局  2022  (Word auto numbering, tracked changes,
#     版记 in a table, VML red line)
# --------------------------------------------------------------------------


def draft02():  # noqa: PLR0915
    d = Draft(
        "02-kaiping-shijian-shitang",
        author="梁晓敏",
        when=dt.datetime(2022, 9, 2, 15, 40),
        reviewer="司徒健",
        track=True,
    )
    add_abstract_num(
        d.doc,
        20,
        "5A3C1E20",
        [
            lvl_xml(0, "chineseCounting", "%1、", east="黑体"),
            lvl_xml(1, "chineseCounting", "（%2）", east="楷体_GB2312"),
        ],
    )
    add_num(d.doc, 20, 20)
    lp = {"style": "ListParagraph", "left": 0, "first_chars": 200}

    d.blank(1)
    d.p("开平市市场监督管理局文件", "banner", fmt=dict(BANNER, size=34), align="center", line=0)
    d.blank(2)
    d.p("开市监〔2022〕42号", "number", align="center")
    d.p([("raw", vml_red_line_run())], line=0)
    d.blank(1)
    d.p("关于开展2022年秋季学期学校食堂食品安全专项检查的通知", "title", fmt=TITLE22, align="center", line=36)
    d.blank(1)
    d.p("各市场监督管理所，局机关各股室：", "recipients")
    d.p(
        "为切实保障广大师生饮食安全，根据《广东省市场监督管理局关于做好2022年秋季学校食品安全工作的通知》"
        "要求，结合我市实际，局决定于2022年9月至10月在全市范围内开展学校食堂食品安全专项检查。"
        "现将有关事项通知如下：",
        "body",
        first_chars=200,
    )
    d.p("检查范围", "heading", 1, label="一、", fmt=HEI, num=(20, 0), **lp)
    d.p("全市各级各类学校（含幼儿园）食堂、校外供餐单位以及学校周边200米范围内的食品经营者。", "body", first_chars=200)
    d.p("检查内容", "heading", 1, label="二、", fmt=HEI, num=(20, 0), **lp)
    d.p("许可及人员管理", "heading", 2, label="（一）", fmt=KAI, num=(20, 1), **lp)
    d.p(
        "重点检查食堂是否依法取得食品经营许可证，从业人员是否持有有效健康证明，是否落实校长（园长）陪餐制度。",
        "body",
        first_chars=200,
    )
    d.p("原料采购及贮存", "heading", 2, label="（二）", fmt=KAI, num=(20, 1), **lp)
    d.p(
        "重点检查食品原料进货查验记录是否完整，是否存在采购使用过期变质食品原料的行为，"
        "库房是否做到分区分架、离地离墙存放。",
        "body",
        first_chars=200,
    )
    d.p("工作要求", "heading", 1, label="三、", fmt=HEI, num=(20, 0), **lp)
    d.p(
        [
            ("t", "各市场监督管理所要按照属地管理原则，对辖区内学校食堂实现检查全覆盖，并于2022年10月"),
            ("del", "20"),
            ("ins", "31"),
            ("t", "日前将检查情况汇总表报送局食品餐饮安全监管股"),
            ("ins", "，同时抄送局办公室"),
            ("t", "。"),
        ],
        "body",
        first_chars=200,
    )
    d.p([("t", "联系人：梁晓敏，联系电话：0750-2212345。"), ("bm",)], "body", first_chars=200)
    d.blank(1)
    d.p("附件：1.开平市学校食堂食品安全专项检查表", "attachments", first_chars=200)
    d.p("2.专项检查情况汇总表", "attachments", left=1600)
    d.blank(3)
    d.p("开平市市场监督管理局", "signature", align="right", right=1280)
    d.p("2022年9月5日", "date", align="right", right=1280)
    d.blank(5)

    # 版记 as a borderless-sides table
    tbl = d.doc.add_table(rows=2, cols=1)
    tblpr = tbl._tbl.tblPr
    for old in tblpr.findall(qn("w:tblStyle")):
        tblpr.remove(old)
    tblw = tblpr.find(qn("w:tblW"))
    tblw.set(qn("w:w"), "8844")
    tblw.set(qn("w:type"), "dxa")
    b = el("w:tblBorders")
    b.append(el("w:top", val="single", sz=8, space=0, color="000000"))
    b.append(el("w:left", val="nil"))
    b.append(el("w:bottom", val="single", sz=8, space=0, color="000000"))
    b.append(el("w:right", val="nil"))
    b.append(el("w:insideH", val="single", sz=4, space=0, color="000000"))
    b.append(el("w:insideV", val="nil"))
    tblpr.find(qn("w:tblLook")).addprevious(b)
    cells = [tbl.rows[0].cells[0], tbl.rows[1].cells[0]]
    for c in cells:
        for p in list(c._tc.findall(qn("w:p"))):
            c._tc.remove(p)
    d.p("抄送：江门市市场监督管理局，开平市教育局。", "copy_to", fmt={"size": 14}, where=cells[0], left=320, line=0)
    d.p(
        "开平市市场监督管理局办公室" + S * 4 + "2022年9月5日印发",
        "printed",
        fmt={"size": 14},
        where=cells[1],
        left=320,
        line=0,
    )
    # python-docx appended the table before sectPr; a final empty paragraph, as Word requires
    d.blank(1, line=0)
    d.save()


# --------------------------------------------------------------------------
# 03  通知  鹤山市教育局 + 鹤山市财政局 (联合发文)  2024  -- draft starts with title
# --------------------------------------------------------------------------


def draft03():
    d = Draft(
        "03-heshan-jiaoyu-caizheng-zizhu",
        author="区嘉怡",
        when=dt.datetime(2024, 2, 23, 10, 5),
        east="仿宋",
        ascii="仿宋",
        line="1.5",
        footer_page=False,
    )
    title_fmt = {"east": "方正小标宋_GBK", "ascii": "方正小标宋_GBK", "size": 22}
    d.p("关于做好2024年春季学期家庭经济困难学生", "title", fmt=title_fmt, align="center")
    d.p("资助资金发放工作的通知", "title", fmt=title_fmt, align="center")
    d.blank(1)
    d.p("各镇（街道）中心学校，市直各学校，各民办学校：", "recipients")
    d.p(
        "为进一步规范学生资助资金管理，确保资助资金及时足额发放到受助学生手中，根据《广东省学生资助资金管理办法》"
        "（粤财规〔2023〕3号）等文件精神，现就做好2024年春季学期家庭经济困难学生资助资金发放工作有关事项通知如下：",
        "body",
        first_chars=200,
    )
    h1 = {"east": "黑体", "ascii": "黑体"}
    d.p("一、资助对象和标准", "heading", 1, fmt=h1, first_chars=200)
    d.p(
        "资助对象为我市义务教育阶段在校就读的家庭经济困难学生，重点保障脱贫家庭学生、最低生活保障家庭学生、"
        "特困供养学生和残疾学生。小学生每生每学期发放生活费补助500元，初中生每生每学期发放625元。",
        "body",
        first_chars=200,
    )
    d.p("二、工作程序", "heading", 1, fmt=h1, first_chars=200)
    d.p("1、学生申请", "heading", 3, fmt={"bold": True}, first_chars=200)
    d.p(
        "学生或其监护人向就读学校提出申请，如实填写《家庭经济困难学生认定申请表》，并提供相关证明材料。",
        "body",
        first_chars=200,
    )
    d.p("2、学校认定", "heading", 3, fmt={"bold": True}, first_chars=200)
    d.p(
        "1.学校应成立以校长为组长的资助工作领导小组，按照公平、公正、公开的原则，"
        "于2024年3月15日前完成家庭经济困难学生认定工作。",
        "body",
        first_chars=200,
    )
    d.p(
        "2.认定结果须在校内公示5个工作日，公示内容不得涉及学生个人隐私，公示无异议后报市学生资助管理中心审核。",
        "body",
        first_chars=200,
    )
    d.p("3、资金发放", "heading", 3, fmt={"bold": True}, first_chars=200)
    d.p(
        "市财政局根据审核结果及时拨付资金，各学校须于2024年4月30日前通过“粤省事”平台或银行卡"
        "将资助资金足额发放到学生本人或其监护人账户，不得以现金形式发放。",
        "body",
        first_chars=200,
    )
    d.p("三、有关要求", "heading", 1, fmt=h1, first_chars=200)
    d.p(
        "各学校要严格执行资助资金管理规定，不得以任何形式截留、挤占、挪用资助资金。市教育局、市财政局将适时"
        "开展专项检查，对发现的问题严肃追究相关人员责任。",
        "body",
        first_chars=200,
    )
    d.blank(1)
    d.p("附件：家庭经济困难学生认定申请表", "attachments", first_chars=200)
    d.blank(3)
    d.p("鹤山市教育局", "signature", align="right", right=1920)
    d.p("鹤山市财政局", "signature", align="right", right=1920)
    d.p("2024年2月26日", "date", align="right", right=1600)
    d.p("（此件主动公开）", "note", first_chars=200)
    d.save()


# --------------------------------------------------------------------------
# 04  请示  江门市蓬江区住房和城乡建设局  2021  (签发人, note in a text box)
# --------------------------------------------------------------------------


def draft04():
    d = Draft("04-pengjiang-zhujian-qingshi", author="陈嘉欣", when=dt.datetime(2021, 7, 7, 16, 30))
    d.blank(1)
    d.p("江门市蓬江区住房和城乡建设局文件", "banner", fmt=dict(BANNER, size=28, scale=90), align="center", line=0)
    d.blank(2)
    d.p(
        [("t", "蓬建〔2021〕88号" + S * 9 + "签发人："), ("t", "陈志强", KAI)],
        "number",
        left=320,
        border=RED_LINE,
        after=120,
    )
    d.blank(1)
    d.p("关于申请拨付2021年老旧小区改造项目区级配套资金的请示", "title", fmt=TITLE22, align="center", line=36)
    d.blank(1)
    d.p("蓬江区人民政府：", "recipients")
    d.p(
        S * 2 + "根据《江门市城镇老旧小区改造工作实施方案》部署，我区2021年计划改造老旧小区23个，"
        "涉及居民楼栋186栋、住户4215户，项目总投资约1.26亿元。目前，项目前期工作已基本完成，"
        "部分项目已进场施工。为确保改造工作按期推进，现将有关情况请示如下：",
        "body",
    )
    d.p(S * 2 + "一、项目进展情况", "heading", 1, fmt=HEI)
    d.p(
        S * 2 + "截至2021年6月底，23个改造项目中已开工15个，完成施工图设计审查8个，累计完成投资4860万元。"
        "其中，白沙街道、环市街道的9个项目已完成主体改造内容，预计8月底前完成竣工验收。",
        "body",
    )
    d.p(S * 2 + "二、资金需求情况", "heading", 1, fmt=HEI)
    d.p(
        S * 2 + "按照省、市、区按比例分担的原则，我区需承担区级配套资金3780万元，目前已到位1200万元，"
        "尚有2580万元未落实。因资金缺口较大，部分施工单位已出现停工待料现象，影响项目整体进度。",
        "body",
    )
    d.p(S * 2 + "三、请示事项", "heading", 1, fmt=HEI)
    d.p(
        S * 2 + "为保障项目顺利实施，恳请区人民政府从区财政预算中安排资金2580万元，"
        "用于拨付老旧小区改造项目区级配套资金。",
        "body",
    )
    d.p(S * 2 + "妥否，请批示。", "body")
    d.blank(1)
    d.p(S * 2 + "附件：2021年蓬江区老旧小区改造项目资金测算表", "attachments")
    d.blank(3)
    d.p(S * 9 + "江门市蓬江区住房和城乡建设局", "signature")
    d.p(S * 15 + "2021年7月8日", "date")
    # the clerk put 附注 into a text box anchored in an empty paragraph under the date
    d.p(
        "",
        textboxes=[
            {
                "kind": "wps",
                "paras": [(S * 2 + "（联系人：陈嘉欣；联系电话：3272618）", "note", None, {}, {})],
                "geom": {"width_emu": 5400000, "height_emu": 420000, "off_y_emu": 0},
            }
        ],
    )
    d.save()


# --------------------------------------------------------------------------
# 05  请示  江门市新会区农业农村局  2025  (no head; WPS-style auto numbering with
#     two single-level lists; tracked paragraph deletion / insertion)
# --------------------------------------------------------------------------


def draft05():
    d = Draft(
        "05-xinhui-nongye-qingshi",
        author="黄敏华",
        when=dt.datetime(2025, 2, 17, 11, 0),
        east="仿宋",
        ascii="仿宋",
        reviewer="梁国栋",
        track=True,
        footer_page=False,
    )
    add_abstract_num(
        d.doc, 30, "3F0A7B30", [lvl_xml(0, "chineseCounting", "%1、", east="黑体", first=640)], multi=False
    )
    add_abstract_num(
        d.doc, 31, "3F0A7B31", [lvl_xml(0, "chineseCounting", "（%1）", east="楷体", first=640)], multi=False
    )
    add_num(d.doc, 30, 30)
    add_num(d.doc, 31, 31)
    h1 = {"num": (30, 0), "first": 640}
    h2 = {"num": (31, 0), "first": 640}
    hei = {"east": "黑体", "ascii": "黑体"}
    kai = {"east": "楷体", "ascii": "楷体"}
    ind = {"first": 640}

    d.p("江门市新会区农业农村局关于申请", "title", fmt=TITLE22, align="center", line=35)
    d.p("2025年高标准农田建设项目资金的请示", "title", fmt=TITLE22, align="center", line=35)
    d.blank(1)
    d.p("江门市新会区人民政府：", "recipients")
    d.p(
        "为深入贯彻落实乡村振兴战略，加快推进高标准农田建设，根据《广东省高标准农田建设规划（2021—2030年）》"
        "和江门市下达的2025年建设任务，我局拟在双水镇、崖门镇、大泽镇实施高标准农田建设项目。"
        "现将有关事项请示如下：",
        "body",
        **ind,
    )
    d.p("项目基本情况", "heading", 1, label="一、", fmt=hei, **h1)
    d.p(
        "项目建设总面积2.3万亩，主要建设内容包括土地平整、灌溉与排水、田间道路、农田防护与生态环境保护等工程，"
        "项目总投资6900万元，按每亩3000元标准测算。",
        "body",
        **ind,
    )
    d.p(
        "项目已于2024年12月完成初步设计评审，目前正在开展施工图设计和招标前期准备工作。",
        None,
        deleted_paragraph=True,
        **ind,
    )
    d.p(
        [("ins", "项目已于2025年1月完成初步设计及概算批复，计划2025年3月底前完成施工招标，6月底前全面开工建设。")],
        "body",
        mark="ins",
        **ind,
    )
    d.p("资金筹措情况", "heading", 1, label="二、", fmt=hei, **h1)
    d.p("上级补助资金", "heading", 2, label="（一）", fmt=kai, **h2)
    d.p("省级以上财政补助资金按每亩2200元标准安排，共计5060万元，已列入2025年省级涉农资金切块下达计划。", "body", **ind)
    d.p("区级配套资金", "heading", 2, label="（二）", fmt=kai, **h2)
    d.p(
        [
            ("t", "按照有关规定，区级财政需按每亩800元标准配套资金1840万元，"),
            ("del", "建议从区本级土地出让收益中统筹安排"),
            ("ins", "目前尚未列入区级财政预算"),
            ("t", "。"),
        ],
        "body",
        **ind,
    )
    d.p("请示事项", "heading", 1, label="三、", fmt=hei, **h1)
    d.p(
        "恳请区人民政府将高标准农田建设区级配套资金1840万元纳入2025年区级财政预算，"
        "并于2025年4月底前拨付首期资金920万元，以保障项目按期开工建设。",
        "body",
        **ind,
    )
    d.p("以上请示妥否，请批示。", "body", **ind)
    d.blank(1)
    d.p("附件：1.2025年新会区高标准农田建设项目实施方案", "attachments", **ind)
    d.p("2.项目资金测算明细表", "attachments", left=1600)
    d.blank(3)
    d.p("江门市新会区农业农村局", "signature", align="right", right=960)
    d.p("2025年2月18日", "date", align="right", right=1280)
    d.p("（联系人：黄敏华；联系电话：6106528）", "note", **ind)
    d.save()


# --------------------------------------------------------------------------
# 06  报告  江门市江海区发展和改革局  2019  (numbers leading body sentences,
#     comment, VML text box anchored in the date line)
# --------------------------------------------------------------------------


def draft06():
    d = Draft(
        "06-jianghai-fagai-baogao",
        author="林晓峰",
        when=dt.datetime(2019, 7, 9, 14, 20),
        reviewer="何志明",
        fragment=True,
    )
    ind = {"first_chars": 200}
    d.blank(1)
    d.p("江门市江海区发展和改革局文件", "banner", fmt=dict(BANNER, size=30), align="center", line=0)
    d.blank(2)
    d.p([("t", "江海发改〔2019〕23号" + S * 8 + "签发人："), ("t", "何志明", KAI)], "number", left=320)
    d.p("", border={"bottom": ("single", 24, "FF0000")}, line=0)
    d.blank(1)
    d.p("关于2019年上半年重点项目建设情况的报告", "title", fmt=TITLE22, align="center", line=36)
    d.blank(1)
    d.p("江海区人民政府：", "recipients")
    d.p(
        "2019年上半年，在区委、区政府的正确领导下，我局紧紧围绕全年重点项目建设目标任务，强化统筹协调，"
        "狠抓项目推进，全区重点项目建设总体进展顺利。现将有关情况报告如下：",
        "body",
        **ind,
    )
    d.p("一、总体进展情况", "heading", 1, fmt=HEI, **ind)
    d.p(
        "今年我区共安排区级重点项目58个，年度计划投资86.4亿元。1—6月累计完成投资47.5亿元，"
        "占年度计划的55.0%，超序时进度5个百分点。",
        "body",
        **ind,
    )
    d.p("3.2%的投资增幅虽低于去年同期水平，但高于全市平均水平1.1个百分点，项目投资结构持续优化。", "body", **ind)
    d.p("（一）产业项目加快推进。", "heading", 2, fmt=KAI, **ind)
    d.p(
        [
            ("cmt", "1.5亿元", "请与区财政局核对下达金额，确认是否含市级资金。"),
            (
                "t",
                "的省级专项资金已于5月底前全部下达，有力保障了高新区智能制造产业园等12个产业项目建设。"
                "产业项目上半年完成投资26.3亿元，同比增长12.6%。",
            ),
        ],
        "body",
        **ind,
    )
    d.p("（二）基础设施项目稳步实施。", "heading", 2, fmt=KAI, **ind)
    d.p("江海大道快速化改造、礼乐污水处理厂二期等基础设施项目按计划推进，上半年完成投资14.8亿元。", "body", **ind)
    d.p("二、存在的主要问题", "heading", 1, fmt=HEI, **ind)
    d.p(
        "一是部分项目用地报批进度滞后，影响项目开工；二是个别项目资金到位不及时，施工进度放缓；"
        "三是项目储备不足，后续接续项目偏少。",
        "body",
        **ind,
    )
    d.p("三、下一步工作措施", "heading", 1, fmt=HEI, **ind)
    d.p(
        "下半年，我局将继续加强与自然资源、财政等部门的沟通协调，建立问题清单和责任清单，实行挂图作战，"
        "确保全年投资目标任务顺利完成。",
        "body",
        **ind,
    )
    d.p("特此报告。", "body", **ind)
    d.blank(3)
    d.p("江门市江海区发展和改革局", "signature", left=3840)
    # 附注 typed into an old-style VML text box whose anchor is the date paragraph
    d.p(
        "2019年7月10日",
        "date",
        align="right",
        right=1280,
        textboxes=[
            {
                "kind": "vml",
                "style": (
                    "position:absolute;left:0;text-align:left;margin-left:0;margin-top:30pt;"
                    "width:430pt;height:32pt;z-index:251660288;"
                    "mso-position-horizontal-relative:text;mso-position-vertical-relative:text"
                ),
                "paras": [("（联系人：林晓峰；联系电话：3869102）", "note", None, {}, {"first_chars": 200})],
            }
        ],
    )
    d.save()


# --------------------------------------------------------------------------
# 07  函  鹤山市自然资源局  2024  (plain letter, no head, left-aligned title,
#     Word default page, 宋体, old-style date)
# --------------------------------------------------------------------------


def draft07():
    d = Draft(
        "07-heshan-ziranziyuan-han",
        author="冯子健",
        when=dt.datetime(2024, 5, 13, 8, 50),
        east="宋体",
        ascii="宋体",
        size=14,
        line=24.0,
        margins="word",
        footer_page=False,
    )
    d.p("关于商请提供中小学校用地现状资料的函", "title", fmt={"bold": True, "size": 16})
    d.blank(1)
    d.p("鹤山市教育局：", "recipients")
    d.p(
        S * 2 + "为做好鹤山市国土空间总体规划（2021—2035年）编制中教育设施用地布局工作，"
        "科学测算全市教育设施用地需求，现商请贵局协助提供以下资料：",
        "body",
    )
    d.p(S * 2 + "（一）全市现有中小学校、幼儿园的名称、地址、占地面积、建筑面积及在校学生人数；", "body")
    d.p(S * 2 + "（二）“十四五”期间拟新建、改扩建学校项目清单及用地需求；", "body")
    d.p(S * 2 + "（三）其他与教育设施用地有关的资料。", "body")
    d.p(S * 2 + "请于2024年5月31日前将上述资料（纸质版加盖公章，电子版发送至邮箱hszrzyj_gh@163.com）反馈我局。", "body")
    d.p("感谢贵局的支持与配合！", "body")
    d.p(S * 2 + "特此函达。", "body")
    d.blank(2)
    d.p(S * 16 + "鹤山市自然资源局", "signature")
    d.p(S * 15 + "二〇二四年五月十三日", "date")
    d.blank(1)
    d.p(S * 2 + "（联系人：冯子健，联系电话：0750-8883021）", "note")
    d.save()


# --------------------------------------------------------------------------
# 08  函  开平市人力资源和社会保障局  2020  (letter head, double red line,
#     number right, hand-typed 4-level headings, 版记)
# --------------------------------------------------------------------------


def draft08():
    d = Draft("08-kaiping-renshe-fuhan", author="谭永坚", when=dt.datetime(2020, 11, 5, 17, 5))
    d.p("开平市人力资源和社会保障局", "banner", fmt=dict(BANNER, size=32), align="center", line=0, before=240)
    d.p("", border={"bottom": ("double", 12, "FF0000")}, line=0)
    d.p("开人社函〔2020〕56号", "number", align="right", right=320, before=120)
    d.blank(1)
    d.p("关于协助核实企业参保人员信息的复函", "title", fmt=TITLE22, align="center", line=36)
    d.blank(1)
    d.p("开平市市场监督管理局：", "recipients")
    d.p(
        S * 2 + "贵局《关于协助核实有关企业参保信息的函》（开市监函〔2020〕118号）收悉。经认真核查，"
        "现将有关情况函复如下：",
        "body",
    )
    d.p(S * 2 + "一、核查情况", "heading", 1, fmt=HEI)
    d.p(
        S * 2 + "经查询广东省社会保险信息系统，贵局来函所列的15家企业中，有12家企业已在我市办理社会保险"
        "参保登记，3家企业未查询到参保登记记录。",
        "body",
    )
    d.p(S * 2 + "二、参保人员情况", "heading", 1, fmt=HEI)
    d.p(
        S * 2 + "（1）已参保的12家企业截至2020年10月共有参保人员368人，其中养老保险参保368人，"
        "失业保险参保352人，工伤保险参保368人。",
        "body",
    )
    d.p(S * 2 + "（2）未查询到参保记录的3家企业，建议贵局进一步核实其实际经营情况。", "body")
    d.p(S * 2 + "三、有关建议", "heading", 1, fmt=HEI)
    d.p(S * 2 + "1.加强部门信息共享", "heading", 3)
    d.p(S * 2 + "（1）数据交换", "heading", 4)
    d.p(S * 2 + "建议双方建立企业登记与参保信息定期交换机制，每季度交换一次数据，及时掌握企业参保动态。", "body")
    d.p(S * 2 + "（2）联合督导", "heading", 4)
    d.p(S * 2 + "对长期未为职工参保的企业，由双方联合开展督导检查，督促企业依法履行参保缴费义务。", "body")
    d.p(S * 2 + "2.做好政策宣传", "heading", 3)
    d.p(S * 2 + "在企业开办、年报等环节同步推送社会保险政策，引导企业依法为职工参保。", "body")
    d.p(S * 2 + "特此函复。", "body")
    d.blank(1)
    d.p(S * 2 + "附件：1.企业参保情况核查结果明细表", "attachments")
    d.p(S * 5 + "2.未参保企业名单", "attachments")
    d.blank(3)
    d.p(S * 11 + "开平市人力资源和社会保障局", "signature")
    d.p(S * 15 + "2020年11月6日", "date")
    d.blank(1)
    d.p("公开方式：依申请公开", "disclosure")
    d.blank(3)
    d.p(
        S + "抄送：江门市人力资源和社会保障局，开平市社会保险基金管理局。",
        "copy_to",
        fmt={"size": 14},
        border={"top": ("single", 8, "000000"), "bottom": ("single", 4, "000000")},
    )
    d.p(
        S + "开平市人力资源和社会保障局办公室" + S * 2 + "2020年11月6日印发",
        "printed",
        fmt={"size": 14},
        border={"bottom": ("single", 8, "000000")},
    )
    d.save()


DRAFTS = [draft01, draft02, draft03, draft04, draft05, draft06, draft07, draft08]


# --------------------------------------------------------------------------
# verification: re-open with python-docx and read the XML independently
# --------------------------------------------------------------------------

MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
CN_DIGITS = "零一二三四五六七八九"


def chinese_counting(n: int) -> str:
    if n <= 10:
        return "十" if n == 10 else CN_DIGITS[n]
    if n < 20:
        return "十" + CN_DIGITS[n - 10]
    tens, ones = divmod(n, 10)
    return CN_DIGITS[tens] + "十" + (CN_DIGITS[ones] if ones else "")


def fmt_number(fmt: str, n: int) -> str:
    if fmt == "chineseCounting":
        return chinese_counting(n)
    if fmt == "decimal":
        return str(n)
    raise ValueError(fmt)


class Numbering:
    def __init__(self, doc):
        self.abstract = {}
        self.nums = {}
        self.counters = {}
        try:
            root = doc.part.numbering_part.element
        except Exception:
            return
        for a in root.findall(qn("w:abstractNum")):
            lv = {}
            for lvl in a.findall(qn("w:lvl")):
                lv[int(lvl.get(qn("w:ilvl")))] = {
                    "start": int(lvl.find(qn("w:start")).get(qn("w:val"))),
                    "fmt": lvl.find(qn("w:numFmt")).get(qn("w:val")),
                    "text": lvl.find(qn("w:lvlText")).get(qn("w:val")),
                    "suff": (lvl.find(qn("w:suff")).get(qn("w:val")) if lvl.find(qn("w:suff")) is not None else "tab"),
                }
            self.abstract[a.get(qn("w:abstractNumId"))] = lv
        for n in root.findall(qn("w:num")):
            self.nums[n.get(qn("w:numId"))] = n.find(qn("w:abstractNumId")).get(qn("w:val"))

    def label(self, p) -> str:
        numpr = p.find(qn("w:pPr") + "/" + qn("w:numPr"))
        if numpr is None:
            return ""
        num_id = numpr.find(qn("w:numId")).get(qn("w:val"))
        ilvl = int(numpr.find(qn("w:ilvl")).get(qn("w:val")))
        levels = self.abstract[self.nums[num_id]]
        cnt = self.counters.setdefault(num_id, {})
        cnt[ilvl] = cnt.get(ilvl, levels[ilvl]["start"] - 1) + 1
        for deeper in [k for k in cnt if k > ilvl]:
            del cnt[deeper]
        text = levels[ilvl]["text"]

        def sub(m):
            k = int(m.group(1)) - 1
            return fmt_number(levels[k]["fmt"], cnt.get(k, levels[k]["start"]))

        out = re.sub(r"%(\d)", sub, text)
        assert levels[ilvl]["suff"] == "nothing", "label followed by a tab"
        return out


def own_text(p) -> str:
    """Visible text of one w:p: no deleted text, no text-box content, no fallback copies."""
    out = []
    for node in p.iter(qn("w:t")):
        a = node.getparent()
        skip = False
        while a is not None and a is not p:
            if a.tag in (qn("w:del"), qn("w:txbxContent"), MC_FALLBACK):
                skip = True
                break
            a = a.getparent()
        if not skip:
            out.append(node.text or "")
    return "".join(out)


def read_back(path: Path):
    doc = Document(str(path))  # must open with python-docx
    numbering = Numbering(doc)
    items = []

    def do_p(p):
        for box in p.iter(qn("w:txbxContent")):
            a, inside_fallback = box.getparent(), False
            while a is not None and a is not p:
                if a.tag == MC_FALLBACK:
                    inside_fallback = True
                a = a.getparent()
            if inside_fallback:
                continue
            for bp in box.findall(qn("w:p")):
                t = numbering.label(bp) + own_text(bp)
                if t:
                    items.append(t)
        t = own_text(p)
        label = numbering.label(p) if t else ""
        if label + t:
            items.append(label + t)

    for child in doc.element.body:
        if child.tag == qn("w:p"):
            do_p(child)
        elif child.tag == qn("w:tbl"):
            for tr in child.findall(qn("w:tr")):
                for tc in tr.findall(qn("w:tc")):
                    for p in tc.findall(qn("w:p")):
                        do_p(p)
    return doc, items


def verify():
    ok = True
    for f in sorted(HERE.glob("*.docx")):
        roles = json.loads((HERE / (f.stem + ".roles.json")).read_text("utf-8"))
        doc, items = read_back(f)
        expect = [r["text"] for r in roles]
        same = items == expect
        ok &= same
        counts = {}
        for r in roles:
            counts[r["role"]] = counts.get(r["role"], 0) + 1
        print(f"{f.name}: {len(doc.paragraphs)} body paragraphs (python-docx), {len(roles)} labelled, match={same}")
        print("    " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        if not same:
            for i, (a, b) in enumerate(itertools.zip_longest(items, expect)):
                if a != b:
                    print(f"    #{i}: docx={a!r}\n         json={b!r}")
    return ok


def main():
    for make in DRAFTS:
        make()
    if not verify():
        sys.exit(1)


if __name__ == "__main__":
    main()
