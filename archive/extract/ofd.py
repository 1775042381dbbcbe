"""OFD (GB/T 33190, China's fixed-layout format): no working reader on PyPI, but the layout is plain XML in
a zip. Text comes from `TextObject/TextCode` in each page's Content.xml; tables are rebuilt by the same
geometry as PDF tables (archive.extract.pdftables) from thin `PathObject`s and the glyph positions
(`X`, `Y`, `DeltaX`). Units are millimetres in OFD, converted to points so the PDF tolerances apply.
"""

from __future__ import annotations

import contextlib
import itertools
import posixpath
import re
import zipfile
from pathlib import Path

from archive.extract.limits import CORRUPT_CONTAINER, LimitError, open_zip, parse_xml, read_member
from archive.extract.pagejoin import join_pages
from archive.extract.pdftables import Char, Seg, Table, fill, find_tables
from archive.model import Extraction

EXTRACTOR = "ofd-xml"
PT_PER_MM = 72 / 25.4
THIN_MM = 1.0


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _floats(text: str | None) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text or "")]


def _deltas(text: str | None, n: int) -> list[float]:
    """DeltaX/DeltaY: numbers, with `g N v` meaning v repeated N times."""
    out: list[float] = []
    tokens = (text or "").split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out += [float(tokens[i + 2])] * int(float(tokens[i + 1]))
            i += 3
        else:
            with contextlib.suppress(ValueError):
                out.append(float(tokens[i]))
            i += 1
    return (out + [out[-1] if out else 0.0] * n)[: max(0, n - 1)]


def _resolve(base: str, ref: str) -> str:
    ref = ref.strip()
    path = ref.lstrip("/") if ref.startswith("/") else posixpath.join(posixpath.dirname(base), ref)
    return posixpath.normpath(path)


def _page_paths(zf: zipfile.ZipFile) -> list[str]:
    root = parse_xml(read_member(zf, "OFD.xml"))
    doc_root = next((el.text for el in root.iter() if _local(el.tag) == "DocRoot" and el.text), None)
    if not doc_root:
        raise ValueError("OFD.xml names no DocRoot")
    doc_path = _resolve("OFD.xml", doc_root)
    doc = parse_xml(read_member(zf, doc_path))
    return [
        _resolve(doc_path, el.get("BaseLoc", ""))
        for el in doc.iter()
        if _local(el.tag) == "Page" and el.get("BaseLoc")
    ]


def _page(xml: bytes) -> tuple[str, list[Seg], list[Char], float]:
    root = parse_xml(xml)
    segs: list[Seg] = []
    chars: list[Char] = []
    height = 0.0
    for el in root.iter():
        name = _local(el.tag)
        box = _floats(el.get("Boundary"))
        if len(box) != 4:
            continue
        x, y, w, h = box
        height = max(height, y + h)
        if name == "PathObject":
            if h <= THIN_MM and w > h:
                segs.append(Seg(True, (y + h / 2) * PT_PER_MM, x * PT_PER_MM, (x + w) * PT_PER_MM))
            elif w <= THIN_MM and h > w:
                segs.append(Seg(False, (x + w / 2) * PT_PER_MM, y * PT_PER_MM, (y + h) * PT_PER_MM))
        elif name == "TextObject":
            size = float(el.get("Size", "3.5") or 3.5)
            for code in el:
                if _local(code.tag) != "TextCode" or not code.text:
                    continue
                cx, cy = float(code.get("X", "0")), float(code.get("Y", "0"))
                dx = _deltas(code.get("DeltaX"), len(code.text))
                for i, ch in enumerate(code.text):
                    left = x + cx + sum(dx[:i])
                    base = y + cy
                    chars.append(
                        Char(
                            ch,
                            left * PT_PER_MM,
                            (base - size * 0.85) * PT_PER_MM,
                            (left + size) * PT_PER_MM,
                            (base + size * 0.15) * PT_PER_MM,
                        )
                    )
    return _text(chars), segs, chars, height * PT_PER_MM


def _text(chars: list[Char]) -> str:
    """Page text: glyphs grouped into lines by baseline, each line left to right."""
    lines: dict[int, list[Char]] = {}
    for ch in chars:
        lines.setdefault(round(ch.y1 / 2), []).append(ch)
    out = []
    for key in sorted(lines):
        row = sorted(lines[key], key=lambda c: c.x0)
        parts = [row[0].text]
        for prev, cur in itertools.pairwise(row):
            parts.append(("\t" if cur.x0 - prev.x1 > 8 else "") + cur.text)
        out.append("".join(parts))
    return "\n".join(out)


def extract_ofd(path: Path) -> Extraction:
    try:
        with open_zip(path) as zf:
            pages = _page_paths(zf)
            texts: list[str] = []
            tables: list[list[Table]] = []
            height = 0.0
            for page_path in pages:
                text, segs, chars, height = _page(read_member(zf, page_path))
                texts.append(text)
                found = find_tables(segs)
                for t in found:
                    chars = fill(t, chars)
                tables.append(found)
    except LimitError as exc:
        return Extraction("ofd", extractor=EXTRACTOR, error=str(exc))
    except KeyError as exc:
        return Extraction("ofd", extractor=EXTRACTOR, error=f"corrupt OFD: missing part {exc}")
    except CORRUPT_CONTAINER as exc:
        return Extraction("ofd", extractor=EXTRACTOR, error=f"corrupt OFD: {type(exc).__name__}: {exc}")
    if not pages:
        return Extraction("ofd", extractor=EXTRACTOR, error="unsupported format: OFD without pages")
    return Extraction(
        "ofd",
        text="\f".join(texts),
        tables=join_pages(tables, height),
        pages=len(pages),
        extractor=EXTRACTOR,
    )
