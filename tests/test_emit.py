"""The items the spider emits, built without a crawl: from a response (after a redirect), a link that cannot
be fetched, a failure."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request, Response

from archive.extract.pageinfo import Link
from crawler import emit
from crawler.context import RequestContext, set_context


def _response(url: str, body: bytes, headers: dict[str, str], status: int = 200, **meta: object) -> Response:
    request = Request(url, headers={"Referer": "http://g.cn/list.html"}, meta=dict(meta))
    set_context(request, RequestContext("s", "attachment", "财政局2022年报"))
    return Response(url, status=status, body=body, headers=headers, request=request)


def test_a_file_after_a_redirect_keeps_the_url_its_link_named_and_its_name() -> None:
    response = _response(
        "http://files.g.cn/d/1.pdf",
        b"%PDF-1.4",
        {
            "Content-Type": "application/octet-stream",
            "Content-Disposition": "attachment; filename=nb2022.pdf",
        },
        redirect_urls=["http://g.cn/attach/get?id=1"],
    )
    assert response.request is not None
    context = RequestContext("s", "attachment", "财政局2022年报")
    item = emit.fetched_file(response, context)
    assert (item.url, item.link_url, item.role, item.filename) == (
        "http://files.g.cn/d/1.pdf",
        "http://g.cn/attach/get?id=1",
        "attachment",
        "nb2022.pdf",
    )
    assert item.referer == "http://g.cn/list.html" and item.body == b"%PDF-1.4" and item.error is None
    assert not emit.looks_like_html(response)


def test_an_error_status_keeps_no_body_and_says_its_status() -> None:
    response = _response(
        "http://g.cn/gone.html", b"<html>404</html>", {"Content-Type": "text/html"}, status=404
    )
    item = emit.fetched(response, RequestContext("s", "list"), "list")
    assert item.body is None and item.error == "http 404" and not item.not_modified


def test_unfetchable_links_and_failures_are_records_with_their_reason() -> None:
    item = emit.not_fetched(
        "s", Link("ftp://g.cn/r.pdf", "某局2022年报"), "http://g.cn/l.html", "not followed: ftp:"
    )
    assert (item.role, item.error, item.link_text) == ("attachment", "not followed: ftp:", "某局2022年报")
    failed = emit.failed(
        "http://g.cn/a", RequestContext("s", "article", "x", linked_from="http://g.cn/l"), "timeout"
    )
    assert (failed.role, failed.referer, failed.error) == ("article", "http://g.cn/l", "timeout")
    assert emit.failed("http://g.cn/b", None, "refused").site_id == ""


def test_html_is_told_by_its_bytes_before_its_header() -> None:
    page = HtmlResponse("http://g.cn/a.html", body=b"<!doctype html><html></html>", headers={})
    assert emit.looks_like_html(page)
    assert (
        emit.declared_charset(_response("http://g.cn/x", b"", {"Content-Type": "text/html; charset=gbk"}))
        == "gbk"
    )
