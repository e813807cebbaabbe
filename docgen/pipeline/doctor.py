"""``docgen doctor``: can this machine make documents, and with which fonts?"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from docgen.archive.city import CityArchive
from docgen.convert.fonts import FontResolution, resolve_fonts, write_conversion_config
from docgen.convert.libreoffice import LibreOfficeConverter, find_soffice, libreoffice_version
from docgen.convert.pdfa import ghostscript
from docgen.errors import DocgenError, LibreOfficeBrokenError
from docgen.pg import shown
from docgen.pipeline.workspace import Workspace
from docgen.render.templates import BUILTIN_TEMPLATES
from docgen.vocab import FANGSONG

VERSION_TIMEOUT = 30.0  # seconds for "soffice --version", which answers in about 1 s


@dataclass
class DoctorReport:
    """What ``doctor`` found; ``ok`` is False when conversion cannot work."""

    libreoffice: str | None = None
    libreoffice_state: str = "未检查"  # 未找到 / 没有回应 / the version line
    fonts: list[FontResolution] = field(default_factory=list)
    folders: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    conversion_checked: bool = False
    ghostscript: str = "未检查"  # what makes an imported PDF's PDF/A rendition: its version, or why not

    @property
    def ok(self) -> bool:
        """True when a test conversion succeeded and nothing blocks conversion."""
        return self.conversion_checked and not self.problems


def _embedded_fonts(pdf: Path) -> str:
    try:
        return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60, check=False).stdout
    except FileNotFoundError:
        return ""


def _test_page(target: Path) -> None:
    """One line of body text in the 正文 font, as documents name it (the template builder is build-time only)."""
    from docx import Document  # noqa: PLC0415 - loaded only when the doctor converts
    from docx.oxml.ns import qn  # noqa: PLC0415

    document = Document()
    run = document.add_paragraph().add_run("公文排版测试：仿宋正文 2021年5月24日")
    run.font.name = FANGSONG.name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # python-docx sets only the ASCII slot
    fonts.set(qn("w:eastAsia"), FANGSONG.name)
    document.save(str(target))


def _check_city(ws: Workspace, report: DoctorReport) -> None:
    """The city profile: the database answers at docgen's schema, the bucket is there with object lock on."""
    city = ws.settings.city
    if city is None or ws.database is None:
        return
    try:
        with ws.database.transaction("城市版数据库") as conn:
            row = conn.execute("SHOW server_version").fetchone()
        version = str(row[0]) if row else "?"
        report.folders["城市版数据库"] = f"{shown(city.database)}（PostgreSQL {version}，机关：{city.organ}）"
    except DocgenError as exc:
        report.folders["城市版数据库"] = f"{shown(city.database)}（连不上）"
        report.problems.append(exc.message)
    if isinstance(ws.archive, CityArchive):
        report.folders["归档库"] += "（本机缓存：归档文件、记录和日志在对象存储和数据库中）"
        try:
            ws.archive.bucket.ensure()
            report.folders["对象存储"] = f"{city.objects} 桶 {city.bucket}（对象锁定已开启）"
        except DocgenError as exc:
            report.folders["对象存储"] = f"{city.objects} 桶 {city.bucket}（不能使用）"
            report.problems.append(exc.message)


def run_doctor(ws: Workspace) -> DoctorReport:
    """Check LibreOffice, the font mapping and the folders; convert one test page for real."""
    settings = ws.settings
    report = DoctorReport()
    report.folders = {
        "工作区": str(settings.workspace),
        "配置文件": str(settings.config_file or "（无，使用默认设置）"),
        "模板": str(settings.templates_dir or BUILTIN_TEMPLATES),
        "字体文件夹": "；".join(str(d) + ("" if d.is_dir() else "（不存在）") for d in settings.font_dirs),
        "归档库": str(settings.archive_dir),
        "检索索引": str(settings.index_dir),
    }
    _check_city(ws, report)
    try:
        report.ghostscript = f"Ghostscript {ghostscript()[1]}"
    except DocgenError as exc:  # only imports need it: said, not a problem for issuing
        report.ghostscript = f"未找到（导入的 PDF 不能生成 PDF/A 转换件）：{exc.message}"
    try:
        find_soffice(settings.soffice)
    except DocgenError as exc:
        report.libreoffice_state = "未找到"
        report.problems.append(exc.message)
        return report
    # An installed LibreOffice that hangs is not "missing": say so, and do not wait the whole
    # conversion time limit for a version line.
    answer_within = min(VERSION_TIMEOUT, settings.convert_timeout)
    try:
        report.libreoffice = libreoffice_version(settings.soffice, answer_within)
    except LibreOfficeBrokenError as exc:
        report.libreoffice_state = "已安装，但无法运行"
        report.problems.append(exc.message)
        return report
    except DocgenError:
        report.libreoffice_state = f"已安装，但在 {answer_within:g} 秒内没有回应"
        report.problems.append(
            f"LibreOffice（{settings.soffice}）在 {answer_within:g} 秒内没有回应 --version：可能有卡住的 soffice "
            "进程或损坏的配置文件夹。请结束所有 soffice 进程后重试。"
        )
        return report
    report.libreoffice_state = report.libreoffice
    with tempfile.TemporaryDirectory(prefix="docgen-doctor-") as tmp_name:
        tmp = Path(tmp_name)
        try:
            report.fonts = resolve_fonts(write_conversion_config(tmp / "fc", settings.font_dirs))
        except DocgenError as exc:
            report.problems.append(exc.message)
            return report
        docx, pdf = tmp / "doctor.docx", tmp / "doctor.pdf"
        _test_page(docx)
        try:
            LibreOfficeConverter(settings.soffice, settings.convert_timeout, settings.font_dirs).convert([(docx, pdf)])
        except DocgenError as exc:
            report.problems.append(exc.message)
            return report
        report.conversion_checked = True
        for res in report.fonts:
            if not res.real and res.family != res.role.stand_in_family:
                report.problems.append(
                    f"{res.role.name} 既没有正式字体也没有替代字体 {res.role.stand_in_family}"
                    f"（现解析为 {res.family}），"
                    "请运行 make demo 安装字体。"
                )
        fangsong = next(r for r in report.fonts if r.role == FANGSONG)
        embedded = _embedded_fonts(pdf)
        if embedded and fangsong.family.replace(" ", "") not in embedded.replace(" ", ""):
            report.problems.append(
                f"测试页没有嵌入 {fangsong.family}（{FANGSONG.name} 的解析结果），正文字体将被替换。"
            )
    return report
