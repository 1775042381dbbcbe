"""The one reader of a body's name: a place from the gazetteer (or the site's place) plus an organisation head.

  淮安市洪泽区人民政府, 洪泽区人民政府, 洪泽区政府, 洪泽区   → 320813 · 人民政府 (government)
  现公布青铜峡市财政局                                  → 640381 · 财政局 (words before the place dropped)
  财政局, 县财政局 on the 中宁县 site                    → 640521 · 财政局 (the site's place; 县人民政府 its own)
  中宁财政局                                            → 640521 · 财政局 (a county's short name)
  城关镇人民政府 on a site of 永登县; 永登县城关镇      → the township's own code (on a city's site
                                                        of two: kept as printed, flagged)
  平潭综合实验区管委会                                  → 350128 · 综合实验区 (zone)
  中宁县卫生和计划生育局 (before the 2019 reform)        → 640521 · 卫生健康局 (one body, renamed)

A body is its key, `<division code>:<head>`: province, city and county prefixes, 政府 for 人民政府, 管委会 for
管理委员会 and a renamed head are spellings of one body. A name that does not parse (no place the
gazetteer knows, nor a site's place; a place name shared by several divisions with nothing to tell them
apart; no organisation head) keeps its printed form, scoped by the site's place (`name:<site's code>:<printed>`;
`name::<printed>` with no site, whose id the store then puts in), and is flagged for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from archive.bodies.gazetteer import Division, gazetteer

BodyKind = Literal["government", "department", "township", "street_office", "zone", "other"]
KINDS: tuple[BodyKind, ...] = ("government", "department", "township", "street_office", "zone", "other")

# Words a sentence puts before a name (现公布青铜峡市财政局…, 关于中宁县…): never part of a body's name.
_LEAD_WORDS = re.compile(
    r"^(?:现将|现予|现|公布|发布|关于|根据|按照|兹将|兹|特将|印发|转发|附件[一二三四五六七八九十\d]*|以下是|下面是)+"
)
_PARENS = re.compile(
    r"[(（][^()（）]*[)）]"
)  # 财政局（国有资产监督管理局）: a second plate, not another body
# A generic level word before a head means the site's own place (县财政局 on a county's portal).
_LEVEL_WORD = re.compile(r"^(?:本|我)?[省市县区旗镇乡]")
# The head noun of an organisation (what it is): 局, 委员会, 办公室, 中心 … (a place alone is its government).
_ORG_HEAD = re.compile(
    r"(局|委|会|办|厅|署|院|所|部|处|科|室|中心|站|队|馆|府|组|监狱|庭|园区|实验区|试验区|开发区|新区|保税区|示范区|"
    r"合作区|管理区|度假区|高新区)$"
)
_ZONE = re.compile(
    r"(实验区|试验区|开发区|高新区|新区|园区|保税区|示范区|合作区|管理区|度假区|风景区|工业区|产业区|景区)"
    r"(管理委员会|管委会|工作委员会|工委)?$"
)
_ZONE_OFFICE = re.compile(r"(管理委员会|管委会)$")
# A division that is a zone run by a 管委会 (苏州工业园区), not a district with a government (浦东新区).
_ZONE_PLACE = re.compile(r"(实验区|试验区|开发区|高新区|园区|保税区|示范区|合作区|度假区)$")
# Areas with no government of their own: never a place (城关社区, 老城片区).
_NOT_PLACE = re.compile(r"(社区|小区|校区|片区|辖区|市区|城区|景区)$")
_DEPARTMENT = re.compile(r"(局|委员会|委|办公室|办|厅|署|中心|站|队|所|处|室|部|馆|分局)$")
_NOT_A_BODY = re.compile(r"公开|报告|年报|总结|工作|首页|栏目|新闻|通知|公告|目录|信息$")
# A place the gazetteer does not know (示范县, 测试市 of the test portals; a county renamed after the list's
# date): names of two characters or more before a division suffix, kept as printed and flagged.
_GUESS_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:自治区|自治州|自治县|省|市|州|盟|县|区|旗)")
_GUESS_LEVEL = {"省": 1, "自治区": 1, "市": 2, "州": 2, "盟": 2, "自治州": 2}

# Spellings of one head: abbreviations, and the renames of the 2018 State Council reform plan carried into
# local governments by 2019 (卫生和计划生育 → 卫生健康, 环境保护 → 生态环境, 农业 → 农业农村, 安全生产监督管理
# → 应急管理, 国土资源 → 自然资源). Only one-to-one renames: bodies merged into a new one (工商 + 质监 + 食药 →
# 市场监督管理局) stay distinct and are ended by a roster or `bodies end`.
HEAD_SPELLINGS = {
    "政府": "人民政府",
    "政府办": "人民政府办公室",
    "政府办公室": "人民政府办公室",
    "管委会": "管理委员会",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "市场监管局": "市场监督管理局",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "卫生和计划生育委员会": "卫生健康委员会",
    "卫生计生委": "卫生健康委员会",
    "卫计委": "卫生健康委员会",
    "卫生和计划生育局": "卫生健康局",
    "卫生计生局": "卫生健康局",
    "卫计局": "卫生健康局",
    "环境保护局": "生态环境局",
    "环保局": "生态环境局",
    "农业局": "农业农村局",
    "安全生产监督管理局": "应急管理局",
    "安监局": "应急管理局",
    "国土资源局": "自然资源局",
    "国土局": "自然资源局",
    "国土资源和规划局": "自然资源和规划局",
}


@dataclass(frozen=True)
class Body:
    printed: str  # the name as the document gave it (spaces dropped)
    name: str  # the canonical name: the place's full name and the head
    key: (
        str  # what identifies the body: `<division code>:<head>`, or `name:<site's place>:<printed>` unparsed
    )
    kind: BodyKind
    division_code: str | None  # the body's place (the site's place for an unparsed name, when known)
    place: str | None  # its chain of divisions, 江苏省/淮安市/洪泽区
    parsed: bool  # read against the gazetteer; False: kept as printed, to be reviewed


def clean(name: str) -> str:
    return re.sub(r"[\s\u3000]+", "", name or "").strip("·:：，,。")


def site_place(region: str | None, name: str | None) -> Division | None:
    """The place a site belongs to: its region (宁夏回族自治区/吴忠市/利通区), else its name (中宁县人民政府)."""
    for text in (clean((region or "").replace("/", "")), clean(name or "")):
        found = _place_chain(text, 0, None) if text else None
        if found is not None and found[0] is not None:
            return found[0]
    for text in (clean((region or "").replace("/", "")), clean(name or "")):
        guessed = _guess_chain(text, zones=True)
        if guessed is not None:
            return guessed[0]
    return None


def read_body(printed: str, site: Division | None = None) -> Body:
    """The body a printed name means, read against the gazetteer with the site's place as context."""
    text = clean(printed)
    core = _PARENS.sub("", text) or text
    lead = _LEAD_WORDS.match(core)
    if lead and lead.end() < len(core):
        core = core[lead.end() :]
    ambiguous = False  # a place named that several divisions share and nothing tells apart
    for start in range(0, min(len(core) - 1, 12)):
        # Words before a place: a higher organisation's belong to the name (国家税务总局洪泽区税务局); other
        # words of two characters or more do not (图解岚皋县人民政府); one character is part of a place
        # the list does not know (示范县 is no 示 + 范县).
        keep = bool(start) and _organisation_prefix(core[:start])
        if start == 1 and not keep:
            continue
        found = _place_chain(core, start, site)
        place = found[0] if found is not None else None
        if found is not None and (keep or not start or not found[2]):
            ambiguous |= place is None
        if found is not None and place is not None and (keep or not start or not found[2]):
            body = _with_head(text, core[:start] if keep else "", place, core[found[1] :], found[2])
            if body is not None:
                return body
        if start == 0:  # a place the gazetteer does not know, unless it ends in one of three characters
            guessed = _guess_chain(core)  # or more the list knows (图解岚皋县: 岚皋县)
            if guessed is not None and any(
                core[k : guessed[1]] in gazetteer().full for k in range(1, guessed[1] - 2)
            ):
                guessed = None
            body = _with_head(text, "", guessed[0], core[guessed[1] :], "") if guessed is not None else None
            if body is not None:
                return body
    # No place named: the site's (财政局, 县财政局). A place named that the site does not tell (桃园镇 of two
    # counties on a city's site) is not the site's own: kept as printed, for review. A site's place the list
    # does not know (示范县) cannot rule its own township out: the site's, as with 示范县城关镇.
    if site is not None and not (ambiguous and site.code):
        head = _LEVEL_WORD.sub("", core) if len(_LEVEL_WORD.sub("", core)) >= 2 else core
        body = _with_head(text, "", site, head, "")
        if body is not None and not _NOT_A_BODY.search(head):
            return body
    return _unparsed(text, site)


def _organisation_prefix(prefix: str) -> bool:
    """Words before a place that belong to the name: a higher organisation (国家税务总局, 中共)."""
    return len(prefix) >= 2 and (prefix == "中共" or bool(_DEPARTMENT.search(prefix)))


def _guess_chain(text: str, zones: bool = False) -> tuple[Division, int] | None:
    """A chain of place-like words the gazetteer does not know (示范市示范县…): the last, as a place
    without a code, and where the chain ends. A zone's name (开发区管委会) is no place unless `zones`."""
    pos, last = 0, None
    while m := _GUESS_PLACE.match(text, pos):
        rest = text[m.end() :]
        zone = bool(_ZONE.search(m.group())) and (
            not rest or rest.startswith("管") or rest.startswith("工委")
        )
        if (zone and not zones) or _NOT_A_BODY.search(m.group()) or _NOT_PLACE.search(m.group()):
            break
        last, pos = m.group(), m.end()
    if last is None:
        return None
    suffix = next((s for s in ("自治区", "自治州", "省", "市", "州", "盟") if last.endswith(s)), "")
    return Division("", last, _GUESS_LEVEL.get(suffix, 3), None), pos


def _unparsed(text: str, site: Division | None) -> Body:
    """A name kept as printed, one body per site's place: 政务公开办公室 of two counties is two bodies."""
    kind: BodyKind = "department" if _DEPARTMENT.search(text) else "other"
    scope = site.code if site else ""  # no code known: the store puts in the site's id
    return Body(
        text, text, f"name:{scope}:{text}", kind, (site.code or None) if site else None, _place(site), False
    )


def _place(div: Division | None) -> str | None:
    if div is None or not div.code:
        return div.name if div is not None else None
    return "/".join(d.name for d in gazetteer().chain(div.code))


def _place_chain(text: str, pos: int, site: Division | None) -> tuple[Division | None, int, str] | None:
    """The chain of divisions named from `pos` (淮安市洪泽区…): (the deepest, where it ends, its printed form
    when given by a short name), None when no division starts there; the division is None when the name
    is shared by several and neither the chain nor the site tells which."""
    gaz = gazetteer()
    within: list[Division] = []
    short_form = ""
    while True:
        step = None
        for piece, is_short, divs in gaz.starting(text, pos):
            rest = text[pos + len(piece) :]
            if is_short and (len(rest) < 2 or rest[0] in "省市县区州盟旗"):
                continue  # 公安局 is no 公安县 局, 兴海市 no 兴海县: a short name needs a real head after it
            cands = [d for d in divs if not within or any(d.is_within(w) and d != w for w in within)]
            if cands:
                step = (piece, is_short, cands)
                break
        if step is None:
            break
        piece, is_short, cands = step
        within = cands
        short_form = piece if is_short else ""
        pos += len(piece)
    if not within:
        return None
    return _disambiguate(within, site), pos, short_form


def _disambiguate(cands: list[Division], site: Division | None) -> Division | None:
    if len(cands) == 1:
        return cands[0]
    if site is None:
        return None

    def shared(d: Division) -> int:
        return next((i for i, (a, b) in enumerate(zip(d.code, site.code, strict=False)) if a != b), 9)

    best = max(shared(d) for d in cands)
    top = [d for d in cands if shared(d) == best]
    return top[0] if len(top) == 1 and best >= 4 else None  # at least the site's city


def _with_head(text: str, prefix: str, place: Division, head: str, short: str) -> Body | None:
    head = HEAD_SPELLINGS.get(head, head)
    if prefix and (_NOT_A_BODY.search(prefix) or len(prefix) > 8):
        return None
    kind: BodyKind
    is_street = place.level == 4 and place.name.endswith("街道")
    if head in ("", "人民政府") or (is_street and head in ("办事处", "街道办", "街道办事处")):
        if head == "" and _ZONE_PLACE.search(place.name):  # 苏州工业园区 alone: its 管理委员会
            head, kind = "管理委员会", "zone"
        elif is_street:
            head, kind = "办事处", "street_office"
        else:
            head, kind = "人民政府", ("township" if place.level == 4 else "government")
    elif not _ORG_HEAD.search(head) or _NOT_A_BODY.search(head) or len(head) > 30:
        return None
    elif _ZONE.search(head) or (_ZONE_OFFICE.search(head) and _ZONE.search(place.name)):
        kind = "zone"
        zone = _ZONE_OFFICE.sub("", head)
        head = zone + "管理委员会" if zone else "管理委员会"
    elif head.endswith("街道办事处"):
        kind = "street_office"
    elif re.search(r"[镇乡]人民政府$", head):
        kind = "township"
    else:
        kind = "department" if _DEPARTMENT.search(head) else "other"
    # A zone printed under its place's short name (平潭综合实验区) keeps it: it is the zone's proper name. A
    # township goes with its county (平罗县姚伏镇人民政府): township names repeat across the country.
    place_name = short if short and kind == "zone" else place.name
    if place.level == 4 and place.parent and not short:
        place_name = gazetteer().by_code[place.parent].name + place.name
    where = place.code or f"~{place.name}"  # a place the gazetteer does not know: by its name
    # 卫生健康委 is 卫生健康委员会: one key, the name as first met.
    same = head + "员会" if len(head) >= 4 and head.endswith("委") and not head.endswith("党委") else head
    key = f"{where}:{prefix + '|' if prefix else ''}{same}"
    name = prefix + place_name + head
    return Body(text, name, key, kind, place.code or None, _place(place) or place.name, bool(place.code))
