"""The ``docgen`` command line: parse options, call one core function, print the result.

All ``DocgenError``s become their message on stderr and their exit code here, in ``main``;
core modules never import click.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from docgen import __version__
from docgen.config import Settings, load_settings
from docgen.doctor import run_doctor
from docgen.documents import KINDS
from docgen.errors import DocgenError
from docgen.pipeline import render_case
from docgen.templates import export_templates


def _settings(ctx: click.Context) -> Settings:
    workspace: Path | None = ctx.obj["workspace"]
    return load_settings(workspace)


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-w",
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="工作区文件夹（含 docgen.toml、archive/、index/）。默认取环境变量 DOCGEN_WORKSPACE，再默认当前文件夹。",
)
@click.version_option(__version__, prog_name="docgen")
@click.pass_context
def cli(ctx: click.Context, workspace: Path | None) -> None:
    """docgen：按 GB/T 9704-2012 起草、编号、归档和检索公文。."""
    ctx.obj = {"workspace": workspace}


@cli.command()
@click.argument("case", type=click.Path(path_type=Path))
@click.option(
    "-k",
    "--kind",
    type=click.Choice(KINDS),
    default="notice",
    show_default=True,
    help="文种：notice 通知，plan 工作计划，tasks 任务分工表，acceptance 验收记录（每家企业一份），"
    "announcement 公告，set 印发合成件。",
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
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供脚本使用）。")
@click.pass_context
def render(
    ctx: click.Context,
    case: Path,
    kind: str,
    enterprise: str | None,
    out_dir: Path | None,
    output_format: str,
    as_json: bool,
) -> None:
    r"""按案卷文件 CASE 生成公文（DOCX 和/或 PDF）。.

    \b
    示例：
      docgen render examples/enping-2021/case.yaml
      docgen render case.yaml -k set -o 输出 --format pdf
      docgen render case.yaml -k acceptance --enterprise huayi
    """
    docs = render_case(
        case,
        _settings(ctx),
        kind=kind,
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
    for path in export_templates(directory, overwrite=force):
        click.echo(str(path))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool) -> None:
    """检查 LibreOffice、公文字体和工作区文件夹是否就绪；不能转换时退出码为 1。."""
    report = run_doctor(_settings(ctx))
    if as_json:
        _print_json(
            {
                "ok": report.ok,
                "libreoffice": report.libreoffice,
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
        click.echo(f"LibreOffice：{report.libreoffice or '未找到'}")
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
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="docgen", standalone_mode=False)
    except DocgenError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("已中止。", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
