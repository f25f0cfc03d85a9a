"""Lesson 14 with and without the optional PyTorch extra.

PyTorch is the ``torch`` extra of the course (``pip install "qml-course[torch]"``). The
lesson's PyTorch cells must run where it is installed (CI installs it) and be skipped with a
note where it is not. The second case is made here by starting the kernel with a folder
first on ``PYTHONPATH`` that holds a ``torch.py`` raising ``ModuleNotFoundError``, so that
``import torch`` fails exactly as in an environment without PyTorch and, as there, no
``torch`` entry is left in ``sys.modules``. (``sys.modules["torch"] = None`` would not do:
SciPy's array-API helpers take any ``torch`` key there for the module and fail.)

Both tests execute the whole notebook (its solutions included) in a fresh kernel.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

LESSON = ROOT / "lessons" / "14_frameworks" / "14_frameworks.ipynb"
ENABLE = 'pip install "qml-course[torch]"'


def _execute(tmp_path: Path, block_torch: bool) -> list[tuple[str, str]]:
    """Run the lesson in a fresh kernel; return (cell source, text output) of every code
    cell. Fails on any error in a cell."""
    nb = nbformat.read(str(LESSON), as_version=4)
    env = dict(os.environ)
    if block_torch:
        shim = tmp_path / "no_torch"
        shim.mkdir()
        (shim / "torch.py").write_text(
            "raise ModuleNotFoundError(\"No module named 'torch'\", name='torch')\n"
        )
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(shim), env.get("PYTHONPATH")]))
    env["MPLBACKEND"] = "Agg"
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(LESSON.parent)}},
    )
    client.execute(env=env)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        text = []
        for out in cell.get("outputs", []):
            assert out.output_type != "error", (cell.source[:200], out.get("evalue"))
            if out.output_type == "stream":
                text.append(out.text)
            elif "text/plain" in out.get("data", {}):
                text.append(out["data"]["text/plain"])
        cells.append((cell.source, "".join(text)))
    return cells


def _torch_cells(cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(src, out) for src, out in cells if "torch" in src and "import torch" not in src]


@pytest.mark.slow
def test_without_pytorch_the_torch_cells_say_how_to_enable_them_and_are_skipped(tmp_path):
    cells = _execute(tmp_path, block_torch=True)
    detect = [out for src, out in cells if "import torch" in src]
    assert len(detect) == 1 and "PyTorch is not installed" in detect[0] and ENABLE in detect[0]
    skipped = [(src, out) for src, out in _torch_cells(cells) if "if torch is None" in src]
    assert len(skipped) == 2
    for _, out in skipped:
        assert out.strip() == f"Skipped: PyTorch is not installed ({ENABLE})."
    everything = "".join(out for _, out in cells)
    assert "first gradient entries" not in everything  # no PyTorch model was built
    assert everything.count("Adam steps on") == 1  # only PennyLane's own hybrid trained
    # the rest of the lesson ran: the comparison, the exercises and the timing table
    assert "max |weights - qmlkit's|" in everything and "fastest training" in everything


@pytest.mark.slow
def test_with_pytorch_the_torch_cells_train_both_bridges(tmp_path):
    torch = pytest.importorskip("torch")  # the torch extra (installed in CI by .ci/run)
    cells = _execute(tmp_path, block_torch=False)
    everything = "".join(out for _, out in cells)
    assert f"PyTorch {torch.__version__}" in everything
    # before training both bridges compute the same loss and gradient at the same weights
    first = re.findall(
        r"(TorchConnector|TorchLayer) +loss ([0-9.]+), first gradient entries (.*)", everything
    )
    assert [name for name, _, _ in first] == ["TorchConnector", "TorchLayer"]
    numbers = [[float(loss), *map(float, grads.strip("[] ").split())] for _, loss, grads in first]
    assert len(numbers[0]) == len(numbers[1]) == 5  # the loss and four gradient entries
    assert np.allclose(numbers[0], numbers[1], atol=2e-6)  # printed to 6 decimals
    # both trained: the loss went down
    trained = re.findall(
        r"(TorchConnector|TorchLayer) +\d+ Adam steps .* loss ([0-9.]+) -> ([0-9.]+)", everything
    )
    assert [name for name, _, _ in trained] == ["TorchConnector", "TorchLayer"]
    for _, before, after in trained:
        assert float(after) < float(before)
    # the framework comparison printed by the lesson: the same predictions, the same weights
    gaps = re.findall(r"^(.+?) +([0-9.]+e[-+]\d+)$", everything, flags=re.M)
    assert len(gaps) >= 10
    assert all(float(g) < 1e-9 for _, g in gaps)


_PORT = """
import numpy as np
import pennylane as qml
from qiskit.quantum_info import Statevector


def to_wire_order(vector):
    v = np.asarray(vector)
    n = len(v).bit_length() - 1
    return v.reshape([2] * n).transpose(list(reversed(range(n)))).reshape(-1)


def port_circuit(circuit):
    gates = [
        (i.operation.name, [float(a) for a in i.operation.params],
         [circuit.find_bit(q).index for q in i.qubits])
        for i in circuit.data
    ]
    @qml.qnode(qml.device("default.qubit", wires=circuit.num_qubits))
    def ported():
        for name, angles, wires in gates:
            if name in ("sdg", "tdg"):
                qml.adjoint({"sdg": qml.S, "tdg": qml.T}[name](wires=wires))
            else:
                op = {"h": qml.H, "x": qml.X, "y": qml.Y, "z": qml.Z, "s": qml.S, "t": qml.T,
                      "rx": qml.RX, "ry": qml.RY, "rz": qml.RZ, "p": qml.PhaseShift,
                      "cx": qml.CNOT, "cz": qml.CZ, "swap": qml.SWAP}[name]
                op(*angles, wires=wires)
        return qml.state()

    return ported() if CALL else ported
"""

_SHORTCUT = """

def port_circuit(circuit):  # the right numbers, and no port
    return Statevector(circuit).reverse_qargs().data
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "call, shortcut, score, message",
    [
        (True, False, 6, None),
        (False, False, 0, "Expected the state (a NumPy array), got a QNode."),
        (True, True, 0, "port_circuit uses Statevector"),
    ],
    ids=["state", "qnode-returned", "statevector-shortcut"],
)
def test_port_circuit_in_the_grading_sandbox(tmp_path, call, shortcut, score, message):
    """Graded as `qml-course grade` does (the learner's code in a sandbox): the state
    crosses it as data, a returned QNode gets a clear message, the shortcut is named."""
    from autograder.authoring.cells import code, new_lesson
    from autograder.notebook_grader import grade_notebook

    source = f"CALL = {call}\n" + _PORT + (_SHORTCUT if shortcut else "")
    path = tmp_path / "14_frameworks.ipynb"
    nbformat.write(new_lesson("14", "t", [code(source)]), str(path))
    grade = grade_notebook(path, cell_timeout=120)
    assert grade.error is None, grade.error
    result = {r.exercise_id: r for r in grade.results}
    assert result["14.to_wire_order"].score == 5
    port = result["14.port_circuit"]
    assert port.score == score, port.feedback
    if message:
        assert message in port.feedback
