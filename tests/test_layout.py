"""Pure layout arithmetic: page geometry, the signature, table cells (units that never break, widths)."""

from __future__ import annotations

import itertools

import pytest

from docgen import layout
from docgen.layout import Cell, atoms, break_lines, min_em, plan_columns, text_em


def test_page_geometry() -> None:
    assert layout.PAGE.block_width_mm == 156
    assert layout.PAGE.block_height_mm == 225
    assert layout.mm_to_twips(25.4) == 1440


def test_28_condensed_characters_fit_the_block() -> None:
    block_pt = layout.PAGE.block_width_mm * layout.PT_PER_MM
    assert layout.CHARS_PER_LINE * layout.CHAR_PITCH_PT <= block_pt
    assert (layout.CHARS_PER_LINE + 1) * layout.CHAR_PITCH_PT > block_pt


def test_line_pitch_fits_22_lines() -> None:
    assert layout.line_pitch_for(layout.LINES_PER_PAGE) == layout.LINE_PITCH_TWIPS
    block_twips = layout.PAGE.block_height_mm * layout.PT_PER_MM * layout.TWIPS_PER_PT
    for lines, pitch in zip((22, 23, 24), layout.LINE_PITCH_STEPS_TWIPS, strict=True):
        assert pitch * lines <= block_twips < pitch * (lines + 1)


def test_signature_is_centred_over_the_date() -> None:
    placed = layout.signature_layout("恩平市科工商务局", "2021年5月24日")
    char = layout.CHAR_PITCH_PT * layout.TWIPS_PER_PT
    assert placed.date_right_twips == round(4 * char)
    date_w = layout.text_width_chars("2021年5月24日") * char
    organ_w = 8 * char
    date_centre = placed.date_right_twips + date_w / 2
    organ_centre = placed.organ_right_twips + organ_w / 2
    assert abs(date_centre - organ_centre) <= 1


def test_a_very_long_organ_name_never_passes_the_margin() -> None:
    placed = layout.signature_layout("恩平市科工商务局恩平市科工商务局恩平市科工商务局", "2021年5月24日")
    assert placed.organ_right_twips == 0


# --- table cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "恩平市恒达钢铁有限公司",
        "恩平市某某某新材料科技有限公司",  # 15 characters
        "统一社会信用代码",
        "退出方式",
        "2021年6月15日前",
        "20万吨/年",
        "300万平方米/年",
    ],
)
def test_a_short_han_cell_is_one_unit(text: str) -> None:
    assert atoms(text) == [text]
    assert break_lines(text, text_em(text)) == [text]


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("中频感应炉2台（GW-5t）；轧钢生产线1条", "（GW-5t）；"),
        ("报送材料，时限为2021年12月5日前，逾期不候", "2021年12月5日前，"),
        ("年产能为1.5万吨/年的生产线，依法关停", "1.5万吨/年"),
        ("其统一社会信用代码为91440785MA4UH1A2BG，予以公告", "91440785MA4UH1A2BG，"),
        ("依照恩科工商务字〔2021〕58号文件执行，各单位", "恩科工商务字〔2021〕58号"),
        ("温度不低于35℃，体积10m³的容器", "10m³"),
    ],
)
def test_units_inside_longer_text_stay_whole(text: str, unit: str) -> None:
    assert any(unit in atom for atom in atoms(text))
    for width in (min_em(text), min_em(text) + 3, 20, 30):
        lines = break_lines(text, width)
        assert "".join(lines) == text
        assert any(unit in line for line in lines), (width, lines)


def test_no_line_starts_with_closing_punctuation_or_ends_with_opening() -> None:
    text = "各镇人民政府（街道办事处）、恩平工业园管委会要加强宣传解释，做好示范引导。"
    for width in range(int(min_em(text)) + 1, 20):
        for line in break_lines(text, width):
            assert line[0] not in "，。、；：）》”", line
            assert line[-1] not in "（《“", line


def test_organ_names_break_only_between_words_when_allowed() -> None:
    assert atoms("江门市生态环境局恩平分局") == ["江门市生态环境局恩平分局"]
    assert atoms("江门市生态环境局恩平分局", soft=True) == ["江门市", "生态环境局", "恩平分局"]
    assert atoms("市市场监管局", soft=True) == ["市市场监管局"]
    assert atoms("恩平市恒达钢铁有限公司") == ["恩平市恒达钢铁有限公司"], (
        "an enterprise breaks only when its column needs it"
    )
    assert atoms("恩平市恒达钢铁有限公司", soft=True) == ["恩平市", "恒达钢铁有限公司"], "and then only after its place"


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("江门市新会区古井镇华南纸业有限公司", ["江门市新会区古井镇", "华南纸业有限公司"]),
        ("江门市新会区银洲湖永利精密铸造有限公司", ["江门市新会区", "银洲湖永利精密铸造有限公司"]),
        ("恩平市恒达钢铁有限公司", ["恩平市恒达钢铁有限公司"]),
    ],
)
def test_a_name_too_long_to_stay_whole_breaks_after_a_place_never_leaving_one_character(
    name: str, parts: list[str]
) -> None:
    assert atoms(name) == parts
    for width in range(int(min_em(name)), len(name) + 1):
        assert all(len(line) > 1 for line in break_lines(name, width)), width


def test_a_model_breaks_only_after_the_dot_that_joins_its_specification() -> None:
    assert atoms("YLW-1200MA·120℃") == ["YLW-1200MA·", "120℃"]
    assert atoms("GW-0.5t") == ["GW-0.5t"]
    assert atoms("0001-WS·2021-Y-BGS-0001") == ["0001-WS·2021-Y-BGS-0001"], "a 档号 keeps its ·"


def test_no_orphan_pulls_a_character_down() -> None:
    title = "恩平市2021年推动落后产能退出工作要点任务分工表归档文件目录"
    lines = break_lines(title, text_em(title) - 0.5)
    assert len(lines[-1]) == 1
    kept = break_lines(title, text_em(title) - 0.5, no_orphan=True)
    assert len(kept[-1]) == 2 and "".join(kept) == title


def test_latin_and_digits_next_to_han_take_libreoffice_extra_space() -> None:
    # Measured: LibreOffice advances "能20" by 1.2 em before the digits and "0万" by 0.7 em.
    assert text_em("产能20万吨") == pytest.approx(4 + 2 * 0.6 + 2 * 0.2)


def test_columns_get_their_widest_unit_and_share_the_rest() -> None:
    cells = [
        Cell("序号", 0, size_pt=12),
        Cell("企业名称", 1, size_pt=12),
        Cell("说明", 2, size_pt=12),
        Cell("1", 0, size_pt=12),
        Cell("恩平市某某某新材料科技有限公司", 1, size_pt=12),
        Cell("经现场核查，该企业退出设备与任务清单一致，同意通过验收。" * 3, 2, size_pt=12),
    ]
    plan = plan_columns(cells, 3, 156, 3.5)
    assert plan.fits
    assert sum(plan.widths_mm) == pytest.approx(156)
    name_mm = 15 * 12 * 25.4 / 72
    assert plan.widths_mm[1] >= name_mm + 3.5
    assert plan.widths_mm[0] < 20 and plan.widths_mm[2] > 60


def test_a_table_whose_units_cannot_fit_says_so() -> None:
    cells = [Cell("恩平市某某某新材料科技有限公司", c, size_pt=14) for c in range(3)]
    assert not plan_columns(cells, 3, 156, 3.5).fits


def test_a_spanning_cell_widens_the_columns_it_spans() -> None:
    cells = [Cell("地址", 0), Cell("甲", 1), Cell("乙", 2), Cell("91440785MA4UH1A2BG", 1, span=2)]
    plan = plan_columns(cells, 3, 156, 3.0)
    code_mm = text_em("91440785MA4UH1A2BG") * 14 * 25.4 / 72
    assert plan.widths_mm[1] + plan.widths_mm[2] >= code_mm + 3.0


TITLE_EM = layout.PAGE.block_width_mm * layout.PT_PER_MM / layout.TITLE_PT - 0.3


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        ("2021年度推动落后产能退出工作协调会议纪要", ["2021年度推动落后产能", "退出工作协调会议纪要"]),
        (
            "关于商请提供2021年度依法关闭退出企业设备及产能情况的函",
            ["关于商请提供2021年度依法关闭", "退出企业设备及产能情况的函"],
        ),
        ("恩平市2021年度推动落后产能退出工作计划", ["恩平市2021年度推动落后产能退出工作计划"]),
    ],
)
def test_titles_break_between_words_into_balanced_lines(title: str, lines: list[str]) -> None:
    assert layout.title_lines(title, TITLE_EM) == lines


def test_a_long_title_takes_three_lines_none_wider_than_the_block_and_none_a_lone_character() -> None:
    title = "关于进一步加强全市工业企业安全生产专项整治行动中发现问题整改落实情况督查工作的通知"
    lines = layout.title_lines(title, TITLE_EM)
    assert "".join(lines) == title
    assert len(lines) == 3
    assert all(layout.text_em(line) <= TITLE_EM for line in lines)
    assert max(map(len, lines)) - min(map(len, lines)) <= 3, "balanced, not greedy"
    assert not any(line.startswith(("生产", "度")) for line in lines), "安全生产 and 2021年度 stay whole"


@pytest.mark.parametrize(
    ("title", "width"),
    [
        ("江门市新会区经济促进局关于江门市新会区2023年度落后产能退出企业名单的公告", 13),
        ("恩平市2021年度落后产能退出工作协调会议纪要", 10),
        ("关于商请提供2021年度依法关闭退出企业设备及产能情况的函", 12),
    ],
)
def test_titles_break_between_words_and_places_in_a_catalogue_cell(title: str, width: int) -> None:
    lines = break_lines(title, width, words=True, no_orphan=True)
    assert "".join(lines) == title
    for before, after in itertools.pairwise(lines):
        for word in ("新会区", "江门市", "协调", "关闭", "退出", "会议", "2023年度", "2021年度"):
            joined = before[-len(word) + 1 :] + after[: len(word) - 1]
            assert word not in joined, (lines, word)  # the word spans the break
