"""One command at a time on a class folder.

Two ``autograde`` runs on the same class would create the same students and submissions
in the gradebook at once (nbgrader then fails with an IntegrityError) and would each
overwrite the other's results file. :func:`course_lock` serialises the commands that
write to a class: the second one waits, saying for whom, or refuses with ``wait=False``.

The lock is ``flock(2)`` on ``DIR/.qmlcourse.lock``: the kernel releases it when the
holder's process ends, however it ends, so a crashed run never leaves a stale lock. The
file holds the holder's pid, command and start time, for the waiting message only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import AutograderError

LOCK_NAME = ".qmlcourse.lock"

# lock files this process holds: resolved path -> [fd, depth] (the lock is re-entrant
# within one process, so a locked step may call another locked step)
_held: dict[str, list[int]] = {}
_guard = threading.Lock()


def _forget_in_child() -> None:
    """A forked child (a grading worker) must not keep the class locked after its parent
    is gone: close its copies of the lock descriptors."""
    for fd, _depth in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


def lock_path(root: str | Path) -> Path:
    return Path(root) / LOCK_NAME


def describe_holder(text: str) -> str:
    """``autograde, pid 1234, started 10:42:01`` from the lock file's content."""
    try:
        info = json.loads(text)
        pid = int(info["pid"])
        started = float(info["started"])
        command = str(info.get("command") or "a qml-course command")
    except (ValueError, KeyError, TypeError):
        return "another qml-course command; its details are not recorded yet"
    stamp = time.localtime(started)
    fmt = (
        "%H:%M:%S"
        if time.strftime("%Y%m%d", stamp) == time.strftime("%Y%m%d")
        else "%Y-%m-%d %H:%M:%S"
    )
    return f"{command}, pid {pid}, started {time.strftime(fmt, stamp)}"


def _read_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return describe_holder(os.read(fd, 4096).decode("utf-8", errors="replace"))
    except OSError:
        return describe_holder("")


@contextlib.contextmanager
def course_lock(root: str | Path, what: str, wait: bool = True) -> Iterator[Path]:
    """Hold the class folder's lock while the block runs.

    Args:
        root: the class folder.
        what: the command taking the lock (shown to whoever waits), e.g. ``"autograde"``.
        wait: when another command holds the lock, wait for it (saying so once on
            stderr); with ``False`` raise :class:`AutograderError` naming the holder.
    """
    path = lock_path(root)
    key = str(path.resolve())
    with _guard:
        mine = _held.get(key)
        if mine is not None:
            mine[1] += 1
    if mine is not None:
        try:
            yield path
        finally:
            with _guard:
                mine[1] -= 1
        return

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise AutograderError(
            f"Cannot open the lock file {path} ({exc.strerror or exc}). Check that you own "
            f"the class folder {Path(root)} and that it is writable."
        ) from None
    try:
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            if not wait:
                raise AutograderError(
                    f"Another run on this class is in progress ({holder}). Wait for it to "
                    "finish and run the command again. The lock is released by itself when "
                    "that process ends; if it is stuck, stop it first (kill PID)."
                ) from None
            print(
                f"Waiting for another run on this class to finish ({holder})…",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        info = {
            "pid": os.getpid(),
            "command": what,
            "argv": " ".join(sys.argv),
            "started": time.time(),
        }
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        with _guard:
            _held[key] = [fd, 1]
        try:
            yield path
        finally:
            with _guard:
                _held.pop(key, None)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
