"""The pages of a WACZ (pages/pages.jsonl): the report pages and report documents in the export."""

from __future__ import annotations

from archive.store.corpus import Corpus
from archive.warc.cdxj import CdxEntry
from archive.warc.wacz import Page


def report_pages(corpus: Corpus, entries: list[CdxEntry]) -> list[Page]:
    """Every URL of the export that is a copy of a report (its newest 200 response), titled by the report;
    the site's first HTML page when no report is in it."""
    titles = {r["url"]: r["title"] for r in corpus.conn.execute(
        "SELECT rs.url, r.title FROM report_sources rs JOIN reports r ON r.id = rs.report_id")}  # fmt: skip
    newest: dict[str, CdxEntry] = {}
    for e in entries:
        if e.status == "200" and e.url in titles:
            newest[e.url] = e
    pages = [Page(e.url, e.warc_date, titles[e.url]) for e in sorted(newest.values(), key=lambda e: e.url)]
    if not pages:
        html = [e for e in entries if e.status == "200" and e.mime == "text/html"]
        pages = [Page(html[0].url, html[0].warc_date, None)] if html else []
    return pages
