"""Lesson 08 checks: alternative correct answers pass, typical mistakes fail with hints."""

from collections import Counter

import numpy as np
import pytest

from autograder import check
from autograder.checks.lesson08 import moons_split
from autograder.solutions import reference

# ------------------------------------------------------------------ 08.parity_probability


def test_parity_alternatives():
    def via_int_xor(counts):
        odd = total = 0
        for key, n in counts.items():
            bits = int(key.replace(" ", ""), 2)
            odd += n * (bin(bits).count("1") & 1)
            total += n
        return odd / total

    def via_numpy(counts):
        keys = ["".join(k.split()) for k in counts]
        n = np.array(list(counts.values()), dtype=float)
        signs = np.array([(-1) ** k.count("1") for k in keys])
        return float((1 - signs @ n / n.sum()) / 2)  # P(odd) = (1 - <Z...Z>) / 2

    for fn in (via_int_xor, via_numpy):
        r = check("08.parity_probability", fn)
        assert r.passed, r.feedback


def _parity(counts, key_fn=lambda k: k.replace(" ", ""), odd=True, normalise=True):
    hits = sum(n for k, n in counts.items() if (key_fn(k).count("1") % 2 == 1) == odd)
    return hits / sum(counts.values()) if normalise else hits


def test_parity_mistakes():
    r = check("08.parity_probability", lambda c: _parity(c, odd=False))
    assert r.score == 0 and "EVEN parity" in r.feedback
    r = check("08.parity_probability", lambda c: _parity(c, normalise=False))
    assert r.score == 0 and "not normalised" in r.feedback
    r = check("08.parity_probability", lambda c: _parity(c, key_fn=lambda k: k[-1]))
    assert r.score == 0 and "only the last bit" in r.feedback


def test_parity_keys_with_spaces():
    def int_without_strip(counts):
        total = sum(counts.values())
        return sum(n for k, n in counts.items() if bin(int(k, 2)).count("1") % 2) / total

    r = check("08.parity_probability", int_without_strip)
    assert r.score == 3 and "remove the spaces" in r.feedback

    r = check("08.parity_probability", lambda c: _parity(c, key_fn=lambda k: k.split()[-1]))
    assert not r.passed and "spaces" in r.feedback


# ------------------------------------------------------------------------ 08.cross_entropy


def test_cross_entropy_alternatives():
    def with_where(p1, y):
        p = np.asarray(p1, float)
        y = np.asarray(y)
        p_true = np.where(y == 1, p, 1 - p)
        return float(np.mean(-np.log(np.maximum(p_true, 1e-15))))

    def pure_python(p1, y):
        import math

        eps = 1e-10
        terms = []
        for p, label in zip(list(p1), list(y)):
            p = min(max(float(p), eps), 1 - eps)
            terms.append(-math.log(p) if label == 1 else -math.log(1 - p))
        return sum(terms) / len(terms)

    for fn in (with_where, pure_python):
        r = check("08.cross_entropy", fn)
        assert r.passed, r.feedback


def _bce(p1, y, log=np.log, clip=True, reduce=np.mean):
    p = np.asarray(p1, float)
    if clip:
        p = np.clip(p, 1e-12, 1 - 1e-12)
    y = np.asarray(y, float)
    return float(reduce(-(y * log(p) + (1 - y) * log(1 - p))))


def test_cross_entropy_mistakes():
    with np.errstate(all="ignore"):
        r = check("08.cross_entropy", lambda p, y: _bce(p, y, reduce=np.sum))
        assert not r.passed and "summed instead of averaged" in r.feedback
        r = check("08.cross_entropy", lambda p, y: _bce(p, y, log=np.log2))
        assert not r.passed and "log base 2" in r.feedback
        r = check("08.cross_entropy", lambda p, y: _bce(1 - np.asarray(p, float), y))
        assert r.score == 0 and "swapped p and 1 - p" in r.feedback
        r = check("08.cross_entropy", lambda p, y: _bce(p, y, clip=False))
        assert r.score == 3 and "NaN or inf" in r.feedback and "np.clip" in r.feedback


def test_cross_entropy_odd_outputs_are_clear_failures():
    r = check("08.cross_entropy", lambda p, y: -(np.asarray(y) * np.log(np.asarray(p))))
    assert not r.passed and r.error is None and "mean over the points" in r.feedback
    r = check("08.cross_entropy", lambda p, y: "0.5")
    assert r.score == 0 and r.error is None


# ---------------------------------------------------------------------------- 08.train_vqc


def test_moons_split_is_fixed():
    a, b = moons_split(), moons_split()
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    X_train, y_train, X_test, y_test = a
    assert Counter(y_test.tolist()) == {0: 50, 1: 50}
    assert 0 <= X_train.min() and X_train.max() <= np.pi


@pytest.mark.slow
def test_train_vqc_reference_and_alternatives():
    from autograder.solutions.lesson08 import ReuploadingClassifier

    r = check("08.train_vqc", reference("08.train_vqc"))
    assert r.passed, r.feedback

    class ListPredictions:  # a shallower circuit, other seed, predictions as a list
        def __init__(self, X, y):
            self.inner = ReuploadingClassifier(layers=2, maxiter=200, seed=1).fit(X, y)

        def predict(self, X):
            return [bool(v) for v in self.inner.predict(X)]

    r = check("08.train_vqc", lambda X, y: ListPredictions(X, y))
    assert r.passed, r.feedback


def test_train_vqc_mistakes():
    class Constant:
        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    r = check("08.train_vqc", lambda X, y: Constant())
    assert r.score == 2 and "test accuracy is 0.50" in r.feedback

    class Probabilities(Constant):
        def predict(self, X):
            return np.full(len(X), 0.4)

    r = check("08.train_vqc", lambda X, y: Probabilities())
    assert r.score == 1 and "predict_proba returns probabilities" in r.feedback

    r = check("08.train_vqc", lambda X, y: 0.97)  # returned a score, not the model
    assert r.score == 0 and "no predict method" in r.feedback

    r = check("08.train_vqc", lambda X, y: None)
    assert r.score == 0 and "return model" in r.feedback


# ------------------------------------------------------------------ 08.class_probabilities


def test_class_probabilities_alternatives():
    def with_numpy(counts, n_classes):
        keys = [k.replace(" ", "") for k in counts]
        values = np.array([int(k, 2) for k in keys]) % n_classes
        shots = np.array(list(counts.values()), dtype=float)
        return np.bincount(values, weights=shots, minlength=n_classes) / shots.sum()

    def with_bits(counts, n_classes):  # the value summed bit by bit, qubit 0 rightmost
        out = [0.0] * n_classes
        total = sum(counts.values())
        for key, n in counts.items():
            bits = "".join(key.split())
            value = sum(int(b) << q for q, b in enumerate(reversed(bits)))
            out[value % n_classes] += n / total
        return out

    for fn in (with_numpy, with_bits):
        r = check("08.class_probabilities", fn)
        assert r.passed and r.score == 5, r.feedback


def _classes(counts, n_classes, value=lambda k: int(k, 2), clean=True, normalise=True):
    out = np.zeros(n_classes)
    for key, n in counts.items():
        out[value(key.replace(" ", "") if clean else key) % n_classes] += n
    return out / out.sum() if normalise else out


def test_class_probabilities_mistakes():
    r = check(
        "08.class_probabilities", lambda c, k: _classes(c, k, value=lambda s: int(s[::-1], 2))
    )
    assert not r.passed and "bit order reversed" in r.feedback
    r = check("08.class_probabilities", lambda c, k: _classes(c, k, value=lambda s: s.count("1")))
    assert r.score == 0 and "Hamming weight" in r.feedback
    r = check("08.class_probabilities", lambda c, k: _classes(c, k, normalise=False))
    assert r.score == 0 and "not normalised" in r.feedback
    r = check("08.class_probabilities", lambda c, k: _classes(c, k, clean=False))
    assert r.score == 3.75 and "remove the spaces" in r.feedback

    def only_seen_classes(counts, k):
        probs = _classes(counts, k)
        return probs[probs > 0]

    r = check("08.class_probabilities", only_seen_classes)
    assert r.score == 3.75 and "also for classes that no key falls into" in r.feedback


# ------------------------------------------------------------------ 08.train_only_pipeline


def _sk_pipeline(steps, X_train, X_test, fit="train"):
    from sklearn.pipeline import make_pipeline

    pipe = make_pipeline(*steps)
    if fit == "all":
        pipe.fit(np.vstack([X_train, X_test]))
    elif fit == "each":
        return pipe.fit_transform(X_train), pipe.fit_transform(X_test)
    else:
        pipe.fit(X_train)
    return pipe.transform(X_train), pipe.transform(X_test)


def _steps(k, scale=True, top=np.pi, minmax=True):
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    steps = ([StandardScaler()] if scale else []) + [PCA(k)]
    return steps + ([MinMaxScaler(feature_range=(0, top))] if minmax else [])


def test_train_only_pipeline_alternatives():
    def with_sklearn(X_train, X_test, n_components):
        return _sk_pipeline(_steps(n_components), X_train, X_test)

    def by_hand_with_eigh(X_train, X_test, n_components):  # sample std, whitened components
        mu, sd = X_train.mean(0), X_train.std(0, ddof=1)
        values, vectors = np.linalg.eigh(np.cov((X_train - mu) / sd, rowvar=False))
        top = vectors[:, np.argsort(values)[::-1][:n_components]]
        z_train = (X_train - mu) / sd @ top / np.sqrt(np.sort(values)[::-1][:n_components])
        z_test = (X_test - mu) / sd @ top / np.sqrt(np.sort(values)[::-1][:n_components])
        lo, hi = z_train.min(0), z_train.max(0)
        return [np.pi * (z_train - lo) / (hi - lo), np.pi * (z_test - lo) / (hi - lo)]

    for fn in (with_sklearn, by_hand_with_eigh):
        r = check("08.train_only_pipeline", fn)
        assert r.passed and r.score == 5, r.feedback


def test_train_only_pipeline_mistakes():
    r = check("08.train_only_pipeline", lambda a, b, k: _sk_pipeline(_steps(k), a, b, fit="all"))
    assert r.score == 0 and "leaks into the model" in r.feedback
    r = check("08.train_only_pipeline", lambda a, b, k: _sk_pipeline(_steps(k), a, b, fit="each"))
    assert r.score == 0 and "fitted the test split on its own" in r.feedback
    r = check("08.train_only_pipeline", lambda a, b, k: _sk_pipeline(_steps(k, scale=False), a, b))
    assert r.score == 0 and "no standardisation before the PCA" in r.feedback
    r = check("08.train_only_pipeline", lambda a, b, k: _sk_pipeline(_steps(k, top=1.0), a, b))
    assert r.score == 0 and "scaled to [0, 1]" in r.feedback
    r = check("08.train_only_pipeline", lambda a, b, k: _sk_pipeline(_steps(k, minmax=False), a, b))
    assert r.score == 0 and "the last step is missing" in r.feedback
    r = check("08.train_only_pipeline", lambda a, b, k: _sk_pipeline(_steps(2), a, b))
    assert r.score == 2 and "keep n_components" in r.feedback
    r = check("08.train_only_pipeline", lambda a, b, k: _sk_pipeline(_steps(k), a, b)[1])
    assert r.score == 0 and "return both transformed splits" in r.feedback
