"""AutoThrottle that keeps each site's own `download_delay` as the floor of its slot.

Scrapy's AutoThrottle adjusts every slot between DOWNLOAD_DELAY and AUTOTHROTTLE_MAX_DELAY: it would pull a
site that asked for 2 s down to the global 0.25 s, and hold a site that asked for 0 s at 0.25 s. Here a
site's slot (`site:<id>`, see the reports spider) is adjusted between the site's delay and the maximum;
slots of sites without a delay keep the global bounds.
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.throttle import AutoThrottle

SLOT_PREFIX = "site:"


class SiteAutoThrottle(AutoThrottle):
    def _floor(self, slot: Any) -> float | None:
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        sites = getattr(self.crawler.spider, "sites", {})
        for key, candidate in downloader.slots.items() if downloader else []:
            if candidate is slot and key.startswith(SLOT_PREFIX):
                site = sites.get(key[len(SLOT_PREFIX) :])
                return site.download_delay if site is not None else None
        return None

    def _adjust_delay(self, slot: Any, latency: float, response: Any) -> None:
        floor = self._floor(slot)
        if floor is None:
            super()._adjust_delay(slot, latency, response)
            return
        saved = self.mindelay
        self.mindelay = floor
        try:
            super()._adjust_delay(slot, latency, response)
        finally:
            self.mindelay = saved
