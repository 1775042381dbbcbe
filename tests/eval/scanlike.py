"""Page bitmaps made to look like real scans: resolution, grey or black-and-white, JPEG artefacts, speckle,
skew, a red seal stamped over text. Pillow and numpy only; every step is seeded, so a build is repeatable.

Used by tests/eval/build_scans.py to freeze the scan evaluation set (tests/eval/scans/).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")


@dataclass(frozen=True)
class Degradation:
    """How one page is spoiled. mode: grey, bw (1-bit, scanner threshold) or colour (keeps a red seal)."""

    mode: str = "grey"
    jpeg_quality: int | None = 75  # None: lossless PNG
    speckle: float = 0.0  # dark specks per square centimetre
    skew: float = 0.0  # degrees, counter-clockwise
    seal: tuple[float, float] | None = None  # centre of a red seal, as fractions of width and height
    blur: float = 0.0  # Gaussian radius in pixels (optics, toner spread)


def red_seal(dpi: int, text: str = "政府信息公开专用章") -> Image.Image:
    """An RGBA official seal, 42 mm across: red ring, star and text, uneven ink like a real stamp."""
    size = round(42 / 25.4 * dpi)
    seal = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(seal)
    c = size / 2
    ring = max(2, size // 40)
    draw.ellipse((ring, ring, size - ring, size - ring), outline=255, width=ring * 2)
    r_star, r_in = size * 0.16, size * 0.065
    points = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        r = r_star if k % 2 == 0 else r_in
        points.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(points, fill=255)
    if FONT.exists():
        font = ImageFont.truetype(str(FONT), size=max(8, size // 9))
        n = len(text)
        for k, ch in enumerate(text):
            a = math.radians(-150 + 120 * k / max(n - 1, 1))
            x, y = c + size * 0.36 * math.cos(a), c + size * 0.36 * math.sin(a)
            glyph = Image.new("L", (size // 8, size // 8), 0)
            ImageDraw.Draw(glyph).text((size // 16, size // 16), ch, fill=255, font=font, anchor="mm")
            glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.Resampling.BICUBIC)
            seal.paste(255, (round(x - size / 16), round(y - size / 16)), glyph)
    # Uneven ink: a stamp never prints solid.
    rng = np.random.default_rng(7)
    ink = np.asarray(seal, dtype=np.float32) / 255 * rng.uniform(0.55, 1.0, (size, size))
    alpha = Image.fromarray((ink * 230).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    out = Image.new("RGBA", (size, size), (215, 35, 40, 0))
    out.putalpha(alpha)
    return out


def _stamp(page: Image.Image, dpi: int, where: tuple[float, float]) -> Image.Image:
    """Multiply the seal over the page: black text stays black under it, white paper turns red."""
    rgb = np.asarray(page.convert("RGB"), dtype=np.float32) / 255
    seal = red_seal(dpi)
    sw, sh = seal.size
    x0 = round(where[0] * page.width - sw / 2)
    y0 = round(where[1] * page.height - sh / 2)
    x0, y0 = min(max(x0, 0), page.width - sw), min(max(y0, 0), page.height - sh)
    s = np.asarray(seal, dtype=np.float32) / 255
    alpha = s[..., 3:4]
    tint = 1 - alpha * (1 - s[..., :3])
    rgb[y0 : y0 + sh, x0 : x0 + sw] *= tint
    return Image.fromarray((rgb * 255).round().astype(np.uint8), "RGB")


def _speckle(page: Image.Image, dpi: int, density: float, rng: np.random.Generator) -> Image.Image:
    """Dust and toner specks: dark dots of 1-3 px, `density` per cm²."""
    area_cm2 = page.width * page.height / (dpi / 2.54) ** 2
    draw = ImageDraw.Draw(page)
    dark = 0 if page.mode == "L" else (0, 0, 0)
    for _ in range(int(area_cm2 * density)):
        x, y = rng.uniform(0, page.width), rng.uniform(0, page.height)
        r = rng.uniform(0.5, 1.6) * dpi / 200
        draw.ellipse((x - r, y - r, x + r, y + r), fill=dark)
    return page


def degrade(page: Image.Image, dpi: int, how: Degradation, seed: int = 0) -> Image.Image:
    """One rendered page (grey or RGB, at `dpi`) turned into what a scanner would have produced."""
    rng = np.random.default_rng(seed)
    img = page.convert("RGB")
    if how.seal is not None:
        img = _stamp(img, dpi, how.seal)
    if how.skew:
        img = img.rotate(how.skew, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
    if how.speckle:
        img = _speckle(img, dpi, how.speckle, rng)
    if how.blur:
        img = img.filter(ImageFilter.GaussianBlur(how.blur))
    # Sensor noise and paper tone: scans are never pure white.
    arr: np.ndarray = np.asarray(img, dtype=np.float32)
    arr = arr * 0.94 + 6 + rng.normal(0, 4, arr.shape[:2])[..., None]
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")
    if how.mode == "grey":
        return img.convert("L")
    if how.mode == "bw":
        grey = np.asarray(img.convert("L"), dtype=np.float32)
        return Image.fromarray(((grey > 150) * 255).astype(np.uint8), "L").convert(
            "1", dither=Image.Dither.NONE
        )
    return img


def encode(img: Image.Image, how: Degradation) -> tuple[bytes, str]:
    """The page as the file a scanner writes: JPEG at the given quality, else PNG (1-bit for bw)."""
    buf = io.BytesIO()
    if how.jpeg_quality is not None and img.mode != "1":
        img.save(buf, "JPEG", quality=how.jpeg_quality, optimize=True)
        return buf.getvalue(), "jpg"
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue(), "png"
