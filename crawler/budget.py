"""A site's budgets in one run: pages with no sign of a report (explored last), pages rendered in a browser.

A budget never picks what is fetched (the ranking orders, scope and the guard bound); it says when a site
has had enough of a kind of page, and keeps the best-ranked candidates it cut, so the summary can say what
more pages would have fetched first.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

KEEP_CUT = 5  # best-ranked cut candidates kept per site for the summary


@dataclass
class SiteBudgets:
    explored: Counter[str] = field(default_factory=Counter)
    rendered: Counter[str] = field(default_factory=Counter)
    cut: Counter[str] = field(default_factory=Counter)  # distinct candidates the explore budget cut
    # per site, a min-heap of (priority, order, url, text): the best-ranked candidates the budget cut
    _best_cut: dict[str, list[tuple[int, int, str, str]]] = field(default_factory=dict)
    _order: int = 0
    _cut_seen: set[int] = field(default_factory=set)  # hashes of (site, url) cut: each counted once

    def allows(self, site_id: str, limit: int) -> bool:
        """Whether the site may fetch one more page with no sign of a report."""
        return self.explored[site_id] < limit

    def spend(self, site_id: str) -> None:
        self.explored[site_id] += 1

    def note_cut(self, site_id: str, priority: int, url: str, text: str) -> bool:
        """Count a candidate the budget cut; True when it is among the site's best-ranked cut so far."""
        seen = hash((site_id, url))
        if seen in self._cut_seen:
            return False
        self._cut_seen.add(seen)
        self.cut[site_id] += 1
        self._order += 1
        heap = self._best_cut.setdefault(site_id, [])
        entry = (priority, -self._order, url, text)
        if len(heap) < KEEP_CUT:
            heapq.heappush(heap, entry)
            return True
        if entry > heap[0]:
            heapq.heapreplace(heap, entry)
            return True
        return False

    def render(self, site_id: str, limit: int) -> bool:
        if self.rendered[site_id] < limit:
            self.rendered[site_id] += 1
            return True
        return False

    def best_cut(self, site_id: str) -> list[tuple[str, str]]:
        """(url, text) of the best-ranked candidates the explore budget cut, best first."""
        return [(url, text) for _, _, url, text in sorted(self._best_cut.get(site_id, []), reverse=True)]
