"""Where Datasette itself would answer short without saying so, send the request to an answer that is
whole: a query's CSV (cut at max_returned_rows) to the streamed export, a table's CSV (one page unless
_stream=on) to its stream, and a search of the reports table for a 1–2 character word (which the trigram
index cannot find, so it returns nothing) to the search page that scans for it. The reports table's JSON and
CSV (scripts) keep their shape: such words move from `_search` to `_ga_words`, which the plugin's
filters_from_request hook matches exactly (`short_word_filters`)."""

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


SHORT_WORDS = "_ga_words"


def short_words_query(datasette: Any, scope: dict[str, Any]) -> bytes | None:
    """The query string of a request for the reports table's JSON or CSV whose `_search` has words of 1–2
    characters, with those words moved to `_ga_words` (longer ones stay with Datasette's FTS search); None
    when there is nothing to move."""
    path: str = scope.get("path", "")
    table = datasette.urls.path(f"/{DATABASE}/reports")
    if path not in (table + ".json", table + ".csv"):
        return None
    pairs = urllib.parse.parse_qsl(
        scope.get("query_string", b"").decode("utf-8", "replace"), keep_blank_values=True
    )
    asked = [v for k, v in pairs if k == "_search"]
    if not asked:
        return None
    ws = search.words(asked[0])
    short = [w for w in ws if len(w) < 3]
    if not short:
        return None
    keep = [(k, v) for k, v in pairs if k not in ("_search", SHORT_WORDS)]
    long_words = [w for w in ws if len(w) >= 3]
    if long_words:
        keep.append(("_search", " ".join(long_words)))
    keep.append((SHORT_WORDS, " ".join(short)))
    return urllib.parse.urlencode(keep).encode("ascii")


def short_word_filters(conn: Any, words: list[str]) -> tuple[list[str], dict[str, str], list[str]]:
    """Where-clauses on the reports table that find each word of 1–2 characters exactly, as /search does:
    a 2-character word through the trigrams it begins and the indexes of the last two characters, anything
    else by an exact scan."""
    clauses, params, said = [], {}, []
    for i, w in enumerate(words[:8]):
        params[f"ga_w{i}"] = w
        terms = search.prefix_terms(conn, w)
        if terms is None:
            clauses.append(f"(instr(text, :ga_w{i}) > 0 OR instr(title, :ga_w{i}) > 0)")
        else:
            found = [
                f"SELECT id FROM reports WHERE substr(title, -2) = :ga_w{i}",
                f"SELECT id FROM reports WHERE substr(text, -2) = :ga_w{i}",
            ]
            if terms:
                params[f"ga_t{i}"] = " OR ".join(search._fts_phrase(t) for t in terms)
                found.insert(0, f"SELECT rowid FROM reports_fts WHERE reports_fts MATCH :ga_t{i}")
            clauses.append(f"id IN ({' UNION '.join(found)})")
        said.append(f"title or text contains {w!r}")
    return clauses, params, said
