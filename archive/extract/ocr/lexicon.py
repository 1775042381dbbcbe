"""The template's own words as a lexicon for OCR: a table label read one character off (白然人, 尚木审结,
结果纠) is snapped to the template label it is unambiguously closest to.

The national template prints the same few dozen labels in every report, so a near miss is almost always
that label; a snap needs at least three characters and at most one edit per four characters, and the
nearest label must be strictly nearer than any other. Figures are never touched.
"""

from __future__ import annotations

import functools
import re

from archive.extract.grid import is_figure
from archive.report import codes

_PREFIX = re.compile(r"^[一二三四五六七八九十]+（[一二三四五六七八九十]+）")
# Labels that stand in the template's cells but are not the label of one code.
_EXTRA = [
    "申请人情况",
    "法人或其他组织",
    "三、本年度办理结果",
    "本年度办理结果",
    "（三）不予公开",
    "（四）无法提供",
    "（五）不予处理",
    "（六）其他处理",
    "（七）总计",
    "未经复议直接起诉",
    "复议后起诉",
    "信息内容",
]


@functools.cache
def labels() -> tuple[str, ...]:
    out: set[str] = set(_EXTRA)
    out.update(c.label for c in codes.APPLICATION_COLUMNS)
    out.update(c.label for c in codes.APPEAL_COLUMNS)
    out.update(codes.ACTIVE_ROWS.values())
    out.update(label for label in codes.APPEAL_ROWS.values() if "—" not in label)
    for per_row in codes.ACTIVE_COLUMNS.values():
        for cols in per_row.values():
            out.update(c.label for c in cols)
    for label in codes.APPLICATION_ROWS.values():
        out.add(label)
        tail = _PREFIX.sub("", label).replace(". ", ".")
        out.add(tail)
        if label.startswith("三（") and not tail[:1].isdigit():
            out.add(label[1:])  # （一）予以公开
    return tuple(sorted(x for x in out if len(x) >= 3))


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or limit + 1 as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


_NOISE = str.maketrans("", "", " .·'`\"_:;,")


def snap(text: str) -> str:
    """The template label `text` is a near miss of, else `text` unchanged."""
    if not text or is_figure(text) or len(text) < 3 or len(text) > 60:
        return text
    probe = text.translate(_NOISE).replace("(", "（").replace(")", "）")
    best, best_d, tie = text, 10**6, False
    for label in labels():
        key = label.translate(_NOISE)
        limit = max(1, len(key) // 4)
        d = _distance(probe, key, limit)
        if d > limit:
            continue
        if d < best_d:
            best, best_d, tie = label, d, False
        elif d == best_d and label != best:
            tie = True
    return text if tie or best_d > 10**5 else best


def snap_grid(grid: list[list[str | None]]) -> None:
    """Snap every label cell of a grid in place (covered positions hold the same text as their anchor)."""
    cache: dict[str, str] = {}
    for row in grid:
        for c, cell in enumerate(row):
            if cell and not is_figure(cell):
                if cell not in cache:
                    cache[cell] = snap(cell)
                row[c] = cache[cell]
