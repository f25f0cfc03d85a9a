"""The project's docs stay true: the exercise table, the contract and the README.

``docs/EXERCISES.md``, the signatures of ``docs/CURRICULUM.md`` and every exercise's
generated cells in the lessons come from the registry (``qml-course author sync``); the
test below fails when regenerating them would change anything.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import exercises
from autograder.authoring import exercises_markdown, sync_lessons
from autograder.authoring.docs import contract_ids

ROOT = Path(__file__).resolve().parents[1]
CURRICULUM = ROOT / "docs" / "CURRICULUM.md"

#: the contract's exercises (docs/CURRICULUM.md), which may not be renamed or dropped
CONTRACT = """
01.normalize 01.measurement_probabilities 01.bloch_angles 01.prepare_state 01.minus_i_circuit
02.x_from_h_and_z 02.apply_single_qubit_gate 02.ry_angle_for_probability 02.is_unitary
02.swap_from_cnots 03.bell_state 03.ghz_circuit 03.is_entangled 03.reduced_density_matrix
03.chsh_value 04.expectation_from_counts 04.measure_pauli 04.shots_needed 04.mitigate_readout
05.basis_encoding 05.angle_encoding 05.amplitude_encoding 05.zz_feature_map 06.state_fidelity
06.kernel_matrix 06.is_valid_kernel 06.train_qsvm 07.parameter_shift_gradient
07.vqe_ground_energy 08.parity_probability 08.cross_entropy 08.train_vqc 09.qnn_forward
09.qnn_weight_gradient 09.train_hybrid 10.boltzmann_distribution 10.gibbs_state 10.train_qbm
11.transpile_for_backend 11.fold_gates 11.richardson_extrapolate 11.run_bell_experiment
06.alignment_gradient 06.geometric_difference 07.shared_parameter_gradient 07.spsa_step
08.class_probabilities 08.train_only_pipeline 10.mmd_loss 10.born_machine_gradient
12.pooling_layer 12.train_qcnn 13.fourier_coefficients 13.train_regressor 14.to_wire_order
14.port_circuit 15.shadow_estimate 15.shadow_sample_bound 15.fourier_surrogate 16.run_project
""".split()


def test_lessons_and_docs_are_in_sync_with_the_registry():
    changes = sync_lessons(check=True)
    assert not changes, (
        "regenerate with `qml-course author sync` and commit the result:\n"
        + "\n".join(change.diff(40) for change in changes)
    )


def test_exercise_table_is_current():
    text = (ROOT / "docs" / "EXERCISES.md").read_text()
    assert exercises_markdown() in text, "regenerate with: qml-course author sync"


def test_every_contract_exercise_is_registered():
    listed = contract_ids(CURRICULUM.read_text())
    assert sorted(listed) == sorted(CONTRACT), "docs/CURRICULUM.md lost or gained a contract row"
    assert set(listed) <= set(exercises())
    # and the lessons 00-16 all have registered exercises
    lessons = {i.split(".")[0] for i in exercises()}
    assert {f"{n:02d}" for n in range(17)} <= lessons


def test_readme_lists_every_lesson_with_its_title():
    import nbformat

    from autograder.lessons import list_lessons

    readme = (ROOT / "README.md").read_text()
    table = re.findall(r"^\| (\d\d) \| (.+?) \|$", readme, re.M)
    titles = [
        (
            lesson.number,
            nbformat.read(str(lesson.notebook), as_version=4).metadata["qmlcourse"]["title"],
        )
        for lesson in list_lessons()
    ]
    assert table == titles


def test_docs_name_no_files_outside_the_repository():
    for path in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")]:
        assert "../shared" not in path.read_text(), path


def test_readme_quick_start_has_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in block.strip().splitlines() if ln.strip()]
    assert commands == ["make start", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^start:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_readme_python_example_runs():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    runnable = [
        b for b in blocks if "plus_state" not in b
    ]  # the check example needs a learner function
    assert runnable
    for code in runnable:
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stderr[-2000:]


def test_readme_class_steps_are_real_commands(capsys):
    from autograder.cli import main

    readme = (ROOT / "README.md").read_text()
    steps = sorted(set(re.findall(r"^\$Q class (\w+)", readme, re.M)))
    assert {"init", "selftest", "collect", "autograde", "feedback", "report", "export"} <= set(
        steps
    )
    for step in steps:
        with pytest.raises(SystemExit) as info:
            main(["class", step, "--help"])
        assert info.value.code == 0, step
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["class", "autograde", "--help"])
    assert "--resume" in capsys.readouterr().out and "--resume" in readme


def test_author_sync_check_reports_drift_and_sync_repairs_it(tmp_path, monkeypatch, capsys):
    import shutil

    from autograder.cli import main

    shutil.copytree(ROOT / "lessons", tmp_path / "lessons")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    monkeypatch.setenv("QMLCOURSE_ROOT", str(tmp_path))
    notebook = tmp_path / "lessons" / "03_entanglement" / "03_entanglement.ipynb"
    text = notebook.read_text()
    assert "### Exercise 03.1 — The four Bell states" in text
    notebook.write_text(
        text.replace("### Exercise 03.1 — The four Bell states", "### Exercise 03.1 — Bells")
    )
    assert main(["author", "sync", "--check"]) == 1
    out = capsys.readouterr().out
    assert '-    "### Exercise 03.1 — Bells (medium, about 15 min)\\n",' in out
    assert '+    "### Exercise 03.1 — The four Bell states (medium, about 15 min)\\n",' in out
    assert "1 file(s) are not in sync" in out
    assert main(["author", "sync", "03"]) == 0
    assert notebook.read_text() == text
    assert main(["author", "sync", "--check"]) == 0
    (tmp_path / "docs" / "CURRICULUM.md").unlink()
    assert main(["author", "sync", "--check"]) == 2
    assert "CURRICULUM.md is missing" in capsys.readouterr().err


def test_exercises_where_prints_the_four_places(capsys):
    from autograder.cli import main

    assert main(["exercises", "--where", "03.bell_state"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == [
        "lesson",
        "checker",
        "reference solution",
        "tests",
    ]
    assert "lessons/03_entanglement/03_entanglement.ipynb" in lines[0]
    assert "ex-03-bell-state-solution" in lines[0]
    assert re.search(r"autograder/checks/lesson03\.py:\d+ check_bell_state$", lines[1])
    assert re.search(r"autograder/solutions/lesson03\.py:\d+$", lines[2])
    assert re.search(r"tests/test_autograder_pkg/test_lesson03_checks\.py:\d+$", lines[3])
    assert main(["exercises", "--where", "03.bell"]) == 2
    assert "Did you mean '03.bell_state'" in capsys.readouterr().err
