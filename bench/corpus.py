"""Generate realistic archived documents for search tests and benchmarks (deterministic).

Documents read like a county bureau's year of work: numbered notices, acceptance records and
announcements about fictional enterprises, with 发文字号, dates, capacities and equipment.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docgen.archive.log import EventLog

TOWNS = ["恩城", "沙湖", "君堂", "圣堂", "东成", "大槐", "横陂", "牛江", "良西", "那吉", "大田", "平石", "江洲"]
TRADES = [
    ("钢铁", "万吨/年"),
    ("水泥", "万吨/年"),
    ("陶瓷", "万平方米/年"),
    ("造纸", "万吨/年"),
    ("印染", "万米/年"),
    ("玻璃", "万重量箱/年"),
    ("铸造", "万吨/年"),
    ("化工", "万吨/年"),
    ("制革", "万标张/年"),
]
WORDS = "华艺恒达粤西锦江联华金鹏新兴宏图永丰顺发鸿运利民东方南方富强振华嘉禾康达明珠天成海通信达"
EQUIPMENT = [
    "中频感应炉",
    "工频感应炉",
    "机械化立窑",
    "水泥磨机",
    "辊道窑",
    "喷雾干燥塔",
    "长网造纸机",
    "蒸球",
    "间歇式染色机",
    "热定型机",
    "平板玻璃生产线",
    "冲天炉",
    "反应釜",
    "转鼓",
]
SENTENCES = [
    "按照全市推动落后产能退出工作部署，{town}镇人民政府组织对{name}开展现场核查。",
    "{name}位于{town}镇，主要从事{trade}生产，现有{equipment}{qty}台，型号为{model}。",
    "经核查，该企业{equipment}已于{year}年{month}月{day}日完成{method}，相应产能{cap}{unit}不再投入生产。",
    "请各镇人民政府（街道办事处）、恩平工业园管委会于{year}年{month}月底前报送本辖区{trade}行业落后产能退出情况。",
    "市科工商务局会同市发改局、市市场监管局、市应急管理局对{name}的退出情况进行验收。",
    "根据《关于利用综合标准依法依规推动落后产能退出的指导意见》（工信部联产业〔2017〕30号）要求，依法依规推动落后产能关停退出。",
    "对未按期完成落后产能退出的企业，将有关信息录入国家企业信用信息公示系统，并在“信用中国”网站公布。",
    "{town}镇共有{trade}企业{qty}家，其中{name}等企业列入{year}年度退出计划，涉及产能{cap}{unit}。",
    "验收组由{officer}、{officer2}等同志组成，查阅了企业台账和影像资料，核对了设备名称、型号和数量。",
    "该企业拆除的{equipment}（{model}）已作报废处理，去向为{town}镇废旧物资回收站。",
    "各有关单位要加强统筹协调，强化部门联动，确保{year}年度落后产能应退尽退。",
    "联系人：{officer}；联系电话：0750-{phone}。",
]
SURNAMES = "何梁吴冯陈李张王黄林周郑谢"
GIVEN = "国琨志明嘉欣家豪文芳建华丽娟伟强晓东海燕"
METHODS = ["拆除", "封存", "断电断水", "关停", "取缔"]


@dataclass(frozen=True)
class Generated:
    """One generated document: what meta.json and text.txt hold."""

    path: str
    meta: dict[str, Any]
    text: str


def enterprise_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """``count`` distinct (name, trade) pairs such as 恩平市华艺陶瓷有限公司."""
    names: dict[str, str] = {}
    while len(names) < count:
        trade = rng.choice(TRADES)[0]
        word = rng.choice(WORDS[::2]) + rng.choice(WORDS[1::2])
        town = rng.choice(["恩平市", "恩平市", "恩平市", "江门市"])
        names.setdefault(f"{town}{word}{trade}有限公司", trade)
    return list(names.items())


def generate(count: int, seed: int = 2021, chars: int = 2000) -> Iterator[Generated]:
    """Yield ``count`` documents of about ``chars`` characters each."""
    rng = random.Random(seed)
    # Distinct names are finite (~5,800 combinations): cap the pool well below that.
    pool = enterprise_names(rng, min(3000, max(30, count // 5)))
    for i in range(count):
        year = rng.randint(2016, 2025)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        name, _ = rng.choice(pool)
        others = rng.sample(pool, k=3)
        kind = rng.choice(["notice", "acceptance", "announcement"])
        number = f"恩科工商务字〔{year}〕{rng.randint(1, 400)}号" if kind == "notice" else ""
        title = {
            "notice": f"关于做好{name}落后产能退出工作的通知",
            "acceptance": f"{name}落后产能退出验收记录",
            "announcement": f"关于{year}年度落后产能退出企业名单的公告",
        }[kind]
        parts: list[str] = []
        while sum(map(len, parts)) < chars:
            subject = rng.choice([name, name, *(n for n, _ in others)])
            t_trade, unit = rng.choice(TRADES)
            parts.append(
                rng.choice(SENTENCES).format(
                    town=rng.choice(TOWNS),
                    name=subject,
                    trade=t_trade,
                    unit=unit,
                    equipment=rng.choice(EQUIPMENT),
                    qty=rng.randint(1, 9),
                    model=f"{rng.choice('GWJKSP')}{rng.choice('WXYZ')}-{rng.randint(1, 60)}",
                    year=year,
                    month=month,
                    day=day,
                    method=rng.choice(METHODS),
                    cap=round(rng.uniform(0.5, 300), 1),
                    officer=rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2]),
                    officer2=rng.choice(SURNAMES) + rng.choice(GIVEN[1::2]),
                    phone=rng.randint(7000000, 7999999),
                )
            )
        text = "\n".join([title, number, *parts])
        enterprises = [name, *(n for n, _ in others)] if kind == "announcement" else [name]
        path = f"{year:04d}/{month:02d}/{day:02d}/{i:06d} {title[:20]}"
        meta = {
            "kind": kind,
            "kind_name": {"notice": "通知", "acceptance": "验收记录", "announcement": "公告"}[kind],
            "title": title,
            "number": number or None,
            "date": f"{year:04d}-{month:02d}-{day:02d}",
            "issuer": "恩平市科工商务局",
            "enterprises": [{"key": None, "name": n} for n in enterprises],
        }
        yield Generated(path, meta, text)


def write_archive(root: Path, documents: Iterator[Generated]) -> int:
    """Lay generated documents out as archive folders (meta.json and text.txt only).

    One event in the log says what wrote them: every archive docgen keeps has a log, and its
    readers cache what they read for as long as the log stays the same (without one, every
    search would read every meta.json again).
    """
    n = 0
    for doc in documents:
        folder = root / doc.path
        folder.mkdir(parents=True)
        (folder / "meta.json").write_text(json.dumps(doc.meta, ensure_ascii=False), encoding="utf-8")
        (folder / "text.txt").write_text(doc.text, encoding="utf-8")
        n += 1
    EventLog(root).append("generated_corpus", documents=n)
    return n
