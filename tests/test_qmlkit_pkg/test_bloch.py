"""qmlkit.bloch: Bloch vectors, pictures, the widget (also under concurrent callbacks)."""

from __future__ import annotations

import base64
import re
import threading

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Operator, Statevector, random_statevector

from autograder.compare import CheckFailed, assert_state
from qmlkit import bloch
from qmlkit._bloch_widget import BlochWidget, format_ket, render_png
from qmlkit.errors import InputError

S2 = np.sqrt(0.5)
PNG = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------ vectors


@pytest.mark.parametrize(
    "state, expected",
    [
        ([1, 0], (0, 0, 1)),
        ([0, 1], (0, 0, -1)),
        ([S2, S2], (1, 0, 0)),
        ([S2, -S2], (-1, 0, 0)),
        ([S2, 1j * S2], (0, 1, 0)),
        ([S2, -1j * S2], (0, -1, 0)),
    ],
)
def test_basis_states_sit_on_the_six_axes(state, expected):
    np.testing.assert_allclose(bloch.bloch_vector(state), expected, atol=1e-12)


def test_all_input_types_agree_and_global_phase_is_invisible():
    qc = QuantumCircuit(1)
    qc.ry(0.7, 0)
    qc.rz(1.1, 0)
    sv = Statevector(qc)
    expected = bloch.bloch_vector(sv)
    theta, phi = 0.7, 1.1
    np.testing.assert_allclose(
        expected, [np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)]
    )
    for form in (qc, sv.data, list(sv.data), 3 * np.exp(0.4j) * sv.data, DensityMatrix(sv)):
        np.testing.assert_allclose(bloch.bloch_vector(form), expected, atol=1e-12)
    measured = qc.copy()
    measured.measure_all()
    np.testing.assert_allclose(bloch.bloch_vector(measured), expected, atol=1e-12)


def test_mixed_states_lie_inside():
    rho = 0.75 * np.diag([1, 0]) + 0.25 * np.diag([0, 1])
    np.testing.assert_allclose(bloch.bloch_vector(rho), [0, 0, 0.5])
    np.testing.assert_allclose(bloch.bloch_vector(np.eye(2) / 2), [0, 0, 0])


def test_bloch_3_vectors_pass_through_and_are_checked():
    np.testing.assert_allclose(bloch.bloch_vector([0, 0.6, 0.8]), [0, 0.6, 0.8])
    with pytest.raises(InputError, match="length <= 1"):
        bloch.bloch_vector([1, 1, 1])


@pytest.mark.parametrize(
    "bad, message",
    [
        ([1, 0, 0, 0], "plot_qubit_blochs"),
        ([0, 0], "zero vector"),
        ([1, np.nan], "NaN"),
        ("zero", "Cannot read"),
        (np.array([[1, 1], [0, 0]]), "density matrix"),
        (np.zeros((2, 3)), "shape"),
    ],
)
def test_bad_states_give_clear_errors(bad, message):
    with pytest.raises(InputError, match=message):
        bloch.bloch_vector(bad)


def test_unbound_parameters_are_named():
    from qiskit.circuit import Parameter

    qc = QuantumCircuit(1)
    qc.rx(Parameter("alpha"), 0)
    with pytest.raises(InputError, match="alpha"):
        bloch.bloch_vector(qc)


# ------------------------------------------------------------------------------ gates and paths


@pytest.mark.parametrize("name", ["x", "y", "z", "h", "s", "sdg", "t", "tdg", "sx", "sxdg", "id"])
def test_gate_matrices_equal_qiskit(name):
    qc = QuantumCircuit(1)
    getattr(qc, name)(0)
    np.testing.assert_allclose(bloch.gate_matrix(name), Operator(qc).data, atol=1e-12)


@pytest.mark.parametrize("name, angle", [("rx", "pi/3"), ("ry", "-0.4"), ("rz", "2*pi/5")])
def test_rotation_gates_parse_angle_expressions(name, angle):
    value = {"pi/3": np.pi / 3, "-0.4": -0.4, "2*pi/5": 2 * np.pi / 5}[angle]
    qc = QuantumCircuit(1)
    getattr(qc, name)(value, 0)
    np.testing.assert_allclose(bloch.gate_matrix(f"{name}({angle})"), Operator(qc), atol=1e-12)
    qc2 = QuantumCircuit(1)
    qc2.p(value, 0)
    np.testing.assert_allclose(bloch.gate_matrix(f"p({angle})"), Operator(qc2), atol=1e-12)


@pytest.mark.parametrize(
    "name, message",
    [
        ("cx", "Unknown"),
        ("rx", "needs an angle"),
        ("rx(import os)", "Cannot read the angle"),
        (3, "string"),
    ],
)
def test_bad_gate_names(name, message):
    with pytest.raises(InputError, match=message):
        bloch.gate_matrix(name)


def test_path_ends_where_the_circuit_does_and_stays_on_the_sphere():
    names = ["h", "s", "rx(pi/4)", "t", "y", "sxdg", "ry(1.3)"]
    qc = QuantumCircuit(1)
    qc.h(0)
    qc.s(0)
    qc.rx(np.pi / 4, 0)
    qc.t(0)
    qc.y(0)
    qc.sxdg(0)
    qc.ry(1.3, 0)
    target = bloch.bloch_vector(qc)
    for source in (names, qc):
        arcs = bloch.bloch_path(source)
        assert len(arcs) == len(names)
        np.testing.assert_allclose(arcs[-1][1][-1], target, atol=1e-9)
        for _, points in arcs:
            np.testing.assert_allclose(np.linalg.norm(points, axis=1), 1, atol=1e-9)
        for (_, a), (_, b) in zip(arcs, arcs[1:]):  # arcs join up
            np.testing.assert_allclose(a[-1], b[0], atol=1e-12)


def test_path_of_other_gates_via_their_matrix_and_from_a_start_state():
    qc = QuantumCircuit(1)
    qc.u(0.3, 0.8, -0.2, 0)
    start = [S2, 1j * S2]
    expected = bloch.bloch_vector(Statevector(start).evolve(qc))
    arcs = bloch.bloch_path(qc, start=start)
    np.testing.assert_allclose(arcs[-1][1][-1], expected, atol=1e-9)


def test_path_refuses_multi_qubit_circuits():
    with pytest.raises(InputError, match="one-qubit circuit"):
        bloch.bloch_path(QuantumCircuit(2))


# ------------------------------------------------------------------------------ pictures


def _texts(fig) -> str:
    parts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        parts += [t.get_text() for t in ax.texts] + [ax.get_title()]
        legend = ax.get_legend()
        if legend is not None:
            parts += [t.get_text() for t in legend.get_texts()]
    return " ".join(parts)


def test_plot_bloch_draws_labelled_axes_and_legend():
    fig = bloch.plot_bloch([1, 0], [S2, S2], labels=["zero", "plus"], title="Two states")
    text = _texts(fig)
    for label in ("Two states", "zero", "plus", "x", "y", "z", r"$|0\rangle$", r"$|{+i}\rangle$"):
        assert label in text
    assert bloch.plot_bloch([[1, 0], [0, 1]]).axes  # a list of states works too
    with pytest.raises(InputError, match="labels"):
        bloch.plot_bloch([1, 0], labels=["a", "b"])


def test_title_is_inside_the_picture():
    fig = bloch.plot_bloch([1, 0], title="A rather long title for a Bloch sphere")
    fig.canvas.draw()
    box = fig.texts[0].get_window_extent()
    assert box.y1 <= fig.bbox.y1 and box.x0 >= 0 and box.x1 <= fig.bbox.x1


def test_plot_bloch_on_a_given_axis():
    fig0 = bloch.plot_bloch([1, 0])
    ax = fig0.add_subplot(2, 2, 4, projection="3d")
    assert bloch.plot_bloch([0, 1], ax=ax, title="mine") is fig0
    with pytest.raises(InputError, match="3D"):
        bloch.plot_bloch([0, 1], ax=fig0.add_subplot(2, 2, 1))


def test_plot_bloch_path_legend_numbers_the_gates():
    fig = bloch.plot_bloch_path(["h", "s", "rx(2*pi/3)", "ry(0.25)"], title="path")
    text = _texts(fig)
    assert "1: H" in text and "2: S" in text and "start" in text
    assert "3: RX(2π/3)" in text and "4: RY(0.25)" in text


def test_reduced_vectors_follow_qiskit_order_and_shrink_with_entanglement():
    qc = QuantumCircuit(3)
    qc.x(0)  # qubit 0 -> |1>, z = -1
    qc.h(1)
    qc.cx(1, 2)  # qubits 1 and 2 entangled: vectors of length 0
    vectors = bloch._reduced_blochs(qc)
    np.testing.assert_allclose(vectors, [[0, 0, -1], [0, 0, 0], [0, 0, 0]], atol=1e-12)
    np.testing.assert_allclose(bloch._reduced_blochs(DensityMatrix(qc)), vectors, atol=1e-12)
    fig = bloch.plot_qubit_blochs(qc, title="Bell pair")
    text = _texts(fig)
    assert "qubit 0   |r| = 1.00" in text and "qubit 2   |r| = 0.00  (entangled)" in text
    assert len(fig.axes) == 3


def test_reduced_vectors_of_a_product_state():
    a, b = random_statevector(2, seed=1), random_statevector(2, seed=2)
    state = b.tensor(a)  # qubit 0 is a
    vectors = bloch._reduced_blochs(state)
    np.testing.assert_allclose(vectors[0], bloch.bloch_vector(a), atol=1e-12)
    np.testing.assert_allclose(vectors[1], bloch.bloch_vector(b), atol=1e-12)
    with pytest.raises(InputError, match="2\\*\\*n"):
        bloch.plot_qubit_blochs([1, 0, 0])


def test_compare_png_and_assert_state_feedback_carries_it():
    png = bloch.compare_png([1, 0], [S2, S2])
    assert png.startswith(PNG)
    with pytest.raises(CheckFailed) as info:
        assert_state([1, 0], [S2, S2])
    assert info.value.figure is not None and info.value.figure.startswith(PNG)


# ------------------------------------------------------------------------------ widget


def test_widget_shows_ket_probabilities_and_picture():
    w = bloch.widget(theta=np.pi / 2, phi=np.pi / 4)
    assert isinstance(w, BlochWidget)
    assert w.ket == "|ψ⟩ = 0.707|0⟩ + (0.5+0.5i)|1⟩"
    assert w.snapshot.ket in w.ket_html.value
    assert "P(0) = 0.500" in w.info_html.value
    assert w.image.value == w.snapshot.png and w.snapshot.png.startswith(PNG)
    w.apply("x")
    assert w.ket == "|ψ⟩ = (0.5+0.5i)|0⟩ + 0.707|1⟩"
    w.apply("s")
    assert w.history == ["x", "s"]


def test_widget_buttons_and_sliders():
    w = bloch.widget()
    buttons = {b.description: b for b in _walk(w) if hasattr(b, "on_click")}
    assert {"X", "Y", "Z", "H", "S", "T", "RX", "RY", "RZ"} <= set(buttons)
    buttons["H"].click()
    assert w.ket == "|ψ⟩ = 0.707|0⟩ + 0.707|1⟩"
    assert w.theta_slider.value == pytest.approx(np.pi / 2)  # sliders follow the gate
    buttons["S"].click()
    assert w.phi_slider.value == pytest.approx(np.pi / 2)
    w.angle_slider.value = np.pi
    buttons["RX"].click()
    np.testing.assert_allclose(
        abs(np.vdot(w.state, [S2, -1j * S2])), 1, atol=1e-9
    )  # RX(pi) maps |+i> to |-i> up to phase
    w.theta_slider.value = 0.0  # a user drags theta back to the north pole
    assert w.ket == "|ψ⟩ = |0⟩"
    w.phi_slider.value = 1.0
    w.theta_slider.value = np.pi
    np.testing.assert_allclose(w.state, [0, np.exp(1j)], atol=1e-9)
    buttons["reset |0⟩"].click()
    assert w.ket == "|ψ⟩ = |0⟩"


def test_widget_rejects_bad_angles():
    with pytest.raises(InputError, match="theta"):
        bloch.widget(theta=4.0)
    with pytest.raises(InputError, match="numbers"):
        bloch.widget(theta="a lot")


def test_mimebundle_has_widget_view_and_the_still_picture_comes_first(monkeypatch):
    w = bloch.widget(theta=np.pi)
    data = w._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == w.model_id
    assert "image/png" not in data  # the picture is the still output's, shown once
    assert "|ψ⟩ = |1⟩" in data["text/plain"]
    published = []
    monkeypatch.setattr("IPython.display.display", lambda obj, **kw: published.append((obj, kw)))
    w._ipython_display_()
    (still, still_kw), (live, live_kw) = published
    assert base64.b64decode(still["image/png"]) == w.snapshot.png
    assert still_kw == {"raw": True, "metadata": {"qmlkit": {"widget_fallback": True}}}
    assert live == data and live_kw == {"raw": True}


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _product(history, start):
    state = np.asarray(start, dtype=complex)
    for name in history:
        state = bloch.gate_matrix(name) @ state
    return state


def _assert_consistent(w):
    snap = w.snapshot
    np.testing.assert_allclose(snap.state, w.state, atol=1e-12)  # the last change is shown
    assert snap.ket == format_ket(snap.state)
    assert snap.png == render_png(snap.state, snap.ket)  # picture drawn from the same state
    assert w.image.value == snap.png
    assert snap.ket in w.ket_html.value


def test_concurrent_clicks_end_in_the_sequential_product():
    w = bloch.widget()
    buttons = {b.description: b for b in _walk(w) if hasattr(b, "on_click")}
    names = ["X", "Y", "Z", "H", "S", "T", "RX", "RY", "RZ"]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def clicker(seed):
        rng = np.random.default_rng(seed)
        barrier.wait()
        try:
            for _ in range(25):
                buttons[names[rng.integers(len(names))]].click()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=clicker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    history = w.history
    assert len(history) == 200
    np.testing.assert_allclose(w.state, _product(history, [1, 0]), atol=1e-9)
    _assert_consistent(w)


def test_concurrent_commuting_gates_give_an_order_free_result():
    w = bloch.widget(theta=np.pi / 2)
    start = w.state
    plan = ["s", "t", "z", "rz(0.3)", "tdg", "p(0.2)"] * 10

    def worker(chunk):
        for name in chunk:
            w.apply(name)

    threads = [threading.Thread(target=worker, args=(plan[k::6],)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_allclose(w.state, _product(plan, start), atol=1e-9)
    _assert_consistent(w)


def test_concurrent_slider_moves_and_clicks_stay_consistent():
    w = bloch.widget()
    h = next(b for b in _walk(w) if getattr(b, "description", "") == "H")

    def slide():
        for k in range(10):
            w.phi_slider.value = 0.1 * k
            w.theta_slider.value = 0.05 * k

    def click():
        for _ in range(10):
            h.click()

    threads = [threading.Thread(target=f) for f in (slide, click, slide, click)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _assert_consistent(w)
    assert re.match(r"\|ψ⟩ = ", w.ket)


def test_headless_notebook_run_finishes_with_a_static_picture(tmp_path):
    """No front end: the run must not hang (nbclient timeout) and must keep a PNG.

    Figures returned by the plot functions show exactly once, with or without pyplot.
    """
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import qmlkit\nqmlkit.bloch.widget()"),
        nbformat.v4.new_code_cell("qmlkit.bloch.plot_bloch([1, 0])"),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nqmlkit.bloch.plot_bloch_path(['h'], title='H')"
        ),
    ]
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    still, live = nb.cells[0].outputs  # the still picture first, then the widget
    assert still.metadata["qmlkit"]["widget_fallback"] is True
    assert "data:image/png;base64," in still.data["text/html"]
    assert base64.b64decode(still.data["image/png"]).startswith(PNG)
    assert "|ψ⟩ = |0⟩" in still.data["text/plain"]
    assert sorted(live.data) == ["application/vnd.jupyter.widget-view+json", "text/plain"]
    assert "|ψ⟩ = |0⟩" in live.data["text/plain"]
    for cell in nb.cells[1:]:
        pictures = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(pictures) == 1, cell.outputs
