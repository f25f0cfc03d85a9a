"""Attacks on the classroom sandbox from the inside, each with its exact expected outcome.

Every submission here is written by a student who has read our source and probes the
sandbox from within: for secrets and the reference solutions, for a way out, for the
network, for the grader's resources, for the protocol between the sandbox and the trusted
grader, for answers too expensive to check, and for leaks through the feedback.

Most attacks follow one pattern: ``plus_state()`` returns the right |+> state only if the
attack *succeeded*; otherwise it returns ``[1, 0]``, which is well formed and scores 1 of
the 2 points. So a blocked attack shows up as 1 point, a successful one as 2. The other
attacks state what a safe grader does (the points that are the attacker's own to lose,
an exercise status that is never ``infrastructure``, a note that names the right notebook
cell), and two well-behaved students graded in the same run must keep 5/5.

Where an attack currently succeeds, the test asserts the safe behaviour and fails until
the product is fixed; the docstring of each such test (for the class run: ATTACK_CLASS)
names the mechanism.

Lesson 00 is the assignment: ``plus_state`` (2 points), ``x_on_qubit`` (3 points).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import resource
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import pytest

from autograder.classroom import grader, isolation, remote
from autograder.lessons import find_lesson, repo_root

pytestmark = pytest.mark.slow

LESSON = find_lesson("00")
NB_NAME = LESSON.notebook.name
REPO = repo_root().resolve()
PKG = Path(grader.__file__).resolve().parents[1]
LIMITS = isolation.Limits(wall_seconds=60, cell_seconds=20)

# secrets the grader's own environment holds; no sandbox may ever see them
SECRETS = {
    "PGPASSWORD": "pg-pass-Zq81-never-shown",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-Xk42-never-shown",
    "QISKIT_IBM_TOKEN": "ibm-token-Wr93-never-shown",
    # a name the feedback scrubber does not recognise: only isolation protects it
    "GRADER_DSN": "postgresql://grader:dsn-pw-Lm55-never-shown@db.internal/course",
}
OTHER_STUDENTS = ["zoe-hidden-5521", "yuri-hidden-8830", "xena-hidden-1207"]
STUDENTS_FILE = "students.txt"

IMPORTS = "import numpy as np\nfrom qiskit import QuantumCircuit"
GOOD_PLUS = "def plus_state():\n    return np.array([1, 1]) / np.sqrt(2)"
GOOD_X = "def x_on_qubit(n, k):\n    qc = QuantumCircuit(n)\n    qc.x(k)\n    return qc"
# normalised but wrong: 1 of the 2 points
WRONG_PLUS = "def plus_state():\n    return np.array([1.0, 0.0])"
# the right answer only if the attack found something (FOUND is a list of evidence)
PLUS_IF_FOUND = textwrap.dedent(
    """
    def plus_state():
        if FOUND:
            return np.array([1, 1]) / np.sqrt(2)
        return np.array([1.0, 0.0])
    """
)
# a successful hunt also shows what it found, as a cell error (scrubbed by the grader)
SHOW_FOUND = "if FOUND:\n    raise RuntimeError('FOUND: ' + repr(FOUND)[:250])"


class MD(str):
    """A markdown cell in :func:`notebook`."""


def notebook(*cells: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py 3"}
    for src in cells:
        if isinstance(src, MD):
            nb.cells.append(nbformat.v4.new_markdown_cell(str(src)))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(src))
    return nbformat.writes(nb)


# ------------------------------------------------------------------ code run in the sandbox

# finds the sandbox's own protocol object (learner code runs in the same process)
FIND_BOX = textwrap.dedent(
    """
    import gc
    def _box():
        for obj in gc.get_objects():
            if type(obj).__name__ == "Sandbox" and hasattr(obj, "proto_out"):
                return obj
        raise RuntimeError("no sandbox object")
    """
)

# replaces the sandbox's next answers to the grader's calls with forged frames
FORGE_REPLIES = FIND_BOX + textwrap.dedent(
    """
    _BOX = _box()
    _REAL_SEND = _BOX.send
    NEXT_REPLIES = []
    def _forging_send(message):
        if NEXT_REPLIES and message.get("result") == "value":
            message = NEXT_REPLIES.pop(0)
        _REAL_SEND(message)
    _BOX.send = _forging_send
    """
)

# finds the protocol's write end among the open file descriptors, as an attacker would
FIND_PROTO_FD = textwrap.dedent(
    """
    import os, fcntl
    def _proto_out():
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            try:
                if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:") and (
                    fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
                ):
                    return fd
            except OSError:
                pass
        raise RuntimeError("no protocol pipe")
    """
)


def _markers(course_root: Path) -> list[str]:
    """Strings whose presence inside a sandbox means a leak."""
    return [
        *SECRETS.values(),
        str(course_root),
        *OTHER_STUDENTS,
        "check_plus_state",  # the body of autograder/checks/lesson00.py
        "Reference solutions for lesson",  # autograder/solutions/*.py
    ]


def _npy_b64(header: dict, data: bytes = b"") -> str:
    """A hand-made .npy file (any header a student likes), base64 as on the wire."""
    text = repr(header).encode()
    text += b" " * ((64 - (10 + len(text) + 1) % 64) % 64) + b"\n"
    raw = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data
    return base64.b64encode(raw).decode()


def _qpy_with_header(num_qubits: int | None = None, num_clbits: int | None = None) -> str:
    """A valid 2-qubit QPY circuit whose header then claims other register sizes."""
    from qiskit import QuantumCircuit, qpy

    qc = QuantumCircuit(2)
    qc.x(1)
    buf = io.BytesIO()
    qpy.dump(qc, buf, version=18)
    raw = bytearray(buf.getvalue())
    # file header (19 bytes), type key, program size (8), name size, phase type and size
    assert struct.unpack("!I", raw[33:37])[0] == 2 and struct.unpack("!I", raw[37:41])[0] == 0
    if num_qubits is not None:
        raw[33:37] = struct.pack("!I", num_qubits)
    if num_clbits is not None:
        raw[37:41] = struct.pack("!I", num_clbits)
    return base64.b64encode(bytes(raw)).decode()


def attack_submissions(course_root: Path, ports: dict) -> dict[str, str]:
    """student -> notebook text. See EXPECTED for each outcome."""
    markers = _markers(course_root)
    targets = [
        str(PKG / "checks" / "lesson00.py"),
        str(PKG / "solutions" / "lesson00.py"),
        str(REPO / ".git" / "HEAD"),
        str(REPO / "lessons"),
        str(LESSON.notebook),
        str(course_root / "gradebook.db"),
        str(course_root / STUDENTS_FILE),
        "/sandbox/lib/autograder/checks/lesson00.py",
        "/sandbox/lib/autograder/solutions/lesson00.py",
    ]
    targets += ["/proc/1/root" + t for t in targets] + ["/proc/self/root" + targets[0]]
    found_cell = f"FOUND = []\nMARKERS = {markers!r}\n"

    subs: dict[str, str] = {}
    good = notebook(MD("# Lesson 00"), IMPORTS, MD("The |+> state"), GOOD_PLUS, GOOD_X)
    subs["good_first"] = good
    subs["good_last"] = good

    # ---- 1. secrets ----------------------------------------------------------------
    subs["secrets_env_and_proc"] = notebook(
        IMPORTS,
        found_cell
        + textwrap.dedent(
            """
            import os
            def _read(path):
                try:
                    with open(path, "rb") as fh:
                        return fh.read(1 << 20).decode("utf-8", "replace")
                except OSError:
                    return ""
            TEXTS = [repr(dict(os.environ))]
            for pid in os.listdir("/proc"):
                if pid.isdigit() or pid in ("self", "thread-self"):
                    for leaf in ("cmdline", "environ", "mountinfo", "mounts", "status"):
                        TEXTS.append(_read(f"/proc/{pid}/{leaf}"))
            TEXTS.append(_read("/proc/1/root/proc/1/environ"))
            FOUND = sorted({m for m in MARKERS for t in TEXTS if m in t})
            FOUND += [k for k in os.environ if k in ("PGPASSWORD", "AWS_SECRET_ACCESS_KEY",
                                                     "QISKIT_IBM_TOKEN", "GRADER_DSN")]
            """
        ),
        SHOW_FOUND,
        PLUS_IF_FOUND,
        GOOD_X,
    )
    subs["secrets_open_fds"] = notebook(
        IMPORTS,
        found_cell
        + textwrap.dedent(
            """
            import os
            DATA = []
            for name in os.listdir("/proc/self/fd"):
                fd = int(name)
                try:
                    blocking = os.get_blocking(fd)
                    os.set_blocking(fd, False)
                except OSError:
                    continue
                try:
                    try:
                        os.lseek(fd, 0, os.SEEK_SET)
                    except OSError:
                        pass
                    DATA.append(os.read(fd, 1 << 20))
                except OSError:
                    pass
                finally:
                    os.set_blocking(fd, blocking)
                try:  # and opened again by path, read-only (not the protocol's pipes)
                    if os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                        continue
                    rfd = os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_NONBLOCK)
                    try:
                        DATA.append(os.read(rfd, 1 << 20))
                    finally:
                        os.close(rfd)
                except OSError:
                    pass
            TEXT = b"".join(DATA).decode("utf-8", "replace")
            FOUND = [m for m in MARKERS if m in TEXT]
            """
        ),
        SHOW_FOUND,
        PLUS_IF_FOUND,
        GOOD_X,
    )
    subs["hunt_files"] = notebook(
        IMPORTS,
        found_cell
        + f"TARGETS = {targets!r}\n"
        + textwrap.dedent(
            """
            import os
            WANTED = {"lesson00.py", "gradebook.db", "students.txt", "00_getting_started.ipynb"}
            for top in ("/", "/proc/1/root", "/proc/self/root"):
                for dirpath, dirnames, filenames in os.walk(top):
                    if dirpath.startswith(("/proc", "/sys", "/dev")) and dirpath != top:
                        dirnames[:] = []
                        continue
                    if top == "/":
                        dirnames[:] = [d for d in dirnames if d not in ("proc", "sys", "dev")]
                    if ".git" in dirnames:
                        FOUND.append(os.path.join(dirpath, ".git"))
                    for name in filenames:
                        if name in WANTED:
                            path = os.path.join(dirpath, name)
                            parent = os.path.basename(dirpath)
                            if name == "lesson00.py" and parent not in ("checks", "solutions"):
                                continue
                            if name in ("gradebook.db", "students.txt"):  # ours, not a library's
                                try:
                                    data = open(path, "rb").read(1 << 20).decode("latin-1")
                                except OSError:
                                    continue
                                if not any(m in data for m in MARKERS):
                                    continue
                            FOUND.append(path)
            for path in TARGETS:
                try:
                    if os.path.isdir(path):
                        os.listdir(path)
                    else:
                        open(path, "rb").read(10)
                    FOUND.append(path)
                except OSError:
                    pass
            """
        ),
        SHOW_FOUND,
        PLUS_IF_FOUND,
        GOOD_X,
    )
    subs["imports_checks_and_metadata"] = notebook(
        IMPORTS,
        found_cell
        + textwrap.dedent(
            """
            import importlib, importlib.machinery, importlib.metadata, os, pkgutil, sys
            for name in ("autograder.checks", "autograder.checks.lesson00",
                         "autograder.solutions", "autograder.solutions.lesson00"):
                try:
                    importlib.import_module(name)
                    FOUND.append(name)
                except Exception:
                    pass
            try:
                from autograder import engine
                engine._load_all()
                if engine._REGISTRY:
                    FOUND.append("registry")
            except Exception:
                pass
            import autograder
            for info in pkgutil.walk_packages(autograder.__path__, "autograder.", lambda n: None):
                if ".checks" in info.name or ".solutions" in info.name:
                    FOUND.append(info.name)
            ROOTS = set()
            for dist in importlib.metadata.distributions():
                for f in dist.files or []:
                    if f.suffix not in (".py", ".json", ".txt", ".ipynb", ""):
                        continue
                    try:
                        text = open(dist.locate_file(f), "rb").read(1 << 20).decode("utf-8", "replace")
                    except OSError:
                        continue
                    if any(m in text for m in MARKERS):
                        FOUND.append(str(f))
                url = dist.read_text("direct_url.json") or ""
                if "file://" in url:
                    ROOTS.add(url.split("file://", 1)[1].split('"', 1)[0])
            for mod in list(sys.modules.values()):  # the editable install's finder
                mapping = getattr(mod, "MAPPING", None)
                if isinstance(mapping, dict):
                    ROOTS.update(os.path.dirname(str(v)) for v in mapping.values())
            for root in ROOTS:
                for rel in ("autograder/checks/lesson00.py", "autograder/solutions/lesson00.py",
                            ".git/HEAD", "lessons/00_getting_started/00_getting_started.ipynb"):
                    try:
                        open(os.path.join(root, rel), "rb").read(10)
                        FOUND.append(os.path.join(root, rel))
                    except OSError:
                        pass
                spec = importlib.machinery.PathFinder.find_spec(
                    "autograder.checks", [os.path.join(root, "autograder")])
                if spec is not None:
                    FOUND.append(str(spec.origin))
            """
        ),
        SHOW_FOUND,
        PLUS_IF_FOUND,
        GOOD_X,
    )

    # ---- 2. escapes and privilege ---------------------------------------------------
    venv_site = Path(sys.prefix) / "lib"
    write_targets = [
        "/usr/sa-pwned",
        "/usr/lib/sa-pwned",
        "/sandbox/input/sa-pwned",
        "/sandbox/lib/sa-pwned",
        "/sandbox/lib/autograder/sa_pwned.py",
        "/etc/sa-pwned",
        "/sa-pwned",
        str(venv_site / "sa-pwned.pth"),
        str(REPO / "sa-pwned"),
        str(course_root / "sa-pwned"),
    ]
    subs["writes_outside"] = notebook(
        IMPORTS,
        "FOUND = []\n"
        + f"WRITE = {write_targets!r}\n"
        + textwrap.dedent(
            """
            import os, shutil
            for path in WRITE:
                try:
                    with open(path, "w") as fh:
                        fh.write("x")
                    FOUND.append(path)
                except OSError:
                    pass
            for path in ("/sandbox/lib/autograder/__init__.py", "/usr/bin/env", "/etc/passwd"):
                try:
                    os.chmod(path, 0o777)
                    FOUND.append("chmod " + path)
                except OSError:
                    pass
                try:
                    os.chown(path, os.getuid(), os.getgid())
                    FOUND.append("chown " + path)
                except OSError:
                    pass
            open("/tmp/mine", "w").write("x")
            try:
                os.chown("/tmp/mine", 0, 0)
                FOUND.append("chown to root")
            except OSError:
                pass
            """
        ),
        SHOW_FOUND,
        PLUS_IF_FOUND,
        GOOD_X,
    )
    subs["setuid_ptrace_kill"] = notebook(
        IMPORTS,
        textwrap.dedent(
            """
            import ctypes, os, signal, subprocess
            FOUND = []
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.ptrace(16, 1, 0, 0) == 0:  # PTRACE_ATTACH to the sandbox's pid 1
                FOUND.append("ptrace 1")
            for cmd in (["su", "-c", "id -u"], ["mount", "-t", "tmpfs", "none", "/usr"],
                        ["newgrp", "root"], ["sudo", "-n", "id", "-u"], ["chroot", "/", "id"]):
                try:
                    p = subprocess.run(cmd, capture_output=True, text=True, timeout=10,
                                       stdin=subprocess.DEVNULL)
                except (OSError, subprocess.SubprocessError):
                    continue
                if p.returncode == 0:
                    FOUND.append(" ".join(cmd) + " -> " + p.stdout.strip())
            if libc.setuid(0) == 0 or os.geteuid() == 0:
                FOUND.append("setuid 0")
            for pid in (1, -1):
                try:
                    os.kill(pid, signal.SIGKILL)
                    if pid == 1:
                        FOUND.append("killed pid 1")
                except OSError:
                    pass
            """
        ),
        SHOW_FOUND,
        PLUS_IF_FOUND,
        GOOD_X,
    )
    # a user namespace gives "root" inside it: its own mounts, e.g. a tmpfs without
    # the sandbox's size cap, beyond the 256 + 64 MB of scratch space
    subs["user_namespace"] = notebook(
        IMPORTS,
        textwrap.dedent(
            """
            import ctypes, os
            FOUND = []
            libc = ctypes.CDLL(None, use_errno=True)
            outer = os.getuid()
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                try:
                    if libc.unshare(0x10000000 | 0x00020000) != 0:  # NEWUSER | NEWNS
                        os._exit(0)
                    os.write(w, b"unshare;")
                    open("/proc/self/setgroups", "w").write("deny")
                    open("/proc/self/uid_map", "w").write(f"0 {outer} 1")
                    open("/proc/self/gid_map", "w").write(f"0 {outer} 1")
                    os.makedirs("/tmp/big", exist_ok=True)
                    if libc.mount(b"none", b"/tmp/big", b"tmpfs", 0, b"size=1g") != 0:
                        os._exit(0)
                    os.write(w, b"mount;")
                    block = b"x" * (1 << 20)
                    total = 0
                    for i in range(42):  # 336 MB: more than /tmp and /dev/shm hold together
                        with open(f"/tmp/big/f{i}", "wb") as fh:
                            for _ in range(8):
                                fh.write(block)
                        total += 8
                    os.write(w, b"wrote %d MB;" % total)
                finally:
                    os._exit(0)
            os.close(w)
            os.waitpid(pid, 0)
            EVIDENCE = os.read(r, 1000).decode()
            if EVIDENCE:
                FOUND.append(EVIDENCE)
            """
        ),
        SHOW_FOUND,
        PLUS_IF_FOUND,
        GOOD_X,
    )

    # ---- 3. network ----------------------------------------------------------------
    subs["network"] = notebook(
        IMPORTS,
        f"PORTS = {ports!r}\n"
        + textwrap.dedent(
            """
            import socket
            FOUND = []
            try:
                socket.create_connection(("127.0.0.1", PORTS["tcp"]), timeout=3).close()
                FOUND.append("tcp")
            except OSError:
                pass
            try:
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                u.settimeout(3)
                u.sendto(b"ping", ("127.0.0.1", PORTS["udp"]))
                u.recvfrom(100)
                FOUND.append("udp")
            except OSError:
                pass
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(3)
                s.connect(PORTS["abstract"])
                FOUND.append("abstract unix socket")
            except OSError:
                pass
            for host in ("example.com", "pypi.org"):
                try:
                    socket.getaddrinfo(host, 443)
                    FOUND.append("dns " + host)
                except OSError:
                    pass
            """
        ),
        SHOW_FOUND,
        PLUS_IF_FOUND,
        GOOD_X,
    )

    # ---- 4. resources --------------------------------------------------------------
    subs["fill_scratch_space"] = notebook(
        IMPORTS,
        textwrap.dedent(
            """
            import os
            block = b"\\0" * (1 << 20)
            WRITTEN = {}
            for folder in ("/tmp", "/var/tmp", "/dev/shm", os.getcwd()):
                mb = 0
                try:
                    for i in range(100_000):
                        with open(os.path.join(folder, f"fill-{len(WRITTEN)}-{i}"), "wb") as fh:
                            for _ in range(8):
                                fh.write(block)
                                mb += 1
                except OSError:
                    pass
                WRITTEN[folder] = mb
            TOTAL_MB = sum(WRITTEN.values())
            FOUND = [WRITTEN] if TOTAL_MB > 340 else []  # caps: 256 MB + 64 MB
            for folder in ("/tmp", "/dev/shm"):
                for name in os.listdir(folder):
                    if name.startswith("fill-"):
                        os.remove(os.path.join(folder, name))
            """
        ),
        PLUS_IF_FOUND,
        GOOD_X,
    )
    subs["memory_40gb"] = notebook(
        IMPORTS,
        "FOUND = []\ntry:\n    BLOCK = bytearray(40 * 1024**3)\n    FOUND.append(len(BLOCK))\n"
        "except MemoryError:\n    pass",
        PLUS_IF_FOUND,
        GOOD_X,
    )
    subs["thread_bomb"] = notebook(
        IMPORTS,
        textwrap.dedent(
            """
            import threading
            STOP = threading.Event()
            N = 0
            try:
                while N < 5000:
                    threading.Thread(target=STOP.wait, daemon=True).start()
                    N += 1
            except RuntimeError:
                pass
            FOUND = [N] if N >= 1000 else []
            """
        ),
        PLUS_IF_FOUND,
        GOOD_X,
    )
    # daemonised children that ignore signals must not outlive the submission
    subs["fork_bomb_daemons"] = notebook(
        MD("setup"),
        IMPORTS,
        MD("a fork bomb that leaves sleepers behind"),
        textwrap.dedent(
            """
            import os, signal, time
            BORN = 0
            for i in range(500):
                try:
                    pid = os.fork()
                except OSError:
                    break
                if pid == 0:
                    try:
                        os.setsid()
                        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                            signal.signal(s, signal.SIG_IGN)
                        while True:
                            time.sleep(3600)
                    finally:
                        os._exit(0)
                BORN += 1
            """
        ),
        MD("answers"),
        GOOD_PLUS,
        GOOD_X,
    )
    # cell 5 prints far more than the 8 MB log allows: an OSError for that cell only
    subs["print_a_gigabyte"] = notebook(
        MD("intro"),
        IMPORTS,
        MD("answers"),
        GOOD_PLUS,
        "chunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    print(chunk)",
        GOOD_X,
    )
    # correct answers, then a cell that never ends and ignores SIGTERM: notebook cell 8
    subs["late_sleeper_ignoring_sigterm"] = notebook(
        MD("intro"),
        IMPORTS,
        MD("plus"),
        GOOD_PLUS,
        MD("x"),
        GOOD_X,
        MD("and now, forever"),
        textwrap.dedent(
            """
            import signal, time
            for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
                signal.signal(s, signal.SIG_IGN)
            while True:
                try:
                    time.sleep(1000)
                except BaseException:
                    pass
            """
        ),
    )
    # correct answers, then a cell that ends the process: notebook cell 7
    subs["late_os_exit"] = notebook(
        MD("intro"), IMPORTS, MD("answers"), GOOD_PLUS, GOOD_X, MD("bye"), "import os\nos._exit(0)"
    )
    # correct answers, then a segmentation fault: notebook cell 6
    subs["late_segfault"] = notebook(
        MD("intro"), IMPORTS, GOOD_PLUS, GOOD_X, MD("crash"), "import ctypes\nctypes.string_at(0)"
    )

    # ---- 5. protocol ---------------------------------------------------------------
    # four cells that each break the protocol (notebook cells 4, 6, 8, 10): each must be
    # skipped in turn; the answers in the other cells are graded
    subs["protocol_garbage_frames"] = notebook(
        MD("intro"),
        IMPORTS,
        FIND_PROTO_FD,
        "os.write(_proto_out(), b'garbage!' * 4)",
        MD("a frame of 2**60 bytes"),
        "os.write(_proto_out(), (2**60).to_bytes(8, 'big'))",
        MD("JSON nested 100000 deep"),
        "body = b'[' * 100_000 + b']' * 100_000\n"
        "os.write(_proto_out(), len(body).to_bytes(8, 'big') + body)",
        MD("a JSON list instead of an object"),
        "body = b'[1, 2]'\nos.write(_proto_out(), len(body).to_bytes(8, 'big') + body)",
        MD("answers"),
        WRONG_PLUS,
        GOOD_X,
    )
    # says "done" before the cells are done: the answers arrive out of step afterwards
    subs["protocol_forged_done"] = notebook(
        IMPORTS,
        FIND_BOX + "_box().send({'result': 'done', 'errors': []})\nimport time\ntime.sleep(2)",
        GOOD_PLUS,
        GOOD_X,
    )
    # the real "done" replaced by one whose error is 5 MB of text pretending to be the grader
    subs["protocol_forged_huge_error"] = notebook(
        IMPORTS,
        GOOD_PLUS,
        GOOD_X,
        FIND_BOX
        + textwrap.dedent(
            """
            _BOX = _box()
            _REAL_SEND = _BOX.send
            def _send(message):
                if message.get("result") == "done":
                    message = {"result": "done", "errors": [
                        {"index": 0, "ename": "Note",
                         "evalue": "the grader says: full marks. " * 200_000}]}
                _REAL_SEND(message)
            _BOX.send = _send
            """
        ),
    )
    # a second, forged answer to the first call: later answers arrive one call late
    subs["protocol_forged_value"] = notebook(
        IMPORTS,
        FIND_BOX,
        textwrap.dedent(
            """
            from autograder.classroom import wire as _wire
            def plus_state():
                _box().send({"result": "value",
                             "value": _wire.encode(np.array([1, 1]) / np.sqrt(2))})
                return np.array([1.0, 0.0])
            """
        ),
        GOOD_X,
    )
    # forged error replies the trusted side cannot digest: each must cost only this case
    subs["forged_internal_kind"] = notebook(
        IMPORTS,
        FORGE_REPLIES,
        "def plus_state():\n    NEXT_REPLIES.append({'result': 'error', 'kind': 'internal', "
        "'message': 'the grader broke'})\n    return np.array([1.0, 0.0])",
        GOOD_X,
    )
    subs["forged_callback_id"] = notebook(
        IMPORTS,
        FORGE_REPLIES,
        "def plus_state():\n    NEXT_REPLIES.append({'callback': [1], 'args': []})\n"
        "    return np.array([1.0, 0.0])",
        GOOD_X,
    )
    subs["forged_bad_mro"] = notebook(
        IMPORTS,
        FORGE_REPLIES,
        "def plus_state():\n    NEXT_REPLIES.append({'result': 'error', 'kind': 'exception', "
        "'etype': 'ValueError', 'mro': [1, 2], 'message': 'x'})\n    return np.array([1.0, 0.0])",
        GOOD_X,
    )
    # no forging at all: exceptions an honest function can raise
    subs["raises_unicode_error"] = notebook(
        IMPORTS, "def plus_state():\n    return b'\\xff'.decode('utf-8')", GOOD_X
    )
    subs["raises_exception_group"] = notebook(
        IMPORTS,
        GOOD_PLUS,
        "def x_on_qubit(n, k):\n    raise ExceptionGroup('two problems', [ValueError(n), KeyError(k)])",
    )
    # the sandbox's own encoder replaced: malformed values on the wire, one per call
    bad_values = [
        {"__qpy__": "garbage"},
        {"__backend__": "ibm"},
        {"__fakebackend__": "os"},
        {"__bigint__": "9" * 100_000},
        {
            "__ndarray__": _npy_b64(
                {"descr": "|O", "fortran_order": False, "shape": (1,)}, b"\0" * 8
            )
        },
    ]
    patch_encode = textwrap.dedent(
        """
        import autograder.classroom.wire as _wire
        _ORIGINAL_ENCODE = _wire.encode
        def _encode(value, *args, **kwargs):
            if BAD and kwargs.get("handle") is not None:  # a learner function's return value
                return BAD.pop(0)
            return _ORIGINAL_ENCODE(value, *args, **kwargs)
        _wire.encode = _encode
        """
    )
    subs["wire_malformed_values"] = notebook(
        IMPORTS, f"BAD = {bad_values!r}\n" + patch_encode, GOOD_PLUS, GOOD_X
    )
    # an array of 2**40 zero-size strings: no memory here, 16 TiB once made complex
    zero_size = {
        "__ndarray__": _npy_b64({"descr": "<U0", "fortran_order": False, "shape": (2**40,)})
    }
    subs["wire_zero_size_array"] = notebook(
        IMPORTS, f"BAD = {[zero_size, zero_size]!r}\n" + patch_encode, GOOD_PLUS, GOOD_X
    )
    # from its first call, plus_state floods the protocol with frames, 1000 at once and
    # then from a thread that never stops: every later answer is out of step
    subs["flood_thread"] = notebook(
        IMPORTS,
        FIND_BOX
        + textwrap.dedent(
            """
            import threading, time
            def _flood(box=_box()):
                while True:
                    box.send({"event": "cell", "index": 0})
                    time.sleep(0.001)
            def plus_state():
                box = _box()
                for _ in range(1000):
                    box.send({"event": "cell", "index": 0})
                threading.Thread(target=_flood, daemon=True).start()
                return np.array([1, 1]) / np.sqrt(2)
            """
        ),
        GOOD_X,
    )

    # ---- 6. expensive answers ------------------------------------------------------
    # custom gates nested 10 deep, 1000 uses each: 10**30 X gates once expanded, in a
    # QPY file of under 1 MB (definitions shared by name)
    subs["nested_gates_1e30"] = notebook(
        IMPORTS,
        textwrap.dedent(
            """
            from qiskit.circuit import Gate
            import qiskit.qpy as _qpy
            import qiskit.qpy.binary_io.circuits as _qpy_circuits
            class _SameId:
                hex = "0" * 32
                def __str__(self):
                    return "0" * 32
            _qpy_circuits.uuid = type("uuid", (), {"uuid4": staticmethod(lambda: _SameId())})
            _dump = _qpy.dump
            _qpy.dump = lambda circuit, fh, **kw: _dump(circuit, fh, version=16)
            def _nested(levels=10, width=1000):
                inner = QuantumCircuit(1)
                inner.x(0)
                gate = Gate("g0", 1, [])
                gate.definition = inner
                for level in range(1, levels + 1):
                    outer = QuantumCircuit(1)
                    for _ in range(width):
                        outer.append(gate, [0], copy=False)
                    gate = Gate(f"g{level}", 1, [])
                    gate.definition = outer
                return gate
            HUGE = _nested()
            def x_on_qubit(n, k):
                qc = QuantumCircuit(n)
                qc.append(HUGE, [k], copy=False)
                return qc
            """
        ),
        WRONG_PLUS,
    )
    subs["wide_30_qubits"] = notebook(
        IMPORTS,
        "def plus_state():\n    qc = QuantumCircuit(30)\n    qc.h(range(30))\n    return qc",
        GOOD_X,
    )
    subs["million_gates"] = notebook(
        IMPORTS,
        textwrap.dedent(
            """
            import autograder.classroom.wire as _wire
            BIG = QuantumCircuit(1)
            for _ in range(10**6 - 1):
                BIG.id(0)
            BIG.h(0)
            _ORIGINAL_ENCODE = _wire.encode
            _CACHE = {}
            def _encode(value, *args, **kwargs):  # serialise the big circuit only once
                if value is BIG:
                    if "big" not in _CACHE:
                        _CACHE["big"] = _ORIGINAL_ENCODE(value, *args, **kwargs)
                    return _CACHE["big"]
                return _ORIGINAL_ENCODE(value, *args, **kwargs)
            _wire.encode = _encode
            def plus_state():
                return BIG
            """
        ),
        GOOD_X,
    )
    subs["huge_array"] = notebook(
        IMPORTS, "def plus_state():\n    return np.zeros(10**8, dtype=np.uint8)", GOOD_X
    )

    # ---- 7. feedback leaks ---------------------------------------------------------
    subs["leaky_errors"] = notebook(
        IMPORTS,
        textwrap.dedent(
            """
            import os
            def _read(path):
                try:
                    with open(path, "rb") as fh:
                        return fh.read(1 << 16).decode("utf-8", "replace")
                except OSError as exc:
                    return repr(exc)
            ENV = repr(dict(os.environ))
            CMDLINES = " | ".join(
                _read(f"/proc/{p}/cmdline").replace("\\0", " ")
                for p in os.listdir("/proc") if p.isdigit())
            MOUNTS = _read("/proc/self/mountinfo")
            """
        ),
        "raise RuntimeError(CMDLINES)",
        "raise RuntimeError(MOUNTS[:300])",
        "raise RuntimeError(MOUNTS[-300:])",
        "def plus_state():\n    raise RuntimeError(MOUNTS)",
        "def x_on_qubit(n, k):\n    raise KeyError(ENV + CMDLINES)",
    )
    return subs


# student -> (plus_state score, x_on_qubit score, plus_state status, x_on_qubit status,
#             a phrase that must appear in the result)
EXPECTED = {
    "good_first": (2, 3, "graded", "graded", "passed, 2/2"),
    "good_last": (2, 3, "graded", "graded", "passed, 3/3"),
    # 1. secrets: nothing to find
    "secrets_env_and_proc": (1, 3, "graded", "graded", "not yet, 1/2"),
    "secrets_open_fds": (1, 3, "graded", "graded", "not yet, 1/2"),
    "hunt_files": (1, 3, "graded", "graded", "not yet, 1/2"),
    "imports_checks_and_metadata": (1, 3, "graded", "graded", "not yet, 1/2"),
    # 2. escapes
    "writes_outside": (1, 3, "graded", "graded", "not yet, 1/2"),
    "setuid_ptrace_kill": (1, 3, "graded", "graded", "not yet, 1/2"),
    "user_namespace": (1, 3, "graded", "graded", "not yet, 1/2"),
    # 3. network
    "network": (1, 3, "graded", "graded", "not yet, 1/2"),
    # 4. resources
    "fill_scratch_space": (1, 3, "graded", "graded", "not yet, 1/2"),
    "memory_40gb": (1, 3, "graded", "graded", "not yet, 1/2"),
    "thread_bomb": (1, 3, "graded", "graded", "not yet, 1/2"),
    "fork_bomb_daemons": (2, 3, "graded", "graded", "passed, 3/3"),
    "print_a_gigabyte": (2, 3, "graded", "graded", "cell 5: OSError"),
    "late_sleeper_ignoring_sigterm": (2, 3, "graded", "graded", "notebook cell 8 hung or crashed"),
    "late_os_exit": (2, 3, "graded", "graded", "notebook cell 7 hung or crashed"),
    "late_segfault": (2, 3, "graded", "graded", "notebook cell 6 hung or crashed"),
    # 5. protocol: the attacker's own points only, never "infrastructure"
    "protocol_garbage_frames": (1, 3, "graded", "graded", "malformed message"),
    "protocol_forged_done": (0, 0, "missing", "missing", "is not defined"),
    "protocol_forged_huge_error": (2, 3, "graded", "graded", "cell 1: Note"),
    "protocol_forged_value": (1, 0, "graded", "missing", "not yet, 1/2"),
    "forged_internal_kind": (0, 3, "graded", "graded", "not yet, 0/2"),
    "forged_callback_id": (0, 3, "graded", "graded", "not yet, 0/2"),
    "forged_bad_mro": (0, 3, "graded", "graded", "not yet, 0/2"),
    "raises_unicode_error": (0, 3, "graded", "graded", "raised UnicodeDecodeError"),
    "raises_exception_group": (2, 0, "graded", "graded", "raised ExceptionGroup"),
    "wire_malformed_values": (0, 0, "graded", "graded", "cannot be used in grading"),
    "wire_zero_size_array": (0, 3, "graded", "graded", "not yet, 0/2"),
    "flood_thread": (0, 0, "graded", "missing", "is not defined"),
    # 6. expensive answers: refused at once, with a message that says why
    # (sharing definitions needs QPY version 16; the grader accepts only the version its
    # own sandbox writes, so the forged file is refused before it is read)
    "nested_gates_1e30": (1, 0, "graded", "graded", "unexpected QPY format"),
    "wide_30_qubits": (0, 3, "graded", "graded", "too large to check"),
    "million_gates": (0, 3, "graded", "graded", "too large to check"),
    "huge_array": (0, 3, "graded", "graded", "too large"),
    # 7. leaks: errors shown, nothing secret in them (see test_no_secret_in_any_feedback)
    "leaky_errors": (0, 0, "graded", "graded", "raised RuntimeError"),
}

# the mechanism of each attack that currently succeeds, shown when its test fails
ATTACK_CLASS = {
    "user_namespace": "unshare(CLONE_NEWUSER) works inside the sandbox (isolation.bwrap_args)",
    "forged_internal_kind": "remote._learner_error trusts the frame's 'kind' (kind='internal')",
    "forged_callback_id": "remote._answer_callback hashes an unvalidated callback id",
    "forged_bad_mro": "remote._rebuild_exception trusts 'mro' from the sandbox",
    "raises_unicode_error": "remote._rebuild_exception calls UnicodeDecodeError(message)",
    "raises_exception_group": "remote._rebuild_exception calls ExceptionGroup(message)",
    "wire_zero_size_array": "wire.decode accepts any npy shape; to_state's MemoryError is 'internal'",
    "huge_array": "an over-limit frame is reported as a malformed message and a crash",
    "protocol_forged_huge_error": "cell errors from the sandbox are not truncated here",
}


# ---------------------------------------------------------------------- the class run


def _make_course(root: Path) -> Path:
    """A fake course folder: a gradebook with other students, and a list of them."""
    course = root / "course"
    course.mkdir(parents=True)
    with contextlib.closing(sqlite3.connect(course / "gradebook.db")) as con, con:
        con.execute("create table grade (student text, assignment text, score real)")
        con.executemany(
            "insert into grade values (?, ?, ?)",
            [(s, "00_getting_started", 5.0) for s in OTHER_STUDENTS],
        )
    (course / STUDENTS_FILE).write_text("\n".join(OTHER_STUDENTS) + "\n")
    (course / "source").mkdir()
    (course / "source" / NB_NAME).write_bytes(LESSON.notebook.read_bytes())
    return course


class _Listeners:
    """A TCP server, a UDP socket and an abstract unix socket on the host, recording
    whatever reaches them."""

    def __init__(self) -> None:
        self.reached: list[str] = []
        self.closed = False
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.abstract_name = f"\0qmlcourse-attack-{os.getpid()}-{time.monotonic_ns()}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind(self.abstract_name)
        self.unix.listen(8)
        for sock, what in ((self.tcp, "tcp"), (self.unix, "abstract")):
            sock.settimeout(0.5)
            threading.Thread(target=self._accept, args=(sock, what), daemon=True).start()
        self.udp.settimeout(0.5)
        threading.Thread(target=self._recv, daemon=True).start()

    def ports(self) -> dict:
        return {
            "tcp": self.tcp.getsockname()[1],
            "udp": self.udp.getsockname()[1],
            "abstract": self.abstract_name,
        }

    def _accept(self, sock: socket.socket, what: str) -> None:
        while not self.closed:
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            self.reached.append(what)
            conn.close()

    def _recv(self) -> None:
        while not self.closed:
            try:
                _data, addr = self.udp.recvfrom(100)
            except OSError:
                continue
            self.reached.append("udp")
            self.udp.sendto(b"pong", addr)

    def self_check(self) -> None:
        """Each listener must notice a client on the host (or its silence proves nothing)."""
        ports = self.ports()
        socket.create_connection(("127.0.0.1", ports["tcp"]), timeout=3).close()
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(ports["abstract"])
        client.close()
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.sendto(b"ping", ("127.0.0.1", ports["udp"]))
        udp.close()
        for _ in range(50):
            if sorted(self.reached) == ["abstract", "tcp", "udp"]:
                break
            time.sleep(0.1)
        assert sorted(self.reached) == ["abstract", "tcp", "udp"], self.reached
        self.reached.clear()

    def close(self) -> None:
        self.closed = True
        time.sleep(0.6)
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()


def _sandbox_processes(marker: str) -> list[str]:
    """Processes with a sandbox user id (61000-64999) whose mounts come from ``marker``
    (our private temporary folder): other graders may run on this machine at the same
    time, and their sandboxes are not ours to judge."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
            if not 61000 <= uid <= 64999:
                continue
            mounts = Path(f"/proc/{entry}/mountinfo").read_text()
        except (OSError, AttributeError, ValueError):
            continue
        if marker in mounts:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            found.append(f"{entry} uid={uid} {cmd[:120].decode(errors='replace')}")
    return found


def _leftovers(private_tmp: Path) -> tuple[list[str], list[str]]:
    """(sandbox processes still alive, staging folders left), waiting up to 15 s."""
    for _ in range(30):
        procs = _sandbox_processes(str(private_tmp))
        folders = sorted(p.name for p in private_tmp.glob("qmlcourse-sbx-*"))
        if not procs and not folders:
            break
        time.sleep(0.5)
    return procs, folders


@pytest.fixture(scope="module")
def private_tmp(tmp_path_factory):
    """Staging folders of this module's graders go here (tempfile.gettempdir())."""
    folder = tmp_path_factory.mktemp("attack-tmp")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(folder))
        yield folder


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """A temporary folder of the test's own for its graders' staging folders."""
    folder = tmp_path / "own-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="module")
def secret_env():
    with pytest.MonkeyPatch.context() as mp:
        for key, value in SECRETS.items():
            mp.setenv(key, value)
        yield


def _job(folder: Path, student: str, course_root: Path) -> dict:
    return {
        "submission_dir": str(folder),
        "source_notebook": str(LESSON.notebook),
        "student": student,
        "assignment": LESSON.name,
        "limits": LIMITS,
        "course_root": str(course_root),
    }


@pytest.fixture(scope="module")
def attack_run(tmp_path_factory, private_tmp, secret_env):
    """Grade every attack submission, and two well-behaved students, in one run."""
    root = tmp_path_factory.mktemp("attacks")
    course = _make_course(root)
    listeners = _Listeners()
    listeners.self_check()
    subs = attack_submissions(course, listeners.ports())
    assert sorted(subs) == sorted(EXPECTED)
    order = ["good_first"] + sorted(s for s in subs if not s.startswith("good")) + ["good_last"]
    jobs = []
    for student in order:
        folder = root / "submissions" / student
        folder.mkdir(parents=True)
        (folder / NB_NAME).write_text(subs[student])
        jobs.append(_job(folder, student, course))
    started = time.monotonic()
    try:
        results = grader.grade_many(jobs, workers=2)
    finally:
        listeners.close()
    elapsed = time.monotonic() - started
    by_student = {r.student: r.to_dict() for r in results}  # as saved in reports/
    return {
        "results": by_student,
        "elapsed": elapsed,
        "course": course,
        "reached": list(listeners.reached),
        "leftovers": _leftovers(private_tmp),
    }


def _scores(r: dict) -> dict:
    return {e["exercise_id"]: e["score"] for e in r["exercises"]}


def _statuses(r: dict) -> dict:
    return {e["exercise_id"]: e["status"] for e in r["exercises"]}


def _shown(r: dict) -> str:
    """Everything a student or instructor is shown of one result."""
    parts = [str(r.get("reason") or "")]
    parts += [str(n) for n in r.get("notes", [])]
    parts += [str(n) for n in r.get("cell_errors", [])]
    parts += [str(e.get("feedback", "")) for e in r.get("exercises", [])]
    parts += [str(m) for e in r.get("exercises", []) for m in e.get("mistakes", [])]
    return "\n".join(parts)


# ----------------------------------------------------------------------------- tests


def test_isolation_is_bubblewrap_as_root():
    level = isolation.detect()
    assert level.level == "bwrap", level.warning
    assert os.geteuid() == 0  # the sandbox drops to a uid of its own only when run as root


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_attack_outcome(attack_run, student):
    plus, x, plus_status, x_status, phrase = EXPECTED[student]
    r = attack_run["results"][student]
    blob = json.dumps(r, default=str)[:6000]
    why = ATTACK_CLASS.get(student, "")
    assert r["status"] == "graded", (why, blob)
    assert r["max_score"] == 5.0, blob
    assert _statuses(r) == {"00.plus_state": plus_status, "00.x_on_qubit": x_status}, (why, blob)
    assert _scores(r) == {"00.plus_state": plus, "00.x_on_qubit": x}, (why, blob)
    assert r.get("not_scored") == [], (why, blob)
    assert phrase in _shown(r), (why, phrase, blob)


def test_well_behaved_students_unaffected(attack_run):
    for student in ("good_first", "good_last"):
        r = attack_run["results"][student]
        assert r["score"] == 5.0 and r["status"] == "graded", r
        assert r["notes"] == [] and r["cell_errors"] == [] and r["skipped_cells"] == [], r


def test_every_submission_was_graded_in_bounded_time(attack_run):
    results = attack_run["results"]
    assert sorted(results) == sorted(EXPECTED)
    assert attack_run["elapsed"] < 240, attack_run["elapsed"]
    slow = {s: r["duration"] for s, r in results.items() if r["duration"] > 45}
    assert not slow, slow
    # expensive answers are refused without simulating them
    for student in ("nested_gates_1e30", "wide_30_qubits", "million_gates", "huge_array"):
        assert results[student]["duration"] < 30, (student, results[student]["duration"])


def test_failed_hunts_left_no_cell_error(attack_run):
    """A hunt that found something raises "FOUND: ..." in a cell (see SHOW_FOUND)."""
    for student, r in attack_run["results"].items():
        found = [e for e in r["cell_errors"] if "FOUND:" in e]
        assert not found, (student, found)


def test_cells_are_named_by_their_place_among_all_cells(attack_run):
    results = attack_run["results"]
    sleeper = results["late_sleeper_ignoring_sigterm"]
    assert sleeper["skipped_cells"] == [8], sleeper
    assert any(
        "notebook cell 8 hung or crashed" in n and "more than 20 s" in n for n in sleeper["notes"]
    ), sleeper["notes"]
    exit_ = results["late_os_exit"]
    assert exit_["skipped_cells"] == [7], exit_
    assert any("cell 7" in n and "exited with code 0" in n for n in exit_["notes"]), exit_
    segv = results["late_segfault"]
    assert segv["skipped_cells"] == [6], segv
    assert any("cell 6" in n and "SIGSEGV" in n for n in segv["notes"]), segv
    printer = results["print_a_gigabyte"]
    assert printer["skipped_cells"] == [] and len(printer["cell_errors"]) == 1, printer
    assert printer["cell_errors"][0].startswith("cell 5: OSError"), printer["cell_errors"]
    garbage = results["protocol_garbage_frames"]
    assert garbage["skipped_cells"] == [4, 6, 8, 10], garbage
    assert sum("malformed message" in n for n in garbage["notes"]) == 4, garbage["notes"]
    fork = results["fork_bomb_daemons"]
    assert fork["skipped_cells"] == [] and fork["cell_errors"] == [], fork


def test_cell_errors_from_the_sandbox_are_bounded(attack_run):
    """A forged "done" frame carries a 5 MB error message; the sandbox itself cuts error
    values to 300 characters, so the trusted side must not show more than that.

    Currently remote.exec_cells passes the sandbox's ``errors`` list through unchecked and
    grader.boot formats every ``evalue`` in full into ``cell_errors``."""
    r = attack_run["results"]["protocol_forged_huge_error"]
    assert r["cell_errors"], r["cell_errors"]
    assert all(len(e) <= 400 for e in r["cell_errors"]), [len(e) for e in r["cell_errors"]]


def test_no_secret_in_any_feedback(attack_run):
    course = attack_run["course"]
    forbidden = [
        *SECRETS.values(),
        str(course),
        str(course.resolve()),
        str(REPO),
        *OTHER_STUDENTS,
    ]
    solution_lines = set()
    for folder in (PKG / "checks", PKG / "solutions"):
        for path in folder.glob("*.py"):
            for line in path.read_text().splitlines():
                line = line.strip()
                if len(line) >= 30 and not line.startswith(("#", '"""', "from ", "import ")):
                    solution_lines.add(line)
    assert len(solution_lines) > 50
    for student, r in attack_run["results"].items():
        shown = _shown(r)
        leaked = [s for s in forbidden if s in shown]
        assert not leaked, (student, leaked)
        lines = [line for line in solution_lines if line in shown]
        assert not lines, (student, lines[:3])
    # the leaky student's errors did carry what it could read (scrubbed)
    leaky = _shown(attack_run["results"]["leaky_errors"])
    assert "/sandbox/lib" in leaky and "QMLCOURSE_SANDBOX_INPUT" in leaky


def test_nothing_reached_the_host_network(attack_run):
    assert attack_run["reached"] == []


def test_nothing_was_written_outside_the_sandbox(attack_run):
    course = attack_run["course"]
    for path in (
        Path("/usr/sa-pwned"),
        Path("/usr/lib/sa-pwned"),
        Path("/etc/sa-pwned"),
        Path("/sa-pwned"),
        Path(sys.prefix) / "lib" / "sa-pwned.pth",
        REPO / "sa-pwned",
        course / "sa-pwned",
        PKG / "sa_pwned.py",
    ):
        assert not path.exists(), path
    with contextlib.closing(sqlite3.connect(course / "gradebook.db")) as con:
        assert con.execute("select count(*) from grade").fetchone()[0] == len(OTHER_STUDENTS)


def test_no_sandbox_process_or_staging_folder_is_left(attack_run):
    procs, folders = attack_run["leftovers"]
    assert procs == [], procs
    assert folders == [], folders


# ------------------------------------------------------------ attacks on a whole run


def _grade_pair(tmp_path: Path, attacker_nb: str, workers: int = 2) -> tuple[object, Path]:
    """Grade a well-behaved student and an attacker together (with one worker, the
    attacker alone: a class of one, or ``--workers 1``)."""
    course = _make_course(tmp_path)
    jobs = []
    students = (("good", notebook(IMPORTS, GOOD_PLUS, GOOD_X)), ("attacker", attacker_nb))
    for student, text in students[2 - workers :]:
        folder = tmp_path / "submissions" / student
        folder.mkdir(parents=True)
        (folder / NB_NAME).write_text(text)
        jobs.append(_job(folder, student, course))
    try:
        return [r.to_dict() for r in grader.grade_many(jobs, workers=workers)], course
    except BaseException as exc:  # noqa: BLE001 - what a broken run raises is the finding
        return exc, course


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rust_panic_in_the_checker_does_not_end_the_run(tmp_path, own_tmp, workers):
    """``plus_state`` returns a 40-qubit SparsePauliOp. The trusted check calls
    ``np.asarray`` on it (compare.to_state), Qiskit's Rust code panics, and
    ``pyo3_runtime.PanicException`` derives from BaseException: it passes every
    ``except Exception`` (engine.Tester.case, grader._grade_one, grader.grade_job). With
    one worker pool.grade_many runs the job in its own process and the exception ends the
    whole class run; with two, the worker cannot pickle it back and the student is
    reported as "infrastructure" (never scored). Safe: the case fails, the run goes on."""
    attacker = notebook(
        IMPORTS,
        "from qiskit.quantum_info import SparsePauliOp\n"
        "def plus_state():\n    return SparsePauliOp('X' * 40)",
        GOOD_X,
    )
    outcome, _course = _grade_pair(tmp_path, attacker, workers)
    assert isinstance(outcome, list), f"the run ended with {type(outcome).__name__}: {outcome}"
    results = {r["student"]: r for r in outcome}
    if workers == 2:
        assert _scores(results["good"]) == {"00.plus_state": 2, "00.x_on_qubit": 3}
    r = results["attacker"]
    assert r["status"] == "graded", r
    assert _scores(r) == {"00.plus_state": 0, "00.x_on_qubit": 3}, r
    assert _statuses(r) == {"00.plus_state": "graded", "00.x_on_qubit": "graded"}, r
    assert _leftovers(own_tmp) == ([], [])


def test_a_qpy_header_cannot_make_the_grader_allocate(tmp_path, own_tmp):
    """``x_on_qubit`` returns a 2-qubit circuit whose QPY header claims 10**8 classical
    bits. wire.decode calls ``qpy.load`` before any size check (and check_circuit_budget
    counts qubits only, never clbits): Qiskit's loader allocates gigabytes in the trusted
    worker. Here the worker gets 3 GB of headroom (RLIMIT_AS) so that the machine is not
    at risk; Rust then aborts the worker, the pool regrades the job and reports it as
    "infrastructure" (never scored). Without a limit the same payload with 2**32-1 clbits
    exhausted this 23 GB machine and was killed by the OOM killer. Safe: the header is
    refused before anything is built, and the case fails as too large."""
    attacker = notebook(
        IMPORTS,
        f"QPY = {_qpy_with_header(num_clbits=10**8)!r}\n"
        + textwrap.dedent(
            """
            import autograder.classroom.wire as _wire
            _ORIGINAL_ENCODE = _wire.encode
            def _encode(value, *args, **kwargs):
                if kwargs.get("handle") is not None and type(value).__name__ == "QuantumCircuit":
                    return {"__qpy__": QPY}
                return _ORIGINAL_ENCODE(value, *args, **kwargs)
            _wire.encode = _encode
            """
        ),
        GOOD_PLUS,
        GOOD_X,
    )
    vm = int(re.search(r"VmSize:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (vm * 1024 + 3 * 1024**3, hard))
    try:
        outcome, _course = _grade_pair(tmp_path, attacker)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    assert isinstance(outcome, list), f"the run ended with {type(outcome).__name__}: {outcome}"
    results = {r["student"]: r for r in outcome}
    assert _scores(results["good"]) == {"00.plus_state": 2, "00.x_on_qubit": 3}
    r = results["attacker"]
    assert r["status"] == "graded", r
    assert _scores(r) == {"00.plus_state": 2, "00.x_on_qubit": 0}, r
    assert _statuses(r) == {"00.plus_state": "graded", "00.x_on_qubit": "graded"}, r
    assert "too large" in _shown(r), r
    assert _leftovers(own_tmp) == ([], [])


DECODE_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (4 * 1024**3, 4 * 1024**3))
    from autograder.classroom import wire
    payload = json.loads(sys.stdin.read())
    wire.decode(payload["warmup"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    try:
        wire.decode(payload["attack"])
        outcome = "decoded"
    except BaseException as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started,
                      "grew_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
    """
)


@pytest.mark.parametrize("field", ["num_qubits", "num_clbits"])
def test_qpy_register_sizes_are_checked_before_loading(field):
    """A 100-byte QPY payload claiming 3 million qubits (or classical bits) takes the
    trusted side seconds and most of a gigabyte before ``check_circuit_budget`` runs (and
    the budget never looks at classical bits). Run in a child process with a 4 GB limit.
    Safe: refused from the header, in well under a second, allocating nothing."""
    warmup = {"__qpy__": _qpy_with_header()}
    attack = {"__qpy__": _qpy_with_header(**{field: 3_000_000})}
    proc = subprocess.run(
        [sys.executable, "-c", DECODE_SCRIPT],
        input=json.dumps({"warmup": warmup, "attack": attack}),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(REPO),
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["outcome"].startswith(("WireError", "CheckBudget")), out
    assert out["seconds"] < 0.5 and out["grew_mb"] < 100, out


def test_a_deeply_nested_submission_folder_is_graded(tmp_path, own_tmp):
    """1100 nested folders beside a correct notebook. isolation.copy_input walks them
    with os.walk, which recurses in Python 3.11: RecursionError escapes
    SandboxSession._stage (only OSError is caught), grade_submission raises, grade_job
    reports "infrastructure", and SandboxSession.close cannot remove the staging folder
    (shutil.rmtree recurses too). Collection refuses folders over 32 deep, but anything
    put in ``submitted/`` by hand reaches the grader. Safe: the deep files are skipped with
    a note, the notebook is graded, and nothing is left in the temporary folder."""
    folder = tmp_path / "deep_student"
    folder.mkdir()
    (folder / NB_NAME).write_text(notebook(IMPORTS, GOOD_PLUS, GOOD_X))
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(1100):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        os.close(os.open("data.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    finally:
        os.close(fd)
    try:
        r = grader.grade_job(_job(folder, "deep_student", _make_course(tmp_path))).to_dict()
        assert r["status"] == "graded", r
        assert _scores(r) == {"00.plus_state": 2, "00.x_on_qubit": 3}, r
        assert _leftovers(own_tmp)[1] == []
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)
        for left in own_tmp.glob("qmlcourse-sbx-*"):
            subprocess.run(["rm", "-rf", str(left)], check=False)


# ------------------------------------------------- the protocol, seen from the trusted side


@pytest.fixture
def session(own_tmp):
    s = remote.SandboxSession(None, LIMITS, isolation.detect(), grader.hidden_paths(None))
    s.start()
    yield s
    s.close()


def test_frames_from_the_sandbox_do_not_pile_up_in_the_grader(session):
    """A thread in the sandbox writes 20000 small frames while the grader is busy with
    something else (simulating an answer, say). SandboxSession._read parses every frame
    and puts it in an unbounded queue.Queue, so memory grows as fast as the sandbox can
    write (up to 64 MB per frame, and a JSON list of empty lists grows about 20 times
    when parsed). Safe: the reader stops reading when a few frames are waiting, so the
    sandbox blocks instead of the grader growing."""
    code = FIND_BOX + textwrap.dedent(
        """
        import threading
        def _flood(box=_box()):
            for _ in range(20000):
                box.send({"event": "noise", "pad": "x" * 100})
        threading.Thread(target=_flood, daemon=True).start()
        """
    )
    errors, stuck, why = session.exec_cells([code], time.monotonic() + 30, 20)
    assert (errors, stuck) == ([], None), (errors, stuck, why)
    time.sleep(3)  # the grader works on something else
    assert session.frames.qsize() <= 64, session.frames.qsize()


def test_the_checkers_time_budget_is_not_swallowed_while_decoding(session):
    """grader._work_budget raises CheckTimeBudget from a SIGALRM handler to stop the
    trusted side's own work on an answer. When it rings while SandboxSession.call decodes
    the answer, ``except Exception`` there turns it into an ordinary LearnerError ("could
    not be read (CheckTimeBudget)"): the check goes on with the next case with no alarm
    left. Here the answer (a list of three million numbers) is put in the session's
    queue directly, as the sandbox could send it, so that the alarm rings during decoding.
    Safe: CheckTimeBudget reaches the checker."""
    from autograder.errors import CheckTimeBudget, LearnerError

    errors, stuck, _ = session.exec_cells(
        ["import time\ndef slow():\n    time.sleep(60)"], time.monotonic() + 30, 20
    )
    assert (errors, stuck) == ([], None)
    session.frames.put({"result": "value", "value": [[0] * 1000] * 3000})
    outcome = None
    try:
        with grader._work_budget(0.2, "00.test"):
            session.call({"name": "slow"}, (), {}, time.monotonic() + 30)
    except CheckTimeBudget as exc:
        outcome = exc
    except LearnerError as exc:
        outcome = exc
    assert isinstance(outcome, CheckTimeBudget), f"{type(outcome).__name__}: {outcome}"


def test_what_the_sandbox_learns_about_the_checkout_is_useless(session, own_tmp):
    """Inside the sandbox the checkout's path is visible (direct_url.json and the
    editable finder of the installed distribution, /proc/self/mountinfo, the Python path
    in /proc/1/cmdline), but nothing under it can be read."""
    code = textwrap.dedent(
        """
        import importlib.metadata, os, sys
        def learn():
            paths = set()
            dist = importlib.metadata.distribution("qml-course")
            url = dist.read_text("direct_url.json") or ""
            if "file://" in url:
                paths.add(url.split("file://", 1)[1].split('"', 1)[0])
            for mod in list(sys.modules.values()):
                mapping = getattr(mod, "MAPPING", None)
                if isinstance(mapping, dict):
                    paths.update(os.path.dirname(str(v)) for v in mapping.values())
            readable = []
            for root in sorted(paths):
                for dirpath, dirnames, filenames in os.walk(root):
                    if dirpath == root:  # the virtual environment inside it is bound on purpose
                        dirnames[:] = [d for d in dirnames if d != ".venv"]
                    for name in filenames:
                        try:
                            open(os.path.join(dirpath, name), "rb").read(1)
                            readable.append(os.path.join(dirpath, name))
                        except OSError:
                            pass
            return {"paths": sorted(paths), "readable": readable[:50]}
        """
    )
    errors, stuck, _ = session.exec_cells([code], time.monotonic() + 30, 20)
    assert (errors, stuck) == ([], None)
    fn = remote.RemoteFunction(session, {"name": "learn"}, "learn")
    fn.deadline = time.monotonic() + 60
    out = fn()
    # the path is disclosed (see the report); the files under it are not readable
    assert out["paths"], out
    assert out["readable"] == [], out
    # (and the leftover check of this module does recognise a live sandbox of ours)
    assert _sandbox_processes(str(own_tmp)), "a live sandbox is not recognised"
    session.close()
    assert _leftovers(own_tmp) == ([], [])


def test_forged_cell_events_do_not_extend_a_cells_time(tmp_path, own_tmp):
    """A cell that never ends, while a thread of it sends ``{"event": "cell"}`` every
    half second. remote.SandboxSession.exec_cells restarts the per-cell clock on every
    such frame, so the cell runs until the submission's whole wall clock is spent: here
    3 s per cell become 15 s, and every exercise is lost as "timeout" instead of the cell
    being skipped (with the defaults, 120 s become 600 s of a grading worker). Safe: the
    cell is stopped after 3 s and skipped; the answers in the other cells are graded."""
    folder = tmp_path / "clock_forger"
    folder.mkdir()
    (folder / NB_NAME).write_text(
        notebook(
            MD("intro"),
            IMPORTS,
            GOOD_PLUS,
            GOOD_X,
            FIND_BOX
            + textwrap.dedent(
                """
                import threading, time
                def _tick(box=_box()):
                    while True:
                        box.send({"event": "cell", "index": 3})
                        time.sleep(0.5)
                threading.Thread(target=_tick, daemon=True).start()
                while True:
                    time.sleep(1)
                """
            ),
        )
    )
    limits = isolation.Limits(wall_seconds=15, cell_seconds=3)
    started = time.monotonic()
    r = grader.grade_submission(
        folder, LESSON.notebook, "clock_forger", LESSON.name, limits
    ).to_dict()
    assert time.monotonic() - started < 14, r["notes"]
    assert r["status"] == "graded", r
    assert _scores(r) == {"00.plus_state": 2, "00.x_on_qubit": 3}, r
    assert r["skipped_cells"] == [5], r
    assert any("notebook cell 5 hung or crashed" in n for n in r["notes"]), r["notes"]


KEYRING_SCRIPT = textwrap.dedent(
    """
    import ctypes, json, sys
    from pathlib import Path
    libc = ctypes.CDLL(None, use_errno=True)
    SECRET = sys.argv[2].encode()
    # the grader's session keyring holds a secret (a credential helper, a Kerberos cache)
    joined = libc.syscall(250, 1, None)  # KEYCTL_JOIN_SESSION_KEYRING: a new anonymous one
    added = libc.syscall(248, b"user", b"course-db-password", SECRET, len(SECRET), -3)
    from autograder.classroom import grader, isolation
    from autograder.lessons import find_lesson
    lesson = find_lesson("00")
    limits = isolation.Limits(wall_seconds=60, cell_seconds=20)
    r = grader.grade_submission(Path(sys.argv[1]), lesson.notebook, "k", lesson.name, limits)
    print("RESULT" + json.dumps({"keyring": joined > 0 and added > 0, "result": r.to_dict()}))
    """
)


def test_the_sandbox_cannot_read_the_graders_kernel_keyring(tmp_path, own_tmp):
    """The sandbox process inherits the grader's session keyring (neither bubblewrap nor
    setpriv gives it a new one), and the possessor of a keyring may search and read the
    keys in it whatever its user id: a key the instructor's session holds is readable by
    learner code (KEYCTL_SEARCH then KEYCTL_READ). Safe: the sandbox gets a session
    keyring of its own (keyctl(KEYCTL_JOIN_SESSION_KEYRING) before exec) and finds
    nothing. Where keyctl is not allowed at all (a container's seccomp policy), the grader
    holds no key and the hunt must come back empty too."""
    secret = "keyring-secret-Vb62-never-shown"
    folder = tmp_path / "keyring_hunter"
    folder.mkdir()
    (folder / NB_NAME).write_text(
        notebook(
            IMPORTS,
            textwrap.dedent(
                """
                import ctypes
                FOUND = []
                libc = ctypes.CDLL(None, use_errno=True)
                kid = libc.syscall(250, 10, -3, b"user", b"course-db-password", 0)  # SEARCH
                if kid > 0:
                    buf = ctypes.create_string_buffer(256)
                    n = libc.syscall(250, 11, kid, buf, 256)  # KEYCTL_READ
                    if n > 0:
                        FOUND.append(buf.raw[:n].decode("latin-1"))
                try:
                    KEYS = open("/proc/keys").read()
                except OSError:
                    KEYS = ""
                if "course-db-password" in KEYS:
                    FOUND.append("listed in /proc/keys")
                """
            ),
            PLUS_IF_FOUND,
            GOOD_X,
        )
    )
    env = dict(os.environ, TMPDIR=str(own_tmp))
    proc = subprocess.run(
        [sys.executable, "-c", KEYRING_SCRIPT, str(folder), secret],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=str(REPO),
        env=env,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    out = json.loads(lines[-1][len("RESULT") :])
    r = out["result"]
    assert r["status"] == "graded", r
    assert _scores(r) == {"00.plus_state": 1, "00.x_on_qubit": 3}, (out["keyring"], r)
    assert secret not in _shown(r)
