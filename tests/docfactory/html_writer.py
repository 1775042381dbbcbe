"""HTML writer: an article page as portals publish reports inline (meta tags, tables with rowspan/colspan)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from tests.docfactory.layout import Table, body_blocks, is_heading
from tests.docfactory.spec import ReportSpec


def table_html(table: Table) -> str:
    rows: list[list[str]] = [[] for _ in range(table.n_rows)]
    for c in sorted(table.cells, key=lambda c: (c.row, c.col)):
        span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
            f' colspan="{c.colspan}"' if c.colspan > 1 else ""
        )
        rows[c.row].append(f"<td{span}>{escape(c.text)}</td>")
    body = "\n".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return (
        f'<table border="1" cellspacing="0" cellpadding="2" class="stat-{table.section}">\n{body}\n</table>'
    )


def article_content(spec: ReportSpec) -> str:
    """The report body as the inner HTML of an article (paragraphs and tables)."""
    parts = []
    for block in body_blocks(spec):
        if isinstance(block, Table):
            parts.append(table_html(block))
        elif is_heading(block):
            parts.append(f"<p><strong>{escape(block)}</strong></p>")
        else:
            parts.append(f'<p style="text-indent:2em">{escape(block)}</p>')
    return "\n".join(parts)


def meta_tags(title: str, published_at: str, source: str) -> str:
    return (
        f'<meta name="ArticleTitle" content="{escape(title)}">\n'
        f'<meta name="PubDate" content="{escape(published_at)}">\n'
        f'<meta name="ContentSource" content="{escape(source)}">'
    )


def write_html(spec: ReportSpec, path: Path) -> Path:
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(spec.title)}</title>
{meta_tags(spec.title, spec.published_at, spec.agency)}
</head>
<body>
<div class="article">
<h1>{escape(spec.title)}</h1>
<div class="info">发布机构：{escape(spec.agency)}　发布日期：{escape(spec.published_at)}</div>
<div class="content">
{article_content(spec)}
</div>
</div>
</body>
</html>
"""
    path.write_text(page, encoding="utf-8")
    return path
