"""Cell accuracy and rule verdicts of the figure pipeline, per document format.

The long run's command line. The harness is tests/eval/accuracy.py (the tests run it short); its description
and options in its docstring.

    .venv/bin/python benchmarks/accuracy.py [--formats docx,pdf,...] [--random N] [--scan-docs N] [--verbose]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.eval.accuracy import main

if __name__ == "__main__":
    sys.exit(main())
