"""Stage: store. Raw bytes by SHA-256 (blobs), the SQLite corpus and its migrations, the data folder."""
