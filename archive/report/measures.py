"""The measures the field publishes, defined once: quantities (a figure, or a sum of figures), rates over
them, and on-time publication. The release's wide table and codebook (archive/products/release.py), the
researcher's ranking page and Datasette's `rates` query (govarchive/datasette_plugin) all read these
definitions: Python computes them here (`compute`), SQL is generated from them (`sql_columns`), and a test
holds the two to the same numbers.

Unknown stays unknown: a sum is blank when any figure it needs is blank, a rate is blank when its numerator
or denominator is blank or the denominator is not above 0 (never a 0 for unknown, never a division by zero).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from archive.report import codes

Code = tuple[str, str, str]

POPULATION = "population"  # the quantity read from the operator's `populations` table, not from a report


@dataclass(frozen=True)
class Quantity:
    """A figure of the templates (one code) or the sum of several, under a name."""

    name: str
    zh: str
    en: str
    codes: tuple[Code, ...]

    def derivation(self) -> str:
        if len(self.codes) == 1:
            return "figure " + "|".join(self.codes[0])
        return "sum of figures " + " + ".join("|".join(c) for c in self.codes) + "; null when any is blank"


@dataclass(frozen=True)
class Rate:
    """(sum of `numerator`) / (sum of `denominator` − sum of `minus`) × `scale`, over quantities."""

    name: str
    zh: str
    en: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    minus: tuple[str, ...] = ()
    scale: int = 1  # 10,000: per 10,000 residents
    percent: bool = True  # shown as a percentage (a share); otherwise as a number

    def formula(self, lang: str = "en") -> str:
        label = {q.name: (q.zh if lang == "zh" else q.name) for q in QUANTITIES}
        label[POPULATION] = "常住人口" if lang == "zh" else POPULATION
        num = " + ".join(label[n] for n in self.numerator)
        den = " + ".join(label[n] for n in self.denominator) + "".join(f" − {label[m]}" for m in self.minus)
        num = f"({num})" if len(self.numerator) > 1 else num
        den = f"({den})" if len(self.denominator) > 1 or self.minus else den
        return f"{num} ÷ {den}" + (f" × {self.scale:,}" if self.scale != 1 else "")

    def derivation(self) -> str:
        return (
            f"{self.formula()}, rounded to 6 decimals; null when any of them is null or the denominator is not "
            "above 0"
        )


def _app(row: str, col: str = "total") -> Code:
    return ("applications", row, col)


def _rows(prefix: str) -> tuple[Code, ...]:
    return tuple(_app(r) for r in codes.APPLICATION_ROWS if r.startswith(prefix + "."))


_LIT = ("litigation_direct", "litigation_after_review")

# The figures and sums the rates and the release's wide table use, in the wide table's order.
QUANTITIES: tuple[Quantity, ...] = (
    Quantity("applications_new", "本年新收申请（总计）", "New applications (total)", (_app("new"),)),
    Quantity(
        "applications_carried_over", "上年结转申请（总计）", "Carried over (total)", (_app("carried_over"),)
    ),
    Quantity(
        "applications_new_natural_person",
        "本年新收申请（自然人）",
        "New applications from natural persons",
        (_app("new", "natural_person"),),
    ),
    Quantity("granted", "予以公开（总计）", "Disclosed (total)", (_app("granted"),)),
    Quantity("partial", "部分公开（总计）", "Partly disclosed (total)", (_app("partial"),)),
    Quantity("refused", "不予公开（三（三）1–8之和）", "Refused (sum of 3.3.1–3.3.8)", _rows("denied")),
    Quantity(
        "unavailable",
        "无法提供（三（四）1–3之和）",
        "Cannot provide (sum of 3.4.1–3.4.3)",
        _rows("unavailable"),
    ),
    Quantity(
        "not_held", "本机关不掌握相关政府信息（总计）", "Not held (total)", (_app("unavailable.not_held"),)
    ),
    Quantity(
        "not_processed",
        "不予处理（三（五）1–5之和）",
        "Not processed (sum of 3.5.1–3.5.5)",
        _rows("not_processed"),
    ),
    Quantity("other_handling", "其他处理（总计）", "Other handling (total)", (_app("other"),)),
    Quantity("processed_total", "办理结果总计", "Total handled", (_app("processed_total"),)),
    Quantity(
        "carried_forward", "结转下年度继续办理（总计）", "Carried forward (total)", (_app("carried_forward"),)
    ),
    Quantity(
        "reviews", "行政复议（总计）", "Administrative reviews (total)", (("appeals", "review", "total"),)
    ),
    Quantity(
        "reviews_corrected",
        "行政复议（结果纠正）",
        "Reviews: corrected",
        (("appeals", "review", "corrected"),),
    ),
    Quantity(
        "reviews_pending", "行政复议（尚未审结）", "Reviews: pending", (("appeals", "review", "pending"),)
    ),
    Quantity(
        "lawsuits",
        "行政诉讼（总计）",
        "Lawsuits (total, both kinds)",
        tuple(("appeals", r, "total") for r in _LIT),
    ),
    Quantity(
        "lawsuits_corrected",
        "行政诉讼（结果纠正）",
        "Lawsuits: corrected (both kinds)",
        tuple(("appeals", r, "corrected") for r in _LIT),
    ),
    Quantity(
        "lawsuits_pending",
        "行政诉讼（尚未审结）",
        "Lawsuits: pending (both kinds)",
        tuple(("appeals", r, "pending") for r in _LIT),
    ),
    Quantity(
        "licensing_decisions",
        "行政许可处理决定数量",
        "Licensing decisions",
        (("active", "art20_5.licensing", "decisions"),),
    ),
    Quantity(
        "penalty_decisions",
        "行政处罚处理决定数量",
        "Penalty decisions",
        (("active", "art20_6.penalty", "decisions"),),
    ),
)
QUANTITY = {q.name: q for q in QUANTITIES}

RATES: tuple[Rate, ...] = (
    Rate(
        "granted_share",
        "予以公开率",
        "Share of requests disclosed in full",
        ("granted",),
        ("processed_total",),
    ),
    Rate(
        "granted_or_partial_share",
        "予以公开及部分公开率",
        "Share disclosed in full or in part",
        ("granted", "partial"),
        ("processed_total",),
    ),
    Rate("refused_share", "不予公开率", "Share refused", ("refused",), ("processed_total",)),
    Rate(
        "not_held_share",
        "信息不存在率（本机关不掌握）",
        "Share answered 'information not held'",
        ("not_held",),
        ("processed_total",),
    ),
    Rate(
        "review_correction_rate",
        "行政复议纠错率",
        "Correction rate of concluded reviews",
        ("reviews_corrected",),
        ("reviews",),
        minus=("reviews_pending",),
    ),
    Rate(
        "lawsuit_correction_rate",
        "行政诉讼纠错率",
        "Correction rate of concluded lawsuits",
        ("lawsuits_corrected",),
        ("lawsuits",),
        minus=("lawsuits_pending",),
    ),
    Rate(
        "requests_per_10k_residents",
        "每万人申请数",
        "New applications per 10,000 residents",
        ("applications_new",),
        (POPULATION,),
        scale=10_000,
        percent=False,
    ),
)
RATE = {r.name: r for r in RATES}

FIGURE_CODES: tuple[Code, ...] = tuple(sorted({c for q in QUANTITIES for c in q.codes}))


def nearest_population(known: list[tuple[int, float]], year: int | None) -> float | None:
    """The population of a place for a report's year from the operator's (year, population) rows: the nearest
    year, the later one on a tie; None when none is known (or the report has no year)."""
    if not known or year is None:
        return None
    return min(known, key=lambda yp: (abs(yp[0] - year), -yp[0]))[1]


def _sum(values: list[float | None]) -> float | None:
    if any(v is None for v in values):
        return None
    return float(sum(v for v in values if v is not None))


def compute(figures: Mapping[Code, float | None], population: float | None = None) -> dict[str, float | None]:
    """Every quantity and rate of one report from its figures (a missing code is blank) and the population
    of its place (None: unknown). Rates are unrounded."""
    got: dict[str, float | None] = {q.name: _sum([figures.get(c) for c in q.codes]) for q in QUANTITIES}
    got[POPULATION] = population
    for r in RATES:
        num = _sum([got[n] for n in r.numerator])
        den = _sum([got[n] for n in r.denominator])
        minus = _sum([got[n] for n in r.minus]) if r.minus else 0.0
        if num is None or den is None or minus is None or den - minus <= 0:
            got[r.name] = None
        else:
            got[r.name] = num * r.scale / (den - minus)
    del got[POPULATION]
    return got


def ranks(values: Mapping[int, float | None], ascending: bool = False) -> dict[int, int | None]:
    """Competition ranks (1, 2, 2, 4) of the known values, highest first; a blank value has no rank."""
    known = sorted((v if ascending else -v, k) for k, v in values.items() if v is not None)
    out: dict[int, int | None] = {k: None for k, v in values.items() if v is None}
    rank, last = 0, None
    for i, (v, k) in enumerate(known, 1):
        if v != last:
            rank, last = i, v
        out[k] = rank
    return out


# --- on-time publication (article 49) -------------------------------------------------------------------------

# The kind of a body from its name, until the corpus records it (issue 19's bodies table): a township's
# government or sub-district office, a government (县级以上人民政府), or else a department. Name endings, so
# the SQL of the pages (LIKE '%…') and this Python read the same list.
TOWNSHIP_ENDINGS: tuple[str, ...] = tuple(a + b for a in ("乡", "镇", "街道") for b in ("人民政府", "办事处"))
GOVERNMENT_ENDINGS: tuple[str, ...] = ("人民政府",)
DEADLINES: dict[str, tuple[int, int]] = {"department": (1, 31), "township": (1, 31), "government": (3, 31)}
BODY_KIND_ZH = {"department": "部门", "township": "乡镇（街道）", "government": "人民政府"}
# The bodies table's kinds (archive/bodies) by their deadline: a street office is due as a township, a zone's
# committee and any other body as a department (the monitor's expected_reports reads the same rule).
DEADLINE_KIND: dict[str, str] = {
    "government": "government",
    "township": "township",
    "street_office": "township",
    "department": "department",
    "zone": "department",
    "other": "department",
}


def body_kind(agency: str | None, known: str | None = None) -> str:
    """department, township or government: `known` when the corpus says (a bodies table), else by the name."""
    if known is not None and known in DEADLINE_KIND:
        return DEADLINE_KIND[known]
    name = (agency or "").strip()
    if name.endswith(TOWNSHIP_ENDINGS):
        return "township"
    if name.endswith(GOVERNMENT_ENDINGS):
        return "government"
    return "department"


def deadline(year: int | None, agency: str | None, known_kind: str | None = None) -> str | None:
    """The day a body's report of `year` is due (YYYY-MM-DD): 31 January of the next year for departments and
    townships, 31 March for governments (条例 article 49); None without a year."""
    if year is None:
        return None
    month, day = DEADLINES[body_kind(agency, known_kind)]
    return datetime.date(year + 1, month, day).isoformat()


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def on_time(
    published_at: str | None, year: int | None, agency: str | None, known_kind: str | None = None
) -> int | None:
    """1 when published on or before the deadline, 0 after it, None when the day or the year is unknown."""
    due = deadline(year, agency, known_kind)
    day = (published_at or "")[:10]
    if due is None or not _DAY.fullmatch(day):
        return None
    return int(day <= due)


ON_TIME_FORMULA = {
    "zh": "发布日期 ≤ 截止日期（部门、乡镇次年1月31日，人民政府次年3月31日）",
    "en": "published_at ≤ deadline (31 January of the next year for departments and townships, 31 March for governments)",
}
