"""Table grids and text → canonical figures of the national template (report-format.md).

The steps, each in its own module:

* vocabulary — codes.py: codes, labels, numbering, recognising phrases, header words, template marks;
* detection — detect.py: which template the report follows, which section a row belongs to;
* segmentation — segment.py: grids → runs of one section, header rows apart from body rows;
* mapping — mapping.py: a run's rows and columns → (section, row, col) figures;
* the source — sources.py: extracted tables or the tables recovered from the text layer, per section.
"""

from __future__ import annotations

from collections.abc import Sequence

from archive.model import Grid, TextPlaces
from archive.report.codes import norm
from archive.report.detect import detect_template
from archive.report.mapping import Mapped
from archive.report.sources import choose

__all__ = ["Mapped", "detect_template", "map_report", "norm"]


def map_report(
    tables: Sequence[Grid], text: str, year: int | None = None, text_places: TextPlaces | None = None
) -> Mapped:
    """Canonical figures of one report. Sections absent from the tables are absent from the stats; inside a
    section found, every template cell is listed (blank when the document leaves it out). Where the figures
    come from (extracted tables or text) is decided once, in sources.choose; `Mapped.tables` says which."""
    # Extractors promise str|None cells; a number slipping through (spreadsheets) must not break matching.
    grids = [
        [[c if c is None or isinstance(c, str) else str(c) for c in row] for row in grid] for grid in tables
    ]
    text = text if isinstance(text, str) else ""
    chosen = choose(grids, text, detect_template(grids, text, year), text_places)
    return Mapped(chosen.mapped.template, chosen.mapped.stats, chosen.mapped.findings, chosen.tables)
