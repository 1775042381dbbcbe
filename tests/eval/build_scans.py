"""Build the frozen scan evaluation set in tests/eval/scans/ (run once; its output is committed).

    PYTHONPATH=. .venv/bin/python tests/eval/build_scans.py

Three reports (a 2021-template report whose applications table runs over a page with its header repeated,
a 2019 one laid out the same way, a 2021 one with a planted inconsistency) are rendered to PDF by the
project's renderer and LibreOffice, each page drawn with pdftoppm at the variant's resolution and spoiled
by tests/eval/scanlike.py. Beside the page images: `truth/<doc>.json` (figures under canonical codes and
rule verdicts) and `manifest.json` (variant → pages, dpi, degradation). The evaluation reads only those
frozen files, so a change of renderer or LibreOffice cannot move the measurements.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from govarchive.render import random_spec, render_many  # noqa: E402
from govarchive.render_spec import ReportSpec  # noqa: E402

from tests.eval.scanlike import Degradation, degrade, encode  # noqa: E402

OUT = ROOT / "tests" / "eval" / "scans"


def specs() -> dict[str, ReportSpec]:
    a = random_spec(101, "2021")
    a.split_page_break = a.repeat_header = True
    b = random_spec(102, "2019")
    b.split_page_break = b.repeat_header = True
    c = random_spec(103, "2021", with_error=True)
    return {"r2021": a, "r2019": b, "r2021err": c}


# name → (document, dpi, degradation). The first two are the short set run by `./run test`.
VARIANTS: dict[str, tuple[str, int, Degradation]] = {
    # The reported failure: a clean grey 150-dpi scan of a 2021 report, table over two pages.
    "r2021-grey150": ("r2021", 150, Degradation("grey", 80, speckle=0.3, skew=0.6, seal=(-1, -1))),
    "r2021err-seal200": (
        "r2021err",
        200,
        Degradation("colour", 70, speckle=0.5, skew=-1.0, seal=(-1, -1), blur=0.4),
    ),
    "r2021-bw200-skew": ("r2021", 200, Degradation("bw", None, speckle=1.5, skew=2.5, blur=0.5)),
    "r2019-grey200-jpeg": ("r2019", 200, Degradation("grey", 30, speckle=0.5, skew=-3.0, blur=0.6)),
    "r2019-bw300": ("r2019", 300, Degradation("bw", None, speckle=1.0, skew=-1.2)),
    "r2021err-grey150-speckle": (
        "r2021err",
        150,
        Degradation("grey", 60, speckle=3.0, skew=-2.5, blur=0.3),
    ),
    "r2019-bw150": ("r2019", 150, Degradation("bw", None, speckle=0.5, skew=1.5)),
}


def _signature(pdf: Path) -> tuple[int, float, float]:
    """Page index and centre (fractions) of the signing body's name on the last page with text."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[len(doc) - 1]
        tp = page.get_textpage()
        text = tp.get_text_range()
        first = text.strip().splitlines()[0].strip()
        found = tp.search(first).get_next()
        w, h = page.get_width(), page.get_height()
        if found:
            left, bottom, right, top = tp.get_charbox(found[0] + found[1] - 1)
            return len(doc) - 1, (left + right) / 2 / w - 0.03, 1 - (top + bottom) / 2 / h + 0.01
        return len(doc) - 1, 0.75, 0.1
    finally:
        doc.close()


def _table_spot(pdf: Path) -> tuple[int, float, float]:
    """A spot over figures of the applications table (the row 三、本年度办理结果 starts), where a seal
    stamped carelessly lands on the numbers."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for i, page in enumerate(doc):
            tp = page.get_textpage()
            found = tp.search("予以公开").get_next()
            if found:
                _, bottom, _, top = tp.get_charbox(found[0])
                return i, 0.62, 1 - (top + bottom) / 2 / page.get_height()
        return 0, 0.6, 0.5
    finally:
        doc.close()


def build(out: Path = OUT) -> None:
    if out.exists():
        shutil.rmtree(out)
    (out / "truth").mkdir(parents=True)
    docs = specs()
    manifest: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="govarchive-scans-") as tmp:
        pdfs = render_many(list(docs.values()), ["pdf"], Path(tmp), stems=list(docs))
        for name, spec in docs.items():
            (out / "truth" / f"{name}.json").write_text(
                json.dumps(spec.truth(), ensure_ascii=False, indent=1), encoding="utf-8"
            )
        pdf_of = {name: p["pdf"] for name, p in zip(docs, pdfs, strict=True)}
        for variant, (doc, dpi, how) in VARIANTS.items():
            pdf = pdf_of[doc]
            seals: dict[int, tuple[float, float]] = {}
            if how.seal is not None:
                page, x, y = _signature(pdf)
                seals[page] = (x, y)
                if how.mode == "colour":  # the hard case: a seal over the table's figures too
                    page, x, y = _table_spot(pdf)
                    seals.setdefault(page, (x, y))
            colour = ["-gray"] if how.mode != "colour" else []
            subprocess.run(
                ["pdftoppm", "-r", str(dpi), *colour, "-png", str(pdf), f"{tmp}/{variant}"],
                check=True,
                timeout=120,
            )
            pages = []
            (out / variant).mkdir()
            for k, png in enumerate(sorted(Path(tmp).glob(f"{variant}-*.png"))):
                with Image.open(png) as im:
                    page_how = dataclasses.replace(how, seal=seals.get(k))
                    img = degrade(im, dpi, page_how, seed=k + 17 * len(variant))
                data, ext = encode(img, how)
                name = f"{variant}/page-{k + 1}.{ext}"
                (out / name).write_bytes(data)
                pages.append(name)
            manifest[variant] = {
                "document": doc,
                "truth": f"truth/{doc}.json",
                "dpi": dpi,
                "degradation": dataclasses.asdict(dataclasses.replace(how, seal=None))
                | {"seal": sorted(seals)},
                "pages": pages,
            }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{len(manifest)} variants, {total / 1e6:.2f} MB in {out}")


if __name__ == "__main__":
    build()
