"""Traps are bounded by what their pages yield, not by a fixed count.

A calendar, an endless pager or a faceted search repeats one URL shape (digits blanked, query values
dropped: `crawler.discovery.url_pattern`) page after page without leading to anything the archive wants. A
real list repeats its shape too, but its pages keep naming reports. So list pages (sections and pagers) of
one (site, shape) are followed while they are productive: the first `FREE` always; after that, a shape is
cut once its last `WINDOW` pages read yielded nothing new — no report, attachment or body link that was
not already requested — or repeated a page already seen (same bytes). A 2,500-page list of reports is
followed to its end; a calendar stops after FREE + WINDOW days. What was cut is counted per shape
(`cut/<site>/<shape>`) and said in the run's summary.

Past its free pages, a shape that has shown nothing yet may run at most AHEAD requests ahead of its reading
(a calendar month names 31 days at once), so a trap costs at most about FREE + WINDOW + AHEAD pages, and a
directory of a hundred columns of one shape is still read whole.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from crawler.discovery import url_pattern

FREE = 30  # pages of one shape always followed
WINDOW = 30  # a shape is cut when this many of its latest pages yielded nothing new
AHEAD = 90  # requests an unproven shape may have unread past its free pages (a directory of 100+ columns)


@dataclass
class _Shape:
    requested: int = 0
    read: int = 0
    recent: deque[bool] = field(default_factory=lambda: deque(maxlen=WINDOW))  # yielded something new?
    cut_at: int | None = None  # requests made when the shape was cut


class TrapBounds:
    def __init__(self, free: int = FREE, window: int = WINDOW, ahead: int = AHEAD) -> None:
        self.free = free
        self.window = window
        self.ahead = ahead
        self._shapes: dict[tuple[str, str], _Shape] = {}

    def _shape(self, site_id: str, url: str) -> _Shape:
        key = (site_id, url_pattern(url))
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape(recent=deque(maxlen=self.window))
        return shape

    def allow(self, site_id: str, url: str) -> bool:
        """May a list page at `url` be requested? Counts it when it may."""
        shape = self._shape(site_id, url)
        if shape.cut_at is not None:
            return False
        # Past its free pages, a shape with nothing to show yet may not run ahead of its reading by more
        # than `ahead` requests (a calendar month names 31 days at once; a directory, 100 columns).
        if (
            shape.requested >= self.free
            and not any(shape.recent)
            and shape.requested >= shape.read + self.ahead
        ):
            return False
        shape.requested += 1
        return True

    def read(self, site_id: str, url: str, new_things: int, repeated: bool) -> bool:
        """A list page of the shape was read: `new_things` it named that were not requested before,
        `repeated` when its bytes were seen before. True when this reading cut the shape."""
        shape = self._shape(site_id, url)
        shape.read += 1
        shape.recent.append(new_things > 0 and not repeated)
        if (
            shape.cut_at is None
            and shape.requested >= self.free
            and len(shape.recent) == self.window
            and not any(shape.recent)
        ):
            shape.cut_at = shape.requested
            return True
        return False

    def cuts(self) -> dict[tuple[str, str], int]:
        """(site, shape) → pages requested before it was cut."""
        return {k: s.cut_at for k, s in self._shapes.items() if s.cut_at is not None}
