"""A versioned, citable data set made from the corpus (`govarchive release --out DIR`).

A release is five tables, each as CSV (UTF-8, optionally with a BOM for Excel on Chinese Windows) and as
Parquet, described by a Frictionless Data Package (`datapackage.json`, a Table Schema per resource), with a
`CITATION.cff`, a short `README.md` and `SHA256SUMS`:

- `reports`: one row per report (wide): body, region, division code, year, kind, template, dates, the
  archived original the figures come from (SHA-256 and URL), the main figures and rates (`WIDE_COLUMNS`);
- `figures`: every figure (long): report, code (section, row, col), value, raw cell, labels, how placed,
  and where in the original it was read (`PLACE_COLUMNS`: page and box, table/row/cell, or HTML element and
  character span);
- `checks`: every consistency rule's verdict per report;
- `codebook`: every code of the templates with its Chinese and English labels and the templates that have
  it; every column of `reports` with its derivation; every rule in words;
- `manifest`: every archived original a report was read from, by SHA-256 (size, media type, first URL, first
  seen, the reports it is a copy of).

Reproducible: the corpus is read read-only, rows in a fixed order (by key), no timestamp but the release
date, which is taken from the corpus (its latest crawl run, capture or sighting) unless given; the same corpus
and version give byte-identical files (with the same pyarrow: Parquet names its writer's version).
A blank figure is null in every file, never 0; a derived column is null when any figure it needs is blank.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.errors import DataFolderError, GovarchiveError
from archive.report import codes, crosswalk, english, measures
from archive.store.migrations import has_table
from archive.store.reports import PLACE_SOURCES, place_values

BATCH = 50_000  # rows per read and per Parquet row group
REPORT_BATCH = 2_000  # reports per query of the wide table


# --- the tables' columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema: string, integer, number
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_key: tuple[str, str] | None = None  # (column, resource whose report_id it names)


Code = tuple[str, str, str]


@dataclass(frozen=True)
class Wide:
    """A derived column of the wide `reports` table: a quantity, a rate (archive/report/measures.py, where
    each is defined once), the population or the publication deadline."""

    name: str
    zh: str
    en: str
    type: str  # Table Schema type
    derivation: str
    codes: tuple[Code, ...] = ()  # the figures a quantity sums


def _rate_derivation(r: measures.Rate) -> str:
    return f"{r.derivation()} [{r.formula('zh')}]" + (
        "; population: the operator's populations table, nearest year (blank: unknown)"
        if measures.POPULATION in r.denominator
        else ""
    )


WIDE_COLUMNS: tuple[Wide, ...] = (
    *(Wide(q.name, q.zh, q.en, "number", q.derivation(), q.codes) for q in measures.QUANTITIES),
    Wide(
        measures.POPULATION,
        "常住人口",
        "Population of the body's place",
        "number",  # nullable: a Parquet reader's null integer is a float NaN, which Table Schema's integer refuses
        "the operator's populations table (region, year): the nearest year to the report's; null: unknown",
    ),
    Wide(
        "deadline",
        "公开截止日期",
        "Publication deadline (article 49)",
        "string",
        "year + 1, then 01-31 (departments, townships) or 03-31 (governments); the kind of body read from "
        "its name (…人民政府: government; …乡/镇/街道人民政府 or 办事处: township; else department)",
    ),
    Wide(
        "on_time",
        "按时发布",
        "Published on time",
        "number",  # 1 or 0, nullable (as population)
        f"1 when {measures.ON_TIME_FORMULA['en']}, 0 after it; null when published_at is unknown "
        f"[{measures.ON_TIME_FORMULA['zh']}]",
    ),
    *(Wide(r.name, r.zh, r.en, "number", _rate_derivation(r)) for r in measures.RATES),
)

# Each rate's rank among the annual reports of the same region (reports.region) and year, as /compare/rates
# ranks a county's bodies.
RANKS: tuple[Wide, ...] = tuple(
    Wide(
        f"{r.name}_rank",
        f"{r.zh}排名",
        f"Rank by {r.name}",
        "number",  # nullable, as population
        f"competition rank (1, 2, 2, 4) of {r.name} among the annual reports of the same region and year, highest "
        "first; null when the rate is null",
    )
    for r in measures.RATES
)

_REPORT_COLUMNS: tuple[Column, ...] = (
    Column("report_id", "integer", "the report's id in the corpus (reports.id)"),
    Column("agency", "string", "the body that published the report (发布机关)"),
    Column("region", "string", "the region of the body's site, provinces to county, '/'-separated"),
    Column(
        "division_code",
        "string",
        "statistical division code (统计用区划代码) of the body's place (the bodies table); null: its name was not read against the division list",
    ),
    Column("site_id", "string", "the portal (sites file id) the report was first found on"),
    Column("year", "integer", "the year the report covers"),
    Column("kind", "string", "annual_report (年度报告) or work_summary (工作总结)"),
    Column(
        "template",
        "string",
        "national table template: 2019 (国办公开办函〔2019〕60号), 2021 (〔2021〕30号) or null",
    ),
    Column("title", "string", "the report's title"),
    Column(
        "published_at", "string", "publication day (YYYY-MM-DD) the portal or the text gives; null if none"
    ),
    Column("archived_at", "string", "when the report was first archived (UTC, ISO 8601)"),
    Column("last_seen", "string", "when a copy was last seen on its portal (UTC, ISO 8601)"),
    Column("removed_at", "string", "when the portal stopped serving it (UTC, ISO 8601); null: still served"),
    Column(
        "source_sha256", "string", "SHA-256 of the archived original the figures come from (see manifest)"
    ),
    Column("source_url", "string", "URL of that original"),
    Column("page_url", "string", "the report's page on its portal"),
    Column("figures", "integer", "number of figures read (non-blank cells)"),
    Column("checks_failed", "string", "the consistency rules that fail, space-separated (see checks)"),
    *(Column(w.name, w.type, f"{w.en}: {w.derivation}") for w in (*WIDE_COLUMNS, *RANKS)),
)

# Where each figure was read in the report's original (reports.source_sha256; report_stats.src_*, migrations
# 020 and 032): null when not read from a place (derived, blank, or a text figure not found again). Whole
# numbers typed `number`: nullable (a Parquet reader's null integer is a float NaN, which `integer` refuses).
PLACE_COLUMNS: tuple[Column, ...] = (
    Column("src_page", "number", "PDF, OFD, scan: the page the figure was read on (from 1)"),
    Column("src_x0", "number", "its box on that page: left, in points from the page's left edge"),
    Column("src_y0", "number", "its box: top, in points from the page's top edge (y grows downwards)"),
    Column("src_x1", "number", "its box: right, in points from the page's left edge"),
    Column("src_y1", "number", "its box: bottom, in points from the page's top edge"),
    Column(
        "src_table", "number", "DOCX, HTML: the table (every table in document order, from 1); XLSX: sheet"
    ),
    Column("src_row", "number", "the row of that table as the document writes it (XLSX: its row number)"),
    Column("src_col", "number", "the cell within that row (XLSX: its column number)"),
    Column("src_element", "string", "HTML table written as paragraphs: XPath of the element holding it"),
    Column("src_start", "number", "the figure's first character in that element's text (from 0)"),
    Column("src_end", "number", "the character after its last one (text[src_start:src_end] is raw)"),
)

TABLES: tuple[Table, ...] = (
    Table(
        "reports", "Reports, one row each, with their main figures and rates", _REPORT_COLUMNS, ("report_id",)
    ),
    Table(
        "figures",
        "Every figure of every report (long)",
        (
            Column("report_id", "integer", "the report (reports.report_id)"),
            Column("section", "string", "section code: active (二), applications (三), appeals (四)"),
            Column("row", "string", "row code (codebook)"),
            Column("col", "string", "column code (codebook)"),
            Column("value", "number", "the figure; null when the cell is blank (never 0 for unknown)"),
            Column("raw", "string", "the cell's text as printed"),
            Column("row_label", "string", "the row's Chinese label in the template"),
            Column("col_label", "string", "the column's Chinese label in the template"),
            Column("placed_by", "string", "how the cell was placed: label, number, order, or derived"),
            Column("ocr", "integer", "1 when read by OCR from a scan or picture"),
            *PLACE_COLUMNS,
        ),
        ("report_id", "section", "row", "col"),
        ("report_id", "reports"),
    ),
    Table(
        "checks",
        "Consistency rules per report",
        (
            Column("report_id", "integer", "the report (reports.report_id)"),
            Column("rule", "string", "the rule (codebook, kind rule)"),
            Column("status", "string", "ok, failed, or unknown (the cells it needs are blank)"),
            Column("detail", "string", "what was compared"),
        ),
        ("report_id", "rule"),
        ("report_id", "reports"),
    ),
    Table(
        "codebook",
        "Every code, column and rule, in Chinese and English",
        (
            Column(
                "kind", "string", "figure (a code of the templates), column (of reports), rule (of checks)"
            ),
            Column("code", "string", "section|row|col for a figure, the column or rule name otherwise"),
            Column("section", "string", "a figure's section"),
            Column("row", "string", "a figure's row"),
            Column("col", "string", "a figure's column"),
            Column("label_zh", "string", "Chinese label (the template's words)"),
            Column("label_en", "string", "English label"),
            Column("templates", "string", "the templates that have the figure, space-separated"),
            Column("derivation", "string", "how a value is derived, when it is not printed as such"),
            Column(
                "crosswalk",
                "string",
                "a figure across the 2019 → 2021 template change: same, split (the total continues), changed "
                "(stands where the other template's code stood, counts something else), dropped or added",
            ),
            Column(
                "counterpart",
                "string",
                "the other template's code(s) in its place (section|row|col, space-separated), and in words",
            ),
        ),
        ("kind", "code"),
    ),
    Table(
        "manifest",
        "The archived originals the reports were read from, by SHA-256",
        (
            Column("sha256", "string", "SHA-256 of the original's bytes: its name in the archive"),
            Column("size", "integer", "bytes"),
            Column("media_type", "string", "media type read from the bytes"),
            Column("filename", "string", "file name the server or the package gave"),
            Column("first_url", "string", "the first URL it was archived from"),
            Column("first_seen", "string", "when it was first archived (UTC, ISO 8601)"),
            Column("report_ids", "string", "the reports it is a copy of, space-separated"),
        ),
        ("sha256",),
    ),
)
TABLE = {t.name: t for t in TABLES}


# --- the codebook -------------------------------------------------------------------------------------------


template_codes = crosswalk.template_codes  # the codes of one template in its printed order


def _crosswalk_of() -> dict[Code, tuple[str, str]]:
    """Each figure's relation across the template change and its counterpart (codes, then words)."""
    out: dict[Code, tuple[str, str]] = {}
    for link in crosswalk.crosswalk():
        for mine, other in ((link.y2019, link.y2021), (link.y2021, link.y2019)):
            for code in mine:
                relation = "added" if link.relation == "split" and code not in link.y2019 else link.relation
                words = " ".join("|".join(c) for c in other if c != code)
                out[code] = (relation, f"{words} ({link.zh}; {link.en})".strip())
    return out


def codebook_rows() -> list[tuple[Any, ...]]:
    walk = _crosswalk_of()
    by_code: dict[Code, list[str]] = {}
    for tpl in ("2021", "2019"):
        for code in template_codes(tpl):
            by_code.setdefault(code, []).append(tpl)
    rows: list[tuple[Any, ...]] = []
    for (section, row, col), tpls in by_code.items():
        tpl = tpls[0]
        zh = f"{codes.row_label(section, row)}｜{codes.col_label(section, col, tpl, row)}"
        en = f"{english.ROW_EN[section].get(row, row)} | {english.COL_EN[section].get(col, col)}"
        derivation = None
        if section == "applications" and row == "other" and "2021" in tpls:
            derivation = (
                "2021 template: printed, or when not printed the sum of other.no_correction, other.no_fee "
                "and other.other (placed_by = derived)"
            )
        templates = " ".join(sorted(tpls))
        relation, counterpart = walk[(section, row, col)]
        rows.append(
            ("figure", f"{section}|{row}|{col}", section, row, col, zh, en, templates, derivation, relation,
             counterpart)
        )  # fmt: skip
    for w in (*WIDE_COLUMNS, *RANKS):
        rows.append(("column", w.name, None, None, None, w.zh, w.en, None, w.derivation, None, None))
    for rule, (zh, en) in english.RULES.items():
        rows.append(("rule", rule, None, None, None, zh, en, None, None, None, None))
    return rows


# --- the release ---------------------------------------------------------------------------------------------


@dataclass
class Release:
    out: Path
    version: str
    date: str
    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


class ReleaseError(GovarchiveError):
    pass


def release_date(conn: sqlite3.Connection) -> str:
    """The day the corpus last learned something: its latest finished crawl run, capture or sighting."""
    latest = conn.execute(
        """SELECT max(d) FROM (SELECT max(finished_at) AS d FROM crawl_runs
                               UNION ALL SELECT max(fetched_at) FROM captures
                               UNION ALL SELECT max(last_seen) FROM reports)"""
    ).fetchone()[0]
    if not latest:
        raise ReleaseError("the corpus records no date: give one with --date YYYY-MM-DD")
    return str(latest)[:10]


_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}")


def write_release(
    conn: sqlite3.Connection,
    out: Path | None,
    *,
    releases_dir: Path | None = None,
    version: str | None = None,
    date: str | None = None,
    bom: bool = False,
    force: bool = False,
) -> Release:
    """Write a release of the corpus open on `conn` (read-only is enough) into the folder `out`.

    Without `out`, the release goes to `releases_dir/<version>` (DATA/releases: where the researcher's site
    finds it). `out` must be absent or empty unless `force` (its release files are then replaced). Bad usage (a bad
    version or date, a non-empty folder, an empty corpus) is a ReleaseError (exit 2); an `out` that cannot be
    written is a DataFolderError (exit 3). Files are written in a hidden folder beside `out` and moved in at
    the end, so a failed release leaves no half-written files under their names.
    """
    if date is not None:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
                raise ValueError
            datetime.date.fromisoformat(date)
        except ValueError:
            raise ReleaseError(f"--date {date!r}: not a day (YYYY-MM-DD, e.g. 2026-01-31)") from None
    if version is not None and not _VERSION.fullmatch(version):
        raise ReleaseError(f"--version {version!r}: use letters, digits and . + _ - (at most 64)")
    n_reports = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    if not n_reports:
        raise ReleaseError("the corpus holds no report: nothing to release")
    day = date or release_date(conn)
    rel_version = version or day.replace("-", ".")
    if out is None:
        if releases_dir is None:
            raise ReleaseError("no --out folder given")
        out = releases_dir / rel_version
    with _writing(out):
        if out.exists() and not out.is_dir():
            raise DataFolderError(f"--out {out}: cannot write there (it is a file)")
        if out.is_dir() and any(out.iterdir()) and not force:
            raise ReleaseError(f"--out {out}: the folder is not empty (--force replaces its release files)")
    rel = Release(out=out, version=rel_version, date=day)
    with _writing(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            _write_all(conn, tmp, rel, bom)
            out.mkdir(exist_ok=True)
            for name in rel.files:
                os.replace(tmp / name, out / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return rel


@contextlib.contextmanager
def _writing(out: Path) -> Iterator[None]:
    try:
        yield
    except OSError as e:
        why = "a part of the path is a file" if e.errno in (errno.ENOTDIR, errno.EEXIST) else e.strerror
        raise DataFolderError(f"--out {out}: cannot write there ({why or e})") from None


def _write_all(conn: sqlite3.Connection, folder: Path, rel: Release, bom: bool) -> None:
    producers: dict[str, Callable[[], Iterator[list[tuple[Any, ...]]]]] = {
        "reports": lambda: _wide_batches(conn),
        "figures": lambda: _figure_batches(conn),
        "checks": lambda: _query_batches(
            conn, "SELECT report_id, rule, status, detail FROM report_checks ORDER BY report_id, rule"
        ),
        "codebook": lambda: iter([codebook_rows()]),
        "manifest": lambda: _manifest_batches(conn),
    }
    for table in TABLES:
        rel.rows[table.name] = _write_table(folder, table, producers[table.name](), bom)
        rel.files += [f"{table.name}.csv", f"{table.name}.parquet"]
    _write_text(
        folder / "datapackage.json",
        json.dumps(_datapackage(folder, rel, bom), ensure_ascii=False, indent=2) + "\n",
    )
    _write_text(folder / "CITATION.cff", _citation(rel))
    _write_text(folder / "README.md", _readme(rel, bom))
    rel.files += ["datapackage.json", "CITATION.cff", "README.md"]
    sums = "".join(f"{_sha256(folder / name)}  {name}\n" for name in sorted(rel.files))
    _write_text(folder / "SHA256SUMS", sums)
    rel.files.append("SHA256SUMS")


def _write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- rows ----------------------------------------------------------------------------------------------------


def _query_batches(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()
) -> Iterator[list[tuple[Any, ...]]]:
    cur = conn.execute(sql, params)
    try:
        while batch := cur.fetchmany(BATCH):
            yield [tuple(r) for r in batch]
    finally:
        cur.close()


def _figure_batches(conn: sqlite3.Connection) -> Iterator[list[tuple[Any, ...]]]:
    """The figures with their places (a corpus from before a place migration: those columns null)."""
    have = {r[1] for r in conn.execute("PRAGMA table_info(report_stats)")}
    places = ", ".join(c if c in have else "NULL" for c in PLACE_SOURCES)
    sql = f"""SELECT report_id, section, row, col, value, raw, row_label, col_label, placed_by, ocr, {places}
              FROM report_stats ORDER BY report_id, section, row, col"""
    for batch in _query_batches(conn, sql):
        yield [(*r[:10], *place_values(r[10:])) for r in batch]


def _manifest_batches(conn: sqlite3.Connection) -> Iterator[list[tuple[Any, ...]]]:
    """One row per original: report copies (report_sources) and every report's figure source."""
    sql = """SELECT s.sha256, d.size, d.media_type, d.filename, d.first_url, d.first_seen, s.report_id
             FROM (SELECT sha256, report_id FROM report_sources
                   UNION SELECT sha256, id FROM reports WHERE sha256 IS NOT NULL) s
             LEFT JOIN documents d ON d.sha256 = s.sha256
             ORDER BY s.sha256, s.report_id"""
    batch: list[tuple[Any, ...]] = []
    current: list[Any] | None = None
    for rows in _query_batches(conn, sql):
        for sha, size, media, filename, url, seen, report_id in rows:
            if current is not None and current[0] == sha:
                current[-1].append(str(report_id))
                continue
            if current is not None:
                batch.append((*current[:-1], " ".join(current[-1])))
            current = [sha, size, media, filename, url, seen, [str(report_id)]]
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if current is not None:
        batch.append((*current[:-1], " ".join(current[-1])))
    yield batch


def _wide_batches(conn: sqlite3.Connection) -> Iterator[list[tuple[Any, ...]]]:
    """The wide rows with their ranks: a first pass computes every annual report's rates and ranks them within
    its region and year (a few numbers per report kept), the second writes the rows."""
    rate_at = [i for i, c in enumerate(_REPORT_COLUMNS) if c.name in measures.RATE]
    at = {c.name: i for i, c in enumerate(_REPORT_COLUMNS)}
    groups: dict[tuple[Any, Any], dict[int, list[float | None]]] = {}
    for batch in _wide_rows(conn):
        for row in batch:
            if row[at["kind"]] == "annual_report":
                key = (row[at["region"]], row[at["year"]])
                groups.setdefault(key, {})[row[0]] = [row[i] for i in rate_at]
    ranked: dict[int, list[int | None]] = {}
    for members in groups.values():
        for j in range(len(rate_at)):
            for rid, rank in measures.ranks({rid: v[j] for rid, v in members.items()}).items():
                ranked.setdefault(rid, []).append(rank)
    blank = [None] * len(rate_at)
    for batch in _wide_rows(conn):
        yield [(*row, *ranked.get(row[0], blank)) for row in batch]


def _wide_rows(conn: sqlite3.Connection) -> Iterator[list[tuple[Any, ...]]]:
    wanted = list(measures.FIGURE_CODES)
    populations = _populations(conn)
    code_index = {c: i for i, c in enumerate(wanted)}
    in_list = ", ".join("(?, ?, ?)" for _ in wanted)
    flat = [part for c in wanted for part in c]
    # The body's division code and kind (its deadline) from the bodies table; null in a corpus before it.
    body = (
        "(SELECT b.division_code FROM bodies b WHERE b.id = reports.body_id), "
        "(SELECT b.kind FROM bodies b WHERE b.id = reports.body_id)"
        if has_table(conn, "bodies")
        else "NULL, NULL"
    )
    last = 0
    while True:
        reports = conn.execute(
            f"""SELECT id, agency, region, site_id, year, kind, template, title, published_at, first_seen,
                      last_seen, removed_at, sha256, source_url, page_url, {body}
               FROM reports WHERE id > ? ORDER BY id LIMIT ?""",
            (last, REPORT_BATCH),
        ).fetchall()
        if not reports:
            return
        lo, hi = reports[0][0], reports[-1][0]
        last = hi
        values: dict[int, list[float | None]] = {}
        for rid, section, row, col, value in conn.execute(
            f"""SELECT report_id, section, row, col, value FROM report_stats
                WHERE report_id BETWEEN ? AND ? AND (section, row, col) IN (VALUES {in_list})""",
            (lo, hi, *flat),
        ):
            values.setdefault(rid, [None] * len(wanted))[code_index[(section, row, col)]] = value
        counts = dict(
            conn.execute(
                """SELECT report_id, count(value) FROM report_stats WHERE report_id BETWEEN ? AND ?
                   GROUP BY report_id""",
                (lo, hi),
            ).fetchall()
        )
        failed: dict[int, list[str]] = {}
        for rid, rule in conn.execute(
            """SELECT report_id, rule FROM report_checks WHERE report_id BETWEEN ? AND ? AND status = 'failed'
               ORDER BY report_id, rule""",
            (lo, hi),
        ):
            failed.setdefault(rid, []).append(rule)
        batch = []
        for r in reports:
            rid = r[0]
            figures = values.get(rid, [None] * len(wanted))
            population = measures.nearest_population(populations.get(r[2] or "", []), r[4])
            wide = _wide_values(figures, code_index, population, r[8], r[4], r[1], r[16])
            head = (rid, r[1], r[2], r[15], *r[3:15])
            batch.append((*head, counts.get(rid, 0), " ".join(failed.get(rid, [])) or None, *wide))
        yield batch


def _wide_values(
    figures: list[float | None],
    index: dict[Code, int],
    population: float | None = None,
    published_at: str | None = None,
    year: int | None = None,
    agency: str | None = None,
    body_kind: str | None = None,
) -> list[Any]:
    """The derived columns of one report, in WIDE_COLUMNS order (measures.compute; rates to 6 decimals)."""
    got: dict[str, Any] = dict(measures.compute({c: figures[i] for c, i in index.items()}, population))
    for name in measures.RATE:
        got[name] = None if got[name] is None else round(got[name], 6)
    got[measures.POPULATION] = None if population is None else int(population)
    got["deadline"] = measures.deadline(year, agency, body_kind)
    got["on_time"] = measures.on_time(published_at, year, agency, body_kind)
    return [got[w.name] for w in WIDE_COLUMNS]


def _populations(conn: sqlite3.Connection) -> dict[str, list[tuple[int, float]]]:
    """The operator's populations by region (none when the corpus predates the table)."""
    if not has_table(conn, "populations"):
        return {}
    out: dict[str, list[tuple[int, float]]] = {}
    for region, year, population in conn.execute("SELECT region, year, population FROM populations"):
        out.setdefault(region, []).append((int(year), float(population)))
    return out


# --- files ---------------------------------------------------------------------------------------------------


def _arrow_schema(table: Table) -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64()}
    return pa.schema([pa.field(c.name, types[c.type]) for c in table.columns])


def _write_table(folder: Path, table: Table, batches: Iterator[list[tuple[Any, ...]]], bom: bool) -> int:
    """Both files of one table from the same batches; returns its number of rows."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    schema = _arrow_schema(table)
    n = 0
    with (folder / f"{table.name}.csv").open("wb") as csv_file:
        if bom:
            csv_file.write(b"\xef\xbb\xbf")
        csv_writer = pacsv.CSVWriter(
            csv_file, schema, write_options=pacsv.WriteOptions(quoting_style="needed")
        )
        parquet = pq.ParquetWriter(
            folder / f"{table.name}.parquet", schema, compression="zstd", write_statistics=True
        )
        try:
            for rows in batches:
                if not rows:
                    continue
                columns = list(zip(*rows, strict=True))
                batch = pa.record_batch(
                    [pa.array(col, type=f.type) for col, f in zip(columns, schema, strict=True)],
                    schema=schema,
                )
                csv_writer.write_batch(batch)
                parquet.write_batch(batch)
                n += len(rows)
            if n == 0:
                csv_writer.write_table(schema.empty_table())
                parquet.write_table(schema.empty_table())
        finally:
            csv_writer.close()
            parquet.close()
    return n


def _field(c: Column) -> dict[str, Any]:
    return {"name": c.name, "type": c.type, "description": c.description}


def _datapackage(folder: Path, rel: Release, bom: bool) -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    for table in TABLES:
        schema: dict[str, Any] = {
            "fields": [_field(c) for c in table.columns],
            "primaryKey": list(table.primary_key),
            "missingValues": [""],
        }
        csv_schema = dict(schema)
        if table.foreign_key:
            column, resource = table.foreign_key
            csv_schema["foreignKeys"] = [
                {"fields": [column], "reference": {"resource": resource, "fields": ["report_id"]}}
            ]
        name = table.name
        resources.append(
            {
                "name": name,
                "title": table.title,
                "path": f"{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",  # with --bom too: readers (frictionless, pandas) skip a UTF-8 BOM
                "bytes": (folder / f"{name}.csv").stat().st_size,
                "hash": "sha256:" + _sha256(folder / f"{name}.csv"),
                "schema": csv_schema,
            }
        )
    for table in TABLES:
        name = table.name
        resources.append(
            {
                "name": f"{name}-parquet",
                "title": f"{table.title} (Parquet)",
                "path": f"{name}.parquet",
                "profile": "tabular-data-resource",
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "schema": {
                    "fields": [_field(c) for c in table.columns],
                    "primaryKey": list(table.primary_key),
                },
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "govarchive-reports",
        "title": "政府信息公开工作年度报告 — Chinese government information-disclosure annual reports",
        "description": (
            "Reports, their statistical figures under the national templates' codes, consistency checks, "
            "a codebook in Chinese and English, and a manifest of the archived originals, made by "
            "`govarchive release` from a govarchive corpus."
        ),
        "version": rel.version,
        "created": f"{rel.date}T00:00:00Z",
        "keywords": ["open government information", "政府信息公开", "annual reports", "China"],
        "sources": [
            {"title": "Government portals of the People's Republic of China (archived originals: manifest)"}
        ],
        "govarchive": {"release_date": rel.date, "rows": dict(rel.rows), "csv_bom": bom},
        "resources": resources,
    }


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _citation(rel: Release) -> str:
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this data set, please cite it as below."',
        "type: dataset",
        f"title: {_yaml_str('Chinese government information-disclosure annual reports (政府信息公开工作年度报告): figures and checks, release ' + rel.version)}",
        f"version: {_yaml_str(rel.version)}",
        f"date-released: {_yaml_str(rel.date)}",
        "authors:",
        f"  - name: {_yaml_str('govarchive contributors')}",
        f"abstract: {_yaml_str(_abstract(rel))}",
        "keywords:",
        *(
            f"  - {_yaml_str(k)}"
            for k in ("open government information", "政府信息公开", "China", "annual reports")
        ),
    ]
    return "\n".join(lines) + "\n"


def _abstract(rel: Release) -> str:
    r = rel.rows
    return (
        f"{r.get('reports', 0):,} reports with {r.get('figures', 0):,} figures and {r.get('checks', 0):,} "
        f"consistency checks, read from {r.get('manifest', 0):,} archived originals (by SHA-256), as of {rel.date}."
    )


def _readme(rel: Release, bom: bool) -> str:
    out = io.StringIO()
    out.write(f"# govarchive release {rel.version} ({rel.date})\n\n{_abstract(rel)}\n\n")
    out.write("| file | rows | what |\n|---|---|---|\n")
    for t in TABLES:
        out.write(f"| {t.name}.csv, {t.name}.parquet | {rel.rows.get(t.name, 0):,} | {t.title} |\n")
    out.write(
        "\nCSV: UTF-8"
        + (" with a byte-order mark (for Excel on Chinese Windows)" if bom else "")
        + ", a blank cell is null (a blank figure is never 0). `datapackage.json` describes every column "
        "(Frictionless Data Package; `frictionless validate datapackage.json`), `codebook` gives every code "
        "in Chinese and English and how each derived column is computed, `SHA256SUMS` the files' digests "
        "(`sha256sum -c SHA256SUMS`), `CITATION.cff` how to cite this release.\n"
        "\nEach figure says where it was read in its report's original (`reports.source_sha256`, listed in "
        "`manifest`): `src_page` and the box `src_x0,src_y0,src_x1,src_y1` (points from the page's top-left) "
        "for PDF, OFD and scans; `src_table`, `src_row`, `src_col` for DOCX, HTML tables and spreadsheets; "
        "`src_element` (XPath) and `src_start`/`src_end` (characters of that element's text) for an HTML table "
        "written as paragraphs. Null: not read from one place (`placed_by` = derived, or blank).\n"
    )
    return out.getvalue()


# --- releases kept in the data folder, for the researcher's site -----------------------------------------------

RELEASE_FILES = frozenset(
    {f"{t.name}.{ext}" for t in TABLES for ext in ("csv", "parquet")}
    | {"datapackage.json", "CITATION.cff", "README.md", "SHA256SUMS"}
)


@dataclass(frozen=True)
class Kept:
    """A release found in DATA/releases: its folder, version, date, rows and files (name, bytes)."""

    folder: Path
    version: str
    date: str
    rows: dict[str, int]
    files: list[tuple[str, int]]


def kept_releases(releases_dir: Path) -> list[Kept]:
    """The complete releases under `releases_dir` (a folder each, with its datapackage.json), latest first:
    by release date, then version. Folders being written (hidden) or without a readable package are left out."""
    found: list[Kept] = []
    if not releases_dir.is_dir():
        return found
    for folder in releases_dir.iterdir():
        if folder.name.startswith(".") or not _VERSION.fullmatch(folder.name):
            continue
        try:
            package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
            files = [(name, (folder / name).stat().st_size) for name in sorted(RELEASE_FILES)]
            info = package.get("govarchive", {})
            found.append(
                Kept(folder, str(package["version"]), str(info["release_date"]), dict(info["rows"]), files)
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(found, key=lambda k: (k.date, k.version, k.folder.name), reverse=True)
