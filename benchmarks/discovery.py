"""Report recall and precision of a crawl on every loopback test portal, against a baseline checkout.

    .venv/bin/python benchmarks/discovery.py [--baseline DIR]

Each simulated portal (tests/portals: TRS, Hanweb, JSON API, gkmlpt, year × department with and without the
family hint, a plain portal, one report in every format) is served on 127.0.0.x and crawled with this
checkout's crawler and, with --baseline, with another checkout's (e.g. `git worktree add /tmp/base <commit>`),
on the same bytes in the same run. A report is (body, year, kind); recall = planted found / planted,
precision = planted found / found; pages = requests the portal answered (robots.txt left out), and pages per
report found.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.portals import Planted, formats, gkmlpt, hanweb, jsapi, plain, trs, yeardept, yeartabs  # noqa: E402
from tests.portals.harness import crawl, reports, write_sites  # noqa: E402
from tests.portals.server import Portal  # noqa: E402

FAST = {"download_delay": 0.0, "concurrency": 8}


def _portals(work: Path) -> dict[str, Callable[[], tuple[Portal, Planted, dict[str, Any]]]]:
    def simple(host: str, build: Callable[[Portal], Planted], start: str, **site: Any) -> Any:
        def make() -> tuple[Portal, Planted, dict[str, Any]]:
            portal = Portal(host)
            base = portal.start()
            return portal, build(portal), {"start_urls": [base + start], **site}

        return make

    def trs_portal() -> tuple[Portal, Planted, dict[str, Any]]:
        offsite = Portal("127.0.0.9")
        offsite.start()
        portal = Portal("127.0.0.2")
        base = portal.start()
        return (
            portal,
            trs.build(portal, offsite.base_url),
            {"start_urls": [base + "/"], "family": "trs", "max_depth": 8},
        )

    def formats_portal() -> tuple[Portal, Planted, dict[str, Any]]:
        portal = Portal("127.0.0.11")
        base = portal.start()
        (work / "formats-files").mkdir(exist_ok=True)
        planted, _ = formats.build(portal, work / "formats-files")
        return portal, planted, {"start_urls": [base + "/xxgk/ndbg/index.html"]}

    return {
        "trs": trs_portal,
        "hanweb": simple("127.0.0.3", hanweb.build, "/"),
        "jsapi": simple("127.0.0.4", jsapi.build, "/xxgk/list.html", family="jsapi"),
        "gkmlpt": simple("127.0.0.5", gkmlpt.build, "/gkmlpt/index#2890", family="gkmlpt"),
        "yeardept (hint)": simple("127.0.0.6", yeardept.build, "/ndbg/index.html", family="yeardept"),
        "yeardept (auto)": simple("127.0.0.6", yeardept.build, "/ndbg/index.html"),
        "yeartabs (auto)": simple("127.0.0.12", yeartabs.build, "/bmnb/index.html"),
        "plain": simple("127.0.0.10", plain.build, "/xxgk/ndbg/index.html"),
        "formats": formats_portal,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, help="another checkout whose crawler to compare")
    args = ap.parse_args()
    codes = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    totals = {name: [0, 0, 0, 0] for name in codes}  # planted, found, right, pages
    print(
        f"{'portal':18} {'code':9} {'planted':>7} {'found':>6} {'right':>6} {'recall':>7} {'precision':>9} "
        f"{'pages':>6} {'pg/rp':>6} {'s':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="govarchive-discovery-") as tmp:
        work = Path(tmp)
        for i, (portal_name, make) in enumerate(_portals(work).items()):
            portal, planted, site = make()
            try:
                for code_name, code in codes.items():
                    folder = work / f"{i}-{code_name}"
                    folder.mkdir()
                    sites = write_sites(folder / "sites.toml", [{"id": "p", "name": "测试", **FAST, **site}])
                    started = time.monotonic()
                    before = len(portal.log)
                    crawl(sites, folder / "data", ["p"], code=code, timeout=900)
                    pages = sum(1 for _, _, path, _ in portal.log[before:] if path != "/robots.txt")
                    found = reports(folder / "data")
                    right = len(found & planted.reports)
                    for j, n in enumerate((len(planted.reports), len(found), right, pages)):
                        totals[code_name][j] += n
                    print(
                        f"{portal_name:18} {code_name:9} {len(planted.reports):7} {len(found):6} {right:6} "
                        f"{right / max(1, len(planted.reports)):7.1%} {right / max(1, len(found)):9.1%} "
                        f"{pages:6} {pages / max(1, right):6.1f} {time.monotonic() - started:6.1f}",
                        flush=True,
                    )
            finally:
                portal.stop()
    for code_name, (planted_n, found_n, right, pages) in totals.items():
        print(
            f"{'all':18} {code_name:9} {planted_n:7} {found_n:6} {right:6} {right / max(1, planted_n):7.1%} "
            f"{right / max(1, found_n):9.1%} {pages:6} {pages / max(1, right):6.1f}"
        )


if __name__ == "__main__":
    main()
