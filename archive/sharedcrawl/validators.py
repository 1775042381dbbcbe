"""The incremental state of a shared crawl: each URL's last good capture (its validators), compact in Redis.

The corpus's single writer fills it once at crawl start with `seed_validators`, from the corpus's one
definition of a last good capture (archive.store.corpus.LAST_GOOD_CAPTURES, which conditional requests read
on corpus.db); every crawler process reads it (crawler/sharedcrawl/validators.py) instead of a corpus.db of
its own. Only captures with an ETag or a Last-Modified are kept: without them no conditional request is made.

A national pass holds ~6 M of them, so each takes ~76 bytes instead of ~344 as a URL -> JSON hash field
(benchmarks/validators_memory.py):
  * the field is the first 8 bytes of the URL's SHA-1, in one of `validators-buckets` hashes chosen by 4 more
    (keys.validator_bucket): ~64 fields a hash, so each stays a listpack (Redis's compact encoding; up to
    hash-max-listpack-entries = 128 fields in Debian's redis.conf, of at most hash-max-listpack-value = 64
    bytes). A longer value would turn its whole hash into a hashtable, so it goes to the one `validators-long`
    hash and its bucket holds a 1-byte marker (one more HGET for that URL). Two URLs share a field with
    probability n / 2**64 (3e-13 at 6 M): the other's validators would be sent, at worst a 304;
  * the value (`pack`) is the sha256's 32 bytes, a flags byte, the Last-Modified as a 4-byte epoch when
    rendering that epoch as an HTTP-date gives the server's string back exactly (else the string), the
    content type as a 1-byte code into the `validators-types` hash, and the ETag's exact text, its quoted
    hex digits as bytes when they render back the same (an MD5 ETag: 34 bytes -> 16).
What is sent on the wire is the server's text, byte for byte, whichever form it is kept in.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import struct
from collections.abc import Iterable, Mapping
from typing import Any

import redis

from archive.sharedcrawl.keys import CrawlKeys
from archive.store.corpus import Corpus

BATCH = 1000
PER_BUCKET = 64  # half of hash-max-listpack-entries: the fullest of ~6 M / 64 buckets stays under 128
LISTPACK_VALUE = 64  # hash-max-listpack-value's default, if CONFIG cannot be read (a managed Redis)
# a bucket's value for a URL whose validators are in the long hash (a real one is >= 33 bytes)
_LONG = b"\x00"

# flags byte
_LM_EPOCH = 0x01  # 4-byte epoch follows
_LM_TEXT = 0x02  # 2-byte length + the string follows
_TYPE_CODE = 0x04  # 1-byte code into the types hash follows
_TYPE_TEXT = 0x08  # 2-byte length + the string follows
_ETAG = 0x10  # the rest is the ETag (plain text unless _ETAG_HEX)
_ETAG_HEX = 0x20  # the rest is the bytes of the ETag's hex digits, between quotes
_ETAG_WEAK = 0x40  # with _ETAG_HEX: W/ before the quotes
_ETAG_UPPER = 0x80  # with _ETAG_HEX: the digits in upper case
_MAX_TYPES = 255
_HEX = re.compile(r'(W/)?"((?:[0-9a-f]{2})+|(?:[0-9A-F]{2})+)"\Z')


def url_bucket(url: str, buckets: int, keys: CrawlKeys) -> tuple[str, bytes]:
    """The hash holding a URL's validators, and its field there."""
    fp = hashlib.sha1(url.encode("utf-8", "surrogatepass")).digest()
    return keys.validator_bucket(int.from_bytes(fp[8:12], "little") % buckets), fp[:8]


def buckets_for(urls: int) -> int:
    """A power of 2 giving ~PER_BUCKET URLs a hash, at least 16."""
    return max(16, 1 << max(0, -(-urls // PER_BUCKET) - 1).bit_length())


def http_date(epoch: int) -> str:
    return email.utils.formatdate(epoch, usegmt=True)


def date_epoch(text: str) -> int | None:
    """The epoch of an HTTP-date when rendering it again gives `text` exactly, else None (kept as text)."""
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    epoch = int(when.timestamp())
    if not 0 <= epoch < 2**32 or http_date(epoch) != text:
        return None
    return epoch


def _text(value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return struct.pack("<H", len(data)) + data


def pack(record: Mapping[str, Any], type_codes: dict[str, int]) -> bytes:
    """A last good capture's bytes in Redis; a content type not yet coded is given the next code (while
    codes last), which the caller must store in the types hash."""
    flags = 0
    tail = b""
    lm = record["last_modified"]
    if lm is not None:
        epoch = date_epoch(lm)
        if epoch is not None:
            flags |= _LM_EPOCH
            tail += struct.pack("<I", epoch)
        else:
            flags |= _LM_TEXT
            tail += _text(lm)
    ctype = record["content_type"]
    if ctype is not None:
        if ctype not in type_codes and len(type_codes) < _MAX_TYPES:
            type_codes[ctype] = len(type_codes)
        if ctype in type_codes:
            flags |= _TYPE_CODE
            tail += bytes([type_codes[ctype]])
        else:
            flags |= _TYPE_TEXT
            tail += _text(ctype)
    etag = record["etag"]
    if etag is not None:
        flags |= _ETAG
        hexed = _HEX.match(etag)
        if hexed:
            flags |= _ETAG_HEX | (_ETAG_WEAK if hexed[1] else 0) | (_ETAG_UPPER if hexed[2].isupper() else 0)
            tail += bytes.fromhex(hexed[2])
        else:
            tail += etag.encode("utf-8", "surrogatepass")
    return bytes.fromhex(record["sha256"]) + bytes([flags]) + tail


def unpack(data: bytes, types: Mapping[int, str]) -> dict[str, Any]:
    """The record `pack` was given (`types`: code -> content type)."""
    out: dict[str, Any] = {
        "sha256": data[:32].hex(),
        "etag": None,
        "last_modified": None,
        "content_type": None,
    }
    flags = data[32]
    at = 33

    def text() -> str:
        nonlocal at
        (n,) = struct.unpack_from("<H", data, at)
        at += 2 + n
        return data[at - n : at].decode("utf-8", "surrogatepass")

    if flags & _LM_EPOCH:
        out["last_modified"] = http_date(struct.unpack_from("<I", data, at)[0])
        at += 4
    elif flags & _LM_TEXT:
        out["last_modified"] = text()
    if flags & _TYPE_CODE:
        out["content_type"] = types[data[at]]
        at += 1
    elif flags & _TYPE_TEXT:
        out["content_type"] = text()
    if flags & _ETAG_HEX:
        digits = data[at:].hex()
        digits = digits.upper() if flags & _ETAG_UPPER else digits
        out["etag"] = ("W/" if flags & _ETAG_WEAK else "") + f'"{digits}"'
    elif flags & _ETAG:
        out["etag"] = data[at:].decode("utf-8", "surrogatepass")
    return out


def store_validators(client: Any, keys: CrawlKeys, records: Iterable[Any], urls: int) -> int:
    """Write `records` (url, sha256, etag, last_modified, content_type) in the compact form, for about `urls`
    URLs (it sizes the buckets, once for the crawl); how many were written."""
    client.set(keys.validator_buckets, buckets_for(urls), nx=True)
    longest = listpack_value(client)
    buckets = int(client.get(keys.validator_buckets))
    type_codes = {
        v.decode("utf-8", "surrogatepass"): int(k) for k, v in client.hgetall(keys.validator_types).items()
    }
    pipe = client.pipeline(transaction=False)
    n = 0
    for row in records:
        if not (row["etag"] or row["last_modified"]):
            continue
        ctype = row["content_type"]
        new_type = ctype is not None and ctype not in type_codes
        data = pack(row, type_codes)
        if new_type and ctype in type_codes:
            client.hset(
                keys.validator_types, type_codes[ctype], ctype.encode("utf-8", "surrogatepass")
            )  # before any value that uses it
        bucket, field = url_bucket(row["url"], buckets, keys)
        if len(data) > longest:
            pipe.hset(keys.validator_long, field, data)
            data = _LONG
        pipe.hset(bucket, field, data)
        n += 1
        if n % BATCH == 0:
            pipe.execute()
    pipe.execute()
    return n


def listpack_value(client: Any) -> int:
    """The longest value a hash may hold and stay a listpack."""
    try:
        return int(
            client.config_get("hash-max-listpack-value").get("hash-max-listpack-value", LISTPACK_VALUE)
        )
    except redis.ResponseError:  # CONFIG refused
        return LISTPACK_VALUE


def seed_validators(corpus: Corpus, client: Any, keys: CrawlKeys) -> int:
    """Fill the crawl's validators from corpus.db; how many URLs."""
    # an upper bound (any capture of those roles with a validator), enough to size the buckets
    (urls,) = corpus.conn.execute(
        """SELECT COUNT(DISTINCT url) FROM captures WHERE role IN ('article', 'attachment', 'image')
           AND (etag IS NOT NULL OR last_modified IS NOT NULL)"""
    ).fetchone()
    return store_validators(client, keys, corpus.last_good_captures(), urls)


def migrate_former_validators(client: Any, keys: CrawlKeys) -> int:
    """A crawl seeded by a govarchive before the compact form (one hash URL -> JSON): its validators are
    rewritten in the compact form and the former hash deleted; how many (0: none in the former form)."""
    import json

    if client.type(keys.former_validators) not in (b"hash", "hash"):
        return 0
    rows = (
        {"url": url.decode("utf-8", "surrogateescape") if isinstance(url, bytes) else url, **json.loads(raw)}
        for url, raw in client.hscan_iter(keys.former_validators, count=BATCH)
    )
    n = store_validators(client, keys, rows, int(client.hlen(keys.former_validators)))
    client.unlink(keys.former_validators)  # UNLINK: millions of fields, freed off the main thread
    return n


class ValidatorStore:
    """The read side: one HGET a request, the bucket count and content types read once."""

    def __init__(self, client: Any, keys: CrawlKeys) -> None:
        self.client = client
        self.keys = keys
        self._buckets: int | None = None
        self._types: dict[int, str] = {}

    def _where(self, url: str) -> tuple[str, bytes] | None:
        if self._buckets is None:
            raw = self.client.get(self.keys.validator_buckets)
            if raw is None:
                return None  # nothing seeded (yet)
            self._buckets = int(raw)
        return url_bucket(url, self._buckets, self.keys)

    def get(self, url: str) -> dict[str, Any] | None:
        where = self._where(url)
        raw = self.client.hget(*where) if where else None
        if raw == _LONG:
            raw = self.client.hget(self.keys.validator_long, where[1]) if where else None
        if not raw:
            return None
        try:
            return unpack(raw, self._types)
        except KeyError:  # a content type coded after this process read the codes
            types = self.client.hgetall(self.keys.validator_types)
            self._types = {int(k): v.decode("utf-8", "surrogatepass") for k, v in types.items()}
            return unpack(raw, self._types)

    def forget(self, url: str) -> bool:
        """Drop a URL's validators (it is then fetched in full); whether it had some."""
        where = self._where(url)
        if where is None:
            return False
        self.client.hdel(self.keys.validator_long, where[1])
        return bool(self.client.hdel(*where))
