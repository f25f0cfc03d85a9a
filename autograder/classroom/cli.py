"""``qml-course class ...``: run the course as graded nbgrader assignments."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _course(args: argparse.Namespace):
    from .course import open_course

    return open_course(args.dir)


def _init(args: argparse.Namespace) -> int:
    from .course import init_course

    course = init_course(args.dir, course_id=args.course_id, db_url=args.db_url)
    print(f"Created the class folder {course.root} with {len(course.assignments())} assignments:")
    print("  " + ", ".join(course.assignments()))
    print(f"Gradebook: {course.db_url()}")
    print(f"Formgrader: cd {course.root} && jupyter lab   (then Nbgrader > Formgrader)")
    return 0


def _release(args: argparse.Namespace) -> int:
    from .course import release
    from .lock import course_lock

    course = _course(args)
    # generate_assignment writes the gradebook: never at the same time as a grading run
    with course_lock(course.root, "release"):
        folder = release(course, args.assignment)
    print(f"Released {args.assignment}: student version in {folder} and in the exchange.")
    return 0


def _collect(args: argparse.Namespace) -> int:
    from .course import collect
    from .lock import course_lock

    course = _course(args)
    with course_lock(course.root, "collect"):
        report = collect(course, args.assignment, args.source)
    collected = set(report["collected"])
    print(f"Collected {len(collected)} submissions of {args.assignment}.")
    for line in report["skipped"]:
        print(f"  skipped: {line}")
    for student, reasons in sorted(report.get("problems", {}).items()):
        state = (
            "collected, but some files were left out" if student in collected else "NOT collected"
        )
        print(f"  {student} ({state}):")
        for reason in reasons:
            print(f"    - {reason}")
    if report.get("raw"):
        print(f"The submissions as they arrived are kept in {report['raw']}")
    return 0


def _autograde(args: argparse.Namespace) -> int:
    from ..records import Status
    from .isolation import Limits
    from .workflow import autograde, not_scored_exercises, pending_students

    course = _course(args)
    limits = Limits(wall_seconds=args.timeout, memory_bytes=int(args.memory_gb * 1024**3))
    results, warning = autograde(
        course, args.assignment, args.student or None, args.workers, limits, resume=args.resume
    )
    if args.resume:
        if not results:
            print(
                f"Nothing to resume: every saved result of {args.assignment} is already in "
                "the gradebook."
            )
            return 0
        print(
            f"Wrote the saved results of {len(results)} submissions of {args.assignment} to "
            "the gradebook (nothing was graded again)."
        )
    if warning:
        print(f"WARNING: {warning}")
    for r in results:
        extra = f"  [{r.status.value}: {r.reason}]" if r.status is not Status.GRADED else ""
        if r.not_scored:
            extra += f"  [not scored (grader problem): {', '.join(r.not_scored)}]"
        print(f"{r.student:24s} {r.score:6g}/{r.max_score:g}{extra}")
    if args.json:
        print(json.dumps([r.to_dict() for r in results], indent=1))
    missing = not_scored_exercises(results)
    whole = [s for s, e in missing if e == "all exercises"]
    parts = [(s, e) for s, e in missing if e != "all exercises"]
    if whole:
        print(
            f"{len(whole)} submission(s) could not be graded because of a grader problem; "
            "they were not scored. Fix the problem and run autograde again for them."
        )
    if parts:
        print(
            f"{len(parts)} exercise(s) in {len({s for s, _e in parts})} submission(s) were not "
            "scored because of a grader problem (the other exercises were; these grades were "
            "left as they were): "
            + ", ".join(f"{s}: {e}" for s, e in parts[:10])
            + (" ..." if len(parts) > 10 else "")
            + ". Fix the problem and run autograde again for them (--student NAME)."
        )
    waiting = pending_students(course, args.assignment)
    if waiting:
        print(
            f"{len(waiting)} earlier result(s) of {args.assignment} are saved but not yet in "
            f"the gradebook ({', '.join(waiting[:5])}{' ...' if len(waiting) > 5 else ''}): "
            f"write them with `qml-course class autograde {course.root} {args.assignment} "
            "--resume`."
        )
    return 1 if missing else 0


def _selftest(args: argparse.Namespace) -> int:
    from .grader import self_test
    from .isolation import detect

    isolation = detect()
    course = _course(args) if args.dir else None
    report = self_test(isolation, course_root=course.root if course else None)
    print(f"The grading sandbox works: isolation {isolation.level}, user id {report['uid']}.")
    for name, state in report["imports"].items():
        print(f"  {name}: {state}")
    if isolation.warning:
        print(f"WARNING: {isolation.warning}")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    from .workflow import feedback, releasable

    pages = feedback(_course(args), args.assignment)
    exchange = [p for p in pages if releasable(p)]
    other = [p for p in pages if not releasable(p)]
    print(f"Wrote {len(pages)} feedback pages under feedback/STUDENT/{args.assignment}/.")
    if exchange:
        print(
            f"  {len(exchange)} came through the nbgrader exchange: return them with "
            f"`nbgrader release_feedback {args.assignment}` (run in the class folder)."
        )
    if other:
        print(
            f"  {len(other)} came from a folder or an LMS export, so the exchange cannot "
            "return them: hand back feedback/STUDENT/"
            f"{args.assignment}/{args.assignment}.html through your LMS."
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from .workflow import export_csv

    out = export_csv(_course(args), Path(args.to), args.assignment)
    print(f"Grades written to {out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .workflow import class_report

    print(class_report(_course(args), args.assignment))
    return 0


def add_class_commands(sub: argparse._SubParsersAction) -> None:
    cls = sub.add_parser("class", help="instructors: run the course as nbgrader assignments")
    csub = cls.add_subparsers(dest="class_command", metavar="STEP")
    cls.set_defaults(func=lambda a: (cls.print_help(), 2)[1])

    p = csub.add_parser("init", help="create a class folder with every lesson as an assignment")
    p.add_argument("dir")
    p.add_argument("--course-id", default="qml-course")
    p.add_argument(
        "--db-url",
        default=None,
        help="gradebook URL (default: SQLite in DIR); e.g. postgresql://user@host/dbname",
    )
    p.set_defaults(func=_init)

    for name, fn, helptext in (
        ("release", _release, "make the student version and put it in the exchange"),
        ("feedback", _feedback, "write HTML feedback per student"),
        (
            "report",
            _report,
            "pass rates, common mistakes, score distribution, ungradable submissions",
        ),
    ):
        p = csub.add_parser(name, help=helptext)
        p.add_argument("dir")
        p.add_argument("assignment")
        p.set_defaults(func=fn)

    p = csub.add_parser("collect", help="bring in submissions from a folder or an LMS zip")
    p.add_argument("dir")
    p.add_argument("assignment")
    p.add_argument("source", help="folder with one sub-folder per student, or an LMS export zip")
    p.set_defaults(func=_collect)

    p = csub.add_parser("autograde", help="grade submissions in sandboxes, in parallel")
    p.add_argument("dir")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--workers", type=int, default=None, help="parallel graders (default: cores)")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds per submission (600)")
    p.add_argument("--memory-gb", type=float, default=3.0, help="memory per submission (3)")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--resume",
        action="store_true",
        help="grade nothing: write the saved results that did not reach the gradebook "
        "(after the database was unreachable)",
    )
    p.set_defaults(func=_autograde)

    p = csub.add_parser(
        "selftest", help="start one grading sandbox and check what it can import and see"
    )
    p.add_argument("dir", nargs="?", default=None, help="class folder (optional)")
    p.set_defaults(func=_selftest)

    p = csub.add_parser("export", help="grades as CSV with a per-exercise breakdown")
    p.add_argument("dir")
    p.add_argument("--to", default="grades.csv")
    p.add_argument("--assignment", default=None)
    p.set_defaults(func=_export)
