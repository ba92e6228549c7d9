"""Stacks planned in the order their StackReferences give: a stack that reads a sibling stack
of its project is planned once that sibling's plan is final, and that plan answers it.

What a stack references is only known by running its program, so every stack starts at
once; one that reads a sibling not planned yet stops before building its plan (reporting
`needs`) and runs again, answered, when the siblings it needs are final. A chain of any
depth resolves this way (global -> secondary -> primary), a stack that references nothing
runs once, one that references siblings runs twice (its first run stops early, before the
plan and policies), and a sibling nobody asked for is planned too, without policies, to
answer it. Stacks left waiting on each other are a cycle, refused with the message of
`stack_links.deploy_order`, the one ordering algorithm.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from platformctl.errors import PlanInputError
from platformctl.stack_links import deploy_order
from platformctl.worker import PlanRequest, PlanResult


class Runner(Protocol):
    """Plans submitted requests in processes of their own (ForkServer, FreshProcesses)."""

    def submit(self, request: PlanRequest) -> None: ...

    def next_done(self) -> PlanResult: ...


def plan_in_waves(requests: list[PlanRequest], jobs: int, runner: Runner,
                  on_done: Callable[[PlanResult], None] | None = None) -> list[PlanResult]:
    """Final results of `requests`, in their order, at most `jobs` planned at once."""
    asked = {r.stack for r in requests}
    latest = {r.stack: r for r in requests}  # the request each stack runs (or ran) with
    final: dict[str, PlanResult] = {}
    waiting: dict[str, dict[str, str]] = {}  # stack -> StackReference name -> sibling
    queue = deque(requests)
    running = 0
    while queue or running:
        while queue and running < jobs:
            runner.submit(queue.popleft())
            running += 1
        result = runner.next_done()
        running -= 1
        if result.needs:
            waiting[result.stack] = result.needs
            for sibling in result.needs.values():
                if sibling not in latest:
                    latest[sibling] = _helper(latest[result.stack], sibling)
                    queue.append(latest[sibling])
        else:
            final[result.stack] = result
            if on_done is not None and result.stack in asked:
                on_done(result)
        for stack, needs in list(waiting.items()):
            if all(sibling in final for sibling in needs.values()):
                del waiting[stack]
                latest[stack] = _answered(latest[stack], needs, final)
                queue.append(latest[stack])
    if waiting:
        deploy_order({stack: {"stackReferences": [{"name": name, "stack": sibling}
                                                  for name, sibling in needs.items()]}
                      for stack, needs in waiting.items()})
        raise PlanInputError(f"stacks wait on each other: {', '.join(sorted(waiting))}")
    return [final[r.stack] for r in requests]


def _helper(reader: PlanRequest, sibling: str) -> PlanRequest:
    """A sibling planned only to answer `reader`'s references: no policies."""
    return PlanRequest(directory=reader.directory, stack=sibling, debug=reader.debug,
                       stack_references=reader.stack_references,
                       reference_sources=reader.reference_sources)


def _answered(request: PlanRequest, needs: dict[str, str],
              final: dict[str, PlanResult]) -> PlanRequest:
    """`request` with the outputs of the siblings it needs. A sibling that failed to plan
    leaves its references unknown (and this stack stops asking for siblings)."""
    references = dict(request.stack_references or {})
    sources = dict(request.reference_sources or {})
    for name, sibling in needs.items():
        plan = final[sibling].plan
        if plan is not None:
            references[name] = plan["outputs"]
            sources[name] = f"plan of sibling stack {sibling}"
    failed = any(final[sibling].plan is None for sibling in needs.values())
    return replace(request, stack_references=references, reference_sources=sources,
                   resolve_siblings=request.resolve_siblings and not failed)
