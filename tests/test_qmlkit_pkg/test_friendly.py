"""Friendly errors: explicit, never an import side effect, and still short for learners."""

import subprocess
import sys
import textwrap


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


def test_import_qmlkit_and_autograder_leave_ipython_and_excepthook_alone():
    out = _run(
        """
        import sys
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        hook = sys.excepthook
        import qmlkit, qmlkit.sim, qmlkit.models, autograder
        assert sys.excepthook is hook, "sys.excepthook changed"
        assert shell.custom_exceptions == (), shell.custom_exceptions
        print("untouched")
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "untouched"


def test_qmlkit_never_imports_the_autograder():
    out = _run(
        """
        import sys
        import qmlkit
        qmlkit.enable_friendly_errors()
        import qmlkit._friendly, qmlkit.sim, qmlkit.kernels
        print(sorted(m for m in sys.modules if m.split(".")[0] == "autograder"))
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_enabled_errors_are_one_short_line_in_ipython():
    """What a learner sees in a lesson: the message, not a traceback through qmlkit."""
    out = _run(
        """
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_cell("import qmlkit")
        shell.run_cell("from autograder import check")
        shell.run_cell('print("enabled:", qmlkit.enable_friendly_errors())')  # a lesson's cell 1
        shell.run_cell('qmlkit.backends.get("fake:manilla")')
        shell.run_cell('check("99.no_such_exercise", print)')
        shell.run_cell('1 / 0')  # other errors keep IPython's own traceback
        """
    )
    assert out.returncode == 0, out.stderr
    assert "enabled: True" in out.stdout
    err_lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert any(
        line.startswith("BackendError: There is no fake IBM device called 'manilla'")
        and "fake:manila" in line
        for line in err_lines
    ), out.stderr
    assert any(line.startswith("UnknownExercise:") for line in err_lines), out.stderr
    assert "backends.py" not in out.stderr + out.stdout  # no frames inside qmlkit
    assert "ZeroDivisionError" in out.stdout + out.stderr


def test_autograder_error_registered_before_or_after_enabling():
    out = _run(
        """
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        import qmlkit
        qmlkit.enable_friendly_errors()          # first enable, then import the autograder
        from autograder import AutograderError
        from qmlkit.errors import QMLKitError
        print(set(shell.custom_exceptions) == {QMLKitError, AutograderError})
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_outside_ipython_enabling_changes_nothing():
    out = _run(
        """
        import sys
        hook = sys.excepthook
        import qmlkit
        print(qmlkit.enable_friendly_errors(), sys.excepthook is hook, "IPython" in sys.modules)
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "False"]
