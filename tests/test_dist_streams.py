"""The Redis stream queue and leases the distributed crawl is built on, against a real redis-server."""

from __future__ import annotations

import time
import uuid

import redis

from archive.sharedcrawl.keys import CrawlKeys
from archive.sharedcrawl.lease import Lease
from archive.sharedcrawl.streams import Stream


def _keys() -> CrawlKeys:
    return CrawlKeys("t-" + uuid.uuid4().hex[:8])


def test_an_entry_of_a_consumer_that_stopped_is_taken_over_and_counted(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    stream = Stream(client, _keys().jobs)
    for n in range(3):
        stream.add({"n": str(n)})
    first = stream.read("a", count=2, block_ms=None)
    assert [e.fields["n"] for e in first] == ["0", "1"] and all(e.deliveries == 1 for e in first)
    stream.ack(first[0].id)
    assert stream.outstanding() == 2  # one pending with a, one never delivered
    assert stream.claim("b", min_idle_ms=60_000) == []  # a is not idle long enough
    time.sleep(0.05)
    taken = stream.claim("b", min_idle_ms=20)
    assert [(e.fields["n"], e.deliveries) for e in taken] == [("1", 2)]
    rest = stream.read("b", block_ms=None)
    assert [e.fields["n"] for e in rest] == ["2"]
    stream.ack(taken[0].id, rest[0].id)
    assert stream.outstanding() == 0


def test_a_lease_is_held_by_one_holder_until_it_expires(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    key = _keys().writer
    a, b = Lease(client, key, "a", ttl_ms=200), Lease(client, key, "b", ttl_ms=200)
    assert a.acquire() and not b.acquire() and a.renew()
    assert b.holder_now() == "a"
    time.sleep(0.3)  # a stopped renewing (killed)
    assert b.acquire() and not a.renew()
    b.release()
    assert a.holder_now() is None


def test_taking_over_leaves_the_takers_own_entries_alone(redis_url: str) -> None:
    """A writer taking over with min_idle 0 claims the dead one's entries once, not its own forever."""
    client = redis.Redis.from_url(redis_url)
    stream = Stream(client, _keys().captures)
    for n in range(5):
        stream.add({"n": str(n)})
    assert len(stream.read("b", count=3, block_ms=None)) == 3  # b's own, pending
    assert len(stream.read("a", count=2, block_ms=None)) == 2  # a's, then a dies
    taken = stream.claim("b", min_idle_ms=0, count=2)
    assert sorted(e.fields["n"] for e in taken) == ["3", "4"]
    assert stream.claim("b", min_idle_ms=0, count=2) == []


def test_a_consumer_reads_its_own_unacknowledged_entries_again(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    stream = Stream(client, _keys().results)
    stream.add({"n": "0"})
    first = stream.read("w", block_ms=None)
    again = stream.pending("w")
    assert [(e.id, e.fields["n"], e.deliveries) for e in again] == [(first[0].id, "0", 2)]
    stream.ack(first[0].id)
    assert stream.pending("w") == []
