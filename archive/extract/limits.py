"""Safety limits checked before any parser sees hostile bytes."""

from __future__ import annotations

import resource
import zipfile
import zlib
from pathlib import Path
from typing import IO

from lxml import etree

MAX_UNCOMPRESSED = 500 * 1024 * 1024  # total inflated size of a zip container
MAX_RATIO = 200  # inflated / compressed, over the whole container (real DOCX/XLSX stay below ~30)
MAX_MEMBERS = 10_000
MAX_MEMBER_READ = 200 * 1024 * 1024  # one XML part read into memory
MAX_PDF_PAGES = 500
MAX_FILE_BYTES = 300 * 1024 * 1024
# Memory of one extraction worker (its heap and private mappings, RLIMIT_DATA; LibreOffice and tesseract
# inherit it). The heaviest real documents stay far below: OCR of a page peaks at ~0.7 GB RSS
# (benchmarks/fuzz.py); a hostile file that needs more gets MemoryError, i.e. an error value.
MAX_WORKER_MEMORY = 2 * 1024 * 1024 * 1024

# No entity expansion, no DTD fetch, no network: XML from the web is hostile.
XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
)


# What a damaged zip container or XML part raises while it is read: zipfile (BadZipFile; NotImplementedError
# for an unknown compression method; RuntimeError for an encrypted member), zlib for a broken deflate
# stream, lxml and ElementTree (both SyntaxError subclasses) for bad XML. Each means "corrupt file".
CORRUPT_CONTAINER: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    SyntaxError,
)


class LimitError(Exception):
    """Input exceeds a safety limit; the message is the clear reason handed back to the caller."""


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def check_zip(zf: zipfile.ZipFile, compressed_size: int) -> None:
    """Refuse zip bombs by the central directory, before inflating anything. Member names are only
    compared as strings, never used as filesystem paths."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise LimitError(f"zip bomb: {len(infos)} members > limit {MAX_MEMBERS}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise LimitError(f"zip bomb: uncompressed {_gb(total)} > limit {_gb(MAX_UNCOMPRESSED)}")
    if compressed_size > 0 and total > 1024 * 1024 and total / compressed_size > MAX_RATIO:
        raise LimitError(f"zip bomb: compression ratio {total / compressed_size:.0f} > limit {MAX_RATIO}")


def open_zip(path: Path) -> zipfile.ZipFile:
    zf = zipfile.ZipFile(path)
    try:
        check_zip(zf, path.stat().st_size)
    except LimitError:
        zf.close()
        raise
    return zf


def read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """Read one member, refusing to inflate more than MAX_MEMBER_READ even if the header lies."""
    with zf.open(name) as fh:
        return _read_capped(fh, name)


def _read_capped(fh: IO[bytes], name: str) -> bytes:
    data = fh.read(MAX_MEMBER_READ + 1)
    if len(data) > MAX_MEMBER_READ:
        raise LimitError(f"zip bomb: member {name!r} inflates past {_gb(MAX_MEMBER_READ)}")
    return data


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, XML_PARSER)


def cap_worker_memory(limit: int = MAX_WORKER_MEMORY) -> None:
    """Run in each extraction worker as it starts: allocations past `limit` fail (MemoryError) instead of
    growing the worker until the machine swaps or the OOM killer picks the crawler."""
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
