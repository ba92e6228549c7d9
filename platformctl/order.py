"""`platformctl order`: the stacks of a project (or of one blueprint) in the order to run
`pulumi up`, a stack after the stacks it reads through StackReferences.

The references come from the stacks' offline plans (planned here without policies, or saved
`plan --format json` files); `stack_links.deploy_order` orders them and refuses a cycle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from platformctl.errors import PlanInputError
from platformctl.plan import BLUEPRINT_KEY
from platformctl.project import Project
from platformctl.stack_links import deploy_order, references


def stacks_of(project: Project, blueprint: str | None) -> list[str]:
    """The project's stacks, or those whose stack file names `blueprint`."""
    stacks = project.stacks()
    if blueprint is None:
        return stacks
    return _of_blueprint({s: project.stack_config(s).values.get(BLUEPRINT_KEY) for s in stacks},
                         blueprint, f"no stack file of {project.stack_config_dir}")


def _of_blueprint(blueprints: dict[str, Any], blueprint: str, where: str) -> list[str]:
    chosen = [s for s, b in blueprints.items() if b == blueprint]
    if not chosen:
        known = sorted({b for b in blueprints.values() if isinstance(b, str)})
        raise PlanInputError(f"--blueprint {blueprint}: {where} is of it ({BLUEPRINT_KEY}); "
                             f"give one of: {', '.join(known) or 'none'}")
    return chosen


def planned(project: Project, stacks: list[str], jobs: int) -> dict[str, dict[str, Any]]:
    """Stack -> plan (no policies: only the references matter). A stack that fails to plan
    has no known references, so no order: refused with its error."""
    from platformctl.worker import PlanRequest, plan_in_processes

    requests = [PlanRequest(directory=project.directory, stack=s) for s in stacks]
    results = plan_in_processes(requests, jobs)
    for result in results:
        if result.plan is None:
            raise PlanInputError(f"{result.stack}: {result.error}; its references, and so the "
                                 "deploy order, are unknown")
    return {r.stack: r.plan for r in results if r.plan is not None}


def saved(path: Path, blueprint: str | None) -> dict[str, dict[str, Any]]:
    """Stack -> plan of saved plan files, those of `blueprint` only when one is given."""
    from platformctl.diff import load_plans

    plans = load_plans(path)
    if blueprint is None:
        return plans
    chosen = _of_blueprint({s: p.get("blueprint") for s, p in plans.items()}, blueprint,
                           f"no plan under {path}")
    return {s: plans[s] for s in chosen}


def render_text(order: list[str], plans: dict[str, dict[str, Any]]) -> str:
    """One stack a line, numbered, with the stacks of the list it reads."""
    lines = []
    for number, stack in enumerate(order, 1):
        reads = sorted({s for _, s in references(plans[stack]) if s in plans and s != stack})
        lines.append(f"{number}. {stack}" + (f"  (after {', '.join(reads)})" if reads else ""))
    return "\n".join(lines) + "\n"


def render(plans: dict[str, dict[str, Any]], output_format: str) -> str:
    order = deploy_order(plans)
    if output_format == "json":
        return json.dumps(order) + "\n"
    return render_text(order, plans)
