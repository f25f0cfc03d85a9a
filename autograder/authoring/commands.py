"""``qml-course author ...``: the authors' commands (registered by ``autograder.cli``)."""

from __future__ import annotations

import argparse


def _cmd_sync(args: argparse.Namespace) -> int:
    from .sync import sync_lessons

    changes = sync_lessons(args.lessons or None, check=args.check)
    for change in changes:
        if args.check:
            print(change.diff())
        else:
            print(f"rewrote {change.path}")
    if args.check and changes:
        print(
            f"{len(changes)} file(s) are not in sync with the registry; "
            "run `qml-course author sync` and commit the result."
        )
        return 1
    if not changes:
        print("lessons and docs are in sync with the registry")
    return 0


def _cmd_normalize(args: argparse.Namespace) -> int:
    from ..lessons import list_lessons
    from .normalize import normalize_notebook

    paths = args.notebooks or [lesson.notebook for lesson in list_lessons()]
    changed = [p for p in paths if normalize_notebook(p, check=args.check)]
    for path in changed:
        print(f"{'would rewrite' if args.check else 'rewrote'} {path}")
    return 1 if args.check and changed else 0


def add_author_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``author sync`` and ``author normalize`` to the ``qml-course`` parser."""
    author = sub.add_parser(
        "author",
        help="for course authors: regenerate the lessons' generated cells and the docs",
        description="Commands for course authors (see CONTRIBUTING.md).",
    )
    steps = author.add_subparsers(dest="author_command", metavar="STEP")
    p = steps.add_parser(
        "sync",
        help="write every exercise's heading, check and grade cells, points and cell ids "
        "into the lessons, normalise them, and regenerate docs/EXERCISES.md and the "
        "signatures of docs/CURRICULUM.md",
    )
    p.add_argument("lessons", nargs="*", metavar="NN", help="only these lessons (default: all)")
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print what would change and exit 1 if anything would",
    )
    p.set_defaults(func=_cmd_sync)
    p = steps.add_parser(
        "normalize",
        help="rewrite notebooks in the committed layout (ids, no outputs, allowed metadata)",
    )
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="default: every lesson")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 if any would change")
    p.set_defaults(func=_cmd_normalize)
    author.set_defaults(func=lambda _args: author.print_help() or 2)
