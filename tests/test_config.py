"""The environment is mapped onto the crawl's settings once, when a crawl is set up, and read as one value."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.addons import AddonManager
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.config import CrawlConfig, settings_from_env
from crawler.spiders.reports import ReportsSpider


def _project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def test_environment_reaches_settings_at_setup_and_command_line_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVARCHIVE_DOWNLOAD_TIMEOUT", "1.5")
    monkeypatch.setenv("GOVARCHIVE_EXTRACT_WORKERS", "1")
    monkeypatch.setenv("GOVARCHIVE_CHROMIUM", "/opt/chromium")
    monkeypatch.setenv("GOVARCHIVE_DATA", "/from/env")
    settings = _project_settings()
    assert settings.getfloat("DOWNLOAD_TIMEOUT") == 60.0  # nothing read at import
    settings.set("GOVARCHIVE_DATA", "/from/flag", priority="cmdline")
    AddonManager.load_pre_crawler_settings(settings)  # what every CrawlerProcess does first
    assert settings.getfloat("DOWNLOAD_TIMEOUT") == 1.5
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["executable_path"] == "/opt/chromium"
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["headless"] is True
    config = CrawlConfig.from_settings(settings)
    assert config.extract_workers == 1 and config.data_dir == Path("/from/flag")


def test_bad_value_names_the_variable() -> None:
    with pytest.raises(ValueError, match="GOVARCHIVE_RETRY_TIMES"):
        settings_from_env({"GOVARCHIVE_RETRY_TIMES": "three"}, {})
    assert settings_from_env({}, {}) == {}


def test_scrapy_crawl_without_sites_file_reads_the_sites_setting(tmp_path: Path) -> None:
    sites = tmp_path / "portals.toml"
    sites.write_text(
        '[[sites]]\nid = "a"\nname = "甲"\nstart_urls = ["http://127.0.0.1:9/"]\n', encoding="utf-8"
    )
    crawler = get_crawler(ReportsSpider, {"GOVARCHIVE_SITES": str(sites)})
    spider = ReportsSpider.from_crawler(crawler)
    assert list(spider.sites) == ["a"]
