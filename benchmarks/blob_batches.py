"""The blob store's batches: files of their own against a pack, CPU and wall time per blob.

    .venv/bin/python benchmarks/blob_batches.py [--blobs 10000] [--size 10000] [--batch 256] [--repeat 2]

`BlobStore.put_many` as the crawl's group commit calls it, on fresh stores under one temp folder: `files` with
every blob over the pack limit (PACKED_MAX = 0: a temp file, fsync, rename and folder fsync each, the fsyncs of a
batch issued together), `packs` as shipped (one write and one fsync a batch, then the index rows). CPU is the
process's (its fsync threads included) and the machine's (/proc/stat: the kernel's writeback threads too).
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.store import blobs  # noqa: E402


def _cpu() -> tuple[float, float]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    busy = (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) / 100  # USER_HZ
    return r.ru_utime + r.ru_stime, busy


def run(kind: str, root: Path, n: int, size: int, batch: int, seed: str) -> dict[str, float]:
    datas = [hashlib.sha512(f"{seed}-{i}".encode()).digest() * (size // 64) for i in range(n)]
    limit = blobs.PACKED_MAX
    blobs.PACKED_MAX = 0 if kind == "files" else limit
    store = blobs.BlobStore(root)
    try:
        (p0, m0), t0 = _cpu(), time.monotonic()
        for k in range(0, n, batch):
            out = store.put_many(datas[k : k + batch])
            assert not any(isinstance(r, Exception) for r in out), out
        (p1, m1), t1 = _cpu(), time.monotonic()
    finally:
        store.close()
        blobs.PACKED_MAX = limit
    return {
        "wall_ms": 1000 * (t1 - t0) / n,
        "process_cpu_ms": 1000 * (p1 - p0) / n,
        "machine_cpu_ms": 1000 * (m1 - m0) / n,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blobs", type=int, default=10000)
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="blob-batches-"))
    results: dict[str, list[dict[str, float]]] = {"files": [], "packs": []}
    try:
        for r in range(args.repeat):  # alternated; stores kept until the end (a deletion slows file creation)
            for kind in results:
                out = run(kind, work / f"{kind}{r}", args.blobs, args.size, args.batch, f"{kind}{r}")
                results[kind].append(out)
                print(f"  {kind}: " + ", ".join(f"{k} {v:.3f}" for k, v in out.items()), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{args.blobs} blobs of {args.size} bytes, batches of {args.batch}; per blob, median of {args.repeat}:"
    )
    print("| store | wall ms | process CPU ms | machine CPU ms |")
    print("|---|---:|---:|---:|")
    for kind, rs in results.items():
        med = {k: sorted(r[k] for r in rs)[len(rs) // 2] for k in rs[0]}
        print(
            f"| {kind} | {med['wall_ms']:.3f} | {med['process_cpu_ms']:.3f} | {med['machine_cpu_ms']:.3f} |"
        )


if __name__ == "__main__":
    main()
