"""The data folder shared by the pipelines of one crawl (opened once per crawler)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.store.workspace import Workspace

_ATTR = "_govarchive_workspace"


def workspace_for(crawler: Any) -> Workspace:
    ws = getattr(crawler, _ATTR, None)
    if ws is None:
        settings = crawler.settings
        ws = Workspace(
            Path(settings.get("GOVARCHIVE_DATA")), max_bytes=settings.getint("DOWNLOAD_MAXSIZE") or None
        )
        setattr(crawler, _ATTR, ws)
    return ws


def run_id_for(crawler: Any) -> int | None:
    return getattr(crawler, "_govarchive_run_id", None)
