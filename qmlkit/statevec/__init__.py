"""Batched statevector simulation of parameterised circuits, exact and fast.

:func:`simulate` runs one parameterised circuit on many rows of parameter values at
once and returns one statevector per row. It is the engine under
:class:`qmlkit.kernels.FidelityKernel` and the variational models in
:mod:`qmlkit.models`.

The circuit is compiled once (:func:`compile_circuit`) into a short program that uses the
structure of its gates:

* runs of *monomial* gates (diagonal phase gates such as ``p``, ``rz``, ``cp``, ``rzz``,
  ``z``, ``s``, ``t``, ``cz`` and permutations such as ``x``, ``cx``, ``swap``) become one
  permutation of the amplitudes and one phase vector per data row, built by a single
  real matrix product. The ``cx - p - cx`` pattern of ZZ feature maps therefore costs
  nothing extra;
* runs of single-qubit gates become one 2x2 matrix per qubit (or per qubit and row when
  it depends on the data), applied as reshaped matrix products; gates acting on
  ``|0...0>`` before any entangling gate build a product state directly;
* any other gate is applied as a dense matrix on its qubits, or replaced by its
  definition when it has free parameters.

Gates are applied by the batched kernel shared with the models, :mod:`qmlkit._gates`. The
package has three parts: :mod:`~qmlkit.statevec.compile` (the step types, the compiler and
:class:`Program`), :mod:`~qmlkit.statevec.apply` (running the steps) and
:mod:`~qmlkit.statevec.expressions` (gate angles for many data rows at once).
:func:`cached_program` (in :mod:`~qmlkit.statevec.cache`) compiles each circuit structure
once and reuses the program across calls and objects.

Parameters are bound in ``circuit.parameters`` order (Qiskit's sorted order: a
``ParameterVector`` ``x`` gives ``x[0], x[1], ...``). Qubit order is Qiskit's: qubit 0 is
the least-significant bit of a statevector index.

>>> from qiskit.circuit.library import z_feature_map
>>> states = simulate(z_feature_map(2, reps=1), [[0.0, 0.0], [np.pi, 0.0]])
>>> states.shape
(2, 4)
>>> np.round(np.abs(states) ** 2, 3).tolist()[0]
[0.25, 0.25, 0.25, 0.25]
"""

from __future__ import annotations

import numpy as np  # noqa: F401  (the doctest above uses it)

from .cache import cached_program, clear_program_cache, program_cache_info
from .compile import Program, compile_circuit, simulate

__all__ = [
    "simulate",
    "compile_circuit",
    "Program",
    "cached_program",
    "clear_program_cache",
    "program_cache_info",
]
