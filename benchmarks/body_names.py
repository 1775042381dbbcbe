"""The share of body names read against the national division list, over every document the tests have.

Every body name a test document prints in a report title (the span before its year, as `interpret` reads
it: archive/report/meta.py `agency_from_title`), and every name of a sites file's `expected_agencies`, is
read by the one reader (archive/bodies/names.py) without a site's place (the harder case: a name must
carry its place). Sources: the test portals (tests/portals), the zoo (tests/zoo), the demo portal
(govarchive/demo_portal), the docfactory specs (tests/docfactory) and the seeds (/work/shared/seeds or
--seeds). Text files are read as text, PDF/DOCX/DOC through the project's extractors.

    .venv/bin/python -m benchmarks.body_names [--seeds DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import Counter
from pathlib import Path

from archive.bodies.names import read_body
from archive.extract import extract_file
from archive.report.meta import agency_from_title, normalize_title

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["tests/portals", "tests/zoo", "govarchive/demo_portal", "tests/docfactory"]
TEXT = {".py", ".html", ".htm", ".txt", ".md", ".json", ".toml", ".tmpl", ".xml"}
DOCS = {".pdf", ".docx", ".doc"}
_TITLE = re.compile(
    r"[\u4e00-\u9fff（）()]{2,40}?(?:19[89]\d|20[0-4]\d)\s*年度?[\u4e00-\u9fff]{0,12}?(?:政府信息公开|政务公开)"
)
_EXPECTED = re.compile(r"expected_agencies\s*=\s*\[([^\]]*)\]")


def names_in(text: str) -> list[str]:
    out = []
    for m in _TITLE.finditer(text):
        name = agency_from_title(normalize_title(m.group()))
        if name:
            out.append(name)
    for m in _EXPECTED.finditer(text):
        out += re.findall(r"\"([^\"]+)\"", m.group(1))
    return out


def document_text(path: Path, cache: Path) -> str:
    if path.suffix in TEXT:
        return path.read_text(encoding="utf-8", errors="replace")
    return extract_file(path, cache_dir=cache).text or ""


def measure(seeds: Path | None) -> dict[str, object]:
    roots = [ROOT / s for s in SOURCES] + ([seeds] if seeds and seeds.is_dir() else [])
    seen: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as cache:
        for root in roots:
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix in TEXT | DOCS:
                    seen.update(names_in(document_text(path, Path(cache))))
    parsed = {n for n in seen if read_body(n).parsed}
    failed = sorted(set(seen) - parsed)
    # Places the list cannot know: the test portals' invented ones (测试县, 示范市), read by their names.
    invented = [n for n in failed if read_body(n).key.startswith("~")]
    return {
        "invented_places": len(invented),
        "share_of_real_places": round(len(parsed) / (len(seen) - len(invented)), 3) if seen else None,
        "names": len(seen),
        "parsed": len(parsed),
        "share": round(len(parsed) / len(seen), 3) if seen else None,
        "sightings": sum(seen.values()),
        "sightings_parsed": sum(seen[n] for n in parsed),
        "failed": failed,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=Path, default=Path("/work/shared/seeds"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = measure(args.seeds)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    print(
        f"{result['parsed']}/{result['names']} distinct body names parsed against the gazetteer "
        f"({result['share']}); {result['sightings_parsed']}/{result['sightings']} sightings; "
        f"{result['invented_places']} names of invented places (测试县…), so {result['share_of_real_places']} "
        "of the names of real places"
    )
    print("not parsed:", "、".join(result["failed"]))  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
