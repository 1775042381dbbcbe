"""Runs a real crawl of simulated portals in a subprocess and reads what it left in corpus.db."""

from __future__ import annotations

import json
import os
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


def crawl(
    sites_file: Path,
    data_dir: Path,
    site_ids: list[str],
    *,
    via: str = "govarchive",
    timeout: float = 300,
    env: dict[str, str] | None = None,
    code: Path = ROOT,
) -> subprocess.CompletedProcess[str]:
    """`govarchive crawl` (or `scrapy crawl reports`) as a user runs it; fails the test on a crash.

    code: the checkout whose crawler runs (benchmarks compare another commit's on the same portals)."""
    env = {
        **os.environ,
        **({"PYTHONPATH": str(code)} if code != ROOT else {}),
        "GOVARCHIVE_RETRY_BACKOFF": "1.0",
        "GOVARCHIVE_EXTRACT_WORKERS": "1",
        **(env or {}),
    }
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
    else:
        cmd = [
            sys.executable, "-m", "scrapy", "crawl", "reports",
            "-a", f"site={','.join(site_ids)}", "-a", f"sites_file={sites_file}",
            "-s", f"GOVARCHIVE_DATA={data_dir}",
        ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=code, env=env, capture_output=True, text=True, timeout=timeout)
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


def summary(data_dir: Path) -> dict[str, Any]:
    """The counters of the last crawl run."""
    with db(data_dir) as conn:
        row = conn.execute("SELECT summary FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    return json.loads(row["summary"]) if row and row["summary"] else {}
