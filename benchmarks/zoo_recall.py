"""Recall and precision of one real crawl over the zoo: simulated portals the crawler has never seen.

    python benchmarks/zoo_recall.py [--part open|sealed|all] [--json OUT] [--code CHECKOUT] [--details]

The open part lists every missed report and false positive; the sealed part prints only numbers (its
cases stay unknown to developers) unless --details is given. Always exits 0: it measures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.zoo.measure import PARTS, PartResult, SiteResult, run_part  # noqa: E402


def _pct(x: float | None) -> str:
    return "  -  " if x is None else f"{x * 100:5.1f}"


def _ppr(x: float | None) -> str:
    return "   -" if x is None else f"{x:5.1f}"


def _row(name: str, s: dict[str, Any]) -> str:
    sup = f"{s['supersede_ok']}/{s['supersede_total']}" if s["supersede_total"] else "-"
    fps = s["corpus_reports"] - s["correct_reports"]
    return (
        f"{name:<22} {s['found']:>3}/{s['planted']:<3} {_pct(s['recall'])} {fps:>3} {_pct(s['precision'])} "
        f"{sup:>5} {s['captures']:>5} {s['server_requests']:>5} {s['browser_requests']:>4} "
        f"{_ppr(s['pages_per_report'])} {s['agency_exact']:>4}"
    )


HEADER = (
    f"{'simulator':<22} {'found':>7} {'rec%':>5} {'FP':>3} {'prec%':>5} {'supsd':>5} "
    f"{'capts':>5} {'reqs':>5} {'brws':>4} {'pg/rp':>5} {'name':>4}"
)


def report(res: PartResult, details: bool) -> None:
    print(
        f"\n== {res.part} part: crawl {res.crawl_seconds:.0f}s"
        + (f" — CRAWL ERROR: {res.crawl_error[-600:]}" if res.crawl_error else "")
    )
    print(HEADER)
    for s in res.sites:
        print(_row(s.site, s.as_dict()))
    t = res.totals()
    t["correct_reports"] = t["corpus_reports"] - t["false_positives"]
    print(_row("TOTAL", t))
    print(f"look-alikes planted: {t['lookalikes']}")
    if details:
        _details(res.sites)


def _details(sites: list[SiteResult]) -> None:
    for s in sites:
        for m in s.missed:
            problem = m.get("problem", "missed")
            print(f"  {problem}: [{s.site}] {m['body']} {m['year']} ({m['form']}) {m['urls'][0]}")
        for fp in s.false_positives:
            print(
                f"  false positive ({fp['why']}): [{s.site}] {fp['agency']} {fp['year']} {fp['kind']} «{fp['title']}» {fp['url']}"
            )
        for u in s.lookalike_sources:
            print(f"  look-alike attached to a report: [{s.site}] {u}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=[*PARTS, "all"], default="open")
    ap.add_argument("--json", type=Path, help="write every number to this file")
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose crawler runs")
    ap.add_argument("--details", action="store_true", help="also list the sealed part's misses (lead only)")
    ap.add_argument("--timeout", type=float, default=780)
    args = ap.parse_args(argv)
    parts = PARTS if args.part == "all" else (args.part,)
    results = []
    for part in parts:
        res = run_part(part, code=args.code.resolve(), timeout=args.timeout)
        report(res, details=part == "open" or args.details)
        results.append(res)
    if len(results) > 1:
        planted = sum(r.totals()["planted"] for r in results)
        found = sum(r.totals()["found"] for r in results)
        corpus = sum(r.totals()["corpus_reports"] for r in results)
        fps = sum(r.totals()["false_positives"] for r in results)
        print(
            f"\nALL: found {found}/{planted} ({found / max(planted, 1):.1%}), "
            f"false positives {fps}, precision {(corpus - fps) / max(corpus, 1):.1%}"
        )
    if args.json:
        out = {r.part: r.as_dict() for r in results}
        if "sealed" in out and not args.details:  # numbers only: keep the sealed cases' details out
            for s in out["sealed"]["sites"]:
                s["missed"] = len(s["missed"])
                s["false_positives"] = len(s["false_positives"])
                s["lookalike_sources"] = len(s["lookalike_sources"])
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
