"""``qml-course``: the course's command line.

Learners:
    qml-course start            create/update the workspace and start JupyterLab in it
    qml-course sync             create/update the workspace only (both: --workspace DIR)
    qml-course grade NB...      self-check notebooks: the cells run in a sandbox, the checks
                                outside it; print per-exercise results (--json)
    qml-course exercises        list exercise IDs (--lesson NN; --where ID: its four places)
    qml-course progress         which exercises pass, in lesson order, with a total (from the
                                last check() of each exercise in the workspace; runs no check)

Authors:
    qml-course author sync      write the registry into the lessons and docs (--check)

Instructors (see ``qml-course class --help``) manage nbgrader classes.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
from collections.abc import Sequence

from .errors import AutograderError


def _sync_workspace(args: argparse.Namespace):
    """Create/update the learner's workspace, print what happened, return its folder."""
    from .workspace import sync, workspace_dir

    root = workspace_dir(args.workspace)
    try:
        report = sync(root)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise  # main() says the disk is full
        raise AutograderError(
            f"Cannot write your workspace at {root}: {exc.strerror or exc} "
            f"({exc.filename or root}). Choose a folder you can write to with "
            "--workspace DIR (or QMLCOURSE_WORKSPACE=DIR)."
        ) from None
    print(report.summary())
    print(f"Your workspace: {root}")
    return root


def _cmd_sync(args: argparse.Namespace) -> int:
    _sync_workspace(args)
    return 0


def learner_lab_command(root, port: int | None = None, no_browser: bool = False) -> list[str]:
    """The command line of the learner's JupyterLab, serving the workspace ``root``."""
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}"]
    if no_browser:
        cmd.append("--no-browser")
    if port:
        cmd.append(f"--port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI machines often run as root
    return cmd


def learner_lab_env(root) -> dict[str, str]:
    """The environment of the learner's JupyterLab: our learner configuration first on
    ``JUPYTER_CONFIG_PATH`` (no nbgrader instructor tools, no nbgrader config warnings)."""
    from .workspace import learner_jupyter_config

    config = str(learner_jupyter_config(root))
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        p for p in (config, env.get("JUPYTER_CONFIG_PATH", "")) if p
    )
    return env


def _cmd_start(args: argparse.Namespace) -> int:
    root = _sync_workspace(args)
    cmd = learner_lab_command(root, args.port, args.no_browser) + list(args.jupyter_args)
    env = learner_lab_env(root)
    print("Starting JupyterLab: " + " ".join(cmd[2:]))
    sys.stdout.flush()
    if args.dry_run:
        return 0
    os.chdir(root)  # nbgrader reads config from the server's folder: never a stranger's
    os.execve(sys.executable, cmd, env)
    return 0  # pragma: no cover


def _cmd_grade(args: argparse.Namespace) -> int:
    from .notebook_grader import grade_notebook

    grades = [grade_notebook(p, cell_timeout=args.timeout) for p in args.notebooks]
    if args.json:
        print(json.dumps([g.to_dict() for g in grades], indent=2))
    else:
        for g in grades:
            print(g.text())
    return 1 if any(g.error for g in grades) else 0


def _cmd_exercises(args: argparse.Namespace) -> int:
    from .engine import exercises, get_exercise

    if args.where:
        from .authoring import exercise_locations

        for what, where in exercise_locations(get_exercise(args.where).id):
            print(f"{what + ':':20s}{where}")
        return 0
    if args.markdown:
        from .authoring.docs import exercises_document, exercises_markdown
        from .lessons import repo_root

        if args.write:
            path = repo_root() / "docs" / "EXERCISES.md"
            path.write_text(exercises_document())
            print(f"wrote {path}")
        else:
            print(exercises_markdown())
        return 0
    for ex_id in exercises(args.lesson):
        ex = get_exercise(ex_id)
        print(f"{ex_id:32s} {ex.points:4g} pts  {ex.title}")
    return 0


def _cmd_progress(args: argparse.Namespace) -> int:
    from .help.progress import progress_table
    from .workspace import workspace_dir

    root = workspace_dir(args.workspace)
    if not root.is_dir():
        raise AutograderError(
            f"There is no workspace at {root}. Create it with `qml-course start` (or "
            "`qml-course sync`), or name yours with --workspace DIR."
        )
    print(f"Your workspace: {root}")
    print(progress_table(root))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="qml-course", description="The QML Course command line.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    where = (
        "the workspace folder (default: QMLCOURSE_WORKSPACE, else workspace/ in a checkout, "
        "else ~/qml-course)"
    )

    p = sub.add_parser("start", help="create/update the workspace and start JupyterLab")
    p.add_argument("--workspace", metavar="DIR", default=None, help=where)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--dry-run", action="store_true", help="prepare, print, but do not start")
    p.add_argument("jupyter_args", nargs="*", help="extra arguments for jupyter lab (after --)")
    p.set_defaults(func=_cmd_start)

    p = sub.add_parser("sync", help="create/update the workspace; never overwrites your edits")
    p.add_argument("--workspace", metavar="DIR", default=None, help=where)
    p.set_defaults(func=_cmd_sync)

    p = sub.add_parser(
        "grade",
        help="self-check notebooks and print per-exercise results (the cells run in a "
        "sandbox, the checks outside it; without bubblewrap the sandbox has resource limits "
        "only; instructors record grades with `class autograde`)",
    )
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per cell (120)")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("exercises", help="list exercise IDs")
    p.add_argument("--lesson", default=None, help="only this lesson, e.g. 03")
    p.add_argument("--markdown", action="store_true", help="the table of docs/EXERCISES.md")
    p.add_argument("--write", action="store_true", help="with --markdown: write docs/EXERCISES.md")
    p.add_argument(
        "--where",
        metavar="ID",
        default=None,
        help="print where exercise ID is defined: lesson cell, checker, reference, tests",
    )
    p.set_defaults(func=_cmd_exercises)

    p = sub.add_parser(
        "progress",
        help="which exercises pass, in lesson order, with a total (reads the last check() of "
        "each exercise in your workspace; runs nothing)",
    )
    p.add_argument("--workspace", metavar="DIR", default=None, help=where)
    p.set_defaults(func=_cmd_progress)

    from .authoring.commands import add_author_commands

    add_author_commands(sub)

    try:
        from .classroom.cli import add_class_commands
    except ImportError:
        pass
    else:
        add_class_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AutograderError as exc:
        print(f"qml-course: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("qml-course: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `qml-course exercises | head`: the reader has gone
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            if args.command == "class":
                return _grader_problem(args, exc)
            raise
        where = f" (while writing {exc.filename})" if exc.filename else ""
        print(
            f"qml-course: the disk is full{where}. Free some disk space and run the command again.",
            file=sys.stderr,
        )
        return 2
    except Exception as exc:
        if args.command != "class":
            raise
        return _grader_problem(args, exc)


def _grader_problem(args: argparse.Namespace, exc: BaseException) -> int:
    """An unexpected error in a ``class`` step: a short message, the traceback in a file."""
    import contextlib
    import tempfile
    import time
    import traceback
    from pathlib import Path

    step = getattr(args, "class_command", None) or "command"
    text = (
        f"qml-course class {step} failed at {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
        f"command line: {' '.join(sys.argv)}\n\n"
        + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    saved = None
    reports = Path(args.dir) / "reports" if getattr(args, "dir", None) else None
    if reports is not None and reports.is_dir():
        for n in range(100):
            path = reports / (f"crash-{stamp}.txt" if n == 0 else f"crash-{stamp}-{n}.txt")
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            except OSError:
                break
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(text)
                saved = str(path)
            except OSError:
                with contextlib.suppress(OSError):
                    path.unlink()
            break
    if saved is None:
        try:
            fd, saved = tempfile.mkstemp(prefix=f"qml-course-crash-{stamp}-", suffix=".txt")
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
        except OSError:
            saved = None
    summary = " ".join(str(exc).split())
    print(
        f"qml-course class {step} failed because of a grader problem: "
        f"{type(exc).__name__}: {summary}",
        file=sys.stderr,
    )
    if saved:
        print(
            f"The details (traceback) are saved in {saved}; please include that file when "
            "you report the problem.",
            file=sys.stderr,
        )
    else:
        print("The traceback could not be saved to a file; here it is:", file=sys.stderr)
        print(text, file=sys.stderr)
    return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
