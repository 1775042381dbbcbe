"""Atom feeds written after every crawl into DATA/feeds/ (files, so any web server or reader can poll them):

  reports.atom   — reports newly archived, newest first;
  findings.atom  — what needs attention: expected reports missing, late or removed, reports that vanished
                   from their portal, and reports whose figures fail a consistency rule.

Entry ids are stable tag URIs, so a reader shows each finding once however often the feed is rewritten.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from archive.products.health import flagged_sites
from archive.products.monitor import PROBLEMS, expected_reports
from archive.store.corpus import Corpus, now_iso

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:govarchive.local,2026:"
MAX_ENTRIES = 200

ET.register_namespace("", ATOM)


def _el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    e = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    if text is not None:
        e.text = text
    return e


def _stamp(value: str | None) -> str:
    """Atom wants a full RFC 3339 time; the corpus holds ISO times or bare dates."""
    if not value:
        return "1970-01-01T00:00:00Z"
    if len(value) == 10:
        return value + "T00:00:00Z"
    return value.replace("+00:00", "Z")


def build_feed(feed_id: str, title: str, entries: list[dict[str, Any]]) -> bytes:
    entries = sorted(entries, key=lambda e: e["updated"], reverse=True)[:MAX_ENTRIES]
    feed = ET.Element(f"{{{ATOM}}}feed")
    _el(feed, "id", TAG + feed_id)
    _el(feed, "title", title)
    _el(feed, "updated", max((e["updated"] for e in entries), default=_stamp(now_iso())))
    author = _el(feed, "author")
    _el(author, "name", "govarchive")
    for e in entries:
        entry = _el(feed, "entry")
        _el(entry, "id", TAG + e["id"])
        _el(entry, "title", e["title"])
        _el(entry, "updated", e["updated"])
        if e.get("link"):
            _el(entry, "link", href=e["link"], rel="alternate")
        _el(entry, "summary", e["summary"], type="text")
    xml: bytes = ET.tostring(feed, encoding="utf-8")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + xml


def report_entries(corpus: Corpus) -> list[dict[str, Any]]:
    rows = corpus.conn.execute(
        """SELECT id, site_id, agency, year, kind, title, page_url, first_seen, published_at FROM reports
           ORDER BY first_seen DESC, id DESC LIMIT ?""",
        (MAX_ENTRIES,),
    ).fetchall()
    return [
        {
            "id": f"report/{r['id']}",
            "title": r["title"] or f"{r['agency'] or '?'} {r['year']}",
            "updated": _stamp(r["first_seen"]),
            "link": r["page_url"],
            "summary": f"{r['agency'] or '?'} · {r['year']} · {r['kind']} · site {r['site_id']} · "
            f"published {r['published_at'] or 'unknown'} · archived {r['first_seen']}",
        }
        for r in rows
    ]


def finding_entries(corpus: Corpus) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in expected_reports(corpus):
        if r["status"] not in PROBLEMS:
            continue
        when = {"removed": r["removed_at"], "late": r["published_at"] or r["first_seen"]}.get(
            r["status"], r["deadline"]
        )
        out.append(
            {
                "id": f"expected/{r['site_id']}/{r['year']}/{r['agency']}/{r['status']}",
                "title": f"{r['status']}: {r['agency']} {r['year']}年度报告",
                "updated": _stamp(when),
                "summary": f"site {r['site_id']}: {r['agency']}, report for {r['year']} due {r['deadline']}, "
                f"status {r['status']}" + (f", report #{r['report_id']}" if r["report_id"] else ""),
            }
        )
    for r in corpus.conn.execute(
        "SELECT id, agency, year, title, page_url, removed_at FROM reports WHERE removed_at IS NOT NULL"
    ):
        out.append(
            {
                "id": f"removed/{r['id']}/{r['removed_at']}",
                "title": f"removed from portal: {r['title'] or r['agency']}",
                "updated": _stamp(r["removed_at"]),
                "link": r["page_url"],
                "summary": f"report #{r['id']} ({r['agency']} {r['year']}) no longer served since "
                f"{r['removed_at']}; the archive keeps it",
            }
        )
    for r in corpus.conn.execute(
        """SELECT r.id, r.agency, r.year, r.title, r.page_url, r.first_seen, c.rule, c.detail
           FROM report_checks c JOIN reports r ON r.id = c.report_id WHERE c.status = 'failed'"""
    ):
        out.append(
            {
                "id": f"check/{r['id']}/{r['rule']}",
                "title": f"failed check {r['rule']}: {r['title'] or r['agency']}",
                "updated": _stamp(r["first_seen"]),
                "link": r["page_url"],
                "summary": f"report #{r['id']} ({r['agency']} {r['year']}): {r['detail'] or r['rule']}",
            }
        )
    for f in flagged_sites(corpus):
        out.append(
            {
                "id": f"site/{f['site_id']}/run/{f['run_id']}",
                "title": f"discovery on site {f['site_id']} needs a look: {f['flag']}",
                "updated": _stamp(str(f["started_at"])),
                "summary": f"site {f['site_id']}, run {f['run_id']}: {f['pages']} pages, {f['reports']} reports, "
                f"{f['list_errors']} list pages failed — {f['flag']}",
            }
        )
    return out


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(fd, 0o644)  # readable by the web server that publishes the feeds
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def write_feeds(corpus: Corpus, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    feeds = {
        "reports": build_feed("reports", "govarchive: newly archived reports", report_entries(corpus)),
        "findings": build_feed("findings", "govarchive: findings", finding_entries(corpus)),
    }
    paths: dict[str, Path] = {}
    for name, data in feeds.items():
        paths[name] = folder / f"{name}.atom"
        _write_atomic(paths[name], data)
    return paths
