"""Shared words: what may be a file name, what text may be printed. Imports nothing from docgen.

Every name that becomes part of a path (an enterprise key, a case file's name, a kind) passes
``name_problem``; every string a case prints passes ``text_problem``. Both are pure, so the case
loader, the CLI and the tests agree on them.
"""

from __future__ import annotations

import re
import unicodedata

# CJK, Latin letters, digits and a few marks; nothing that means something to a file system.
FILE_NAME = re.compile(r"^[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff（）()_\-·.]{1,64}$")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)

# Characters that change how text is shown without being seen: bidirectional overrides and
# isolates can print "通知红的" for "的红通知"; zero-width ones hide in titles and folder names.
_INVISIBLE_NAMES = {
    0x200B: "零宽空格",
    0x200C: "零宽不连字",
    0x200D: "零宽连字",
    0x200E: "从左向右标记",
    0x200F: "从右向左标记",
    0x202A: "从左向右嵌入",
    0x202B: "从右向左嵌入",
    0x202C: "方向格式结束",
    0x202D: "从左向右覆盖",
    0x202E: "从右向左覆盖",
    0x2066: "从左向右隔离",
    0x2067: "从右向左隔离",
    0x2068: "方向隔离",
    0x2069: "方向隔离结束",
    0xFEFF: "字节顺序标记",
}
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL 响铃符",
    0x08: "退格",
    0x0B: "垂直制表符",
    0x0C: "换页符",
    0x1B: "ESC 转义符",
    0x7F: "DEL",
}


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be part of a file or folder name, or None when it can."""
    if not FILE_NAME.match(name):
        return "只能用汉字、字母、数字和 ( ) _ - · .，最多 64 个字符，不能含 / \\ : 空格等"
    if name.strip(".") == "" or name.startswith("."):
        return "不能以“.”开头"
    if _WINDOWS_RESERVED.match(name):
        return f"“{name}”是 Windows 保留的文件名"
    return None


def describe_char(ch: str) -> str:
    """U+202E（从右向左覆盖）: a character a clerk cannot see, named so it can be found."""
    code = ord(ch)
    name = _INVISIBLE_NAMES.get(code) or _CONTROL_NAMES.get(code)
    if name is None:
        category = unicodedata.category(ch)
        name = {"Cc": "控制字符", "Cf": "格式字符", "Cs": "代理码位", "Co": "私用区字符", "Cn": "未分配的码位"}.get(
            category
        )
    return f"U+{code:04X}（{name}）" if name else f"U+{code:04X}"


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` may not be printed, or None when it may.

    Control characters, invisible format characters (bidirectional overrides, zero-width
    spaces), lone surrogates and unassigned code points are refused; ``multiline`` allows line
    breaks (none of docgen's fields need them).
    """
    for i, ch in enumerate(text):
        if ch == "\t" or (multiline and ch == "\n"):
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Cn") or ord(ch) in _INVISIBLE_NAMES:
            where = f"第 {i + 1} 个字符" if len(text) > 1 else "此处"
            return f"含有不能打印的字符 {describe_char(ch)}，在{where}；请删去"
    return None


def clip(value: object, limit: int = 80) -> str:
    """At most ``limit`` characters of a value, for messages: a huge input must not become a huge error."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text)} 个字符）"
