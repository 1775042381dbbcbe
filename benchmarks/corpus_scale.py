"""A national-scale corpus: search, facets, size and reprocess at 100,000 reports (~20 million figures).

The long run's command line. The harness is tests/support/corpus_scale.py (the tests run it short); its description
and options in its docstring.

    nice .venv/bin/python benchmarks/corpus_scale.py [--reports 100000] [--data DIR] [--repeat 5]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.corpus_scale import main

if __name__ == "__main__":
    sys.exit(main())
