"""Stage: store. Raw bytes by SHA-256 (blobs), the SQLite corpus and its migrations, the data folder."""

# The data folder when none is given (--data, GOVARCHIVE_DATA): the one default, for the command line and the
# crawl's settings alike.
DEFAULT_DATA_DIR = "data"
