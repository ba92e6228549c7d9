"""Where the checked plans come from: planned here (one process per stack, as `plan` does),
or saved plan JSON files (`plan --format json` output, one plan or `{"plans": [...]}`)."""

from __future__ import annotations

import json
from pathlib import Path

from platformctl.checks.plan_view import StackPlan, string_list
from platformctl.errors import PlanInputError
from platformctl.project import Project
from platformctl.worker import PlanRequest, PlanResult, plan_in_processes


def read_plan_files(paths: list[Path]) -> list[StackPlan]:
    views = []
    for path in paths:
        try:
            document = json.loads(path.read_text())
        except OSError as error:
            raise PlanInputError(f"--plan {path}: cannot read it ({error.strerror})") from None
        except ValueError as error:
            raise PlanInputError(f"--plan {path}: not JSON ({error}); give the output of "
                                 "`platformctl plan STACK --format json`") from None
        plans = document.get("plans", [document]) if isinstance(document, dict) else None
        if not plans or not all(isinstance(p, dict) and isinstance(p.get("resources"), list)
                                for p in plans):
            raise PlanInputError(f"--plan {path}: no 'resources' list; give the output of "
                                 "`platformctl plan STACK --format json`")
        views += [StackPlan(plan=p) for p in plans]
    return views


def plan_stacks(project: Project, stacks: list[str], jobs: int,
                debug: bool = False) -> tuple[list[StackPlan], list[PlanResult]]:
    """(plans of the stacks that planned, results of those that failed)."""
    requests = [PlanRequest(directory=project.directory, stack=s, debug=debug) for s in stacks]
    views, failed = [], []
    for result in plan_in_processes(requests, jobs):
        if result.plan is None:
            failed.append(result)
            continue
        config = project.stack_config(result.stack).values
        accounts = string_list(config.get("aws:allowedAccountIds"))
        views.append(StackPlan(plan=result.plan, directory=project.directory,
                               config_accounts=tuple(sorted(accounts)) if accounts else None))
    return views, failed
