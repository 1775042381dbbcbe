"""The hooks of the project's Datasette plugin: routes, templates, cell rendering, whole CSVs, menu.

Loaded by `govarchive serve` through `--plugins-dir` (load/govarchive_pages.py registers this module), and
through the `datasette` entry point when the package is installed; registering twice is harmless."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils.asgi import Base400, asgi_send_redirect
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from markupsafe import Markup, escape

from govarchive.datasette_plugin import i18n, redirects, search, vocab
from govarchive.datasette_plugin.data import number
from govarchive.datasette_plugin.figureviews import ROUTES as FIGURE_ROUTES
from govarchive.datasette_plugin.views import ROUTES, error_response

TEMPLATES = Path(__file__).parent / "templates"
EXCERPT = 160  # characters of a long text shown in a table row
LONG_TEXT = {("reports", "text"), ("documents", "text"), ("documents", "tables"), ("documents", "page_meta")}


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [*ROUTES, *FIGURE_ROUTES]


@hookimpl
def prepare_jinja2_environment(env: Environment, datasette: Any) -> None:
    # The plugin's templates are found without --template-dir and without being pip-installed.
    if env.loader is not None:
        env.loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES)), env.loader])
    # Codes shown to people by their labels (annual_report → 年度报告 annual report).
    env.filters["kind_label"] = vocab.kind_label
    env.globals["kind_labels"] = vocab.KIND_EN


@hookimpl
def extra_template_vars(request: Any) -> dict[str, Any]:
    """The reader's language and its words for every template (the plugin's pages and Datasette's own)."""
    lang = i18n.lang_of(request)
    pick = i18n.picker(lang)
    return {
        "lang": lang,
        "t": i18n.translator(lang),
        "pick": pick,
        "kind_labels_lang": {k: pick(*v.split(" ", 1)) for k, v in vocab.KIND_EN.items()},
        "lang_switch_url": i18n.switch_url(request, lang),
    }


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any) -> Any:
    if (table, column) in LONG_TEXT and isinstance(value, str) and len(value) > EXCERPT:
        more = ""
        if table == "reports" and "id" in row.keys():  # noqa: SIM118 (sqlite3.Row: `in` looks at values)
            more = f' <a href="{_report_url(datasette, row)}">全文 full text</a>'
        return Markup(f"{escape(value[:EXCERPT])}… <em>({len(value)} 字)</em>{more}")
    if table == "reports" and column == "title" and isinstance(value, str) and "id" in row.keys():  # noqa: SIM118
        return Markup(f'<a href="{_report_url(datasette, row)}">{escape(value)}</a>')
    if table == "reports" and column == "kind" and isinstance(value, str) and value in vocab.KIND_EN:
        return Markup(f'<span title="{escape(value)}">{escape(vocab.kind_label(value))}</span>')
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
                send = _keeping_language(scope, send)
                target = await redirects.target(datasette, scope)
                if target:
                    await asgi_send_redirect(send, target)
                    return
                moved = redirects.short_words_query(datasette, scope)
                if moved is not None:
                    scope = {**scope, "query_string": moved}
            await app(scope, receive, send)

        return inner

    return wrap


def _keeping_language(scope: dict[str, Any], send: Any) -> Any:
    """`?lang=zh|en` is remembered in a cookie, so the site's other pages keep the language."""
    from urllib.parse import parse_qs

    asked = parse_qs((scope.get("query_string") or b"").decode("latin-1")).get("lang", [""])[-1]
    if asked not in i18n.LANGS:
        return send
    cookie = f"{i18n.COOKIE}={asked}; Path=/; Max-Age=31536000; SameSite=Lax".encode()

    async def wrapped(message: dict[str, Any]) -> None:
        if message.get("type") == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
        await send(message)

    return wrapped


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    """`_ga_words` on the reports table (a `_search` word of 1–2 characters, moved there by the ASGI wrapper):
    matched exactly, since Datasette's FTS5 trigram search finds nothing shorter than three characters."""
    words = search.words(request.args.get(redirects.SHORT_WORDS, ""))
    if table != "reports" or not words:
        return None

    async def inner() -> FilterArguments:
        db = datasette.get_database(database)
        clauses, params, said = await db.execute_fn(lambda c: redirects.short_word_filters(c, words))
        return FilterArguments(clauses, params=params, human_descriptions=said)

    return inner


@hookimpl
def menu_links(datasette: Any, actor: Any, request: Any) -> list[dict[str, str]]:
    t = i18n.translator(i18n.lang_of(request))
    return [
        {"href": datasette.urls.path(path), "label": label}
        for path, label in (
            ("/research", t("nav.research")),
            ("/reports", t("nav.reports")),
            ("/search", t("nav.search")),
            ("/compare", t("nav.compare")),
            ("/compare/rates", t("nav.rates")),
            ("/schema", t("nav.schema")),
        )
    ]


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: Exception) -> Any:
    """Datasette's own 400, 403 and 404 (an unknown path, table or row) as a page of this site
    (views.error_response); JSON and every other error stay Datasette's."""
    if not isinstance(exception, Base400) or request.path.split("?")[0].endswith(".json"):
        return None

    async def inner() -> Any:
        return await error_response(datasette, request, exception)

    return inner
