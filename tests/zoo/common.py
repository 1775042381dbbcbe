"""What a zoo simulator is (ZooSite: portals + sites-file entry + truth) and the kit to build one.

Pages are written with host tokens (`@@main@@`, `@@cdn@@`, and `@@main_q@@` for the percent-encoded form)
because ports are only known once the runner starts the portals; tokens are replaced when a page is served.
Truth URLs use the same tokens, or a bare path for the main host.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tests.portals.server import Answer, Portal, Req, html
from tests.zoo.docs import Doc

TOKEN = re.compile(r"@@([a-z]+)(_q)?@@")


class ZooPortal(Portal):
    """A Portal that also counts requests made by a real browser (they carry Sec-Fetch-* headers)."""

    def __init__(self, host: str) -> None:
        super().__init__(host=host)
        self.browser_requests = 0

    def route(self, req: Req, target: str) -> Answer:
        if "sec-fetch-mode" in req.headers or "HeadlessChrome" in req.headers.get("user-agent", ""):
            with self.lock:
                self.browser_requests += 1
        return super().route(req, target)


@dataclass
class Planted:
    body: str  # as printed
    year: int
    urls: list[str]  # every copy: article page and/or files as served (tokens or main-host paths)
    form: str = ""  # the form it exercises (open-part reports group misses by it)
    kind: str = "annual_report"
    latest: str | None = None  # corrected reports: the URL of the copy whose figures must win


@dataclass
class ZooSite:
    id: str
    name: str
    region: str
    start_urls: list[str]
    portals: dict[str, ZooPortal]
    planted: list[Planted]
    lookalikes: list[str]
    blobs: dict[str, bytes | Doc] = field(default_factory=dict)  # url → what is served there
    allowed_domains: list[str] | None = None

    def start(self) -> None:
        for p in self.portals.values():
            p.start()

    def stop(self) -> None:
        for p in self.portals.values():
            if p.server is not None:
                p.stop()

    def bases(self) -> dict[str, str]:
        return {role: p.base_url for role, p in self.portals.items()}

    def resolve(self, url: str) -> str:
        if url.startswith("/"):
            url = "@@main@@" + url
        return fill(url, self.bases())

    def entry(self) -> dict[str, Any]:
        e: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "region": self.region,
            "start_urls": [self.resolve(u) for u in self.start_urls],
        }
        if self.allowed_domains:
            e["allowed_domains"] = self.allowed_domains
        return e

    def served(self, url: str) -> bytes | None:
        blob = self.blobs.get(url)
        return blob.data() if isinstance(blob, Doc) else blob


def fill(text: str, bases: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        base = bases[m.group(1)]
        return quote(base, safe="") if m.group(2) else base

    return TOKEN.sub(sub, text)


class Builder:
    """Collects a simulator's pages, files and truth; `site()` gives the ZooSite."""

    def __init__(self, sid: str, name: str, region: str, hosts: dict[str, str]) -> None:
        self.sid, self.name, self.region = sid, name, region
        self.portals = {role: ZooPortal(h) for role, h in hosts.items()}
        self.planted: list[Planted] = []
        self.lookalikes: list[str] = []
        self.blobs: dict[str, bytes | Doc] = {}
        self.rng = random.Random(sid)

    def _split(self, url: str) -> tuple[ZooPortal, str]:
        m = re.match(r"@@([a-z]+)@@(.*)", url)
        return (self.portals[m.group(1)], m.group(2)) if m else (self.portals["main"], url)

    def bases(self) -> dict[str, str]:
        return {role: p.base_url for role, p in self.portals.items()}

    def page(self, url: str, text: str, charset: str = "utf-8", header_charset: str | None = "same") -> None:
        portal, path = self._split(url)
        portal.add(path, lambda _r: html(fill(text, self.bases()), charset, header_charset))

    def handler(self, url: str, fn: Callable[[Req], Answer]) -> None:
        portal, path = self._split(url)
        portal.add(path, fn)

    def file(
        self, url: str, doc: Doc | bytes, ctype: str, filename: str | None = None, charset: str = "utf-8"
    ) -> str:
        """Serve a document; `filename` adds a Content-Disposition (raw bytes in `charset`, as portals do)."""
        portal, path = self._split(url)
        headers = []
        if filename:
            raw = filename.encode(charset).decode("latin-1")
            headers.append(("Content-Disposition", f'attachment; filename="{raw}"'))

        def serve(_r: Req) -> Answer:
            data = doc.data() if isinstance(doc, Doc) else doc
            return Answer(data, content_type=ctype, headers=headers)

        portal.add(path, serve)
        self.blobs[url] = doc
        return url

    def redirect(self, url: str, target: str, status: int = 302) -> None:
        portal, path = self._split(url)
        portal.add(path, lambda _r: Answer(b"", status, None, [("Location", fill(target, self.bases()))]))

    def plant(self, body: str, year: int, urls: list[str], form: str, latest: str | None = None) -> None:
        self.planted.append(Planted(body, year, urls, form, latest=latest))

    def site(self, start_urls: list[str], allowed_domains: list[str] | None = None) -> ZooSite:
        return ZooSite(
            self.sid,
            self.name,
            self.region,
            start_urls,
            self.portals,
            self.planted,
            self.lookalikes,
            self.blobs,
            allowed_domains,
        )


MIME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "png": "image/png",
    "jpg": "image/jpeg",
    "ofd": "application/ofd",
    "wps": "application/kswps",
    "zip": "application/zip",
    "bin": "application/octet-stream",
}
