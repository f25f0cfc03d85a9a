"""qmlkit.optimizers: Adam, the scipy wrapper (history, callback, errors) and the progress bar."""

import io

import numpy as np
import pytest

from qmlkit.errors import InputError
from qmlkit.optimizers import ProgressBar, adam, minimize

_A = np.array([[3.0, 1.0], [1.0, 2.0]])
_C = np.array([1.0, -0.5])


def _quadratic(w):
    d = np.asarray(w) - _C
    return float(d @ _A @ d), 2 * _A @ d


@pytest.mark.parametrize("method", ["L-BFGS-B", "BFGS", "CG", "Nelder-Mead", "Powell", "COBYLA"])
def test_scipy_methods_by_name_record_history_and_callback(method):
    calls = []
    res = minimize(
        _quadratic,
        np.array([-1.0, 1.0]),
        method=method,
        maxiter=500,
        callback=lambda i, f: calls.append((i, f)),
    )
    assert res.fun < 1e-3
    assert [i for i, _ in calls] == list(range(1, len(calls) + 1))
    assert [f for _, f in calls] == res.history
    assert res.nit == len(res.history) <= 500 + 2


def test_adam_converges_and_keeps_best_point():
    res = adam(
        lambda w: (float(w @ w), 2 * w), np.array([1.0, -2.0]), maxiter=400, learning_rate=0.05
    )
    assert res.fun < 1e-4 and len(res.history) == 400
    assert res.fun == pytest.approx(float(res.x @ res.x))


def test_unknown_optimizer_and_bad_maxiter():
    with pytest.raises(InputError, match="Unknown optimizer"):
        minimize(_quadratic, np.zeros(2), method="sgd-with-magic")
    with pytest.raises(InputError, match="maxiter"):
        minimize(_quadratic, np.zeros(2), maxiter=0)
    with pytest.raises(InputError, match="name"):
        minimize(_quadratic, np.zeros(2), method=None)


def test_progress_bar_text_and_widget_paths():
    out = io.StringIO()
    bar = ProgressBar(3, enabled=True, desc="fit", stream=out, widget=False)
    for loss in (3.0, 2.0, 1.0):
        bar.update(loss)
    bar.close()
    text = out.getvalue()
    assert "3/3" in text and "loss 1" in text and text.endswith("\n")
    widget = ProgressBar(5, enabled=True, desc="fit", stream=io.StringIO(), widget=True)
    widget.update(0.5)
    widget.close()  # outside Jupyter the widget is created (and displayed as text), never waits
    assert widget._widget is not None and widget._bar.value == 1
    silent = io.StringIO()
    off = ProgressBar(3, enabled=False, stream=silent)
    off.update(1.0)
    off.close()
    assert silent.getvalue() == ""
