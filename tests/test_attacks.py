"""What an attack run found (issue 22), each reproduced and each closed.

The hostile corpus (``test_hostile``) holds what one command line shows; here are the attacks
that need a listener, a real LibreOffice, an issued archive, bombs measured for memory, or a
folder of files no clerk would make on purpose.
"""

from __future__ import annotations

import http.server
import json
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from pypdf import PdfReader

from docgen.convert.libreoffice import find_soffice, offline_prefix, prepare_profile
from docgen.convert.sanitize import clean_docx
from docgen.errors import UnreadableFileError
from docgen.layout import title_lines
from docgen.render.templates import render_docx
from tests.conftest import EXAMPLE_CASE, RunCli, copy_workspace
from tests.hostile_files import (
    blank_pdf,
    nested_arrays_pdf,
    paragraph_bomb,
    payload_template,
    png,
    reaching_docx,
    renamed_main_part,
    svg_reaching_docx,
    zip_bomb,
)
from tests.peak import measured_docgen, peak_mb

REPO = EXAMPLE_CASE.parents[2]
LIMIT_SECONDS = 10.0
LIMIT_MB = 500


# --- templates --------------------------------------------------------------------------------


def test_a_template_reads_values_and_runs_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    proof = tmp_path / "PWNED"
    payload = (
        "{% for c in title.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
        f"{{{{ c('touch {proof}', shell=True) }}}}{{% endif %}}{{% endfor %}}"
    )
    payload_template(tmp_path / "tpl", payload)
    case = tmp_path / "case.yaml"
    case.write_text(EXAMPLE_CASE.read_text(encoding="utf-8").replace("year: 2021", "year: 2021\ntemplates: tpl"))
    for command in (("lint", str(case)), ("render", str(case), "-o", str(tmp_path / "out"), "--format", "docx")):
        result = run_cli("-w", str(tmp_path), *command)
        assert result.exit_code == 1 and "含有不允许的标记" in result.err, result.err
    assert not proof.exists(), "the template ran a command"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        ("{{ title|attr('__class__') }}", "过滤器 |attr"),  # a filter docgen does not offer
        ("{{ title.__class__ }}", "不能读取 str 的 __class__"),
        ("{{ title.upper() }}", "函数调用"),
        ("{{ range(3) }}", "函数调用"),  # and no globals to call
        ("{% for p in body %}{{ loop.cycle('a', 'b') }}{% endfor %}", "函数调用"),
        (
            "{% for i in body %}{% for j in body %}{% for k in body %}{% for m in body %}x{% endfor %}{% endfor %}"
            "{% endfor %}{% endfor %}",
            "循环超过",
        ),
        ("{% for a in big %}{% for b in big %}{% endfor %}{% endfor %}", "循环超过"),  # text counts too
        ("{% for a in body %}{% for b in body * 100000 %}{% endfor %}{% endfor %}", "乘法 *"),
        ("{% for a in [1, 2, 3] %}{% endfor %}", "列表"),
        ("{% set s = title %}{% set s = s ~ s %}{{ s }}", "{% set %}"),
        ('{{ "%0999999999d" % 1 }}', "格式化 %"),
        ("{{ title + title }}", "只能用于数字"),
        ("{{ 1 / 0 }}", "除法 /"),
        ("{% include 'x' %}{% import 'y' as z %}", "{% include %}"),
        ("{% for i in body %}{% for j in body %}{% for k in body %}{{ big }}{% endfor %}{% endfor %}{% endfor %}",
         "超过 64 M"),
        ("{{ body|join(big) }}", "join 结果过长"),
        ("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "嵌套过深"),
        ("{{ 1 + " + "9" * 5000 + " }}", "数字过长"),
    ],
    ids=[
        "filter", "dunder", "method", "global", "loop-call", "loops", "text-loops", "literal-product", "literal-list",
        "doubling", "format", "text-plus", "divide", "include", "printing", "join", "nesting", "long-number",
    ],
)  # fmt: skip
def test_what_a_template_may_not_do(tmp_path: Path, payload: str, said: str) -> None:
    from docgen.errors import TemplateError

    template = payload_template(tmp_path / "tpl", payload)
    context = {"title": "标题", "body": [f"第{i}段" for i in range(40)], "big": "字" * 2_000_000}  # 40^4 = 2.56 M
    context |= dict.fromkeys(("number", "banner", "recipients", "signature", "date", "note"), "")
    started = time.monotonic()
    with pytest.raises(TemplateError) as refused:
        render_docx(template, _full_context(context), tmp_path / "out.docx")
    assert said in refused.value.message, refused.value.message
    assert time.monotonic() - started < LIMIT_SECONDS
    assert not (tmp_path / "out.docx").exists()


def _full_context(base: Mapping[str, object]) -> dict[str, object]:
    """Every tag the notice template uses, so only the payload can fail."""
    from docgen.case.model import load_case
    from docgen.render.context import documents_for

    [notice] = documents_for(load_case(EXAMPLE_CASE), "notice", None, None)
    return {**notice.context, **base}


def test_a_template_that_is_a_link_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "tpl").mkdir()
    real = payload_template(tmp_path / "elsewhere", "")
    (tmp_path / "tpl" / "notice.docx").symlink_to(real)
    case = tmp_path / "case.yaml"
    case.write_text(EXAMPLE_CASE.read_text(encoding="utf-8").replace("year: 2021", "year: 2021\ntemplates: tpl"))
    result = run_cli("-w", str(tmp_path), "lint", str(case))
    assert result.exit_code == 1 and "不是普通文件" in result.err


# --- DOCX that reach out of the document ----------------------------------------------------------


class _Counting(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def _any(self) -> None:
        self.requests.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.end_headers()

    do_GET = do_HEAD = do_OPTIONS = do_PROPFIND = _any  # noqa: N815 - http.server's names

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on loopback that counts every request: (its address, the requests seen)."""
    seen: list[str] = []
    handler = type("Handler", (_Counting,), {"requests": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_cleaning_takes_out_every_reach_and_keeps_the_text(tmp_path: Path) -> None:
    source = reaching_docx(tmp_path / "in.docx", "http://127.0.0.1:9")
    removed = clean_docx(source, tmp_path / "clean.docx")
    assert removed, "nothing was said to be removed"
    with zipfile.ZipFile(tmp_path / "clean.docx") as zf:
        parts = {name: zf.read(name).decode("utf-8") for name in zf.namelist() if name.endswith((".xml", ".rels"))}
    everything = "".join(parts.values())
    for gone in ('TargetMode="External"', "INCLUDEPICTURE", "INCLUDETEXT", "attachedTemplate", "r:link", "127.0.0.1"):
        assert gone not in everything, gone
    for kept in ("外部链接测试", "域的结果", "引用的文字"):  # the document's text and the fields' last results
        assert kept in parts["word/document.xml"], kept
    said = "、".join(removed)
    assert "INCLUDEPICTURE" in said and "INCLUDETEXT" in said and "外部链接" in said
    plain = tmp_path / "plain.docx"
    shutil.copy(REPO / "templates" / "official" / "letter.docx", plain)
    assert clean_docx(plain, tmp_path / "same.docx") == []
    assert (tmp_path / "same.docx").read_bytes() == plain.read_bytes(), "a document that reaches nothing is unchanged"


@pytest.mark.libreoffice
def test_an_imported_docx_reaches_neither_network_nor_local_files(
    tmp_path: Path, run_cli: RunCli, listener: tuple[str, list[str]]
) -> None:
    address, seen = listener
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name in ("linked.png", "field.png"):
        png(secrets / name)
    web = reaching_docx(tmp_path / "网络.docx", address, "网络链接的文件")
    local = reaching_docx(tmp_path / "本地.docx", secrets.as_uri(), "本机文件链接的文件")
    result = run_cli("-w", str(tmp_path), "archive", "import", str(web), str(local), "--json")
    assert result.exit_code == 0, result.err
    assert seen == [], f"LibreOffice reached the network: {seen}"
    for item, source in zip(json.loads(result.out), (web, local), strict=True):
        assert any("已移除" in w and "INCLUDEPICTURE" in w for w in item["warnings"]), item["warnings"]
        folder = Path(item["path"])
        assert (folder / "original.docx").read_bytes() == source.read_bytes(), "the original is kept as it came"
        for page in PdfReader(folder / "document.pdf").pages:
            resources = page.get("/Resources")
            objects = resources.get_object().get("/XObject") if resources is not None else None
            assert not objects, "a linked picture was embedded in the archived PDF"


def _image_sizes(pdf: Path) -> set[tuple[int, int]]:
    """(width, height) of every raster image the PDF draws, inside form XObjects too."""
    found: set[tuple[int, int]] = set()

    def walk(resources: object) -> None:
        objects = resources.get_object().get("/XObject") if resources is not None else None  # type: ignore[attr-defined]
        for xobject in objects.get_object().values() if objects else []:
            xobject = xobject.get_object()  # noqa: PLW2901 - an indirect reference, resolved
            if xobject.get("/Subtype") == "/Image":
                found.add((int(xobject["/Width"]), int(xobject["/Height"])))
            elif xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in PdfReader(pdf).pages:
        walk(page.get("/Resources"))
    return found


@pytest.mark.libreoffice
def test_a_picture_drawn_in_svg_embeds_no_local_file(tmp_path: Path, run_cli: RunCli) -> None:
    """A second attack run: an SVG picture's ``xlink:href="file:///…"`` put a local image into the archived PDF."""
    secret = png(tmp_path / "secret.png", 37, 23)  # a size no other picture here has
    variants = {
        "svg": svg_reaching_docx(tmp_path / "矢量图.docx", secret.as_uri()),
        "utf16": svg_reaching_docx(tmp_path / "矢量图UTF16.docx", secret.as_uri(), utf16=True),
        "named-png": svg_reaching_docx(tmp_path / "矢量图改名.docx", secret.as_uri(), part="word/media/image1.png"),
    }
    exe, profile = find_soffice("soffice"), tmp_path / "profile"
    prepare_profile(profile)
    command = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
    raw_out = ["--outdir", str(tmp_path / "raw"), str(variants["svg"])]
    subprocess.run([*command, *raw_out], capture_output=True, timeout=120, check=False)
    raw = tmp_path / "raw" / "矢量图.pdf"
    assert (37, 23) in _image_sizes(raw), "control: uncleaned, LibreOffice embeds the file (or this proves nothing)"
    result = run_cli("-w", str(tmp_path), "archive", "import", *map(str, variants.values()), "--json")
    assert result.exit_code == 0, result.err
    for item in json.loads(result.out):
        assert any("已移除" in w for w in item["warnings"]), item["warnings"]
        assert (37, 23) not in _image_sizes(Path(item["path"]) / "document.pdf"), item["path"]


def test_every_xml_part_is_cleaned_whatever_its_name_and_an_unreadable_one_is_refused(tmp_path: Path) -> None:
    reaching = reaching_docx(tmp_path / "reach.docx", "http://127.0.0.1:9")
    upper = renamed_main_part(reaching, tmp_path / "upper.docx")
    assert any("INCLUDEPICTURE" in said for said in clean_docx(upper, tmp_path / "upper-clean.docx"))
    with zipfile.ZipFile(tmp_path / "upper-clean.docx") as zf:
        assert (
            b"127.0.0.1" not in zf.read("word/document.XML") and "外部链接测试" in zf.read("word/document.XML").decode()
        )
    svg = svg_reaching_docx(tmp_path / "svg.docx", "file:///etc/hostname")
    styled = tmp_path / "styled.docx"
    doctype = '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://127.0.0.1:9/svg11.dtd">'
    with zipfile.ZipFile(svg) as zin, zipfile.ZipFile(styled, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.endswith(".svg"):
                data = data.replace(b"<svg ", doctype.encode() + b"<svg ", 1).replace(
                    b"<rect ",
                    b'<style>@import url(http://127.0.0.1:9/a.css);</style><rect style="fill:url(file:///x#y)" ',
                )
            zout.writestr(item, data)
    said = "、".join(clean_docx(styled, tmp_path / "styled-clean.docx"))
    assert "DOCTYPE" in said and "样式" in said, said
    with zipfile.ZipFile(tmp_path / "styled-clean.docx") as zf:
        cleaned = zf.read("word/media/image1.svg").decode()
    for gone in ("127.0.0.1", "file:", "DOCTYPE"):
        assert gone not in cleaned, gone
    nested = tmp_path / "nested.docx"
    with zipfile.ZipFile(svg) as zin, zipfile.ZipFile(nested, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            deep = b"<g>" * 300 + b'<image xlink:href="file:///etc/hostname"/>' + b"</g>" * 300  # past lxml's 256
            zout.writestr(item, data.replace(b"<rect ", deep + b"<rect ") if item.filename.endswith(".svg") else data)
    with pytest.raises(UnreadableFileError, match="不是有效的 XML"):
        clean_docx(nested, tmp_path / "nested-clean.docx")
    assert not (tmp_path / "nested-clean.docx").exists()


@pytest.mark.libreoffice
def test_libreoffice_itself_is_kept_from_the_network(tmp_path: Path, listener: tuple[str, list[str]]) -> None:
    """Without docgen's cleaning, each of the other two locks alone keeps LibreOffice from reaching out."""
    address, seen = listener
    raw = reaching_docx(tmp_path / "raw.docx", address)
    exe = find_soffice("soffice")

    def convert(profile: Path, prefix: tuple[str, ...] = ()) -> None:
        out = tmp_path / profile.name
        command = [*prefix, exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
        subprocess.run([*command, "--outdir", str(out), str(raw)], capture_output=True, timeout=120, check=False)
        assert (out / "raw.pdf").is_file()

    convert(tmp_path / "plain-profile")
    assert seen, "control: unprotected, LibreOffice does fetch (or the test proves nothing)"
    seen.clear()
    prepared = tmp_path / "docgen-profile"
    prepare_profile(prepared)
    convert(prepared)
    assert seen == [], f"docgen's profile settings let LibreOffice fetch: {seen}"
    assert offline_prefix(), "this machine can start a process without a network"
    convert(tmp_path / "offline-profile", offline_prefix())
    assert seen == [], f"a process without a network reached the listener: {seen}"


def _bounded(args: list[str], cwd: Path) -> tuple[int, str, float, float]:
    """Run docgen in a process of its own: (exit code, output, seconds, peak MB)."""
    started = time.monotonic()

    def capped() -> None:  # a runaway is stopped at 4 GB, not left to take the machine
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    peak_file = Path(tempfile.mkdtemp(prefix="docgen-peak-")) / "status"  # outside the workspace it watches
    proc = subprocess.Popen(
        measured_docgen(peak_file, *args),
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=capped,  # noqa: PLW1509 - no threads are started before the child runs
    )
    timer = threading.Timer(LIMIT_SECONDS * 6, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        output = proc.stdout.read().decode("utf-8", errors="replace")
        status = proc.wait()
    finally:
        timer.cancel()
    peak = peak_mb(peak_file) if peak_file.exists() else float("inf")  # killed: no report, and no limit kept
    shutil.rmtree(peak_file.parent)
    return status, output, time.monotonic() - started, peak


@pytest.mark.parametrize(
    ("make", "said"),
    [(paragraph_bomb, "个标记"), (zip_bomb, "压缩炸弹")],
    ids=["33.5-million-paragraphs", "zip-bomb"],
)
@pytest.mark.parametrize("command", ["import", "lint"])
def test_docx_bombs_are_refused_in_bounded_time_and_memory(
    tmp_path: Path, make: object, said: str, command: str
) -> None:
    bomb = make(tmp_path / "炸弹.docx")  # type: ignore[operator]
    assert bomb.stat().st_size < 2 * 1024 * 1024
    args = ["archive", "import", str(bomb)] if command == "import" else ["lint", str(bomb)]
    code, output, seconds, peak = _bounded(["-w", str(tmp_path), *args], tmp_path)
    assert code == 1 and said in output and "Traceback" not in output, output
    assert seconds < LIMIT_SECONDS, f"{seconds:.1f} s"
    assert peak < LIMIT_MB, f"{peak:.0f} MB"
    assert not (tmp_path / "archive").exists()


# --- a folder of old files as an unzipped Windows archive leaves it -------------------------------


def test_a_folder_import_meets_odd_names_links_fifos_and_hostile_pdfs(tmp_path: Path) -> None:
    folder = tmp_path / "旧文件"
    folder.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    blank_pdf(Path(os.fsdecode(bytes(folder) + b"/bad\xff.pdf")), 1)
    nested_arrays_pdf(folder / "nested.pdf")
    os.mkfifo(folder / "fifo.pdf")
    secret = blank_pdf(outside / "secret.pdf", 1)
    (folder / "link.pdf").symlink_to(secret)
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    workspace = tmp_path / "ws"
    workspace.mkdir()
    args = ["-w", str(workspace), "archive", "import", str(folder), "-r", "--no-ocr", "--report", "报告.csv"]
    for _ in range(2):  # a second run meets the same files and says the same, without a crash
        code, output, seconds, _ = _bounded(args, workspace)
        assert code == 1 and "Traceback" not in output and "内部错误" not in output, output
        assert seconds < LIMIT_SECONDS * 3
    report = (workspace / "报告.csv").read_text(encoding="utf-8-sig")
    assert "bad\ufffd.pdf" in report
    assert "link.pdf,拒绝,是符号链接" in report
    assert "fifo.pdf,拒绝" in report
    assert "secret.pdf" not in report, "a linked folder was entered"
    assert "nested.pdf" in report
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in workspace.glob("archive/*/*/*/*/meta.json")]
    assert {m["original_name"] for m in metas} == {"bad\ufffd.pdf", "nested.pdf"}


def test_an_import_report_may_not_go_into_the_archive(tmp_path: Path, run_cli: RunCli) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    blank_pdf(folder / "a.pdf", 1)
    (tmp_path / "archive").mkdir()
    (tmp_path / "index").mkdir()
    (tmp_path / "to-index").symlink_to(tmp_path / "index")
    for report in ("archive/x.csv", "to-index/x.csv"):
        where = str(tmp_path / report)
        result = run_cli("-w", str(tmp_path), "archive", "import", str(folder), "--no-ocr", "--report", where)
        assert result.exit_code == 1 and "不能写在" in result.err, result.err
    assert not list((tmp_path / "archive").iterdir()) and not list((tmp_path / "index").iterdir())


def test_pages_are_bounded_per_import_and_per_ocr_run(tmp_path: Path, run_cli: RunCli) -> None:
    long_file = blank_pdf(tmp_path / "2001页.pdf", 2001)
    result = run_cli("-w", str(tmp_path), "archive", "import", str(long_file), "--no-ocr")
    assert result.exit_code == 1 and "超过一次导入的上限 2000 页" in result.err
    scan = blank_pdf(tmp_path / "301页.pdf", 301)
    started = time.monotonic()
    result = run_cli("-w", str(tmp_path), "archive", "import", str(scan))
    assert result.exit_code == 1 and "超过一次的上限 300 页" in result.err and "--no-ocr" in result.err
    assert time.monotonic() - started < LIMIT_SECONDS, "refused before any page is recognised"
    assert not (tmp_path / "archive").exists()


def test_an_imported_title_never_becomes_a_spreadsheet_formula(tmp_path: Path, run_cli: RunCli) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    blank_pdf(folder / '=HYPERLINK("x","点我").pdf', 1)
    report = tmp_path / "r.csv"
    result = run_cli("-w", str(tmp_path), "archive", "import", str(folder), "--no-ocr", "--report", str(report))
    assert result.exit_code == 0, result.err
    rows = report.read_text(encoding="utf-8-sig").splitlines()
    assert "'=HYPERLINK" in rows[1] and ",=HYPERLINK" not in rows[1].replace('"', "")


# --- numbers that would take the register down --------------------------------------------------


def _legacy_register(workspace: Path, numbers: list[tuple[str, int]]) -> None:
    """A register as an older docgen left it, holding numbers no longer accepted."""
    from docgen.numbering.registry import Registry, new_record

    registry = Registry(workspace / "archive" / "registry.sqlite3")
    registry.allocate(numbers[0][0], 2021, "关于第1号的通知")  # makes the schema, and 1号
    with sqlite3.connect(registry.path) as conn:
        for prefix, seq in numbers[1:]:
            r = new_record(prefix, 2021, seq, f"关于第{seq}号的通知", source="external")
            conn.execute(
                "INSERT INTO numbers (prefix, year, seq, number, title, source, issued_by, issued_at, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (r.prefix, r.year, r.seq, r.number, r.title, r.source, r.issued_by, r.issued_at, r.state),
            )


def test_a_huge_number_already_registered_is_listed_as_a_range(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "archive").mkdir()
    _legacy_register(tmp_path, [("恩科工商务字", 1), ("恩科工商务字", 585_858_585), ("恩科工商务函", 2**63 - 1)])
    started = time.monotonic()
    check = run_cli("-w", str(tmp_path), "number", "check")
    as_json = run_cli("-w", str(tmp_path), "number", "check", "--json")
    assert time.monotonic() - started < LIMIT_SECONDS
    assert check.exit_code == 1 and "缺号：恩科工商务字〔2021〕2—585858584号（585858583 个）" in check.out
    assert len(check.out) < 2000 and len(as_json.out) < 5000
    runs = {r["prefix"]: r for r in json.loads(as_json.out)}
    assert runs["恩科工商务函"]["gaps"] == [{"from": 1, "to": 2**63 - 2}]
    for prefix in ("恩科工商务字", "恩科工商务函"):
        taken = run_cli("-w", str(tmp_path), "number", "next", "--prefix", prefix, "--year", "2021", "--title", "后续")
        assert taken.exit_code == 1 and "不能再分配" in taken.err and "Traceback" not in taken.err


# --- an issued archive, tampered with ------------------------------------------------------------


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory, filed_once: Path) -> Path:
    return copy_workspace(filed_once, tmp_path_factory.mktemp("issued"))


def _first_folder(workspace: Path) -> Path:
    return sorted(workspace.glob("archive/2021/*/*/*/meta.json"))[0].parent


def _writable(path: Path) -> None:
    path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _meta_list(ws: Path) -> str:
    meta = _first_folder(ws) / "meta.json"
    _writable(meta)
    meta.write_text("[]")
    return "元数据已损坏"


def _meta_null(ws: Path) -> str:
    meta = _first_folder(ws) / "meta.json"
    _writable(meta)
    meta.write_text("null")
    return "不是一组字段"


def _event_line(line: bytes, said: str = "不是完整的记录") -> object:
    def tamper(ws: Path) -> str:
        with (ws / "archive" / "events.jsonl").open("ab") as fh:
            fh.write(line + b"\n")
        return said

    return tamper


def _meta_nested(ws: Path) -> str:
    meta = _first_folder(ws) / "meta.json"
    _writable(meta)
    meta.write_text("[" * 100_000 + "]" * 100_000)
    return "嵌套层数过多"


def _fifo_for(pattern: str, said: str) -> object:
    """Put a FIFO where an archive file was: a reader that opens it waits for a writer forever."""

    def tamper(ws: Path) -> str:
        path = next(ws.glob(pattern))
        _writable(path.parent)
        path.unlink()
        os.mkfifo(path)
        return said

    return tamper


def _registry_random(ws: Path) -> str:
    for name in ("registry.sqlite3-wal", "registry.sqlite3-shm"):
        (ws / "archive" / name).unlink(missing_ok=True)
    (ws / "archive" / "registry.sqlite3").write_bytes(os.urandom(8192))
    return "不是 SQLite 数据库文件"


def _registry_deleted(ws: Path) -> str:
    for name in ("registry.sqlite3", "registry.sqlite3-wal", "registry.sqlite3-shm"):
        (ws / "archive" / name).unlink(missing_ok=True)
    return "登记簿中没有这个号"


def _registry_sql(statement: str, said: str) -> object:
    def tamper(ws: Path) -> str:
        with sqlite3.connect(ws / "archive" / "registry.sqlite3") as conn:
            conn.execute(statement)
        return said

    return tamper


def _pdf_linked_to_a_copy(ws: Path) -> str:
    pdf = next(ws.glob("archive/2021/*/*/*/document.pdf"))
    copy = ws.parent / "copy.pdf"
    shutil.copy(pdf, copy)
    _writable(pdf.parent)
    pdf.unlink()
    pdf.symlink_to(copy)
    return "已被换成符号链接"


def _folder_linked_to_a_copy(ws: Path) -> str:
    folder = _first_folder(ws)
    copy = ws.parent / "copy-folder"
    shutil.copytree(folder, copy)
    for path in [folder, *folder.iterdir()]:
        _writable(path)
    shutil.rmtree(folder)
    folder.symlink_to(copy, target_is_directory=True)
    return "符号链接"


def _manifest_traverses(ws: Path) -> str:
    manifest = _first_folder(ws) / "manifest-sha256.txt"
    _writable(manifest)
    manifest.write_text(manifest.read_text() + "0" * 64 + "  ../../../../../../../../dev/zero\n")
    return "不是“校验值  文件名”"


TAMPERINGS = {
    "meta-is-a-list": _meta_list,
    "meta-is-null": _meta_null,
    "event-line-a-list": _event_line(b"[1,2,3]"),
    "event-line-a-number": _event_line(b"5"),
    "event-line-not-utf8": _event_line(b'{"event": "\xff\xfe"}'),
    "event-line-nested": _event_line(b"[" * 100_000 + b"]" * 100_000),
    "event-line-of-8-mb": _event_line(b'{"event": "' + b"x" * 8_000_000 + b'"}', "过长，不是一条记录"),
    "meta-nested": _meta_nested,
    "meta-a-fifo": _fifo_for("archive/2021/*/*/*/meta.json", "已被换成管道、设备或文件夹"),
    "pdf-a-fifo": _fifo_for("archive/2021/*/*/*/document.pdf", "已被换成管道、设备或文件夹"),
    "log-a-fifo": _fifo_for("archive/events.jsonl", "events.jsonl 无法读取"),
    "head-a-fifo": _fifo_for("archive/events.head", "缺少 events.head"),
    "registry-sequence-text": _registry_sql("UPDATE numbers SET seq = 'abc' WHERE seq = 58", "不是整数"),
    "registry-sequence-moved": _registry_sql("UPDATE numbers SET seq = 99 WHERE seq = 58", "两者不符"),
    "registry-random-bytes": _registry_random,
    "registry-table-dropped": _registry_sql("DROP TABLE numbers", "号码表（numbers）不见了"),
    "registry-deleted": _registry_deleted,
    "registry-title-edited": _registry_sql(
        "UPDATE numbers SET title = '改过的标题'", "登记簿中的标题《改过的标题》与归档文件"
    ),
    "pdf-replaced-by-a-link": _pdf_linked_to_a_copy,
    "folder-replaced-by-a-link": _folder_linked_to_a_copy,
    "manifest-names-dev-zero": _manifest_traverses,
}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", TAMPERINGS)
def test_tampering_is_found_and_nothing_crashes(issued: Path, tmp_path: Path, run_cli: RunCli, name: str) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(issued, ws, symlinks=True)
    said = TAMPERINGS[name](ws)  # type: ignore[operator]
    signal.signal(signal.SIGALRM, _hung)
    signal.alarm(120)  # a reader stuck on a FIFO fails the test instead of hanging the run
    verify = run_cli("-w", str(ws), "archive", "verify")
    assert verify.exit_code == 1 and said in verify.out + verify.err, verify.out + verify.err
    check = run_cli("-w", str(ws), "archive", "check")
    assert check.exit_code == 1 and "Traceback" not in check.err and "内部错误" not in check.err, check.err
    commands: tuple[tuple[str, ...], ...] = (
        ("search", "华艺"),
        ("archive", "list"),
        ("index", "status"),
        ("number", "check"),
        ("number", "list"),
        ("file", "2021"),
    )
    for command in commands:
        result = run_cli("-w", str(ws), *command)
        said_all = result.out + result.err
        assert "Traceback" not in said_all and "内部错误" not in said_all, (command, said_all)
        if command[0] == "file" and not name.startswith("registry"):
            assert result.exit_code == 1 and "与存入时不符" in result.err, "no filing copy of a tampered archive"
    signal.alarm(0)
    if name.startswith("registry"):
        numbers = run_cli("-w", str(ws), "number", "check")
        assert numbers.exit_code == 1, numbers.out


def _hung(signum: int, frame: object) -> None:
    msg = "a command hung on the tampered archive"
    raise TimeoutError(msg)


@pytest.mark.libreoffice
def test_an_index_replaced_by_a_file_is_rebuilt(issued: Path, tmp_path: Path, run_cli: RunCli) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(issued, ws, symlinks=True)
    engine = next(p for p in (ws / "index").iterdir() if p.is_dir())
    shutil.rmtree(engine)
    engine.write_text("不是索引")
    found = run_cli("-w", str(ws), "search", "华艺", "--json")
    assert found.exit_code == 0, found.err
    assert json.loads(found.out), "the rebuilt index finds the enterprise"
    assert engine.is_dir()


# --- the converter's output is read back, not trusted -----------------------------------------


def test_a_converter_that_writes_junk_ending_in_eof_is_caught(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "soffice"
    fake.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 1 ]; do [ "$1" = "--outdir" ] && out="$2"; shift; done\n'
        'name=$(basename "$1" .docx)\n'
        'printf "%%PDF-1.7\\n%s\\n%%%%EOF\\n" "$(head -c 300 /dev/zero | tr "\\0" x)" > "$out/$name.pdf"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("DOCGEN_SOFFICE", str(fake))
    result = run_cli("-w", str(tmp_path), "render", str(EXAMPLE_CASE), "-o", str(tmp_path / "out"))
    assert result.exit_code == 1 and "已损坏，无法打开" in result.err and "Traceback" not in result.err, result.err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --- titles broken in linear time -----------------------------------------------------------------


def test_breaking_a_title_takes_time_in_proportion_to_its_length() -> None:
    words = "关于印发恩平市2021年度推动落后产能退出工作计划的通知"
    started = time.monotonic()
    lines = title_lines((words * 2000)[:48_000], 20.0)
    assert time.monotonic() - started < LIMIT_SECONDS
    assert "".join(lines) == (words * 2000)[:48_000]
    for length in (60, 120, 200):  # titles a case may have are still balanced
        broken = title_lines((words * 10)[:length], 20.0)
        widths = [len(line) for line in broken]
        assert max(widths) - min(widths) <= 4, broken
