"""The process that runs a learner's code: ``python -m autograder.classroom.sandbox``.

It is started by :mod:`autograder.classroom.remote` inside the isolation that
:mod:`autograder.classroom.isolation` sets up (bubblewrap, another user id, rlimits). It
only runs learner code and sends back *data* (see :mod:`autograder.classroom.wire`): it
never sees the checks, the references or the gradebook, and nothing it sends is ever
unpickled or executed by the grader.

Protocol: length-prefixed JSON frames on the original stdin/stdout, which are moved to
private file descriptors at start; the learner's own stdout/stderr go to a size-limited
log file instead, so printing cannot corrupt the protocol.
"""

from __future__ import annotations

import ast
import builtins
import os
import signal
import sys
import traceback
from typing import Any

from . import wire


class _NoShell:
    """Stands in for IPython's shell: magics and shell escapes do nothing here."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _transform(source: str) -> str:
    """Turn IPython syntax (magics, ``!cmd``) into plain Python, if IPython is there."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except Exception:  # pragma: no cover - IPython is a dependency
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:
        return source


class Sandbox:
    def __init__(self, proto_in: Any, proto_out: Any) -> None:
        self.proto_in = proto_in
        self.proto_out = proto_out
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.namespace["get_ipython"] = lambda: _NoShell()
        self.handles: dict[int, Any] = {}
        self.pid = os.getpid()

    # -- protocol -------------------------------------------------------------
    def send(self, message: dict) -> None:
        if os.getpid() != self.pid:  # a process the learner forked must never answer
            os._exit(0)
        data = wire.dumps(message)
        if len(data) > wire.SANDBOX_FRAME_LIMIT and message.get("result") == "value":
            data = wire.dumps(
                {
                    "result": "error",
                    "kind": "too_large",
                    "message": (
                        f"returned a value too large to check: {len(data) / 1024**2:.0f} MB "
                        f"once encoded, and the grader accepts up to "
                        f"{wire.SANDBOX_FRAME_LIMIT // 1024**2} MB. Does it return far more "
                        "than the exercise asks for?"
                    ),
                }
            )
        self.proto_out.write(data)
        self.proto_out.flush()

    def _handle(self, value: Any) -> dict:
        hid = len(self.handles) + 1
        self.handles[hid] = value
        attrs = []
        for name in dir(value):
            if name.startswith("_"):
                continue
            try:
                if callable(getattr(value, name)):
                    attrs.append(name)
            except Exception:
                continue
        return {
            "__handle__": hid,
            "type": type(value).__name__,
            "attrs": attrs[:200],
            "callable": callable(value),
        }

    def _callback_proxy(self, data: dict) -> Any:
        cid = data["__callback__"]

        def call_back(*args: Any, **kwargs: Any) -> Any:
            self.send(
                {"callback": cid, "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
            )
            reply = wire.read_frame(self.proto_in)
            if reply is None:
                os._exit(0)
            if "error" in reply:
                raise RuntimeError(reply["error"])
            return wire.decode(reply["value"])

        call_back.__name__ = data.get("name", "f")
        return call_back

    def serve(self) -> None:
        while True:
            request = wire.read_frame(self.proto_in)
            if request is None or request.get("op") == "bye":
                return
            op = request.get("op")
            if op == "exec":
                self.op_exec(request["cells"])
            elif op == "call":
                self.op_call(request)
            elif op == "names":
                self.send({"result": "names", "value": self.code_names(request["name"])})
            elif op == "probe":
                self.send({"result": "probe", "value": probe(request)})
            elif op == "has":
                fn = self.namespace.get(request["name"])
                self.send({"result": "has", "value": callable(fn)})
            else:
                self.send({"result": "error", "kind": "protocol", "message": f"unknown op {op!r}"})

    def code_names(self, name: str) -> list[str]:
        """Names a learner function's code refers to (imports, attributes, globals, with the
        qualified name of library objects), for checks that forbid a library function."""
        import types

        fn = self.namespace.get(name)
        code = getattr(fn, "__code__", None)
        if code is None:
            return []
        import dis

        names: set[str] = set()
        todo = [code]
        while todo:
            co = todo.pop()
            names.update(co.co_names)
            for ins in dis.get_instructions(co):
                if ins.opname == "IMPORT_FROM":
                    names.add(f"import:{ins.argval}")
            for const in co.co_consts:
                if isinstance(const, types.CodeType):
                    todo.append(const)
        for gname in list(names):
            obj = self.namespace.get(gname)
            mod = getattr(obj, "__module__", None)
            if isinstance(mod, str) and hasattr(obj, "__name__"):
                names.add(f"{mod}.{obj.__name__}")  # type: ignore[union-attr]
        return sorted(names)[:2000]

    # -- operations -----------------------------------------------------------
    def op_exec(self, cells: list[str]) -> None:
        errors = []
        for index, source in enumerate(cells):
            self.send({"event": "cell", "index": index})
            try:
                code = compile(_transform(source), f"<cell {index}>", "exec")
                exec(code, self.namespace)
            except BaseException as exc:  # noqa: BLE001 - learner code may raise anything
                errors.append(
                    {"index": index, "ename": type(exc).__name__, "evalue": str(exc)[:300]}
                )
        self.send({"result": "done", "errors": errors})

    def op_call(self, request: dict) -> None:
        target = request["target"]
        if "handle" in target:
            obj = self.handles.get(target["handle"])
            fn = obj if target.get("attr") is None else getattr(obj, target["attr"], None)
        else:
            fn = self.namespace.get(target["name"])
        if not callable(fn):
            self.send(
                {"result": "error", "kind": "missing", "message": f"{target} is not a function"}
            )
            return
        try:
            args = wire.decode(request.get("args", []), remote_callback=self._callback_proxy)
            kwargs = wire.decode(
                request.get("kwargs", {"__dict__": []}), remote_callback=self._callback_proxy
            )
        except Exception as exc:
            self.send({"result": "error", "kind": "protocol", "message": f"bad arguments: {exc}"})
            return
        try:
            value = fn(*args, **kwargs)
        except SystemExit as exc:
            self.send({"result": "error", "kind": "exit", "message": repr(exc.code)})
            return
        except BaseException as exc:  # noqa: BLE001
            self.send(
                {
                    "result": "error",
                    "kind": "exception",
                    "etype": type(exc).__name__,
                    "mro": [c.__name__ for c in type(exc).__mro__],
                    "message": str(exc)[:2000],
                    "where": _where(exc),
                }
            )
            return
        try:
            payload = wire.encode(value, handle=self._handle)
        except Exception as exc:
            self.send(
                {
                    "result": "error",
                    "kind": "unsendable",
                    "message": f"the returned {type(value).__name__} could not be read ({exc})",
                }
            )
            return
        self.send({"result": "value", "value": payload})


def probe(request: dict) -> dict:
    """What the grader's self-test asks: can the modules learner code needs be imported,
    and which of the given paths (that must stay hidden) can be seen from here."""
    import importlib

    secret_env = sorted(k for k in os.environ if k not in request.get("allowed_env", []))
    visible: dict[str, list[str] | None] = {}
    for p in request.get("paths", []):
        p = str(p)
        if os.path.isdir(p):
            try:
                visible[p] = sorted(os.listdir(p))[:50]
            except OSError as exc:
                visible[p] = [f"<unreadable: {exc.strerror}>"]
        elif os.path.lexists(p):
            visible[p] = None
    imports = {}
    for name in request.get("imports", []):
        try:
            module = importlib.import_module(str(name))
            imports[name] = "ok " + str(getattr(module, "__version__", ""))
        except BaseException as exc:  # noqa: BLE001 - report whatever went wrong
            imports[name] = f"{type(exc).__name__}: {str(exc)[:300]}"
    return {
        "imports": imports,
        "visible": visible,
        "uid": os.getuid(),
        "unexpected_env": secret_env,
    }


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith("<cell")]
    if not frames:
        return ""
    last = frames[-1]
    return f"in {last.name}, line {last.lineno}"


def is_check_cell(source: str) -> bool:
    """True for cells that only call check(...) or grade(...): they need not run here.

    >>> is_check_cell('check("00.plus_state", plus_state)')
    True
    >>> is_check_cell("x = 1")
    False
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    if not tree.body:
        return False
    for node in tree.body:
        if not (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id in ("check", "grade")
        ):
            return False
    return True


def _enter_workdir() -> None:
    """Copy the submission's files (read-only inside the sandbox) into the size-capped
    scratch space and work there."""
    import shutil

    source = os.environ.get("QMLCOURSE_SANDBOX_INPUT")
    workdir = os.environ.get("QMLCOURSE_SANDBOX_WORKDIR")
    if not workdir:
        return
    os.makedirs(workdir, exist_ok=True)
    if source and os.path.isdir(source):
        try:
            shutil.copytree(source, workdir, symlinks=True, dirs_exist_ok=True)
        except (OSError, shutil.Error) as exc:
            print(f"[grader] some files could not be copied: {exc}", file=sys.stderr)
    os.chdir(workdir)


def main() -> None:
    # keep the protocol on private descriptors; learner output goes to a capped log file
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.fdopen(os.dup(1), "wb")
    log_path = os.environ.get("QMLCOURSE_SANDBOX_LOG", os.devnull)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    sys.stdin = open(os.devnull)  # noqa: SIM115
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the output limit: writes fail
    os.environ.setdefault("MPLBACKEND", "Agg")
    _enter_workdir()
    box = Sandbox(proto_in, proto_out)
    box.send({"event": "ready", "uid": os.getuid(), "python": sys.version.split()[0]})
    box.serve()
    proto_out.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
