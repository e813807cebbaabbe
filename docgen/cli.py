"""The ``docgen`` command line: parse options, call one core function, print the result.

All ``DocgenError``s become their message on stderr and their exit code here, in ``main``;
core modules never import click.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import signal
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

from docgen import __version__
from docgen._io import end_run, note_termination, termination_exit, use_run_folder
from docgen.errors import DocgenError, os_error_message, printable
from docgen.vocab import FORMAT_KINDS, KIND_NAMES, KINDS, NUMBERED_KINDS

if TYPE_CHECKING:  # the pipeline loads inside the commands that use it: --help starts at once
    from docgen.pipeline.numbers import NumberRecord
    from docgen.pipeline.workspace import Workspace


def _workspace(ctx: click.Context) -> Workspace:
    """The workspace every command works in, opened once."""
    from docgen.pipeline.workspace import Workspace

    ws = Workspace.open(ctx.obj["workspace"])
    # Temporary work (LibreOffice's included) goes into <workspace>/.tmp/run-…, removed at exit
    # and swept by the next run if this one is killed.
    use_run_folder(ws.root)
    return ws


json_option = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供脚本使用）。")


def _warn(message: str) -> None:
    click.echo(f"注意：{message}", err=True)


# Click says what it prints itself (usage lines, headings, its own errors) through gettext, in
# English. A clerk reads docgen in Chinese: these are Click's words, said in Chinese.
_CLICK_WORDS = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助后退出。",
    "Show the version and exit.": "显示版本号后退出。",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "Missing {param_type}": "缺少{param_type}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "{value!r} is not one of {choices}.": "{value!r} 不是可选值之一：{choices}。",
    # Click names the number type by its English name ("integer"): said without it.
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 的范围内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Aborted!": "已中止。",
}


def _in_chinese(message: str) -> str:
    return _CLICK_WORDS.get(message, message)


def _in_chinese_n(singular: str, plural: str, n: int) -> str:
    return _CLICK_WORDS.get(singular if n == 1 else plural, singular if n == 1 else plural)


_CJK = "[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
# Click rewraps help text by joining a paragraph's lines with a space: right for English, a
# stray gap in Chinese ("（退出码 1）。 中断后"). Lines that meet between Chinese characters join.
_CJK_LINE_BREAK = re.compile(rf"(?<={_CJK})[ \t]*\n[ \t]*(?={_CJK})")


def _joined(text: str) -> str:
    return _CJK_LINE_BREAK.sub("", text)


class _ChineseHelpFormatter(click.HelpFormatter):
    """Click's help layout with Chinese punctuation: "选项：" and no gaps where lines met."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        super().write_text(_joined(text))

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, _joined(said)) for term, said in rows], col_max, col_spacing)


click.Context.formatter_class = _ChineseHelpFormatter
# The placeholders help shows for a value (TEXT, INTEGER, INTEGER RANGE) come from the types' names.
for _type, _name in (
    (click.types.StringParamType, "文字"),
    (click.types.IntParamType, "整数"),
    (click.types.IntRange, "整数"),
    (click.types.FloatParamType, "数"),
    (click.types.FloatRange, "数"),
):
    _type.name = _name
_missing_in_english = click.exceptions.MissingParameter.format_message


def _missing_in_chinese(self: click.exceptions.MissingParameter) -> str:
    # Click ends "缺少参数 'CASE'" with its own full stop, outside gettext's reach.
    return re.sub(r"\.(?= |$)", "。", _missing_in_english(self), count=1)


click.exceptions.MissingParameter.format_message = _missing_in_chinese  # type: ignore[method-assign]

for _module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
    if hasattr(_module, "_"):
        setattr(_module, "_", _in_chinese)  # noqa: B010 - the name is Click's gettext alias
    if hasattr(_module, "ngettext"):
        setattr(_module, "ngettext", _in_chinese_n)  # noqa: B010


class _Command(click.Command):
    """A command whose usage line names its parts in Chinese."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    """A group of commands, likewise; its commands and subgroups are made the same way."""

    command_class = _Command
    group_class = type  # subgroups are _Group too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="工作区文件夹（含 docgen.toml、archive/、index/）。默认取环境变量 DOCGEN_WORKSPACE，再默认当前文件夹。",
)
@click.version_option(__version__, prog_name="docgen", message="%(prog)s %(version)s", help="显示版本号后退出。")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """docgen：按 GB/T 9704-2012 起草、编号、归档和检索公文。"""
    ctx.obj = {"workspace": workspace}


@cli.command("format")
@click.argument("draft", metavar="草稿.docx", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-k",
    "--kind",
    type=click.Choice(FORMAT_KINDS),
    help="读成的文种（默认按标题判断：通知、请示、报告、函、纪要、工作计划、公告；通知连同所印发的计划和附件为 set）。",
)
@click.option(
    "-o",
    "--output",
    "target",
    type=click.Path(dir_okay=False, path_type=Path),
    help="案卷文件，默认与草稿同名的 .yaml。",
)
@click.option("--force", is_flag=True, help="案卷文件已存在时替换它。")
@click.option("--render", "then_render", is_flag=True, help="读完随即按 GB/T 9704 生成 DOCX 和 PDF（案卷须无错误）。")
@json_option
@click.pass_context
def format_command(
    ctx: click.Context,
    draft: Path,
    kind: str | None,
    target: Path | None,
    force: bool,
    then_render: bool,
    as_json: bool,
) -> None:
    """把在 Word 或 WPS 中起草的公文（.docx）读成案卷文件，之后可生成、编号、归档。

    读 Word 知道的信息，不只读文字：自动编号和大纲级别、标题样式、居中和字号、修订（接受修订后的文字）、
    文本框和表格；批注不读。每段的角色（版头、标题、主送、正文和各级标题、附件说明、署名、日期、附注、版记）
    都标明把握大小；没把握的列在最后，并在案卷文件中该字段旁注明“请核对”。

    表格按表格读：公告的企业名单逐行读成公告企业，印发合成件（通知 + 所印发的工作计划 + 附件任务分工表，
    在一个 Word 文件中）分开读成通知、计划和任务分工表（-k set）。通知、请示等正文中的表格不读入，会提示。

    \b
    示例：
      docgen format 草稿.docx
      docgen format 草稿.docx -k request -o 请示.yaml --render
    """
    from docgen.pipeline.formatting import format_draft

    ws = _workspace(ctx)
    done = format_draft(ws, draft, kind=kind, target=target, overwrite=force)
    rendered = []
    if then_render and not done.problems:
        from docgen.pipeline.render import render_case

        rendered = render_case(done.case_path, ws, kinds=[done.reading.kind])
    if as_json:
        _print_json(
            {
                "case": str(done.case_path),
                "kind": done.reading.kind,
                "roles": [{"role": role, "text": text, "sure": sure} for role, text, sure in done.roles],
                "doubts": done.reading.doubts,
                "problems": [str(p) for p in done.problems],
                "rendered": [str(p) for d in rendered for p in (d.docx, d.pdf) if p],
            }
        )
    else:
        for role, text, sure in done.roles:
            click.echo(f"{role}：{text[:60]}{'…' if len(text) > 60 else ''}（把握 {sure:.0%}）")
        click.echo(f"已写出案卷文件：{done.case_path}（{KIND_NAMES[done.reading.kind]}）")
        for field_name, doubt in done.reading.doubts.items():
            click.echo(f"请核对 {field_name}：{doubt}")
        for problem in done.problems:
            click.echo(f"案卷还有错误：{problem}", err=True)
        for path in (p for d in rendered for p in (d.docx, d.pdf) if p):
            click.echo(f"已生成：{path}")
    if then_render and done.problems:
        msg = "案卷还有错误，未生成公文；改正后运行 docgen render。"
        raise DocgenError(msg)


@cli.command()
@click.argument("case", type=click.Path(path_type=Path))
@click.option(
    "-k",
    "--kind",
    "kinds",
    type=click.Choice(KINDS),
    multiple=True,
    default=("notice",),
    show_default=True,
    help="文种：notice 通知，plan 工作计划，tasks 任务分工表，acceptance 验收记录（每家企业一份），"
    "announcement 公告，set 印发合成件，request 请示，report 报告，letter 函（信函格式），minutes 纪要。"
    "可写多次（-k notice -k plan），一次生成、一起转换。",
)
@click.option("--enterprise", metavar="KEY", help="只生成这家企业的验收记录（企业在案卷中的键名）。")
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="输出文件夹，默认 out/<案卷名>。",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["docx", "pdf", "both"]),
    default="both",
    show_default=True,
    help="输出格式。",
)
@json_option
@click.pass_context
def render(
    ctx: click.Context,
    case: Path,
    kinds: tuple[str, ...],
    enterprise: str | None,
    out_dir: Path | None,
    output_format: str,
    as_json: bool,
) -> None:
    """按案卷文件 CASE 生成公文（DOCX 和/或 PDF）。

    \b
    示例：
      docgen render examples/enping-2021/case.yaml
      docgen render case.yaml -k set -o 输出 --format pdf
      docgen render case.yaml -k notice -k plan -k tasks
      docgen render case.yaml -k acceptance --enterprise huayi
    """
    from docgen.pipeline.render import render_case  # docxtpl and pypdf load only for commands that need them

    docs = render_case(
        case,
        _workspace(ctx),
        kinds=kinds,
        enterprise=enterprise,
        out_dir=out_dir,
        output_format=output_format,  # type: ignore[arg-type]
    )
    if as_json:
        _print_json([dataclasses.asdict(d) for d in docs])
        return
    for doc in docs:
        click.echo(f"{doc.number or ''} {doc.title}".strip())
        for path in (doc.docx, doc.pdf):
            if path:
                click.echo(f"  {path}")


@cli.command()
@click.argument("case", type=click.Path(path_type=Path))
@click.option(
    "-k",
    "--kind",
    "kinds",
    type=click.Choice(KINDS),
    multiple=True,
    help="签发哪种文件（可多次给出）。默认：案卷中有的全部——印发合成件（或通知）、验收记录、公告。",
)
@click.option("--enterprise", metavar="KEY", help="只签发这家企业的验收记录。")
@click.option("--reason", help="文件有改动、需要归档新版本时，写明原因（记入元数据和事件日志）。")
@click.option("--no-lint", is_flag=True, help="不做格式检查就签发（记入事件日志）。")
@click.option("--queue", "queued", is_flag=True, help="城市版：放入任务队列，由 docgen worker 签发（可在别的机器上）。")
@json_option
@click.pass_context
def issue(
    ctx: click.Context,
    case: Path,
    kinds: tuple[str, ...],
    enterprise: str | None,
    reason: str | None,
    no_lint: bool,
    queued: bool,
    as_json: bool,
) -> None:
    """签发：分配发文字号、生成 PDF/A、存入归档库。

    再次运行只补做尚未完成的文件；内容未变的文件不会重复归档，有改动的归档为新版本。

    \b
    示例：
      docgen issue examples/enping-2021/case.yaml
      docgen issue case.yaml -k acceptance --enterprise huayi
      docgen issue case.yaml --queue        （城市版：由 docgen worker 签发）
    """
    from docgen.pipeline.issue import issue_case

    if queued:
        from docgen.pipeline.working import queue_issue

        job = queue_issue(
            _workspace(ctx), case, kinds=list(kinds) or None, enterprise=enterprise, reason=reason, lint=not no_lint
        )
        if as_json:
            _print_json({"job": job.id, "state": job.state})
        else:
            click.echo(f"已放入任务队列：任务 {job.id}（docgen jobs 查看进度）")
        return

    def show(item: Any) -> None:
        if not as_json:
            click.echo(f"{item.status.sentence}：{item.number or ''} {item.title}".replace("： ", "："))
            click.echo(f"  {item.path}")
            for finding in item.findings:
                click.echo(f"  {finding}")

    results = issue_case(
        case,
        _workspace(ctx),
        kinds=list(kinds) or None,
        enterprise=enterprise,
        reason=reason,
        on_document=show,
        on_warning=_warn,
        lint=not no_lint,
    )
    if as_json:
        _print_json([dataclasses.asdict(r) for r in results])
    if any(not r.status.stored for r in results):
        if not as_json:
            click.echo("有文件未签发：按上面的说明处理后重新运行（已完成的不会重复）。", err=True)
        sys.exit(1)


@cli.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-k", "--kind", "kinds", type=click.Choice(KINDS), multiple=True, help="签发哪种文件（可多次给出）。")
@click.option("--jobs", type=click.IntRange(1, 64), help="同时运行的 LibreOffice 进程数（默认每个 CPU 核一个）。")
@click.option(
    "--copies", "make_copies", is_flag=True, help="为有发文字号的通知按主送、抄送单位各生成一份带份号的分发件。"
)
@click.option(
    "--file", "make_filing", is_flag=True, help="签发后为涉及的年度生成归档副本（加盖归档章）和归档文件目录。"
)
@json_option
@click.pass_context
def batch(
    ctx: click.Context,
    cases: tuple[Path, ...],
    kinds: tuple[str, ...],
    jobs: int | None,
    make_copies: bool,
    make_filing: bool,
    as_json: bool,
) -> None:
    """批量签发多个案卷：与 docgen issue 相同的流程，多个 LibreOffice 进程同时转换。

    一份文件或一个案卷出错不影响其余，最后列出出错的文件及原因（退出码 1）。
    中断后重新运行，只补做没有完成的。
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from docgen.pipeline.batch import batch_cases
    from docgen.pipeline.issue import Status

    failures: list[Any] = []
    warnings: list[str] = []  # shown after the progress bar, which they would otherwise break up
    progress = Progress(
        TextColumn("[bold]批量签发"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("失败 {task.fields[failed]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        disable=as_json,
        transient=False,
    )
    with progress:
        task = progress.add_task("batch", total=None, failed=0, rate="")

        def advance(item: Any) -> None:
            if not item.status.stored:
                failures.append(item)
            done = progress.tasks[0].completed + 1
            elapsed = progress.tasks[0].elapsed or 0
            rate = f"{done / elapsed:.1f} 份/秒" if elapsed > 0 else ""
            progress.update(task, advance=1, failed=len(failures), rate=rate)

        report = batch_cases(
            list(cases),
            _workspace(ctx),
            kinds=list(kinds) or None,
            workers=jobs,
            copies=make_copies,
            filing=make_filing,
            on_start=lambda total: progress.update(task, total=total),
            on_document=advance,
            on_warning=warnings.append,
        )
    for message in warnings:  # on stderr, so --json output stays clean
        _warn(message)
    results, filing_errors, copy_errors = report.results, report.errors, report.copy_errors
    if not as_json:
        for note in report.notes:
            click.echo(note)
    if as_json:
        _print_json([dataclasses.asdict(r) for r in results])
    else:
        counts: dict[Status, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        click.echo("；".join(f"{status.label} {n} 份" for status, n in counts.items()) or "没有文件。")
        for item in failures:
            click.echo(f"未签发：{item.title}（{item.path}）", err=True)
            for reason in item.findings:
                click.echo(f"  {reason}", err=True)
    # On stderr in --json mode too: what was not made, and why, whatever the output format.
    for reason in copy_errors:
        click.echo(f"未生成分发件：{reason}", err=True)
    for reason in filing_errors:
        click.echo(f"未生成归档副本：{reason}", err=True)
    if failures or filing_errors or copy_errors:
        if not as_json:
            parts = [
                ("签发失败", len(failures)),
                ("分发件未生成", len(copy_errors)),
                ("归档副本未生成", len(filing_errors)),
            ]
            click.echo("未全部完成：" + "；".join(f"{label} {n} 项" for label, n in parts if n), err=True)
        sys.exit(1)


@cli.group()
def archive() -> None:
    """归档库：核验、列出、导入已有文件。"""


@archive.command("verify")
@click.option("--year", type=int, help="只核验这一年。")
@json_option
@click.pass_context
def archive_verify(ctx: click.Context, year: int | None, as_json: bool) -> None:
    """重新计算校验值（SHA-256 和 SM3），核对事件日志的链接、归档文件夹与日志是否一致，以及发文字号登记簿。

    有问题时退出码为 1。
    """
    from docgen.pipeline.records import verify_archive

    report = verify_archive(_workspace(ctx), year)
    if as_json:
        _print_json({**dataclasses.asdict(report), "ok": report.ok})
    else:
        click.echo(f"核验了 {report.documents} 份文件。")
        for label, items in report.sections():
            for item in items:
                click.echo(f"  {label}：{item}")
        for item in report.interrupted_copies:
            click.echo(f"  说明：对象存储中有一次中断的存入留下的文件（已另行存好，不是损坏）：{item}")
        click.echo("结论：完好。" if report.ok else "结论：有问题，请按上面的清单处理。")
        if not report.logged:
            click.echo("归档库不可写（例如只读副本）：本次核验未记入事件日志。")
    if not report.ok:
        sys.exit(1)


@archive.command("add-sm3")
@json_option
@click.pass_context
def archive_add_sm3(ctx: click.Context, as_json: bool) -> None:
    """为此前归档、只有 SHA-256 的文件夹补上 SM3 校验清单（manifest-sm3.txt）。

    只新增文件，不改动任何已归档的文件；每次补充都记入事件日志。SHA-256 已对不上的文件夹不补充（退出码 1）。
    """
    from docgen.pipeline.records import add_sm3

    done, refused = add_sm3(_workspace(ctx))
    if as_json:
        _print_json({"added": done, "refused": refused})
    else:
        for path in done:
            click.echo(f"已补充 SM3：{path}")
        for reason in refused:
            click.echo(f"未补充：{reason}", err=True)
        click.echo(f"共补充 {len(done)} 个文件夹。" if done else "没有需要补充的文件夹。")
    if refused:
        sys.exit(1)


@cli.command("worker")
@click.option("--once", is_flag=True, help="只做一个任务（没有任务就退出；与 --idle-exit 同用时最多等这么久）。")
@click.option("--idle-exit", type=click.FloatRange(0, 86400), help="连续这么多秒没有任务就退出（默认一直等）。")
@click.option(
    "--lease",
    type=click.FloatRange(3, 3600),
    default=120,
    show_default=True,
    help="任务租约（秒）：本 worker 停掉后，别的 worker 最多等这么久接手它的任务。",
)
@click.pass_context
def worker_command(ctx: click.Context, once: bool, idle_exit: float | None, lease: float) -> None:
    """城市版：从任务队列中取签发任务来做（可以在多台机器上各运行几个）。

    每个 worker 用一个常驻的 LibreOffice；做到一半被停掉的任务，租约到期后由别的 worker 接着做，
    已完成的部分不会重复（发文字号不会重分，文件不会重复归档）。
    """
    from docgen.pipeline.working import run_worker

    done = run_worker(
        _workspace(ctx), once=once, idle_exit=idle_exit, lease=lease, say=lambda line: click.echo(line, err=True)
    )
    click.echo(f"做完 {done} 个任务。")


@cli.command("jobs")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True, help="列出最近多少个任务。")
@json_option
@click.pass_context
def jobs_command(ctx: click.Context, limit: int, as_json: bool) -> None:
    """城市版：列出最近的任务和进度。"""
    from docgen.pipeline.working import JOB_STATES, job_store

    recent = job_store(_workspace(ctx)).recent(limit)
    if as_json:
        _print_json([dataclasses.asdict(j) for j in recent])
        return

    for job in recent:
        when = job.queued_at.astimezone().strftime("%Y-%m-%d %H:%M")
        said = job.error or ("、".join(str(r.get("number") or r.get("title")) for r in job.result or []))
        click.echo(f"{job.id}\t{JOB_STATES[job.state]}\t{when}\t{job.queued_by}\t{job.payload.get('case')}\t{said}")


@cli.command("migrate")
@json_option
@click.pass_context
def migrate_command(ctx: click.Context, as_json: bool) -> None:
    """把本局原来的发文字号登记簿、账户、检索索引和归档文件迁入城市版（docgen.toml 的 [city]），并逐项核对。

    先在 docgen.toml 写明 [city] 的数据库（和对象存储），再在原工作区运行本命令：发文字号逐个、账户连同密码
    散列迁入数据库，归档文件锁定存入对象存储、记录和事件日志原样迁入数据库，检索索引在数据库中重建；然后核对每个发文字号、每个账户、
    每个企业名称、文号和题名的检索结果两处相同，并核验整个归档库。中途中断的，再运行一次即可接着完成；
    原来的文件一个不删。
    """
    from docgen.pipeline.migrating import migrate_to_city

    done = migrate_to_city(_workspace(ctx), say=lambda line: click.echo(line, err=True))
    if as_json:
        _print_json({**vars(done), "ok": done.ok})
    else:
        click.echo(
            f"发文字号：迁入 {done.numbers_added} 个，已在 {done.numbers_there} 个；"
            f"账户：迁入 {done.accounts_added} 个，已在 {done.accounts_there} 个；"
            f"检索索引：{done.documents_indexed} 份文件，对比 {done.queries_compared} 个检索；"
            f"归档文件：迁入 {done.records_added} 份，已在 {done.records_there} 份；"
            f"核验 {done.documents_verified} 份文件。"
        )
        for problem in done.problems:
            click.echo(f"不一致：{problem}", err=True)
        click.echo("迁移完成，逐项核对一致。" if done.ok else "迁移后核对有不一致，见上。")
    if not done.ok:
        sys.exit(1)


@archive.command("lock")
@click.option("--renew", is_flag=True, help="同时把已锁定副本的保留期延长到保管期限（永久的从今年起再算）。")
@json_option
@click.pass_context
def archive_lock(ctx: click.Context, renew: bool, as_json: bool) -> None:
    """把归档文件存入城市版的对象存储并锁定（COMPLIANCE 对象锁定，保管期限内谁也删不掉、改不了）。

    每份文件签发归档时已自动存入；对象存储一时连不上的，归档照常完成，之后用本命令补存。已存入的不重复
    存入、不覆盖；对象存储中同名而内容不同的，报告出来（退出码 1）。
    """
    from docgen.pipeline.records import lock_archive

    done = lock_archive(_workspace(ctx), renew=renew)
    if as_json:
        _print_json({"put": done.put, "there": done.there, "renewed": done.renewed, "failed": done.failed})
    else:
        click.echo(f"新存入并锁定 {done.put} 个文件，已在对象存储中 {done.there} 个，延长保留期 {done.renewed} 个。")
        for failure in done.failed:
            click.echo(f"未能存入：{failure}", err=True)
    if done.failed:
        sys.exit(1)


@archive.command("check")
@click.option("--year", type=int, help="只检测这一年。")
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="另存检测报告：以 .pdf 结尾为 PDF（可打印签字），以 .html 结尾为网页。",
)
@click.option(
    "--scan-command",
    help='病毒检查命令，对检测范围的文件夹运行一次，退出码 0 为无毒，例如 "clamscan -r -i --no-summary"。',
)
@json_option
@click.pass_context
def archive_check(
    ctx: click.Context, year: int | None, report_file: Path | None, scan_command: str | None, as_json: bool
) -> None:
    """四性检测（DA/T 70-2018）：真实性、完整性、可用性、安全性，每项写明结果和涉及的文件。

    有不通过的项目时退出码为 1。

    \b
    示例：
      docgen archive check
      docgen archive check --year 2021 --report 四性检测报告.pdf
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from docgen.pipeline.check import check_archive, write_report

    ws = _workspace(ctx)
    if report_file is not None and report_file.suffix.lower() not in (".pdf", ".html", ".htm"):
        msg = f"报告文件 {report_file} 应以 .pdf 或 .html 结尾。"
        raise click.UsageError(msg)
    progress = Progress(
        TextColumn("[bold]四性检测"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=as_json,
        transient=True,
    )
    with progress:
        task = progress.add_task("check", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        if report_file is not None:  # refused before the long run, not after it
            ws.settings.output_outside_records(report_file, "检测报告")
        report = check_archive(ws, year, scan_command=scan_command, on_document=advance)
    if report_file is not None:
        write_report(ws, report, report_file)
    if as_json:
        _print_json(report.to_json())
    else:
        scope = f"{year} 年度" if year else "全部年度"
        click.echo(f"检测范围：{scope}，{report.documents} 件，{report.bytes:,} 字节；SM3：{report.sm3_provider}")
        for item in report.items:
            click.echo(f"{item.code} {item.property} {item.result}  {item.name}")
            if item.note:
                click.echo(f"    说明：{item.note}")
            for finding in item.files:
                click.echo(f"    {finding}")
        failed = [item.code for item in report.items if item.result == "不通过"]
        click.echo("结论：全部适用项目通过。" if not failed else f"结论：{len(failed)} 项不通过：{'、'.join(failed)}。")
        if report_file is not None:
            click.echo(f"检测报告：{report_file}")
        if not report.logged:
            click.echo("归档库不可写（例如只读副本）：本次检测未记入事件日志。")
    if not report.ok:
        sys.exit(1)


@archive.command("list")
@click.option("--year", type=int, help="只列出这一年。")
@click.option("--kind", type=click.Choice([*KINDS, "other"]), help="只列出这种文件。")
@click.option("--enterprise", help="只列出涉及这家企业的文件（名称的一部分或键名）。")
@json_option
@click.pass_context
def archive_list(ctx: click.Context, year: int | None, kind: str | None, enterprise: str | None, as_json: bool) -> None:
    """列出归档库中的文件（新的在前）。"""
    from docgen.pipeline.records import list_archive, meta_summary

    metas = list_archive(_workspace(ctx), year, kind, enterprise)
    if as_json:
        _print_json([meta_summary(m) for m in metas])
        return
    if not metas:
        click.echo("没有符合条件的文件。")
    for m in metas:
        version = f"（第{m['version']}版）" if m.get("version", 1) > 1 else ""
        to_fill = f"\t待补录：{'、'.join(m['to_fill'])}" if m.get("to_fill") else ""
        click.echo(f"{m['date']}\t{m.get('number') or m.get('kind_name')}\t{m['title']}{version}\t{m['path']}{to_fill}")


@archive.command("fill")
@click.argument("folder", metavar="归档文件夹")
@click.option("--issuer", help="责任者（发文机关）。")
@click.option("--number", help="发文字号，如 恩经信字〔2019〕12号。")
@click.option("--title", help="标题（题名）。")
@click.option("--date", help="成文日期，如 2019-03-05。")
@json_option
@click.pass_context
def archive_fill(
    ctx: click.Context,
    folder: str,
    issuer: str | None,
    number: str | None,
    title: str | None,
    date: str | None,
    as_json: bool,
) -> None:
    """补录导入文件未能读出的元数据（责任者、文号、标题、成文日期）。

    归档文件夹写 archive list 列出的位置（如 2019/03/05/关于…的通知）。原文件和 meta.json
    不变，补录的内容连同操作人和时间记入事件日志，归档库各处按补录后的值显示和检测。
    """
    from docgen.pipeline.records import FILLABLE, fill_metadata, meta_summary

    values = {"issuer": issuer, "number": number, "title": title, "date": date}
    filled = fill_metadata(_workspace(ctx), folder, {k: v for k, v in values.items() if v is not None})
    if as_json:
        _print_json(meta_summary(filled))
        return
    done = filled.get("filled", [])[-1]["values"] if filled.get("filled") else {}
    said = "，".join(f"{FILLABLE[k]}：{v}" for k, v in done.items())
    click.echo(f"已补录 {filled['path']}：{said}（已记入事件日志）")
    left = filled.get("to_fill") or []
    click.echo(f"仍待补录：{'、'.join(left)}" if left else "这份文件已没有待补录的项目。")


@archive.command("import")
@click.argument("paths", metavar="文件或文件夹…", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--recursive", "-r", is_flag=True, help="文件夹连同其子文件夹一起导入。")
@click.option(
    "--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), help="导入文件夹时的报告（CSV）。"
)
@click.option("--kind", type=click.Choice([*KINDS, "other"]), help="文种（默认按标题判断）。")
@click.option("--number", help="发文字号（默认从文中读出）。")
@click.option("--date", "date_text", help="成文日期，如 2019-06-30（默认从文中读出）。")
@click.option("--title", help="标题（默认从文中读出）。")
@click.option("--enterprise", "enterprises", multiple=True, help="涉及的企业名称（可多次给出；默认从文中读出）。")
@click.option("--issuer", help="责任者（发文机关，默认从署名或版头读出）。")
@click.option("--allow-duplicate-number", is_flag=True, help="发文字号与已有文件重复时仍导入（记录在案）。")
@click.option("--no-ocr", is_flag=True, help="扫描件不做 OCR，只标记为待 OCR（导入更快）。")
@json_option
@click.pass_context
def archive_import(
    ctx: click.Context,
    paths: tuple[Path, ...],
    recursive: bool,
    report_file: Path | None,
    kind: str | None,
    number: str | None,
    date_text: str | None,
    title: str | None,
    enterprises: tuple[str, ...],
    issuer: str | None,
    allow_duplicate_number: bool,
    no_ocr: bool,
    as_json: bool,
) -> None:
    """把已有的 PDF、DOCX 文件（含扫描件）导入归档库（DOCX 另生成 PDF/A）。

    没有给出的信息（标题、文种、发文字号、成文日期、责任者、企业）从文中读出并显示；
    没有文字层的扫描页用 OCR 识别，原件一字节不改地保存，识别的文字另存并注明是机器识别。
    逐个给出的文件先全部检查：有一个无效或发文字号重复，就什么都不导入。给出文件夹时逐个导入，
    每个文件的结果写入 CSV 报告（已导入、已在归档库中、已归档文件的副本、拒绝及原因、待核对）；中断后重新运行，
    已导入的会跳过。

    \b
    示例：
      docgen archive import 旧文件/2019年关于…的通知.pdf
      docgen archive import 扫描件/ --recursive --report 导入报告.csv
    """
    from docgen.pipeline.importing import Given

    try:
        day = dt.date.fromisoformat(date_text) if date_text else None
    except ValueError as exc:
        msg = f"应为 2019-06-30 这样的日期，现为 {date_text}"
        raise click.BadParameter(msg, param_hint="--date") from exc
    given = Given(kind, number, day, title, list(enterprises) or None, issuer, allow_duplicate_number)
    ws = _workspace(ctx)
    if any(p.is_dir() for p in paths):
        _import_folders(ws, list(paths), given, recursive, report_file, not no_ocr, as_json)
    else:
        _import_files(ws, list(paths), given, not no_ocr, as_json)


def _import_files(ws: Workspace, files: list[Path], given: Any, ocr: bool, as_json: bool) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from docgen.pipeline.importing import import_files

    progress = Progress(
        TextColumn("[bold]OCR 识别"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("页"),
        disable=as_json,
        transient=True,
    )
    with progress:
        task = progress.add_task("ocr", total=None, visible=False)

        def page_done(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, visible=True)

        results = import_files(ws, files, given, ocr=ocr, on_warning=_warn, on_page=page_done)
    if as_json:
        _print_json([_imported_json(r) for r in results])
        return
    for r in results:
        p = r.plan
        head = {"imported": "已导入", "copy": "是已归档文件的副本，未另存"}.get(r.status, "已在归档库中，未重复导入")
        click.echo(f"{head}：{printable(p.source)}")
        if r.status == "copy":
            click.echo(f"  {r.warnings[0]}")
        click.echo(
            f"  标题：{p.title}；文种：{p.kind_name}；发文字号：{p.number or '无'}；成文日期：{p.date.isoformat()}"
        )
        click.echo(f"  责任者：{p.issuer or '未能读出（可用 --issuer 给出，否则四性检测会指出缺少责任者）'}")
        if p.to_fill:
            click.echo(f"  待补录：{'、'.join(p.to_fill)}（已记入元数据，四性检测和 archive list 会列出）")
        if p.enterprises:
            click.echo(f"  企业：{'、'.join(e.name for e in p.enterprises)}")
        if p.read_from_text:
            click.echo(f"  从文中读出：{'、'.join(p.read_from_text)}")
        if p.ocr is not None:
            low = "、".join(map(str, p.review_pages))
            click.echo(
                f"  OCR：{p.ocr.engine} {p.ocr.version} 识别了 {len(p.ocr.pages)} 页"
                + (f"；置信度低、请对照原件核对的页：{low}" if low else "")
            )
        if p.guessed:
            click.echo(f"  推测（请核对）：{'、'.join(p.guessed)}")
        if p.needs_ocr:
            click.echo("  没有文字层（扫描件），未做 OCR，已标记为待 OCR。")
        for warning in r.warnings:
            click.echo(f"  注意：{warning}")
        click.echo(f"  {r.path}")


def _imported_json(r: Any) -> dict[str, Any]:
    p = r.plan
    return {
        "file": printable(p.source),
        "status": r.status,
        "path": str(r.path),
        "kind": p.kind,
        "kind_name": p.kind_name,
        "title": p.title,
        "number": p.number,
        "date": p.date.isoformat(),
        "enterprises": [e.name for e in p.enterprises],
        "credit_codes": {e.name: e.credit_code for e in p.enterprises if e.credit_code},
        "issuer": p.issuer,
        "needs_ocr": p.needs_ocr,
        "ocr": (
            {
                "engine": p.ocr.engine,
                "version": p.ocr.version,
                "pages": len(p.ocr.pages),
                "review_pages": p.review_pages,
            }
            if p.ocr
            else None
        ),
        "read_from_text": p.read_from_text,
        "guessed": p.guessed,
        "to_fill": p.to_fill,
        "warnings": r.warnings,
    }


def _import_folders(
    ws: Workspace, paths: list[Path], given: Any, recursive: bool, report: Path | None, ocr: bool, as_json: bool
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from docgen.pipeline.importing import files_in, import_folder

    if given.number or given.title:
        msg = "--number 和 --title 只能用于导入单个文件，不能用于文件夹。"
        raise click.UsageError(msg)
    missing = [p for p in paths if not p.exists()]
    if missing:
        msg = f"找不到：{'、'.join(map(str, missing))}"
        raise click.UsageError(msg)
    files = [p for p in paths if p.is_file()] + files_in([p for p in paths if p.is_dir()], recursive)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    report = ws.settings.output_outside_records(report or ws.root / f"导入报告-{stamp}.csv", "导入报告")
    progress = Progress(
        TextColumn("[bold]导入"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        disable=as_json,
    )
    with progress:
        task = progress.add_task("", total=len(files))

        def file_done(done: int, total: int, source: Path) -> None:
            progress.update(task, completed=done, description=printable(source.name)[:40])

        done = import_folder(ws, files, given, report=report, ocr=ocr, on_file=file_done, on_warning=_warn)
    if as_json:
        _print_json(
            {
                "report": str(done.report),
                "files": [
                    {"file": printable(row.file), "outcome": row.outcome, "note": row.note}
                    | (_imported_json(row.imported) if row.imported else {})
                    for row in done.rows
                ],
            }
        )
    else:
        counts = "，".join(
            f"{o} {done.count(o)} 个" for o in ("已导入", "待核对", "已在归档库中", "副本", "拒绝") if done.count(o)
        )
        click.echo(f"共 {len(files)} 个文件：{counts or '没有可导入的文件'}。")
        for row in done.rows:
            if row.outcome in ("拒绝", "待核对"):
                click.echo(f"  {row.outcome}：{printable(row.file)}：{row.note}")
        click.echo(f"导入报告：{done.report}")
    if done.count("拒绝"):
        sys.exit(1)


@cli.command("file")
@click.argument("year", type=click.IntRange(1949, 2200))
@json_option
@click.pass_context
def file_command(ctx: click.Context, year: int, as_json: bool) -> None:
    """生成 YEAR 年的归档副本（首页加盖归档章）和归档文件目录（PDF 和 CSV）。

    档号按 DA/T 22-2015：全宗号-WS·年度-保管期限-机构代码-件号；全宗号、机构代码和各类文件的
    保管期限在 docgen.toml 的 [filing] 中设置。归档库本身不会改动。
    """
    from docgen.pipeline.yearend import file_year

    report = file_year(_workspace(ctx), year)
    if as_json:
        _print_json(
            {
                "year": year,
                "folder": str(report.folder),
                "failures": report.failures,
                "items": [
                    {
                        "code": i.code,
                        "item_no": i.item_no,
                        "retention": i.retention,
                        "title": i.meta.get("title"),
                        "number": i.meta.get("number"),
                        "path": i.meta.get("path"),
                    }
                    for i in report.items
                ],
            }
        )
    else:
        for item in report.items:
            click.echo(f"{item.code}\t{item.meta.get('number') or ''}\t{item.meta.get('title')}")
        click.echo(f"共 {len(report.items)} 件，归档副本和归档文件目录在 {report.folder}")
        for reason in report.failures:
            click.echo(f"未生成：{reason}", err=True)
    if report.failures:
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="有警告也以退出码 1 结束。")
@json_option
@click.pass_context
def lint(ctx: click.Context, paths: tuple[Path, ...], strict: bool, as_json: bool) -> None:
    """检查公文格式：案卷文件（YAML）、DOCX、PDF、纯文本。

    每条问题有编号、级别（错误/警告）、位置、说明和改法。有错误时退出码为 1（加 --strict 时警告也算）。

    \b
    示例：
      docgen lint examples/enping-2021/case.yaml
      docgen lint 旧通知.docx 公告.pdf --json
    """
    from docgen.pipeline.lint import lint_files

    findings = lint_files(list(paths), _workspace(ctx))
    if as_json:
        _print_json([dataclasses.asdict(f) for f in findings])
    else:
        for finding in findings:
            click.echo(str(finding))
        errors = sum(1 for f in findings if f.severity == "error")
        click.echo(f"共 {errors} 个错误、{len(findings) - errors} 个警告。" if findings else "未发现问题。")
    failing = [f for f in findings if f.severity == "error" or strict]
    if failing:
        sys.exit(1)


@cli.command()
@click.argument("query", nargs=-1)
@click.option("--enterprise", help="只看涉及这家企业的文件（全称或名称的一部分）。")
@click.option("--kind", type=click.Choice([*KINDS, "other"]), help="只看这种文件。")
@click.option("--year", help="年份，如 2021 或 2019-2021。")
@click.option("--number", "number_text", help="发文字号或其一部分，如 58号。")
@click.option("--limit", type=int, default=20, show_default=True, help="最多显示几条。")
@click.option(
    "--sort",
    type=click.Choice(["date", "relevance"]),
    default="date",
    show_default=True,
    help="排序：date 新的在前，relevance 按相关度。",
)
@json_option
@click.pass_context
def search(
    ctx: click.Context,
    query: tuple[str, ...],
    enterprise: str | None,
    kind: str | None,
    year: str | None,
    number_text: str | None,
    limit: int,
    sort: str,
    as_json: bool,
) -> None:
    """在归档库中检索：企业全称或其中几个字、发文字号（如 58号）、正文片段。

    多个词用空格分开，须全部出现。

    \b
    示例：
      docgen search 华艺陶瓷
      docgen search 钢 --kind acceptance --year 2021
      docgen search --number 58号
    """
    from docgen.pipeline.searching import build_query, search_archive

    asked = build_query(
        " ".join(query),
        enterprise=enterprise,
        kind=kind,
        year=year,
        number=number_text,
        limit=limit,
        sort="relevance" if sort == "relevance" else "date",
    )
    found = search_archive(_workspace(ctx), asked)
    if found.note:
        _warn(found.note)
    hits = found.hits
    if as_json:
        _print_json(
            [
                {
                    "number": h.number,
                    "date": h.date,
                    "kind": h.kind,
                    "kind_name": h.kind_name,
                    "title": h.title,
                    "enterprises": list(h.enterprises),
                    "path": h.path,
                    "score": h.score,
                    "snippet": h.snippet,
                    "highlights": h.highlights,
                }
                for h in hits
            ]
        )
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if not hits:
        click.echo("没有找到。")
        return
    table = Table(show_lines=False)
    for column in ("发文字号", "日期", "类型", "标题", "摘要"):
        table.add_column(column, overflow="fold")
    for h in hits:
        snippet = Text(h.snippet)
        for start, end in h.highlights:
            snippet.stylize("bold red", start, end)
        table.add_row(h.number or "—", h.date, h.kind_name, h.title, snippet)
    Console().print(table)
    click.echo(f"共 {len(hits)} 条" + ("（已达 --limit 上限）" if len(hits) == limit else "") + "。")


@cli.group("index")
def index_group() -> None:
    """检索索引：重建、查看状态（索引由归档库生成，可随时重建）。"""


@index_group.command("rebuild")
@click.option("--if-needed", is_flag=True, help="只在索引缺失、过时或损坏时重建。")
@click.pass_context
def index_rebuild(ctx: click.Context, if_needed: bool) -> None:
    """由归档库重建检索索引。"""
    from rich.progress import track

    from docgen.pipeline.searching import index_status, rebuild_index

    ws = _workspace(ctx)
    status = index_status(ws)
    if status.fallback_note:
        _warn(status.fallback_note)
    if if_needed:
        if not status.needs_rebuild:
            click.echo(f"索引是最新的（{status.documents} 份文件），无需重建。")
            return
        click.echo(f"需要重建：{status.reason}")
    count = rebuild_index(ws, lambda metas: track(metas, description="建立索引", transient=True))
    click.echo(f"已重建索引：{count} 份文件（{status.engine}）。")


@index_group.command("status")
@json_option
@click.pass_context
def index_status(ctx: click.Context, as_json: bool) -> None:
    """显示检索索引的状态：引擎、格式版本、收录文件数、是否需要重建。"""
    from docgen.pipeline.searching import index_status

    status = index_status(_workspace(ctx), deep=True)
    if as_json:
        _print_json({**dataclasses.asdict(status), "needs_rebuild": status.needs_rebuild})
        return
    click.echo(f"引擎：{status.engine}" + (f"（{status.fallback_note}）" if status.fallback_note else ""))
    click.echo(f"位置：{status.folder}")
    click.echo(f"格式版本：{status.schema_version or '—'}")
    click.echo(f"收录：{status.documents if status.documents is not None else '—'} 份；归档库中：{status.archived} 份")
    click.echo(f"状态：需要重建（{status.reason}）" if status.needs_rebuild else "状态：最新")


@cli.group()
def account() -> None:
    """账户：每人一个账户，按角色（拟稿、核稿、签发、档案员、管理员）在网页上办事。"""


def _new_password(password_stdin: bool) -> str:
    """A password typed twice without echo, or one line from standard input (for scripts)."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次密码"))


def _account_line(a: Any) -> str:
    state = "" if a.active else "\t（已停用）"
    return f"{a.name}\t{a.role_names}{state}"


def _account_json(a: Any) -> dict[str, Any]:
    return {"name": a.name, "roles": list(a.roles), "active": a.active, "created_at": a.created_at}


@account.command("add")
@click.argument("name", metavar="姓名")
@click.option("--role", "roles", multiple=True, required=True, help="角色：拟稿、核稿、签发、档案员、管理员。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读一行作为密码（供脚本使用），否则提示输入两次。")
@json_option
@click.pass_context
def account_add(ctx: click.Context, name: str, roles: tuple[str, ...], password_stdin: bool, as_json: bool) -> None:
    """新建账户（第一个账户请给“管理员”角色；有了账户之后，网页必须用账户登录）。"""
    from docgen.pipeline.accounts import add_account

    ws = _workspace(ctx)
    made = add_account(ws, name, _new_password(password_stdin), roles)
    if as_json:
        _print_json(_account_json(made))
        return
    click.echo(f"已新建账户：{_account_line(made)}（已记入事件日志）")


@account.command("list")
@json_option
@click.pass_context
def account_list(ctx: click.Context, as_json: bool) -> None:
    """列出全部账户和角色。"""
    from docgen.pipeline.accounts import list_accounts

    accounts = list_accounts(_workspace(ctx))
    if as_json:
        _print_json([_account_json(a) for a in accounts])
        return
    if not accounts:
        click.echo("还没有账户：docgen account add 姓名 --role 管理员 新建第一个。")
    for a in accounts:
        click.echo(_account_line(a))


@account.command("change")
@click.argument("name", metavar="姓名")
@click.option("--add-role", "add_roles", multiple=True, help="加上这个角色（可多次给出）。")
@click.option("--remove-role", "remove_roles", multiple=True, help="去掉这个角色（可多次给出）。")
@click.option("--password", "new_password", is_flag=True, help="设置新密码（提示输入两次）。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读一行作为新密码。")
@click.option("--disable/--enable", "disable", default=None, help="停用（不能再登录，记录保留）或重新启用。")
@json_option
@click.pass_context
def account_change(
    ctx: click.Context,
    name: str,
    add_roles: tuple[str, ...],
    remove_roles: tuple[str, ...],
    new_password: bool,
    password_stdin: bool,
    disable: bool | None,
    as_json: bool,
) -> None:
    """改角色、改密码、停用或启用账户。"""
    from docgen.pipeline.accounts import change_account

    ws = _workspace(ctx)
    password = _new_password(password_stdin) if new_password or password_stdin else None
    active = None if disable is None else not disable
    changed = change_account(ws, name, add_roles=add_roles, remove_roles=remove_roles, password=password, active=active)
    if as_json:
        _print_json(_account_json(changed))
        return
    click.echo(f"已修改账户：{_account_line(changed)}（已记入事件日志）")


@cli.group()
def number() -> None:
    """发文字号登记簿：分配、列出、作废、检查、导入。"""


def _record_json(record: NumberRecord) -> dict[str, Any]:
    return dataclasses.asdict(record)


@number.command("next")
@click.argument("case", type=click.Path(path_type=Path), required=False)
@click.option(
    "-k",
    "--kind",
    type=click.Choice(list(NUMBERED_KINDS)),
    default="notice",
    show_default=True,
    help="为案卷中的哪份文件编号。",
)
@click.option("--prefix", help="机关代字（为 docgen 以外起草的文件编号时用），如 恩科工商务字。")
@click.option("--year", type=int, help="年度（与 --prefix 一起用）。")
@click.option("--title", help="文件标题（与 --prefix 一起用）。同一标题再次申请得到原来的号。")
@click.option("--new", "again", is_flag=True, help="标题相同但确是另一份文件时，取一个新号。")
@click.option("--new-series", is_flag=True, help="确认 --prefix 是登记簿中还没有的新机关代字。")
@click.option("--confirm-year", is_flag=True, help="确认使用与今年相差一年以上的年度。")
@json_option
@click.pass_context
def number_next(
    ctx: click.Context,
    case: Path | None,
    kind: str,
    prefix: str | None,
    year: int | None,
    title: str | None,
    again: bool,
    new_series: bool,
    confirm_year: bool,
    as_json: bool,
) -> None:
    """分配下一个发文字号并打印。

    为案卷文件 CASE 中的文件编号（同一文件再次运行得到同一个号），或用 --prefix/--year/--title
    为在 Word 等软件中起草的文件编号。

    \b
    示例：
      docgen number next examples/enping-2021/case.yaml
      docgen number next --prefix 恩科工商务字 --year 2021 --title 关于…的通知
    """
    from docgen.pipeline.numbers import Confirmed, number_for_case, number_for_draft

    ws = _workspace(ctx)
    if case is not None:
        if prefix or year or title:
            msg = "CASE 与 --prefix/--year/--title 不能同时使用。"
            raise click.UsageError(msg)
        allocation = number_for_case(case, ws, kind)
    else:
        if not (prefix and year and title):
            msg = "请给出案卷文件 CASE，或同时给出 --prefix、--year 和 --title。"
            raise click.UsageError(msg)
        confirmed = Confirmed(again=again, new_series=new_series, far_year=confirm_year)
        allocation = number_for_draft(ws, prefix, year, title, confirmed)
    if as_json:
        _print_json({**_record_json(allocation.record), "new": allocation.new})
    else:
        note = "" if allocation.new else "（该文件已有此号，未重新分配；确是另一份同名文件请加 --new）"
        click.echo(f"{allocation.record.number}{note}")


@number.command("list")
@click.option("--prefix", help="只列出这个机关代字。")
@click.option("--year", type=int, help="只列出这一年。")
@json_option
@click.pass_context
def number_list(ctx: click.Context, prefix: str | None, year: int | None, as_json: bool) -> None:
    """列出登记簿中的发文字号。"""
    from docgen.pipeline.numbers import list_numbers

    records = list_numbers(_workspace(ctx), prefix, year)
    if as_json:
        _print_json([_record_json(r) for r in records])
        return
    if not records:
        click.echo("登记簿中没有发文字号。")
    for r in records:
        state = f"已作废：{r.void_reason}" if r.state == "voided" else "已使用"
        click.echo(f"{r.number}\t{state}\t{r.title}\t{r.issued_by}\t{r.issued_at}")


@number.command("void")
@click.argument("number_text", metavar="NUMBER")
@click.option("--reason", required=True, help="作废原因（必填，记入登记簿）。")
@click.pass_context
def number_void(ctx: click.Context, number_text: str, reason: str) -> None:
    """作废发文字号 NUMBER；作废的号永不再用。"""
    from docgen.pipeline.numbers import void_number

    record = void_number(_workspace(ctx), number_text, reason)
    click.echo(f"已作废 {record.number}：{record.void_reason}")


@number.command("check")
@click.option("--year", type=int, help="只检查这一年。")
@json_option
@click.pass_context
def number_check(ctx: click.Context, year: int | None, as_json: bool) -> None:
    """检查发文字号是否连续：缺号、作废号、找不到文件的号。有问题时退出码为 1。"""
    from docgen.pipeline.numbers import check_numbers

    reports = check_numbers(_workspace(ctx), year, on_warning=_warn)
    if as_json:
        _print_json(
            [
                {
                    "prefix": r.prefix,
                    "year": r.year,
                    "highest": r.highest,
                    "issued": r.issued,
                    "gaps": [{"from": first, "to": last} for first, last in r.gaps],
                    "missing": r.missing_count,
                    "unregistered": [{"number": n, "path": p} for n, p in r.unregistered],
                    "voided": [_record_json(v) for v in r.voided],
                    "missing_documents": [_record_json(m) for m in r.missing_documents],
                    "unfiled": [{**_record_json(u), "age_days": days} for u, days in r.unfiled],
                    "ok": r.ok,
                }
                for r in reports
            ]
        )
    else:
        if not reports:
            click.echo("登记簿中没有发文字号。")
        for r in reports:
            click.echo(f"{r.prefix}〔{r.year}〕：1—{r.highest}号，已使用 {r.issued} 个，作废 {len(r.voided)} 个")
            for first, last in r.gaps:
                span = f"{first}号" if first == last else f"{first}—{last}号（{last - first + 1} 个）"
                click.echo(f"  缺号：{r.prefix}〔{r.year}〕{span}（既未登记也未作废）")
            for shown, folder in r.unregistered:
                click.echo(f"  登记簿中没有：{shown}（归档库 {folder}；登记簿被删除、清空或替换过？）")
            for v in r.voided:
                click.echo(f"  作废：{v.number}（{v.void_reason}；{v.voided_by}，{v.voided_at}）")
            for m in r.missing_documents:
                click.echo(f"  找不到文件：{m.number}《{m.title}》，案卷 {m.case_file}")
            for u, days in r.unfiled:
                click.echo(f"  已取号未归档：{u.number}《{u.title}》，{days} 天前由 {u.issued_by} 取号")
    if not all(r.ok for r in reports):
        sys.exit(1)


@number.command("import")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(path_type=Path))
@click.pass_context
def number_import(ctx: click.Context, csv_file: Path) -> None:
    """导入手工登记的发文字号（CSV：发文字号,标题[,日期,经办人]），之后的编号接着往下排。"""
    from docgen.pipeline.numbers import import_number_list

    added, same = import_number_list(_workspace(ctx), csv_file)
    click.echo(f"已导入 {added} 个发文字号" + (f"，{same} 个已在登记簿中" if same else "") + "。")


@cli.group()
def templates() -> None:
    """管理公文模板（导出后可在 Word/WPS 中修改）。"""


@templates.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="覆盖已存在的同名文件。")
def templates_export(directory: Path, force: bool) -> None:
    """把内置模板复制到 DIRECTORY，供修改后使用。

    \b
    修改后在 docgen.toml 中写明文件夹即可使用：
      [paths]
      templates = "DIRECTORY"
    也可在案卷文件中写 templates: DIRECTORY（相对于案卷文件）。
    """
    from docgen.pipeline.render import export_builtin_templates

    for path in export_builtin_templates(directory, overwrite=force):
        click.echo(str(path))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址；让其他电脑访问用 0.0.0.0（须设密码）。")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口。")
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="只含办公室密码的文本文件；也可用环境变量 DOCGEN_SERVE_PASSWORD。",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, password_file: Path | None) -> None:
    """在浏览器中使用归档库：检索、浏览、查看文件、发文字号登记簿、核验。

    默认只有本机能访问（127.0.0.1）。要让办公室其他电脑访问，在一台电脑上运行
    docgen serve --host 0.0.0.0 --password-file 密码.txt，大家打开它的地址，以自己的姓名登录。

    \b
    示例：
      docgen -w demo serve
      docgen serve --host 0.0.0.0 --port 8000 --password-file 密码.txt
    """
    from docgen.web import lan_address, listening_socket, office_options
    from docgen.web import serve as run_server

    password = os.environ.get("DOCGEN_SERVE_PASSWORD") or None
    if password_file is not None:
        try:
            password = password_file.read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"无法读取密码文件 {password_file}：{exc}"
            raise click.BadParameter(msg, param_hint="--password-file") from exc
    ws = _workspace(ctx)
    options = office_options(host, password)
    sock = listening_socket(host, port)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - shown, not bound
    click.echo(f"docgen 已启动：http://{shown}:{port}/  工作区：{ws.root}（按 Ctrl+C 停止）")
    if host in ("0.0.0.0", "::"):  # noqa: S104
        address = lan_address()
        if address:
            click.echo(f"其他电脑请打开 http://{address}:{port}/ （本机的局域网地址）")
        else:
            click.echo("其他电脑请用本机的局域网地址访问（本机现在没有连接局域网）。")
    run_server(ws, options, sock)


@cli.command()
@json_option
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """检查 LibreOffice、公文字体和工作区文件夹是否就绪；不能转换时退出码为 1。"""
    from docgen.pipeline.doctor import run_doctor

    report = run_doctor(_workspace(ctx))
    if as_json:
        _print_json(
            {
                "ok": report.ok,
                "libreoffice": report.libreoffice,
                "libreoffice_state": report.libreoffice_state,
                "ghostscript": report.ghostscript,
                "fonts": [
                    {
                        "name": r.role.name,
                        "role": r.role.role,
                        "real": r.real,
                        "family": r.family,
                        "style": r.style,
                        "file": r.file,
                    }
                    for r in report.fonts
                ],
                "folders": report.folders,
                "problems": report.problems,
            }
        )
    else:
        click.echo(f"LibreOffice：{report.libreoffice_state}")
        click.echo(f"PDF/A 转换件（导入）：{report.ghostscript}")
        click.echo("公文字体：")
        for r in report.fonts:
            click.echo(f"  {r.role.name}（{r.role.role}）→ {r.describe}")
        click.echo("文件夹：")
        for label, value in report.folders.items():
            click.echo(f"  {label}：{value}")
        for problem in report.problems:
            click.echo(f"问题：{problem}", err=True)
        click.echo("结论：可以转换。" if report.ok else "结论：无法转换，请按上面的提示处理。")
    if not report.ok:
        sys.exit(1)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; report any ``DocgenError`` in Chinese with its exit code, never a traceback."""
    # A terminated docgen cleans up like an interrupted one (its temporary folder, LibreOffice).
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="docgen", standalone_mode=False)
        if (code := termination_exit()) is not None:  # asked to stop, and something swallowed it
            sys.exit(code)
    except DocgenError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        if "--json" in (argv if argv is not None else sys.argv[1:]):  # a script reads stdout: it gets JSON there too
            _print_json(_error_json(exc))
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已中止。", err=True)
        sys.exit(130)
    except OSError as exc:  # a folder given where a file is written, a device, a full disk …
        click.echo(f"错误：{os_error_message(exc)}", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        # Every fault a clerk can cause has its own message; anything else is docgen's own bug,
        # said as one line, never a traceback (DOCGEN_DEBUG=1 shows it, for whoever fixes it).
        if os.environ.get("DOCGEN_DEBUG"):
            raise
        said = printable(f"{type(exc).__name__}: {str(exc)[:200]}")
        click.echo(f"错误：docgen 内部错误（{said}）。请把这一行告诉维护人员。", err=True)
        sys.exit(INTERNAL_ERROR_EXIT)
    finally:
        end_run()
        signal.signal(signal.SIGTERM, previous)


def _error_json(exc: DocgenError) -> dict[str, Any]:
    """An error as ``--json`` prints it: the message, the exit code, and each fault with its place."""
    problems = getattr(exc, "problems", None) or []
    return {
        "error": exc.message,
        "exit_code": exc.exit_code,
        "problems": [{"file": str(p.path), "line": p.line, "field": p.field, "message": p.message} for p in problems],
    }


INTERNAL_ERROR_EXIT = 70  # EX_SOFTWARE: not the clerk's input, docgen's own fault


def _terminated(signum: int, frame: object) -> None:
    note_termination(signum)  # a library that turns the exception into its own still cannot hide it
    raise SystemExit(128 + signum)
