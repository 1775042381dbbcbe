"""Extraction as jobs on Redis: the message formats shared by the corpus writer and the workers.

One job stream serves every crawl on a Redis (`govarchive:jobs`, group `workers`): a worker does not care
which crawl a blob came from, only where to answer. Each job names its `reply` stream (the crawl's
`CrawlKeys.results`, group `writer`), where the worker publishes the Extraction *before* acknowledging the
job — a worker killed in between gives a duplicate result, never a lost one, so the writer must accept a
second result for the same blob.

job:    sha256, url (for logs and the extractor's URL hint), charset ("" when none), reply
result: sha256, extraction (JSON of archive.model.Extraction), worker (process name), attempts
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import redis

from archive.model import Extraction
from archive.sharedcrawl.streams import Entry, Stream

JOBS_KEY = "govarchive:jobs"
JOBS_GROUP = "workers"
RESULTS_GROUP = "writer"


def extraction_to_json(ex: Extraction) -> str:
    """Exact: `extraction_from_json(extraction_to_json(ex)) == ex`, tables and None cells included."""
    data = dataclasses.asdict(ex)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in extracted text: Redis wants UTF-8, JSON escapes keep it
        text = json.dumps(data, separators=(",", ":"))
    return text


def extraction_from_json(s: str) -> Extraction:
    data: dict[str, Any] = json.loads(s)
    names = {f.name for f in dataclasses.fields(Extraction)}
    return Extraction(
        **{k: v for k, v in data.items() if k in names}
    )  # a newer writer's extra field: ignored


def jobs_stream(client: redis.Redis) -> Stream:
    return Stream(client, JOBS_KEY, JOBS_GROUP)


def jobs_outstanding(client: redis.Redis) -> int:
    """Jobs of every crawl not answered yet (being extracted, or not yet taken by a worker)."""
    return jobs_stream(client).outstanding()


class ExtractionJobs:
    """The writer's side of the job stream."""

    def __init__(self, client: redis.Redis) -> None:
        self.stream = jobs_stream(client)

    def submit(self, sha256: str, url: str, charset: str | None, reply: str) -> str:
        return self.stream.add(_job(sha256, url, charset, reply))

    def submit_noted(
        self, sha256: str, url: str, charset: str | None, reply: str, asked_key: str, note: str
    ) -> None:
        """Queue a job and note it in the hash `asked_key` in one MULTI/EXEC. Two separate calls leave a
        window: a writer killed between them leaves a job noted as asked but never queued, which its
        successor (it trusts the note) would wait for forever."""
        pipe: Any = self.stream.client.pipeline(transaction=True)
        pipe.hset(asked_key, sha256, note)
        pipe.xadd(self.stream.key, _job(sha256, url, charset, reply))
        pipe.execute()


def _job(sha256: str, url: str, charset: str | None, reply: str) -> dict[str, str]:
    return {"sha256": sha256, "url": url, "charset": charset or "", "reply": reply}


def publish_result(
    client: redis.Redis, reply: str, sha256: str, ex: Extraction, worker: str, attempts: int
) -> str:
    stream = Stream(client, reply, RESULTS_GROUP)
    return stream.add(
        {"sha256": sha256, "extraction": extraction_to_json(ex), "worker": worker, "attempts": str(attempts)}
    )


class ExtractionResults:
    """The writer's side of one crawl's result stream: read, save, then ack."""

    def __init__(self, client: redis.Redis, reply_key: str) -> None:
        self.stream = Stream(client, reply_key, RESULTS_GROUP)

    def read(
        self, consumer: str, count: int = 64, block_ms: int | None = 1000
    ) -> list[tuple[Entry, str, Extraction]]:
        return [self._parse(e) for e in self.stream.read(consumer, count, block_ms)]

    def claim(self, consumer: str, min_idle_ms: int, count: int = 64) -> list[tuple[Entry, str, Extraction]]:
        """Results a killed writer read but never acknowledged (its consumer name is gone with it)."""
        return [self._parse(e) for e in self.stream.claim(consumer, min_idle_ms, count)]

    def ack(self, *ids: str) -> None:
        self.stream.ack(*ids)

    def outstanding(self) -> int:
        return self.stream.outstanding()

    @staticmethod
    def _parse(entry: Entry) -> tuple[Entry, str, Extraction]:
        try:
            ex = extraction_from_json(entry.fields["extraction"])
        except (KeyError, TypeError, ValueError) as e:
            # Never a reason to stop the writer: the blob is recorded as not extractable, with why.
            ex = Extraction("unknown", error=f"malformed extraction result: {e}")
        return entry, entry.fields.get("sha256", ""), ex
