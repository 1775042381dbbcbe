"""A Redis stream used as a reliable queue: each entry is handled by one consumer of the group, stays pending
until acknowledged, and is taken over by another consumer when the first stops answering (killed).

Acknowledged entries are deleted, so the stream's length is exactly the work not yet done (pending plus not
yet delivered) — what "the crawl is finished" waits on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

Fields = dict[str, str]


@dataclass(frozen=True)
class Entry:
    id: str
    fields: Fields
    deliveries: int  # 1 on first delivery; more once taken over from a consumer that stopped answering


def _decode(fields: dict[Any, Any]) -> Fields:
    return {
        (k.decode() if isinstance(k, bytes) else str(k)): (v.decode() if isinstance(v, bytes) else str(v))
        for k, v in fields.items()
    }


def _id(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


class Stream:
    def __init__(self, client: redis.Redis, key: str, group: str = "main") -> None:
        self.client: Any = client  # redis-py's stubs mix sync and async results
        self.key = key
        self.group = group
        try:
            self.client.xgroup_create(key, group, id="0", mkstream=True)
        except redis.ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise

    def add(self, fields: Fields) -> str:
        return _id(self.client.xadd(self.key, fields))

    def read(self, consumer: str, count: int = 64, block_ms: int | None = 1000) -> list[Entry]:
        """Entries never delivered before, to `consumer` (blocking up to `block_ms`)."""
        return self._read(consumer, ">", count, block_ms, 1)

    def pending(self, consumer: str, count: int = 64) -> list[Entry]:
        """Entries delivered to `consumer` and not acknowledged yet (e.g. claimed from another): again."""
        return self._read(consumer, "0", count, None, 2)

    def _read(
        self, consumer: str, start: str, count: int, block_ms: int | None, deliveries: int
    ) -> list[Entry]:
        got = self.client.xreadgroup(self.group, consumer, {self.key: start}, count=count, block=block_ms)
        out: list[Entry] = []
        gone: list[str] = []
        for _stream, entries in got or []:
            for raw_id, fields in entries:
                if fields:
                    out.append(Entry(_id(raw_id), _decode(fields), deliveries))
                else:  # an entry deleted while pending is delivered empty: nothing to do but forget it
                    gone.append(_id(raw_id))
        if gone:
            self.ack(*gone)
        return out

    def claim(self, consumer: str, min_idle_ms: int, count: int = 64) -> list[Entry]:
        """Entries pending with another consumer for more than `min_idle_ms`: taken over by `consumer`.
        Its own pending entries are left alone (re-claiming them would never end with min_idle_ms = 0)."""
        me = consumer.encode()
        pending: list[dict[str, Any]] = []
        start = "-"
        while len(pending) < count:
            page = self.client.xpending_range(
                self.key, self.group, min=start, max="+", count=count, idle=min_idle_ms
            )
            pending += [p for p in page if p["consumer"] != me]
            if len(page) < count:
                break
            start = "(" + _id(page[-1]["message_id"])  # exclusive: after the last one seen
        pending = pending[:count]
        if not pending:
            return []
        ids = [p["message_id"] for p in pending]
        claimed = self.client.xclaim(self.key, self.group, consumer, min_idle_ms, ids)
        times = {_id(p["message_id"]): int(p["times_delivered"]) + 1 for p in pending}
        out: list[Entry] = []
        gone: list[str] = []
        for raw_id, fields in claimed:
            if fields:
                out.append(Entry(_id(raw_id), _decode(fields), times.get(_id(raw_id), 2)))
            else:
                gone.append(_id(raw_id))
        if gone:
            self.ack(*gone)
        return out

    def ack(self, *ids: str) -> None:
        if ids:
            pipe = self.client.pipeline()
            pipe.xack(self.key, self.group, *ids)
            pipe.xdel(self.key, *ids)
            pipe.execute()

    def outstanding(self) -> int:
        """Entries not acknowledged yet (pending or never delivered)."""
        return int(self.client.xlen(self.key))
