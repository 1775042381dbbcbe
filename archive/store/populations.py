"""The operator's populations (table `populations`, migration 021): the denominator of requests per 10,000
residents. Read from a CSV of `division_code,year,population[,source]` (a header, UTF-8 with or without a
BOM), each row checked against the national division list (archive/bodies/gazetteer.py) and stored under
the division's place as the reports name it (宁夏回族自治区/中卫市/中宁县), which is what the rates match.

Operator input like the roster, not derived: `reprocess` leaves the table alone. A file with any bad row
loads nothing, so a run either takes the whole file or changes nothing; loading it again changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archive.bodies.gazetteer import Gazetteer, gazetteer
from archive.errors import GovarchiveError
from archive.store.corpus import Corpus

REQUIRED = ("division_code", "year", "population")
FIRST_YEAR = 1949  # no population of a division of today's list is older than the list's republic
MAX_POPULATION = (
    2_000_000_000  # above any country's; and SQLite's INTEGER holds it (a 20-digit one it does not)
)


@dataclass(frozen=True)
class Population:
    code: str
    region: str
    year: int
    population: int
    source: str | None


class PopulationsFileError(GovarchiveError):
    """A populations CSV that cannot be loaded: the lines say which rows and why (exit 2)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def division_code(text: str, places: Gazetteer) -> str | None:
    """A division code of the list from a code as published: 2, 4, 6 or 9 digits, or the 6- and 12-digit
    forms padded with zeros (640000 for 64 宁夏, 640521000000 for 640521 中宁县)."""
    code = text.strip()
    if not code.isdigit() or not code.isascii():
        return None
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    while (
        code not in places.by_code
        and len(code) in (6, 4, 9)
        and code.endswith("00" if len(code) < 9 else "000")
    ):
        code = code[: -2 if len(code) < 9 else -3]
    return code if code in places.by_code else None


def region_of(code: str, places: Gazetteer) -> str:
    """The place as reports name it: the names of the division and the ones above it, joined by '/'."""
    return "/".join(d.name for d in places.chain(code))


def read(path: Path, today: dt.date | None = None) -> list[Population]:
    """Every row of the CSV, or PopulationsFileError listing each bad row as `FILE:LINE: why`."""
    last_year = (today or dt.date.today()).year
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GovarchiveError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise GovarchiveError(f"{path}: a folder, not a CSV file") from None
    except UnicodeDecodeError as e:
        raise GovarchiveError(f"{path}: not UTF-8 text (byte {e.start}); save the CSV as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""))  # a quoted newline stays in its cell
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise GovarchiveError(
            f"{path}: line 1 must be a header naming division_code,year,population[,source] "
            f"(missing {', '.join(missing)})"
        )
    col = {name: header.index(name) for name in (*REQUIRED, "source") if name in header}
    places = gazetteer()
    out: list[Population] = []
    problems: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    for row in reader:
        line = reader.line_num  # the row's last physical line, as an editor numbers it
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))

        def cell(name: str, row: list[str] = row) -> str:
            return row[col[name]].strip() if name in col else ""

        def bad(why: str, line: int = line) -> None:
            problems.append(f"{path}:{line}: {why}")

        raw_code, raw_year, raw_pop = cell("division_code"), cell("year"), cell("population")
        code = division_code(raw_code, places)
        if code is None:
            bad(f"division_code {raw_code!r} is no division of the national list")
            continue
        if not (raw_year.isascii() and raw_year.isdigit() and FIRST_YEAR <= int(raw_year) <= last_year):
            bad(f"year {raw_year!r} is not a year from {FIRST_YEAR} to {last_year}")
            continue
        if not (raw_pop.isascii() and raw_pop.isdigit() and 0 < int(raw_pop) <= MAX_POPULATION):
            bad(
                f"population {raw_pop!r} is not a whole number from 1 to {MAX_POPULATION:,} "
                "(digits only, no separators)"
            )
            continue
        year = int(raw_year)
        if (code, year) in seen:
            bad(f"{code} {year} again (first on line {seen[code, year]})")
            continue
        seen[code, year] = line
        out.append(Population(code, region_of(code, places), year, int(raw_pop), cell("source") or None))
    if problems:
        raise PopulationsFileError(problems)
    if not out:
        raise GovarchiveError(f"{path}: no rows under the header")
    return out


def load(corpus: Corpus, rows: list[Population]) -> tuple[int, int]:
    """Write the rows in one transaction, each replacing the same place and year: (written, replaced)."""
    conn = corpus.conn
    with corpus.transaction():
        replaced = sum(
            conn.execute(
                "SELECT count(*) FROM populations WHERE region = ? AND year = ?", (r.region, r.year)
            ).fetchone()[0]
            for r in rows
        )
        conn.executemany(
            "INSERT OR REPLACE INTO populations(region, year, population, source) VALUES (?, ?, ?, ?)",
            [(r.region, r.year, r.population, r.source) for r in rows],
        )
    return len(rows), replaced


def listing(conn: sqlite3.Connection) -> list[Population]:
    """The table, by place and year, with each place's division code (blank for a place the list lacks:
    a row written by hand)."""
    places = gazetteer()
    codes = {region_of(code, places): code for code in places.by_code}
    return [
        Population(codes.get(region, ""), region, year, population, source)
        for region, year, population, source in conn.execute(
            "SELECT region, year, population, source FROM populations ORDER BY region, year"
        )
    ]
