"""Hostile and broken submissions, graded in one class run, each with its exact outcome.

One well-behaved student is graded first; every hostile submission is then graded in a
single parallel run, and the well-behaved student's gradebook rows must be unchanged.
Lesson 00 is the assignment: ``plus_state`` is worth 2 points, ``x_on_qubit`` 3.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from pathlib import Path

import nbformat
import pytest

from autograder.classroom import gradebook, isolation
from autograder.classroom.course import collect, init_course
from autograder.classroom.workflow import autograde
from autograder.lessons import find_lesson

pytestmark = pytest.mark.slow

ASSIGNMENT = "00_getting_started"
IMPORTS = "import numpy as np\nfrom qiskit import QuantumCircuit"
GOOD_PLUS = "def plus_state():\n    return np.array([1, 1]) / np.sqrt(2)"
GOOD_X = "def x_on_qubit(n, k):\n    qc = QuantumCircuit(n)\n    qc.x(k)\n    return qc"
# normalised but wrong: 1 of the 2 points (the normalisation case)
WRONG_PLUS = "def plus_state():\n    return np.array([1.0, 0.0])"


def notebook(*cells, tags=None, grade_cells=None) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "language": "python",
        "display_name": "Python 3",
    }
    for i, src in enumerate(cells):
        cell = nbformat.v4.new_code_cell(src)
        if tags and i in tags:
            cell.metadata["tags"] = tags[i]
        nb.cells.append(cell)
    for src, meta in grade_cells or []:
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata["nbgrader"] = meta
        nb.cells.append(cell)
    return nbformat.writes(nb)


def v3_notebook(*cells) -> str:
    """An nbformat 3 notebook (code cells inside "worksheets")."""
    nb = nbformat.v3.new_notebook(
        worksheets=[
            nbformat.v3.new_worksheet(cells=[nbformat.v3.new_code_cell(input=c) for c in cells])
        ]
    )
    return nbformat.v3.writes_json(nb)


def null_meta_notebook(*cells) -> str:
    """Every cell's metadata says ``"nbgrader": null``."""
    nb = json.loads(notebook(*cells))
    for cell in nb["cells"]:
        cell["metadata"]["nbgrader"] = None
    return json.dumps(nb)


def with_markdown(*cells) -> str:
    """Each code cell preceded by a markdown cell: code cell i is notebook cell 2i + 2."""
    nb = nbformat.v4.new_notebook()
    for src in cells:
        nb.cells.append(nbformat.v4.new_markdown_cell("Some text"))
        nb.cells.append(nbformat.v4.new_code_cell(src))
    return nbformat.writes(nb)


def grade_meta(grade_id, points):
    return {
        "grade": True,
        "solution": False,
        "locked": True,
        "grade_id": grade_id,
        "points": points,
        "schema_version": 3,
    }


def hostile_submissions(course_root: Path, port: int) -> dict[str, dict[str, str]]:
    """student -> {file name: content}"""
    pkg = Path(__import__("autograder").__file__).parent
    leak_paths = [
        str(pkg / "checks" / "lesson00.py"),
        str(pkg / "solutions" / "lesson00.py"),
        str(course_root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        str(course_root / "gradebook.db"),
    ]
    good = notebook(IMPORTS, GOOD_PLUS, GOOD_X)
    nb_name = f"{ASSIGNMENT}.ipynb"
    trunc_full = notebook(IMPORTS, GOOD_PLUS, GOOD_X)
    cut = trunc_full.index("def x_on_qubit")
    return {
        "loop_fn": {
            nb_name: notebook(IMPORTS, "def plus_state():\n    while True:\n        pass", GOOD_X)
        },
        "loop_cell": {nb_name: notebook(IMPORTS, "while True:\n    pass", GOOD_PLUS, GOOD_X)},
        "swallow_interrupt": {
            nb_name: notebook(
                IMPORTS,
                "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except BaseException:\n        pass",
                GOOD_PLUS,
                GOOD_X,
            )
        },
        "memory_bomb": {
            nb_name: notebook(
                IMPORTS,
                "def plus_state():\n    block = bytearray(40 * 1024**3)\n    return block",
                GOOD_X,
            )
        },
        "fork_bomb": {
            nb_name: notebook(IMPORTS, "import os\nwhile True:\n    os.fork()", GOOD_PLUS, GOOD_X)
        },
        "segfault": {
            nb_name: notebook(
                IMPORTS, "import ctypes\ndef plus_state():\n    return ctypes.string_at(0)", GOOD_X
            )
        },
        "exit_cell": {nb_name: notebook(IMPORTS, "import sys\nsys.exit(1)", GOOD_PLUS, GOOD_X)},
        "exit_fn": {
            nb_name: notebook(IMPORTS, "import sys\ndef plus_state():\n    sys.exit(0)", GOOD_X)
        },
        "os_exit_cell": {nb_name: notebook(IMPORTS, "import os\nos._exit(3)", GOOD_PLUS, GOOD_X)},
        "huge_output": {
            nb_name: notebook(IMPORTS, "while True:\n    print('x' * 1_000_000)", GOOD_PLUS, GOOD_X)
        },
        "invalid_json": {nb_name: "this is not a notebook {{{"},
        "truncated": {nb_name: trunc_full[:cut]},
        "renamed": {"my homework (final).ipynb": good},
        "missing": {"README.txt": "I forgot to upload it"},
        "edited_grade_cells": {
            nb_name: notebook(
                IMPORTS,
                WRONG_PLUS,
                GOOD_X,
                grade_cells=[
                    ("2.0", grade_meta("ex_00_plus_state", 2)),
                    ("3.0", grade_meta("ex_00_x_on_qubit", 3)),
                ],
            )
        },
        "deleted_grade_cells": {nb_name: good},
        "retagged_points": {
            nb_name: notebook(
                IMPORTS,
                GOOD_PLUS,
                GOOD_X,
                grade_cells=[
                    ("grade('00.plus_state', plus_state)", grade_meta("ex_00_plus_state", 100))
                ],
            )
        },
        "reads_secrets": {
            nb_name: notebook(
                IMPORTS,
                "LEAK = []\nfor p in %r:\n    try:\n        LEAK.append(open(p, 'rb').read(10))\n    except Exception:\n        pass"
                % leak_paths,
                "def plus_state():\n    return np.array([1, 1]) / np.sqrt(2) if LEAK else np.zeros(2)",
                GOOD_X,
            )
        },
        "writes_gradebook": {
            nb_name: notebook(
                IMPORTS,
                "import sqlite3\ntry:\n    c = sqlite3.connect(%r)\n    c.execute('update grade set auto_score = 100')\n    c.commit()\nexcept Exception as e:\n    print(e)\ntry:\n    open(%r, 'w').write('')\nexcept Exception as e:\n    print(e)"
                % (str(course_root / "gradebook.db"), str(course_root / "gradebook.db")),
                GOOD_PLUS,
                GOOD_X,
            )
        },
        "input_transformer": {
            nb_name: notebook(
                IMPORTS,
                "get_ipython().input_transformers_post.append(lambda lines: [])",
                WRONG_PLUS,
                GOOD_X,
            )
        },
        "patches_allclose": {
            nb_name: notebook(
                IMPORTS,
                "import numpy\nnumpy.allclose = lambda *a, **k: True\nnumpy.isclose = lambda *a, **k: True\n"
                "numpy.linalg.norm = lambda *a, **k: 1.0",
                WRONG_PLUS,
                GOOD_X,
            )
        },
        "skip_execution_tag": {
            nb_name: notebook(
                IMPORTS,
                GOOD_PLUS,
                GOOD_X,
                tags={1: ["skip-execution"], 2: ["skip-execution", "raises-exception"]},
            )
        },
        "stderr_warning": {
            nb_name: notebook(
                IMPORTS,
                "import sys, warnings\ndef plus_state():\n    print('debug', file=sys.stderr)\n"
                "    warnings.warn('careful', stacklevel=1)\n    return np.array([1, 1]) / np.sqrt(2)",
                GOOD_X,
            )
        },
        "v3_notebook": {nb_name: v3_notebook(IMPORTS, GOOD_PLUS, GOOD_X)},
        "nbgrader_null_meta": {nb_name: null_meta_notebook(IMPORTS, GOOD_PLUS, GOOD_X)},
        "late_slow_and_crashing_cells": {
            nb_name: with_markdown(
                IMPORTS,
                GOOD_PLUS,
                GOOD_X,
                "import time\nwhile True:\n    time.sleep(1)",
                "import os\nos._exit(9)",
            )
        },
        "not_a_notebook": {nb_name: json.dumps({"hello": "world"})},
        "network": {
            nb_name: notebook(
                IMPORTS,
                "import socket\ndef plus_state():\n    try:\n        socket.create_connection(('127.0.0.1', %d), timeout=2).close()\n"
                "        return np.array([1, 1]) / np.sqrt(2)\n    except OSError:\n        return np.zeros(2)"
                % port,
                GOOD_X,
            )
        },
    }


# student -> (score of plus_state, score of x_on_qubit, status, text expected somewhere in the result)
EXPECTED = {
    "loop_fn": (0, 3, "graded", "did not finish within"),
    "loop_cell": (2, 3, "graded", "hung or crashed"),
    "swallow_interrupt": (2, 3, "graded", "hung or crashed"),
    "memory_bomb": (0, 3, "graded", "MemoryError"),
    "fork_bomb": (2, 3, "graded", "BlockingIOError"),
    "segfault": (0, 3, "graded", "SIGSEGV"),
    "exit_cell": (2, 3, "graded", "SystemExit"),
    "exit_fn": (0, 3, "graded", "sys.exit"),
    "os_exit_cell": (2, 3, "graded", "hung or crashed"),
    "huge_output": (2, 3, "graded", "OSError"),
    "invalid_json": (0, 0, "ungradable", "not valid JSON"),
    "truncated": (2, 0, "graded", "not valid JSON"),
    "renamed": (2, 3, "graded", "renamed"),
    "missing": (0, 0, "ungradable", "no notebook"),
    "edited_grade_cells": (1, 3, "graded", "not yet"),
    "deleted_grade_cells": (2, 3, "graded", "passed"),
    "retagged_points": (2, 3, "graded", "passed"),
    "reads_secrets": (0, 3, "graded", "not yet"),
    "writes_gradebook": (2, 3, "graded", "passed"),
    "input_transformer": (1, 3, "graded", "not yet"),
    "patches_allclose": (1, 3, "graded", "not yet"),
    "skip_execution_tag": (2, 3, "graded", "passed"),
    "stderr_warning": (2, 3, "graded", "passed"),
    "network": (0, 3, "graded", "not yet"),
    "v3_notebook": (2, 3, "graded", "converted"),
    "nbgrader_null_meta": (2, 3, "graded", "passed"),
    # correct functions keep their points; the notes name notebook cells 8 and 10
    "late_slow_and_crashing_cells": (2, 3, "graded", "notebook cell 8 hung or crashed"),
    "not_a_notebook": (0, 0, "ungradable", "not a Jupyter notebook"),
}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "class"
    course = init_course(root)
    incoming = root.parent / "incoming"
    good = incoming / "good_student"
    good.mkdir(parents=True)
    (good / f"{ASSIGNMENT}.ipynb").write_bytes(find_lesson("00").notebook.read_bytes())
    collect(course, ASSIGNMENT, incoming)
    limits = isolation.Limits(wall_seconds=40)
    autograde(course, ASSIGNMENT, ["good_student"], workers=1, limits=limits)
    before = [r for r in gradebook.dump_grades(course.db_url()) if r["student"] == "good_student"]

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    port = server.getsockname()[1]
    accepted = []

    def accept() -> None:
        try:
            accepted.append(server.accept())
        except OSError:  # closed at the end of the run without a connection: as it should be
            pass

    threading.Thread(target=accept, daemon=True).start()

    hostile = root.parent / "hostile"
    for student, files in hostile_submissions(root, port).items():
        folder = hostile / student
        folder.mkdir(parents=True)
        for name, content in files.items():
            (folder / name).write_text(content)
    collect(course, ASSIGNMENT, hostile)
    results, _warning = autograde(course, ASSIGNMENT, sorted(EXPECTED), workers=2, limits=limits)
    server.close()
    after = [r for r in gradebook.dump_grades(course.db_url()) if r["student"] == "good_student"]
    # the results as saved in reports/ (SubmissionResult.to_dict), to compare as JSON
    return course, {r.student: r.to_dict() for r in results}, before, after, accepted


def test_isolation_is_bubblewrap_here():
    # the CI machine installs bubblewrap (.ci/system-deps.sh); a weaker level must say why
    level = isolation.detect()
    assert level.level == "bwrap", level.warning


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_hostile_submission_outcome(graded_class, student):
    _course, results, *_ = graded_class
    plus, x, status, text = EXPECTED[student]
    r = results[student]
    scores = {e["exercise_id"]: e["score"] for e in r["exercises"]}
    blob = json.dumps(r)
    assert r["status"] == status, blob
    assert scores == {"00.plus_state": plus, "00.x_on_qubit": x}, blob
    assert r["max_score"] == 5.0  # points come from the trusted assignment
    assert text in blob, blob
    if student == "late_slow_and_crashing_cells":
        assert any("notebook cell 10 hung or crashed" in n for n in r["notes"]), blob
        assert r["skipped_cells"] == [8, 10]


def test_gradebook_holds_hostile_scores_and_good_student_untouched(graded_class):
    course, results, before, after, accepted = graded_class
    assert before == after and sum(r["auto_score"] for r in after) == 5.0
    rows = gradebook.dump_grades(course.db_url())
    by_student = {}
    for row in rows:
        by_student.setdefault(row["student"], 0.0)
        by_student[row["student"]] += row["auto_score"] or 0.0
    for student, (plus, x, _status, _text) in EXPECTED.items():
        assert by_student[student] == plus + x, student
    assert all(r["max_score"] <= 3 for r in rows)  # nobody's points were inflated
    with sqlite3.connect(course.root / "gradebook.db") as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert accepted == []  # the sandbox could not reach a server on the host


def test_backups_were_taken(graded_class):
    course = graded_class[0]
    assert len(list((course.root / "backups").glob("gradebook-*.db"))) >= 2
    assert len(list((course.root / "backups").glob("grades-*.json"))) >= 2


def test_raw_submissions_kept_as_they_arrived(graded_class):
    course = graded_class[0]
    raws = list((course.root / "raw").rglob("invalid_json/*"))
    assert raws and raws[0].read_text() == "this is not a notebook {{{"


def test_regrade_gives_the_same_result(graded_class):
    course, results, *_ = graded_class
    again, _ = autograde(
        course,
        ASSIGNMENT,
        ["renamed", "truncated", "edited_grade_cells"],
        workers=2,
        limits=isolation.Limits(wall_seconds=40),
    )
    for r in (r.to_dict() for r in again):
        first = results[r["student"]]
        assert [(e["exercise_id"], e["score"], e["feedback"]) for e in r["exercises"]] == [
            (e["exercise_id"], e["score"], e["feedback"]) for e in first["exercises"]
        ]
