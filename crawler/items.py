"""The one item the spider hands to the pipelines: a response (or a failure) worth recording."""

from __future__ import annotations

from dataclasses import dataclass, field
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
