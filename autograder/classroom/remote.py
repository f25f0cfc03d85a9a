"""The trusted side of the sandbox: start it, run a submission's cells, call functions.

:class:`SandboxSession` owns one sandbox process. :class:`SandboxRunner` is the engine's
:class:`~autograder.engine.Runner` for it: with it, :func:`autograder.engine.grade_exercise`
runs every existing checker unchanged against a sandboxed submission. The learner's code
runs in the sandbox, the comparisons run here, where learner code cannot reach them.
"""

from __future__ import annotations

import builtins
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import messages
from ..engine import Exercise, ThreadRunner
from ..errors import CheckBudget, LearnerError
from . import isolation as iso
from . import wire
from .wire import WireError


def _register_child(pid: int) -> None:
    """Tell the pool worker's watchdog about a sandbox, so it dies with the grader."""
    try:
        from . import pool

        pool.register_child(pid)
    except (ImportError, AttributeError):  # pragma: no cover
        pass


def _unregister_child(pid: int) -> None:
    try:
        from . import pool

        pool.unregister_child(pid)
    except (ImportError, AttributeError):  # pragma: no cover
        pass


def sweep_stale() -> list[Path]:
    """Remove staging folders left by graders that were killed (their pid is gone)."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob("qmlcourse-sbx-*"):
        parts = folder.name.split("-")
        if len(parts) < 4 or not parts[2].isdigit() or not folder.is_dir():
            continue
        if folder.is_symlink() or folder.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(parts[2]), 0)
            continue  # its grader is still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


#: frames read ahead from a sandbox; the reader blocks (and so does the sandbox) beyond
FRAME_QUEUE = 4


class SandboxDied(Exception):
    """The sandbox process ended (crash, memory kill, os._exit) or was killed."""


class InfrastructureError(Exception):
    """The sandbox could not be started: our problem, never scored as the learner's."""


class SandboxSession:
    """One sandbox process with a working copy of the submission's folder.

    The session stages, in a private temporary folder, what the sandbox may see: a copy
    of our packages without checks and solutions, the submission's data files and a few
    ``/etc`` files. :meth:`start` (re)starts the process, :meth:`kill` stops it, and
    :meth:`close` also removes the staged files.
    """

    #: seconds the sandbox may take to start (import its modules) before it is an
    #: infrastructure failure
    START_SECONDS = 90.0

    def __init__(
        self,
        source_dir: Path | None,
        limits: iso.Limits,
        isolation: iso.Isolation,
        hidden: list[Path],
    ) -> None:
        self.limits = limits
        self.isolation = isolation
        self.hidden = hidden
        self.source_dir = source_dir
        self.proc: subprocess.Popen | None = None
        self.frames: queue.Queue = queue.Queue(maxsize=FRAME_QUEUE)
        self.callbacks: dict[int, Callable[..., Any]] = {}
        self.base: Path | None = None
        self.workdir: Path | None = None
        self.input_notes: list[str] = []
        #: the submission's code cells, for checks that read the source (trusted side)
        self.sources: list[str] = []
        self.ready: dict = {}
        self.starts = 0

    # -- lifecycle ------------------------------------------------------------
    def _stage(self) -> None:
        if self.base is not None:
            return
        self.base = Path(tempfile.mkdtemp(prefix=f"qmlcourse-sbx-{os.getpid()}-"))
        os.chmod(self.base, 0o700)
        iso.stage_packages(self.base / "lib")
        self.input_notes = iso.copy_input(
            self.source_dir or self.base / "none", self.base / "input", self.limits.input_bytes
        )

    def start(self) -> None:
        """Start (or restart) the sandbox and wait until it is ready.

        Raises:
            InfrastructureError: the sandbox could not be started; the message carries
                its own error output. Never the learner's fault: no learner code has run.
        """
        self.kill()
        try:
            self._stage()
        except (OSError, RecursionError, shutil.Error) as exc:
            if self.base is not None:
                shutil.rmtree(self.base, ignore_errors=True)
                self.base = None
            raise InfrastructureError(f"could not prepare the sandbox's files ({exc})") from exc
        assert self.base is not None
        self.starts += 1
        uid = iso.sandbox_uid() if self.isolation.level in ("bwrap", "uid") else None
        stderr_path = self.base / "stderr.log"
        pass_fds: tuple[int, ...] = ()
        extra_fds: list[int] = []
        args_r = -1
        if self.isolation.level == "bwrap":
            etc = iso.stage_etc(self.base / f"etc-{self.starts}", uid)
            options = iso.bwrap_args(
                self.limits, self.base / "lib", self.base / "input", etc, self.hidden, uid
            )
            program = iso.seccomp_filter()
            if program is not None:
                seccomp_r, seccomp_w = os.pipe()
                os.write(seccomp_w, program)
                os.close(seccomp_w)
                extra_fds.append(seccomp_r)
                options += ["--seccomp", str(seccomp_r)]
            data = b"\0".join(a.encode() for a in options)
            args_r, args_w = os.pipe()
            if len(data) >= 60_000:  # pipe buffers hold 64 KiB
                os.close(args_r)
                os.close(args_w)
                raise InfrastructureError("the sandbox's mount list is too long")
            os.write(args_w, data)
            os.close(args_w)
            pass_fds = (args_r, *extra_fds)
            cmd = iso.sandbox_command(self.isolation, uid, args_fd=args_r)
            env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
            cwd = "/"
        else:
            self.workdir = self.base / f"work-{self.starts}"
            iso.copy_input(self.base / "input", self.workdir, self.limits.input_bytes)
            iso.prepare_workdir(self.workdir, uid)
            cmd = iso.sandbox_command(self.isolation, uid)
            env = iso.sandbox_env(uid)
            env.update(
                PYTHONPATH=str(self.base / "lib"),
                HOME=str(self.workdir),
                TMPDIR=str(self.workdir),
                MPLCONFIGDIR=str(self.workdir / ".matplotlib"),
                QMLCOURSE_SANDBOX_LOG=str(self.workdir / ".qmlcourse-output.log"),
                QMLCOURSE_SANDBOX_WORKDIR=str(self.workdir),
            )
            env.pop("QMLCOURSE_SANDBOX_INPUT", None)
            cwd = str(self.workdir)
        limits = self.limits
        try:
            with open(stderr_path, "wb") as stderr:
                self.proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    cwd=cwd,
                    env=env,
                    pass_fds=pass_fds,
                    preexec_fn=lambda: iso.apply_limits(limits),
                )
        except OSError as exc:
            raise InfrastructureError(f"could not start the sandbox ({exc})") from exc
        finally:
            for fd in [args_r, *extra_fds]:
                if fd >= 0:
                    os.close(fd)
        _register_child(self.proc.pid)
        self.frames = queue.Queue(maxsize=FRAME_QUEUE)
        reader = threading.Thread(target=self._read, args=(self.proc, self.frames), daemon=True)
        reader.start()
        try:
            frame = self.receive(time.monotonic() + self.START_SECONDS)
        except (TimeoutError, SandboxDied) as exc:
            detail = self.stderr_tail()
            self.kill()
            raise InfrastructureError(
                f"the sandbox did not start ({exc or 'no answer'})"
                + (f"; its error output:\n{detail}" if detail else "")
            ) from None
        if frame.get("event") != "ready":
            self.kill()
            raise InfrastructureError(f"the sandbox did not start (it said {str(frame)[:200]})")
        self.ready = frame

    def stderr_tail(self, limit: int = 3000) -> str:
        """The end of what the sandbox wrote to its error output before it was ready."""
        if self.base is None:
            return ""
        try:
            with open(self.base / "stderr.log", "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - limit))
                return fh.read().decode("utf-8", "replace").strip()
        except OSError:
            return ""

    @staticmethod
    def _read(proc: subprocess.Popen, frames: queue.Queue) -> None:
        def put(item: Any) -> bool:
            """Hand a frame over; False once nobody will read it (the sandbox is gone)."""
            while True:
                try:
                    frames.put(item, timeout=0.5)
                    return True
                except queue.Full:
                    if proc.poll() is not None:
                        return False

        try:
            while True:
                try:
                    frame = wire.read_frame(proc.stdout, limit=wire.SANDBOX_FRAME_LIMIT)
                except (OSError, ValueError) as exc:
                    if isinstance(exc, wire.WireError):
                        raise
                    frame = None  # the pipe was closed by kill()
                if not put(frame) or frame is None:
                    return
        except Exception as exc:  # a malformed frame: the sandbox is no longer trusted
            reason = str(exc)[:200]
            kind = "too_large" if "over the limit" in reason else "protocol"
            message = (
                "sent an answer too large for the grader (over "
                f"{wire.SANDBOX_FRAME_LIMIT // 1024**2} MB)"
                if kind == "too_large"
                else f"sent a malformed message ({reason})"
            )
            if put({"result": "error", "kind": kind, "message": message}):
                put(None)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, OSError):
                pass
            try:
                self.proc.kill()
                self.proc.wait(timeout=10)
            except Exception:
                pass
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    if stream is not None:
                        stream.close()
                except Exception:
                    pass
            _unregister_child(self.proc.pid)
            self.proc = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def close(self) -> None:
        """Stop the sandbox and remove everything staged for it."""
        self.kill()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def death_reason(self) -> str:
        code = self.proc.poll() if self.proc else None
        if code is None:
            return "the sandbox stopped answering"
        if code > 128 and (code - 128) in signal.Signals._value2member_map_:
            code = -(code - 128)  # bubblewrap reports a child killed by signal N as 128 + N
        if code < 0:
            sig = (
                signal.Signals(-code).name
                if -code in signal.Signals._value2member_map_
                else str(-code)
            )
            hints = {
                "SIGKILL": " (killed: memory or time limit, or a crash)",
                "SIGXCPU": " (CPU time limit reached)",
                "SIGSEGV": " (a segmentation fault)",
                "SIGABRT": " (aborted)",
            }
            return f"the Python process was killed by {sig}{hints.get(sig, '')}"
        return f"the Python process exited with code {code} (os._exit, or a crash)"

    # -- messaging ------------------------------------------------------------
    def send(self, message: dict) -> None:
        stdin = self.proc.stdin if self.proc is not None else None
        if stdin is None or not self.alive():
            raise SandboxDied(self.death_reason())
        try:
            stdin.write(wire.dumps(message))
            stdin.flush()
        except (BrokenPipeError, OSError):
            raise SandboxDied(self.death_reason()) from None

    def receive(self, deadline: float) -> dict:
        """Next frame before ``deadline``; TimeoutError or SandboxDied otherwise."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            frame = self.frames.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError from None
        if frame is None:
            reason = "the sandbox stopped answering"
            if self.proc is not None:
                try:
                    self.proc.wait(timeout=5)
                    reason = self.death_reason()
                except subprocess.TimeoutExpired:
                    reason = "the sandbox sent a malformed message"
                    self.kill()
            raise SandboxDied(reason)
        return frame

    def exec_cells(
        self, cells: list[str], deadline: float, cell_seconds: float
    ) -> tuple[list[dict], int | None, str]:
        """Run cells, each within ``cell_seconds`` and all before ``deadline``.

        Returns (errors raised by cells, index of a cell that hung or crashed the process
        or None, why it was stopped).
        """
        self.send({"op": "exec", "cells": cells})
        current: int | None = None
        cell_deadline = min(deadline, time.monotonic() + cell_seconds)
        while True:
            try:
                frame = self.receive(cell_deadline)
            except TimeoutError:
                why = (
                    "the submission's time limit ran out"
                    if time.monotonic() >= deadline
                    else f"it ran for more than {cell_seconds:g} s"
                )
                self.kill()
                return [], current if current is not None else 0, why
            except SandboxDied as died:
                why = str(died)
                self.kill()
                return [], current if current is not None else 0, why
            if frame.get("event") == "cell":
                index = frame.get("index")
                # only a new cell gets a new clock: repeated or forged events do not
                if (
                    isinstance(index, int)
                    and 0 <= index < len(cells)
                    and (current is None or index > current)
                ):
                    current = index
                    cell_deadline = min(deadline, time.monotonic() + cell_seconds)
                continue
            if frame.get("result") == "done":
                errors = frame.get("errors", [])
                return (errors if isinstance(errors, list) else []), None, ""

    def has_function(self, name: str, deadline: float) -> bool:
        self.send({"op": "has", "name": name})
        frame = self.receive(deadline)
        return frame.get("value") is True

    def call(self, target: dict, args: tuple, kwargs: dict, deadline: float) -> Any:
        """Call a learner function in the sandbox; returns its value as data or proxies."""
        self.callbacks = {}
        payload = {
            "op": "call",
            "target": target,
            "args": wire.encode(list(args), callback=self._register_callback),
            "kwargs": wire.encode(kwargs, callback=self._register_callback),
        }
        self.send(payload)
        while True:
            frame = self.receive(deadline)
            if "callback" in frame:
                self._answer_callback(frame)
                continue
            if frame.get("result") == "value":
                try:
                    return wire.decode(frame.get("value"), remote_handle=self._remote_object)
                except (WireError, CheckBudget) as exc:
                    raise LearnerError(
                        f"returned a value the grader cannot accept: {exc}"
                    ) from None
                except (Exception, RecursionError) as exc:  # a malformed reply fails this case
                    raise LearnerError(
                        f"returned a value that could not be read ({type(exc).__name__})"
                    ) from None
            raise _learner_error(frame)

    def _register_callback(self, fn: Callable[..., Any]) -> dict:
        cid = len(self.callbacks) + 1
        self.callbacks[cid] = fn
        return {"__callback__": cid, "name": getattr(fn, "__name__", "f")}

    def _answer_callback(self, frame: dict) -> None:
        try:
            cid = frame.get("callback")
            fn = self.callbacks.get(cid) if isinstance(cid, int) else None
            if fn is None:
                raise WireError("unknown callback")
            args = wire.decode(frame.get("args", []))
            kwargs = wire.decode(frame.get("kwargs", {"__dict__": []}))
            value = fn(*args, **kwargs)  # our own function, e.g. the checker's f(params)
            self.send({"value": wire.encode(value)})
        except SandboxDied:
            raise
        except Exception as exc:
            self.send({"error": f"{type(exc).__name__}: {str(exc)[:300]}"})

    def _remote_object(self, data: dict) -> RemoteObject:
        return RemoteObject(self, data)


class RemoteObject:
    """Stands for a value that stayed in the sandbox (a trained model, say)."""

    def __init__(self, session: SandboxSession, data: dict) -> None:
        self._session = session
        self._handle = data["__handle__"]
        self._type = data.get("type", "object")
        self._attrs = set(data.get("attrs", []))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._attrs:
            raise AttributeError(f"{self._type} object has no method {name!r}")
        return RemoteFunction(
            self._session, {"handle": self._handle, "attr": name}, f"{self._type}.{name}"
        )

    def __repr__(self) -> str:
        return f"<{self._type} object from the submission>"


class RemoteFunction:
    """A learner function (or a method of a returned object) in the sandbox."""

    def __init__(self, session: SandboxSession, target: dict, name: str) -> None:
        self.session = session
        self.target = target
        self.__name__ = name
        self.deadline: float = time.monotonic() + 60

    def code_names(self) -> list[str]:
        """Names the function's code refers to: read here from the submitted source (which
        the learner cannot fake at grading time), plus what the sandbox reports about the
        compiled function (which catches names a static reading misses)."""
        if "name" not in self.target:
            return []
        from .static_names import function_names

        names = set(function_names(self.session.sources, self.target["name"]))
        try:
            self.session.send({"op": "names", "name": self.target["name"]})
            frame = self.session.receive(self.deadline)
            value = frame.get("value")
            if isinstance(value, list):
                names.update(str(v)[:200] for v in value[:2000])
        except (TimeoutError, SandboxDied):
            pass
        return sorted(names)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.session.call(self.target, args, kwargs, self.deadline)
        except TimeoutError:
            self.session.kill()
            raise LearnerError(messages.timed_out(None), kind="timeout") from None
        except SandboxDied as died:
            raise LearnerError(messages.crashed(str(died)), kind="crash") from None


#: the kinds of failure a sandbox may report; anything else is read as an exception (a
#: sandbox must never be able to claim a grader problem, which would leave it unscored)
_KINDS = {"exception", "exit", "missing", "unsendable", "protocol", "too_large"}


def _text(value: Any, limit: int = 2000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _learner_error(frame: dict) -> LearnerError:
    kind = frame.get("kind")
    kind = kind if kind in _KINDS else "exception"
    message = _text(frame.get("message"))
    if kind == "exit":
        return LearnerError(messages.exited(message), kind="exit")
    if kind == "exception":
        etype = _text(frame.get("etype"), 100)
        if not etype.isidentifier():
            etype = "Exception"
        where = f"\n({_text(frame.get('where'), 200)})" if frame.get("where") else ""
        if etype == "MemoryError":
            err = LearnerError(messages.out_of_memory(where))
        else:
            err = LearnerError(messages.raised(etype, message, where))
        mro = frame.get("mro")
        mro = [m for m in mro if isinstance(m, str)][:50] if isinstance(mro, list) else []
        err.original = _rebuild_exception(etype, mro, message)
        return err
    return LearnerError(
        message or "failed in the sandbox", kind="exception" if kind == "missing" else kind
    )


def _rebuild_exception(etype: str, mro: list[str], message: str) -> BaseException:
    """An exception object whose class matches the learner's by name (for expect_raises)."""
    bases = [getattr(builtins, n) for n in mro if isinstance(getattr(builtins, n, None), type)]
    bases = [b for b in bases if issubclass(b, BaseException)] or [Exception]
    try:
        if bases[0].__name__ == etype:
            return bases[0](message)
        return type(etype, (bases[0],), {})(message)
    except Exception:
        # classes that need more than a message (UnicodeDecodeError, ExceptionGroup, ...)
        # or cannot be subclassed: keep the name, derive from the nearest simple base
        for base in [*bases, Exception]:
            try:
                return type(etype, (base,), {"__init__": Exception.__init__})(message)
            except Exception:
                continue
        return Exception(message)


class SandboxRunner:
    """The engine's runner for a sandboxed submission: ``t.call(...)`` goes to the learner's
    function in the sandbox; any other callable (a checker's own helper) runs here in a
    thread, as with :class:`~autograder.engine.ThreadRunner`."""

    #: warnings raised here come from the trusted checker, not from the learner's code
    reports_warnings = False

    def __init__(self, session: SandboxSession) -> None:
        self.session = session

    def answer(self, ex: Exercise) -> RemoteFunction:
        return RemoteFunction(self.session, {"name": ex.function_name}, ex.function_name)

    def run(
        self, fn: Callable[..., Any], args: tuple, kwargs: dict, *, deadline: float, limit: float
    ) -> Any:
        if not isinstance(fn, RemoteFunction):
            return ThreadRunner().run(fn, args, kwargs, deadline=deadline, limit=limit)
        fn.deadline = deadline
        try:
            return fn(*args, **kwargs)
        except LearnerError as err:
            if err.kind == "timeout":
                err.message = messages.timed_out(limit)
            raise
