"""Fuzz targets: each extractor called exactly as the pipeline calls it, and what counts as a crash.

The crawl and `reprocess` hand a blob to a pool worker (`archive.extract.pool.extract_path`, media type
None so the bytes are sniffed), interpret the extraction in the main process, and read packages with
`read_package` (archive/derive.py `store_members`). A target does the same with fuzzed bytes.

A crash is anything but a documented extraction error:
* an exception escaping (extract_path, read_package and interpret promise never to raise);
* an error value made by the last-resort handler of `extract_file` ("extraction failed: <Type> …",
  "HTML extraction failed: …", "out of memory …"): an unexpected exception the extractor did not name;
* a hang past the per-document limit or a worker over its memory cap (enforced by the fuzzer driver:
  libFuzzer's -timeout and -rss_limit_mb, see benchmarks/fuzz.py).

Seeds are documents made by real tools (tests/docfactory: python-docx, LibreOffice, pdftoppm; the
frozen scans of tests/eval) plus the hand-built OFD and package layouts of the extractor tests.
"""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

TARGETS = ("pdf", "docx", "doc", "xlsx", "xls", "ofd", "html", "package", "image")
# Formats stored as zip containers: a structure-aware mutation edits one member and zips it again.
ZIP_TARGETS = frozenset({"docx", "xlsx", "ofd", "package"})
# Error prefixes of the last-resort handlers (archive/extract/__init__.py): an exception nobody named.
UNEXPECTED = ("extraction failed:", "HTML extraction failed:", "out of memory while extracting")

REGRESSIONS = Path(__file__).resolve().parent / "fuzz_regressions"
EVAL = Path(__file__).resolve().parent / "eval"
SEEDS = Path(__file__).resolve().parent / "fuzz_seeds"


class FuzzFinding(Exception):
    """An input broke the extraction contract."""


def _check(label: str, error: str | None) -> None:
    if error and error.startswith(UNEXPECTED):
        raise FuzzFinding(f"{label}: {error}")


def run_target(target: str, data: bytes, workdir: Path) -> None:
    """Feed `data` through the pipeline's extraction as a blob would go; raise FuzzFinding on a crash."""
    from archive.extract.pool import extract_path
    from archive.report.interpret import interpret

    if target not in TARGETS:
        raise ValueError(f"unknown fuzz target {target!r}")
    path = workdir / "blob"
    path.write_bytes(data)
    url = f"http://www.example.gov.cn/xxgk/{target}/doc"
    charset = "gbk" if target == "html" and data[:1] == b"\x00" else None
    ex = extract_path(str(path), None, str(workdir / "cache"), url, charset)
    _check(target, ex.error)
    interpret(ex)  # the main process reads every extraction: its mapper must take whatever came out
    if target == "html":
        from archive.extract.encoding import decode_html
        from archive.extract.pageinfo import page_info

        text, _ = decode_html(data, None)
        info = page_info(text, url)
        _ = info.meta
        for link in info.links:
            if not link.url.startswith(("http://", "https://")):
                raise FuzzFinding(f"html: link not absolute http(s): {link.url!r}")
    if target == "package":
        from archive.extract.package import read_package

        read_package(path)


# -- seeds -------------------------------------------------------------------------------------------


def _ofd(path: Path) -> Path:
    from tests.test_extract_ofd import ROWS, make_ofd

    return make_ofd(path, ROWS)


def _xls(path: Path) -> Path:
    """The report's three tables as BIFF8 sheets written by xlwt, merged ranges included."""
    import xlwt

    from tests.fixtures_docs import ACTIVE_2019, appeals_spec, applications_spec

    wb = xlwt.Workbook(encoding="utf-8")
    for i, spec in enumerate((ACTIVE_2019, applications_spec(), appeals_spec())):
        ws = wb.add_sheet(f"表{i + 1}")
        taken: set[tuple[int, int]] = set()
        for r, row in enumerate(spec):
            c = 0
            for text, rs, cs in row:
                while (r, c) in taken:
                    c += 1
                taken |= {(r + dr, c + dc) for dr in range(rs) for dc in range(cs)}
                if rs > 1 or cs > 1:
                    ws.write_merge(r, r + rs - 1, c, c + cs - 1, text)
                else:
                    ws.write(r, c, text)
                c += cs
    wb.save(str(path))
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def build_seeds(out: Path = SEEDS) -> dict[str, list[Path]]:
    """Make the seed documents with real tools and freeze them as `out/<target>/<name>` (run once by
    `benchmarks/fuzz.py --build-seeds`; needs LibreOffice and pdftoppm)."""
    from tests.docfactory.convert import soffice_convert
    from tests.docfactory.render import random_spec, render_many
    from tests.fixtures_docs import with_kso_property
    from tests.test_extract_package import _rar4

    tmp = scratch()
    try:
        specs = [random_spec(1, "2019"), random_spec(2, "2021", with_error=True)]
        docs = render_many(specs, ["docx", "html", "xlsx", "pdf", "doc"], tmp)
        made: dict[str, list[Path]] = {t: [] for t in TARGETS}
        for d in docs:
            for fmt, path in d.items():
                made[fmt].append(path)
        made["xls"] = [_xls(tmp / "report.xls")]
        wps = with_kso_property(docs[0]["docx"], tmp / "wps_flavour.docx")
        made["doc"] += soffice_convert([wps], "doc", tmp / "wps")
        made["ofd"] = [_ofd(tmp / "report.ofd")]
        first = docs[0]
        made["package"] = [
            _zip(tmp / "reports.zip", {"报告.docx": first["docx"].read_bytes(), "说明.txt": b"readme"})
        ]
        rar = tmp / "report.rar"
        rar.write_bytes(_rar4([("2021年报告.html", first["html"].read_bytes(), False)]))
        made["package"].append(rar)
        import libarchive

        with libarchive.file_writer(str(tmp / "report.7z"), "7zip") as archive:
            data = first["xlsx"].read_bytes()
            archive.add_file_from_memory("报告.xlsx", len(data), data)
        made["package"].append(tmp / "report.7z")
        out_files: dict[str, list[Path]] = {t: [] for t in TARGETS}
        for target, paths in made.items():
            (out / target).mkdir(parents=True, exist_ok=True)
            for path in paths:
                dest = out / target / path.name
                shutil.copyfile(path, dest)
                out_files[target].append(dest)
        return out_files
    finally:
        clean(tmp)


def seed_files(target: str) -> list[Path]:
    """The frozen seeds of a target, with the frozen evaluation documents that fit it (real pdftoppm
    scans for OCR input, hand-checked HTML variants)."""
    files = sorted((SEEDS / target).glob("*")) if (SEEDS / target).is_dir() else []
    if target == "html":
        files += sorted((EVAL / "variants").glob("*.html"))[:3]
    if target == "image":
        for d in sorted((EVAL / "scans").iterdir()):
            files += sorted(p for p in d.glob("page-*") if p.suffix in (".png", ".jpg"))[:1]
    return files


# -- structure-aware mutation for zip containers -------------------------------------------------------


def mutate_zip(data: bytes, rng: random.Random, mutate: Callable[[bytes, int], bytes]) -> bytes | None:
    """Edit one member of a zip container with `mutate` and write the container again (stored), so the
    fuzzer reaches the XML and member parsers instead of stopping at a bad CRC. None: not a zip."""
    try:
        return _mutate_zip(data, rng, mutate)
    except Exception:  # a mutator must never fail: fall back to plain byte mutation
        return None


def _mutate_zip(data: bytes, rng: random.Random, mutate: Callable[[bytes, int], bytes]) -> bytes | None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()[:64]]
    if not members:
        return None
    k = rng.randrange(len(members))
    name, body = members[k]
    choice = rng.random()
    if choice < 0.8:
        members[k] = (name, mutate(body, max(len(body) * 2, 256)))
    elif choice < 0.9:
        del members[k]
    else:
        members.insert(
            rng.randrange(len(members) + 1), (mutate(name.encode(), 64).decode("utf-8", "replace"), body)
        )
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        warnings.simplefilter("ignore")  # duplicate member names are a mutation like any other
        for name, body in members:
            zf.writestr(name or "x", body)
    return buf.getvalue()


# -- regression files -------------------------------------------------------------------------------


def save_regression(target: str, data: bytes, root: Path = REGRESSIONS) -> Path:
    sha = hashlib.sha256(data).hexdigest()[:16]
    path = root / target / f"{sha}.bin"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def regression_files() -> list[tuple[str, Path]]:
    if not REGRESSIONS.is_dir():
        return []
    return [(d.name, p) for d in sorted(REGRESSIONS.iterdir()) if d.is_dir() for p in sorted(d.glob("*.bin"))]


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="govarchive-fuzz-"))


def clean(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
