"""WACZ 1.1.1 (https://specs.webrecorder.net/wacz/1.1.1/), written to the spec with the standard library:
a ZIP (members stored, not deflated, so replay tools read WARC records by offset) holding
  archive/<name>.warc.gz, indexes/index.cdx (sorted CDXJ), pages/pages.jsonl (the report pages and their
  documents), datapackage.json (every file with its sha256 and size) and datapackage-digest.json.
py-wacz (`wacz`) pulls in pywb and its pins, so it lives in the replay virtualenv; the tests validate what
this module writes with its `wacz validate`."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.warc.cdxj import CdxEntry, cdxj_text, timestamp14

WACZ_VERSION = "1.1.1"


@dataclass(frozen=True)
class Page:
    url: str
    warc_date: str
    title: str | None


def pages_jsonl(pages: list[Page]) -> str:
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"})]
    for i, p in enumerate(pages):
        ts = datetime.strptime(timestamp14(p.warc_date), "%Y%m%d%H%M%S").strftime("%Y-%m-%dT%H:%M:%SZ")
        page = {"id": f"p{i}", "url": p.url, "ts": ts}
        if p.title:
            page["title"] = p.title
        lines.append(json.dumps(page, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def write_wacz(out: Path, warc: Path, entries: list[CdxEntry], pages: list[Page], title: str) -> Path:
    """Package one WARC, its index entries and pages as `out`."""
    warc_name = f"archive/{warc.name}"
    index = cdxj_text([CdxEntry(e.url, e.warc_date, e.mime, e.status, e.digest, e.length, e.offset, warc.name)
                       for e in entries]).encode("utf-8")  # fmt: skip
    files: dict[str, bytes | Path] = {
        warc_name: warc,
        "indexes/index.cdx": index,
        "pages/pages.jsonl": pages_jsonl(pages).encode("utf-8"),
    }
    resources = []
    for name, content in files.items():
        if isinstance(content, Path):
            with open(content, "rb") as f:
                hexdigest = hashlib.file_digest(f, "sha256").hexdigest()
            resources.append({"name": Path(name).name, "path": name, "hash": "sha256:" + hexdigest,
                              "bytes": content.stat().st_size})  # fmt: skip
        else:
            resources.append(
                {"name": Path(name).name, "path": name, "hash": _sha256(content), "bytes": len(content)}
            )
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    package = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "created": now,
        "modified": now,
        "software": "govarchive",
        "mainPageURL": pages[0].url if pages else None,
        "mainPageDate": pages[0].warc_date if pages else None,
        "resources": resources,
    }
    package_bytes = json.dumps(
        {k: v for k, v in package.items() if v is not None}, indent=2, ensure_ascii=False
    ).encode()
    package_digest = {"path": "datapackage.json", "hash": _sha256(package_bytes)}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        for name, content in files.items():
            if isinstance(content, Path):
                z.write(content, name)
            else:
                z.writestr(name, content)
        z.writestr("datapackage.json", package_bytes)
        z.writestr("datapackage-digest.json", json.dumps(package_digest, indent=2).encode())
    return out
