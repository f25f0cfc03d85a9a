"""Quantum machine-learning models with a scikit-learn interface.

* :class:`QSVC`: support-vector classifier on an exact (or shot-estimated) fidelity kernel;
* :class:`VQC`: variational quantum classifier;
* :class:`QNNLayer`, :class:`QNNClassifier`: the course's quantum neural network;
* :class:`QBM`: a fully visible quantum Boltzmann machine;
* :class:`VariationalRegressor`: variational quantum regressor (data re-uploading);
* :class:`BornMachine`: a quantum circuit Born machine trained with the MMD loss.

The classes are imported on first use, so ``import qmlkit.models`` does not pull in
scikit-learn. Qubit order is Qiskit's everywhere: qubit 0 is the rightmost bit.

>>> from qmlkit import models
>>> "QSVC" in dir(models)
True
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> submodule of qmlkit.models that defines it
_LAZY = {
    "QSVC": "qsvc",
    "VQC": "vqc",
    "QNNLayer": "qnn",
    "QNNClassifier": "qnn",
    "QBM": "qbm",
    "QCNNClassifier": "qcnn",
    "VariationalRegressor": "vqr",
    "BornMachine": "born",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qmlkit.models' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
