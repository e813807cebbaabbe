"""Archive folder names are readable, single path components, safe on Windows and Linux."""

from __future__ import annotations

import datetime as dt

import pytest

from docgen.archive.paths import MAX_NAME_BYTES, MAX_NAME_CHARS, dated_folder, document_folder_name, safe_name


@pytest.mark.parametrize(
    "text",
    [
        "../../etc/passwd",
        "..",
        ".",
        "a/b",
        "a\\b",
        "C:\\Windows",
        "x:y*z?",
        'q"<>|',
        "\x00\x07bell",
        "  ..  ",
        "",
        "CON",
        "nul.txt",
        "标题" * 200,
        "名" * 100 + "/" + "..",
        "\u202e反转",
    ],
)
def test_safe_name_is_one_harmless_component(text: str) -> None:
    name = safe_name(text)
    assert name not in ("", ".", "..")
    assert not any(ch in name for ch in '/\\:*?"<>|\x00')
    assert not name.startswith(".") and not name.endswith((".", " "))
    assert len(name) <= MAX_NAME_CHARS + 1 and len(name.encode("utf-8")) <= MAX_NAME_BYTES + 4
    assert name.upper().split(".")[0] not in {"CON", "PRN", "AUX", "NUL"}
    assert all(ch.isprintable() or ch == "\u3000" for ch in name)


def test_readable_names() -> None:
    assert (
        document_folder_name("印发合成件", "关于印发工作计划的通知", "恩科工商务字〔2021〕58号")
        == "恩科工商务字〔2021〕58号 关于印发工作计划的通知"
    )
    assert (
        document_folder_name(
            "验收记录", "恩平市华艺陶瓷有限公司落后产能退出验收记录", enterprise="恩平市华艺陶瓷有限公司"
        )
        == "验收记录-恩平市华艺陶瓷有限公司"
    )
    assert document_folder_name("公告", "关于企业名单的公告", version=2) == "公告 关于企业名单的公告（第2版）"
    assert safe_name("关于a/b的通知") == "关于a／b的通知"


def test_dated_folder() -> None:
    assert dated_folder(dt.date(2021, 5, 4), "x").as_posix() == "2021/05/04/x"
