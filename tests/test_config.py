"""Settings resolve as option > environment > docgen.toml > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.config import load_settings
from docgen.errors import ConfigError, DocgenError


def test_defaults_live_in_the_workspace(tmp_path: Path) -> None:
    s = load_settings(tmp_path, env={})
    assert s.workspace == tmp_path.resolve()
    assert s.archive_dir == tmp_path.resolve() / "archive"
    assert s.index_dir == tmp_path.resolve() / "index"
    assert s.font_dirs == (tmp_path.resolve() / "fonts",)
    assert s.templates_dir is None
    assert s.soffice == "soffice"
    assert s.config_file is None


def test_toml_overrides_defaults(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text(
        '[paths]\narchive = "存档"\nfonts = ["f1", "/opt/fonts"]\ntemplates = "tpl"\n'
        '[conversion]\ntimeout = 30\n[issuer]\nname = "某局"\n',
        encoding="utf-8",
    )
    s = load_settings(tmp_path, env={})
    assert s.archive_dir == tmp_path.resolve() / "存档"
    assert s.font_dirs == (tmp_path.resolve() / "f1", Path("/opt/fonts"))
    assert s.templates_dir == tmp_path.resolve() / "tpl"
    assert s.convert_timeout == 30
    assert s.issuer_defaults == {"name": "某局"}


def test_environment_overrides_toml(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text('[paths]\narchive = "存档"\n[conversion]\ntimeout = 30\n', encoding="utf-8")
    env = {"DOCGEN_ARCHIVE": str(tmp_path / "env-archive"), "DOCGEN_CONVERT_TIMEOUT": "5"}
    s = load_settings(tmp_path, env=env)
    assert s.archive_dir == tmp_path / "env-archive"
    assert s.convert_timeout == 5


def test_option_overrides_environment_for_the_workspace(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert load_settings(None, env={"DOCGEN_WORKSPACE": str(a)}).workspace == a
    assert load_settings(b, env={"DOCGEN_WORKSPACE": str(a)}).workspace == b


def test_bad_toml_names_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text("[paths]\narchiv = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"docgen\.toml.*paths\.archiv"):
        load_settings(tmp_path, env={})
    (tmp_path / "docgen.toml").write_text("[paths\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="第1行第7列不符合 TOML 格式"):
        load_settings(tmp_path, env={})
    # Types are strict: true is no number of seconds, and a conversion gets at least 5 s.
    (tmp_path / "docgen.toml").write_text("[conversion]\ntimeout = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"conversion\.timeout 应为数"):
        load_settings(tmp_path, env={})
    (tmp_path / "docgen.toml").write_text("[conversion]\ntimeout = 0.001\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="应不小于 5"):
        load_settings(tmp_path, env={})
    (tmp_path / "docgen.toml").unlink()
    with pytest.raises(ConfigError, match="DOCGEN_CONVERT_TIMEOUT 应为 5 到"):
        load_settings(tmp_path, env={"DOCGEN_CONVERT_TIMEOUT": "0.001"})
    (tmp_path / "docgen.toml").mkdir()
    with pytest.raises(ConfigError, match="不是文件"):
        load_settings(tmp_path, env={})


def test_data_folders_reached_through_a_link_are_refused(tmp_path: Path) -> None:
    """A planted index -> /etc would make an index rebuild delete and write there."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "index").symlink_to(elsewhere)
    with pytest.raises(ConfigError, match="符号链接"):
        load_settings(ws, env={})
    (ws / "index").unlink()
    (ws / "archive").symlink_to(elsewhere)
    with pytest.raises(ConfigError, match="符号链接"):
        load_settings(ws, env={})
    (ws / "archive").unlink()
    settings = load_settings(ws, env={})
    with pytest.raises(DocgenError, match="不能写在归档库"):
        settings.output_outside_records(ws / "archive" / "2021", "输出文件夹")
    assert settings.output_outside_records(ws / "out", "输出文件夹") == ws / "out"


def test_issuer_defaults_fill_the_case(tmp_path: Path) -> None:
    from docgen.case.model import load_case
    from tests.conftest import EXAMPLE_CASE

    text = EXAMPLE_CASE.read_text(encoding="utf-8")
    start = text.index("issuer:")
    end = text.index("year:")
    case = tmp_path / "case.yaml"
    case.write_text(text[:start] + text[end:], encoding="utf-8")
    loaded = load_case(case, {"name": "某市某局", "prefix": "某字"})
    assert loaded.issuer.name == "某市某局"
    assert loaded.issuer.banner_text == "某市某局文件"


@pytest.mark.parametrize(
    "organ", ["恩平市科工商务局/", "../恩平市科工商务局", "恩平市\\科工商务局", "..", "恩平\u0000局", "局" * 61, "  "]
)
def test_an_organ_name_that_would_reach_into_another_organs_keys_is_refused(tmp_path: Path, organ: str) -> None:
    """Found by an attack run: a trailing slash put one workspace's files among another organ's objects."""
    escaped = organ.replace("\\", "\\\\").replace("\u0000", "\\u0000")
    (tmp_path / "docgen.toml").write_text(
        f'[city]\ndatabase = "postgresql://docgen@127.0.0.1:9/docgen"\norgan = "{escaped}"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"不能用作城市版的机关|要写明本工作区代表的机关"):
        load_settings(tmp_path, env={})


def test_an_organ_name_as_organs_write_it_is_taken(tmp_path: Path) -> None:
    (tmp_path / "docgen.toml").write_text(
        '[city]\ndatabase = "postgresql://docgen@127.0.0.1:9/docgen"\norgan = " 中共恩平市委办公室（恩平市档案馆） "\n',
        encoding="utf-8",
    )
    city = load_settings(tmp_path, env={}).city
    assert city is not None and city.organ == "中共恩平市委办公室（恩平市档案馆）"
