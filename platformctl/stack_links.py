"""Links between stacks, read from their plans: a StackReference to another stack means
that stack must be deployed first. Used by `graph` (cross-stack edges), `platformctl order`
(the deploy workflow's order) and the planning of stacks that read each other (stack_waves).
"""

from __future__ import annotations

from typing import Any

from platformctl.errors import PlanInputError

STACK_REFERENCE = "pulumi:pulumi:StackReference"


def references(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """(logical name, referenced stack) of each StackReference the program read, from the
    plan's `stackReferences`: `org/project/stack` or a bare `stack` both name the stack by
    its last segment."""
    return [(ref["name"], str(ref["stack"]).rsplit("/", 1)[-1])
            for ref in plan.get("stackReferences", ())]


def deploy_order(plans: dict[str, dict[str, Any]]) -> list[str]:
    """Stacks so that each comes after the stacks it references (ties by name); a reference
    to a stack outside `plans` is assumed deployed already. A cycle is refused."""
    needs = {stack: sorted({s for _, s in references(plan) if s in plans and s != stack})
             for stack, plan in plans.items()}
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(needs):
        ready = sorted(s for s, deps in needs.items()
                       if s not in placed and all(d in placed for d in deps))
        if not ready:
            cycle = sorted(s for s in needs if s not in placed)
            raise PlanInputError(f"stacks reference each other in a cycle: {', '.join(cycle)}; "
                                 "no deploy order exists (break the StackReference loop)")
        order.append(ready[0])
        placed.add(ready[0])
    return order
