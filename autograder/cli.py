"""``qml-course``: the course's command line.

Learners:
    qml-course start            create/update the workspace and start JupyterLab in it
    qml-course sync             create/update the workspace only
    qml-course grade NB...      grade notebooks and print per-exercise results (--json)
    qml-course exercises        list exercise IDs (--lesson NN)

Instructors (see ``qml-course class --help``) manage nbgrader classes.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
from collections.abc import Sequence

from .errors import AutograderError


def _cmd_sync(args: argparse.Namespace) -> int:
    from .workspace import sync, workspace_dir

    report = sync()
    print(report.summary())
    print(f"Your workspace: {workspace_dir()}")
    return 0


def _cmd_start(args: argparse.Namespace) -> int:
    from .workspace import sync, workspace_dir

    report = sync()
    print(report.summary())
    root = workspace_dir()
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={root}"]
    if args.no_browser:
        cmd.append("--no-browser")
    if args.port:
        cmd.append(f"--port={args.port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI machines often run as root
    cmd.extend(args.jupyter_args)
    print("Starting JupyterLab: " + " ".join(cmd[2:]))
    sys.stdout.flush()
    if args.dry_run:
        return 0
    os.execv(sys.executable, cmd)
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


def exercises_markdown() -> str:
    """The exercise table of docs/EXERCISES.md, generated from the registry."""
    import inspect

    from .engine import exercises, get_exercise
    from .solutions import reference

    lines = [
        "| ID | signature | points | time limit | exercise |",
        "|---|---|---|---|---|",
    ]
    for ex_id in exercises():
        ex = get_exercise(ex_id)
        try:
            sig = f"`{ex.function_name}{inspect.signature(reference(ex_id))}`"
        except (ImportError, AttributeError, ValueError):
            sig = f"`{ex.function_name}(...)`"
        sig = sig.replace("'", "").replace("|", "\\|")
        title = ex.title.replace("|", "\\|")
        lines.append(f"| {ex_id} | {sig} | {ex.points:g} | {ex.time_limit:g} s | {title} |")
    return "\n".join(lines)


def _cmd_exercises(args: argparse.Namespace) -> int:
    from .engine import exercises, get_exercise

    if args.markdown:
        print(exercises_markdown())
        return 0
    for ex_id in exercises(args.lesson):
        ex = get_exercise(ex_id)
        print(f"{ex_id:32s} {ex.points:4g} pts  {ex.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qml-course", description="The QML Course command line.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("start", help="create/update the workspace and start JupyterLab")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--dry-run", action="store_true", help="prepare, print, but do not start")
    p.add_argument("jupyter_args", nargs="*", help="extra arguments for jupyter lab (after --)")
    p.set_defaults(func=_cmd_start)

    p = sub.add_parser("sync", help="create/update the workspace; never overwrites your edits")
    p.set_defaults(func=_cmd_sync)

    p = sub.add_parser("grade", help="grade notebooks and print per-exercise results")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per cell (120)")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("exercises", help="list exercise IDs")
    p.add_argument("--lesson", default=None, help="only this lesson, e.g. 03")
    p.add_argument("--markdown", action="store_true", help="the table of docs/EXERCISES.md")
    p.set_defaults(func=_cmd_exercises)

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
