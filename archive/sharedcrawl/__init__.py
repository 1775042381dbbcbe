"""The shared crawl's plain part: one crawl shared by many processes through one Redis, everything but Scrapy.

Plain Python over redis-py, importing only archive/: the Redis client (`client`), the crawl's key names
(`keys`), reliable streams (`streams`) and leases (`lease`), extraction as jobs (`jobs`, `worker`: `govarchive
worker`), the incremental state seeded from the corpus (`validators`) and the one corpus writer (`writer`).
The crawler's side, on Scrapy, is crawler/sharedcrawl/; the command line govarchive/sharedcrawl_cli.py.
"""
