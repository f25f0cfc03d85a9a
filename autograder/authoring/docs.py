"""The docs generated from the registry: ``docs/EXERCISES.md``, the signatures of
``docs/CURRICULUM.md``, and where each exercise is defined."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from ..errors import AutograderError
from .validate import _NO_DEFAULT, reference_parameters

EXERCISES_HEADER = """\
# Exercises

Every exercise of the course, as registered in the autograder: its ID, the signature of its
reference solution, its points, its time limit, its level and expected time (for a learner
who has read the lesson) and its title. Check any of them with
`check("ID", your_function)`; `qml-course exercises` prints the same list and
`qml-course exercises --where ID` prints the four places that make an exercise. The exercises
of the contract, [CURRICULUM.md](CURRICULUM.md), are kept exactly; lessons may add more.

This file is generated from the registry (`@exercise` in `autograder/checks/`, the signatures
of `autograder/solutions/`) by `qml-course author sync`; do not edit it by hand. A test fails
when it is out of date. [CONTRIBUTING.md](../CONTRIBUTING.md) says how to add an exercise.

Qubit order is Qiskit's throughout: qubit 0 is the least-significant bit of a statevector
index and the rightmost character of a bitstring.
"""


def _reference(ex_id: str) -> Any:
    """The reference solution, or None where there is none (an installed wheel)."""
    try:
        from ..solutions import reference

        return reference(ex_id)
    except (ImportError, AttributeError):
        return None


def _default(value: Any) -> str:
    text = repr(value)
    return re.sub(r"e([+-])0+(\d)", r"e\1\2", text).replace("e+", "e")


def signature_text(ex_id: str) -> str:
    """An exercise's signature, from its reference solution: parameter names and defaults,
    and the return annotation (``name(...)`` where there is no reference solution).

    >>> signature_text("03.is_entangled")
    'is_entangled(state, atol=1e-8) -> bool'
    >>> signature_text("06.train_qsvm")
    'train_qsvm(X_train, y_train)'
    """
    name = ex_id.split(".", 1)[1]
    func = _reference(ex_id)
    if func is None:
        return f"{name}(...)"
    params = [
        n if default is _NO_DEFAULT else f"{n}={_default(default)}"
        for n, default in reference_parameters(func)
    ]
    sig = inspect.signature(func)
    out = f"{name}({', '.join(params)})"
    ret = sig.return_annotation
    if ret is not sig.empty:
        out += " -> " + (ret if isinstance(ret, str) else getattr(ret, "__name__", str(ret)))
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def exercises_markdown() -> str:
    """The exercise table of docs/EXERCISES.md, generated from the registry."""
    from ..engine import exercises, get_exercise

    lines = [
        "| ID | signature | points | time limit | level | expected time | exercise |",
        "|---|---|---|---|---|---|---|",
    ]
    for ex_id in exercises():
        ex = get_exercise(ex_id)
        sig = _cell(f"`{signature_text(ex_id)}`")
        lines.append(
            f"| {ex_id} | {sig} | {ex.points:g} | {ex.time_limit:g} s | {ex.difficulty or '-'} "
            f"| {f'{ex.minutes} min' if ex.minutes else '-'} | {_cell(ex.title)} |"
        )
    return "\n".join(lines)


def exercises_document() -> str:
    """The whole of docs/EXERCISES.md."""
    return EXERCISES_HEADER + "\n" + exercises_markdown() + "\n"


_CONTRACT_ROW = re.compile(r"^\| (\d\d\.[a-z0-9_]+) \| `([^`]*)` \| (.*)$", re.M)


def curriculum_markdown(text: str) -> str:
    """docs/CURRICULUM.md with every contract row's signature regenerated from the registry.

    The rows are ``| ID | `signature` | correct when |``; the "correct when" column and the
    prose stay as written. A row whose ID is not registered is an error: the contract's
    exercises may not be renamed or dropped.
    """
    from ..engine import exercises

    known = set(exercises())

    def row(m: re.Match) -> str:
        ex_id = m.group(1)
        if ex_id not in known:
            raise AutograderError(
                f"docs/CURRICULUM.md lists {ex_id}, which is not a registered exercise. The "
                "contract's exercises may not be renamed or dropped: register it again "
                "(autograder/checks/) or, if the contract itself changes, edit that row."
            )
        return f"| {ex_id} | {_cell(f'`{signature_text(ex_id)}`')} | {m.group(3)}"

    return _CONTRACT_ROW.sub(row, text)


def contract_ids(text: str) -> list[str]:
    """The exercise IDs listed in the contract's tables."""
    return [m.group(1) for m in _CONTRACT_ROW.finditer(text)]


def exercise_locations(ex_id: str) -> list[tuple[str, str]]:
    """The places that make an exercise, as (what, where) pairs with paths relative to the
    course folder: the lesson notebook and cell, the checker, the reference solution and
    the tests of the checker.

    >>> [what for what, where in exercise_locations("03.bell_state")]
    ['lesson', 'checker', 'reference solution', 'tests']
    """
    from ..engine import get_exercise
    from ..lessons import find_lesson, nbgrader_meta, read_notebook, repo_root

    ex = get_exercise(ex_id)
    root = repo_root()

    def rel(path: str | Path) -> str:
        path = Path(path).resolve()
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return str(path)

    out = []
    lesson = find_lesson(ex.lesson)
    where = f"{rel(lesson.notebook)} (no cells yet: run `qml-course author sync {ex.lesson}`)"
    nb = read_notebook(lesson.notebook)
    for i, cell in enumerate(nb.cells):
        if nbgrader_meta(cell).get("grade_id") == ex.grade_id + "_solution":
            where = f"{rel(lesson.notebook)}, cell {i} (id {cell.get('id')}), the solution cell"
    out.append(("lesson", where))
    checker = inspect.unwrap(ex.checker)
    _, line = inspect.getsourcelines(checker)
    out.append(
        ("checker", f"{rel(inspect.getsourcefile(checker) or '?')}:{line} {checker.__name__}")
    )
    func = _reference(ex_id)
    if func is None:
        out.append(("reference solution", "not installed (it is in the course's checkout)"))
    else:
        _, line = inspect.getsourcelines(func)
        out.append(("reference solution", f"{rel(inspect.getsourcefile(func) or '?')}:{line}"))
    test = root / "tests" / "test_autograder_pkg" / f"test_lesson{ex.lesson}_checks.py"
    if test.exists():
        lines = test.read_text().splitlines()
        tests = [n for n, text in enumerate(lines, 1) if f"def test_{ex.function_name}" in text]
        hits = tests or [n for n, text in enumerate(lines, 1) if ex_id in text]
        out.append(("tests", f"{rel(test)}:{hits[0]}" if hits else f"{rel(test)} (none yet)"))
    else:
        out.append(("tests", f"{rel(test)} (missing)"))
    return out
