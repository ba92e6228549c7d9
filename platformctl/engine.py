"""Runs a Pulumi Python program in-process under Pulumi's mock runtime and captures its graph.

This is the whole offline engine: config as the CLI would set it, a recording monitor,
and `run_in_stack` as the Python language host runs a program, as a preview (the program
sees `is_dry_run()` True; what a preview cannot know stays unknown). One program per
process (Pulumi's runtime state is global); `platformctl.worker` gives each plan its own.
The program's own output goes to stderr, as the Pulumi CLI shows it apart from the plan.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import logging
import os
import runpy
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.mocks import MockEngine, MockSettings
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from platformctl.capture import RecordingMonitor, Registration, StackReferenceRead
from platformctl.errors import PlanInputError, ProgramError
from platformctl.project import Project, StackConfig
from platformctl.regions import region_in_name


@dataclass
class Capture:
    project: str
    stack: str
    registrations: list[Registration]
    outputs: dict[str, Any]
    directory: str | None = None
    """The project directory; plans show paths relative to it, so they match across clones."""
    diagnostics: list[dict[str, str]] = field(default_factory=list)
    assumptions: list[dict[str, Any]] = field(default_factory=list)
    """Every data-source answer the engine invented: (invoke, region, what, count)."""
    stack_references: list[StackReferenceRead] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)


class _DiagnosticsHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[dict[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append({"severity": record.levelname.lower(), "message": record.getMessage()})


def run_callable(program: Callable[[], Any], *, project: str, stack: str,
                 config: dict[str, str] | None = None,
                 secret_keys: list[str] | None = None,
                 stack_references: dict[str, dict[str, Any]] | None = None,
                 reference_sources: dict[str, str] | None = None) -> Capture:
    """Run `program` as a Pulumi program under the offline mocks, as a preview; return what
    it registered. `stack_references`: outputs of the stacks it may reference, by name."""
    config = dict(config or {})
    pulumi.runtime.set_all_config(config, secret_keys or [])
    monitor = RecordingMonitor(config, project, stack, stack_references, reference_sources)
    logger = logging.getLogger(f"platformctl.program.{stack}")
    logger.propagate = False
    handler = _DiagnosticsHandler()
    logger.handlers = [handler]
    settings = MockSettings(
        monitor=monitor,
        monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
        engine=MockEngine(logger),
        project=project,
        stack=stack,
        dry_run=True,
        organization="organization",
        callbacks=None,
    )
    pulumi_settings.configure(settings)
    pulumi_settings.ROOT.set(None)
    pulumi_settings.SETTINGS.outputs.clear()
    try:
        with contextlib.redirect_stdout(sys.stderr), _cycle_collection_paused():
            _sync_await(run_in_stack(_settling(program)))
    except pulumi.RunError as error:
        # The program's own report of bad input: already the one line to show.
        raise PlanInputError(str(error)) from None
    except (PlanInputError, ProgramError):
        raise
    except ModuleNotFoundError as error:
        module = (error.name or "").split(".")[0]
        # Pulumi SDKs are named alike on PyPI (pulumi_awsx -> pulumi-awsx); others are not.
        how = (f"pip install {module.replace('_', '-')}" if module.startswith("pulumi_")
               else "install the package that provides it")
        raise ProgramError(f"the program imports {module}, which is not installed where "
                           f"platformctl runs; {how} and plan again") from error
    except Exception as error:  # noqa: BLE001 - any program failure is reported as one line
        raise ProgramError(_one_line(error)) from error
    errors = [d for d in handler.records if d["severity"] in ("error", "critical")]
    if errors:
        raise ProgramError(errors[0]["message"])
    assumptions = [{"invoke": token, "region": region, "assumed": note, "calls": count}
                   for (token, region, note), count in sorted(monitor.assumptions.items())]
    return Capture(project=project, stack=stack,
                   registrations=list(monitor.registrations.values()),
                   outputs=monitor.stack_outputs, diagnostics=handler.records,
                   assumptions=assumptions, stack_references=list(monitor.references_read),
                   config=config)


@contextmanager
def _cycle_collection_paused():
    """No cyclic garbage collection while the program runs, and none of what it leaves
    walked again afterwards. The typed SDK modules a program loads are a heap of hundreds
    of thousands of objects that every older-generation collection walks again, while what
    a run leaves to collect is small: about 7% more peak memory for 4,000 resources, for
    half the CPU time of the run, and of the plan and policy evaluation that follow
    (benchmarks/offline_plan.py). The heap is frozen (`gc.freeze`), as it lives as long as
    the plan's process anyway; the collector resumes for what comes after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _settling(program: Callable[[], Any]) -> Callable[[], Any]:
    """`program`, then a wait for every Output it made, all of them at once per round.
    The SDK's own wait at the end of a run (`wait_for_rpcs`) wakes on the first output to
    finish and re-arms a callback on every other one, each time: quadratic in the outputs
    a program leaves pending. What is left for it afterwards (failed outputs, RPCs) it
    handles as before."""

    async def run() -> None:
        result = program()
        if inspect.isawaitable(result):
            await result
        while True:
            with pulumi_settings.SETTINGS.lock:
                pending = [task for task in pulumi_settings.SETTINGS.outputs if not task.done()]
            if not pending:
                return
            await asyncio.wait(pending)

    return run


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"


@contextmanager
def _inside(directory: Path):
    """Run with the project as working directory and first on the import path."""
    previous_cwd, previous_path = os.getcwd(), list(sys.path)
    os.chdir(directory)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        sys.path[:] = previous_path


def run_project(directory: Path, stack: str,
                stack_references: dict[str, dict[str, Any]] | None = None,
                reference_sources: dict[str, str] | None = None) -> Capture:
    """Plan `stack` of the Pulumi Python project in `directory` (call once per process)."""
    project = Project.load(directory)
    config = project.stack_config(stack)
    _check_region_agrees(stack, config)
    with _inside(project.directory):
        capture = run_callable(
            lambda: runpy.run_path(str(project.main), run_name="__main__"),
            project=project.name, stack=stack,
            config=config.values, secret_keys=config.secret_keys,
            stack_references=stack_references, reference_sources=reference_sources,
        )
    capture.directory = str(project.directory)
    return capture


def _check_region_agrees(stack: str, config: StackConfig) -> None:
    """A stack named for a region must not configure another one (it would plan elsewhere)."""
    named = region_in_name(stack)
    configured = config.values.get("aws:region")
    if named and configured and configured != named:
        raise PlanInputError(f"{config.source}: aws:region is {configured} but stack '{stack}' "
                             f"is named for {named}; make them agree")
