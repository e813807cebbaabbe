"""The 四性检测 report as an official table an archivist can sign: PDF (reportlab) and HTML.

Both are drawn from the same plain data (``CheckReport.to_json()``), so they say the same.
"""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docgen.stamp import MM
from docgen.vocab import clerk_time

FINDINGS_PRINTED = 50  # findings printed per item in the details; the JSON has them all
RESULT_COLOURS = {"通过": "#1a7f37", "不通过": "#c62828", "不适用": "#666666"}


def _scope(data: dict[str, Any]) -> list[str]:
    year = f"{data['year']} 年度" if data.get("year") else "全部年度"
    lines = [
        f"档案库：{data['archive']}",
        f"检测范围：{year}，{data['documents']} 件，{data['bytes']:,} 字节",
    ]
    if len(data.get("per_year", {})) > 1:
        each = "；".join(f"{y} 年 {t['documents']} 件 {t['bytes']:,} 字节" for y, t in sorted(data["per_year"].items()))
        lines.append(f"各年度：{each}")
    checked = clerk_time(data["checked_at"], seconds=True, zone=True)
    lines += [f"检测时间：{checked}", f"摘要算法：SHA-256、SM3（{data['sm3_provider']}）"]
    if data.get("log_head"):
        # Printed and signed, the log's last SM3 anchors it: a log rewritten later no longer matches.
        count, sm3 = data["log_head"]
        lines.append(f"事件日志：{count} 条，最后一条的 SM3 为 {sm3}")
    return lines


def _remark(item: dict[str, Any]) -> str:
    """The table's last cell: how many findings (listed below the table), or the item's note."""
    if item["files"]:
        return f"{len(item['files'])} 处，见问题明细"
    return str(item.get("note", ""))


def _details(data: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(heading, findings) for each failed item, findings capped for print."""
    out = []
    for item in data["items"]:
        files = item["files"]
        if not files:
            continue
        shown = files[:FINDINGS_PRINTED]
        if len(files) > FINDINGS_PRINTED:
            shown.append(f"……另有 {len(files) - FINDINGS_PRINTED} 处，完整清单见 --json 输出")
        out.append((f"{item['code']} {item['name']}", shown))
    return out


def _verdict(data: dict[str, Any]) -> str:
    failed = [item["code"] for item in data["items"] if item["result"] == "不通过"]
    return (
        "结论：全部适用项目通过。"
        if not failed
        else f"结论：{len(failed)} 项不通过（{'、'.join(failed)}），请处理后重新检测。"
    )


def report_pdf(data: dict[str, Any], font: Path) -> bytes:
    """An A4 report: scope, one row per item (code, property, item, result, files), verdict, signatures."""
    from reportlab.lib import colors  # noqa: PLC0415 - reportlab loads only for reports
    from reportlab.lib.pagesizes import A4  # noqa: PLC0415
    from reportlab.lib.styles import ParagraphStyle  # noqa: PLC0415
    from reportlab.pdfbase import pdfmetrics  # noqa: PLC0415
    from reportlab.pdfbase.ttfonts import TTFont  # noqa: PLC0415
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: PLC0415

    if "DocgenStamp" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DocgenStamp", str(font)))
    body = ParagraphStyle("body", fontName="DocgenStamp", fontSize=10.5, leading=15, wordWrap="CJK")
    head = ParagraphStyle("head", fontName="DocgenStamp", fontSize=18, leading=26, alignment=1, spaceAfter=6)
    line = ParagraphStyle("line", parent=body, fontSize=12, leading=20)
    rows: list[list[Any]] = [[Paragraph(h, body) for h in ("编号", "性质", "检测项目", "结果", "涉及的文件或说明")]]
    for item in data["items"]:
        colour = RESULT_COLOURS.get(item["result"], "#000000")
        rows.append(
            [
                Paragraph(item["code"], body),
                Paragraph(item["property"], body),
                Paragraph(escape(item["name"]), body),
                Paragraph(f'<font color="{colour}">{item["result"]}</font>', body),
                Paragraph(escape(_remark(item)), body),
            ]
        )
    widths = [15, 17, 66, 16, 42]  # 156 mm: the GB/T 9704 text block; 性质 and 不通过 on one line
    table = Table(rows, colWidths=[w * MM for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "DocgenStamp"),  # else Table names an unembedded Helvetica
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    story = [Paragraph("电子档案四性检测报告", head)]
    story += [Paragraph(escape(text), line) for text in _scope(data)]
    story += [Spacer(1, 4 * MM), table, Spacer(1, 6 * MM), Paragraph(_verdict(data), line)]
    details = _details(data)
    if details:
        story.append(Paragraph("问题明细", ParagraphStyle("sub", parent=line, spaceBefore=8)))
        for heading, findings in details:
            story.append(Paragraph(escape(heading), ParagraphStyle("item", parent=body, spaceBefore=4)))
            story += [
                Paragraph(f"{n}. {escape(finding)}", ParagraphStyle("finding", parent=body, leftIndent=6 * MM))
                for n, finding in enumerate(findings, start=1)
            ]
    story.append(Spacer(1, 10 * MM))
    story.append(Paragraph("检测人：＿＿＿＿＿＿　　审核人：＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日", line))

    def page_number(canvas: Any, doc: Any) -> None:
        canvas.setFont("DocgenStamp", 12)
        canvas.drawCentredString(105 * MM, 20 * MM, f"— {doc.page} —")

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=28 * MM,
        rightMargin=26 * MM,
        topMargin=30 * MM,
        bottomMargin=30 * MM,
        initialFontName="DocgenStamp",
        title="电子档案四性检测报告",
    )
    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()


def report_html(data: dict[str, Any]) -> str:
    """The same report as one self-contained HTML page (no scripts, no outside files)."""
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(item['code'])}</td><td>{html.escape(item['property'])}</td>"
        f"<td>{html.escape(item['name'])}</td>"
        f'<td style="color:{RESULT_COLOURS.get(item["result"], "#000")}">{html.escape(item["result"])}</td>'
        f"<td>{html.escape(_remark(item))}</td>"
        "</tr>"
        for item in data["items"]
    )
    scope = "".join(f"<p>{html.escape(text)}</p>" for text in _scope(data))
    details = "".join(
        f"<h3>{html.escape(heading)}</h3><ol>{''.join(f'<li>{html.escape(f)}</li>' for f in findings)}</ol>"
        for heading, findings in _details(data)
    )
    if details:
        details = f"<h2>问题明细</h2>{details}"
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>电子档案四性检测报告</title>'
        "<style>body{font-family:serif;max-width:60em;margin:2em auto}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #000;padding:.3em .5em;vertical-align:middle}th{background:#eee}"
        "td:nth-child(1),td:nth-child(2),td:nth-child(4),th{white-space:nowrap}</style></head>"
        f"<body><h1>电子档案四性检测报告</h1>{scope}<table><tr><th>编号</th><th>性质</th><th>检测项目</th>"
        f"<th>结果</th><th>涉及的文件或说明</th></tr>{rows}</table><p>{html.escape(_verdict(data))}</p>{details}"
        "<p>检测人：＿＿＿＿＿＿　审核人：＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日</p></body></html>"
    )
