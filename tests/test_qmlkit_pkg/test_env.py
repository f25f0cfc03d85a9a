"""qmlkit._env: one Jupyter test and one BLAS thread limit for the whole package."""

import subprocess
import sys

import numpy as np
import pytest

from qmlkit import _env


def _blas_threads() -> list[int]:
    import scipy.linalg.blas  # noqa: F401  (the BLAS the kernels use, loaded first)
    from threadpoolctl import threadpool_info

    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def test_in_jupyter_only_in_a_zmq_kernel(monkeypatch):
    assert _env.in_jupyter() is False  # pytest has no IPython shell

    class ZMQInteractiveShell:  # the class name Jupyter's kernels use
        pass

    class TerminalInteractiveShell:
        pass

    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: ZMQInteractiveShell())
    assert _env.in_jupyter() is True
    monkeypatch.setattr(IPython, "get_ipython", lambda: TerminalInteractiveShell())
    assert _env.in_jupyter() is False


def test_blas_limit_is_scoped_and_restored():
    from threadpoolctl import threadpool_limits

    _blas_threads()
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        with _env.single_threaded_blas():
            assert _blas_threads() == [1] * len(before)
        assert _blas_threads() == before
        with pytest.raises(ZeroDivisionError), _env.limit_blas_threads(1):
            assert _blas_threads() == [1] * len(before)
            1 / 0  # noqa: B018
        assert _blas_threads() == before  # restored when the block raises
        with _env.limit_blas_threads(None):  # None: leave the threads alone
            assert _blas_threads() == before


def test_simulator_and_optimiser_share_the_one_helper(monkeypatch):
    from qmlkit import optimizers, statevec

    calls = []
    original = _env.limit_blas_threads

    def recording(threads):
        calls.append(threads)
        return original(threads)

    monkeypatch.setattr(_env, "limit_blas_threads", recording)
    from qiskit.circuit.library import zz_feature_map

    statevec.compile_circuit(zz_feature_map(2, reps=1)).run(np.zeros((3, 2)))
    optimizers.minimize(lambda w: (float(w @ w), 2 * w), np.ones(2), maxiter=3)
    assert calls == [1, 1]
    for module in (optimizers, statevec):
        names = [n for n in vars(module) if "blas" in n.lower() or "jupyter" in n.lower()]
        assert set(names) <= {"single_threaded_blas", "in_jupyter"}, names


def test_threadpoolctl_is_a_declared_dependency():
    from pathlib import Path

    import tomllib
    from packaging.requirements import Requirement

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    names = {Requirement(r).name for r in pyproject["project"]["dependencies"]}
    assert "threadpoolctl" in names


def test_import_does_not_load_threadpoolctl():
    code = "import sys, qmlkit._env, qmlkit.optimizers; print('threadpoolctl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
