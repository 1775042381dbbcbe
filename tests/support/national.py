"""A national crawl on loopback: many small portals, each with its own rate limit, crawled by several
`govarchive crawl --redis` processes sharing one Redis.

    .venv/bin/python benchmarks/national_crawl.py [--portals 3000] [--articles 6] [--delay 1.0] [--processes 1,2,4]

Each portal is a TRS-style site (a home page, list pages of up to 20 reports each with a pager, `--articles`
report pages as tests/support/soak.py writes them) on its own loopback address (127.77.x.y) and port, so
that each is a distinct host to the crawler (its robots.txt, its connections) as a county portal is. One
asyncio server process serves them all and holds each portal's rate limit: a request that arrives sooner
than `--delay` seconds after the portal's previous request (robots.txt included, from any process) is
answered HTTP 429, as a portal's limiter answers. The sites file gives every portal `download_delay` =
`--delay`, so a polite crawl receives no 429 at all, however many processes share it.

Measured per number of processes, each run with a fresh Redis and data folder: start → the shared frontier
drained (`crawl_s`) and → every capture written to corpus.db; pages captured and distinct URLs; 429s
answered (the server's count) and the smallest gap between two requests to one portal; Redis `INFO
memory` (peak, and at the end with what the duplicate filter, the queue and the streams hold). Extraction
jobs are queued but no worker runs (benchmarks/worker_scale.py measures those), as in dist_scale.py.

The portals can also send validators (`conditional`: "off", none, as before; "honour": an ETag and a
Last-Modified on every page, 304 to a request whose If-None-Match or If-Modified-Since matches; "ignore": the
same validators, but every request answered in full, as a portal that ignores them) and link one attachment
of `attachment_kb` KiB from each report page; the server counts the bytes it writes
(benchmarks/revisit_cost.py: what a 304 saves in a second pass).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from tests.conftest import start_redis  # noqa: E402
from tests.portals.harness import write_sites  # noqa: E402
from tests.support import soak  # noqa: E402
from tests.support.kill_chaos import crawl_env  # noqa: E402

_REASONS = {200: b"OK", 304: b"Not Modified", 404: b"Not Found", 429: b"Too Many Requests"}
CONDITIONAL = ("off", "honour", "ignore")
# One fixed date for every page: the portals never change between passes.
LAST_MODIFIED = b"Mon, 06 Mar 2023 08:00:00 GMT"


def address(k: int) -> str:
    """Portal k's own loopback address (127.0.0.0/8 is all on `lo`; no set-up needed)."""
    return f"127.77.{k // 250}.{k % 250 + 1}"


def pages_per_portal(articles: int, attachments: bool = False) -> int:
    return 1 + _lists(articles) + articles * (2 if attachments else 1)


def _lists(articles: int) -> int:
    return max(1, -(-articles // soak.PER_LIST))


def attachment(k: int, j: int, kib: int) -> bytes:
    """Report j's attachment on portal k: `kib` KiB of bytes no other attachment has (a PDF to the crawl)."""
    head = b"%%PDF-1.4\n%% portal %d report %d\n" % (k, j)
    return (head + bytes(range(256)) * (kib * 4 + 1))[: kib * 1024]


def answer(k: int, path: str, articles: int, attachment_kb: int = 0) -> tuple[int, bytes]:
    """Portal k's page at `path`: home, list pages (index.html, index_1.html …), reports (each linking an
    attachment of `attachment_kb` KiB if not 0), robots.txt."""
    if path == "/robots.txt":
        return 200, b"User-agent: *\nDisallow:\n"
    if path == "/":
        return 200, '<html><body><a href="/xxgk/nb/index.html">政府信息公开年报</a></body></html>'.encode()
    rest = path.removeprefix("/xxgk/nb/")
    lists = _lists(articles)
    page = (
        0
        if rest == "index.html"
        else int(rest[6:-5])
        if rest.startswith("index_") and rest[6:-5].isdigit()
        else -1
    )
    if 0 <= page < lists:
        first, last = page * soak.PER_LIST, min(articles, (page + 1) * soak.PER_LIST)
        links = "".join(
            f'<li><a href="./{page}/t2023{page:05d}_{j}.html">测试{k}县第{j}局2022年政府信息公开工作年度报告</a></li>'
            for j in range(first, last)
        )
        pager = f'<a href="index_{page + 1}.html">下一页</a>' if page + 1 < lists else ""
        return 200, (
            f'<html><head><meta charset="utf-8"><title>测试{k}县政府信息公开年报</title></head><body>'
            f'<ul class="list">{links}</ul><div class="page">{pager}</div></body></html>'
        ).encode()
    parts = rest.split("/")
    if len(parts) == 2 and parts[0].isdigit() and parts[1].endswith(".html") and "_" in parts[1]:
        j = parts[1][:-5].rsplit("_", 1)[1]
        if j.isdigit() and int(j) < articles and int(parts[0]) == int(j) // soak.PER_LIST:
            page = soak.article_page(k, 0, int(j))
            if attachment_kb:
                page = page.replace("</body>", f'<p>附件：<a href="P{j}.pdf">年度报告.pdf</a></p></body>')
            return 200, page.encode()
    if attachment_kb and len(parts) == 2 and parts[1].startswith("P") and parts[1].endswith(".pdf"):
        j = parts[1][1:-4]
        if j.isdigit() and int(j) < articles and int(parts[0]) == int(j) // soak.PER_LIST:
            return 200, attachment(k, int(j), attachment_kb)
    return 404, b"not found"


def etag(body: bytes) -> bytes:
    return b'"%s"' % hashlib.sha1(body).hexdigest()[:16].encode()


@dataclass
class Limiter:
    """One portal's rate limit: at most one request per `limit` seconds (its previous arrival counts,
    answered or refused, as a real limiter counts every request)."""

    limit: float
    last: float = -1e9
    served: int = 0
    refused: int = 0
    min_gap: float = 1e9
    path: str = ""  # of the previous request (NATIONAL_DEBUG=1 prints it with each 429)

    def admit(self) -> bool:
        now = time.monotonic()
        gap = now - self.last
        self.last = now
        self.min_gap = min(self.min_gap, gap)
        if gap < self.limit:
            self.refused += 1
            return False
        self.served += 1
        return True


@dataclass
class Served:
    """What every portal of the server shares: how validators are treated (CONDITIONAL; the control port
    switches it between passes), and what was written."""

    articles: int
    attachment_kb: int = 0
    conditional: str = "off"
    bytes_sent: int = 0  # status lines, headers and bodies of every answer (429s included)
    not_modified: int = 0


def _response(
    k: int, path: str, headers: dict[bytes, bytes], served: Served
) -> tuple[int, bytes, bytes, bytes]:
    """Status, body, content type and extra header lines of portal k's answer to an admitted request."""
    status, body = answer(k, path, served.articles, served.attachment_kb)
    ctype = b"application/pdf" if path.endswith(".pdf") else soak.rawhttp.page_type(path)
    if served.conditional == "off" or status != 200:
        return status, body, ctype, b""
    tag = etag(body)
    extra = b"ETag: %s\r\nLast-Modified: %s\r\n" % (tag, LAST_MODIFIED)
    if served.conditional == "honour" and (
        headers.get(b"if-none-match") == tag
        or (b"if-none-match" not in headers and headers.get(b"if-modified-since") == LAST_MODIFIED)
    ):
        served.not_modified += 1
        return 304, b"", ctype, extra
    return status, body, ctype, extra


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, k: int, served: Served,
                  limiter: Limiter) -> None:  # fmt: skip
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            path = line.split(b" ")[1].decode("latin-1").split("?")[0]
            headers: dict[bytes, bytes] = {}
            while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = header.partition(b":")
                headers[name.strip().lower()] = value.strip()
            prev, prev_path = limiter.last, limiter.path
            limiter.path = path
            if limiter.admit():
                status, body, ctype, extra = _response(k, path, headers, served)
            else:
                status, body, ctype = 429, b"slow down", b"text/plain"
                if os.environ.get("NATIONAL_DEBUG"):
                    gap = time.monotonic() - prev
                    print(f"429 p{k} {path} {gap:.3f} s after {prev_path}", file=sys.stderr, flush=True)
                extra = b"Retry-After: %d\r\n" % max(1, round(limiter.limit))
            out = (
                b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%sConnection: keep-alive\r\n\r\n"
                % (status, _REASONS.get(status, b"Other"), ctype, len(body), extra)
                + body
            )
            served.bytes_sent += len(out)
            writer.write(out)
            await writer.drain()
    except (ConnectionError, IndexError, ValueError):
        pass
    finally:
        writer.close()


def serve(portals: int, articles: int, limit: float, ready: Any, attachment_kb: int = 0) -> None:
    """Serve every portal and a control port until killed; put (control port, [portal base URL, …]) on
    `ready`. The control port answers GET /stats (the limiters' and the server's totals as JSON), /reset (the
    same, then the counts start again) and /conditional/<mode> (CONDITIONAL: validators from now on)."""

    async def main() -> None:
        limiters = [Limiter(limit) for _ in range(portals)]
        served = Served(articles, attachment_kb)
        bases = []
        for k in range(portals):
            server = await asyncio.start_server(
                lambda r, w, k=k: _handle(r, w, k, served, limiters[k]), address(k), 0, backlog=64
            )
            bases.append(f"http://{address(k)}:{server.sockets[0].getsockname()[1]}")

        async def control(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            request = await reader.readuntil(b"\r\n\r\n")
            target = request.split(b" ")[1].decode()
            body = json.dumps(
                {
                    "served": sum(x.served for x in limiters),
                    "refused": sum(x.refused for x in limiters),
                    "refused_portals": sum(1 for x in limiters if x.refused),
                    "min_gap_s": min(x.min_gap for x in limiters),
                    "bytes_sent": served.bytes_sent,
                    "not_modified": served.not_modified,
                    "conditional": served.conditional,
                }
            ).encode()
            if target == "/reset":
                for x in limiters:
                    x.refused, x.min_gap = 0, 1e9
                served.bytes_sent = served.not_modified = 0
            elif target.startswith("/conditional/") and target.split("/")[2] in CONDITIONAL:
                served.conditional = target.split("/")[2]
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
            )
            await writer.drain()
            writer.close()

        ctl = await asyncio.start_server(control, "127.0.0.1", 0)
        ready.put((ctl.sockets[0].getsockname()[1], bases))
        await asyncio.Event().wait()

    asyncio.run(main())


def server_stats(control_port: int, reset: bool = False, conditional: str | None = None) -> dict[str, Any]:
    """The server's totals; `reset`: then its counts and smallest gaps start again; `conditional`: how
    the portals treat validators from now on (CONDITIONAL)."""
    path = f"conditional/{conditional}" if conditional else "reset" if reset else "stats"
    with urllib.request.urlopen(f"http://127.0.0.1:{control_port}/{path}", timeout=30) as r:
        return dict(json.loads(r.read()))


@dataclass
class RunResult:
    processes: int
    portals: int
    expected_pages: int
    pages: int = 0
    distinct_urls: int = 0
    crawl_s: float = 0.0
    written_s: float = 0.0
    pages_per_s: float = 0.0
    too_many: int = 0  # 429s the portals answered
    bytes_sent: int = 0  # by the portals: status lines, headers, bodies
    not_modified: int = 0  # 304s the portals answered
    refused_portals: int = 0
    min_gap_s: float = 0.0
    cpu_s: float = 0.0  # the crawler processes' and their writers' CPU time
    load: float = 0.0  # the machine's 1-minute load average at the end (2 cores; other work shares them)
    redis_peak_mib: float = 0.0
    redis_end_mib: float = 0.0
    key_mib: dict[str, float] = field(default_factory=dict)

    def row(self) -> str:
        return (
            f"| {self.processes} | {self.portals:,} | {self.pages:,} / {self.expected_pages:,} | {self.crawl_s:.1f} | "
            f"{self.written_s:.1f} | {self.pages_per_s:.1f} | {self.pages / max(self.cpu_s, 1e-9):.1f} | "
            f"{self.load:.1f} | {self.too_many} | {self.min_gap_s:.3f} | "
            f"{self.redis_peak_mib:.1f} | {self.redis_end_mib:.1f} |"
        )


HEADER = (
    "| crawler processes | portals | pages fetched / expected | crawl s | all written s | pages/s | "
    "pages per CPU-s | load | 429s | smallest gap s | Redis peak MiB | Redis at end MiB |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def crawl_key(client: Any, name: str) -> str | None:
    """The Redis key `name` of the one shared crawl in this Redis (its crawl name unknown to the harness)."""
    for key in client.scan_iter(match=f"govarchive:*:{name}"):
        return str(key.decode())
    return None


def start_crawlers(
    processes: int, redis_url: str, sites_file: Path, data: Path, folder: Path, env: dict[str, str]
) -> list[subprocess.Popen[bytes]]:
    """`processes` shared-crawl processes (`govarchive crawl --redis`), each in its own session and logging
    to `folder/crawler<i>.log`."""
    procs: list[subprocess.Popen[bytes]] = []
    for i in range(processes):
        log = open(folder / f"crawler{i}.log", "wb")  # noqa: SIM115 - lives as long as the process
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "govarchive", "crawl", "--redis", redis_url, "--sites", str(sites_file),
                 "--data", str(data)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip
    return procs


def _mib(client: Any, key: str | None) -> float:
    if key is None or not client.exists(key):
        return 0.0
    return round(int(client.memory_usage(key, samples=0) or 0) / 2**20, 2)


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far; 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _family(pid: int) -> list[int]:
    """A process and its children (a crawler's corpus writer)."""
    try:
        return [pid, *(int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    except OSError:
        return [pid]


def _kill(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def write_portal_sites(path: Path, bases: list[str], delay: float, concurrency: int) -> Path:
    rows = [
        {"id": f"p{k:04d}", "name": f"测试{k}县人民政府", "start_urls": [b + "/"], "family": "trs",
         "download_delay": delay, "concurrency": concurrency, "max_pages": 10**6, "max_depth": 10**4}
        for k, b in enumerate(bases)
    ]  # fmt: skip
    return write_sites(path, rows)


def one_run(
    processes: int,
    sites_file: Path,
    portals: int,
    articles: int,
    control_port: int,
    folder: Path,
    timeout_s: float,
    env: dict[str, str] | None = None,
    data: Path | None = None,
    attachments: bool = False,
) -> RunResult:
    """A shared crawl of every portal by `processes` crawlers on a fresh Redis, into `data` (default: a new
    folder; an existing one makes this run a later pass); returns its figures. `pages`: this run's 200s."""
    folder.mkdir(parents=True, exist_ok=True)
    data = data or folder / "data"
    result = RunResult(processes, portals, portals * pages_per_portal(articles, attachments))
    server_stats(control_port, reset=True)
    redis_proc, url = start_redis(folder)
    client: Any = redis.Redis.from_url(url)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        run_env = {**crawl_env(1), "GOVARCHIVE_PROGRESS_INTERVAL": "0", **(env or {})}
        start = time.monotonic()
        procs = start_crawlers(processes, url, sites_file, data, folder, run_env)
        drained_at = written_at = None
        run_key = captures_key = None
        cpu: dict[int, float] = {}
        deadline = start + timeout_s
        while written_at is None:
            time.sleep(0.25)
            for proc in procs:
                for pid in _family(proc.pid):
                    cpu[pid] = max(cpu.get(pid, 0.0), _cpu_s(pid))
            if time.monotonic() > deadline:
                raise TimeoutError(f"the shared crawl of {portals} portals took more than {timeout_s} s")
            for i, proc in enumerate(procs):
                if proc.poll() is not None and drained_at is None:
                    log_text = (folder / f"crawler{i}.log").read_text(errors="replace")
                    raise RuntimeError(f"crawler {i} stopped: {log_text[-3000:]}")
            # Found once: a SCAN over the crawl's keys (a bucket per thousands of URLs) is not free.
            run_key = run_key or crawl_key(client, "run")
            if drained_at is None and run_key and client.hget(run_key, "frontier_drained"):
                drained_at = time.monotonic()
            captures_key = captures_key or crawl_key(client, "captures")
            if drained_at is not None and (captures_key is None or client.xlen(captures_key) == 0):
                written_at = time.monotonic()
        result.cpu_s = round(sum(cpu.values()), 1)
        result.load = os.getloadavg()[0]
        memory = client.info("memory")
        result.redis_peak_mib = round(memory["used_memory_peak"] / 2**20, 1)
        result.redis_end_mib = round(memory["used_memory"] / 2**20, 1)
        result.key_mib = {
            name: _mib(client, crawl_key(client, name)) for name in ("queue", "captures", "pages")
        }
        # the validators' buckets, their long hash, bucket count and content types (summed in bytes: each is small)
        validator_keys = client.scan_iter(match="govarchive:*:validators*", count=10_000)
        used = sum(int(client.memory_usage(k, samples=0) or 0) for k in validator_keys)
        result.key_mib["validators"] = round(used / 2**20, 2)
        result.key_mib["dupefilter"] = round(
            sum(
                _mib(client, k.decode())
                for k in client.scan_iter(match="govarchive:*:dupefilter:*", count=10_000)
            ),
            2,
        )
        result.key_mib["jobs"] = _mib(client, "govarchive:jobs")
    finally:
        _kill(procs)
        redis_proc.terminate()
        redis_proc.wait(10)
    after = server_stats(control_port)
    assert drained_at is not None
    result.crawl_s = round(drained_at - start, 1)
    result.written_s = round(written_at - start, 1)
    result.too_many = after["refused"]
    result.bytes_sent = after["bytes_sent"]
    result.not_modified = after["not_modified"]
    result.refused_portals = after["refused_portals"]
    result.min_gap_s = round(after["min_gap_s"], 3)
    with sqlite3.connect(data / "corpus.db") as conn:
        # this run's captures: the last crawl_runs row's
        this_run = "crawl_id = (SELECT max(id) FROM crawl_runs)"
        result.pages = conn.execute(
            f"SELECT count(*) FROM captures WHERE status = 200 AND {this_run}"
        ).fetchone()[0]
        result.distinct_urls = conn.execute(
            f"SELECT count(DISTINCT url) FROM captures WHERE status = 200 AND {this_run}"
        ).fetchone()[0]
    result.pages_per_s = round(result.pages / max(result.crawl_s, 1e-9), 1)
    return result


class Portals:
    """The portal server process, started and stopped."""

    def __init__(self, portals: int, articles: int, limit: float, attachment_kb: int = 0) -> None:
        ready: Any = multiprocessing.Queue()
        self.proc = multiprocessing.Process(
            target=serve, args=(portals, articles, limit, ready, attachment_kb), daemon=True
        )
        self.proc.start()
        self.control_port, self.bases = ready.get(timeout=120)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.join(10)

    def stats(self) -> dict[str, Any]:
        return server_stats(self.control_port)


def run(
    portals: int,
    articles: int,
    delay: float,
    processes: list[int],
    work: Path,
    concurrency: int = 2,
    timeout_s: float = 7200,
    env: dict[str, str] | None = None,
    log: Any = print,
) -> list[RunResult]:
    """One portal server; a shared crawl of it per entry of `processes`. The limiter's memory of the
    previous run's last requests is no problem: each run starts with robots.txt after Redis starts."""
    server = Portals(portals, articles, delay)
    try:
        sites_file = write_portal_sites(work / "sites.toml", server.bases, delay, concurrency)
        results = []
        for p in processes:
            time.sleep(delay)  # the previous run's last request is more than a delay old
            r = one_run(
                p, sites_file, portals, articles, server.control_port, work / f"run-{p}", timeout_s, env
            )
            log(json.dumps(asdict(r)))
            results.append(r)
        return results
    finally:
        server.stop()
