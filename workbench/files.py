"""Writing files so that what a user saved is never half-written, replaced by accident or lost:
the one atomic writer (AtomicOutput, write_atomic, write_error), the one lock (lock, and PairLock,
its form for a pair's group of changes) and the checks every output goes through
(check_not_input, unwritable). docs/files.md says what each kind of output gets.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import secrets
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from workbench.errors import ConflictError, InputError, StorageError, WorkbenchError

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


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, for messages: 'a directory', 'a FIFO', ..."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


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


#: errno values that mean the disk, or the user's quota, has no room left.
NO_ROOM = {errno.ENOSPC, errno.EDQUOT}


def write_error(exc: OSError, path: str | Path) -> WorkbenchError:
    """What a failed write of `path` is for the user: StorageError (507, exit 74) when the disk
    has no room, InputError otherwise (a missing or read-only directory, a permission)."""
    if exc.errno in NO_ROOM:
        return StorageError(f"cannot write: {exc.strerror or exc}", path=str(path),
                            hint="free some space on the disk, then do it again; nothing was "
                                 "changed")
    return InputError(f"cannot write: {exc.strerror or exc}", path=str(path),
                      hint="check that the directory exists and is writable")


def _unnamed(directory: Path) -> int | None:
    """A file in `directory` that has no name until it is committed (Linux's O_TMPFILE), so that
    a writer killed mid-write leaves nothing behind; None where the file system cannot make one."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None
        raise


def _close_quietly(f: BinaryIO) -> None:
    try:
        f.close()  # flushes what is buffered first: on a full disk that fails too
    except OSError:
        pass


class AtomicOutput:
    """A binary file for `path` that appears complete or not at all: write to `.file`, then
    commit(), or discard() (which a `with` block does on an error). The bytes go to a file without
    a name (O_TMPFILE) where the file system has them, else to a hidden temporary file; either is
    given its name only once complete, and a failed commit (a full disk) discards it."""

    def __init__(self, path: str | Path) -> None:
        self.shown = str(path)
        self.direct = _is_special(Path(path))
        #: The hidden temporary file's name, while it has one (never with O_TMPFILE until commit).
        self.tmp: Path | None = None
        try:
            if self.direct:
                self.path = Path(path)
                self.file: BinaryIO = open(self.path, "wb")
                return
            self.path = _target(path)
            _check_directory(self.path, path)
            clean_leftovers(self.path)
            fd = _unnamed(self.path.parent)
            if fd is None:
                fd, tmp = tempfile.mkstemp(prefix=self._prefix(), suffix=".tmp",
                                           dir=self.path.parent)
                self.tmp = Path(tmp)
        except OSError as exc:
            raise write_error(exc, self.shown) from None
        self.file = os.fdopen(fd, "wb")

    def _prefix(self) -> str:
        return f".{self.path.name}.{os.getpid()}."

    def commit(self) -> None:
        """Make the written bytes the file's content (durably, for a regular file). On a failure
        the bytes are discarded and the file is left as it was."""
        try:
            self.file.flush()
            if self.direct:
                self.file.close()
                return
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
            if self.tmp is None:
                self._name(fd)
            self.file.close()
            os.replace(self.tmp, self.path)  # type: ignore[arg-type]
            self.tmp = None
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            self.discard()
            raise write_error(exc, self.shown) from None

    def _name(self, fd: int) -> None:
        """Give the unnamed file a hidden temporary name beside the target (to rename it over the
        target: a link cannot replace a file)."""
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            for _ in range(100):
                name = self._prefix() + secrets.token_hex(4) + ".tmp"
                try:
                    # dst_dir_fd makes Python call linkat() with AT_SYMLINK_FOLLOW, which links
                    # the file /proc/self/fd/N stands for (plain link() would link the symlink)
                    os.link(f"/proc/self/fd/{fd}", name, dst_dir_fd=dir_fd)
                except FileExistsError:
                    continue
                self.tmp = self.path.parent / name
                return
            raise FileExistsError(errno.EEXIST, "no free temporary name")
        finally:
            os.close(dir_fd)

    def discard(self) -> None:
        """Drop what was written: the temporary file's name goes first, so that a flush that
        fails (a full disk) cannot leave it behind."""
        if self.tmp is not None:
            try:
                self.tmp.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass  # removed on the next write to this name (clean_leftovers)
            self.tmp = None
        if not self.file.closed:
            _close_quietly(self.file)

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.discard()


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    with AtomicOutput(path) as out:
        try:
            out.file.write(data)
        except OSError as exc:
            raise write_error(exc, path) from None


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


class PairLock:
    """An exclusive flock on a pair's `.history.lock` file (workbench.editor holds it for a group
    of changes; it is the lock filelock.FileLock takes on the same file, so the two exclude each
    other). Unlike FileLock it may be released by another thread than the one that took it: the
    thread that writes a group of changes releases the lock the first change of the group took."""

    def __init__(self, po_path: Path, timeout: float = 10.0) -> None:
        path = po_path.with_name("." + po_path.name + ".history.lock")
        try:
            self.fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise write_error(exc, path) from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self.release()
                    raise ConflictError("the pair is locked by another program that is saving it",
                                        path=str(po_path), hint="try again in a moment") from None
                time.sleep(0.002)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the last descriptor releases the flock
            self.fd = None

    def __enter__(self) -> "PairLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


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
