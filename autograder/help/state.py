"""Where the learner's help state lives: this kernel, the learner's workspace, the settings.

* In the kernel: the hints opened and the exercises whose last ``check()`` passed.
* In the learner's workspace (``qml-course start``), when the notebook runs inside one:
  ``.qmlcourse/progress.json`` keeps the last ``check()`` result per exercise, the hints
  opened and the concept answers, so ``qml-course progress`` shows them without running a
  check again, and a restarted kernel continues where the learner was. A notebook runs
  inside a workspace when its folder (the kernel's working folder) or a parent holds the
  workspace manifest, ``.qmlcourse-manifest.json``. Nothing is written anywhere else, and
  nothing while nbgrader runs the notebook.
* The instructor's settings: a file ``qmlcourse-help.toml`` in the notebook's folder (put
  it in nbgrader's ``source/<assignment>/`` folder and ``generate_assignment`` releases it
  with the notebook)::

      hints = false             # hint() says hints are off for this assignment
      worked_solutions = false  # worked() says worked solutions are off

  or the environment variables ``QMLCOURSE_HINTS=off`` and ``QMLCOURSE_WORKED=off`` (e.g.
  for every learner of a JupyterHub).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

#: the instructor's per-assignment settings file, next to the notebook
SETTINGS_FILE = "qmlcourse-help.toml"
#: the learner's help state inside a workspace (relative to the workspace folder)
STATE_FILE = Path(".qmlcourse") / "progress.json"
_MANIFEST = ".qmlcourse-manifest.json"
_OFF = {"0", "off", "false", "no"}

# this kernel's state
_hints_opened: dict[str, int] = {}
_passed: set[str] = set()


def reset_kernel_state() -> None:
    """Forget this kernel's opened hints and passed checks (for tests)."""
    _hints_opened.clear()
    _passed.clear()


def under_nbgrader() -> bool:
    """True while nbgrader runs the notebook (autograde or validate)."""
    return bool(os.environ.get("NBGRADER_EXECUTION", "").strip())


def _parse_settings(text: str) -> dict[str, bool]:
    """The ``key = true/false`` lines of the settings file (a small subset of TOML).

    >>> _parse_settings("# off for the exam\\nhints = false\\nworked_solutions = true")
    {'hints': False, 'worked_solutions': True}
    """
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([a-z_]+)\s*=\s*(true|false)\s*(#.*)?$", line)
        if m:
            out[m.group(1)] = m.group(2) == "true"
    return out


def help_settings(folder: str | Path | None = None) -> dict[str, bool]:
    """Whether hints and worked solutions are on: ``{"hints": ..., "worked_solutions": ...}``.

    Read from ``qmlcourse-help.toml`` in ``folder`` (default: the working folder, which is
    the notebook's folder in Jupyter and under nbgrader) and from ``QMLCOURSE_HINTS`` /
    ``QMLCOURSE_WORKED``; both are on unless one of them turns them off.

    >>> help_settings("/nonexistent")["hints"] in (True, False)
    True
    """
    settings = {"hints": True, "worked_solutions": True}
    path = Path(folder if folder is not None else os.getcwd()) / SETTINGS_FILE
    with contextlib.suppress(OSError, UnicodeDecodeError):
        for key, value in _parse_settings(path.read_text()).items():
            if key in settings:
                settings[key] = settings[key] and value
    if os.environ.get("QMLCOURSE_HINTS", "").strip().lower() in _OFF:
        settings["hints"] = False
    if os.environ.get("QMLCOURSE_WORKED", "").strip().lower() in _OFF:
        settings["worked_solutions"] = False
    return settings


def write_help_settings(
    folder: str | Path, *, hints: bool = True, worked_solutions: bool = True
) -> Path:
    """Write ``qmlcourse-help.toml`` into ``folder`` (an nbgrader ``source/<assignment>``).

    >>> import tempfile
    >>> path = write_help_settings(tempfile.mkdtemp(), hints=False)
    >>> help_settings(path.parent)["hints"]
    False
    """
    path = Path(folder) / SETTINGS_FILE
    path.write_text(
        "# QML Course help for this assignment (read by hint() and worked())\n"
        f"hints = {str(hints).lower()}\n"
        f"worked_solutions = {str(worked_solutions).lower()}\n"
    )
    return path


def current_workspace() -> Path | None:
    """The learner's workspace this kernel runs in, or None (see the module docstring)."""
    here = Path(os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / _MANIFEST).is_file():
            return folder
    return None


def read_state(workspace: str | Path | None) -> dict[str, Any]:
    """The saved help state of a workspace (empty parts when there is none)."""
    state: dict[str, Any] = {"checks": {}, "hints": {}, "concepts": {}}
    if workspace is None:
        return state
    with contextlib.suppress(OSError, ValueError):
        saved = json.loads((Path(workspace) / STATE_FILE).read_text())
        if isinstance(saved, dict):
            for key in state:
                if isinstance(saved.get(key), dict):
                    state[key] = saved[key]
    return state


def _update_state(part: str, key: str, value: Any) -> None:
    """Save one entry of the workspace's help state (never fails a learner's cell)."""
    workspace = current_workspace()
    if workspace is None or under_nbgrader():
        return
    with contextlib.suppress(OSError, ValueError, TypeError):
        state = read_state(workspace)
        state[part][key] = value
        path = workspace / STATE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True))
        os.replace(tmp, path)


def record_check(result: Any) -> None:
    """Remember the result of a ``check()`` (called by :func:`autograder.check`)."""
    ex_id = result.exercise_id
    if result.passed:
        _passed.add(ex_id)
    else:
        _passed.discard(ex_id)
    _update_state(
        "checks",
        ex_id,
        {
            "passed": bool(result.passed),
            "score": float(result.score),
            "max_score": float(result.max_score),
            "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        },
    )


def check_passed(exercise_id: str) -> bool:
    """Whether the last ``check()`` of the exercise passed (this kernel or the workspace)."""
    if exercise_id in _passed:
        return True
    saved = read_state(current_workspace())["checks"].get(exercise_id)
    return bool(isinstance(saved, dict) and saved.get("passed"))


def hints_opened(exercise_id: str) -> int:
    """How many hints of the exercise the learner has opened (this kernel or workspace)."""
    saved = read_state(current_workspace())["hints"].get(exercise_id, 0)
    saved = saved if isinstance(saved, int) else 0
    return max(_hints_opened.get(exercise_id, 0), saved)


def set_hints_opened(exercise_id: str, n: int) -> None:
    _hints_opened[exercise_id] = n
    _update_state("hints", exercise_id, n)


def record_concept(question_id: str, answer: str, correct: bool) -> None:
    _update_state("concepts", question_id, {"answer": answer, "correct": bool(correct)})
