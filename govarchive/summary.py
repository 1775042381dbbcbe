"""Plain-text summaries of a crawl and of the corpus, for the terminal."""

from __future__ import annotations

from typing import Any

from archive.store.corpus import Corpus


def format_crawl_summary(summary: dict[str, Any]) -> str:
    lines = ["crawl summary:"]
    main = [
        ("requests", "request_count"),
        ("pages (lists)", "captures/list"),
        ("report pages", "captures/article"),
        ("attachments", "captures/attachment"),
        ("new documents", "documents_new"),
        ("documents seen before", "documents_seen"),
        ("duplicates", "duplicates"),
        ("not modified (304)", "not_modified"),
        ("extracted", "extracted"),
        ("report copies recorded", "reports_recorded"),
        ("bytes archived", "bytes"),
        ("look-alike links (explored last)", "skipped/lookalike"),
        ("off-site links skipped", "skipped/offsite"),
        ("retries", "retry/count"),
    ]
    errors = {k: v for k, v in summary.items() if k.startswith(("errors/", "extract_errors/"))}
    rows = [(label, summary.get(key, 0)) for label, key in main]
    rows.append(("errors", sum(errors.values())))
    rows += [("  " + key, value) for key, value in sorted(errors.items())]
    by_site: dict[str, list[tuple[str, int]]] = {}
    for key, value in summary.items():
        if key.startswith("failures/"):
            _, site, kind = key.split("/", 2)
            by_site.setdefault(site, []).append((kind, value))
    if by_site:
        rows.append(("failures by site", sum(v for kinds in by_site.values() for _, v in kinds)))
        for site in sorted(by_site):
            rows.append((f"  {site}", sum(v for _, v in by_site[site])))
            rows += [(f"    {kind}", v) for kind, v in sorted(by_site[site])]
    if summary.get("skipped/max_pages"):
        rows.append(("links not followed: site reached max_pages", summary["skipped/max_pages"]))
    cuts = sorted((k.split("/", 2)[1:], v) for k, v in summary.items() if k.startswith("cut/"))
    if cuts:
        rows.append(("list shapes cut (their last pages yielded nothing new)", len(cuts)))
        rows += [(f"  {site} {shape}", f"after {pages} pages") for (site, shape), pages in cuts]
    rows += _budget_rows(summary)
    flagged = sorted((k.split("/", 1)[1], v) for k, v in summary.items() if k.startswith("flagged/"))
    if flagged:
        rows.append(("sites whose discovery needs a look", len(flagged)))
        rows += [(f"  {site}", why) for site, why in flagged]
    width = max(len(label) for label, _ in rows) + 2  # long keys never run into their value
    lines += [f"  {label:<{width}}{value}" for label, value in rows]
    return "\n".join(lines)


def _budget_rows(summary: dict[str, Any]) -> list[tuple[str, Any]]:
    """Per site: pages explored with no sign of a report and rendered in Chromium, what the budgets cut,
    and the best-ranked candidates left unfetched (crawler/budget.py)."""
    sites: dict[str, dict[str, Any]] = {}
    for key, value in summary.items():
        if key.startswith("budget/"):
            _, site, what = key.split("/", 2)
            sites.setdefault(site, {})[what] = value
    rows: list[tuple[str, Any]] = []
    if sites:
        rows.append(("budgets by site (explored / rendered / cut)", ""))
    for site in sorted(sites):
        b = sites[site]
        cut = int(b.get("cut_explore", 0)) + int(b.get("cut_render", 0))
        rows.append((f"  {site}", f"{b.get('explored', 0)} / {b.get('rendered', 0)} / {cut}"))
        for url, text in b.get("best_cut", []):
            rows.append(("    not fetched", f"{url} {text}".strip()))
    return rows


def format_corpus_summary(corpus: Corpus) -> str:
    c = corpus.conn
    lines = ["corpus:"]
    for table in (
        "sites",
        "captures",
        "documents",
        "reports",
        "report_sources",
        "report_stats",
        "report_checks",
    ):
        lines.append(f"  {table:<16}{corpus.count(table)}")
    lines.append("reports:")
    rows = c.execute(
        """SELECT r.id, r.agency, r.year, r.kind, r.template, r.published_at,
                  (SELECT count(*) FROM report_sources s WHERE s.report_id = r.id) AS copies,
                  (SELECT count(*) FROM report_stats s WHERE s.report_id = r.id AND s.value IS NOT NULL) AS figures,
                  (SELECT group_concat(rule || '=' || status, ' ') FROM report_checks k WHERE k.report_id = r.id)
                    AS checks
           FROM reports r ORDER BY r.site_id, r.agency, r.year"""
    ).fetchall()
    for r in rows:
        lines.append(
            f"  #{r['id']:<3} {r['agency'] or '?'} {r['year']} {r['kind']} template={r['template'] or '-'} "
            f"published={r['published_at'] or '?'} copies={r['copies']} figures={r['figures']} "
            f"{r['checks'] or ''}".rstrip()
        )
    return "\n".join(lines)
