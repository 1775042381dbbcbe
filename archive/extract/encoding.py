"""Decode HTML from Chinese portals, whose declared charsets are often wrong.

Order of evidence: a BOM; then the bytes themselves when they are valid UTF-8 (GBK text with Chinese in
it is practically never valid UTF-8, so this also catches pages declared GBK but served as UTF-8); then the
HTTP-declared charset and the `<meta>` charset; then GB18030 (a superset of GBK/GB2312) as the fallback
for pages declared UTF-8 that are really GBK. Among candidates that need lossy decoding, the one with the
fewest replacement characters wins.
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "936": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "utf8": "utf-8",
    "unicode": "utf-8",
    "big5-hkscs": "big5hkscs",
}
_SINGLE_BYTE = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalise(name: str | None) -> str | None:
    """A codec name Python knows, with GBK/GB2312 widened to GB18030; None if unknown."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    key = _ALIASES.get(key, key)
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """The charset an HTTP Content-Type declares (a claim: pages are often mislabelled)."""
    lowered = (content_type or "").lower()
    if "charset=" not in lowered:
        return None
    return lowered.split("charset=")[-1].split(";")[0].strip().strip("\"'") or None


def meta_charset(data: bytes) -> str | None:
    match = _META.search(data[:8192])
    return normalise(match.group(1).decode("ascii", "replace")) if match else None


def decode_html(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Text and the encoding used to decode it."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name.replace("-sig", ""), errors="replace"), name.replace(
                "-sig", ""
            )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    for cand in (normalise(declared), meta_charset(data), "gb18030", "utf-8"):
        if cand and cand not in candidates:
            candidates.append(cand)
    # A Latin single-byte charset never fails to decode, so on a Chinese portal it is only a last resort.
    candidates.sort(key=lambda n: n in _SINGLE_BYTE)
    best: tuple[int, str, str] | None = None
    for name in candidates:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            text = data.decode(name, errors="replace")
            bad = text.count("\ufffd")
            if best is None or bad < best[0]:
                best = (bad, text, name)
        except LookupError:
            continue
    assert best is not None  # gb18030 is always a candidate
    return best[1], best[2]
