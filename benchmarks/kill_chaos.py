"""Kill chaos: SIGKILL `govarchive crawl` again and again at chosen moments, resume after each, and prove

The long run's command line. The harness is tests/support/kill_chaos.py (the tests run it short); its description
and options in its docstring.

    .venv/bin/python benchmarks/kill_chaos.py [--reports 210] [--kills 55] [--seed 1]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.kill_chaos import main

if __name__ == "__main__":
    sys.exit(main())
