"""Leases in Redis: a key held by one process while it keeps renewing it, free for another once it stops
(a killed holder's lease expires after `ttl_ms`)."""

from __future__ import annotations

from typing import Any

import redis

# Renew (or give up) only a lease we still hold: another process may have taken it after ours expired.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class Lease:
    def __init__(self, client: redis.Redis, key: str, holder: str, ttl_ms: int = 10_000) -> None:
        self.client: Any = client  # redis-py's stubs mix sync and async results
        self.key = key
        self.holder = holder
        self.ttl_ms = ttl_ms

    def acquire(self) -> bool:
        """Take the lease if it is free, or keep it if ours; False while another process holds it."""
        if self.client.set(self.key, self.holder, nx=True, px=self.ttl_ms):
            return True
        return self.renew()

    def renew(self) -> bool:
        return bool(self.client.eval(_RENEW, 1, self.key, self.holder, str(self.ttl_ms)))

    def release(self) -> None:
        self.client.eval(_RELEASE, 1, self.key, self.holder)

    def holder_now(self) -> str | None:
        raw = self.client.get(self.key)
        return raw.decode() if isinstance(raw, bytes) else raw
