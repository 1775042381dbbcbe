"""WARC 1.1 records of archived captures, written with warcio.

Digests are SHA-256 (`sha256:<base32>`), so a response's WARC-Payload-Digest names the blob that holds its
payload. Header blocks are written as the raw bytes recorded (values are latin-1 views of the bytes
received), not percent-encoded as warcio does by default, so a GBK file name in Content-Disposition
survives.

The payload in the blob store is the entity as the crawler stored it: content codings (gzip, br) that Scrapy
decoded, chunked framing that Twisted removed, and a browser's DOM for rendered pages. A record that holds
such a payload states it: the framing headers that no longer describe it are kept under `X-Archive-Orig-…`
names (as pywb does) and Content-Length gives the stored payload's length.
"""

from __future__ import annotations

import base64
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

WARC_VERSION = "1.1"
RENDERED_FIELD = "WARC-Govarchive-Rendered"  # the payload is a browser's DOM after scripts
RECONSTRUCTED_FIELD = "WARC-Govarchive-Reconstructed"  # headers rebuilt from a capture made before 008
# A 304 written for replay (export-wacz): the status line received, the block being the original's.
RECEIVED_FIELD = "WARC-Govarchive-Received"
# Framing headers that describe the bytes on the wire, not the payload the blob store holds.
FRAMING = ("content-encoding", "transfer-encoding", "content-length")


class RawHeaders(StatusAndHeaders):
    """Status line and header lines written as the bytes recorded (latin-1 views), never %-encoded."""

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_str(header_filter).encode("latin-1", "replace") + b"\r\n"


class Sha256WARCWriter(WARCWriter):
    """warcio's writer with SHA-256 block and payload digests."""

    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def writer(out: BinaryIO, gzip: bool = True) -> Sha256WARCWriter:
    """Each record is its own gzip member, so a reader can seek to any record by offset."""
    return Sha256WARCWriter(out, gzip=gzip, warc_version=WARC_VERSION)


def payload_digest(sha256_hex: str) -> str:
    return "sha256:" + base64.b32encode(bytes.fromhex(sha256_hex)).decode("ascii")


def hex_of_digest(digest: str) -> str | None:
    """The hex SHA-256 a `sha256:<base32>` digest names (None for other algorithms)."""
    algo, _, value = digest.partition(":")
    if algo.lower() != "sha256":
        return None
    try:
        return base64.b32decode(value).hex()
    except ValueError:
        return None


def warc_date(iso: str) -> str:
    """2026-11-30T21:50:16+00:00 → 2026-11-30T21:50:16Z (the crawl's times are UTC)."""
    return iso.replace("+00:00", "Z") if iso.endswith("+00:00") else iso


def payload_headers(headers: list[tuple[str, str]], length: int, *, reframe: bool) -> list[tuple[str, str]]:
    """The response's header lines for the payload the archive holds: when the stored payload is not the
    wire bytes (decoded, dechunked, rendered), framing headers move to X-Archive-Orig-… and Content-Length
    gives the payload's length."""
    if not reframe and not any(k.lower() == "transfer-encoding" for k, _ in headers):
        return list(headers)
    out = [(f"X-Archive-Orig-{k}", v) if k.lower() in FRAMING else (k, v) for k, v in headers]
    out.append(("Content-Length", str(length)))
    return out


def request_headers(url: str, method: str, headers: list[tuple[str, str]]) -> RawHeaders:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = list(headers)
    if not any(k.lower() == "host" for k, _ in lines):
        lines.insert(0, ("Host", parts.netloc))  # added by Twisted below Scrapy: not seen, but always sent
    return RawHeaders(f"{method} {target} HTTP/1.1", lines, protocol="")


def response_headers(
    protocol: str | None, status: int, reason: str | None, headers: list[tuple[str, str]]
) -> RawHeaders:
    line = f"{status} {reason}" if reason else str(status)
    return RawHeaders(line, headers, protocol=protocol or "HTTP/1.1")


def response_record(
    w: Sha256WARCWriter,
    url: str,
    date: str,
    http: RawHeaders,
    payload: BinaryIO | None,
    length: int,
    extra: dict[str, str],
) -> ArcWarcRecord:
    fields = {"WARC-Date": date, **extra}
    return w.create_warc_record(url, "response", payload=payload, length=length, http_headers=http,
                                warc_headers_dict=fields)  # fmt: skip


def revisit_record(
    w: Sha256WARCWriter,
    url: str,
    date: str,
    http: RawHeaders,
    digest: str,
    original: tuple[str, str, str],
    extra: dict[str, str],
) -> ArcWarcRecord:
    """identical-payload-digest revisit pointing at the original (URI, date, record id)."""
    uri, odate, record_id = original
    fields = {"WARC-Date": date, "WARC-Refers-To": record_id, **extra}
    return w.create_revisit_record(url, digest, uri, odate, http_headers=http, warc_headers_dict=fields)


def request_record(
    w: Sha256WARCWriter, url: str, date: str, http: RawHeaders, concurrent_to: str
) -> ArcWarcRecord:
    fields = {"WARC-Date": date, "WARC-Concurrent-To": concurrent_to}
    return w.create_warc_record(url, "request", http_headers=http, warc_headers_dict=fields)
