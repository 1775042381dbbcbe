"""Archive packages: real zips (Python's zipfile and Info-ZIP's `zip`), 7z written by libarchive, a RAR 4
built by hand to the format's documented layout; GBK names, traversal names, bombs, encryption, damage."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from archive.extract import extract_file
from archive.extract.package import PackageLimits, extract_package, read_package, safe_member_name
from archive.extract.sniff import sniff_file
from archive.store.blobs import BlobStore
from tests.conftest import run_cli
from tests.fixtures_docs import build_report_xlsx, report_docx

needs_zip = pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP zip not installed")


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _patch_names(path: Path, swaps: dict[bytes, bytes]) -> Path:
    """Rewrite name bytes in the local headers and the central directory (same length), the way a tool
    writing in the local code page without the UTF-8 flag leaves them — what zipfile itself cannot write."""
    data = path.read_bytes()
    for old, new in swaps.items():
        assert len(old) == len(new) and data.count(old) == 2
        data = data.replace(old, new)
    path.write_bytes(data)
    return path


def _rar4(files: list[tuple[str, bytes, bool]]) -> bytes:
    """A RAR 4 archive of stored members (method 0x30) as WinRAR writes them on Windows (host OS 2,
    attribute ARCHIVE): marker, archive header, file headers, end block; each header's CRC is the low 16
    bits of CRC-32 over the header from its type byte."""

    def block(htype: int, flags: int, body: bytes, data: bytes = b"") -> bytes:
        hdr = struct.pack("<BHH", htype, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(hdr) & 0xFFFF) + hdr + data

    out = b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\x00" * 6)
    for name, data, encrypted in files:
        raw = name.encode("utf-8")
        flags = 0x8000 | (0x04 if encrypted else 0) | (0x200 if not raw.isascii() else 0)
        body = struct.pack(
            "<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data), 0, 20, 0x30, len(raw), 0x20
        )
        out += block(0x74, flags, body + raw, data)
    return out + block(0x7B, 0x4000, b"")


def _7z(path: Path, members: dict[str, bytes]) -> Path:
    libarchive = pytest.importorskip("libarchive")
    with libarchive.file_writer(str(path), "7zip") as archive:
        for name, data in members.items():
            archive.add_file_from_memory(name, len(data), data)
    return path


def test_zipfile_package_members_and_report(tmp_path: Path) -> None:
    docx = report_docx().read_bytes()
    path = _zip(tmp_path / "附件.zip", {"附件1：年度报告.docx": docx, "说明.txt": "附件说明".encode()})
    assert sniff_file(path) == "zip"
    pkg = read_package(path)
    assert pkg.error is None and pkg.errors == []
    assert [(m.name, m.media_type) for m in pkg.members] == [
        ("附件1：年度报告.docx", "docx"),
        ("说明.txt", "text"),
    ]
    assert pkg.members[0].data == docx
    # Two documents, one named as the report: the dispatch extracts that one.
    ext = extract_file(path)
    direct = extract_file(report_docx())
    assert ext.error is None, ext.error
    assert ext.media_type == "zip"
    assert ext.tables == direct.tables and len(ext.tables) == 3
    assert ext.text.startswith(direct.text)
    assert "附件1：年度报告.docx\tdocx\t" in ext.text
    assert ext.extractor.startswith("package/附件1：年度报告.docx:")


def test_package_without_a_report_member_lists_it(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "p.zip", {"a.docx": report_docx().read_bytes(), "b.docx": report_docx().read_bytes()}
    )
    ext = extract_package(path)
    assert ext.error is None and ext.tables == []
    assert ext.text.splitlines()[1:] == [
        f"a.docx\tdocx\t{report_docx().stat().st_size}",
        f"b.docx\tdocx\t{report_docx().stat().st_size}",
    ]


@needs_zip
def test_info_zip_utf8_and_gbk_names(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    xlsx = build_report_xlsx(tmp_path / "r.xlsx").read_bytes()
    (src / "年度报告.xlsx").write_bytes(xlsx)  # UTF-8 on disk: Info-ZIP stores the bytes, no UTF-8 flag
    gbk = "附件二说明.txt".encode("gbk")
    with open(os.path.join(os.fsencode(src), gbk), "wb") as fh:  # a file named in GBK bytes on disk
        fh.write("GBK 名".encode())
    out = tmp_path / "info.zip"
    subprocess.run(["zip", "-q", "-X", str(out), *sorted(os.listdir(os.fsencode(src)))], cwd=src, check=True)
    with zipfile.ZipFile(out) as zf:
        assert all(not (i.flag_bits & 0x800) for i in zf.infolist())
    pkg = read_package(out)
    assert pkg.error is None and pkg.errors == []
    assert sorted((m.name, m.media_type) for m in pkg.members) == [
        ("年度报告.xlsx", "xlsx"),
        ("附件二说明.txt", "text"),
    ]
    ext = extract_file(out)
    assert ext.error is None and ext.tables == extract_file(tmp_path / "r.xlsx").tables


def test_windows_gbk_names_without_utf8_flag(tmp_path: Path) -> None:
    name = "附件：政府信息公开年报.docx"
    raw = name.encode("gbk")
    placeholder = "x" * (len(raw) - 5) + ".docx"
    path = _patch_names(
        _zip(tmp_path / "w.zip", {placeholder: report_docx().read_bytes()}), {placeholder.encode(): raw}
    )
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist()[0] != name  # zipfile alone shows cp437 mojibake
    pkg = read_package(path)
    assert [(m.name, m.media_type, m.raw_name) for m in pkg.members] == [(name, "docx", name)]


def test_hostile_names_are_made_safe(tmp_path: Path) -> None:
    members = {
        "../../etc/passwd": b"root",
        "/abs/report.txt": b"abs",
        "C:\\Windows\\win.ini": b"ini",
        "a/./b/../c.txt": b"dots",
        "NULNAME_.txt": b"nul",
        "..": b"only dots",
        "dup.txt": b"1",
        "./dup.txt": b"2",
        "__MACOSX/._dup.txt": b"resource fork",
    }
    path = _patch_names(_zip(tmp_path / "h.zip", members), {b"NULNAME_.txt": b"NUL\x00NAME.txt"})
    pkg = read_package(path)
    assert pkg.error is None and pkg.errors == []
    assert [(m.name, m.data) for m in pkg.members] == [
        ("etc/passwd", b"root"),
        ("abs/report.txt", b"abs"),
        ("Windows/win.ini", b"ini"),
        ("a/b/c.txt", b"dots"),
        ("NULNAME.txt", b"nul"),
        ("member-5", b"only dots"),
        ("dup.txt", b"1"),
        ("dup~2.txt", b"2"),
    ]
    assert safe_member_name("\u202etxt.exe") == "txt.exe"
    assert safe_member_name("名".encode("gbk")) == "名"
    assert list(tmp_path.iterdir()) == [path]  # nothing written anywhere


def test_bombs_are_refused_before_or_while_inflating(tmp_path: Path) -> None:
    zeros = tmp_path / "zeros.zip"
    with zipfile.ZipFile(zeros, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ok.txt", "正常")
        zf.writestr("bomb.txt", b"\0" * (50 << 20))
    assert zeros.stat().st_size < 200_000
    pkg = read_package(zeros)
    assert "compression ratio" in (pkg.error or "")
    assert [m.name for m in pkg.members] == ["ok.txt"]  # what came before is kept

    text = "年度报告正文。".encode() * 2000  # compresses well but under the ratio: the byte caps apply
    many = _zip(tmp_path / "many.zip", {f"m{i}.txt": text for i in range(30)})
    small = PackageLimits(max_total_bytes=len(text) * 10, max_members=1000)
    pkg = read_package(many, limits=small)
    assert "inflates past" in (pkg.error or "") and len(pkg.members) == 10
    pkg = read_package(many, limits=PackageLimits(max_members=20))
    assert "30 members > limit 20" in (pkg.error or "") and pkg.members == []
    pkg = read_package(many, limits=PackageLimits(max_member_bytes=len(text) - 1))
    assert pkg.error is None and len(pkg.errors) == 30 and "limit" in pkg.errors[0].error

    # extract_file hands the bomb back as an error value
    ext = extract_file(zeros)
    assert ext.media_type == "zip" and ext.error and "compression ratio" in ext.error


def test_nested_packages_one_level(tmp_path: Path) -> None:
    deepest = _zip(tmp_path / "c.zip", {"deep.txt": b"three levels"}).read_bytes()
    inner = _zip(tmp_path / "b.zip", {"inner.txt": "内层".encode(), "c.zip": deepest}).read_bytes()
    outer = _zip(tmp_path / "a.zip", {"报告.zip": inner, "top.txt": b"top"})
    pkg = read_package(outer)
    assert pkg.error is None
    assert [(m.name, m.depth) for m in pkg.members] == [("报告.zip/inner.txt", 1), ("top.txt", 0)]
    assert [(e.name, e.error) for e in pkg.errors] == [("报告.zip/c.zip", "nested zip package not opened")]
    broken = _zip(tmp_path / "d.zip", {"bad.zip": b"PK\x03\x04" + b"\0" * 40, "ok.txt": b"ok"})
    pkg = read_package(broken)
    assert [m.name for m in pkg.members] == ["ok.txt"]
    assert pkg.errors[0].name == "bad.zip" and "corrupt zip" in pkg.errors[0].error


@needs_zip
def test_encrypted_member_is_an_error_value(tmp_path: Path) -> None:
    (tmp_path / "secret.docx").write_bytes(report_docx().read_bytes())
    (tmp_path / "open.txt").write_text("公开")
    enc = tmp_path / "enc.zip"
    subprocess.run(["zip", "-q", "-P", "pw", str(enc), "secret.docx"], cwd=tmp_path, check=True)
    subprocess.run(["zip", "-q", str(enc), "open.txt"], cwd=tmp_path, check=True)
    pkg = read_package(enc)
    assert pkg.error is None
    assert [m.name for m in pkg.members] == ["open.txt"]
    assert [(e.name, e.error) for e in pkg.errors] == [("secret.docx", "encrypted member (password needed)")]
    ext = extract_file(enc)  # the only readable member is text: extracted, the listing names the failure
    assert ext.error is None and "secret.docx\terror\tencrypted member" in ext.text


def test_corrupt_packages_are_error_values(tmp_path: Path) -> None:
    good = _zip(tmp_path / "g.zip", {"a.txt": b"a" * 5000, "b.txt": b"b" * 5000}).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good[: len(good) // 2])
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"PK\x03\x04" + os.urandom(3000))
    flipped = bytearray(good)
    flipped[40] ^= 0xFF  # inside a.txt's deflate stream: a CRC or inflate error for that member
    bad_member = tmp_path / "flip.zip"
    bad_member.write_bytes(bytes(flipped))
    for path in (cut, garbage):
        pkg = read_package(path)
        assert pkg.error and "corrupt zip" in pkg.error, pkg.error
        ext = extract_file(path)
        assert ext.error, path
    pkg = read_package(bad_member)
    assert [m.name for m in pkg.members] == ["b.txt"] and pkg.errors[0].name == "a.txt"
    rar = tmp_path / "cut.rar"
    rar.write_bytes(_rar4([("a.txt", b"x" * 100, False)])[:40])
    assert read_package(rar).error
    assert extract_file(rar).error


def test_seven_zip_and_rar(tmp_path: Path) -> None:
    docx = report_docx().read_bytes()
    sz = _7z(tmp_path / "p.7z", {"报告/2020年度报告.docx": docx, "readme.txt": b"read me"})
    assert sniff_file(sz) == "7z"
    pkg = read_package(sz)
    assert pkg.error is None
    assert [(m.name, m.media_type) for m in pkg.members] == [
        ("报告/2020年度报告.docx", "docx"),
        ("readme.txt", "text"),
    ]
    assert extract_file(sz).tables == extract_file(report_docx()).tables

    rar = tmp_path / "p.rar"
    rar.write_bytes(_rar4([("年度报告.docx", docx, False), ("secret.txt", b"hidden", True)]))
    assert sniff_file(rar) == "rar"
    pkg = read_package(rar)
    assert pkg.error is None
    assert [(m.name, m.media_type, m.data == docx) for m in pkg.members] == [("年度报告.docx", "docx", True)]
    assert [e.name for e in pkg.errors] == ["secret.txt"] and "encrypted" in pkg.errors[0].error
    ext = extract_file(rar)
    assert ext.media_type == "rar" and len(ext.tables) == 3


def test_package_from_blob_store_and_parse_cli(tmp_path: Path) -> None:
    path = _zip(tmp_path / "附件.zip", {"年度报告.xlsx": build_report_xlsx(tmp_path / "r.xlsx").read_bytes()})
    store = BlobStore(tmp_path / "blobs")
    sha, _ = store.put_file(path)
    with store.local_path(sha, scratch=tmp_path) as blob:
        a, b = extract_file(path), extract_file(blob)
    assert a.error is None and (a.text, a.tables) == (b.text, b.tables) and len(a.tables) == 3
    proc = run_cli("parse", str(path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["media_type"] == "zip" and len(out["tables"]) == 3 and out["error"] is None
