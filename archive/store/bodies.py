"""Writes the body tables: `bodies` (one row per body, its id stable), `body_aliases` (every spelling met and
where) and `body_decisions` (a person's merges, splits and ends, kept through `reprocess` and re-applied).

A printed name becomes a body through the one reader, archive/bodies/names.py (`read_body`, with the
site's place); then a person's decisions: a spelling split off on a site is a body of its own (key
`split:<site id>:<name>`), a body merged into another answers with that one's id. A body's canonical name is unique in the corpus
(a second 朝阳区人民政府 is named with its whole place), so `reports.agency` names one body.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass

from archive.bodies.gazetteer import Division, gazetteer
from archive.bodies.names import Body, clean, read_body, site_place

ACTIONS = ("merge", "split", "end")


@functools.lru_cache(maxsize=65536)
def _read(printed: str, site: Division | None) -> Body:
    return read_body(printed, site)


def county_of(body: Body) -> tuple[str | None, str | None]:
    """The county-level division a body belongs to (its own place above the county): the rollup's unit."""
    if not body.division_code:
        return None, body.place
    chain = gazetteer().chain(body.division_code)
    county = next((d for d in reversed(chain) if d.level <= 3), None)
    return (county.code, county.name) if county else (None, None)


@dataclass(frozen=True)
class Resolved:
    body_id: int
    name: str  # the body's canonical name


class BodyRows:
    """The body-writing half of Corpus (mixed into archive.store.corpus.Corpus)."""

    conn: sqlite3.Connection
    read_only: bool

    def transaction(self) -> AbstractContextManager[None]:  # provided by Corpus
        raise NotImplementedError

    def site_names(self) -> dict[str, tuple[str, str | None]]:  # provided by Corpus
        raise NotImplementedError

    def site_place(self, site_id: str | None) -> Division | None:
        if site_id is None:
            return None
        name, region = self.site_names().get(site_id, (None, None))
        return _site_place(region, name)

    def read_name(self, printed: str, site_id: str | None, place: str | None = None) -> Body:
        """`place`: a division code that says where the name belongs (a roster's), before the site's."""
        known = gazetteer().by_code.get(place) if place else None
        return _read(clean(printed), known or self.site_place(site_id))

    def resolve_body(
        self, printed: str | None, site_id: str | None, *, create: bool = True, place: str | None = None
    ) -> Resolved | None:
        """The body a printed name means on a site, created when new (unless `create` is False)."""
        if not printed or not clean(printed):
            return None
        body = self.read_name(printed, site_id, place)
        key = body.key
        if key.startswith("name::") and site_id:  # a name kept as printed on a site of no known place
            key = f"name:@{site_id}:{body.printed}"
        if self._is_split(body.printed, site_id):
            key = f"split:{site_id or ''}:{body.printed}"
        row = self.conn.execute("SELECT id FROM bodies WHERE key = ?", (key,)).fetchone()
        if row is None:
            if not create:
                return None
            body_id = self._insert_body(key, body, split=key.startswith("split:"))
        else:
            body_id = int(row[0])
        return self._final(body_id)

    def note_alias(self, body_id: int, printed: str, site_id: str | None, url: str, seen_at: str) -> None:
        """A spelling met: where first (the smallest URL and earliest time, whatever the order of arrival)."""
        self.conn.execute(
            """INSERT INTO body_aliases(name, site_id, body_id, url, first_seen) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(name, site_id) DO UPDATE SET body_id = excluded.body_id,
                 url = min(url, excluded.url), first_seen = min(first_seen, excluded.first_seen)""",
            (clean(printed), site_id or "", body_id, url, seen_at),
        )

    def _final(self, body_id: int) -> Resolved:
        seen: set[int] = set()
        while True:
            row = self.conn.execute(
                "SELECT name, merged_into FROM bodies WHERE id = ?", (body_id,)
            ).fetchone()
            if row["merged_into"] is None or body_id in seen:
                return Resolved(body_id, row["name"])
            seen.add(body_id)
            body_id = int(row["merged_into"])

    def _is_split(self, name: str, site_id: str | None) -> bool:
        """A split is of a spelling on one site (`other` holds the site's id): 城关镇人民政府 is printed by
        hundreds of sites, and splitting one site's off leaves the others' alone."""
        row = self.conn.execute(
            "SELECT 1 FROM body_decisions WHERE action = 'split' AND subject = ? AND other = ? LIMIT 1",
            (name, site_id or ""),
        ).fetchone()
        return row is not None

    def _insert_body(self, key: str, body: Body, *, split: bool = False) -> int:
        name = body.printed if split else body.name
        taken = self.conn.execute("SELECT 1 FROM bodies WHERE name = ?", (name,)).fetchone()
        if taken is not None and body.place and not split:
            name = body.place.replace("/", "") + body.name.removeprefix(body.place.split("/")[-1])
            taken = self.conn.execute("SELECT 1 FROM bodies WHERE name = ?", (name,)).fetchone()
        if taken is not None:
            name = f"{name}（{key}）"
        county_code, county = county_of(body)
        cur = self.conn.execute(
            """INSERT INTO bodies(key, name, kind, division_code, place, county_code, county, parsed)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (key, name, body.kind, body.division_code, body.place, county_code, county, int(body.parsed)),
        )
        return int(cur.lastrowid or 0)

    # --- a person's decisions ------------------------------------------------------------------------

    def find_body(self, ref: str) -> int | None:
        """A body by id, canonical name or a spelling met (the spelling's body when it has one only)."""
        if ref.isdigit():
            row = self.conn.execute("SELECT id FROM bodies WHERE id = ?", (int(ref),)).fetchone()
            return self._final(int(row[0])).body_id if row else None
        row = self.conn.execute("SELECT id FROM bodies WHERE name = ?", (clean(ref),)).fetchone()
        if row is not None:
            return self._final(int(row[0])).body_id
        ids = {
            self._final(int(r[0])).body_id
            for r in self.conn.execute("SELECT body_id FROM body_aliases WHERE name = ?", (clean(ref),))
        }
        return ids.pop() if len(ids) == 1 else None

    def record_decision(
        self, action: str, subject: str, other: str | None, year: int | None, why: str, who: str, at: str
    ) -> None:
        self.conn.execute(
            """INSERT INTO body_decisions(action, subject, other, year, why, who, at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (action, subject, other, year, why, who, at),
        )

    def apply_decisions(self) -> None:
        """Merges and ends as the decisions say, in the order they were taken (splits act when a name is
        resolved). Run after each decision and at the start of a rebuild: the same table, the same bodies."""
        self.conn.execute("UPDATE bodies SET merged_into = NULL, until_year = NULL")
        for d in self.conn.execute("SELECT * FROM body_decisions ORDER BY id").fetchall():
            if d["action"] == "merge":
                keep, gone = int(d["subject"]), int(d["other"])
                if self._final(keep).body_id != self._final(gone).body_id:
                    self.conn.execute(
                        "UPDATE bodies SET merged_into = ? WHERE id = ?", (self._final(keep).body_id, gone)
                    )
            elif d["action"] == "end":
                self.conn.execute(
                    "UPDATE bodies SET until_year = ? WHERE id = ?", (d["year"], int(d["subject"]))
                )

    def backfill_bodies(self) -> None:
        """A corpus made before bodies existed (migration 017): each report gets its body, named by its
        canonical name unless another report of that body and year holds it (`reprocess` folds those), and
        each copy the name its report had."""
        rows = self.conn.execute(
            "SELECT id, site_id, agency, page_url, first_seen FROM reports WHERE body_id IS NULL AND agency IS NOT NULL"
        ).fetchall()
        for r in rows:
            body = self.resolve_body(r["agency"], r["site_id"])
            if body is None:
                continue
            self.note_alias(body.body_id, r["agency"], r["site_id"], r["page_url"] or "", r["first_seen"])
            self.conn.execute("UPDATE reports SET body_id = ? WHERE id = ?", (body.body_id, r["id"]))
            # Two spellings of one body in one year keep theirs: one report after `reprocess`.
            with suppress(sqlite3.IntegrityError):
                self.conn.execute("UPDATE reports SET agency = ? WHERE id = ?", (body.name, r["id"]))
            self.conn.execute(
                "UPDATE report_sources SET body_id = ?, printed_agency = ? WHERE report_id = ?",
                (body.body_id, r["agency"], r["id"]),
            )

    def bodies_listing(self) -> Iterator[sqlite3.Row]:
        """Every body not merged away, with its spellings and the years it published."""
        yield from self.conn.execute(
            """SELECT b.*, (SELECT group_concat(DISTINCT a.name) FROM body_aliases a
                              JOIN bodies x ON x.id = a.body_id
                              WHERE a.body_id = b.id OR x.merged_into = b.id) AS aliases,
                      (SELECT group_concat(DISTINCT r.year) FROM reports r WHERE r.body_id = b.id) AS years
               FROM bodies b WHERE b.merged_into IS NULL ORDER BY b.division_code, b.name"""
        )


@functools.lru_cache(maxsize=4096)
def _site_place(region: str | None, name: str | None) -> Division | None:
    return site_place(region, name)
