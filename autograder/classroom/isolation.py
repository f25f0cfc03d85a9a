"""How a learner's sandbox process is isolated, using the strongest means available.

Levels, strongest first:

``bwrap``
    bubblewrap with an **allow-list**: the sandbox starts from an empty root and sees only
    the system libraries (``/usr`` and the few ``/etc`` files the dynamic linker needs),
    the Python installation and its site-packages, a copy of our own packages *without*
    the checks and the reference solutions, a read-only copy of the submission's data
    files, and size-capped scratch space (``/tmp``, ``/var/tmp`` and ``/dev/shm``). No
    checkout, ``.git``, course folder, gradebook, ``/home``, ``/root``, ``/run`` or ``/srv``
    of the host. No network, its own PID/IPC/UTS namespaces, an environment built from
    scratch (nothing inherited, so no secrets), and bubblewrap's own arguments passed
    through a file descriptor so that ``/proc/1/cmdline`` reveals no host path. When run
    as root, learner code drops to an unprivileged user id of its own, with no
    capabilities and ``no_new_privs``.
``uid``
    no bubblewrap but root: an unprivileged user id of its own and no network
    (``unshare -n``); hidden files are protected only by their permissions.
``rlimits``
    neither: resource limits only. A warning says so.

All levels apply resource limits: wall clock (enforced by the grader, which kills the
process), CPU seconds, address space (memory), number of processes, size of written
output, open files and no core dumps.

The Python environment may live anywhere: in a virtual environment inside or outside the
checkout, under ``/tmp``, under a home folder that other users cannot enter (pyenv,
conda, uv under ``/root``), or in a system path. Every folder the sandbox needs is bound
at its own path, and the folders above it are created inside the sandbox with mode 0755,
so the sandbox's user can reach them whatever their modes on the host.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import site
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

#: where, inside the sandbox, our stripped packages and the submission's files appear
SANDBOX_LIB = "/sandbox/lib"
SANDBOX_INPUT = "/sandbox/input"
SANDBOX_WORKDIR = "/tmp/submission"
SANDBOX_LOG = "/tmp/.qmlcourse-output.log"

#: system folders bound read-only (when they exist); symlinks (merged /usr) stay symlinks
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
#: the only /etc entries the sandbox sees (the dynamic linker's cache, alternatives)
SYSTEM_ETC = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/localtime",
)
#: variables copied from the grader's environment when set: none of them is a secret, and
#: the two OpenBLAS ones keep NumPy correct on processors where they are needed
PASS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TZ")

#: our own packages; the sandbox gets copies without these sub-packages
OWN_PACKAGES = ("autograder", "qmlkit")
SECRET_SUBPACKAGES = {"autograder": ("checks", "solutions", "student_lessons")}


@dataclass
class Limits:
    """Resource limits of one submission's sandbox."""

    wall_seconds: float = 600.0  # whole submission, enforced by the grader
    cell_seconds: float = 120.0  # one notebook cell (at most a third of the wall clock)
    cpu_seconds: int = 900
    memory_bytes: int = 3 * 1024**3
    processes: int = 64
    output_bytes: int = 8 * 1024**2  # largest file the learner's code may write
    open_files: int = 512
    tmp_bytes: int = 256 * 1024**2  # /tmp, /var/tmp and the working copy together
    shm_bytes: int = 64 * 1024**2  # /dev/shm
    input_bytes: int = 64 * 1024**2  # the submission's data files copied in

    def cell_timeout(self) -> float:
        return max(1.0, min(self.cell_seconds, self.wall_seconds / 3))


@dataclass
class Isolation:
    """The isolation level in use (``bwrap``, ``uid`` or ``rlimits``) and, below
    ``bwrap``, a warning that says what it does not protect."""

    level: str
    warning: str | None = None


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


# ----------------------------------------------------------------------- what to bind


def _inside(path: Path, tree: Path) -> bool:
    return path == tree or tree in path.parents


def _own_package_dirs() -> dict[str, Path]:
    """Where our packages are imported from in this (trusted) process."""
    import importlib

    out = {}
    for name in OWN_PACKAGES:
        module = importlib.import_module(name)
        out[name] = Path(str(module.__file__)).resolve().parent
    return out


def python_trees() -> list[Path]:
    """Folders the sandbox's Python needs: the installation, the environment and every
    site-packages folder on ``sys.path``; never a folder that holds our checkout."""
    candidates: set[Path] = set()
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        candidates.add(Path(p).resolve())
    candidates.add(Path(sys.executable).resolve().parent.parent)
    extra = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    try:
        extra += site.getsitepackages()
    except AttributeError:  # pragma: no cover - very old virtualenv
        pass
    user = site.getusersitepackages() if hasattr(site, "getusersitepackages") else None
    if user:
        extra.append(user)
    for entry in extra:
        path = Path(entry).resolve()
        if path.is_dir():
            candidates.add(path)
    # never a folder that holds our packages directly, other than a site-packages folder
    # (there the stripped copy is mounted over them): that would be a checkout
    own = _own_package_dirs()
    checkout_pkgs = [
        p for p in own.values() if p.parent.name not in ("site-packages", "dist-packages")
    ]
    candidates = {c for c in candidates if not any(_inside(p, c) for p in checkout_pkgs)}
    trees: list[Path] = []
    for path in sorted(candidates, key=lambda p: (len(p.parts), str(p))):
        if str(path) == "/":
            continue
        if any(_inside(path, t) for t in trees):
            continue
        trees.append(path)
    return trees


def stage_packages(dest: Path) -> Path:
    """Copy our packages, without the checks and reference solutions, into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name, src in _own_package_dirs().items():
        secret = set(SECRET_SUBPACKAGES.get(name, ()))

        def ignore(folder: str, names: list[str], src: Path = src, secret: set = secret):
            skip = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))}
            if Path(folder).resolve() == src:
                skip |= secret & set(names)
            return skip

        shutil.copytree(src, dest / name, ignore=ignore, symlinks=False)
    _make_readable(dest)
    return dest


def _make_readable(top: Path) -> None:
    for dirpath, _dirnames, filenames in os.walk(top):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)


def stage_etc(dest: Path, uid: int | None) -> Path:
    """Small /etc files for the sandbox: a user database naming only the sandbox's user."""
    dest.mkdir(parents=True, exist_ok=True)
    uid = os.getuid() if uid is None else uid
    gid = os.getgid() if uid == os.getuid() else uid
    (dest / "passwd").write_text(
        f"root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
        f"learner:x:{uid}:{gid}:learner:{SANDBOX_WORKDIR}:/usr/sbin/nologin\n"
    )
    (dest / "group").write_text(f"root:x:0:\nlearner:x:{gid}:\n")
    (dest / "hosts").write_text("127.0.0.1 localhost\n::1 localhost\n")
    (dest / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files\n")
    _make_readable(dest)
    return dest


def sandbox_env(uid: int | None) -> dict[str, str]:
    """The sandbox's whole environment: built from scratch, nothing secret inherited."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": SANDBOX_WORKDIR,
        "USER": "learner",
        "LOGNAME": "learner",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/.matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": SANDBOX_LIB,
        "QMLKIT_BACKEND": "ideal",
        "QISKIT_PARALLEL": "FALSE",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "QMLCOURSE_SANDBOX_LOG": SANDBOX_LOG,
        "QMLCOURSE_SANDBOX_INPUT": SANDBOX_INPUT,
        "QMLCOURSE_SANDBOX_WORKDIR": SANDBOX_WORKDIR,
    }
    for name in PASS_ENV:
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def bwrap_args(
    limits: Limits,
    lib: Path,
    input_dir: Path,
    etc: Path,
    hidden: list[Path],
    uid: int | None,
) -> list[str]:
    """bubblewrap's options (passed through a file descriptor, see :func:`sandbox_command`)."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    args = [
        "--die-with-parent",
        "--new-session",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
    ]
    if not root:
        args.append("--unshare-user")
    bound: list[Path] = []
    for name in SYSTEM_DIRS:
        path = Path(name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            args += ["--ro-bind", name, name]
            bound.append(path)
    args += ["--perms", "0755", "--dir", "/etc"]
    for name in SYSTEM_ETC:
        if os.path.lexists(name) and os.path.exists(name):
            args += ["--ro-bind", name, name]
    for name in ("passwd", "group", "hosts", "nsswitch.conf"):
        args += ["--ro-bind", str(etc / name), f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(limits.shm_bytes), "--tmpfs", "/dev/shm"]
    args += ["--perms", "1777", "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
    args += ["--perms", "0755", "--dir", "/var", "--symlink", "../tmp", "/var/tmp"]
    # anything secret that lies inside a system folder is masked (deny on top of the
    # allow-list: e.g. a checkout under /usr/local/src)
    masks: list[Path] = []
    for path in hidden:
        if not any(_inside(path, b) for b in bound):
            continue
        if path.is_dir():
            args += ["--perms", "0755", "--tmpfs", str(path)]
            masks.append(path)
        elif path.exists():
            args += ["--ro-bind", "/dev/null", str(path)]
    # the Python installation and environment, each at its own path, with the folders
    # above it created here with mode 0755 (on the host they may be 0700, e.g. /root)
    made: set[Path] = {Path("/"), Path("/etc"), Path("/var"), Path("/tmp"), Path("/dev")}

    def visible(path: Path) -> bool:
        return any(_inside(path, b) for b in bound) and not any(_inside(path, m) for m in masks)

    trees: list[Path] = []
    for tree in python_trees():
        if visible(tree):
            continue  # e.g. a system Python under /usr
        for anc in reversed(tree.parents):
            if anc in made or visible(anc):
                continue
            args += ["--perms", "0755", "--dir", str(anc)]
            made.add(anc)
        args += ["--ro-bind", str(tree), str(tree)]
        trees.append(tree)
        made.add(tree)
    bound += trees
    # our packages without checks and solutions: on PYTHONPATH, and over the installed
    # copies when the packages are installed inside a bound site-packages folder
    args += ["--perms", "0755", "--dir", "/sandbox"]
    args += ["--ro-bind", str(lib), SANDBOX_LIB]
    for name, pkg_dir in _own_package_dirs().items():
        if visible(pkg_dir):
            args += ["--ro-bind", str(lib / name), str(pkg_dir)]
    args += ["--ro-bind", str(input_dir), SANDBOX_INPUT]
    args += ["--clearenv"]
    for key, value in sandbox_env(uid).items():
        args += ["--setenv", key, value]
    args += ["--chdir", "/tmp"]
    return args


def sandbox_command(isolation: Isolation, uid: int | None = None, args_fd: int = 3) -> list[str]:
    """The command line that starts the sandbox process.

    For bubblewrap the options are not on this command line: they are written to file
    descriptor ``args_fd`` by the caller (``bwrap --args FD``), so the sandbox cannot read host paths
    from ``/proc/1/cmdline``.
    """
    python = [sys.executable, "-m", "autograder.classroom.sandbox"]
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if isolation.level == "bwrap":
        cmd = ["bwrap", "--args", str(args_fd), "--"]
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
        "--no-new-privs",
    ]


def _process_owners() -> list[int]:
    """The user id of every process this machine shows in /proc (one entry a process)."""
    owners = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            try:
                owners.append(os.stat(f"/proc/{entry}").st_uid)
            except OSError:
                continue
    return owners


def sandbox_uid() -> int:
    """A user id for one sandbox: not a system account and not running anything now."""
    used = set(_process_owners())
    for _ in range(50):
        uid = random.randint(61000, 64999)
        if uid not in used:
            return uid
    return random.randint(61000, 64999)


def prepare_workdir(workdir: Path, uid: int | None) -> None:
    """Let the sandbox user write its working copy (levels without bubblewrap)."""
    if uid is not None and hasattr(os, "geteuid") and os.geteuid() == 0:
        for dirpath, _dirnames, filenames in os.walk(workdir):
            os.chown(dirpath, uid, uid)
            for name in filenames:
                os.chown(os.path.join(dirpath, name), uid, uid)
    os.chmod(workdir, 0o700 if uid is None else 0o755)


#: folders below a submission's folder that are copied for grading
MAX_INPUT_DEPTH = 16
MAX_INPUT_FILES = 2000


def copy_input(source: Path, dest: Path, max_bytes: int) -> list[str]:
    """Copy a submission's data files (not notebooks, not hidden files) for the sandbox.

    Symbolic links and anything that is not a regular file are skipped, never followed;
    copying stops at ``max_bytes``, ``MAX_INPUT_FILES`` files and ``MAX_INPUT_DEPTH``
    folders deep. Returns notes about what was left out.
    """
    notes: list[str] = []
    dest.mkdir(parents=True, exist_ok=True)
    total = files = 0
    if not source.is_dir() or source.is_symlink():
        return notes
    stack: list[tuple[Path, int]] = [(Path("."), 0)]
    while stack:
        rel, depth = stack.pop()
        try:
            entries = sorted(os.scandir(source / rel), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                if depth + 1 > MAX_INPUT_DEPTH:
                    notes.append(f"{rel / name}: folders nested too deep; not copied for grading")
                else:
                    stack.append((rel / name, depth + 1))
                continue
            if name.endswith(".ipynb"):
                continue
            if not stat.S_ISREG(st.st_mode):
                notes.append(f"{rel / name}: not a regular file; not copied for grading")
                continue
            if total + st.st_size > max_bytes or files >= MAX_INPUT_FILES:
                notes.append(
                    f"{rel / name}: over the limit of {max_bytes // 1024**2} MB or "
                    f"{MAX_INPUT_FILES} files for a submission; not copied for grading"
                )
                continue
            target = dest / rel / name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(source / rel / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                with os.fdopen(fd, "rb") as fin, open(target, "wb") as fout:
                    shutil.copyfileobj(fin, fout, 1024 * 1024)
            except OSError as exc:
                notes.append(f"{rel / name}: could not be read ({exc.strerror})")
                continue
            total += st.st_size
            files += 1
    _make_readable(dest)
    return notes[:50]


def apply_limits(limits: Limits) -> None:
    """Set the resource limits of the current process (run in the child before exec)."""
    os.setsid()
    _die_with_parent()
    _leave_session_keyring()
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
        extra = 0 if os.geteuid() == 0 else _process_owners().count(os.getuid())
        pairs.append((resource.RLIMIT_NPROC, limits.processes + extra))
    for which, value in pairs:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass


# ------------------------------------------------------------------- seccomp filter
# Syscalls the sandbox may not make, by architecture: new user namespaces (unshare and
# clone with CLONE_NEWUSER; clone3 answers ENOSYS so the C library falls back to clone,
# whose flags can be inspected), the kernel keyrings, mounts, BPF, perf and userfaultfd.
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_SYSCALLS = {
    "x86_64": {
        "unshare": 272,
        "clone": 56,
        "clone3": 435,
        "setns": 308,
        "keyctl": 250,
        "add_key": 248,
        "request_key": 249,
        "mount": 165,
        "umount2": 166,
        "pivot_root": 155,
        "bpf": 321,
        "perf_event_open": 298,
        "userfaultfd": 323,
        "io_uring_setup": 425,
    },
    "aarch64": {
        "unshare": 97,
        "clone": 220,
        "clone3": 435,
        "setns": 268,
        "keyctl": 219,
        "add_key": 217,
        "request_key": 218,
        "mount": 40,
        "umount2": 39,
        "pivot_root": 41,
        "bpf": 280,
        "perf_event_open": 241,
        "userfaultfd": 282,
        "io_uring_setup": 425,
    },
}
CLONE_NEWUSER = 0x10000000
_ERRNO = 0x00050000
_ALLOW = 0x7FFF0000


def seccomp_filter(machine: str | None = None) -> bytes | None:
    """A classic-BPF seccomp program (as bubblewrap's ``--seccomp`` reads it) that denies
    the syscalls above with EPERM; ``None`` on an architecture we have no table for."""
    import errno
    import platform
    import struct

    machine = machine or platform.machine()
    if machine not in _SYSCALLS:
        return None
    nr = _SYSCALLS[machine]
    ld, jeq, jset, jge, ret = 0x20, 0x15, 0x45, 0x35, 0x06  # BPF_LD|W|ABS, JMP|..., RET|K
    code: list[list] = []
    labels: dict[str, int] = {}

    def emit(op: int, k: int, jt: int | str = 0, jf: int | str = 0) -> None:
        code.append([op, jt, jf, k])

    emit(ld, 4)  # seccomp_data.arch
    emit(jeq, _AUDIT_ARCH[machine], jf="deny")  # another ABI (32-bit calls): refused
    emit(ld, 0)  # seccomp_data.nr
    if machine == "x86_64":
        emit(jge, 0x40000000, jt="deny")  # the x32 ABI
    emit(jeq, nr["unshare"], jt="flags")
    emit(jeq, nr["clone"], jt="flags")
    emit(jeq, nr["clone3"], jt="enosys")  # flags behind a pointer: make libc use clone
    for name, number in nr.items():
        if name not in ("unshare", "clone", "clone3"):
            emit(jeq, number, jt="deny")
    emit(ret, _ALLOW)
    labels["flags"] = len(code)
    emit(ld, 16)  # seccomp_data.args[0], low 32 bits (little-endian): the flags
    emit(jset, CLONE_NEWUSER, jt="deny")
    emit(ret, _ALLOW)
    labels["enosys"] = len(code)
    emit(ret, _ERRNO | errno.ENOSYS)
    labels["deny"] = len(code)
    emit(ret, _ERRNO | errno.EPERM)
    out = []
    for i, (op, jt, jf, k) in enumerate(code):
        jt = labels[jt] - i - 1 if isinstance(jt, str) else jt
        jf = labels[jf] - i - 1 if isinstance(jf, str) else jf
        out.append(struct.pack("=HBBI", op, jt, jf, k))
    return b"".join(out)


def _leave_session_keyring() -> None:
    """Give this process a new, empty session keyring: the sandbox must not reach keys
    the grader's login session holds."""
    import platform

    if not sys.platform.startswith("linux"):  # the syscall numbers are Linux's
        return
    number = _SYSCALLS.get(platform.machine(), {}).get("keyctl")
    if number is None:
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall(number, 1, None)  # KEYCTL_JOIN_SESSION_KEYRING, anonymous
    except Exception:  # pragma: no cover - best effort
        pass


def set_parent_death_signal(signum: int) -> None:
    """Ask Linux to send ``signum`` to this process when its parent dies
    (``prctl(PR_SET_PDEATHSIG)``); best effort, Linux only."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signum), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        pass


def _die_with_parent() -> None:
    """Kill this process (a sandbox being started) when the grader that started it dies."""
    import signal

    set_parent_death_signal(signal.SIGKILL)
