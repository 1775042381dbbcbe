"""Cell accuracy and rule verdicts of the OCR engines on the frozen picture set (tables published as

The long run's command line. The harness is tests/eval/ocr_pictures.py (the tests run it short); its description
and options in its docstring.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/ocr_pictures.py [--engines rapid] [--pictures a,b]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.eval.ocr_pictures import main

if __name__ == "__main__":
    sys.exit(main())
