"""qmlkit.plots: figures are created with the right bars, labels and titles (Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from qiskit.quantum_info import DensityMatrix, Statevector  # noqa: E402

from qmlkit import plots, sim  # noqa: E402
from qmlkit.errors import InputError  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_counts_to_probabilities_handles_quasi_probabilities():
    assert sim.counts_to_probabilities({"0": 3, "1": 1}) == {"0": 0.75, "1": 0.25}
    quasi = sim.counts_to_probabilities({"0": 1.1, "1": -0.1})
    assert quasi["1"] == pytest.approx(-0.1)


def test_plot_counts_single_dict():
    fig = plots.plot_counts({"11": 520, "00": 480}, title="Bell")
    ax = fig.axes[0]
    assert ax.get_title() == "Bell"
    assert ax.get_ylabel() == "probability"
    assert "qubit 0" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["00", "11"]
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == pytest.approx([0.48, 0.52])
    assert ax.get_legend() is None


def test_plot_counts_side_by_side_merges_and_sorts_keys():
    ideal = {"00": 500, "11": 500}
    noisy = {"00": 470, "01": 20, "10": 10, "11": 500}
    mitigated = {"00": 0.52, "01": -0.01, "10": 0.0, "11": 0.49}
    fig = plots.plot_counts([ideal, noisy, mitigated], labels=["ideal", "noisy", "mitigated"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["00", "01", "10", "11"]
    assert len(ax.patches) == 12
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ideal", "noisy", "mitigated"]
    assert min(p.get_height() for p in ax.patches) < 0  # quasi-probability below the axis


def test_plot_counts_raw_counts_and_existing_axes():
    fig, ax = plt.subplots()
    out = plots.plot_counts({"0": 7, "1": 3}, ax=ax, normalize=False)
    assert out is fig
    assert ax.get_ylabel() == "counts"
    assert sorted(p.get_height() for p in ax.patches) == [3, 7]


@pytest.mark.parametrize(
    "bad, match",
    [
        ([], "at least one"),
        ([[1, 2]], "counts dict"),
        ({}, "non-empty"),
        ({"0": "x"}, "not a number"),
    ],
)
def test_plot_counts_bad_input(bad, match):
    with pytest.raises(InputError, match=match):
        plots.plot_counts(bad)


def test_plot_counts_wrong_number_of_labels():
    with pytest.raises(InputError, match="labels"):
        plots.plot_counts([{"0": 1}, {"1": 1}], labels=["only one"])


def test_plot_density_matrix_from_matrix_state_and_densitymatrix():
    bell = np.array([1, 0, 0, 1]) / np.sqrt(2)
    for rho in (np.outer(bell, bell), Statevector(bell), DensityMatrix(bell), bell):
        fig = plots.plot_density_matrix(rho, title="Bell")
        re_ax, im_ax = fig.axes[:2]
        assert re_ax.get_title() == "Re ρ" and im_ax.get_title() == "Im ρ"
        assert fig._suptitle.get_text() == "Bell"
        assert [t.get_text() for t in re_ax.get_xticklabels()] == ["00", "01", "10", "11"]
        image = re_ax.images[0].get_array()
        assert np.allclose(image, np.outer(bell, bell))


def test_plot_density_matrix_rejects_non_square():
    with pytest.raises(InputError, match="square"):
        plots.plot_density_matrix(np.ones((2, 3)))
    with pytest.raises(InputError, match="square"):
        plots.plot_density_matrix(np.eye(3))


def test_plots_is_one_subpackage_with_every_figure():
    import importlib

    import qmlkit

    for name in plots.__all__:
        assert callable(getattr(qmlkit.plots, name)), name  # qmlkit.plots.<fn> at call sites
    for old in ("plots_ml", "plots_qbm", "plots_train"):
        with pytest.raises(AttributeError):
            getattr(qmlkit, old)
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"qmlkit.{old}")
    # the converters are simulation helpers, not plots
    assert not hasattr(plots, "counts_to_probabilities")
    assert sim.probabilities_to_dict([0.0, 1.0]) == {"0": 0.0, "1": 1.0}
    from qmlkit.plots import _axes, counts, ml

    assert counts.new_axes is _axes.new_axes and ml.new_axes is _axes.new_axes  # one helper
