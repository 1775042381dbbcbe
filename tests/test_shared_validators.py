"""The shared crawl's validators in their compact form (archive/sharedcrawl/validators.py): what comes back is
exactly what the server sent, whichever form it was kept in; a crawl seeded in the former form (URL -> JSON)
is rewritten by the writer that takes it over."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import redis

from archive.sharedcrawl.keys import CrawlKeys
from archive.sharedcrawl.validators import (
    ValidatorStore,
    buckets_for,
    date_epoch,
    migrate_former_validators,
    pack,
    store_validators,
    unpack,
    url_bucket,
)

SHA = "0f" * 32
ODD: list[dict[str, Any]] = [
    # (etag, last_modified, content_type) as servers send them
    {
        "etag": '"5f3c2a1b-1a2b3"',
        "last_modified": "Sun, 06 Dec 2026 14:51:05 GMT",
        "content_type": "text/html",
    },
    {
        "etag": 'W/"d41d8cd98f00b204e9800998ecf8427e"',
        "last_modified": None,
        "content_type": "application/pdf",
    },
    {"etag": '"D41D8CD98F00B204E9800998ECF8427E"', "last_modified": None, "content_type": None},
    {"etag": '"a1B2"', "last_modified": None, "content_type": None},  # mixed case: kept as text
    {"etag": '"abc"', "last_modified": None, "content_type": None},  # odd digits: kept as text
    {"etag": '""', "last_modified": None, "content_type": None},
    {"etag": "", "last_modified": "Thu, 01 Jan 1970 00:00:00 GMT", "content_type": None},
    {"etag": "unquoted-文件", "last_modified": None, "content_type": "text/html; charset=GB2312"},
    {"etag": None, "last_modified": "Sunday, 06-Dec-26 14:51:05 GMT", "content_type": None},  # RFC 850
    {"etag": None, "last_modified": "Sun Dec  6 14:51:05 2026", "content_type": None},  # asctime
    {"etag": None, "last_modified": "Sun, 06 Dec 2026 22:51:05 +0800", "content_type": None},  # not GMT
    {"etag": None, "last_modified": "Sun, 6 Dec 2026 14:51:05 GMT", "content_type": None},  # 1-digit day
    {"etag": None, "last_modified": "Mon, 06 Dec 2026 14:51:05 GMT", "content_type": None},  # wrong weekday
    {"etag": None, "last_modified": "Fri, 01 Jan 2107 00:00:00 GMT", "content_type": None},  # past 32 bits
    {"etag": None, "last_modified": "garbage", "content_type": "x" * 300},
]


def test_odd_validators_round_trip_exactly() -> None:
    codes: dict[str, int] = {}
    for record in ODD:
        record = {"sha256": SHA, **record}
        assert unpack(pack(record, codes), {c: t for t, c in codes.items()}) == record
    assert date_epoch("Sun, 06 Dec 2026 14:51:05 GMT") == 1796568665
    assert date_epoch("Sunday, 06-Dec-26 14:51:05 GMT") is None  # cannot be rebuilt: kept as text
    common = {
        "sha256": SHA,
        "etag": 'W/"d41d8cd98f00b204e9800998ecf8427e"',
        "content_type": "application/pdf",
    }
    # a quoted MD5 and an HTTP-date fit a listpack value (hash-max-listpack-value: 64 bytes)
    assert (
        len(pack({**common, "last_modified": "Sun, 06 Dec 2026 14:51:05 GMT"}, codes)) == 32 + 1 + 4 + 1 + 16
    )


def _keys() -> CrawlKeys:
    return CrawlKeys("v-" + uuid.uuid4().hex[:8])


def test_validators_are_stored_compact_and_read_back(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    keys = _keys()
    rows = [{"url": f"http://127.0.0.1:9/f/{i}.pdf", "sha256": f"{i:064x}", **r} for i, r in enumerate(ODD)]
    rows.append({"url": "http://127.0.0.1:9/none", "sha256": SHA, "etag": None, "last_modified": None,
                 "content_type": "text/html"})  # fmt: skip
    assert store_validators(client, keys, rows, len(rows)) == len(ODD)  # nothing to send: not kept
    store = ValidatorStore(client, keys)
    for row in rows[:-1]:
        assert store.get(row["url"]) == {k: v for k, v in row.items() if k != "url"}
    assert store.get("http://127.0.0.1:9/none") is None
    # every bucket stays a listpack: values over hash-max-listpack-value (64) are in the long hash
    buckets = int(client.get(keys.validator_buckets))
    where = [url_bucket(row["url"], buckets, keys) for row in rows[:-1]]
    assert {client.object("encoding", bucket) for bucket, _ in where} == {b"listpack"}
    long = client.hgetall(keys.validator_long)
    assert long and all(len(v) > 64 for v in long.values())  # a Last-Modified kept as text (RFC 850, +0800)
    assert {client.hget(bucket, field) for bucket, field in where if field in long} == {b"\x00"}
    for row in rows[0], rows[8]:  # a short and a long one
        assert store.forget(row["url"]) and store.get(row["url"]) is None


def test_a_crawl_seeded_in_the_former_form_is_rewritten(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    keys = _keys()
    record = {"sha256": SHA, "etag": '"x"', "last_modified": None, "content_type": "text/html"}
    client.hset(keys.former_validators, "http://127.0.0.1:9/a.html", json.dumps(record))
    assert migrate_former_validators(client, keys) == 1
    assert not client.exists(keys.former_validators)
    assert ValidatorStore(client, keys).get("http://127.0.0.1:9/a.html") == record
    assert migrate_former_validators(client, keys) == 0


@pytest.mark.parametrize("urls,buckets", [(0, 16), (1000, 16), (6_000_000, 131072)])
def test_buckets_keep_each_hash_small(urls: int, buckets: int) -> None:
    assert buckets_for(urls) == buckets
