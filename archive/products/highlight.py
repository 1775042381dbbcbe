"""A figure shown where it was read: the page of the archived PDF rendered to PNG, its cell's box drawn on it.

The page is rendered once per (SHA-256, page) into the data folder's derived files (`derived/pages/`) and
kept; the box is drawn on a copy per request (cheap). Rendering runs pdfium on an archived original, which a
hostile file could crash or hang: it runs in a child process with a time limit (`python -m
archive.products.highlight PDF PAGE OUT`), never in the server. Boxes are in points from the page's top-left
(archive/model.py `Where`), as pdfium renders pages top-down.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SCALE = 2.0  # pixels per point: 144 dpi, an A4 page 1190 px wide
RENDER_TIMEOUT = 30.0  # seconds for one page
MAX_PIXELS = 16_000_000  # a page larger than this renders at a smaller scale
BOX_COLOUR = (220, 20, 60)


class RenderError(Exception):
    pass


class CacheUnwritable(OSError):
    pass


def marked_page(
    pdf: Path, page: int, box: tuple[float, float, float, float], cache: Path, *, key: str | None = None
) -> bytes:
    """PNG bytes of the page with the box drawn. A data folder the server may not write (served
    read-only) gets the page rendered each time into a temporary folder, removed after. key: the name the
    page is cached under (the blob's SHA-256: `pdf` may be a scratch copy); the file's name by default."""
    try:
        return with_box(page_png(pdf, page, cache, key=key), box)
    except CacheUnwritable:
        with tempfile.TemporaryDirectory(prefix="govarchive-page-") as scratch:
            return with_box(page_png(pdf, page, Path(scratch), key=key), box)


def page_png(pdf: Path, page: int, cache: Path, *, key: str | None = None) -> Path:
    """The rendered page (1-based) of `pdf`, from the cache or rendered now in a child process."""
    out = cache / f"{key or pdf.name}-p{page}.png"
    if out.is_file():
        return out
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=cache)
    except OSError as exc:
        raise CacheUnwritable(f"cannot write {cache}: {exc}") from exc
    os.close(fd)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "archive.products.highlight", str(pdf), str(page), tmp],
            capture_output=True,
            text=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            lines = (done.stderr or "").strip().splitlines()
            raise RenderError(lines[-1] if lines else f"renderer exited with {done.returncode}")
        os.replace(tmp, out)
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"page {page} took longer than {RENDER_TIMEOUT:.0f} s to render") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def render(pdf: Path, page: int, out: Path) -> None:
    """Render one page to PNG at SCALE (less for a huge page); the PNG notes the page's width in points
    (text chunk `page-width-pt`), which gives the scale to draw a box at."""
    import pypdfium2 as pdfium
    from PIL.PngImagePlugin import PngInfo

    doc = pdfium.PdfDocument(str(pdf))
    try:
        if not 1 <= page <= len(doc):
            raise RenderError(f"no page {page} (the document has {len(doc)})")
        p = doc[page - 1]
        width, height = p.get_size()
        scale = min(SCALE, (MAX_PIXELS / max(1.0, width * height)) ** 0.5)
        info = PngInfo()
        info.add_text("page-width-pt", f"{width:.2f}")
        p.render(scale=scale).to_pil().convert("RGB").save(out, format="PNG", pnginfo=info)
    finally:
        doc.close()


def with_box(png: Path, box: tuple[float, float, float, float]) -> bytes:
    """The rendered page with the box drawn: a translucent fill and a thick outline, margin around it."""
    from PIL import Image, ImageDraw, PngImagePlugin

    with Image.open(png) as im:
        width_pt = (
            float(im.text.get("page-width-pt", 0)) if isinstance(im, PngImagePlugin.PngImageFile) else 0.0
        )
        base = im.convert("RGBA")
    scale = base.width / width_pt if width_pt > 0 else SCALE
    x0, y0, x1, y1 = (v * scale for v in box)
    pad = max(2.0, 2 * scale)
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    rect = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    draw.rectangle(rect, fill=(*BOX_COLOUR, 60), outline=(*BOX_COLOUR, 255), width=max(3, round(1.5 * scale)))
    out = io.BytesIO()
    Image.alpha_composite(base, overlay).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def main(argv: list[str]) -> int:
    try:
        render(Path(argv[0]), int(argv[1]), Path(argv[2]))
    except Exception as exc:  # the parent reads one line: what went wrong
        print(f"cannot render the page: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
