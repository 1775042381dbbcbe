"""The harnesses a short test runs and `benchmarks/` runs long: the kill chaos, the shared crawl, the national
crawl's rate-limited portals, the soak, the national-scale corpus (and its generator), the fuzzer, and the raw
HTTP server of the generated portals.
`benchmarks/<name>.py` is each one's command line; nothing here imports `benchmarks/`."""
