"""`govarchive release`: a versioned data set of the corpus (registered on `govarchive` by cli.py)."""

from __future__ import annotations

from pathlib import Path

import click

from archive.errors import GovarchiveError
from govarchive.options import DATA_OPTION, friendly_errors


def register_release_command(main: click.Group) -> None:
    @main.command("release")
    @DATA_OPTION
    @click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
                  help="Folder to write the release into, absent or empty unless --force "
                       "(default DATA/releases/VERSION, which `serve` offers for download).")  # fmt: skip
    @click.option("--version", "version", default=None,
                  help="Version string (default: the release date as YYYY.MM.DD).")  # fmt: skip
    @click.option("--date", "day", default=None,
                  help="Release date YYYY-MM-DD (default: the corpus's latest crawl, capture or sighting).")  # fmt: skip
    @click.option(
        "--bom", is_flag=True, help="CSV with a UTF-8 byte-order mark, for Excel on Chinese Windows."
    )
    @click.option("--force", is_flag=True, help="Replace the release files of a non-empty --out folder.")
    @friendly_errors
    def release(data_dir: Path, out_dir: Path, version: str | None, day: str | None, bom: bool,
                force: bool) -> None:  # fmt: skip
        """Write a versioned data set: reports (wide), figures (long), checks, codebook and manifest as CSV
        and Parquet, with datapackage.json (Frictionless), CITATION.cff and SHA256SUMS. Reads corpus.db
        read-only; the same corpus gives the same files, byte for byte.

        Example: govarchive release --out release-2026 --bom
        """
        from archive.products.release import write_release
        from archive.store.corpus import Corpus

        if not (data_dir / "corpus.db").is_file():
            raise GovarchiveError(f"{data_dir}: no corpus.db here")
        corpus = Corpus.reader(data_dir / "corpus.db")
        try:
            rel = write_release(corpus.conn, out_dir, releases_dir=data_dir / "releases", version=version,
                                date=day, bom=bom, force=force)  # fmt: skip
        finally:
            corpus.close()
        rows = ", ".join(f"{name} {n:,}" for name, n in rel.rows.items())
        click.echo(f"{rel.out}: release {rel.version} of {rel.date} ({rows})")
