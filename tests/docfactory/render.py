"""Render report specs to real documents: docx, pdf, doc, html, xlsx, scan (image-only PDF), text.

`render()` makes one file; `render_many()` makes a batch with ONE LibreOffice call per target format.
Files are named `<stem>.<ext>` where stem defaults to a slug of the spec (`spec_key`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.docfactory.convert import ConversionError, scan_pdf, soffice_convert
from tests.docfactory.docx_writer import write_docx
from tests.docfactory.html_writer import write_html
from tests.docfactory.random_specs import random_spec
from tests.docfactory.spec import ReportSpec, parse_value, truth_checks, truth_stats
from tests.docfactory.text_writer import write_text
from tests.docfactory.xlsx_writer import write_xlsx

__all__ = [
    "FORMATS",
    "ConversionError",
    "ReportSpec",
    "parse_value",
    "random_spec",
    "render",
    "render_many",
    "spec_key",
    "truth_checks",
    "truth_stats",
]

FORMATS = ("docx", "pdf", "doc", "html", "xlsx", "scan", "text")
_EXT = {
    "docx": "docx",
    "pdf": "pdf",
    "doc": "doc",
    "html": "html",
    "xlsx": "xlsx",
    "scan": "pdf",
    "text": "txt",
}
_DIRECT = {"docx": write_docx, "html": write_html, "xlsx": write_xlsx, "text": write_text}


def spec_key(spec: ReportSpec) -> str:
    """A stable ASCII file stem for a spec (agency and title are Chinese)."""
    digest = hashlib.sha256(f"{spec.agency}|{spec.year}|{spec.title}".encode()).hexdigest()[:10]
    return f"r{spec.year}_{digest}"


def _target(out_dir: Path, stem: str, fmt: str) -> Path:
    suffix = "_scan" if fmt == "scan" else ""
    return out_dir / f"{stem}{suffix}.{_EXT[fmt]}"


def render(spec: ReportSpec, fmt: str, out_dir: Path, stem: str | None = None) -> Path:
    """One document of `spec` in `fmt`; raises ConversionError when an outside tool fails."""
    return render_many([spec], [fmt], out_dir, stems=[stem] if stem else None)[0][fmt]


def render_many(
    specs: Sequence[ReportSpec],
    fmts: Iterable[str],
    out_dir: Path,
    stems: Sequence[str] | None = None,
) -> list[dict[str, Path]]:
    """Every spec in every format: one dict fmt → path per spec, in the order of `specs`."""
    fmts = list(fmts)
    unknown = [f for f in fmts if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format(s) {unknown}; known: {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    names = list(stems) if stems else [spec_key(s) for s in specs]
    results: list[dict[str, Path]] = [{} for _ in specs]
    for fmt in fmts:
        if fmt in _DIRECT:
            for i, spec in enumerate(specs):
                results[i][fmt] = _DIRECT[fmt](spec, _target(out_dir, names[i], fmt))
    lo_formats = [f for f in ("pdf", "doc") if f in fmts or (f == "pdf" and "scan" in fmts)]
    if lo_formats:
        with tempfile.TemporaryDirectory(prefix="govarchive-render-") as tmp:
            docx_paths = [write_docx(spec, Path(tmp) / f"{names[i]}.docx") for i, spec in enumerate(specs)]
            for fmt in lo_formats:
                outs = soffice_convert(docx_paths, fmt, out_dir if fmt in fmts else Path(tmp))
                for i, path in enumerate(outs):
                    results[i][fmt] = path
            if "scan" in fmts:
                for i in range(len(specs)):
                    results[i]["scan"] = scan_pdf(results[i]["pdf"], _target(out_dir, names[i], "scan"))
                    if "pdf" not in fmts:
                        del results[i]["pdf"]
    return results


def main(argv: list[str] | None = None) -> None:
    """`python -m tests.docfactory.render --count 20 --formats pdf,docx --out DIR`: a random corpus plus, per
    document stem, `<stem>.truth.json` (the eval truth format) for benchmarks and extractor tests."""
    parser = argparse.ArgumentParser(description="Render random, consistent annual reports with their truth.")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--formats", default="docx,pdf")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0, help="first seed; specs use seed, seed+1, …")
    parser.add_argument("--errors", type=float, default=0.2, help="share of specs with one planted error")
    args = parser.parse_args(argv)
    fmts = [f.strip() for f in args.formats.split(",") if f.strip()]
    if unknown := [f for f in fmts if f not in FORMATS]:
        parser.error(f"unknown format(s) {unknown}; known: {', '.join(FORMATS)}")
    n_err = round(args.count * args.errors)
    specs = [
        random_spec(args.seed + i, "2019" if i % 2 else "2021", with_error=i < n_err)
        for i in range(args.count)
    ]
    stems = [f"s{args.seed + i:05d}_{spec_key(spec)}" for i, spec in enumerate(specs)]  # unique per seed
    results = render_many(specs, fmts, args.out, stems=stems)
    for stem, spec in zip(stems, specs, strict=True):
        truth = args.out / f"{stem}.truth.json"
        truth.write_text(json.dumps(spec.truth(), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {sum(len(r) for r in results)} documents and {len(specs)} truth files to {args.out}")


if __name__ == "__main__":
    main()
