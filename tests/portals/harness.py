"""Runs a real crawl of simulated portals in a subprocess and reads what it left in corpus.db."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} to TOML")


def write_sites(path: Path, sites: list[dict[str, Any]]) -> Path:
    lines: list[str] = []
    for site in sites:
        lines.append("[[sites]]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in site.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def crawl_command(
    sites_file: Path, data_dir: Path, site_ids: list[str] | tuple[str, ...] = (), *, via: str = "govarchive"
) -> list[str]:
    """`govarchive crawl` (or `scrapy crawl reports`) as a user types it; no site ids: every site."""
    if via == "govarchive":
        cmd = [
            sys.executable,
            "-m",
            "govarchive",
            "crawl",
            "--sites",
            str(sites_file),
            "--data",
            str(data_dir),
        ]
        for sid in site_ids:
            cmd += ["--site", sid]
        return cmd
    return [
        sys.executable, "-m", "scrapy", "crawl", "reports",
        "-a", f"site={','.join(site_ids)}", "-a", f"sites_file={sites_file}",
        "-s", f"GOVARCHIVE_DATA={data_dir}",
    ]  # fmt: skip


def crawl_env(code: Path = ROOT, env: dict[str, str] | None = None) -> dict[str, str]:
    """The crawl's environment: one extraction worker, a short retry backoff, then `env` on top."""
    return {
        **os.environ,
        **({"PYTHONPATH": str(code)} if code != ROOT else {}),
        "GOVARCHIVE_RETRY_BACKOFF": "1.0",
        "GOVARCHIVE_EXTRACT_WORKERS": "1",
        **(env or {}),
    }


def crawl(
    sites_file: Path,
    data_dir: Path,
    site_ids: list[str],
    *,
    via: str = "govarchive",
    timeout: float = 300,
    env: dict[str, str] | None = None,
    code: Path = ROOT,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """`govarchive crawl` (or `scrapy crawl reports`) as a user runs it; fails the test on a crash
    (check=False: the caller reads the exit code).

    code: the checkout whose crawler runs (benchmarks compare another commit's on the same portals)."""
    cmd = crawl_command(sites_file, data_dir, site_ids, via=via)
    proc = subprocess.run(
        cmd, cwd=code, env=crawl_env(code, env), capture_output=True, text=True, timeout=timeout
    )
    if check:
        assert proc.returncode == 0, (
            f"crawl failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


def db(data_dir: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(data_dir / "corpus.db")
    conn.row_factory = sqlite3.Row
    return conn


def reports(data_dir: Path) -> set[tuple[str, int, str]]:
    with db(data_dir) as conn:
        return {
            (r["agency"], r["year"], r["kind"])
            for r in conn.execute("SELECT agency, year, kind FROM reports")
        }


# Leading division names (省, 市, 县, 区 …): what a spelling of a body may carry or drop.
_LEADING_PLACES = re.compile(r"^(?:[\u4e00-\u9fff]{2,8}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗))+")


def bodies_split_apart(data_dir: Path) -> list[tuple[str, str]]:
    """Pairs of bodies of one site that are one by a plain rule independent of archive/bodies: a spelling of
    one is another's with leading place names added (淮安市洪泽区人民政府 / 洪泽区人民政府). Empty when every
    body has one id whatever the spelling."""
    with db(data_dir) as conn:
        rows = conn.execute(
            """SELECT DISTINCT r.site_id, b.id, b.name AS body, a.name AS spelling FROM reports r
               JOIN bodies b ON b.id = r.body_id LEFT JOIN body_aliases a ON a.body_id = b.id"""
        ).fetchall()
    spellings: dict[tuple[str, int], set[str]] = {}
    for r in rows:
        names = spellings.setdefault((r["site_id"], r["id"]), {r["body"]})
        if r["spelling"]:
            names.add(r["spelling"])
    out: list[tuple[str, str]] = []
    for (site, a), names_a in spellings.items():
        for (other_site, b), names_b in spellings.items():
            if other_site != site or a >= b:
                continue
            for x in names_a:
                for y in names_b:
                    long, short = (x, y) if len(x) > len(y) else (y, x)
                    lead = long[: len(long) - len(short)]
                    if long.endswith(short) and lead and _LEADING_PLACES.fullmatch(lead) and len(short) >= 4:
                        out.append((x, y))
    return out


def published(data_dir: Path) -> dict[tuple[str, int], str | None]:
    with db(data_dir) as conn:
        rows = conn.execute("SELECT agency, year, published_at FROM reports").fetchall()
    return {(r["agency"], r["year"]): r["published_at"] for r in rows}


def sources(data_dir: Path) -> dict[tuple[str, int], list[str]]:
    out: dict[tuple[str, int], list[str]] = {}
    with db(data_dir) as conn:
        for r in conn.execute(
            "SELECT r.agency, r.year, s.url FROM report_sources s JOIN reports r ON r.id = s.report_id"
        ):
            out.setdefault((r["agency"], r["year"]), []).append(r["url"])
    return out


def report_urls(data_dir: Path) -> set[str]:
    """Every URL that is a report's copy or page."""
    with db(data_dir) as conn:
        urls = {r[0] for r in conn.execute("SELECT url FROM report_sources")}
        return urls | {r[0] for r in conn.execute("SELECT page_url FROM reports") if r[0]}


def assert_never_reports(data_dir: Path, fragments: list[str]) -> None:
    """No report's copy or page has a URL with one of these fragments (look-alikes may be opened)."""
    urls = report_urls(data_dir)
    for fragment in fragments:
        assert not [u for u in urls if fragment in u], fragment


def summary(data_dir: Path) -> dict[str, Any]:
    """The counters of the last crawl run."""
    with db(data_dir) as conn:
        row = conn.execute("SELECT summary FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row["summary"]) if row and row["summary"] else {}


# The derived tables a rebuild from the archive must give exactly as the crawl gave them.
DERIVED_TABLES = {
    "reports": "SELECT * FROM reports ORDER BY id",
    "report_sources": "SELECT * FROM report_sources ORDER BY report_id, sha256, url",
    "report_stats": "SELECT * FROM report_stats ORDER BY report_id, section, row, col",
    "report_checks": "SELECT * FROM report_checks ORDER BY report_id, rule",
    "expected_reports": "SELECT * FROM expected_reports ORDER BY site_id, agency, year",
    "bodies": "SELECT * FROM bodies ORDER BY id",
    "body_aliases": "SELECT * FROM body_aliases ORDER BY name, site_id",
}


def rows(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(data_dir / "corpus.db")
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def assert_reprocess_gives_the_same(data_dir: Path, work: Path) -> Path:
    """Copy the data folder, run `govarchive reprocess` on the copy as a user would, and compare the derived
    tables (and the number of captures: a rebuild writes no raw record) row for row; the copy's folder."""
    copy = work / "reprocessed"
    # The corpus as one file: its WAL folded in first, then left out of the copy (a connection closing
    # meanwhile deletes the WAL, which a plain copy of the live folder met as a file gone mid-copy).
    conn = sqlite3.connect(data_dir / "corpus.db")
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    shutil.copytree(data_dir, copy, ignore=shutil.ignore_patterns("corpus.db-wal", "corpus.db-shm"))
    proc = subprocess.run(
        [sys.executable, "-m", "govarchive", "reprocess", "--data", str(copy)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    for table, sql in DERIVED_TABLES.items():
        assert rows(copy, sql) == rows(data_dir, sql), table
    count = "SELECT count(*) FROM captures"
    assert rows(copy, count) == rows(data_dir, count)
    return copy
