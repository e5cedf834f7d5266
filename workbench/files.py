"""Writing files so that what a user saved is never half-written, replaced by accident or lost.

This module owns the one atomic writer (AtomicOutput, write_atomic), the one lock (lock), and the
checks every output goes through (check_not_input, unwritable). A regular file is replaced atomically: the
bytes go to a hidden temporary file beside it (`.NAME.PID.RANDOM.tmp`), which is fsynced, given the
old file's mode and owner (or the umask default for a new file) and renamed over it. A symlink is
written through to its target, so the link stays a link. A FIFO, device or socket (a pipe from a
shell, /dev/stdout) is written directly, never replaced. A missing directory is an error: nothing
creates it behind the user's back. Temporary files left by a killed process (its PID is no longer
running) are removed on the next write to the same name.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from workbench.errors import ConflictError, InputError

#: Temporary files of the writers before PIDs were in their names are removed once this old.
_LEGACY_TMP_AGE = 60.0
#: How long a writer waits for another one to release a file's lock.
LOCK_TIMEOUT = 10


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would race with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _is_special(path: Path) -> bool:
    """True for an existing entry that is not a regular file or directory: a FIFO, a device, a
    socket (also through a symlink), and for anything under /dev or /proc, which must never be
    replaced by a regular file."""
    if str(path).startswith(("/dev/", "/proc/")):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OverflowError:
        return False
    return True


def clean_leftovers(path: str | Path) -> list[Path]:
    """Remove the temporary files that writers of `path` killed mid-write left beside it: those
    whose process is gone, and nameless old ones from before PIDs were recorded. Returns them."""
    p = Path(path)
    prefix = "." + p.name + "."
    ours = re.compile(re.escape(prefix) + r"(\d+)\.[A-Za-z0-9_]+\.tmp$")
    legacy = re.compile(re.escape(prefix) + r"[A-Za-z0-9_]{8}\.tmp$")
    removed = []
    try:
        names = [n for n in os.listdir(p.parent or ".") if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return []
    now = time.time()
    for name in sorted(names):
        tmp = p.parent / name
        if m := ours.match(name):
            pid = int(m[1])
            stale = pid != os.getpid() and not _pid_running(pid)
        elif legacy.match(name):
            try:
                stale = now - tmp.stat().st_mtime > _LEGACY_TMP_AGE
            except OSError:
                continue
        else:
            continue
        if stale:
            try:
                tmp.unlink()
                removed.append(tmp)
            except FileNotFoundError:
                pass
            except OSError:
                continue
    return removed


_PO_TMP = re.compile(r"^\..+\.po(?:\.history\.jsonl)?\.(?:(\d+)\.[A-Za-z0-9_]+|[A-Za-z0-9_]{8})\.tmp$")


def clean_po_leftovers(directory: str | Path) -> list[Path]:
    """clean_leftovers for every PO file (and its history) in `directory` at once: what a server
    killed mid-save left, removed when the directory's PO files are next read."""
    removed = []
    try:
        names = sorted(n for n in os.listdir(directory) if n.endswith(".tmp") and _PO_TMP.match(n))
    except OSError:
        return []
    for name in names:
        base = name[1:].rsplit(".", 3 if _PO_TMP.match(name)[1] else 2)[0]  # type: ignore[index]
        removed += clean_leftovers(Path(directory) / base)
    return removed


def _target(path: str | Path) -> Path:
    """Where the bytes for `path` go: a symlink's final target (a dangling one's too)."""
    return Path(os.path.realpath(path))


def _check_directory(path: Path, shown: str | Path) -> None:
    if path.is_dir():
        raise InputError("is a directory, not a file", path=str(shown),
                         hint="give a file name inside it")
    if not path.parent.is_dir():
        raise InputError(f"the directory {path.parent} does not exist", path=str(shown),
                         hint="create it first (mkdir -p), or choose another output")


class AtomicOutput:
    """A binary file for `path` that appears complete or not at all: write to `.file`, then
    commit(), or discard() (which a `with` block does on an error)."""

    def __init__(self, path: str | Path) -> None:
        self.shown = str(path)
        self.direct = _is_special(Path(path))
        self.tmp: Path | None = None
        try:
            if self.direct:
                self.path = Path(path)
                self.file: BinaryIO = open(self.path, "wb")
                return
            self.path = _target(path)
            _check_directory(self.path, path)
            clean_leftovers(self.path)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.{os.getpid()}.", suffix=".tmp",
                                       dir=self.path.parent)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", path=self.shown,
                             hint="check that the directory exists and is writable") from None
        self.tmp = Path(tmp)
        self.file = os.fdopen(fd, "wb")

    def commit(self) -> None:
        """Make the written bytes the file's content (durably, for a regular file)."""
        try:
            self.file.flush()
            if self.direct:
                self.file.close()
                return
            assert self.tmp is not None
            fd = self.file.fileno()
            os.fsync(fd)
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                os.fchmod(fd, 0o666 & ~_umask())
            else:
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
                if (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
                    try:  # root rewriting someone's file must not take it over
                        os.fchown(fd, st.st_uid, st.st_gid)
                    except PermissionError:
                        pass
            self.file.close()
            os.replace(self.tmp, self.path)
            self.tmp = None
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", path=self.shown,
                             hint="check the disk has room and the directory is writable") from None

    def discard(self) -> None:
        if not self.file.closed:
            self.file.close()
        if self.tmp is not None:
            try:
                self.tmp.unlink()
            except FileNotFoundError:
                pass
            self.tmp = None

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        self.discard()


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    with AtomicOutput(path) as out:
        try:
            out.file.write(data)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None


@contextmanager
def lock(path: str | Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the lock that serialises writers of `path` (a hidden `.NAME.lock` beside it). A
    missing directory is an InputError before the lock file could be created; a lock another
    process holds for longer than `timeout` seconds is a ConflictError."""
    from filelock import FileLock, Timeout

    p = _target(path)
    if not p.parent.is_dir():
        raise InputError(f"the directory {p.parent} does not exist", path=str(path),
                         hint="create it first (mkdir -p), or choose another output")
    lock_path = p.with_name("." + p.name + ".lock")
    file_lock = FileLock(str(lock_path), timeout=timeout)
    try:
        file_lock.acquire()
    except Timeout:
        raise ConflictError(f"another save of this file has held its lock for {timeout:g} s",
                            path=str(path), hint=f"try again; if no workbench is running, "
                                                 f"delete {lock_path}") from None
    try:
        yield
    finally:
        file_lock.release()


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when `a` and `b` name the same file (through links), existing or not."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_not_input(outputs: Iterable[str | Path], inputs: Iterable[str | Path]) -> None:
    """Refuse an output that is one of the inputs (it would be overwritten before, or instead of,
    being read)."""
    inputs = [i for i in inputs if str(i) != "-"]
    for out in outputs:
        if str(out) == "-" or _is_special(Path(out)):
            continue
        for inp in inputs:
            if same_file(out, inp):
                raise InputError(f"the output is also an input ({inp})", path=str(out),
                                 hint="choose another -o; the input is left as it was")


def unwritable(root: str | Path) -> str | None:
    """Why this process cannot write the data directory `root` (itself, corpora/ or
    translations/), or None when it can: a read-only file system or missing permissions."""
    for d in (Path(root), Path(root) / "corpora", Path(root) / "translations"):
        if not d.is_dir() or os.access(d, os.W_OK):
            continue
        try:
            read_only_fs = bool(os.statvfs(d).f_flag & os.ST_RDONLY)
        except OSError:
            read_only_fs = False
        return f"{d} is on a read-only file system" if read_only_fs else \
            f"this process may not write in {d}"
    return None
