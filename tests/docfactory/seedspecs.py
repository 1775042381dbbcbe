"""The five seed reports (/work/shared/seeds) as ReportSpecs: prose from the seed text, figures from the truth.

Used once to build the committed demo portals and by tests that render the seeds; nothing at run time
depends on the seeds being present.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.docfactory.spec import ReportSpec

# Publication dates are not in the seeds; these follow the 31 January deadline except 003, published late
# on purpose so the monitor has a late report to show.
PUBLISHED_AT = {
    "000": "2021-01-22",
    "001": "2021-01-28",
    "002": "2019-01-15",
    "003": "2021-02-26",
    "004": "2024-01-30",
}
# Real-world layout variants of each seed (report-format.md: 001 breaks over a page with its header
# repeated; 004 prints five of the seven applicant columns).
LAYOUT: dict[str, dict[str, object]] = {
    "001": {"split_page_break": True, "repeat_header": True},
    "004": {"omit_columns": ["legal_service", "other_org"]},
}

_MARKUP = re.compile(r"</?b>|\*\*|^#+\s*")
_HEADING = re.compile(r"^([一二三四五六])、")
_TABLE_SECTIONS = {"二": "主动公开", "三": "申请", "四": "复议"}
_STARTS_BLOCK = re.compile(
    r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+[、是]|\d+\s*[.、．]|\d+、)"
)
_ENDS_SENTENCE = tuple("。；：！？”）)")


def _clean(line: str) -> str:
    return _MARKUP.sub("", line.strip()).replace("**", "").strip()


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def seed_paragraphs(text: str, title: str, agency: str, has_tables: bool) -> list[str]:
    """The prose of a seed: title lines dropped, table text dropped, page-broken paragraphs rejoined."""
    out: list[str] = []
    skipping = ""  # numeral of the section whose table lines are being skipped
    heading_seen = False
    for raw in text.splitlines():
        line = _clean(raw)
        if not line:
            continue
        if not out and not heading_seen and _squash(line) in _squash(agency + title):
            continue  # the title block at the top (possibly split over lines)
        m = _HEADING.match(line) if "\t" not in raw else None
        if m and len(line) < 40:
            heading_seen = True
            numeral = m.group(1)
            skipping = numeral if has_tables and _TABLE_SECTIONS.get(numeral, "\0") in line else ""
            out.append(line)
            continue
        if skipping or "\t" in raw:
            continue
        prev = out[-1] if out else ""
        if len(prev) >= 20 and not prev.endswith(_ENDS_SENTENCE) and not _STARTS_BLOCK.match(line):
            out[-1] = prev + line  # a paragraph cut by a page break in the source PDF
        else:
            out.append(line)
    return out


def _figures(stats: list[dict[str, object]]) -> dict[tuple[str, str, str], str]:
    return {(str(s["section"]), str(s["row"]), str(s["col"])): str(s.get("raw") or "") for s in stats}


def seed_specs(seeds_dir: Path, truth_dir: Path) -> list[ReportSpec]:
    """One spec per truth file `seed_NNN.json`, in order."""
    specs = []
    for truth_path in sorted(truth_dir.glob("seed_*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        idx = truth_path.stem.removeprefix("seed_")
        seed_file = seeds_dir / truth["seed"] if "seed" in truth else next(seeds_dir.glob(f"{idx}_*.txt"))
        meta = truth["meta"]
        spec = ReportSpec(
            title=meta["title"],
            agency=meta["agency"],
            year=int(meta["year"]),
            kind=meta["kind"],
            template=meta.get("template"),
            published_at=PUBLISHED_AT.get(idx, f"{int(meta['year']) + 1}-01-20"),
            paragraphs=seed_paragraphs(
                seed_file.read_text(encoding="utf-8"), meta["title"], meta["agency"], bool(truth["stats"])
            ),
            figures=_figures(truth["stats"]),
        )
        for key, value in LAYOUT.get(idx, {}).items():
            setattr(spec, key, value)
        specs.append(spec)
    return specs
