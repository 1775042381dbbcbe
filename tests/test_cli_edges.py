"""The operator's commands at their edges, run as a user runs them (`python -m govarchive …` in its own process,
real files, a real read-only mount): each bad value, unwritable folder or busy port ends in one line on stderr
and the README's exit status (2 bad usage or input, 3 the data folder or an output path failed), never a
traceback; a read command reads a corpus it cannot write."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import socket
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port, run_cli
from tests.test_cli import report_docx
from tests.test_disk_faults import _mount, mounted


def one_line(proc: subprocess.CompletedProcess[str], status: int, *says: str) -> str:
    """The run ended with `status` and exactly one line on stderr, saying each of `says`."""
    assert proc.returncode == status, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("govarchive: "), proc.stderr[-3000:]
    for words in says:
        assert words in lines[0], (words, lines[0])
    return lines[0]


@pytest.fixture
def archive(demo_data: Path, tmp_path: Path) -> Path:
    """A copy of the demo's data folder, for one test to use as it likes."""
    data = tmp_path / "archive" / "data"
    shutil.copytree(demo_data, data)
    return data


@pytest.fixture
def read_only(archive: Path, tmp_path: Path) -> Iterator[Path]:
    """The copy seen through a read-only bind mount (chmod does not stop root; tests/test_disk_faults.py)."""
    view = tmp_path / "ro"
    with mounted(view, "--bind", str(archive.parent)):
        _mount("-o", "remount,bind,ro", str(view))
        yield view / "data"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- export-warc / export-wacz ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--since", "yesterday"], "--since 'yesterday': not a day (YYYY-MM-DD"),
        (["--since", "2026-13-45"], "--since '2026-13-45': not a day"),
        (["--until", "31/01/2026"], "--until '31/01/2026': not a day"),
        (["--since", "2026-02-01", "--until", "2026-01-01"], "is after --until"),
        (["--site", "nosuch"], "--site nosuch: no such site in the corpus (sites: demo-lt, demo-zn)"),
        (["--report", "999"], "--report 999: no such report in the corpus"),
    ],
)
def test_export_warc_bad_filter_values_are_bad_usage(
    archive: Path, tmp_path: Path, args: list[str], says: str
) -> None:
    out = tmp_path / "out"
    one_line(run_cli("export-warc", "--data", str(archive), "--out", str(out), *args), 2, says)
    assert not out.exists()  # nothing written
    wacz = tmp_path / "x.wacz"
    one_line(run_cli("export-wacz", "--data", str(archive), "--out", str(wacz), *args), 2, says)
    assert not wacz.exists()


def test_export_warc_filter_matching_nothing_says_so(archive: Path, tmp_path: Path) -> None:
    proc = run_cli(
        "export-warc", "--data", str(archive), "--out", str(tmp_path / "w"), "--until", "2000-01-01"
    )
    one_line(proc, 0, "no capture matches --until 2000-01-01", "only its warcinfo record")
    assert "()" not in proc.stdout and "(no capture)" in proc.stdout
    proc = run_cli(
        "export-wacz", "--data", str(archive), "--out", str(tmp_path / "w.wacz"), "--since", "2099-01-01"
    )
    one_line(proc, 0, "no capture matches --since 2099-01-01")


def test_export_to_an_impossible_out_path_is_one_line_exit_3(archive: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    out = a_file / "warc"
    one_line(
        run_cli("export-warc", "--data", str(archive), "--out", str(out)), 3, f"--out {out}", "not a folder"
    )
    wacz = a_file / "sub" / "x.wacz"
    one_line(run_cli("export-wacz", "--data", str(archive), "--out", str(wacz)), 3, f"--out {wacz}")


def test_export_reads_a_read_only_archive(read_only: Path, tmp_path: Path) -> None:
    proc = run_cli("export-warc", "--data", str(read_only), "--out", str(tmp_path / "w"), "--name", "x")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr[-2000:]
    assert "response " in proc.stdout and (tmp_path / "w" / "x.warc.gz").stat().st_size > 0


def test_export_to_a_read_only_out_path_is_one_line_exit_3(archive: Path, read_only: Path) -> None:
    out = read_only.parent / "warc"
    proc = run_cli("export-warc", "--data", str(archive), "--out", str(out))
    one_line(proc, 3, f"--out {out}", "Read-only file system")


# --- ingest, parse ---------------------------------------------------------------------------------------


def test_ingest_into_a_folder_that_cannot_be_written(tmp_path: Path, read_only: Path) -> None:
    doc = report_docx(tmp_path / "r.docx", "示范县教育局2022年政府信息公开工作年度报告")
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    under_a_file = a_file / "data"
    one_line(run_cli("ingest", "--data", str(under_a_file), str(doc)), 3, str(under_a_file), "not a folder")
    new_folder = read_only.parent / "new-data"  # a new data folder on a read-only file system
    one_line(run_cli("ingest", "--data", str(new_folder), str(doc)), 3, str(new_folder), "read-only")
    before = _digest(read_only / "corpus.db")
    one_line(run_cli("ingest", "--data", str(read_only), str(doc)), 3, str(read_only), "read-only")
    assert _digest(read_only / "corpus.db") == before


def test_parse_of_an_empty_or_random_file_is_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(4096)))
    proc = run_cli("parse", str(empty))
    assert one_line(proc, 2) == f"govarchive: {empty}: empty file" and proc.stdout == ""
    proc = run_cli("parse", str(noise))
    assert one_line(proc, 2) == f"govarchive: {noise}: unsupported format: unknown" and proc.stdout == ""


def test_ingest_and_parse_say_the_same_of_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "in" / "empty.pdf"
    empty.parent.mkdir()
    empty.write_bytes(b"")
    parsed = one_line(run_cli("parse", str(empty)), 2).removeprefix("govarchive: ")
    proc = run_cli("ingest", "--data", str(tmp_path / "data"), str(empty))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == f"error: {parsed}"  # "…/empty.pdf: empty file"


# --- monitor ------------------------------------------------------------------------------------------


def test_monitor_reads_a_corpus_it_cannot_write(archive: Path, read_only: Path) -> None:
    before = _digest(read_only / "corpus.db")
    proc = run_cli("monitor", "--data", str(read_only))
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr[-3000:]
    assert _digest(read_only / "corpus.db") == before
    # The same answer as on the writable copy, which it also leaves as it was.
    writable = run_cli("monitor", "--data", str(archive))
    assert writable.returncode == 0 and writable.stdout == proc.stdout and "missing: 1" in proc.stdout
    assert _digest(archive / "corpus.db") == before
    # Refreshing the expectations from a sites file is a write: the folder's one line.
    sites = archive / "demo-sites.toml"
    one_line(
        run_cli("monitor", "--data", str(read_only), "--sites", str(sites)), 3, str(read_only), "read-only"
    )


# --- serve, sites check ---------------------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_before_any_url(archive: Path) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        proc = run_cli("serve", "--data", str(archive), "--port", str(port), timeout=60)
    one_line(proc, 2, f"port {port} on 127.0.0.1: in use", "--port")
    assert "http://" not in proc.stdout


def test_sites_check_of_a_file_without_sites(tmp_path: Path) -> None:
    for text in ("", "# the sites will come later\n"):
        sites = tmp_path / "sites.toml"
        sites.write_text(text, encoding="utf-8")
        proc = run_cli("sites", "check", "--sites", str(sites))
        one_line(proc, 2, f"{sites}: no sites in it")
        assert proc.stdout == ""


# --- titles ---------------------------------------------------------------------------------------------


def test_tidy_title_drops_stray_spaces_between_chinese_and_digits() -> None:
    from archive.report.meta import tidy_title

    assert (
        tidy_title("示范县财政局 2023 年政府信息公开\u3000工作 年度报告")
        == "示范县财政局2023年政府信息公开工作年度报告"
    )
    assert tidy_title("（2023 年）") == "（2023年）"
    assert tidy_title("Annual  Report 2023 of 示范县") == "Annual Report 2023 of 示范县"  # word gaps stay
    assert tidy_title("   ") is None


def test_a_title_with_a_stray_space_is_tidied_by_parse_ingest_and_reprocess(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    doc = report_docx(tmp_path / "in" / "r.docx", "示范县财政局 2022 年政府信息公开工作年度报告")
    tidy = "示范县财政局2022年政府信息公开工作年度报告"
    proc = run_cli("parse", str(doc))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["title"] == tidy
    data = tmp_path / "data"
    assert run_cli("ingest", "--data", str(data), str(doc)).returncode == 0

    def titles() -> list[str]:
        with contextlib.closing(sqlite3.connect(data / "corpus.db")) as db:
            return [r[0] for r in db.execute("SELECT title FROM reports")]

    assert titles() == [tidy]
    proc = run_cli("reprocess", "--data", str(data))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert titles() == [tidy]  # derived data: a rebuild from the archive gives what the crawl gave
