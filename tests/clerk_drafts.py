"""Word drafts as clerks type them, made from case data, each paragraph's true role recorded.

The same document in several hands: one types "　　" to indent and "一、" before a heading, one lets
Word number the headings, one splits the title over two centred lines, one leaves a tracked
change in, one puts the 附注 in a text box, one mixes fonts and right-aligns the 署名. The roles
file lists every non-empty paragraph in reading order with the role a person would give it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt

CHINESE = "零一二三四五六七八九十"
INDENT = "\u3000\u3000"
VARIANTS = ("plain", "split_title", "left_title", "auto_numbered", "typed_numbers", "tracked", "textbox", "mixed")


@dataclass(frozen=True)
class Source:
    """What a draft is made from: the kind and the document's fields, as a case holds them."""

    name: str
    kind: str
    organ: str
    number: str  # as printed on the draft ("" none)
    doc: dict[str, Any]


def _heading_label(level: int, n: int) -> str:
    word = CHINESE[n] if n <= 10 else f"十{CHINESE[n - 10]}"
    return {1: f"{word}、", 2: f"（{word}）", 3: f"{n}.", 4: f"（{n}）"}[level]


class Draft:
    """A python-docx document being typed, with the roles of what is typed."""

    def __init__(self, variant: str) -> None:
        self.variant = variant
        self.doc = docx.Document()
        self.roles: list[dict[str, Any]] = []
        self._numbering: str | None = None

    def line(self, text: str, role: str, level: int | None = None, **how: Any) -> Any:
        """One paragraph; ``how``: centred, right, size, bold, indent (typed full-width spaces), label."""
        p = self.doc.add_paragraph()
        typed = (INDENT if how.get("indent") else "") + text
        run = p.add_run(typed)
        if how.get("size"):
            run.font.size = Pt(how["size"])
        if how.get("bold"):
            run.bold = True
        if how.get("font"):
            run.font.name = how["font"]
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), how["font"])
        if how.get("centred"):
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if how.get("right"):
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        shown = how.get("label", "") + typed
        if how.get("numbered"):
            self._number(p, level or 1)
        self.roles.append({"text": shown, "role": role, "level": level})
        return p

    def blank(self) -> None:
        """An empty paragraph, as clerks leave between parts."""
        self.doc.add_paragraph()

    def _number(self, p: Any, level: int) -> None:
        """Word's own list numbering: 一、 for level 1, （一） for level 2."""
        if self._numbering is None:
            numbering = self.doc.part.numbering_part.element
            levels = (("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3."))
            abstract = parse_xml(
                f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:multiLevelType w:val="multilevel"/>'
                + "".join(
                    f'<w:lvl w:ilvl="{n}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                    f'<w:lvlText w:val="{text}"/></w:lvl>'
                    for n, (fmt, text) in enumerate(levels)
                )
                + "</w:abstractNum>"
            )
            numbering.insert(0, abstract)
            numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
            self._numbering = "90"
        ppr = p._p.get_or_add_pPr()
        ppr.insert(
            0, parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level - 1}"/><w:numId w:val="90"/></w:numPr>')
        )

    def save(self, target: Path) -> None:
        """The .docx and its roles file beside it."""
        self.doc.save(str(target))
        target.with_suffix(".roles.json").write_text(
            json.dumps(self.roles, ensure_ascii=False, indent=1), encoding="utf-8"
        )


def _tracked(p: Any, deleted: str) -> None:
    """A change left tracked: the paragraph's last words typed in as an insertion, a sentence struck out.

    The roles file holds the text with the change accepted, which is the paragraph as it was.
    """
    runs = p._p.findall(qn("w:r"))
    text = runs[-1].find(qn("w:t")).text
    runs[-1].find(qn("w:t")).text = text[: len(text) // 2]
    change = 'w:author="科员" w:date="2021-05-20T09:00:00Z"'
    p._p.append(
        parse_xml(f'<w:del {nsdecls("w")} w:id="1" {change}><w:r><w:delText>{deleted}</w:delText></w:r></w:del>')
    )
    p._p.append(
        parse_xml(f'<w:ins {nsdecls("w")} w:id="2" {change}><w:r><w:t>{text[len(text) // 2 :]}</w:t></w:r></w:ins>')
    )


def _textbox(p: Any, text: str) -> None:
    """A text box anchored in the paragraph, holding ``text`` (VML, as WPS and older Word write it)."""
    p._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict>'
            '<v:shape style="width:300pt;height:30pt"><v:textbox><w:txbxContent>'
            f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )


def _sections(draft: Draft, sections: list[dict[str, Any]], level: int, typed: bool) -> None:
    for n, section in enumerate(sections, 1):
        label = _heading_label(level, n)
        if draft.variant == "auto_numbered" and level <= 3:
            draft.line(section["heading"], "heading", level, indent=False, numbered=True, label=label)
        else:
            shown = label.replace(".", "、") if typed and level == 3 else label
            draft.line(shown + section["heading"], "heading", level, indent=True)
        for para in section.get("body", []):
            draft.line(para, "body", indent=True)
        _sections(draft, section.get("sections", []), level + 1, typed)


def make_draft(source: Source, variant: str, target: Path) -> Path:  # noqa: PLR0912 - one branch per part typed
    """The source document typed by a clerk in the ``variant`` way, saved with its roles."""
    d, doc = Draft(variant), source.doc
    mixed = variant == "mixed"
    if variant != "left_title" and source.number:
        d.line(f"{source.organ}文件", "banner", centred=True, size=36, bold=True)
        signers = doc.get("signers") or []  # a 请示 or 报告 names its 签发人 beside the number
        d.line(source.number + (f"\u3000\u3000签发人：{'　'.join(signers)}" if signers else ""), "number", centred=True)
        d.blank()
    title = doc["title"]
    if variant == "split_title":
        cut = title.index("关于") + max(8, len(title) // 2 - 2) if "关于" in title else len(title) // 2
        d.line(title[:cut], "title", centred=True, size=22, bold=True)
        d.line(title[cut:], "title", centred=True, size=22, bold=True)
    elif variant == "left_title":
        d.line(title, "title")
    else:
        d.line(title, "title", centred=True, size=22, font="方正小标宋简体" if mixed else None)
    d.blank()
    d.line(f"{doc['recipients']}：", "recipients")
    for n, para in enumerate(doc.get("body", [])):
        p = d.line(
            para, "body", indent=True, font="仿宋_GB2312" if mixed and n % 2 else None, size=16 if mixed else None
        )
        if variant == "tracked" and n == 0:
            _tracked(p, "（草稿中删去的一句。）")
    _sections(d, doc.get("sections", []), 1, typed=variant == "typed_numbers")
    for para in doc.get("closing", []):
        d.line(para, "body", indent=True)
    attachments = doc.get("attachments", [])
    if attachments:
        d.blank()
        for n, item in enumerate(attachments, 1):
            lead = "附件：" if n == 1 else "\u3000\u3000\u3000"
            shown = f"{n}.{item}" if len(attachments) > 1 else item
            d.line(lead + shown, "attachments", indent=True)
    d.blank()
    d.line(
        doc.get("signature") or source.organ,
        "signature",
        right=variant in ("mixed", "plain"),
        indent=variant not in ("mixed", "plain"),
    )
    d.line(f"{doc['date'].year}年{doc['date'].month}月{doc['date'].day}日", "date", right=variant in ("mixed", "plain"))
    if doc.get("note"):
        if variant == "textbox":
            anchor = d.doc.add_paragraph()
            _textbox(anchor, f"（{doc['note']}）")
            d.roles.append({"text": f"（{doc['note']}）", "role": "note", "level": None})
        else:
            d.line(f"（{doc['note']}）", "note", indent=True)
    if doc.get("copy_to"):
        d.blank()
        d.line(f"抄送：{'，'.join(doc['copy_to'])}。", "copy_to")
    printed = doc.get("printed")
    if printed:
        day = printed["date"]
        d.line(
            f"{printed.get('by') or source.organ + '办公室'}\u3000\u3000{day.year}年{day.month}月{day.day}日印发",
            "printed",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    d.save(target)
    return target


def corpus(sources: list[Source], folder: Path) -> list[Path]:
    """Every source in every variant: ``len(sources) * len(VARIANTS)`` drafts."""
    return [make_draft(s, v, folder / f"{s.name}-{v}.docx") for s in sources for v in VARIANTS]


def with_headings(doc: dict[str, Any], heads: list[str]) -> dict[str, Any]:
    """A copy of ``doc`` whose body is spread under three levels of headings (a 请示's or 报告's tree)."""
    out = copy.deepcopy(doc)
    body = out.pop("body", [])
    out["body"] = body[:1]
    out["sections"] = [
        {
            "heading": heads[0],
            "body": body[1:2],
            "sections": [
                {
                    "heading": heads[1],
                    "body": ["按计划推进。"],
                    "sections": [{"heading": heads[2], "body": ["已完成。"]}],
                }
            ],
        },
        {"heading": heads[3], "body": body[2:] or ["无。"]},
    ]
    return out


Maker = Callable[[Source, str, Path], Path]
__all__ = ["VARIANTS", "Source", "corpus", "make_draft", "with_headings"]
