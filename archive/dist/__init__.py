"""A crawl shared by many processes through one Redis: key names, reliable streams, leases.

Plain Python over redis-py (no Scrapy): the crawler's shared scheduler (crawler/distributed/), the corpus
writer (pipelines/writer.py) and the extraction workers (archive/dist/worker.py) all speak through these.
"""
