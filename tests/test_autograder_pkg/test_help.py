"""Help for learners on their own: hints, concept checks, worked solutions, progress.

Everything here runs headless; tests/test_browser.py opens a hint and answers a concept
check in a real JupyterLab.
"""

from __future__ import annotations

import json
import re

import nbformat
import numpy as np
import pytest

from autograder import check, concept, exercises, get_exercise, hint, worked
from autograder.cli import main
from autograder.help import progress_table, state
from autograder.help._render import MARKER_KEY
from autograder.help.content import concepts_of, get_concept, hints_for
from autograder.help.report import class_hint_counts, hints_opened_in, hints_opened_in_folder
from autograder.lessons import find_lesson, list_lessons, read_notebook, student_version
from autograder.solutions.worked import WORKED

LESSON_NUMBERS = [lesson.number for lesson in list_lessons()]


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch, tmp_path):
    """No kernel state, no settings from the environment, outside any workspace."""
    state.reset_kernel_state()
    for var in ("QMLCOURSE_HINTS", "QMLCOURSE_WORKED", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    state.reset_kernel_state()


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A learner's workspace (with its manifest); the kernel runs in lesson 03's folder."""
    root = tmp_path / "ws"
    (root / "03_entanglement").mkdir(parents=True)
    (root / ".qmlcourse-manifest.json").write_text("{}")
    monkeypatch.chdir(root / "03_entanglement")
    return root


def plus_state():
    return np.array([1, 1]) / np.sqrt(2)


# ------------------------------------------------------------------ the content
@pytest.mark.parametrize("ex_id", exercises())
def test_every_exercise_has_hints_a_worked_solution_a_level_and_a_time(ex_id):
    hints = hints_for(ex_id)
    assert 2 <= len(hints) <= 3, ex_id
    assert all(isinstance(h, str) and len(h) > 20 for h in hints)
    assert len(set(hints)) == len(hints)
    entry = WORKED[ex_id]
    assert len(entry["reasoning"]) > 40 and entry["mistakes"]
    ex = get_exercise(ex_id)
    assert ex.difficulty in ("easy", "medium", "hard") and 0 < ex.minutes <= 60


def test_no_hint_or_worked_entry_for_an_unknown_exercise():
    known = set(exercises())
    from autograder.help.content import _lesson_module

    # hints live in the registry only; the lesson modules hold concept checks alone
    assert not any(hasattr(_lesson_module(n), "HINTS") for n in LESSON_NUMBERS)
    assert hints_for("99.nothing_here") == []
    assert set(WORKED) == known


@pytest.mark.parametrize("lesson", LESSON_NUMBERS)
def test_every_lesson_has_three_to_five_well_formed_concept_checks(lesson):
    questions = concepts_of(lesson)
    assert 3 <= len(questions) <= 5
    assert [q["id"] for q in questions] == [f"{lesson}.q{k}" for k in range(1, len(questions) + 1)]
    for q in questions:
        assert q["question"] and len(q["explanation"]) > 30
        if "choices" in q:
            assert q["answer"] in q["choices"] and len(q["choices"]) >= 2
        else:
            assert isinstance(q["answer"], (int, float)) and q["tolerance"] >= 0


def test_exercise_metadata_is_validated():
    from autograder.engine import exercise

    with pytest.raises(ValueError, match="difficulty must be one of"):
        exercise("99.x", points=1, difficulty="tricky")


# ------------------------------------------------------------------ hints
def test_each_hint_call_opens_the_next_hint_and_records_it_in_the_output():
    total = len(hints_for("03.bell_state"))
    views = [hint("03.bell_state") for _ in range(total + 1)]
    assert [v.marker["hints_opened"] for v in views] == [*range(1, total + 1), total]
    assert all(v.marker["exercise"] == "03.bell_state" for v in views)
    first, last = views[0], views[-1]
    assert "Hint 1:" in first.text and "Hint 2:" not in first.text
    assert "Run this cell again for hint 2" in first.text
    assert f"Hint {total}:" in last.text and 'worked("03.bell_state")' in last.text
    bundle, metadata = first._repr_mimebundle_()
    assert metadata == {MARKER_KEY: first.marker} and set(bundle) == {"text/plain", "text/html"}
    # earlier hints are folded, the newest is open
    html = last._repr_mimebundle_()[0]["text/html"]
    assert html.count("<details") == total and html.count("<details open") == 1


def test_hints_of_exercises_are_counted_separately():
    hint("03.bell_state")
    assert hint("03.ghz_circuit").marker["hints_opened"] == 1


def test_an_unknown_exercise_gets_a_suggestion():
    from autograder import UnknownExercise

    with pytest.raises(UnknownExercise, match="03.bell_state"):
        hint("03.bel_state")


def test_the_instructor_turns_hints_off_with_a_file_or_the_environment(tmp_path, monkeypatch):
    from autograder.help import write_help_settings

    write_help_settings(tmp_path, hints=False)
    view = hint("03.bell_state")
    assert "turned off for this assignment" in view.text
    assert view.marker == {"exercise": "03.bell_state", "hints_opened": 0, "hints_off": True}
    assert "Hint 1" not in view.text
    (tmp_path / "qmlcourse-help.toml").unlink()
    assert hint("03.bell_state").marker["hints_opened"] == 1
    monkeypatch.setenv("QMLCOURSE_HINTS", "off")
    assert "turned off" in hint("03.bell_state").text


def test_hints_stay_closed_and_uncounted_while_nbgrader_runs(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    view = hint("03.bell_state")
    assert view.marker is None and "Hint 1" not in view.text
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert hint("03.bell_state").marker["hints_opened"] == 1


def test_hints_continue_after_a_kernel_restart_inside_a_workspace(workspace):
    hint("03.bell_state")
    hint("03.bell_state")
    saved = json.loads((workspace / ".qmlcourse" / "progress.json").read_text())
    assert saved["hints"] == {"03.bell_state": 2}
    state.reset_kernel_state()  # a new kernel
    assert hint("03.bell_state").marker["hints_opened"] == 3


def test_outside_a_workspace_nothing_is_written(tmp_path):
    hint("03.bell_state")
    check("00.plus_state", plus_state)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ concept checks
def test_a_concept_check_is_answered_in_code_with_an_explanation():
    q = get_concept("03.q1")
    right = concept("03.q1", q["answer"])
    assert right.marker["correct"] is True and "Correct." in right.text
    assert q["explanation"] in right.text
    wrong = next(k for k in q["choices"] if k != q["answer"])
    answer = concept("03.q1", wrong.upper())
    assert answer.marker["correct"] is False and "Not quite." in answer.text
    assert q["explanation"] in answer.text  # the explanation follows every answer


def test_a_numeric_concept_check_uses_its_tolerance():
    assert concept("03.q2", 0.5).marker["correct"] is True
    assert concept("03.q2", "0.5004").marker["correct"] is True
    assert concept("03.q2", 0.6).marker["correct"] is False
    assert "is not a number" in concept("03.q2", "half").text
    assert concept("03.q2", float("nan")).marker["correct"] is False


def test_a_wrong_kind_of_answer_or_id_says_what_to_do():
    from autograder import UnknownExercise

    view = concept("03.q1", "z")
    assert view.marker is None and "not one of a, b, c, d" in view.text
    with pytest.raises(UnknownExercise, match=r"Lesson 03 has 03\.q1"):
        concept("03.q9")
    with pytest.raises(UnknownExercise, match="look like '03.q1'"):
        concept("bell")


def test_asking_shows_the_question_its_choices_and_how_to_answer():
    view = concept("03.q1")
    assert view.text.startswith("03.q1: Which Bell state")
    assert " d) |Ψ−⟩" in view.text and 'concept("03.q1", "a")' in view.text


def test_the_widget_checks_an_answer_when_its_button_is_clicked():
    from autograder.help.concepts import concept_widget

    q = get_concept("03.q1")
    box = concept_widget(q)
    choices, button, verdict = box.children
    button.click()
    assert "Choose an answer first" in verdict.value
    choices.value = q["answer"]
    button.click()
    assert "Correct." in verdict.value and "|Φ−⟩" in verdict.value
    number = concept_widget(get_concept("03.q2"))
    number.children[0].value = 0.5
    number.children[1].click()
    assert "Correct." in number.children[2].value


def test_concept_answers_are_saved_in_the_workspace(workspace):
    concept("03.q2", 0.5)
    saved = json.loads((workspace / ".qmlcourse" / "progress.json").read_text())
    assert saved["concepts"] == {"03.q2": {"answer": "0.5", "correct": True}}


# ------------------------------------------------------------------ worked solutions
def test_the_worked_solution_opens_only_after_a_pass_or_the_last_hint():
    locked = worked("03.ghz_circuit")
    assert locked.marker["worked"] is False
    assert 'run `hint("03.ghz_circuit")`' in locked.text and "def " not in locked.text
    for _ in hints_for("03.ghz_circuit"):
        assert worked("03.ghz_circuit").marker["worked"] is False
        hint("03.ghz_circuit")
    opened = worked("03.ghz_circuit")
    assert opened.marker["worked"] is True
    assert WORKED["03.ghz_circuit"]["reasoning"] in opened.text
    assert "def ghz_circuit(n" in opened.text  # the lesson's solution
    assert "A second way" in opened.text and "for target in range(1, n)" in opened.text
    assert all(m in opened.text for m in WORKED["03.ghz_circuit"]["mistakes"])


def test_a_passing_check_opens_the_worked_solution():
    assert worked("00.plus_state").marker["worked"] is False
    check("00.plus_state", lambda: [1, 0])
    assert worked("00.plus_state").marker["worked"] is False
    check("00.plus_state", plus_state)
    assert worked("00.plus_state").marker["worked"] is True


def test_the_instructor_turns_worked_solutions_off(tmp_path):
    from autograder.help import write_help_settings

    write_help_settings(tmp_path, worked_solutions=False)
    check("00.plus_state", plus_state)
    view = worked("00.plus_state")
    assert "turned off for this assignment" in view.text and "def " not in view.text


def test_without_the_solutions_package_worked_says_where_to_get_them(monkeypatch):
    from autograder.help import explained as worked_module

    monkeypatch.setattr(worked_module, "_explanations", lambda: None)
    check("00.plus_state", plus_state)
    assert "not part of the installed qml-course package" in worked("00.plus_state").text


def test_student_versions_hold_hint_cells_but_no_worked_solution():
    from autograder.authoring import sync_notebook

    nb = student_version(sync_notebook(read_notebook(find_lesson("03").notebook), "03"))
    text = json.dumps(nb)
    assert 'hint(\\"03.bell_state\\")' in text
    for ex_id in exercises("03"):
        assert WORKED[ex_id]["reasoning"][:60] not in text


# ------------------------------------------------------------------ progress
def test_check_records_its_result_and_progress_reads_it_without_checking(workspace, monkeypatch):
    check("00.plus_state", plus_state)
    check("00.x_on_qubit", lambda n, k: None)
    hint("00.x_on_qubit")
    import autograder.engine as engine

    def no_check(*_args, **_kwargs):
        raise AssertionError("progress must not run a check")

    monkeypatch.setattr(engine, "run_check", no_check)
    monkeypatch.setattr(engine, "grade_exercise", no_check)
    text = progress_table(workspace)
    rows = {line.split()[0]: line for line in text.splitlines() if re.match(r"\d\d\.", line)}
    assert len(rows) == len(exercises())
    assert re.search(r"passed\s+2/2\s+easy\s+5 min\s+0", rows["00.plus_state"])
    assert re.search(r"not yet\s+0/3\s+easy\s+5 min\s+1", rows["00.x_on_qubit"])
    assert "not checked" in rows["03.bell_state"]
    total = sum(get_exercise(e).points for e in exercises())
    assert text.splitlines()[-1].startswith(
        f"Total: 1 of {len(exercises())} exercises pass, 2/{total:g} points"
    )


def test_progress_lists_the_lessons_in_order_and_their_exercises_in_notebook_order(tmp_path):
    ws = tmp_path / "ws2"
    folder = ws / "03_entanglement"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('grade("03.chsh_value", chsh_value)'),
        nbformat.v4.new_code_cell('grade("03.bell_state", bell_state)'),
    ]
    nbformat.write(nb, str(folder / "03_entanglement.ipynb"))
    ids = [line.split()[0] for line in progress_table(ws).splitlines() if re.match(r"\d\d\.", line)]
    lessons = [i[:2] for i in ids]
    assert lessons == sorted(lessons)
    in_03 = [i for i in ids if i.startswith("03.")]
    assert in_03[:2] == ["03.chsh_value", "03.bell_state"]


def test_the_progress_command(workspace, capsys):
    check("00.plus_state", plus_state)
    assert main(["progress", "--workspace", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert f"Your workspace: {workspace}" in out and f"Total: 1 of {len(exercises())}" in out
    assert main(["progress", "--workspace", str(workspace / "nope")]) == 2
    assert "There is no workspace" in capsys.readouterr().err


# ------------------------------------------------------------------ the classroom report
def _executed(*markers):
    return {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "data": {"text/plain": "x"},
                        "metadata": {MARKER_KEY: m},
                    }
                ],
            }
            for m in markers
        ]
    }


def test_hint_counts_are_read_from_the_saved_outputs():
    nb = _executed(
        {"exercise": "03.bell_state", "hints_opened": 2},
        {"exercise": "03.ghz_circuit", "hints_opened": 1},
        {"exercise": "03.ghz_circuit", "hints_opened": True},  # not a count
        {"exercise": "03.chsh_value", "hints_opened": -4},
        {"concept": "03.q1", "correct": True},
    )
    assert hints_opened_in(nb) == {"03.bell_state": 2, "03.ghz_circuit": 1}
    assert hints_opened_in({"cells": "junk"}) == {}


def test_class_hint_counts_come_from_each_submission(tmp_path):
    for student, n in (("s1", 3), ("s2", 1)):
        folder = tmp_path / "submitted" / student / "a1"
        folder.mkdir(parents=True)
        (folder / "03.ipynb").write_text(
            json.dumps(_executed({"exercise": "03.bell_state", "hints_opened": n}))
        )
    (tmp_path / "submitted" / "s3" / "a1").mkdir(parents=True)
    (tmp_path / "submitted" / "s3" / "a1" / "bad.ipynb").write_text("[" * 100_000)
    (tmp_path / "submitted" / "s3" / "a1" / "link.ipynb").symlink_to(
        tmp_path / "submitted" / "s1" / "a1" / "03.ipynb"
    )
    assert hints_opened_in_folder(tmp_path / "submitted" / "s3" / "a1") == {}
    counts = class_hint_counts(tmp_path, "a1", ["s1", "s2", "s3"])
    assert counts == {"03.bell_state": [3, 1, 0]}


# ------------------------------------------------------------------ sync writes the cells
def test_sync_writes_a_hint_cell_per_exercise_and_the_concept_checks():
    from autograder.authoring import sync_notebook

    lesson = find_lesson("01")
    nb = read_notebook(lesson.notebook)
    synced = sync_notebook(nb, "01")
    ids = [c.id for c in synced.cells]
    for ex_id in exercises("01"):
        base = "ex-01-" + ex_id[3:].replace("_", "-")
        at = ids.index(base + "-hint")
        assert ids[at - 1] == base + "-check" and ids[at + 1] == base + "-grade"
        cell = synced.cells[at]
        assert cell.source == f'from autograder import hint\n\nhint("{ex_id}")'
        assert cell.metadata["tags"] == ["qmlcourse-help"] and "nbgrader" not in cell.metadata
        task_cell = synced.cells[ids.index(base + "-task")]
        task = next(ln for ln in task_cell.source.splitlines() if ln.startswith("### Exercise"))
        ex = get_exercise(ex_id)
        assert task.endswith(f"({ex.difficulty}, about {ex.minutes} min)")
    concept_ids = [f"concept-01-q{k}" for k in range(1, len(concepts_of("01")) + 1)]
    start = ids.index(concept_ids[0])
    assert ids[start : start + len(concept_ids)] == concept_ids
    intro = synced.cells[start - 1]
    assert intro.source.startswith("## Check your understanding\n")
    assert synced.cells[start + len(concept_ids)].source.startswith("## Summary")
    # sync again: nothing changes; a hand-edited or moved help cell is put back
    assert sync_notebook(synced, "01") == synced
    edited = nbformat.from_dict(json.loads(json.dumps(synced)))
    edited.cells[ids.index("ex-01-normalize-hint")].source = 'hint("01.normalize")  # mine'
    edited.cells.append(edited.cells.pop(start))
    assert sync_notebook(edited, "01") == synced


def test_an_exercise_without_hints_gets_no_hint_cell(monkeypatch):
    from autograder.authoring import sync_notebook
    from autograder.help import content

    real = content.hints_for
    monkeypatch.setattr(content, "hints_for", lambda e: [] if e == "03.ghz_circuit" else real(e))
    synced = sync_notebook(read_notebook(find_lesson("03").notebook), "03")
    ids = [c.id for c in synced.cells]
    assert "ex-03-ghz-circuit-hint" not in ids and "ex-03-bell-state-hint" in ids


def test_help_cells_run_quietly_where_the_checks_are_missing(monkeypatch):
    """The classroom sandbox gets a copy of autograder without its checks: a hint or worked
    cell that a learner left in the notebook must not fail there."""
    from autograder.help import explained, hints

    def no_checks(_exercise_id):
        raise ImportError("cannot import name 'checks' from 'autograder'")

    monkeypatch.setattr(hints, "_exercise", no_checks)
    monkeypatch.setattr(explained, "get_exercise", no_checks, raising=False)
    import autograder.engine as engine

    monkeypatch.setattr(engine, "get_exercise", no_checks)
    view = hint("03.bell_state")
    assert view.marker is None and "not shown while the notebook is graded" in view.text
    assert "not shown while the notebook is graded" in worked("03.bell_state").text
    assert concept("03.q2", 0.5).marker["correct"] is True  # needs no checks


def test_the_class_report_shows_the_mean_hints_opened_per_exercise(tmp_path, monkeypatch):
    from autograder.classroom import workflow
    from autograder.classroom.course import Course
    from autograder.records import SubmissionResult

    def result(student: str, score: float) -> SubmissionResult:
        row = {
            "exercise_id": "00.plus_state",
            "grade_id": "ex_00_plus_state",
            "score": score,
            "max_score": 2.0,
            "passed": score == 2.0,
            "feedback": "",
            "mistakes": [],
            "status": "graded",
        }
        return SubmissionResult.from_dict(
            {
                "student": student,
                "assignment": "a1",
                "status": "graded",
                "reason": None,
                "notes": [],
                "cell_errors": [],
                "skipped_cells": [],
                "exercises": [row],
                "isolation": "rlimits",
                "notebook": None,
                "score": score,
                "max_score": 2.0,
                "duration": 0.01,
                "not_scored": [],
            }
        )

    monkeypatch.setattr(workflow, "load_results", lambda c, a: [result("s1", 2), result("s2", 0)])
    folder = tmp_path / "class" / "submitted" / "s1" / "a1"
    folder.mkdir(parents=True)
    (folder / "a1.ipynb").write_text(
        json.dumps(_executed({"exercise": "00.plus_state", "hints_opened": 3}))
    )
    text = workflow.class_report(Course(tmp_path / "class"), "a1")
    assert "| exercise | pass rate | mean score | hints opened (mean) |" in text
    assert "| 00.plus_state | 50% | 1.00/2 | 1.5 | - |" in text  # (3 + 0) / 2
