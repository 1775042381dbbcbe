"""Records what a parsed document says into the report tables: one report per body × year × kind, every
copy of it in `report_sources`, and the figures from the best copy."""

from __future__ import annotations

from archive.model import ParseResult, ReportMeta
from archive.store.corpus import Corpus

# Which copy the figures come from when copies tie on figures found: exact formats first, OCR last.
FORMAT_RANK = {"docx": 0, "html": 1, "xlsx": 2, "xls": 2, "pdf": 3, "doc": 4, "wps": 4, "ofd": 5, "text": 6}


def source_format(result: ParseResult) -> str:
    return "scan" if result.ocr else (result.media_type or "unknown")


def _score(known_figures: int, fmt: str, text_len: int) -> tuple[int, int, int]:
    return (known_figures, -FORMAT_RANK.get(fmt, 9), min(text_len, 2000))


def record_report(
    corpus: Corpus,
    result: ParseResult,
    *,
    sha256: str,
    url: str,
    site_id: str | None,
    region: str | None,
    page_url: str | None,
    seen_at: str,
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
    with corpus.transaction():
        report_id = corpus.upsert_report(site_id, meta, region, page_url or url, seen_at, sighting)
        corpus.add_report_source(report_id, sha256, url, fmt, seen_at, sighting)
        for other_sha, other_url, other_fmt in also_sources or []:
            corpus.add_report_source(report_id, other_sha, other_url, other_fmt, seen_at, sighting)
        if _better_than_current(corpus, report_id, result, fmt, sha256, url):
            corpus.set_report_content(
                report_id, sha256, result.text, result.template, result.stats, result.checks
            )
    return report_id


def _better_than_current(
    corpus: Corpus, report_id: int, result: ParseResult, fmt: str, sha256: str, url: str
) -> bool:
    row = corpus.conn.execute(
        """SELECT r.sha256, length(r.text) AS text_len,
                  (SELECT count(*) FROM report_stats s WHERE s.report_id = r.id AND s.value IS NOT NULL) AS known,
                  (SELECT format FROM report_sources rs WHERE rs.report_id = r.id AND rs.sha256 = r.sha256
                   LIMIT 1) AS fmt,
                  EXISTS (SELECT 1 FROM report_sources rs WHERE rs.report_id = r.id AND rs.sha256 = r.sha256
                          AND rs.url = ?) AS same_url
           FROM reports r WHERE r.id = ?""",
        (url, report_id),
    ).fetchone()
    if row["sha256"] is None or row["sha256"] == sha256:
        return True
    new = _score(sum(1 for s in result.stats if s.value is not None), fmt, len(result.text or ""))
    old = _score(int(row["known"]), row["fmt"] or "", int(row["text_len"] or 0))
    # A new version at the same URL replaces the old one unless it lost figures: the report points to the
    # newest content, and the old blob stays in report_sources.
    return new >= old if row["same_url"] else new > old
