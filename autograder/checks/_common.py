"""Checker helpers shared by several lessons' checks (so lesson files never import each other)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import compare as cmp
from ..engine import Tester
from ..errors import CheckFailed

PASS_ACCURACY = 0.85


def check_classifier(
    t: Tester,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    data_name: str,
    threshold: float = PASS_ACCURACY,
) -> None:
    """Shared by 08.train_vqc and 09.train_hybrid: fit once, then grade ``predict``.

    Cases: a model with ``predict`` (1 point), predictions of the right shape with labels
    in {0, 1} (1 point), accuracy >= 0.70 (1 point), accuracy >= ``threshold`` (3 points).
    """
    name = t.exercise.function_name
    state: dict[str, Any] = {}
    with t.case(
        f"{name}(X_train, y_train) on {len(X_train)} {data_name} points returns a "
        "model with predict",
        points=1,
    ):
        model = t.call(X_train.copy(), y_train.copy())
        if model is None:
            raise CheckFailed(f"{name} returned None. Did you forget `return model`?")
        if not callable(getattr(model, "predict", None)):
            raise CheckFailed(
                f"The returned {type(model).__name__} has no predict method.",
                hint="return the fitted model object (model.fit(...) returns it), not its "
                "score or its predictions",
            )
        state["model"] = model
    with t.case(
        f"model.predict on {len(X_test)} hidden test points returns labels in {{0, 1}}",
        points=1,
        hidden=True,
    ):
        if "model" not in state:
            raise CheckFailed("Not run: there is no model to test.")
        raw = t.run(state["model"].predict, X_test.copy())
        pred = cmp.as_array(raw, what="predictions", dtype=float).ravel()
        if pred.shape != (len(X_test),):
            raise CheckFailed(
                f"predict returned {pred.size} labels for {len(X_test)} points.",
                hint="wrong shape: one label per row of X",
            )
        if not np.all(np.isin(pred, (0, 1))):
            raise CheckFailed(
                "The predictions must be the labels 0 and 1.",
                actual=pred[:10],
                hint="predict returns labels; predict_proba returns probabilities",
            )
        state["accuracy"] = float(np.mean(pred == y_test))
        state["constant"] = bool(np.all(pred == pred[0]))
    for level, pts in ((0.70, 1), (threshold, 3)):
        with t.case(f"test accuracy >= {level:.2f}", points=pts, hidden=True):
            if "accuracy" not in state:
                raise CheckFailed("Not run: there are no predictions to score.")
            acc = state["accuracy"]
            if acc < level:
                raise CheckFailed(
                    f"The test accuracy is {acc:.2f}; at least {level:.2f} is needed.",
                    actual=acc,
                    hint=_accuracy_hint(acc, state["constant"]),
                )


def _accuracy_hint(acc: float, constant: bool) -> str | None:
    if constant:
        return "predict gives the same label for every point: the model has not learned to separate the classes"
    if acc < 0.3:
        return (
            f"below chance: {1 - acc:.2f} of the predictions are the opposite class, so the "
            "labels 0 and 1 are swapped somewhere (in the training labels, or in how predict "
            "turns the model's output into a class)"
        )
    if acc < 0.5:
        return None
    return (
        "train longer or use a more expressive circuit (more layers, data re-uploading); "
        "check the training accuracy first"
    )
