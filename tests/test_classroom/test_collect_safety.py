"""`class collect` and the submission reader against hostile and broken submissions.

Every case checks its exact outcome: who was collected, the reason given, that the other
students were still collected, that nothing was written outside submitted/ and raw/, and
that the content a link pointed at never reached submitted/ or raw/.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import struct
import threading
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.classroom import course as course_mod
from autograder.classroom import submission
from autograder.classroom.course import collect, init_course
from autograder.lessons import nbgrader_meta

ASSIGNMENT = "00_getting_started"
NB_NAME = f"{ASSIGNMENT}.ipynb"
SECRET = b"TOP-SECRET-4f1c9e: nobody may read this"


def notebook(*sources: str) -> str:
    """A notebook's text; the same sources always give the same text."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s, id=f"cell-{i}") for i, s in enumerate(sources)]
    return nbformat.writes(nb)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return init_course(tmp_path_factory.mktemp("template") / "class").root


@pytest.fixture
def course(template, tmp_path):
    """A fresh course made by init_course, copied from one made once per module (init_course
    takes about two seconds); its config points at the copy's own folders and gradebook."""
    root = tmp_path / "class"
    shutil.copytree(template, root, symlinks=True)
    config = root / "nbgrader_config.py"
    config.write_text(config.read_text().replace(str(template), str(root)))
    course = course_mod.open_course(root)
    assert course.db_url() == f"sqlite:///{root / 'gradebook.db'}"
    return course


@pytest.fixture
def outside(tmp_path) -> Path:
    """Files outside the course that no student may get: a secret and a notebook."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(SECRET)
    (folder / "other.ipynb").write_text(notebook("x = 'TOP-SECRET-4f1c9e'"))
    return folder


def snapshot(tmp_path: Path) -> dict[str, tuple]:
    """Every path under tmp_path except what collect may write (submitted/, raw/, the
    gradebook), with its type and mode, and a file's size and modification time."""
    out = {}
    allowed = ("class/submitted", "class/raw", "class/gradebook.db")
    for dirpath, dirnames, filenames in os.walk(tmp_path):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(tmp_path).as_posix()
            if rel.startswith(allowed):
                continue
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):  # its entries are listed; its time moves with the
                out[rel] = (st.st_mode,)  # gradebook's journal file
            else:
                out[rel] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def written_files(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative name -> content); collect never writes links."""
    out = {}
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            path = Path(dirpath) / name
            assert not path.is_symlink(), path
            assert path.is_file(), path
            out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


def assert_nowhere(course, needle: bytes) -> None:
    for sub in ("submitted", "raw"):
        for name, content in written_files(course.root / sub).items():
            assert needle not in content, f"{sub}/{name} holds the link target's content"


def submitted(course, student: str) -> dict[str, bytes]:
    return written_files(course.root / "submitted" / student / ASSIGNMENT)


def run_collect(course, tmp_path, source):
    """collect, checking that nothing outside submitted/ and raw/ (and the gradebook)
    changed, and that raw/ got exactly one new folder."""
    before = snapshot(tmp_path)
    raws = set((course.root / "raw").iterdir())
    report = collect(course, ASSIGNMENT, source)
    assert snapshot(tmp_path) == before
    new = set((course.root / "raw").iterdir()) - raws
    assert new == {Path(report["raw"])}
    return report


def gradebook_students(course) -> set[str]:
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url()) as gb:
        return {s.id for s in gb.students}


# -- folder sources ------------------------------------------------------------------------


def incoming_with_ada(tmp_path: Path) -> Path:
    incoming = tmp_path / "incoming"
    (incoming / "ada").mkdir(parents=True)
    (incoming / "ada" / NB_NAME).write_text(notebook("ada = 1"))
    return incoming


def test_dangling_symlink_is_skipped_and_others_collected(course, tmp_path):
    incoming = incoming_with_ada(tmp_path)
    (incoming / "bob").mkdir()
    target = tmp_path / "nowhere.ipynb"
    (incoming / "bob" / NB_NAME).symlink_to(target)
    report = run_collect(course, tmp_path, incoming)
    assert report["collected"] == ["ada"]
    assert report["problems"] == {"bob": [f"{NB_NAME}: symbolic link to {target}, not followed"]}
    assert report["skipped"] == [
        "bob: nothing could be collected; an earlier submission, if any, was left as it was"
    ]
    assert not (course.root / "submitted" / "bob").exists()
    assert submitted(course, "ada") == {NB_NAME: notebook("ada = 1").encode()}
    note = Path(report["raw"]) / "bob" / f"{NB_NAME}.symlink-skipped"
    assert "not collected: symbolic link to" in note.read_text()
    assert gradebook_students(course) == {"ada"}


def test_looping_symlinks_are_skipped(course, tmp_path):
    incoming = incoming_with_ada(tmp_path)
    bob = incoming / "bob"
    bob.mkdir()
    (bob / NB_NAME).write_text(notebook("bob = 1"))
    (bob / "a").symlink_to("b")
    (bob / "b").symlink_to("a")
    report = run_collect(course, tmp_path, incoming)
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["problems"] == {
        "bob": ["a: symbolic link to b, not followed", "b: symbolic link to a, not followed"]
    }
    assert submitted(course, "bob") == {NB_NAME: notebook("bob = 1").encode()}
    assert sorted(p.name for p in (Path(report["raw"]) / "bob").iterdir()) == [
        NB_NAME,
        "a.symlink-skipped",
        "b.symlink-skipped",
    ]


def test_symlink_to_a_secret_outside_is_not_followed(course, tmp_path, outside):
    incoming = incoming_with_ada(tmp_path)
    bob = incoming / "bob"
    (bob / ASSIGNMENT).mkdir(parents=True)
    (bob / ASSIGNMENT / NB_NAME).write_text(notebook("bob = 1"))
    (bob / ASSIGNMENT / "data.txt").symlink_to(outside / "secret.txt")
    (bob / ASSIGNMENT / "gradebook.db").symlink_to(course.root / "gradebook.db")
    report = run_collect(course, tmp_path, incoming)
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["problems"] == {
        "bob": [
            f"{ASSIGNMENT}/data.txt: symbolic link to {outside / 'secret.txt'}, not followed",
            f"{ASSIGNMENT}/gradebook.db: symbolic link to {course.root / 'gradebook.db'}, "
            "not followed",
        ]
    }
    assert submitted(course, "bob") == {NB_NAME: notebook("bob = 1").encode()}
    assert_nowhere(course, SECRET)
    assert_nowhere(course, b"SQLite format 3")


def test_symlink_to_the_course_solutions_scores_nothing(course, tmp_path):
    source_nb = course.root / "source" / ASSIGNMENT / NB_NAME
    solutions = source_nb.read_bytes()
    assert b"BEGIN SOLUTION" in solutions
    incoming = incoming_with_ada(tmp_path)
    (incoming / "bob").mkdir()
    (incoming / "bob" / NB_NAME).symlink_to(source_nb)
    report = run_collect(course, tmp_path, incoming)
    assert report["collected"] == ["ada"]
    assert report["problems"] == {"bob": [f"{NB_NAME}: symbolic link to {source_nb}, not followed"]}
    assert not (course.root / "submitted" / "bob").exists()
    assert_nowhere(course, b"BEGIN SOLUTION")
    assert_nowhere(course, solutions[:2000])


def test_a_link_never_replaces_an_earlier_real_submission(course, tmp_path):
    first = tmp_path / "first"
    (first / "bob").mkdir(parents=True)
    (first / "bob" / NB_NAME).write_text(notebook("bob = 'mine'"))
    assert collect(course, ASSIGNMENT, first)["collected"] == ["bob"]
    second = tmp_path / "second"
    (second / "bob").mkdir(parents=True)
    (second / "bob" / NB_NAME).symlink_to(course.root / "source" / ASSIGNMENT / NB_NAME)
    report = run_collect(course, tmp_path, second)
    assert report["collected"] == []
    assert "bob: nothing could be collected" in report["skipped"][0]
    assert submitted(course, "bob") == {NB_NAME: notebook("bob = 'mine'").encode()}


def test_symlinked_student_folder_is_skipped(course, tmp_path, outside):
    incoming = incoming_with_ada(tmp_path)
    (incoming / "bob").symlink_to(outside)
    (incoming / "cy").symlink_to(course.root / "source" / ASSIGNMENT)
    report = run_collect(course, tmp_path, incoming)
    assert report["collected"] == ["ada"]
    assert report["skipped"] == [
        f"bob: symbolic link to {outside}, not followed; nothing was collected from it "
        "(a student's submission must be a real folder)",
        f"cy: symbolic link to {course.root / 'source' / ASSIGNMENT}, not followed; nothing "
        "was collected from it (a student's submission must be a real folder)",
    ]
    assert report["problems"] == {}
    assert sorted(p.name for p in (course.root / "submitted").iterdir()) == ["ada"]
    assert (Path(report["raw"]) / "bob.symlink-skipped").is_file()
    assert_nowhere(course, SECRET)
    assert_nowhere(course, b"BEGIN SOLUTION")
    assert gradebook_students(course) == {"ada"}


def test_fifo_is_skipped_without_hanging(course, tmp_path):
    incoming = incoming_with_ada(tmp_path)
    bob = incoming / "bob"
    bob.mkdir()
    (bob / NB_NAME).write_text(notebook("bob = 1"))
    fifo = bob / "pipe"
    os.mkfifo(fifo)
    reports = []
    worker = threading.Thread(
        target=lambda: reports.append(run_collect(course, tmp_path, incoming))
    )
    worker.start()
    worker.join(20)
    if worker.is_alive():  # collect opened the FIFO and waits for a writer: free it, then fail
        with open(fifo, "wb"):
            pass
        worker.join(5)
        pytest.fail("collect blocked on a FIFO")
    (report,) = reports
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["problems"] == {
        "bob": ["pipe: a FIFO (named pipe), not a regular file; not collected"]
    }
    assert submitted(course, "bob") == {NB_NAME: notebook("bob = 1").encode()}


def test_hard_link_is_skipped(course, tmp_path, outside):
    incoming = incoming_with_ada(tmp_path)
    bob = incoming / "bob"
    bob.mkdir()
    (bob / NB_NAME).write_text(notebook("bob = 1"))
    os.link(outside / "secret.txt", bob / "notes.txt")
    report = run_collect(course, tmp_path, incoming)
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["problems"] == {
        "bob": [
            "notes.txt: a file with 2 hard links (its content may belong to another file); "
            "not collected. Ask the student to submit a plain copy"
        ]
    }
    assert submitted(course, "bob") == {NB_NAME: notebook("bob = 1").encode()}
    assert_nowhere(course, SECRET)


def test_folder_collection_keeps_private_modes_and_raw_copy(course, tmp_path):
    incoming = incoming_with_ada(tmp_path)
    (incoming / "ada" / "data").mkdir()
    (incoming / "ada" / "data" / "x.csv").write_text("1,2\n")
    (incoming / "not a student!").mkdir()
    (incoming / "not a student!" / "f.txt").write_text("kept")
    report = run_collect(course, tmp_path, incoming)
    assert report["collected"] == ["ada"]
    assert report["skipped"] == ["not a student!: not a valid student id; kept in raw/ only"]
    dest = course.root / "submitted" / "ada" / ASSIGNMENT
    assert submitted(course, "ada") == {
        NB_NAME: notebook("ada = 1").encode(),
        "data/x.csv": b"1,2\n",
    }
    for path in [dest.parent, dest, dest / "data"]:
        assert path.stat().st_mode & 0o777 == 0o700, path
    for path in [dest / NB_NAME, dest / "data" / "x.csv"]:
        assert path.stat().st_mode & 0o777 == 0o600, path
    raw = Path(report["raw"])
    assert written_files(raw) == {
        f"ada/{NB_NAME}": notebook("ada = 1").encode(),
        "ada/data/x.csv": b"1,2\n",
        "not a student!/f.txt": b"kept",
    }
    assert [p.name for p in dest.parent.iterdir()] == [ASSIGNMENT]  # no staging left over


def test_folder_caps_per_file_and_per_student(course, tmp_path, monkeypatch):
    monkeypatch.setattr(course_mod, "MAX_FILE_BYTES", 3000)
    monkeypatch.setattr(course_mod, "MAX_STUDENT_BYTES", 5000)
    incoming = incoming_with_ada(tmp_path)
    bob = incoming / "bob"
    bob.mkdir()
    (bob / NB_NAME).write_text("{}")
    (bob / "a.bin").write_bytes(b"a" * 2500)
    (bob / "b.bin").write_bytes(b"b" * 2500)
    (bob / "huge.bin").write_bytes(b"h" * 4000)
    report = run_collect(course, tmp_path, incoming)
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["problems"] == {
        "bob": [
            "b.bin: would take this student past the limit of 0.00476837 MB per submission; "
            "not collected",
            "huge.bin: larger than the limit of 0.00286102 MB per file; not collected",
        ]
    }
    assert sorted(submitted(course, "bob")) == [NB_NAME, "a.bin"]
    assert sorted(written_files(Path(report["raw"]) / "bob")) == [
        NB_NAME,
        "a.bin",
        "b.bin.skipped",
        "huge.bin.skipped",
    ]


def test_too_many_files_stop_that_student_only(course, tmp_path, monkeypatch):
    monkeypatch.setattr(course_mod, "MAX_ENTRIES_PER_STUDENT", 3)
    incoming = incoming_with_ada(tmp_path)
    bob = incoming / "bob"
    bob.mkdir()
    for name in ["a.txt", "b.txt", "c.txt", "d.txt", NB_NAME]:
        (bob / name).write_text(name)
    export = make_zip(
        tmp_path / "lms.zip",
        [(lms_name("cy", 1, f"{i}.txt"), b"x", zipfile.ZIP_STORED) for i in range(5)],
    )
    report = run_collect(course, tmp_path, incoming)
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["problems"] == {
        "bob": ["more than 3 files and folders; the rest were not collected"]
    }
    assert sorted(submitted(course, "bob")) == [NB_NAME, "a.txt", "b.txt"]  # notebooks first
    report = run_collect(course, tmp_path, export)
    assert report["problems"] == {"cy": ["more than 3 files; the rest were not collected"]}
    assert sorted(submitted(course, "cy")) == [lms_name("cy", 1, f"{i}.txt") for i in range(3)]


# -- LMS zip exports -------------------------------------------------------------------


def lms_name(student: str, i: int, name: str) -> str:
    return f"{student}_{1000 + i}_{5000 + i}_{name}"


def make_zip(path: Path, entries: list[tuple[str, bytes, int]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data, method in entries:
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return path


def central_entry(data: bytes, name: str) -> int:
    """Offset of the central directory record of ``name``."""
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + n] == name.encode():
            return pos
        pos = data.find(b"PK\x01\x02", pos + 4)
    raise AssertionError(f"{name} not in the central directory")


def ada_entry(method: int = zipfile.ZIP_DEFLATED) -> tuple[str, bytes, int]:
    return (lms_name("ada", 0, NB_NAME), notebook("ada = 1").encode(), method)


def test_zip_with_a_corrupted_entry(course, tmp_path):
    marker = b"bob's stored notebook " * 50
    export = make_zip(
        tmp_path / "lms.zip",
        [
            ada_entry(),
            (lms_name("bob", 1, NB_NAME), marker, zipfile.ZIP_STORED),
            (
                lms_name("cy", 2, NB_NAME),
                b"A" * 5000 + notebook("cy").encode(),
                zipfile.ZIP_DEFLATED,
            ),
        ],
    )
    data = bytearray(export.read_bytes())
    at = data.find(marker)
    data[at + 100 : at + 104] = b"XXXX"  # bob: a stored entry whose bytes no longer match
    with zipfile.ZipFile(export) as zf:
        cy = zf.getinfo(lms_name("cy", 2, NB_NAME))
    start = cy.header_offset + 30 + len(cy.filename)
    data[start + 5 : start + 9] = bytes(b ^ 0xFF for b in data[start + 5 : start + 9])
    export.write_bytes(bytes(data))
    report = run_collect(course, tmp_path, export)
    assert report["collected"] == ["ada"]
    (bob,) = report["problems"]["bob"]
    assert bob == (
        f"{lms_name('bob', 1, NB_NAME)}: is damaged: its content does not match its checksum "
        "(bad CRC-32); ask the student to submit it again"
    )
    (cy,) = report["problems"]["cy"]
    assert cy.startswith(f"{lms_name('cy', 2, NB_NAME)}: is damaged")
    assert cy.endswith("ask the student to submit it again")
    assert report["skipped"] == [
        "bob: nothing could be collected; an earlier submission, if any, was left as it was",
        "cy: nothing could be collected; an earlier submission, if any, was left as it was",
    ]
    assert sorted(p.name for p in (course.root / "submitted").iterdir()) == ["ada"]
    assert written_files(Path(report["raw"])) == {"lms.zip": bytes(data)}  # as it arrived


def test_zip_with_an_encrypted_entry(course, tmp_path):
    name = lms_name("bob", 1, NB_NAME)
    export = make_zip(
        tmp_path / "lms.zip",
        [ada_entry(), (name, notebook("bob").encode(), zipfile.ZIP_DEFLATED)],
    )
    data = bytearray(export.read_bytes())
    with zipfile.ZipFile(export) as zf:
        local = zf.getinfo(name).header_offset
    central = central_entry(bytes(data), name)
    for flags_at in (local + 6, central + 8):  # general purpose flag bit 0: encrypted
        data[flags_at] |= 0x01
    export.write_bytes(bytes(data))
    with zipfile.ZipFile(export) as zf, pytest.raises(RuntimeError, match="encrypted"):
        zf.read(name)  # what stopped the whole class before
    report = run_collect(course, tmp_path, export)
    assert report["collected"] == ["ada"]
    assert report["problems"] == {
        "bob": [f"{name}: is password-protected; ask the student to submit it without a password"]
    }


def test_zip_bomb_is_refused(course, tmp_path):
    bomb = lms_name("bob", 1, "data.bin")
    export = make_zip(
        tmp_path / "lms.zip",
        [
            ada_entry(),
            (bomb, bytes(50 * 1024**2), zipfile.ZIP_DEFLATED),
            (lms_name("bob", 1, NB_NAME), notebook("bob").encode(), zipfile.ZIP_DEFLATED),
        ],
    )
    assert export.stat().st_size < 200_000
    report = run_collect(course, tmp_path, export)
    assert sorted(report["collected"]) == ["ada", "bob"]
    (problem,) = report["problems"]["bob"]
    assert problem.startswith(f"{bomb}: would expand from ")
    assert problem.endswith("bytes to 50 MB, more than 200 times: likely a zip bomb; not extracted")
    assert submitted(course, "bob") == {NB_NAME: notebook("bob").encode()}


def test_collection_stops_at_its_byte_limit(course, tmp_path, monkeypatch):
    monkeypatch.setattr(course_mod, "MAX_COLLECTION_BYTES", 3 * 1024**2)
    monkeypatch.setattr(course_mod, "MAX_COMPRESSION_RATIO", 10**9)
    two_mb = bytes(2 * 1024**2)
    export = make_zip(
        tmp_path / "lms.zip",
        [
            ada_entry(),
            (lms_name("bob", 1, NB_NAME), notebook("bob").encode(), zipfile.ZIP_DEFLATED),
            (lms_name("bob", 1, "zeros.bin"), two_mb, zipfile.ZIP_DEFLATED),
            (lms_name("cy", 2, NB_NAME), notebook("cy").encode(), zipfile.ZIP_DEFLATED),
            (lms_name("cy", 2, "zeros.bin"), two_mb, zipfile.ZIP_DEFLATED),
            (lms_name("dan", 3, NB_NAME), notebook("dan").encode(), zipfile.ZIP_DEFLATED),
        ],
    )
    report = run_collect(course, tmp_path, export)
    limit = (
        "the limit of 3 MB per collection was reached; collection stopped here. Collect the "
        "remaining students from a smaller export or folder."
    )
    assert report["collected"] == ["ada", "bob", "cy"]
    assert report["problems"] == {
        "cy": [f"{lms_name('cy', 2, 'zeros.bin')}: not collected: {limit}"]
    }
    assert report["skipped"] == [f"dan: not collected: {limit}"]
    assert sorted(submitted(course, "cy")) == [NB_NAME]
    total = sum(len(c) for c in written_files(course.root / "submitted").values())
    assert 2 * 1024**2 < total <= 3 * 1024**2


def test_stream_stops_at_the_cap_whatever_the_size_claimed(tmp_path, monkeypatch):
    """The limits hold while reading, so a header that understates a size does not help."""
    monkeypatch.setattr(course_mod, "MAX_FILE_BYTES", 5 * 1024**2)
    reads = []

    def endless(n: int) -> bytes:
        reads.append(n)
        return bytes(n)

    target = tmp_path / "out.bin"
    sub, run = course_mod._Submission("bob"), course_mod._Run()
    with pytest.raises(course_mod._Refused, match="larger than the limit of 5 MB per file"):
        course_mod._stream(endless, target, sub, run)
    assert not target.exists() and sub.used == run.used == 0
    assert sum(reads) <= 6 * 1024**2
    monkeypatch.setattr(course_mod, "MAX_COLLECTION_BYTES", 2 * 1024**2)
    with pytest.raises(course_mod._CollectionFull):
        course_mod._stream(endless, target, sub, run)
    assert not target.exists()


def test_zip_header_lying_about_the_size(course, tmp_path):
    name = lms_name("bob", 1, "data.bin")
    export = make_zip(
        tmp_path / "lms.zip",
        [
            ada_entry(),
            (name, bytes(5 * 1024**2), zipfile.ZIP_DEFLATED),
            (lms_name("bob", 1, NB_NAME), notebook("bob").encode(), zipfile.ZIP_DEFLATED),
        ],
    )
    data = bytearray(export.read_bytes())
    with zipfile.ZipFile(export) as zf:
        local = zf.getinfo(name).header_offset
    central = central_entry(bytes(data), name)
    for size_at in (local + 22, central + 24):  # uncompressed size: claims 100 bytes
        struct.pack_into("<I", data, size_at, 100)
    export.write_bytes(bytes(data))
    report = run_collect(course, tmp_path, export)
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["problems"] == {
        "bob": [
            f"{name}: is damaged: its content does not match its checksum (bad CRC-32); ask "
            "the student to submit it again"
        ]
    }
    assert submitted(course, "bob") == {NB_NAME: notebook("bob").encode()}


def test_zip_member_names_cannot_escape(course, tmp_path):
    bob_nb = lms_name("bob", 1, NB_NAME)
    export = make_zip(
        tmp_path / "lms.zip",
        [
            ada_entry(),
            ("../../escape.py", b"print('out')", zipfile.ZIP_DEFLATED),
            (f"{tmp_path}/abs.py", b"print('abs')", zipfile.ZIP_DEFLATED),
            ("bob_1001_5001_..\\..\\win.py", b"print('win')", zipfile.ZIP_DEFLATED),
            ("bob_1001_5001_/../../../up.py", b"print('up')", zipfile.ZIP_DEFLATED),
            (bob_nb, notebook("bob").encode(), zipfile.ZIP_DEFLATED),
        ],
    )
    report = run_collect(course, tmp_path, export)
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["skipped"] == [
        "../../escape.py: the name contains '..' (a path outside its folder); not extracted",
        f"{tmp_path}/abs.py: the name is an absolute path; not extracted",
    ]
    assert report["problems"] == {
        "bob": [
            "bob_1001_5001_..\\..\\win.py: the name contains a backslash (a Windows path "
            "trick); not extracted",
            "bob_1001_5001_/../../../up.py: the name contains '..' (a path outside its "
            "folder); not extracted",
        ]
    }
    assert submitted(course, "bob") == {NB_NAME: notebook("bob").encode()}
    assert not (tmp_path / "abs.py").exists() and not (tmp_path.parent / "escape.py").exists()


def test_zip_name_that_is_not_utf8_does_not_stop_the_class(course, tmp_path):
    odd = lms_name("bob", 1, "caf\u00e9.txt")
    export = make_zip(
        tmp_path / "lms.zip",
        [ada_entry(), (odd, b"coffee", zipfile.ZIP_STORED)],
    )
    data = export.read_bytes().replace("\u00e9".encode(), b"\xff\xfe")
    export.write_bytes(data)
    with pytest.raises(UnicodeDecodeError):
        zipfile.ZipFile(export)  # what stopped the whole class before
    report = run_collect(course, tmp_path, export)
    assert sorted(report["collected"]) == ["ada", "bob"]
    assert report["skipped"] == [
        "lms.zip: 1 file name(s) in the zip are not valid UTF-8; they were read as cp437"
    ]
    odd_cp437 = lms_name("bob", 1, b"caf\xff\xfe.txt".decode("cp437"))
    assert submitted(course, "bob") == {odd_cp437: b"coffee"}
    assert written_files(Path(report["raw"])) == {"lms.zip": data}
    assert not list(course.root.glob(".collect-*"))  # the scratch copy was removed


def test_two_notebooks_from_one_student_are_both_kept(course, tmp_path):
    export = make_zip(
        tmp_path / "lms.zip",
        [
            (lms_name("bob", 1, NB_NAME), notebook("bob").encode(), zipfile.ZIP_DEFLATED),
            (lms_name("bob", 1, "scratch.ipynb"), notebook("draft").encode(), zipfile.ZIP_STORED),
            ("Bob Ray_77_assignsubmission_file_/a/notes.txt", b"1", zipfile.ZIP_STORED),
            ("Bob Ray_77_assignsubmission_file_/b/notes.txt", b"2", zipfile.ZIP_STORED),
        ],
    )
    report = run_collect(course, tmp_path, export)
    assert sorted(report["collected"]) == ["bob", "bobray"]
    assert submitted(course, "bob") == {
        NB_NAME: notebook("bob").encode(),
        lms_name("bob", 1, "scratch.ipynb"): notebook("draft").encode(),
    }
    assert submitted(course, "bobray") == {"notes.txt": b"1", "notes-2.txt": b"2"}
    dest = course.root / "submitted" / "bob" / ASSIGNMENT
    assert [p.stat().st_mode & 0o777 for p in (dest.parent, dest)] == [0o700, 0o700]
    assert {p.stat().st_mode & 0o777 for p in dest.iterdir()} == {0o600}


def test_two_collections_in_the_same_second_get_their_own_raw_folders(
    course, tmp_path, monkeypatch
):
    monkeypatch.setattr(course_mod.time, "strftime", lambda *a: "20240101-120000")
    tokens = iter(["taken", *(f"t{i}" for i in range(100))])
    monkeypatch.setattr(course_mod.secrets, "token_hex", lambda n=None: next(tokens))
    taken = course.root / "raw" / f"{ASSIGNMENT}-20240101-120000-{os.getpid()}-taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("an earlier collection")
    incoming = incoming_with_ada(tmp_path)
    first = collect(course, ASSIGNMENT, incoming)
    (incoming / "ada" / NB_NAME).write_text(notebook("ada = 2"))
    second = collect(course, ASSIGNMENT, incoming)
    assert first["raw"] == str(
        course.root / "raw" / f"{ASSIGNMENT}-20240101-120000-{os.getpid()}-t0"
    )
    assert second["raw"] != first["raw"]
    assert (taken / "keep.txt").read_text() == "an earlier collection"
    assert written_files(Path(first["raw"])) == {f"ada/{NB_NAME}": notebook("ada = 1").encode()}
    assert written_files(Path(second["raw"])) == {f"ada/{NB_NAME}": notebook("ada = 2").encode()}
    assert submitted(course, "ada") == {NB_NAME: notebook("ada = 2").encode()}


def test_cli_prints_each_students_problems(course, tmp_path, capsys):
    from autograder.cli import main

    incoming = incoming_with_ada(tmp_path)
    (incoming / "ada" / "link").symlink_to("/etc/passwd")
    assert main(["class", "collect", str(course.root), ASSIGNMENT, str(incoming)]) == 0
    out = capsys.readouterr().out
    assert "Collected 1 submissions of 00_getting_started." in out
    assert (
        "  ada (collected, but some files were left out):\n"
        "    - link: symbolic link to /etc/passwd, not followed\n"
    ) in out
    assert "The submissions as they arrived are kept in " in out


# -- reading a submitted notebook --------------------------------------------------------


def test_old_format_notebook_is_converted_and_read(tmp_path):
    v3 = nbformat.v3
    nb = v3.new_notebook(
        worksheets=[
            v3.new_worksheet(
                cells=[
                    v3.new_text_cell("markdown", source="# title"),
                    v3.new_code_cell(input="x = 1"),
                    v3.new_code_cell(input="def f():\n    return 2"),
                ]
            )
        ]
    )
    path = tmp_path / NB_NAME
    path.write_text(v3.writes_json(nb))
    found, note = submission.find_notebook(tmp_path, NB_NAME)
    assert (found, note) == (path, None)
    cells, note = submission.read_code_cells_with_positions(path)
    assert cells == [(2, "x = 1"), (3, "def f():\n    return 2")]
    assert (
        note
        == "the notebook is in the old format version 3; it was converted to version 4 and graded"
    )
    assert submission.read_code_cells(path) == (["x = 1", "def f():\n    return 2"], note)


@pytest.mark.parametrize(
    "text", ["[1, 2]", '{"a": 1}', '{"cells": 5}', '"cells"', "null", '{"worksheets": 3}']
)
def test_json_that_is_not_a_notebook(tmp_path, text):
    path = tmp_path / NB_NAME
    path.write_text(text)
    assert submission.read_code_cells(path) == (
        None,
        "the file is valid JSON but not a Jupyter notebook",
    )


def test_odd_cells_and_metadata_never_crash(tmp_path):
    cells = [
        {"cell_type": "markdown", "metadata": {"nbgrader": None}, "source": "text"},
        {"cell_type": "code", "metadata": {"nbgrader": None}, "source": ["a = 1\n", "b = 2"]},
        {"cell_type": "code", "metadata": 5, "source": 7},
        "not a cell",
        {"cell_type": "code", "source": None},
        {"cell_type": ["code"], "source": "ignored"},
        {"cell_type": "code", "metadata": {"nbgrader": "x"}, "source": ["c", 3]},
    ]
    path = tmp_path / NB_NAME
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": cells}))
    assert submission.read_code_cells_with_positions(path) == (
        [(2, "a = 1\nb = 2"), (3, "7"), (5, ""), (7, "c3")],
        None,
    )
    for cell in [*cells, {}, {"metadata": None}, {"metadata": []}]:
        assert nbgrader_meta(cell) == {}
    assert nbgrader_meta({"metadata": {"nbgrader": {"grade": True}}}) == {"grade": True}


def test_code_cell_positions_count_every_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("intro"),
        nbformat.v4.new_code_cell("a = 1"),
        nbformat.v4.new_markdown_cell("more"),
        nbformat.v4.new_raw_cell("raw"),
        nbformat.v4.new_code_cell("b = 2"),
        nbformat.v4.new_code_cell("c = 3"),
    ]
    path = tmp_path / NB_NAME
    text = nbformat.writes(nb)
    path.write_text(text)
    assert submission.read_code_cells_with_positions(path) == (
        [(2, "a = 1"), (5, "b = 2"), (6, "c = 3")],
        None,
    )
    # a truncated copy: the code cells that survive keep their positions
    path.write_text(text[: text.index('"c = 3"') - 40])
    cells, note = submission.read_code_cells_with_positions(path)
    assert cells == [(2, "a = 1"), (5, "b = 2")]
    assert note == "the notebook is not valid JSON; graded the code cells that could be recovered"


def test_symlinked_notebook_is_not_followed(tmp_path, outside):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / NB_NAME).symlink_to(outside / "other.ipynb")
    assert submission.find_notebook(folder, NB_NAME) == (
        None,
        f"{NB_NAME} is a symbolic link; it was not followed; no other notebook in the "
        f"submission (expected {NB_NAME})",
    )
    assert submission.read_code_cells(folder / NB_NAME) == (
        None,
        f"{NB_NAME} is a symbolic link; it was not followed",
    )
    # a real notebook next to it is graded, with a note about the link
    (folder / "mine.ipynb").write_text(notebook("mine = 1"))
    assert submission.find_notebook(folder, NB_NAME) == (
        folder / "mine.ipynb",
        f"{NB_NAME} is a symbolic link; it was not followed; notebook was renamed to "
        "mine.ipynb; graded it anyway",
    )


def test_notebook_in_a_symlinked_folder_is_not_followed(tmp_path, outside):
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "work").symlink_to(outside)
    assert submission.find_notebook(folder, NB_NAME) == (
        None,
        f"symbolic links were not followed: work; no notebook in the submission (expected {NB_NAME})",
    )
    assert submission.find_notebook(tmp_path / "linked", NB_NAME) == (None, "no submission folder")
    (tmp_path / "linked").symlink_to(outside)
    assert submission.find_notebook(tmp_path / "linked", NB_NAME) == (
        None,
        "the submission folder is a symbolic link; it was not followed",
    )


def test_oversized_and_special_notebooks_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(submission, "MAX_NOTEBOOK_BYTES", 1024**2)
    path = tmp_path / NB_NAME
    path.write_text(notebook("x = '" + "y" * 1024**2 + "'"))
    assert submission.read_code_cells(path) == (
        None,
        f"{NB_NAME} is larger than 1 MB; it was not graded. Clear the outputs (Edit > Clear "
        "Outputs of All Cells) and submit it again",
    )
    path.unlink()
    os.mkfifo(path)
    started = time.monotonic()
    assert submission.read_code_cells(path) == (
        None,
        f"{NB_NAME} is not a regular file; it was not read",
    )
    assert time.monotonic() - started < 5
