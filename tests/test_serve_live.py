"""`govarchive serve` on a live archive: pages stay correct and fresh while a crawl, an ingest and a
reprocess write beside the server, and a stop signal leaves nothing running."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli, start_serve, stop_serve
from tests.portals import plain
from tests.portals.harness import crawl, write_sites
from tests.portals.server import Portal

pytestmark = pytest.mark.slow

PAGES = (
    "/corpus",
    "/corpus/reports.json?_shape=array&_size=max",
    "/corpus/report_stats.json?_size=200",
    "/corpus/failed_checks.json",
    "/corpus/expected_reports.json",
    "/corpus/reports?_search=" + urllib.parse.quote("依申请公开"),
)


def served_reports(url: str) -> int:
    with urllib.request.urlopen(url + "/corpus/reports.json?_shape=array&_size=max", timeout=120) as r:
        return len(json.loads(r.read()))


class Readers:
    """Three clients reading the corpus pages in a loop, counting every answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: Counter[object] = Counter()
        self.failures: list[tuple[str, object, bytes]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, args=(i,)) for i in range(3)]

    def _read(self, offset: int) -> None:
        i = offset
        while not self._stop.is_set():
            path = PAGES[i % len(PAGES)]
            i += 1
            try:
                with urllib.request.urlopen(self.url + path, timeout=120) as r:
                    r.read()
                    self.answers[r.status] += 1
            except urllib.error.HTTPError as e:
                self.answers[e.code] += 1
                self.failures.append((path, e.code, e.read()[:300]))
            except (TimeoutError, urllib.error.URLError) as e:
                # A reader starved by a loaded machine is slow, not wrong: a timeout is counted, not a
                # failure. Anything else (an error answer, a reset, a dropped connection) fails the test.
                reason = getattr(e, "reason", e)
                self.answers[type(reason).__name__] += 1
                if not isinstance(reason, TimeoutError):
                    self.failures.append((path, type(reason).__name__, str(reason).encode()))
            except OSError as e:  # reset, remote disconnected
                self.answers[type(e).__name__] += 1
                self.failures.append((path, type(e).__name__, str(e).encode()))

    def __enter__(self) -> Readers:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)


@pytest.fixture()
def live_data(demo_data: Path, tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(demo_data, data)
    return data


@pytest.fixture()
def server(live_data: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    proc, url = start_serve(live_data)
    try:
        yield proc, url
    finally:
        stop_serve(proc)


def test_serve_stays_correct_and_fresh_through_crawl_ingest_and_reprocess(
    live_data: Path, server: tuple[subprocess.Popen[bytes], str], tmp_path: Path
) -> None:
    _, url = server
    before = served_reports(url)
    portal = Portal("127.0.0.21")
    base = portal.start()
    try:
        planted = plain.build(portal)
        sites = write_sites(
            tmp_path / "sites.toml",
            [
                {
                    "id": "p",
                    "name": "测试县人民政府",
                    "start_urls": [base + "/xxgk/ndbg/index.html"],
                    "download_delay": 0.0,
                }
            ],
        )
        with Readers(url) as readers:
            crawl(sites, live_data, ["p"])
            after_crawl = served_reports(url)
            proc = run_cli("reprocess", "--data", str(live_data))
            assert proc.returncode == 0, proc.stderr[-2000:]
            after_reprocess = served_reports(url)
            proc = run_cli("ingest", "--data", str(live_data), str(REPO / "tests/eval/variants"))
            assert proc.returncode == 0, proc.stderr[-2000:]
            after_ingest = served_reports(url)
    finally:
        portal.stop()
    assert not readers.failures, readers.failures[:5]
    assert readers.answers[200] > 30, readers.answers
    # Fresh after every writer, without a restart.
    assert after_crawl == before + len(planted.reports)
    assert after_reprocess == after_crawl
    assert after_ingest > after_reprocess


def test_a_stop_signal_leaves_no_server_behind(server: tuple[subprocess.Popen[bytes], str]) -> None:
    proc, url = server
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) is not None
    # `serve` became Datasette (exec): the process we signalled was the server, so the port is free.
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/-/versions.json", timeout=2)
    port = int(url.rsplit(":", 1)[1])
    restarted = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=False
    )
    assert restarted.stdout.strip() == "", restarted.stdout
