"""The hooks of the project's Datasette plugin: routes, templates, cell rendering, whole CSVs, menu.

Loaded by `govarchive serve` through `--plugins-dir` (load/govarchive_pages.py registers this module), and
through the `datasette` entry point when the package is installed; registering twice is harmless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import asgi_send_redirect
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup, escape

from govarchive.datasette_plugin import redirects
from govarchive.datasette_plugin.data import number
from govarchive.datasette_plugin.views import ROUTES

TEMPLATES = Path(__file__).parent / "templates"
EXCERPT = 160  # characters of a long text shown in a table row
LONG_TEXT = {("reports", "text"), ("documents", "text"), ("documents", "tables"), ("documents", "page_meta")}


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return ROUTES


@hookimpl
def prepare_jinja2_environment(env: Environment, datasette: Any) -> None:
    # The plugin's templates are found without --template-dir and without being pip-installed.
    if env.loader is not None:
        env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES)), env.loader])


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if (table, column) in LONG_TEXT and isinstance(value, str) and len(value) > EXCERPT:
        more = ""
        if table == "reports" and "id" in row.keys():  # noqa: SIM118 (sqlite3.Row: `in` looks at values)
            more = f' <a href="{_report_url(datasette, row)}">全文 full text</a>'
        return Markup(f"{escape(value[:EXCERPT])}… <em>({len(value)} 字)</em>{more}")
    if table == "reports" and column == "title" and isinstance(value, str) and "id" in row.keys():  # noqa: SIM118
        return Markup(f'<a href="{_report_url(datasette, row)}">{escape(value)}</a>')
    if isinstance(value, float) and value.is_integer():
        return str(number(value))  # a count is 2, not 2.0
    return None


def _report_url(datasette: Any, row: Any) -> str:
    return str(datasette.urls.path(f"/report/{int(row['id'])}"))


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    """Requests Datasette would answer short without saying so go to a whole answer (redirects.py)."""

    def wrap(app: Any) -> Any:
        async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                target = await redirects.target(datasette, scope)
                if target:
                    await asgi_send_redirect(send, target)
                    return
            await app(scope, receive, send)

        return inner

    return wrap


@hookimpl
def menu_links(datasette: Any, actor: Any, request: Any) -> list[dict[str, str]]:
    return [
        {"href": datasette.urls.path(path), "label": label}
        for path, label in (
            ("/research", "Researcher's pages 研究者页面"),
            ("/search", "Search 检索"),
            ("/compare", "Compare 比较"),
            ("/schema", "Schema 数据说明"),
        )
    ]
