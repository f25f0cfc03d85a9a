"""Per-lesson parts of the promise audit and the hint-precision table.

``test_promises.py`` and ``test_hint_precision.py`` hold the tables of the first lessons. A
lesson added later keeps its rows in ``audit/lessonNN.py`` (a lesson's new exercises too), so
a lesson's audit is one file. Such a module may define any of:

* ``PROMISES``: rows ``(exercise_id, promise, wrong_answer, case_substring)``;
* ``CORRECT_STYLES``: ``{exercise_id: [correct answers in other styles]}``;
* ``AUDITED_ONLY``: exercise ids whose rows need no ``CORRECT_STYLES`` entry;
* ``PROMISE_HINTS``: ``{wrong_answer.__name__: (diagnosis substrings, ...)}``;
* ``MORE_MISTAKES``: rows ``(exercise_id, wrong_answer, (diagnosis substrings, ...))``.

They are loaded by file path, so the modules need no package imports.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

_HERE = Path(__file__).resolve().parent


def modules() -> list[ModuleType]:
    """The lesson audit modules, in lesson order."""
    found = []
    for path in sorted(_HERE.glob("lesson[0-9][0-9]*.py")):
        spec = importlib.util.spec_from_file_location(f"_audit_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.append(module)
    return found


def gather(name: str, kind: type):
    """``name`` from every module, joined: lists concatenated, dicts and sets merged."""
    out = kind()
    for module in modules():
        part = getattr(module, name, None)
        if part is None:
            continue
        if kind is list:
            out.extend(part)
        elif kind is set:
            out |= set(part)
        else:
            clash = set(out) & set(part)
            assert not clash, f"{name}: {sorted(clash)} defined twice in the audit modules"
            out.update(part)
    return out
