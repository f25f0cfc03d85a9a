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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
