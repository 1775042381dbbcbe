"""Start the zoo's simulators, run one real crawl over them, and score the corpus against the truth.

Shared by benchmarks/zoo_recall.py and tests/test_zoo.py so both measure the same way.
"""

from __future__ import annotations

import html
import importlib
import pkgutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from tests.portals import harness
from tests.zoo import docs
from tests.zoo.common import Planted, ZooSite

PARTS = ("open", "sealed")


def load(part: str) -> list[ZooSite]:
    """Every simulator of a part, built (documents made or read from the cache), not yet started."""
    pkg = importlib.import_module(f"tests.zoo.{part}")
    sites = [
        importlib.import_module(f"tests.zoo.{part}.{m.name}").build()
        for m in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name)
        if not m.name.startswith("_")
    ]
    docs.materialize()
    return sites


@contextmanager
def running(sites: list[ZooSite]) -> Iterator[list[ZooSite]]:
    try:
        for s in sites:
            s.start()
        yield sites
    finally:
        for s in sites:
            s.stop()


def norm(url: str) -> str:
    """Compare URLs regardless of percent-encoding (nested too), entities, fragments and host case."""
    u = html.unescape(url).strip().split("#")[0]
    prev = None
    while prev != u:
        prev, u = u, unquote(u)
    p = urlsplit(u)
    return urlunsplit((p.scheme.lower(), p.netloc.lower(), p.path or "/", p.query, ""))


@dataclass
class SiteResult:
    site: str
    planted: int
    found: int
    corpus_reports: int
    correct_reports: int
    captures: int
    server_requests: int
    browser_requests: int
    agency_exact: int
    supersede_ok: int = 0
    supersede_total: int = 0
    missed: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    lookalikes: int = 0
    lookalike_sources: list[str] = field(default_factory=list)  # look-alike URLs attached to any report

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.correct_reports / self.corpus_reports if self.corpus_reports else 1.0

    @property
    def pages_per_report(self) -> float | None:
        return self.captures / self.found if self.found else None

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(recall=self.recall, precision=self.precision, pages_per_report=self.pages_per_report)
        return d


def _corpus(conn: sqlite3.Connection, site_id: str) -> list[dict[str, Any]]:
    out = []
    for r in conn.execute("SELECT * FROM reports WHERE site_id = ? ORDER BY id", (site_id,)):
        urls = [
            s["url"] for s in conn.execute("SELECT url FROM report_sources WHERE report_id = ?", (r["id"],))
        ]
        if r["page_url"]:
            urls.append(r["page_url"])
        out.append({**dict(r), "urls": urls, "norm": {norm(u) for u in urls}})
    return out


def _match(planted: list[set[str]], years: list[int], corpus: list[dict[str, Any]]) -> dict[int, int]:
    """One-to-one matching (augmenting paths): planted index → corpus index."""
    edges = [
        [j for j, r in enumerate(corpus) if r["year"] == years[i] and planted[i] & r["norm"]]
        for i in range(len(planted))
    ]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(planted)):
        augment(i, set())
    return {i: j for j, i in owner.items()}


def score_site(site: ZooSite, conn: sqlite3.Connection) -> SiteResult:
    corpus = _corpus(conn, site.id)
    want = [{norm(site.resolve(u)) for u in p.urls} for p in site.planted]
    match = _match(want, [p.year for p in site.planted], corpus)
    captures = conn.execute("SELECT count(*) FROM captures WHERE site_id = ?", (site.id,)).fetchone()[0]
    res = SiteResult(
        site=site.id,
        planted=len(site.planted),
        found=len(match),
        corpus_reports=len(corpus),
        correct_reports=len(match),
        captures=captures,
        server_requests=sum(len(p.log) for p in site.portals.values()),
        browser_requests=sum(p.browser_requests for p in site.portals.values()),
        agency_exact=sum(corpus[j]["agency"] == site.planted[i].body for i, j in match.items()),
        lookalikes=len(site.lookalikes),
    )
    for i, p in enumerate(site.planted):
        if i not in match:
            res.missed.append(_describe(site, p))
        elif p.latest:
            res.supersede_total += 1
            served = site.served(p.latest)
            if served is not None and corpus[match[i]]["sha256"] == _sha(served):
                res.supersede_ok += 1
            else:
                res.missed.append({**_describe(site, p), "problem": "figures not from the correction"})
    matched = set(match.values())
    fakes = {norm(site.resolve(u)) for u in site.lookalikes}
    for j, r in enumerate(corpus):
        res.lookalike_sources += sorted(u for u in r["urls"] if norm(u) in fakes)
        if j not in matched:
            dup = any(r["year"] == site.planted[i].year and want[i] & r["norm"] for i in range(len(want)))
            res.false_positives.append(
                {
                    "agency": r["agency"],
                    "year": r["year"],
                    "kind": r["kind"],
                    "title": r["title"],
                    "url": r["page_url"] or (r["urls"][0] if r["urls"] else ""),
                    "why": "duplicate of a planted report" if dup else "not a planted report",
                }
            )
    return res


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _describe(site: ZooSite, p: Planted) -> dict[str, Any]:
    return {"body": p.body, "year": p.year, "form": p.form, "urls": [site.resolve(u) for u in p.urls]}


@dataclass
class PartResult:
    part: str
    sites: list[SiteResult]
    crawl_seconds: float
    crawl_error: str | None = None

    def totals(self) -> dict[str, Any]:
        planted = sum(s.planted for s in self.sites)
        found = sum(s.found for s in self.sites)
        corpus = sum(s.corpus_reports for s in self.sites)
        correct = sum(s.correct_reports for s in self.sites)
        captures = sum(s.captures for s in self.sites)
        return {
            "planted": planted,
            "found": found,
            "recall": found / planted if planted else 1.0,
            "corpus_reports": corpus,
            "false_positives": corpus - correct,
            "precision": correct / corpus if corpus else 1.0,
            "captures": captures,
            "server_requests": sum(s.server_requests for s in self.sites),
            "browser_requests": sum(s.browser_requests for s in self.sites),
            "pages_per_report": captures / found if found else None,
            "supersede_ok": sum(s.supersede_ok for s in self.sites),
            "supersede_total": sum(s.supersede_total for s in self.sites),
            "agency_exact": sum(s.agency_exact for s in self.sites),
            "lookalikes": sum(s.lookalikes for s in self.sites),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "crawl_seconds": self.crawl_seconds,
            "crawl_error": self.crawl_error,
            "totals": self.totals(),
            "sites": [s.as_dict() for s in self.sites],
        }


# Loopback stands in for the public internet here (a portal's file server or CDN is another 127.x host):
# the operator's word that the guard may fetch there, as public hosts are fetched in the world.
LOOPBACK_IS_THE_WORLD = {"GOVARCHIVE_TRUSTED_NETWORKS": "127.0.0.0/8"}


def crawl_and_score(
    sites: list[ZooSite],
    part: str,
    work: Path | None = None,
    code: Path = harness.ROOT,
    timeout: float = 780,
    politeness: dict[str, Any] | None = None,
) -> PartResult:
    """Serve the sites, crawl them all in ONE run, score each; servers are stopped before returning.

    politeness: sites-file settings put on every site (None: the defaults a sites file without them gets)."""
    with tempfile.TemporaryDirectory(prefix=f"zoo-{part}-") as tmp:
        base = work or Path(tmp)
        data = base / "data"
        data.mkdir(parents=True, exist_ok=True)
        error = None
        with running(sites):
            sites_file = harness.write_sites(
                base / "sites.toml", [{**s.entry(), **(politeness or {})} for s in sites]
            )
            t0 = time.monotonic()
            try:
                harness.crawl(
                    sites_file,
                    data,
                    [s.id for s in sites],
                    timeout=timeout,
                    code=code,
                    env=LOOPBACK_IS_THE_WORLD,
                )
            except (AssertionError, subprocess.TimeoutExpired) as e:
                error = str(e)[-4000:]
            elapsed = time.monotonic() - t0
        if not (data / "corpus.db").exists():
            return PartResult(part, [], elapsed, error or "no corpus.db")
        conn = harness.db(data)
        try:
            results = [score_site(s, conn) for s in sites]
        finally:
            conn.close()
    return PartResult(part, results, elapsed, error)


def run_part(part: str, code: Path = harness.ROOT, timeout: float = 780) -> PartResult:
    return crawl_and_score(load(part), part, code=code, timeout=timeout)


def run_parts(
    parts: tuple[str, ...],
    code: Path = harness.ROOT,
    timeout: float = 780,
    politeness: dict[str, Any] | None = None,
) -> dict[str, PartResult]:
    """Every site of `parts` in ONE crawl (one start of Scrapy, Chromium and the extraction pool, and the
    parts' waits overlapping), each part scored on its own sites only: the sites are independent (their own
    hosts, ids and truth), so a site's score is the one a crawl of its part alone gives."""
    sites = {part: load(part) for part in parts}
    every = [s for p in parts for s in sites[p]]
    both = crawl_and_score(every, "+".join(parts), code=code, timeout=timeout, politeness=politeness)
    return {
        part: PartResult(
            part,
            [r for r in both.sites if r.site in {s.id for s in sites[part]}],
            both.crawl_seconds,
            both.crawl_error,
        )
        for part in parts
    }
