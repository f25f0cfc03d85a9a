import subprocess
import sys
import time

import numpy as np
import pytest

import autograder
from autograder import check, exercises, grade
from autograder.engine import Tester, exercise, get_exercise, run_check
from autograder.errors import CheckFailed, UnknownExercise


def good_plus():
    return np.array([1, 1]) / np.sqrt(2)


def test_check_returns_result_with_fields():
    r = check("00.plus_state", good_plus)
    assert r.passed and r.score == 2.0 and r.max_score == 2.0
    assert "passed" in r.feedback and "00.plus_state" in str(r)
    assert "<div" in r._repr_html_()


def test_exercises_lists_ids_and_lesson_filter():
    ids = exercises()
    assert ids == sorted(ids) and "00.x_on_qubit" in ids
    assert all(i.startswith("00.") for i in exercises("0"))


def test_unknown_id_suggests_nearest():
    with pytest.raises(UnknownExercise) as err:
        check("00.plus_sate", good_plus)
    assert "'00.plus_state'" in str(err.value)
    with pytest.raises(UnknownExercise, match="exercises"):
        check("zz.nothing_like_it", good_plus)
    with pytest.raises(UnknownExercise, match="string"):
        check(3, good_plus)


def test_exception_becomes_failed_case_with_learner_line():
    def broken():
        return 1 / 0

    r = check("00.plus_state", broken)
    assert not r.passed and r.score == 0 and r.error is None
    assert "ZeroDivisionError" in r.feedback and "1 / 0" in r.feedback


def test_infinite_loop_times_out_and_stops(monkeypatch):
    monkeypatch.setattr(get_exercise("00.plus_state"), "time_limit", 0.5)

    def spin():
        while True:
            pass

    start = time.monotonic()
    r = check("00.plus_state", spin)
    assert time.monotonic() - start < 5
    assert not r.passed and "did not finish" in r.feedback
    assert "not run" in r.feedback  # the second case is skipped


def test_sys_exit_is_a_failed_result():
    r = check("00.plus_state", lambda: sys.exit(3))
    assert not r.passed and "sys.exit" in r.feedback


def test_keyboard_interrupt_in_learner_code_is_contained():
    def interrupt():
        raise KeyboardInterrupt

    r = check("00.plus_state", interrupt)
    assert not r.passed and "KeyboardInterrupt" in r.feedback


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda: None, "forget to `return`"),
        (lambda: "0.7, 0.7", "Expected"),
        (lambda: np.array([np.nan, 1.0]), "NaN"),
        (lambda: np.ones((2, 2)), "1-D"),
        (42, "callable"),
    ],
)
def test_wrong_types_are_clear(answer, fragment):
    r = check("00.plus_state", answer)
    assert not r.passed and fragment in r.feedback


def test_partial_credit_counts_passed_cases():
    from qiskit import QuantumCircuit

    def only_small(n, k):
        qc = QuantumCircuit(n)
        qc.x(k if n < 4 else 0)
        return qc

    r = check("00.x_on_qubit", only_small)
    assert r.score == 2.0 and r.max_score == 3.0 and not r.passed
    assert "hidden" in r.feedback  # the hidden case's expected value is not revealed


def test_learner_stderr_and_warnings_do_not_leak(capfd):
    import warnings

    def noisy():
        print("debugging...", file=sys.stderr)
        warnings.warn("careful", UserWarning, stacklevel=2)
        return good_plus()

    score = grade("00.plus_state", noisy)
    out, err = capfd.readouterr()
    assert score == 2.0
    assert err == ""  # nbgrader scores any stderr output as zero
    assert "00.plus_state: passed" in out


def test_grade_returns_float_for_partial_credit(capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # the full feedback is printed
    score = grade("00.plus_state", lambda: np.array([1, 1]))
    assert isinstance(score, float) and score == 0.0
    assert "not normalised" in capsys.readouterr().out


def test_internal_checker_error_is_not_scored_as_learner_fault():
    @exercise("99.broken_checker", points=1)
    def _broken(t: Tester) -> None:
        with t.case("x", points=1):
            raise RuntimeError("bug in our checker")

    try:
        r = run_check("99.broken_checker", lambda: 1)
        assert r.error and "internal grader error" in r.error
        assert "not your fault" in r.feedback
    finally:
        autograder.engine._REGISTRY.pop("99.broken_checker")


def test_points_mismatch_is_reported():
    @exercise("99.bad_points", points=2)
    def _bad(t: Tester) -> None:
        with t.case("only one point", points=1):
            pass

    try:
        assert "add up" in run_check("99.bad_points", lambda: 1).error
    finally:
        autograder.engine._REGISTRY.pop("99.bad_points")


class _CrashingRunner:
    """A runner whose learner process dies on the second call (as a sandbox can)."""

    reports_warnings = False

    def __init__(self):
        self.calls = 0

    def answer(self, ex):
        return lambda *args: None

    def run(self, fn, args, kwargs, *, deadline, limit):
        from autograder.errors import LearnerError

        self.calls += 1
        if self.calls == 2:
            raise LearnerError("crashed: killed by SIGKILL.", kind="crash")
        return np.array([1, 1]) / np.sqrt(2)


def test_grade_exercise_with_a_pluggable_runner():
    """The one core: the runner decides where the learner's code runs; after a crash the
    remaining cases are not run, and the result says it was interrupted."""
    from autograder.engine import grade_exercise

    @exercise("99.three_calls", points=3)
    def _three(t: Tester) -> None:
        for i in range(3):
            with t.case(f"call {i}", points=1):
                t.call()

    try:
        runner = _CrashingRunner()
        r = grade_exercise(get_exercise("99.three_calls"), runner)
        assert runner.calls == 2 and r.error is None
        assert [c.passed for c in r.cases] == [True, False, False]
        assert (
            r.cases[1].message == "Your function crashed: killed by SIGKILL."
            and r.cases[1].kind == "crash"
        )
        assert r.cases[2].message == "not run: an earlier call crashed the Python process."
        assert r.interrupted == "crash" and r.score == 1.0 and r.max_score == 3.0
    finally:
        autograder.engine._REGISTRY.pop("99.three_calls")


def test_the_graders_budget_between_cases_keeps_the_points_whole():
    """A guard (the classroom's alarm) that rings between two cases: the rest of the check
    fails as a timeout worth the points not yet checked, never a grader error."""
    import contextlib

    from autograder.engine import ThreadRunner, grade_exercise
    from autograder.errors import CheckTimeBudget

    @exercise("99.slow_checker", points=3)
    def _slow(t: Tester) -> None:
        with t.case("first", points=1):
            t.call()
        raise CheckTimeBudget("Checking this answer took the grader more than 1 s")

    @contextlib.contextmanager
    def guard():
        yield

    try:
        r = grade_exercise(get_exercise("99.slow_checker"), ThreadRunner(good_plus), guard=guard)
        assert r.error is None and r.interrupted == "timeout"
        assert [(c.description, c.passed, c.max_points) for c in r.cases] == [
            ("first", True, 1.0),
            ("the rest of the check", False, 2.0),
        ]
        assert r.score == 1.0 and r.max_score == 3.0 and "took the grader" in r.feedback
    finally:
        autograder.engine._REGISTRY.pop("99.slow_checker")


def test_expect_raises():
    @exercise("99.raises", points=1)
    def _r(t: Tester) -> None:
        with t.case("raises ValueError", points=1):
            t.expect_raises(ValueError, 0)

    def good(x):
        raise ValueError("zero")

    def wrong_type(x):
        raise TypeError("zero")

    try:
        assert run_check("99.raises", good).passed
        r = run_check("99.raises", wrong_type)
        assert not r.passed and "should raise ValueError" in r.feedback
        r = run_check("99.raises", lambda x: x)
        assert not r.passed and "returned 0" in r.feedback
    finally:
        autograder.engine._REGISTRY.pop("99.raises")


def test_result_to_dict_is_json_serialisable():
    import json

    r = check("00.plus_state", lambda: np.array([1, 1]))
    data = json.loads(json.dumps(r.to_dict()))
    assert data["score"] == 0.0 and data["mistakes"]


def test_check_failed_carries_fields():
    err = CheckFailed("m", expected=1, actual=2, hint="h")
    assert (err.message, err.expected, err.actual, err.hint) == ("m", 1, 2, "h")


def test_import_is_light():
    # the registry loads lazily: importing autograder does not import qiskit by itself
    code = "import sys, autograder; print('qiskit' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True
    ).stdout.strip()
    assert out == "False"
