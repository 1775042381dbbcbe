"""Loopback simulators of the portal families the spider must handle (TRS, Hanweb, JSON API, gkmlpt,
year × department), with look-alikes, traps, GBK pages and transient errors planted in them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Planted:
    """What a simulator holds: the reports a crawl must find and what it must leave alone."""

    reports: set[tuple[str, int, str]] = field(default_factory=set)  # (agency, year, kind)
    published: dict[tuple[str, int], str] = field(default_factory=dict)  # from page metadata
    never: list[str] = field(default_factory=list)  # URL fragments that must never be requested
    # Look-alikes (notices, plans, other annual reports): the crawl may open them, last (a ranking orders
    # candidates, it drops none), but none is ever a report's copy.
    lookalikes: list[str] = field(default_factory=list)
