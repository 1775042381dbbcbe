"""Soak: a long crawl over several generated sites, with resident memory and throughput every N pages.

    .venv/bin/python benchmarks/soak.py [--sites 4] [--pages 200000] [--every 10000] [--concurrency 16]

Each site is a TRS-style portal (crawl_speed.py's pages, its titles carrying the site's number so no two
sites share content) on its own loopback port, served by one raw asyncio HTTP/1.1 server process. The
reports spider runs with the store and dedup pipelines (every page archived in the blob store and
corpus.db; extraction off, its cost is extract_speed.py's business) and the frontier on disk
(`GOVARCHIVE_FRONTIER=disk`: Scrapy's disk queues and the seen-set in SQLite under DATA/state). A meter
extension prints, every `--every` pages, the pages so far, resident memory (VmRSS) and pages/s of the last
stretch. The run passes when RSS after the first 20,000 pages grows by less than 10% to the end and no
page was lost (every page of every site fetched once).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.support import rawhttp  # noqa: E402

PER_LIST = 20


def list_page(site: int, i: int, lists: int) -> str:
    arts = "".join(
        f'<li><a href="./{i}/t2023{i:05d}_{j}.html">测试{site}县第{i * PER_LIST + j}局2022年政府信息公开工作年度报告</a>'
        f"<span>2023-01-20</span></li>"
        for j in range(PER_LIST)
    )
    nums = "".join(f'<a href="index_{k}.html">{k + 1}</a>' for k in range(i + 1, min(i + 11, lists)))
    nxt = f'<a href="index_{i + 1}.html">下一页</a>' if i + 1 < lists else ""
    return (
        f'<html><head><meta charset="utf-8"><title>测试{site}县政府信息公开年报</title></head><body>'
        '<div class="nav"><a href="/">首页</a> <a href="/xxgk/nb/index.html">政府信息公开年报</a></div>'
        f'<ul class="list">{arts}</ul><div class="page">{nums}{nxt}'
        f'<script>createPageHTML({lists}, {i}, "index", "html");</script></div></body></html>'
    )


def article_page(site: int, i: int, j: int) -> str:
    title = f"测试{site}县第{i * PER_LIST + j}局2022年政府信息公开工作年度报告"
    para = "<p>本年度坚持以公开为常态、不公开为例外，全面推进政府信息公开工作。</p>" * 10
    return (
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
        f"<title>{title}</title></head><body><h1>{title}</h1>{para}</body></html>"
    )


def answer(site: int, path: str, lists: int) -> tuple[int, bytes]:
    if path == "/robots.txt":
        return 200, b"User-agent: *\nDisallow:\n"
    if path == "/":
        return 200, '<html><body><a href="/xxgk/nb/index.html">政府信息公开年报</a></body></html>'.encode()
    if path.startswith("/xxgk/nb/"):
        rest = path[len("/xxgk/nb/") :]
        if rest == "index.html":
            return 200, list_page(site, 0, lists).encode()
        if rest.startswith("index_") and rest.endswith(".html"):
            i = int(rest[6:-5])
            if 0 < i < lists:
                return 200, list_page(site, i, lists).encode()
        parts = rest.split("/")
        if len(parts) == 2 and parts[1].endswith(".html"):
            i, j = int(parts[0]), int(parts[1].rsplit("_", 1)[1][:-5])
            if i < lists and j < PER_LIST:
                return 200, article_page(site, i, j).encode()
    return 404, b"not found"


def serve(sites: int, lists: int, ports: Any) -> None:
    async def main() -> None:
        servers = []
        for site in range(sites):
            server = await rawhttp.start(
                lambda path, s=site: (*answer(s, path, lists), rawhttp.page_type(path))
            )
            servers.append(server)
            ports.put(server.sockets[0].getsockname()[1])
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


# --- the meter (loaded into the crawl by its dotted path) ---------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _top_growth(first: Any, now: Any) -> list[str]:
    return [str(stat) for stat in now.compare_to(first, "lineno")[:12]]


class SoakMeter:
    """Every EVERY responses: pages so far, VmRSS and pages/s since the last line, as JSON on stdout."""

    every = 10_000

    def __init__(self) -> None:
        self.pages = 0
        self.mark = time.monotonic()

    def _trace(self) -> None:
        """SOAK_TRACEMALLOC=1: which lines hold the memory that grew since the first mark (to stderr)."""
        import tracemalloc

        if not tracemalloc.is_tracing():
            tracemalloc.start(5)
            return
        snap = tracemalloc.take_snapshot()
        if not hasattr(self, "_first"):
            self._first = snap
            return
        print(
            f"TRACE at {self.pages}:",
            *_top_growth(self._first, snap),
            sep="\n  ",
            file=sys.stderr,
            flush=True,
        )

    @classmethod
    def from_crawler(cls, crawler: Any) -> SoakMeter:
        from scrapy import signals

        meter = cls()
        meter.every = crawler.settings.getint("SOAK_EVERY", 10_000)
        crawler.signals.connect(meter.response_received, signal=signals.response_received)
        return meter

    def response_received(self, **_: Any) -> None:
        self.pages += 1
        if self.pages % self.every == 0 and os.environ.get("SOAK_TRACEMALLOC"):
            self._trace()
        if self.pages % self.every == 0:
            now = time.monotonic()
            line = {
                "pages": self.pages,
                "rss_mb": round(rss_mb(), 1),
                "pages_per_s": round(self.every / (now - self.mark), 1),
            }
            self.mark = now
            print("SOAK " + json.dumps(line), flush=True)


def crawl_child(bases: list[str], lists: int, concurrency: int, every: int, data: Path) -> None:
    import os

    from scrapy.crawler import CrawlerProcess

    from archive.sites import Site
    from govarchive.crawl import crawl_settings

    os.environ["GOVARCHIVE_FRONTIER"] = "disk"
    sites = [
        Site(id=f"s{k}", name=f"测试{k}县人民政府", start_urls=[b + "/"], family="trs", download_delay=0.0,
             concurrency=concurrency, max_pages=10**7, max_depth=10**6)
        for k, b in enumerate(bases)
    ]  # fmt: skip
    overrides = {
        "CONCURRENT_REQUESTS": concurrency,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "ITEM_PIPELINES": {
            "pipelines.store.StorePipeline": 100,
            "pipelines.dedup.ContentHashDedupPipeline": 150,
        },
        "SOAK_EVERY": every,
        "GOVARCHIVE_PROGRESS_INTERVAL": 0,
    }
    settings = crawl_settings(data, sites, overrides)
    extensions = {**settings.getdict("EXTENSIONS"), "tests.support.soak.SoakMeter": 900}
    settings.set("EXTENSIONS", extensions, priority="cmdline")
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("reports")
    process.crawl(crawler, sites=sites)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print("DONE " + json.dumps({"pages": stats.get("downloader/response_status_count/200", 0),
                                "elapsed": stats.get("elapsed_time_seconds", 0.0),
                                "rss_mb": round(rss_mb(), 1)}), flush=True)  # fmt: skip


def soak(sites: int, pages: int, every: int, concurrency: int, live: bool = False) -> dict[str, Any]:
    """Run the soak; return its curve and verdict."""
    per_site = pages // sites
    lists = max(2, per_site // (PER_LIST + 1))
    ports: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(sites, lists, ports), daemon=True)
    server.start()
    try:
        bases = [f"http://127.0.0.1:{ports.get(timeout=30)}" for _ in range(sites)]
        with tempfile.TemporaryDirectory(prefix="govarchive-soak-") as tmp:
            cmd = [sys.executable, __file__, "--child", json.dumps(bases), "--lists", str(lists),
                   "--concurrency", str(concurrency), "--every", str(every), "--data", tmp]  # fmt: skip
            started = time.monotonic()
            child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            lines: list[str] = []
            assert child.stdout is not None
            for line in child.stdout:  # the curve as it comes: a long soak shows its progress
                lines.append(line)
                if line.startswith("SOAK ") and live:
                    print(line.rstrip(), flush=True)
            stderr = child.stderr.read() if child.stderr else ""
            wall = time.monotonic() - started
            if child.wait() != 0:
                raise SystemExit(f"soak crawl failed:\n{stderr[-4000:]}")
            stdout = "".join(lines)
            urls_dbs = list((Path(tmp) / "state" / "frontier").glob("*/urls.db"))
            frontier_urls = sum(
                sqlite3.connect(p).execute("SELECT count(*) FROM urls").fetchone()[0] for p in urls_dbs
            )
            corpus = sqlite3.connect(Path(tmp) / "corpus.db")
            distinct_urls = corpus.execute(
                "SELECT count(DISTINCT url) FROM captures WHERE error IS NULL"
            ).fetchone()[0]
            corpus.close()
    finally:
        server.terminate()
        server.join(10)
    curve = [json.loads(x[5:]) for x in stdout.splitlines() if x.startswith("SOAK ")]
    done = next(json.loads(x[5:]) for x in stdout.splitlines() if x.startswith("DONE "))
    expected = sites * (2 + lists * (PER_LIST + 1))  # robots.txt, home, lists, articles
    after = [c["rss_mb"] for c in curve if c["pages"] >= 20_000] or [c["rss_mb"] for c in curve]
    growth = (max(after) - after[0]) / after[0] if after else 0.0
    return {
        "sites": sites,
        "expected_pages": expected,
        "pages": done["pages"],
        "wall_s": round(wall, 1),
        "curve": curve,
        "rss_growth_after_20k": round(growth, 4),
        "frontier_urls": frontier_urls,
        "distinct_urls": distinct_urls,  # pages archived, each once (robots.txt is not a capture)
        "ok": growth < 0.10 and done["pages"] >= expected,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sites", type=int, default=4)
    ap.add_argument("--pages", type=int, default=200_000)
    ap.add_argument("--every", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--lists", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        crawl_child(json.loads(args.child), args.lists, args.concurrency, args.every, Path(args.data))
        return
    result = soak(args.sites, args.pages, args.every, args.concurrency, live=True)
    print("| pages | RSS MB | pages/s |\n|---:|---:|---:|")
    for c in result["curve"]:
        print(f"| {c['pages']:,} | {c['rss_mb']} | {c['pages_per_s']} |")
    print(
        f"\n{result['pages']:,} of {result['expected_pages']:,} pages over {result['sites']} sites in "
        f"{result['wall_s']} s; RSS growth after 20,000 pages: {result['rss_growth_after_20k']:.1%} "
        f"({'ok' if result['ok'] else 'FAILED'})"
    )
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
