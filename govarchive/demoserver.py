"""Serve the bundled demo portals on loopback, one real HTTP server per portal.

Behaves like a plain static portal web server: Content-Type by extension (HTML charset from a per-file
sidecar `<file>.meta.json` {"charset": "gbk", "mtime": 1611273600} (mtime: Last-Modified instead of the
file's), else utf-8 — so a GBK page without a sidecar is mislabelled
like on real portals), ETag / Last-Modified with 304 revalidation, HEAD, 404, robots.txt.

    python -m govarchive.demoserver [ROOT]     # serve until Ctrl-C, print the filled sites.toml
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from govarchive.demo_portal import SITES_DIR, SITES_TEMPLATE

SIDECAR_SUFFIX = ".meta.json"
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".css": "text/css",
    ".js": "application/javascript",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}
DEFAULT_ROBOTS = b"User-agent: *\nDisallow:\n"


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site_root: Path) -> None:
        self.site_root = site_root.resolve()
        self.log: list[tuple[str, str, int]] = []  # (method, path, status): lets tests see what was fetched
        super().__init__(address, PortalHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


class PortalHandler(BaseHTTPRequestHandler):
    server: PortalServer
    server_version = "nginx"  # what real portals answer
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: tests and the demo print their own summaries

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _resolve(self, url_path: str) -> Path | None:
        rel = unquote(urlsplit(url_path).path).lstrip("/")
        target = (self.server.site_root / rel).resolve()
        if not target.is_relative_to(self.server.site_root):
            return None  # ../ escapes
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or target.name.endswith(SIDECAR_SUFFIX):
            return None
        return target

    def _send(self, status: int, headers: dict[str, str], data: bytes, body: bool) -> None:
        self.server.log.append((self.command, self.path, status))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if body and data:
            self.wfile.write(data)

    def _serve(self, body: bool) -> None:
        path = self._resolve(self.path)
        if path is None and urlsplit(self.path).path == "/robots.txt":
            self._send(
                200,
                {"Content-Type": "text/plain", "Content-Length": str(len(DEFAULT_ROBOTS))},
                DEFAULT_ROBOTS,
                body,
            )
            return
        if path is None:
            page = b"<html><body><h1>404 Not Found</h1></body></html>"
            headers = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(page))}
            self._send(HTTPStatus.NOT_FOUND, headers, page, body)
            return
        data = path.read_bytes()
        meta = _sidecar(path)
        etag = '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
        mtime = float(meta.get("mtime", path.stat().st_mtime))
        last_modified = formatdate(int(mtime), usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if _not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), etag, mtime
        ):
            self._send(HTTPStatus.NOT_MODIFIED, validators, b"", body)
            return
        ctype = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        if ctype == "text/html":
            ctype += f"; charset={meta.get('charset', 'utf-8')}"
        headers = {"Content-Type": ctype, "Content-Length": str(len(data)), **validators}
        self._send(HTTPStatus.OK, headers, data, body)


def _sidecar(path: Path) -> dict[str, str]:
    side = path.with_name(path.name + SIDECAR_SUFFIX)
    try:
        return dict(json.loads(side.read_text(encoding="utf-8"))) if side.is_file() else {}
    except (ValueError, OSError):
        return {}


def _not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str, mtime: float) -> bool:
    if if_none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if if_modified_since:
        try:
            return int(mtime) <= parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


def start_portal(site_root: Path, host: str = "127.0.0.1", port: int = 0) -> PortalServer:
    """One portal server on a free port (port 0), serving from a daemon thread; call shutdown() to stop."""
    server = PortalServer((host, port), site_root)
    threading.Thread(target=server.serve_forever, name=f"portal-{site_root.name}", daemon=True).start()
    return server


@contextlib.contextmanager
def serve_portals(root: Path = SITES_DIR, host: str = "127.0.0.1") -> Iterator[dict[str, str]]:
    """Serve every portal folder under `root`; yields {site_id: base_url}."""
    servers = {d.name: start_portal(d, host) for d in sorted(root.iterdir()) if d.is_dir()}
    try:
        yield {site_id: s.base_url for site_id, s in servers.items()}
    finally:
        for s in servers.values():
            s.shutdown()
            s.server_close()


def sites_toml(urls: dict[str, str], template: Path = SITES_TEMPLATE) -> str:
    """The demo sites file with the portals' base URLs filled in (`{base_url_demo_zn}` ← urls["demo-zn"])."""
    text = template.read_text(encoding="utf-8")
    for site_id, url in urls.items():
        text = text.replace("{base_url_" + site_id.replace("-", "_") + "}", url.rstrip("/"))
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the demo portals on loopback until Ctrl-C.")
    parser.add_argument("root", nargs="?", type=Path, default=SITES_DIR)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"{args.root} is not a folder of portal sites")  # exit status 2
    with serve_portals(args.root, args.host) as urls:
        for site_id, url in urls.items():
            print(f"{site_id}\t{url}/")
        print("\n" + sites_toml(urls), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
