"""The Redis keys of one shared crawl, named in one place.

Every key of a crawl starts with `govarchive:<crawl>:`, so several crawls (or a test's) share one Redis
without meeting. The crawl's name defaults to a digest of the sites file's bytes: processes on different
machines with the same sites file join the same crawl without being told its name.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

CAPTURES_GROUP = "writer"  # the consumer group of the captures stream: the corpus writers


def crawl_name_for(sites_file: Path) -> str:
    return "sites-" + hashlib.sha256(Path(sites_file).read_bytes()).hexdigest()[:12]


def process_name() -> str:
    """Unique per process, readable in `redis-cli` (host, pid, and a nonce for pid reuse)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def shared_crawl_name(sites_file: Path, site_ids: list[str]) -> str:
    """The sites file's digest, and the sites chosen with --site: processes crawling different selections
    of one file are different crawls."""
    name = crawl_name_for(sites_file)
    if site_ids:
        name += "-" + hashlib.sha256(",".join(sorted(site_ids)).encode()).hexdigest()[:8]
    return name


# The form of queued and in-flight requests (per-band lists of "score:request"; in flight "score:band" + newline
# + request): a new value whenever that form changes.
QUEUE_FORM = "bands-1"


@dataclass(frozen=True)
class CrawlKeys:
    crawl: str

    def key(self, *parts: str) -> str:
        return ":".join(("govarchive", self.crawl, *parts))

    @property
    def pattern(self) -> str:
        """Every key of this crawl (for clearing it once done)."""
        return self.key("*")

    # the frontier (the queue and the duplicate filter; requests taken but not finished, by process)
    @property
    def queue(self) -> str:
        """Sorted set: each band (a site's requests of one priority) with requests queued -> the score of its
        first (crawler/sharedcrawl/frontier.py)."""
        return self.key("queue")

    def band(self, band: str) -> str:
        """The list of a band's queued requests ("score:request", in score order)."""
        return self.key("band", band)

    @property
    def queued(self) -> str:
        """How many requests the bands hold."""
        return self.key("queued")

    @property
    def former_queue(self) -> str:
        """The queue of a crawl started by a govarchive before the bands (one sorted set of requests in
        another form): such a crawl cannot be resumed by this one."""
        return self.key("requests")

    @property
    def form(self) -> str:
        """The form of the crawl's queue and in-flight entries (QUEUE_FORM), set by its first process: a
        crawl whose state has another form, or none (an earlier govarchive's), is not resumed."""
        return self.key("form")

    @property
    def dupefilter(self) -> str:
        """The duplicate filter's key prefix: its buckets are `dupefilter:<n>` (filter_bucket)."""
        return self.key("dupefilter")

    @property
    def filter_size(self) -> str:
        """The duplicate filter's number of buckets, set once by the crawl's first process."""
        return self.key("dupefilter-buckets")

    def filter_bucket(self, fingerprint: bytes, buckets: int) -> tuple[str, bytes]:
        """The duplicate filter's hash holding a request fingerprint, and its field there.

        The first 8 bytes of the fingerprint (two different URLs share them with probability n / 2**64:
        1.6e-12 per URL at 30 million) are a field of one of `buckets` hashes, chosen by 4 more bytes.
        A hash of up to 128 fields is a listpack, Redis's compact encoding: 14–18 bytes per URL at 20–100
        fields a bucket, against ~64 in a set of 20-byte members (benchmarks/dupefilter_memory.py); a
        fuller bucket turns into a hashtable (more memory, still exact), an emptier one costs its key.
        """
        n = int.from_bytes(fingerprint[8:12], "little") % buckets
        return self.key("dupefilter", str(n)), fingerprint[:8]

    def inflight(self, process: str) -> str:
        return self.key("inflight", process)

    def alive(self, process: str) -> str:
        return self.key("alive", process)

    @property
    def crawlers(self) -> str:
        """Set of the crawler processes that joined (their `alive` keys say which still live)."""
        return self.key("crawlers")

    # politeness and incremental state shared by all crawler processes
    def site_slot(self, site_id: str) -> str:
        """The site's next free slot time (ms, Redis clock)."""
        return self.key("slot", site_id)

    def site_busy(self, site_id: str) -> str:
        """The token of the site's request in flight, if any."""
        return self.key("busy", site_id)

    def site_answered(self, site_id: str) -> str:
        """When the site's last answer came (ms, Redis clock)."""
        return self.key("answered", site_id)

    @property
    def turns(self) -> str:
        """Hash site id -> the turn of its last queued request (crawler/sharedcrawl/frontier.py)."""
        return self.key("turns")

    @property
    def clock(self) -> str:
        """The turn of the last request taken from the queue."""
        return self.key("clock")

    def validator_bucket(self, n: int) -> str:
        """One of the hashes of the URLs' validators (archive/sharedcrawl/validators.py url_bucket)."""
        return self.key("validators", str(n))

    @property
    def validator_buckets(self) -> str:
        """How many hashes the validators are spread over, set once by the crawl's writer."""
        return self.key("validators-buckets")

    @property
    def validator_long(self) -> str:
        """Hash field -> the validators too long for a listpack value (their bucket holds a marker)."""
        return self.key("validators-long")

    @property
    def validator_types(self) -> str:
        """Hash code -> content type, the codes the validators' values hold."""
        return self.key("validators-types")

    @property
    def former_validators(self) -> str:
        """The validators of a crawl seeded by a govarchive before the compact form (one hash URL -> JSON),
        rewritten by the writer that takes the crawl over."""
        return self.key("validators")

    @property
    def pages(self) -> str:
        """Hash site id -> requests made for it, by all processes (the max_pages net)."""
        return self.key("pages")

    # the single writer of corpus.db and what reaches it
    @property
    def writer(self) -> str:
        return self.key("writer")

    @property
    def captures(self) -> str:
        return self.key("captures")

    @property
    def jobs(self) -> str:
        return self.key("jobs")

    @property
    def results(self) -> str:
        return self.key("results")

    @property
    def asked(self) -> str:
        """Hash sha256 -> URL of the extraction jobs the writer queued and has no answer to yet (a writer
        taking over does not queue them again)."""
        return self.key("asked")

    @property
    def run(self) -> str:
        """Hash: the crawl_runs row id, and when the frontier was found drained."""
        return self.key("run")

    @property
    def stats(self) -> str:
        """Hash: the crawler processes' counters, added up as each closes."""
        return self.key("stats")

    @property
    def closed(self) -> str:
        """Set of the crawler processes whose spider closed (all their captures are published)."""
        return self.key("closed")

    @property
    def done(self) -> str:
        """Set once the writer closed the run: every process may return."""
        return self.key("done")


def filter_buckets(sites: int) -> int:
    """Buckets for a crawl of `sites` sites: 64 a site (~6,000 URLs a site at 100 a bucket), a power of 2,
    at least 1,024 (3,130 portals: 2**18)."""
    return max(1024, 1 << max(0, sites * 64 - 1).bit_length())
