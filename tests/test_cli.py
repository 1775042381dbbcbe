"""The command line on real files: parse, ingest, reprocess, and its errors."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
from pathlib import Path

import docx

from archive.store.blobs import BlobReader
from tests.conftest import run_cli

PARSE_KEYS = {
    "title",
    "agency",
    "year",
    "kind",
    "template",
    "published_at",
    "text",
    "tables",
    "stats",
    "checks",
}


def report_docx(path: Path, title: str) -> Path:
    d = docx.Document()
    d.add_heading(title, 0)
    d.add_paragraph("一、总体情况。本年度依申请公开工作平稳有序。")
    table = d.add_table(rows=2, cols=4)
    for i, text in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]):
        table.cell(0, i).text = text
    for i, text in enumerate(["规章", "1", "0", "5"]):
        table.cell(1, i).text = text
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(buf.getvalue())
    return path


def test_parse_prints_the_interface_json(tmp_path: Path) -> None:
    path = report_docx(tmp_path / "r.docx", "示范县财政局2022年政府信息公开工作年度报告")
    proc = run_cli("parse", str(path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert set(out) >= PARSE_KEYS
    assert (out["agency"], out["year"], out["kind"], out["template"]) == (
        "示范县财政局",
        2022,
        "annual_report",
        "2021",
    )
    assert out["tables"][0][0] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    stats = {(s["row"], s["col"]): s["value"] for s in out["stats"]}
    assert stats[("art20_1.regulations", "issued")] == 1
    assert stats[("art20_1.regulations", "in_force")] == 5
    assert list(tmp_path.iterdir()) == [path]  # writes nothing


def test_parse_missing_or_garbage_file(tmp_path: Path) -> None:
    proc = run_cli("parse", str(tmp_path / "nope.pdf"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"govarchive: {tmp_path / 'nope.pdf'}: no such file"
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7 garbage that is not a pdf")
    proc = run_cli("parse", str(junk))
    assert proc.returncode == 0
    out = json.loads(proc.stdout)
    assert out["error"] and out["stats"] == []


def test_ingest_archives_files_once(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    report_docx(src / "a.docx", "示范县教育局2022年政府信息公开工作年度报告")
    shutil.copy(src / "a.docx", src / "sub" / "copy-of-a.docx")
    (src / "notes.bin").write_bytes(b"\x00\x01binary junk")
    data = tmp_path / "data"
    proc = run_cli("ingest", "--data", str(data), str(src))
    assert proc.returncode == 0, proc.stderr[-2000:]
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert counts["files"] == 2 and counts["new_documents"] == 1 and counts["duplicates"] == 1
    assert counts["skipped"] == 1 and "unsupported format" in proc.stderr
    db = sqlite3.connect(data / "corpus.db")
    assert db.execute("SELECT agency, year FROM reports").fetchall() == [("示范县教育局", 2022)]
    assert db.execute("SELECT count(*) FROM captures WHERE role = 'file'").fetchone()[0] == 2
    assert run_cli("ingest", "--data", str(data), str(tmp_path / "missing")).returncode == 2


def test_ingest_names_the_site_and_region_of_what_it_brings(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    report_docx(src / "a.docx", "示范县教育局2022年政府信息公开工作年度报告")
    data = tmp_path / "data"
    # An unknown site needs a region (or a sites file) to be registered.
    refused = run_cli("ingest", "--data", str(data), "--site", "hand", str(src))
    assert refused.returncode == 2 and "not in the corpus" in refused.stderr
    assert run_cli("ingest", "--data", str(data), "--region", "x", str(src)).returncode == 2
    assert run_cli("ingest", "--data", str(data), "--site", "Bad!", "--region", "x", str(src)).returncode == 2
    proc = run_cli(
        "ingest", "--data", str(data), "--site", "hand", "--region", "宁夏回族自治区/中卫市/示范县",
        "--name", "示范县人民政府", str(src),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    db = sqlite3.connect(data / "corpus.db")
    rows = db.execute("SELECT site_id, region, agency, year FROM reports").fetchall()
    assert rows == [("hand", "宁夏回族自治区/中卫市/示范县", "示范县教育局", 2022)]
    assert db.execute("SELECT name, start_urls FROM sites WHERE id = 'hand'").fetchall() == [
        ("示范县人民政府", "[]")
    ]
    db.close()
    # The site is known now: more files join it; a different region is refused.
    report_docx(src / "b.docx", "示范县财政局2022年政府信息公开工作年度报告")
    assert run_cli("ingest", "--data", str(data), "--site", "hand", str(src)).returncode == 0
    clash = run_cli("ingest", "--data", str(data), "--site", "hand", "--region", "别处", str(src))
    assert clash.returncode == 2 and "differs" in clash.stderr
    # Reprocess rebuilds the same site and region from the captures.
    assert run_cli("reprocess", "--data", str(data)).returncode == 0
    db = sqlite3.connect(data / "corpus.db")
    assert db.execute("SELECT DISTINCT site_id, region FROM reports").fetchall() == [
        ("hand", "宁夏回族自治区/中卫市/示范县")
    ]
    db.close()


def _held_blobs(data: Path) -> dict[str, str]:
    """Every blob the store holds (files and packed) → the SHA-256 of its bytes."""
    store = BlobReader(data / "blobs")
    try:
        return {n: hashlib.sha256(store.read(n)).hexdigest() for n in store.digests()}
    finally:
        store.close()


def test_reprocess_rebuilds_derived_data_and_keeps_blobs_and_history(demo_data: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo_data, data)
    db = sqlite3.connect(data / "corpus.db")
    db.execute(
        "UPDATE reports SET removed_at = '2026-01-01T00:00:00+00:00' WHERE agency = '莱州市卫生健康局'"
    )
    db.execute("DELETE FROM report_stats")
    db.execute("UPDATE documents SET text = 'stale'")
    db.commit()
    before_ids = db.execute("SELECT id, agency, year, kind FROM reports ORDER BY id").fetchall()
    blobs = _held_blobs(data)
    db.close()
    proc = run_cli("reprocess", "--data", str(data))
    assert proc.returncode == 0, proc.stderr[-2000:]
    db = sqlite3.connect(data / "corpus.db")
    assert db.execute("SELECT id, agency, year, kind FROM reports ORDER BY id").fetchall() == before_ids
    assert db.execute("SELECT count(*) FROM report_stats WHERE value IS NOT NULL").fetchone()[0] > 400
    assert (
        db.execute(
            "SELECT count(*) FROM documents WHERE text = 'stale' AND extracted_at IS NOT NULL "
            "AND sha256 IN (SELECT sha256 FROM report_sources)"
        ).fetchone()[0]
        == 0
    )
    assert (
        db.execute("SELECT removed_at FROM reports WHERE agency = '莱州市卫生健康局'").fetchone()[0]
        is not None
    )
    after = _held_blobs(data)
    assert after == blobs  # nothing added, nothing changed
    assert all(name == sha for name, sha in after.items())


SEEDS = Path(__file__).parent / "eval" / "seeds"
TRUTH = Path(__file__).parent / "eval" / "truth"


def test_parse_prints_every_seed_figure_exactly() -> None:
    for truth_path in sorted(TRUTH.glob("seed_*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        proc = run_cli("parse", str(SEEDS / truth["seed"]))
        assert proc.returncode == 0, proc.stderr[-2000:]
        out = json.loads(proc.stdout)
        meta = truth["meta"]
        assert (out["year"], out["kind"], out["template"]) == (meta["year"], meta["kind"], meta["template"])
        if out["kind"] == "annual_report":
            assert out["agency"] == meta["agency"], truth["seed"]
        got = {(s["section"], s["row"], s["col"]): (s["value"], s["raw"]) for s in out["stats"]}
        want = {(s["section"], s["row"], s["col"]): (s["value"], s["raw"]) for s in truth["stats"]}
        assert got == want, truth["seed"]
        assert [(c["rule"], c["status"]) for c in out["checks"]] == [
            (c["rule"], c["status"]) for c in truth["checks"]
        ], truth["seed"]
