"""Stage: products. What the corpus tells operators and monitors: crawl history, expected reports, feeds."""
