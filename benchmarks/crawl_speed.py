"""Crawl speed: pages/s of the `reports` spider against a bare Scrapy spider following the same links.

    .venv/bin/python benchmarks/crawl_speed.py [--lists 500] [--per-list 20] [--concurrency 32] [--repeat 3]
        [--baseline DIR]

A generated TRS-style portal (a home page linking every list page; list pages index_N.html with a pager
script, numbered pager links and "下一页", each listing `per-list` report pages) is served by a raw asyncio HTTP/1.1 server with keep-alive
in its own process (http.server's threads cap far below Scrapy). Each crawl runs in its own subprocess
with the same concurrency, no delay, no AutoThrottle:

  bare       a scrapy.Spider that follows every same-host <a href> (no parsing beyond that);
  reports    the reports spider with no item pipelines: discovery cost alone;
  archive    the reports spider with the store + dedup pipelines: every page kept in the blob store and
             recorded in corpus.db (extraction off: its cost is benchmarks/extract_speed.py's business).

Every spider gets the same Scrapy settings, the bare one included: the concurrency above and the
product's Scrapy tuning (`SCRAPY_TUNING`: CONCURRENT_ITEMS, the generator-return check; and the
garbage collector's freeze, `TUNING_EXTENSIONS`), which move every
spider's speed alike (CONCURRENT_ITEMS=100 costs each one 1.5–1.8 ms per page), so the ratios compare the
crawler's own work. `--baseline DIR` (a checkout of another commit, e.g. `git worktree add --detach
/work/wt-speed-base main`) adds `reports@base` and `archive@base`, that checkout's spiders, and `bare@base`,
the bare spider with Scrapy's defaults for the tuning that checkout did not set (its own ratios' reference).
Spiders alternate within each round. The crawls' data folders are kept until every timed run is over:
deleting a large folder just before a run slows the next one's file creation for minutes.

Each child prints pages fetched, elapsed seconds (Scrapy's own elapsed_time_seconds) and peak RSS
(ru_maxrss). Results go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import rawhttp  # noqa: E402

# --- the portal ----------------------------------------------------------------------------------------


def list_page(i: int, lists: int, per: int) -> str:
    arts = "".join(
        f'<li><a href="./{i}/t2023{i:04d}_{j}.html">测试县第{i * per + j}局2022年政府信息公开工作年度报告</a>'
        f"<span>2023-01-20</span></li>"
        for j in range(per)
    )
    nums = "".join(f'<a href="index_{k}.html">{k + 1}</a>' for k in range(i + 1, min(i + 11, lists)))
    nxt = f'<a href="index_{i + 1}.html">下一页</a>' if i + 1 < lists else ""
    return (
        '<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
        '<div class="nav"><a href="/">首页</a> <a href="/xxgk/nb/index.html">政府信息公开年报</a></div>'
        f'<ul class="list">{arts}</ul><div class="page">{nums}{nxt}'
        f'<script>createPageHTML({lists}, {i}, "index", "html");</script></div></body></html>'
    )


def article_page(i: int, j: int, per: int) -> str:
    title = f"测试县第{i * per + j}局2022年政府信息公开工作年度报告"
    para = (
        "<p>本年度坚持以公开为常态、不公开为例外，全面推进政府信息公开工作，依法办理政府信息公开申请。</p>"
        * 20
    )
    return (
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">'
        f'<meta name="PubDate" content="2023-01-20 09:00"><title>{title}</title></head><body>'
        '<div class="nav"><a href="/">首页</a> <a href="/xxgk/nb/index.html">政府信息公开年报</a></div>'
        f"<h1>{title}</h1>{para}</body></html>"
    )


def answer(path: str, lists: int, per: int) -> tuple[int, bytes]:
    if path == "/robots.txt":
        return 200, b"User-agent: *\nDisallow:\n"
    if path == "/":
        # A site map of every list page, so both spiders can go wide at once (neither waits on a chain).
        pages = "".join(f'<a href="/xxgk/nb/index_{k}.html">{k + 1}</a>' for k in range(1, lists))
        return (
            200,
            f'<html><body><a href="/xxgk/nb/index.html">政府信息公开年报</a>{pages}</body></html>'.encode(),
        )
    if path.startswith("/xxgk/nb/"):
        rest = path[len("/xxgk/nb/") :]
        if rest == "index.html":
            return 200, list_page(0, lists, per).encode()
        if rest.startswith("index_") and rest.endswith(".html"):
            i = int(rest[6:-5])
            if 0 < i < lists:
                return 200, list_page(i, lists, per).encode()
        parts = rest.split("/")
        if len(parts) == 2 and parts[1].endswith(".html"):
            i, j = int(parts[0]), int(parts[1].rsplit("_", 1)[1][:-5])
            if i < lists and j < per:
                return 200, article_page(i, j, per).encode()
    return 404, b"not found"


def serve(lists: int, per: int) -> None:
    def page(path: str) -> tuple[int, bytes, bytes]:
        return (*answer(path, lists, per), rawhttp.page_type(path))

    rawhttp.serve_forever(page)


# --- the crawls ----------------------------------------------------------------------------------------


# The product's Scrapy-level settings that change every spider's speed alike (crawler/settings.py): the bare
# spider gets them too, or the ratio measures Scrapy's settings, not the crawler's work.
SCRAPY_TUNING = ("CONCURRENT_ITEMS", "WARN_ON_GENERATOR_RETURN_VALUE")


# Process-level tuning the product does by extension (crawler/gcfreeze.py): the bare spider gets it too.
TUNING_EXTENSIONS = ("crawler.gcfreeze.FreezeLongLived",)


def _tuning() -> dict[str, Any]:
    """The tuning the checkout on sys.path sets (none of it where it sets nothing: Scrapy's defaults)."""
    import crawler.settings as product

    return {name: getattr(product, name) for name in SCRAPY_TUNING if hasattr(product, name)}


def _tuning_extensions() -> dict[str, int]:
    """The bare spider's share of the product's extensions: those of TUNING_EXTENSIONS the checkout has
    (the reports spider has them through the product's settings)."""
    import crawler.settings as product

    return {e: 0 for e in TUNING_EXTENSIONS if e in getattr(product, "EXTENSIONS", {})}


def _common(concurrency: int) -> dict[str, Any]:
    return {
        **_tuning(),
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }


def run_bare(base: str, concurrency: int) -> dict[str, Any]:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    host = urlsplit(base).hostname

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            yield scrapy.Request(base + "/")

        def parse(self, response: Any) -> Any:
            for href in response.xpath("//a/@href").getall():
                url = urljoin(response.url, href)
                if urlsplit(url).hostname == host:
                    yield scrapy.Request(url)

    settings = {**_common(concurrency), "USER_AGENT": "bench", "EXTENSIONS": _tuning_extensions()}
    process = CrawlerProcess(settings, install_root_handler=False)  # as the reports run: no log formatting
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    cpu0, _SYS0[0] = _cpu(), _sys_cpu()
    process.start()
    return _result(crawler.stats.get_stats(), _cpu() - cpu0)


def run_reports(base: str, concurrency: int, archive: bool, data: Path) -> dict[str, Any]:
    from archive.sites import Site
    from govarchive.crawl import crawl_settings

    site = Site(
        id="bench",
        name="测试县人民政府",
        start_urls=[base + "/"],
        family="trs",
        download_delay=0.0,
        concurrency=concurrency,
        max_pages=10**6,
    )
    pipelines = (
        {"pipelines.store.StorePipeline": 100, "pipelines.dedup.ContentHashDedupPipeline": 150}
        if archive
        else {}
    )
    overrides = {**_common(concurrency), "ITEM_PIPELINES": pipelines}
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(crawl_settings(data, [site], overrides), install_root_handler=False)
    crawler = process.create_crawler("reports")
    process.crawl(crawler, sites=[site])
    cpu0, _SYS0[0] = _cpu(), _sys_cpu()
    process.start()
    cpu = _cpu() - cpu0  # the crawl-run extension closed the workspace at spider_closed
    return _result(crawler.stats.get_stats(), cpu)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


_SYS0 = [0.0]  # the kernel CPU time when the crawl started


def _sys_cpu() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime


def _result(stats: dict[str, Any], cpu: float) -> dict[str, Any]:
    pages = int(stats.get("downloader/response_status_count/200", 0))
    elapsed = float(stats.get("elapsed_time_seconds", 0.0))
    return {
        "pages": pages,
        "elapsed": round(elapsed, 2),
        "pages_per_s": round(pages / elapsed, 1) if elapsed else 0.0,
        # Pages per CPU-second of the crawler process: the rate when it has a core to itself, and far
        # less sensitive than wall time to other work on a shared machine.
        "pages_per_cpu_s": round(pages / cpu, 1) if cpu else 0.0,
        # CPU ms per page, and the kernel's share of it (file creation and fsync when archiving).
        "cpu_ms_per_page": round(1000 * cpu / pages, 3) if pages else 0.0,
        "sys_ms_per_page": round(1000 * (_sys_cpu() - _SYS0[0]) / pages, 3) if pages else 0.0,
        "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def child(kind: str, base: str, concurrency: int, work: Path, baseline: Path | None) -> dict[str, Any]:
    """One crawl in its own process; `kind@base` runs the baseline checkout's code."""
    spider, _, of = kind.partition("@")
    data = Path(tempfile.mkdtemp(prefix=f"{spider}-", dir=work))
    cmd = [sys.executable, __file__, "--child", spider, "--base", base, "--concurrency", str(concurrency)]
    cmd += ["--data", str(data)]
    env = dict(os.environ)
    if of:
        assert baseline is not None
        cmd += ["--code", str(baseline)]
        env["PYTHONPATH"] = str(baseline)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} crawl failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lists", type=int, default=500)
    ap.add_argument("--per-list", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each spider; the median is reported")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of another commit: its reports and archive spiders run too (reports@base, archive@base)",
    )
    ap.add_argument(
        "--spiders", default="", help="comma-separated subset of the spiders to run (default: all)"
    )
    ap.add_argument(
        "--work", type=Path, help="where the crawls' data folders go (default: a new temp folder)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the data folders after the runs")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", choices=["bare", "reports", "archive"], help=argparse.SUPPRESS)
    ap.add_argument("--base", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.lists, args.per_list)
        return
    if args.child:
        if args.code is not None:  # the baseline checkout's code (its tuning too), ahead of this one
            sys.path.insert(0, str(args.code.resolve()))
            for name in [m for m in sys.modules if m.split(".")[0] in ("tests",)]:
                del sys.modules[name]
        if args.child == "bare":
            out = run_bare(args.base, args.concurrency)
        else:
            data = args.data or Path(tempfile.mkdtemp(prefix=f"{args.child}-"))
            out = run_reports(args.base, args.concurrency, args.child == "archive", data)
        print(json.dumps(out))
        return

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--lists", str(args.lists), "--per-list", str(args.per_list)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        total = 2 + args.lists * (1 + args.per_list)  # /, robots, lists, articles
        print(f"portal: {total} pages ({args.lists} lists × {args.per_list} report pages), {base}")
        # Alternate the spiders and keep each one's median run: a shared 2-core machine is noisy.
        kinds = ["bare", "reports", "archive"]
        if args.baseline is not None:
            kinds = ["bare", "archive@base", "archive", "bare@base", "reports@base", "reports"]
        if args.spiders:
            kinds = [k for k in kinds if k in args.spiders.split(",")]
        runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
        work = args.work or Path(tempfile.mkdtemp(prefix="crawl-speed-"))
        work.mkdir(parents=True, exist_ok=True)
        for _ in range(args.repeat):
            for kind in runs:
                t0 = time.monotonic()
                r = child(kind, base, args.concurrency, work, args.baseline)
                r["wall"] = round(time.monotonic() - t0, 1)
                runs[kind].append(r)
                print(f"  {kind}: {r}", flush=True)
        results = {k: sorted(v, key=lambda r: r["pages_per_s"])[len(v) // 2] for k, v in runs.items()}
        cpu_rate = {k: sorted(r["pages_per_cpu_s"] for r in v)[len(v) // 2] for k, v in runs.items()}
        for kind, rs in runs.items():
            print(
                f"{kind}: pages/s {[r['pages_per_s'] for r in rs]}, pages/CPU-s {[r['pages_per_cpu_s'] for r in rs]}"
            )
        print("| spider | pages | crawl s | pages/s | × bare | pages/CPU-s | × bare | peak RSS MB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for kind, r in results.items():
            # Each spider against the bare spider with its own checkout's tuning.
            ref = "bare@base" if kind.endswith("@base") and "bare@base" in results else "bare"
            if ref not in results:
                ref = kind
            bare, bare_cpu = results[ref]["pages_per_s"] or 1.0, cpu_rate[ref] or 1.0
            print(
                f"| {kind} | {r['pages']} | {r['elapsed']} | {r['pages_per_s']} | {r['pages_per_s'] / bare:.2f} | "
                f"{cpu_rate[kind]} | {cpu_rate[kind] / bare_cpu:.2f} | {r['maxrss_mb']} |"
            )
        print(
            f"cores: {os.cpu_count()}, concurrency {args.concurrency}, tuning {_tuning()}, "
            f"extensions {list(_tuning_extensions())}"
        )
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)  # after the last timed run, never before one
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
