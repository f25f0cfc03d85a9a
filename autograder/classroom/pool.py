"""Grade submissions in parallel worker processes that die with the grader.

:func:`grade_many` has the contract of :func:`grader.grade_many` (results in job order;
one submission's failure never loses the run) and adds what a long grading run needs:

* Workers die with their parent. A ``kill -9`` of ``qml-course`` used to leave the
  ``ProcessPoolExecutor`` workers (and their sandboxes) grading for minutes. Each worker
  asks Linux for a signal when its parent dies (``prctl(PR_SET_PDEATHSIG)``) and also
  watches ``os.getppid()`` every 0.5 s; either way it kills the process groups of the
  sandboxes it started (registered with :func:`register_child`) and exits.
* A worker that is killed (e.g. by the out-of-memory killer) breaks the whole pool; the
  jobs it took with it are graded again in a fresh pool, and a job that keeps killing its
  worker is reported as an infrastructure failure (never scored) instead of losing the run.
* Ctrl-C (or any error) in the grader stops the workers and their sandboxes at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..records import Status, SubmissionResult

WATCH_SECONDS = 0.5
# The parent-death signal is SIGTERM, not SIGKILL, so that the worker can still kill the
# sandboxes it started (they run in their own session and would otherwise be orphaned).
# The watchdog thread covers the case where the handler cannot run.
DEATH_SIGNAL = signal.SIGTERM

_children: set[int] = set()
# Re-entrant: the SIGTERM handler runs in the main thread, possibly while that thread is
# inside register_child; a plain lock would deadlock the dying worker there.
_children_lock = threading.RLock()
# Held by the one caller of _die that kills the sandboxes and ends the process.
_dying = threading.Lock()


def register_child(pid: int) -> None:
    """Record a process this worker started in its own session (a sandbox): its process
    group is killed if the grader dies."""
    with _children_lock:
        _children.add(int(pid))


def unregister_child(pid: int) -> None:
    with _children_lock:
        _children.discard(int(pid))


def kill_children() -> None:
    """SIGKILL the process group of every registered child (and the child itself)."""
    with _children_lock:
        pids = list(_children)
        _children.clear()
    for pid in pids:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _die() -> None:
    """Kill the registered sandboxes, then end this worker.

    Both the SIGTERM handler (main thread) and the parent watchdog (its own thread) call
    this, often at the same moment when the grader dies. Only the first caller goes on:
    a second caller that took the (by then empty) registry and exited at once would end
    the process before the first had killed the sandboxes, orphaning them. A later
    caller returns and leaves the exit to the first one."""
    if not _dying.acquire(blocking=False):
        return
    try:
        kill_children()
    finally:
        os._exit(1)


def _set_parent_death_signal() -> None:
    from .isolation import set_parent_death_signal

    set_parent_death_signal(DEATH_SIGNAL)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            _die()


def _init_worker(parent: int) -> None:
    """Run in each worker before its first job."""
    with _children_lock:
        _children.clear()  # a forked copy of the parent's registry is not ours
    # A forked worker has none of the parent's threads. Qiskit's Rust code runs on a
    # thread pool (rayon); if the parent used it before the fork, the first parallel call
    # in the worker waits forever for threads that are not there (seen: the trusted check
    # of 07.vqe_ground_energy hung in SparsePauliOp.to_matrix). Qiskit's own switch keeps
    # its Rust code serial in such processes; the workers run in parallel already.
    os.environ["QISKIT_IN_PARALLEL"] = "TRUE"
    os.environ["QISKIT_PARALLEL"] = "FALSE"
    signal.signal(DEATH_SIGNAL, lambda _sig, _frame: _die())
    # Ctrl-C reaches the whole terminal process group; the grader stops the workers itself.
    # A Python handler (not SIG_IGN) so that the sandboxes started from here, which exec,
    # get the default disposition back.
    signal.signal(signal.SIGINT, lambda _sig, _frame: None)
    _set_parent_death_signal()
    if os.getppid() != parent:  # the parent died before prctl took effect
        _die()
    threading.Thread(
        target=_watch_parent, args=(parent,), name="qmlcourse-watch-parent", daemon=True
    ).start()


def _context() -> Any:
    if sys.platform.startswith("linux"):
        try:
            return multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover
            pass
    return multiprocessing.get_context()


def failed_submission(job: dict, reason: str) -> SubmissionResult:
    """A submission the grader failed on as a whole: an infrastructure result with no
    exercise rows, reported and never written to the gradebook."""
    return SubmissionResult(
        str(job.get("student")), str(job.get("assignment")), Status.INFRASTRUCTURE, reason=reason
    )


def _default_job_fn() -> Callable[[dict], SubmissionResult]:
    from .grader import grade_job

    return grade_job


def _stop(executor: ProcessPoolExecutor) -> None:
    """Stop the workers now (their SIGTERM handler kills their sandboxes)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(timeout=5)


def _run_round(
    jobs: list[dict],
    indices: list[int],
    workers: int,
    job_fn: Callable[[dict], SubmissionResult],
    results: list[SubmissionResult | None],
) -> list[int]:
    """Grade ``indices`` in one pool; returns the indices lost to a broken pool."""
    broken: list[int] = []
    executor = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(indices))),
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(os.getpid(),),
    )
    try:
        futures: list[tuple[int, Future]] = [(i, executor.submit(job_fn, jobs[i])) for i in indices]
        for i, future in futures:
            try:
                results[i] = future.result()
            except BrokenProcessPool:
                broken.append(i)
            except Exception as exc:  # the job function itself raised
                results[i] = failed_submission(jobs[i], f"{type(exc).__name__}: {exc}")
    except BaseException:
        _stop(executor)
        raise
    executor.shutdown(wait=True)
    return broken


def grade_many(
    jobs: list[dict],
    workers: int | None = None,
    job_fn: Callable[[dict], SubmissionResult] | None = None,
) -> list[SubmissionResult]:
    """Grade ``jobs`` in parallel (one worker per core by default); results in job order.

    ``job_fn`` (default: :func:`grader.grade_job`, which turns any error into an
    infrastructure result) must be a module-level function.
    """
    if not jobs:
        return []
    fn = job_fn or _default_job_fn()
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        out = []
        for job in jobs:
            try:
                out.append(fn(job))
            except Exception as exc:
                out.append(failed_submission(job, f"{type(exc).__name__}: {exc}"))
        return out
    results: list[SubmissionResult | None] = [None] * len(jobs)
    todo = list(range(len(jobs)))
    while todo:
        broken = _run_round(jobs, todo, workers, fn, results)
        if len(broken) == len(todo):
            # no progress: give each remaining job a worker of its own
            for i in broken:
                if _run_round(jobs, [i], 1, fn, results):
                    results[i] = failed_submission(
                        jobs[i],
                        "the grading worker process died while grading this submission "
                        "(killed by the system, e.g. out of memory); it was not scored",
                    )
            break
        todo = broken
    return [
        r if r is not None else failed_submission(jobs[i], "the grading worker returned no result")
        for i, r in enumerate(results)
    ]
