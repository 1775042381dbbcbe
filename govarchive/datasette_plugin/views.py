"""The routes of the researcher's pages (registered in __init__.py). Each reads the corpus through
data.py / search.py / export.py in Datasette's SQL threads and renders a template of templates/."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasette.utils import InvalidSql, validate_sql_select
from datasette.utils.asgi import AsgiStream, NotFound, Request, Response, asgi_send_file

from archive.report import codes
from govarchive.datasette_plugin import charts, data, download, export, schema, search, tables, vocab

if TYPE_CHECKING:  # annotations only: an installed plugin is imported while datasette.app still loads
    from datasette.app import Datasette
    from datasette.database import Database

DATABASE = "corpus"
# The figures a body's page draws across years (section 三 总计 and the appeals totals).
HEADLINE: list[tuple[data.Key, str]] = [
    (("applications", "new", "total"), "新收申请 new"),
    (("applications", "granted", "total"), "予以公开 disclosed"),
    (("applications", "processed_total", "total"), "办理总计 handled"),
    (("appeals", "review", "total"), "行政复议 reviews"),
    (("appeals", "litigation_direct", "total"), "直接起诉 lawsuits"),
]


def corpus(datasette: Datasette) -> Database:
    try:
        return datasette.get_database(DATABASE)
    except KeyError:
        return datasette.get_database()


def data_dir(db: Database) -> Path:
    return Path(str(db.path)).parent


def _int(value: str | None) -> int | None:
    """A non-negative integer SQLite can hold, else None (the page then answers 404 or ignores it)."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def parse_code(args: Any) -> data.Key:
    """A code from `code=section|row|col` (the picker) or from section, row and col."""
    if args.get("code"):
        parts = args["code"].split("|")
        if len(parts) == 3:
            return parts[0], parts[1], parts[2]
    return (
        args.get("section") or "applications",
        args.get("row") or "new",
        args.get("col") or "total",
    )


def code_title(key: data.Key) -> str:
    row_zh, col_zh = vocab.label_zh(*key)
    return f"{vocab.SECTION_NUMBER.get(key[0], '')} {row_zh} · {col_zh}"


def code_options() -> list[dict[str, str]]:
    return [
        {
            "value": "|".join(k),
            "label": f"{code_title(k)} — {vocab.row_en(k[0], k[1])} · {vocab.col_en(k[0], k[2])}",
        }
        for k in vocab.all_codes()
    ]


async def _render(datasette: Datasette, request: Request, template: str, **context: Any) -> Response:
    html = await datasette.render_template(template, {"database": DATABASE, **context}, request=request)
    return Response.html(html)


async def report_page(request: Request, datasette: Datasette) -> Response:
    as_json = request.url_vars.get("format") == "json"
    given = _int(request.url_vars["id"])
    if given is None:
        raise NotFound("No such report")
    rid: int = given
    db = corpus(datasette)
    rep = await db.execute_fn(lambda c: data.report(c, rid))
    if rep is None:
        raise NotFound("No such report")
    srcs = await db.execute_fn(lambda c: data.sources(c, rid))
    stats = await db.execute_fn(lambda c: data.stats(c, rid))
    chks = await db.execute_fn(lambda c: data.checks(c, rid))
    years = await db.execute_fn(lambda c: data.body_reports(c, rep["agency"]))
    prev = await db.execute_fn(lambda c: data.previous_report(c, rid))
    for s in srcs:
        s["download"] = datasette.urls.path(f"/blob/{s['sha256']}")
        s["media"] = download.media_type(s["media_type"])
    if as_json:
        order = vocab.order_key(rep["template"])
        stats.sort(
            key=lambda f: (
                order.get((f["section"], f["row"], f["col"]), 10**6),
                f["section"],
                f["row"],
                f["col"],
            )
        )
        return Response.json(
            {"report": rep, "sources": srcs, "figures": stats, "checks": chks, "other_years": years},
            default=str,
        )
    sections, left = tables.layout(rep["template"], stats)
    rule_order = list(vocab.RULES)
    chks.sort(key=lambda c: (rule_order.index(c["rule"]) if c["rule"] in rule_order else 99, c["rule"]))
    for c in chks:
        c["zh"], c["en"] = vocab.RULES.get(c["rule"], (c["rule"], c["rule"]))
        c["verdict_zh"], c["verdict_en"] = vocab.STATUS_WORDS.get(c["status"], (c["status"], c["status"]))
    return await _render(
        datasette,
        request,
        "ga_report.html",
        report=rep,
        sources=srcs,
        sections=sections,
        left=left,
        checks=chks,
        years=years,
        previous=prev,
        derived_count=sum(1 for s in stats if s["placed_by"] == "derived"),
        figure_count=sum(1 for s in stats if s["value"] is not None),
        kind_en=vocab.KIND_EN,
        templates=codes.TEMPLATES,
    )


class BlobResponse:
    """The archived bytes, streamed from the store in 64 KiB chunks."""

    def __init__(self, path: Path, content_type: str, headers: dict[str, str]) -> None:
        self.path, self.content_type, self.headers = path, content_type, headers

    async def asgi_send(self, send: Any) -> None:
        await asgi_send_file(
            send, self.path, content_type=self.content_type, chunk_size=1 << 16, headers=self.headers
        )


async def blob(request: Request, datasette: Datasette) -> BlobResponse:
    sha = request.url_vars["sha256"]
    db = corpus(datasette)
    path = download.path_in_store(data_dir(db), sha)
    if path is None:
        raise NotFound("Not an archived document")
    doc = await db.execute_fn(lambda c: data.blob(c, sha))
    if doc is None or not path.is_file():
        raise NotFound("Not an archived document")
    name = download.file_name(
        sha, doc["media_type"], doc["filename"], doc["first_url"], doc["agency"], doc["year"]
    )
    return BlobResponse(path, download.media_type(doc["media_type"]), download.headers(name, sha))


async def compare_index(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    ch = await db.execute_fn(data.choices)
    return await _render(datasette, request, "ga_compare.html", choices=ch, code_options=code_options())


async def compare_body(request: Request, datasette: Datasette) -> Response:
    agency = request.args.get("agency", "")
    db = corpus(datasette)
    ch = await db.execute_fn(data.choices)
    reps = await db.execute_fn(lambda c: data.body_reports(c, agency)) if agency else []
    keys = [k for k, _ in HEADLINE]
    ids = [r["id"] for r in reps]
    vals = await db.execute_fn(lambda c: data.values_of(c, ids, keys))
    years = sorted({r["year"] for r in reps if r["year"] is not None})
    by_year = {r["year"]: r for r in reps if r["kind"] == "annual_report"}
    series = {
        label: [vals.get((by_year[y]["id"], k)) if y in by_year else None for y in years]
        for k, label in HEADLINE
    }
    chart = charts.line_chart(years, series, f"{agency} — 历年主要数字 figures by year") if years else ""
    rows = [{"report": r, "values": [vals.get((r["id"], k)) for k in keys]} for r in reps]
    return await _render(
        datasette,
        request,
        "ga_body.html",
        agency=agency,
        choices=ch,
        chart=chart,
        rows=rows,
        headline=[label for _, label in HEADLINE],
    )


async def compare_changes(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    given = _int(request.args.get("id"))
    if given is None:
        raise NotFound("No such report: pass ?id=<report id>")
    rid: int = given
    after = await db.execute_fn(lambda c: data.report(c, rid))
    if after is None:
        raise NotFound("No such report: pass ?id=<report id>")
    chosen = _int(request.args.get("base"))
    if chosen is None:
        prev = await db.execute_fn(lambda c: data.previous_report(c, rid))
        chosen = prev["id"] if prev else None
    before = None
    if chosen is not None:
        base_id: int = chosen
        before = await db.execute_fn(lambda c: data.report(c, base_id))
    diff: list[tables.Change] = []
    rule_diff: list[dict[str, str]] = []
    failing: list[str] = []
    if before is not None:
        b_stats = await db.execute_fn(lambda c: data.stats(c, base_id))
        a_stats = await db.execute_fn(lambda c: data.stats(c, rid))
        diff = tables.changes(after["template"], b_stats, a_stats)
        b_checks = await db.execute_fn(lambda c: data.checks(c, base_id))
        a_checks = await db.execute_fn(lambda c: data.checks(c, rid))
        rule_diff = tables.check_changes(b_checks, a_checks)
        failing = [c["rule"] for c in a_checks if c["status"] == "failed"]
    reps = await db.execute_fn(lambda c: data.body_reports(c, after["agency"]))
    return await _render(
        datasette,
        request,
        "ga_changes.html",
        after=after,
        before=before,
        changes=diff,
        rule_changes=rule_diff,
        failing=failing,
        reports=reps,
        rules=vocab.RULES,
    )


async def compare_region(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    ch = await db.execute_fn(data.choices)
    region = request.args.get("region", "")
    year = _int(request.args.get("year")) or (ch["years"][0] if ch["years"] else None)
    key = parse_code(request.args)
    rows = await db.execute_fn(lambda c: data.figure(c, key, region=region, year=year)) if year else []
    rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0), r["agency"]))
    title = f"{region or '全部地区 all regions'} {year or ''} — {code_title(key)}"
    chart = charts.bar_chart([(r["agency"], r["value"]) for r in rows], title) if rows else ""
    return await _render(
        datasette,
        request,
        "ga_region.html",
        choices=ch,
        region=region,
        year=year,
        code="|".join(key),
        key=key,
        code_options=code_options(),
        rows=rows,
        chart=chart,
        title=title,
    )


async def compare_figure(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    ch = await db.execute_fn(data.choices)
    key = parse_code(request.args)
    region = request.args.get("region", "")
    agency = request.args.get("agency", "")
    rows = await db.execute_fn(lambda c: data.figure(c, key, region=region, agency=agency))
    years = sorted({r["year"] for r in rows if r["year"] is not None})
    bodies: dict[str, dict[int, Any]] = {}
    for r in rows:
        if r["kind"] == "annual_report":
            bodies.setdefault(r["agency"], {})[r["year"]] = r["value"]
    # The eight bodies with the most years reported, so the chart stays readable; the table has them all.
    top = sorted(bodies, key=lambda a: (-len(bodies[a]), a))[:8]
    series = {a: [bodies[a].get(y) for y in years] for a in top}
    title = code_title(key)
    chart = charts.line_chart(years, series, title) if years and series else ""
    return await _render(
        datasette,
        request,
        "ga_figure.html",
        choices=ch,
        key=key,
        code="|".join(key),
        code_options=code_options(),
        region=region,
        agency=agency,
        rows=rows,
        chart=chart,
        title=title,
        shown=len(top),
        bodies=len(bodies),
        en=f"{vocab.row_en(key[0], key[1])} · {vocab.col_en(key[0], key[2])}",
    )


async def search_page(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    ch = await db.execute_fn(data.choices)
    a = request.args
    f = search.Filters(
        q=a.get("q", ""),
        year=_int(a.get("year")),
        region=a.get("region", ""),
        agency=a.get("agency", ""),
        kind=a.get("kind", ""),
        offset=_int(a.get("offset")) or 0,
    )
    total, rows, how = (0, [], "")
    if search.words(f.q):
        total, rows, how = await db.execute_fn(lambda c: search.query(c, f))
    nxt = f.offset + search.PAGE if f.offset + search.PAGE < total else None
    if request.url_vars.get("format") == "json":
        for r in rows:
            r["snippet"], r["title_html"] = str(r["snippet"]), str(r["title_html"])
            r["url"] = datasette.urls.path(f"/report/{r['id']}")
        return Response.json(
            {"q": f.q, "total": total, "offset": f.offset, "next_offset": nxt, "how": how, "results": rows}
        )
    return await _render(
        datasette,
        request,
        "ga_search.html",
        f=f,
        choices=ch,
        total=total,
        rows=rows,
        how=how,
        next_offset=nxt,
        page=search.PAGE,
    )


async def export_view(request: Request, datasette: Datasette) -> AsgiStream:
    what, fmt = request.url_vars["what"], request.url_vars["format"]
    args = {k: request.args.get(k, "") for k in export.FIGURE_FILTERS}
    db = corpus(datasette)
    if what == "figures":
        total = await db.execute_fn(lambda c: export.count_figures(c, args))
        columns = export.FIGURE_COLUMNS

        async def batch(after: int) -> tuple[int | None, list[list[Any]]]:
            return await db.execute_fn(lambda c: export.figures_batch(c, args, after))
    else:
        total = await db.execute_fn(lambda c: export.count_reports(c, args))
        columns = export.REPORT_COLUMNS

        async def batch(after: int) -> tuple[int | None, list[list[Any]]]:
            return await db.execute_fn(lambda c: export.reports_batch(c, args, after))

    async def body(w: Any) -> None:
        await export.stream(w.write, fmt, columns, batch)

    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8"
    headers = {
        "x-total-rows": str(total),
        "content-disposition": f'attachment; filename="{what}.{fmt}"',
        "x-content-type-options": "nosniff",
    }
    return AsgiStream(body, headers=headers, content_type=content_type)


async def query_export(request: Request, datasette: Datasette) -> AsgiStream | Response:
    """Any read-only SQL (`?sql=` and its :named parameters) or canned query (`?canned=`), whole."""
    fmt = request.url_vars["format"]
    db = corpus(datasette)
    params = {k: request.args.get(k, "") for k in request.args if k not in export.RESERVED_ARGS}
    canned = request.args.get("canned")
    if canned:
        query = await datasette.get_canned_query(db.name, canned, request.actor)
        if query is None or query.get("write"):
            raise NotFound("No such query")
        sql = query["sql"]
    else:
        sql = request.args.get("sql", "")
        if not await datasette.permission_allowed(
            request.actor, "execute-sql", resource=db.name, default=True
        ):
            return Response.text("SQL queries are not allowed here", status=403)
        try:
            validate_sql_select(sql)
        except InvalidSql as e:
            return Response.text(f"Not a read-only query: {e}", status=400)
    conn = db.connect()
    try:
        cur, columns = await asyncio.to_thread(export.query_rows, conn, sql, params)
    except sqlite3.Error as e:
        conn.close()
        return Response.text(f"SQL error: {e}", status=400)

    async def fetch() -> list[Any]:
        return await asyncio.to_thread(cur.fetchmany, 1000)

    async def body(w: Any) -> None:
        try:
            await export.stream_cursor(w.write, fmt, columns, fetch)
        finally:
            conn.close()

    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8"
    name = canned or "query"
    return AsgiStream(
        body,
        headers={
            "content-disposition": f'attachment; filename="{name}.{fmt}"',
            "x-content-type-options": "nosniff",
        },
        content_type=content_type,
    )


async def schema_page(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    described = await db.execute_fn(schema.describe)
    return await _render(
        datasette,
        request,
        "ga_schema.html",
        tables=described,
        codes=[
            {
                "section": k[0],
                "row": k[1],
                "col": k[2],
                "zh": code_title(k),
                "en": f"{vocab.row_en(k[0], k[1])} · {vocab.col_en(k[0], k[2])}",
            }
            for k in vocab.all_codes()
        ],
        rules=vocab.RULES,
        placed_by=vocab.PLACED_BY_EN,
    )


async def home(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    ch = await db.execute_fn(data.choices)
    return await _render(datasette, request, "ga_home.html", choices=ch)


ROUTES = [
    (r"^/research$", home),
    (r"^/report/(?P<id>[^/.]+)(\.(?P<format>json))?$", report_page),
    (r"^/blob/(?P<sha256>[^/]+)$", blob),
    (r"^/compare$", compare_index),
    (r"^/compare/body$", compare_body),
    (r"^/compare/changes$", compare_changes),
    (r"^/compare/region$", compare_region),
    (r"^/compare/figure$", compare_figure),
    (r"^/search(\.(?P<format>json))?$", search_page),
    (r"^/export/(?P<what>figures|reports)\.(?P<format>csv|json)$", export_view),
    (r"^/export/query\.(?P<format>csv|json)$", query_export),
    (r"^/schema$", schema_page),
]
