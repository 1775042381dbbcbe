"""`govarchive populations load|list`: the operator's populations, the denominator of requests per 10,000
residents (archive/store/populations.py; registered on `govarchive` by cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive.errors import GovarchiveError
from govarchive.options import DATA_OPTION, exclusive, friendly_errors


def register_populations_commands(main: click.Group) -> None:
    @main.group("populations")
    def populations() -> None:
        """The populations the rates divide by (requests per 10,000 residents), per division and year."""

    @populations.command("load")
    @DATA_OPTION
    @click.argument("csv_file", type=click.Path(path_type=Path))
    @friendly_errors
    def load(data_dir: Path, csv_file: Path) -> None:
        """Load a CSV with a header `division_code,year,population` (and optionally `source`), UTF-8 with
        or without a BOM. Each row replaces the same division and year; a file with any bad row loads
        nothing and names each one (FILE:LINE: why). Kept by `reprocess`.

        Example: govarchive populations load census-2020.csv
        """
        from archive.store import populations as pops
        from archive.store.faults import data_folder_faults
        from archive.store.workspace import Workspace

        try:
            rows = pops.read(csv_file)
        except pops.PopulationsFileError as e:
            for line in e.problems:
                click.echo(f"govarchive: {line}", err=True)
            click.echo(f"govarchive: {csv_file}: {len(e.problems)} bad row(s); nothing loaded", err=True)
            sys.exit(e.exit_status)
        if not (data_dir / "corpus.db").is_file():  # a mistyped --data would start an empty corpus
            raise GovarchiveError(f"{data_dir}: no corpus.db here (crawl or ingest first)")
        with data_folder_faults(data_dir):
            ws = Workspace(data_dir)
            try:
                with exclusive(ws):  # never beside a crawl, ingest or reprocess
                    written, replaced = pops.load(ws.corpus, rows)
            finally:
                ws.corpus.close()
        places = len({r.code for r in rows})
        click.echo(
            f"{csv_file}: {written} population(s) of {places} division(s) loaded ({replaced} replaced)"
        )

    @populations.command("list")
    @DATA_OPTION
    @friendly_errors
    def list_(data_dir: Path) -> None:
        """Print the populations loaded: division code, place, year, population, source (tab-separated).

        Example: govarchive populations list
        """
        from archive.store import populations as pops
        from archive.store.corpus import Corpus

        if not (data_dir / "corpus.db").is_file():
            raise GovarchiveError(f"{data_dir}: no corpus.db here")
        corpus = Corpus.reader(data_dir / "corpus.db")
        try:
            rows = pops.listing(corpus.conn)
        finally:
            corpus.close()
        click.echo("division_code\tregion\tyear\tpopulation\tsource")
        for r in rows:
            click.echo(f"{r.code}\t{r.region}\t{r.year}\t{r.population}\t{r.source or ''}")
