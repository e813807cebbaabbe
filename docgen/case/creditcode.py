"""统一社会信用代码 (GB 32100-2015): 18 characters with a check character."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """Return the 18th (check) character for the first 17."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Return why ``code`` is not a valid 统一社会信用代码, or ``None`` if it is."""
    if len(code) != 18:
        return f"应为 18 位，现为 {len(code)} 位"
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        return f"含有不允许的字符 {'、'.join(bad)}（不使用 I、O、S、V、Z 和小写字母）"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验位不对：按前 17 位计算应为 {expected}，请核对"
    return None
