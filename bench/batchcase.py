"""Write a case file with many fictional enterprises, for batch tests and benchmarks."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from docgen.case.creditcode import ALPHABET, check_character

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "enping-2021" / "case.yaml"
TRADES = [
    ("钢铁", "中频感应炉", "万吨/年"),
    ("水泥", "水泥磨机", "万吨/年"),
    ("陶瓷", "辊道窑", "万平方米/年"),
    ("造纸", "长网造纸机", "万吨/年"),
    ("印染", "间歇式染色机", "万米/年"),
]
WORDS = "华艺恒达粤西锦江联华金鹏新兴宏图永丰顺发鸿运利民东方南方富强振华嘉禾康达明珠天成海通信达"


def write_batch_case(path: Path, enterprises: int, seed: int = 7) -> Path:
    """The example case with ``enterprises`` generated enterprises (one 验收记录 each)."""
    rng = random.Random(seed)
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    team = data["enterprises"]["hengda"]["acceptance_team"]
    generated = {}
    for i in range(enterprises):
        trade, equipment, unit = rng.choice(TRADES)
        base = "91440785MA" + "".join(rng.choice(ALPHABET) for _ in range(7))
        generated[f"e{i:04d}"] = {
            "name": f"恩平市{rng.choice(WORDS)}{rng.choice(WORDS)}{trade}第{i + 1}有限公司",
            "credit_code": base + check_character(base),
            "address": f"恩平市恩城街道工业大道{i + 1}号",
            "industry": trade,
            "equipment": [{"name": equipment, "model": f"GW-{rng.randint(1, 60)}", "quantity": rng.randint(1, 5)}],
            "capacity": {"value": round(rng.uniform(0.5, 50), 1), "unit": unit},
            "exit_method": rng.choice(["拆除", "封存", "断电断水", "关停", "取缔"]),
            "acceptance_date": f"2021-{rng.randint(6, 11):02d}-{rng.randint(1, 28):02d}",
            "acceptance_team": team,
        }
    data["enterprises"] = generated
    data["announcement"]["enterprises"] = list(generated)[:10]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
