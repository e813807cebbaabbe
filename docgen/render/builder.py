"""Build the official templates under ``templates/official/`` from code, reproducibly.

The DOCX parts are written as plain WordprocessingML with fixed zip timestamps, so running the
builder twice gives byte-identical files and a reviewer can diff the XML. Elements are written in
schema order: LibreOffice tolerates disorder, Word refuses the file.

Run ``python -m docgen.template_builder [DIR]`` after changing anything here.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from docgen import layout
from docgen.render.docxform import SECTION_BREAK_STYLE
from docgen.render.templates import BUILTIN_TEMPLATES
from docgen.vocab import FANGSONG, HEITI, KAITI, SONGTI, XIAOBIAOSONG, FontRole
from docgen.wordml import AUTOFIT_CAPTION

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ZIP_DATE = (2021, 1, 1, 0, 0, 0)

CHAR_TWIPS = round(layout.CHAR_PITCH_PT * layout.TWIPS_PER_PT)  # one condensed body character
IMPRINT_CHAR_TWIPS = round(layout.IMPRINT_PT * layout.TWIPS_PER_PT)


# --- run and paragraph properties --------------------------------------------------------------


def fonts(font: FontRole) -> str:
    """Name one font on every slot; the East Asian slot is the one Chinese text uses."""
    n = quoteattr(font.name)
    return f"<w:rFonts w:ascii={n} w:eastAsia={n} w:hAnsi={n} w:cs={n}/>"


def run_props(
    font: FontRole | None = None,
    size_pt: float | None = None,
    color: str | None = None,
    spacing_twips: int | None = None,
) -> str:
    """Return a ``w:rPr`` with the given properties, in schema order."""
    parts = []
    if font:
        parts.append(fonts(font))
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if spacing_twips is not None:
        parts.append(f'<w:spacing w:val="{spacing_twips}"/>')
    if size_pt:
        half = round(size_pt * 2)
        parts.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def para_props(  # noqa: PLR0912 - one branch per optional WordprocessingML element
    style: str | None = None,
    *,
    keep_next: bool = False,
    keep_lines: bool = False,
    page_break_before: bool = False,
    bottom_border: tuple[str, int, int] | None = None,
    tabs: Iterable[tuple[str, int | str]] = (),
    snap_to_grid: bool | None = None,
    before: int | str | None = None,
    after: int | None = None,
    line: tuple[int | str, str] | None = None,
    ind: dict[str, int] | None = None,
    jc: str | None = None,
    rpr: str = "",
) -> str:
    """Return a ``w:pPr`` in schema order. ``bottom_border`` is (colour, eighths-pt, space-pt).

    A value given as text (``"{{ banner_before }}"``) is filled in from the context at render time.
    """
    parts = []
    if style:
        parts.append(f'<w:pStyle w:val="{style}"/>')
    if keep_next:
        parts.append("<w:keepNext/>")
    if keep_lines:
        parts.append("<w:keepLines/>")
    if page_break_before:
        parts.append("<w:pageBreakBefore/>")
    if bottom_border:
        color, size, space = bottom_border
        parts.append(f'<w:pBdr><w:bottom w:val="single" w:sz="{size}" w:space="{space}" w:color="{color}"/></w:pBdr>')
    tab_list = list(tabs)
    if tab_list:
        stops = "".join(f'<w:tab w:val="{kind}" w:pos="{pos}"/>' for kind, pos in tab_list)
        parts.append(f"<w:tabs>{stops}</w:tabs>")
    if snap_to_grid is not None:
        parts.append(f'<w:snapToGrid w:val="{1 if snap_to_grid else 0}"/>')
    if before is not None or after is not None or line is not None:
        attrs = ""
        if before is not None:
            attrs += f' w:before="{before}"'
        if after is not None:
            attrs += f' w:after="{after}"'
        if line is not None:
            attrs += f' w:line="{line[0]}" w:lineRule="{line[1]}"'
        parts.append(f"<w:spacing{attrs}/>")
    if ind:
        attrs = "".join(f' w:{k}="{v}"' for k, v in ind.items())
        parts.append(f"<w:ind{attrs}/>")
    if jc:
        parts.append(f'<w:jc w:val="{jc}"/>')
    if rpr:
        parts.append(rpr)
    return f"<w:pPr>{''.join(parts)}</w:pPr>" if parts else ""


def text_run(text: str, rpr: str = "") -> str:
    """Return one run; tabs in ``text`` become ``w:tab`` elements."""
    pieces = []
    for i, chunk in enumerate(text.split("\t")):
        if i:
            pieces.append("<w:tab/>")
        if chunk:
            pieces.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return f"<w:r>{rpr}{''.join(pieces)}</w:r>"


def paragraph(text: str = "", ppr: str = "", rpr: str = "") -> str:
    """Return one paragraph holding ``text`` (which may contain Jinja tags)."""
    body = text_run(text, rpr) if text else ""
    return f"<w:p>{ppr}{body}</w:p>"


def jinja_paragraph(tag: str) -> str:
    """A paragraph holding only a docxtpl ``{%p ... %}`` tag; docxtpl removes the paragraph."""
    return paragraph(f"{{%p {tag} %}}")


def jinja_row(tag: str, cells: int) -> str:
    """A table row holding only a docxtpl ``{%tr ... %}`` tag; docxtpl removes the row."""
    first = f'<w:tc><w:tcPr><w:tcW w:w="0" w:type="auto"/></w:tcPr>{paragraph(f"{{%tr {tag} %}}")}</w:tc>'
    rest = "<w:tc><w:p/></w:tc>" * (cells - 1)
    return f"<w:tr>{first}{rest}</w:tr>"


# --- styles ------------------------------------------------------------------------------------


def paragraph_style(style_id: str, name: str, ppr: str, rpr: str, based_on: str = "Normal") -> str:
    """Return a custom paragraph style; the Chinese ``name`` is what a clerk sees in Word."""
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{escape(name)}"/><w:basedOn w:val="{based_on}"/><w:qFormat/>'
        f"{ppr}{rpr}</w:style>"
    )


def table_styles(suffix: str, name_suffix: str, size_pt: float) -> list[str]:
    """Paragraph styles for table cells: text, centred text and 黑体 header, at one size."""
    line = (round(size_pt * 1.35 * 20), "exact")
    return [
        paragraph_style(
            f"GwTableText{suffix}",
            f"表格文字{name_suffix}",
            para_props(jc="left", snap_to_grid=False, line=line),
            run_props(size_pt=size_pt, spacing_twips=0),
        ),
        paragraph_style(
            f"GwTableCenter{suffix}",
            f"表格文字居中{name_suffix}",
            para_props(jc="center", snap_to_grid=False, line=line),
            run_props(size_pt=size_pt, spacing_twips=0),
        ),
        paragraph_style(
            f"GwTableHead{suffix}",
            f"表头{name_suffix}",
            para_props(jc="center", snap_to_grid=False, line=line),
            run_props(HEITI, size_pt, spacing_twips=0),
        ),
    ]


def number_line_style(style_id: str, name: str, jc: str) -> str:
    """The 发文字号 line with the red rule under it.

    A line exactly one character high puts the rule's distance on the glyphs' bottom.
    """
    rule = (layout.RED, round(layout.RED_RULE_WIDTH_PT * 8), layout.RED_RULE_BORDER_SPACE_PT)
    ppr = para_props(jc=jc, line=(layout.NUMBER_LINE_TWIPS, "exact"), bottom_border=rule, snap_to_grid=False)
    return paragraph_style(style_id, name, ppr, "")


def styles_xml() -> str:
    """The style sheet shared by every official template."""
    grid_line = (240, "auto")  # single spacing: the document grid sets the 28.95 pt pitch
    body_indent = {"firstLine": 2 * CHAR_TWIPS}
    defaults = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f"{fonts(FANGSONG)}"
        f'<w:sz w:val="{round(layout.BODY_PT * 2)}"/><w:szCs w:val="{round(layout.BODY_PT * 2)}"/>'
        # en-US on the Latin slot keeps years such as 2021 from breaking across lines.
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault>"
        '<w:pPrDefault><w:pPr><w:widowControl w:val="0"/>'
        # LibreOffice reads overflowPunct inverted (writerfilter: hanging punctuation = val == 0)
        # and, hanging a full-width mark past the block, drops it from the PDF: "为重点，通过" printed
        # as "为重点 / 通过" (measured on 7.4, text layer and drawing). With val="1" it moves the
        # character before the mark to the next line with it, as Word and WPS do (避头尾).
        '<w:overflowPunct w:val="1"/>'
        '<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="both"/>'
        "</w:pPr></w:pPrDefault></w:docDefaults>"
    )
    normal = (
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
        f"{para_props(line=grid_line)}{run_props(spacing_twips=layout.CHAR_CONDENSE_TWIPS)}</w:style>"
    )
    styles = [
        paragraph_style(
            "GwBanner",
            "发文机关标志",
            para_props(jc="center", line=(round(layout.BANNER_PT * 1.25 * 20), "exact"), snap_to_grid=False),
            run_props(XIAOBIAOSONG, layout.BANNER_PT, layout.RED, 0),
        ),
        number_line_style("GwNumber", "发文字号", "center"),
        number_line_style("GwNumberUp", "发文字号和签发人", "left"),
        paragraph_style(
            "GwSigners",
            "签发人（续行）",
            para_props(jc="left", line=(layout.NUMBER_LINE_TWIPS, "exact"), snap_to_grid=False),
            "",
        ),
        paragraph_style(
            "GwCopyNumber",
            "份号",
            para_props(jc="left", line=(layout.LINE_PITCH_TWIPS, "exact"), snap_to_grid=False),
            "",
        ),
        paragraph_style(
            "GwHeadMark",
            "密级和紧急程度",
            para_props(jc="left", line=(layout.LINE_PITCH_TWIPS, "exact"), snap_to_grid=False),
            run_props(HEITI),
        ),
        paragraph_style(
            "GwLetterNumber",
            "发文字号（信函格式）",
            # One grid line high, as the 份号 beside it, so both stand on one line.
            para_props(jc="right", line=(layout.LINE_PITCH_TWIPS, "exact"), snap_to_grid=False),
            "",
        ),
        paragraph_style(
            "GwAttendance",
            "出席、请假、列席",
            # 10.3: 左空二字 the label, wrapped names aligned after its colon.
            para_props(ind={"left": 5 * CHAR_TWIPS, "hanging": 3 * CHAR_TWIPS}),
            "",
        ),
        paragraph_style(
            "GwTitle",
            "公文标题",
            # Word snaps a 2号 line to one grid line; keep that pitch so both lay out alike. A title
            # never runs over a page break.
            para_props(jc="center", keep_lines=True, line=(layout.LINE_PITCH_TWIPS, "exact"), snap_to_grid=False),
            run_props(XIAOBIAOSONG, layout.TITLE_PT, spacing_twips=0),
        ),
        paragraph_style("GwRecipients", "主送机关", para_props(jc="left"), ""),
        paragraph_style("GwBody", "公文正文", para_props(ind=body_indent), ""),
        # Heading fonts sit on the heading's own run: text run into the same paragraph stays 仿宋.
        paragraph_style("GwHeading1", "一级标题", para_props(ind=body_indent, keep_next=True), ""),
        paragraph_style("GwHeading2", "二级标题", para_props(ind=body_indent), ""),
        paragraph_style("GwHeading3", "三级、四级标题", para_props(ind=body_indent), ""),
        paragraph_style("GwCentered", "居中", para_props(jc="center"), ""),
        paragraph_style(
            "GwAttachmentNote",
            "附件说明",
            para_props(ind={"left": 5 * CHAR_TWIPS, "hanging": 3 * CHAR_TWIPS}),
            "",
        ),
        paragraph_style("GwAttachmentMore", "附件说明（续）", para_props(ind={"left": 5 * CHAR_TWIPS}), ""),
        paragraph_style("GwAttachmentLabel", "附件标识", para_props(jc="left"), run_props(HEITI)),
        paragraph_style(
            "GwSignature", "发文机关署名", para_props(jc="right", keep_next=True, ind={"right": 4 * CHAR_TWIPS}), ""
        ),
        paragraph_style("GwDate", "成文日期", para_props(jc="right", ind={"right": 4 * CHAR_TWIPS}), ""),
        # Carries a section break; docgen folds it into the paragraph before it when rendering.
        paragraph_style(
            SECTION_BREAK_STYLE,
            "分节符",
            para_props(snap_to_grid=False, line=(20, "exact"), before=0, after=0),
            run_props(size_pt=1),
        ),
        paragraph_style("GwNote", "附注", para_props(ind=body_indent), ""),
        *table_styles("", "", layout.TABLE_PT),
        *table_styles("Small", "（小字）", layout.TABLE_SMALL_PT),
        paragraph_style(
            "GwImprint",
            "版记",
            para_props(
                jc="left",
                snap_to_grid=False,
                line=(round(layout.IMPRINT_PT * 1.2 * 20), "exact"),
                ind={"left": IMPRINT_CHAR_TWIPS, "right": IMPRINT_CHAR_TWIPS},
                tabs=[("right", layout.mm_to_twips(layout.PAGE.block_width_mm) - IMPRINT_CHAR_TWIPS)],
            ),
            run_props(size_pt=layout.IMPRINT_PT, spacing_twips=0),
        ),
        paragraph_style(
            "GwPageNumber",
            "页码",
            para_props(snap_to_grid=False, line=(round(layout.IMPRINT_PT * 1.2 * 20), "exact")),
            run_props(SONGTI, layout.IMPRINT_PT, spacing_twips=0),
        ),
    ]
    table_normal = (
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        '<w:left w:w="0" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr></w:style>"
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="{W_NS}">'
        f"{defaults}{normal}{table_normal}{''.join(styles)}</w:styles>"
    )


# --- page set-up -------------------------------------------------------------------------------


def section_props(*, landscape: bool = False, unnumbered_first: bool = False) -> str:
    """A4 with GB/T 9704 margins, a lines-only grid, odd and even footers.

    ``unnumbered_first`` gives page 1 the 信函格式's footer: the lower red double rule, no page number.
    """
    p = layout.LANDSCAPE if landscape else layout.PAGE
    # Measured on the printed page (rasterised at 600 dpi): the dash of a 4号 page number sits
    # 2.6 mm above the footer's bottom edge (the middle of its em box is 1.1 mm higher).
    footer_mm = p.bottom_mm - layout.PAGE_NUMBER_BELOW_BLOCK_MM - 2.6
    if unnumbered_first:  # the 函's footers sit lower, so page 1's can hold the rule 20 mm from the edge
        footer_mm -= layout.LETTER_FOOTER_LIFT_MM
    orient = ' w:orient="landscape"' if landscape else ""
    return (
        '<w:sectPr><w:footerReference w:type="default" r:id="rIdFooterOdd"/>'
        '<w:footerReference w:type="even" r:id="rIdFooterEven"/>'
        + ('<w:footerReference w:type="first" r:id="rIdFooterFirst"/>' if unnumbered_first else "")
        + f'<w:pgSz w:w="{layout.mm_to_twips(p.width_mm)}" w:h="{layout.mm_to_twips(p.height_mm)}"{orient}/>'
        f'<w:pgMar w:top="{layout.mm_to_twips(p.top_mm)}" w:right="{layout.mm_to_twips(p.right_mm)}" '
        f'w:bottom="{layout.mm_to_twips(p.bottom_mm)}" w:left="{layout.mm_to_twips(p.left_mm)}" '
        f'w:header="{layout.mm_to_twips(15)}" w:footer="{layout.mm_to_twips(footer_mm)}" w:gutter="0"/>'
        '<w:cols w:space="425"/>'
        + ("<w:titlePg/>" if unnumbered_first else "")
        + f'<w:docGrid w:type="lines" w:linePitch="{layout.LINE_PITCH_TWIPS}"/></w:sectPr>'
    )


def section_break(*, landscape: bool = False) -> str:
    """End the current section (its page set-up given here); the next starts on a new page."""
    return f'<w:p><w:pPr><w:pStyle w:val="{SECTION_BREAK_STYLE}"/>{section_props(landscape=landscape)}</w:pPr></w:p>'


def footer_xml(odd: bool, *, lift: bool = False) -> str:
    """Page number "— N —": odd pages right, even pages left, one 4号 character from the edge.

    ``lift`` keeps the number in its place in a section whose footer distance is lowered by
    ``layout.LETTER_FOOTER_LIFT_MM`` (a footer grows upward from its bottom edge).
    """
    ind = {"right": IMPRINT_CHAR_TWIPS} if odd else {"left": IMPRINT_CHAR_TWIPS}
    ppr = para_props("GwPageNumber", ind=ind, jc="right" if odd else "left")
    field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    body = f"<w:p>{ppr}{text_run('— ')}{field}{text_run(' —')}</w:p>"
    if lift:
        spacer = layout.mm_to_twips(layout.LETTER_FOOTER_LIFT_MM)
        body += paragraph("", para_props(snap_to_grid=False, line=(spacer, "exact"), rpr=run_props(size_pt=1)))
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W_NS}">{body}</w:ftr>'


def letter_first_footer_xml() -> str:
    """Page 1 of a 函: no page number; the lower double rule (thin over thick), 170 mm long.

    The footer's last paragraph is 1 twip high and carries the rule as its top border, so the
    rule sits on the footer's bottom edge, which ``LETTER_FOOTER_LIFT_MM`` puts 20 mm above the
    paper's edge.
    """
    offset = layout.mm_to_twips(layout.letter_rule_x_mm() - layout.PAGE.left_mm)
    right = layout.mm_to_twips(layout.PAGE.block_width_mm - layout.LETTER_RULE_MM) - offset
    # LibreOffice draws a top border's thickThin pair mirrored: thin above, thick below (measured).
    border = (
        f'<w:pBdr><w:top w:val="thickThinSmallGap" w:sz="{layout.LETTER_RULE_EIGHTHS}" w:space="0" '
        f'w:color="{layout.RED}"/></w:pBdr>'
    )
    rule = (
        f'<w:p><w:pPr>{border}<w:snapToGrid w:val="0"/><w:spacing w:line="20" w:lineRule="exact"/>'
        f'<w:ind w:left="{offset}" w:right="{right}"/></w:pPr></w:p>'
    )
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W_NS}">{rule}</w:ftr>'


# --- the 版记 ------------------------------------------------------------------------------------


def imprint_table(copy_label: str = "抄送", *, letter: bool = False) -> str:
    """The 版记 as a floating table pinned to the bottom of the text block of the last page.

    Measured on LibreOffice 7.4: only a table anchored horizontally to the *page* becomes a
    positioned frame (a full-width one anchored to the margin silently stays in the flow), and
    the table needs a paragraph after it or it vanishes. A 函's 版记 (``letter``, GB/T 9704 10.1)
    holds only its 抄送, without rules, and is left out when there is none.
    """
    width = layout.mm_to_twips(layout.PAGE.block_width_mm)
    row_h = layout.mm_to_twips(layout.IMPRINT_ROW_MM)
    thick, thin = (0, 0) if letter else (layout.IMPRINT_THICK_EIGHTHS, layout.IMPRINT_THIN_EIGHTHS)
    rule = "nil" if letter else "single"
    tbl_pr = (
        "<w:tblPr>"
        f'<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="0" w:bottomFromText="0" '
        f'w:vertAnchor="margin" w:horzAnchor="page" w:tblpX="{layout.mm_to_twips(layout.PAGE.left_mm)}" '
        'w:tblpYSpec="bottom"/>'
        f'<w:tblW w:w="{width}" w:type="dxa"/>'
        "<w:tblBorders>"
        f'<w:top w:val="{rule}" w:sz="{thick}" w:space="0" w:color="000000"/>'
        '<w:left w:val="nil"/>'
        f'<w:bottom w:val="{rule}" w:sz="{thick}" w:space="0" w:color="000000"/>'
        '<w:right w:val="nil"/>'
        f'<w:insideH w:val="{rule}" w:sz="{thin}" w:space="0" w:color="000000"/>'
        '<w:insideV w:val="nil"/>'
        "</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/>'
        "</w:tblPr>"
        f'<w:tblGrid><w:gridCol w:w="{width}"/></w:tblGrid>'
    )

    def row(text: str, *, labelled: bool = False) -> str:
        # At least one row high: a long 抄送 takes the lines it needs (an exact row cut it off).
        tr_pr = f'<w:trPr><w:cantSplit/><w:trHeight w:val="{row_h}" w:hRule="atLeast"/></w:trPr>'
        # Some room above and below a row's lines, so a row of several lines keeps them off the
        # rules too. Measured: LibreOffice gives a one-line row 6.3 mm of text, so 0.8 mm each
        # side still leaves it at the 8 mm the row asks for.
        pad = layout.mm_to_twips(0.8)
        margins = f'<w:tcMar><w:top w:w="{pad}" w:type="dxa"/><w:bottom w:w="{pad}" w:type="dxa"/></w:tcMar>'
        tc_pr = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{margins}<w:vAlign w:val="center"/></w:tcPr>'
        label = 3 * IMPRINT_CHAR_TWIPS  # "抄送：": wrapped lines align after the colon
        hanging = {"left": IMPRINT_CHAR_TWIPS + label, "right": IMPRINT_CHAR_TWIPS, "hanging": label}
        ppr = para_props("GwImprint", ind=hanging if labelled else None)
        return f"<w:tr>{tr_pr}<w:tc>{tc_pr}{paragraph(text, ppr)}</w:tc></w:tr>"

    tail = paragraph(
        "",
        para_props(snap_to_grid=False, line=(20, "exact"), before=0, after=0, rpr=run_props(size_pt=1)),
    )
    if letter:
        table = f"<w:tbl>{tbl_pr}{row(f'{copy_label}：{{{{ copy_to }}}}', labelled=True)}</w:tbl>"
        return jinja_paragraph("if copy_to") + table + tail + jinja_paragraph("endif")
    rows = [
        jinja_row("if disclosure", 1),
        row("公开方式：{{ disclosure }}"),
        jinja_row("endif", 1),
        jinja_row("if copy_to", 1),
        row(f"{copy_label}：{{{{ copy_to }}}}", labelled=True),
        jinja_row("endif", 1),
        row("{{ printed_by }}\t{{ printed_date }}印发"),
    ]
    # The 1-twip paragraph after the table: without one LibreOffice drops the floating table.
    return f"<w:tbl>{tbl_pr}{''.join(rows)}</w:tbl>{tail}"


# --- documents ---------------------------------------------------------------------------------


def heading_font_run(text: str, font: FontRole) -> str:
    """A run in a heading font; the body text after it in the same paragraph stays 仿宋."""
    return text_run(text, run_props(font))


def attachment_note(items: str) -> str:
    """附件说明: "附件：name", or "附件：1. name" / "2. name" aligned under the first name."""
    return "".join(
        [
            jinja_paragraph(f"for a in {items}"),
            jinja_paragraph("if loop.first"),
            paragraph("附件：{{ a }}", para_props("GwAttachmentNote")),
            jinja_paragraph("else"),
            paragraph("{{ a }}", para_props("GwAttachmentMore")),
            jinja_paragraph("endif"),
            jinja_paragraph("endfor"),
        ]
    )


def banner_paragraph(before: int | str | None = None) -> str:
    """The red 发文机关标志, in the size the context gives (``banner_size``, half-points)."""
    size = '<w:rPr><w:sz w:val="{{ banner_size }}"/><w:szCs w:val="{{ banner_size }}"/></w:rPr>'
    ppr = para_props("GwBanner", before=before, line=("{{ banner_line }}", "exact"))
    return f"<w:p>{ppr}{text_run('{{ banner }}', size)}</w:p>"


def plain_table(width: str, columns: list[str], rows: str, *, centred: bool = False) -> str:
    """A borderless table without cell margins; widths may be Jinja expressions filled at render time."""
    nil = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    jc = '<w:jc w:val="center"/>' if centred else ""
    tbl_pr = (
        f'<w:tblPr><w:tblW w:w="{width}" w:type="dxa"/>{jc}<w:tblBorders>{nil}</w:tblBorders>'
        '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar></w:tblPr>'
    )
    grid = "".join(f'<w:gridCol w:w="{column}"/>' for column in columns)
    return f"<w:tbl>{tbl_pr}<w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"


def plain_cell(width: str, content: str, align: str) -> str:
    """One cell of a ``plain_table``, its content aligned vertically (top, center, bottom)."""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="{align}"/></w:tcPr>{content}</w:tc>'


def joint_banner_table() -> str:
    """A joint banner (7.2.4): the organs stacked at one width, the lead first, 文件 centred beside them."""
    size = '<w:rPr><w:sz w:val="{{ banner_size }}"/><w:szCs w:val="{{ banner_size }}"/></w:rPr>'
    line = ("{{ banner_line }}", "exact")
    name = f"<w:p>{para_props('GwBanner', jc='{{ joint_jc }}', line=line)}{text_run('{{ o }}', size)}</w:p>"
    word = f"<w:p>{para_props('GwBanner', jc='right', line=line)}{text_run(layout.JOINT_WORD, size)}</w:p>"
    names = jinja_paragraph("for o in joint_banner") + name + jinja_paragraph("endfor")
    cells = plain_cell("{{ joint_names_twips }}", names, "center") + plain_cell(
        "{{ joint_word_twips }}", word, "center"
    )
    row = f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>"
    return plain_table(
        "{{ joint_names_twips + joint_word_twips }}",
        ["{{ joint_names_twips }}", "{{ joint_word_twips }}"],
        row,
        centred=True,
    )


# 署名 style, so fitting finds the closing block; centred in its column rather than over the date.
def joint_signature_ppr(before: str) -> str:
    """A joint 署名's name, centred in its cell, its seal's room before it."""
    return para_props("GwSignature", jc="center", ind={"right": 0}, before=before)


JOINT_DATE_PPR = para_props("GwDate", jc="center", ind={"right": 0})


def joint_signature_table() -> str:
    """The 署名 of a joint document (7.3.5.2): two organs a row, each row tall enough for its seals.

    The 成文日期 goes under the last organ, in its cell: the last seal presses both, and a row
    never splits, so the date cannot be left alone on a page.
    """
    date = jinja_paragraph("if loop.last") + paragraph("{{ date }}", JOINT_DATE_PPR) + jinja_paragraph("endif")
    # The seals' room is the space before each cell's first line, not a bottom alignment:
    # LibreOffice 7.4 sometimes lays a bottom-aligned row one line high (measured: a table that
    # starts 100 mm down a page printed its second row right under the first).
    left = paragraph(
        "{{ r.left }}", para_props("GwSignature", jc="center", ind={"right": 0}, before="{{ r.left_before }}")
    )
    right = (
        paragraph(
            "{{ r.right }}", para_props("GwSignature", jc="center", ind={"right": 0}, before="{{ r.right_before }}")
        )
        + date
    )
    cells = plain_cell("{{ joint_left_twips }}", left, "top") + plain_cell("{{ joint_right_twips }}", right, "top")
    row = (
        f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{{{{ r.height }}}}" w:hRule="atLeast"/></w:trPr>{cells}</w:tr>'
    )
    rows = jinja_row("for r in joint_rows", 2) + row + jinja_row("endfor", 2)
    return plain_table(
        "{{ joint_left_twips + joint_right_twips }}", ["{{ joint_left_twips }}", "{{ joint_right_twips }}"], rows
    )


def head_marks() -> list[str]:
    """份号, 密级和保密期限, 紧急程度: flush left, one line each, in that order (7.2.1-7.2.3)."""
    return [
        jinja_paragraph("if copy_number"),
        paragraph("{{ copy_number }}", para_props("GwCopyNumber")),
        jinja_paragraph("endif"),
        jinja_paragraph("if secrecy"),
        paragraph("{{ secrecy }}", para_props("GwHeadMark")),
        jinja_paragraph("endif"),
        jinja_paragraph("if urgency"),
        paragraph("{{ urgency }}", para_props("GwHeadMark")),
        jinja_paragraph("endif"),
    ]


def red_head(*, upward: bool = False) -> list[str]:
    """The 版头 of a 文件格式 document: marks, banner, 发文字号 (with 签发人 when ``upward``), red rule.

    LibreOffice sets the glyphs of an exact-height line at its top, so the banner's "space
    before" is the distance from the marks above it to the top of its characters. A joint
    banner is a table, which takes no space before: a spacer paragraph holds it down.
    """
    spacer = paragraph(
        "", para_props(snap_to_grid=False, line=("{{ banner_before }}", "exact"), rpr=run_props(size_pt=1))
    )
    banner = "".join(
        [
            jinja_paragraph("if joint_banner"),
            spacer,
            joint_banner_table(),
            jinja_paragraph("else"),
            banner_paragraph("{{ banner_before }}"),
            jinja_paragraph("endif"),
        ]
    )
    if not upward:
        return [
            *head_marks(),
            banner,
            paragraph("{{ number }}", para_props("GwNumber", before=2 * layout.LINE_PITCH_TWIPS)),
        ]
    # 7.2.4/7.2.5: the number one character from the left, 签发人 one character from the right on
    # the same line; more names wrap above it, aligned under the first name.
    # The label ends at the right tab where the names start; the names sit at a left tab just after.
    tabs: list[tuple[str, int | str]] = [
        ("left", CHAR_TWIPS),
        ("right", "{{ signer_tab }}"),
        ("left", "{{ signer_tab + 1 }}"),
    ]
    names = run_props(KAITI)
    label_run = text_run("\t\t{{ s.label }}\t")
    number_run = text_run("\t{{ number }}\t{{ last_signer.label }}\t")
    signer_rows = [
        jinja_paragraph("for s in signer_rows"),
        f"<w:p>{para_props('GwSigners', tabs=tabs, before='{{ s.before }}')}"
        f"{label_run}{text_run('{{ s.names }}', names)}</w:p>",
        jinja_paragraph("endfor"),
    ]
    number_line = (
        f"<w:p>{para_props('GwNumberUp', tabs=tabs, before='{{ last_signer.before }}')}"
        f"{number_run}{text_run('{{ last_signer.names }}', names)}</w:p>"
    )
    return [*head_marks(), banner, *signer_rows, number_line]


def numbered_paragraphs(items: str) -> list[str]:
    """Body text with numbered headings (一、 黑体, （一） 楷体, 1. and （1） 仿宋), as the plan prints them."""
    return [
        jinja_paragraph(f"for p in {items}"),
        jinja_paragraph("if p.level == 1"),
        f"<w:p>{para_props('GwHeading1')}{heading_font_run('{{ p.number }}{{ p.heading }}', HEITI)}"
        f"{text_run('{{ p.text }}')}</w:p>",
        jinja_paragraph("elif p.level == 2"),
        f"<w:p>{para_props('GwHeading2')}{heading_font_run('{{ p.number }}{{ p.heading }}', KAITI)}"
        f"{text_run('{{ p.text }}')}</w:p>",
        jinja_paragraph("elif p.level >= 3"),
        paragraph("{{ p.number }}{{ p.heading }}{{ p.text }}", para_props("GwHeading3")),
        jinja_paragraph("else"),
        paragraph("{{ p.text }}", para_props("GwBody")),
        jinja_paragraph("endif"),
        jinja_paragraph("endfor"),
    ]


def loop_paragraphs(items: str, style: str = "GwBody") -> list[str]:
    """One paragraph per item of ``items``."""
    return [
        jinja_paragraph(f"for para in {items}"),
        paragraph("{{ para }}", para_props(style)),
        jinja_paragraph("endfor"),
    ]


def main_text(title: list[str]) -> list[str]:
    """Title, 主送, body with headings, closing paragraphs, 附件说明, 署名, 成文日期 and 附注."""
    return [
        *title,
        # One blank line below the title: an empty line of the grid, so a tightened grid
        # (fitting the 署名) tightens it too, where a space before would keep its height.
        paragraph("", para_props("GwBody")),
        paragraph("{{ recipients }}：", para_props("GwRecipients")),
        *loop_paragraphs("body"),
        *numbered_paragraphs("paragraphs"),
        *loop_paragraphs("closing"),
        jinja_paragraph("if attachments"),
        paragraph("", para_props("GwBody")),
        jinja_paragraph("endif"),
        attachment_note("attachments"),
        *signature_block("signature", "date", note="note"),
    ]


def upward_body() -> str:
    """A 请示 or 报告: 上行文 版头 with the 签发人, then the body, then the 版记."""
    title = paragraph("{{ title }}", para_props("GwTitle", before=2 * layout.LINE_PITCH_TWIPS))
    return "".join([*red_head(upward=True), *main_text([title])]) + imprint_table()


def letter_head() -> str:
    """The 信函格式's head (10.1), as a table positioned on page 1 above the text block.

    Row 1: the organ's name in red, the double rule (thick over thin) as its lower border.
    Row 2: 份号 / 密级 / 紧急程度 flush left and the 发文字号 flush right, 7/8 of a character
    below the rule; the table is 170 mm wide and its second row's margins bring both to the
    edges of the 156 mm block.
    """
    width = layout.mm_to_twips(layout.LETTER_RULE_MM)
    half = width // 2
    inset = layout.mm_to_twips((layout.LETTER_RULE_MM - layout.PAGE.block_width_mm) / 2)
    gap = round(layout.LETTER_NUMBER_GAP_PT * layout.TWIPS_PER_PT) - layout.mm_to_twips(layout.LETTER_CELL_SHIFT_MM)
    nil = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    tbl_pr = (
        "<w:tblPr>"
        '<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="0" w:bottomFromText="0" '
        f'w:vertAnchor="page" w:horzAnchor="page" w:tblpX="{layout.mm_to_twips(layout.letter_rule_x_mm())}" '
        f'w:tblpY="{layout.mm_to_twips(layout.LETTER_BANNER_TOP_MM)}"/>'
        f'<w:tblW w:w="{width}" w:type="dxa"/><w:tblBorders>{nil}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr>"
        f'<w:tblGrid><w:gridCol w:w="{half}"/><w:gridCol w:w="{width - half}"/></w:tblGrid>'
    )
    rule = (
        f'<w:tcBorders><w:bottom w:val="thickThinSmallGap" w:sz="{layout.LETTER_RULE_EIGHTHS}" w:space="0" '
        f'w:color="{layout.RED}"/></w:tcBorders>'
    )
    banner = (
        f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>'
        f'<w:gridSpan w:val="2"/>{rule}</w:tcPr>{banner_paragraph()}</w:tc></w:tr>'
    )

    def cell(side: str, content: str, w: int) -> str:
        margins = f'<w:tcMar><w:top w:w="{gap}" w:type="dxa"/><w:{side} w:w="{inset}" w:type="dxa"/></w:tcMar>'
        return f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{margins}</w:tcPr>{content}</w:tc>'

    # A cell needs a paragraph even when every mark is absent: a 1-twip one, drawing nothing.
    stub = paragraph("", para_props(snap_to_grid=False, line=(20, "exact"), rpr=run_props(size_pt=1)))
    marks = "".join(head_marks()) + stub
    number = paragraph("{{ number }}", para_props("GwLetterNumber"))
    second = (
        f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cell('left', marks, half)}{cell('right', number, width - half)}</w:tr>"
    )
    return f"<w:tbl>{tbl_pr}{banner}{second}</w:tbl>"


def letter_body() -> str:
    """A 函 in the 信函格式 (10.1): the positioned head, the body, then its 版记.

    The 版记 sits at the foot of the last page and holds the 抄送 alone, without rules or 印发.
    """
    title = paragraph("{{ title }}", para_props("GwTitle", before="{{ title_before }}"))
    return letter_head() + "".join(main_text([title])) + imprint_table(letter=True)


def minutes_body() -> str:
    """A 纪要 (10.3): its red 标志, 期号, organ and date over the red rule, body, attendance, 版记."""
    line = layout.LINE_PITCH_TWIPS
    attendance = [
        jinja_paragraph("if attendance"),
        paragraph("", para_props("GwBody")),
        jinja_paragraph("endif"),
        jinja_paragraph("for a in attendance"),
        f"<w:p>{para_props('GwAttendance')}{text_run('{{ a.label }}：', run_props(HEITI))}"
        f"{text_run('{{ a.names }}')}</w:p>",
        jinja_paragraph("endfor"),
    ]
    organ_line = paragraph(
        "\t{{ minutes_organ }}\t{{ date }}",
        para_props(
            "GwNumberUp",
            tabs=[("left", CHAR_TWIPS), ("right", layout.mm_to_twips(layout.PAGE.block_width_mm) - CHAR_TWIPS)],
            before="{{ organ_before }}",
        ),
    )
    return "".join(
        [
            *head_marks(),
            banner_paragraph("{{ banner_before }}"),
            jinja_paragraph("if minutes_number"),
            paragraph("{{ minutes_number }}", para_props("GwCentered", before=2 * line)),
            jinja_paragraph("endif"),
            organ_line,
            paragraph("{{ title }}", para_props("GwTitle", before=2 * line)),
            paragraph("", para_props("GwBody")),
            *loop_paragraphs("body"),
            *numbered_paragraphs("paragraphs"),
            *attendance,
        ]
    ) + imprint_table("分送")


def notice_parts() -> str:
    """The 通知 from its 版头 to its 附注 (the 版记 comes last in the whole document)."""
    title = paragraph("{{ title }}", para_props("GwTitle", before=2 * layout.LINE_PITCH_TWIPS))
    return "".join([*red_head(), *main_text([title])])


def signature_block(organ: str, date: str, note: str | None = None) -> list[str]:
    """Two blank lines for the seal, then the 署名 centred over the 成文日期 (7.3.5.1).

    A 附注 (``note``) follows the date and is kept on its page: a page holding only the 附注
    would waste a sheet.
    """
    seal = [paragraph("", para_props("GwBody")), paragraph("", para_props("GwBody"))]
    signed = paragraph(f"{{{{ {organ} }}}}", para_props("GwSignature"))
    dated = paragraph(f"{{{{ {date} }}}}", para_props("GwDate"))
    if note is None:
        one = [*seal, signed, dated]
        noted: list[str] = []
    else:
        one = [
            *seal,
            signed,
            jinja_paragraph(f"if {note}"),
            paragraph(f"{{{{ {date} }}}}", para_props("GwDate", keep_next=True)),
            jinja_paragraph("else"),
            dated,
            jinja_paragraph("endif"),
        ]
        noted = [
            jinja_paragraph(f"if {note}"),
            paragraph(f"（{{{{ {note} }}}}）", para_props("GwNote")),
            jinja_paragraph("endif"),
        ]
    # Several organs (联合行文) sign in a table that holds the date too.
    return [
        jinja_paragraph("if joint_rows"),
        joint_signature_table(),
        jinja_paragraph("else"),
        *one,
        jinja_paragraph("endif"),
        *noted,
    ]


def plan_parts(*, new_page: bool) -> str:
    """The 工作计划: title, opening paragraphs, numbered headings, 附件说明."""
    line = layout.LINE_PITCH_TWIPS
    return "".join(
        [
            paragraph("{{ plan_title }}", para_props("GwTitle", page_break_before=new_page)),
            paragraph("", para_props("GwBody", before=0, line=(line, "exact"))),
            *loop_paragraphs("plan_preamble"),
            *numbered_paragraphs("plan_paragraphs"),
            jinja_paragraph("if plan_attachments"),
            paragraph("", para_props("GwBody")),
            jinja_paragraph("endif"),
            attachment_note("plan_attachments"),
        ]
    )


def table(widths_mm: list[float], rows: list[str]) -> str:
    """A bordered table of fixed column widths; ``rows`` are ``w:tr`` strings already built."""
    rule = layout.TABLE_RULE_EIGHTHS
    margin = layout.mm_to_twips(layout.CELL_MARGIN_MM)
    total = sum(layout.mm_to_twips(w) for w in widths_mm)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="{rule}" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    grid = "".join(f'<w:gridCol w:w="{layout.mm_to_twips(w)}"/>' for w in widths_mm)
    tbl_pr = (
        f'<w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
        f"<w:tblBorders>{borders}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:top w:w="{margin // 2}" w:type="dxa"/><w:left w:w="{margin}" w:type="dxa"/>'
        f'<w:bottom w:w="{margin // 2}" w:type="dxa"/><w:right w:w="{margin}" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        f'w:noHBand="1" w:noVBand="1"/><w:tblCaption w:val="{AUTOFIT_CAPTION}"/></w:tblPr>'
    )
    return f"<w:tbl>{tbl_pr}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


def table_cell(text: str, width_mm: float, *, span: int = 1, style: str = "GwTableText") -> str:
    """One cell holding one paragraph (which may hold Jinja tags)."""
    span_xml = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    width = layout.mm_to_twips(width_mm)
    tc_pr = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span_xml}<w:vAlign w:val="center"/></w:tcPr>'
    return f"<w:tc>{tc_pr}{paragraph(text, para_props(style))}</w:tc>"


def table_row(cells: list[str], *, header: bool = False, min_height_mm: float = 9.0) -> str:
    """A row; a header row repeats at the top of every page the table runs onto."""
    repeat = "<w:tblHeader/>" if header else ""
    height = f'<w:trHeight w:val="{layout.mm_to_twips(min_height_mm)}" w:hRule="atLeast"/>'
    return f"<w:tr><w:trPr><w:cantSplit/>{height}{repeat}</w:trPr>{''.join(cells)}</w:tr>"


TASK_WIDTHS_MM = [14.0, 111.0, 60.0, 40.0]  # 225 mm: the landscape block


def list_table(widths_mm: list[float], columns: list[tuple[str, str, bool]], loop: str, suffix: str = "") -> str:
    """A table with a header row repeated on every page and one row per item of ``loop``.

    ``columns`` are (header, cell template, centred); ``suffix`` picks the small table styles.
    """
    header = table_row(
        [table_cell(head, w, style=f"GwTableHead{suffix}") for (head, _, _), w in zip(columns, widths_mm, strict=True)],
        header=True,
    )
    return table(widths_mm, [header, *looped_rows(widths_mm, columns, f"r in {loop}", suffix)])


def looped_rows(
    widths_mm: list[float],
    columns: list[tuple[str, str, bool]],
    loop: str,
    suffix: str = "",
    min_height_mm: float = 9.0,
) -> list[str]:
    """One table row per item of a ``{%tr for loop %}``; ``columns`` as for ``list_table``."""
    cells = [
        table_cell(value, w, style=f"GwTable{'Center' if centred else 'Text'}{suffix}")
        for (_, value, centred), w in zip(columns, widths_mm, strict=True)
    ]
    n = len(columns)
    return [jinja_row(f"for {loop}", n), table_row(cells, min_height_mm=min_height_mm), jinja_row("endfor", n)]


def tasks_parts() -> str:
    """The 任务分工表 as a 附件: label, title, and a table whose header repeats on every page."""
    columns = [
        ("序号", "{{ r.index }}", True),
        ("工作任务", "{{ r.task }}", False),
        ("责任单位", "{{ r.units }}", False),
        ("完成时限", "{{ r.deadline }}", True),
    ]
    return "".join(
        [
            paragraph("{{ tasks_label }}", para_props("GwAttachmentLabel")),
            paragraph("{{ tasks_title }}", para_props("GwTitle", before=layout.LINE_PITCH_TWIPS)),
            paragraph("", para_props("GwBody", line=(layout.LINE_PITCH_TWIPS // 2, "exact"))),
            list_table(TASK_WIDTHS_MM, columns, "task_rows"),
        ]
    )


def notice_body() -> str:
    """The 通知 alone: red-header 版头, 主体 and 版记."""
    return notice_parts() + imprint_table()


def plan_body() -> str:
    """The 工作计划 alone."""
    return plan_parts(new_page=False)


def tasks_body() -> str:
    """The 任务分工表 alone (a landscape document)."""
    return tasks_parts()


def set_body() -> str:
    """The 印发 set of the seed: notice, plan on a new page, the landscape 附件, then the 版记."""
    return "".join(
        [
            notice_parts(),
            # The notice is a section of its own, so fitting its closing block leaves the plan at 22 lines.
            section_break(),
            plan_parts(new_page=False),
            section_break(),
            tasks_parts(),
            section_break(landscape=True),
            # The 版记 page needs a paragraph in the flow: a section holding only the floating
            # table is merged into the landscape one by LibreOffice, 版记 and all.
            paragraph("", para_props("GwBody")),
            imprint_table(),
        ]
    )


ACCEPTANCE_WIDTHS_MM = [38.0, 50.0, 32.0, 36.0]  # 156 mm: the portrait block


def acceptance_body() -> str:
    """One 验收记录: the enterprise, its equipment, capacity, method, conclusion and team."""
    w = ACCEPTANCE_WIDTHS_MM
    rest = sum(w[1:])

    def field_row(label: str, value: str) -> str:
        return table_row([table_cell(label, w[0], style="GwTableHead"), table_cell(value, rest, span=3)])

    def pair_row(label1: str, value1: str, label2: str, value2: str) -> str:
        return table_row(
            [
                table_cell(label1, w[0], style="GwTableHead"),
                table_cell(value1, w[1]),
                table_cell(label2, w[2], style="GwTableHead"),
                table_cell(value2, w[3], style="GwTableCenter"),
            ]
        )

    def band(title: str) -> str:
        return table_row([table_cell(title, sum(w), span=4, style="GwTableHead")])

    def heads(*labels: str) -> str:
        return table_row(
            [table_cell(label, width, style="GwTableHead") for label, width in zip(labels, w, strict=True)]
        )

    rows = [
        field_row("企业名称", "{{ enterprise_name }}"),
        field_row("统一社会信用代码", "{{ credit_code }}"),
        field_row("地址", "{{ address }}"),
        pair_row("行业", "{{ industry }}", "退出方式", "{{ exit_method }}"),
        pair_row("退出产能", "{{ capacity }}", "验收时间", "{{ acceptance_date }}"),
        band("退出设备"),
        heads("序号", "设备名称", "规格型号", "数量"),
        *looped_rows(
            w,
            [
                ("", "{{ e.index }}", True),
                ("", "{{ e.name }}", False),
                ("", "{{ e.model }}", True),
                ("", "{{ e.quantity }}", True),
            ],
            "e in equipment",
        ),
        field_row("验收结论", "{{ conclusion }}"),
        band("验收组成员"),
        heads("姓名", "单位", "职务", "签字"),
        *looped_rows(
            w,
            [("", "{{ m.name }}", True), ("", "{{ m.unit }}", False), ("", "{{ m.title }}", True), ("", "", False)],
            "m in team",
            min_height_mm=12.0,
        ),
    ]
    return "".join(
        [
            paragraph("{{ record_title }}", para_props("GwTitle")),
            paragraph("", para_props("GwBody", line=(layout.LINE_PITCH_TWIPS // 2, "exact"))),
            table(w, rows),
            paragraph("", para_props("GwBody", line=(layout.LINE_PITCH_TWIPS // 2, "exact"))),
            paragraph("组织验收单位：{{ organiser }}", para_props("GwBody")),
        ]
    )


ANNOUNCEMENT_WIDTHS_MM = [10.0, 42.0, 14.0, 50.0, 22.0, 18.0]  # 156 mm


def announcement_body() -> str:
    """The 公告: title, basis, the list of enterprises, 公示期, complaint channel, organ, date."""
    columns = [
        ("序号", "{{ r.index }}", True),
        ("企业名称", "{{ r.name }}", False),
        ("行业", "{{ r.industry }}", True),
        ("退出设备", "{{ r.equipment }}", False),
        ("退出产能", "{{ r.capacity }}", True),
        ("退出方式", "{{ r.exit_method }}", True),
    ]
    half_line = paragraph("", para_props("GwBody", line=(layout.LINE_PITCH_TWIPS // 2, "exact")))
    return "".join(
        [
            paragraph("{{ title }}", para_props("GwTitle")),
            jinja_paragraph("if announcement_number"),
            paragraph("{{ announcement_number }}", para_props("GwCentered")),
            jinja_paragraph("endif"),
            paragraph("", para_props("GwBody")),
            jinja_paragraph("for para in basis"),
            paragraph("{{ para }}", para_props("GwBody")),
            jinja_paragraph("endfor"),
            half_line,
            list_table(ANNOUNCEMENT_WIDTHS_MM, columns, "announcement_rows", suffix="Small"),
            half_line,
            jinja_paragraph("for para in closing"),
            paragraph("{{ para }}", para_props("GwBody")),
            jinja_paragraph("endfor"),
            *signature_block("signature", "date"),
        ]
    )


def document_xml(body: str, *, landscape: bool = False, unnumbered_first: bool = False) -> str:
    """Wrap body XML into ``word/document.xml``; the last section's set-up closes the body."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}'
        f"{section_props(landscape=landscape, unnumbered_first=unnumbered_first)}</w:body></w:document>"
    )


SETTINGS_XML = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:settings xmlns:w="{W_NS}">'
    # CT_Settings order: defaultTabStop, evenAndOddHeaders, characterSpacingControl, compat.
    '<w:defaultTabStop w:val="420"/><w:evenAndOddHeaders/><w:characterSpacingControl w:val="compressPunctuation"/>'
    '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" '
    'w:val="15"/></w:compat>'
    "</w:settings>"
)

CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/footer1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/word/footer2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>"
)

PACKAGE_RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rIdStyles" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rIdSettings" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>'
    '<Relationship Id="rIdFooterOdd" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>'
    '<Relationship Id="rIdFooterEven" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>'
    "</Relationships>"
)


FIRST_FOOTER_TYPE = (
    '<Override PartName="/word/footer3.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
)
FIRST_FOOTER_REL = (
    '<Relationship Id="rIdFooterFirst" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer3.xml"/>'
)


def core_xml(title: str) -> str:
    """Document properties: a fixed title and no timestamps, so builds are reproducible."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>docgen</dc:creator></cp:coreProperties>"
    )


def package(body: str, title: str, *, landscape: bool = False, unnumbered_first: bool = False) -> bytes:
    """Zip the parts of one template into DOCX bytes, identical on every run."""
    content_types, rels = CONTENT_TYPES_XML, DOCUMENT_RELS_XML
    if unnumbered_first:  # only the 函 has a first-page footer; the other templates stay as they were
        content_types = content_types.replace("</Types>", FIRST_FOOTER_TYPE + "</Types>")
        rels = rels.replace("</Relationships>", FIRST_FOOTER_REL + "</Relationships>")
    parts = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": PACKAGE_RELS_XML,
        "docProps/core.xml": core_xml(title),
        "word/document.xml": document_xml(body, landscape=landscape, unnumbered_first=unnumbered_first),
        "word/_rels/document.xml.rels": rels,
        "word/styles.xml": styles_xml(),
        "word/settings.xml": SETTINGS_XML,
        "word/footer1.xml": footer_xml(odd=True, lift=unnumbered_first),
        "word/footer2.xml": footer_xml(odd=False, lift=unnumbered_first),
    }
    if unnumbered_first:
        parts["word/footer3.xml"] = letter_first_footer_xml()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in parts.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, xml.encode("utf-8"))
    return buf.getvalue()


@dataclass(frozen=True)
class TemplateSpec:
    """How one built-in template is made."""

    body: Callable[[], str]
    title: str
    landscape: bool = False
    unnumbered_first: bool = False  # page 1 without a page number (信函格式)


TEMPLATES = {
    "notice": TemplateSpec(notice_body, "通知（GB/T 9704-2012 红头文件）"),
    "plan": TemplateSpec(plan_body, "工作计划"),
    "tasks": TemplateSpec(tasks_body, "任务分工表（附件，横排表格）", landscape=True),
    "acceptance": TemplateSpec(acceptance_body, "落后产能退出验收记录"),
    "announcement": TemplateSpec(announcement_body, "公告"),
    "set": TemplateSpec(set_body, "印发通知 + 工作计划 + 任务分工表（合成件）"),
    "request": TemplateSpec(upward_body, "请示（上行文，含签发人）"),
    "report": TemplateSpec(upward_body, "报告（上行文，含签发人）"),
    "letter": TemplateSpec(letter_body, "函（信函格式）", unnumbered_first=True),
    "minutes": TemplateSpec(minutes_body, "纪要（纪要格式）"),
}


def build_all() -> dict[str, bytes]:
    """Return the bytes of every built-in template, keyed by file name."""
    return {
        f"{kind}.docx": package(
            spec.body(), spec.title, landscape=spec.landscape, unnumbered_first=spec.unnumbered_first
        )
        for kind, spec in TEMPLATES.items()
    }


def main(argv: list[str] | None = None) -> None:
    """Write every built-in template into a folder (default: the repository's templates/official)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else BUILTIN_TEMPLATES
    target.mkdir(parents=True, exist_ok=True)
    for name, data in build_all().items():
        (target / name).write_bytes(data)
        print(target / name)


if __name__ == "__main__":
    main()
