"""Detection: which template a report follows, and which section a table row belongs to.

Only the template's vocabulary (archive/report/codes.py) is consulted: template marks and circular numbers
for the template, header words and row phrases for the section.
"""

from __future__ import annotations

from collections.abc import Sequence

from archive.model import Grid
from archive.report import codes
from archive.report.codes import norm


def detect_template(tables: Sequence[Grid], text: str, year: int | None = None) -> str | None:
    """ "2021" / "2019" from template labels (本年制发件数 … vs 本年新制作数量, 第二十条第（九）项), else from the
    year (≥2021 → 2021, 2019–2020 → 2019), else 2019 when a template table is there at all."""
    corpus = norm(text) + "|" + "|".join(norm(c) for t in tables for r in t for c in r if c)
    score = {
        t: sum(m in corpus for m in marks) + bool(codes.TEMPLATE_CIRCULARS[t].search(corpus))
        for t, marks in codes.TEMPLATE_MARKERS.items()
    }
    if score["2021"] != score["2019"]:
        return "2021" if score["2021"] > score["2019"] else "2019"
    if year is not None:
        return "2021" if year >= 2021 else "2019" if year >= 2019 else None
    if any(w in corpus for w in (*codes.APPLICATION_HEADER, *codes.APPLICATION_ROW_PHRASES[0][1])):
        return "2019"
    return None


def header_section(joined: str) -> str | None:
    """The section whose table header a figure-less row (its cells joined, normalised) is, if any."""
    if any(w in joined for w in codes.APPEAL_HEADER):
        return "appeals"
    if any(w in joined for w in codes.APPLICATION_HEADER):
        return "applications"
    if any(w in joined for w in codes.ACTIVE_HEADER) or any(
        p in joined for p, _ in codes.ACTIVE_COLUMN_PHRASES[:3]
    ):
        return "active"
    return None


def data_section(joined: str) -> str | None:
    """The section whose body row a row's labels name, if any."""
    if codes.active_row(joined):
        return "active"
    if codes.application_row(joined):
        return "applications"
    return None


def is_group_label(joined: str) -> bool:
    """A figure-less group label of section 三 (三、本年度办理结果, （三）不予公开 …)."""
    return any(w in joined for w in codes.APPLICATION_GROUP_WORDS)
