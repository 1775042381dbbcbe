"""A generated national corpus for benchmarks: ~3,000 regions × ~30 bodies × several years of annual
reports, each with realistic Chinese text (paragraphs of the seed reports, re-addressed to its body and
year) and the ~200 figures of its template, in the schema of archive/store/migrations.py.

Rows are what a crawl writes for a report found as an article page with a PDF attachment: two captures
(with their HTTP exchanges), two documents (the page's text; the PDF's text and table grids), the link
between them, two report copies, the report with its text (indexed by the FTS triggers of migration 002),
its figures and its checks. They are written in bulk (executemany, one transaction per batch) with the
columns archive/store/ writes; `write_through_corpus` writes the same reports through the real writer
(Corpus.record_report) so a test can prove the two give the same rows.

Deterministic by seed.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archive.model import Check, ParseResult, Stat
from archive.report import codes
from archive.report.checks import run_checks
from archive.store.corpus import Corpus
from archive.store.reports import SourceRef
from tests.docfactory.random_specs import random_spec
from tests.docfactory.spec import truth_stats

SEEDS = Path("/work/shared/seeds")
YEARS = list(range(2019, 2025))
FIGURE_POOL = 400  # distinct figure tables per template, shared round-robin (values do not change costs)

PROVINCES = [
    "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省",
    "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省",
    "甘肃省", "青海省", "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区",
]  # fmt: skip
# Characters of real place names; two of them make a plausible prefecture or county name.
PLACE_CHARS = (
    "安平宁阳城山河江清泉水石林丰昌兴德华兴福寿永康庆泰和乐新东西南北中金银玉龙凤云溪川源沙湖海"
    "长广临武文明光宝通远定静崇义仁信顺利盛开元嘉荣吉祥桂兰松柏青白红黄绿岭峰岩川坪台桥关塘渡"
)
COUNTY_SUFFIX = ["县", "县", "县", "区", "区", "市"]
BODIES = [
    "人民政府", "人民政府办公室", "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局",
    "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局",
    "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康局", "退役军人事务局",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "林业局", "信访局",
    "行政审批服务局", "城市管理综合执法局",
]  # fmt: skip
TITLES = [
    "{agency}{year}年政府信息公开工作年度报告",
    "{agency}{year}年度政府信息公开工作年度报告",
    "{year}年{agency}政府信息公开工作年度报告",
    "{agency}关于{year}年政府信息公开工作的年度报告",
]
# The bodies and years the seed reports name, replaced by the generated report's own.
_SEED_NAMES = re.compile(
    r"中宁县卫生健康局|莱州市卫生健康局|宜春市卫生健康委|利通区卫生健康局|中宁县|莱州市|宜春市|中卫市|利通区"
)
_SEED_YEARS = re.compile(r"20[12]\d(?= ?年)")


@dataclass(frozen=True)
class Body:
    site_id: str
    region: str  # 省/市/县, as sites.toml writes it
    agency: str


@dataclass
class Generated:
    """One report as the pipeline hands it to the corpus writer, and the capture facts around it."""

    result: ParseResult
    source: SourceRef  # the PDF attachment (the copy the figures come from)
    page_sha256: str
    page_url: str
    page_text: str
    pdf_size: int
    tables_json: str


def regions(rng: random.Random, n_counties: int = 2800, n_prefectures: int = 330) -> list[tuple[str, str]]:
    """(site id, region path) of prefecture- and county-level governments with distinct names."""
    names: set[str] = set()

    def fresh(suffix: str) -> str:
        while True:
            name = rng.choice(PLACE_CHARS) + rng.choice(PLACE_CHARS) + suffix
            if name not in names:
                names.add(name)
                return name

    prefectures = [(rng.choice(PROVINCES), fresh("市")) for _ in range(n_prefectures)]
    out = [(f"p{i:04d}", f"{prov}/{city}") for i, (prov, city) in enumerate(prefectures)]
    for i in range(n_counties):
        prov, city = rng.choice(prefectures)
        out.append((f"c{i:04d}", f"{prov}/{city}/{fresh(rng.choice(COUNTY_SUFFIX))}"))
    return out


def bodies(rng: random.Random) -> list[Body]:
    return [
        Body(site, region, region.rsplit("/", 1)[-1] + body)
        for site, region in regions(rng)
        for body in BODIES
    ]


def seed_paragraphs() -> list[str]:
    """Prose paragraphs of the seed reports (table rows and headings left out), 30+ characters each."""
    paras: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip().lstrip("#").strip()
            if len(line) >= 30 and not line.startswith("|"):
                paras.append(line)
    return paras


class FigurePool:
    """Figure tables of the docfactory's consistent random reports, with their checks and grids."""

    def __init__(self, seed: int) -> None:
        self.tables: dict[str, list[tuple[list[Stat], list[Check], str, str]]] = {}
        for tpl in codes.TEMPLATES:
            entries = []
            for i in range(FIGURE_POOL):
                spec = random_spec(seed * 100_000 + i, tpl, with_error=i % 25 == 0)
                stats = [_stat(tpl, d) for d in truth_stats(spec)]
                entries.append((stats, run_checks(stats, tpl), _grids(stats), _table_text(stats)))
            self.tables[tpl] = entries


def _stat(template: str, d: dict[str, object]) -> Stat:
    section, row, col = str(d["section"]), str(d["row"]), str(d["col"])
    derived = template == "2021" and section == "applications" and row == "other"
    value = d["value"]
    return Stat(
        section=section,
        row=row,
        col=col,
        value=float(value) if isinstance(value, int | float) else None,
        raw=str(d["raw"]),
        row_label=codes.row_label(section, row),
        col_label=codes.col_label(section, col, template, row),
        placed_by="derived" if derived else "label",
    )


def _grids(stats: list[Stat]) -> str:
    """The PDF's tables as the extractor stores them (documents.tables): a grid per section."""
    grids: dict[str, dict[str, list[str | None]]] = {}
    for s in stats:
        if s.placed_by != "derived":
            grids.setdefault(s.section, {}).setdefault(s.row_label, []).append(s.raw or None)
    return json.dumps(
        [[[label, *cells] for label, cells in rows.items()] for rows in grids.values()], ensure_ascii=False
    )


def _table_text(stats: list[Stat]) -> str:
    """The tables as a PDF's text layer gives them: a heading per section, a line per row (label, cells)."""
    lines: list[str] = []
    rows: dict[tuple[str, str], list[str]] = {}
    for s in stats:
        if s.placed_by != "derived":
            rows.setdefault((s.section, s.row_label), []).append(s.raw)
    section = ""
    for (sec, label), cells in rows.items():
        if sec != section:
            section = sec
            lines.append(codes.SECTIONS[sec])
        lines.append(" ".join([label, *cells]))
    return "\n".join(lines)


def _sha(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def report_text(
    rng: random.Random, paras: list[str], title: str, agency: str, year: int, tables: str = ""
) -> str:
    """Title, the circular's preamble, 1,200–2,600 characters of seed prose, re-addressed, and the tables'
    text."""
    target = rng.randint(1200, 2600)
    out = [
        title,
        f"本报告依据《中华人民共和国政府信息公开条例》和{codes.TEMPLATES['2021' if year >= 2021 else '2019']}"
        f"要求编制，统计期限为{year}年1月1日至{year}年12月31日。",
    ]
    size = sum(map(len, out))
    while size < target:
        p = _SEED_YEARS.sub(str(year), _SEED_NAMES.sub(agency, rng.choice(paras)))
        out.append(p)
        size += len(p)
    half = len(out) // 2 + 1
    return "\n".join([*out[:half], tables, *out[half:]])


def generate(n_reports: int, seed: int = 1) -> Iterator[Generated]:
    """`n_reports` distinct body × year reports in crawl order (by site, body, year)."""
    rng = random.Random(seed)
    all_bodies = bodies(rng)
    paras = seed_paragraphs()
    pool = FigurePool(seed)
    picks = sorted(rng.sample(range(len(all_bodies) * len(YEARS)), n_reports))
    for k in picks:
        body, year = all_bodies[k // len(YEARS)], YEARS[k % len(YEARS)]
        tpl = "2021" if year >= 2021 else "2019"
        stats, checks, grids, tables = pool.tables[tpl][rng.randrange(FIGURE_POOL)]
        title = rng.choice(TITLES).format(agency=body.agency, year=year)
        text = report_text(rng, paras, title, body.agency, year, tables)
        host = f"www.{body.site_id}.gov.cn"
        page_url = f"http://{host}/xxgk/ndbg/{year + 1}/t{year + 1}0{rng.randint(1, 3)}{k:07d}.html"
        pdf_url = f"http://{host}/xxgk/ndbg/{year + 1}/P0{k:09d}.pdf"
        seen = f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T0{rng.randint(0, 9)}:00:00+00:00"
        published = f"{year + 1}-0{rng.randint(1, 3)}-{rng.randint(10, 28)}"
        pdf_sha, page_sha = _sha("pdf", seed, k), _sha("page", seed, k)
        page_text = f"{title}\n发布日期：{published}\n来源：{body.agency}\n附件：{title}.pdf"
        result = ParseResult(
            title=title,
            agency=body.agency,
            year=year,
            kind="annual_report",
            template=tpl,
            published_at=published,
            text=text,
            tables=[],
            stats=stats,
            checks=checks,
            media_type="pdf",
            extractor="pdfplumber",
        )
        source = SourceRef(pdf_sha, pdf_url, body.site_id, body.region, page_url, seen)
        yield Generated(result, source, page_sha, page_url, page_text, 60_000 + 3 * len(text.encode()), grids)


# --- writing -----------------------------------------------------------------------------------------


def _headers(ctype: str, size: int) -> str:
    return json.dumps(
        [
            ["Server", "nginx"],
            ["Date", "Mon, 02 Mar 2026 08:00:00 GMT"],
            ["Content-Type", ctype],
            ["Content-Length", str(size)],
            ["Last-Modified", "Mon, 02 Mar 2026 08:00:00 GMT"],
            ["ETag", '"5e5c-1a2b3c"'],
        ]
    )


_REQUEST = json.dumps(
    [
        ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
        ["Accept-Language", "zh-CN,zh;q=0.9"],
        ["User-Agent", "govarchive/1.0 (+https://example.org/govarchive)"],
        ["Accept-Encoding", "gzip, deflate"],
    ]
)


class BulkWriter:
    """Writes generated reports with the columns archive/store/ writes, many per transaction."""

    def __init__(self, corpus: Corpus) -> None:
        self.conn = corpus.conn
        self.corpus = corpus
        self.next_report = 1 + (self.conn.execute("SELECT coalesce(max(id), 0) FROM reports").fetchone()[0])
        self.next_capture = 1 + (self.conn.execute("SELECT coalesce(max(id), 0) FROM captures").fetchone()[0])
        self.sites: set[str] = set()
        self.run_id = corpus.start_run(["generated"])

    def write(self, batch: list[Generated]) -> None:
        reports, sources, stats, checks, captures, http, documents, links, sites = ([] for _ in range(9))
        for g in batch:
            r, s = g.result, g.source
            rid = self.next_report
            self.next_report += 1
            if s.site_id not in self.sites:
                self.sites.add(s.site_id or "")
                name = (s.region or "").rsplit("/", 1)[-1] + "人民政府"
                sites.append(
                    (s.site_id, name, s.region, json.dumps([f"http://www.{s.site_id}.gov.cn/xxgk/"]))
                )
            reports.append(
                (
                    rid,
                    s.site_id,
                    r.agency,
                    s.region,
                    r.year,
                    r.kind,
                    r.title,
                    r.template,
                    r.published_at,
                    g.page_url,
                    s.seen_at,
                    s.seen_at,
                    s.sha256,
                    s.url,
                    r.text,
                )
            )
            sources.append((rid, g.page_sha256, g.page_url, "html", s.seen_at, s.seen_at))
            sources.append((rid, s.sha256, s.url, "pdf", s.seen_at, s.seen_at))
            stats.extend(
                (
                    rid,
                    x.section,
                    x.row,
                    x.col,
                    x.value,
                    x.raw,
                    x.row_label,
                    x.col_label,
                    int(x.ocr),
                    s.sha256,
                    x.placed_by or None,
                )
                for x in r.stats
            )
            checks.extend((rid, c.rule, c.status, c.detail) for c in r.checks)
            for sha, url, role, ctype, size, referer, text in (
                (
                    g.page_sha256,
                    g.page_url,
                    "article",
                    "text/html",
                    8_000 + len(g.page_text),
                    None,
                    g.page_text,
                ),
                (s.sha256, s.url, "attachment", "application/pdf", g.pdf_size, g.page_url, r.text),
            ):
                cid = self.next_capture
                self.next_capture += 1
                captures.append(
                    (
                        cid,
                        url,
                        s.seen_at,
                        200,
                        ctype,
                        sha,
                        size,
                        '"5e5c-1a2b3c"',
                        "Mon, 02 Mar 2026 08:00:00 GMT",
                        s.site_id,
                        referer,
                        r.title if referer else None,
                        role,
                        self.run_id,
                    )
                )
                http.append((cid, "GET", url, _REQUEST, "HTTP/1.1", "OK", _headers(ctype, size)))
                documents.append(
                    (
                        sha,
                        size,
                        "html" if role == "article" else "pdf",
                        url.rsplit("/", 1)[-1],
                        url,
                        s.seen_at,
                        text,
                        None if role == "article" else 3,
                        "html" if role == "article" else "pdfplumber",
                        None if role == "article" else g.tables_json,
                        s.seen_at,
                    )
                )
            links.append((g.page_sha256, g.page_url, s.url, r.title, "attachment"))
        c = self.conn
        with self.corpus.transaction():
            c.executemany(
                """INSERT INTO sites(id, name, region, start_urls, allowed_domains, expected_agencies)
                   VALUES (?, ?, ?, ?, '[]', '[]')""",
                sites,
            )
            c.executemany(
                """INSERT INTO reports(id, site_id, agency, region, year, kind, title, template, published_at,
                     page_url, first_seen, last_seen, sha256, source_url, text)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                reports,
            )
            c.executemany(
                """INSERT INTO report_sources(report_id, sha256, url, format, first_seen, last_seen)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                sources,
            )
            c.executemany(
                """INSERT INTO report_stats(report_id, section, row, col, value, raw, row_label, col_label, ocr,
                     source_sha256, placed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                stats,
            )
            c.executemany(
                "INSERT INTO report_checks(report_id, rule, status, detail) VALUES (?, ?, ?, ?)", checks
            )
            c.executemany(
                """INSERT INTO captures(id, url, fetched_at, status, content_type, sha256, size, etag, last_modified,
                     site_id, referer, link_text, role, crawl_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                captures,
            )
            c.executemany(
                """INSERT INTO capture_http(capture_id, method, request_url, request_headers, protocol, reason,
                     response_headers) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                http,
            )
            c.executemany(
                """INSERT INTO documents(sha256, size, media_type, filename, first_url, first_seen, text, pages,
                     extractor, tables, extracted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                documents,
            )
            c.executemany(
                "INSERT INTO links(page_sha256, page_url, url, text, kind) VALUES (?, ?, ?, ?, ?)", links
            )

    def finish(self, n: int) -> None:
        self.corpus.finish_run(self.run_id, "finished", {"generated_reports": n})


def build(path: Path, n_reports: int, seed: int = 1, batch: int = 2000, progress: bool = False) -> int:
    """Create `path` (schema by migrations) and fill it with `n_reports` generated reports."""
    corpus = Corpus(path)
    try:
        corpus.conn.execute("PRAGMA cache_size = -1000000")  # 1 GB: the figure indexes grow to GBs
        writer = BulkWriter(corpus)
        chunk: list[Generated] = []
        done = 0
        for g in generate(n_reports, seed):
            chunk.append(g)
            if len(chunk) == batch:
                writer.write(chunk)
                done += len(chunk)
                chunk = []
                if progress and done % 10_000 == 0:
                    print(f"  generated {done:,} reports", flush=True)
        if chunk:
            writer.write(chunk)
            done += len(chunk)
        writer.finish(done)
        return done
    finally:
        corpus.close()


def write_through_corpus(path: Path, n_reports: int, seed: int = 1) -> None:
    """The same reports through the real writer (Corpus.record_report), for comparison with `build`."""
    corpus = Corpus(path)
    try:
        for g in generate(n_reports, seed):
            corpus.record_report(
                g.result, g.source, also_sources=[(g.page_sha256, g.page_url, "html")], sighting=True
            )
    finally:
        corpus.close()


def report_rows(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """The report tables keyed by (agency, year) instead of ids, for comparing two corpora."""
    key = "(SELECT agency || '/' || year FROM reports r WHERE r.id = t.report_id)"
    return {
        "reports": conn.execute(
            """SELECT site_id, agency, region, year, kind, title, template, published_at, page_url, sha256,
                      source_url, text, first_seen, last_seen, removed_at FROM reports ORDER BY agency, year"""
        ).fetchall(),
        "report_sources": conn.execute(
            f"SELECT {key}, sha256, url, format, first_seen, last_seen, removed_at FROM report_sources t ORDER BY 1, 2, 3"
        ).fetchall(),
        "report_stats": conn.execute(
            f"""SELECT {key}, section, row, col, value, raw, row_label, col_label, ocr, source_sha256, placed_by
                FROM report_stats t ORDER BY 1, 2, 3, 4"""
        ).fetchall(),
        "report_checks": conn.execute(
            f"SELECT {key}, rule, status, detail FROM report_checks t ORDER BY 1, 2"
        ).fetchall(),
        "fts": conn.execute(
            """SELECT r.agency, r.year FROM reports_fts f JOIN reports r ON r.id = f.rowid
               WHERE reports_fts MATCH '"政府信息公开"' ORDER BY 1, 2"""
        ).fetchall(),
    }
