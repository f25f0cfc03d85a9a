"""The claims of lesson 13's prose, asserted with the lesson's own data, seeds and models.

Each test repeats a computation of lessons/13_regression/13_regression.ipynb (same SEED, same
calls) and asserts what the prose says about it.
"""

import numpy as np
import pytest

from qmlkit.models import VariationalRegressor
from qmlkit.models.vqc import reuploading_circuit
from qmlkit.statevec import simulate

SEED = 13


def _random_model(reps, seed):
    qc, _, theta_params = reuploading_circuit(1, reps=reps)
    theta = np.random.default_rng(seed).uniform(-np.pi, np.pi, len(theta_params))
    only_x = qc.assign_parameters(dict(zip(theta_params, theta)))

    def f(x):
        states = simulate(only_x, np.reshape(x, (-1, 1)))
        return np.abs(states[:, 0]) ** 2 - np.abs(states[:, 1]) ** 2

    return f


@pytest.mark.parametrize("reps", [1, 2, 3, 4])
def test_section2_coefficients_vanish_above_the_number_of_uploads(reps):
    """'Above k = L the coefficients are zero to machine precision' (and below they are not)."""
    samples = 2 * np.pi * np.arange(64) / 64
    for seed in (SEED, SEED + reps):
        spectrum = np.abs(np.fft.fft(_random_model(reps, seed)(samples))) / 64
        assert spectrum[reps + 1 : 32].max() < 1e-14
        assert spectrum[reps] > 1e-3


def _section3_data():
    data_rng = np.random.default_rng(SEED)
    x_all = data_rng.uniform(-np.pi, np.pi, 160)
    y_all = 2 * np.sin(x_all) + 1.6 * np.sin(3 * x_all) + 0.2 * data_rng.normal(size=160)
    return x_all[:60].reshape(-1, 1), y_all[:60], x_all[60:].reshape(-1, 1), y_all[60:]


def test_section3_under_fitting_and_the_output_scale():
    """One or two uploads under-fit (more iterations do not help), three fit to the noise,
    and the same three-upload circuit without scale and offset stays inside [-1, 1]."""
    X_train, y_train, X_test, y_test = _section3_data()
    assert y_train.min() < -1 and y_train.max() > 1  # "values beyond [-1, 1]"
    scores = {}
    for reps in (1, 2, 3):
        model = VariationalRegressor(reps=reps, maxiter=200, random_state=SEED)
        scores[reps] = model.fit(X_train, y_train).score(X_test, y_test)
    assert scores[1] < 0.6 and scores[2] < 0.6
    assert scores[3] > 0.97
    # the best R^2 possible with noise of 0.2: "down to the noise"
    noise_share = 0.2**2 / np.var(y_test)
    assert scores[3] > 1 - 2 * noise_share
    three = VariationalRegressor(reps=3, maxiter=200, random_state=SEED).fit(X_train, y_train)
    one = VariationalRegressor(reps=1, maxiter=200, random_state=SEED).fit(X_train, y_train)
    # "first rests on the same plateau as the smaller models for a while"
    plateau = min(one.loss_history_)
    assert three.loss_history_[20] > 0.9 * plateau and three.loss_history_[-1] < 0.1 * plateau
    longer = VariationalRegressor(reps=2, maxiter=1000, random_state=SEED).fit(X_train, y_train)
    assert longer.score(X_test, y_test) < 0.6  # "more iterations do not help"
    raw = VariationalRegressor(reps=3, trainable_output=False, maxiter=200, random_state=SEED)
    raw.fit(X_train, y_train)
    assert np.all(np.abs(raw.predict(X_test)) <= 1 + 1e-12) and raw.score(X_test, y_test) < 0.6


def test_section3_target_coefficients_quoted_in_the_prose():
    """'2 sin x has |c_{+-1}| = 1 and 1.6 sin 3x has |c_{+-3}| = 0.8'."""
    x = 2 * np.pi * np.arange(7) / 7
    c = np.fft.fft(2 * np.sin(x) + 1.6 * np.sin(3 * x)) / 7
    np.testing.assert_allclose(np.abs(c[:4]), [0, 1, 0, 0.8], atol=1e-12)


def test_section4_diabetes_pipeline_and_baselines():
    """The data set's size and range, and 'every model lands in the same band; none beats
    plain linear regression by a margin; all ten features do a little better than four'."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.datasets import load_diabetes
    from sklearn.decomposition import PCA
    from sklearn.dummy import DummyRegressor
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    X, y = load_diabetes(return_X_y=True)
    assert X.shape == (442, 10) and (y.min(), y.max()) == (25, 346)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=SEED)
    assert len(Xb) == 111
    prep = make_pipeline(
        StandardScaler(),
        PCA(n_components=4, random_state=SEED),
        MinMaxScaler(feature_range=(-np.pi / 2, np.pi / 2)),
    )
    Za, Zb = prep.fit_transform(Xa), prep.transform(Xb)
    scores, fitted = {}, []
    for observable in ("z", "parity", "mean_z"):
        vqr = VariationalRegressor(reps=1, observable=observable, maxiter=100, random_state=SEED)
        scores[observable] = vqr.fit(Za, ya).score(Zb, yb)
        fitted.append(vqr)
    linear = LinearRegression().fit(Za, ya).score(Zb, yb)
    krr = TransformedTargetRegressor(
        KernelRidge(kernel="rbf", alpha=0.3, gamma=0.2), transformer=StandardScaler()
    )
    mlp = MLPRegressor(
        hidden_layer_sizes=(16,), solver="lbfgs", alpha=1.0, max_iter=3000, random_state=SEED
    )
    classical = [linear, krr.fit(Za, ya).score(Zb, yb), mlp.fit(Za, ya).score(Zb, yb)]
    for r2 in [*scores.values(), *classical]:
        assert 0.3 < r2 < 0.5  # "the same band"
    for r2 in scores.values():  # whichever read-out cross-validation picks
        assert r2 < linear + 0.02  # the VQR does not win
    assert abs(DummyRegressor().fit(Za, ya).score(Zb, yb)) < 0.02
    # the scatter plot: "both models pull their predictions towards the mean"
    for model in (*fitted, LinearRegression().fit(Za, ya)):  # whichever read-out is chosen
        assert np.std(model.predict(Zb)) < 0.8 * np.std(yb)
    all_ten = LinearRegression().fit(Xa, ya).score(Xb, yb)
    assert linear < all_ten < 0.5  # PCA gives a little away; most variance stays unexplained
