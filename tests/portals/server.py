"""The loopback test server: a portal whose routes give fixed answers or call handlers, with a log of every
request. (The bundled demo portals are static folders served by the product's `govarchive.demoserver`.)

Only 127.0.0.0/8 addresses are accepted. Answers are plain bytes with headers as a real portal sends
them (including raw GBK bytes in Content-Disposition), optionally late; handlers see the query, the
POSTed form and the headers, and can vary by call (`flaky`). Use `start()`/`stop()`, or `with Portal() as p`.
The portal counts every byte it writes (status lines, headers, bodies) in `bytes_sent`; `delay_s` makes it
a slow portal (a test kills a crawl mid-way). tests/portals/static.py serves a folder on disk with it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Req:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class Answer:
    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)  # values are latin-1 views of raw bytes
    delay_s: float = 0.0  # answer this late (the request is logged on arrival)


Handler = Callable[[Req], Answer]


def html(text: str, charset: str = "utf-8", header_charset: str | None = "same") -> Answer:
    """An HTML page encoded in `charset`; the header names `header_charset` ("same", None, or a lie)."""
    declared = charset if header_charset == "same" else header_charset
    ctype = f"text/html; charset={declared}" if declared else "text/html"
    return Answer(text.encode(charset), content_type=ctype)


def html_page(title: str, body: str, pubdate: str | None = None) -> bytes:
    """An article page: `<title>` and `<h1>`, plus ArticleTitle/PubDate meta tags when `pubdate` is given."""
    meta = f'<meta name="ArticleTitle" content="{title}">' if pubdate else ""
    if pubdate:
        meta += f'<meta name="PubDate" content="{pubdate}">'
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>{meta}</head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()


def raw_header(value: bytes) -> str:
    """A header value that http.server will send as exactly these bytes."""
    return value.decode("latin-1")


class Portal:
    def __init__(
        self,
        host: str = "127.0.0.1",
        robots: str = "User-agent: *\nDisallow:\n",
        tls: ssl.SSLContext | None = None,
        delay_s: float = 0.0,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"{host} is not a loopback address")
        self.host = host
        self.tls = tls  # serve https with this server context (tests/portals/certs.py makes bad ones)
        self.exact: dict[str, Handler] = {}  # path?query
        self.paths: dict[str, Handler] = {}  # path
        self.prefixes: list[tuple[str, Handler]] = []
        self.log: list[tuple[float, str, str, int]] = []  # (arrival time, method, path?query, status)
        self.lock = threading.Lock()
        self.delay_s = delay_s  # every request answered this late (logged when it is answered)
        self.bytes_sent = 0  # every byte written to clients since the last reset()
        self.add("/robots.txt", Answer(robots.encode(), content_type="text/plain"))
        self.server: ThreadingHTTPServer | None = None

    # --- content ---------------------------------------------------------------------------------------

    def add(self, path: str, answer: Answer | Handler) -> None:
        handler = answer if callable(answer) else (lambda _req, a=answer: a)
        (self.exact if "?" in path else self.paths)[path] = handler

    def add_prefix(self, prefix: str, handler: Handler) -> None:
        self.prefixes.append((prefix, handler))

    def flaky(self, path: str, answer: Answer, failures: int, status: int = 503) -> None:
        """`failures` answers of `status` before the real one (a portal that recovers)."""
        count = {"n": 0}

        def handler(_req: Req) -> Answer:
            count["n"] += 1
            if count["n"] <= failures:
                return Answer(b"busy", status=status, content_type="text/plain")
            return answer

        self.add(path, handler)

    def route(self, req: Req, target: str) -> Answer:
        handler = self.exact.get(target) or self.paths.get(req.path)
        if handler is None:
            for prefix, h in self.prefixes:
                if req.path.startswith(prefix):
                    handler = h
                    break
        if handler is None:
            return Answer(b"<html><body>404 Not Found</body></html>", status=404)
        return handler(req)

    # --- serving ---------------------------------------------------------------------------------------

    def start(self) -> str:
        portal = self

        class H(BaseHTTPRequestHandler):
            server_version = "nginx"
            sys_version = ""

            def log_message(self, format: str, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                self.wfile = _Counting(self.wfile, portal)  # type: ignore[assignment]

            def _serve(self, method: str) -> None:
                if portal.delay_s:
                    time.sleep(portal.delay_s)
                arrived = time.monotonic()  # when the request came, not when a slow handler finished
                parts = urlsplit(self.path)
                form: dict[str, str] = {}
                if method == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length).decode("utf-8", "replace")
                    form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                req = Req(method, parts.path, query, form, {k.lower(): v for k, v in self.headers.items()})
                try:
                    ans = portal.route(req, self.path)
                except Exception as e:  # a broken test handler must show, not hang the crawl
                    ans = Answer(f"handler error: {e!r}".encode(), status=500, content_type="text/plain")
                with portal.lock:
                    portal.log.append((arrived, method, self.path, ans.status))
                if ans.delay_s:
                    time.sleep(ans.delay_s)
                self.send_response(ans.status)
                if ans.content_type:
                    self.send_header("Content-Type", ans.content_type)
                for k, v in ans.headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(ans.body)))
                self.end_headers()
                if method != "HEAD":
                    self.wfile.write(ans.body)

            def _guarded(self, method: str) -> None:
                # the crawler may give up first (a timeout test): nothing to report then
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                    self._serve(method)

            def do_GET(self) -> None:
                self._guarded("GET")

            def do_POST(self) -> None:
                self._guarded("POST")

            def do_HEAD(self) -> None:
                self._guarded("HEAD")

        server = ThreadingHTTPServer((self.host, 0), H)
        server.daemon_threads = True
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self.server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self.base_url

    @property
    def base_url(self) -> str:
        assert self.server is not None
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> Portal:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> int:
        """The bytes sent since the last reset; clears the count and the log."""
        with self.lock:
            sent, self.bytes_sent = self.bytes_sent, 0
            self.log.clear()
        return sent

    def requested(self, fragment: str) -> list[tuple[float, str, str, int]]:
        with self.lock:
            return [entry for entry in self.log if fragment in entry[2]]

    def hits(self) -> Counter[str]:
        """Requests per exact path?query."""
        with self.lock:
            return Counter(target for _, _, target, _ in self.log)


class _Counting:
    """A handler's output file that adds every byte written to its portal's `bytes_sent`."""

    def __init__(self, raw: Any, portal: Portal) -> None:
        self.raw = raw
        self.portal = portal

    def write(self, data: bytes) -> int:
        with self.portal.lock:
            self.portal.bytes_sent += len(data)
        return int(self.raw.write(data))

    def flush(self) -> None:
        self.raw.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)
