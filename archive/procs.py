"""Processes of this machine, as the sweeps of per-process folders see them."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """A process with this pid exists (owned by anyone): its folder is not a dead one's."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
