"""The font names GB/T 9704 documents use, as a Chinese office PC knows them.

The DOCX always carries these names (on the East Asian slot too), so a document opened in Word
or WPS on an office PC shows the real fonts. Conversion here maps each to a free stand-in
unless a licensed copy of the real font is installed (see ``docgen.fonts``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FontRole:
    """One GB/T 9704 font: the name written into documents and its free stand-in here."""

    name: str
    role: str
    stand_in_family: str
    stand_in_bold: bool = False


FANGSONG = FontRole("仿宋_GB2312", "正文（3号仿宋）", "FandolFang")
XIAOBIAOSONG = FontRole("方正小标宋简体", "标题、发文机关标志", "Noto Serif CJK SC", stand_in_bold=True)
HEITI = FontRole("黑体", "一级标题、附件标识", "Noto Sans CJK SC")
KAITI = FontRole("楷体_GB2312", "二级标题", "FandolKai")
SONGTI = FontRole("宋体", "页码", "Noto Serif CJK SC")

FONT_ROLES: tuple[FontRole, ...] = (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI)
