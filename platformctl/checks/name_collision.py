"""name-collision: two resources with one physical name in one naming scope, within a
stack or across the stacks checked together (which share an account unless their
allowedAccountIds name different accounts)."""

from __future__ import annotations

from collections import defaultdict

from platformctl.checks import Report
from platformctl.checks.naming import NamedResource, named_resources, report_unknown
from platformctl.checks.plan_view import StackPlan, share_account

ID = "name-collision"
SCOPE_WORDS = {"global": "in all of AWS", "account": "per account"}


def _scope_key(named: NamedResource) -> tuple[str, str, str, str]:
    rule = named.rule
    name = named.name.lower() if rule.ignore_case else named.name
    region = str(named.resource.get("region")) if rule.scope == "region" else ""
    qualifier = (named.resource.get("props") or {}).get(rule.qualifier) if rule.qualifier else ""
    return rule.namespace, name, region, str(qualifier or "")


def run(plans: list[StackPlan], report: Report) -> None:
    groups: dict[tuple[str, str, str, str], list[NamedResource]] = defaultdict(list)
    for named in named_resources(plans, report_unknown(report, ID)):
        groups[_scope_key(named)].append(named)
    for (_, _, region, _), members in sorted(groups.items()):
        for named in members:
            rule = named.rule
            account = named.view.accounts(named.resource)
            other = next((o for o in members if o is not named and (
                rule.scope == "global" or share_account(account, o.view.accounts(o.resource)))),
                None)
            if other is None:
                continue
            where = SCOPE_WORDS.get(rule.scope, f"per account and region ({region})")
            report.add(ID, named.resource["urn"],
                       f"{named.view.label(named.resource)}: {rule.property} '{named.name}' is "
                       f"also used by {other.view.stack}'s {other.resource['name']} and must be "
                       f"unique {where}; "
                       "scope it by stack (and region) or let Pulumi auto-name it")
