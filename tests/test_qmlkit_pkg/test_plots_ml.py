"""qmlkit.plots.ml: figures are drawn with the right content; bad input gives clear errors."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from qmlkit.errors import InputError  # noqa: E402
from qmlkit.plots import (  # noqa: E402
    plot_decision_boundary,
    plot_kernel_matrix,
    plot_scaling,
    plot_training_curve,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_kernel_matrix_heat_map_shows_values():
    K = np.array([[1.0, 0.2], [0.2, 1.0]])
    fig = plot_kernel_matrix(K, title="K")
    image = fig.axes[0].get_images()[0]
    assert np.allclose(image.get_array(), K)
    assert fig.axes[0].get_title() == "K"


def test_kernel_matrix_rejects_bad_input():
    with pytest.raises(InputError, match="2-D"):
        plot_kernel_matrix([1.0, 2.0])
    with pytest.raises(InputError, match="NaN"):
        plot_kernel_matrix([[np.nan]])


class _Proba:
    def __init__(self):
        self.calls = 0

    def predict_proba(self, X):
        self.calls += 1
        p = 1 / (1 + np.exp(-(np.asarray(X)[:, 0] - 0.5) * 10))
        return np.column_stack([1 - p, p])


class _Predict:
    def predict(self, X):
        return (np.asarray(X)[:, 1] > 0.5).astype(int)


def test_decision_boundary_with_predict_proba_and_test_points():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.2, 0.8]])
    y = [0, 1, 0]
    model = _Proba()
    fig = plot_decision_boundary(model, X, y, X_test=[[0.9, 0.1]], y_test=[1], resolution=12)
    ax = fig.axes[0]
    assert model.calls == 1
    assert ax.get_title() == "P(class 1)"
    assert len(ax.collections) >= 3  # filled regions, boundary, points
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "test"]


def test_decision_boundary_with_predict_only():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    fig = plot_decision_boundary(_Predict(), X, [0, 1], resolution=8)
    assert fig.axes[0].get_title() == "predicted class"


def test_decision_boundary_rejects_bad_input():
    with pytest.raises(InputError, match=r"shape \(n, 2\)"):
        plot_decision_boundary(_Predict(), np.zeros((3, 3)), [0, 1, 0])
    with pytest.raises(InputError, match="labels"):
        plot_decision_boundary(_Predict(), np.zeros((3, 2)), [0, 1])
    with pytest.raises(InputError, match="predict"):
        plot_decision_boundary(object(), np.zeros((2, 2)), [0, 1])


def test_training_curve_one_and_several():
    fig = plot_training_curve([3.0, 2.0, 1.0], title="t")
    (line,) = fig.axes[0].get_lines()
    assert list(line.get_ydata()) == [3.0, 2.0, 1.0]
    fig = plot_training_curve({"a": [1, 0.5], "b": [2, 1]}, logy=True, reference=0.1)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 3
    with pytest.raises(InputError, match="empty"):
        plot_training_curve([])


def test_scaling_checks_lengths():
    fig = plot_scaling([2, 4], {"a": [1, 2], "b": [3, 4]}, ylabel="y")
    assert len(fig.axes[0].get_lines()) == 2 and fig.axes[0].get_ylabel() == "y"
    with pytest.raises(InputError, match="has 1 values but x has 2"):
        plot_scaling([2, 4], {"a": [1]})


def test_draws_into_given_axes():
    fig, (a, b) = plt.subplots(1, 2)
    assert plot_scaling([1, 2], [1, 2], ax=a) is fig
    assert plot_kernel_matrix(np.eye(2), ax=b) is fig
