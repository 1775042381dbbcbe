"""Kill chaos: SIGKILL `govarchive crawl` again and again at chosen moments, resume after each, and prove
nothing archived is lost or half-written.

A loopback portal (tests/portals/server.py) serves N reports made by the test-document factory in a
realistic mix — mostly HTML pages and DOCX/PDF/XLSX attachments, some DOC, a few ZIP packages and scans —
each behind an article page on one list; pages and files carry an ETag and answer 304 when asked with it,
so a resumed crawl takes the incremental path (a document held but not extracted is fetched in full). The crawl runs as a user runs it, in its own process group; each
life is frozen (SIGSTOP) at its moment, the moment is classified from /proc, then the group is killed:

- random: after a random delay;
- blob: as soon as a blob temp file (DATA/blobs/tmp/part-*) exists or a thread of the crawl is in fsync (a
  batch's pack, or its index, being made durable);
- sqlite: while the crawl holds SQLite's WAL write lock (/proc/locks), i.e. inside a write transaction;
- extraction: while an extraction worker is reading a blob or runs LibreOffice/tesseract;
- history: after the log says the spider is closing (removals, counts, feeds, the run's summary).

The moment's phases are read from the frozen process, not assumed from the trigger. After every kill:
`PRAGMA integrity_check` (and the full-text index's) is ok, every blob the corpus names exists and hashes
to its name, no natural key has two rows, and the temp files the killed life left are gone once the next
life has started. At the end the corpus equals an uninterrupted crawl's of the same portal.

    .venv/bin/python benchmarks/kill_chaos.py [--reports 210] [--kills 55] [--seed 1]

tests/test_kill_chaos.py runs a short version.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from archive.store.blobs import BlobReader  # noqa: E402
from tests.docfactory.convert import scan_pdf  # noqa: E402
from tests.docfactory.random_specs import random_spec  # noqa: E402
from tests.docfactory.render import render_many  # noqa: E402
from tests.docfactory.spec import ReportSpec  # noqa: E402
from tests.portals.harness import write_sites  # noqa: E402
from tests.portals.server import Answer, Handler, Portal, html  # noqa: E402

PLACES = ["东山县", "西河县", "南岭县", "北原县", "青石县", "白水县", "红岩区", "金川区", "银湖区", "玉泉区"]
BODIES = [
    "财政局", "教育局", "民政局", "审计局", "水务局", "统计局", "林业局", "卫生健康局", "交通运输局",
    "农业农村局", "商务局", "司法局",
]  # fmt: skip
TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "scan": "application/pdf",
    "zip": "application/zip",
}
TEMP_GLOBS = ("blobs/tmp/part-*", "derived/*.tmp", "tmp/*")
MODES = ("random", "blob", "sqlite", "extraction")


# --- the portal -------------------------------------------------------------------------------------------


def mix(n: int) -> list[str]:
    """A realistic share of formats for n reports: mostly HTML/PDF/DOCX/XLSX, some DOC, a few packages and
    scans (OCR costs seconds a page)."""
    rare = {"doc": max(1, n // 20), "zip": max(1, n // 40), "scan": max(1, n // 70) if n >= 20 else 0}
    common = n - sum(rare.values())
    counts = {"html": common * 3 // 10, "pdf": common * 3 // 10, "docx": common // 4}
    counts["xlsx"] = common - sum(counts.values())
    order = [fmt for fmt, k in {**counts, **rare}.items() for _ in range(k)]
    random.Random(n).shuffle(order)
    return order


def specs(n: int) -> list[ReportSpec]:
    """n reports of distinct (body, year), figures consistent, titles as portals write them."""
    out: list[ReportSpec] = []
    used: set[tuple[str, int]] = set()
    bodies = [p + b for p in PLACES for b in BODIES]
    for i in range(n):
        spec = random_spec(5000 + i, "2021" if i % 3 else "2019")
        agency = next(a for a in bodies[i % len(bodies) :] + bodies if (a, spec.year) not in used)
        used.add((agency, spec.year))
        title = f"{agency}{spec.year}年政府信息公开工作年度报告"
        out.append(dataclasses.replace(spec, agency=agency, title=title))
    return out


def revalidated(answer: Answer) -> Handler:
    """The answer with an ETag, and 304 to a request that names it (as most portals' servers do)."""
    etag = '"' + hashlib.sha256(answer.body).hexdigest()[:16] + '"'
    full = dataclasses.replace(answer, headers=[*answer.headers, ("ETag", etag)])
    same = Answer(b"", status=304, content_type=None, headers=[("ETag", etag)])
    return lambda req: same if req.headers.get("if-none-match") == etag else full


def build_portal(portal: Portal, n: int, workdir: Path) -> dict[str, int]:
    """Serve n reports on `portal` (list at /xxgk/ndbg/index.html); return the count per format."""
    formats = mix(n)
    all_specs = specs(n)
    wanted = {"html": "html", "docx": "docx", "pdf": "pdf", "doc": "doc", "xlsx": "xlsx", "scan": "scan"}
    by_fmt: dict[str, list[int]] = {}
    for i, fmt in enumerate(formats):
        by_fmt.setdefault(wanted.get(fmt, "docx"), []).append(i)
    files: dict[int, Path] = {}
    # Scans are made from PDFs: theirs are converted in the PDFs' LibreOffice run (one start fewer).
    scans = by_fmt.pop("scan", [])
    if scans:
        by_fmt.setdefault("pdf", [])
    for fmt, idx in by_fmt.items():
        group = idx + (scans if fmt == "pdf" else [])
        rendered = render_many([all_specs[i] for i in group], [fmt], workdir / fmt)
        for i, r in zip(group, rendered, strict=True):
            files[i] = r[fmt]
    if scans:
        (workdir / "scan").mkdir(parents=True, exist_ok=True)
    for i in scans:
        files[i] = scan_pdf(files[i], workdir / "scan" / f"{files[i].stem}_scan.pdf")
    items = []
    for i, (fmt, spec) in enumerate(zip(formats, all_specs, strict=True)):
        if fmt == "html":
            portal.add(f"/art/{i}.html", revalidated(Answer(files[i].read_bytes())))
        else:
            if fmt == "zip":
                packed = workdir / f"package-{i}.zip"
                with zipfile.ZipFile(packed, "w") as zf:
                    zf.write(files[i], "附件/年度报告.docx")
                files[i] = packed
            name = "fujian.zip" if fmt == "zip" else f"report.{'pdf' if fmt == 'scan' else fmt}"
            portal.add(
                f"/files/{i}/{name}", revalidated(Answer(files[i].read_bytes(), content_type=TYPES[fmt]))
            )
            page = html(
                f'<html><head><meta charset="utf-8"><title>{spec.title}</title></head><body>'
                f"<h1>{spec.title}</h1><p>附件：<a href='/files/{i}/{name}'>附件1</a></p></body></html>"
            )
            portal.add(f"/art/{i}.html", revalidated(page))
        items.append(f"<li><a href='/art/{i}.html'>{spec.title}</a></li>")
    portal.add(
        "/xxgk/ndbg/index.html",
        html(
            '<html><head><meta charset="utf-8"><title>年度报告</title></head>'
            f"<body><ul>{''.join(items)}</ul></body></html>"
        ),
    )
    return dict(Counter(formats))


def write_site(folder: Path, base_url: str) -> Path:
    site = {
        "id": "chaos",
        "name": "测试",
        "start_urls": [base_url + "/xxgk/ndbg/index.html"],
        "download_delay": 0.0,
        "concurrency": 8,
    }
    return write_sites(folder / "sites.toml", [site])


def crawl_command(data: Path, sites: Path) -> list[str]:
    return [sys.executable, "-m", "govarchive", "crawl", "--sites", str(sites), "--data", str(data)]


def crawl_env(workers: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GOVARCHIVE_EXTRACT_WORKERS": str(workers),
        "GOVARCHIVE_RETRY_BACKOFF": "1.0",
    }


# --- where a frozen crawl is -------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def descendants(pid: int) -> list[int]:
    tree = _children()
    out, todo = [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _fds(pid: int) -> list[str]:
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return []
    out = []
    for fd in names:
        with contextlib.suppress(OSError):
            out.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
    return out


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def holds_wal_write_lock(pid: int, data: Path) -> bool:
    """SQLite's WAL write lock is a POSIX lock on byte 120 of corpus.db-shm, held for a write transaction."""
    try:
        inode = (data / "corpus.db-shm").stat().st_ino
        locks = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return False
    for line in locks:
        parts = line.split()
        if (
            len(parts) >= 8
            and parts[1] in ("POSIX", "OFDLCK")
            and parts[3] == "WRITE"
            and parts[4] == str(pid)
            and parts[5].rsplit(":", 1)[-1] == str(inode)
            and parts[6] == "120"
        ):
            return True
    return False


def in_blob_write(pid: int, data: Path) -> bool:
    """A blob's temp file is open, or a pack or its index is being made durable (an fsync)."""
    tmp = str(data / "blobs" / "tmp" / "part-")
    return any(f.startswith(tmp) for f in _fds(pid)) or in_fsync(pid)


def in_fsync(pid: int) -> bool:
    """A thread of the crawl is in fsync/fdatasync (x86-64 syscalls 74, 75): a blob being made durable."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for tid in tasks:
        try:
            nr = Path(f"/proc/{pid}/task/{tid}/syscall").read_text().split(" ", 1)[0]
        except OSError:
            continue
        if nr in ("74", "75"):
            return True
    return False


def _computing(pid: int) -> bool:
    """In user space, not blocked in a system call (also when frozen: /proc/PID/syscall says -1)."""
    try:
        return Path(f"/proc/{pid}/syscall").read_text().startswith(("-1", "running"))
    except OSError:
        return False


def extracting(pid: int, data: Path) -> bool:
    """An extraction worker is at work: reading a blob, running a tool, or computing (an idle worker, the
    fork server and the resource tracker wait in a system call)."""
    blobs, derived, scratch = (str(data / d) for d in ("blobs/sha256", "derived", "tmp"))
    for child in descendants(pid):
        comm = _comm(child)
        if comm.startswith(("soffice", "tesseract", "pdftoppm", "oosplash")):
            return True
        if any(f.startswith((blobs, derived, scratch)) for f in _fds(child)):
            return True
        if comm.startswith("python") and _computing(child):
            return True
    return False


class LogTail:
    """The text a life adds to DATA/logs/crawl-*.log (a second-resolution name may be shared)."""

    def __init__(self, data: Path) -> None:
        self.logs = data / "logs"
        self.start = (
            {p: p.stat().st_size for p in self.logs.glob("crawl-*.log")} if self.logs.is_dir() else {}
        )

    def text(self) -> str:
        out = []
        for p in sorted(self.logs.glob("crawl-*.log")) if self.logs.is_dir() else []:
            with open(p, "rb") as f:
                f.seek(self.start.get(p, 0))
                out.append(f.read().decode("utf-8", "replace"))
        return "".join(out)

    def started(self) -> bool:
        return self.logs.is_dir() and any(
            p.stat().st_size > self.start.get(p, 0) or p not in self.start
            for p in self.logs.glob("crawl-*.log")
        )


def phases(pid: int, data: Path, log: LogTail) -> set[str]:
    out = set()
    if in_blob_write(pid, data):
        out.add("blob write")
    if holds_wal_write_lock(pid, data):
        out.add("sqlite transaction")
    if extracting(pid, data):
        out.add("extraction")
    if "Closing spider" in log.text():
        out.add("history pass")
    if not log.started():
        out.add("start-up")
    return out or {"fetching"}


# --- one life ----------------------------------------------------------------------------------------------


@dataclass
class Life:
    mode: str
    seconds: float
    phases: set[str] = field(default_factory=set)
    killed: bool = True
    returncode: int | None = None
    leftovers: list[tuple[Path, int]] = field(default_factory=list)  # (path, inode)


def temp_files(data: Path) -> list[Path]:
    # A tool's own dot file in TMPDIR (a session id, `.ses`) is made again by every run: no leftover.
    return [p for g in TEMP_GLOBS for p in data.glob(g) if not p.name.startswith(".")]


def same_files(paths: list[tuple[Path, int]]) -> list[Path]:
    """Which of these (path, inode) are still the very files (a tool may make a new one of the same name)."""
    out = []
    for path, inode in paths:
        with contextlib.suppress(OSError):
            if path.stat().st_ino == inode:
                out.append(path)
    return out


def _trigger(mode: str, pid: int, data: Path, log: LogTail) -> bool:
    if mode == "blob":
        tmp = data / "blobs" / "tmp"
        return in_fsync(pid) or (tmp.is_dir() and any(e.name.startswith("part-") for e in os.scandir(tmp)))
    if mode == "sqlite":
        return holds_wal_write_lock(pid, data)
    if mode == "extraction":
        return extracting(pid, data)
    if mode == "history":
        return "Closing spider" in log.text()
    return False


def live(
    data: Path, sites: Path, mode: str, rng: random.Random, workers: int, delay: tuple[float, float]
) -> Life:
    """Run the crawl until its moment in `mode`, freeze it, read where it is, kill the group."""
    log = LogTail(data)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        crawl_command(data, sites),
        cwd=ROOT,
        env=crawl_env(workers),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    wait = 0.0 if mode == "history" else rng.uniform(*delay)
    armed_at = give_up = float("inf")  # counted from the life's start of work: its log's first line
    while proc.poll() is None:
        now = time.monotonic()
        if armed_at == float("inf") and log.started():
            armed_at = now + wait
            give_up = armed_at + (600.0 if mode == "history" else 15.0)  # then kill wherever it is
        if now >= armed_at and (mode == "random" or now >= give_up or _trigger(mode, proc.pid, data, log)):
            if mode == "history":
                time.sleep(rng.uniform(0, 0.1))  # somewhere inside the end-of-run work
            break
        time.sleep(0.001 if mode in ("blob", "sqlite") else 0.01)
    life = Life(mode, 0.0)
    tree = descendants(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGSTOP)
    if proc.poll() is None:
        life.phases = phases(proc.pid, data, log)
        tree = descendants(proc.pid)
    else:
        life.killed = False
    with contextlib.suppress(
        ProcessLookupError
    ):  # also what a finished crawl may leave in its group (it was just stopped)
        os.killpg(proc.pid, signal.SIGKILL)
    for pid in tree:  # LibreOffice runs in a session of its own: it is the crawl's all the same
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, err = proc.communicate()
    life.returncode = proc.returncode
    life.seconds = time.monotonic() - t0
    if not life.killed and proc.returncode != 0:
        raise RuntimeError(f"the crawl failed by itself ({proc.returncode}): {err.decode()[-3000:]}")
    life.leftovers = [(p, p.stat().st_ino) for p in temp_files(data) if p.exists()]
    return life


# --- what must hold after every kill ------------------------------------------------------------------------

REFERENCING = {
    "captures": ["sha256"],
    "documents": ["sha256"],
    "links": ["page_sha256"],
    "members": ["package_sha256", "sha256"],
    "reports": ["sha256"],
    "report_sources": ["sha256"],
    "report_stats": ["source_sha256"],
}
# The natural key of each table: what makes two rows the same fact.
NATURAL_KEYS = {
    "captures": "url, crawl_id",
    "documents": "sha256",
    "links": "page_sha256, url",
    "members": "package_sha256, name",
    "reports": "site_id, agency, year, kind",
    "report_sources": "report_id, sha256, url",
    "report_stats": "report_id, section, row, col",
    "report_checks": "report_id, rule",
    "sites": "id",
    "_migrations": "name",
}


def check_corpus(data: Path) -> list[str]:
    """What is wrong with the data folder now (empty: nothing)."""
    db = data / "corpus.db"
    if not db.exists():
        return []
    problems: list[str] = []
    conn = sqlite3.connect(db, timeout=30)
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if status != "ok":
            problems.append(f"integrity_check: {status}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "reports_fts" in tables:
            try:
                conn.execute("INSERT INTO reports_fts(reports_fts) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as e:
                problems.append(f"reports_fts: {e}")
        for table, key in NATURAL_KEYS.items():
            if table in tables:
                dup = conn.execute(
                    f"SELECT {key}, count(*) FROM [{table}] GROUP BY {key} HAVING count(*) > 1 LIMIT 3"
                ).fetchall()
                if dup:
                    problems.append(f"{table}: duplicate rows {dup}")
        named: set[str] = set()
        for table, cols in REFERENCING.items():
            if table in tables:
                for col in cols:
                    named |= {
                        r[0]
                        for r in conn.execute(f"SELECT DISTINCT {col} FROM [{table}] WHERE {col} IS NOT NULL")
                    }
    finally:
        conn.close()
    reader = BlobReader(data / "blobs")  # a file of its own or a record in a pack
    try:
        for sha in sorted(named):
            if not reader.has(sha):
                problems.append(f"blob {sha} is named but missing")
                continue
            digest = hashlib.sha256()
            with reader.open(sha) as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
            if digest.hexdigest() != sha:
                problems.append(f"blob {sha} does not hash to its name")
    finally:
        reader.close()
    return problems


# --- the same corpus ---------------------------------------------------------------------------------------

_REPORT_KEY = "r.site_id, r.agency, r.year, r.kind"
CONTENT = {
    "reports": "SELECT site_id, agency, region, year, kind, title, template, published_at, page_url, sha256,"
    " source_url, text, removed_at IS NULL FROM reports",
    "report_sources": f"SELECT {_REPORT_KEY}, s.sha256, s.url, s.format, s.removed_at IS NULL"
    " FROM report_sources s JOIN reports r ON r.id = s.report_id",
    "report_stats": f"SELECT {_REPORT_KEY}, s.section, s.row, s.col, s.value, s.raw, s.row_label, s.col_label,"
    " s.ocr, s.source_sha256, s.placed_by FROM report_stats s JOIN reports r ON r.id = s.report_id",
    "report_checks": f"SELECT {_REPORT_KEY}, c.rule, c.status, c.detail"
    " FROM report_checks c JOIN reports r ON r.id = c.report_id",
    "documents": "SELECT sha256, size, media_type, text, pages, extractor, ocr, error, tables, page_meta,"
    " extracted_at IS NULL FROM documents",
    "members": "SELECT package_sha256, name, sha256, size, media_type FROM members",
    "links": "SELECT page_sha256, page_url, url, text, kind FROM links",
    # What was fetched, whichever run and whether in full or as a 304 of the bytes held.
    "captured": "SELECT DISTINCT url, sha256, role FROM captures WHERE error IS NULL AND sha256 IS NOT NULL",
}


def content(data: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(data / "corpus.db")
    try:
        return {name: sorted(map(tuple, conn.execute(sql)), key=repr) for name, sql in CONTENT.items()}
    finally:
        conn.close()


def differences(a: Path, b: Path) -> list[str]:
    ca, cb = content(a), content(b)
    out = []
    for name in CONTENT:
        if ca[name] != cb[name]:
            only_a = [r for r in ca[name] if r not in cb[name]][:2]
            only_b = [r for r in cb[name] if r not in ca[name]][:2]
            out.append(
                f"{name}: {len(ca[name])} vs {len(cb[name])} rows; e.g. {only_a!r:.400} / {only_b!r:.400}"
            )
    return out


# --- the whole run -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    reports: int
    formats: dict[str, int]
    kills: int
    lives: list[Life]
    problems: list[str]
    differences: list[str]
    reference_s: float
    chaos_s: float
    final_s: float

    def moments(self) -> Counter[str]:
        return Counter(p for life in self.lives if life.killed for p in life.phases)

    def summary(self) -> str:
        lost = self.chaos_s + self.final_s - self.reference_s
        modes = Counter(life.mode for life in self.lives if life.killed)
        lines = [
            f"portal: {self.reports} reports {json.dumps(self.formats, sort_keys=True)}",
            f"kills: {self.kills} (by trigger: {dict(sorted(modes.items()))})",
            "moments hit: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.moments().items(), key=lambda kv: -kv[1])),
            f"uninterrupted crawl: {self.reference_s:.1f} s; killed lives: {self.chaos_s:.1f} s; "
            f"final resume: {self.final_s:.1f} s",
            f"time lost to restarts: {lost:.1f} s ({lost / max(1, self.kills):.2f} s per kill)",
            f"checks after each kill: {len(self.problems)} problems; final corpus vs uninterrupted: "
            + ("same" if not self.differences else f"{len(self.differences)} tables differ"),
        ]
        return "\n".join(
            lines
            + [f"  problem: {p}" for p in self.problems[:20]]
            + [f"  differs: {d}" for d in self.differences]
        )


def run(
    n_reports: int,
    kills: int,
    seed: int,
    work: Path,
    workers: int = 2,
    history_share: float = 0.2,
    delay: tuple[float, float] | None = None,
    log: Any = print,
) -> Outcome:
    rng = random.Random(seed)
    portal = Portal()
    base = portal.start()
    try:
        t = time.monotonic()
        formats = build_portal(portal, n_reports, work / "files")
        log(f"portal built in {time.monotonic() - t:.0f} s: {formats}")
        sites = write_site(work, base)
        reference = work / "reference"
        t = time.monotonic()
        proc = subprocess.run(
            crawl_command(reference, sites), cwd=ROOT, env=crawl_env(workers), capture_output=True, text=True
        )
        reference_s = time.monotonic() - t
        if proc.returncode != 0:
            raise RuntimeError(f"the uninterrupted crawl failed: {proc.stderr[-3000:]}")
        log(f"uninterrupted crawl: {reference_s:.1f} s")
        data = work / "chaos"
        n_history = round(kills * history_share)
        if delay is None:  # lives long enough to get somewhere, short enough for the kills to span the work
            delay = (0.0, max(1.0, min(30.0, 3 * reference_s / max(1, kills - n_history))))
        lives: list[Life] = []
        problems: list[str] = []
        previous: list[tuple[Path, int]] = []
        killed = 0
        while killed < kills and len(lives) < 3 * kills:
            mode = MODES[len(lives) % len(MODES)] if killed < kills - n_history else "history"
            life = live(data, sites, mode, rng, workers, delay)
            killed += life.killed
            lives.append(life)
            still = same_files(previous)
            if still:
                problems.append(
                    f"after life {len(lives)}: temp files of the killed life before remain: {still[:3]}"
                )
            found = check_corpus(data)
            problems += [f"after life {len(lives)} ({life.mode}, {sorted(life.phases)}): {p}" for p in found]
            previous = life.leftovers if life.killed else []
            log(
                f"life {len(lives):3d} {mode:10s} {life.seconds:6.1f} s "
                f"{'killed in ' + ', '.join(sorted(life.phases)) if life.killed else 'finished'}"
                f"{'; ' + str(len(life.leftovers)) + ' temp files left' if life.leftovers else ''}"
                f"{'; PROBLEMS ' + str(found) if found else ''}"
            )
        t = time.monotonic()
        final = subprocess.run(
            crawl_command(data, sites), cwd=ROOT, env=crawl_env(workers), capture_output=True, text=True
        )
        final_s = time.monotonic() - t
        if final.returncode != 0:
            problems.append(f"final resume failed ({final.returncode}): {final.stderr[-2000:]}")
        if same_files(previous):
            problems.append("temp files of the last killed life remain after the final run")
        if temp_files(data):
            problems.append(f"temp files after a finished run: {temp_files(data)[:3]}")
        problems += [f"final: {p}" for p in check_corpus(data)]
        return Outcome(
            reports=n_reports,
            formats=formats,
            kills=sum(1 for life in lives if life.killed),
            lives=lives,
            problems=problems,
            differences=differences(reference, data),
            reference_s=reference_s,
            chaos_s=sum(life.seconds for life in lives),
            final_s=final_s,
        )
    finally:
        portal.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--reports", type=int, default=210)
    parser.add_argument("--kills", type=int, default=55)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="govarchive-chaos-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        outcome = run(args.reports, args.kills, args.seed, work, args.workers)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(outcome.summary())
    return 0 if not outcome.problems and not outcome.differences else 1


if __name__ == "__main__":
    sys.exit(main())
