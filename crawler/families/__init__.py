"""CMS families that hide their lists from plain links. Each family adds what one kind of page hides,
through the protocol of `crawler.families.base` (plain values; the spider builds the requests).

`family = "auto"` runs every family's detectors but yeardept's (each looks for its own fingerprint, so
they are cheap and do not fire on foreign pages); `static` runs none; a named family runs only its own.
The names are those of `archive.sites.FamilyName`; every one has its implementation here.

To add a family: its name in `FamilyName` (the sites file accepts it from then on), a module here with a
`Family` subclass overriding what its CMS hides (`start`, `is_list`, `links`, `parse_data`), returning
`FollowLink` / `DataCall` / `Records`, and its instance in `REGISTRY`. Import fails if a name has none.
"""

from __future__ import annotations

from archive.sites import AUTO, STATIC, FamilyName, Site
from crawler.families.base import Family
from crawler.families.gkmlpt import Gkmlpt
from crawler.families.hanweb import Hanweb
from crawler.families.jsonlist import JsonApi
from crawler.families.trs import Trs
from crawler.families.yeardept import YearDept

REGISTRY: dict[FamilyName, Family] = {f.name: f for f in (Trs(), Hanweb(), JsonApi(), Gkmlpt(), YearDept())}
if set(REGISTRY) != set(FamilyName):
    raise ImportError(f"families without an implementation: {sorted(set(FamilyName) - set(REGISTRY))}")
# yeardept reads body names as report links: too eager for portals that did not ask for it.
_NOT_AUTO = {FamilyName.YEARDEPT}


def active(site: Site) -> list[Family]:
    """The families whose detectors run on this site's pages."""
    if site.family == STATIC:
        return []
    if site.family == AUTO:
        return [f for name, f in REGISTRY.items() if name not in _NOT_AUTO]
    return [REGISTRY[FamilyName(site.family)]]
