"""An nbgrader course directory for the QML Course, and the steps around grading.

The layout is nbgrader's own, so plain ``nbgrader`` commands and the formgrader keep
working on it::

    DIR/nbgrader_config.py   course id, gradebook URL, exchange, our code stub
    DIR/source/NN_topic/     every lesson as an assignment (solutions in, trusted)
    DIR/release/ submitted/ autograded/ feedback/
    DIR/raw/                 submissions exactly as they arrived (never modified)
    DIR/backups/             gradebook backups taken before every grading run
    DIR/reports/             grading results (JSON) and class reports
    DIR/exchange/            the nbgrader exchange (writable by everyone, sticky)
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AutograderError
from ..lessons import CODE_STUB, list_lessons
from . import tools_env

CONFIG_TEMPLATE = """\
# nbgrader configuration of a QML Course class, written by `qml-course class init`.
c = get_config()
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
c.ClearSolutions.code_stub = {{"python": {code_stub!r}}}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# every grade cell calls the course autograder; learners' warnings never cost points
c.Execute.timeout = 300
"""

STUDENT_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")


@dataclass
class Course:
    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "nbgrader_config.py"

    def db_url(self) -> str:
        text = self.config_file.read_text() if self.config_file.exists() else ""
        m = re.search(r"db_url\s*=\s*['\"]([^'\"]+)['\"]", text)
        return m.group(1) if m else f"sqlite:///{self.root / 'gradebook.db'}"

    def source_notebook(self, assignment: str) -> Path:
        folder = self.root / "source" / assignment
        nb = folder / f"{assignment}.ipynb"
        if not nb.exists():
            names = ", ".join(sorted(p.name for p in (self.root / "source").iterdir()))
            raise AutograderError(
                f"No assignment {assignment!r} in {self.root}. Assignments: {names}."
            )
        return nb

    def assignments(self) -> list[str]:
        return sorted(p.name for p in (self.root / "source").iterdir() if p.is_dir())

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        exe = Path(sys.executable).parent / "nbgrader"
        cmd = [str(exe) if exe.exists() else "nbgrader", *args]
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, env=tools_env())
        if check and proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
            raise AutograderError(f"nbgrader {' '.join(args)} failed:\n" + "\n".join(tail))
        return proc


def open_course(path: str | Path) -> Course:
    root = Path(path).resolve()
    if not (root / "nbgrader_config.py").exists() or not (root / "source").is_dir():
        raise AutograderError(
            f"{root} is not a QML Course class folder (no nbgrader_config.py and source/). "
            "Create one with: qml-course class init DIR"
        )
    return Course(root)


def init_course(
    path: str | Path, course_id: str = "qml-course", db_url: str | None = None
) -> Course:
    """Create a course directory with every lesson as an assignment."""
    lessons = list_lessons()  # first: without the authored lessons, create nothing
    root = Path(path).resolve()
    if root.exists() and any(root.iterdir()) and not (root / "nbgrader_config.py").exists():
        raise AutograderError(f"{root} exists and is not empty; choose a new folder.")
    root.mkdir(parents=True, exist_ok=True)
    for sub in (
        "source",
        "release",
        "submitted",
        "autograded",
        "feedback",
        "raw",
        "backups",
        "reports",
    ):
        (root / sub).mkdir(exist_ok=True)
    exchange = root / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o1777)  # nbgrader's exchange must be writable by every student
    os.chmod(root, 0o711)
    for sub in ("source", "submitted", "autograded", "feedback", "raw", "backups", "reports"):
        os.chmod(root / sub, 0o700)  # not readable by learners' sandboxes or other users
    db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    course = Course(root)
    if not course.config_file.exists():
        course.config_file.write_text(
            CONFIG_TEMPLATE.format(
                course_id=course_id,
                root=str(root),
                db_url=db_url,
                exchange=str(exchange),
                code_stub=CODE_STUB,
            )
        )
    for lesson in lessons:
        dest = root / "source" / lesson.name
        if dest.exists():
            continue  # never overwrite an instructor's edited assignment
        shutil.copytree(
            lesson.folder, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
        )
    # register the assignments in the gradebook, so the formgrader lists them
    from .gradebook import open_gradebook

    with open_gradebook(course.db_url()) as gb:
        for name in course.assignments():
            gb.update_or_create_assignment(name)
    from .gradebook import make_private

    make_private(course.db_url(), course.config_file)
    return course


def release(course: Course, assignment: str) -> Path:
    """nbgrader generate_assignment (+ release_assignment to the exchange)."""
    course.source_notebook(assignment)
    course.nbgrader("generate_assignment", assignment, "--force")
    course.nbgrader("release_assignment", assignment, "--force", check=False)
    return course.root / "release" / assignment


def _student_from_lms_name(name: str) -> str | None:
    """Student id from an LMS export file name, e.g. Canvas' ``jdoe_12345_67890_file.ipynb``
    or Moodle's ``Jane Doe_12345_assignsubmission_file_/file.ipynb``."""
    stem = Path(name).parts[0] if "/" in name else Path(name).name
    m = re.match(r"^([A-Za-z0-9.@+-]+?)(?:_late)?_\d+_", stem)
    if m:
        return m.group(1)
    m = re.match(r"^([^_]+)_\d+_assignsubmission", stem)
    if m:
        return re.sub(r"[^A-Za-z0-9]+", "", m.group(1)).lower() or None
    return None


# -- collecting submissions --------------------------------------------------------------
# Submissions are hostile: a student folder may hold links to other people's files (or to
# the course's own solutions), named pipes, hard links, zip bombs or damaged archives, and
# the grader may run as root. Nothing is followed, every file is read through a descriptor
# opened with O_NOFOLLOW, sizes are capped while reading, and a problem with one file or
# one student never stops the others.

MAX_FILE_BYTES = 50 * 1024**2  # one file
MAX_STUDENT_BYTES = 100 * 1024**2  # one student's files, in one collection
MAX_COLLECTION_BYTES = 500 * 1024**2  # everything one collection copies or extracts
MAX_COMPRESSION_RATIO = 200  # a zip entry expanding more than this many times ...
RATIO_CHECK_ABOVE = 1024**2  # ... to more than this many bytes is refused as a zip bomb
MAX_ENTRIES_PER_STUDENT = 5000  # files and folders in one student's submission
MAX_DEPTH = 32  # folders nested inside one student's submission
_CHUNK = 1024**2

_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW


class _Refused(Exception):
    """One file is not collected (the message says why); the others go on."""

    def __init__(self, reason: str, note_suffix: str = ".skipped") -> None:
        super().__init__(reason)
        self.note_suffix = note_suffix


class _CollectionFull(Exception):
    """The byte limit of the whole collection was reached: collection stops."""


@dataclass
class _Run:
    """Bytes written by one collection so far, and why it stopped (if it did)."""

    used: int = 0
    full: str | None = None


@dataclass
class _Submission:
    """One student's (or one other folder's) files in this collection."""

    label: str
    used: int = 0
    entries: int = 0
    files: list[str] = field(default_factory=list)  # written, relative, "/"-separated
    problems: list[str] = field(default_factory=list)
    stopped: bool = False
    new_parent: bool = False  # submitted/STUDENT was made by this collection


def _mb(n: int) -> str:
    return f"{n / 1024**2:g} MB"


def _show(name: str, limit: int = 200) -> str:
    """A name from a submission, safe to print: no control characters, no lone surrogates."""
    try:
        text = os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        text = name.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_room(size: int, sub: _Submission, run: _Run) -> None:
    """Refuse a file of ``size`` bytes that would break a limit."""
    if size > MAX_FILE_BYTES:
        raise _Refused(f"larger than the limit of {_mb(MAX_FILE_BYTES)} per file; not collected")
    if sub.used + size > MAX_STUDENT_BYTES:
        raise _Refused(
            f"would take this student past the limit of {_mb(MAX_STUDENT_BYTES)} per "
            "submission; not collected"
        )
    if run.used + size > MAX_COLLECTION_BYTES:
        raise _CollectionFull(
            f"the limit of {_mb(MAX_COLLECTION_BYTES)} per collection was reached; collection "
            "stopped here. Collect the remaining students from a smaller export or folder."
        )


def _stream(read: Callable[[int], bytes], target: Path, sub: _Submission, run: _Run) -> None:
    """Copy ``read()`` into the new file ``target`` (0600), checking the limits as it goes,
    so a lying size header or a growing file cannot get past them."""
    fd = os.open(target, _CREATE_FLAGS, 0o600)
    size = 0
    done = False
    try:
        while chunk := read(_CHUNK):
            size += len(chunk)
            _check_room(size, sub, run)
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
        done = True
    finally:
        os.close(fd)
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(target)
    sub.used += size
    run.used += size


def _same_file(fd: int, before: os.stat_result) -> None:
    """The opened file is the one that was looked at (not swapped in the meantime)."""
    now = os.fstat(fd)
    if (now.st_dev, now.st_ino, stat.S_IFMT(now.st_mode)) != (
        before.st_dev,
        before.st_ino,
        stat.S_IFMT(before.st_mode),
    ):
        raise _Refused("changed while it was being collected; not collected")
    if stat.S_ISREG(now.st_mode) and now.st_nlink > 1:
        raise _Refused(_hard_link_reason(now.st_nlink))


def _hard_link_reason(count: int) -> str:
    return (
        f"a file with {count} hard links (its content may belong to another file); "
        "not collected. Ask the student to submit a plain copy"
    )


def _not_regular_reason(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        what = "a FIFO (named pipe)"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "a device file"
    else:
        what = "a special file"
    return f"{what}, not a regular file; not collected"


def _link_target(dir_fd: int, name: str) -> str:
    try:
        return _show(os.readlink(name, dir_fd=dir_fd), 120)
    except OSError:
        return "an unreadable target"


def _write_notes(folder: Path, notes: list[tuple[str, str, str]]) -> None:
    """Small text files in raw/ saying what was not copied there, and why. Written after the
    folder's own files, so a note never takes a student's file name."""
    for name, suffix, text in notes:
        try:
            fd = os.open(folder / f"{name}{suffix}", _CREATE_FLAGS, 0o600)
        except OSError:
            continue  # the name is taken or too long: the report still says it
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(text + "\n")


def _copy_folder(
    dir_fd: int, dest: Path, rel: str, sub: _Submission, run: _Run, depth: int
) -> None:
    """Copy the folder open as ``dir_fd`` into the existing folder ``dest``, following
    nothing; what is not copied is listed in ``sub.problems`` and noted in ``dest``."""
    try:
        with os.scandir(dir_fd) as it:
            names = sorted((e.name for e in it), key=lambda n: (not n.endswith(".ipynb"), n))
    except OSError as exc:
        sub.problems.append(f"{_show(rel or '.')}: could not be listed ({exc.strerror})")
        return
    notes: list[tuple[str, str, str]] = []
    for name in names:
        if sub.stopped or run.full:
            break
        sub.entries += 1
        if sub.entries > MAX_ENTRIES_PER_STUDENT:
            sub.stopped = True
            sub.problems.append(
                f"more than {MAX_ENTRIES_PER_STUDENT} files and folders; the rest were not collected"
            )
            break
        path = f"{rel}/{name}" if rel else name
        try:
            _copy_entry(dir_fd, name, dest, path, sub, run, depth)
        except _Refused as exc:
            sub.problems.append(f"{_show(path)}: {exc}")
            notes.append((name, exc.note_suffix, f"{_show(name)} was not collected: {exc}"))
        except _CollectionFull as exc:
            run.full = str(exc)
            sub.problems.append(f"{_show(path)}: not collected: {exc}")
        except OSError as exc:
            sub.problems.append(
                f"{_show(path)}: could not be copied ({exc.strerror or exc}); not collected"
            )
    _write_notes(dest, notes)


def _copy_entry(
    dir_fd: int, name: str, dest: Path, path: str, sub: _Submission, run: _Run, depth: int
) -> None:
    """Copy one entry of an open folder: a regular file or a real folder, nothing else."""
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        raise _Refused(
            f"symbolic link to {_link_target(dir_fd, name)}, not followed", ".symlink-skipped"
        )
    if stat.S_ISDIR(st.st_mode):
        if depth >= MAX_DEPTH:
            raise _Refused(f"folders nested more than {MAX_DEPTH} deep; not collected")
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
        try:
            _same_file(fd, st)
            os.mkdir(dest / name, 0o700)
            _copy_folder(fd, dest / name, path, sub, run, depth + 1)
        finally:
            os.close(fd)
        return
    if not stat.S_ISREG(st.st_mode):
        raise _Refused(_not_regular_reason(st.st_mode))
    if st.st_nlink > 1:
        raise _Refused(_hard_link_reason(st.st_nlink))
    _check_room(st.st_size, sub, run)
    fd = os.open(name, _READ_FLAGS, dir_fd=dir_fd)
    try:
        _same_file(fd, st)
        _stream(lambda n: os.read(fd, n), dest / name, sub, run)
    finally:
        os.close(fd)
    sub.files.append(path)


def _private_dir(path: Path) -> None:
    """``path`` exists as a real folder of mode 0700."""
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise AutograderError(f"{path} is not a folder; move it away and collect again.")
    os.chmod(path, 0o700)


def _staging(dest: Path, sub: _Submission) -> Path:
    """A new empty folder next to ``dest`` where its replacement is built."""
    sub.new_parent = not os.path.lexists(dest.parent)
    _private_dir(dest.parent)
    staging = dest.parent / f".{dest.name}.collecting-{secrets.token_hex(4)}"
    try:
        os.mkdir(staging, 0o700)
    except BaseException:
        _drop_staging(staging, sub)
        raise
    return staging


def _drop_staging(staging: Path, sub: _Submission) -> None:
    """Remove an unused staging folder, and the student's folder if it was made for it."""
    shutil.rmtree(staging, ignore_errors=True)
    if sub.new_parent:
        with contextlib.suppress(OSError):
            os.rmdir(staging.parent)  # only if still empty


def _swap_in(staging: Path, dest: Path) -> str | None:
    """Replace ``dest`` by the finished ``staging`` folder; a note if the old one stayed."""
    if not os.path.lexists(dest):
        os.rename(staging, dest)
        return None
    old = dest.parent / f".{dest.name}.replaced-{secrets.token_hex(4)}"
    os.rename(dest, old)
    try:
        os.rename(staging, dest)
    except BaseException:
        os.rename(old, dest)  # put the earlier submission back
        raise
    try:
        if os.path.islink(old) or not os.path.isdir(old):
            os.unlink(old)
        else:
            shutil.rmtree(old)
    except OSError as exc:
        return f"the earlier submission could not be removed from {old} ({exc.strerror})"
    return None


def _copy_private(src: Path, target: Path) -> None:
    """Copy one of our own raw/ files into submitted/ (0600), following nothing."""
    fd = os.open(src, _READ_FLAGS)
    try:
        with os.fdopen(os.open(target, _CREATE_FLAGS, 0o600), "wb") as out:
            while chunk := os.read(fd, _CHUNK):
                out.write(chunk)
    finally:
        os.close(fd)


def _finish(sub: _Submission, staging: Path, dest: Path, report: dict[str, Any]) -> None:
    """Install a student's new submission, or keep the old one and say why."""
    if sub.files:
        note = _swap_in(staging, dest)
        if note:
            sub.problems.append(note)
        report["collected"].append(sub.label)
    else:
        _drop_staging(staging, sub)
        report["skipped"].append(
            f"{sub.label}: nothing could be collected; an earlier submission, if any, "
            "was left as it was"
        )
    if sub.problems:
        report["problems"].setdefault(sub.label, []).extend(sub.problems)


def _new_raw_folder(course: Course, assignment: str) -> Path:
    """``raw/<assignment>-<time>-<pid>-<random>``, new (two collections never share one)."""
    parent = course.root / "raw"
    _private_dir(parent)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for _attempt in range(100):
        path = parent / f"{assignment}-{stamp}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            continue
        return path
    raise AutograderError(f"Could not create a new folder in {parent}; check that it is writable.")


def _collect_folder(
    course: Course, assignment: str, src: Path, raw: Path, run: _Run, report: dict[str, Any]
) -> None:
    top = os.open(src, os.O_RDONLY | os.O_DIRECTORY)  # the path the instructor gave
    notes: list[tuple[str, str, str]] = []
    try:
        with os.scandir(top) as it:
            names = sorted(e.name for e in it)
        for name in names:
            if run.full:
                report["skipped"].append(f"{_show(name)}: not collected: {run.full}")
                continue
            try:
                _collect_student_folder(course, assignment, top, name, raw, run, report, notes)
            except Exception as exc:  # one student's problem never stops the class
                report["skipped"].append(
                    f"{_show(name)}: could not be collected ({type(exc).__name__}: {exc})"
                )
    finally:
        os.close(top)
        _write_notes(raw, notes)


def _collect_student_folder(
    course: Course,
    assignment: str,
    top: int,
    name: str,
    raw: Path,
    run: _Run,
    report: dict[str, Any],
    notes: list[tuple[str, str, str]],
) -> None:
    """One entry of the source folder: a student's folder, copied to raw/ and submitted/."""
    st = os.stat(name, dir_fd=top, follow_symlinks=False)
    if stat.S_ISLNK(st.st_mode):
        target = _link_target(top, name)
        notes.append((name, ".symlink-skipped", f"a symbolic link to {target}, not followed"))
        report["skipped"].append(
            f"{_show(name)}: symbolic link to {target}, not followed; nothing was collected "
            "from it (a student's submission must be a real folder)"
        )
        return
    sub = _Submission(_show(name))
    if not stat.S_ISDIR(st.st_mode):  # a loose file: kept in raw/ only
        try:
            _copy_entry(top, name, raw, name, sub, run, 0)
            reason = "not a student folder; kept in raw/ only"
        except _Refused as exc:
            reason = str(exc)
            notes.append((name, exc.note_suffix, f"{_show(name)} was not collected: {exc}"))
        except _CollectionFull as exc:
            run.full = str(exc)
            reason = f"not collected: {exc}"
        report["skipped"].append(f"{_show(name)}: {reason}")
        return
    fd = os.open(name, _DIR_FLAGS, dir_fd=top)
    try:
        _same_file(fd, st)
        os.mkdir(raw / name, 0o700)
        _copy_folder(fd, raw / name, "", sub, run, 1)
    finally:
        os.close(fd)
    if not STUDENT_ID_RE.match(name):
        report["skipped"].append(f"{_show(name)}: not a valid student id; kept in raw/ only")
        report["skipped"].extend(f"{_show(name)}/{p}" for p in sub.problems)
        return
    prefix = f"{assignment}/"
    inner = os.path.isdir(raw / name / assignment) and not os.path.islink(raw / name / assignment)
    chosen = [
        (raw / name / f, f[len(prefix) :] if inner else f)
        for f in sub.files
        if not inner or f.startswith(prefix)
    ]
    sub.files = [rel for _src, rel in chosen]
    dest = course.root / "submitted" / name / assignment
    staging = _staging(dest, sub)
    try:
        for src_file, rel in chosen:
            folder = staging
            for part in rel.split("/")[:-1]:
                folder = folder / part
                with contextlib.suppress(FileExistsError):
                    os.mkdir(folder, 0o700)
            _copy_private(src_file, staging / rel)
        _finish(sub, staging, dest, report)
    except BaseException:
        _drop_staging(staging, sub)
        raise


def _zip_name_problem(name: str) -> str | None:
    """Why a zip member name is refused (None: it is fine)."""
    if "\x00" in name:
        return "the name contains a NUL character; not extracted"
    if "\\" in name:
        return "the name contains a backslash (a Windows path trick); not extracted"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "the name is an absolute path; not extracted"
    parts = name.split("/")
    if ".." in parts:
        return "the name contains '..' (a path outside its folder); not extracted"
    if parts[-1] in ("", "."):
        return "the name has no file name; not extracted"
    return None


def _zip_targets(names: list[str], expected: str) -> list[str]:
    """File names in submitted/ for one student's zip entries: the notebook gets the
    assignment's name; two entries never get the same name (nothing is overwritten)."""
    bases = [n.rsplit("/", 1)[-1] for n in names]
    notebooks = [i for i, b in enumerate(bases) if b.endswith(".ipynb")]
    matching = [i for i in notebooks if bases[i].endswith(expected)]
    chosen = notebooks[0] if len(notebooks) == 1 else (matching[0] if len(matching) == 1 else None)
    used: set[str] = set()
    out = []
    for i, base in enumerate(bases):
        name = expected if i == chosen else base
        if name in used:
            stem, dot, ext = name.rpartition(".")
            stem, ext = (stem, f".{ext}") if dot and stem else (name, "")
            n = 2
            while f"{stem}-{n}{ext}" in used:
                n += 1
            name = f"{stem}-{n}{ext}"
        used.add(name)
        out.append(name)
    return out


def _zip_error(exc: BaseException) -> str:
    """What went wrong reading one zip entry, in plain words."""
    text = str(exc)
    if isinstance(exc, RuntimeError) and ("encrypted" in text or "password" in text):
        return "is password-protected; ask the student to submit it without a password"
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in text:
        return (
            "is damaged: its content does not match its checksum (bad CRC-32); ask the "
            "student to submit it again"
        )
    if isinstance(exc, zipfile.BadZipFile):
        return f"is damaged ({text}); ask the student to submit it again"
    if isinstance(exc, zlib.error | EOFError):
        return (
            f"is damaged: its compressed data cannot be unpacked ({text}); ask the student "
            "to submit it again"
        )
    if isinstance(exc, NotImplementedError):
        return (
            f"uses a compression method this grader cannot unpack ({text}); ask for a plain "
            "zip file"
        )
    if isinstance(exc, UnicodeDecodeError):
        return "its name in the zip is not valid UTF-8; not extracted"
    if isinstance(exc, OSError):
        return f"could not be written ({exc.strerror or text}); not collected"
    return f"could not be extracted ({type(exc).__name__}: {text})"


def _extract(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, sub: _Submission, run: _Run
) -> None:
    if info.flag_bits & 0x1:
        raise _Refused("is password-protected; ask the student to submit it without a password")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _Refused("is a symbolic link stored in the zip; not extracted")
    if info.file_size > RATIO_CHECK_ABOVE and info.file_size > MAX_COMPRESSION_RATIO * max(
        info.compress_size, 1
    ):
        raise _Refused(
            f"would expand from {info.compress_size} bytes to {_mb(info.file_size)}, more than "
            f"{MAX_COMPRESSION_RATIO} times: likely a zip bomb; not extracted"
        )
    _check_room(info.file_size, sub, run)
    with zf.open(info) as fh:
        _stream(fh.read, target, sub, run)


def _clear_bad_utf8_flags(path: Path) -> int:
    """Clear the "name is UTF-8" flag of the entries whose names are not valid UTF-8, in the
    central directory and the local headers of the zip ``path`` (a scratch copy), so that
    zipfile reads those names as cp437 instead of refusing the whole archive."""
    fixed = 0
    with open(path, "r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(0, size - 65557))
        tail = fh.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + 22 > len(tail):
            return 0
        cd_size, cd_offset = struct.unpack_from("<II", tail, at + 12)
        fh.seek(cd_offset)
        cd = bytearray(fh.read(cd_size))
        pos = 0
        while pos + 46 <= len(cd) and cd[pos : pos + 4] == b"PK\x01\x02":
            (flags,) = struct.unpack_from("<H", cd, pos + 8)
            n, m, k = struct.unpack_from("<HHH", cd, pos + 28)
            (local,) = struct.unpack_from("<I", cd, pos + 42)
            try:
                bytes(cd[pos + 46 : pos + 46 + n]).decode("utf-8")
            except UnicodeDecodeError:
                if flags & 0x800:
                    struct.pack_into("<H", cd, pos + 8, flags & ~0x800)
                    fh.seek(local + 6)
                    header = fh.read(2)
                    if len(header) == 2:
                        fh.seek(local + 6)
                        fh.write(struct.pack("<H", struct.unpack("<H", header)[0] & ~0x800))
                    fixed += 1
            pos += 46 + n + m + k
        fh.seek(cd_offset)
        fh.write(cd)
    return fixed


def _collect_zip(
    course: Course, assignment: str, src: Path, raw: Path, run: _Run, report: dict[str, Any]
) -> None:
    raw_zip = raw / src.name
    with open(src, "rb") as fin, os.fdopen(os.open(raw_zip, _CREATE_FLAGS, 0o600), "wb") as out:
        shutil.copyfileobj(fin, out, _CHUNK)  # the export, exactly as it arrived
    st = os.stat(src)
    os.utime(raw_zip, ns=(st.st_atime_ns, st.st_mtime_ns))
    scratch: Path | None = None
    try:
        try:
            zf = _open_zip(raw_zip, raw_zip, names_fixed=False)
        except UnicodeDecodeError:
            scratch = Path(tempfile.mkdtemp(prefix=".collect-", dir=course.root))
            fixed_zip = scratch / "names.zip"
            shutil.copyfile(raw_zip, fixed_zip)
            count = _clear_bad_utf8_flags(fixed_zip)
            zf = _open_zip(fixed_zip, raw_zip, names_fixed=True)
            report["skipped"].append(
                f"{src.name}: {count} file name(s) in the zip are not valid UTF-8; they were "
                "read as cp437"
            )
        with zf:
            _extract_zip(course, assignment, zf, run, report)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _open_zip(path: Path, kept: Path, names_fixed: bool) -> zipfile.ZipFile:
    """The zip at ``path``; an archive that cannot be read at all stops the collection.
    A name that is not UTF-8 raises UnicodeDecodeError (until ``names_fixed``)."""
    try:
        return zipfile.ZipFile(path)
    except UnicodeDecodeError as exc:
        if not names_fixed:
            raise
        why = f"a file name in it is not valid UTF-8: {exc}"
    except Exception as exc:
        why = str(exc)
    raise AutograderError(
        f"{kept.name} could not be read as a zip file ({why}); nothing was collected from it. "
        f"It is kept as it arrived in {kept}; download the export again."
    )


def _extract_zip(
    course: Course, assignment: str, zf: zipfile.ZipFile, run: _Run, report: dict[str, Any]
) -> None:
    students: dict[str, tuple[_Submission, list[zipfile.ZipInfo]]] = {}
    for info in zf.infolist():
        name = info.filename
        if name.endswith("/"):
            continue  # a folder entry
        student = _student_from_lms_name(name)
        problem = _zip_name_problem(name)
        if not student or not STUDENT_ID_RE.match(student):
            report["skipped"].append(f"{_show(name)}: {problem or 'no student id in the name'}")
            continue
        sub, infos = students.setdefault(student, (_Submission(student), []))
        sub.entries += 1
        if sub.entries == MAX_ENTRIES_PER_STUDENT + 1:
            sub.problems.append(
                f"more than {MAX_ENTRIES_PER_STUDENT} files; the rest were not collected"
            )
        if sub.entries > MAX_ENTRIES_PER_STUDENT:
            continue
        if problem:
            sub.problems.append(f"{_show(name)}: {problem}")
        else:
            infos.append(info)
    expected = f"{assignment}.ipynb"
    for student, (sub, infos) in students.items():
        if run.full:
            report["skipped"].append(f"{student}: not collected: {run.full}")
            continue
        dest = course.root / "submitted" / student / assignment
        try:
            staging = _staging(dest, sub)
        except Exception as exc:
            report["skipped"].append(f"{student}: could not be collected ({exc})")
            continue
        try:
            targets = _zip_targets([i.filename for i in infos], expected)
            for info, target in zip(infos, targets):
                try:
                    _extract(zf, info, staging / target, sub, run)
                    sub.files.append(target)
                except _Refused as exc:
                    sub.problems.append(f"{_show(info.filename)}: {exc}")
                except _CollectionFull as exc:
                    run.full = str(exc)
                    sub.problems.append(f"{_show(info.filename)}: not collected: {exc}")
                    break
                except Exception as exc:  # one bad entry never stops the others
                    sub.problems.append(f"{_show(info.filename)}: {_zip_error(exc)}")
            _finish(sub, staging, dest, report)
        except Exception as exc:
            _drop_staging(staging, sub)
            report["skipped"].append(
                f"{student}: could not be collected ({type(exc).__name__}: {exc})"
            )


def collect(course: Course, assignment: str, source: str | Path) -> dict[str, Any]:
    """Bring submissions into ``submitted/STUDENT/ASSIGNMENT/``.

    ``source`` is a folder with one sub-folder per student (nbgrader's own layout) or an
    LMS export zip whose file names start with the student id. Everything is also kept, as
    it arrived, in a new ``raw/<assignment>-<time>-<pid>-<random>/`` folder (for a zip: the
    zip itself). A student's earlier submission is replaced only when this collection
    brings at least one of their files; nothing else is deleted.

    Nothing inside the source is followed: symbolic links, named pipes, sockets, devices
    and hard-linked files are skipped, and so is anything past the size limits
    (``MAX_FILE_BYTES``, ``MAX_STUDENT_BYTES``, ``MAX_COLLECTION_BYTES``, zip entries
    expanding more than ``MAX_COMPRESSION_RATIO`` times). One bad file or student never
    stops the others.

    Returns ``{"collected": [student, ...], "skipped": [reason, ...],
    "problems": {student: [reason, ...]}, "raw": folder}``.
    """
    course.source_notebook(assignment)
    src = Path(source)
    if src.is_file() and zipfile.is_zipfile(src):
        collector = _collect_zip
    elif src.is_dir():
        collector = _collect_folder
    else:
        raise AutograderError(f"{src} is neither a folder of submissions nor a zip file.")
    raw = _new_raw_folder(course, assignment)
    report: dict[str, Any] = {"collected": [], "skipped": [], "problems": {}, "raw": str(raw)}
    run = _Run()
    collector(course, assignment, src, raw, run, report)
    if report["collected"]:
        from .gradebook import open_gradebook

        with open_gradebook(course.db_url()) as gb:
            for student in sorted(set(report["collected"])):
                gb.update_or_create_student(student)
    return report
