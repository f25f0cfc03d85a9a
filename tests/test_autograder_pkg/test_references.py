"""Every registered exercise has a reference solution, and it gets full marks."""

import pytest

from autograder import check, exercises, get_exercise
from autograder.solutions import reference

FAST = [e for e in exercises() if not e.split(".", 1)[1].startswith("train_")]
TRAINED = [e for e in exercises() if e.split(".", 1)[1].startswith("train_")]


@pytest.mark.parametrize("exercise_id", FAST)
def test_reference_gets_full_marks(exercise_id):
    result = check(exercise_id, reference(exercise_id))
    assert result.passed and result.score == get_exercise(exercise_id).points, result.feedback


@pytest.mark.slow
@pytest.mark.parametrize("exercise_id", TRAINED)
def test_trained_reference_gets_full_marks(exercise_id):
    result = check(exercise_id, reference(exercise_id))
    assert result.passed, result.feedback


def test_every_exercise_has_a_title_and_points():
    for exercise_id in exercises():
        ex = get_exercise(exercise_id)
        assert ex.title and ex.points > 0 and ex.time_limit > 0


@pytest.mark.parametrize("lesson", ["05", "06", "07"])
def test_odd_answers_fail_cleanly(lesson):
    """None, text, ragged lists and dicts score zero without an internal grader error."""
    for exercise_id in exercises(lesson):
        for answer in (
            lambda *a: None,
            lambda *a: "text",
            lambda *a: [[1, 2], [3]],
            lambda *a: {"a": 1},
        ):
            r = check(exercise_id, answer)
            assert r.error is None, (exercise_id, r.error)
            assert r.score == 0, (exercise_id, r.feedback)


def test_every_exercise_has_a_signature_from_its_reference():
    """The docs and the lesson check read an exercise's signature from its reference."""
    from autograder.authoring import signature_text

    for exercise_id in exercises():
        name = exercise_id.split(".", 1)[1]
        text = signature_text(exercise_id)
        assert text.startswith(name + "(") and "..." not in text, text
