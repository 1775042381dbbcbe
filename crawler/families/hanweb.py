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
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from archive.extract.encoding import decode_html
from archive.extract.pageinfo import PageInfo, page_info
from archive.sites import FamilyName
from crawler.families.base import Action, DataAnswer, DataCall, Family, FollowLink, Page, Records

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


@dataclass(frozen=True)
class ProxyState:
    """What a dataproxy call needs to ask for the next records: the column's form, records per page, and
    whether the total was known when the call was made (then every call was made at once)."""

    form: dict[str, str]
    per: int
    known_total: bool


class Hanweb(Family):
    name = FamilyName.HANWEB

    def is_list(self, page: Page) -> bool:
        scripts = "\n".join(page.info.scripts)
        return "<datastore" in scripts.lower() or bool(_PROXY.search(scripts)) or _ANNUAL in page.url.lower()

    def links(self, page: Page) -> Iterator[Action]:
        scripts = "\n".join(page.info.scripts)
        if "<record" in scripts.lower():
            yield Records(records(scripts, page.url).links)
        found = proxy_form(page.url, scripts)
        if found is not None:
            url, form, per = found
            shown = len(_RECORD.findall(scripts))
            yield from _proxy_calls(page.url, url, form, per, shown + 1, _total(scripts))
        if _ANNUAL in page.url.lower():
            yield from _annual_years(page)

    def parse_data(self, answer: DataAnswer) -> Iterator[Action]:
        text, _ = decode_html(answer.body, None)
        yield Records(records(text, answer.origin).links)
        total = _total(text)
        state = answer.state
        if total is None or not isinstance(state, ProxyState) or state.known_total:
            return
        # The first call told the total: ask for the rest once.
        query = dict(parse_qsl(urlsplit(answer.url).query))
        end = int(query.get("endrecord", "0"))
        base = urlunsplit(urlsplit(answer.url)._replace(query=""))
        yield from _proxy_calls(answer.origin, base, state.form, state.per, end + 1, total)


def _proxy_calls(
    origin: str, url: str, form: dict[str, str], per: int, first: int, total: int | None
) -> Iterator[Action]:
    """Calls covering records first … total (one call when the total is not known yet)."""
    step = per * RECORDS_PER_CALL
    last = min(total if total is not None else first + step - 1, MAX_RECORDS)
    state = ProxyState(form, per, total is not None)
    start = first
    while start <= last:
        end = start + step - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per})
        yield DataCall(f"{url}?{query}", FamilyName.HANWEB, origin=origin, formdata=form, state=state)
        start = end + 1


def _annual_years(page: Page) -> Iterator[Action]:
    """Every year of the annual-report module: the <select> lists them, links do not."""
    text = page.body.decode("latin-1")  # years are ASCII whatever the page's charset
    years = {int(y) for y in _YEAR_OPTION.findall(text)}
    if not years:
        years = set(range(page.site.expected_since or FIRST_REPORT_YEAR, datetime.now(UTC).year + 1))
    parts = urlsplit(page.url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for year in sorted(years, reverse=True):
        if query.get("fbtime") == str(year):
            continue
        url = urlunsplit(parts._replace(query=urlencode({**query, "fbtime": str(year)})))
        yield FollowLink(url, f"{year}", "pager")
