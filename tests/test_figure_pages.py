"""/compare/figure's pages (figurelist.py) on a small generated corpus: walked page by page they give every
report that has the figure once, in the order of the whole list, by either way of counting the offset."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from govarchive.datasette_plugin import figurelist
from tests.support import corpusgen

CODE = ("applications", "new", "total")


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    db = tmp_path_factory.mktemp("figpages") / "corpus.db"
    corpusgen.build(db, 60, seed=5)
    c = sqlite3.connect(db, check_same_thread=False)
    # Some reports without the figure, so the list is not every report (the join decides what is listed).
    c.execute(
        "DELETE FROM report_stats WHERE report_id % 7 = 0 AND section = 'appeals' AND row = 'review'"
        " AND col = 'total'"
    )
    c.commit()
    yield c
    c.close()


def _expected(c: sqlite3.Connection, key: tuple[str, str, str], region: str = "") -> list[int]:
    """The list as one query with no paging, sorted in Python by the page's order."""
    rows = c.execute(
        """SELECT r.year, r.agency, r.region, r.kind, r.template, r.id FROM reports r
           JOIN report_stats s ON s.report_id = r.id WHERE s.section = ? AND s.row = ? AND s.col = ?""",
        key,
    ).fetchall()
    rows = [r for r in rows if not region or r[2] == region or r[2].startswith(region + "/")]
    # SQLite sorts NULL first; text by its UTF-8 bytes, which is Python's order of code points.
    rows.sort(key=lambda r: tuple((v is not None, v) for v in r))
    return [r[-1] for r in rows]


def _walk(c: sqlite3.Connection, sel: figurelist.Selection, dense: bool) -> list[int]:
    total, _ = figurelist.count(c, sel)
    ids: list[int] = []
    for offset in range(0, total, figurelist.PAGE):
        page = figurelist.page(c, sel, offset, dense)
        assert 0 < len(page) <= figurelist.PAGE
        ids += [r["report_id"] for r in page]
    assert figurelist.page(c, sel, total, dense) == []
    return ids


def test_pages_give_every_row_once_in_order(
    conn: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figurelist, "PAGE", 7)
    everyone = figurelist.Selection(CODE)
    having, reports = figurelist.count(conn, everyone)
    assert having == reports == 60  # every generated report has 新收申请 总计: the dense way applies
    want = _expected(conn, CODE)
    assert _walk(conn, everyone, dense=True) == want == _walk(conn, everyone, dense=False)
    assert [r["agency"] for r in figurelist.whole(conn, everyone)] == [
        conn.execute("SELECT agency FROM reports WHERE id = ?", (i,)).fetchone()[0] for i in want
    ]
    # A figure some reports lack: fewer rows than reports, walked by the join.
    review = ("appeals", "review", "total")
    having, reports = figurelist.count(conn, figurelist.Selection(review))
    assert having == len(_expected(conn, review)) < reports
    assert _walk(conn, figurelist.Selection(review), dense=False) == _expected(conn, review)
    # Narrowed to a province: its count from the join, the same order.
    province = conn.execute("SELECT region FROM reports ORDER BY id LIMIT 1").fetchone()[0].split("/")[0]
    sel = figurelist.Selection(review, region=province)
    assert figurelist.count(conn, sel)[0] == len(_expected(conn, review, province)) > 0
    assert _walk(conn, sel, dense=False) == _expected(conn, review, province)
    sel = figurelist.Selection(CODE, region=province)
    assert _walk(conn, sel, dense=True) == _expected(conn, CODE, province) == _walk(conn, sel, dense=False)
