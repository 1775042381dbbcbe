"""What WARC costs: written during the crawl, or exported losslessly from the archive on demand.

    .venv/bin/python benchmarks/warc_cost.py [--lists 25] [--per-list 20] [--repeat 3]

A generated portal (benchmarks/crawl_speed.py's list and report pages, plus one PDF attachment per report
page: the demo portal's PDF with a distinct tail, so every payload is a new blob) is served by a raw asyncio
HTTP/1.1 server in its own process. The reports spider crawls it in a subprocess with the store and dedup
pipelines (extraction off: its cost is the same either way), in two modes, alternated and repeated:

  before    the crawl without the exchange recorder (crawler.middlewares.exchange off): no capture_http;
  archive   what the crawl does: blobs + captures + capture_http (the exchange a lossless WARC needs);
  live      the same, plus a pipeline writing WARC 1.1 as it goes (one gzip file per site and day, a gzip
            member per record, revisits for payloads already written) with archive/warc's writer.

Then `export-warc` runs over the `archive` crawl's data folder (the on-demand path), and `warcio check`
reads its file. Reported: crawl seconds and pages/s (median run), disk of blobs, corpus.db, capture_http
and WARC files, the export's time, and the cost per 1,000 captures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import crawl_speed  # noqa: E402
from tests.support import rawhttp  # noqa: E402

PDF = ROOT / "govarchive/demo_portal/sites/demo-lt/xxgk/zfxxgknb/202101/P02021012839180191.pdf"


# --- the portal: crawl_speed's pages, each report page with a PDF ----------------------------------------


def answer(path: str, lists: int, per: int, pdf: bytes) -> tuple[int, bytes, bytes]:
    if path.startswith("/att/") and path.endswith(".pdf"):
        return 200, pdf + f"\n%{path}\n".encode(), b"application/pdf"
    status, body = crawl_speed.answer(path, lists, per)
    if status == 200 and path.count("/") == 4 and path.endswith(".html"):  # a report page: link its PDF
        name = path.strip("/").replace("/", "_")[:-5]
        body = body.replace(
            b"</body>", f'<p><a href="/att/{name}.pdf">附件：年度报告.pdf</a></p></body>'.encode()
        )
    ctype = b"text/plain" if path.endswith(".txt") else b"text/html; charset=utf-8"
    return status, body, ctype


def serve(lists: int, per: int) -> None:
    pdf = PDF.read_bytes()
    rawhttp.serve_forever(lambda path: answer(path, lists, per, pdf))


# --- WARC during the crawl -------------------------------------------------------------------------------


class LiveWarcPipeline:
    """WARC written as the crawl goes: DATA/warc/<site>-<YYYYMMDD>.warc.gz, each record its own gzip member.
    (Measured here only; the product exports on demand, see BENCHMARKS.md.)"""

    def __init__(self, crawler: Any) -> None:
        from scrapy import signals

        self.crawler = crawler
        self.writers: dict[tuple[str, str], Any] = {}
        crawler.signals.connect(self.close, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> LiveWarcPipeline:
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        from archive.warc.export import CollectionWriter, capture_row
        from crawler.run import workspace_for

        if getattr(item, "capture_id", None) is None:
            return item
        ws = workspace_for(self.crawler)
        row = capture_row(ws.corpus, item.capture_id)
        if row is None:
            return item
        key = (row["site_id"] or "none", row["fetched_at"][:10].replace("-", ""))
        writer = self.writers.get(key)
        if writer is None:
            folder = ws.root / "warc"
            folder.mkdir(exist_ok=True)
            writer = self.writers[key] = CollectionWriter(
                folder / f"{key[0]}-{key[1]}.warc.gz", ws.blobs, ws.corpus
            )
        writer.add(row)
        return item

    def close(self, spider: Any = None) -> None:
        for writer in self.writers.values():
            writer.close()


# --- the runs --------------------------------------------------------------------------------------------


def run_crawl(base: str, data: Path, mode: str, concurrency: int) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess

    from archive.sites import Site
    from govarchive.crawl import crawl_settings

    site = Site(id="bench", name="测试县人民政府", start_urls=[base + "/"], family="trs", download_delay=0.0,
                concurrency=concurrency, max_pages=10**6)  # fmt: skip
    pipelines = {"pipelines.store.StorePipeline": 100, "pipelines.dedup.ContentHashDedupPipeline": 150}
    if mode == "live":
        pipelines["benchmarks.warc_cost.LiveWarcPipeline"] = 120
    overrides: dict[str, Any] = {**crawl_speed._common(concurrency), "ITEM_PIPELINES": pipelines}
    if mode == "before":
        from crawler.settings import DOWNLOADER_MIDDLEWARES

        overrides["DOWNLOADER_MIDDLEWARES"] = {
            **DOWNLOADER_MIDDLEWARES,
            "crawler.middlewares.exchange.RecordExchanges": None,
        }
    process = CrawlerProcess(crawl_settings(data, [site], overrides), install_root_handler=False)
    crawler = process.create_crawler("reports")
    process.crawl(crawler, sites=[site])
    cpu0 = crawl_speed._cpu()
    process.start()
    return crawl_speed._result(crawler.stats.get_stats(), crawl_speed._cpu() - cpu0)


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def disk(data: Path) -> dict[str, int]:
    conn = sqlite3.connect(data / "corpus.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    http = conn.execute(
        """SELECT coalesce(sum(length(method) + length(request_url) + length(request_headers)
                  + coalesce(length(protocol), 0) + coalesce(length(reason), 0) + length(response_headers)
                  + coalesce(length(payload_sha256), 0) + coalesce(length(source), 0) + 16), 0)
           FROM capture_http"""
    ).fetchone()[0]
    conn.close()
    return {"captures": captures, "blobs": size(data / "blobs"), "corpus": size(data / "corpus.db"),
            "capture_http": http, "warc": size(data / "warc")}  # fmt: skip


def child(mode: str, base: str, data: Path, concurrency: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", mode, "--base", base, "--data", str(data),
           "--concurrency", str(concurrency)]  # fmt: skip
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"{mode} crawl failed:\n{proc.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = round(time.monotonic() - t0, 1)
    out.update(disk(data))
    return out


def export(data: Path, out: Path) -> dict[str, Any]:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "govarchive", "export-warc", "--data", str(data), "--out", str(out),
                           "--name", "export"], cwd=ROOT, capture_output=True, text=True, timeout=3600)  # fmt: skip
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise SystemExit(f"export failed:\n{proc.stderr[-4000:]}")
    warc = out / "export.warc.gz"
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", str(warc)], capture_output=True
    )
    return {"seconds": round(seconds, 2), "bytes": warc.stat().st_size, "cdxj": (out / "export.cdxj").stat().st_size,
            "check": check.returncode == 0}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lists", type=int, default=25)
    ap.add_argument("--per-list", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--child", choices=["before", "archive", "live"], help=argparse.SUPPRESS)
    ap.add_argument("--base", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.lists, args.per_list)
        return
    if args.child:
        print(json.dumps(run_crawl(args.base, args.data, args.child, args.concurrency)))
        return
    server = subprocess.Popen([sys.executable, __file__, "--serve", "--lists", str(args.lists), "--per-list",
                               str(args.per_list)], stdout=subprocess.PIPE, text=True)  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="bench-warc-"))
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        runs: dict[str, list[dict[str, Any]]] = {"before": [], "archive": [], "live": []}
        exports: list[dict[str, Any]] = []
        for i in range(args.repeat):
            for mode in runs:
                data = work / f"{mode}-{i}"
                runs[mode].append(child(mode, base, data, args.concurrency))
                if mode == "archive":
                    exports.append(export(data, work / f"export-{i}"))
                shutil.rmtree(data / "blobs", ignore_errors=True)  # keep the temp folder small
        med = {m: sorted(rs, key=lambda r: r["elapsed"])[len(rs) // 2] for m, rs in runs.items()}
        exp = sorted(exports, key=lambda e: e["seconds"])[len(exports) // 2]
        for mode, rs in runs.items():
            print(
                f"{mode}: crawl s {[r['elapsed'] for r in rs]}, pages/CPU-s {[r['pages_per_cpu_s'] for r in rs]}"
            )
        print(f"export: s {[e['seconds'] for e in exports]}, warcio check {all(e['check'] for e in exports)}")
        b, a, live = med["before"], med["archive"], med["live"]
        n = a["captures"]
        per_k = 1000 / n
        mb = 1 / 1e6
        print(f"captures per crawl: {n} ({a['pages']} 200 responses)")
        print(
            "| path | crawl s (median) | pages/s | pages/CPU-s | extra disk | extra disk per 1,000 captures | extra time per 1,000 captures |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        print(f"| crawl without exchanges (before 008; corpus.db {b['corpus'] * mb:.2f} MB) | {b['elapsed']} | "
              f"{b['pages_per_s']} | {b['pages_per_cpu_s']} | – | – | – |")  # fmt: skip
        print(f"| archive only (blobs {a['blobs'] * mb:.1f} MB, corpus.db {a['corpus'] * mb:.2f} MB) | {a['elapsed']} | "
              f"{a['pages_per_s']} | {a['pages_per_cpu_s']} | capture_http {a['capture_http'] * mb:.2f} MB | "
              f"{a['capture_http'] * per_k / 1e3:.0f} kB | {(a['elapsed'] - b['elapsed']) * per_k:+.2f} s of crawl |")  # fmt: skip
        print(f"| WARC during the crawl | {live['elapsed']} | {live['pages_per_s']} | {live['pages_per_cpu_s']} | "
              f"WARC {live['warc'] * mb:.1f} MB kept | {live['warc'] * per_k * mb:.2f} MB | "
              f"{(live['elapsed'] - a['elapsed']) * per_k:+.2f} s of crawl |")  # fmt: skip
        print(f"| WARC exported on demand | – | – | – | WARC {exp['bytes'] * mb:.1f} MB + CDXJ {exp['cdxj'] / 1e3:.0f} kB, "
              f"only while needed | {exp['bytes'] * per_k * mb:.2f} MB (temporary) | {exp['seconds'] * per_k:.2f} s "
              f"of export, off the crawl |")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
