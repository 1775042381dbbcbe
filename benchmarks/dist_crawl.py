"""A crawl shared through Redis by several `govarchive crawl --redis` processes and `govarchive worker`

The long run's command line. The harness is tests/support/dist_crawl.py (the tests run it short); its description
and options in its docstring.

    .venv/bin/python benchmarks/dist_crawl.py --reports 60 --crawlers 2 --workers 2
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.dist_crawl import main

if __name__ == "__main__":
    sys.exit(main())
