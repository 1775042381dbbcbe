"""From an extraction (text, tables, page metadata) and where it was found, to what the report says.

Cheap and deterministic: it runs in the main process after the heavy extraction, and again on
`reprocess`. The precedence of sources is documented in archive/report/meta.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.cellplaces import relocate
from archive.model import Extraction, ParseResult, ReportMeta
from archive.report.checks import run_checks
from archive.report.meta import (
    classify_title,
    iso_date,
    names_disclosure,
    revision_of,
    shows_template_sections,
    signing_date,
    tidy_title,
    title_from_text,
)
from archive.report.template import map_report


@dataclass
class SourceContext:
    """What the crawl knows about a document besides its bytes."""

    page_title: str | None = None  # ArticleTitle / <title> / <h1> of the page that links to it (or is it)
    page_published_at: str | None = None
    page_source: str | None = None  # ContentSource / 发布机构
    link_text: str | None = None
    site_name: str | None = None
    extra_titles: list[str] = field(default_factory=list)


def names_of(ex: Extraction, ctx: SourceContext) -> tuple[str | None, list[str]]:
    """The title the document's own text gives, and every name it goes by, best first: that title, its
    page's, its list's, the link's."""
    doc_title = (ex.page_meta or {}).get("title") if ex.media_type == "html" else None
    text_title = title_from_text(ex.text) if ex.text else None
    names = [t for t in (text_title, doc_title, ctx.page_title, *ctx.extra_titles, ctx.link_text) if t]
    return text_title, names


def describe(
    ex: Extraction, ctx: SourceContext, names: tuple[str | None, list[str]] | None = None
) -> ReportMeta:
    """Title, body, year, kind and publication date; the template comes from the tables (map_report).
    `names`: names_of(ex, ctx), when the caller has it already."""
    own_meta = ex.page_meta or {}
    text_title, candidates = names or names_of(ex, ctx)
    infos = [classify_title(t) for t in candidates]
    # The document's own title decides when it speaks: a look-alike document is not a report even if
    # the list called it one.
    own = infos[0] if infos and text_title else None
    if own is not None and own.kind is None and "look-alike" in own.reason:
        return ReportMeta(title=text_title, year=own.year)
    chosen = next((i for i in infos if i.kind is not None), None)
    if chosen is None:
        if any("look-alike" in i.reason for i in infos):
            return ReportMeta(title=candidates[0])
        # No name says "report" (年报（2022年度）, 下载): the content may (interpret, by the template), when
        # the page says whose it is (发布机构); the site's name alone could file a township's figures
        # under its county's government.
        return ReportMeta(
            title=candidates[0] if candidates else None,
            agency=own_meta.get("source") or ctx.page_source,
            year=next((i.year for i in infos if i.year is not None), None) or _report_year(ex.text or ""),
            published_at=_published(ex, ctx, own_meta),
        )
    title = candidates[infos.index(chosen)]
    agency = next((i.agency for i in infos if i.kind is not None and i.agency), None)
    agency = agency or own_meta.get("source") or ctx.page_source or ctx.site_name
    published = _published(ex, ctx, own_meta)
    return ReportMeta(
        title=title,
        agency=agency,
        year=chosen.year,
        kind=chosen.kind,
        published_at=published,
        revision=revision_of(candidates),
    )


def _published(ex: Extraction, ctx: SourceContext, own_meta: dict[str, str]) -> str | None:
    return (
        iso_date(own_meta.get("published_at"))
        or iso_date(ctx.page_published_at)
        or (signing_date(ex.text) if ex.text else None)
    )


def _report_year(text: str) -> int | None:
    """The year a report's first lines say it covers (2022年度), not a date it was signed."""
    m = re.search(r"((?:19[89]|20[0-4])\d)\s*年度", text[:600])
    return int(m.group(1)) if m else None


def interpret(ex: Extraction, ctx: SourceContext | None = None) -> ParseResult:
    ctx = ctx or SourceContext()
    text_title, names = names_of(ex, ctx)
    meta = describe(ex, ctx, (text_title, names))
    meta.title = tidy_title(meta.title)
    # map_report alone decides between the extracted tables and those recovered from the text layer.
    # The cells carry their places (archive/cellplaces.py) so each figure placed knows where it was read.
    mapped = map_report(relocate(ex.tables, ex.cells), ex.text or "", meta.year, ex.text_places)
    known = any(s.value is not None for s in mapped.stats)  # a figure read, not only the template's cells
    # Named only "年度报告" (法治政府建设年度报告, or a bare 2022年度报告 under a 年报 column): a disclosure
    # report only if its content is one, by the national template's tables or sections.
    if (
        meta.kind is not None
        and not any(names_disclosure(t) for t in names)
        and not known
        and not shows_template_sections(ex.text or "")
    ):
        meta = ReportMeta(title=meta.title, year=meta.year)
    # No name calls it a report, yet it carries the national template's tables: a report by its content,
    # of the year its names or first lines give.
    if meta.kind is None and meta.agency is not None:
        if meta.year is not None and known:
            meta.kind = "annual_report"
        else:
            meta = ReportMeta(title=meta.title)  # not a report: no body or year claimed for it
    # Only annual reports follow a template (a pre-2019 work summary has none); map_report falls back to
    # the year when the tables carry no template label.
    meta.template = mapped.template if meta.kind == "annual_report" else None
    stats = mapped.stats if meta.kind == "annual_report" else []
    if ex.ocr:
        for s in stats:
            s.ocr = True
    checks = run_checks(stats, meta.template) if stats else []
    return ParseResult(
        title=meta.title,
        agency=meta.agency,
        year=meta.year,
        kind=meta.kind,
        template=meta.template,
        published_at=meta.published_at,
        text=ex.text,
        tables=[[[None if c is None else str(c) for c in row] for row in grid] for grid in mapped.tables],
        stats=stats,
        checks=checks,
        media_type=ex.media_type,
        extractor=ex.extractor,
        ocr=ex.ocr,
        pages=ex.pages,
        error=ex.error,
        findings=list(mapped.findings),
        revision=meta.revision,
    )
