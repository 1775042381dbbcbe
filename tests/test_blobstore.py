"""Content-addressed, append-only blob store."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path

import pytest

from archive.store import packs
from archive.store.blobs import PACKED_MAX, BlobReader, BlobStore, BlobTooLarge


def test_same_bytes_stored_once_under_their_sha256(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = "中宁县卫生健康局2020年政府信息公开工作年度报告".encode() * 1000
    sha, size = store.put_bytes(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert size == len(data)
    path = store.path(sha)
    assert path == tmp_path / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == data
    mtime = path.stat().st_mtime_ns
    assert store.put_bytes(data) == (sha, size)
    assert path.stat().st_mtime_ns == mtime  # never rewritten
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # stored read-only (root ignores modes)
    assert oct(path.stat().st_mode & 0o777) == oct(0o444)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_streamed_chunks_hash_like_the_whole(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    chunks = [os.urandom(70_000) for _ in range(5)]
    sha, size = store.put_chunks(iter(chunks))
    assert sha == hashlib.sha256(b"".join(chunks)).hexdigest()
    assert size == 350_000


def test_size_cap_keeps_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs", max_bytes=1000)
    with pytest.raises(BlobTooLarge, match="size cap of 1000 bytes"):
        store.put_bytes(b"x" * 1001)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
    assert list((tmp_path / "blobs" / "sha256").rglob("*")) == []


def test_a_batch_is_kept_once_each_and_reports_each_failure(tmp_path: Path) -> None:
    """put_many (the crawl's group commit): small blobs go to a pack, read back by every reader exactly;
    a blob over the cap fails alone; a blob already held (as a file or packed), or twice in the batch, is
    not written again; a blob over PACKED_MAX is a file of its own."""
    store = BlobStore(tmp_path / "blobs", max_bytes=3 << 20)
    held = b"held before" * 10
    held_sha, _ = store.put_bytes(held)
    mtime = store.path(held_sha).stat().st_mtime_ns
    twice = os.urandom(3000)
    big = os.urandom(PACKED_MAX + 1)
    datas = [twice, b"x" * ((3 << 20) + 1), held, twice, os.urandom(4000), b"", big]
    out = store.put_many(datas)
    assert isinstance(out[1], BlobTooLarge)
    reader = BlobReader(tmp_path / "blobs")  # another process's view: read-only
    for data, result in zip(datas, out, strict=True):
        if len(data) > 3 << 20:
            continue
        sha = hashlib.sha256(data).hexdigest()
        assert result == (sha, len(data))
        for r in (store, reader):
            assert r.has(sha) and r.size(sha) == len(data) and r.read(sha) == data
            with r.open(sha) as f:
                assert f.read() == data
    assert store.path(held_sha).stat().st_mtime_ns == mtime  # never rewritten, never packed too
    assert store.path(hashlib.sha256(big).hexdigest()).read_bytes() == big
    assert not store.path(hashlib.sha256(twice).hexdigest()).exists()  # packed, not a file
    assert store.packs.count() == 3  # twice (once), the 4000 bytes, b""
    packs = list((tmp_path / "blobs" / "packs").glob("*.pack"))
    assert len(packs) == 1 and oct(packs[0].stat().st_mode & 0o777) == oct(0o444)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
    assert store.put_many([]) == []
    # A store opened afresh keeps nothing twice, and a file put of packed bytes keeps no second copy.
    again = BlobStore(tmp_path / "blobs")
    assert again.put_many([twice]) == [(hashlib.sha256(twice).hexdigest(), 3000)]
    assert again.put_bytes(twice) == (hashlib.sha256(twice).hexdigest(), 3000)
    assert not again.path(hashlib.sha256(twice).hexdigest()).exists()
    assert again.packs.count() == 3 and len(list((tmp_path / "blobs" / "packs").glob("*.pack"))) == 1
    for s in (store, again, reader):
        s.close()


def test_a_packed_blob_for_a_tool_that_needs_a_path(tmp_path: Path) -> None:
    """local_path: a file of its own is given as it is; a packed one is copied to scratch and removed after."""
    store = BlobStore(tmp_path / "blobs")
    ((sha, _),) = store.put_many([b"%PDF-1.4 small"])
    loose, _ = store.put_bytes(b"a file of its own")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with store.local_path(sha, scratch) as p:
        assert p.parent == scratch and p.read_bytes() == b"%PDF-1.4 small"
    assert list(scratch.iterdir()) == []
    with store.local_path(loose, scratch) as p:
        assert p == store.path(loose)
    with pytest.raises(FileNotFoundError), store.local_path("0" * 64, scratch):
        pass
    store.close()


def test_a_reader_creates_nothing_and_sees_later_packs(tmp_path: Path) -> None:
    """A server opened before any crawl packed a blob sees the blobs packed later, and writes nothing."""
    (tmp_path / "blobs").mkdir()
    reader = BlobReader(tmp_path / "blobs")
    assert not reader.has("0" * 64)
    with pytest.raises(FileNotFoundError):
        reader.read("0" * 64)
    assert list((tmp_path / "blobs").iterdir()) == []
    store = BlobStore(tmp_path / "blobs")
    ((sha, _),) = store.put_many([b"later"])
    assert reader.read(sha) == b"later"
    store.close()
    reader.close()


def test_a_torn_pack_tail_is_never_read_or_appended_to(tmp_path: Path) -> None:
    """A kill mid-write leaves a torn record no index row points to; the next writer starts a new pack,
    and rebuilding the index from the packs keeps every whole record and stops at the tear."""
    store = BlobStore(tmp_path / "blobs")
    (a, _), (b, _) = store.put_many([b"first", b"second"])
    store.close()
    (pack,) = (tmp_path / "blobs" / "packs").glob("*.pack")
    pack.chmod(0o644)
    with open(pack, "ab") as f:  # what a kill between write and commit leaves: bytes, no index row
        f.write(packs.HEADER.pack(packs.MAGIC, hashlib.sha256(b"torn" * 10).digest(), 40) + b"torn")
    pack.chmod(0o444)
    store = BlobStore(tmp_path / "blobs")
    ((c, _),) = store.put_many([b"third"])
    assert len(list((tmp_path / "blobs" / "packs").glob("*.pack"))) == 2
    assert [store.read(x) for x in (a, b, c)] == [b"first", b"second", b"third"]
    assert not store.has(hashlib.sha256(b"torn" * 10).hexdigest())
    store.close()
    (tmp_path / "blobs" / "packs" / "index.sqlite").unlink()
    for extra in (tmp_path / "blobs" / "packs").glob("index.sqlite-*"):
        extra.unlink()
    index = packs.PackIndex(tmp_path / "blobs" / "packs", writable=True)
    assert index.count() == 0 and len(index.unread()) == 2  # a reader reads what is there: nothing
    index.open_for_writing()  # a writer catches up first
    assert index.count() == 3 and index.unread() == []
    found = [index.locate(x) for x in (a, b, c)]
    assert [packs.read_record(*where, x) for where, x in zip(found, (a, b, c), strict=True) if where] == [
        b"first",
        b"second",
        b"third",
    ]
    index.close()


def test_a_changed_pack_record_is_refused_not_served(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    ((sha, _),) = store.put_many([b"original bytes"])
    pack, offset, _size = store.packs.locate(sha)  # type: ignore[misc]
    pack.chmod(0o644)
    with open(pack, "r+b") as f:  # the header says another digest: someone rewrote the pack
        f.seek(offset - packs.HEADER.size + 4)
        f.write(b"\0" * 32)
    with pytest.raises(packs.PackCorrupt):
        store.read(sha)
    store.close()


def test_old_orphans_of_a_crashed_run_are_swept(tmp_path: Path) -> None:
    BlobStore(tmp_path / "blobs")
    orphan = tmp_path / "blobs" / "tmp" / "part-crashed"
    orphan.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    fresh = tmp_path / "blobs" / "tmp" / "part-running"
    fresh.write_bytes(b"in progress")
    BlobStore(tmp_path / "blobs")
    assert not orphan.exists()
    assert fresh.exists()  # a concurrent writer's file is left alone


def test_a_command_holding_the_run_lock_sweeps_what_a_killed_run_left(tmp_path: Path) -> None:
    """A young temp file is a killed run's when the run lock is free: `govarchive ingest` (like crawl and
    reprocess) takes the lock and removes blob temp files, half-written conversions and worker scratch."""
    import subprocess
    import sys

    from archive.store.workspace import Workspace

    data = tmp_path / "data"
    ws = Workspace(data)
    left = [
        ws.blobs.tmp_dir / "part-killed",
        ws.cache_dir / ("ab" * 32 + ".1234.tmp"),
        ws.tmp_dir / "govarchive-lo-x" / "input.doc",
        ws.tmp_dir / "tmpq1w2e3",
    ]
    for p in left:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"half")
    kept = ws.cache_dir / ("cd" * 32 + ".docx")  # a finished conversion stays
    kept.write_bytes(b"whole")
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>测试</p></body></html>", encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-m", "govarchive", "ingest", "--data", str(data), str(page)],
        cwd=root, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert [p for p in left if p.exists()] == []
    assert not (ws.tmp_dir / "govarchive-lo-x").exists()
    assert kept.exists()


def test_a_bad_capture_in_a_batch_fails_alone(tmp_path: Path) -> None:
    """Group commit must not widen a failure: a capture whose rows cannot be written (here a malformed link
    list, as a bug would make) fails by itself; the batch's others are recorded and counted."""
    from archive.capture import Fetched, keep_many, record_batch
    from archive.store.workspace import Workspace

    ws = Workspace(tmp_path / "data")
    try:
        items = [
            Fetched(url=f"http://gov.example/{i}.html", site_id="s", role="article", fetched_at="2026-12-06T00:00:00Z",
                    status=200, body=f"<p>page {i}</p>".encode())
            for i in range(4)
        ]  # fmt: skip
        items[2].links = [("http://gov.example/a.pdf",)]  # type: ignore[list-item]  # not (url, text, kind)
        keep_many(ws, items)
        counted: dict[str, int] = {}
        failed = record_batch(ws, items, None, lambda k, n: counted.__setitem__(k, counted.get(k, 0) + n))
        assert list(failed) == [2] and isinstance(failed[2], ValueError)
        urls = {r[0] for r in ws.corpus.conn.execute("SELECT url FROM captures")}
        assert urls == {f"http://gov.example/{i}.html" for i in (0, 1, 3)}
        assert counted["captures/article"] == 3
    finally:
        ws.close()


def test_a_lost_pack_index_is_rebuilt_by_the_next_writer(tmp_path: Path) -> None:
    """The index is derived: a writer that finds packs without it reads them back before anything else."""
    store = BlobStore(tmp_path / "blobs")
    out = store.put_many([b"one", b"two"])
    store.close()
    for p in (tmp_path / "blobs" / "packs").glob("index.sqlite*"):
        p.unlink()
    assert not BlobReader(tmp_path / "blobs").has(out[0][0])  # type: ignore[index]
    store = BlobStore(tmp_path / "blobs")
    assert [store.read(sha) for sha, _ in out] == [b"one", b"two"]  # type: ignore[misc]
    store.close()


def test_a_cut_short_or_damaged_index_is_caught_up_from_the_packs(tmp_path: Path) -> None:
    """A rebuild cut short (a pack the index never registered), a damaged index file: the next writer reads
    back what it lacks (the damaged file moved aside); a reader meanwhile gets an OSError, never SQLite's."""
    store = BlobStore(tmp_path / "blobs")
    ((one, _),) = store.put_many([b"one"])
    store.close()
    store = BlobStore(tmp_path / "blobs")  # a second process's pack
    ((two, _),) = store.put_many([b"two"])
    store.close()
    folder = tmp_path / "blobs" / "packs"
    db = sqlite3.connect(folder / "index.sqlite")
    with db:  # as if a rebuild had registered only the first pack
        db.execute("DELETE FROM packed WHERE pack = (SELECT max(id) FROM packs)")
        db.execute("DELETE FROM packs WHERE id = (SELECT max(id) FROM packs)")
    db.close()
    assert not BlobReader(tmp_path / "blobs").has(two)
    store = BlobStore(tmp_path / "blobs")
    assert store.read(one) == b"one" and store.read(two) == b"two"
    store.close()
    (folder / "index.sqlite").write_bytes(b"this is not a database" * 100)
    reader = BlobReader(tmp_path / "blobs")
    with pytest.raises(OSError, match="blob index"):
        reader.has(one)
    reader.close()
    store = BlobStore(tmp_path / "blobs")
    assert store.read(one) == b"one" and store.read(two) == b"two"
    assert len(list(folder.glob("index.sqlite.damaged-*"))) == 1
    store.close()


def test_a_record_whose_bytes_never_reached_the_disk_is_not_read_back(tmp_path: Path) -> None:
    """Power lost after a record's header was written but not its bytes, then the index lost: the catch-up
    checks each record against its digest and stops there, so zeros are never served under that name and
    the real bytes can still be kept."""
    store = BlobStore(tmp_path / "blobs")
    ((good, _),) = store.put_many([b"good"])
    store.close()
    (pack,) = (tmp_path / "blobs" / "packs").glob("*.pack")
    real = b"the real bytes"
    pack.chmod(0o644)
    with open(pack, "ab") as f:
        f.write(packs.HEADER.pack(packs.MAGIC, hashlib.sha256(real).digest(), len(real)) + b"\0" * len(real))
    pack.chmod(0o444)
    for p in (tmp_path / "blobs" / "packs").glob("index.sqlite*"):
        p.unlink()
    store = BlobStore(tmp_path / "blobs")
    assert store.read(good) == b"good"
    assert not store.has(hashlib.sha256(real).hexdigest())
    ((sha, _),) = store.put_many([real])
    assert store.read(sha) == real
    store.close()


def test_reading_through_the_store_writes_nothing(tmp_path: Path) -> None:
    """An export or a server reads through BlobStore or BlobReader: the index is opened read-only (no
    journal, no WAL files appear; a read-only data folder can be read)."""
    store = BlobStore(tmp_path / "blobs")
    ((sha, _),) = store.put_many([b"held"])
    store.close()
    folder = tmp_path / "blobs" / "packs"
    before = sorted(p.name for p in folder.iterdir())
    for r in (BlobStore(tmp_path / "blobs"), BlobReader(tmp_path / "blobs")):
        assert r.has(sha) and r.read(sha) == b"held"
        r.close()
    assert sorted(p.name for p in folder.iterdir()) == before


def test_a_locked_pack_index_stops_the_crawl_as_the_data_folders_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holding the index's write lock: the batch fails as a whole with an OSError the
    data folder's fault check names (one line, exit 3), not as each blob's own failure."""
    from archive.store.faults import data_folder_fault

    monkeypatch.setattr(packs, "LOCK_TIMEOUT_S", 0.2)
    store = BlobStore(tmp_path / "blobs")
    store.put_many([b"first"])
    other = sqlite3.connect(tmp_path / "blobs" / "packs" / "index.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        out = store.put_many([b"second", b"third"])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert all(isinstance(r, OSError) for r in out), out
    fault = data_folder_fault(tmp_path, out[0])  # type: ignore[arg-type]
    assert fault is not None and "locked by another process" in str(fault)
    assert store.put_many([b"second"])[0] == (hashlib.sha256(b"second").hexdigest(), 6)  # free again: kept
    store.close()


def test_index_rows_a_power_loss_took_are_read_back(tmp_path: Path) -> None:
    """Rows and the pack's indexed end lost together (an index restored from a backup, a commit lost): the
    next writer reads them back from the pack."""
    store = BlobStore(tmp_path / "blobs")
    ((one, _),) = store.put_many([b"one"])
    ((two, _),) = store.put_many([b"two"])
    store.close()
    db = sqlite3.connect(tmp_path / "blobs" / "packs" / "index.sqlite")
    with db:  # the second batch's commit lost
        db.execute("DELETE FROM packed WHERE sha256 = ?", (bytes.fromhex(two),))
        end = db.execute(
            "SELECT offset + size FROM packed WHERE sha256 = ?", (bytes.fromhex(one),)
        ).fetchone()[0]
        db.execute("UPDATE packs SET indexed_end = ?", (end,))
    db.close()
    assert not BlobReader(tmp_path / "blobs").has(two)
    store = BlobStore(tmp_path / "blobs")
    assert store.read(one) == b"one" and store.read(two) == b"two" and store.packs.unread() == []
    store.close()


def test_a_writer_killed_mid_commit_leaves_nothing_stuck(tmp_path: Path) -> None:
    """A kill -9 inside an index commit leaves a hot journal (its pages half in the database file). A
    read-only reader cannot roll it back, so the store does it with a connection that can: the reader and
    the next writer both work, and the killed transaction's rows are gone."""
    import subprocess
    import sys

    store = BlobStore(tmp_path / "blobs")
    ((kept, _),) = store.put_many([b"kept before"])
    store.close()
    index = tmp_path / "blobs" / "packs" / "index.sqlite"
    spill = (
        "import os, signal, sqlite3, sys\n"
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "db.execute('PRAGMA cache_size=2')\n"  # dirty pages spill to the file before the commit
        "db.execute('BEGIN IMMEDIATE')\n"
        "for i in range(3000):\n"
        "    db.execute('INSERT INTO packed VALUES (?, 1, ?, 1)', (os.urandom(32), i))\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", spill, str(index)], capture_output=True, timeout=60)
    assert proc.returncode == -9
    journal = index.with_name("index.sqlite-journal")
    assert journal.is_file() and journal.stat().st_size > 0  # hot
    reader = BlobReader(tmp_path / "blobs")
    assert reader.read(kept) == b"kept before"
    assert reader.packs.count() == 1  # the killed transaction's rows rolled back
    reader.close()
    store = BlobStore(tmp_path / "blobs")
    ((after, _),) = store.put_many([b"after the kill"])
    assert store.read(after) == b"after the kill"
    store.close()


def test_normal_batches_leave_nothing_to_read_back(tmp_path: Path) -> None:
    """Each batch's commit records the pack's end with its rows: a writer opening after it reads nothing back
    (no pack is read again at every open), and a reader opened before an index was rebuilt reads the new one."""
    store = BlobStore(tmp_path / "blobs")
    for k in range(3):
        store.put_many([f"batch {k} blob {i}".encode() for i in range(5)])
    (pack,) = (tmp_path / "blobs" / "packs").glob("*.pack")
    ends = sqlite3.connect(tmp_path / "blobs" / "packs" / "index.sqlite").execute(
        "SELECT indexed_end FROM packs"
    )
    assert [r[0] for r in ends] == [pack.stat().st_size]
    assert store.packs.unread() == []
    store.close()
    reader = BlobReader(tmp_path / "blobs")
    sha = hashlib.sha256(b"batch 0 blob 0").hexdigest()
    assert reader.read(sha) == b"batch 0 blob 0"
    for p in (tmp_path / "blobs" / "packs").glob("index.sqlite*"):
        p.unlink()
    store = BlobStore(tmp_path / "blobs")  # rebuilt: a new file
    ((new, _),) = store.put_many([b"new after the rebuild"])
    assert reader.read(new) == b"new after the rebuild"  # the reader follows the index there now
    store.close()
    reader.close()


_KILLED_WRITER = (
    "import os, signal, sys\n"
    "from pathlib import Path\n"
    "from archive.store.blobs import BlobStore\n"
    "store = BlobStore(Path(sys.argv[1]))\n"
    "store.put_many([b'first batch'])\n"
    "store.put_many([b'second batch'])\n"
    "os.kill(os.getpid(), signal.SIGKILL)\n"  # no close: the index is left in WAL mode, its WAL not folded in
)


def _kill_a_writer(blobs: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(blobs)], capture_output=True, timeout=60)
    assert proc.returncode == -9, proc.stderr.decode()


def test_a_writer_killed_with_its_index_in_wal_mode_loses_nothing(tmp_path: Path) -> None:
    """A crawl killed while its index is in WAL mode: readers see every committed batch, and the next writer
    works and leaves the index in rollback mode at its close (readers at rest create nothing)."""
    blobs = tmp_path / "blobs"
    _kill_a_writer(blobs)
    folder = blobs / "packs"
    assert (folder / "index.sqlite-wal").stat().st_size > 0  # the commits are in the WAL only
    reader = BlobReader(blobs)
    for data in (b"first batch", b"second batch"):
        assert reader.read(hashlib.sha256(data).hexdigest()) == data
    reader.close()
    store = BlobStore(blobs)
    ((after, _),) = store.put_many([b"after the kill"])
    assert store.read(after) == b"after the kill"
    store.close()
    assert not (folder / "index.sqlite-wal").exists()
    mode = sqlite3.connect(folder / "index.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "delete"


def test_commits_a_power_loss_took_from_the_wal_are_read_back(tmp_path: Path) -> None:
    """synchronous=NORMAL: a power loss may take the WAL's last commits (here all of them: the WAL removed,
    the pack's registration with it). The packs were fsynced before each commit, so the next writer reads
    every record back."""
    blobs = tmp_path / "blobs"
    _kill_a_writer(blobs)
    for name in ("index.sqlite-wal", "index.sqlite-shm"):
        (blobs / "packs" / name).unlink()
    assert not BlobReader(blobs).has(hashlib.sha256(b"first batch").hexdigest())
    store = BlobStore(blobs)
    for data in (b"first batch", b"second batch"):
        assert store.read(hashlib.sha256(data).hexdigest()) == data
    assert store.packs.unread() == []
    store.close()


def test_a_batch_whose_fsync_was_interrupted_is_not_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fsync interrupted by something other than an OSError (Ctrl-C in the thread): nothing of the
    batch is indexed, so no later batch takes its bytes for held; the next batch starts a new pack."""
    store = BlobStore(tmp_path / "blobs")

    def interrupted(self: packs.PackWriter, appended: packs.Appended) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(packs.PackWriter, "sync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.put_many([b"never durable"])
    sha = hashlib.sha256(b"never durable").hexdigest()
    assert store.packs.locate(sha) is None
    monkeypatch.undo()
    assert store.put_many([b"never durable"]) == [(sha, 13)]
    where = store.packs.locate(sha)
    assert where is not None and where[1] == packs.HEADER.size  # the first record of a new pack
    store.close()


def test_a_put_on_the_thread_holding_a_staged_batch_raises_instead_of_waiting(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    batch = store.stage([b"staged"])
    with pytest.raises(RuntimeError, match="finish_staged"):
        store.put_bytes(b"another")
    store.sync_staged(batch)
    assert store.finish_staged(batch) == [(hashlib.sha256(b"staged").hexdigest(), 6)]
    assert store.put_bytes(b"another")[1] == 7  # the lock is free again
    store.close()
