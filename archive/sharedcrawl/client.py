"""The one way to reach the Redis of a shared crawl, for crawlers, the corpus writer and the workers alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis

from archive.errors import GovarchiveError


def redis_client(url: str) -> redis.Redis:
    """Bytes in, bytes out (the queue holds pickles), with timeouts: a half-open connection must not hang a
    crawl. Blocking reads of the streams wait at most a second or two, well inside them."""
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30, retry_on_timeout=True)


def without_password(url: str) -> str:
    """The URL as it may be shown (logs, errors): the password masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def connect(redis_url: str) -> Any:
    """A client with timeouts (a half-open connection must not hang a crawl), checked once."""
    client = redis_client(redis_url)
    try:
        client.ping()
    except redis.RedisError as e:
        raise GovarchiveError(f"cannot reach Redis at {without_password(redis_url)}: {e}") from None
    return client
