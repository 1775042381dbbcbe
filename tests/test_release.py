"""`govarchive release` on the demo corpus (a real crawl of the bundled portals), run as the user runs it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from archive.products import release
from archive.report import codes, measures
from archive.store.corpus import Corpus
from archive.store.reports import PLACE_FIELDS, PLACE_SOURCES, place_values
from tests.conftest import run_cli, serving

TABLES = ("reports", "figures", "checks", "codebook", "manifest")
FILES = {f"{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {
    "datapackage.json",
    "CITATION.cff",
    "README.md",
    "SHA256SUMS",
}


def frictionless_validate(folder: Path) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("frictionless")
    proc = subprocess.run(
        [str(exe), "validate", "--json", "datapackage.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module")
def released(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Two releases of the same corpus, and one with --bom."""
    base = tmp_path_factory.mktemp("release")
    outs = (base / "a", base / "b", base / "bom")
    for out, extra in zip(outs, ([], [], ["--bom"]), strict=True):
        proc = run_cli("release", "--data", str(demo_data), "--out", str(out), *extra)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert proc.stderr == ""
    return outs


def corpus(demo_data: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{demo_data / 'corpus.db'}?mode=ro", uri=True)


def test_release_files_rows_and_reproducibility(demo_data: Path, released: tuple[Path, Path, Path]) -> None:
    a, b, _ = released
    assert {p.name for p in a.iterdir()} == FILES
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between two releases"
    db = corpus(demo_data)
    expected = {
        "reports": db.execute("SELECT count(*) FROM reports").fetchone()[0],
        "figures": db.execute("SELECT count(*) FROM report_stats").fetchone()[0],
        "checks": db.execute("SELECT count(*) FROM report_checks").fetchone()[0],
    }
    for table, n in expected.items():
        assert n > 0
        assert pq.read_table(a / f"{table}.parquet").num_rows == n
        assert len((a / f"{table}.csv").read_text(encoding="utf-8").splitlines()) == n + 1
    package = json.loads((a / "datapackage.json").read_text(encoding="utf-8"))
    assert package["govarchive"]["rows"]["figures"] == expected["figures"]
    # The release date and version come from the corpus (its latest run, capture or sighting).
    latest = db.execute("SELECT max(finished_at) FROM crawl_runs").fetchone()[0][:10]
    assert package["created"].startswith(latest) and package["version"] == latest.replace("-", ".")
    cff = (a / "CITATION.cff").read_text(encoding="utf-8")
    assert f'version: "{package["version"]}"' in cff and f'date-released: "{latest}"' in cff
    # The manifest names every original a report was read from.
    originals = {
        r[0]
        for r in db.execute(
            "SELECT sha256 FROM report_sources UNION SELECT sha256 FROM reports WHERE sha256 IS NOT NULL"
        )
    }
    manifest = pq.read_table(a / "manifest.parquet").to_pylist()
    assert {m["sha256"] for m in manifest} == originals
    assert all(m["size"] and m["first_url"] for m in manifest)
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=a, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr


def test_blank_stays_null_and_wide_figures_match(demo_data: Path, released: tuple[Path, Path, Path]) -> None:
    a = released[0]
    db = corpus(demo_data)
    blanks = db.execute("SELECT count(*) FROM report_stats WHERE value IS NULL").fetchone()[0]
    assert blanks > 0, "the demo corpus has blank cells"
    figures = pq.read_table(a / "figures.parquet").to_pylist()
    assert sum(f["value"] is None for f in figures) == blanks
    lines = (a / "figures.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert sum(line.split(",")[4] == "" for line in lines) == blanks  # value is the 5th column, never 0
    # Where each figure was read: the stored place, its box and span split into numbers.
    places = {
        (r[0], r[1], r[2], r[3]): place_values(r[4:])
        for r in db.execute(
            f"SELECT report_id, section, row, col, {', '.join(PLACE_SOURCES)} FROM report_stats"
        )
    }
    assert {
        (f["report_id"], f["section"], f["row"], f["col"]): tuple(f[c] for c in PLACE_FIELDS) for f in figures
    } == places
    assert any(p[0] and p[4] for p in places.values()) and any(p[5] for p in places.values())  # PDF; tables
    reports = {r["report_id"]: r for r in pq.read_table(a / "reports.parquet").to_pylist()}
    stored = {
        (rid, row): value
        for rid, row, value in db.execute(
            "SELECT report_id, row, value FROM report_stats WHERE section = 'applications' AND col = 'total'"
        )
    }
    division = dict(
        db.execute("SELECT r.id, b.division_code FROM reports r LEFT JOIN bodies b ON b.id = r.body_id")
    )
    assert any(division.values()), "the demo's bodies are read against the division list"
    for rid, report in reports.items():
        assert report["division_code"] == division[rid]  # the body's place (利通区: 640302), null when unread
        for column, row in (
            ("granted", "granted"),
            ("processed_total", "processed_total"),
            ("applications_new", "new"),
        ):
            assert report[column] == stored.get((rid, row)), (rid, column)
        if report["processed_total"] and report["granted"] is not None:
            assert report["granted_share"] == round(report["granted"] / report["processed_total"], 6)
        else:
            assert report["granted_share"] is None
    summary = db.execute("SELECT id FROM reports WHERE kind = 'work_summary'").fetchone()[0]
    derived = [w.name for w in release.WIDE_COLUMNS if w.name not in ("deadline", "on_time")]
    assert all(reports[summary][name] is None for name in derived)  # no table: all null, not 0
    # On-time publication: the deadline by the kind of body, blank when the day is unknown.
    for report in reports.values():
        assert report["deadline"] == measures.deadline(report["year"], report["agency"])
        assert report["on_time"] == measures.on_time(report["published_at"], report["year"], report["agency"])
        assert report["population"] is None and report["requests_per_10k_residents"] is None
    codebook = pq.read_table(a / "codebook.parquet").to_pylist()
    figure_codes = {c["code"] for c in codebook if c["kind"] == "figure"}
    for tpl in codes.TEMPLATES:
        assert {"|".join(c) for c in release.template_codes(tpl)} <= figure_codes
    assert all(c["label_zh"] and c["label_en"] for c in codebook)
    assert {c["code"] for c in codebook if c["kind"] == "column"} == {
        w.name for w in (*release.WIDE_COLUMNS, *release.RANKS)
    }
    crosswalked = {c["code"]: (c["crosswalk"], c["counterpart"]) for c in codebook if c["kind"] == "figure"}
    assert crosswalked["active|art20_1.normative_docs|made"][0] == "changed"
    assert crosswalked["active|art20_1.normative_docs|made"][1].startswith(
        "active|art20_1.normative_docs|issued"
    )
    assert crosswalked["applications|granted|total"][0] == "same"
    # Ranks: within a region and year, by each rate, highest first; a blank rate has no rank.
    groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
    for report in reports.values():
        if report["kind"] == "annual_report":
            groups.setdefault((report["region"], report["year"]), []).append(report)
    for members in groups.values():
        for rate in measures.RATE:
            values = {m["report_id"]: m[rate] for m in members}
            assert {m["report_id"]: m[f"{rate}_rank"] for m in members} == measures.ranks(values), rate


def test_rates_are_null_when_a_figure_is_blank() -> None:
    index = {c: i for i, c in enumerate(measures.FIGURE_CODES)}
    figures: list[float | None] = [1.0] * len(index)
    values = dict(
        zip([w.name for w in release.WIDE_COLUMNS], release._wide_values(figures, index), strict=True)
    )
    assert values["granted_share"] == 1.0 and values["refused"] == 8.0
    assert values["review_correction_rate"] is None  # total − pending = 0: no concluded review, no rate
    figures[index[("applications", "denied.third_party", "total")]] = None
    values = dict(
        zip([w.name for w in release.WIDE_COLUMNS], release._wide_values(figures, index), strict=True)
    )
    assert values["refused"] is None and values["refused_share"] is None and values["granted_share"] == 1.0
    values = dict(
        zip(
            [w.name for w in release.WIDE_COLUMNS], release._wide_values(figures, index, 20000.0), strict=True
        )
    )
    assert values["population"] == 20000 and values["requests_per_10k_residents"] == 0.5


def test_release_validates_with_frictionless(released: tuple[Path, Path, Path]) -> None:
    for folder in (released[0], released[2]):
        result = frictionless_validate(folder)
        assert result["valid"], json.dumps(result, ensure_ascii=False)[:3000]
        assert len(result["tasks"]) == 2 * len(TABLES)  # every CSV and every Parquet file


def test_bom_for_excel(released: tuple[Path, Path, Path]) -> None:
    plain, bom = released[0], released[2]
    for table in TABLES:
        with_bom = (bom / f"{table}.csv").read_bytes()
        assert with_bom.startswith(b"\xef\xbb\xbf") and not (plain / f"{table}.csv").read_bytes().startswith(
            b"\xef"
        )
        assert with_bom[3:] == (plain / f"{table}.csv").read_bytes()
        assert (bom / f"{table}.parquet").read_bytes() == (plain / f"{table}.parquet").read_bytes()


def test_release_errors_and_exit_statuses(
    demo_data: Path, released: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    def one_line(proc: subprocess.CompletedProcess[str], status: int, words: str) -> None:
        assert proc.returncode == status, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and words in proc.stderr, proc.stderr

    data = str(demo_data)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "mine.txt").write_text("keep me")
    one_line(run_cli("release", "--data", data, "--out", str(busy)), 2, "not empty")
    assert [p.name for p in busy.iterdir()] == ["mine.txt"]
    forced = run_cli(
        "release", "--data", data, "--out", str(busy), "--force", "--version", "1.0", "--date", "2027-01-31"
    )
    assert forced.returncode == 0, forced.stderr
    assert (busy / "mine.txt").read_text() == "keep me"  # --force replaces release files, nothing else
    package = json.loads((busy / "datapackage.json").read_text(encoding="utf-8"))
    assert package["version"] == "1.0" and package["created"] == "2027-01-31T00:00:00Z"
    assert 'date-released: "2027-01-31"' in (busy / "CITATION.cff").read_text(encoding="utf-8")
    for name in FILES - {"datapackage.json", "CITATION.cff", "README.md", "SHA256SUMS"}:
        assert (busy / name).read_bytes() == (released[0] / name).read_bytes()

    a_file = tmp_path / "file"
    a_file.write_text("x")
    one_line(run_cli("release", "--data", data, "--out", str(a_file / "sub")), 3, "cannot write there")
    one_line(run_cli("release", "--data", data, "--out", str(a_file)), 3, "cannot write there")
    one_line(
        run_cli("release", "--data", data, "--out", str(tmp_path / "x"), "--date", "2026-02-30"), 2, "--date"
    )
    one_line(
        run_cli("release", "--data", str(tmp_path / "nodata"), "--out", str(tmp_path / "y")),
        2,
        "no corpus.db",
    )
    empty = tmp_path / "empty"
    Corpus(empty / "corpus.db").close()
    one_line(run_cli("release", "--data", str(empty), "--out", str(tmp_path / "z")), 2, "no report")
    assert not (tmp_path / "x").exists() and not (tmp_path / "z").exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_release_leaves_the_corpus_untouched(demo_data: Path, tmp_path: Path) -> None:
    """corpus.db is opened read-only: not a byte of it changes (no migration, no checkpoint)."""
    copy = tmp_path / "ro"
    shutil.copytree(demo_data, copy, ignore=shutil.ignore_patterns("blobs", "*.txt"))
    before = (copy / "corpus.db").read_bytes()
    proc = run_cli("release", "--data", str(copy), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert (copy / "corpus.db").read_bytes() == before


def test_the_site_offers_the_latest_release(demo_data: Path, tmp_path: Path) -> None:
    """`release` without --out keeps it in DATA/releases/VERSION; `serve` lists it and serves its files."""
    data = tmp_path / "data"
    shutil.copytree(demo_data, data, ignore=shutil.ignore_patterns("*.txt"))
    for version, day in (("2026.1", "2026-01-31"), ("2027.1", "2027-01-31")):
        proc = run_cli("release", "--data", str(data), "--version", version, "--date", day)
        assert proc.returncode == 0, proc.stderr
        assert (data / "releases" / version / "datapackage.json").is_file()
    (data / "releases" / ".2028.partial-1").mkdir()  # a release being written is not offered
    with serving(data) as base:
        page = urllib.request.urlopen(f"{base}/release", timeout=30).read().decode()
        assert page.index("2027.1") < page.index("2026.1") and "最新: 2027.1" in page
        assert "/release/2027.1/reports.parquet" in page and "2028" not in page
        home = urllib.request.urlopen(f"{base}/research", timeout=30).read().decode()
        assert "2027.1" in home and "/release/latest/reports.csv" in home
        with urllib.request.urlopen(f"{base}/release/latest/reports.csv", timeout=30) as r:
            assert r.read() == (data / "releases" / "2027.1" / "reports.csv").read_bytes()
            assert "govarchive-2027.1-reports.csv" in r.headers["Content-Disposition"]
        with urllib.request.urlopen(f"{base}/release/2026.1/figures.parquet", timeout=30) as r:
            assert r.read() == (data / "releases" / "2026.1" / "figures.parquet").read_bytes()
        for bad in ("/release/2026.1/corpus.db", "/release/nosuch/reports.csv", "/release/2026.1/..%2Fx"):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(base + bad, timeout=30)
            assert e.value.code == 404, bad
