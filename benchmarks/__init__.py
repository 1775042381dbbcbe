"""The long harnesses: speed, memory, accuracy and chaos runs that print figures (BENCHMARKS.md). Each file is
a command line (`.venv/bin/python benchmarks/<name>.py`). Benchmarks import the project and `tests/`
(portals, harnesses, evaluation); `tests/` never imports `benchmarks/` (the import-linter contract
`tests-not-benchmarks` in pyproject.toml)."""
