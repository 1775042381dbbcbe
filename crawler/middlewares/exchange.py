"""Keeps each HTTP exchange as a WARC needs it: the request as sent and the response as received.

Placed next to the download handler (after every middleware that adds request headers, before
RedirectMiddleware, HttpCompression and crawler.incremental touch the response), so it sees:
  * the request's header lines as Scrapy hands them to the handler (Host and Connection are added by
    Twisted below this point and are not seen);
  * the status and header lines as received, in the order Scrapy keeps them: Scrapy's `Headers` joins
    repeated names and title-cases names (`content-type` → `Content-Type`); the raw wire case is lost;
  * each 3xx answer before RedirectMiddleware follows it: a hop of its own, carried on to the final response
    in meta, and recorded as a capture with role `redirect` by the store pipeline;
  * a 304 before the incremental middleware swaps in the bytes held.
Twisted does not give Scrapy the reason phrase: the standard phrase of the code is recorded instead.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from scrapy import Request
from scrapy.http import Headers, Response

from archive.store.corpus import Exchange
from crawler.context import context_of

EXCHANGE_KEY = "govarchive_exchange"  # the final exchange of a request
HOPS_KEY = "govarchive_hops"  # the redirect answers that led to it, in order


_stamp: tuple[int, str] = (-1, "")


def now_iso() -> str:
    """The time of a fetch, to the second, in UTC (formatted once a second: every response asks)."""
    global _stamp
    second = int(time.time())
    if second != _stamp[0]:
        _stamp = (second, datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds"))
    return _stamp[1]


def header_lines(headers: Headers) -> list[tuple[str, str]]:
    """(name, value) pairs in the order Scrapy holds them; values are the latin-1 view of the raw bytes."""
    out: list[tuple[str, str]] = []
    # Scrapy's Headers hold normalised names and lists of bytes already: read as the dict they are, not
    # through `items()`, which normalises every name and value again.
    pairs = dict.items(headers) if isinstance(headers, Headers) else headers.items()
    for name, values in pairs:
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            out.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return out


_PHRASES = {status.value: status.phrase for status in HTTPStatus}


def reason_phrase(status: int) -> str | None:
    return _PHRASES.get(status)


def exchange_of(request: Request, response: Response, keep_body: bool) -> Exchange:
    encodings = response.headers.getlist("Content-Encoding")
    rendered = bool(request.meta.get("playwright"))
    return Exchange(
        method=request.method,
        request_url=request.url,
        request_headers=header_lines(request.headers),
        status=response.status,
        protocol=response.protocol or ("HTTP/1.1" if not rendered else None),
        reason=reason_phrase(response.status),
        response_headers=header_lines(response.headers),
        fetched_at=now_iso(),
        body=response.body if keep_body else None,
        # HttpCompressionMiddleware decodes these before the payload reaches the blob store.
        decoded=", ".join(e.decode("latin-1") for e in encodings) if encodings and not rendered else None,
        rendered=rendered,
    )


class RecordExchanges:
    """Downloader middleware: the exchange (and redirect hops) of every request the spider built."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> RecordExchanges:
        return cls()

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        if context_of(request) is None:
            return response  # robots.txt and the like are not captures
        redirect = 300 <= response.status < 400 and response.status != 304 and b"Location" in response.headers
        # A 200's payload is the blob the capture names; other bodies (redirects, errors) are kept here.
        keep_body = response.status not in (200, 304)
        exchange = exchange_of(request, response, keep_body)
        if redirect:
            # RedirectMiddleware copies meta into the next request: the hops travel to the final response.
            request.meta[HOPS_KEY] = [*request.meta.get(HOPS_KEY, []), exchange]
        else:
            request.meta[EXCHANGE_KEY] = exchange
        return response
