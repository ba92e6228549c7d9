"""account-singleton: two resources of a kind AWS allows once per account and region
(a GuardDuty detector, the Security Hub subscription, ...), within a stack or across the
stacks checked together (which share an account unless their allowedAccountIds differ)."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from platformctl.checks import Report
from platformctl.checks.plan_view import StackPlan, share_account

ID = "account-singleton"
TABLE = Path(__file__).with_name("data") / "singletons.yaml"


@cache
def singletons() -> dict[str, dict[str, str]]:
    return yaml.safe_load(TABLE.read_text())


def run(plans: list[StackPlan], report: Report) -> None:
    table = singletons()
    groups: dict[tuple[str, str], list[tuple[StackPlan, dict[str, Any]]]] = defaultdict(list)
    for view in plans:
        for resource in view.plan["resources"]:
            if resource["type"] in table:
                groups[(resource["type"], str(resource.get("region")))].append((view, resource))
    for (type_, region), members in sorted(groups.items()):
        for view, resource in members:
            other = next(((v, r) for v, r in members if r is not resource and share_account(
                view.accounts(resource), v.accounts(r))), None)
            if other is None:
                continue
            report.add(ID, resource["urn"],
                       f"{view.label(resource)}: {table[type_]['what']} exists once per "
                       f"account and region ({region}), and {other[0].stack}'s "
                       f"{other[1]['name']} is another; turn it on in one stack of the "
                       "account only")
