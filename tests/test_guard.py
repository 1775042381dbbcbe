"""The guard's rules on their own: every spelling of a private address is one, the redirect target is the
one Scrapy follows, and the browser of render_js sites is held to the same address rules."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crawler.middlewares.guard import (
    BROWSER_PRIVATE_ORIGINS,
    browser_request_refused,
    forbidden_address,
    redirect_target,
    refusal,
)


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("127.1", "loopback"),
        ("0x7f.1", "loopback"),
        ("2130706433", "loopback"),
        ("[::1]", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:7f00:1::", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("100.100.100.200", "non-public"),
        ("224.0.0.1", "non-public"),
    ],
)
def test_private_addresses_in_every_spelling(host: str, why: str) -> None:
    found = forbidden_address(host)
    assert found is not None and found.startswith(why), found


@pytest.mark.parametrize("host", ["8.8.8.8", "www.gov.cn", "znzf.gov.cn", "1.2.3", "2400:da00::6666"])
def test_public_addresses_and_names_pass(host: str) -> None:
    assert forbidden_address(host) is None


def test_start_origins_may_be_private_nothing_else_there() -> None:
    start = ["http://127.0.0.5:8080/list.html"]
    assert refusal("http://127.0.0.5:8080/x.pdf", start) is None
    assert refusal("http://127.0.0.5:8081/x.pdf", start) is not None  # another port: another origin
    assert refusal("https://127.0.0.5:8080/x.pdf", start) is not None
    assert refusal("ftp://127.0.0.5/x.pdf", start) is not None
    assert refusal("http://[::1/", start) == "malformed URL: not fetched"


def test_redirect_target_is_the_url_scrapy_follows() -> None:
    assert redirect_target("http://a.gov.cn/x/y.html", b"http:\\\\b.gov.cn/x") == "http://b.gov.cn/x"
    assert redirect_target("https://a.gov.cn/x/y.html", b"//b.gov.cn/z") == "https://b.gov.cn/z"
    assert redirect_target("http://a.gov.cn/x/y.html", b"../z.html") == "http://a.gov.cn/z.html"


@dataclass
class _BrowserRequest:
    url: str


def test_the_browser_is_held_to_the_same_rules() -> None:
    BROWSER_PRIVATE_ORIGINS.add(("http", "127.0.0.9", 8000))
    try:
        assert browser_request_refused(_BrowserRequest("http://169.254.169.254/latest/meta-data/"))
        assert browser_request_refused(_BrowserRequest("http://127.0.0.9:8001/admin"))
        assert browser_request_refused(_BrowserRequest("file:///etc/passwd"))
        assert not browser_request_refused(_BrowserRequest("http://127.0.0.9:8000/list.js"))
        assert not browser_request_refused(_BrowserRequest("https://www.gov.cn/app.js"))
        assert not browser_request_refused(_BrowserRequest("data:image/png;base64,AAAA"))
    finally:
        BROWSER_PRIVATE_ORIGINS.discard(("http", "127.0.0.9", 8000))


def test_the_operators_word_opens_a_private_address_but_never_a_link_local_one() -> None:
    from crawler.middlewares.guard import trusted_networks

    start = ["http://127.0.0.5:8080/list.html"]
    files = "http://10.1.2.3/files/nb2022.pdf"
    assert refusal(files, start) is not None
    assert refusal(files, start, allowed_domains=["10.1.2.3"]) is None  # named in the sites file
    assert refusal(files, start, trusted=trusted_networks("10.1.0.0/16, 127.0.0.0/8")) is None
    assert refusal("http://10.2.0.1/x.pdf", start, trusted=trusted_networks("10.1.0.0/16")) is not None
    assert refusal("http://169.254.169.254/latest/", start, allowed_domains=["169.254.169.254"]) is not None
    with pytest.raises(ValueError, match="link-local"):
        trusted_networks("169.254.0.0/16")
    with pytest.raises(ValueError, match="not a network"):
        trusted_networks("intranet")


def test_a_file_elsewhere_never_reaches_this_machine_by_name() -> None:
    from crawler.middlewares.guard import internal_name

    for host in ("localhost", "api.localhost", "consul.service.internal", "printer.local", "nas"):
        assert internal_name(host) is not None, host
    for host in ("files.gov.cn", "cdn.example.com", "127.0.0.1", "files.gov.cn."):
        assert internal_name(host) is None, host
    assert browser_request_refused(_BrowserRequest("http://localhost:8500/v1/kv/"))
    assert not browser_request_refused(_BrowserRequest("https://cdn.example.com/a.js"))
