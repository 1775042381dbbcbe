"""The one item the spider hands to the pipelines: a response (or a failure) worth recording."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from archive.store.corpus import Exchange


@dataclass
class Fetched:
    url: str
    site_id: str
    role: str  # list | article | attachment | image (crawler.context.Role)
    fetched_at: str
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    filename: str | None = None
    referer: str | None = None  # the page whose link led here
    link_url: str | None = None  # the URL that link named, when a redirect led elsewhere
    link_text: str | None = None
    error: str | None = None  # why nothing was kept, e.g. "http 404", "timeout", "too large"
    tls_error: str | None = None  # what was wrong with the certificate of an https answer kept anyway
    not_modified: bool = False  # a 304 answer to a conditional request
    previous_sha256: str | None = None  # what the 304 confirmed
    # For an article page: the documents it links to (url, text, kind: attachment | image), kept in the
    # `links` table so that interpretation reads the page's context from the archive.
    links: list[tuple[str, str, str]] = field(default_factory=list)
    # The HTTP exchange as sent and received, and the redirect answers before it (crawler.middlewares.exchange).
    exchange: Exchange | None = None
    hops: list[Exchange] = field(default_factory=list)
    # Filled by the pipelines.
    sha256: str | None = None
    size: int | None = None
    media_type: str | None = None
    new_document: bool = False
    capture_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def fetched_to_json(item: Fetched) -> str:
    """The item as the corpus writer of a shared crawl receives it (pipelines/publish.py): bytes already in
    the blob store, so none travel."""
    data = asdict(item)
    data["body"] = None
    for ex in [data["exchange"], *data["hops"]]:
        if ex is not None:
            ex["body"] = None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _exchange(data: dict[str, Any]) -> Exchange:
    data["request_headers"] = [tuple(h) for h in data["request_headers"]]
    data["response_headers"] = [tuple(h) for h in data["response_headers"]]
    return Exchange(**data)


def fetched_from_json(text: str) -> Fetched:
    data = json.loads(text)
    data["links"] = [tuple(link) for link in data["links"]]
    data["exchange"] = _exchange(data["exchange"]) if data["exchange"] is not None else None
    data["hops"] = [_exchange(h) for h in data["hops"]]
    return Fetched(**data)
