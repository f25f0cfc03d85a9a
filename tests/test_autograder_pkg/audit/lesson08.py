"""Promise audit and hint-precision rows of lesson 08's later exercises (issue 14):
``08.class_probabilities`` (the multi-output read-out) and ``08.train_only_pipeline``."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

# ------------------------------------------------------------------ 08.class_probabilities


def _l08_classes(counts, n_classes, value=lambda k: int(k, 2), clean=True):
    out = np.zeros(n_classes)
    for key, n in counts.items():
        out[value(key.replace(" ", "") if clean else key) % n_classes] += n
    return out


def _l08_class_probs_seen_only(counts, n_classes):
    probs = _l08_classes(counts, n_classes)
    probs = probs / probs.sum()
    return probs[probs > 0]


def _l08_class_probs_spaces_kept(counts, n_classes):
    probs = _l08_classes(counts, n_classes, clean=False)
    return probs / probs.sum()


def _l08_class_probs_counts(counts, n_classes):
    return _l08_classes(counts, n_classes)


def _l08_class_probs_reversed(counts, n_classes):
    probs = _l08_classes(counts, n_classes, value=lambda k: int(k[::-1], 2))
    return probs / probs.sum()


def _l08_class_probs_hamming(counts, n_classes):
    probs = _l08_classes(counts, n_classes, value=lambda k: k.count("1"))
    return probs / probs.sum()


def _l08_class_probs_dict(counts, n_classes):
    probs = _l08_classes(counts, n_classes)
    return {c: p for c, p in enumerate(probs / probs.sum())}


def _l08_class_probs_bincount(counts, n_classes):
    values = np.array([int("".join(k.split()), 2) for k in counts]) % n_classes
    shots = np.array(list(counts.values()), dtype=float)
    return np.bincount(values, weights=shots, minlength=n_classes) / shots.sum()


def _l08_class_probs_pure_python(counts, n_classes):
    total = sum(counts.values())
    out = [0.0] * n_classes
    for key, n in counts.items():
        bits = key.replace(" ", "")
        out[sum(int(b) << q for q, b in enumerate(reversed(bits))) % n_classes] += n / total
    return out


# ------------------------------------------------------------------ 08.train_only_pipeline


def _l08_pipe(X_train, X_test, steps, fit="train"):
    pipe = make_pipeline(*steps)
    if fit == "each":
        return pipe.fit_transform(X_train), pipe.fit_transform(X_test)
    pipe.fit(np.vstack([X_train, X_test]) if fit == "all" else X_train)
    return pipe.transform(X_train), pipe.transform(X_test)


def _l08_steps(k, scale=True, top=np.pi, minmax=True):
    steps = ([StandardScaler()] if scale else []) + [PCA(k)]
    return steps + ([MinMaxScaler(feature_range=(0, top))] if minmax else [])


def _l08_pipeline_leaks(X_train, X_test, n_components):
    return _l08_pipe(X_train, X_test, _l08_steps(n_components), fit="all")


def _l08_pipeline_two_components(X_train, X_test, n_components):
    return _l08_pipe(X_train, X_test, _l08_steps(2))


def _l08_pipeline_refits_test(X_train, X_test, n_components):
    return _l08_pipe(X_train, X_test, _l08_steps(n_components), fit="each")


def _l08_pipeline_unscaled(X_train, X_test, n_components):
    return _l08_pipe(X_train, X_test, _l08_steps(n_components, scale=False))


def _l08_pipeline_unit_range(X_train, X_test, n_components):
    return _l08_pipe(X_train, X_test, _l08_steps(n_components, top=1.0))


def _l08_pipeline_no_minmax(X_train, X_test, n_components):
    return _l08_pipe(X_train, X_test, _l08_steps(n_components, minmax=False))


def _l08_pipeline_test_only(X_train, X_test, n_components):
    return _l08_pipe(X_train, X_test, _l08_steps(n_components))[1]


def _l08_pipeline_swapped(X_train, X_test, n_components):
    z_train, z_test = _l08_pipe(X_train, X_test, _l08_steps(n_components))
    return z_test, z_train


def _l08_pipeline_sklearn(X_train, X_test, n_components):
    return _l08_pipe(X_train, X_test, _l08_steps(n_components))


def _l08_pipeline_whitened_eigh(X_train, X_test, n_components):
    mu, sd = X_train.mean(0), X_train.std(0, ddof=1)
    values, vectors = np.linalg.eigh(np.cov((X_train - mu) / sd, rowvar=False))
    order = np.argsort(values)[::-1][:n_components]
    z_train = (X_train - mu) / sd @ vectors[:, order] / np.sqrt(values[order])
    z_test = (X_test - mu) / sd @ vectors[:, order] / np.sqrt(values[order])
    lo, hi = z_train.min(0), z_train.max(0)
    return [np.pi * (z_train - lo) / (hi - lo), np.pi * (z_test - lo) / (hi - lo)]


PROMISES = [
    (
        "08.class_probabilities",
        "one entry per class, 0 for a class without counts",
        _l08_class_probs_seen_only,
        "a class without counts",
    ),
    (
        "08.class_probabilities",
        "keys with spaces between registers are read",
        _l08_class_probs_spaces_kept,
        "two registers",
    ),
    (
        "08.train_only_pipeline",
        "every step is fitted on X_train only (nothing learnt from the test split)",
        _l08_pipeline_leaks,
        "split",
    ),
    (
        "08.train_only_pipeline",
        "n_components columns",
        _l08_pipeline_two_components,
        "hidden:",
    ),
]

CORRECT_STYLES = {
    "08.class_probabilities": [_l08_class_probs_bincount, _l08_class_probs_pure_python],
    "08.train_only_pipeline": [_l08_pipeline_sklearn, _l08_pipeline_whitened_eigh],
}

PROMISE_HINTS = {
    "_l08_class_probs_seen_only": ("also for classes that no key falls into",),
    "_l08_class_probs_spaces_kept": ("keys with spaces between registers",),
    "_l08_pipeline_leaks": ("leaks into the model",),
    "_l08_pipeline_two_components": ("keep n_components",),
}

MORE_MISTAKES = [
    ("08.class_probabilities", _l08_class_probs_counts, ("not normalised: divide the counts",)),
    ("08.class_probabilities", _l08_class_probs_reversed, ("bit order reversed",)),
    ("08.class_probabilities", _l08_class_probs_hamming, ("the Hamming weight",)),
    ("08.class_probabilities", _l08_class_probs_dict, ("return one number per class",)),
    ("08.train_only_pipeline", _l08_pipeline_refits_test, ("fitted the test split on its own",)),
    ("08.train_only_pipeline", _l08_pipeline_unscaled, ("no standardisation before the PCA",)),
    ("08.train_only_pipeline", _l08_pipeline_unit_range, ("scaled to [0, 1]",)),
    ("08.train_only_pipeline", _l08_pipeline_no_minmax, ("the last step is missing",)),
    ("08.train_only_pipeline", _l08_pipeline_test_only, ("return both transformed splits",)),
    ("08.train_only_pipeline", _l08_pipeline_swapped, ("Z_train and Z_test swapped",)),
]
