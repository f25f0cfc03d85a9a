"""Small, seeded classification datasets for the lessons.

Every function returns ``X_train, y_train, X_test, y_test`` with float features of shape
(samples, features) and integer labels in {0, 1}. Features are rotation angles, ready to
bind to a feature map: :func:`moons`, :func:`circles` and :func:`parity` are scaled to
[0, pi]; :func:`ad_hoc` lives on [0, 2 pi) as in its paper. The same ``seed`` always gives
the same data; ``seed=None`` gives fresh data each call.

Introduced in lesson 06.

>>> X_train, y_train, X_test, y_test = moons(n_samples=40, seed=1)
>>> X_train.shape, X_test.shape, sorted(set(y_train.tolist()))
((30, 2), (10, 2), [0, 1])
>>> bool(X_train.min() >= 0 and X_train.max() <= np.pi)
True
"""

from __future__ import annotations

import numpy as np

from .errors import InputError

__all__ = [
    "ad_hoc",
    "ad_hoc_expectation",
    "moons",
    "circles",
    "parity",
    "ising_hamiltonian",
    "ising_ground_state",
    "ising_phases",
    "line_images",
]

Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _positive_int(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InputError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _fraction(name: str, value: object) -> float:
    if not isinstance(value, (int, float, np.floating)) or not 0 < float(value) < 1:
        raise InputError(f"{name} must be a fraction strictly between 0 and 1, got {value!r}.")
    return float(value)


def _split(X: np.ndarray, y: np.ndarray, test_size: float, rng: np.random.Generator) -> Split:
    """Stratified, shuffled split: each class contributes the same test fraction."""
    train, test = [], []
    for label in (0, 1):
        idx = rng.permutation(np.flatnonzero(y == label))
        n_test = int(round(test_size * len(idx)))
        test.append(idx[:n_test])
        train.append(idx[n_test:])
    tr = rng.permutation(np.concatenate(train))
    te = rng.permutation(np.concatenate(test))
    return X[tr], y[tr], X[te], y[te]


def _scale_to_angles(X: np.ndarray) -> np.ndarray:
    """Min-max scale every feature to [0, pi]."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    return (X - lo) / np.where(hi > lo, hi - lo, 1.0) * np.pi


# ----------------------------------------------------------------------------------------
# Havlicek et al. (2019)


def _zz_states(X: np.ndarray) -> np.ndarray:
    """|Phi(x)> = U_Phi(x) H^n U_Phi(x) H^n |0>, rows of shape (2**n,), by direct formula.

    U_Phi(x) = exp(i sum_S phi_S(x) Z_S) with phi_i = x_i and phi_ij = (pi - x_i)(pi - x_j)
    for every pair i < j (Havlicek et al. 2019, eq. 4 with |S| <= 2). Qubit 0 is the
    least-significant bit of the index.
    """
    n = X.shape[1]
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    z = 1 - 2 * bits  # eigenvalue of Z_i on basis state k
    phase = X @ z.T
    for i in range(n):
        for j in range(i + 1, n):
            phase += np.outer((np.pi - X[:, i]) * (np.pi - X[:, j]), z[:, i] * z[:, j])
    diag = np.exp(1j * phase)
    hadamard = np.ones((1, 1))
    for _ in range(n):
        hadamard = np.kron(hadamard, np.array([[1, 1], [1, -1]]) / np.sqrt(2))
    plus = np.full(2**n, 2 ** (-n / 2))  # H^n |0>
    return diag * ((diag * plus) @ hadamard.T)


def _haar_unitary(dim: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-random unitary (QR of a complex Gaussian matrix with phases fixed)."""
    z = (rng.standard_normal((dim, dim)) + 1j * rng.standard_normal((dim, dim))) / np.sqrt(2)
    q, r = np.linalg.qr(z)
    d = np.diag(r)
    return q * (d / np.abs(d))


def ad_hoc_expectation(X: np.ndarray, unitary: np.ndarray) -> np.ndarray:
    """<Phi(x)| V^dagger Z...Z V |Phi(x)> for each row x: the ad hoc dataset's label function.

    >>> vals = ad_hoc_expectation(np.zeros((1, 2)), np.eye(4))
    >>> bool(-1 <= vals[0] <= 1)
    True
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n = X.shape[1]
    parity = 1 - 2 * (np.array([bin(k).count("1") for k in range(2**n)]) % 2)
    rotated = _zz_states(X) @ np.asarray(unitary).T
    return (np.abs(rotated) ** 2) @ parity


def ad_hoc(
    train_size: int = 40,
    test_size: int = 20,
    n_features: int = 2,
    gap: float = 0.3,
    seed: int | None = None,
) -> Split:
    """The ad hoc dataset of Havlíček et al. (2019), separable by a ZZ-feature-map kernel.

    Points x are drawn uniformly from [0, 2 pi)^n. A Haar-random unitary V (drawn from
    ``seed``) and the parity observable f = Z^n define the label: y = 1 when
    <Phi(x)|V^† f V|Phi(x)> >= gap, y = 0 when it is <= -gap; points in between are
    rejected, which leaves a margin. |Phi(x)> is the state of the ZZ feature map (two
    layers, all pairs), equal up to complex conjugation to that of Qiskit's
    ``zz_feature_map(n, reps=2, entanglement="full")``; for two features ``"linear"``
    is the same map. The labels are therefore learnable by that kernel.

    Args:
        train_size: training points **per class** (the training set has twice as many).
        test_size: test points **per class**.
        n_features: number of features (= qubits of the feature map), 2 by default.
        gap: margin Delta between the classes, in (0, 1).
        seed: seed of the unitary V, the points and the shuffling.

    Returns:
        ``X_train, y_train, X_test, y_test``; labels in {0, 1}, classes balanced, order
        shuffled.

    Reference: V. Havlíček et al., "Supervised learning with quantum-enhanced feature
    spaces", Nature 567, 209 (2019).

    >>> X_train, y_train, X_test, y_test = ad_hoc(train_size=5, test_size=3, seed=7)
    >>> X_train.shape, int(y_train.sum()), X_test.shape
    ((10, 2), 5, (6, 2))
    """
    train_size = _positive_int("train_size", train_size)
    test_size = _positive_int("test_size", test_size, minimum=0)
    n_features = _positive_int("n_features", n_features)
    if n_features > 10:
        raise InputError(f"n_features must be at most 10 for the ad hoc dataset, got {n_features}.")
    if not isinstance(gap, (int, float, np.floating)) or not 0 <= gap < 1:
        raise InputError(f"gap must be a number in [0, 1), got {gap!r}.")
    rng = np.random.default_rng(seed)
    unitary = _haar_unitary(2**n_features, rng)
    need = train_size + test_size
    found: dict[int, list] = {0: [], 1: []}
    counts = {0: 0, 1: 0}
    for _ in range(10_000):
        X = rng.uniform(0, 2 * np.pi, (max(64, 4 * need), n_features))
        value = ad_hoc_expectation(X, unitary)
        for label, mask in ((1, value >= gap), (0, value <= -gap)):
            take = X[mask][: need - counts[label]]
            found[label].append(take)
            counts[label] += len(take)
        if counts[0] >= need and counts[1] >= need:
            break
    else:  # pragma: no cover - only for absurd gaps
        raise InputError(f"Could not find enough points with gap {gap}; use a smaller gap.")
    parts = {label: np.concatenate(found[label]) for label in (0, 1)}
    X_train = np.concatenate([parts[0][:train_size], parts[1][:train_size]])
    y_train = np.repeat([0, 1], train_size)
    X_test = np.concatenate([parts[0][train_size:], parts[1][train_size:]])
    y_test = np.repeat([0, 1], test_size)
    tr, te = rng.permutation(len(X_train)), rng.permutation(len(X_test))
    return X_train[tr], y_train[tr], X_test[te], y_test[te]


# ----------------------------------------------------------------------------------------
# Classical toy sets, scaled to rotation angles


def moons(
    n_samples: int = 200, noise: float = 0.1, test_size: float = 0.25, seed: int | None = None
) -> Split:
    """Two interleaving half circles (as scikit-learn's ``make_moons``), scaled to [0, pi].

    Args:
        n_samples: total number of points (half of them in each class).
        noise: standard deviation of Gaussian noise added to the points before scaling.
        test_size: fraction of each class put in the test set.
        seed: seed of the noise and the split.

    >>> X_train, y_train, X_test, y_test = moons(n_samples=20, seed=0)
    >>> len(X_train) + len(X_test), X_train.shape[1]
    (20, 2)
    """
    n_samples = _positive_int("n_samples", n_samples, minimum=4)
    test_size = _fraction("test_size", test_size)
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5])
    X = np.concatenate([outer, inner]) + rng.normal(scale=float(noise), size=(n_samples, 2))
    y = np.repeat([0, 1], [n_out, n_in])
    return _split(_scale_to_angles(X), y, test_size, rng)


def circles(
    n_samples: int = 200,
    noise: float = 0.1,
    factor: float = 0.5,
    test_size: float = 0.25,
    seed: int | None = None,
) -> Split:
    """A small circle (label 1) inside a large one (label 0), scaled to [0, pi].

    Args:
        n_samples: total number of points.
        noise: standard deviation of Gaussian noise added before scaling.
        factor: radius of the inner circle relative to the outer one, in (0, 1).
        test_size: fraction of each class put in the test set.
        seed: seed of the noise and the split.

    >>> X_train, y_train, X_test, y_test = circles(n_samples=40, seed=0)
    >>> X_train.shape, X_test.shape
    ((30, 2), (10, 2))
    """
    n_samples = _positive_int("n_samples", n_samples, minimum=4)
    test_size = _fraction("test_size", test_size)
    if not 0 < factor < 1:
        raise InputError(f"factor must be between 0 and 1, got {factor!r}.")
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = factor * np.column_stack([np.cos(t_in), np.sin(t_in)])
    X = np.concatenate([outer, inner]) + rng.normal(scale=float(noise), size=(n_samples, 2))
    y = np.repeat([0, 1], [n_out, n_in])
    return _split(_scale_to_angles(X), y, test_size, rng)


def parity(
    n_bits: int = 3,
    n_samples: int = 100,
    noise: float = 0.1,
    test_size: float = 0.25,
    seed: int | None = None,
) -> Split:
    """Noisy bit strings encoded as angles (bit b -> b * pi); the label is their parity.

    Each sample picks random bits, sets feature i to ``pi * bit_i`` plus Gaussian noise of
    standard deviation ``noise`` (clipped to [0, pi]), and gets label ``sum(bits) % 2``.
    Parity is the classic set that no single linear threshold on the features can
    separate, while a two-layer quantum circuit can.

    Args:
        n_bits: number of bits = number of features.
        n_samples: total number of points.
        noise: standard deviation of the angle noise (0 gives exact multiples of pi).
        test_size: fraction of each class put in the test set.
        seed: seed of the bits, noise and split.

    >>> X_train, y_train, X_test, y_test = parity(n_bits=2, n_samples=8, noise=0.0, seed=3)
    >>> bool(np.all((np.round(X_train / np.pi).sum(axis=1) % 2) == y_train))
    True
    """
    n_bits = _positive_int("n_bits", n_bits)
    n_samples = _positive_int("n_samples", n_samples, minimum=4)
    test_size = _fraction("test_size", test_size)
    if noise < 0:
        raise InputError(f"noise must be >= 0, got {noise!r}.")
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n_samples, n_bits))
    y = bits.sum(axis=1) % 2
    X = np.clip(np.pi * bits + rng.normal(scale=float(noise), size=bits.shape), 0, np.pi)
    return _split(X, y, test_size, rng)


# ----------------------------------------------------------------------------------------
# Quantum data: ground states of the transverse-field Ising chain


def ising_hamiltonian(n_qubits: int, field: float, coupling: float = 1.0) -> np.ndarray:
    """The transverse-field Ising chain H = -J sum_i Z_i Z_{i+1} - h sum_i X_i, periodic.

    A dense real matrix of shape (2**n, 2**n), qubit 0 the least-significant index bit
    (Qiskit's order). The chain is a ring: the last qubit couples to qubit 0 (for
    ``n_qubits >= 3``; two qubits have a single bond).

    Introduced in lesson 12.

    >>> H = ising_hamiltonian(2, field=0.5)
    >>> H.shape, float(H[0, 0]), float(H[0, 1])
    ((4, 4), -1.0, -0.5)
    """
    n_qubits = _positive_int("n_qubits", n_qubits, minimum=2)
    if n_qubits > 12:
        raise InputError(f"n_qubits must be at most 12 for exact diagonalisation, got {n_qubits}.")
    dim = 2**n_qubits
    idx = np.arange(dim)
    bits = (idx[:, None] >> np.arange(n_qubits)) & 1
    z = 1 - 2 * bits
    bonds = [(i, (i + 1) % n_qubits) for i in range(n_qubits if n_qubits > 2 else 1)]
    zz = np.zeros(dim)
    for i, j in bonds:
        zz += z[:, i] * z[:, j]
    H = np.diag(-float(coupling) * zz)
    for q in range(n_qubits):
        H[idx ^ (1 << q), idx] -= float(field)
    return H


def ising_ground_state(n_qubits: int, field: float, coupling: float = 1.0) -> np.ndarray:
    """The ground state of :func:`ising_hamiltonian`, by exact diagonalisation.

    For ``field > 0`` the ground state is unique and, by the Perron-Frobenius theorem, has
    amplitudes of one sign; it is returned with all amplitudes >= 0 (a real vector of norm 1).

    Introduced in lesson 12.

    >>> psi = ising_ground_state(4, field=10.0)      # deep in the paramagnet: close to |++++>
    >>> bool(abs(psi @ np.full(16, 0.25)) > 0.99)
    True
    """
    if not np.isfinite(field) or field <= 0:
        raise InputError(f"field must be a positive number, got {field!r}.")
    import scipy.linalg

    from ._env import single_threaded_blas

    with single_threaded_blas():  # one small matrix: threads only add waiting
        _, vecs = scipy.linalg.eigh(
            ising_hamiltonian(n_qubits, field, coupling), subset_by_index=[0, 0]
        )
    psi = vecs[:, 0]
    return psi * np.sign(psi.sum())


def ising_phases(
    n_qubits: int = 8,
    n_samples: int = 64,
    field_range: tuple[float, float] = (0.2, 1.8),
    coupling: float = 1.0,
    test_size: float = 0.25,
    seed: int | None = None,
    return_fields: bool = False,
) -> Split | tuple[np.ndarray, ...]:
    """Quantum data: ground states of the Ising chain labelled by their phase.

    Fields h are drawn uniformly from ``field_range``; each sample is the ground state of
    :func:`ising_hamiltonian` with that h, a real vector of length 2**n_qubits. The label is
    0 for the ordered (ferromagnetic) side h < J and 1 for the disordered (paramagnetic)
    side h > J; the infinite chain has its quantum phase transition at h = J.

    Args:
        n_qubits: length of the chain (2 to 12).
        n_samples: number of states.
        field_range: (lowest, highest) field, both > 0.
        coupling: J > 0.
        test_size: fraction of each class put in the test set.
        seed: seed of the fields and the split.
        return_fields: also return the fields of the training and test states.

    Returns:
        ``X_train, y_train, X_test, y_test`` (states as rows), then ``h_train, h_test`` if
        ``return_fields``.

    Introduced in lesson 12.

    >>> X_train, y_train, X_test, y_test, h_train, h_test = ising_phases(
    ...     n_qubits=4, n_samples=12, seed=0, return_fields=True)
    >>> X_train.shape, bool(np.all(y_train == (h_train > 1.0)))
    ((9, 16), True)
    """
    n_samples = _positive_int("n_samples", n_samples, minimum=4)
    test_size = _fraction("test_size", test_size)
    lo, hi = (float(v) for v in field_range)
    if not 0 < lo < hi:
        raise InputError(
            f"field_range must be (low, high) with 0 < low < high, got {field_range!r}."
        )
    if not coupling > 0:
        raise InputError(f"coupling must be positive, got {coupling!r}.")
    rng = np.random.default_rng(seed)
    fields = rng.uniform(lo, hi, n_samples)
    X = np.array([ising_ground_state(n_qubits, h, coupling) for h in fields])
    y = (fields > coupling).astype(int)
    if len(set(y.tolist())) < 2:
        raise InputError(
            f"field_range {field_range} lies on one side of h = J = {coupling}: both phases are needed."
        )
    X_train, y_train, X_test, y_test = _split(np.column_stack([X, fields]), y, test_size, rng)
    split = (X_train[:, :-1], y_train, X_test[:, :-1], y_test)
    if return_fields:
        return (*split, X_train[:, -1], X_test[:, -1])
    return split


# ----------------------------------------------------------------------------------------
# Tiny images: horizontal against vertical lines (qiskit-machine-learning's QCNN tutorial)


def line_images(
    n_samples: int = 50,
    noise: float = np.pi / 4,
    test_size: float = 0.3,
    seed: int | None = None,
) -> Split:
    """2x4-pixel images of a horizontal (label 0) or vertical (label 1) line of two pixels.

    Pixel i is row i // 4, column i % 4 (so feature i is qubit i). A line's pixels are pi/2;
    every other pixel is noise drawn uniformly from [0, noise). Each image picks its class with
    probability 1/2 and its line uniformly: 6 horizontal lines (2 neighbours in a row), 4
    vertical ones (pixels i and i + 4). This is the data set of qiskit-machine-learning's
    QCNN tutorial, with a NumPy generator.

    Args:
        n_samples: number of images.
        noise: upper end of the background noise, in [0, pi/2).
        test_size: fraction of each class put in the test set.
        seed: seed of the images and the split.

    Introduced in lesson 12.

    >>> X_train, y_train, X_test, y_test = line_images(n_samples=20, seed=0)
    >>> X_train.shape[1], int(np.sum(X_train[0] == np.pi / 2))
    (8, 2)
    """
    n_samples = _positive_int("n_samples", n_samples, minimum=4)
    test_size = _fraction("test_size", test_size)
    if not 0 <= float(noise) < np.pi / 2:
        raise InputError(f"noise must be in [0, pi/2), below the lines' pi/2; got {noise!r}.")
    rng = np.random.default_rng(seed)
    lines = {
        0: [(i, i + 1) for i in (0, 1, 2, 4, 5, 6)],
        1: [(i, i + 4) for i in range(4)],
    }
    X = rng.uniform(0, float(noise), (n_samples, 8))
    y = rng.integers(0, 2, n_samples)
    for k in range(n_samples):
        a, b = lines[int(y[k])][rng.integers(0, len(lines[int(y[k])]))]
        X[k, [a, b]] = np.pi / 2
    if len(set(y.tolist())) < 2:
        y[0] = 1 - y[0]  # pragma: no cover - only for tiny n_samples
        X[0] = rng.uniform(0, float(noise), 8)
        a, b = lines[int(y[0])][0]
        X[0, [a, b]] = np.pi / 2
    return _split(X, y, test_size, rng)
