"""Shared fixtures: a demo corpus built once per session by the real `govarchive demo --no-serve`."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A real redis-server (Debian's) on a free loopback port, nothing persisted; returns (process, URL)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return proc, f"redis://127.0.0.1:{port}/0"
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


@contextlib.contextmanager
def redis_at(given: str | None, prefix: str) -> Iterator[str]:
    """The Redis at `given`, else a redis-server of its own (start_redis) in a new temporary folder, stopped
    and removed after: a benchmark's `--redis`."""
    if given is not None:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        proc, url = start_redis(Path(folder))
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Redis for the session; each test keeps to its own keys (its own crawl name)."""
    proc, url = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_serve(data: Path, wait_s: float = 60) -> tuple[subprocess.Popen[bytes], str]:
    """`govarchive serve` on a free loopback port, returned once Datasette answers (or the test fails with
    what it printed)."""
    port = free_port()
    # Its output goes to a file: a pipe nobody reads fills up (a request log line each) and stalls the server.
    log = tempfile.NamedTemporaryFile(prefix="govarchive-serve-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "govarchive", "serve", "--data", str(data), "--port", str(port)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with urllib.request.urlopen(url + "/-/versions.json", timeout=2):
                return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                out = Path(log.name).read_text(errors="replace")
                raise AssertionError(f"datasette did not start: {out[-2000:]}") from None
            time.sleep(0.3)


def stop_serve(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server; never leave it behind, even when it does not stop on SIGTERM."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def serving(data: Path) -> Iterator[str]:
    """`govarchive serve` on `data` for the duration of the block; yields its base URL."""
    proc, url = start_serve(data)
    try:
        yield url
    finally:
        stop_serve(proc)


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
