"""Soak: a long crawl over several generated sites, with resident memory and throughput every N pages.

The long run's command line. The harness is tests/support/soak.py (the tests run it short); its description
and options in its docstring.

    .venv/bin/python benchmarks/soak.py [--sites 4] [--pages 200000] [--every 10000] [--concurrency 16]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.soak import main

if __name__ == "__main__":
    sys.exit(main())
