"""Traps are bounded by what their pages yield, not by a fixed count.

A calendar, an endless pager or a faceted search repeats one URL shape (digits blanked, query values
dropped: `crawler.discovery.url_pattern`) page after page without leading to anything the archive wants. A
real list repeats its shape too, but its pages keep leading to reports. So list pages (sections, pagers,
data calls) of one (site, shape) are followed while they are productive: the first `FREE` always; after
that, a shape is cut once its last `WINDOW` pages read led to nothing new — no report page, attachment or
body page the crawl had not requested yet — or repeated a page already seen (same bytes). A 2,500-page
list of reports is followed to its end; a calendar stops after FREE + WINDOW days. What was cut is counted
per shape (`cut/<site>/<shape>`) and said in the run's summary.

A shape that has shown nothing yet may not run far ahead of its reading: past its free pages, at most
`AHEAD` of its requests wait unread; the rest are held (`WAIT`), not dropped, and released as its pages are
read — all at once when the shape proves productive (a TRS pager names all 2,500 pages on its first page),
or dropped when it is cut. So a trap costs at most about FREE + WINDOW + AHEAD pages, and nothing a real
list names is lost.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from crawler.discovery import url_pattern

FREE = 30  # pages of one shape always followed
WINDOW = 30  # a shape is cut when this many of its latest pages led to nothing new
AHEAD = 90  # requests of an unproven shape that may wait unread past its free pages


class Verdict(Enum):
    GO = "go"
    WAIT = "wait"  # held until the shape's reading shows whether it is worth it
    CUT = "cut"


@dataclass
class _Shape:
    requested: int = 0
    read: int = 0
    recent: deque[bool] = field(default_factory=lambda: deque(maxlen=WINDOW))  # led to something new?
    cut_at: int | None = None  # requests made when the shape was cut

    @property
    def proven(self) -> bool:
        return any(self.recent)


class TrapBounds:
    def __init__(self, free: int = FREE, window: int = WINDOW, ahead: int = AHEAD) -> None:
        self.free = free
        self.window = window
        self.ahead = ahead
        self._shapes: dict[tuple[str, str], _Shape] = {}

    @staticmethod
    def key(site_id: str, url: str) -> tuple[str, str]:
        return site_id, url_pattern(url)

    def _shape(self, key: tuple[str, str]) -> _Shape:
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape(recent=deque(maxlen=self.window))
        return shape

    def allow(self, site_id: str, url: str) -> Verdict:
        """May a list page at `url` be requested now? Counts it when it may (GO)."""
        shape = self._shape(self.key(site_id, url))
        if shape.cut_at is not None:
            return Verdict.CUT
        if self.room(shape) <= 0:
            return Verdict.WAIT
        shape.requested += 1
        return Verdict.GO

    def room(self, shape: _Shape) -> int:
        """How many more requests of the shape may go now."""
        if shape.cut_at is not None:
            return 0
        if shape.requested < self.free or shape.proven:
            return 1 << 30
        return shape.read + self.ahead - shape.requested

    def read(self, site_id: str, url: str, new_things: int, repeated: bool) -> bool:
        """A list page of the shape was read (or failed: `new_things` 0): what it led to that was not
        requested before, and whether its bytes repeated a recent page. True when this cut the shape."""
        shape = self._shape(self.key(site_id, url))
        shape.read += 1
        shape.recent.append(new_things > 0 and not repeated)
        if (
            shape.cut_at is None
            and shape.requested >= self.free
            and len(shape.recent) == self.window
            and not shape.proven
        ):
            shape.cut_at = shape.requested
            return True
        return False

    def release(self, key: tuple[str, str], waiting: int) -> int:
        """How many of `waiting` held requests of the shape may go now (counted as requested)."""
        shape = self._shape(key)
        n = max(0, min(waiting, self.room(shape)))
        shape.requested += n
        return n

    def is_cut(self, key: tuple[str, str]) -> bool:
        return self._shape(key).cut_at is not None

    def cuts(self) -> dict[tuple[str, str], int]:
        """(site, shape) → pages requested before it was cut."""
        return {k: s.cut_at for k, s in self._shapes.items() if s.cut_at is not None}
