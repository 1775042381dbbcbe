"""Build the frozen picture evaluation set in tests/eval/pictures/ (run once; its output is committed).

    PYTHONPATH=. .venv/bin/python tests/eval/build_pictures.py

Portals publish a report's tables as pictures: screenshots at 96-150 dpi, PNG or JPEG. None of these is
made by the project's scan pipeline (LibreOffice → PDF → pdftoppm); two independent looks:

- `pil`: tests/zoo/docs.py's Pillow renderer (Noto Sans CJK, 1-px black rules, text centred and, in its
  narrow label cells, running over the rules), saved as PNG or as greyscale JPEG at quality 82;
- `chrome`: our own HTML table (Noto Serif CJK, grey 1-px collapsed borders, shaded header rows) drawn by
  headless Chromium at a device scale of dpi/96, cropped to its content, kept as PNG or re-compressed
  as colour JPEG at quality 70;
- `zebra`: the same in a portal's striped style (12-px Noto Sans CJK, light grey #c8c8c8 rules, every
  other row shaded).

Two reports: a 2021-template one and a 2019-template one (year 2020). Beside the pictures:
`truth/<doc>.json` (figures under canonical codes and rule verdicts, the format of tests/eval/truth) and
`manifest.json` (picture → document, look, dpi, format). The evaluation (benchmarks/ocr_pictures.py,
tests/test_accuracy_pictures.py) reads only those frozen files.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.docfactory.html_writer import table_html  # noqa: E402
from tests.docfactory.layout import Table, body_blocks, is_heading  # noqa: E402
from tests.docfactory.spec import ReportSpec  # noqa: E402
from tests.zoo.docs import _tables_image, spec  # noqa: E402

OUT = ROOT / "tests" / "eval" / "pictures"


def specs() -> dict[str, ReportSpec]:
    return {
        "p2021": spec("某某县人民政府办公室", 2021, 5),
        "p2019": spec("某某市生态环境局", 2020, 6, pattern=1),
    }


# name → (document, look, dpi, format). The first three are the short set the test runs.
PICTURES: dict[str, tuple[str, str, int, str]] = {
    "p2021-pil-96-png": ("p2021", "pil", 96, "png"),
    "p2019-chrome-120-jpg": ("p2019", "chrome", 120, "jpg"),
    "p2021-chrome-96-png": ("p2021", "chrome", 96, "png"),
    "p2021-pil-120-png": ("p2021", "pil", 120, "png"),
    "p2021-pil-150-jpg": ("p2021", "pil", 150, "jpg"),
    "p2021-pil-96-jpg": ("p2021", "pil", 96, "jpg"),
    "p2019-pil-96-png": ("p2019", "pil", 96, "png"),
    "p2019-pil-120-jpg": ("p2019", "pil", 120, "jpg"),
    "p2019-pil-150-png": ("p2019", "pil", 150, "png"),
    "p2021-chrome-120-jpg": ("p2021", "chrome", 120, "jpg"),
    "p2021-chrome-150-jpg": ("p2021", "chrome", 150, "jpg"),
    "p2019-chrome-96-jpg": ("p2019", "chrome", 96, "jpg"),
    "p2019-chrome-150-png": ("p2019", "chrome", 150, "png"),
    "p2021-zebra-96-jpg": ("p2021", "zebra", 96, "jpg"),
    "p2019-zebra-120-png": ("p2019", "zebra", 120, "png"),
    "p2021-zebra-150-png": ("p2021", "zebra", 150, "png"),
}

CSS = """
body { margin: 12px; background: #fff; font-family: "Noto Serif CJK SC", serif; font-size: 14px; }
h3 { font-size: 18px; margin: 6px 0 10px; }
p { margin: 10px 0 6px; }
table { border-collapse: collapse; width: 900px; margin-bottom: 8px; }
td { border: 1px solid #7f7f7f; padding: 3px 5px; text-align: center; color: #222; }
tr:first-child td, tr:nth-child(2) td { background: #e6eef8; }
"""
# A portal's striped table: small sans text, light grey rules, every other row shaded.
ZEBRA_CSS = """
body { margin: 10px; background: #fff; font-family: "Noto Sans CJK SC", sans-serif; font-size: 12px; }
h3 { font-size: 16px; margin: 4px 0 8px; }
p { margin: 8px 0 4px; color: #333; }
table { border-collapse: collapse; width: 860px; margin-bottom: 6px; }
td { border: 1px solid #c8c8c8; padding: 2px 4px; text-align: center; color: #333; }
tr:nth-child(even) td { background: #f2f2f2; }
"""


def chrome_html(s: ReportSpec, css: str = CSS) -> str:
    """The report's title, headings and tables as a page of its own (not docfactory's look)."""
    parts = [f"<h3>{escape(s.title)}</h3>"]
    for block in body_blocks(s):
        if isinstance(block, Table):
            parts.append(table_html(block))
        elif is_heading(block):
            parts.append(f"<p>{escape(block)}</p>")
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}</style></head>'
        f"<body>{''.join(parts)}</body></html>"
    )


def _trim(img: Image.Image, margin: int) -> Image.Image:
    """The picture cropped to its content plus `margin` px of paper, as a user's screenshot of a table."""
    bg = Image.new(img.mode, img.size, "white")
    box = ImageChops.difference(img.convert("RGB"), bg.convert("RGB")).getbbox()
    if box is None:
        return img
    x0, y0, x1, y1 = box
    return img.crop(
        (max(0, x0 - margin), max(0, y0 - margin), min(img.width, x1 + margin), min(img.height, y1 + margin))
    )


def chrome_picture(s: ReportSpec, dpi: int, tmp: Path, css: str = CSS) -> Image.Image:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
    page = tmp / "page.html"
    page.write_text(chrome_html(s, css), encoding="utf-8")
    shot = tmp / "shot.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--force-device-scale-factor={dpi / 96}",
            f"--screenshot={shot}",
            "--window-size=1280,2600",
            page.as_uri(),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    with Image.open(shot) as im:
        return _trim(im.convert("RGB"), round(10 * dpi / 96))


def encode(img: Image.Image, look: str, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        img.save(buf, "PNG", optimize=True)
    elif look == "pil":  # as tests/zoo/docs.py's picture(): grey JPEG, quality 82
        img.convert("L").save(buf, "JPEG", quality=82)
    else:  # a screenshot re-compressed by an editor or a CMS: colour, quality 70, 4:2:0
        img.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def build(out: Path = OUT) -> None:
    floors = (out / "floors.json").read_bytes() if (out / "floors.json").exists() else None
    if out.exists():
        shutil.rmtree(out)
    (out / "truth").mkdir(parents=True)
    if floors is not None:  # the gate's floors are not built, only kept
        (out / "floors.json").write_bytes(floors)
    docs = specs()
    for name, s in docs.items():
        (out / "truth" / f"{name}.json").write_text(
            json.dumps(s.truth(), ensure_ascii=False, indent=1), encoding="utf-8"
        )
    manifest: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="govarchive-pictures-") as tmp:
        for name, (doc, look, dpi, fmt) in PICTURES.items():
            s = docs[doc]
            if look == "pil":
                img = _tables_image(s, dpi)
            else:
                img = chrome_picture(s, dpi, Path(tmp), ZEBRA_CSS if look == "zebra" else CSS)
            file = f"{name}.{fmt}"
            (out / file).write_bytes(encode(img, look, fmt))
            manifest[name] = {
                "document": doc,
                "truth": f"truth/{doc}.json",
                "look": look,
                "dpi": dpi,
                "format": fmt,
                "size": list(img.size),
                "file": file,
            }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{len(manifest)} pictures, {total / 1e6:.2f} MB in {out}")


if __name__ == "__main__":
    build()
