"""Build hook: the wheel gets the learners' versions of the lessons and never a solution.

Everything else about the package is in pyproject.toml. ``build_py`` writes the student
version of every lesson (made by ``autograder/lessons.py``, the code that makes a
checkout's workspace) into ``autograder/student_lessons/`` of the wheel. The reference
solutions (``autograder/solutions``) are excluded in pyproject.toml; this hook also
removes stale copies from an old build folder and refuses to build a wheel whose lessons
still hold solution or hidden-test text.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import types
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
STUDENT_LESSONS = ("autograder", "student_lessons")
SOLUTIONS = ("autograder", "solutions")
FORBIDDEN = (b"BEGIN SOLUTION", b"END SOLUTION", b"BEGIN HIDDEN TESTS", b"END HIDDEN TESTS")


def _lessons_module() -> types.ModuleType:
    """This tree's ``autograder/lessons.py``, loaded without ``autograder/__init__.py``
    (which needs numpy, absent from the build environment)."""
    package = "_qmlcourse_build_autograder"
    if f"{package}.lessons" in sys.modules:
        return sys.modules[f"{package}.lessons"]
    parent = types.ModuleType(package)
    parent.__path__ = [str(HERE / "autograder")]
    sys.modules[package] = parent
    spec = importlib.util.spec_from_file_location(
        f"{package}.lessons", HERE / "autograder" / "lessons.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class BuildPyWithStudentLessons(build_py):
    """``build_py`` that adds the learners' lessons (not in editable installs, which read
    ``lessons/`` of the checkout)."""

    def run(self) -> None:
        leaked = [p for p in self.packages or () if p.split(".")[:2] == list(SOLUTIONS)]
        if leaked:
            raise SystemExit(f"refusing to build: {leaked} would ship the reference solutions")
        super().run()
        if getattr(self, "editable_mode", False):
            return
        build_lib = Path(self.build_lib)
        shutil.rmtree(build_lib.joinpath(*SOLUTIONS), ignore_errors=True)  # an old build's
        out = build_lib.joinpath(*STUDENT_LESSONS)
        shutil.rmtree(out, ignore_errors=True)
        lessons = _lessons_module()
        written = 0
        for lesson in lessons.list_lessons(HERE / "lessons"):
            for rel, data in lessons.lesson_files(lesson).items():
                if rel.endswith(".ipynb") and any(mark in data for mark in FORBIDDEN):
                    raise SystemExit(
                        f"refusing to build: the student version {rel} holds solutions"
                    )
                dest = out / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
                written += 1
        if not written:
            raise SystemExit(f"no lessons found in {HERE / 'lessons'}; the wheel would be empty")
        self.announce(f"wrote {written} learners' lesson files to {out}", level=2)


setup(cmdclass={"build_py": BuildPyWithStudentLessons})
