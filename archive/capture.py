"""A capture on its way into the archive: the one item the spider hands to the pipelines (a response, or a
failure, worth recording), and how it is kept — its bytes in the blob store (`keep_bytes`), its rows in the
corpus (`record`).

Plain Python: the single-process crawl's StorePipeline (pipelines/store.py) and a shared crawl's corpus
writer (archive/sharedcrawl/writer.py) call the same two functions, the writer with the item as it came
through Redis (`fetched_from_json`), so the corpus of a shared crawl equals a single-process crawl's.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from archive.errors import error_kind
from archive.extract.sniff import sniff_bytes
from archive.model import Count
from archive.store.blobs import BlobTooLarge, StagedBatch
from archive.store.corpus import Capture, Exchange
from archive.store.workspace import Workspace

logger = logging.getLogger(__name__)


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


def keep_bytes(ws: Workspace, item: Fetched) -> None:
    """The blob store's part: the response's bytes, and the bodies of its exchange and redirect hops. A
    crawler of a shared crawl does this part itself, and the corpus writer the rest (`record`)."""
    if item.body is not None and item.error is None:
        try:
            item.sha256, item.size = ws.blobs.put_bytes(item.body)
        except BlobTooLarge as e:
            item.error = f"too large: {e}"
        except OSError as e:
            if ws.fault(e) is not None:
                raise  # the data folder's failure, not this response's: the crawl stops
            item.error = f"store failed: {e}"
        if item.sha256:
            item.media_type = sniff_bytes(item.body[:65536])
    item.body = None  # the bytes are in the store now; do not carry them through the other stages
    for ex in (item.exchange, *item.hops):
        if ex is not None:
            _keep_body(ws, ex)


def keep_many(ws: Workspace, items: list[Fetched]) -> None:
    """`keep_bytes` for a batch, durable when it returns (BlobStore.put_many: the fsyncs issued together);
    raises the data folder's fault (full, read-only) as `keep_bytes` does, after the batch's other blobs
    are in place. The crawl runs its three steps apart: `stage_bodies` and `finish_keeping` on its reactor,
    `sync_bodies` in a thread."""
    batch = stage_bodies(ws, items)
    try:
        sync_bodies(ws, batch)
    finally:
        finish_keeping(ws, batch)


@dataclass
class BodiesBatch:
    """A batch's bodies between `stage_bodies` and `finish_keeping`: each with the item or exchange it
    belongs to."""

    owners: list[Fetched | Exchange]
    bodies: list[bytes]
    staged: StagedBatch


def stage_bodies(ws: Workspace, items: list[Fetched]) -> BodiesBatch:
    """The batch's bodies taken off the items (they travel no further) and staged in the blob store."""
    bodies: list[bytes] = []
    owners: list[Fetched | Exchange] = []
    for item in items:
        if item.body is not None and item.error is None:
            bodies.append(item.body)
            owners.append(item)
        item.body = None
        for ex in (item.exchange, *item.hops):
            if ex is not None and ex.body:
                bodies.append(ex.body)
                owners.append(ex)
            if ex is not None:
                ex.body = None
    return BodiesBatch(owners, bodies, ws.blobs.stage(bodies))


def sync_bodies(ws: Workspace, batch: BodiesBatch) -> None:
    """The staged bodies made durable, and those over the pack limit kept as files (a thread's work: for a
    batch of pages, one fsync and no Python work to speak of)."""
    ws.blobs.sync_staged(batch.staged)


def finish_keeping(ws: Workspace, batch: BodiesBatch) -> None:
    """Each owner told its blob's digest, or why its body was not kept; the data folder's fault raised."""
    fault: Exception | None = None
    results = ws.blobs.finish_staged(batch.staged)
    for owner, body, result in zip(batch.owners, batch.bodies, results, strict=True):
        if isinstance(owner, Exchange):
            if isinstance(result, Exception):
                logger.warning("body of %s %s not kept: %s", owner.status, owner.request_url, result)
            else:
                owner.payload_sha256 = result[0]
        elif isinstance(result, BlobTooLarge):
            owner.error = f"too large: {result}"
        elif isinstance(result, Exception):
            if ws.fault(result) is not None:
                fault = fault or result
            owner.error = f"store failed: {result}"
        else:
            owner.sha256, owner.size = result
            owner.media_type = sniff_bytes(body[:65536])
    if fault is not None:
        raise fault  # the data folder's failure, not these responses': the crawl stops


def _keep_body(ws: Workspace, ex: Exchange) -> None:
    """A body the capture does not name (a redirect's, an error page's) goes to the blob store too."""
    if ex.body:
        try:
            ex.payload_sha256, _ = ws.blobs.put_bytes(ex.body)
        except (OSError, BlobTooLarge) as e:
            logger.warning("body of %s %s not kept: %s", ex.status, ex.request_url, e)
    ex.body = None


def record(ws: Workspace, item: Fetched, run_id: int | None, count: Count) -> None:
    """The corpus's part: the document, the page's links, the redirect hops and the capture (its id in
    `item.capture_id`) of the run `run_id` (crawl_runs.id, the captures' `crawl_id` column), counted under
    the names the crawl's summary shows."""
    if item.sha256 and item.error is None:
        if item.media_type is None:  # bytes stored by another process that did not say
            item.media_type = sniff_bytes(ws.blobs.read(item.sha256)[:65536])
        item.new_document = ws.corpus.ensure_document(
            item.sha256, item.size or 0, item.media_type, item.filename, item.url, item.fetched_at
        )
        count("bytes", item.size or 0)
        count("documents_new" if item.new_document else "documents_seen", 1)
    if item.not_modified and item.previous_sha256:
        _confirm_held(ws, item, count)
    if item.links and item.sha256:
        ws.corpus.add_links(item.sha256, item.url, item.links)
    for hop in item.hops:
        _add_hop(ws, item, hop, run_id, count)
    item.capture_id = ws.corpus.add_capture(
        Capture(
            url=item.url,
            status=item.status,
            fetched_at=item.fetched_at,
            site_id=item.site_id,
            content_type=item.content_type,
            sha256=item.sha256,
            size=item.size,
            etag=item.etag,
            last_modified=item.last_modified,
            referer=item.referer,
            link_url=item.link_url,
            link_text=item.link_text,
            role=item.role,
            error=item.error,
            crawl_id=run_id,
            tls_error=item.tls_error,
        )
    )
    if item.exchange is not None:
        ws.corpus.add_exchange(item.capture_id, item.exchange)
    count(f"captures/{item.role}", 1)
    if item.tls_error:
        count("tls_errors", 1)
    if item.error:
        count(f"errors/{error_kind(item.error)}", 1)
        logger.debug("not archived %s: %s", item.url, item.error)  # the spider warned once


def record_many(ws: Workspace, items: list[Fetched], run_id: int | None, count: Count) -> None:
    """`record` for a batch, in one transaction (one commit for the batch instead of three per capture);
    counted once it committed, each name once per batch."""
    counts: Counter[str] = Counter()

    def later(key: str, n: int) -> None:
        counts[key] += n

    with ws.corpus.transaction():
        for item in items:
            record(ws, item, run_id, later)
    for key, n in counts.items():  # one count per name and batch, not per capture
        count(key, n)


def record_batch(
    ws: Workspace, items: list[Fetched], run_id: int | None, count: Count
) -> dict[int, Exception]:
    """`record_many`, and when the batch fails for an item's sake (not the data folder's), its items one by one,
    so that a bad item costs only itself, as when each capture had its own transaction. The items that failed
    again, by index; the data folder's fault raises."""
    try:
        record_many(ws, items, run_id, count)
        return {}
    except Exception as exc:
        if ws.fault(exc) is not None:
            raise
        if len(items) == 1:
            return {0: exc}
    failed: dict[int, Exception] = {}
    for i, item in enumerate(items):  # the batch was rolled back: nothing of it is in the corpus
        try:
            record_many(ws, [item], run_id, count)
        except Exception as exc:
            if ws.fault(exc) is not None:
                raise
            failed[i] = exc
    return failed


def _add_hop(ws: Workspace, item: Fetched, hop: Exchange, run_id: int | None, count: Count) -> None:
    """A redirect answer on the way to this item's URL: a capture of its own (role `redirect`)."""
    capture_id = ws.corpus.add_capture(
        Capture(
            url=hop.request_url,
            status=hop.status,
            fetched_at=hop.fetched_at,
            site_id=item.site_id,
            content_type=next((v for k, v in hop.response_headers if k.lower() == "content-type"), None),
            referer=item.referer,
            link_text=item.link_text,
            role="redirect",
            crawl_id=run_id,
        )
    )
    ws.corpus.add_exchange(capture_id, hop)
    count("captures/redirect", 1)


def _confirm_held(ws: Workspace, item: Fetched, count: Count) -> None:
    """A 304: the blob already held is this URL's content. The capture names it, and keeps the validators
    the next conditional request needs when the 304 omits them."""
    item.sha256 = item.previous_sha256
    prev = ws.corpus.latest_capture_held(item.url)
    if prev is not None:
        item.etag = item.etag or prev["etag"]
        item.last_modified = item.last_modified or prev["last_modified"]
        item.content_type = item.content_type or prev["content_type"]
        item.size = prev["size"]
    count("not_modified", 1)
