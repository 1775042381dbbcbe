"""`govarchive populations load|list`: a CSV of division_code,year,population[,source] checked row by row
against the national division list; bad rows named one line each (FILE:LINE: why), exit 2, nothing loaded;
a load replaces the same place and year and loading again changes nothing; `reprocess` keeps the table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from archive.bodies.gazetteer import gazetteer
from archive.errors import GovarchiveError
from archive.store import populations as pops
from tests.conftest import run_cli


def _csv(path: Path, text: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_codes_as_published_name_the_divisions_places() -> None:
    places = gazetteer()
    for given, code in [("640521", "640521"), ("640521000000", "640521"), ("640000", "64"), ("640500", "6405"),
                        (" 64 ", "64"), ("999999", None), ("６４", None), ("abc", None)]:  # fmt: skip
        assert pops.division_code(given, places) == code, given
    assert pops.region_of("640521", places) == "宁夏回族自治区/中卫市/中宁县"


def test_each_bad_row_is_named_with_its_line(tmp_path: Path) -> None:
    bad = _csv(
        tmp_path / "bad.csv",
        "Division_Code,year,population,source\n640521,2020,350000,普查\n\n999999,2020,5,\n640521,1800,5,\n"
        "640521,2021,-3\n640521,2022,3.5,\n64,2022,1\n64,2022,2\n64,2023,99999999999999999999\n",
    )
    with pytest.raises(pops.PopulationsFileError) as e:
        pops.read(bad, today=dt.date(2026, 1, 1))
    assert [p.split(": ", 1)[0].rsplit(":", 1)[1] for p in e.value.problems] == [
        "4",
        "5",
        "6",
        "7",
        "9",
        "10",
    ]
    # a source quoted over two lines (and a U+2028 in it) is one row, named by its editor's line numbers
    with pytest.raises(pops.PopulationsFileError) as quoted:
        pops.read(
            _csv(
                tmp_path / "q.csv",
                'division_code,year,population,source\n64,2020,1,"七普\n公报\u2028附表"\n64,2021,x\n',
            )
        )
    assert quoted.value.problems == [
        f"{tmp_path / 'q.csv'}:4: population 'x' is not a whole number from 1 to 2,000,000,000 (digits only, no separators)"
    ]
    assert (
        pops.read(
            _csv(
                tmp_path / "q.csv", 'division_code,year,population,source\n64,2020,1,"七普\n公报\u2028附表"\n'
            )
        )[0].source
        == "七普\n公报\u2028附表"
    )
    assert "999999" in e.value.problems[0] and "1949 to 2026" in e.value.problems[1]
    assert "first on line 8" in e.value.problems[4]
    for text, says in [("year,population\n64,2020\n", "missing division_code"), ("division_code,year,population\n", "no rows")]:  # fmt: skip
        with pytest.raises(GovarchiveError, match=says):
            pops.read(_csv(tmp_path / "x.csv", text))
    (tmp_path / "gbk.csv").write_bytes("division_code,year,population\n64,2020,1,人口\n".encode("gbk"))
    with pytest.raises(GovarchiveError, match="not UTF-8"):
        pops.read(tmp_path / "gbk.csv")


def test_load_list_replace_and_reprocess_keeps_them(tmp_path: Path) -> None:
    from archive.store.corpus import Corpus

    data = tmp_path / "data"
    good = _csv(tmp_path / "p.csv", "division_code,year,population,source\n640521,2020,350000,普查\n64,2020,7202654,\n", bom=True)  # fmt: skip
    proc = run_cli("populations", "load", "--data", str(data), str(good))  # a mistyped --data: refused
    assert proc.returncode != 0 and "no corpus.db here" in proc.stderr and "Traceback" not in proc.stderr
    assert not data.exists()
    data.mkdir()
    Corpus(data / "corpus.db").close()
    proc = run_cli("populations", "load", "--data", str(data), str(good))
    assert proc.returncode == 0 and "2 population(s) of 2 division(s) loaded (0 replaced)" in proc.stdout, (
        proc.stderr
    )
    fix = _csv(
        tmp_path / "fix.csv", "division_code,year,population\n640521000000,2020,351000\n640521,2021,x\n"
    )
    proc = run_cli("populations", "load", "--data", str(data), str(fix))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"govarchive: {fix}:3: population 'x' is not a whole number from 1 to 2,000,000,000 (digits only, no separators)",
        f"govarchive: {fix}: 1 bad row(s); nothing loaded",
    ]
    proc = run_cli("reprocess", "--data", str(data))
    assert proc.returncode == 0, proc.stderr
    _csv(fix, "division_code,year,population\n640521000000,2020,351000\n")
    assert "(1 replaced)" in run_cli("populations", "load", "--data", str(data), str(fix)).stdout
    proc = run_cli("populations", "list", "--data", str(data))
    assert proc.returncode == 0 and proc.stdout.splitlines() == [
        "division_code\tregion\tyear\tpopulation\tsource",
        "64\t宁夏回族自治区\t2020\t7202654\t",  # kept through the bad file and reprocess
        "640521\t宁夏回族自治区/中卫市/中宁县\t2020\t351000\t",  # replaced, its source with it
    ]


def test_loading_again_changes_nothing(tmp_path: Path) -> None:
    from archive.store.corpus import Corpus

    corpus = Corpus(tmp_path / "corpus.db")
    rows = pops.read(
        _csv(tmp_path / "p.csv", "source,population,year,division_code\n普查,350000,2020,640521\n")
    )
    assert pops.load(corpus, rows) == (1, 0)
    table = corpus.conn.execute("SELECT * FROM populations").fetchall()
    assert (
        pops.load(corpus, rows) == (1, 1)
        and corpus.conn.execute("SELECT * FROM populations").fetchall() == table
    )
    assert [tuple(r) for r in table] == [("宁夏回族自治区/中卫市/中宁县", 2020, 350000, "普查")]
    corpus.close()
