"""Whole exports, streamed: every row that matches, as CSV or JSON, read in batches by key (never
OFFSET, never Datasette's max_returned_rows), counts as integers. The row count is sent up front
(X-Total-Rows) so a client can tell a cut transfer from a complete one; the CSV's last byte is a newline."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from archive.report import codes
from archive.store.reports import PLACE_FIELDS, PLACE_SOURCES, place_values
from govarchive.datasette_plugin import vocab
from govarchive.datasette_plugin.data import number, region_range

BATCH_REPORTS = 200

FIGURE_COLUMNS = [
    "report_id",
    "agency",
    "region",
    "year",
    "kind",
    "template",
    "section",
    "section_zh",
    "section_en",
    "row",
    "row_zh",
    "row_en",
    "col",
    "col_zh",
    "col_en",
    "value",
    "raw",
    "placed_by",
    "ocr",
    "source_sha256",
    *PLACE_FIELDS,  # where in source_sha256 the figure was read (as the release's figures table)
]
REPORT_COLUMNS = [
    "id",
    "site_id",
    "agency",
    "region",
    "year",
    "kind",
    "title",
    "template",
    "published_at",
    "first_seen",
    "last_seen",
    "removed_at",
    "page_url",
    "source_url",
    "sha256",
    "figures",
    "failed_checks",
]

REPORT_FILTERS = ("agency", "region", "year", "kind", "report_id")
FIGURE_FILTERS = (*REPORT_FILTERS, "section", "row", "col")


def report_where(args: dict[str, str]) -> tuple[str, dict[str, Any]]:
    where, params = [], {}
    for name in REPORT_FILTERS:
        v = args.get(name, "")
        if not v:
            continue
        if name == "region":
            where.append(region_range())  # the same places, through the region index
        elif name == "report_id":
            where.append("r.id = :report_id")
        else:
            where.append(f"r.{name} = :{name}")
        params[name] = int(v) if name in ("year", "report_id") and v.isdigit() else v
    return " AND ".join(where) or "1", params


def _code_where(args: dict[str, str]) -> tuple[str, dict[str, Any]]:
    where, params = [], {}
    for name in ("section", "row", "col"):
        if args.get(name):
            where.append(f"s.{name} = :{name}")
            params[name] = args[name]
    return " AND ".join(where) or "1", params


def count_figures(conn: sqlite3.Connection, args: dict[str, str]) -> int:
    rw, rp = report_where(args)
    cw, cp = _code_where(args)
    if rw == "1":  # every figure row has its report (foreign key): the figures' indexes alone
        sql = f"SELECT count(*) FROM report_stats s WHERE {cw}"
    else:  # the chosen reports first (their indexes), then each one's figures by its key (CROSS JOIN: in order)
        sql = f"SELECT count(*) FROM reports r CROSS JOIN report_stats s ON s.report_id = r.id WHERE {rw} AND {cw}"
    return int(conn.execute(sql, {**rp, **cp}).fetchone()[0])


def count_reports(conn: sqlite3.Connection, args: dict[str, str]) -> int:
    rw, rp = report_where(args)
    return int(conn.execute(f"SELECT count(*) FROM reports r WHERE {rw}", rp).fetchone()[0])


def figures_batch(
    conn: sqlite3.Connection, args: dict[str, str], after: int
) -> tuple[int | None, list[list[Any]]]:
    """The figures of the next reports after id `after`, each report's in its template's order."""
    rw, rp = report_where(args)
    cw, cp = _code_where(args)
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT r.id FROM reports r WHERE {rw} AND r.id > :after ORDER BY r.id LIMIT {BATCH_REPORTS}",
            {**rp, "after": after},
        )
    ]
    if not ids:
        return None, []
    marks = ",".join(str(int(i)) for i in ids)
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = cur.execute(
        f"""SELECT r.id AS report_id, r.agency, r.region, r.year, r.kind, r.template, s.section, s.row, s.col,
                   s.value, s.raw, s.row_label, s.col_label, s.placed_by, s.ocr, s.source_sha256,
                   {", ".join("s." + c for c in PLACE_SOURCES)}
            FROM report_stats s JOIN reports r ON r.id = s.report_id
            WHERE r.id IN ({marks}) AND {cw}""",
        cp,
    ).fetchall()

    def key(r: sqlite3.Row) -> tuple[int, int, str, str, str]:
        order = vocab.order_key(r["template"])
        return (
            r["report_id"],
            order.get((r["section"], r["row"], r["col"]), 10**6),
            r["section"],
            r["row"],
            r["col"],
        )

    out = []
    for r in sorted(rows, key=key):
        row_zh, col_zh = vocab.label_zh(r["section"], r["row"], r["col"])
        out.append(
            [
                r["report_id"],
                r["agency"],
                r["region"],
                r["year"],
                r["kind"],
                r["template"],
                r["section"],
                codes.SECTIONS.get(r["section"], ""),
                vocab.SECTION_EN.get(r["section"], ""),
                r["row"],
                r["row_label"] or row_zh,
                vocab.row_en(r["section"], r["row"]),
                r["col"],
                r["col_label"] or col_zh,
                vocab.col_en(r["section"], r["col"]),
                number(r["value"]),
                r["raw"],
                r["placed_by"],
                r["ocr"],
                r["source_sha256"],
                *place_values([r[c] for c in PLACE_SOURCES]),
            ]
        )
    return ids[-1], out


def reports_batch(
    conn: sqlite3.Connection, args: dict[str, str], after: int
) -> tuple[int | None, list[list[Any]]]:
    rw, rp = report_where(args)
    rows = conn.execute(
        f"""SELECT r.id, r.site_id, r.agency, r.region, r.year, r.kind, r.title, r.template, r.published_at,
                   r.first_seen, r.last_seen, r.removed_at, r.page_url, r.source_url, r.sha256,
                   (SELECT count(*) FROM report_stats s WHERE s.report_id = r.id AND s.value IS NOT NULL),
                   (SELECT group_concat(c.rule, ' ') FROM report_checks c
                    WHERE c.report_id = r.id AND c.status = 'failed')
            FROM reports r WHERE {rw} AND r.id > :after ORDER BY r.id LIMIT 1000""",
        {**rp, "after": after},
    ).fetchall()
    if not rows:
        return None, []
    return rows[-1][0], [list(r) for r in rows]


Batch = Callable[[int], Awaitable[tuple[int | None, list[list[Any]]]]]
Write = Callable[[str], Awaitable[None]]


async def stream(write: Write, fmt: str, columns: list[str], batch: Batch) -> int:
    """Write every batch as CSV or JSON (an array of objects); returns the number of rows written."""
    after, n = 0, 0
    if fmt == "csv":
        await write(_csv_line(columns))
    else:
        await write("[")
    while True:
        last, rows = await batch(after)
        if last is None:
            break
        after = last
        if fmt == "csv":
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerows(rows)
            await write(buf.getvalue())
        elif rows:  # a batch may hold none (200 reports without the figure): no empty element
            chunk = ",\n".join(
                json.dumps(dict(zip(columns, r, strict=True)), ensure_ascii=False) for r in rows
            )
            await write(("\n" if n == 0 else ",\n") + chunk)
        n += len(rows)
    if fmt != "csv":
        await write("\n]\n")
    return n


def _csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


# --- any read-only query, whole ---------------------------------------------------------------------------

RESERVED_ARGS = {"sql", "canned"}


def query_rows(
    conn: sqlite3.Connection, sql: str, params: dict[str, str]
) -> tuple[sqlite3.Cursor, list[str]]:
    """Start a query on a connection of its own (read-only, query_only): its rows are then fetched in
    batches while the response streams, with no row cap."""
    conn.execute("PRAGMA query_only = 1")
    cur = conn.execute(sql, params)
    return cur, [d[0] for d in cur.description or []]


async def stream_cursor(
    write: Write, fmt: str, columns: list[str], fetch: Callable[[], Awaitable[list[Any]]]
) -> int:
    """Like `stream`, from a cursor. An error after the first byte cannot change the status any more, so
    it is written into the body where nobody can miss it: a last CSV line or a JSON that does not parse."""
    n = 0
    await write(_csv_line(columns) if fmt == "csv" else "[")
    try:
        while rows := await fetch():
            data = [[number(v) for v in r] for r in rows]
            if fmt == "csv":
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerows(data)
                await write(buf.getvalue())
            else:
                chunk = ",\n".join(
                    json.dumps(dict(zip(columns, r, strict=True)), ensure_ascii=False) for r in data
                )
                await write(("\n" if n == 0 else ",\n") + chunk)
            n += len(rows)
    except sqlite3.Error as e:
        await write(f"\nERROR: export stopped after {n} rows: {e}\n")
        return n
    if fmt != "csv":
        await write("\n]\n")
    return n
