"""Checks for lesson 16: the capstone project's sanity checks.

The learner chooses the data set and the model, so nothing here can grade accuracy: that is
the instructor's part (the manually graded cells of the lesson, with their rubric). What the
check verifies are the rules of an honest evaluation, by calling the learner's
``run_project(seed)`` with seeds of its own and refitting the returned models:

* the test rows are disjoint from the training rows and not a token few;
* nothing was fitted on the test rows: the features are not scaled on all rows before the
  split, and refitting the returned model on the training rows alone reproduces its
  outputs on the test rows (a model fitted on all rows is caught because the refit on the
  training rows and test rows together reproduces them instead). The refit is done in
  place, through the model's own ``fit``: in the classroom grader the model stays in the
  learner's sandbox, where it cannot be cloned;
* the reported scores are the accuracies of the returned models on the test rows;
* a classical baseline is fitted on the same training rows and scored on the same test rows;
* the same seed reproduces the split and the scores, and another seed gives another split.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..engine import Tester, exercise
from ..errors import CheckFailed, LearnerError

_KEYS = ("X", "y", "train_index", "test_index", "model", "baseline", "test_score", "baseline_score")
#: the seeds the check passes to run_project
_SEEDS = (1601, 1602)


def _type_name(obj: Any) -> str:
    """The class name of a learner's object; a model that stayed in the grading sandbox
    (a ``RemoteObject``) carries the name of its class in the sandbox."""
    if type(obj).__name__ == "RemoteObject":
        return str(getattr(obj, "_type", ""))
    return type(obj).__name__


def _qmlkit_names() -> set[str]:
    import qmlkit.models

    return {n for n in dir(qmlkit.models) if isinstance(getattr(qmlkit.models, n), type)}


def _is_quantum(t: Tester, estimator: Any) -> bool:
    """Whether the estimator is, or contains (pipeline steps, a search's estimator), a
    qmlkit model, read from its class name and from ``get_params(deep=True)``."""
    quantum = _qmlkit_names()
    found = [estimator]
    get_params = getattr(estimator, "get_params", None)
    if callable(get_params):
        params = t.run(get_params, deep=True)
        if isinstance(params, Mapping):
            for value in params.values():
                items = value if isinstance(value, (list, tuple)) else [value]
                for item in items:
                    found += list(item) if isinstance(item, tuple) else [item]
    for obj in found:
        if isinstance(obj, (str, bytes, int, float, bool, type(None), np.ndarray)):
            continue
        if _type_name(obj) in quantum or type(obj).__module__.split(".")[0] == "qmlkit":
            return True
    return False


def _indices(value: Any, n: int, name: str) -> np.ndarray:
    try:
        idx = np.asarray(value).reshape(-1)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} must be an array of row indices into X.") from None
    if idx.dtype == bool:
        raise CheckFailed(
            f"{name} is a boolean mask; return integer row indices (np.flatnonzero(mask)).",
            hint="return integer row indices, e.g. from train_test_split(np.arange(len(y)), ...)",
        )
    if idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise CheckFailed(
            f"{name} must be a non-empty array of integer row indices into X.",
            hint="return integer row indices, e.g. from train_test_split(np.arange(len(y)), ...)",
        )
    if idx.min() < 0 or idx.max() >= n:
        raise CheckFailed(f"{name} has indices outside 0..{n - 1} (X has {n} rows).")
    return idx


def _score(value: Any, name: str) -> float:
    try:
        score = float(value)
    except (TypeError, ValueError):
        raise CheckFailed(f"{name} must be a number (an accuracy between 0 and 1).") from None
    if not 0.0 <= score <= 1.0:
        raise CheckFailed(f"{name} is {score}; an accuracy lies between 0 and 1.")
    return score


def _project(value: Any) -> dict[str, Any]:
    """The learner's project, validated for shape (raises CheckFailed with what is wrong)."""
    if not isinstance(value, Mapping):
        raise CheckFailed(
            f"run_project must return a dict with the keys {', '.join(_KEYS)}; "
            f"got {type(value).__name__}."
        )
    missing = [k for k in _KEYS if k not in value]
    if missing:
        raise CheckFailed(
            f"The project dict has no {', '.join(repr(k) for k in missing)}.",
            hint=f"return a dict with all of {', '.join(_KEYS)}",
        )
    try:
        X = np.asarray(value["X"], dtype=float)
        y = np.asarray(value["y"]).reshape(-1)
    except (TypeError, ValueError):
        raise CheckFailed("X must be a 2-D array of numbers and y a 1-D array of labels.") from None
    if X.ndim != 2 or len(X) != len(y):
        raise CheckFailed(
            f"X must be 2-D with one row per label: X has shape {X.shape}, y has {len(y)} labels."
        )
    p = dict(value)
    p["X"], p["y"] = X, y
    p["train_index"] = _indices(value["train_index"], len(y), "train_index")
    p["test_index"] = _indices(value["test_index"], len(y), "test_index")
    p["test_score"] = _score(value["test_score"], "test_score")
    p["baseline_score"] = _score(value["baseline_score"], "baseline_score")
    for key in ("model", "baseline"):
        if not (hasattr(value[key], "predict") and hasattr(value[key], "fit")):
            raise CheckFailed(
                f"{key} must be a fitted scikit-learn estimator (with fit and predict), got "
                f"{type(value[key]).__name__}."
            )
    return p


def _outputs(t: Tester, estimator: Any, X: np.ndarray) -> np.ndarray:
    """The most informative outputs of an estimator on X: probabilities, scores or labels."""
    for method in ("predict_proba", "decision_function", "predict"):
        fn = getattr(estimator, method, None)
        if callable(fn):
            try:
                return np.asarray(t.run(fn, X))
            except Exception:  # noqa: BLE001 - e.g. an SVC without probability=True
                if method == "predict":
                    raise
    raise CheckFailed("The estimator has no predict method.")


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return bool(np.allclose(a, b, atol=1e-6, rtol=1e-6))
    return bool(np.array_equal(a, b))


def _accuracy(predicted: np.ndarray, y: np.ndarray) -> float:
    if predicted.shape != y.shape:
        raise CheckFailed(f"predict returned {predicted.size} labels for {len(y)} rows.")
    return float(np.mean(predicted == y))


def _scaled_on_all_rows(X: np.ndarray) -> str | None:
    """Why X looks scaled with statistics of all its rows (test rows included), or None."""
    if X.shape[1] < 2 or len(X) < 10:
        return None
    if np.allclose(X.mean(axis=0), 0, atol=1e-8) and np.allclose(X.std(axis=0), 1, atol=1e-6):
        return "standardised (mean 0, standard deviation 1 over all rows)"
    lo, hi = X.min(axis=0), X.max(axis=0)
    for top in (1.0, np.pi, 2 * np.pi):
        if np.allclose(lo, 0, atol=1e-12) and np.allclose(hi, top, atol=1e-12):
            return f"min-max scaled to [0, {'π' if top == np.pi else '2π' if top > 4 else '1'}] over all rows"
    return None


def _refit_hint(t: Tester, p: dict[str, Any], key: str) -> str | None:
    """None when refitting p[key] on the training rows reproduces its outputs on the test
    rows; else the diagnosis (fitted on the test rows too, or not reproducible).

    The estimator is refitted in place (it may live in the grading sandbox, where it cannot
    be cloned): it is the fresh object of this check's own call of run_project.
    """
    X, y, tr, te = p["X"], p["y"], p["train_index"], p["test_index"]
    theirs = p["outputs"][key]
    t.run(p[key].fit, X[tr], y[tr])
    if _same(_outputs(t, p[key], X[te]), theirs):
        return None
    both = np.union1d(tr, te)
    t.run(p[key].fit, X[both], y[both])
    if _same(_outputs(t, p[key], X[te]), theirs):
        return (
            f"the {key} was fitted on the test rows too (on all rows?): fit it on "
            "X[train_index] only, and score it on X[test_index]"
        )
    return (
        f"refitting the {key} on the training rows gives another {key}: fix its random_state "
        "(and every seed) and fit it on X[train_index] only"
    )


_PROJECT_TEXT = (
    "run_project(seed) returns the project: X, y, a disjoint split with a test part, "
    "two fitted models and their scores"
)


@exercise(
    "16.run_project",
    points=5,
    time_limit=120,
    title="An honest project pipeline",
    difficulty="medium",
    minutes=40,
    hints=[
        "Split the row indices once, first: train_test_split(np.arange(len(y)), "
        "test_size=0.3, stratify=y, random_state=seed). Everything that learns from data "
        "(scaler, PCA, model) is then fitted on X[train_index] only.",
        "Put the preprocessing inside the models: make_pipeline(StandardScaler(), PCA(...), "
        "MinMaxScaler((0, np.pi)), VQC(..., random_state=seed)), so that they take rows of X "
        "as loaded; the baseline is a classical pipeline fitted on the same rows.",
        "Return the raw X and y you used and compute both scores with .score(X[test_index], "
        "y[test_index]); pass seed to every random_state so that a rerun gives the same numbers.",
    ],
)
def check_run_project(t: Tester) -> None:
    state: dict[str, Any] = {}

    def need() -> dict[str, Any]:
        if "error" in state:  # the learner's function raised: every case says so (a stub
            raise state["error"]  # reads "not started" in every case, as in other checks)
        if "p" not in state:
            raise CheckFailed(
                "Not checked: run_project did not return a usable project (see the first case)."
            )
        return state["p"]

    with t.case(_PROJECT_TEXT, points=1):
        try:
            value = t.call(_SEEDS[0])
        except LearnerError as err:
            state["error"] = err
            raise
        p = _project(value)
        te = p["test_index"]
        # the models' outputs and labels on the test rows, before any refit
        p["outputs"] = {k: _outputs(t, p[k], p["X"][te]) for k in ("model", "baseline")}
        p["labels"] = {
            k: np.asarray(t.run(p[k].predict, p["X"][te])).reshape(-1)
            for k in ("model", "baseline")
        }
        state["p"] = p  # the later cases check the other rules on it
        tr, te, n = p["train_index"], p["test_index"], len(p["y"])
        shared = np.intersect1d(tr, te)
        if shared.size:
            raise CheckFailed(
                f"{shared.size} rows are in both train_index and test_index.",
                hint="the test rows must never be used for training: split the row indices "
                "once and keep the two parts disjoint",
            )
        if len(set(te.tolist())) < max(10, round(0.15 * n)):
            raise CheckFailed(
                f"The test part has {len(set(te.tolist()))} of {n} rows; keep at least 15% "
                "(and 10 rows) to measure the accuracy.",
                hint="hold out a real test part, e.g. test_size=0.3",
            )
        if not _is_quantum(t, p["model"]):
            raise CheckFailed(
                "The model contains no qmlkit estimator: it should be your quantum model.",
                hint="model is your quantum model (a qmlkit estimator such as VQC or QSVC, "
                "possibly the last step of a Pipeline)",
            )

    with t.case("nothing was fitted on the test rows (no leakage)", points=1):
        p = need()
        how = _scaled_on_all_rows(p["X"])
        if how:
            raise CheckFailed(
                f"X looks {how}: it was scaled with statistics of the test rows too.",
                hint="scale inside the model: return X as loaded and put the scaler in a "
                "Pipeline, which fits it on the training rows only",
            )
        hint = _refit_hint(t, p, "model")
        if hint:
            raise CheckFailed(
                "A clone of your model refitted on X[train_index] does not reproduce your "
                "model on the test rows.",
                hint=hint,
            )

    with t.case("test_score is the model's accuracy on the test rows", points=1):
        p = need()
        te = p["test_index"]
        accuracy = _accuracy(p["labels"]["model"], p["y"][te])
        if abs(accuracy - p["test_score"]) > 1e-9:
            train = p["train_index"]
            on_train = _accuracy(
                np.asarray(t.run(p["model"].predict, p["X"][train])).reshape(-1), p["y"][train]
            )
            hint = (
                "test_score is the accuracy on the training rows: score on X[test_index]"
                if abs(on_train - p["test_score"]) < 1e-9
                else "compute test_score as model.score(X[test_index], y[test_index]), with X "
                "as returned (the model must take rows of X as they are)"
            )
            raise CheckFailed(
                f"test_score is {p['test_score']:.4f} but the model's accuracy on the test "
                f"rows is {accuracy:.4f}.",
                hint=hint,
            )

    with t.case(
        "a classical baseline, fitted on the same training rows and scored on the same test rows",
        points=1,
    ):
        p = need()
        if _is_quantum(t, p["baseline"]):
            raise CheckFailed(
                "The baseline contains a qmlkit estimator; it must be a classical model.",
                hint="the baseline is a classical model (e.g. LogisticRegression or an RBF "
                "SVC in a Pipeline with the same preprocessing)",
            )
        te = p["test_index"]
        accuracy = _accuracy(p["labels"]["baseline"], p["y"][te])
        if abs(accuracy - p["baseline_score"]) > 1e-9:
            raise CheckFailed(
                f"baseline_score is {p['baseline_score']:.4f} but the baseline's accuracy on "
                f"the test rows is {accuracy:.4f}.",
                hint="score the baseline on the same test rows as the model: "
                "baseline.score(X[test_index], y[test_index])",
            )
        hint = _refit_hint(t, p, "baseline")
        if hint:
            raise CheckFailed(
                "A clone of your baseline refitted on X[train_index] does not reproduce it.",
                hint=hint,
            )

    with t.case("the same seed gives the same numbers, another seed another split", points=1):
        p = need()
        again = _project(t.call(_SEEDS[0]))
        same = (
            np.array_equal(np.sort(again["train_index"]), np.sort(p["train_index"]))
            and np.array_equal(np.sort(again["test_index"]), np.sort(p["test_index"]))
            and abs(again["test_score"] - p["test_score"]) < 1e-12
            and abs(again["baseline_score"] - p["baseline_score"]) < 1e-12
        )
        if not same:
            raise CheckFailed(
                "Two runs with the same seed gave different splits or scores.",
                hint="fix every seed from the seed argument: the split's random_state, the "
                "model's random_state and any subsampling",
            )
        other = _project(t.call(_SEEDS[1]))
        if np.array_equal(np.sort(other["test_index"]), np.sort(p["test_index"])):
            raise CheckFailed(
                f"run_project({_SEEDS[1]}) gave the same split as run_project({_SEEDS[0]}).",
                hint="use the seed argument (random_state=seed), not a fixed number: another "
                "seed must give another split",
            )
