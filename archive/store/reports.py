"""Writes the report tables: one report per body × year × kind, every copy of it in `report_sources`, and
the text, figures and checks of its best copy.

The result does not depend on the order in which copies arrive (the crawl records them as their extraction
finishes, `reprocess` in capture order): the best copy is the maximum of a total order, `published_at` the
earliest date any copy gives, `first_seen` the earliest sighting. So a crawl and a rebuild from the archive
write the same rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.model import Check, ParseResult, ReportMeta, Stat, Where
from archive.store.bodies import BodyRows

if TYPE_CHECKING:
    import sqlite_utils

# Which copy the figures come from when copies tie on figures found: exact formats first, OCR last.
FORMAT_RANK = {"docx": 0, "html": 1, "xlsx": 2, "xls": 2, "pdf": 3, "doc": 4, "wps": 4, "ofd": 5, "text": 6}


def _place_columns(where: Where | None) -> dict[str, object]:
    """A figure's place as report_stats columns (migrations 020 and 032)."""
    box = where.box if where else None
    span = where.span if where else None
    return {
        "src_page": where.page if where else None,
        "src_box": ",".join(f"{v:.1f}" for v in box) if box else None,
        "src_table": where.table if where else None,
        "src_row": where.row if where else None,
        "src_col": where.col if where else None,
        "src_element": where.element if where else None,
        "src_span": f"{span[0]},{span[1]}" if span else None,
    }


# report_stats' place columns, and the flat columns a release or an export writes them as (box and span split).
PLACE_SOURCES = ("src_page", "src_box", "src_table", "src_row", "src_col", "src_element", "src_span")
PLACE_FIELDS = (
    "src_page",
    "src_x0",
    "src_y0",
    "src_x1",
    "src_y1",
    "src_table",
    "src_row",
    "src_col",
    "src_element",
    "src_start",
    "src_end",
)


def place_values(stored: Sequence[Any]) -> tuple[Any, ...]:
    """The values of PLACE_SOURCES (in that order) as those of PLACE_FIELDS."""
    page, box, table, row, col, element, span = stored
    return (page, *_numbers(box, 4, float), table, row, col, element, *_numbers(span, 2, int))


def _numbers(text: str | None, n: int, kind: Callable[[str], Any]) -> tuple[Any, ...]:
    """A stored "a,b,…" (src_box, src_span) as n numbers; n nulls when absent."""
    parts = text.split(",") if text else []
    return tuple(kind(p) for p in parts) if len(parts) == n else (None,) * n


def source_format(result: ParseResult) -> str:
    return "scan" if result.ocr else (result.media_type or "unknown")


@dataclass(frozen=True)
class SourceRef:
    """One copy of a report: which bytes, where they were found, and where that site is."""

    sha256: str
    url: str
    site_id: str | None
    region: str | None
    page_url: str | None  # the page that publishes the report (the article page of an attachment)
    seen_at: str


def _rank(revision: int, known: int, fmt: str, text_len: int) -> tuple[bool, int, int, int, int]:
    # A copy with figures first (an unreadable scan of a correction must not wipe the original's), then a
    # corrected version (it supersedes), then figures found, then format, then text length (capped:
    # boilerplate must not win).
    return (known > 0, revision, known, -FORMAT_RANK.get(fmt, 9), min(text_len, 2000))


class ReportRows(BodyRows):
    """The report-writing half of Corpus (mixed into archive.store.corpus.Corpus)."""

    conn: sqlite3.Connection
    db: sqlite_utils.Database

    def transaction(self) -> AbstractContextManager[None]:  # provided by Corpus
        raise NotImplementedError

    def record_report(
        self,
        result: ParseResult,
        source: SourceRef,
        *,
        also_sources: list[tuple[str, str, str]] | None = None,
        sighting: bool = True,
    ) -> int | None:
        """Upsert the report `result` describes; return its id, or None when the document is not a report.

        `also_sources` are (sha256, url, format) of other copies seen with this one (the article page that
        carried an attachment)."""
        if result.kind is None or result.year is None:
            return None
        meta = ReportMeta(
            title=result.title,
            agency=result.agency,
            year=result.year,
            kind=result.kind,  # type: ignore[arg-type]
            template=result.template,
            published_at=result.published_at,
        )
        fmt = source_format(result)
        page_url = source.page_url or source.url
        with self.transaction():
            report_id = self.upsert_report(
                source.site_id, meta, source.region, page_url, source.seen_at, sighting
            )
            revision = result.revision
            printed = result.agency
            body_id = self.conn.execute("SELECT body_id FROM reports WHERE id = ?", (report_id,)).fetchone()[
                0
            ]
            if printed and body_id is not None:
                self.note_alias(body_id, printed, source.site_id, source.url, source.seen_at)
            self.add_report_source(
                report_id,
                source.sha256,
                source.url,
                fmt,
                source.seen_at,
                sighting,
                revision,
                printed,
                body_id,
            )
            for other_sha, other_url, other_fmt in also_sources or []:
                self.add_report_source(
                    report_id,
                    other_sha,
                    other_url,
                    other_fmt,
                    source.seen_at,
                    sighting,
                    revision,
                    printed,
                    body_id,
                )
            if self._better_than_current(report_id, result, fmt, source):
                self.set_report_content(
                    report_id,
                    source.sha256,
                    result.text,
                    result.template,
                    result.stats,
                    result.checks,
                    title=result.title,
                    located=(source.site_id, source.region, page_url),
                    source_url=source.url,
                    from_copy=True,
                )
        return report_id

    def _better_than_current(self, report_id: int, result: ParseResult, fmt: str, source: SourceRef) -> bool:
        row = self.conn.execute(
            """SELECT r.sha256, r.source_url, length(r.text) AS text_len,
                      (SELECT count(*) FROM report_stats s WHERE s.report_id = r.id AND s.value IS NOT NULL)
                        AS known,
                      (SELECT format FROM report_sources rs WHERE rs.report_id = r.id AND rs.sha256 = r.sha256
                         AND rs.url = r.source_url) AS fmt,
                      (SELECT revision FROM report_sources rs WHERE rs.report_id = r.id AND rs.sha256 = r.sha256
                         AND rs.url = r.source_url) AS revision
               FROM reports r WHERE r.id = ?""",
            (report_id,),
        ).fetchone()
        if row["sha256"] is None:
            return True
        known = sum(1 for s in result.stats if s.value is not None)
        new = _rank(result.revision, known, fmt, len(result.text or ""))
        old = _rank(int(row["revision"] or 0), int(row["known"]), row["fmt"] or "", int(row["text_len"] or 0))
        if source.url == row["source_url"]:
            # The copy at the best copy's URL read again (a new version, or the same bytes with more
            # context, e.g. its page's images): it replaces the old reading unless it lost figures.
            return new >= old
        # A tie goes to the smaller (url, sha256), so the best copy does not depend on arrival order.
        current = (row["source_url"] or "", row["sha256"])
        return new > old or (new == old and (source.url, source.sha256) < current)

    def upsert_report(
        self,
        site_id: str | None,
        meta: ReportMeta,
        region: str | None,
        page_url: str | None,
        seen_at: str,
        sighting: bool = True,
    ) -> int:
        """One row per body × year × kind; a sighting moves last_seen and clears removed_at (a rebuild
        from the archive, `sighting=False`, leaves that history alone)."""
        # A body's report is one row wherever it was found (county and city portals often both carry it)
        # and whatever spelling of the body a copy prints (archive/store/bodies.py); a row of a body since
        # merged into this one is taken over (its id kept). Only a report whose body is unknown stays tied
        # to its site.
        body = self.resolve_body(meta.agency, site_id) if meta.agency else None
        agency, body_id = (body.name, body.body_id) if body is not None else (None, None)
        if body_id is not None:
            row = self.conn.execute(
                """SELECT id, body_id FROM reports WHERE year IS ?1 AND kind IS ?2 AND (body_id = ?3 OR body_id IN
                     (SELECT id FROM bodies WHERE merged_into = ?3)) ORDER BY body_id = ?3 DESC, id LIMIT 1""",
                (meta.year, meta.kind, body_id),
            ).fetchone()
            if row is not None and row["body_id"] != body_id:
                self.conn.execute(
                    "UPDATE reports SET body_id = ?, agency = ? WHERE id = ?", (body_id, agency, row["id"])
                )
        else:
            row = self.conn.execute(
                "SELECT id FROM reports WHERE site_id IS ? AND agency IS NULL AND year IS ? AND kind IS ?",
                (site_id, meta.year, meta.kind),
            ).fetchone()
        if row is None:
            cur = self.conn.execute(
                """INSERT INTO reports(site_id, agency, region, year, kind, title, template, published_at,
                     page_url, first_seen, last_seen, body_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    site_id,
                    agency,
                    region,
                    meta.year,
                    meta.kind,
                    meta.title,
                    meta.template,
                    meta.published_at,
                    page_url,
                    seen_at,
                    seen_at,
                    body_id,
                ),
            )
            return int(cur.lastrowid or 0)
        # The earliest date any copy gives; title, place and template come with the best copy alone
        # (set_report_content), so no other copy's arrival order shows in them.
        self.conn.execute(
            """UPDATE reports SET
                 published_at = CASE WHEN ?1 IS NOT NULL AND (published_at IS NULL OR ?1 < published_at)
                                     THEN ?1 ELSE published_at END,
                 first_seen = min(first_seen, ?2)
               WHERE id = ?3""",
            (meta.published_at, seen_at, row["id"]),
        )
        if sighting:
            self.conn.execute(
                "UPDATE reports SET last_seen=max(last_seen, ?), removed_at=NULL WHERE id=?",
                (seen_at, row["id"]),
            )
        return int(row["id"])

    def add_report_source(
        self,
        report_id: int,
        sha256: str,
        url: str,
        fmt: str,
        seen_at: str,
        sighting: bool = True,
        revision: int = 0,
        printed: str | None = None,
        body_id: int | None = None,
    ) -> None:
        """One copy of a report, with the body's name as this copy prints it (the smallest, should two
        documents at one address print two: the same whatever the order they arrive in)."""
        update = (
            "last_seen=max(last_seen, excluded.last_seen), removed_at=NULL, format=excluded.format"
            if sighting
            else "format=excluded.format"
        )
        self.conn.execute(
            f"""INSERT INTO report_sources(report_id, sha256, url, format, first_seen, last_seen, revision,
                 printed_agency, body_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(report_id, sha256, url) DO UPDATE SET first_seen=min(first_seen, excluded.first_seen),
                 revision=max(revision, excluded.revision), body_id=excluded.body_id,
                 printed_agency=CASE WHEN printed_agency IS NULL OR excluded.printed_agency < printed_agency
                                     THEN excluded.printed_agency ELSE printed_agency END, {update}""",
            (report_id, sha256, url, fmt, seen_at, seen_at, revision, printed, body_id),
        )

    def set_report_content(
        self,
        report_id: int,
        sha256: str,
        text: str,
        template: str | None,
        stats: list[Stat],
        checks: list[Check],
        *,
        title: str | None = None,
        located: tuple[str | None, str | None, str | None] | None = None,
        source_url: str | None = None,
        from_copy: bool = False,
    ) -> None:
        """Make `sha256` the source the report's text and figures come from (replacing the previous one);
        `title` and `located` (site_id, region, page_url) of that copy replace the report's."""
        site_id, region, page_url = located if located is not None else (None, None, None)
        # One UPDATE: each fires the full-text trigger when title or text change.
        self.conn.execute(
            """UPDATE reports SET sha256 = :sha, source_url = COALESCE(:source_url, source_url), text = :text,
                 template = CASE WHEN :from_copy THEN :template ELSE COALESCE(:template, template) END,
                 title = CASE WHEN :from_copy THEN :title ELSE COALESCE(:title, title) END,
                 site_id = CASE WHEN :located THEN :site ELSE site_id END,
                 region = CASE WHEN :located THEN :region ELSE region END,
                 page_url = CASE WHEN :located THEN :page_url ELSE page_url END
               WHERE id = :id""",
            {
                "sha": sha256,
                "source_url": source_url,
                "text": text,
                "template": template,
                "title": title,
                "located": located is not None,
                "from_copy": from_copy,
                "site": site_id,
                "region": region,
                "page_url": page_url,
                "id": report_id,
            },
        )
        self.conn.execute("DELETE FROM report_stats WHERE report_id=?", (report_id,))
        self.db.table("report_stats").insert_all(
            (
                {
                    "report_id": report_id,
                    "section": s.section,
                    "row": s.row,
                    "col": s.col,
                    "value": s.value,
                    "raw": s.raw,
                    "row_label": s.row_label,
                    "col_label": s.col_label,
                    "ocr": int(s.ocr),
                    "source_sha256": sha256,
                    "placed_by": s.placed_by or None,
                    **_place_columns(s.where),
                }
                for s in stats
            ),
            replace=True,
        )
        self.conn.execute("DELETE FROM report_checks WHERE report_id=?", (report_id,))
        self.db.table("report_checks").insert_all(
            (
                {"report_id": report_id, "rule": c.rule, "status": c.status, "detail": c.detail}
                for c in checks
            ),
            replace=True,
        )

    # --- rebuilding from the archive ---------------------------------------------------------------

    def begin_rebuild(self) -> None:
        """Forget what was derived (figures, checks, best copies, descriptions); ids and sighting
        history (first_seen, last_seen, removed_at of reports and of their copies) stay."""
        with self.transaction():
            self.apply_decisions()  # a person's merges and ends, as recorded; spellings are met again
            self.conn.execute("DELETE FROM body_aliases")
            self.conn.execute("DELETE FROM report_stats")
            self.conn.execute("DELETE FROM report_checks")
            self.conn.execute(
                "UPDATE reports SET sha256 = NULL, source_url = NULL, text = NULL, title = NULL, template = NULL, "
                "published_at = NULL, page_url = NULL"
            )

    def finish_rebuild(self, recorded_sources: set[tuple[int, str, str]]) -> int:
        """Drop the copies the rebuild did not record and the reports left without any; their count."""
        with self.transaction():
            for row in self.conn.execute("SELECT report_id, sha256, url FROM report_sources").fetchall():
                if (row["report_id"], row["sha256"], row["url"]) not in recorded_sources:
                    self.conn.execute(
                        "DELETE FROM report_sources WHERE report_id = ? AND sha256 = ? AND url = ?",
                        (row["report_id"], row["sha256"], row["url"]),
                    )
            gone = self.conn.execute(
                "DELETE FROM reports WHERE id NOT IN (SELECT report_id FROM report_sources)"
            ).rowcount
        return int(gone)
