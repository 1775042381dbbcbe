"""The one choice between the extracted tables and the tables recovered from the text layer.

Both are read under the same template, then per section:

* the extracted tables win when they hold the section and the text layer gives no more figures, or
  gives more but disagrees with them (a text layer that differs is not trusted over real cells);
* the text-derived tables win when there are no extracted tables at all (an HTML page with its table as
  text, a PDF without ruling lines), or when they give more of a section's figures and agree wherever both
  give one (an extractor fused two columns or lost a header, or lost the section's table).

Nothing else in the project calls `grids_from_text` to decide where figures come from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archive.model import Grid, Stat, TextPlaces
from archive.report.checks import confirmation
from archive.report.mapping import Mapped, map_grids
from archive.report.texttables import grids_from_text
from archive.textplaces import locate_grids

SECTIONS = ("active", "applications", "appeals")


@dataclass
class Chosen:
    mapped: Mapped
    tables: list[Grid]  # the grids the figures came from: extracted tables, else the text-derived ones


def choose(
    tables: Sequence[Grid], text: str, template: str | None, text_places: TextPlaces | None = None
) -> Chosen:
    """The figures of a report under `template` and the grids they came from (without a template: no
    figures, and the grids a reader would see). `text_places` (Extraction.text_places) place the figures
    of the text-derived grids (archive/textplaces.py)."""
    extracted = list(tables)
    derived = grids_from_text(text) if text else []
    locate_grids(derived, text, text_places or [])
    if template is None:
        nothing = Mapped(None, [], ["no template table and no year from 2019 on: no statistics"])
        return Chosen(nothing, extracted or derived)
    mapped = confirmed_reading(extracted, template)
    if not derived or derived == extracted:
        return Chosen(mapped, extracted)
    alt = confirmed_reading(derived, template)
    if not extracted:
        return Chosen(alt, derived)
    return Chosen(_per_section(mapped, alt), extracted)


def confirmed_reading(grids: Sequence[Grid], template: str) -> Mapped:
    """The grids read with rows placed label-first and structure-first (archive/report/rows.py); where the
    two differ, the reading the consistency rules confirm more (parts holding minus parts failing: a
    reading that leaves rows out makes parts unknown, not confirmed), the label-first one on a tie."""
    by_label = map_grids(grids, template, "label")
    by_structure = map_grids(grids, template, "structure")
    if _figures(by_label) == _figures(by_structure):
        return by_label
    lab, struct = confirmation(by_label.stats, template), confirmation(by_structure.stats, template)
    if struct[1] - struct[0] > lab[1] - lab[0]:
        by_structure.findings.append(
            f"rows placed by numbering: the rules confirm it (failing parts {struct[0]} vs {lab[0]}, "
            f"holding {struct[1]} vs {lab[1]})"
        )
        return by_structure
    return by_label


def _figures(mapped: Mapped) -> list[tuple[str, str, str, float | None]]:
    return [(s.section, s.row, s.col, s.value) for s in mapped.stats]


def _per_section(mapped: Mapped, alt: Mapped) -> Mapped:
    """Per section, the text layer's figures replace the tables' when they are more and agree with them."""
    stats, findings = list(mapped.stats), list(mapped.findings)
    for section in SECTIONS:
        mine = [s for s in mapped.stats if s.section == section]
        theirs = [s for s in alt.stats if s.section == section]
        known, alt_known = _known(mine), _known(theirs)
        if alt_known > known and _agree(mine, theirs):
            stats = [s for s in stats if s.section != section] + theirs
            findings.append(
                f"section {section}: {alt_known} figures from the text layer, {known} in the tables"
            )
    order = {k: i for i, k in enumerate((s.section, s.row, s.col) for s in alt.stats + mapped.stats)}
    stats.sort(key=lambda s: order[(s.section, s.row, s.col)])
    return Mapped(mapped.template, stats, findings)


def _known(stats: Sequence[Stat]) -> int:
    return sum(1 for s in stats if s.value is not None)


def _agree(a: Sequence[Stat], b: Sequence[Stat]) -> bool:
    """Both give the same value wherever both give one (at most 1% misreads)."""
    values = {(s.section, s.row, s.col): s.value for s in a if s.value is not None}
    common = [
        (values[k], s.value) for s in b if (k := (s.section, s.row, s.col)) in values and s.value is not None
    ]
    differ = sum(1 for x, y in common if abs(x - (y or 0)) > 1e-6)
    return differ <= len(common) // 100
