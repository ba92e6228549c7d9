"""One process per planned stack: Pulumi's runtime state is global, and a foreign project's
modules must not meet ours in one interpreter."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
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
    # Plan sibling stacks of the project that a StackReference names (one level deep).
    resolve_siblings: bool = True


@dataclass(frozen=True)
class PlanResult:
    stack: str
    plan: dict[str, Any] | None
    error: str | None = None
    detail: str | None = None  # traceback, shown with --debug only

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
            return _replan_with_siblings(request, siblings)
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


def _replan_with_siblings(request: PlanRequest, siblings: dict[str, str]) -> PlanResult:
    """Plan the sibling stacks, then this one again with their outputs, each in a fresh
    process (the runtime of this one already ran the program)."""
    sibling_requests = [PlanRequest(directory=request.directory, stack=stack,
                                    resolve_siblings=False)
                        for stack in dict.fromkeys(siblings.values())]
    planned = {r.stack: r for r in plan_in_processes(sibling_requests, len(sibling_requests))}
    references = dict(request.stack_references or {})
    sources = dict(request.reference_sources or {})
    for name, stack in siblings.items():
        sibling = planned[stack]
        if sibling.plan is not None:
            references[name] = sibling.plan["outputs"]
            sources[name] = f"plan of sibling stack {stack}"
    again = replace(request, stack_references=references, reference_sources=sources,
                    resolve_siblings=False)
    return next(plan_in_processes([again], 1))


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


def _plan_in_worker(request: PlanRequest) -> PlanResult:
    """Entry point of a worker process: plan, then close the event loop Pulumi ran on, which
    would otherwise fail noisily when the interpreter tears it down at exit. Tasks a
    program leaves pending (outputs never awaited) are dropped with the process, silently."""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    try:
        return plan_in_this_process(request)
    finally:
        asyncio.get_event_loop().close()


def plan_in_processes(requests: list[PlanRequest], jobs: int,
                      on_done: Callable[[PlanResult], None] | None = None) -> Iterator[PlanResult]:
    """Plan each request in its own fresh process, `jobs` at a time; yield in request order."""
    context = multiprocessing.get_context("spawn")
    results: dict[str, PlanResult] = {}
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context,
                             max_tasks_per_child=1) as pool:
        futures = {pool.submit(_plan_in_worker, r): r for r in requests}
        for future in as_completed(futures):
            request = futures[future]
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - a crashed worker is one stack's error
                result = PlanResult(stack=request.stack, plan=None,
                                    error=f"program error: worker failed: {error}")
            results[request.stack] = result
            if on_done is not None:
                on_done(result)
    for request in requests:
        yield results[request.stack]
