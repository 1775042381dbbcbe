"""The one reader of calendar dates in page metadata and report text (2021-01-25, 2021年1月25日, 2021/1/25)."""

from __future__ import annotations

import datetime as dt
import re

_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_DATE = re.compile(r"(19[89]\d|20[0-4]\d)\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")


def find_dates(text: str) -> list[re.Match[str]]:
    """Every date-shaped span of `text` (full-width digits already folded by the caller or not)."""
    return list(_DATE.finditer(text.translate(_FULLWIDTH)))


def iso_date(s: str | None) -> str | None:
    """The first real calendar date in `s` as YYYY-MM-DD; None when there is none (2023-02-31 is none)."""
    if not s:
        return None
    for m in _DATE.finditer(s.translate(_FULLWIDTH)):
        try:
            return dt.date(*(int(g) for g in m.groups())).isoformat()
        except ValueError:
            return None
    return None
