"""Engagement counts as pages show them, in Vietnamese and English.

"1,2 N lượt thích" = 1 200 (N = nghìn), "1,5 Tr" = 1 500 000 (triệu), "3.456" = 3 456 (Vietnamese
thousands dot), "12K", "1.2M", "1,234" (English thousands comma). A separator followed by exactly
three digits groups thousands; with a K/N/Tr suffix it is a decimal mark.
"""

from __future__ import annotations

import re
from typing import Any

from misinfo.text import nfc

_MULTIPLIERS = {
    "nghìn": 1_000, "ngàn": 1_000, "n": 1_000, "k": 1_000,
    "triệu": 1_000_000, "tr": 1_000_000, "m": 1_000_000,
    "tỷ": 1_000_000_000, "tỉ": 1_000_000_000, "b": 1_000_000_000,
}  # fmt: skip
_SUFFIX = "|".join(sorted(_MULTIPLIERS, key=len, reverse=True))
_NUMBER_RE = re.compile(
    rf"(?<![\w.,])(\d{{1,15}}(?:[.,\u00a0\u202f ]\d{{1,3}})*)(?:\s?({_SUFFIX})(?![^\W\d_]))?",
    re.IGNORECASE,
)


def _plain(digits: str) -> float | None:
    """A number without suffix: separators before groups of three are thousands separators."""
    groups = re.split(r"[.,\u00a0\u202f ]", digits)
    if len(groups) == 1:
        return float(groups[0])
    if all(len(g) == 3 for g in groups[1:]):
        return float("".join(groups))
    if len(groups) == 2:  # "1,5" without a suffix: a decimal mark
        return float(f"{groups[0]}.{groups[1]}")
    return None


def _with_suffix(digits: str, multiplier: int) -> float | None:
    groups = re.split(r"[.,\u00a0\u202f ]", digits)
    if len(groups) == 1:
        return float(groups[0]) * multiplier
    if len(groups) == 2 and len(groups[1]) <= 2:  # "1,2 N", "1.5K": decimal mark
        return float(f"{groups[0]}.{groups[1]}") * multiplier
    whole = _plain(digits)
    return whole * multiplier if whole is not None else None


def parse_count(value: Any) -> int | None:
    """The first count in `value` as an int, or None when there is none (never raises)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value == value and 0 <= value < 1e18 else None
    if not isinstance(value, str) or not value:
        return None
    match = _NUMBER_RE.search(nfc(value[:200]))
    if not match:
        return None
    digits, suffix = match.group(1).strip(), match.group(2)
    try:
        number = _with_suffix(digits, _MULTIPLIERS[suffix.lower()]) if suffix else _plain(digits)
    except (ValueError, OverflowError):
        return None
    if number is None or not 0 <= number < 1e18:
        return None
    return int(round(number))
