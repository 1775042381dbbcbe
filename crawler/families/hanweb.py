"""Hanweb JCMS: column pages /col/colN/index.html keep their first records in an XML data island

    <script type="text/xml"><datastore><recordset><record><![CDATA[<li><a href=…>…</a></li>]]></record>…

and serve the rest from /module/web/jpage/dataproxy.jsp (startrecord, endrecord, perpage in the query,
the column's form fields col, appid, webid, path, columnid, unitid, webname, permissiontype in the body),
which answers XML with totalrecord / totalpage and the same CDATA records. The disclosure platform's
annual-report module /module/xxgk/xxgkAnnualReport.jsp?area=…&fbtime=YEAR lists one year per page; its
years sit in a <select>, not in links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scrapy.http import Response

from archive.extract.encoding import decode_html
from archive.extract.pageinfo import PageInfo, page_info
from archive.sites import Site

if TYPE_CHECKING:
    from crawler.spiders.reports import ReportsSpider

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_PROXY = re.compile(r"(/module/web/jpage/dataproxy\.jsp[^\"'\s<>\]]*)", re.I)
_FIELDS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
_DEFAULTS = {"col": "1", "appid": "1", "webid": "1", "path": "/", "permissiontype": "0"}
_COLUMN = re.compile(r"/col/col(\d+)/")
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"perpage\s*[:=]\s*['\"]?(\d+)", re.I)
_UNIT = re.compile(r"<div[^>]+id=['\"]?(\d+)['\"]?[^>]*>\s*<script[^>]+text/xml", re.I)
_ANNUAL = "xxgkannualreport.jsp"
_YEAR_OPTION = re.compile(r"<option[^>]*value=['\"]?((?:19|20)\d{2})['\"]?", re.I)
FIRST_REPORT_YEAR = 2008  # the first year of the 2007 Regulations' reports
RECORDS_PER_CALL = 3  # pages per dataproxy call, as the portals' own script asks
MAX_RECORDS = 20000


def records(text: str, base_url: str) -> PageInfo:
    """Links of the CDATA records of a data island or a dataproxy answer."""
    html = "<ul>" + "".join(_RECORD.findall(text)) + "</ul>"
    return page_info(html, base_url)


def _field(script: str, name: str) -> str | None:
    m = re.search(rf"[\"'?&\s,{{]{name}\s*[:=]\s*['\"]?([^'\"&,\s}}]*)", script, re.I)
    return m.group(1) if m else None


def proxy_form(page_url: str, scripts: str) -> tuple[str, dict[str, str], int] | None:
    """(dataproxy URL, form fields, records per page) for a column page, or None when it has no proxy."""
    m = _PROXY.search(scripts)
    if not m:
        return None
    parts = urlsplit(urljoin(page_url, m.group(1).replace("&amp;", "&")))
    form = {k: v for k, v in parse_qsl(parts.query) if k in _FIELDS}
    for name in _FIELDS:
        if name not in form:
            value = _field(scripts, name)
            if value is not None and value != "":
                form[name] = value
    col = _COLUMN.search(page_url)
    if "columnid" not in form and col:
        form["columnid"] = col.group(1)
    unit = _UNIT.search(scripts)
    if "unitid" not in form and unit:
        form["unitid"] = unit.group(1)
    for k, v in _DEFAULTS.items():
        form.setdefault(k, v)
    per = _PERPAGE.search(scripts)
    return (
        urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
        form,
        int(per.group(1)) if per else 15,
    )


def _total(text: str) -> int | None:
    m = _TOTAL.search(text)
    return int(m.group(1) or m.group(2)) if m else None


def is_list(site: Site, response: Response, info: PageInfo) -> bool:
    scripts = "\n".join(info.scripts)
    return "<datastore" in scripts.lower() or bool(_PROXY.search(scripts)) or _ANNUAL in response.url.lower()


def requests(spider: ReportsSpider, site: Site, response: Response, info: PageInfo) -> Iterator[Any]:
    scripts = "\n".join(info.scripts)
    depth = response.meta.get("depth", 0)
    if "<record" in scripts.lower():
        yield from spider.follow(site, records(scripts, response.url).links, response.url, depth)
    found = proxy_form(response.url, scripts)
    if found is not None:
        url, form, per = found
        shown = len(_RECORD.findall(scripts))
        yield from _proxy_calls(spider, site, response.url, depth, url, form, per, shown + 1, _total(scripts))
    if _ANNUAL in response.url.lower():
        yield from _annual_years(spider, site, response, depth)


def _proxy_calls(
    spider: ReportsSpider,
    site: Site,
    referer: str,
    depth: int,
    url: str,
    form: dict[str, str],
    per: int,
    first: int,
    total: int | None,
) -> Iterator[Any]:
    """Calls covering records first … total (one call when the total is not known yet)."""
    step = per * RECORDS_PER_CALL
    last = min(total if total is not None else first + step - 1, MAX_RECORDS)
    start = first
    while start <= last:
        end = start + step - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per})
        req = spider.data_request(
            site,
            f"{url}?{query}",
            family="hanweb",
            depth=depth,
            referer=referer,
            formdata=form,
            extra={"hanweb_form": form, "hanweb_per": per, "hanweb_known_total": total is not None},
        )
        if req is not None:
            yield req
        start = end + 1


def parse_data(spider: ReportsSpider, site: Site, response: Response) -> Iterator[Any]:
    yield spider.data_capture(response)
    if response.status != 200:
        return
    text, _ = decode_html(response.body, None)
    depth = response.meta.get("depth", 0)
    referer = response.meta.get("referer_url") or response.url
    yield from spider.follow(site, records(text, referer).links, referer, depth)
    total = _total(text)
    if total is None or response.meta.get("hanweb_known_total"):
        return
    # The first call told the total: ask for the rest once.
    query = dict(parse_qsl(urlsplit(response.url).query))
    end = int(query.get("endrecord", "0"))
    base = urlunsplit(urlsplit(response.url)._replace(query=""))
    yield from _proxy_calls(
        spider,
        site,
        referer,
        depth,
        base,
        response.meta["hanweb_form"],
        response.meta["hanweb_per"],
        end + 1,
        total,
    )


def _annual_years(spider: ReportsSpider, site: Site, response: Response, depth: int) -> Iterator[Any]:
    """Every year of the annual-report module: the <select> lists them, links do not."""
    text = response.body.decode("latin-1")  # years are ASCII whatever the page's charset
    years = {int(y) for y in _YEAR_OPTION.findall(text)}
    if not years:
        years = set(range(site.expected_since or FIRST_REPORT_YEAR, datetime.now(UTC).year + 1))
    parts = urlsplit(response.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for year in sorted(years, reverse=True):
        if query.get("fbtime") == str(year):
            continue
        url = urlunsplit(parts._replace(query=urlencode({**query, "fbtime": str(year)})))
        req = spider.page_request(
            site, url, depth=depth, role="list", link_text=f"{year}", referer=response.url, kind="pager"
        )
        if req is not None:
            yield req
