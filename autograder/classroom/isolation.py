"""How a learner's sandbox process is isolated, using the strongest means available.

Levels, strongest first:

``bwrap``
    bubblewrap: no network, its own PID/IPC/UTS namespaces, a read-only view of the
    system with empty ``/tmp``, and the course directory, the checks, the reference
    solutions and the authored lessons hidden behind empty mounts. When run as root the
    learner code then drops to an unprivileged user id of its own (so file permissions
    and the process-count limit apply to it alone).
``uid``
    no bubblewrap but root: an unprivileged user id of its own and no network
    (``unshare -n``); hidden files are protected only by their permissions.
``rlimits``
    neither: resource limits only. A warning says so.

All levels apply resource limits: wall clock (enforced by the grader, which kills the
process), CPU seconds, address space (memory), number of processes, size of written
output, open files and no core dumps.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Limits:
    """Resource limits of one submission's sandbox."""

    wall_seconds: float = 600.0  # whole submission, enforced by the grader
    cpu_seconds: int = 900
    memory_bytes: int = 3 * 1024**3
    processes: int = 64
    output_bytes: int = 8 * 1024**2
    open_files: int = 512
    tmp_bytes: int = 256 * 1024**2


@dataclass
class Isolation:
    level: str
    warning: str | None = None
    hidden: list[str] = field(default_factory=list)


def detect() -> Isolation:
    """The strongest isolation this machine offers."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if shutil.which("bwrap") and sys.platform.startswith("linux"):
        if root and not shutil.which("setpriv"):
            return Isolation(
                "bwrap", "setpriv is missing: learner code keeps the root user id inside bubblewrap"
            )
        return Isolation("bwrap")
    if root and shutil.which("setpriv") and shutil.which("unshare"):
        return Isolation(
            "uid",
            "bubblewrap (bwrap) is not installed: learner code runs as an unprivileged user "
            "without network, but hidden tests and solutions are protected only by file "
            "permissions. Install bubblewrap for full isolation (apt-get install bubblewrap).",
        )
    return Isolation(
        "rlimits",
        "no sandbox is available (needs Linux with bubblewrap, or root): learner code runs "
        "with resource limits only and can read what this user can read. Grade untrusted "
        "submissions on a machine with bubblewrap.",
    )


def _untraversable_ancestors(path: Path) -> list[Path]:
    """Ancestors of ``path`` that other users cannot enter (e.g. /root)."""
    out = []
    for parent in reversed(path.parents):
        try:
            mode = parent.stat().st_mode
        except OSError:
            continue
        if not mode & stat.S_IXOTH:
            out.append(parent)
    return out


def sandbox_command(
    isolation: Isolation, workdir: Path, hidden: list[Path], uid: int | None = None
) -> list[str]:
    """The command line that starts the sandbox process in ``workdir``."""
    python = [sys.executable, "-m", "autograder.classroom.sandbox"]
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if isolation.level == "bwrap":
        cmd = [
            "bwrap",
            "--die-with-parent",
            "--new-session",
            "--unshare-net",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
        ]
        if not root:
            cmd.append("--unshare-user")
        cmd += ["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
        # what the sandbox's Python needs: the environment, the interpreter, and our own
        # package source (an editable install lives in the checkout)
        needed = {
            Path(sys.prefix).resolve(),
            Path(sys.base_prefix).resolve(),
            Path(sys.executable).resolve().parent.parent,
            Path(__file__).resolve().parents[2],
        }
        masked: set[Path] = {Path("/tmp"), Path("/var/tmp")}
        for path in sorted(needed):
            for anc in _untraversable_ancestors(path):
                if anc not in masked:
                    cmd += ["--tmpfs", str(anc)]
                    masked.add(anc)
        cmd += ["--perms", "1777", "--size", str(Limits().tmp_bytes), "--tmpfs", "/tmp"]
        cmd += ["--perms", "1777", "--tmpfs", "/var/tmp"]
        for path in sorted(needed):
            if any(m == path or m in path.parents for m in masked):
                cmd += ["--ro-bind", str(path), str(path)]
        for path in hidden:
            if path.is_dir():
                cmd += ["--tmpfs", str(path)]
            elif path.exists():
                cmd += ["--ro-bind", "/dev/null", str(path)]
        cmd += [
            "--bind",
            str(workdir),
            "/tmp/submission",
            "--chdir",
            "/tmp/submission",
            "--setenv",
            "HOME",
            "/tmp/submission",
            "--setenv",
            "QMLCOURSE_SANDBOX_LOG",
            "/tmp/submission/.output.log",
        ]
        cmd.append("--")
        if root and uid is not None and shutil.which("setpriv"):
            cmd += _drop_to(uid)
        return cmd + python
    if isolation.level == "uid" and uid is not None:
        return ["unshare", "-n", *_drop_to(uid), *python]
    return python


def _drop_to(uid: int) -> list[str]:
    """setpriv arguments that switch to ``uid`` with no groups and no capabilities."""
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
    ]


def sandbox_uid() -> int:
    """A user id for one sandbox, not used by anyone else on a normal system."""
    return random.randint(61000, 64999)


def prepare_workdir(workdir: Path, uid: int | None) -> None:
    """Let the sandbox user write its working copy."""
    if uid is not None and hasattr(os, "geteuid") and os.geteuid() == 0:
        for dirpath, _dirnames, filenames in os.walk(workdir):
            os.chown(dirpath, uid, uid)
            for name in filenames:
                os.chown(os.path.join(dirpath, name), uid, uid)
    os.chmod(workdir, 0o700 if uid is None else 0o755)


def _count_processes(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                continue
    return count


def apply_limits(limits: Limits) -> None:
    """Set the resource limits of the current process (run in the child before exec)."""
    os.setsid()
    pairs = [
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_FSIZE, limits.output_bytes),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ]
    if hasattr(resource, "RLIMIT_NPROC"):
        # counted per real user id: as root the sandbox gets its own uid; otherwise the
        # instructor's own processes count too, so allow for them
        extra = 0 if os.geteuid() == 0 else _count_processes(os.getuid())
        pairs.append((resource.RLIMIT_NPROC, limits.processes + extra))
    for which, value in pairs:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
