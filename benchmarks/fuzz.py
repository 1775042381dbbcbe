"""Coverage-guided fuzzing (atheris / libFuzzer) of every extractor, called as the pipeline calls it.

The long run's command line. The harness is tests/support/fuzz.py (the tests run it short); its description
and options in its docstring.

    .venv/bin/python benchmarks/fuzz.py --minutes 60                 # every target, the time split evenly
    .venv/bin/python benchmarks/fuzz.py --targets pdf,html --minutes 10
    .venv/bin/python benchmarks/fuzz.py --runs 40 --json             # bounded: N executions per target
    .venv/bin/python benchmarks/fuzz.py --build-seeds                # freeze tests/fuzz_seeds/ again
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.fuzz import main

if __name__ == "__main__":
    sys.exit(main())
