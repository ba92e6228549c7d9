"""One process per planned stack: Pulumi's runtime state is global, and a foreign project's
modules must not meet ours in one interpreter. The processes are children of a preloaded
fork server (platformctl.fork_server); stacks that read each other are planned in the order
their references give (platformctl.stack_waves)."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformctl.errors import PlanInputError, ProgramError
from platformctl.verdict import Verdict, of_plan


@dataclass(frozen=True)
class PlanRequest:
    directory: Path
    stack: str
    debug: bool = False
    # Policy pack evaluated after the plan (None: no policies); config in the
    # --policy-pack-config format, else generated from environments/ for our own stacks.
    policy_pack: Path | None = None
    policy_config: dict[str, Any] | None = None
    # Outputs of referenced stacks (StackReference name -> outputs) and the file each came from.
    stack_references: dict[str, dict[str, Any]] | None = None
    reference_sources: dict[str, str] | None = None
    # Sibling stacks of the project that a StackReference names are planned first and their
    # plans answer it (False: such references stay unknown).
    resolve_siblings: bool = True


@dataclass(frozen=True)
class PlanResult:
    stack: str
    plan: dict[str, Any] | None
    error: str | None = None
    detail: str | None = None  # traceback, shown with --debug only
    # Not planned yet: StackReference name -> sibling stack whose plan must answer it first.
    needs: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def verdict(self) -> Verdict:
        return of_plan(self.plan)


def plan_in_this_process(request: PlanRequest) -> PlanResult:
    # Nothing of the planned project is imported here: its modules must come from its own
    # directory, which run_project puts first on the import path.
    from platformctl.engine import run_project
    from platformctl.plan import build_plan

    try:
        capture = run_project(request.directory, request.stack, request.stack_references,
                              request.reference_sources)
        siblings = _unresolved_siblings(request, capture.stack_references)
        if siblings:
            return PlanResult(stack=request.stack, plan=None, needs=siblings)
        plan = build_plan(capture)
        if request.policy_pack is not None:
            _evaluate_policies(request, plan)
        plan["verdict"] = str(of_plan(plan))
        return PlanResult(stack=request.stack, plan=plan)
    except PlanInputError as error:
        return PlanResult(stack=request.stack, plan=None, error=str(error))
    except ProgramError as error:
        cause = error.__cause__
        detail = "".join(traceback.format_exception(cause)) if cause and request.debug else None
        return PlanResult(stack=request.stack, plan=None,
                          error=f"program error: {error}", detail=detail)


def _unresolved_siblings(request: PlanRequest, references: list[Any]) -> dict[str, str]:
    """StackReference name -> stack of this project it names, for references read unknown.
    `org/project/stack`, `project/stack` and `stack` name a sibling when the project matches."""
    if not request.resolve_siblings:
        return {}
    from platformctl.project import Project

    project = Project.load(request.directory)
    stacks = set(project.stacks()) - {request.stack}
    found = {}
    for reference in references:
        if reference.source is not None:
            continue
        parts = reference.stack.split("/")
        if parts[-1] in stacks and (len(parts) == 1 or parts[-2] == project.name):
            found[reference.stack] = parts[-1]
    return found


def _evaluate_policies(request: PlanRequest, plan: dict[str, Any]) -> None:
    from platformctl.policy_config import stack_policy_config
    from platformctl.policy_runner import evaluate, load_pack
    from platformctl.project import Project

    pack = load_pack(request.policy_pack)
    config = request.policy_config
    if config is None:
        config = stack_policy_config(request.directory, request.stack, pack)
    stack_config = Project.load(request.directory).stack_config(request.stack).values
    evaluate(plan, pack, config, stack_config)


def plan_in_worker(request: PlanRequest) -> PlanResult:
    """Entry point of a worker process: plan, then close the event loop Pulumi ran on, which
    would otherwise fail noisily when the interpreter tears it down at exit. Tasks a
    program leaves pending (outputs never awaited) are dropped with the process, silently."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    try:
        return plan_in_this_process(request)
    finally:
        asyncio.get_event_loop().close()


class FreshProcesses:
    """Each request in a fresh interpreter (spawned): every stack loads the SDK modules
    itself. Where there is no fork, and to compare the fork server's plans against."""

    def __init__(self, jobs: int) -> None:
        self._pool = ProcessPoolExecutor(max_workers=max(1, jobs),
                                         mp_context=multiprocessing.get_context("spawn"),
                                         max_tasks_per_child=1)
        self._running: dict[Future[PlanResult], PlanRequest] = {}

    def submit(self, request: PlanRequest) -> None:
        self._running[self._pool.submit(plan_in_worker, request)] = request

    def next_done(self) -> PlanResult:
        done = next(as_completed(self._running))
        request = self._running.pop(done)
        try:
            return done.result()
        except Exception as error:  # noqa: BLE001 - a crashed worker is one stack's error
            return PlanResult(stack=request.stack, plan=None,
                              error=f"program error: worker failed: {error}")

    def __enter__(self) -> FreshProcesses:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown()


def plan_in_processes(requests: list[PlanRequest], jobs: int,
                      on_done: Callable[[PlanResult], None] | None = None,
                      fresh_processes: bool = False) -> list[PlanResult]:
    """Plan each request in a process of its own, `jobs` at a time, a stack after the sibling
    stacks it references; results in request order. A reference cycle is a PlanInputError.
    `fresh_processes`: a fresh interpreter per stack instead of the preloaded fork server."""
    from platformctl.fork_server import ForkServer
    from platformctl.stack_waves import plan_in_waves

    runner = FreshProcesses(jobs) if fresh_processes or not hasattr(os, "fork") else ForkServer()
    with runner:
        return plan_in_waves(requests, jobs, runner, on_done)
