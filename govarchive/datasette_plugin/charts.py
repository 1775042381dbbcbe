"""Charts as inline SVG drawn on the server: no JavaScript, nothing fetched, the same picture in every
browser and in a saved page. (No maintained chart plugin works on Datasette 0.65 without a JS bundle.)"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape

PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
FONT = "font-family=\"'Noto Sans CJK SC','Noto Serif CJK SC',sans-serif\""


def _ticks(top: float, integers: bool = True) -> list[float]:
    """About five round ticks from 0 to at least `top` (whole steps when every value is a count)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / 5
    mag = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integers else (1, 2, 2.5, 5, 10)
    step = next(m * mag for m in steps if m * mag >= raw)
    if integers:
        step = max(step, 1)
    n = math.ceil(top / step)
    return [i * step for i in range(n + 1)]


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.2f}".rstrip("0").rstrip(".")


def line_chart(
    xs: list[int],
    series: dict[str, list[float | None]],
    title: str,
    width: int = 760,
    height: int = 340,
    breaks: dict[str, int] | None = None,
    break_label: str = "",
) -> str:
    """One line per series over the years `xs`; a blank (None) breaks the line instead of reading as 0.
    `breaks` names the series whose meaning changes before the year at that index: the line is not drawn
    across, and a dashed rule marks the change (the crosswalk's `changed`)."""
    breaks = breaks or {}
    left, right, top, bottom = 56, 180, 36, 36
    pw, ph = width - left - right, height - top - bottom
    values = [v for vs in series.values() for v in vs if v is not None]
    ticks = _ticks(max(values, default=0), all(float(v).is_integer() for v in values))
    ymax = ticks[-1] or 1

    def px(i: int) -> float:
        return left + (pw * i / (len(xs) - 1) if len(xs) > 1 else pw / 2)

    def py(v: float) -> float:
        return top + ph - ph * v / ymax

    out = [_open(width, height, title)]
    out += _grid(ticks, left, width - right, py)
    for i, x in enumerate(xs):
        out.append(
            f'<text x="{px(i):.1f}" y="{height - 12}" text-anchor="middle" font-size="12" {FONT}>{x}</text>'
        )
    for i in sorted(set(breaks.values())):
        if 0 < i < len(xs):
            mid = (px(i - 1) + px(i)) / 2
            out.append(
                f'<line class="template-break" x1="{mid:.1f}" y1="{top}" x2="{mid:.1f}" y2="{top + ph}" '
                f'stroke="#b42318" stroke-dasharray="5,4"/>'
            )
            out.append(
                f'<text x="{mid + 4:.1f}" y="{top + 10}" font-size="11" fill="#b42318" {FONT}>{escape(break_label)}</text>'
            )
    for n, (name, vs) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        segment: list[str] = []
        for i, v in enumerate(vs):
            if breaks.get(name) == i and segment:
                out.append(_poly(segment, colour))
                segment = []
            if v is None:
                out.append(_poly(segment, colour))
                segment = []
                continue
            segment.append(f"{px(i):.1f},{py(v):.1f}")
            out.append(
                f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(name)} {xs[i]}: {_fmt(v)}</title></circle>"
            )
        out.append(_poly(segment, colour))
        ly = top + 14 + n * 20
        out.append(f'<rect x="{width - right + 12}" y="{ly - 9}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{width - right + 30}" y="{ly + 1}" font-size="12" {FONT}>{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)


def bar_chart(bars: list[tuple[str, float | None]], title: str, width: int = 760) -> str:
    """Horizontal bars, one per label; a blank value is drawn as an empty row marked 空 (not a zero)."""
    left, right, top, row = 220, 70, 36, 24
    height = top + row * max(len(bars), 1) + 30
    pw = width - left - right
    values = [v for _, v in bars if v is not None]
    ticks = _ticks(max(values, default=0), all(float(v).is_integer() for v in values))
    xmax = ticks[-1] or 1
    out = [_open(width, height, title)]
    for t in ticks:
        x = left + pw * t / xmax
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 26}" stroke="#e3e3e3"/>')
        out.append(
            f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="11" {FONT}>{_fmt(t)}</text>'
        )
    for i, (label, v) in enumerate(bars):
        y = top + i * row
        out.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="12" {FONT}>{escape(label[:24])}</text>'
        )
        if v is None:
            out.append(f'<text x="{left + 4}" y="{y + 16}" font-size="12" fill="#888" {FONT}>空 blank</text>')
            continue
        w = pw * v / xmax
        out.append(
            f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {_fmt(v)}</title></rect>"
        )
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + 16}" font-size="12" {FONT}>{_fmt(v)}</text>')
    out.append("</svg>")
    return "".join(out)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ga-chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<text x="8" y="20" font-size="14" font-weight="bold" {FONT}>{escape(title)}</text>'
    )


def _grid(ticks: list[float], x0: int, x1: int, py: Callable[[float], float]) -> list[str]:
    out = []
    for t in ticks:
        y = py(t)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        out.append(
            f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {FONT}>{_fmt(t)}</text>'
        )
    return out


def _poly(points: list[str], colour: str) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>'
