"""Trap bounds by yield: a long productive list is followed to its end, a calendar or a list repeating
itself is cut after FREE + WINDOW pages read, and an unproven shape holds what runs ahead of its reading
instead of dropping it."""

from __future__ import annotations

from collections.abc import Callable

from crawler.bounds import AHEAD, FREE, WINDOW, TrapBounds, Verdict


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
        if bounds.allow("s", url) is not Verdict.GO:
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
    assert bounds.allow("s", "http://a.gov.cn/xxgk/index_9999.html") is Verdict.CUT


def test_a_calendar_is_cut_after_its_free_pages_and_a_window() -> None:
    bounds = TrapBounds()
    assert _walk(bounds, 10_000, lambda i: 0) == max(FREE, WINDOW)
    assert bounds.cuts()


def test_pages_repeating_themselves_lead_to_nothing() -> None:
    assert _walk(TrapBounds(), 10_000, lambda i: 5, lambda i: i > 100) == 101 + WINDOW


def test_an_unproven_shape_holds_what_runs_ahead_and_releases_it_when_proven() -> None:
    bounds = TrapBounds()
    # A pager names 2,500 pages at once, before any is read: those past the window wait, none is dropped.
    verdicts = [bounds.allow("s", f"http://a.gov.cn/xxgk/index_{d}.html") for d in range(2500)]
    assert verdicts.count(Verdict.GO) == max(FREE, AHEAD)
    assert verdicts.count(Verdict.WAIT) == 2500 - max(FREE, AHEAD)
    key = TrapBounds.key("s", "http://a.gov.cn/xxgk/index_1.html")
    assert bounds.release(key, 10) == 0  # nothing read yet: still waiting
    bounds.read("s", "http://a.gov.cn/xxgk/index_1.html", 20, False)  # the first page led to reports
    assert bounds.release(key, 2500 - max(FREE, AHEAD)) == 2500 - max(FREE, AHEAD)


def test_an_unproven_shape_moves_one_for_one_with_its_reading() -> None:
    bounds = TrapBounds()
    for d in range(200):
        bounds.allow("s", f"http://a.gov.cn/rl/{d}/")
    key = TrapBounds.key("s", "http://a.gov.cn/rl/1/")
    for _ in range(5):
        bounds.read("s", "http://a.gov.cn/rl/1/", 0, False)
    assert bounds.release(key, 100) == 5


def test_shapes_and_sites_are_bounded_apart() -> None:
    bounds = TrapBounds()
    _walk(bounds, 10_000, lambda i: 0)
    assert bounds.allow("s", "http://a.gov.cn/xxgk/index_99999.html") is Verdict.CUT
    assert bounds.allow("other", "http://a.gov.cn/xxgk/index_99999.html") is Verdict.GO
    assert bounds.allow("s", "http://a.gov.cn/xxgk/list_1.html?page=2") is Verdict.GO
