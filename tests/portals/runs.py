"""Crawls of the simulators, run once per test process and shared by the test modules that read them.

Cached at module level (not per-module fixtures) because several modules read the same crawl; the
simulators keep serving until the process ends so tests can read their request logs.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.portals import (
    Planted,
    formats,
    gkmlpt,
    hanweb,
    jsapi,
    plain,
    polite,
    tricky,
    trs,
    yeardept,
    yeartabs,
)
from tests.portals.harness import crawl, write_sites
from tests.portals.server import Portal

_ROOT = Path(tempfile.mkdtemp(prefix="govarchive-portals-"))
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
FAST = {"download_delay": 0.0, "concurrency": 8}


@dataclass
class Crawled:
    data: Path
    portal: Portal
    planted: Planted
    proc: subprocess.CompletedProcess[str]
    others: dict[str, Portal]


def _run(name: str, portal: Portal, planted: Planted, site: dict[str, Any], **kw: Any) -> Crawled:
    folder = _ROOT / name
    folder.mkdir()
    sites = write_sites(folder / "sites.toml", [{"id": name, "name": "测试", **FAST, **site}])
    proc = crawl(sites, folder / "data", [name], **kw)
    return Crawled(folder / "data", portal, planted, proc, {})


@functools.cache
def trs_portal() -> Crawled:
    offsite = Portal("127.0.0.9")
    offsite.start()
    portal = Portal("127.0.0.2")
    base = portal.start()
    planted = trs.build(portal, offsite.base_url)
    run = _run("trs", portal, planted, {"start_urls": [base + "/"], "family": "trs", "max_depth": 8})
    run.others["offsite"] = offsite
    return run


def _hanweb(via: str) -> Crawled:
    portal = Portal("127.0.0.3")
    base = portal.start()
    planted = hanweb.build(portal)
    return _run(f"hanweb-{via}", portal, planted, {"start_urls": [base + "/"]}, via=via)


@functools.cache
def hanweb_portal(via: str = "govarchive") -> Crawled:
    return _hanweb(via)


@functools.cache
def jsapi_portal(render: bool) -> Crawled:
    portal = Portal("127.0.0.4")
    base = portal.start()
    planted = jsapi.build(portal)
    site = {"start_urls": [base + "/xxgk/list.html"], "family": "jsapi", "render_js": render}
    return _run("jsrender" if render else "jsapi", portal, planted, site)


@functools.cache
def gkmlpt_portal() -> Crawled:
    portal = Portal("127.0.0.5")
    base = portal.start()
    planted = gkmlpt.build(portal)
    return _run("gkmlpt", portal, planted, {"start_urls": [base + "/gkmlpt/index#2890"], "family": "gkmlpt"})


@functools.cache
def yeardept_portal() -> Crawled:
    portal = Portal("127.0.0.6")
    base = portal.start()
    planted = yeardept.build(portal)
    return _run(
        "yeardept", portal, planted, {"start_urls": [base + "/ndbg/index.html"], "family": "yeardept"}
    )


TIMEOUT = 2.0  # GOVARCHIVE_DOWNLOAD_TIMEOUT of the politeness crawl


@functools.cache
def polite_portals() -> Crawled:
    """One crawl of two sites: `slow` asks for a delay and one connection, `fast` asks for neither and
    answers two documents late (one recovers on retry, one never does)."""
    slow, fast = Portal("127.0.0.7"), Portal("127.0.0.8")
    slow_base, fast_base = slow.start(), fast.start()
    planted = polite.build_slow(slow, "慢站")
    fast_planted = polite.build_slow(fast, "快站", polite.TIMEOUT_LINKS)
    fast_planted.reports |= polite.add_timeouts(fast, TIMEOUT + 1.0).reports
    planted.reports |= fast_planted.reports
    folder = _ROOT / "polite"
    folder.mkdir()
    sites = write_sites(
        folder / "sites.toml",
        [
            {"id": "slow", "name": "慢站", "start_urls": [slow_base + "/"], "download_delay": polite.SLOW_DELAY,
             "concurrency": 1},
            {"id": "fast", "name": "快站", "start_urls": [fast_base + "/"], "download_delay": 0.0, "concurrency": 8},
        ],
    )  # fmt: skip
    env = {"GOVARCHIVE_DOWNLOAD_TIMEOUT": str(TIMEOUT), "GOVARCHIVE_RETRY_TIMES": "1"}
    proc = crawl(sites, folder / "data", ["slow", "fast"], env=env)
    return Crawled(folder / "data", slow, planted, proc, {"fast": fast})


@functools.cache
def plain_portal() -> Crawled:
    portal = Portal("127.0.0.10")
    base = portal.start()
    planted = plain.build(portal)
    return _run("plain", portal, planted, {"start_urls": [base + "/xxgk/ndbg/index.html"]})


@dataclass
class FormatsCrawled(Crawled):
    files: dict[str, Path] = field(default_factory=dict)


@functools.cache
def formats_portal() -> FormatsCrawled:
    portal = Portal("127.0.0.11")
    base = portal.start()
    work = _ROOT / "formats-files"
    work.mkdir()
    planted, files = formats.build(portal, work)
    run = _run("formats", portal, planted, {"start_urls": [base + "/xxgk/ndbg/index.html"]})
    return FormatsCrawled(run.data, portal, planted, run.proc, {}, files)


@functools.cache
def yeartabs_portal() -> Crawled:
    """A year × department platform crawled without a family hint (`auto`)."""
    portal = Portal("127.0.0.12")
    base = portal.start()
    planted = yeartabs.build(portal)
    return _run("yeartabs", portal, planted, {"start_urls": [base + "/bmnb/index.html"]})


@dataclass
class WarcCrawled(Crawled):
    sites_file: Path = Path()
    bases: dict[str, str] = field(default_factory=dict)  # site id → base URL


@functools.cache
def warc_portals() -> WarcCrawled:
    """The tricky portal (a redirect, one ZIP at two URLs, ETags answered 304, a table picture) and the
    bundled demo portals (PDF, DOCX, DOC reports), crawled twice into one data folder: the second run is
    answered by 304s. The servers keep serving for the WARC tests (wget, replay)."""
    from govarchive.demoserver import SITES_DIR, start_portal

    portal = Portal("127.0.0.21")
    base = portal.start()
    planted = tricky.build(portal)
    demo = {d.name: start_portal(d) for d in sorted(SITES_DIR.iterdir()) if d.is_dir()}
    bases = {"t": base, **{k: s.base_url.rstrip("/") for k, s in demo.items()}}
    folder = _ROOT / "warc"
    folder.mkdir()
    sites = [
        {"id": "t", "name": "测试", "start_urls": [base + "/list/index.html"], **FAST},
        {"id": "demo-zn", "name": "示范县人民政府", "start_urls": [bases["demo-zn"] + "/zwgk/index.html"],
         "allowed_domains": ["127.0.0.1"], **FAST},
        {"id": "demo-lt", "name": "示范区人民政府", "start_urls": [bases["demo-lt"] + "/xxgk/index.html"],
         "allowed_domains": ["127.0.0.1"], **FAST},
    ]  # fmt: skip
    sites_file = write_sites(folder / "sites.toml", sites)
    crawl(sites_file, folder / "data", ["t", "demo-zn", "demo-lt"])
    proc = crawl(sites_file, folder / "data", ["t", "demo-zn", "demo-lt"])
    return WarcCrawled(folder / "data", portal, planted, proc, {}, sites_file, bases)
