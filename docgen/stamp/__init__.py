"""What docgen draws itself with reportlab: the 归档章, the 份号, the 归档文件目录, the 四性检测 report.

Imports only the shared modules. Every drawing is laid over a page with ``on_first_page``.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter

from docgen.errors import FilingError

MM = 72 / 25.4


def stamp_font() -> Path:
    """A TrueType CJK font reportlab can embed (AR PL SungtiL GB, Debian fonts-arphic-gbsn00lp)."""
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", "AR PL SungtiL GB"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except FileNotFoundError:
        out = ""
    if not out.endswith((".ttf", ".ttc")) or not Path(out).is_file():
        msg = "缺少绘制归档章的字体 AR PL SungtiL GB（Debian 软件包 fonts-arphic-gbsn00lp），请运行 make demo 安装。"
        raise FilingError(msg)
    return Path(out)


def text_boxes_mm(page: Any) -> list[tuple[float, float, float, float]]:
    """Rough boxes (x0, top, x1, bottom in mm from the top-left) of the text on a page."""
    height = float(page.mediabox.height)
    boxes: list[tuple[float, float, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not text.strip():
            return
        scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5 or 1.0
        pt = size * scale
        x = tm[4] * cm[0] + cm[4]
        y = tm[5] * cm[3] + cm[5]
        width = len(text) * pt
        boxes.append((x / MM, (height - y - pt) / MM, (x + width) / MM, (height - y + 0.3 * pt) / MM))

    page.extract_text(visitor_text=visit)
    return boxes


def on_first_page(reader: PdfReader, overlay: bytes) -> bytes:
    """The PDF ``reader`` read with the one-page PDF ``overlay`` drawn over its first page; the rest untouched."""
    writer = PdfWriter(clone_from=reader)
    writer.pages[0].merge_page(PdfReader(io.BytesIO(overlay)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
