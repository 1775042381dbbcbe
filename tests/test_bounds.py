"""Trap bounds by yield: a long productive list is followed to its end, a calendar or a list repeating
itself is cut after FREE + WINDOW pages read, and an unproven shape cannot run far ahead of its reading."""

from __future__ import annotations

from collections.abc import Callable

from crawler.bounds import AHEAD, FREE, WINDOW, TrapBounds


def _walk(
    bounds: TrapBounds,
    pages: int,
    new_on: Callable[[int], int],
    repeated_on: Callable[[int], bool] = lambda i: False,
) -> int:
    """Request and read pages 0..pages-1 of one shape in order; return how many were requested."""
    done = 0
    for i in range(pages):
        url = f"http://a.gov.cn/xxgk/index_{i}.html"
        if not bounds.allow("s", url):
            break
        done += 1
        bounds.read("s", url, new_on(i), repeated_on(i))
    return done


def test_a_2500_page_list_of_reports_is_followed_to_its_end() -> None:
    assert _walk(TrapBounds(), 2500, lambda i: 20) == 2500


def test_a_list_whose_reports_end_is_cut_a_window_later() -> None:
    bounds = TrapBounds()
    assert _walk(bounds, 2500, lambda i: 20 if i < 400 else 0) == 400 + WINDOW
    assert list(bounds.cuts().values()) == [400 + WINDOW]


def test_a_calendar_is_cut_after_its_free_pages_and_a_window() -> None:
    bounds = TrapBounds()
    assert _walk(bounds, 10_000, lambda i: 0) == max(FREE, WINDOW)
    assert bounds.cuts()


def test_pages_repeating_themselves_yield_nothing() -> None:
    assert _walk(TrapBounds(), 10_000, lambda i: 5, lambda i: i > 100) == 101 + WINDOW


def test_an_unproven_shape_runs_at_most_ahead_of_its_reading() -> None:
    bounds = TrapBounds()
    asked = sum(bounds.allow("s", f"http://a.gov.cn/rl/{d}/") for d in range(1000))
    assert asked == max(FREE, AHEAD)
    # Once it proves productive, it runs freely again.
    bounds.read("s", "http://a.gov.cn/rl/1/", 3, False)
    assert bounds.allow("s", "http://a.gov.cn/rl/5000/")


def test_shapes_and_sites_are_bounded_apart() -> None:
    bounds = TrapBounds()
    _walk(bounds, 10_000, lambda i: 0)
    assert not bounds.allow("s", "http://a.gov.cn/xxgk/index_99999.html")
    assert bounds.allow("other", "http://a.gov.cn/xxgk/index_99999.html")
    assert bounds.allow("s", "http://a.gov.cn/xxgk/list_1.html?page=2")
