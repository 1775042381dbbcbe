"""Serving an archived original from the blob store: only a 64-hex SHA-256 the corpus names, read through
the store's reader (never a path built here), with the media type of its bytes, an RFC 6266 file name and headers that keep an
archived page from running as part of this site."""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from pathlib import Path, PurePosixPath

from archive.store.blobs import BlobReader

SHA256 = re.compile(r"[0-9a-f]{64}")

# documents.media_type is the kind sniffed from the bytes (archive/extract/sniff.py).
MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "wps": "application/vnd.ms-works",
    "ofd": "application/ofd",
    "html": "text/html",
    "text": "text/plain",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
    "webp": "image/webp",
}
EXTENSIONS: dict[str, str] = {"jpeg": "jpg", "text": "txt"}

# Unsafe in a file name on some system, or in a header: separators, controls, quotes, reserved characters.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;]+')


def media_type(kind: str | None) -> str:
    return MEDIA_TYPES.get(kind or "", "application/octet-stream")


def extension(kind: str | None) -> str:
    if kind not in MEDIA_TYPES:
        return "bin"
    return EXTENSIONS.get(kind, kind)


def store(data_dir: Path) -> BlobReader:
    """The data folder's blob store, read only (the server creates nothing in it)."""
    return BlobReader(data_dir / "blobs")


def is_digest(sha256: str) -> bool:
    """A lowercase 64-hex digest: nothing else is ever handed to the store (no way out of it)."""
    return SHA256.fullmatch(sha256) is not None


def held(blobs: BlobReader, sha256: str) -> bool:
    return is_digest(sha256) and blobs.has(sha256)


def file_name(
    sha256: str, kind: str | None, filename: str | None, url: str | None, agency: str | None, year: int | None
) -> str:
    """A name a researcher can keep: body_year_originalname, with the extension its bytes call for."""
    original = filename or PurePosixPath(urllib.parse.urlsplit(url or "").path).name
    original = urllib.parse.unquote(original)
    stem = original.rsplit(".", 1)[0] if "." in original else original
    parts = [p for p in (agency, str(year) if year else None, stem or sha256[:12]) if p]
    name = sanitize("_".join(parts))[:120] or sha256[:12]
    return f"{name}.{extension(kind)}"


def sanitize(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = _UNSAFE.sub("_", name).strip(" ._")
    return re.sub(r"_+", "_", name)


def content_disposition(name: str, sha256: str) -> str:
    """RFC 6266 / RFC 5987: an ASCII fallback for old clients, the UTF-8 name in filename*."""
    ascii_name = name.encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("_.")
    ext = name.rsplit(".", 1)[-1]
    if not ascii_name or ascii_name == ext:
        ascii_name = f"{sha256[:16]}.{ext}"
    quoted = urllib.parse.quote(name, safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quoted}"


def headers(name: str, sha256: str) -> dict[str, str]:
    return {
        "content-disposition": content_disposition(name, sha256),
        "x-content-type-options": "nosniff",
        # An archived page must not run scripts or load anything as this site, should it be opened.
        "content-security-policy": "default-src 'none'; sandbox",
        # Content-addressed: the bytes under this address never change.
        "cache-control": "public, max-age=31536000, immutable",
        "etag": f'"{sha256}"',
    }
