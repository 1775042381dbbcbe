"""The `govarchive` command line: a thin shell over archive/ (library) and crawler/ (Scrapy)."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.errors import DataFolderError, GovarchiveError
from govarchive.options import DATA_OPTION, exclusive, friendly_errors
from govarchive.populations_cli import register_populations_commands
from govarchive.release_cli import register_release_command
from govarchive.sharedcrawl_cli import register_sharedcrawl_commands
from govarchive.warc_cli import register_warc_commands

if TYPE_CHECKING:
    from archive.sites import Site
    from archive.store.workspace import Workspace


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
def main(verbose: bool) -> None:
    """Archive of Chinese government information-disclosure annual reports (政府信息公开工作年度报告)."""
    console = logging.StreamHandler()
    console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if not verbose:
        console.setFormatter(_OneLine("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        console.addFilter(_for_people)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=[console])
    # A log file on a full disk must not print a traceback per message: the run stops with one line.
    logging.raiseExceptions = False


# Scrapy's start-up dumps (versions, settings, middlewares, the stats dict) are for the log file and -v;
# the console keeps the progress line and anything that is a warning.
_FRAMEWORK = ("scrapy", "twisted", "asyncio", "py.warnings", "scrapy_playwright")


# Framework records that repeat what the spider says once in its own words ("failed URL: reason").
_REPEATS = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


def _for_people(record: logging.LogRecord) -> bool:
    if getattr(record, "file_only", False):
        return False
    if record.name.startswith(_REPEATS) and record.levelno < logging.CRITICAL:
        return False
    if record.levelno >= logging.WARNING:
        return True
    return not record.name.startswith(_FRAMEWORK)


class _OneLine(logging.Formatter):
    """One line per record on the console: tracebacks stay in the log file (and with -v)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        if saved[0] or saved[1]:
            line += " (traceback in the log file)"
        return line.replace("\n", " ⏎ ")


@main.command()
@DATA_OPTION
@click.option(
    "--sites", "sites_file", type=click.Path(path_type=Path), default="sites.toml", show_default=True
)
@click.option("--site", "site_ids", multiple=True, help="Crawl only this site id (repeatable).")
@click.option(
    "--redis",
    "redis_url",
    envvar="GOVARCHIVE_REDIS_URL",
    default=None,
    help="Share the crawl with other `crawl --redis` processes through this Redis (deploy/README.md).",
)
@click.option(
    "--crawl-name", default=None, help="With --redis: the shared crawl's name (default: from the sites file)."
)
@click.option("--no-writer", is_flag=True, help="With --redis: never write corpus.db from this machine.")
@click.option(
    "--workers", type=int, default=0, show_default=True, help="With --redis: extraction workers to run here."
)
@friendly_errors
def crawl(
    data_dir: Path,
    sites_file: Path,
    site_ids: tuple[str, ...],
    redis_url: str | None,
    crawl_name: str | None,
    no_writer: bool,
    workers: int,
) -> None:
    """Crawl the portals of the sites file; a second run fetches only what is new or changed.

    One run at a time per data folder: a second run says so and exits with status 0. Each run logs to
    DATA/logs/crawl-YYYYMMDDTHHMMSS.log and ends with a summary (new, changed, removed, unchanged,
    errors). Example: govarchive crawl --sites sites.toml --site ltq
    """

    from archive.products.history import mark_interrupted_runs
    from archive.sites import load_sites, select_sites
    from archive.store.corpus import Corpus
    from archive.store.lock import AlreadyRunning, run_lock
    from archive.store.workspace import Workspace, data_folder_faults
    from govarchive.crawl import run_crawl
    from govarchive.summary import format_crawl_summary

    sites = select_sites(load_sites(sites_file), list(site_ids))
    if redis_url:
        from govarchive.sharedcrawl_cli import run_shared_crawl

        with data_folder_faults(data_dir), _crawl_log(Workspace(data_dir)):
            summary = run_shared_crawl(
                data_dir,
                sites_file,
                sites,
                redis_url,
                crawl_name,
                site_ids=list(site_ids),
                writer=not no_writer,
                workers=workers,
            )
            if summary.get("fault"):
                raise DataFolderError(summary["fault"])
            run_line = _run_line(summary)
        click.echo(format_crawl_summary(summary))
        click.echo(run_line)
        return
    try:
        with data_folder_faults(data_dir), run_lock(Workspace(data_dir).state_dir):
            ws = Workspace(data_dir)
            corpus = Corpus(ws.corpus_path)  # opening checks the database: a corrupt one is exit 2
            mark_interrupted_runs(corpus)  # we hold the lock: a run still 'running' is dead
            corpus.close()
            ws.sweep_temp()  # what a killed run left half-written
            with _crawl_log(ws):
                summary = run_crawl(data_dir, sites)
                if summary.get("fault"):
                    raise DataFolderError(summary["fault"])
                run_line = _run_line(summary)
    except AlreadyRunning as e:
        click.echo(f"govarchive: {e}; not starting a second one", err=True)
        return
    click.echo(format_crawl_summary(summary))
    click.echo(run_line)


@contextlib.contextmanager
def _crawl_log(ws: Workspace) -> Iterator[None]:
    """The crawl's full log, DATA/logs/crawl-YYYYMMDDTHHMMSS.log, for the block."""
    from datetime import UTC, datetime

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    handler = logging.FileHandler(ws.log_dir / f"crawl-{stamp}.log", encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()


def _run_line(summary: dict[str, Any]) -> str:
    """`run: new N, changed N, removed N, unchanged N, errors N`, also written to the log file."""
    line = "run: " + ", ".join(
        f"{k} {summary.get('history/' + k, 0)}" for k in ("new", "changed", "removed", "unchanged", "errors")
    )
    if summary.get("history/held_back"):
        line += f" (removals held back: {summary['history/held_back']}, see the log)"
    # For the log file: the console prints the same line last, after the summary.
    logging.getLogger("govarchive.crawl").info("%s", line, extra={"file_only": True})
    return line


@main.command()
@DATA_OPTION
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--site", "site_id", default=None, help="Site the files belong to (id in the corpus or --sites)."
)
@click.option(
    "--sites", "sites_file", type=click.Path(path_type=Path), default=None, help="Sites file defining --site."
)
@click.option("--region", default=None, help="With --site unknown so far: register it with this region.")
@click.option("--name", "site_name", default=None, help="With --region: the new site's name.")
@friendly_errors
def ingest(
    data_dir: Path,
    paths: tuple[Path, ...],
    site_id: str | None,
    sites_file: Path | None,
    region: str | None,
    site_name: str | None,
) -> None:
    """Archive local files or folders through the crawl's pipeline.

    Their reports take the site's name and region, and the monitor counts them for that site. Examples:
    govarchive ingest ~/reports/2023/;
    govarchive ingest --sites sites.toml --site ltq ~/ltq/;
    govarchive ingest --site hand-zw --region 宁夏回族自治区/中卫市 --name 中卫市人民政府 ~/zw/
    """
    from archive.rebuild import ingest as ingest_paths
    from archive.store.workspace import Workspace

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise GovarchiveError(f"{missing[0]}: no such file or folder")
    site = _ingest_site(site_id, sites_file, region, site_name)
    ws = Workspace(data_dir)
    with exclusive(ws):
        if site is not None:
            known = ws.corpus.site_names()
            if site.id in known and sites_file is None:
                if region is not None and region != (known[site.id][1] or ""):
                    raise GovarchiveError(
                        f"site {site.id} has region {known[site.id][1]!r}; --region {region!r} differs"
                    )
            elif sites_file is None and region is None:
                raise GovarchiveError(
                    f"site {site.id} is not in the corpus: give --sites FILE, or --region (and --name)"
                )
            else:
                ws.corpus.upsert_site(site)
        summary = ingest_paths(ws, list(paths), site_id=site.id if site else None)
    for line in summary.errors:
        click.echo(f"  error: {line}", err=True)
    click.echo(json.dumps(dict(summary.counts), ensure_ascii=False))
    ws.close()


def _ingest_site(
    site_id: str | None, sites_file: Path | None, region: str | None, name: str | None
) -> Site | None:
    """The site named by ingest's options: from the sites file, or a new hand-gathered collection."""
    from archive.sites import SITE_ID, Site, load_sites, select_sites

    if site_id is None:
        if sites_file is not None or region is not None or name is not None:
            raise GovarchiveError("--sites, --region and --name go with --site ID")
        return None
    if sites_file is not None:
        return select_sites(load_sites(sites_file), [site_id])[0]
    if not SITE_ID.fullmatch(site_id):
        raise GovarchiveError(f"--site {site_id!r} must match [a-z0-9_-]+")
    # A site not in any sites file: files gathered by hand; it has no start URLs, so crawls skip it.
    place = (region or "").rstrip("/").rsplit("/", 1)[-1]
    return Site(id=site_id, name=name or place or site_id, start_urls=[], region=region or "")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@friendly_errors
def parse(file: Path) -> None:
    """Print as JSON what the pipeline extracts from one file; writes nothing.

    Example: govarchive parse report.pdf | jq .stats
    """
    import tempfile

    from archive.extract import extract_file
    from archive.report.interpret import interpret

    if not file.is_file():
        raise GovarchiveError(f"{file}: no such file")
    with tempfile.TemporaryDirectory(prefix="govarchive-parse-") as cache:
        ex = extract_file(file, cache_dir=Path(cache))
    if ex.error and ex.media_type in ("", "unknown"):
        # Not a document at all (empty, or no format govarchive reads): bad input, as `ingest` says too.
        # A document of a known format that fails to extract is printed, with its error.
        raise GovarchiveError(f"{file}: {ex.error}")
    result = interpret(ex)
    out = result.to_json()
    if result.agency:  # the body the printed name means (archive/bodies/names.py), with no site's place
        from archive.bodies.names import read_body

        body = read_body(result.agency)
        out["body"] = {"name": body.name, "kind": body.kind, "division_code": body.division_code,
                       "place": body.place, "parsed": body.parsed}  # fmt: skip
    out["stats"] = [asdict(s) for s in result.stats]
    out["checks"] = [asdict(c) for c in result.checks]
    click.echo(json.dumps(out, ensure_ascii=False, indent=1))


@main.command()
@DATA_OPTION
@click.option("--workers", default=2, show_default=True, help="Extraction worker processes.")
@friendly_errors
def reprocess(data_dir: Path, workers: int) -> None:
    """Run extraction again over every archived document and rebuild the report tables.

    Raw blobs never change. Example: govarchive reprocess --data data
    """
    from archive.rebuild import reprocess as run_reprocess
    from archive.store.workspace import Workspace

    if not (data_dir / "corpus.db").is_file():
        raise GovarchiveError(f"{data_dir / 'corpus.db'}: no corpus here")
    ws = Workspace(data_dir)
    with exclusive(ws):
        summary = run_reprocess(ws, workers)
    click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    ws.close()


@main.group(invoke_without_command=True)
@DATA_OPTION
@click.pass_context
@friendly_errors
def bodies(ctx: click.Context, data_dir: Path) -> None:
    """The bodies of the corpus, each with its spellings and years; `merge`, `split` and `end` correct them
    (each decision kept with who, when and why, and re-applied by reprocess).

    Example: govarchive bodies --data data
    """
    ctx.obj = data_dir
    if ctx.invoked_subcommand is not None:
        return
    from archive.store.corpus import Corpus

    if not (data_dir / "corpus.db").is_file():
        raise GovarchiveError(f"{data_dir / 'corpus.db'}: no corpus here")
    corpus = Corpus.reader(data_dir / "corpus.db")
    try:
        for b in corpus.bodies_listing():
            flag = "" if b["parsed"] else "  [review: not in the gazetteer]"
            ended = f"  until {b['until_year']}" if b["until_year"] else ""
            click.echo(
                f"{b['id']:>5}  {b['name']}  {b['kind']}  {b['division_code'] or '-'}  "
                f"years: {b['years'] or '-'}{ended}{flag}"
            )
            aliases = sorted(set((b["aliases"] or "").split(",")) - {"", b["name"]})
            if aliases:
                click.echo(f"       also: {'、'.join(aliases)}")
    finally:
        corpus.close()


def _decide(
    data_dir: Path, action: str, subject: str, other: str | None, year: int | None, why: str, who: str | None
) -> None:
    import getpass

    from archive.rebuild import decide
    from archive.store.workspace import Workspace

    if not (data_dir / "corpus.db").is_file():
        raise GovarchiveError(f"{data_dir / 'corpus.db'}: no corpus here")
    ws = Workspace(data_dir)
    try:
        with exclusive(ws):
            click.echo(decide(ws, action, subject, other, year, why, who or getpass.getuser()))
    except ValueError as e:
        raise GovarchiveError(f"bodies {action}: {e}") from None
    finally:
        ws.close()


_WHY = click.option("--why", required=True, help="Why (kept with the decision).")
_WHO = click.option("--who", default=None, help="Who decides (default: the user name).")
# `bodies merge … --data D` as well as `bodies --data D merge …`.
_SUB_DATA = click.option("--data", "sub_data", type=click.Path(file_okay=False, path_type=Path), default=None)


@bodies.command("merge")
@click.argument("keep")
@click.argument("merged")
@_WHY
@_WHO
@_SUB_DATA
@click.pass_obj
@friendly_errors
def bodies_merge(
    data_dir: Path, keep: str, merged: str, why: str, who: str | None, sub_data: Path | None
) -> None:
    """MERGED is the same body as KEEP (ids, names or spellings): its reports and spellings join KEEP's.

    Example: govarchive bodies merge 洪泽区人民政府 洪泽县人民政府 --why "县改区 2016, one government"
    """
    _decide(sub_data or data_dir, "merge", keep, merged, None, why, who)


@bodies.command("split")
@click.argument("alias")
@click.option(
    "--site", default=None, help="The site whose spelling it is (needed when several sites printed it)."
)
@_WHY
@_WHO
@_SUB_DATA
@click.pass_obj
@friendly_errors
def bodies_split(
    data_dir: Path, alias: str, site: str | None, why: str, who: str | None, sub_data: Path | None
) -> None:
    """The spelling ALIAS, as one site printed it, names a body of its own.

    Example: govarchive bodies split 城关镇人民政府 --site yongdeng --why "…"
    """
    _decide(sub_data or data_dir, "split", alias, site, None, why, who)


@bodies.command("end")
@click.argument("body")
@click.option("--year", type=int, required=True, help="The last year the body reports for.")
@_WHY
@_WHO
@_SUB_DATA
@click.pass_obj
@friendly_errors
def bodies_end(
    data_dir: Path, body: str, year: int, why: str, who: str | None, sub_data: Path | None
) -> None:
    """BODY (merged away in a reform, dissolved) is expected to report no year after YEAR.

    Example: govarchive bodies end 中宁县工商行政管理局 --year 2018 --why "2019 机构改革: 市场监督管理局"
    """
    _decide(sub_data or data_dir, "end", body, None, year, why, who)


@main.command()
@DATA_OPTION
@click.option(
    "--sites",
    "sites_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Refresh expectations from this sites file.",
)
@click.option("--year", type=int, default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--fail-on-missing", is_flag=True, help="Exit 1 when any expected report is missing.")
@click.option(
    "--regions", is_flag=True, help="Only the counts by county (division code): on time, late, missing."
)
@friendly_errors
def monitor(
    data_dir: Path,
    sites_file: Path | None,
    year: int | None,
    as_json: bool,
    fail_on_missing: bool,
    regions: bool,
) -> None:
    """Which expected reports are missing, late or removed (article 49 deadlines: departments and townships
    by 31 January, governments by 31 March of the next year). Expected: the sites file's bodies, its
    roster file's, and every body that published before (inferred); the rules are in
    archive/products/monitor.py. The table ends with the counts by county; --regions gives only those.

    Example: govarchive monitor --year 2023 --fail-on-missing
    """
    from archive.products.health import flagged_sites
    from archive.products.monitor import (
        expected_reports,
        format_rollup,
        format_table,
        region_rollup,
        sync_sites,
    )
    from archive.sites import load_sites
    from archive.store.corpus import Corpus
    from archive.store.workspace import data_folder_faults

    sites = load_sites(sites_file) if sites_file is not None else None
    if not (data_dir / "corpus.db").is_file():  # asking must not create an empty data folder
        raise GovarchiveError(f"{data_dir / 'corpus.db'}: no corpus here (run govarchive crawl first)")
    with data_folder_faults(data_dir):
        # Asking writes nothing (a corpus.db the user cannot write will do); --sites refreshes the corpus's
        # copy of the sites file, a write.
        corpus = (
            Corpus(data_dir / "corpus.db") if sites is not None else Corpus.reader(data_dir / "corpus.db")
        )
        try:
            if sites is not None:
                sync_sites(corpus, sites)
            rows = expected_reports(corpus, year)
            rollup = region_rollup(corpus, year)
            flags = flagged_sites(corpus)
        finally:
            corpus.close()
    if regions:
        click.echo(json.dumps(rollup, ensure_ascii=False, indent=1) if as_json else format_rollup(rollup))
    elif as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        click.echo(format_table(rows))
        if rows and rollup:
            click.echo(format_rollup(rollup))
    if flags and not as_json:
        click.echo("sites whose discovery needs a look (their last run):")
        for f in flags:
            click.echo(
                f"  {f['site_id']}: {f['flag']} ({f['pages']} pages, {f['list_errors']} list pages failed)"
            )
    if fail_on_missing and any(r["status"] == "missing" for r in rows):
        sys.exit(1)


@main.group()
def sites() -> None:
    """The sites file: check it before a first crawl."""


@sites.command("check")
@click.option(
    "--sites", "sites_file", type=click.Path(path_type=Path), default="sites.toml", show_default=True
)
@click.option("--site", "site_ids", multiple=True, help="Check only this site id (repeatable).")
@click.option("--timeout", default=15.0, show_default=True, help="Seconds per request.")
@friendly_errors
def sites_check(sites_file: Path, site_ids: tuple[str, ...], timeout: float) -> None:
    """Validate a sites file, probe each start URL, say which CMS family it looks like and where its
    report list is. Exit 0 when every start URL answered and led to a list; 1 when one did not.

    Example: govarchive sites check --sites sites.toml --site ltq
    """
    from archive.sites import load_sites, select_sites
    from crawler.probe import check_start, format_check

    chosen = select_sites(load_sites(sites_file), list(site_ids))
    if not chosen:  # nothing to check is no success: a first crawl of this file would fetch nothing
        raise GovarchiveError(
            f"{sites_file}: no sites in it (each site is a [[sites]] table with id, name, start_urls)"
        )
    click.echo(f"{sites_file}: valid, {len(chosen)} site(s)")
    failed = 0
    for site in chosen:
        checks = [check_start(site, url, timeout) for url in site.start_urls]
        failed += sum(not c.ok for c in checks)
        click.echo("\n".join(format_check(site, checks)))
    click.echo(
        f"checked {len(chosen)} site(s): "
        + ("all start URLs lead to a list" if not failed else f"{failed} start URL(s) need a look")
    )
    sys.exit(1 if failed else 0)


@main.command()
@DATA_OPTION
@click.option("--port", default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@friendly_errors
def serve(data_dir: Path, port: int, host: str) -> None:
    """Serve the corpus read-only with Datasette, with the project's metadata and queries.

    Example: govarchive serve --port 8001
    """
    from govarchive.serve import run_datasette

    run_datasette(data_dir, host=host, port=port)


@main.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="demo-data",
    show_default=True,
    help="A fresh folder for the demo corpus (a previous demo's folder is replaced).",
)
@click.option("--no-serve", is_flag=True, help="Build the corpus and print the summary, then exit.")
@click.option("--port", default=8001, show_default=True)
@friendly_errors
def demo(data_dir: Path, no_serve: bool, port: int) -> None:
    """Serve the bundled sample portals on loopback, crawl them into a fresh data folder, print a
    summary, then serve Datasette. Needs no network.

    Example: govarchive demo --data demo-data --no-serve
    """
    from govarchive.demo import run_demo

    sys.exit(run_demo(data_dir, serve=not no_serve, port=port))


# WARC / WACZ export and WARC import; the shared crawl's writer and extraction worker: in their own
# modules, registered here.
register_warc_commands(main)
register_sharedcrawl_commands(main)
register_release_command(main)
register_populations_commands(main)

if __name__ == "__main__":
    main()
