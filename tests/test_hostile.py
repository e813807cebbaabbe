"""Hostile and broken input: a clear message, a non-zero exit, nothing written, no runaway.

Every case runs the real ``docgen`` entry point in process (as the console script does, errors
handled by ``main``) inside a sandbox folder; the ones that could take memory also run in a
process of their own whose peak is measured (``test_bad_input_stays_within_memory``). Each is
checked for: the expected message (naming file, line and field where there is one), no Python
traceback, under 10 s and 500 MB, and a listing of the whole sandbox that is the same before and
after (the workspace included: a refused command writes nothing anywhere).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CASE, RunCli
from tests.hostile_files import payload_template_bytes
from tests.peak import measured_docgen, peak_mb

EXAMPLE = EXAMPLE_CASE.read_text(encoding="utf-8")
PAYLOAD = payload_template_bytes()  # runs "touch PWNED" in the workspace if templates are not sandboxed
TITLE = "title: 关于印发恩平市2021年度推动落后产能退出工作计划的通知"
LIMIT_SECONDS = 10.0
LIMIT_MB = 500


def replaced(old: str, new: str) -> str:
    assert old in EXAMPLE, old
    return EXAMPLE.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def alias_bomb() -> str:
    lines = ['a0: &a0 ["哈","哈","哈","哈","哈","哈","哈","哈","哈","哈"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n" + replaced(TITLE, "title: *a8")


def many_enterprises(count: int, bad_refs: int) -> str:
    """``count`` valid enterprises (one written out, the rest aliases of it) and ``bad_refs`` dangling keys."""
    first = (
        "&e {name: 恩平市恒达钢铁有限公司, credit_code: 91440785MA4UH1A2BG, address: 某地, industry: 钢铁, "
        "equipment: [{name: 炉, model: A, quantity: 1}], capacity: {value: 1, unit: 万吨/年}, exit_method: 拆除, "
        "acceptance_date: 2021-01-01, acceptance_team: [{name: 某, unit: 某局, title: 科员}]}"
    )
    entries = "\n".join(f"  e{i}: {first if i == 0 else '*e'}" for i in range(count))
    refs = ", ".join(f"missing{i}" for i in range(bad_refs))
    return (
        f"issuer: {{name: 某局}}\nyear: 2021\nenterprises:\n{entries}\nannouncement:\n  title: 公告\n"
        f"  basis: [依据]\n  date: 2021-12-06\n  enterprises: [{refs}]\n"
    )


@dataclass(frozen=True)
class Hostile:
    """One bad input: the files it writes into the workspace, the command, what must be said."""

    name: str
    files: Callable[[], dict[str, str | bytes]]
    args: tuple[str, ...]
    said: tuple[str, ...]
    line: int | None = None  # the line the message must name
    env: tuple[tuple[str, str], ...] = ()


def case(text: str | bytes) -> Callable[[], dict[str, str | bytes]]:
    return lambda: {"case.yaml": text}


KEY = "../../../x/PROOF"
CASES = [
    # --- names that would become paths ---
    Hostile(
        "enterprise-key-escapes",
        case(replaced("  hengda:", f"  {KEY}:").replace("[hengda,", f"[{KEY},")),
        ("issue", "case.yaml", "-k", "acceptance", "--enterprise", KEY),
        ("enterprises（企业）的键名", "会成为文件名"),
        line_of(EXAMPLE, "  hengda:"),
    ),
    Hostile("key-with-slash", case(replaced("  hengda:", "  heng/da:")), ("lint", "case.yaml"), ("会成为文件名",)),
    Hostile("key-dot-dot", case(replaced("  hengda:", '  "..":')), ("lint", "case.yaml"), ("会成为文件名",)),
    Hostile("key-backslash", case(replaced("  hengda:", '  "a\\\\b":')), ("lint", "case.yaml"), ("会成为文件名",)),
    Hostile("key-windows-device", case(replaced("  hengda:", "  CON:")), ("lint", "case.yaml"), ("Windows 保留",)),
    Hostile("key-with-space", case(replaced("  hengda:", '  "heng da":')), ("lint", "case.yaml"), ("会成为文件名",)),
    Hostile(
        "cli-enterprise-escapes",
        case(EXAMPLE),
        ("render", "case.yaml", "-k", "acceptance", "--enterprise", "../../x", "--format", "docx"),
        ("案卷中没有企业 ../../x",),
    ),
    Hostile(
        "reference-escapes",
        case(replaced("  enterprises: [hengda,", "  enterprises: [../x,")),
        ("lint", "case.yaml"),
        ("引用的企业 ../x 未在 enterprises 中定义",),
    ),
    # --- YAML that would run away ---
    Hostile("alias-bomb", lambda: {"case.yaml": alias_bomb()}, ("lint", "case.yaml"), ("展开别名", "超过上限")),
    Hostile(
        "alias-of-itself",
        case(replaced(TITLE, "title: &loop [*loop]")),
        ("lint", "case.yaml"),
        ("引用了自身", "形成循环"),
        line_of(EXAMPLE, TITLE),
    ),
    Hostile(
        "nested-brackets",
        case(replaced("year: 2021", "year: " + "[" * 500 + "]" * 500)),
        ("lint", "case.yaml"),
        ("嵌套层数过多",),
        line_of(EXAMPLE, "year: 2021"),
    ),
    Hostile(
        "nested-mappings",
        case(replaced("year: 2021", "year: " + "{a: " * 60 + "1" + "}" * 60)),
        ("lint", "case.yaml"),
        ("嵌套层数过多",),
    ),
    Hostile(
        "huge-file", lambda: {"case.yaml": "# " + "长" * (3 * 1024 * 1024) + "\n"}, ("lint", "case.yaml"), ("文件过大",)
    ),
    Hostile("huge-string", case(replaced(TITLE, "title: " + "长" * 60_000)), ("lint", "case.yaml"), ("文字过长",)),
    Hostile(
        "huge-list",
        case(
            replaced(
                "  body:                                  # 正文，每项一段",
                "  body: [" + ", ".join(["段"] * 25_000) + "]\n  x_body:",
            )
        ),
        ("lint", "case.yaml"),
        ("超过上限 2000",),
    ),
    Hostile(
        "hundred-thousand-enterprises",
        lambda: {"case.yaml": many_enterprises(100_000, 6)},
        ("lint", "case.yaml"),
        ("超过上限",),
    ),
    Hostile(
        "six-bad-references-among-many",
        lambda: {"case.yaml": many_enterprises(50, 6)},
        ("lint", "case.yaml"),
        ("引用的企业 missing0", "等 50 个"),
    ),
    # --- YAML that does not parse, reported at the right line ---
    Hostile(
        "duplicate-key",
        case(replaced(TITLE, TITLE + "\n  title: 另一个标题")),
        ("lint", "case.yaml"),
        ("写了两次",),
        line_of(EXAMPLE, TITLE) + 1,
    ),
    Hostile(
        "unclosed-quote",
        case(replaced(TITLE, 'title: "关于印发恩平市2021年度推动落后产能退出工作计划的通知')),
        ("lint", "case.yaml"),
        ("引号没有在本行结束",),
        line_of(EXAMPLE, TITLE),
    ),
    Hostile(
        "raw-control-byte",
        case(replaced(TITLE, TITLE.replace("关于", "关\x01于")).encode()),
        ("lint", "case.yaml"),
        ("U+0001",),
        line_of(EXAMPLE, TITLE),
    ),
    Hostile(
        "tab-indent",
        case(replaced("  name: 恩平市科工商务局", "\tname: 恩平市科工商务局")),
        ("lint", "case.yaml"),
        ("Tab",),
    ),
    Hostile("gbk-file", case(EXAMPLE.encode("gbk", errors="replace")), ("lint", "case.yaml"), ("UTF-8",)),
    Hostile("empty-file", case(""), ("lint", "case.yaml"), ("空的或格式不对",)),
    Hostile("top-level-list", case("- a\n- b\n"), ("lint", "case.yaml"), ("应为一组字段",)),
    Hostile("bad-escape", case(replaced(TITLE, 'title: "关于\\q印发"')), ("lint", "case.yaml"), ("反斜杠",)),
    Hostile("undefined-alias", case(replaced(TITLE, "title: *nothing")), ("lint", "case.yaml"), ("没有定义的别名",)),
    # --- values ---
    Hostile(
        "february-30",
        case(replaced("date: 2021-05-24                       # 成文日期", "date: 2021-02-30")),
        ("lint", "case.yaml"),
        ("日期不存在：2021-02-30",),
        line_of(EXAMPLE, "# 成文日期"),
    ),
    Hostile(
        "month-13",
        case(replaced("date: 2021-05-24                       # 成文日期", "date: 2021-13-01")),
        ("lint", "case.yaml"),
        ("日期不存在：2021-13-01",),
    ),
    Hostile(
        "written-date-does-not-exist",
        case(replaced("date: 2021-05-24                       # 成文日期", "date: 2021年2月30日")),
        ("lint", "case.yaml"),
        ("日期不存在",),
    ),
    Hostile("year-infinite", case(replaced("year: 2021", "year: .inf")), ("lint", "case.yaml"), ("应为有限的数",)),
    Hostile("year-text", case(replaced("year: 2021", "year: 二〇二一")), ("lint", "case.yaml"), ("应为整数",)),
    Hostile(
        "title-a-list",
        case(replaced(TITLE, "title: [" + ", ".join(["很长的一段文字"] * 200) + "]")),
        ("lint", "case.yaml"),
        ("应为文字", "共"),
    ),
    Hostile("lone-surrogate", case(replaced(TITLE, 'title: "\\ud800关于"')), ("lint", "case.yaml"), ("代理码位",)),
    # --- characters that must not print ---
    Hostile("bell", case(replaced(TITLE, 'title: "关于\\a印发"')), ("lint", "case.yaml"), ("U+0007",)),
    Hostile("escape-sequence", case(replaced(TITLE, 'title: "\\e[31m红头"')), ("lint", "case.yaml"), ("U+001B",)),
    Hostile("nul", case(replaced(TITLE, 'title: "关于\\0印发"')), ("lint", "case.yaml"), ("U+0000",)),
    Hostile("vertical-tab", case(replaced(TITLE, 'title: "关于\\v印发"')), ("lint", "case.yaml"), ("U+000B",)),
    Hostile("form-feed", case(replaced(TITLE, 'title: "关于\\f印发"')), ("lint", "case.yaml"), ("U+000C",)),
    Hostile(
        "right-to-left-override",
        case(replaced(TITLE, 'title: "\\u202e的知通红"')),
        ("issue", "case.yaml"),
        ("U+202E（从右向左覆盖）", "notice.title（标题）"),
        line_of(EXAMPLE, TITLE),
    ),
    Hostile(
        "zero-width-space-in-name",
        case(replaced("name: 恩平市恒达钢铁有限公司", 'name: "恩平市恒达\\u200b钢铁有限公司"')),
        ("lint", "case.yaml"),
        ("U+200B（零宽空格）",),
    ),
    Hostile(
        "glyph-no-font-has",
        case(replaced("请遵照执行。", "请遵照执行𠀀。")),
        ("render", "case.yaml", "-o", "out"),
        ("字体中没有", "U+20000", "notice.body.0（正文段落）"),
        line_of(EXAMPLE, "请遵照执行。"),
    ),
    Hostile(
        "emoji-a-fallback-font-would-draw",
        case(replaced("请遵照执行。", "请遵照执行☎😀。")),
        ("issue", "case.yaml"),
        ("表情或图形符号", "U+260E", "notice.body.0（正文段落）"),
        line_of(EXAMPLE, "请遵照执行。"),
    ),
    Hostile(
        "private-use-character",
        case(replaced("请遵照执行。", "请遵照执行\ue000。")),
        ("issue", "case.yaml"),
        ("字体中没有", "私用区字符"),
    ),
    # --- settings ---
    Hostile(
        "timeout-nan",
        case(EXAMPLE),
        ("render", "case.yaml"),
        ("DOCGEN_CONVERT_TIMEOUT", "'nan'"),
        env=(("DOCGEN_CONVERT_TIMEOUT", "nan"),),
    ),
    Hostile(
        "timeout-zero",
        case(EXAMPLE),
        ("render", "case.yaml"),
        ("DOCGEN_CONVERT_TIMEOUT", "'0'"),
        env=(("DOCGEN_CONVERT_TIMEOUT", "0"),),
    ),
    Hostile(
        "timeout-negative", case(EXAMPLE), ("render", "case.yaml"), ("'-5'",), env=(("DOCGEN_CONVERT_TIMEOUT", "-5"),)
    ),
    Hostile(
        "toml-timeout-nan",
        lambda: {"case.yaml": EXAMPLE, "docgen.toml": "[conversion]\ntimeout = nan\n"},
        ("render", "case.yaml"),
        ("docgen.toml", "conversion.timeout", "应为有限的数"),
    ),
    Hostile(
        "toml-unknown-key",
        lambda: {"case.yaml": EXAMPLE, "docgen.toml": "[conversion]\ntimeuot = 30\n"},
        ("render", "case.yaml"),
        ("conversion.timeuot", "未知的配置项"),
    ),
    Hostile("index-is-a-file", lambda: {"index": "not a folder"}, ("search", "华艺"), ("是一个文件，不是文件夹",)),
    Hostile(
        "toml-timeout-true",
        lambda: {"case.yaml": EXAMPLE, "docgen.toml": "[conversion]\ntimeout = true\n"},
        ("render", "case.yaml"),
        ("docgen.toml", "conversion.timeout", "应为数"),
    ),
    Hostile(
        "timeout-a-millisecond",
        case(EXAMPLE),
        ("render", "case.yaml"),
        ("5 到",),
        env=(("DOCGEN_CONVERT_TIMEOUT", "0.001"),),
    ),
    Hostile(
        "toml-broken", lambda: {"case.yaml": EXAMPLE, "docgen.toml": "[conversion\n"}, ("lint", "case.yaml"), ("第1行",)
    ),
    # --- more values a clerk should be told about ---
    Hostile(
        "capacity-infinite",
        case(replaced("capacity: {value: 6,", "capacity: {value: .inf,")),
        ("lint", "case.yaml"),
        ("应为有限的数",),
        line_of(EXAMPLE, "capacity: {value: 6,"),
    ),
    Hostile(
        "prefix-with-its-year",
        case(replaced("  prefix: 恩科工商务字", "  prefix: 恩科工商务字〔2021〕")),
        ("lint", "case.yaml"),
        ("机关代字", "只能由汉字或字母组成"),
        line_of(EXAMPLE, "  prefix: 恩科工商务字"),
    ),
    Hostile(
        "number-next-prefix-escapes",
        lambda: {},
        ("number", "next", "--prefix", "../../x", "--year", "2021", "--title", "关于测试的通知"),
        ("机关代字",),
    ),
    Hostile(
        "tab-in-title",
        case(replaced(TITLE, 'title: "关于\\t印发恩平市2021年度推动落后产能退出工作计划的通知"')),
        ("lint", "case.yaml"),
        ("U+0009",),
        line_of(EXAMPLE, TITLE),
    ),
    Hostile(
        "line-separator-in-title",
        case(replaced(TITLE, 'title: "关于\\u2028印发恩平市2021年度推动落后产能退出工作计划的通知"')),
        ("lint", "case.yaml"),
        ("U+2028",),
        line_of(EXAMPLE, TITLE),
    ),
    Hostile(
        "null-key",
        case(replaced("issuer:", "~: 2021\nissuer:")),
        ("lint", "case.yaml"),
        ("键名应为文字", "空值"),
        line_of(EXAMPLE, "issuer:"),
    ),
    Hostile(
        "publicity-ends-before-it-starts",
        case(
            replaced(
                "publicity: {start: 2021-12-06, end: 2021-12-12}", "publicity: {start: 2021-12-12, end: 2021-12-06}"
            )
        ),
        ("lint", "case.yaml"),
        ("公示结束日期 2021-12-06 早于开始日期 2021-12-12",),
        line_of(EXAMPLE, "publicity: {start: 2021-12-06"),
    ),
    # --- outputs where nothing may be written ---
    Hostile(
        "output-to-a-device",
        case(EXAMPLE),
        ("render", "case.yaml", "-k", "announcement", "-o", "/dev/null", "--format", "docx"),
        ("/dev/null",),
    ),
    # --- an attack run (issue 22): templates that run code, numbers that take the register down ---
    Hostile(
        "template-runs-a-command",
        lambda: {"case.yaml": replaced("year: 2021", "year: 2021\ntemplates: tpl"), "tpl/notice.docx": PAYLOAD},
        ("lint", "case.yaml"),
        ("含有不允许的标记", "函数调用"),
    ),
    Hostile(
        "template-runs-a-command-on-render",
        lambda: {"case.yaml": replaced("year: 2021", "year: 2021\ntemplates: tpl"), "tpl/notice.docx": PAYLOAD},
        ("render", "case.yaml", "-o", "out", "--format", "docx"),
        ("含有不允许的标记",),
    ),
    Hostile(
        "template-power-tower",
        lambda: {
            "case.yaml": replaced("year: 2021", "year: 2021\ntemplates: tpl"),
            "tpl/notice.docx": payload_template_bytes("{{ 9 ** 9 ** 9 }}"),
        },
        ("render", "case.yaml", "-o", "out", "--format", "docx"),
        ("不能使用乘方 **",),
    ),
    Hostile(
        "template-gigabyte-string",
        lambda: {
            "case.yaml": replaced("year: 2021", "year: 2021\ntemplates: tpl"),
            "tpl/notice.docx": payload_template_bytes("{{ 'x' * 1000000000 }}"),
        },
        ("render", "case.yaml", "-o", "out", "--format", "docx"),
        ("不能使用乘法 *",),
    ),
    Hostile(
        "templates-folder-is-etc",
        case(replaced("year: 2021", "year: 2021\ntemplates: /etc")),
        ("lint", "case.yaml"),
        ("templates（自定义模板文件夹）", "不在工作区"),
        line_of(EXAMPLE, "year: 2021") + 1,
    ),
    Hostile(
        "templates-folder-is-a-device",
        case(replaced("year: 2021", "year: 2021\ntemplates: /dev/zero")),
        ("render", "case.yaml", "-o", "out"),
        ("/dev/zero 不是文件夹",),
    ),
    Hostile(
        "templates-folder-without-templates",
        lambda: {"case.yaml": replaced("year: 2021", "year: 2021\ntemplates: tpl"), "tpl/readme.txt": "空"},
        ("lint", "case.yaml"),
        ("中没有模板",),
    ),
    Hostile(
        "nine-digit-number",
        case(replaced("number: 恩科工商务字〔2021〕58号", "number: 恩科工商务字〔2021〕585858585号")),
        ("lint", "case.yaml"),
        ("过大", "99999"),
        line_of(EXAMPLE, "number: 恩科工商务字〔2021〕58号"),
    ),
    Hostile(
        "number-next-nine-digits",
        case(replaced("number: 恩科工商务字〔2021〕58号", "number: 恩科工商务字〔2021〕585858585号")),
        ("number", "next", "case.yaml"),
        ("过大",),
    ),
    Hostile(
        "csv-int64-number",
        lambda: {"n.csv": "发文字号,标题\n恩科工商务字〔2021〕9223372036854775807号,关于测试的通知\n"},
        ("number", "import", "n.csv"),
        ("第2行", "过大"),
    ),
    Hostile(
        "csv-number-zero",
        lambda: {"n.csv": "发文字号,标题\n恩科工商务字〔2021〕0号,关于测试的通知\n"},
        ("number", "import", "n.csv"),
        ("第2行", "应从 1 开始"),
    ),
    Hostile(
        "csv-huge-field",
        lambda: {"n.csv": "发文字号,标题\n恩科工商务字〔2021〕1号," + "长" * 131_073 + "\n"},
        ("number", "import", "n.csv"),
        ("第2行", "超过 1000 个字"),
    ),
    Hostile(
        "csv-nul",
        lambda: {"n.csv": "发文字号,标题\n恩科工商务字〔2021〕1号,关于\x00测试的通知\n"},
        ("number", "import", "n.csv"),
        ("NUL",),
    ),
    Hostile(
        "csv-right-to-left-title",
        lambda: {"n.csv": "发文字号,标题\n恩科工商务字〔2021〕1号,\u202e知通的试测\n"},
        ("number", "import", "n.csv"),
        ("第2行", "U+202E"),
    ),
    Hostile(
        "title-too-long",
        case(replaced(TITLE, "title: 关于" + "推动落后产能退出" * 30 + "的通知")),
        ("lint", "case.yaml"),
        ("notice.title（标题）", "最多 200 个字"),
        line_of(EXAMPLE, TITLE),
    ),
    Hostile(
        "copy-number-full-width-digits",
        case(replaced(TITLE, TITLE + '\n  copy_number: "１２"')),
        ("lint", "case.yaml"),
        ("份号应为 1 至 999999 的阿拉伯数字",),
    ),
    Hostile(
        "quantity-true",
        case(replaced("quantity: 2}", "quantity: true}")),
        ("lint", "case.yaml"),
        ("quantity（数量）", "应为整数，现为 true"),
        line_of(EXAMPLE, "quantity: 2}"),
    ),
    Hostile(
        "capacity-1e40",
        case(replaced("capacity: {value: 6,", "capacity: {value: 1.0e+40,")),
        ("lint", "case.yaml"),
        ("产能数值", "应不大于"),
        line_of(EXAMPLE, "capacity: {value: 6,"),
    ),
    Hostile(
        "decimal-year",
        case(replaced("year: 2021", "year: 2021.0")),
        ("lint", "case.yaml"),
        ("应为整数",),
        line_of(EXAMPLE, "year: 2021"),
    ),
    Hostile(
        "binary-title",
        case(replaced(TITLE, "title: !!binary 5YWz5LqO")),
        ("lint", "case.yaml"),
        ("不接受 !!binary",),
        line_of(EXAMPLE, TITLE),
    ),
    Hostile(
        "lint-a-glyph-no-font-has",
        case(replaced("请遵照执行。", "请遵照执行𠀀。")),
        ("lint", "case.yaml"),
        ("字体中没有", "U+20000"),
        line_of(EXAMPLE, "请遵照执行。"),
    ),
    Hostile(
        "number-next-for-a-glyph-no-font-has",
        case(replaced("number: 恩科工商务字〔2021〕58号", "number: auto").replace("请遵照执行。", "请遵照执行𠀀。")),
        ("number", "next", "case.yaml"),
        ("字体中没有", "U+20000"),
    ),
    Hostile(
        "mistyped-workspace",
        case(EXAMPLE),
        ("-w", "ws-typo", "search", "华艺"),
        ("工作区文件夹", "ws-typo", "不存在"),
    ),
    Hostile(
        "output-into-the-archive",
        case(EXAMPLE),
        ("render", "case.yaml", "-k", "announcement", "-o", "archive/2021", "--format", "docx"),
        ("不能写在归档库",),
    ),
]


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``root``; files with their size and modification time.

    A folder's own time is left out: the run folder docgen makes in the workspace and removes
    again on exit touches it without leaving anything.
    """
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else (-1, 0)
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize("hostile", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_refused_cleanly(
    tmp_path: Path, hostile: Hostile, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process, as the console script runs it: a crash would show as "内部错误" (exit 70)."""
    sandbox = tmp_path / "sandbox"
    workspace = sandbox / "a" / "b" / "c" / "ws"
    workspace.mkdir(parents=True)
    for name, content in hostile.files().items():
        path = workspace / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    before = listing(tmp_path)
    for name, value in hostile.env:
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(workspace)
    started = time.monotonic()
    result = run_cli("-w", str(workspace), *hostile.args)
    elapsed = time.monotonic() - started
    said = result.out + result.err
    assert result.exit_code == 1, said
    assert "Traceback" not in said and "内部错误" not in said, said
    for fragment in hostile.said:
        assert fragment in said, said
    if hostile.line is not None:
        assert re.search(rf"第{hostile.line}行", said), said
    assert elapsed < LIMIT_SECONDS, f"{elapsed:.1f} s"
    assert listing(tmp_path) == before, "nothing may change anywhere"
    assert len(said) < 4000, "a bad input gets a short message, not its whole value back"


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    "hostile",
    [c for c in CASES if c.name in ("alias-bomb", "hundred-thousand-enterprises", "huge-file")],
    ids=lambda c: c.name,
)
def test_bad_input_stays_within_memory(tmp_path: Path, hostile: Hostile) -> None:
    for name, content in hostile.files().items():
        (tmp_path / name).write_text(content, encoding="utf-8") if isinstance(content, str) else (
            tmp_path / name
        ).write_bytes(content)
    peak_file = tmp_path.parent / f"{tmp_path.name}-peak"
    done = subprocess.run(
        measured_docgen(peak_file, "-w", str(tmp_path), *hostile.args),
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(EXAMPLE_CASE.parents[2])},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 1
    assert peak_mb(peak_file) < LIMIT_MB, f"{peak_mb(peak_file):.0f} MB"
