"""Retries with exponential backoff: a portal answering 503 or timing out is given time to recover.

Scrapy's own RetryMiddleware re-queues a failed request at once, so a struggling server gets hit again
within milliseconds. Here the retried request carries the earliest time it may leave
(`retry_not_before`); `process_request` waits for it without holding the site's download slot.
A `Retry-After` header (seconds) is honoured up to the cap.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings

from crawler.config import CrawlConfig

NOT_BEFORE = "retry_not_before"


def backoff_delay(retry: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number `retry` (1, 2, …): base·2^(retry-1), or Retry-After; capped."""
    delay = base * (2 ** max(retry - 1, 0))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)


def _retry_after(response: Response | None) -> float | None:
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if not value:
        return None
    text = value.decode("latin-1").strip() if isinstance(value, bytes) else str(value).strip()
    return float(text) if text.isdigit() else None


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        config = CrawlConfig.from_settings(settings)
        self.base = config.retry_backoff
        self.cap = config.retry_backoff_max

    async def process_request(self, request: Request, spider: Any = None) -> None:
        wait = request.meta.get(NOT_BEFORE, 0.0) - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            self._schedule(result, _retry_after(response))
        return result

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> Any:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self._schedule(result, None)
        return result

    def _schedule(self, request: Request, retry_after: float | None) -> None:
        delay = backoff_delay(request.meta.get("retry_times", 1), self.base, self.cap, retry_after)
        request.meta[NOT_BEFORE] = time.monotonic() + delay
        self.crawler.stats.inc_value("govarchive/retry_wait_seconds", max(1, round(delay)))
