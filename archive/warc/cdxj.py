"""CDXJ index lines (the pywb / WACZ format): `<SURT> <14-digit timestamp> <JSON>`, sorted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit


def surt(url: str) -> str:
    """Sort-friendly URL key: host labels reversed, lower-cased, `www.` and default ports dropped
    (http://www.ltq.gov.cn/a?b=1 → cn,gov,ltq)/a?b=1), as pywb's and the Internet Archive's SURTs
    (the `surt` package, which pywb looks keys up with, reverses IP addresses too: 1,0,0,127:8080)/)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    key = ",".join(reversed(host.split(".")))  # IP addresses too, as the `surt` package (pywb) does
    port = parts.port
    if port and port not in (80, 443):
        key += f":{port}"
    path = parts.path or "/"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return f"{key}){path.lower()}" + (f"?{query.lower()}" if query else "")


def timestamp14(warc_date: str) -> str:
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


@dataclass(frozen=True)
class CdxEntry:
    url: str
    warc_date: str
    mime: str
    status: str
    digest: str
    length: int
    offset: int
    filename: str

    def line(self) -> str:
        fields = {
            "url": self.url,
            "mime": self.mime,
            "status": self.status,
            "digest": self.digest,
            "length": str(self.length),
            "offset": str(self.offset),
            "filename": self.filename,
        }
        return f"{surt(self.url)} {timestamp14(self.warc_date)} {json.dumps(fields, ensure_ascii=False)}"


def cdxj_text(entries: list[CdxEntry]) -> str:
    return "".join(line + "\n" for line in sorted(e.line() for e in entries))
