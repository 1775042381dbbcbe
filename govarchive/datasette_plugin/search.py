"""Search in Chinese: every word of the query must occur in a report's title or text. Words of three or
more characters go through the FTS5 trigram index; shorter ones (复议, 诉讼, 县) cannot — a trigram index
has no shorter tokens — so they are matched by scanning with instr(), which is exact. Snippets are cut and
highlighted here, around the first occurrence of each word, and escaped before the marks go in."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

from govarchive.datasette_plugin.data import region_range

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


# Words of two characters are found through the trigrams that begin with them (复议 → 复议案, 复议、 …,
# read from the index's vocabulary), and at the very end of a title or text, where no trigram begins with
# them, through the indexes of migration 013 on their last two characters: exact, without reading every
# text. One character, a word with letters of two cases (the trigram index folds case) or a word that
# begins too many trigrams is matched by the exact scan.
MAX_TERMS = 400
_VOCAB = "temp.ga_reports_terms"
# The ids the words find, written once per search into a temporary table of this connection, so the
# count and the page read them without evaluating the index twice.
_FOUND = "temp.ga_found"
# Up to this many reports found, the search reads their rows by id; beyond, it walks the covering index of
# the listing columns (migration 013) and keeps the ids found: reading tens of thousands of report rows
# (each a few kB of text) is what made a common word slow.
FEW = 2000


def prefix_terms(conn: sqlite3.Connection, word: str) -> list[str] | None:
    """The trigrams of the index that begin with a two-character `word`; None when the index cannot stand
    for a scan (see above). Reading them reads every document list of those trigrams (fts5vocab counts
    them): as long as the search itself, so the site keeps them per word until the corpus changes."""
    if len(word) != 2 or word.lower() != word.upper():
        return None
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {_VOCAB} USING fts5vocab(main, reports_fts, 'row')")
    upper = word + "\U0010ffff"  # above every trigram that begins with `word`
    terms = [
        r[0]
        for r in conn.execute(
            f"SELECT term FROM {_VOCAB} WHERE term >= ? AND term < ? LIMIT ?", (word, upper, MAX_TERMS + 1)
        )
    ]
    return None if len(terms) > MAX_TERMS else terms


@dataclass
class Where:
    clause: str  # on `reports r`
    params: dict[str, Any]
    how: str  # how the words are matched, in words
    total: int | None = None  # the number found, when the words alone decide it
    found_sql: str = ""  # the query whose ids fill `_FOUND`


def _scope(f: Filters) -> tuple[list[str], dict[str, Any]]:
    """The conditions on `reports r` other than the words (year, region, body, kind)."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if f.year is not None:
        clauses.append("r.year = :year")
        params["year"] = f.year
    if f.region:
        clauses.append(region_range())
        params["region"] = f.region
    if f.agency:  # a body, by its name or any spelling met (archive/store/bodies.py)
        clauses.append(
            "(r.agency = :agency OR r.body_id IN (SELECT body_id FROM body_aliases WHERE name = :agency))"
        )
        params["agency"] = f.agency
    if f.kind:
        clauses.append("r.kind = :kind")
        params["kind"] = f.kind
    return clauses, params


def where(
    conn: sqlite3.Connection, f: Filters, kept_terms: Mapping[str, list[str] | None] | None = None
) -> Where:
    """The condition of a search. Words matched through the index are evaluated here, once, into the
    temporary table `_FOUND`, already within the reports the other filters select; the caller ends the
    transaction that opens (`done`). `kept_terms`: `prefix_terms` of short words, when the caller kept them."""
    known = kept_terms or {}
    ws = words(f.q)
    found: list[str] = []  # per word condition, a query of the report ids it finds
    clauses: list[str] = []
    scope, params = _scope(f)
    long_words = [w for w in ws if len(w) >= 3]
    short_words = [w for w in ws if len(w) < 3]
    how = []
    # A common word (复议) finds nearly every report: writing its 100,000 ids to a table and then keeping a
    # province's 4,000 is what made a filtered search slow. With filters, each word's index lookup keeps
    # only the ids in scope as it reads them (`+` leaves the ids to SQLite, which holds the scope's ids in
    # memory, instead of asking FTS5 for each id in turn), and FTS5 and the rowid indexes seek straight
    # to the span between the scope's smallest and largest id (much of the index, when a region's reports
    # were crawled together).
    fts_in = ids_in = ""
    if ws and scope:
        n, lo, hi = conn.execute(
            f"SELECT count(*), min(r.id), max(r.id) FROM reports r WHERE {' AND '.join(scope)}", params
        ).fetchone()
        params["lo"], params["hi"] = (lo, hi) if n else (1, 0)
        in_scope = f"IN (SELECT r.id FROM reports r WHERE {' AND '.join(scope)})"
        fts_in = f" AND rowid BETWEEN :lo AND :hi AND +rowid {in_scope}"
        ids_in = f" AND id BETWEEN :lo AND :hi AND +id {in_scope}"
    if long_words:
        found.append("SELECT rowid FROM reports_fts WHERE reports_fts MATCH :fts" + fts_in)
        params["fts"] = " AND ".join(_fts_phrase(w) for w in long_words)
        how.append("full-text index (trigram): " + " ".join(long_words))
    indexed, scanned = [], []
    for i, w in enumerate(short_words):
        params[f"w{i}"] = w
        terms = known[w] if w in known else prefix_terms(conn, w)
        if terms is None:
            clauses.append(f"(instr(r.text, :w{i}) > 0 OR instr(r.title, :w{i}) > 0)")
            scanned.append(w)
            continue
        ends = [
            f"SELECT id FROM reports WHERE substr(title, -2) = :w{i}" + ids_in,
            f"SELECT id FROM reports WHERE substr(text, -2) = :w{i}" + ids_in,
        ]
        if terms:
            params[f"t{i}"] = " OR ".join(_fts_phrase(t) for t in terms)
            ends.insert(0, f"SELECT rowid FROM reports_fts WHERE reports_fts MATCH :t{i}" + fts_in)
        found.append(" UNION ".join(ends))
        indexed.append(w)
    if indexed:
        how.append(
            "2-character words through the trigrams they begin and an index scan of the last two characters: "
            + " ".join(indexed)
        )
    if scanned:
        how.append("exact scan of every text (1–2 characters): " + " ".join(scanned))
    total = None
    both = ""
    if found:
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_FOUND.split('.')[1]}(id INTEGER PRIMARY KEY)")
        conn.execute(f"DELETE FROM {_FOUND}")
        both = " INTERSECT ".join(f"SELECT * FROM ({q})" for q in found)
        n = conn.execute(f"INSERT INTO {_FOUND}(id) {both}", params).rowcount
        # `+r.id` keeps SQLite from looking every id up in the table (it cannot know how many there are).
        clauses.insert(0, f"{'r.id' if n <= FEW else '+r.id'} IN (SELECT id FROM {_FOUND})")
        if not scanned:
            total = n  # the filters are in the ids already
    else:
        clauses += scope
    return Where(" AND ".join(clauses) or "1", params, "; ".join(how), total, both)


def done(conn: sqlite3.Connection, was_open: bool) -> None:
    """End the transaction filling `_FOUND` opened (a reader must not keep an old snapshot)."""
    if conn.in_transaction and not was_open:
        conn.commit()


def _page(clause: str) -> str:
    # The page's ids first (year and body come from an index), then only their rows: sorting the rows
    # themselves would read the text of every report found.
    return f"""SELECT r.id, r.agency, r.region, r.year, r.kind, r.title, r.text
              FROM (SELECT r.id AS pid FROM reports r WHERE {clause}
                    ORDER BY r.year DESC, r.agency, r.id LIMIT {PAGE} OFFSET :offset) AS page
              JOIN reports r ON r.id = page.pid
              ORDER BY r.year DESC, r.agency, r.id"""


def plans(conn: sqlite3.Connection, f: Filters) -> list[str]:
    """EXPLAIN QUERY PLAN of the count and the page a search runs (benchmarks and tests)."""
    was_open = conn.in_transaction
    try:
        w = where(conn, f)
        out = []
        sqls = [w.found_sql] if w.found_sql else []
        for sql in [*sqls, f"SELECT count(*) FROM reports r WHERE {w.clause}", _page(w.clause)]:
            out += [r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", {**w.params, "offset": 0})]
        return out
    finally:
        done(conn, was_open)


def query(
    conn: sqlite3.Connection, f: Filters, kept_terms: Mapping[str, list[str] | None] | None = None
) -> tuple[int, list[dict[str, Any]], str]:
    """(number of reports found, one page of them with snippets, how the words were matched)."""
    ws = words(f.q)
    was_open = conn.in_transaction
    try:
        w = where(conn, f, kept_terms)
        cur = conn.cursor()
        cur.row_factory = sqlite3.Row
        total = w.total
        if total is None:
            total = cur.execute(f"SELECT count(*) FROM reports r WHERE {w.clause}", w.params).fetchone()[0]
        page = {**w.params, "offset": max(f.offset, 0)}
        rows = [dict(r) for r in cur.execute(_page(w.clause), page)] if total else []
    finally:
        done(conn, was_open)
    for r in rows:
        text = r.pop("text") or ""
        r["hits"] = sum(text.count(w) for w in ws)
        r["snippet"] = snippet(text, ws)
        r["title_html"] = highlight(r["title"] or "", ws)
    return total, rows, w.how


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


_SPACES = re.compile(r"\s+")


def squeezed_head(text: str, ws: list[str]) -> str:
    """The start of `text` with each run of white space made one space, as far as a snippet reads it: a
    window past the end of the last word's first occurrence and one character more (so whether more
    follows is known). Squeezing the whole of 50 texts took more than the rest of the page's Python. The
    squeezed start of a text is the start of the squeezed text, and a word (no white space in it) occurs
    first at the same place in both."""
    found = [(i, w) for w in ws if (i := text.find(w)) >= 0]
    limit = max((i + len(w) for i, w in found), default=0) + 2 * _WINDOW + 1
    while limit < len(text):
        head = _SPACES.sub(" ", text[:limit])
        end = max((head.find(w) + len(w) for _, w in found), default=0) + _WINDOW
        if len(head) > max(end, 2 * _WINDOW):
            return head
        limit *= 2
    return _SPACES.sub(" ", text)


def snippet(text: str, ws: list[str]) -> Markup:
    """Up to three windows of context, one around the first occurrence of each word, marks escaped-safe."""
    text = squeezed_head(text, ws)
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
