"""Answers that cost a scan of a national corpus (the filters' choices, a province's rates) kept in memory
until the corpus changes: the key holds corpus.db's and its WAL's modification times, so a crawl's or a
reprocess's write is seen on the next request. A few dozen answers at most (least recently used go first)."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datasette.database import Database

SIZE = 64
_kept: OrderedDict[tuple[Any, ...], Any] = OrderedDict()


def corpus_state(path: str) -> tuple[int, ...]:
    """What changes when the corpus is written: the database file's and its WAL's mtime and size."""
    out: list[int] = []
    for name in (path, path + "-wal"):
        try:
            st = os.stat(name)
            out += [st.st_mtime_ns, st.st_size]
        except OSError:
            out += [0, 0]
    return tuple(out)


async def cached(
    db: Database,
    key: Hashable,
    fn: Callable[[Any], Any],
    kept: OrderedDict[tuple[Any, ...], Any] = _kept,
    size: int = SIZE,
) -> Any:
    """fn(connection) run in Datasette's SQL thread, or its kept answer while the corpus has not changed.
    `kept` and `size`: a store of its own, for many small answers that must not push the costly ones out."""
    full = (str(db.path), key, corpus_state(str(db.path)))
    if full in kept:
        kept.move_to_end(full)
        return kept[full]
    value = await db.execute_fn(fn)
    kept[full] = value
    while len(kept) > size:
        kept.popitem(last=False)
    return value
