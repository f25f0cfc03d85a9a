"""Small, tested plotting helpers the lessons use (matplotlib), one module per topic.

* :mod:`~qmlkit.plots.counts`: :func:`plot_counts`, measured counts or (quasi-)probabilities
  as bar charts, several distributions side by side (lessons 01, 04, 11);
* :mod:`~qmlkit.plots.density`: :func:`plot_density_matrix` (lessons 03, 10);
* :mod:`~qmlkit.plots.ml`: :func:`plot_kernel_matrix`, :func:`plot_decision_boundary`,
  :func:`plot_training_curve`, :func:`plot_scaling` (lessons 05-10);
* :mod:`~qmlkit.plots.qbm`: :func:`plot_distributions`, :func:`plot_boltzmann` (lesson 10);
* :mod:`~qmlkit.plots.training`: :class:`LiveLossPlot`, a loss curve that redraws itself
  while a model trains (lessons 08, 09).

Every function is available here, so a lesson calls ``qmlkit.plots.plot_counts(...)``.
Each returns the ``matplotlib.figure.Figure`` it drew on (in a notebook, end the line with
``;`` or assign the result so that the figure is shown once) and takes an optional ``ax``.
matplotlib is imported only when a figure is drawn. Bitstrings follow Qiskit's order:
qubit 0 is the rightmost character. The converters between counts, probability vectors
and dicts live in :mod:`qmlkit.sim` (``counts_to_probabilities``, ``probabilities_to_dict``).

>>> import qmlkit
>>> fig = qmlkit.plots.plot_counts({"00": 480, "11": 520}, title="Bell state")
>>> fig.axes[0].get_title()
'Bell state'
"""

from __future__ import annotations

from .counts import plot_counts
from .density import plot_density_matrix
from .ml import plot_decision_boundary, plot_kernel_matrix, plot_scaling, plot_training_curve
from .qbm import plot_boltzmann, plot_distributions
from .training import LiveLossPlot

__all__ = [
    "plot_counts",
    "plot_density_matrix",
    "plot_kernel_matrix",
    "plot_decision_boundary",
    "plot_training_curve",
    "plot_scaling",
    "plot_distributions",
    "plot_boltzmann",
    "LiveLossPlot",
]
