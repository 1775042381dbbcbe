"""Archive packages (ZIP, RAR, 7z) opened safely: each member comes back as (safe name, bytes, sniffed media
type), each failure as a value. Nothing is ever written to disk under a member's name.

- ZIP with the standard library's zipfile: it exposes the raw name bytes and flags, so names written by
  Chinese Windows tools (GBK bytes without the UTF-8 flag, which zipfile shows as cp437) can be recovered.
- RAR (4 and 5) and 7z with libarchive (Debian libarchive13, BSD) through libarchive-c (CC0), imported only
  when such a package is met; without the library they are an error value.

Limits against bombs count the bytes actually inflated, never only what headers claim: total bytes of the
package (nested members included), bytes of one member, member count, the ratio of inflated to compressed
bytes, and depth — a package inside a package is opened one level, a third level is an error value.
Members that are packages are never returned themselves: their members are (named `outer.zip/inner.docx`).
"""

from __future__ import annotations

import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from archive.extract.limits import CORRUPT_CONTAINER, MAX_FILE_BYTES, MAX_RATIO
from archive.extract.sniff import sniff_bytes
from archive.model import Extraction

PACKAGE_TYPES = ("zip", "rar", "7z")
CHUNK = 1 << 20
# Noise that archivers on macOS and Windows add; not members anyone sent.
_NOISE = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_UNICODE_PATH_EXTRA = (
    0x7075  # Info-ZIP: the UTF-8 name, for a header whose name field is in a local code page
)


@dataclass(frozen=True)
class PackageLimits:
    max_total_bytes: int = MAX_FILE_BYTES  # all members inflated, nested packages included
    max_member_bytes: int = MAX_FILE_BYTES  # one member inflated
    max_members: int = 1_000  # a report package holds a handful; thousands is a bomb or not a report
    max_ratio: int = MAX_RATIO  # inflated / compressed, checked once more than ratio_floor bytes came out
    ratio_floor: int = 1 << 20  # small members compress absurdly well (a page of spaces) and are harmless
    max_depth: int = 1  # a package inside the package is read; one inside that is not


DEFAULT_LIMITS = PackageLimits()
# A package that cannot be read (its directory, a header, an unknown zip version): an error value.
_CORRUPT: tuple[type[BaseException], ...] = (*CORRUPT_CONTAINER, struct.error)


@dataclass(frozen=True)
class Member:
    name: str  # safe: relative, '/'-separated, no '..', no control characters, unique in the package
    data: bytes
    media_type: str  # sniffed from the bytes (archive.extract.sniff)
    raw_name: str = ""  # as decoded from the header, before it was made safe
    depth: int = 0  # 1: found inside a package inside this one


@dataclass(frozen=True)
class MemberError:
    name: str  # safe name, as for Member
    error: str


@dataclass
class Package:
    media_type: str  # zip | rar | 7z
    members: list[Member] = field(default_factory=list)
    errors: list[MemberError] = field(default_factory=list)
    error: str | None = None  # the package as a whole: corrupt, a bomb (members read before it may be kept)

    def listing(self) -> str:
        """One line per member and per failed member, tab-separated: name, media type, size or error."""
        lines = [f"{m.name}\t{m.media_type}\t{len(m.data)}" for m in self.members]
        lines += [f"{e.name}\terror\t{e.error}" for e in self.errors]
        if self.error:
            lines.append(f"\terror\t{self.error}")
        return "\n".join(lines)


class _Stop(Exception):
    """A limit of the whole package (nested ones included): stop reading, keep what was read."""


class _Corrupt(Exception):
    """One package (the outer or a nested one) cannot be read: corrupt, encrypted, no library."""


class _MemberTooBig(Exception):
    pass


def package_type(head: bytes) -> str | None:
    """zip, rar or 7z by magic number; None otherwise (also for DOCX/XLSX/OFD: zips that are documents)."""
    kind = sniff_bytes(head)
    return kind if kind in PACKAGE_TYPES else None


# ---- names ----------------------------------------------------------------------------------------------


def decode_zip_name(info: zipfile.ZipInfo) -> str:
    """The member name as its writer meant it. Flag bit 11 says UTF-8; otherwise the bytes are in the
    writer's code page (zipfile decoded them as cp437): UTF-8 from Linux/macOS tools, GBK/GB18030 from
    Chinese Windows."""
    if info.flag_bits & 0x800:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")
    unicode_path = _unicode_path_extra(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def _unicode_path_extra(extra: bytes, raw: bytes) -> str | None:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[pos : pos + 4])
        body = extra[pos + 4 : pos + 4 + size]
        # Valid only while the name field is the one it was written for (same CRC).
        if (
            tag == _UNICODE_PATH_EXTRA
            and len(body) > 5
            and body[0] == 1
            and struct.unpack("<I", body[1:5])[0] == zlib.crc32(raw)
        ):
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos += 4 + size
    return None


def safe_member_name(name: str | bytes, index: int = 0) -> str:
    """A relative '/'-path with no way out: drive letters, absolute roots, '.', '..', NUL and control
    characters are dropped, backslashes are separators. Never empty."""
    if isinstance(name, bytes):
        try:
            text = name.decode("utf-8")
        except UnicodeDecodeError:
            text = name.decode("gb18030", "replace")
    else:
        text = name
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text)).replace("\\", "/")
    text = re.sub(r"^[A-Za-z]:", "", text)
    parts = [p.strip()[:200] for p in text.split("/")]
    parts = [p for p in parts if p and p not in (".", "..")]
    return "/".join(parts[-20:]) or f"member-{index}"


class _Names:
    def __init__(self) -> None:
        self._seen: set[str] = set()

    def unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self._seen:
            n += 1
            stem, dot, ext = name.rpartition(".")
            candidate = f"{stem}~{n}.{ext}" if dot and "/" not in ext else f"{name}~{n}"
        self._seen.add(candidate)
        return candidate


# ---- reading --------------------------------------------------------------------------------------------


class _Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


class _Budget:
    """Bytes and members left for the whole package, shared by nested packages."""

    def __init__(self, limits: PackageLimits) -> None:
        self.limits = limits
        self.bytes_left = limits.max_total_bytes
        self.members_left = limits.max_members

    def read(self, fh: _Readable, compressed: int) -> bytes:
        """Inflate one member, counting every byte against the member and package limits and the ratio
        to `compressed` (the member's, or the whole package's when members share one stream)."""
        lim = self.limits
        out = bytearray()
        while chunk := fh.read(CHUNK):
            out += chunk
            if len(out) > lim.max_member_bytes:
                raise _MemberTooBig(f"member inflates past {lim.max_member_bytes} bytes")
            if len(out) > self.bytes_left:
                raise _Stop(f"package inflates past {lim.max_total_bytes} bytes (bomb?)")
            if compressed > 0 and len(out) > lim.ratio_floor and len(out) / compressed > lim.max_ratio:
                raise _Stop(f"compression ratio over {lim.max_ratio} (bomb?)")
        self.bytes_left -= len(out)
        return bytes(out)

    def take_member(self) -> None:
        if self.members_left <= 0:
            raise _Stop(f"more than {self.limits.max_members} members")
        self.members_left -= 1


@dataclass
class _Entry:
    """One member as any package reader yields it, before the bytes are judged."""

    raw_name: str
    data: bytes | None
    error: str | None = None


def _zip_entries(data: bytes, budget: _Budget) -> Iterator[_Entry]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        # Not ZipInfo.is_dir(): it indexes the name's last character and fails on an empty name.
        infos = [i for i in zf.infolist() if not i.filename.endswith("/")]
        if len(infos) > budget.members_left:
            raise _Stop(f"{len(infos)} members > limit {budget.limits.max_members}")
        for info in infos:
            name = decode_zip_name(info)
            if _NOISE.search(name):
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                yield _Entry(name, None, "a symbolic link, not a file")
                continue
            if info.flag_bits & 0x1:
                yield _Entry(name, None, "encrypted member (password needed)")
                continue
            lim = budget.limits
            if info.file_size > lim.max_member_bytes:
                yield _Entry(name, None, f"member declares {info.file_size} bytes > limit")
                continue
            if (
                info.file_size > lim.ratio_floor
                and info.file_size / max(info.compress_size, 1) > lim.max_ratio
            ):
                raise _Stop(
                    f"member {safe_member_name(name)!r}: compression ratio "
                    f"{info.file_size / max(info.compress_size, 1):.0f} > limit {lim.max_ratio} (bomb?)"
                )
            try:
                with zf.open(info) as fh:
                    yield _Entry(name, budget.read(fh, info.compress_size))
            except _MemberTooBig as exc:
                yield _Entry(name, None, str(exc))
            except NotImplementedError as exc:  # deflate64, AES, … : zipfile cannot inflate it
                yield _Entry(name, None, f"unsupported compression: {exc}")
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as exc:
                yield _Entry(name, None, f"corrupt member: {exc}")


def _libarchive_entries(data: bytes, kind: str, budget: _Budget) -> Iterator[_Entry]:
    try:
        import ctypes

        import libarchive
        from libarchive.exception import ArchiveError
    except (ImportError, OSError, AttributeError) as exc:
        raise _Corrupt(f"{kind} packages need libarchive (Debian libarchive13): {exc}") from None
    is_encrypted = getattr(libarchive.ffi.libarchive, "archive_entry_is_encrypted", None)
    if is_encrypted is not None:
        is_encrypted.argtypes, is_encrypted.restype = [ctypes.c_void_p], ctypes.c_int
    fmt = {"rar": "rar5" if data[6:8] == b"\x01\x00" else "rar", "7z": "7zip"}[kind]
    try:
        with libarchive.memory_reader(data, format_name=fmt) as archive:
            for entry in archive:
                if entry.isdir:
                    continue
                name = entry.pathname
                name = name if isinstance(name, str) else safe_member_name(name or b"")
                if _NOISE.search(name):
                    continue
                if budget.members_left <= 0:
                    raise _Stop(f"more than {budget.limits.max_members} members")
                # Mode bits are absent in some headers (a DOS host): only what is surely not a file is refused.
                if entry.issym or entry.islnk or entry.ischr or entry.isblk or entry.isfifo or entry.issock:
                    yield _Entry(name, None, "a link or special file, not a file")
                    continue
                if is_encrypted is not None and is_encrypted(entry._entry_p):
                    yield _Entry(name, None, "encrypted member (password needed)")
                    continue
                try:
                    # Solid archives share one stream: the ratio is judged against the whole package.
                    yield _Entry(name, budget.read(_Blocks(entry), len(data)))
                except _MemberTooBig as exc:
                    yield _Entry(name, None, str(exc))
    except ArchiveError as exc:
        msg = str(exc)
        if "ncrypt" in msg or "assphrase" in msg:
            raise _Corrupt("encrypted package (password needed)") from None
        raise _Corrupt(f"corrupt {kind} package: {msg}") from None


class _Blocks:
    """A file-like read() over libarchive-c's block iterator, so one reader counts bytes for every format."""

    def __init__(self, entry: object) -> None:
        self._it = iter(entry.get_blocks())  # type: ignore[attr-defined]
        self._buf = b""

    def read(self, n: int) -> bytes:
        while len(self._buf) < n:
            block = next(self._it, None)
            if block is None:
                break
            self._buf += bytes(block)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out


def _walk(
    data: bytes, kind: str, budget: _Budget, out: Package, names: _Names, prefix: str, depth: int
) -> None:
    entries = _zip_entries(data, budget) if kind == "zip" else _libarchive_entries(data, kind, budget)
    for index, entry in enumerate(entries):
        budget.take_member()
        safe = prefix + safe_member_name(entry.raw_name, index)
        if entry.data is None:
            out.errors.append(MemberError(names.unique(safe), entry.error or "unreadable"))
            continue
        media = sniff_bytes(entry.data) if entry.data else "unknown"
        if media in PACKAGE_TYPES:
            if depth >= budget.limits.max_depth:
                out.errors.append(MemberError(names.unique(safe), f"nested {media} package not opened"))
                continue
            try:
                _walk(entry.data, media, budget, out, names, safe + "/", depth + 1)
            except _Corrupt as exc:  # a bomb inside (_Stop) stops the whole package instead
                out.errors.append(MemberError(names.unique(safe), str(exc)))
            except _CORRUPT as exc:
                out.errors.append(MemberError(names.unique(safe), f"corrupt {media} package: {exc}"))
            continue
        out.members.append(Member(names.unique(safe), entry.data, media, entry.raw_name, depth))


def read_package(
    source: Path | bytes, media_type: str | None = None, *, limits: PackageLimits = DEFAULT_LIMITS
) -> Package:
    """Every member of a ZIP/RAR/7z package, within `limits`; never raises for hostile or broken input.

    media_type: zip, rar or 7z when already sniffed; otherwise sniffed here. Members come in archive order.
    """
    try:
        data = source if isinstance(source, bytes) else source.read_bytes()
    except OSError as exc:
        return Package(media_type or "unknown", error=f"cannot read package: {exc}")
    kind = media_type or package_type(data[:65536]) or "unknown"
    out = Package(kind)
    if kind not in PACKAGE_TYPES:
        out.error = f"not a zip, rar or 7z package ({kind})"
        return out
    try:
        _walk(data, kind, _Budget(limits), out, _Names(), "", 0)
    except (_Stop, _Corrupt) as exc:
        out.error = str(exc)
    except _CORRUPT as exc:
        out.error = f"corrupt {kind} package: {exc}"
    return out


# ---- one file's view, for `govarchive parse` and the extract dispatch ------------------------------------

# Members that can be a copy of the report (images are read by OCR as well, so they count).
_NOT_DOCUMENTS = ("unknown",)


def _report_member(members: list[Member]) -> Member | None:
    """The member that is the report: the only document, or the only document named as an annual report."""
    docs = [m for m in members if m.media_type not in _NOT_DOCUMENTS]
    if len(docs) == 1:
        return docs[0]
    named = [
        m for m in docs if "年度报告" in m.name.rsplit("/", 1)[-1] or "年报" in m.name.rsplit("/", 1)[-1]
    ]
    return named[0] if len(named) == 1 else None


def extract_package(
    path: Path, media_type: str | None = None, *, cache_dir: Path | None = None
) -> Extraction:
    """The package's listing as text; when one member is the report, that member's extraction with the
    listing after its text (so a title block at the top stays the report's). Never raises."""
    import tempfile

    from archive.extract import extract_file

    pkg = read_package(path, media_type)
    listing = "[package members]\n" + pkg.listing()
    member = _report_member(pkg.members)
    if member is None:
        error = pkg.error or (None if pkg.members else "package holds no readable member")
        return Extraction(pkg.media_type, text=listing, extractor="package", error=error)
    with tempfile.TemporaryDirectory(prefix="govarchive-pkg-") as tmp:
        work = Path(tmp) / "member"  # a fixed name: the member's own name comes from the web
        work.write_bytes(member.data)
        inner = extract_file(work, member.media_type, cache_dir=cache_dir)
    inner.text = f"{inner.text}\n\n{listing}" if inner.text else listing
    inner.extractor = f"package/{member.name}:{inner.extractor}"
    inner.media_type = pkg.media_type
    if inner.error is None and pkg.error:
        inner.error = pkg.error
    return inner
