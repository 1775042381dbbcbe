"""Cell accuracy, rule verdicts and seconds per page of each OCR engine on the frozen scan set.

The long run's command line. The harness is tests/eval/ocr_engines.py (the tests run it short); its description
and options in its docstring.

    OMP_NUM_THREADS=1 taskset -c 0 .venv/bin/python benchmarks/ocr_engines.py [--engines rapid,tesseract]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.eval.ocr_engines import main

if __name__ == "__main__":
    sys.exit(main())
