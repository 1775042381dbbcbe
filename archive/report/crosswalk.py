"""The crosswalk between the 2019 and the 2021 templates (国办公开办函〔2019〕60号 → 〔2021〕30号): which codes
mean the same, which were split, which changed meaning, which one template alone has. Data, not code: the
explicit links are LINKS; every code both templates have and no link names means the same (`same`).

Relations:
- same: the code means the same quantity in both templates (a series runs straight through 2020 → 2021);
- split: 2019's one row is, from 2021, printed as sub-rows and their sum (三（六）其他处理): the total continues;
- changed: a 2021 code that stands where a 2019 code stood but counts something else (section 二's columns):
  a series may be drawn across, with the break marked, and must not be read as one quantity;
- dropped: 2019 only; added: 2021 only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from archive.report import codes

Code = tuple[str, str, str]
RELATIONS = ("same", "split", "changed", "dropped", "added")
RELATION_WORDS: dict[str, tuple[str, str]] = {
    "same": ("含义相同", "same meaning"),
    "split": ("拆分（总数延续）", "split into sub-rows (the total continues)"),
    "changed": ("含义改变", "meaning changed"),
    "dropped": ("2021 模板删去", "dropped in 2021"),
    "added": ("2021 模板新增", "added in 2021"),
}


@dataclass(frozen=True)
class Link:
    relation: str
    y2019: tuple[Code, ...]
    y2021: tuple[Code, ...]
    zh: str
    en: str


def _a(row: str, col: str) -> Code:
    return ("active", row, col)


_ART20_1 = ("art20_1.regulations", "art20_1.normative_docs")
_ITEMS = ("art20_5.licensing", "art20_5.other_services", "art20_6.penalty", "art20_6.coercion")

LINKS: tuple[Link, ...] = (
    *(
        link
        for row in _ART20_1
        for link in (
            Link("changed", (_a(row, "made"),), (_a(row, "issued"),),
                 "本年新制作数量 → 本年制发件数", "made this year → issued this year"),
            Link("dropped", (_a(row, "published"),), (), "本年新公开数量：2021 模板无此栏", "published this year: no 2021 column"),
            Link("changed", (_a(row, "total_public"),), (_a(row, "in_force"),),
                 "对外公开总数量 → 现行有效件数", "total public → in force"),
            Link("added", (), (_a(row, "repealed"),), "本年废止件数：2021 模板新增", "repealed this year: new in 2021"),
        )
    ),
    *(
        link
        for row in _ITEMS
        for link in (
            Link("dropped", (_a(row, "prev_items"),), (), "上一年项目数量：2021 模板无此栏", "items last year: no 2021 column"),
            Link("dropped", (_a(row, "change"),), (), "本年增/减：2021 模板无此栏", "change this year: no 2021 column"),
        )
    ),
    Link("dropped", (_a("art20_8.fees", "prev_items"),), (), "行政事业性收费项目数：2021 模板无此栏", "fee items: no 2021 column"),
    Link("dropped", (_a("art20_8.fees", "change"),), (), "行政事业性收费增减：2021 模板无此栏", "fee change: no 2021 column"),
    Link("added", (), (_a("art20_8.fees", "amount_10k_yuan"),), "本年收费金额：2021 模板新增", "fees collected: new in 2021"),
    *(
        Link("split", (("applications", "other", col),),
             (("applications", "other", col), *(("applications", sub, col) for sub in codes.OTHER_SUBROWS)),
             "三（六）其他处理：2021 起分为 1–3 项，总数延续",
             "3.6 other handling: from 2021 three sub-rows; the total continues")
        for col in [c.code for c in codes.APPLICATION_COLUMNS]
    ),
)  # fmt: skip


def template_codes(template: str) -> list[Code]:
    """The codes of one template in its printed order: 二, 三, 四; rows top to bottom, columns left to right."""
    out: list[Code] = [
        ("active", r, c.code) for r in codes.ACTIVE_ROWS for c in codes.active_columns(template, r)
    ]
    out += [
        ("applications", r, c.code)
        for r in codes.APPLICATION_ROWS_BY_TEMPLATE[template]
        for c in codes.APPLICATION_COLUMNS
    ]
    out += [("appeals", r, c.code) for r in codes.APPEAL_ROWS for c in codes.APPEAL_COLUMNS]
    return out


@functools.cache
def crosswalk() -> tuple[Link, ...]:
    """Every code of either template in one link: the explicit LINKS, then `same` for each shared code, then
    `dropped`/`added` for a code of one template no link names (a row a template dropped: 第（九）项)."""
    named = {c for link in LINKS for c in (*link.y2019, *link.y2021)}
    old, new = template_codes("2019"), template_codes("2021")
    out = list(LINKS)
    shared = set(old) & set(new)
    out += [
        Link("same", (c,), (c,), "含义相同", "same meaning") for c in new if c in shared and c not in named
    ]
    out += [
        Link("dropped", (c,), (), "2021 模板删去", "not in the 2021 template")
        for c in old
        if c not in shared and c not in named
    ]
    out += [
        Link("added", (), (c,), "2021 模板新增", "new in the 2021 template")
        for c in new
        if c not in shared and c not in named
    ]
    return tuple(out)


def relation_of(code: Code) -> str:
    """How `code` crosses the template change: its relation (a 2019-only code: dropped; a split sub-row: added)."""
    for link in crosswalk():
        if code in link.y2019 or code in link.y2021:
            if link.relation == "split" and code not in link.y2019:
                return "added"
            return link.relation
    return "same"


def counterpart(code: Code, template: str) -> Code | None:
    """The code that stands for `code`'s series in `template`: itself when that template has it, else the
    single code a same/changed/split link gives; None when the template has nothing in its place."""
    if code in template_codes(template):
        return code
    for link in crosswalk():
        if link.relation in ("same", "changed") and code in (*link.y2019, *link.y2021):
            side = link.y2019 if template == "2019" else link.y2021
            return side[0] if len(side) == 1 else None
    return None
