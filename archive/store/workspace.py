"""The data folder: corpus.db, the blob store, derived caches, crawl state and logs."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from archive.store.blobs import BlobStore
from archive.store.corpus import Corpus

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def default_data_dir() -> Path:
    return Path(os.environ.get("GOVARCHIVE_DATA", "data"))


class Workspace:
    def __init__(self, data_dir: Path, max_bytes: int | None = DEFAULT_MAX_BYTES) -> None:
        self.root = Path(data_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes

    @property
    def corpus_path(self) -> Path:
        return self.root / "corpus.db"

    @property
    def cache_dir(self) -> Path:
        # Derived files (e.g. DOC converted to DOCX) keyed by the source blob's hash; safe to delete.
        path = self.root / "derived"
        path.mkdir(exist_ok=True)
        return path

    @property
    def state_dir(self) -> Path:
        path = self.root / "state"
        path.mkdir(exist_ok=True)
        return path

    @property
    def log_dir(self) -> Path:
        path = self.root / "logs"
        path.mkdir(exist_ok=True)
        return path

    @cached_property
    def blobs(self) -> BlobStore:
        return BlobStore(self.root / "blobs", max_bytes=self.max_bytes)

    @cached_property
    def corpus(self) -> Corpus:
        return Corpus(self.corpus_path)

    def close(self) -> None:
        if "corpus" in self.__dict__:
            self.corpus.close()
