"""reference-across-backends (error): a StackReference to a stack whose state lives in
another backend. Each jurisdiction keeps its state in its own backend (`platformctl
state-backends`), and Pulumi resolves a StackReference only within the backend the program
runs against: under `pulumi up` the read fails ("unknown stack"), though every offline
plan, which answers it from the other stack's plan, looks fine."""

from __future__ import annotations

from pathlib import Path

from platformctl.checks import Report
from platformctl.checks.plan_view import StackPlan
from platformctl.errors import PlanInputError
from platformctl.stack_links import references

ID = "reference-across-backends"


def _jurisdiction(directory: Path, stack: str) -> str:
    from platformctl.policy_config import stack_spec

    return str(stack_spec(directory, stack).jurisdiction_name)


def run(plans: list[StackPlan], report: Report) -> None:
    from platformctl.policy_config import has_environments

    for view in plans:
        links = references(view.plan)
        if not links:
            continue
        if view.directory is None or not has_environments(view.directory):
            report.skip(ID, None, f"{view.stack}: no environments/ data says which backend "
                        "its referenced stacks use")
            continue
        try:
            own = _jurisdiction(view.directory, view.stack)
        except PlanInputError as error:
            report.skip(ID, None, f"{view.stack}: its jurisdiction is unknown ({error})")
            continue
        for name, target in links:
            try:
                theirs = _jurisdiction(view.directory, target)
            except PlanInputError as error:
                report.skip(ID, None, f"{view.stack}: StackReference {name} names {target}, "
                            f"whose jurisdiction is unknown ({error})")
                continue
            if theirs != own:
                report.add(ID, None, f"{view.stack}: StackReference {name} reads {target}, "
                           f"whose state is in the `{theirs}` backend, this stack's in "
                           f"`{own}`; Pulumi resolves references only within one backend: let "
                           f"{target} own what needs its values (e.g. its own routing record)")
