"""A crawl shared by several `scrapy crawl reports` processes through a real Redis (crawler/sharedcrawl/).

Each process keeps its own data folder (its corpus.db records what it fetched); the union is what the
shared crawl fetched. The portal's request log says how often each URL was asked for, and when.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import redis

from archive.sharedcrawl.keys import CrawlKeys
from archive.sharedcrawl.validators import ValidatorStore, seed_validators
from archive.store.corpus import Corpus
from tests.portals import dist
from tests.portals.harness import ROOT, write_sites
from tests.portals.server import Answer, Portal, Req
from tests.test_trap_bounds_crawl import LISTS
from tests.test_trap_bounds_crawl import _page as trap_pages

TTL = "2.0"  # seconds: a killed crawler's work is requeued this soon
BEAT = "0.4"


def _sites(folder: Path, base: str, **site: Any) -> Path:
    return write_sites(
        folder / "sites.toml",
        [
            {
                "id": "d",
                "name": "测试县",
                "start_urls": [base + dist.LIST],
                "download_delay": 0.0,
                "concurrency": 8,
                **site,
            }
        ],
    )


def _start(
    sites: Path, data: Path, crawl: str | None, redis_url: str, log: Path, *settings: str
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOVARCHIVE_EXTRACT_WORKERS": "1", "GOVARCHIVE_RETRY_BACKOFF": "0.2"}
    if crawl is not None:
        env |= {
            "GOVARCHIVE_REDIS_URL": redis_url,
            "GOVARCHIVE_CRAWL_NAME": crawl,
            "GOVARCHIVE_REDIS_ALIVE_TTL": TTL,
            "GOVARCHIVE_REDIS_HEARTBEAT": BEAT,
        }
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "reports",
        "-a", "site=d", "-a", f"sites_file={sites}", "-s", f"GOVARCHIVE_DATA={data}",
    ]  # fmt: skip
    if crawl is not None:
        # Each process records what it fetched in its own data folder (the shared crawl's one corpus writer is
        # tests/test_dist_crawl.py's business): the union of the folders is what the shared crawl fetched.
        cmd += ["-s", 'ITEM_PIPELINES={"pipelines.store.StorePipeline": 100}']
    for setting in settings:
        cmd += ["-s", setting]
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Crawler processes of a test: never left running."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)


def _wait(proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"crawler did not return:\n{log.read_text(errors='replace')[-4000:]}") from None
    assert code == 0, log.read_text(errors="replace")[-4000:]


def _captured(data: Path) -> Counter[str]:
    """Paths of the portal captured (with a status) in one data folder."""
    if not (data / "corpus.db").exists():
        return Counter()
    conn = sqlite3.connect(data / "corpus.db")
    try:
        rows = conn.execute("SELECT url FROM captures WHERE status IS NOT NULL").fetchall()
    finally:
        conn.close()
    return Counter("/" + url.split("/", 3)[3] for (url,) in rows)


def _hits(portal: Portal) -> Counter[str]:
    return Counter(path for path in portal.hits().elements() if path != "/robots.txt")


def _finish_reason(log: Path) -> str:
    text = log.read_text(errors="replace")
    return "finished" if "'finish_reason': 'finished'" in text else text[-3000:]


def _wait_for_crawlers(portal: Portal, redis_url: str, keys: CrawlKeys, n: int) -> None:
    """The portal's list answers once `n` crawlers joined: neither can do the whole crawl before the other
    started (a process starts in 1-3 s on a loaded machine)."""
    first = portal.paths[dist.LIST]
    client = redis.Redis.from_url(redis_url)

    def gated(req: Req) -> Answer:
        deadline = time.monotonic() + 30
        while client.scard(keys.crawlers) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return first(req)

    portal.add(dist.LIST, gated)


def _crawl_name() -> str:
    return "test-" + uuid.uuid4().hex[:8]


def test_two_crawlers_share_one_crawl_each_url_fetched_once(
    redis_url: str, tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    with Portal("127.0.0.31") as single, Portal("127.0.0.32") as shared:
        expected = dist.build(single)
        assert dist.build(shared, delay_s=0.1) == expected
        one = _start(
            _sites(tmp_path, single.base_url), tmp_path / "single", None, redis_url, tmp_path / "single.log"
        )
        procs.append(one)
        _wait(one, tmp_path / "single.log")
        assert set(_hits(single)) == expected  # the single-process crawl's URL set

        crawl = _crawl_name()
        _wait_for_crawlers(shared, redis_url, CrawlKeys(crawl), 2)
        shared_dir = tmp_path / "shared"
        shared_dir.mkdir()
        sites = _sites(shared_dir, shared.base_url)
        logs = [tmp_path / f"p{i}.log" for i in range(2)]
        for i in range(2):
            procs.append(
                _start(sites, tmp_path / f"p{i}", crawl, redis_url, logs[i], "CONCURRENT_REQUESTS=4")
            )
        for proc, log in zip(procs[1:], logs, strict=True):
            _wait(proc, log)
            assert _finish_reason(log) == "finished"
        hits = _hits(shared)
        assert set(hits) == expected
        assert max(hits.values()) == 1, [p for p, n in hits.items() if n > 1]
        union = _captured(tmp_path / "p0") + _captured(tmp_path / "p1")
        assert set(union) == expected and max(union.values()) == 1
        assert all(_captured(tmp_path / f"p{i}") for i in range(2)), "one crawler did all the work"
        keys = CrawlKeys(crawl)
        client = redis.Redis.from_url(redis_url)
        assert client.hget(keys.run, "frontier_drained") is not None
        assert client.zcard(keys.queue) == 0 and client.scard(keys.crawlers) == 0


def test_a_killed_crawler_loses_nothing(
    redis_url: str, tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    with Portal("127.0.0.33") as portal:
        expected = dist.build(portal, pages=6, per_page=10, delay_s=0.3)
        sites = _sites(tmp_path, portal.base_url)
        crawl = _crawl_name()
        _wait_for_crawlers(portal, redis_url, CrawlKeys(crawl), 2)
        logs = [tmp_path / f"p{i}.log" for i in range(2)]
        victim = _start(sites, tmp_path / "p0", crawl, redis_url, logs[0])
        survivor = _start(sites, tmp_path / "p1", crawl, redis_url, logs[1])
        procs += [victim, survivor]
        deadline = time.monotonic() + 60
        while len(_hits(portal)) < 20 and time.monotonic() < deadline and victim.poll() is None:
            time.sleep(0.05)
        assert victim.poll() is None, "the crawl ended before the kill"
        keys = CrawlKeys(crawl)
        client = redis.Redis.from_url(redis_url)
        names = [m.decode() for m in client.smembers(keys.crawlers)]
        victim_name = next(n for n in names if f"-{victim.pid}-" in n)
        in_flight = client.hlen(keys.inflight(victim_name))
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        _wait(survivor, logs[1], timeout=90)
        assert _finish_reason(logs[1]) == "finished"
        union = _captured(tmp_path / "p0") + _captured(tmp_path / "p1")
        assert set(union) == expected, sorted(expected - set(union))
        assert in_flight > 0  # the kill landed while requests were in flight
        assert "back in the queue" in logs[1].read_text(errors="replace")
        # its in-flight requests were requeued and it left the crawl
        assert client.exists(keys.inflight(victim_name)) == 0
        assert client.scard(keys.crawlers) == 0


def test_a_crawler_stopped_by_sigterm_leaves_its_work_to_the_others(
    redis_url: str, tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    """A service manager's stop: the crawler finishes what it is downloading, queues what those pages link
    to, leaves what it still holds (held list pages) to the others and returns; the other crawler finishes."""
    with Portal("127.0.0.38") as portal:
        expected = dist.build(portal, pages=4, per_page=10, delay_s=0.3)
        sites = _sites(tmp_path, portal.base_url)
        crawl = _crawl_name()
        _wait_for_crawlers(portal, redis_url, CrawlKeys(crawl), 2)
        logs = [tmp_path / f"p{i}.log" for i in range(2)]
        stopped = _start(sites, tmp_path / "p0", crawl, redis_url, logs[0])
        other = _start(sites, tmp_path / "p1", crawl, redis_url, logs[1])
        procs += [stopped, other]
        deadline = time.monotonic() + 60
        while len(_hits(portal)) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        stopped.send_signal(signal.SIGTERM)
        _wait(stopped, logs[0], timeout=30)
        assert "'finish_reason': 'shutdown'" in logs[0].read_text(errors="replace")
        _wait(other, logs[1], timeout=60)
        assert _finish_reason(logs[1]) == "finished"
        union = _captured(tmp_path / "p0") + _captured(tmp_path / "p1")
        assert set(union) == expected, sorted(expected - set(union))
        assert max(_hits(portal).values()) == 1  # a graceful stop fetches nothing twice
        assert redis.Redis.from_url(redis_url).scard(CrawlKeys(crawl).crawlers) == 0


def test_max_pages_counts_every_crawlers_requests(
    redis_url: str, tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    """A site's max_pages is a net over the shared crawl, not per process (each alone would take 20)."""
    with Portal("127.0.0.36") as portal:
        dist.build(portal, delay_s=0.1)
        sites = _sites(tmp_path, portal.base_url, max_pages=20)
        crawl = _crawl_name()
        _wait_for_crawlers(portal, redis_url, CrawlKeys(crawl), 2)
        logs = [tmp_path / f"p{i}.log" for i in range(2)]
        for i in range(2):
            procs.append(
                _start(sites, tmp_path / f"p{i}", crawl, redis_url, logs[i], "CONCURRENT_REQUESTS=4")
            )
        for proc, log in zip(procs, logs, strict=True):
            _wait(proc, log)
        hits = _hits(portal)
        # two processes may both see 19 and both ask once more
        assert 20 <= sum(hits.values()) <= 22, hits
        assert all(_captured(tmp_path / f"p{i}") for i in range(2)), "one crawler did all the work"


def test_held_list_pages_go_through_redis_and_a_long_pager_is_read_whole(
    redis_url: str, tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    """The TRS pager of tests/test_trap_bounds_crawl.py names its 200 pages on the first: past the free and
    ahead pages they are held (in the process's in-flight hash), let go once the shape proves itself, and
    read by both crawlers, each once. Their requested URLs are on disk (GOVARCHIVE_FRONTIER=disk), the queue
    and the duplicate filter in Redis."""
    with Portal("127.0.0.37") as portal:
        portal.add_prefix("/xxgk/nb/", trap_pages)  # type: ignore[arg-type]
        sites = write_sites(
            tmp_path / "sites.toml",
            [{"id": "d", "name": "测试县人民政府", "start_urls": [portal.base_url + "/xxgk/nb/index.html"],
              "family": "trs", "download_delay": 0.0, "concurrency": 16, "max_depth": 1000}],
        )  # fmt: skip
        crawl = _crawl_name()
        logs = [tmp_path / f"p{i}.log" for i in range(2)]
        for i in range(2):
            procs.append(
                _start(sites, tmp_path / f"p{i}", crawl, redis_url, logs[i], "GOVARCHIVE_FRONTIER=disk")
            )
        for proc, log in zip(procs, logs, strict=True):
            _wait(proc, log, timeout=120)
        assert all(list((tmp_path / f"p{i}" / "state" / "frontier").glob("*/urls.db")) for i in range(2))
        hits = _hits(portal)
        assert max(hits.values()) == 1
        assert sum(1 for path in hits if "/index" in path) == LISTS
        assert len(hits) == 3 * LISTS
        union = _captured(tmp_path / "p0") + _captured(tmp_path / "p1")
        assert len(union) == 3 * LISTS
        held = sum(int(m) for log in logs for m in re.findall(r"'govarchive/held': (\d+)", log.read_text()))
        assert held > 0  # the pager named more than the window: held, then released
        assert redis.Redis.from_url(redis_url).scard(CrawlKeys(crawl).crawlers) == 0


def test_a_sites_delay_holds_across_crawlers(
    redis_url: str, tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    delay = 0.5
    with Portal("127.0.0.34") as portal:
        expected = dist.build(portal, pages=2, per_page=6, docx_every=100)
        sites = _sites(tmp_path, portal.base_url, download_delay=delay)
        crawl = _crawl_name()
        _wait_for_crawlers(portal, redis_url, CrawlKeys(crawl), 2)
        logs = [tmp_path / f"p{i}.log" for i in range(2)]
        for i in range(2):
            # Two requests at a time each: a process takes no more from the queue than that, so both get
            # some of the site's requests (the delay is what they share).
            procs.append(
                _start(sites, tmp_path / f"p{i}", crawl, redis_url, logs[i], "CONCURRENT_REQUESTS=2")
            )
        for proc, log in zip(procs, logs, strict=True):
            _wait(proc, log)
        with portal.lock:
            times = sorted(t for t, _, path, _ in portal.log if path != "/robots.txt")
        assert len(times) == len(expected)
        gaps = [b - a for a, b in pairwise(times)]
        assert min(gaps) >= delay * 0.9, gaps
        assert all(_captured(tmp_path / f"p{i}") for i in range(2)), "one crawler did all the work"


def test_validators_come_from_redis(
    redis_url: str, tmp_path: Path, procs: list[subprocess.Popen[bytes]]
) -> None:
    """A second crawl into the same data folder asks conditionally for what the shared hash names: a URL
    taken out of the hash is fetched in full although corpus.db holds it."""
    with Portal("127.0.0.35") as portal:
        dist.build(portal, pages=1, per_page=10, docx_every=2)
        sites = _sites(tmp_path, portal.base_url)
        data = tmp_path / "data"
        first = _start(sites, data, None, redis_url, tmp_path / "first.log")
        procs.append(first)
        _wait(first, tmp_path / "first.log")
        crawl = _crawl_name()
        keys = CrawlKeys(crawl)
        client = redis.Redis.from_url(redis_url)
        corpus = Corpus(data / "corpus.db")
        try:
            assert seed_validators(corpus, client, keys) == 5
        finally:
            corpus.conn.close()
        dropped = f"{portal.base_url}/files/2.docx"
        assert ValidatorStore(client, keys).forget(dropped)
        portal.log.clear()
        second = _start(sites, data, crawl, redis_url, tmp_path / "second.log")
        procs.append(second)
        _wait(second, tmp_path / "second.log")
        statuses = {path: status for _, _, path, status in portal.log if path.startswith("/files/")}
        assert statuses == {f"/files/{n}.docx": 200 if n == 2 else 304 for n in (2, 4, 6, 8, 10)}
