"""Property tests (hypothesis) of the table mapper, the value parser and the page-metadata reader: for any
input they never raise, and what they return keeps its promises (valid codes, finite numbers, absolute
http(s) links, real dates)."""

from __future__ import annotations

import datetime as dt
import math
import random
from urllib.parse import urlsplit

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from archive.extract import extract_bytes_html
from archive.extract.encoding import decode_html
from archive.extract.pageinfo import LinkResolver, absolute_url, page_info, read_page_meta
from archive.model import Grid
from archive.report import codes
from archive.report.mapping import map_grids
from archive.report.template import map_report
from archive.report.values import PLACEHOLDERS, is_value_cell, parse_value
from tests.docfactory.layout import active_table, appeals_table, applications_table
from tests.docfactory.random_specs import random_spec
from tests.fuzztargets import UNEXPECTED

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- the table mapper ----------------------------------------------------------------------------------

# Cell texts a report table is made of: template labels, header words, numbers in portal spellings,
# placeholders, and anything at all.
_LABELS = [
    *codes.APPLICATION_ROWS.values(),
    *codes.ACTIVE_ROWS.values(),
    *(c.label for c in codes.APPLICATION_COLUMNS),
    *(c.label for c in codes.APPEAL_COLUMNS),
    *codes.APPEAL_HEADER,
    *codes.APPLICATION_HEADER,
    *codes.ACTIVE_HEADER,
    *codes.HEADER_WORDS,
    *codes.APPLICATION_GROUP_WORDS,
    "第二十条第（一）项",
    "（三）不予公开",
    "三、本年度办理结果",
    "其他",
]
_cell_text = st.one_of(
    st.sampled_from(_LABELS),
    st.integers(-50, 5000).map(str),
    st.sampled_from([*sorted(PLACEHOLDERS), "", " ", "3659.92万元", "+5", "增3", "１２"]),
    st.text(max_size=12),
)
_cell = st.one_of(st.none(), _cell_text)
_grid = st.lists(st.lists(_cell, max_size=18), max_size=30)


def _valid_codes(template: str) -> set[tuple[str, str, str]]:
    cells = {
        ("active", r, c.code)
        for r in codes.ACTIVE_ROWS_BY_TEMPLATE[template]
        for c in codes.active_columns(template, r)
    }
    cells |= {
        ("applications", r, c.code)
        for r in codes.APPLICATION_ROWS_BY_TEMPLATE[template]
        for c in codes.APPLICATION_COLUMNS
    }
    cells |= {("appeals", r, c.code) for r in codes.APPEAL_ROWS for c in codes.APPEAL_COLUMNS}
    return cells


def _assert_sound(mapped_template: str | None, stats: list, findings: list[str]) -> None:
    assert mapped_template in (None, "2019", "2021")
    if stats:
        assert mapped_template is not None
        valid = _valid_codes(mapped_template)
        for s in stats:
            assert (s.section, s.row, s.col) in valid, (s.section, s.row, s.col)
            assert s.value is None or (isinstance(s.value, float) and math.isfinite(s.value))
            assert isinstance(s.raw, str)
            assert s.placed_by in ("", "label", "number", "order", "derived")
        keys = [(s.section, s.row, s.col) for s in stats]
        assert len(keys) == len(set(keys)), "a figure listed twice"
    # The mapper's last-resort handler turns an internal error into this finding: it must never be needed.
    assert not [f for f in findings if " table skipped: " in f], findings


@FAST
@given(
    tables=st.lists(_grid, max_size=4), text=st.text(max_size=200), year=st.none() | st.integers(1990, 2040)
)
def test_any_tables_map_to_valid_codes(tables: list[Grid], text: str, year: int | None) -> None:
    mapped = map_report(tables, text, year)
    _assert_sound(mapped.template, mapped.stats, mapped.findings)


@FAST
@given(tables=st.lists(_grid, max_size=3), template=st.sampled_from(["2019", "2021"]))
def test_map_grids_under_either_template(tables: list[Grid], template: str) -> None:
    for prefer in ("label", "structure"):
        mapped = map_grids(tables, template, prefer)
        _assert_sound(template, mapped.stats, mapped.findings)


def _report_grids(seed: int, template: str) -> tuple[list[Grid], dict[tuple[str, str, str], float | None]]:
    spec = random_spec(seed, template)
    grids = [t.grid() for t in (active_table(spec), applications_table(spec), appeals_table(spec))]
    truth = {(s["section"], s["row"], s["col"]): s["value"] for s in spec.truth_stats()}
    return grids, truth


@FAST
@given(seed=st.integers(0, 10_000), template=st.sampled_from(["2019", "2021"]))
def test_clean_report_tables_round_trip(seed: int, template: str) -> None:
    """The template's own tables with random figures: every figure comes back under its code."""
    grids, truth = _report_grids(seed, template)
    mapped = map_report(grids, "", None)
    assert mapped.template == template
    got = {(s.section, s.row, s.col): s.value for s in mapped.stats}
    assert got == truth


@FAST
@given(
    seed=st.integers(0, 10_000),
    template=st.sampled_from(["2019", "2021"]),
    shuffle=st.randoms(use_true_random=False),
    blank_share=st.floats(0, 1),
    drop_share=st.floats(0, 0.5),
)
def test_permuted_and_blanked_rows_never_raise(
    seed: int, template: str, shuffle: random.Random, blank_share: float, drop_share: float
) -> None:
    """Rows shuffled, some dropped, cells blanked or turned into merge covers (None): figures still land
    on valid codes, and nothing raises."""
    grids, _ = _report_grids(seed, template)
    damaged: list[Grid] = []
    for grid in grids:
        rows = [list(r) for r in grid if shuffle.random() >= drop_share]
        shuffle.shuffle(rows)
        for row in rows:
            for i in range(len(row)):
                if shuffle.random() < blank_share:
                    row[i] = shuffle.choice([None, "", "-", "无"])
        damaged.append(rows)
    shuffle.shuffle(damaged)
    mapped = map_report(damaged, "", None)
    _assert_sound(mapped.template, mapped.stats, mapped.findings)


# -- the value parser ----------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789+-.", "０１２３４５６７８９＋－．")


@given(st.text())
@example("1e309")
@example("nan")
@example("9" * 400)
@example("+-5")
def test_parse_value_never_raises(raw: str) -> None:
    value = parse_value(raw)
    assert value is None or (isinstance(value, float) and math.isfinite(value))
    if value is not None:
        assert is_value_cell(raw)


@given(
    n=st.integers(0, 10**12),
    sign=st.sampled_from(["", "+", "-", "增", "减", "增加", "减少", "－", "−"]),
    style=st.sampled_from(["plain", "thousands", "fullwidth", "spaced", "markup", "bookmark", "nbsp"]),
    unit=st.sampled_from(["", "件", "个", "次", "人次", "万元", " 万元", "%", "项"]),
)
def test_integers_round_trip_in_portal_spellings(n: int, sign: str, style: str, unit: str) -> None:
    digits = {
        "plain": str(n),
        "thousands": f"{n:,}",
        "fullwidth": str(n).translate(_FULLWIDTH),
        "spaced": " ".join(str(n)),
        "markup": f"<b>{n}</b>",
        "bookmark": f"[bookmark: _GoBack]{n}",
        "nbsp": f"&nbsp;{n}\u200b",
    }[style]
    negative = sign in ("-", "减", "减少", "－", "−")
    expected = -float(n) if negative else float(n)
    assert parse_value(f"{sign}{digits}{unit}") == expected + 0.0


@given(
    x=st.decimals(0, 10**9, places=2, allow_nan=False, allow_infinity=False),
    unit=st.sampled_from(["", "万元"]),
)
def test_decimals_round_trip(x: object, unit: str) -> None:
    text = f"{x}{unit}"
    assume("E" not in text.upper())
    assert parse_value(text) == float(str(x))


@given(st.sampled_from(sorted(PLACEHOLDERS)), st.sampled_from(["", " ", "\u3000", "\n"]))
def test_placeholders_are_unknown(placeholder: str, pad: str) -> None:
    assert parse_value(pad + placeholder + pad) is None
    assert is_value_cell(placeholder)


# -- the page-metadata reader --------------------------------------------------------------------------

_BASES = st.sampled_from(
    [
        "http://www.ltq.gov.cn/xxgk/zfxxgknb/",
        "https://znzf.gov.cn/a/b/index.html",
        "http://127.0.0.1:8080/x?y=1",
    ]
)
_href = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["../a.pdf", "/b/附件 1.pdf", "?page=2", "//other.gov.cn/x", "http://[bad", "  c.doc  ", "#top"]
    ),
    st.builds(lambda a, b: f"{a}/{b}", st.text(max_size=10), st.text(max_size=10)),
)
_label = st.sampled_from(
    ["发布日期", "发布时间", "成文日期", "发 布 日 期", "日期", "时间", "来源", "发布机构", "索引号"]
)
_date_text = st.one_of(
    st.dates(dt.date(1980, 1, 1), dt.date(2049, 12, 31)).map(lambda d: f"{d.year}年{d.month}月{d.day}日"),
    st.dates().map(str),
    st.builds(
        lambda y, m, d: f"{y}-{m}-{d}", st.integers(1900, 2100), st.integers(0, 99), st.integers(0, 99)
    ),
    st.text(max_size=20),
)


def _assert_meta_sound(meta: dict[str, str]) -> None:
    for key in ("published_at", "written_at"):
        if key in meta:
            assert dt.date.fromisoformat(meta[key]).isoformat() == meta[key]
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items())


def _assert_links_absolute(info_links: list, base: str) -> None:
    for link in info_links:
        parts = urlsplit(link.url)
        assert parts.scheme, link.url
        if parts.scheme in ("http", "https"):
            assert parts.netloc, link.url
        assert "#" not in link.url


def _joined(resolve: object, *args: str) -> str:
    try:
        return resolve(*args)  # type: ignore[operator]
    except ValueError as e:
        return f"ValueError: {type(e).__name__}"


@settings(max_examples=400, deadline=None)
@given(
    base=_BASES
    | st.builds(
        lambda origin, path: origin + path,
        st.sampled_from(["http://h.gov.cn", "https://H.cn:8080", "http://u:p@[::1]", "HTTP://h", "ftp://f"]),
        st.text(max_size=12),
    ),
    hrefs=st.lists(
        _href | st.sampled_from(["/\t/x", "http://", "https:///x", "./a;p?q#f", "\x01/x"]), max_size=4
    ),
)
def test_link_resolver_is_absolute_url(base: str, hrefs: list[str]) -> None:
    """The links remembered by origin or folder (pageinfo.LinkResolver) are the links absolute_url gives
    with the whole base: on the page that asked first and on any page asking after it."""
    for href in hrefs:
        want = _joined(absolute_url, base, href.strip())
        assert _joined(LinkResolver(base), href.strip()) == want
        assert _joined(LinkResolver(base), href.strip()) == want  # a second page asking: from memory
        # unstripped too (" ?q" is joined on the page, not its folder), and hrefs too long to remember
        for raw in (" " + href, href + "x" * 1100):
            assert _joined(LinkResolver(base), raw) == _joined(absolute_url, base, raw)


@FAST
@given(html=st.text(max_size=400), base=_BASES)
def test_page_info_on_any_text(html: str, base: str) -> None:
    info = page_info(html, base)
    _assert_meta_sound(info.meta)
    _assert_links_absolute(info.links, base)


@FAST
@given(
    hrefs=st.lists(_href, max_size=6),
    base_href=st.none()
    | st.sampled_from(["javascript:void(0)", "data:text/html,x", "mailto:a@b", "//", "/sub/", "ftp://x/"])
    | st.text(max_size=15),
    meta_date=_date_text,
    label=_label,
    visible=_date_text,
    title=st.text(max_size=30),
    base=_BASES,
)
def test_page_info_on_portal_shaped_pages(
    hrefs: list[str], base_href: str | None, meta_date: str, label: str, visible: str, title: str, base: str
) -> None:
    from html import escape

    base_tag = f'<base href="{escape(base_href)}">' if base_href is not None else ""
    links = "".join(f'<a href="{escape(h)}">{escape(h)}</a>' for h in hrefs)
    html = (
        f'<html><head>{base_tag}<meta name="PubDate" content="{escape(meta_date)}"><title>{escape(title)}</title></head>'
        f"<body><h1>{escape(title)}</h1><div>{escape(label)}：{escape(visible)}</div>{links}</body></html>"
    )
    info = page_info(html, base)
    _assert_meta_sound(info.meta)
    _assert_meta_sound(read_page_meta(html))
    _assert_links_absolute(info.links, base)
    # A relative address is resolved on the page's own site, never kept relative.
    for h, link in zip(
        [h for h in hrefs if h.strip() and not h.strip().startswith("#")], info.links, strict=False
    ):
        if (
            "://" not in h
            and not h.strip().startswith(("//", "javascript:", "mailto:", "tel:"))
            and ":" not in h
        ):
            assert urlsplit(link.url).scheme == urlsplit(base).scheme


@FAST
@given(
    data=st.binary(max_size=600),
    charset=st.none() | st.sampled_from(["gbk", "utf-8", "gb2312", "bogus", "latin-1"]),
)
def test_html_extraction_of_any_bytes(data: bytes, charset: str | None) -> None:
    ex = extract_bytes_html(data, charset, "http://www.ltq.gov.cn/a/b.html")
    assert not (ex.error or "").startswith(UNEXPECTED), ex.error
    _assert_meta_sound(ex.page_meta)
    text, _ = decode_html(data, charset)
    assert isinstance(text, str)


_title_text = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda place, year, tail: f"{place}{year}年{tail}",
        st.sampled_from(["中宁县", "利通区卫生健康局", "石空镇", "平潭综合实验区", ""]),
        st.integers(1900, 2100),
        st.sampled_from(
            ["政府信息公开工作年度报告", "度政府信息公开工作年度报告", "工作要点", "信息公开年报", ""]
        ),
    ),
)


@FAST
@given(
    text=st.one_of(_title_text, st.lists(_title_text, max_size=5).map("\n".join)),
    tables=st.lists(_grid, max_size=3),
    media=st.sampled_from(["html", "pdf", "docx"]),
    meta=st.dictionaries(
        st.sampled_from(["title", "published_at", "source"]), _title_text | _date_text, max_size=3
    ),
)
def test_interpret_any_extraction(text: str, tables: list[Grid], media: str, meta: dict[str, str]) -> None:
    """What the main process does with every extraction: title, body, year, date, figures, checks."""
    from archive.model import Extraction
    from archive.report.interpret import SourceContext, interpret

    ex = Extraction(media, text=text, tables=tables, page_meta=meta)
    result = interpret(
        ex, SourceContext(page_title=text[:40] or None, page_published_at=meta.get("published_at"))
    )
    _assert_sound(result.template, result.stats, result.findings)
    if result.published_at is not None:
        assert dt.date.fromisoformat(result.published_at).isoformat() == result.published_at
    assert result.year is None or 1900 <= result.year <= 2100
    assert {c.status for c in result.checks} <= {"ok", "failed", "unknown"}


@FAST
@given(
    members=st.lists(st.tuples(st.text(max_size=20), st.binary(max_size=200)), max_size=6),
    utf8_flag=st.booleans(),
    cut=st.none() | st.integers(0, 400),
)
def test_read_package_of_any_zip(members: list[tuple[str, bytes]], utf8_flag: bool, cut: int | None) -> None:
    """Any member names (empty, '/', '../', control characters), any contents, any truncation: the package
    reader gives members with safe names or an error, never an exception (it runs on the crawl's thread)."""
    import io
    import warnings
    import zipfile

    from archive.extract.package import read_package

    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # duplicate names are part of the test
        for name, data in members:
            info = zipfile.ZipInfo(name)
            if not utf8_flag:
                info.flag_bits &= ~0x800
            try:
                zf.writestr(info, data)
            except (UnicodeEncodeError, ValueError):
                continue
    blob = buf.getvalue()
    if cut is not None:
        blob = blob[:cut]
    pkg = read_package(blob, "zip")
    for m in pkg.members:
        assert m.name and not m.name.startswith("/") and ".." not in m.name.split("/")
        assert all(ord(ch) >= 32 for ch in m.name)


_PAGE_TEXT = st.lists(
    st.sampled_from(
        [*"aDsUrLoNcliKjvp-&#= \t\n\u3000\xa0局报告<>/\"'", "data-", "URL", "OnClick", "javascript", "<head>"]
    ),
    max_size=40,
).map("".join)


@FAST
@given(_PAGE_TEXT)
def test_the_spiders_fast_text_checks_say_what_their_regexes_said(text: str) -> None:
    """The prefilter for URL-carrying attributes and the whitespace folds, rewritten without regexes for speed
    (crawl_speed.py), answer as the regexes they replaced."""
    import re

    from archive.extract.pageinfo import clean_text
    from crawler.candidates import _may_carry
    from crawler.pagekind import page_text

    assert _may_carry(text) == bool(re.search(r"data-|lay-href|url|onclick|javascript|&#", text, re.I))
    assert clean_text(text) == re.sub(r"\s+", " ", text).strip()
    markup = re.compile(r"<head\b.*?</head>|<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)
    assert page_text(text) == re.sub(r"\s+", "", markup.sub(" ", text))
