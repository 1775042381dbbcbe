"""Shared fixtures: a demo corpus built once per session by the real `govarchive demo --no-serve`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m govarchive …` in its own process (one Scrapy crawl per process)."""
    return subprocess.run(
        [sys.executable, "-m", "govarchive", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or REPO,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo") / "data"
    # A relative --data, as the README's `./run demo` uses (demo-data): paths handed to tools must not depend
    # on the folder they run in.
    proc = run_cli("demo", "--no-serve", "--data", "data", cwd=data.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (data / "demo-stdout.txt").write_text(proc.stdout, encoding="utf-8")
    (data / "demo-stderr.txt").write_text(proc.stderr, encoding="utf-8")
    return data
