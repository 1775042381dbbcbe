"""The sites file (TOML): portals to crawl, loaded once into typed, validated objects."""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.errors import SitesFileError

SITE_ID = re.compile(r"^[a-z0-9_-]+$")


class FamilyName(StrEnum):
    """The CMS families a site may name (the one list: `crawler.families` implements each)."""

    TRS = "trs"
    HANWEB = "hanweb"
    JSAPI = "jsapi"
    GKMLPT = "gkmlpt"
    YEARDEPT = "yeardept"


AUTO, STATIC = "auto", "static"  # every family's detectors / none
FAMILY_HINTS = (AUTO, STATIC, *(f.value for f in FamilyName))


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    start_urls: list[str]
    region: str = ""
    allowed_domains: list[str] = field(default_factory=list)
    render_js: bool = False
    expected_agencies: list[str] = field(default_factory=list)
    expected_since: int | None = None
    expected_until: int | None = None  # last year a report is expected (e.g. a body that was merged away)
    # A roster file (CSV: division_code, name, kind, from, until), relative to the sites file: the bodies
    # that must publish, each within its years (an operator's import of an official list).
    roster: str = ""
    roster_rows: tuple[RosterRow, ...] = ()  # read from `roster` when the sites file is loaded
    download_delay: float | None = None
    concurrency: int | None = None
    max_depth: int = 6  # link hops from a start URL; bounds traps such as calendars
    follow: list[str] = field(default_factory=list)  # extra URL regexes always worth following
    deny: list[str] = field(default_factory=list)  # URL regexes never followed
    family: str = AUTO  # CMS family hint, one of FAMILY_HINTS
    # A safety net per site and run, far above a real portal: traps are cut by what their pages yield
    # (crawler/bounds.py), not by this count. Reaching it is said in the summary and stops removals.
    max_pages: int = 200_000
    # Pages fetched with no sign of leading to a report (a best-first crawl explores these last,
    # crawler/ranking.py), and pages rendered in Chromium because their static reading named a list and
    # found nothing in it: the budgets of a site's run. What they cut is said in the summary.
    explore_pages: int = 400
    render_pages: int = 8

    def domains(self) -> list[str]:
        if self.allowed_domains:
            return list(self.allowed_domains)
        return sorted({urlsplit(u).hostname or "" for u in self.start_urls} - {""})


RosterRow = tuple[str, str, str, int | None, int | None]  # division code, name, kind, from, until
_ROSTER_KINDS = ("", "government", "department", "township", "street_office", "zone", "other")
_NOT_KEYS = {"roster_rows"}  # fields the file does not set

_REQUIRED = ("id", "name", "start_urls")
_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "name": (str,),
    "region": (str,),
    "start_urls": (list,),
    "allowed_domains": (list,),
    "render_js": (bool,),
    "expected_agencies": (list,),
    "expected_since": (int,),
    "expected_until": (int,),
    "download_delay": (int, float),
    "concurrency": (int,),
    "max_depth": (int,),
    "follow": (list,),
    "deny": (list,),
    "family": (str,),
    "max_pages": (int,),
    "explore_pages": (int,),
    "render_pages": (int,),
    "roster": (str,),
}


def _fail(path: Path, where: str, msg: str) -> SitesFileError:
    return SitesFileError(f"{path}: {where}: {msg}")


def _check_url(path: Path, where: str, url: Any) -> str:
    if not isinstance(url, str):
        raise _fail(path, where, f"start_urls: {url!r} is not a string")
    try:
        parts = urlsplit(url)
        _ = parts.port  # a bad port raises here, not in the crawl
    except ValueError as e:
        raise _fail(path, where, f"start_urls: {url!r} is not a valid URL ({e})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _fail(path, where, f"start_urls: {url!r} is not an http(s) URL")
    return url


def _site_from_table(path: Path, index: int, table: dict[str, Any]) -> Site:
    where = f"site {table.get('id', f'#{index + 1}')!s}"
    known = {f.name for f in fields(Site)} - _NOT_KEYS
    for key in table:
        if key not in known:
            raise _fail(path, where, f"unknown key {key!r}")
    for key in _REQUIRED:
        if key not in table:
            raise _fail(path, where, f"missing key {key!r}")
    for key, value in table.items():
        if not isinstance(value, _TYPES[key]) or (isinstance(value, bool) and bool not in _TYPES[key]):
            raise _fail(path, where, f"key {key!r}: expected {_TYPES[key][0].__name__}, got {value!r}")
    if not SITE_ID.fullmatch(table["id"]):
        raise _fail(path, where, f"key 'id': {table['id']!r} must match [a-z0-9_-]+")
    if not table["start_urls"]:
        raise _fail(path, where, "key 'start_urls': empty")
    urls = [_check_url(path, where, u) for u in table["start_urls"]]
    for key in ("allowed_domains", "expected_agencies", "follow", "deny"):
        for v in table.get(key, []):
            if not isinstance(v, str):
                raise _fail(path, where, f"key {key!r}: {v!r} is not a string")
    for key in ("follow", "deny"):
        for pattern in table.get(key, []):
            try:
                re.compile(pattern)
            except re.error as e:
                raise _fail(path, where, f"key {key!r}: bad regex {pattern!r}: {e}") from None
    if table.get("family", AUTO) not in FAMILY_HINTS:
        raise _fail(path, where, f"key 'family': {table['family']!r} not one of {sorted(FAMILY_HINTS)}")
    if table.get("concurrency") is not None and table["concurrency"] < 1:
        raise _fail(path, where, "key 'concurrency': must be >= 1")
    roster = read_roster(path.parent / table["roster"]) if table.get("roster") else ()
    return Site(**{**table, "start_urls": urls, "roster_rows": roster})


def read_roster(path: Path) -> tuple[RosterRow, ...]:
    """The roster CSV: a header `division_code,name,kind,from,until`; kind and years may be empty."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
            header = set(rows[0]) if rows else set()
    except FileNotFoundError:
        raise SitesFileError(f"{path}: roster file not found") from None
    except (UnicodeDecodeError, csv.Error) as e:
        raise SitesFileError(f"{path}: not a UTF-8 CSV: {e}") from None
    if rows and not {"division_code", "name"} <= header:
        raise SitesFileError(f"{path}: the header must name division_code,name,kind,from,until")
    out: list[RosterRow] = []
    for line, r in enumerate(rows, start=2):
        name, kind = (r.get("name") or "").strip(), (r.get("kind") or "").strip()
        if not name:
            raise SitesFileError(f"{path}: line {line}: no body name")
        if kind not in _ROSTER_KINDS:
            raise SitesFileError(
                f"{path}: line {line}: kind {kind!r} not one of {', '.join(_ROSTER_KINDS[1:])}"
            )
        years: list[int | None] = []
        for col in ("from", "until"):
            v = (r.get(col) or "").strip()
            if v and not v.isdigit():
                raise SitesFileError(f"{path}: line {line}: {col} {v!r} is not a year")
            years.append(int(v) if v else None)
        out.append(((r.get("division_code") or "").strip(), name, kind, years[0], years[1]))
    return tuple(out)


def parse_sites(text: str, path: Path = Path("<sites>")) -> list[Site]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise SitesFileError(f"{path}: not valid TOML: {e}") from None
    unknown = set(doc) - {"sites"}
    if unknown:
        raise SitesFileError(f"{path}: unknown top-level key {sorted(unknown)[0]!r} (expected [[sites]])")
    tables = doc.get("sites", [])
    if not isinstance(tables, list):
        raise SitesFileError(f"{path}: 'sites' must be an array of tables ([[sites]])")
    sites = [_site_from_table(path, i, t) for i, t in enumerate(tables)]
    seen: set[str] = set()
    for s in sites:
        if s.id in seen:
            raise SitesFileError(f"{path}: site {s.id}: duplicate id")
        seen.add(s.id)
    return sites


def load_sites(path: Path) -> list[Site]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SitesFileError(f"{path}: sites file not found") from None
    except UnicodeDecodeError as e:
        raise SitesFileError(f"{path}: not UTF-8: {e}") from None
    return parse_sites(text, Path(path))


def select_sites(sites: list[Site], ids: list[str] | None) -> list[Site]:
    if not ids:
        return sites
    by_id = {s.id: s for s in sites}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise SitesFileError(f"no site with id {missing[0]!r} (known: {', '.join(by_id) or 'none'})")
    return [by_id[i] for i in ids]
