"""The shared crawl's Scrapy side: one crawl shared by many crawler processes through one Redis (switched on by
GOVARCHIVE_REDIS_URL). Its plain part (keys, streams, the corpus writer, the workers) is archive/sharedcrawl/.

- `frontier`: the crawl's Redis client, keys (archive.sharedcrawl.keys.CrawlKeys) and this process's name; how a
  request travels through Redis (`encode`/`decode`) and the Lua scripts that move it atomically.
- `scheduler`: scrapy-redis's scheduler and duplicate filter on the crawl's keys; a request popped from the
  shared queue is recorded as in flight by this process until the engine is done with it.
- `liveness`: the extension that keeps this process alive in Redis, gives a dead process's in-flight
  requests back to the queue, and closes the spider only when the shared frontier is drained.
- `politeness`: a site's download_delay held across processes (one slot time per site in Redis).
- `validators`: the incremental state (ETag / Last-Modified of the last good capture) read from Redis.

With GOVARCHIVE_REDIS_URL unset nothing here is imported by the crawl (tests/test_layers.py checks it).
"""
