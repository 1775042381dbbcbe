"""`govarchive demo`: the bundled sample portals on loopback, crawled into a fresh data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from archive.errors import GovarchiveError
from archive.sites import parse_sites
from archive.store.workspace import Workspace

PORTALS = Path(__file__).parent / "demo_portal"
MARKER = ".govarchive-demo"


def fresh_data_dir(data_dir: Path) -> None:
    """Start from an empty folder; only a folder an earlier demo made is ever deleted."""
    if data_dir.exists() and any(data_dir.iterdir()):
        if not (data_dir / MARKER).exists():
            raise GovarchiveError(
                f"{data_dir}: folder exists and was not made by `govarchive demo`; pick another --data"
            )
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / MARKER).write_text(
        "made by govarchive demo; deleted by the next demo run\n", encoding="utf-8"
    )


def demo_sites_toml(base_urls: dict[str, str]) -> str:
    text = (PORTALS / "sites.toml.tmpl").read_text(encoding="utf-8")
    for site_id, url in base_urls.items():
        text = text.replace("{base_url_" + site_id.replace("-", "_") + "}", url.rstrip("/"))
    return text


def run_demo(data_dir: Path, serve: bool = True, port: int = 8001) -> int:
    from govarchive.crawl import run_crawl
    from govarchive.demoserver import serve_portals
    from govarchive.summary import format_corpus_summary, format_crawl_summary

    fresh_data_dir(data_dir)
    with serve_portals(PORTALS / "sites") as base_urls:
        sites_path = data_dir / "demo-sites.toml"
        sites_path.write_text(demo_sites_toml(base_urls), encoding="utf-8")
        sites = parse_sites(sites_path.read_text(encoding="utf-8"), sites_path)
        # Loopback portals answer at once: no politeness delay is needed for the demo.
        summary = run_crawl(data_dir, sites, {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False})
    print(format_crawl_summary(summary))
    ws = Workspace(data_dir)
    print(format_corpus_summary(ws.corpus))
    from archive.products.monitor import expected_reports, format_table

    print("monitor:")
    print(format_table(expected_reports(ws.corpus)))
    ws.close()
    print(f"sites file of this demo: {sites_path}")
    if not serve:
        return 0
    from govarchive.serve import run_datasette

    run_datasette(data_dir, port=port)
