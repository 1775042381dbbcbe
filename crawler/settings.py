"""Scrapy settings of the govarchive crawler. Portals are data (sites.toml), not settings.

Defaults only: the GOVARCHIVE_* environment variables are mapped onto these by the add-on
`crawler.config.EnvironmentSettings` when a crawl is set up, and read as `crawler.config.CrawlConfig`.
"""

from __future__ import annotations

from archive.store import DEFAULT_DATA_DIR

BOT_NAME = "govarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
USER_AGENT = "govarchive/0.1 (archive of government information-disclosure annual reports)"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
# 404 and 410 reach the spider so that a vanished page is recorded (monitoring needs it); 304 answers the
# conditional requests of crawler.incremental (the blob already held is confirmed).
HTTPERROR_ALLOWED_CODES = [304, 404, 410]
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024
DOWNLOAD_WARNSIZE = 50 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
# Scrapy runs a callback's outputs through this many asyncio tasks per response, made afresh for each
# response: at 100 (the default) that alone cost 1.5–1.8 ms a page. 8 measured best for the archiving
# crawl (its items wait for their group commit while the page's requests go on), as good as 4 for a
# bare spider (BENCHMARKS.md, crawl speed).
CONCURRENT_ITEMS = 8
# The check re-reads a callback's source for every response (its cache misses bound methods); the
# spider's callbacks return no values.
WARN_ON_GENERATOR_RETURN_VALUE = False

ITEM_PIPELINES = {
    "pipelines.store.StorePipeline": 100,
    "pipelines.dedup.ContentHashDedupPipeline": 150,
    "pipelines.extract.ExtractPipeline": 200,
    "pipelines.reports.ReportPipeline": 300,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.incremental.ConditionalRequests": 580,
    # Retries wait (exponential backoff, Retry-After) instead of hitting a struggling portal at once.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    # Between the downloader and RedirectMiddleware (600): refuses loops, off-site and private-address
    # redirects, other schemes and private addresses, each recorded with its reason (crawler/middlewares/guard.py).
    "crawler.middlewares.guard.RequestGuard": 650,
    # Next to the download handler: the request as sent, the response as received, each redirect hop.
    "crawler.middlewares.exchange.RecordExchanges": 950,
}
GOVARCHIVE_RETRY_BACKOFF = 1.0  # seconds, doubled per retry
GOVARCHIVE_RETRY_BACKOFF_MAX = 60.0
ADDONS = {"crawler.config.EnvironmentSettings": 0}
EXTENSIONS = {
    # Owns the data folder and the crawl_runs row; its results are the crawl's stats (crawler/run.py).
    "crawler.run.CrawlRun": 500,
    # AutoThrottle that keeps each site's download_delay as its floor (sites file politeness).
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.middlewares.throttle.SiteAutoThrottle": 0,
    # One progress line for operators (pages, rate, report copies, errors, queue) instead of LogStats.
    "scrapy.extensions.logstats.LogStats": None,
    "crawler.progress.Progress": 0,
    # The objects that live as long as the crawl, out of the garbage collector's full collections.
    "crawler.gcfreeze.FreezeLongLived": 0,
}
GOVARCHIVE_PROGRESS_INTERVAL = 10.0

# govarchive's own settings, read once as crawler.config.CrawlConfig.
GOVARCHIVE_DATA = DEFAULT_DATA_DIR
GOVARCHIVE_SITES = "sites.toml"  # the sites file of `scrapy crawl reports` without -a sites_file
GOVARCHIVE_EXTRACT_WORKERS = 2
GOVARCHIVE_EXTRACT_TIMEOUT = 600
GOVARCHIVE_TRUSTED_NETWORKS = ""  # comma-separated CIDRs the guard may fetch although not public
# A crawl shared by many processes through one Redis (crawler/sharedcrawl/): off unless a URL is given.
GOVARCHIVE_REDIS_URL = ""
GOVARCHIVE_CRAWL_NAME = ""  # default: archive.sharedcrawl.keys.crawl_name_for(the sites file)
GOVARCHIVE_REDIS_ALIVE_TTL = 10.0  # seconds without a heartbeat after which a process's work is requeued
GOVARCHIVE_REDIS_HEARTBEAT = 1.0
# Seconds added to a site's delay between two requests of a shared crawl (crawler/sharedcrawl/politeness.py).
GOVARCHIVE_POLITENESS_MARGIN = 0.1

# Browser rendering for sites with render_js = true; documents never go through the browser.
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": "/usr/bin/chromium",  # GOVARCHIVE_CHROMIUM
    "headless": True,
    "args": [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    ],
}
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
# The browser fetches past the downloader middlewares: it gets the guard's address rules itself.
PLAYWRIGHT_ABORT_REQUEST = "crawler.middlewares.guard.browser_request_refused"
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30000
