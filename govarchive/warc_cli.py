"""The archivists' commands: export-warc, export-wacz, import-warc (registered on `govarchive` by cli.py)."""

from __future__ import annotations

import contextlib
import errno
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from archive.errors import DataFolderError, GovarchiveError
from govarchive.options import DATA_OPTION, exclusive, friendly_errors

_FILTERS = [
    click.option("--site", "site_id", default=None, help="Only this site id."),
    click.option("--since", default=None, help="Captures fetched on or after this day (YYYY-MM-DD)."),
    click.option("--until", default=None, help="Captures fetched on or before this day (YYYY-MM-DD)."),
    click.option("--report", "report_ids", type=int, multiple=True, help="Only this report id (repeatable)."),
]


def _filters(fn: Any) -> Any:
    for option in reversed(_FILTERS):
        fn = option(fn)
    return fn


def _day(option: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise GovarchiveError(f"{option} {value!r}: not a day (YYYY-MM-DD, e.g. 2026-01-31)") from None
    return value


def _check_dates(since: str | None, until: str | None) -> None:
    """Bad days are bad usage (exit 2), before anything is opened or written."""
    since, until = _day("--since", since), _day("--until", until)
    if since and until and since > until:
        raise GovarchiveError(f"--since {since} is after --until {until}: no day is in between")


def _selection(
    corpus: Any, site_id: str | None, since: str | None, until: str | None, report_ids: tuple[int, ...]
) -> Any:
    """The captures asked for; a site or report the corpus does not know is bad input (exit 2)."""
    from archive.warc.export import Selection

    _check_dates(since, until)
    conn = corpus.conn
    if (
        site_id is not None
        and not conn.execute(
            "SELECT 1 FROM sites WHERE id = ? UNION ALL SELECT 1 FROM captures WHERE site_id = ? LIMIT 1",
            (site_id, site_id),
        ).fetchone()
    ):
        known = [r[0] for r in conn.execute("SELECT id FROM sites ORDER BY id")]
        raise GovarchiveError(
            f"--site {site_id}: no such site in the corpus (sites: {', '.join(known) or 'none'})"
        )
    for rid in report_ids:
        if not conn.execute("SELECT 1 FROM reports WHERE id = ?", (rid,)).fetchone():
            raise GovarchiveError(f"--report {rid}: no such report in the corpus")
    return Selection(site_id=site_id, since=since, until=until, report_ids=list(report_ids))


def _asked(site_id: str | None, since: str | None, until: str | None, report_ids: tuple[int, ...]) -> str:
    parts = [f"--site {site_id}"] if site_id else []
    parts += [f"--since {since}"] if since else []
    parts += [f"--until {until}"] if until else []
    parts += [f"--report {r}" for r in report_ids]
    return " ".join(parts) or "no filter"


def _nothing(what: str, asked: str) -> None:
    """A filter that matches nothing is no error (a cron export of a quiet day), but it is said."""
    click.echo(f"govarchive: no capture matches {asked}: {what}", err=True)


@contextlib.contextmanager
def _output(path: Path, data_dir: Path) -> Iterator[None]:
    """An output path that cannot be written (under a file, read-only, full): one line naming it, exit 3."""
    try:
        yield
    except OSError as e:
        if e.filename is not None and Path(e.filename).resolve().is_relative_to(data_dir.resolve()):
            raise  # reading the archive failed: not the output's fault
        why = (
            "a part of the path is a file, not a folder" if e.errno in (errno.ENOTDIR, errno.EEXIST) else None
        )
        raise DataFolderError(f"--out {path}: cannot write there ({why or e.strerror or e})") from None


def _open(data_dir: Path) -> Any:
    """The data folder for an export: read, never written (a read-only copy of the archive will do)."""
    from archive.store.corpus import Corpus
    from archive.store.workspace import Workspace

    if not (data_dir / "corpus.db").is_file():
        raise GovarchiveError(f"{data_dir}: no corpus.db here")
    ws = Workspace(data_dir)
    ws.corpus = Corpus.reader(ws.corpus_path)
    return ws


def register_warc_commands(main: click.Group) -> None:
    @main.command("export-warc")
    @DATA_OPTION
    @click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
    @click.option("--name", default=None, help="File name stem (default govarchive-<UTC time>).")
    @_filters
    @friendly_errors
    def export_warc(data_dir: Path, out_dir: Path, name: str | None, site_id: str | None, since: str | None,
                    until: str | None, report_ids: tuple[int, ...]) -> None:  # fmt: skip
        """Write the archived captures as one WARC 1.1 file (gzip per record) and its CDXJ index.

        Example: govarchive export-warc --out warc/ --site ltq --since 2026-01-01
        """
        from archive.warc.export import export_warc as run

        _check_dates(since, until)
        ws = _open(data_dir)
        try:
            sel = _selection(ws.corpus, site_id, since, until, report_ids)
            with _output(out_dir, data_dir):
                done = run(ws.corpus, ws.blobs, sel, out_dir, name)
        finally:
            ws.close()
        counts = ", ".join(f"{k} {v}" for k, v in sorted(done.counts.items())) or "no capture"
        if not done.entries:
            _nothing("the WARC holds only its warcinfo record", _asked(site_id, since, until, report_ids))
        click.echo(f"{done.warc} ({counts}); index {done.cdxj}")

    @main.command("export-wacz")
    @DATA_OPTION
    @click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @_filters
    @friendly_errors
    def export_wacz(data_dir: Path, out_file: Path, site_id: str | None, since: str | None, until: str | None,
                    report_ids: tuple[int, ...]) -> None:  # fmt: skip
        """Write the archived captures as a WACZ 1.1.1 package (WARC, CDXJ index, pages, datapackage.json),
        ready for pywb or ReplayWeb.page.

        Example: govarchive export-wacz --out ltq.wacz --site ltq
        """
        from archive.warc.export import export_warc as run
        from archive.warc.wacz import write_wacz
        from govarchive.warc_pages import report_pages

        _check_dates(since, until)
        ws = _open(data_dir)
        try:
            sel = _selection(ws.corpus, site_id, since, until, report_ids)
            with tempfile.TemporaryDirectory(prefix="govarchive-wacz-") as tmp:
                # For replay: a 304 is written with the original's status line, updated by its headers.
                stem = out_file.stem.replace(" ", "_") or "data"
                done = run(ws.corpus, ws.blobs, sel, Path(tmp), stem, freshen_304=True)
                with _output(out_file, data_dir):
                    out_file.parent.mkdir(parents=True, exist_ok=True)
                    write_wacz(out_file, done.warc, done.entries, report_pages(ws.corpus, done.entries),
                               title=f"govarchive {site_id or 'all sites'}")  # fmt: skip
        finally:
            ws.close()
        if not done.entries:
            _nothing("the package holds no page", _asked(site_id, since, until, report_ids))
        click.echo(f"{out_file} ({done.counts['response']} responses, {done.counts['revisit']} revisits)")

    @main.command("import-warc")
    @DATA_OPTION
    @click.option("--sites", "sites_file", type=click.Path(path_type=Path), default="sites.toml",
                  show_default=True, help="Sites the captures belong to (matched by start URL, then domain).")  # fmt: skip
    @click.option("--workers", default=2, show_default=True)
    @click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
    @friendly_errors
    def import_warc(data_dir: Path, sites_file: Path, workers: int, files: tuple[Path, ...]) -> None:
        """Bring WARC files made by another crawler (Heritrix, Browsertrix, wget --warc-file) into the
        archive through the crawl's pipeline: captures with their real URLs, status, headers and dates.

        Example: govarchive import-warc --sites sites.toml crawl-00000.warc.gz
        """
        from archive.sites import load_sites
        from archive.store.workspace import Workspace
        from crawler.warcimport import import_warcs

        missing = [f for f in files if not f.is_file()]
        if missing:
            raise GovarchiveError(f"{missing[0]}: no such file")
        sites = load_sites(sites_file) if sites_file.is_file() else []
        ws = Workspace(data_dir)
        try:
            with exclusive(ws):
                summary = import_warcs(ws, list(files), sites, workers)
        finally:
            ws.close()
        click.echo(", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())))
        for error in summary.errors[:20]:
            click.echo(f"  {error}", err=True)
