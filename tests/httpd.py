"""A real HTTP server on loopback for tests: each route answers with fixed bytes or a behaviour."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    # Called with the route's hit count; may return another Route (e.g. 503 first, then 200).
    dynamic: Callable[[int], Route] | None = None


@dataclass
class Served:
    base_url: str
    hits: dict[str, int]
    routes: dict[str, Route]


@contextmanager
def serve(routes: dict[str, Route], host: str = "127.0.0.1") -> Iterator[Served]:
    hits: dict[str, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            with lock:
                hits[self.path] = hits.get(self.path, 0) + 1
                n = hits[self.path]
            route = served.routes.get(self.path)
            if route is None:
                route = Route(b"not found", 404, {"Content-Type": "text/plain"})
            if route.dynamic is not None:
                route = route.dynamic(n)
            if route.delay_s:
                time.sleep(route.delay_s)
            try:
                self.send_response(route.status)
                headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    served = Served(f"http://{host}:{server.server_address[1]}", hits, routes)
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def html_page(title: str, body: str, pubdate: str | None = None) -> bytes:
    meta = f'<meta name="ArticleTitle" content="{title}">' if pubdate else ""
    if pubdate:
        meta += f'<meta name="PubDate" content="{pubdate}">'
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>{meta}</head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()
