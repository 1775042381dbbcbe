"""Media type from the bytes alone (portals mislabel names and Content-Types routinely).

Returns one of: pdf, docx, xlsx, ofd, zip, rar, 7z, doc, wps, xls, png, jpeg, gif, bmp, html, text, unknown. RTF (often saved as .doc)
is reported as `doc`: LibreOffice reads both the same way.
"""

from __future__ import annotations

import contextlib
import io
import struct
import zipfile
from pathlib import Path

import olefile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY = b"PK\x05\x06"  # an empty zip is only its end record
RAR_MAGIC = b"Rar!\x1a\x07"  # then \x00 (RAR 4) or \x01\x00 (RAR 5)
SEVENZ_MAGIC = b"7z\xbc\xaf\x27\x1c"
HEAD = 64 * 1024
_HTML_MARKS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<meta",
    b"<table",
    b"<div",
    b"<title",
    b"<p>",
)


def _zip_kind(names: list[str]) -> str:
    if any(n == "word/document.xml" or n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.rsplit("/", 1)[-1] == "OFD.xml" for n in names):
        return "ofd"
    return "zip"


def _local_names(head: bytes) -> list[str]:
    """Member names from the local file headers present in `head` (the central directory is at the end)."""
    names: list[str] = []
    pos = 0
    while pos + 30 <= len(head) and head[pos : pos + 4] == ZIP_MAGIC and len(names) < 50:
        flags, _, _, _, _, csize, _, nlen, xlen = struct.unpack("<HHHHIIIHH", head[pos + 6 : pos + 30])
        names.append(head[pos + 30 : pos + 30 + nlen].decode("utf-8", "replace"))
        if flags & 0x08:  # sizes follow the data: cannot skip without inflating
            break
        pos += 30 + nlen + xlen + csize
    return names


def _ole_kind(ole: olefile.OleFileIO) -> str:
    streams = {"/".join(s) for s in ole.listdir()}
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "WordDocument" in streams:
        return "wps" if _is_wps(ole, streams) else "doc"
    return "unknown"


def _is_wps(ole: olefile.OleFileIO, streams: set[str]) -> bool:
    """Kingsoft WPS writes its build into the document summary (KSOProductBuildVer) and names itself as the
    creating application; LibreOffice and Word do neither."""
    try:
        app = _creating_application(ole, streams)
        if b"WPS" in app.upper() or b"KINGSOFT" in app.upper():
            return True
        if "\x05DocumentSummaryInformation" in streams:
            data = ole.openstream("\x05DocumentSummaryInformation").read(64 * 1024)
            return b"KSOProductBuildVer" in data or "KSOProductBuildVer".encode("utf-16-le") in data
    except Exception:  # a damaged summary stream says nothing about the format
        return False
    return False


_PID_APPNAME = 0x12
_VT_LPSTR = 30
_MAX_PROPS = 1024


def _creating_application(ole: olefile.OleFileIO, streams: set[str]) -> bytes:
    """PIDSI_APPNAME of the SummaryInformation property set, read from its first 64 KB only. Not
    olefile's get_metadata(): it follows a vector's stated count (up to 2^32 items) and hangs on a damaged
    stream."""
    if "\x05SummaryInformation" not in streams:
        return b""
    data = ole.openstream("\x05SummaryInformation").read(64 * 1024)
    # Header (28 bytes), then the first section's FMTID (16) and offset (4); a section is its size, its
    # property count, then (id, offset) pairs with offsets from the section's start.
    (section,) = struct.unpack_from("<I", data, 44)
    _, count = struct.unpack_from("<II", data, section)
    for i in range(min(count, _MAX_PROPS)):
        pid, offset = struct.unpack_from("<II", data, section + 8 + 8 * i)
        if pid == _PID_APPNAME:
            vtype, size = struct.unpack_from("<II", data, section + offset)
            if vtype != _VT_LPSTR:
                return b""
            start = section + offset + 8
            name: bytes = data[start : start + min(size, 1024)].split(b"\x00", 1)[0]
            return name
    return b""


def _text_kind(head: bytes) -> str:
    probe = head[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if probe.startswith(b"{\\rtf"):
        return "doc"
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "unknown"
    if any(mark in probe[:2048] for mark in _HTML_MARKS) or (
        probe.startswith(b"<?xml") and b"<html" in probe
    ):
        return "html"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "html" if b"<\x00h\x00t\x00m\x00l" in head.lower() else "text"
    bad = sum(1 for b in head[:4096] if b < 9 or 13 < b < 32)
    return "text" if head and bad * 100 < len(head[:4096]) else "unknown"


def _image_kind(head: bytes) -> str | None:
    """Raster images by their signatures (tables are published as pictures inside article pages)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    # BMP: "BM", then a DIB header of one of the known sizes at offset 14 (two letters alone are weak).
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and struct.unpack("<I", head[14:18])[0] in (12, 40, 52, 56, 64, 108, 124)
    ):
        return "bmp"
    return None


def sniff_bytes(head: bytes) -> str:
    """Media type from the first bytes of a file (the whole file when it is small)."""
    image = _image_kind(head)
    if image:
        return image
    if head[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        names = _local_names(head)
        # Only the head: the local headers are all we have unless the whole (small) file is here.
        # Any failure (a bad UTF-8 name under the UTF-8 flag, a short record) leaves the local names.
        with contextlib.suppress(Exception):
            names += zipfile.ZipFile(io.BytesIO(head)).namelist()
        return _zip_kind(names)
    if head.startswith(RAR_MAGIC):
        return "rar"
    if head.startswith(SEVENZ_MAGIC):
        return "7z"
    if head.startswith(ZIP_EMPTY):
        return "zip"
    if head.startswith(OLE_MAGIC):
        try:
            with olefile.OleFileIO(io.BytesIO(head)) as ole:
                return _ole_kind(ole)
        except Exception:  # a truncated head: OLE2 is most often a Word document
            return "doc"
    return _text_kind(head)


def sniff_file(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(HEAD)
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as zf:
                return _zip_kind(zf.namelist())
        except Exception:  # BadZipFile, UnicodeDecodeError, struct.error … from a damaged directory
            return _zip_kind(_local_names(head))
    if head.startswith(OLE_MAGIC):
        try:
            with olefile.OleFileIO(str(path)) as ole:
                return _ole_kind(ole)
        except Exception:  # unreadable OLE2: let the Word path try and fail with its own message
            return "doc"
    return sniff_bytes(head)
