"""Search in Chinese: every word of the query must occur in a report's title or text. Words of three or
more characters go through the FTS5 trigram index; shorter ones (复议, 诉讼, 县) cannot — a trigram index
has no shorter tokens — so they are matched by scanning with instr(), which is exact. Snippets are cut and
highlighted here, around the first occurrence of each word, and escaped before the marks go in."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

from govarchive.datasette_plugin.data import region_clause

PAGE = 50
_WINDOW = 40  # characters of context on each side of a hit


@dataclass
class Filters:
    q: str = ""
    year: int | None = None
    region: str = ""
    agency: str = ""
    kind: str = ""
    offset: int = 0


def words(q: str) -> list[str]:
    return [w for w in re.split(r"\s+", q.strip()) if w][:8]


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def query(conn: sqlite3.Connection, f: Filters) -> tuple[int, list[dict[str, Any]], str]:
    """(number of reports found, one page of them with snippets, how the words were matched)."""
    ws = words(f.q)
    where: list[str] = []
    params: dict[str, Any] = {}
    long_words = [w for w in ws if len(w) >= 3]
    short_words = [w for w in ws if len(w) < 3]
    if long_words:
        where.append("r.id IN (SELECT rowid FROM reports_fts WHERE reports_fts MATCH :fts)")
        params["fts"] = " AND ".join(_fts_phrase(w) for w in long_words)
    for i, w in enumerate(short_words):
        where.append(f"(instr(r.text, :w{i}) > 0 OR instr(r.title, :w{i}) > 0)")
        params[f"w{i}"] = w
    if f.year is not None:
        where.append("r.year = :year")
        params["year"] = f.year
    if f.region:
        where.append(region_clause())
        params["region"] = f.region
    if f.agency:
        where.append("r.agency = :agency")
        params["agency"] = f.agency
    if f.kind:
        where.append("r.kind = :kind")
        params["kind"] = f.kind
    clause = " AND ".join(where) or "1"
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    total = cur.execute(f"SELECT count(*) FROM reports r WHERE {clause}", params).fetchone()[0]
    rows = [
        dict(r)
        for r in cur.execute(
            f"""SELECT r.id, r.agency, r.region, r.year, r.kind, r.title, r.text FROM reports r
                WHERE {clause} ORDER BY r.year DESC, r.agency, r.id LIMIT {PAGE} OFFSET :offset""",
            {**params, "offset": max(f.offset, 0)},
        )
    ]
    for r in rows:
        text = r.pop("text") or ""
        r["hits"] = sum(text.count(w) for w in ws)
        r["snippet"] = snippet(text, ws)
        r["title_html"] = highlight(r["title"] or "", ws)
    how = []
    if long_words:
        how.append("full-text index (trigram): " + " ".join(long_words))
    if short_words:
        how.append("exact scan of every text (1–2 characters): " + " ".join(short_words))
    return total, rows, "; ".join(how)


def highlight(text: str, ws: list[str]) -> Markup:
    if not ws:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True)))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(f"<mark>{escape(m.group())}</mark>")
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("".join(out))


def snippet(text: str, ws: list[str]) -> Markup:
    """Up to three windows of context, one around the first occurrence of each word, marks escaped-safe."""
    text = re.sub(r"\s+", " ", text)
    spans: list[tuple[int, int]] = []
    for w in ws:
        i = text.find(w)
        if i >= 0:
            spans.append((max(i - _WINDOW, 0), min(i + len(w) + _WINDOW, len(text))))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    parts = []
    for s, e in merged[:3]:
        parts.append(("…" if s > 0 else "") + str(highlight(text[s:e], ws)) + ("…" if e < len(text) else ""))
    return Markup(" ".join(parts)) if parts else Markup(escape(text[: 2 * _WINDOW]) + "…")
