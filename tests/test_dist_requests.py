"""How a request of the reports spider travels through Redis (crawler/sharedcrawl/frontier.py): its meta
round-trips through the serializer, the pop records it in flight in the same step, a dead process's
in-flight requests go back to the queue once, and a site's slots are spaced by its delay."""

from __future__ import annotations

import pickle
import time
import uuid
from itertools import pairwise
from pathlib import Path

import pytest
import redis
import scrapy

from archive.errors import GovarchiveError
from archive.sharedcrawl.keys import CrawlKeys
from archive.sites import FamilyName, Site
from archive.store.corpus import Exchange
from crawler.context import RequestContext, context_of
from crawler.families.hanweb import ProxyState
from crawler.middlewares.exchange import HOPS_KEY
from crawler.middlewares.retry import NOT_BEFORE
from crawler.sharedcrawl.frontier import TOKEN, SharedCrawl, decode, encode, token_of
from crawler.sharedcrawl.politeness import _ANSWERED, _DEPART, _TAKE_SLOT
from crawler.spiders.reports import ReportsSpider

SITE = Site(id="d", name="测试县", start_urls=["http://127.0.0.1:9/xxgk/"])


def _spider() -> ReportsSpider:
    return ReportsSpider(sites=[SITE])


def _keys() -> CrawlKeys:
    return CrawlKeys("t-" + uuid.uuid4().hex[:8])


def _shared(url: str, process: str = "p1", keys: CrawlKeys | None = None) -> SharedCrawl:
    return SharedCrawl(redis.Redis.from_url(url), keys or _keys(), process, 2.0, 0.5)


def _data_call(spider: ReportsSpider) -> scrapy.Request:
    context = RequestContext(
        "d",
        "list",
        "第2页",
        3,
        year=2022,
        family=FamilyName.HANWEB,
        origin="http://127.0.0.1:9/xxgk/",
        state=ProxyState({"col": "1", "webid": "2"}, 15, True),
        linked_from="http://127.0.0.1:9/xxgk/",
        previous_sha256="ab" * 32,
    )
    request = spider._request(
        SITE,
        "http://127.0.0.1:9/module/web/jpage/dataproxy.jsp?startrecord=16",
        context,
        callback=spider.parse_data,
        priority=10,
        referer="http://127.0.0.1:9/xxgk/",
        formdata={"col": "1", "webid": "2"},
    )
    hop = Exchange(
        "GET", "http://127.0.0.1:9/a", [("Host", "x")], 302, "HTTP/1.1", "Found", [], "2023", b"moved"
    )
    request.meta[HOPS_KEY] = [hop]
    request.meta["redirect_urls"] = ["http://127.0.0.1:9/a"]
    request.meta[NOT_BEFORE] = time.monotonic() + 5.0
    request.meta[TOKEN] = "not-for-the-next-process"
    return request


def test_a_request_round_trips_with_its_context() -> None:
    spider = _spider()
    request = _data_call(spider)
    back = decode(encode(request, spider), spider)
    assert isinstance(back, scrapy.FormRequest)
    assert context_of(back) == context_of(request)
    assert back.callback == spider.parse_data and back.errback == spider.on_error
    assert (back.url, back.method, back.body, back.priority) == (request.url, "POST", request.body, 10)
    assert back.headers.get("Referer") == b"http://127.0.0.1:9/xxgk/"
    assert back.meta[HOPS_KEY] == request.meta[HOPS_KEY]
    assert back.meta["download_slot"] == "site:d" and back.meta["redirect_urls"] == ["http://127.0.0.1:9/a"]
    assert TOKEN not in back.meta  # this process's in-flight token does not travel
    # the retry's earliest time is kept as a duration, not as another process's monotonic clock
    assert 4.0 < back.meta[NOT_BEFORE] - time.monotonic() <= 5.0
    assert TOKEN in request.meta  # encoding leaves the request itself alone


def _article(spider: ReportsSpider, **meta: object) -> scrapy.Request:
    context = RequestContext("d", "article", "测试县2022年政府信息公开工作年度报告", 2)
    return spider._request(
        SITE, "http://127.0.0.1:9/xxgk/2023/t20230120_7.html", context, callback=spider.parse_page,
        priority=20, referer="http://127.0.0.1:9/xxgk/index_3.html", meta=dict(meta),
    )  # fmt: skip


def test_a_request_travels_compact_and_exact() -> None:
    """What the tuple form leaves out (the download slot and Referer the context implies, defaults, key
    names) comes back exactly, and a request that lacks or changes them keeps that."""
    spider = _spider()
    plain = _article(spider)
    data = encode(plain, spider)
    assert len(data) < 0.6 * len(pickle.dumps(plain.to_dict(spider=spider), protocol=5))
    cases = [plain, _data_call(spider), _article(spider, download_slot="elsewhere", playwright=True)]
    no_slot, no_referer, other_referer = _article(spider), _article(spider), _article(spider)
    del no_slot.meta["download_slot"]
    del no_referer.headers["Referer"]
    other_referer.headers["Referer"] = "http://127.0.0.1:9/other.html"
    for request in [*cases, no_slot, no_referer, other_referer]:
        request.meta.pop(NOT_BEFORE, None)
        request.meta.pop(TOKEN, None)
        back = decode(encode(request, spider), spider)
        assert back.to_dict(spider=spider) == request.to_dict(spider=spider)


def test_a_shared_crawl_queued_in_the_former_form_is_refused(redis_url: str, tmp_path: Path) -> None:
    """A crawl queued before the bands (one sorted set `requests`) cannot be resumed: a clear error, before
    any process starts."""
    from govarchive.sharedcrawl_cli import run_shared_crawl

    keys = CrawlKeys("former-" + uuid.uuid4().hex[:6])
    redis.Redis.from_url(redis_url).zadd(keys.former_queue, {b"a request": 0})
    with pytest.raises(GovarchiveError, match="queued by an earlier govarchive"):
        run_shared_crawl(tmp_path, tmp_path / "sites.toml", [SITE], redis_url, keys.crawl)
    # killed while its queue was empty (Redis drops an empty sorted set) but requests were in flight
    keys = CrawlKeys("former-" + uuid.uuid4().hex[:6])
    redis.Redis.from_url(redis_url).hset(keys.inflight("p1"), "t", b"-10:an old request")
    with pytest.raises(GovarchiveError, match="queued by an earlier govarchive"):
        run_shared_crawl(tmp_path, tmp_path / "sites.toml", [SITE], redis_url, keys.crawl)


def test_an_in_flight_entry_of_another_form_is_kept_aside_not_guessed_at(redis_url: str) -> None:
    """Recovery never splits an entry it cannot read at a guessed place (a request lost as unreadable)."""
    keys = _keys()
    first, second = (_shared(redis_url, p, keys) for p in ("p1", "p2"))
    first.join()
    second.join()
    first.client.hset(first.inflight, "t", b"-10:no band line")
    first.client.delete(first.keys.alive("p1"))
    assert second.recover_dead() == 0
    assert first.client.hgetall(first.keys.band("!unreadable")) == {b"t": b"-10:no band line"}
    assert first.client.get(first.keys.queued) in (None, b"0")


def test_a_popped_request_is_in_flight_and_a_dead_process_gives_it_back_once(redis_url: str) -> None:
    spider = _spider()
    keys = _keys()
    first, second, third = (_shared(redis_url, p, keys) for p in ("p1", "p2", "p3"))
    data = encode(_data_call(spider), spider)
    first.size_filter(1)
    assert first.enqueue(data, 10, None, None, None)  # no site: turn 0, band "|-10"
    first.join()
    second.join()
    token, popped = first.pop() or ("", b"")
    assert popped == data and token == token_of(data)
    assert first.client.zcard(first.keys.queue) == 0 and first.client.get(first.keys.queued) == b"0"
    assert first.client.hget(first.inflight, token) == b"-10:|-10\n" + data
    assert not second.drained()  # in flight with a live process: the crawl is not over
    assert second.recover_dead() == 0
    first.client.delete(first.keys.alive("p1"))  # p1 stops renewing: killed
    # two survivors look at once: one of them requeues, the other finds nothing left
    assert second.recover_dead() + third.recover_dead() == 1
    assert first.client.zrange(first.keys.queue, 0, -1, withscores=True) == [(b"|-10", -10.0)]
    assert first.client.lrange(first.keys.band("|-10"), 0, -1) == [b"-10:" + data]
    assert first.client.get(first.keys.queued) == b"1"
    assert first.client.exists(first.inflight) == 0
    assert first.client.smembers(first.keys.crawlers) == {b"p2"}
    got = second.pop()
    assert got is not None
    again = decode(got[1], spider)
    assert context_of(again) == context_of(_data_call(spider))
    assert not second.drained()
    again.meta[TOKEN] = got[0]
    second.done(again)
    assert second.drained()


def test_a_dead_process_gives_its_requests_back_in_their_places(redis_url: str) -> None:
    """Requests of a dead process go back to the front of their bands, best first, ahead of what their
    sites queued since; a held request (turn 0) ahead of them all."""
    keys = _keys()
    first, second = _shared(redis_url, "p1", keys), _shared(redis_url, "p2", keys)
    first.size_filter(2)
    first.join()
    for name in ("a0", "a1", "b0", "a2"):
        assert first.enqueue(name.encode(), 20, name.encode(), None, None, name[0])
    assert [(first.pop() or ("", b""))[1] for _ in range(3)] == [b"a0", b"b0", b"a1"]
    spider = _spider()
    held = _article(spider)
    first.hold(held, spider)
    assert first.enqueue(b"a3", 20, b"a3", None, None, "a")
    first.client.delete(keys.alive("p1"))
    assert second.recover_dead() == 4
    assert second.client.get(keys.queued) == b"6"
    order = [(second.pop() or ("", b""))[1] for _ in range(6)]
    assert decode(order[0], spider).url == held.url
    assert order[1:] == [b"a0", b"b0", b"a1", b"a2", b"a3"]
    assert second.pop() is None and second.client.zcard(keys.queue) == 0
    # Two processes die, the earlier take of a band given back first: the band is still in order.
    fourth, fifth = _shared(redis_url, "p4", keys), _shared(redis_url, "p5", keys)
    for process in (first, fourth, fifth):
        process.join()
    for name in ("a4", "a5", "a6"):
        assert first.enqueue(name.encode(), 20, name.encode(), None, None, "a")
    assert (fourth.pop() or ("", b""))[1] == b"a4" and (fifth.pop() or ("", b""))[1] == b"a5"
    first.client.delete(keys.alive("p4"))
    assert first.recover_dead() == 1  # a4 back at the front, ahead of a6
    first.client.delete(keys.alive("p5"))
    assert first.recover_dead() == 1  # a5 goes after a4, not before it
    assert [(first.pop() or ("", b""))[1] for _ in range(4)] == [b"a4", b"a5", b"a6", b""]


def test_a_held_request_is_in_flight_until_released(redis_url: str) -> None:
    spider = _spider()
    shared = _shared(redis_url)
    request = _data_call(spider)
    shared.join()
    shared.hold(request, spider)
    assert shared.client.hlen(shared.inflight) == 1 and not shared.drained()
    shared.done(request)
    assert shared.drained()


@pytest.mark.parametrize("delay_ms", [300])
def test_site_slots_are_spaced_by_the_delay(redis_url: str, delay_ms: int) -> None:
    client = redis.Redis.from_url(redis_url)
    take = client.register_script(_TAKE_SLOT)
    key = _keys().site_slot("d")
    waits = [int(take(keys=[key], args=[delay_ms])) for _ in range(4)]
    assert waits[0] == 0
    for before, after in pairwise(waits):
        assert delay_ms - 5 <= after - before <= delay_ms


def test_a_site_gets_one_request_at_a_time_spaced_from_the_answer(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    depart, answered = client.register_script(_DEPART), client.register_script(_ANSWERED)
    keys = _keys()
    site = [keys.site_busy("d"), keys.site_answered("d")]
    assert depart(keys=site, args=[300, "p1:1", 60_000]) == 0  # the first request leaves
    assert depart(keys=site, args=[300, "p2:1", 60_000]) == 300  # another process's waits: one in flight
    answered(keys=site, args=["p1:1", 300])
    left = int(depart(keys=site, args=[300, "p2:1", 60_000]))
    assert 290 <= left <= 300  # the delay counts from the answer
    answered(keys=site, args=["p9:9", 300])  # a late answer of a request whose mark expired clears nothing
    time.sleep(left / 1000 + 0.01)
    assert depart(keys=site, args=[300, "p2:1", 60_000]) == 0
    answered(keys=site, args=["p3:1", 300])  # not the holder: p2's mark stays
    assert depart(keys=site, args=[300, "p1:2", 60_000]) == 300


def test_the_queue_takes_the_sites_in_turn(redis_url: str) -> None:
    """Start-time fair queueing: each site's requests in the order found, the sites in turn; a site that
    comes late starts at the queue's clock instead of jumping ahead with a run of its own."""
    shared = _shared(redis_url)
    assert shared.size_filter(3) == 1024  # the fewest buckets
    for site in ("a", "b"):
        for i in range(3):
            assert shared.enqueue(
                f"{site}{i}".encode(), 20, f"{site}{i}-fingerprint".encode(), None, None, site
            )
    assert not shared.enqueue(b"a0 again", 20, b"a0-fingerprint", None, None, "a")  # the filter
    popped = [(shared.pop() or ("", b""))[1] for _ in range(3)]
    assert popped == [b"a0", b"b0", b"a1"]
    for i in range(3):  # c comes late: its turns start after the clock (a1's turn 2), not with b1
        shared.enqueue(f"c{i}".encode(), 20, f"c{i}-fingerprint".encode(), None, None, "c")
    rest = [(shared.pop() or ("", b""))[1] for _ in range(6)]
    assert rest == [b"b1", b"a2", b"b2", b"c0", b"c1", b"c2"]  # turn 3: a2, b2, c0 (equal scores: byte order)
    assert shared.pop() is None


def test_a_sites_better_request_found_late_is_not_queued_behind_its_worse_ones(redis_url: str) -> None:
    """Turns are counted per priority within a site: a report link found after ten list pages of its site
    goes in the next turn, best first as in a single-process crawl."""
    shared = _shared(redis_url)
    shared.size_filter(2)
    for i in range(10):
        assert shared.enqueue(f"list{i}".encode(), -10, f"list{i}-fp".encode(), None, None, "a")
    assert shared.enqueue(b"other0", -10, b"other0-fp", None, None, "b")
    assert (shared.pop() or ("", b""))[1] == b"list0"
    assert shared.enqueue(b"report", 50, b"report-fp", None, None, "a")
    # b's request of the turn under way first (fairness), then a's report ahead of its nine list pages.
    assert [(shared.pop() or ("", b""))[1] for _ in range(3)] == [b"other0", b"report", b"list1"]


def test_entries_of_requests_dropped_on_their_way_are_released_at_idle(redis_url: str) -> None:
    """A held request stays in flight; one that was let go but never reached the queue (a spider middleware
    dropped it) is released when the engine is idle, or the shared crawl would never drain."""
    spider = _spider()
    shared = _shared(redis_url)
    shared.join()
    kept, dropped = _data_call(spider), _data_call(spider)
    dropped.meta["depth"] = 9  # another request, another token
    shared.hold(kept, spider)
    shared.hold(dropped, spider)
    assert shared.client.hlen(shared.inflight) == 2
    assert shared.forget_except({kept.meta[TOKEN]}) == 1
    assert shared.client.hkeys(shared.inflight) == [kept.meta[TOKEN].encode()]
    assert not shared.drained()


def test_the_shared_crawl_is_switched_on_by_its_url_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrapy.settings import Settings

    import crawler.settings
    from crawler.config import EnvironmentSettings

    def settings_with(env: dict[str, str]) -> Settings:
        for var in ("GOVARCHIVE_REDIS_URL", "GOVARCHIVE_CRAWL_NAME", "GOVARCHIVE_FRONTIER"):
            monkeypatch.delenv(var, raising=False)
        for var, value in env.items():
            monkeypatch.setenv(var, value)
        settings = Settings()
        settings.setmodule(crawler.settings, priority="project")
        EnvironmentSettings.update_pre_crawler_settings(settings)
        return settings

    plain = settings_with({})
    assert plain.get("SCHEDULER") == "scrapy.core.scheduler.Scheduler"
    assert "crawler.sharedcrawl.politeness.SharedSiteSlots" not in plain.getdict("DOWNLOADER_MIDDLEWARES")
    assert "crawler.sharedcrawl.liveness.SharedFrontier" not in plain.getdict("EXTENSIONS")
    shared = settings_with({"GOVARCHIVE_REDIS_URL": "redis://127.0.0.1:1/0", "GOVARCHIVE_CRAWL_NAME": "x"})
    assert shared.get("SCHEDULER") == "crawler.sharedcrawl.scheduler.SharedScheduler"
    assert shared.get("DUPEFILTER_CLASS") == "crawler.sharedcrawl.scheduler.SharedDupeFilter"
    assert shared.getdict("DOWNLOADER_MIDDLEWARES")["crawler.sharedcrawl.politeness.SharedSiteSlots"] == 940
    assert "crawler.sharedcrawl.liveness.SharedFrontier" in shared.getdict("EXTENSIONS")
    assert shared.get("GOVARCHIVE_CRAWL_NAME") == "x"
