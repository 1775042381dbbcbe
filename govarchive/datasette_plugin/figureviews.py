"""A figure's own page: its cite text, where it was read (the original's page with the region marked, or the
table with the cell marked) and how it was placed; `.png` the marked page, `.json` the same for scripts.
Registered with the other routes in hooks.py."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from datasette.utils.asgi import NotFound, Request, Response

from archive.extract import html
from archive.products import highlight
from govarchive.datasette_plugin import cite, data, download, vocab
from govarchive.datasette_plugin.views import _releases, _render, answered, corpus, data_dir

if TYPE_CHECKING:
    from datasette.app import Datasette

PAGE_FORMATS = ("pdf",)  # originals whose pages are drawn here (pdfium): PDFs, scans included


def figure_path(rid: int, key: data.Key, fmt: str = "") -> str:
    return f"/report/{rid}/figure/{key[0]}/{key[1]}/{key[2]}" + (f".{fmt}" if fmt else "")


def anchor(key: data.Key) -> str:
    """The figure cell's id on the report page (its permanent anchor)."""
    return "f-" + ".".join(key)


async def _figure(request: Request, datasette: Datasette) -> tuple[int, data.Key, data.Row, data.Row]:
    rid = data_id(request.url_vars["id"])
    key = (request.url_vars["section"], request.url_vars["row"], request.url_vars["col"])
    if rid is None or key not in set(vocab.all_codes()):
        raise NotFound("没有这个数字 — no such figure")
    db = corpus(datasette)
    rep = await db.execute_fn(lambda c: data.report(c, rid))
    fig = await db.execute_fn(lambda c: data.figure_place(c, rid, key)) if rep else None
    if rep is None or fig is None:
        raise NotFound("没有这个数字 — no such figure")
    return rid, key, rep, fig


def data_id(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _drawn(fig: data.Row) -> bool:
    return fig.get("media_type") in PAGE_FORMATS and bool(fig.get("src_page")) and bool(fig.get("src_box"))


async def figure_page(request: Request, datasette: Datasette) -> Response:
    rid, key, rep, fig = await _figure(request, datasette)
    kept = await asyncio.to_thread(_releases, datasette)
    release = cite.release_words(kept, fig.get("archived_at"))
    report_path = datasette.urls.path(f"/report/{rid}")
    permalink = datasette.absolute_url(request, f"{report_path}#{anchor(key)}")
    cited = cite.cite_text(rep, fig, key, release, permalink)
    place = cite.place_words(fig)
    placed = cite.PLACED.get(fig.get("placed_by") or "", cite.PLACED[""])
    if request.url_vars.get("format") == "json":
        return Response.json(
            {
                "report_id": rid,
                "code": ".".join(key),
                "figure": fig,
                "cite": {"zh": cited.zh, "en": cited.en},
                "where": {"zh": place[0], "en": place[1]} if place else None,
                "placed": {"zh": placed[0], "en": placed[1]},
                "image": datasette.urls.path(figure_path(rid, key, "png")) if _drawn(fig) else None,
                "anchor": permalink,
            },
            default=str,
        )
    grid: list[list[cite.ShownCell]] = []
    if not _drawn(fig) and fig.get("src_table") and fig.get("source_sha256"):
        sha = str(fig["source_sha256"])
        tables, places = await corpus(datasette).execute_fn(lambda c: data.document_tables(c, sha))
        grid = cite.grid_with_mark(tables, places, fig)
    marked_text = await asyncio.to_thread(_element_text, datasette, fig) if fig.get("src_element") else None
    if place is None:
        missing = cite.WORDS["no_place_derived" if fig.get("placed_by") == "derived" else "no_place_text"]
    else:
        missing = None
    return await _render(
        datasette,
        request,
        "ga_where.html",
        report=rep,
        fig=fig,
        key=key,
        label=cite.figure_label(key),
        value=cite.value_text(fig.get("value")),
        cited=cited,
        place=place,
        placed=placed,
        missing=missing,
        image=datasette.urls.path(figure_path(rid, key, "png")) if _drawn(fig) else None,
        grid=grid,
        marked_text=marked_text,
        back=f"{report_path}#{anchor(key)}",
        download=datasette.urls.path(f"/blob/{fig['source_sha256']}"),
        words=cite.WORDS,
    )


def _element_text(datasette: Datasette, fig: data.Row) -> tuple[str, str, str] | None:
    """The archived page's element that holds the figure, its text split around the figure (HTML tables
    written as paragraphs); None when the original is not in the store or reads differently now."""
    blobs, sha = download.store(data_dir(corpus(datasette))), str(fig.get("source_sha256") or "")
    if fig.get("media_type") != "html" or not download.held(blobs, sha):
        return None
    return cite.text_with_mark(html.element_text(blobs.read(sha), str(fig["src_element"])), fig)


async def figure_png(request: Request, datasette: Datasette) -> Response:
    """The original's page with the figure's region marked (PDFs and scans)."""
    _, _, _, fig = await _figure(request, datasette)
    box = cite.parse_box(fig.get("src_box"))
    root = data_dir(corpus(datasette))
    blobs, sha = download.store(root), str(fig.get("source_sha256") or "")
    if not _drawn(fig) or box is None or not download.held(blobs, sha):
        raise NotFound("这个数字没有可绘制的页面 — no drawn page for this figure")
    page = int(fig["src_page"])

    def draw() -> bytes:
        with blobs.local_path(sha) as pdf:  # pdfium reads a file
            return highlight.marked_page(pdf, page, box, root / "derived" / "pages", key=sha)

    try:
        body = await asyncio.to_thread(draw)
    except (highlight.RenderError, OSError) as exc:
        raise NotFound(f"无法绘制这一页 — cannot draw this page: {exc}") from exc
    return Response(body, content_type="image/png", headers={"Cache-Control": "public, max-age=86400"})


ROUTES: list[tuple[str, Any]] = [
    (
        r"^/report/(?P<id>[^/.]+)/figure/(?P<section>[a-z_]+)/(?P<row>[^/]+)/(?P<col>[^/.]+)"
        r"(\.(?P<format>json))?$",
        answered(figure_page),
    ),
    (
        r"^/report/(?P<id>[^/.]+)/figure/(?P<section>[a-z_]+)/(?P<row>[^/]+)/(?P<col>[^/.]+)\.png$",
        answered(figure_png),
    ),
]
