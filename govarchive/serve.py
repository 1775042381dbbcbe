"""Datasette on the corpus, read-only, with the project's metadata.

The corpus is served mutable (not `-i`): Datasette then opens it `?mode=ro` per query, so a crawl, an
ingest or a reprocess writing beside it is seen as soon as it commits, and a reader always sees one
committed state (WAL snapshots; a reprocess is one transaction). Immutable mode promised SQLite the file
never changes: after a write it served stale pages, then "database disk image is malformed".
Datasette 0.65 has no write API, and its query page runs only SELECT, so nothing can write through it.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from pathlib import Path
from typing import NoReturn

from archive.errors import GovarchiveError
from archive.store.workspace import Workspace
from govarchive.datasette_metadata import metadata

# The project's own plugin (govarchive/datasette_plugin), loaded from its folder so `serve` works from a
# checkout without reinstalling the package (its entry point covers installed copies; both is harmless).
PLUGINS_DIR = Path(__file__).resolve().parent / "datasette_plugin" / "load"


def prepare(data_dir: Path) -> tuple[Path, Path]:
    """Open the corpus once (it is created or migrated to the current schema) and write the metadata."""
    if not (Path(data_dir) / "corpus.db").is_file():
        raise GovarchiveError(
            f"{Path(data_dir) / 'corpus.db'}: no corpus here (run `govarchive crawl` or `govarchive demo`)"
        )
    ws = Workspace(data_dir)
    ws.corpus.close()
    meta_path = ws.root / "datasette-metadata.json"
    meta_path.write_text(json.dumps(metadata(), ensure_ascii=False, indent=1), encoding="utf-8")
    return ws.corpus_path, meta_path


def datasette_command(data_dir: Path, host: str, port: int) -> list[str]:
    db, meta = prepare(data_dir)
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db),
        "--metadata",
        str(meta),
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
        "--setting",
        "default_page_size",
        "50",
        # Suggested facets query every column of a table on each page view; on a national corpus
        # (100,000 reports) each times out after 50 ms, adding ~1.1 s to every reports page for nothing.
        # The metadata's facets stay, and any column can still be faceted from its menu.
        "--setting",
        "suggest_facets",
        "off",
    ]


def check_port(host: str, port: int) -> None:
    """The address Datasette will listen on is free, or one line says why (exit 2: choose another), before
    the URL is printed. Bound as uvicorn binds (SO_REUSEADDR), so a port still in TIME_WAIT counts as free."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise GovarchiveError(f"--host {host}: not an address here ({e})") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as e:
            why = "in use by another program" if e.errno == errno.EADDRINUSE else (e.strerror or str(e))
            raise GovarchiveError(f"port {port} on {host}: {why}; choose another with --port") from None


def run_datasette(data_dir: Path, host: str = "127.0.0.1", port: int = 8001) -> NoReturn:
    """Become Datasette: the process is replaced (exec), so a signal to `govarchive serve` (Ctrl-C, a
    service manager's stop, a test's terminate) reaches the server itself and leaves no orphan behind."""
    check_port(host, port)
    cmd = datasette_command(data_dir, host, port)
    print(f"Datasette on http://{host}:{port}/corpus  (Ctrl-C to stop)", flush=True)
    sys.stderr.flush()
    os.execv(cmd[0], cmd)
