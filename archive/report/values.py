"""Cell text → number for the report tables.

Report cells carry signed changes (`+5`, `-39`, `增5`), amounts with units (`3659.92 万元`), full-width digits,
thousands separators and extractor junk (`[bookmark: _GoBack]1`, `<b>…</b>`). A blank or a placeholder
(`-`, `—`, `/`, `无`) is unknown, never zero: the caller keeps the raw text beside the parsed value.
"""

from __future__ import annotations

import math
import re
import unicodedata

# Placeholders reports write for "nothing to report"; they parse to None, not 0.
PLACEHOLDERS = frozenset(
    {"-", "--", "—", "——", "–", "/", "\\", "无", "空", "暂无", "n/a", "na", "×", "x", "*"}
)

_JUNK = re.compile(r"\[bookmark:[^\]]*\]|<[^<>]{0,40}>|&nbsp;|[\u200b-\u200d\ufeff]", re.IGNORECASE)
_UNITS = re.compile(r"(万元|亿元|千元|元|万|件|个|条|项|次|宗|人次|人|家|%|％)$")
_SIGN_WORDS = {"增加": "+", "增": "+", "减少": "-", "减": "-"}
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?|\.\d+)$")


def clean_cell(raw: str) -> str:
    """The cell text without markup junk, NFKC-normalised (full-width digits/signs → ASCII), spaces removed."""
    text = _JUNK.sub("", raw)
    text = unicodedata.normalize("NFKC", text)
    # Dashes that NFKC leaves alone but that act as minus signs or placeholders.
    text = text.replace("−", "-").replace("﹣", "-")
    return "".join(text.split())


def parse_value(raw: str | None) -> float | None:
    """The number a cell states, or None for blank/placeholder/unreadable text. Never raises."""
    if raw is None:
        return None
    try:
        return _parse(raw)
    except (ValueError, TypeError, OverflowError):
        return None


def _parse(raw: str) -> float | None:
    text = clean_cell(raw)
    if not text or text.lower() in PLACEHOLDERS:
        return None
    for word, sign in _SIGN_WORDS.items():
        if text.startswith(word):
            text = sign + text[len(word) :]
            break
    text = _UNITS.sub("", text).replace(",", "")
    match = _NUMBER.match(text)
    if not match:
        return None
    value = float(match.group(1) + match.group(2))
    if not math.isfinite(value):
        return None
    return value + 0.0  # normalise -0.0 to 0.0


def is_value_cell(raw: str | None) -> bool:
    """True for cells that hold a figure or a placeholder (blank included) rather than a label."""
    if raw is None:
        return True
    text = clean_cell(raw)
    return not text or text.lower() in PLACEHOLDERS or parse_value(raw) is not None
