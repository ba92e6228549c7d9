"""A preloaded fork server: the SDK modules are imported once, each stack is planned in a
child forked from that process.

A stack still gets a process of its own (Pulumi's runtime state is global), but not a fresh
interpreter: the server imports the engine and Pulumi up front and, after each child, the
installed modules that child loaded (pulumi_aws.ec2, pulumi_kubernetes.core.v1, ...), so
the children after it start with them loaded. Nothing of the planned project (its own
modules, a policy pack) is imported in the server: only what lives in site-packages.
The server never starts a Pulumi runtime, so it holds no threads or gRPC state when it
forks; each child starts its runtime afresh.

The server is spawned (a clean interpreter: the CLI's own threads, e.g. a progress bar,
must not be forked) and talks to the parent over a pipe: a PlanRequest in, a PlanResult
out, in the order children finish.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import pickle
import selectors
import signal
import sys
import sysconfig
import threading
import types
from pathlib import Path

from platformctl.worker import PlanRequest, PlanResult, plan_in_worker

# What every child needs, whatever it plans.
ENGINE_MODULES = ("platformctl.worker", "platformctl.engine", "platformctl.plan", "pulumi",
                  "pulumi.runtime")
INSTALLED = tuple(str(Path(p).resolve()) + os.sep
                  for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})


class ForkServer:
    """The parent's handle: submit requests, collect results as children finish."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, server_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(server_end,), daemon=True,
                                        name="platformctl-fork-server")
        self._process.start()
        server_end.close()

    def submit(self, request: PlanRequest) -> None:
        self._conn.send(request)

    def next_done(self) -> PlanResult:
        """The result of a submitted request that finished (blocks until one does)."""
        try:
            return self._conn.recv()
        except EOFError:
            raise RuntimeError(f"the fork server exited ({self._process.exitcode})") from None

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the server already gone
            self._conn.send(None)
        self._conn.close()
        self._process.join()

    def __enter__(self) -> ForkServer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def installed_modules() -> set[str]:
    """Modules of installed distributions this process has fully loaded (a lazily imported
    module that was never touched is still a stub and is left out)."""
    found = set()
    for name, module in list(sys.modules.items()):
        if type(module) is not types.ModuleType:  # None, or a lazy stub
            continue
        file = getattr(module, "__file__", None)
        if file and str(Path(file).resolve()).startswith(INSTALLED):
            found.add(name)
    return found


def _preload(names: set[str]) -> None:
    """Import `names`, a package before its modules (sorted), each fully: a lazy stub
    loads on the first attribute that is not introspection (pulumi._utils._LazyModule)."""
    for name in sorted(names):
        if type(sys.modules.get(name)) is types.ModuleType:
            continue
        try:
            hasattr(importlib.import_module(name), "_platformctl_preload")
        except Exception:  # noqa: BLE001, S112 - a module that fails to preload loads in the child
            continue


def _serve(conn: multiprocessing.connection.Connection) -> None:
    # Ctrl-C reaches the whole process group: the parent and the children stop on it, the
    # server once the parent closes the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _preload(set(ENGINE_MODULES))
    selector = selectors.DefaultSelector()
    selector.register(conn, selectors.EVENT_READ)
    children: dict[int, tuple[int, str, list[bytes]]] = {}  # read fd -> (pid, stack, data)
    learned: set[str] = set()
    open_conn = True
    while open_conn or children:
        for key, _ in selector.select():
            if key.fileobj is conn:
                request = _receive(conn)
                if request is None:
                    selector.unregister(conn)
                    open_conn = False
                    continue
                read_end, pid = _fork_child(request)
                children[read_end] = (pid, request.stack, [])
                selector.register(read_end, selectors.EVENT_READ)
                continue
            read_end = key.fd
            chunk = os.read(read_end, 1 << 20)
            if chunk:
                children[read_end][2].append(chunk)
                continue
            selector.unregister(read_end)
            os.close(read_end)
            pid, stack, data = children.pop(read_end)
            result, modules = _decode(stack, pid, b"".join(data))
            if open_conn:
                conn.send(result)
            new = modules - learned
            if new:
                learned |= new
                _preload(new)


def _receive(conn: multiprocessing.connection.Connection) -> PlanRequest | None:
    try:
        return conn.recv()
    except EOFError:
        return None


def _fork_child(request: PlanRequest) -> tuple[int, int]:
    if threading.active_count() > 1:
        # A thread's locks would be copied held into the child: never fork then.
        raise RuntimeError("fork server: a preloaded module started a thread")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.close(read_end)
        _child(write_end, request)
    os.close(write_end)
    return read_end, pid


def _child(write_end: int, request: PlanRequest) -> None:
    """Plan, write (result, installed modules loaded) to the pipe, and exit without cleanup
    (the server's atexit handlers and multiprocessing state are not this process's), even
    when writing fails: a child must never return into the server's loop."""
    try:
        try:
            result = plan_in_worker(request)
            payload = pickle.dumps((result, installed_modules()))
        except BaseException as error:  # noqa: BLE001 - reported as this stack's error
            payload = pickle.dumps((PlanResult(stack=request.stack, plan=None,
                                               error=f"program error: worker failed: {error}"),
                                    set()))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)


def _decode(stack: str, pid: int, data: bytes) -> tuple[PlanResult, set[str]]:
    _, status = os.waitpid(pid, 0)
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - a child that died midway wrote nothing usable
        code = os.waitstatus_to_exitcode(status)
        return PlanResult(stack=stack, plan=None,
                          error=f"program error: worker failed (exit status {code})"), set()
