"""scikit-learn's estimator checks for qmlkit's classifiers, in one place.

All three classifiers share one base (qmlkit.models._sklearn.QuantumClassifier) and pass
every check scikit-learn has for them, with nothing skipped and nothing expected to fail:

* pandas is a dev dependency, so the DataFrame-input check runs;
* the array-API check runs only when ``SCIPY_ARRAY_API=1`` is set before SciPy is imported,
  which would change SciPy for the whole test session, so it runs in a subprocess of its
  own (:func:`test_array_api_input_in_a_subprocess`) with the NumPy namespace.

A check that scikit-learn skips here fails the test.
"""

import os
import subprocess
import sys
from unittest import SkipTest

import numpy as np
import pytest
from sklearn.utils.estimator_checks import estimator_checks_generator

from qmlkit.errors import InputError
from qmlkit.kernel_training import TrainableFidelityKernel
from qmlkit.models import QSVC, VQC, QCNNClassifier, QNNClassifier, VariationalRegressor

ESTIMATORS = [
    QSVC(random_state=0),
    VQC(maxiter=5, random_state=0),
    VQC(readout="z", optimizer="adam", maxiter=5, random_state=0),
    QNNClassifier(maxiter=20, random_state=0),
    QCNNClassifier(maxiter=20, random_state=0),
    VariationalRegressor(maxiter=5, random_state=0),
    # a transformer (transform(X) = kernel against the training points); it needs y to fit
    TrainableFidelityKernel(maxiter=3, random_state=0),
]
#: run in a subprocess below, with the environment it needs
SUBPROCESS_CHECKS = {"check_array_api_input"}


def _name(check) -> str:
    return getattr(getattr(check, "func", check), "__name__", str(check))


def _checks():
    for estimator in ESTIMATORS:
        for est, check in estimator_checks_generator(estimator, legacy=True):
            if _name(check) not in SUBPROCESS_CHECKS:
                yield pytest.param(est, check, id=f"{est!r}-{_name(check)}")


@pytest.mark.parametrize("estimator, check", list(_checks()))
def test_sklearn_compatible(estimator, check):
    try:
        check(estimator)
    except SkipTest as exc:
        pytest.fail(f"scikit-learn skipped {_name(check)}: {exc}")


def test_array_api_input_in_a_subprocess():
    """Do the models take array-API inputs (NumPy namespace), as scikit-learn checks them?"""
    code = (
        "from sklearn.utils.estimator_checks import check_array_api_input\n"
        "from qmlkit.models import QSVC, VQC, QNNClassifier\n"
        "for est in (QSVC(random_state=0), VQC(maxiter=5, random_state=0),\n"
        "            QNNClassifier(maxiter=20, random_state=0)):\n"
        "    check_array_api_input(type(est).__name__, est, array_namespace='numpy',\n"
        "                          expect_only_array_outputs=False)\n"
        "print('checked')\n"
    )
    env = dict(os.environ, SCIPY_ARRAY_API="1")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "checked"
    assert "SkipTest" not in out.stderr


@pytest.mark.parametrize("model", [QSVC, VQC, QNNClassifier])
def test_same_bad_input_same_error_from_every_model(model):
    X = np.random.default_rng(0).uniform(0, 1, (8, 2))
    y = np.array([0, 1] * 4)
    bad = {
        "NaN": (np.where(np.eye(8, 2) > 0, np.nan, X), y),
        "0 sample": (np.zeros((0, 2)), []),
        "2D array": (np.zeros(8), y),
        "one class": (X, np.zeros(8)),
        "Unknown label type": (X, np.linspace(0, 1, 8)),
    }
    for match, (Xb, yb) in bad.items():
        with pytest.raises(InputError, match=match):
            model(random_state=0).fit(Xb, yb)
    fitted = model(random_state=0, **({} if model is QSVC else {"maxiter": 2})).fit(X, y)
    with pytest.raises(InputError, match="features"):
        fitted.predict(np.zeros((2, 3)))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError) as info:
        model().predict(X)
    assert isinstance(info.value, InputError)  # shown short in a lesson, like every qmlkit error
    assert f"This {model.__name__} is not fitted yet" in str(info.value)


@pytest.mark.parametrize("model", [QSVC, VQC, QNNClassifier])
def test_keyword_only_random_state(model):
    import inspect

    from qmlkit.models._sklearn import QuantumClassifier

    assert issubclass(model, QuantumClassifier)
    params = list(inspect.signature(model.__init__).parameters.values())[1:]
    assert params and all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params)
    assert "random_state" in model().get_params() and "seed" not in model().get_params()
    with pytest.raises(TypeError):
        model(None)
    docstring = model.__doc__ or ""
    assert "Attributes:" in docstring and "classes_" in docstring


#: BornMachine (lesson 10) is a density model over bitstrings: its samples are bits, so
#: the checks that fit on scikit-learn's continuous random features do not apply (they end in
#: a clear InputError, "Samples must be ... bits"); these are the checks that do.
BORN_CHECKS = [
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_get_params_invariance",
    "check_set_params",
    "check_parameters_default_constructible",
    "check_mixin_order",
    "check_valid_tag_types",
    "check_estimator_tags_renamed",
]


@pytest.mark.parametrize("name", BORN_CHECKS)
def test_born_machine_sklearn_checks_that_apply(name):
    from sklearn.utils import estimator_checks

    from qmlkit.models import BornMachine

    getattr(estimator_checks, name)("BornMachine", BornMachine(maxiter=3, random_state=0))
