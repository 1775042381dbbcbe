"""What the commands of the command line share (govarchive/cli.py and the modules registering commands on
it): the data folder option, the one-line errors, and the data folder's run lock around a command."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.errors import GovarchiveError
from archive.store import DEFAULT_DATA_DIR

if TYPE_CHECKING:
    from archive.store.workspace import Workspace

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="GOVARCHIVE_DATA",
    default=DEFAULT_DATA_DIR,
    show_default=True,
    help="Folder holding corpus.db, the blob store and crawl state.",
)


def friendly_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Domain errors become one line on stderr and their exit status (2; 3 when the data folder fails)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except GovarchiveError as e:
            click.echo(f"govarchive: {e}", err=True)
            sys.exit(e.exit_status)

    return wrapper


@contextlib.contextmanager
def exclusive(ws: Workspace) -> Iterator[None]:
    """The data folder's run lock, as a crawl holds it: ingest and reprocess never write beside a crawl."""
    from archive.store.lock import AlreadyRunning, run_lock
    from archive.store.workspace import data_folder_faults

    try:
        with data_folder_faults(ws.root), run_lock(ws.state_dir):
            ws.sweep_temp()  # what a killed run left half-written
            yield
    except AlreadyRunning as e:
        raise GovarchiveError(f"{e}; try again when it has finished") from None
