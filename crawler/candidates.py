"""Every URL a page or a data answer carries, as candidates for the crawl.

Nothing here decides that a URL is not fetched: this module only finds URLs and the words that name them.
`crawler/ranking.py` orders them; scope, the guard and the site's budgets decide what is fetched.

Where portals put URLs besides `<a href>` (each one met on real portals):
  `<area href>` image maps; `<iframe>`/`<frame src>` (a list or a document inside a frame); `<embed src>`,
  `<object data>` (an inline PDF); `onclick="window.open('…')"`, `data-href`/`data-url` attributes,
  `location.href='…'`; GET forms (a year `<select>`: each option is a list); URL-valued query parameters of
  any of these (`viewer.html?file=/uploads/a.pdf`, `preview.jsp?url=http%3A%2F%2F…`); quoted URL strings
  in inline scripts (the data call that draws a list); and the URLs and records of JSON, JSONP and XML
  answers.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from archive.extract.pageinfo import Link, absolute_url, clean_text, link_base

# How the page carries the URL; the ranking weighs some of them (a frame is the page's own content).
Via = Literal["a", "area", "frame", "embed", "form", "attr", "param", "script", "data"]

MAX_FORM_URLS = 60  # one GET form's option combinations: a year select, not a search box's every word
MAX_SCRIPT_URLS = 200  # per page
# A quoted token (possessive: linear even on an unterminated quote); it must hold / . or ? to be a URL.
_SCRIPT_URL = re.compile(r"""["'`]([^"'`\s<>(){};,]*+)["'`]""")
_URL_ATTRS = ("data-href", "data-url", "data-src", "data-link", "data-file", "data-path", "lay-href", "url")
# One XPath for the elements that may carry a URL in an attribute (C speed; most pages have none).
_URL_CARRIERS = etree.XPath(
    "//*[" + " or ".join(f"@{a}" for a in (*_URL_ATTRS, "onclick")) + " or starts-with(@href, 'javascript:')]"
)
# It costs ~4 µs an element, so it runs only on pages whose source holds one of these words: attribute
# names are case-insensitive (so the source is lowered), and "&#" is a `javascript:` href written with
# character references. Searched with `in`: a regex alternation with IGNORECASE tries every word at every
# position (~75 µs on a 3 KB page, most of a page's reading).
_CARRIER_MARKS = ("data-", "lay-href", "url", "onclick", "javascript", "&#")
_URL_PARAMS = re.compile(
    r"^(file|url|src|path|filepath|fileurl|file_url|filename|href|link|target|doc|pdf)$", re.I
)
# Page resources a script names: not pages, documents nor data (the browser's business).
_RESOURCE = re.compile(r"\.(js|css|map|woff2?|ttf|eot|svg|ico|gif|swf|mp3|mp4|flv)(\?|$)", re.I)
_PATHLIKE = re.compile(r"^(https?://|/|\./|\.\./)|^[\w\-]+(/[\w\-.%]*)+(\?.*)?$|^[\w\-]+\.(s?html?|jsp|php|aspx?|do|action|json|xml|pdf|docx?|wps|xlsx?|ofd|zip|rar|7z|png|jpe?g)(\?.*)?$", re.I)  # fmt: skip
_CALLBACK = re.compile(r"^\s*[\w$.]+\s*$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TITLE_KEYS = ("title", "name", "doctitle", "wzbt", "biaoti", "subject", "text", "label", "filename")


@dataclass(frozen=True)
class Candidate:
    url: str
    text: str
    via: Via

    @property
    def link(self) -> Link:
        return Link(self.url, self.text)


def _may_carry(html: str) -> bool:
    low = html.lower()
    return any(mark in low for mark in _CARRIER_MARKS)


def _absolute(base: str, raw: str) -> str | None:
    raw = raw.strip()
    if not raw or raw.startswith(("javascript:", "mailto:", "tel:", "#", "data:", "about:")):
        return None
    try:
        url = absolute_url(base, raw)
    except ValueError:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def _text_of(el: lxml.html.HtmlElement) -> str:
    return clean_text(el.text_content()) or clean_text(el.get("title")) or clean_text(el.get("alt"))


def element_candidates(
    doc: lxml.html.HtmlElement, base_url: str, html: str | None = None
) -> Iterator[Candidate]:
    """URLs carried by elements: area, frames, embeds, objects, onclick and data-* attributes. `html`: the
    page's source, when the caller has it (a page without any of the attribute names is not searched)."""
    base = link_base(doc, base_url)
    for el in doc.iter("area"):
        url = _absolute(base, el.get("href") or "")
        if url:
            yield Candidate(url, clean_text(el.get("alt")) or clean_text(el.get("title")), "area")
    for tag in ("iframe", "frame"):
        for el in doc.iter(tag):
            url = _absolute(base, el.get("src") or "")
            if url:
                yield Candidate(url, clean_text(el.get("title")) or clean_text(el.get("name")), "frame")
    for tag, attr in (("embed", "src"), ("object", "data")):
        for el in doc.iter(tag):
            url = _absolute(base, el.get(attr) or "")
            if url:
                yield Candidate(url, clean_text(el.get("title")), "embed")
    carriers = _URL_CARRIERS(doc) if html is None or _may_carry(html) else []
    for el in carriers:
        for name in _URL_ATTRS:
            value = el.get(name)
            if value and _PATHLIKE.search(value.strip()):
                url = _absolute(base, value)
                if url:
                    yield Candidate(url, _text_of(el), "attr")
        # An onclick or javascript: link is inline script: any quoted URL in it (window.open('…'),
        # openWin('…'), $('#box').load('…')) is a candidate named by the element's text.
        href = el.get("href") or ""
        inline = [el.get("onclick") or "", href if href.lstrip().lower().startswith("javascript:") else ""]
        for script in script_candidates([v for v in inline if v], base):
            yield Candidate(script.url, _text_of(el), "attr")


def form_candidates(doc: lxml.html.HtmlElement, base_url: str) -> Iterator[Candidate]:
    """GET forms as the URLs their submit gives: the fields' defaults, and each option of a select (a
    year select's options are the lists of each year). Forms with free text to type are not lists."""
    base = link_base(doc, base_url)
    for form in doc.iter("form"):
        if (form.get("method") or "get").strip().lower() != "get":
            continue
        action = _absolute(base, form.get("action") or base_url)
        if action is None:
            continue
        fixed: list[tuple[str, str]] = []
        choices: list[tuple[str, list[tuple[str, str]]]] = []
        typed = False
        for field in form.iter("input", "select"):
            name = field.get("name")
            if not name:
                continue
            if field.tag == "select":
                options = [(clean_text(o.get("value") if o.get("value") is not None else o.text_content()),
                            clean_text(o.text_content())) for o in field.iter("option")]  # fmt: skip
                if options:
                    choices.append((name, options))
                continue
            kind = (field.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file", "password"):
                continue
            if kind in ("checkbox", "radio") and field.get("checked") is None:
                continue
            value = field.get("value") or ""
            if kind in ("text", "search") and not value:
                typed = True  # a search box: its URL with nothing typed is no list
            fixed.append((name, value))
        if typed and not choices:
            continue
        yield from _form_urls(action, fixed, choices, clean_text(form.get("title")))


def _form_urls(
    action: str, fixed: list[tuple[str, str]], choices: list[tuple[str, list[tuple[str, str]]]], text: str
) -> Iterator[Candidate]:
    parts = urlsplit(action)
    if not choices:
        query = urlencode(fixed)
        yield Candidate(urlunsplit(parts._replace(query=query)), text, "form")
        return
    # One select varied at a time, the others at their first option: a year select beside a type
    # select gives every year and every type, not their product.
    firsts = [(name, options[0][0]) for name, options in choices]
    count = 0
    for i, (name, options) in enumerate(choices):
        for value, label in options:
            if count >= MAX_FORM_URLS:
                return
            params = [*fixed, *firsts[:i], (name, value), *firsts[i + 1 :]]
            count += 1
            yield Candidate(urlunsplit(parts._replace(query=urlencode(params))), label or text, "form")


def script_candidates(scripts: Iterable[str], base_url: str) -> Iterator[Candidate]:
    """Quoted strings of inline scripts that are URLs or paths (a data call, a pager's pages, a document),
    with template parts filled (`"…?page=" + n` → page=1); not the page's own resources."""
    count = 0
    for script in scripts:
        for m in _SCRIPT_URL.finditer(script):
            raw = m.group(1)
            if not any(c in raw for c in "/.?"):
                continue
            if _RESOURCE.search(raw) or not _PATHLIKE.search(raw) or raw.startswith("//"):
                continue
            raw = re.sub(r"\$\{[^}]*\}", "1", raw)
            if raw.endswith("="):
                raw += "1"  # the script appends the page number
            url = _absolute(base_url, raw)
            if url is None:
                continue
            count += 1
            if count > MAX_SCRIPT_URLS:
                return
            yield Candidate(url, "", "script")


def param_candidates(candidates: Iterable[Candidate]) -> Iterator[Candidate]:
    """The URLs inside candidates' query parameters (an online viewer's `?file=`), decoded, with the
    outer link's text: the document a viewer shows is the document the link names."""
    for c in candidates:
        query = urlsplit(c.url).query
        if not query:
            continue
        for key, value in parse_qsl(query, keep_blank_values=False):
            if not _URL_PARAMS.match(key):
                continue
            inner = value
            for _ in range(2):  # encoded twice on some portals
                if "%" in inner:
                    inner = unquote(inner)
            if not _PATHLIKE.search(inner.strip()):
                inner = _base64_url(inner) or ""  # online previewers (kkFileView) take base64
                if not inner:
                    continue
            url = _absolute(c.url, inner)
            if url and url != c.url:
                yield Candidate(url, c.text, "param")


def _base64_url(value: str) -> str | None:
    """The http(s) URL or path a base64 parameter value holds, or None."""
    if len(value) < 8 or not re.fullmatch(r"[A-Za-z0-9+/_=-]+", value):
        return None
    try:
        text = base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return text if re.match(r"^(https?://|/)\S+$", text) else None


def page_candidates(
    doc: lxml.html.HtmlElement | None,
    base_url: str,
    links: list[Link],
    scripts: list[str],
    html: str | None = None,
) -> list[Candidate]:
    """Every candidate of an HTML page, <a> links first, each URL once (its first, best-named sighting).
    `html`: the page's source, when the caller has it (it spares element_candidates a search)."""
    found: list[Candidate] = [Candidate(link.url, link.text, "a") for link in links]
    if doc is not None:
        found += element_candidates(doc, base_url, html)
        found += form_candidates(doc, base_url)
    found += script_candidates(scripts, base_url)
    found += list(param_candidates(found))
    return unique(found)


def unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Each URL once: the sighting with a text wins over a bare one."""
    out: dict[str, Candidate] = {}
    for c in candidates:
        held = out.get(c.url)
        if held is None or (not held.text and c.text):
            out[c.url] = c
    return list(out.values())


# --- data answers -------------------------------------------------------------------------------------


def is_data_answer(body: bytes, content_type: str | None) -> bool:
    """JSON, JSONP or XML (not XHTML): an answer whose records are links."""
    ctype = (content_type or "").lower()
    head = body[:200].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if "html" in ctype or head.startswith((b"<!doctype", b"<html")):
        return False
    if any(t in ctype for t in ("json", "javascript", "xml")):
        return True
    return head.startswith((b"{", b"[", b"<?xml")) or bool(re.match(rb"^[\w$.]+\s*\(\s*[\[{]", head))


def data_candidates(body: bytes, url: str) -> list[Candidate]:
    """The records (a title beside a URL) and other URL strings of a JSON, JSONP or XML answer."""
    text = body.decode("utf-8-sig", errors="replace").strip()
    data = _json(text)
    found: list[Candidate] = []
    if data is not None:
        found += _json_records(data, url)
    elif text.startswith("<"):
        found += _xml_records(text, url)
    found += list(param_candidates(found))
    return unique(found)


def _json(text: str) -> Any:
    if not text.startswith(("{", "[")):
        # JSONP: callback( … ); read between the first "(" and the last ")"
        head, _, rest = text.partition("(")
        if not _CALLBACK.match(head) or ")" not in rest:
            return None
        text = rest[: rest.rindex(")")]
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: [[[[… nested deeper than Python's stack
        return None


def _urlish(value: str) -> bool:
    v = value.strip()
    return 0 < len(v) < 2000 and not _RESOURCE.search(v) and bool(_PATHLIKE.search(v))


def _record_title(node: dict[str, Any]) -> str:
    for key, value in node.items():
        if key.lower() in _TITLE_KEYS and isinstance(value, str) and value.strip():
            return clean_text(value)
    texts = [v for v in node.values() if isinstance(v, str) and _CJK.search(v) and not _urlish(v)]
    return clean_text(max(texts, key=len)) if texts else ""


def _json_records(data: Any, base: str) -> Iterator[Candidate]:
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            title = _record_title(node)
            for value in node.values():
                if isinstance(value, str) and _urlish(value):
                    url = _absolute(base, value)
                    if url:
                        yield Candidate(url, title, "data")
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, str) and _urlish(node):
            url = _absolute(base, node)
            if url:
                yield Candidate(url, "", "data")


def _xml_records(text: str, base: str) -> Iterator[Candidate]:
    """Elements whose text or attribute is a URL, named by the longest Chinese text among their
    siblings (a record's title); HTML fragments in CDATA are read as HTML."""
    try:
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return
    if root is None:
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        value = (el.text or "").strip()
        if value.startswith("<"):
            try:
                fragment = lxml.html.fragment_fromstring(value, create_parent="div")
            except (etree.ParserError, AssertionError, ValueError):
                continue  # a whole document or nothing at all where a record's HTML was expected
            for a in fragment.iter("a"):
                url = _absolute(base, a.get("href") or "")
                if url:
                    yield Candidate(url, _text_of(a), "data")
            continue
        values = [value, *el.attrib.values()]
        for v in values:
            if v and _urlish(v):
                url = _absolute(base, v)
                if url:
                    yield Candidate(url, _xml_title(el), "data")


def _xml_title(el: Any) -> str:
    parent = el.getparent()
    scope = list(parent) if parent is not None else [el]
    texts = [(s.text or "").strip() for s in scope if isinstance(s.tag, str)]
    texts = [t for t in texts if _CJK.search(t) and not _urlish(t)]
    return clean_text(max(texts, key=len)) if texts else ""
