"""Runs the Scrapy crawl in this process (once per process: Twisted's reactor cannot restart)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive.products.runend import summarize
from archive.sites import Site


def crawl_settings(data_dir: Path, sites: list[Site], overrides: dict[str, Any] | None = None) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("GOVARCHIVE_DATA", str(data_dir), priority="cmdline")
    if any(s.render_js for s in sites):
        handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
        settings.set("DOWNLOAD_HANDLERS", {"http": handler, "https": handler}, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(data_dir: Path, sites: list[Site], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Crawl `sites` into `data_dir`; return the run's summary counters."""
    settings = crawl_settings(data_dir, sites, overrides)
    # The command line owns the console and the log file (govarchive/cli.py); Scrapy adds no handler.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("reports")
    process.crawl(crawler, sites=sites)
    process.start()
    # The run's results are the crawl's stats (crawler/run.py closed the workspace at spider_closed).
    return summarize(crawler.stats.get_stats()) if crawler.stats is not None else {}
