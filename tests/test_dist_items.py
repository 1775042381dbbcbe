"""What a crawler of a shared crawl publishes is the item the single-process pipelines would record."""

from __future__ import annotations

from archive.capture import Fetched, fetched_from_json, fetched_to_json
from archive.store.corpus import Exchange


def test_an_item_round_trips_without_its_bytes() -> None:
    hop = Exchange(
        method="GET",
        request_url="http://127.0.0.1/a",
        request_headers=[("User-Agent", "govarchive")],
        status=302,
        protocol="HTTP/1.1",
        reason="Found",
        response_headers=[
            ("Location", "/b"),
            ("Content-Disposition", "attachment; filename=\xe5\xb9\xb4.pdf"),
        ],
        fetched_at="2026-12-01T00:00:00+00:00",
        body=b"moved",
        payload_sha256="ab" * 32,
    )
    item = Fetched(
        url="http://127.0.0.1/b",
        site_id="s",
        role="attachment",
        fetched_at="2026-12-01T00:00:01+00:00",
        status=200,
        body=b"%PDF-1.7 ...",
        content_type="application/pdf",
        link_text="2023年政府信息公开工作年度报告",
        links=[("http://127.0.0.1/c.pdf", "附件", "attachment")],
        exchange=hop,
        hops=[hop],
        sha256="cd" * 32,
        size=12,
        media_type="application/pdf",
        extra={"already_extracted": False},
    )
    back = fetched_from_json(fetched_to_json(item))
    assert back.body is None and back.hops[0].body is None and back.exchange is not None
    assert back.exchange.body is None
    expected = Fetched(**{**item.__dict__, "body": None})
    expected.exchange = Exchange(**{**hop.__dict__, "body": None})
    expected.hops = [expected.exchange]
    assert back == expected
    assert isinstance(back.links[0], tuple) and isinstance(back.hops[0].response_headers[0], tuple)
