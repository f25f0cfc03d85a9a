"""qmlkit.plots.qbm: distribution bar charts for lesson 10."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from qmlkit import plots, sim  # noqa: E402
from qmlkit.errors import InputError  # noqa: E402


def test_probabilities_to_dict_uses_qiskit_order():
    d = sim.probabilities_to_dict(np.array([0, 1, 0, 0, 0, 0, 0, 0]))
    assert d["001"] == 1.0 and len(d) == 8
    with pytest.raises(InputError, match="2\\*\\*n"):
        sim.probabilities_to_dict([0.2, 0.3, 0.5])
    with pytest.raises(InputError, match="NaN"):
        sim.probabilities_to_dict([np.nan, 1.0])


def test_plot_distributions_draws_one_bar_per_state_and_model():
    fig = plots.plot_distributions(
        [0.4, 0.1, 0.1, 0.4],
        {"BM": [0.3, 0.2, 0.2, 0.3], "QBM": [0.35, 0.15, 0.15, 0.35]},
        title="fit",
    )
    ax = fig.axes[0]
    assert len(ax.patches) == 12
    assert ax.get_title() == "fit" and ax.get_ylabel() == "probability"
    heights = sorted(round(p.get_height(), 2) for p in ax.patches)
    assert heights[-1] == 0.4
    plt.close(fig)
    with pytest.raises(InputError, match="entries"):
        plots.plot_distributions([0.5, 0.5], {"bad": [0.25] * 4})


def test_plot_boltzmann_normalises_every_beta():
    fig = plots.plot_boltzmann([0.0, 1.0, 5000.0], [0.0, 2.0, 100.0])
    ax = fig.axes[0]
    heights = np.array([p.get_height() for p in ax.patches]).reshape(3, 3)
    assert np.allclose(heights.sum(axis=1), 1)
    assert np.allclose(heights[0], 1 / 3)
    assert np.isclose(heights[2][0], 1.0)
    plt.close(fig)
    with pytest.raises(InputError):
        plots.plot_boltzmann([], [1.0])
