"""File names as portals send them: decoded from raw header bytes and made harmless.

The name is only ever stored as text (blobs are named by hash), but it is shown to users and used as a
hint, so path parts, control characters and absurd lengths are removed."""

from __future__ import annotations

import re
import unicodedata
from email.message import Message
from urllib.parse import unquote, urlsplit

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def safe_filename(name: str | None, max_len: int = 200) -> str | None:
    if not name:
        return None
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").split("/")[-1]
    name = _CONTROL.sub("", name).strip().strip(".")
    if not name:
        return None
    if len(name) > max_len:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: max_len - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:max_len]
    return name


def _decode_header(raw: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def filename_from_disposition(raw: bytes | str | None) -> str | None:
    """The file name of a Content-Disposition header, including raw GBK bytes and RFC 5987 `filename*`."""
    if not raw:
        return None
    text = _decode_header(raw) if isinstance(raw, bytes) else raw
    msg = Message()
    msg["content-disposition"] = text
    name = msg.get_filename()
    if name is None:
        m = re.search(r'filename\s*=\s*"?([^";]+)"?', text, re.I)
        name = m.group(1) if m else None
    if name and "%" in name:
        name = (
            unquote(name, encoding="utf-8", errors="strict")
            if _is_utf8_quoted(name)
            else unquote(name, "gb18030")
        )
    return safe_filename(name)


def _is_utf8_quoted(name: str) -> bool:
    try:
        unquote(name, encoding="utf-8", errors="strict")
        return True
    except UnicodeDecodeError:
        return False


def filename_from_url(url: str) -> str | None:
    parts = urlsplit(url)
    for piece in parts.query.split("&"):
        key, _, value = piece.partition("=")
        if key.lower() in ("filename", "file", "name") and value:
            return safe_filename(unquote(value))
    return safe_filename(unquote(parts.path.rsplit("/", 1)[-1]))
