"""The crawl's own settings, parsed once into a typed value, and the one map from the environment.

`settings_from_env` is the only place that knows the crawl's GOVARCHIVE_* variables (the extraction
library's own, OCR's, are read in archive/environment.py; GOVARCHIVE_MAX_SOFFICE still in
archive/extract/office.py). It runs at the edge of a crawl, when the crawler process is set up (the
`EnvironmentSettings` add-on's pre-crawler hook), so `govarchive crawl` and `scrapy crawl reports` get the
same values, at project priority: a `-s` option or an explicit override (cmdline priority) still wins.
Nothing here reads the environment at import.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.settings import BaseSettings

from archive.store import DEFAULT_DATA_DIR
from crawler.frontier import DISK, frontier_dir

# variable -> (Scrapy setting, parser)
_ENV: dict[str, tuple[str, Callable[[str], Any]]] = {
    "GOVARCHIVE_DATA": ("GOVARCHIVE_DATA", str),
    "GOVARCHIVE_SITES": ("GOVARCHIVE_SITES", str),
    "GOVARCHIVE_DOWNLOAD_TIMEOUT": ("DOWNLOAD_TIMEOUT", float),
    "GOVARCHIVE_RETRY_TIMES": ("RETRY_TIMES", int),
    "GOVARCHIVE_RETRY_BACKOFF": ("GOVARCHIVE_RETRY_BACKOFF", float),
    "GOVARCHIVE_MAX_BYTES": ("DOWNLOAD_MAXSIZE", int),
    "GOVARCHIVE_EXTRACT_WORKERS": ("GOVARCHIVE_EXTRACT_WORKERS", int),
    "GOVARCHIVE_PROGRESS_INTERVAL": ("GOVARCHIVE_PROGRESS_INTERVAL", float),
    "GOVARCHIVE_FRONTIER": ("GOVARCHIVE_FRONTIER", str),
    # Non-public networks the operator vouches for (an intranet's portals and file hosts): the guard
    # fetches addresses there (crawler/middlewares/guard.py).
    "GOVARCHIVE_TRUSTED_NETWORKS": ("GOVARCHIVE_TRUSTED_NETWORKS", str),
    # A crawl shared by many processes through one Redis (crawler/sharedcrawl/).
    "GOVARCHIVE_REDIS_URL": ("GOVARCHIVE_REDIS_URL", str),
    "GOVARCHIVE_CRAWL_NAME": ("GOVARCHIVE_CRAWL_NAME", str),
    "GOVARCHIVE_REDIS_ALIVE_TTL": ("GOVARCHIVE_REDIS_ALIVE_TTL", float),
    "GOVARCHIVE_REDIS_HEARTBEAT": ("GOVARCHIVE_REDIS_HEARTBEAT", float),
    "GOVARCHIVE_POLITENESS_MARGIN": ("GOVARCHIVE_POLITENESS_MARGIN", float),
    # Requests in progress per process over all sites (a national crawl's sites each allow one at a time).
    "GOVARCHIVE_CONCURRENCY": ("CONCURRENT_REQUESTS", int),
}
_CHROMIUM = "GOVARCHIVE_CHROMIUM"  # the browser of render_js sites (PLAYWRIGHT_LAUNCH_OPTIONS)


def settings_from_env(environ: Mapping[str, str], launch_options: Mapping[str, Any]) -> dict[str, Any]:
    """Scrapy settings named by GOVARCHIVE_* variables of `environ`; `launch_options` are the current
    PLAYWRIGHT_LAUNCH_OPTIONS, completed with the browser's path."""
    out: dict[str, Any] = {}
    for var, (name, parse) in _ENV.items():
        value = environ.get(var)
        if value:
            try:
                out[name] = parse(value)
            except ValueError:
                raise ValueError(f"{var}={value!r}: expected {parse.__name__}") from None
    if environ.get(_CHROMIUM):
        out["PLAYWRIGHT_LAUNCH_OPTIONS"] = {**launch_options, "executable_path": environ[_CHROMIUM]}
    return out


def store_max_bytes(environ: Mapping[str, str] | None = None) -> int | None:
    """GOVARCHIVE_MAX_BYTES (a crawl's DOWNLOAD_MAXSIZE, also its blob store's limit), or None when unset: for
    a process without Scrapy settings that writes the same blob store (a shared crawl's corpus writer)."""
    value = settings_from_env(os.environ if environ is None else environ, {}).get("DOWNLOAD_MAXSIZE")
    return int(value) if value is not None else None


class EnvironmentSettings:
    """Add-on (ADDONS in crawler.settings) that applies `settings_from_env` before any crawler exists."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        for name, value in settings_from_env(os.environ, launch).items():
            settings.set(name, value, priority="project")
        frontier = settings.get("GOVARCHIVE_FRONTIER") or "memory"
        if frontier not in ("memory", DISK):
            raise ValueError(f"GOVARCHIVE_FRONTIER={frontier!r}: expected memory or disk")
        if settings.get("GOVARCHIVE_REDIS_URL"):
            # Queue and duplicate filter in Redis; with GOVARCHIVE_FRONTIER=disk the spider's requested URLs
            # (per process) stay on disk all the same (ReportsSpider.from_crawler).
            _shared_crawl(settings)
            return
        if frontier == DISK:  # crawler/frontier.py: queue, duplicate filter and seen URLs on disk
            data_dir = Path(settings.get("GOVARCHIVE_DATA") or DEFAULT_DATA_DIR)
            settings.set("JOBDIR", str(frontier_dir(data_dir)), priority="project")
            settings.set("DUPEFILTER_CLASS", "crawler.frontier.DiskDupeFilter", priority="project")


def _shared_crawl(settings: BaseSettings) -> None:
    """The components of a crawl shared through Redis (crawler/sharedcrawl/): scheduler and duplicate
    filter, the process's liveness and the end of the crawl, per-site slots across processes."""
    settings.set("SCHEDULER", "crawler.sharedcrawl.scheduler.SharedScheduler", priority="project")
    settings.set("DUPEFILTER_CLASS", "crawler.sharedcrawl.scheduler.SharedDupeFilter", priority="project")
    middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    # After the retry backoff's wait (550): a site's slot is taken just before the request goes out.
    middlewares["crawler.sharedcrawl.politeness.SharedSiteSlots"] = 940
    settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="project")
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["crawler.sharedcrawl.liveness.SharedFrontier"] = 10
    settings.set("EXTENSIONS", extensions, priority="project")
    # Bytes to the shared blob store, the rest of each item to the one corpus writer (pipelines/publish.py).
    settings.set("ITEM_PIPELINES", {"pipelines.publish.PublishPipeline": 100}, priority="project")


@dataclass(frozen=True)
class CrawlConfig:
    """govarchive's settings of one crawl (see crawler/settings.py for their defaults)."""

    data_dir: Path
    sites_file: Path
    max_bytes: int | None  # DOWNLOAD_MAXSIZE: also the blob store's limit
    extract_workers: int
    frontier_on_disk: bool
    extract_timeout: float
    retry_backoff: float  # seconds before the first retry, doubled per retry
    retry_backoff_max: float
    redis_url: str | None = None  # a crawl shared by many processes through this Redis (crawler/sharedcrawl/)
    crawl_name: str | None = None  # its name there; by default a digest of the sites file

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> CrawlConfig:
        return cls(
            data_dir=Path(settings.get("GOVARCHIVE_DATA") or DEFAULT_DATA_DIR),
            sites_file=Path(settings.get("GOVARCHIVE_SITES") or "sites.toml"),
            max_bytes=settings.getint("DOWNLOAD_MAXSIZE") or None,
            extract_workers=settings.getint("GOVARCHIVE_EXTRACT_WORKERS", 2),
            frontier_on_disk=(settings.get("GOVARCHIVE_FRONTIER") or "memory") == DISK,
            extract_timeout=settings.getfloat("GOVARCHIVE_EXTRACT_TIMEOUT", 600),
            retry_backoff=settings.getfloat("GOVARCHIVE_RETRY_BACKOFF", 1.0),
            retry_backoff_max=settings.getfloat("GOVARCHIVE_RETRY_BACKOFF_MAX", 60.0),
            redis_url=settings.get("GOVARCHIVE_REDIS_URL") or None,
            crawl_name=settings.get("GOVARCHIVE_CRAWL_NAME") or None,
        )
