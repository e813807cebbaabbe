"""Workspace settings.

A workspace is a folder holding an optional ``docgen.toml``, the ``archive/`` and the
``index/``. Every setting resolves in one order, highest first:

1. a command-line option (``-w/--workspace``; more options may override single settings),
2. an environment variable (``DOCGEN_WORKSPACE``, ``DOCGEN_TEMPLATES``, ``DOCGEN_FONTS``,
   ``DOCGEN_ARCHIVE``, ``DOCGEN_INDEX``, ``DOCGEN_SOFFICE``, ``DOCGEN_CONVERT_TIMEOUT``; for the
   city profile ``DOCGEN_DATABASE``, ``DOCGEN_ORGAN``, ``DOCGEN_S3_ENDPOINT``, ``DOCGEN_S3_BUCKET``,
   ``DOCGEN_S3_ACCESS_KEY``, ``DOCGEN_S3_SECRET_KEY``),
3. the workspace's ``docgen.toml``,
4. the built-in default.

Relative paths in ``docgen.toml`` are relative to the workspace; in environment variables and
options, relative to the current folder.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from docgen.errors import ConfigError, UnsafePathError
from docgen.vocab import clip, shown_value

CONFIG_NAME = "docgen.toml"


MAX_SECONDS = 86_400.0  # a day: any longer time limit is a typing mistake
MIN_CONVERT_SECONDS = 5.0  # LibreOffice takes about a second to start: less fails every conversion
MIN_LOCK_SECONDS = 1.0


class _Strict(BaseModel):
    # Strict: TOML has types, so `timeout = true` is an error, not one second.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PathsSection(_Strict):
    """``[paths]`` of docgen.toml."""

    templates: str | None = None
    fonts: list[str] = Field(default_factory=lambda: ["fonts"])
    archive: str = "archive"
    index: str = "index"
    registry: str | None = None  # default: the registry file in the archive


class ConversionSection(_Strict):
    """``[conversion]`` of docgen.toml."""

    soffice: str = "soffice"
    timeout: float = Field(default=180.0, ge=MIN_CONVERT_SECONDS, le=MAX_SECONDS, allow_inf_nan=False)


class SearchSection(_Strict):
    """``[search]`` of docgen.toml."""

    engine: Literal["auto", "tantivy", "whoosh"] = "auto"
    lock_timeout: float = Field(default=30.0, ge=MIN_LOCK_SECONDS, le=MAX_SECONDS, allow_inf_nan=False)


class OcrSection(_Strict):
    """``[ocr]`` of docgen.toml: reading scanned pages on import."""

    engine: Literal["rapidocr", "tesseract"] = "rapidocr"
    dpi: int = Field(default=300, ge=150, le=600)
    review_below: float = Field(default=0.90, ge=0, le=1)  # pages under this confidence are listed for checking


class SecrecySection(_Strict):
    """``[secrecy]`` of docgen.toml: what docgen may show of a document marked 密级.

    docgen is not a system for classified information; by default the text of a document
    marked 密级 is neither indexed nor shown on a web page, only its title and number.
    """

    show_text: bool = False


Retention = Literal["Y", "D30", "D10"]  # 永久 / 定期30年 / 定期10年
DEFAULT_RETENTION: dict[str, Retention] = {
    "notice": "Y",
    "set": "Y",
    "announcement": "Y",
    "plan": "D30",
    "tasks": "D30",
    "acceptance": "D30",
    "request": "Y",
    "report": "Y",
    "letter": "D30",
    "minutes": "Y",
    "other": "D10",
}


class FilingSection(_Strict):
    """``[filing]`` of docgen.toml: the DA/T 22-2015 codes of this office."""

    fonds: str = Field(default="0001", min_length=1, max_length=12, pattern=r"^[0-9A-Za-z]+$")  # 全宗号
    organ: str = Field(default="BGS", pattern=r"^[A-Z0-9]{1,6}$")  # 机构（问题）代码
    retention: dict[str, Retention] = Field(default_factory=lambda: dict(DEFAULT_RETENTION))
    folder: str = "filing"


class CitySection(_Strict):
    """``[city]`` of docgen.toml: the server profile, many organs on one PostgreSQL and one S3 store.

    Without ``database`` the workspace is the embedded default (SQLite files and folders).
    """

    database: str | None = Field(default=None, pattern=r"^postgres(ql)?://")  # DOCGEN_DATABASE
    organ: str | None = Field(default=None, min_length=1)  # the organ this workspace acts for ([issuer] name)
    objects: str | None = Field(default=None, pattern=r"^https?://")  # the S3 endpoint, DOCGEN_S3_ENDPOINT
    bucket: str = Field(default="docgen-archive", pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    region: str = "us-east-1"
    access_key: str | None = None  # better in DOCGEN_S3_ACCESS_KEY / DOCGEN_S3_SECRET_KEY than in a file
    secret_key: str | None = None


@dataclass(frozen=True)
class City:
    """The resolved server profile: where the records and the files of every organ are kept."""

    database: str
    organ: str
    objects: str | None = None
    bucket: str = "docgen-archive"
    region: str = "us-east-1"
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)


class ConfigFile(_Strict):
    """The whole docgen.toml; ``[issuer]`` supplies defaults for every case's issuer."""

    paths: PathsSection = Field(default_factory=PathsSection)
    conversion: ConversionSection = Field(default_factory=ConversionSection)
    search: SearchSection = Field(default_factory=SearchSection)
    filing: FilingSection = Field(default_factory=FilingSection)
    ocr: OcrSection = Field(default_factory=OcrSection)
    secrecy: SecrecySection = Field(default_factory=SecrecySection)
    city: CitySection = Field(default_factory=CitySection)
    issuer: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Resolved settings of one workspace; every path is absolute."""

    workspace: Path
    templates_dir: Path | None
    font_dirs: tuple[Path, ...]
    archive_dir: Path
    index_dir: Path
    registry_path: Path | None  # None: in the archive, where the workspace puts it
    soffice: str
    convert_timeout: float
    filing: FilingSection = field(default_factory=FilingSection)
    ocr: OcrSection = field(default_factory=OcrSection)
    show_classified: bool = False  # [secrecy] show_text
    search_engine: str = "auto"
    index_lock_timeout: float = 30.0
    issuer_defaults: Mapping[str, str] = field(default_factory=dict)
    config_file: Path | None = None
    city: City | None = None  # the server profile; None: the embedded default

    def output_outside_records(self, target: Path, what: str) -> Path:
        """``target`` resolved, refused when it lies in the archive or the index docgen keeps.

        The archive is write-once and checked against its log; the index is rebuilt from it:
        a rendered file or a report written into either would be a stray file (or lost).
        """
        resolved = target.expanduser().resolve()
        for folder, name in ((self.archive_dir, "归档库"), (self.index_dir, "检索索引")):
            if resolved == folder or resolved.is_relative_to(folder):
                msg = f"{what}不能写在{name} {folder} 里（那里只放 docgen 自己记录的文件），请另选一个位置。"
                raise UnsafePathError(msg)
        return resolved


def _read_config(path: Path) -> ConfigFile:
    if path.exists() and not path.is_file():
        msg = f"{path} 不是文件：docgen 的设置应写在名为 {CONFIG_NAME} 的文本文件中。"
        raise ConfigError(msg)
    if not path.is_file():
        return ConfigFile()
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        # tomllib says where in English ("... (at line 3, column 9)"): keep the place, in Chinese.
        place = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f"第{place[1]}行第{place[2]}列" if place else "某处"
        msg = f'{path}：配置文件{at}不符合 TOML 格式（例如 键 = "文字"，数字不加引号）。'
        raise ConfigError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"{path}：配置文件不是 UTF-8 编码的文本，请用记事本或 WPS 另存为 UTF-8。"
        raise ConfigError(msg) from exc
    try:
        return ConfigFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        said = _SAID.get(first["type"], "取值无效").format(**first.get("ctx", {}))
        msg = f"{path}：配置项 {where} {said}（现为 {shown_value(first.get('input'), 60)}）"
        raise ConfigError(msg) from exc


_SAID = {
    "extra_forbidden": "是未知的配置项（请检查拼写）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge:g}",
    "bool_type": "应为 true 或 false",
    "int_type": "应为整数",
    "less_than_equal": "应不大于 {le:g}",
    "finite_number": "应为有限的数",
    "float_parsing": "应为数",
    "float_type": "应为数",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "literal_error": "应为 {expected} 之一",
    "string_pattern_mismatch": "格式不对",
    "string_too_long": "过长",
    "string_too_short": "不能为空",
    "dict_type": "应为一组配置（键 = 值）",
}


def _seconds(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    value = env.get(name)
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not minimum <= seconds <= MAX_SECONDS:  # also refuses nan and inf
        msg = f"环境变量 {name} 应为 {minimum:g} 到 {MAX_SECONDS:g} 之间的秒数，现为 {clip(repr(value), 40)}。"
        raise ConfigError(msg)
    return seconds


def _unlinked(workspace: Path, folder: Path) -> Path:
    """A folder docgen writes and deletes in (archive, index), refused when reached through a link.

    A link planted in the workspace (index -> /etc) would turn an index rebuild into deleting
    and writing elsewhere; a folder kept on another disk is named in docgen.toml instead.
    """
    path = workspace
    for part in folder.relative_to(workspace).parts if folder.is_relative_to(workspace) else folder.parts:
        path = path / part
        if path.is_symlink():
            msg = (
                f"{path} 是一个符号链接：docgen 不会通过链接写入或删除文件。若要把数据放在别处，"
                f"请删除这个链接，在 {CONFIG_NAME} 的 [paths] 中写明那个文件夹。"
            )
            raise ConfigError(msg)
    return folder.resolve()


def load_settings(workspace: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Resolve the settings of a workspace (see the module docstring for the order)."""
    env = os.environ if env is None else env
    if workspace is None:
        workspace = Path(env.get("DOCGEN_WORKSPACE") or ".")
    workspace = workspace.expanduser().resolve()
    if workspace.exists() and not workspace.is_dir():
        msg = f"工作区 {workspace} 不是文件夹。"
        raise ConfigError(msg)
    if not workspace.exists():
        # A mistyped -w must not quietly start an empty archive and a second register beside the real one.
        msg = f"工作区文件夹 {workspace} 不存在。请检查 -w 或 DOCGEN_WORKSPACE 的拼写；要新建工作区，先创建这个文件夹。"
        raise ConfigError(msg)
    config_path = workspace / CONFIG_NAME
    cfg = _read_config(config_path)

    def from_env(name: str) -> Path | None:
        value = env.get(name)
        return Path(value).expanduser().resolve() if value else None

    def in_workspace(value: str) -> Path:
        return (workspace / Path(value).expanduser()).resolve()

    def data_folder(value: str) -> Path:
        return _unlinked(workspace, workspace / Path(value).expanduser())

    templates = from_env("DOCGEN_TEMPLATES") or (in_workspace(cfg.paths.templates) if cfg.paths.templates else None)
    fonts_env = env.get("DOCGEN_FONTS")
    if fonts_env:
        font_dirs = tuple(Path(p).expanduser().resolve() for p in fonts_env.split(os.pathsep) if p)
    else:
        font_dirs = tuple(in_workspace(p) for p in cfg.paths.fonts)
    timeout = _seconds(env, "DOCGEN_CONVERT_TIMEOUT", cfg.conversion.timeout, MIN_CONVERT_SECONDS)
    archive_dir = from_env("DOCGEN_ARCHIVE") or data_folder(cfg.paths.archive)
    registry = from_env("DOCGEN_REGISTRY") or (in_workspace(cfg.paths.registry) if cfg.paths.registry else None)
    return Settings(
        workspace=workspace,
        templates_dir=templates,
        font_dirs=font_dirs,
        archive_dir=archive_dir,
        registry_path=registry,
        index_dir=from_env("DOCGEN_INDEX") or data_folder(cfg.paths.index),
        soffice=env.get("DOCGEN_SOFFICE") or cfg.conversion.soffice,
        search_engine=env.get("DOCGEN_SEARCH_ENGINE") or cfg.search.engine,
        filing=cfg.filing,
        ocr=cfg.ocr,
        show_classified=cfg.secrecy.show_text,
        index_lock_timeout=_seconds(env, "DOCGEN_INDEX_LOCK_TIMEOUT", cfg.search.lock_timeout, MIN_LOCK_SECONDS),
        convert_timeout=timeout,
        issuer_defaults=dict(cfg.issuer),
        config_file=config_path if config_path.is_file() else None,
        city=_city(cfg, env, config_path),
    )


MAX_ORGAN_CHARS = 60  # the longest organ names (联合发文 organs are one each) are about 30 characters


def _city(cfg: ConfigFile, env: Mapping[str, str], config_path: Path) -> City | None:
    """The server profile when a database is named (environment first), else None."""
    database = env.get("DOCGEN_DATABASE") or cfg.city.database
    if not database:
        return None
    if not re.match(r"^postgres(ql)?://", database):
        msg = f"城市版数据库地址应以 postgresql:// 开头（现为 {clip(database.split('@')[-1], 60)}）。"
        raise ConfigError(msg)
    organ = env.get("DOCGEN_ORGAN") or cfg.city.organ or cfg.issuer.get("name")
    if not organ:
        msg = f"{config_path}：城市版要写明本工作区代表的机关：[city] organ，或 [issuer] name。"
        raise ConfigError(msg)
    organ = organ.strip()
    # The organ heads every object key in the bucket (``<organ>/<folder>/<file>``): a slash, a
    # dot-dot or a control character would reach into another organ's keys.
    if (
        not organ
        or len(organ) > MAX_ORGAN_CHARS
        or any(ch in organ for ch in "/\\")
        or organ in (".", "..")
        or not organ.isprintable()
    ):
        msg = (
            f"{config_path}：机关名称“{clip(organ, 40)}”不能用作城市版的机关：应为机关的名称，"
            f"不超过 {MAX_ORGAN_CHARS} 个字，不含 / \\ 和控制字符。"
        )
        raise ConfigError(msg)
    return City(
        database=database,
        organ=organ,
        objects=env.get("DOCGEN_S3_ENDPOINT") or cfg.city.objects,
        bucket=env.get("DOCGEN_S3_BUCKET") or cfg.city.bucket,
        region=cfg.city.region,
        access_key=env.get("DOCGEN_S3_ACCESS_KEY") or cfg.city.access_key,
        secret_key=env.get("DOCGEN_S3_SECRET_KEY") or cfg.city.secret_key,
    )
