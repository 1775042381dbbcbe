"""The routes of the researcher's pages (registered in __init__.py). Each reads the corpus through
data.py / search.py / export.py in Datasette's SQL threads and renders a template of templates/."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from datasette.utils import InvalidSql, validate_sql_select
from datasette.utils.asgi import (
    AsgiStream,
    BadRequest,
    Base400,
    NotFound,
    Request,
    Response,
    asgi_send_file,
    asgi_start,
)

from archive.report import codes
from archive.store.blobs import BlobReader
from govarchive.datasette_plugin import (
    charts,
    cite,
    data,
    download,
    export,
    figurelist,
    i18n,
    listing,
    memo,
    rates,
    schema,
    search,
    tables,
    vocab,
)

if TYPE_CHECKING:  # annotations only: an installed plugin is imported while datasette.app still loads
    from datasette.app import Datasette
    from datasette.database import Database

DATABASE = "corpus"
# The figures a body's page draws across years, each one line from 2019 to today: the code (2021's where the
# templates differ) and its label. The crosswalk (archive/report/crosswalk.py) gives each year's code.
HEADLINE: list[tuple[data.Key, str, str]] = [
    (("applications", "new", "total"), "新收申请", "new applications"),
    (("applications", "granted", "total"), "予以公开", "disclosed"),
    (("applications", "processed_total", "total"), "办理总计", "handled"),
    (("applications", "other", "total"), "其他处理", "other handling"),
    (("appeals", "review", "total"), "行政复议", "reviews"),
    (("appeals", "litigation_direct", "total"), "直接起诉", "lawsuits"),
    (("active", "art20_1.normative_docs", "issued"), "规范性文件制发", "normative documents issued"),
    (("active", "art20_5.licensing", "decisions"), "行政许可决定", "licensing decisions"),
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


def bad(name: str, value: str | None, zh: str, en: str) -> BadRequest:
    """A 400 naming the parameter and why, in Chinese and English (hooks.py renders it as a page)."""
    given = name if value is None else f"{name}={value!r}"
    return BadRequest(f"参数 {given}：{zh} — parameter {given}: {en}")


def int_arg(args: Any, name: str, zh: str = "不是编号", en: str = "not a report id") -> int | None:
    """An optional non-negative integer parameter: None when absent or empty, a 400 when it is not one."""
    value = args.get(name)
    if value is None or not value.strip():
        return None
    number = _int(value)
    if number is None:
        raise bad(name, value, zh, en)
    return number


def year_arg(args: Any, name: str = "year") -> int | None:
    return int_arg(args, name, "不是年份（如 2023）", "not a year (e.g. 2023)")


def parse_code(args: Any) -> data.Key:
    """A code from `code=section|row|col` (the picker) or from section, row and col (each defaulting to
    三 新收 总计); one the templates do not have is a 400."""
    known = set(vocab.all_codes())
    if args.get("code"):
        parts = args["code"].split("|")
        if len(parts) != 3:
            raise bad("code", args["code"], "应为 栏目|行|列，如 applications|new|total",
                      "must be section|row|col, e.g. applications|new|total")  # fmt: skip
        key = (parts[0], parts[1], parts[2])
        if key not in known:
            raise bad("code", args["code"], "模板中没有这个数字（见 /schema）",
                      "no figure of either template has this code (see /schema)")  # fmt: skip
        return key
    key = (args.get("section") or "applications", args.get("row") or "new", args.get("col") or "total")
    for i, name in enumerate(("section", "row", "col")):
        if args.get(name) and not any(k[: i + 1] == key[: i + 1] for k in known):
            raise bad(name, args[name], "模板中没有这一项（见 /schema）",
                      f"no {name} of that name in either template (see /schema)")  # fmt: skip
    if key not in known:
        raise bad("col", key[2], f"{key[0]}|{key[1]} 没有这一列", f"{key[0]}|{key[1]} has no such column")
    return key


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


# The error pages in the site's words: its navigation, Chinese with English beside it.
ERROR_TITLES = {
    400: ("请求参数有误", "Bad request"),
    403: ("不允许访问", "Forbidden"),
    404: ("未找到", "Not found"),
}
# Datasette's own 404 messages, with Chinese beside them.
DATASETTE_WORDS = {
    "Database not found": "此地址没有页面（没有这个数据库）— there is no page at this address (no such database)",
    "Table not found": "没有这张表 — no such table",
    "Row not found": "没有这一行 — no such row",
}


async def error_response(datasette: Datasette, request: Request, exception: Base400) -> Response:
    """A 400, 403 or 404 as a page of this site; one line of text for a CSV, Datasette's JSON for JSON."""
    status = exception.status
    message = str(exception.args[0]) if exception.args else ""
    if message in ("", "404", "Not found"):
        message = "此地址没有页面 — there is no page at this address"
    for english, words in DATASETTE_WORDS.items():
        if message.startswith(english):
            message = words + message[len(english) :]
    path = request.path.split("?")[0]
    if path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": status, "title": None}, status=status)
    if path.endswith(".csv"):
        return Response.text(message + "\n", status=status)
    zh, en = ERROR_TITLES.get(status, ("出错", "Error"))
    html = await datasette.render_template(
        "ga_error.html",
        {"status": status, "title_zh": zh, "title_en": en, "message": message, "path": path},
        request=request,
    )
    return Response.html(html, status=status)


View = Callable[[Request, "Datasette"], Awaitable[Any]]


def answered(view: View) -> View:
    """A route whose 400 or 404 is answered here, as error_response's page (not raised to Datasette, whose
    handler would also print a traceback per bad request on the server's console)."""

    @functools.wraps(view)
    async def wrapper(request: Request, datasette: Datasette) -> Any:
        try:
            return await view(request, datasette)
        except Base400 as e:
            return await error_response(datasette, request, e)

    return wrapper


async def _render(datasette: Datasette, request: Request, template: str, **context: Any) -> Response:
    html = await datasette.render_template(template, {"database": DATABASE, **context}, request=request)
    return Response.html(html)


async def report_page(request: Request, datasette: Datasette) -> Response:
    as_json = request.url_vars.get("format") == "json"
    given = _int(request.url_vars["id"])
    if given is None:
        raise NotFound("没有这份报告 — no such report")
    rid: int = given
    db = corpus(datasette)
    rep = await db.execute_fn(lambda c: data.report(c, rid))
    if rep is None:
        raise NotFound("没有这份报告 — no such report")
    srcs = await db.execute_fn(lambda c: data.sources(c, rid))
    stats = await db.execute_fn(lambda c: data.stats(c, rid))
    chks = await db.execute_fn(lambda c: data.checks(c, rid))
    years = await db.execute_fn(lambda c: data.body_reports(c, rep["agency"]))
    prev = await db.execute_fn(lambda c: data.previous_report(c, rid))
    for s in srcs:
        s["download"] = datasette.urls.path(f"/blob/{s['sha256']}")
        s["media"] = download.media_type(s["media_type"])
        s["local"] = str(s["url"] or "").startswith("file:")  # ingested: no portal, and no local path shown
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
    sections, left = tables.layout(rep["template"], stats) if stats else ([], [])
    why_none = None
    if not stats:
        doc = await db.execute_fn(lambda c: data.figure_source(c, rep["sha256"]))
        why_none = data.no_figures_reason(rep, doc)
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
        why_none=why_none,
        cite_intro=cite.WORDS["intro"],
        local_page=str(rep["page_url"] or "").startswith("file:"),
        templates=codes.TEMPLATES,
    )


class FileResponse:
    """A file (a release's), streamed in 64 KiB chunks."""

    def __init__(self, path: Path, content_type: str, headers: dict[str, str]) -> None:
        self.path, self.content_type, self.headers = path, content_type, headers

    async def asgi_send(self, send: Any) -> None:
        await asgi_send_file(
            send, self.path, content_type=self.content_type, chunk_size=1 << 16, headers=self.headers
        )


class BlobResponse:
    """The archived bytes, streamed from the store's reader in 64 KiB chunks (a blob need not be a file of
    its own); the size is known before the first byte, so a download shows its progress."""

    def __init__(self, blobs: BlobReader, sha256: str, content_type: str, headers: dict[str, str]) -> None:
        self.blobs, self.sha256, self.content_type, self.headers = blobs, sha256, content_type, headers

    async def asgi_send(self, send: Any) -> None:
        size = await asyncio.to_thread(self.blobs.size, self.sha256)
        f = await asyncio.to_thread(self.blobs.open, self.sha256)
        try:
            await asgi_start(send, 200, {**self.headers, "content-length": str(size)}, self.content_type)
            while True:  # a short read is not the end (a stream need not fill each read): only b"" is
                chunk = await asyncio.to_thread(f.read, 1 << 16)
                await send({"type": "http.response.body", "body": chunk, "more_body": bool(chunk)})
                if not chunk:
                    return
        finally:
            f.close()


async def blob(request: Request, datasette: Datasette) -> BlobResponse:
    sha = request.url_vars["sha256"]
    if not download.is_digest(sha):
        raise NotFound("Not an archived document")
    db = corpus(datasette)
    blobs = download.store(data_dir(db))
    doc = await db.execute_fn(lambda c: data.blob(c, sha))
    if doc is None or not blobs.has(sha):
        raise NotFound("Not an archived document")
    name = download.file_name(
        sha, doc["media_type"], doc["filename"], doc["first_url"], doc["agency"], doc["year"]
    )
    return BlobResponse(blobs, sha, download.media_type(doc["media_type"]), download.headers(name, sha))


async def compare_index(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    ch = await memo.cached(db, "choices", data.choices)
    return await _render(datasette, request, "ga_compare.html", choices=ch, code_options=code_options())


async def compare_body(request: Request, datasette: Datasette) -> Response:
    from archive.report import crosswalk

    given = request.args.get("agency", "")
    db = corpus(datasette)
    # Any spelling met names its body: the page lists the body's years under every spelling.
    agency = await db.execute_fn(lambda c: data.body_name(c, given)) if given else ""
    aliases = await db.execute_fn(lambda c: data.body_aliases(c, agency)) if agency else []
    ch = await memo.cached(db, "choices", data.choices)
    reps = await db.execute_fn(lambda c: data.body_reports(c, agency)) if agency else []
    pick = i18n.picker(i18n.lang_of(request))

    def template_of(r: data.Row) -> str:
        return str(r["template"] or ("2021" if (r["year"] or 0) >= 2021 else "2019"))

    def code_for(r: data.Row, key: data.Key) -> data.Key | None:
        return crosswalk.counterpart(key, template_of(r))

    keys = sorted({c for r in reps for k, _, _ in HEADLINE if (c := code_for(r, k))})
    ids = [r["id"] for r in reps]
    vals = await db.execute_fn(lambda c: data.values_of(c, ids, keys))
    years = sorted({r["year"] for r in reps if r["year"] is not None})
    by_year = {r["year"]: r for r in reps if r["kind"] == "annual_report"}
    labels = [pick(zh, en) for _, zh, en in HEADLINE]
    changed = [crosswalk.relation_of(k) == "changed" for k, _, _ in HEADLINE]
    series: dict[str, list[Any]] = {}
    breaks: dict[str, int] = {}
    for (k, _, _), label, moved in zip(HEADLINE, labels, changed, strict=True):
        points = []
        for y in years:
            r = by_year.get(y)
            code = code_for(r, k) if r else None
            points.append(vals.get((r["id"], code)) if r and code else None)
        series[label] = points
        tpls = [template_of(by_year[y]) if y in by_year else None for y in years]
        if moved and "2019" in tpls and "2021" in tpls:
            breaks[label] = tpls.index("2021")
    title = f"{agency} — {pick('历年主要数字', 'main figures by year')}"
    chart = (
        charts.line_chart(
            years, series, title, breaks=breaks, break_label=pick("模板改变", "template changed")
        )
        if years
        else ""
    )
    rows = []
    for r in reps:
        row_vals = []
        for k, _, _ in HEADLINE:
            code = code_for(r, k)
            row_vals.append(vals.get((r["id"], code)) if code else None)
        rows.append({"report": r, "values": row_vals})
    return await _render(
        datasette,
        request,
        "ga_body.html",
        agency=agency,
        aliases=aliases,
        choices=ch,
        chart=chart,
        rows=rows,
        headline=[{"label": lab, "changed": ch_} for lab, ch_ in zip(labels, changed, strict=True)],
        has_break=bool(breaks),
    )


async def compare_changes(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    given = int_arg(request.args, "id")
    if given is None:
        raise bad("id", None, "缺少报告编号", "required: the id of the report to compare")
    rid: int = given
    after = await db.execute_fn(lambda c: data.report(c, rid))
    if after is None:
        raise NotFound(f"没有编号为 {rid} 的报告 — no report with id {rid}")
    chosen = int_arg(request.args, "base")
    before = None
    if chosen is None:
        prev = await db.execute_fn(lambda c: data.previous_report(c, rid))
        chosen = prev["id"] if prev else None
    elif chosen == rid:
        raise bad("base", str(chosen), "就是这份报告本身", "is the report itself: choose another year")
    if chosen is not None:
        base_id: int = chosen
        before = await db.execute_fn(lambda c: data.report(c, base_id))
        if before is None:
            raise bad("base", str(base_id), "没有这份报告", "no report has this id")
        # The view compares one body's years (the form offers only those): another body's figures
        # under this heading would read as this body's change.
        if before["agency"] != after["agency"]:
            raise bad("base", str(base_id), f"是另一机关（{before['agency']}）的报告，只能比较同一机关的年度",
                      f"is a report of another body ({before['agency']}); this view compares the years of "
                      f"one body ({after['agency']}): use /compare/figure or /compare/region to compare bodies")  # fmt: skip
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
    ch = await memo.cached(db, "choices", data.choices)
    region = request.args.get("region", "")
    year = year_arg(request.args) or (ch["years"][0] if ch["years"] else None)
    key = parse_code(request.args)
    # A national corpus's every body in a year is tens of thousands of bars: there, a region must be chosen.
    too_many = not region and not ch["regions_complete"]
    if not region and not too_many and year:
        # Few regions can still be many bodies: past figurelist.WHOLE bars a region must be chosen too.
        sel = figurelist.Selection(key, year=year)
        too_many = (await db.execute_fn(lambda c: figurelist.count(c, sel)))[0] > figurelist.WHOLE
    rows = (
        []
        if too_many or not year
        else await db.execute_fn(lambda c: data.figure(c, key, region=region, year=year))
    )
    rows.sort(key=lambda r: (r["value"] is None, -(r["value"] or 0), r["agency"]))
    title = f"{region or '全部地区 all regions'} {year or ''} — {code_title(key)}"
    chart = charts.bar_chart([(r["agency"], r["value"]) for r in rows], title) if rows else ""
    return await _render(
        datasette,
        request,
        "ga_region.html",
        too_many=too_many,
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


RANKING_PAGE = 100  # rows of a ranking per page (a province has hundreds of bodies; the JSON has them all)


async def compare_rates(request: Request, datasette: Datasette) -> Response:
    """The measures of a region's bodies in a year (archive/report/measures.py), ranked by one of them."""
    from archive.report import measures

    db = corpus(datasette)
    ch = await memo.cached(db, "choices", data.choices)
    region = request.args.get("region", "")
    if region and not await db.execute_fn(lambda c: data.region_exists(c, region)):
        raise bad("region", region, "没有这个地区", "no report is of this region")
    year = year_arg(request.args) or (ch["years"][0] if ch["years"] else None)
    measure = request.args.get("measure") or measures.RATES[0].name
    if measure not in measures.RATE:
        raise bad(
            "measure",
            measure,
            "应为 " + "、".join(measures.RATE),
            "must be one of " + ", ".join(measures.RATE),
        )
    order = request.args.get("order") or "desc"
    if order not in ("desc", "asc"):
        raise bad("order", order, "应为 desc 或 asc", "must be desc or asc")
    offset = int_arg(request.args, "offset", "不是页码位置", "not a row offset") or 0
    rows: list[data.Row] = []
    if region and year is not None:
        chosen_year: int = year
        kept = await memo.cached(
            db, ("rates", region, chosen_year), lambda c: rates.region_rates(c, region, chosen_year)
        )
        rows = rates.ranked([dict(r) for r in kept], measure, ascending=order == "asc")
    if request.url_vars.get("format") == "json":
        return Response.json({"region": region, "year": year, "measure": measure, "rows": rows,
                              "formulas": {r.name: r.formula() for r in measures.RATES}})  # fmt: skip
    lang = i18n.lang_of(request)
    chosen = measures.RATE[measure]
    scale = 100 if chosen.percent else 1
    bars = [(r["agency"], None if r[measure] is None else r[measure] * scale) for r in rows[:40]]
    listed = [
        {
            "name": r.name,
            "label": r.zh if lang == "zh" else r.en,
            "formula": r.formula(lang),
            "percent": r.percent,
        }
        for r in measures.RATES
    ]
    return await _render(
        datasette,
        request,
        "ga_rates.html",
        choices=ch,
        region=region,
        year=year,
        measure=measure,
        order=order,
        rows=rows[offset : offset + RANKING_PAGE],
        total=len(rows),
        offset=offset,
        page_size=RANKING_PAGE,
        rates=listed,
        summary=rates.summary(rows),
        shown=rates.shown,
        on_time_formula=measures.ON_TIME_FORMULA[lang],
        kind_words=measures.BODY_KIND_ZH if lang == "zh" else {k: k for k in measures.DEADLINES},
        chart=charts.bar_chart(bars, f"{region} {year} — {listed[measures.RATES.index(chosen)]['label']}")
        if rows
        else "",
    )


async def compare_figure(request: Request, datasette: Datasette) -> Response:
    """One figure across reports (figurelist.py): a page of PAGE rows; the chart and the bodies' count when
    the selection is small enough to read whole, else links to narrow it by year or province."""
    db = corpus(datasette)
    ch = await memo.cached(db, "choices", data.choices)
    key = parse_code(request.args)
    region = request.args.get("region", "")
    agency = request.args.get("agency", "")
    year = year_arg(request.args)
    offset = int_arg(request.args, "offset", "不是页码位置", "not a row offset") or 0
    sel = figurelist.Selection(key, region=region, year=year, agency=agency)
    total, reports = await db.execute_fn(lambda c: figurelist.count(c, sel))
    if offset and offset >= total:
        raise bad("offset", str(offset), f"超出末页（共 {total} 行）", f"past the last page ({total} rows)")
    rows = await db.execute_fn(lambda c: figurelist.page(c, sel, offset, total == reports))
    whole = total <= figurelist.WHOLE
    every = await db.execute_fn(lambda c: figurelist.whole(c, sel)) if whole else []
    years = sorted({r["year"] for r in every if r["year"] is not None})
    bodies: dict[str, dict[int, Any]] = {}
    for r in every:
        if r["kind"] == "annual_report":
            bodies.setdefault(r["agency"], {})[r["year"]] = r["value"]
    # The eight bodies with the most years reported, so the chart stays readable; the table has them all.
    top = sorted(bodies, key=lambda a: (-len(bodies[a]), a))[:8]
    series = {a: [bodies[a].get(y) for y in years] for a in top}
    title = code_title(key)
    chart = charts.line_chart(years, series, title) if years and series else ""
    keep = {k: v for k, v in (("code", "|".join(key)), ("region", region), ("agency", agency),
            ("year", year or "")) if v}  # fmt: skip
    nxt = offset + figurelist.PAGE if offset + figurelist.PAGE < total else None
    prev = max(offset - figurelist.PAGE, 0) if offset else None
    # Narrowing: by year (keeping the place and body), by province (keeping the year) when none is chosen.
    by_year = [(y, _with({**keep, "year": y}, 0)) for y in sorted(ch["years"])] if year is None else []
    provinces = sorted(r for r in ch["regions"] if "/" not in r) if not region and not agency else []
    by_region = [(p, _with({**keep, "region": p}, 0)) for p in provinces]
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
        year=year,
        rows=rows,
        total=total,
        offset=offset,
        page_size=figurelist.PAGE,
        whole=whole,
        whole_limit=figurelist.WHOLE,
        next_url=_with(keep, nxt),
        prev_url=_with(keep, prev),
        by_year=by_year,
        by_region=by_region,
        chart=chart,
        title=title,
        shown=len(top),
        bodies=len(bodies),
        en=f"{vocab.row_en(key[0], key[1])} · {vocab.col_en(key[0], key[2])}",
    )


async def reports_page(request: Request, datasette: Datasette) -> Response:
    """Every report, filtered, sorted and paged (listing.py); each filter and order in words, not codes."""
    db = corpus(datasette)
    ch = await memo.cached(db, "choices", data.choices)
    tpls = await memo.cached(db, "templates", listing.templates)
    a = request.args
    f = listing.Filters(
        region=a.get("region", ""),
        agency=a.get("agency", ""),
        year=year_arg(a),
        kind=a.get("kind", ""),
        template=a.get("template", ""),
        rule=a.get("rule", ""),
        sort=a.get("sort") or "year_desc",
        offset=int_arg(a, "offset", "不是页码位置", "not a row offset") or 0,
    )
    for name, value, allowed in (
        ("kind", f.kind, ch["kinds"]),
        ("template", f.template, tpls),
        ("rule", f.rule, list(vocab.RULES)),
        ("sort", f.sort, list(listing.SORTS)),
    ):
        if value and value not in allowed:
            raise bad(
                name,
                value,
                "应为 " + "、".join(map(str, allowed)),
                "must be one of " + ", ".join(map(str, allowed)),
            )
    total, rows = await db.execute_fn(lambda c: listing.page(c, f))
    nxt = f.offset + listing.PAGE if f.offset + listing.PAGE < total else None
    prev = max(f.offset - listing.PAGE, 0) if f.offset else None
    if request.url_vars.get("format") == "json":
        for r in rows:
            r["url"] = datasette.urls.path(f"/report/{r['id']}")
        return Response.json({"total": total, "offset": f.offset, "next_offset": nxt, "reports": rows})
    lang = i18n.lang_of(request)
    pick = i18n.picker(lang)
    keep = {k: v for k, v in (("region", f.region), ("agency", f.agency), ("year", f.year or ""), ("kind", f.kind),
            ("template", f.template), ("rule", f.rule), ("sort", f.sort)) if v}  # fmt: skip
    return await _render(
        datasette,
        request,
        "ga_reports.html",
        f=f,
        choices=ch,
        total=total,
        rows=rows,
        page_size=listing.PAGE,
        next_url=_with(keep, nxt),
        prev_url=_with(keep, prev),
        templates={t: (pick("无模板", "no template") if t == listing.NO_TEMPLATE else t) for t in tpls},
        rule_labels={k: pick(v[0].split("：")[0], v[1].split(":")[0]) for k, v in vocab.RULES.items()},
        sort_labels={k: i18n.translator(lang)("sort." + k) for k in listing.SORTS},
    )


def _with(params: dict[str, Any], offset: int | None) -> str | None:
    from urllib.parse import urlencode

    if offset is None:
        return None
    return "?" + urlencode({**params, **({"offset": offset} if offset else {})})


# The trigrams each 2-character word searched begins (search.prefix_terms), kept apart from memo's costly
# answers: a few hundred words, each a short list.
_TERMS: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


async def search_page(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    ch = await memo.cached(db, "choices", data.choices)
    a = request.args
    f = search.Filters(
        q=a.get("q", ""),
        year=year_arg(a),
        region=a.get("region", ""),
        agency=a.get("agency", ""),
        kind=a.get("kind", ""),
        offset=int_arg(a, "offset", "不是行号", "not a row offset") or 0,
    )
    total, rows, how = (0, [], "")
    if search.words(f.q):
        terms: dict[str, list[str] | None] = {}
        for w in search.words(f.q):
            if len(w) == 2:
                fn = functools.partial(search.prefix_terms, word=w)
                terms[w] = await memo.cached(db, ("terms", w), fn, _TERMS, 256)
        total, rows, how = await db.execute_fn(lambda c: search.query(c, f, terms))
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
    year_arg(args)
    int_arg(args, "report_id")
    if args["kind"] and args["kind"] not in vocab.KIND_EN:
        raise bad("kind", args["kind"], "类别应为 " + "、".join(vocab.KIND_EN),
                  "kind must be one of " + ", ".join(vocab.KIND_EN))  # fmt: skip
    if args["section"] or args["row"] or args["col"]:
        known = vocab.all_codes()
        for i, name in enumerate(("section", "row", "col")):
            if args[name] and not any(k[i] == args[name] for k in known):
                raise bad(name, args[name], "模板中没有这一项（见 /schema）",
                          f"no {name} of that name in either template (see /schema)")  # fmt: skip
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
    from archive.report import crosswalk

    pick = i18n.picker(i18n.lang_of(request))
    words = {k: pick(*v) for k, v in crosswalk.RELATION_WORDS.items()}
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
                "crosswalk": words[crosswalk.relation_of(k)],
            }
            for k in vocab.all_codes()
        ],
        crosswalk=[
            {
                "relation": link.relation,
                "relation_words": words[link.relation],
                "y2019": ["|".join(c) for c in link.y2019],
                "y2021": ["|".join(c) for c in link.y2021],
                "zh": link.zh,
                "en": link.en,
            }
            for link in crosswalk.crosswalk()
            if link.relation != "same"
        ],
        rules=vocab.RULES,
        placed_by=vocab.PLACED_BY_EN,
    )


def _releases(datasette: Datasette) -> list[Any]:
    from archive.products.release import kept_releases

    return kept_releases(data_dir(corpus(datasette)) / "releases")


async def release_page(request: Request, datasette: Datasette) -> Response:
    """The releases `govarchive release` wrote into DATA/releases, the latest first, each file to download."""
    kept = await asyncio.to_thread(_releases, datasette)
    return await _render(datasette, request, "ga_release.html", releases=kept)


async def release_file(request: Request, datasette: Datasette) -> FileResponse:
    """One file of a kept release (`latest`: the latest one), as an attachment; only a release's own files."""
    from archive.products.release import RELEASE_FILES

    version, name = request.url_vars["version"], request.url_vars["file"]
    kept = await asyncio.to_thread(_releases, datasette)
    chosen = kept[:1] if version == "latest" else [k for k in kept if k.folder.name == version]
    if not chosen or name not in RELEASE_FILES or not (chosen[0].folder / name).is_file():
        raise NotFound("没有这个数据发布文件 — no such release file")
    rel = chosen[0]
    types = {".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet",
             ".json": "application/json", ".md": "text/markdown; charset=utf-8"}  # fmt: skip
    content_type = types.get(Path(name).suffix, "text/plain; charset=utf-8")
    headers = {
        "Content-Disposition": f'attachment; filename="govarchive-{rel.folder.name}-{name}"',
        "X-Content-Type-Options": "nosniff",
    }
    return FileResponse(rel.folder / name, content_type, headers)


async def home(request: Request, datasette: Datasette) -> Response:
    db = corpus(datasette)
    n = await memo.cached(db, "counts", data.counts)
    kept = await asyncio.to_thread(_releases, datasette)
    return await _render(datasette, request, "ga_home.html", counts=n, release=kept[0] if kept else None)


async def regions_page(request: Request, datasette: Datasette) -> Response:
    """The watchdog's table: how many bodies of each county published on time, late, not at all."""
    year = year_arg(request.args)
    rows = await corpus(datasette).execute_fn(lambda c: data.regions(c, year))
    return await _render(datasette, request, "ga_regions.html", rows=rows, year=year)


_VIEWS: list[tuple[str, View]] = [
    (r"^/research$", home),
    (r"^/report/(?P<id>[^/.]+)(\.(?P<format>json))?$", report_page),
    (r"^/blob/(?P<sha256>[^/]+)$", blob),
    (r"^/compare$", compare_index),
    (r"^/compare/body$", compare_body),
    (r"^/compare/changes$", compare_changes),
    (r"^/compare/region$", compare_region),
    (r"^/compare/figure$", compare_figure),
    (r"^/regions$", regions_page),
    (r"^/compare/rates(\.(?P<format>json))?$", compare_rates),
    (r"^/search(\.(?P<format>json))?$", search_page),
    (r"^/reports(\.(?P<format>json))?$", reports_page),
    (r"^/export/(?P<what>figures|reports)\.(?P<format>csv|json)$", export_view),
    (r"^/export/query\.(?P<format>csv|json)$", query_export),
    (r"^/schema$", schema_page),
    (r"^/release$", release_page),
    (r"^/release/(?P<version>[^/]+)/(?P<file>[^/]+)$", release_file),
]
ROUTES = [(pattern, answered(view)) for pattern, view in _VIEWS]
