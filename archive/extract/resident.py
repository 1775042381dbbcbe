"""One resident LibreOffice per process (an extraction worker), so a DOC costs a conversion, not a start.

soffice.bin is started directly (not through the `soffice` script and oosplash, so it is our child and
PR_SET_PDEATHSIG reaches it) with `--accept=pipe,name=...;urp;` and a profile of its own; the system
python3 runs archive/extract/uno_bridge.py, which connects to it through pyuno and converts one file per
request. Both run in their own sessions and die with this process (PR_SET_PDEATHSIG, plus atexit and a
multiprocessing finalizer for a clean exit).

- Started lazily by the first conversion; a dead one (killed, crashed) is started again by the next.
- A conversion over its time limit kills both processes: the document gets office.timed_out's error,
  the next conversion starts a fresh office.
- If the office dies or UNO fails during a conversion, `convert` returns None and the caller converts
  that document the one-shot way, so its result (text, or error) is exactly the one-shot run's.
- If the office cannot start (no python3-uno, no soffice.bin, no answer within START_TIMEOUT), one
  warning is logged and this process converts the one-shot way from then on.
- After RECYCLE_AFTER conversions the office is replaced, which bounds whatever one accumulates.
- The memory limit is the worker's: both processes inherit its RLIMIT_DATA (archive/extract/limits.py).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import functools
import json
import logging
import multiprocessing.util
import os
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from archive.extract import soffice as office

logger = logging.getLogger(__name__)

UNO_PYTHON = os.environ.get("GOVARCHIVE_UNO_PYTHON", "/usr/bin/python3")
BRIDGE = Path(__file__).with_name("uno_bridge.py")
START_TIMEOUT = 60.0
RECYCLE_AFTER = 200
PIPE_PREFIX = "govarchive-"
# Where LibreOffice (sal/osl/unx/pipe.cxx) makes a named pipe's socket; a killed office leaves it behind.
PIPE_DIRS = (Path("/tmp"), Path("/var/tmp"))
RESTART_EXIT = 81  # soffice.bin's "start me again" (first start of a new profile); oosplash would restart
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True)


class ResidentError(Exception):
    """The resident office failed, not the document."""


def _die_with(parent: int) -> None:
    """preexec_fn: the child is SIGKILLed when `parent` (the thread that started it) exits."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def soffice_bin() -> str | None:
    """soffice.bin beside the `soffice` launcher script (Debian: /usr/lib/libreoffice/program)."""
    launcher = shutil.which("soffice")
    if launcher is None:
        return None
    binary = Path(os.path.realpath(launcher)).with_name("soffice.bin")
    return str(binary) if binary.exists() else None


def _pipe_files(pattern: str) -> list[Path]:
    return [p for folder in PIPE_DIRS for p in folder.glob(f"OSL_PIPE_{os.getuid()}_{pattern}")]


def _sweep_pipes() -> None:
    """Remove the pipe sockets of resident offices whose process is gone (killed with their worker)."""
    for path in _pipe_files(f"{PIPE_PREFIX}*-*"):
        owner = path.name.split(PIPE_PREFIX, 1)[1].split("-", 1)[0]
        if not owner.isdigit():
            continue
        try:
            os.kill(int(owner), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except PermissionError:
            pass


def _kill(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None:
        return
    if proc.returncode is None:  # not reaped yet (a zombie still holds its pid): the group is still ours
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the whole group
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


class ResidentOffice:
    def __init__(self) -> None:
        self.office: subprocess.Popen[bytes] | None = None
        self.bridge: subprocess.Popen[bytes] | None = None
        self.conversions = 0
        self.starts = 0
        self._profile_lock: IO[str] | None = None
        self._pipe: str | None = None
        self._bridge_err: IO[bytes] | None = None  # a file, not a pipe: a chatty bridge never blocks on it
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        """soffice.bin's pid while it runs."""
        return self.office.pid if self.office is not None and self.office.poll() is None else None

    def alive(self) -> bool:
        return (
            self.office is not None
            and self.bridge is not None
            and self.office.poll() is None
            and self.bridge.poll() is None
        )

    def _claim_profile(self) -> Path:
        """A profile directory no other resident office uses: the first of resident0, resident1, ...
        whose flock this process gets; held while the office lives, so profiles are reused but never
        shared (a second soffice on a profile would hand its work to the first and exit)."""
        office.SLOT_DIR.mkdir(parents=True, exist_ok=True)
        for i in range(1000):
            fh = open(office.SLOT_DIR / f"resident{i}.lock", "a+")  # noqa: SIM115 - held for the office's life
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                continue
            self._profile_lock = fh
            return office.SLOT_DIR / f"resident{i}"
        raise ResidentError("no free resident profile")

    def _release_profile(self) -> None:
        if self._profile_lock is not None:
            fcntl.flock(self._profile_lock, fcntl.LOCK_UN)
            self._profile_lock.close()
            self._profile_lock = None

    def _spawn_office(self, binary: str, profile: Path, pipe: str) -> subprocess.Popen[bytes]:
        # Its scratch files (lu*.tmp) in a folder of its own beside its profile, emptied at each start: never
        # in the worker's temp folder (the data folder's tmp/, which a finished run leaves empty).
        scratch = profile.with_name(profile.name + "-tmp")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        env = dict(
            os.environ, SAL_ENABLE_FILE_LOCKING="1", TMPDIR=str(scratch), TMP=str(scratch), TEMP=str(scratch)
        )  # SAL_ENABLE_FILE_LOCKING as the soffice script sets it
        return subprocess.Popen(
            [
                binary,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                f"--accept=pipe,name={pipe};urp;",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            preexec_fn=functools.partial(_die_with, os.getpid()),
        )

    def start(self, wait: float = START_TIMEOUT) -> None:
        """Start soffice.bin and the bridge; raises ResidentError (after cleaning up) when they do not
        answer within `wait` seconds."""
        self.stop()
        binary = soffice_bin()
        if binary is None:
            raise ResidentError("soffice.bin not found")
        if not os.access(UNO_PYTHON, os.X_OK):
            raise ResidentError(f"{UNO_PYTHON} not found (the bridge needs python3 with python3-uno)")
        _sweep_pipes()
        profile = self._claim_profile()
        pipe = self._pipe = f"{PIPE_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
        deadline = time.monotonic() + wait
        try:
            self.office = self._spawn_office(binary, profile, pipe)
            self._bridge_err = tempfile.TemporaryFile()  # noqa: SIM115 - kept for the bridge's life
            self.bridge = subprocess.Popen(
                [UNO_PYTHON, "-I", str(BRIDGE), pipe, f"{wait:g}"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._bridge_err,
                start_new_session=True,
                preexec_fn=functools.partial(_die_with, os.getpid()),
            )
            self._buffer = b""
            restarts = 0
            while True:
                code = self.office.poll()
                if code == RESTART_EXIT and restarts < 2:  # a new profile: LibreOffice asks to be restarted
                    restarts += 1
                    self.office = self._spawn_office(binary, profile, pipe)
                elif code is not None:
                    raise ResidentError(f"soffice.bin exited with {code} while starting")
                line = self._read_line(min(deadline, time.monotonic() + 0.2))
                if line is not None:
                    break
                if self.bridge.poll() is not None:
                    raise ResidentError(f"the UNO bridge exited: {self._bridge_stderr()}")
                if time.monotonic() > deadline:
                    raise ResidentError(f"LibreOffice did not answer within {wait:g} s")
            reply = json.loads(line)
            if not reply.get("ready"):
                raise ResidentError(str(reply.get("error", reply)))
        except BaseException:
            self.stop()
            raise
        self.conversions = 0
        self.starts += 1

    def _bridge_stderr(self) -> str:
        """The last line the bridge wrote to stderr (an ImportError when python3-uno is missing)."""
        if self._bridge_err is None:
            return "no output"
        with contextlib.suppress(OSError):
            self._bridge_err.seek(0)
            lines = self._bridge_err.read().decode("utf-8", "replace").strip().splitlines()
            if lines:
                return lines[-1]
        return "no output"

    def _read_line(self, deadline: float) -> bytes | None:
        """The bridge's next reply line; None when `deadline` passes first; ResidentError at its end."""
        assert self.bridge is not None and self.bridge.stdout is not None
        fd = self.bridge.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                raise ResidentError(f"the UNO bridge exited: {self._bridge_stderr()}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def convert(self, src: Path, dst: Path, timeout: float) -> None:
        """LibreOffice writes `dst` (DOCX) from `src`. ConvertError: the document's failure (the same
        message the one-shot run gives); ResidentError: the office's (it is stopped)."""
        assert self.bridge is not None and self.bridge.stdin is not None
        request = {"src": str(src), "dst": str(dst), "filter": office.DOCX_FILTER}
        try:
            self.bridge.stdin.write(json.dumps(request).encode() + b"\n")
            self.bridge.stdin.flush()
            line = self._read_line(time.monotonic() + timeout)
        except (OSError, ResidentError) as exc:
            self.stop()
            raise ResidentError(f"the resident LibreOffice failed: {exc}") from None
        if line is None:  # a hang (or just too slow): kill it, as the one-shot run is killed
            self.stop()
            raise office.timed_out(timeout)
        reply: dict[str, Any] = json.loads(line)
        self.conversions += 1
        if reply.get("uno") or (reply.get("error") and not self.alive()):
            self.stop()
            raise ResidentError(f"the resident LibreOffice failed: {reply.get('error')}")
        if reply.get("error"):
            raise office.ConvertError(f"{office.NOT_CONVERTED}: {reply['error']}")
        if not dst.exists():
            raise office.ConvertError(f"{office.NOT_CONVERTED}: no output")

    def stop(self) -> None:
        """Kill both processes (a conversion in flight is abandoned) and give the profile back."""
        _kill(self.bridge)
        _kill(self.office)
        self.bridge = self.office = None
        if self._bridge_err is not None:
            self._bridge_err.close()
            self._bridge_err = None
        if self._pipe is not None:
            for path in _pipe_files(self._pipe):
                path.unlink(missing_ok=True)
            self._pipe = None
        self._release_profile()


_lock = threading.Lock()
_resident: ResidentOffice | None = None
_owner = 0  # the pid that started _resident: a forked child never uses its parent's office
_unavailable: str | None = None


def get() -> ResidentOffice:
    """This process's resident office (not necessarily started)."""
    global _resident, _owner
    if _resident is None or _owner != os.getpid():
        _resident, _owner = ResidentOffice(), os.getpid()
        atexit.register(shutdown)
        multiprocessing.util.Finalize(None, shutdown, exitpriority=100)  # pool workers skip atexit
    return _resident


def shutdown() -> None:
    """Stop this process's resident office, if any (idempotent)."""
    if _resident is not None and _owner == os.getpid():
        _resident.stop()


def _forget_after_fork() -> None:
    global _resident, _unavailable
    _resident, _unavailable = None, None


os.register_at_fork(after_in_child=_forget_after_fork)


def convert(src: Path, suffix: str, timeout: float) -> bytes | None:
    """The DOCX bytes of `src` from the resident office; None: convert it the one-shot way instead
    (the office cannot start, or it failed on this document)."""
    global _unavailable
    with _lock:
        if _unavailable is not None:
            return None
        resident = get()
        with (
            office.soffice_slot(wait=timeout),
            tempfile.TemporaryDirectory(prefix="govarchive-lo-") as tmp,
        ):
            # A fixed, safe name as in the one-shot run: the suffix steers the filter detection alike.
            work = Path(tmp) / f"input.{suffix}"
            shutil.copyfile(src, work)
            out = Path(tmp) / "input.docx"
            if resident.alive() and resident.conversions >= RECYCLE_AFTER:
                resident.stop()
            if not resident.alive():
                try:
                    resident.start()
                except ResidentError as exc:
                    _unavailable = str(exc)
                    logger.warning(
                        "resident LibreOffice unavailable (%s): one soffice run per DOC/WPS instead", exc
                    )
                    return None
            try:
                resident.convert(work, out, timeout)
            except ResidentError as exc:
                logger.info("%s; converting %s with one soffice run", exc, src.name)
                return None
            return out.read_bytes()
