"""What the layering contracts (lint-imports) cannot see: what a process really loads."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def _loaded(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return set(out.split())


def test_the_shared_crawl_writer_and_worker_load_no_scrapy() -> None:
    loaded = _loaded("import archive.sharedcrawl.writer, archive.sharedcrawl.worker, archive.products.runend")
    assert not {m for m in loaded if m.split(".")[0] in ("scrapy", "twisted", "crawler", "pipelines")}


def test_a_crawl_of_its_own_imports_nothing_of_the_shared_crawl() -> None:
    loaded = _loaded(
        "import crawler.settings, crawler.run, crawler.incremental, crawler.spiders.reports\n"
        "import pipelines.store, pipelines.dedup, pipelines.extract, pipelines.reports"
    )
    assert not {m for m in loaded if m.startswith(("crawler.sharedcrawl", "archive.sharedcrawl", "redis"))}
