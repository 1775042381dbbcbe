"""Plain-text writer: prose lines and tab-separated table rows, as PDF text extractors print them."""

from __future__ import annotations

from pathlib import Path

from tests.docfactory.layout import Table, body_blocks
from tests.docfactory.spec import ReportSpec


def to_text(spec: ReportSpec) -> str:
    lines = [spec.title, ""]
    for block in body_blocks(spec):
        if isinstance(block, Table):
            lines += ["\t".join(cell or "" for cell in row) for row in block.grid()]
        else:
            lines.append(block)
        lines.append("")
    return "\n".join(lines)


def write_text(spec: ReportSpec, path: Path) -> Path:
    path.write_text(to_text(spec), encoding="utf-8")
    return path
