"""The operator's console on a real crawl: a progress line on long work, each record once, the summary
last and aligned, failures broken down by site and reason — also in Datasette's crawl_failures query."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from pathlib import Path

import pytest

from govarchive.datasette_metadata import CANNED_QUERIES
from govarchive.summary import format_crawl_summary
from tests.conftest import free_port
from tests.portals import plain
from tests.portals.harness import crawl, write_sites
from tests.portals.server import Portal

pytestmark = pytest.mark.slow


def test_progress_failures_by_site_and_the_summary_last() -> None:
    portal = Portal("127.0.0.22")
    base = portal.start()
    try:
        plain.build(portal)
        with tempfile.TemporaryDirectory(prefix="govarchive-console-") as tmp:
            folder = Path(tmp)
            dead = f"http://127.0.0.1:{free_port()}/xxgk/"  # nothing listens there
            sites = write_sites(
                folder / "sites.toml",
                [
                    {"id": "good", "name": "测试县人民政府", "download_delay": 0.3,
                     "start_urls": [base + "/xxgk/ndbg/index.html", base + "/nothing/here.html"]},
                    {"id": "down", "name": "别县人民政府", "start_urls": [dead]},
                ],
            )  # fmt: skip
            env = {"GOVARCHIVE_PROGRESS_INTERVAL": "0.5", "GOVARCHIVE_RETRY_TIMES": "0"}
            proc = crawl(sites, folder / "data", ["good", "down"], env=env)
            db = sqlite3.connect(folder / "data" / "corpus.db")
            failures = db.execute(CANNED_QUERIES["crawl_failures"]["sql"]).fetchall()
            db.close()
    finally:
        portal.stop()
    err, out = proc.stderr, proc.stdout
    progress = [line for line in err.splitlines() if "progress:" in line]
    assert progress, err[-2000:]
    assert re.search(
        r"progress: [\d,]+ pages \([\d.]+/s\), [\d,]+ report copies, [\d,]+ errors, queue [\d,]+",
        progress[-1],
    )
    messages = [line.split(" ", 3)[-1] for line in err.splitlines() if line.strip()]
    assert len(messages) == len(set(messages))  # each record once
    assert " DEBUG " not in err
    # The summary: failures by site and reason, aligned, and the run line last.
    assert out.rstrip().splitlines()[-1].startswith("run: new 3,")
    lines = out.splitlines()
    start = lines.index(next(x for x in lines if x.strip().startswith("failures by site")))
    block = lines[start : start + 6]
    assert any(x.strip().startswith("down") for x in block), block
    assert any("connection_refused" in x for x in block), block
    assert any(x.strip().startswith("good") for x in block) and any("http_404" in x for x in block)
    # Datasette's crawl_failures names the same sites and reasons.
    assert {(site, reason) for _, site, reason, _, _ in failures} >= {
        ("down", "connection refused"),
        ("good", "http 404"),
    }


def test_summary_aligns_long_keys() -> None:
    text = format_crawl_summary(
        {"errors/DownloadConnectionRefusedError": 1, "failures/a-very-long-site-id/timeout": 2}
    )
    rows = text.splitlines()[1:]
    assert any("DownloadConnectionRefusedError" in r for r in rows)
    assert any("a-very-long-site-id" in r for r in rows)
    starts = {len(line.rstrip()) - len(line.rstrip().rsplit(" ", 1)[-1]) for line in rows}
    assert len(starts) == 1, text  # every value starts in the same column
