"""Where Datasette itself would answer short without saying so, send the request to an answer that is
whole: a query's CSV (cut at max_returned_rows) to the streamed export, a table's CSV (one page unless
_stream=on) to its stream, and a search of the reports table for a 1–2 character word (which the trigram
index cannot find, so it returns nothing) to the search page that scans for it."""

from __future__ import annotations

import urllib.parse
from typing import Any

from datasette.utils import tilde_decode

from govarchive.datasette_plugin import search
from govarchive.datasette_plugin.views import DATABASE


async def target(datasette: Any, scope: dict[str, Any]) -> str | None:
    path: str = scope.get("path", "")
    qs = scope.get("query_string", b"").decode("latin-1")
    args = urllib.parse.parse_qs(qs, keep_blank_values=True)
    prefix = datasette.urls.path(f"/{DATABASE}/")
    if path == datasette.urls.path(f"/{DATABASE}/reports") and "_search" in args:
        words = search.words(args["_search"][0])
        if any(len(w) < 3 for w in words):
            keep = {k: args[k][0] for k in ("year", "kind", "agency", "region") if args.get(k, [""])[0]}
            return (
                datasette.urls.path("/search") + "?" + urllib.parse.urlencode({"q": " ".join(words), **keep})
            )
        return None
    if not path.endswith(".csv"):
        return None
    if path == datasette.urls.path(f"/{DATABASE}.csv") and "sql" in args:
        return datasette.urls.path("/export/query.csv") + f"?{qs}"
    name = urllib.parse.unquote(path[len(prefix) : -len(".csv")]) if path.startswith(prefix) else ""
    if not name or "/" in name:
        return None
    queries = await datasette.get_canned_queries(DATABASE, None)
    if name in queries:
        if queries[name].get("write"):
            return None
        return (
            datasette.urls.path("/export/query.csv")
            + f"?canned={urllib.parse.quote(name)}"
            + (f"&{qs}" if qs else "")
        )
    # A table: stream every page, unless the client asked for one page (_next) or a size of its own.
    if "_stream" in args or "_next" in args or args.get("_size", ["max"])[0] != "max":
        return None
    table = tilde_decode(name)
    if set(args) <= {"_size", "_dl"} and table in await datasette.get_database(DATABASE).table_names():
        # The whole table, unfiltered: the export reads it in one pass (Datasette's stream pages by key
        # and is ~80× slower: 200,000 figures in 112 s against 1.3 s).
        sql = 'SELECT * FROM "' + table.replace('"', '""') + '"'
        return datasette.urls.path("/export/query.csv") + "?" + urllib.parse.urlencode({"sql": sql})
    return path + "?" + (f"{qs}&" if qs else "") + "_stream=on"
