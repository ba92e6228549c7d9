"""name-invalid: a physical name over AWS's length limit or with characters AWS refuses."""

from __future__ import annotations

from platformctl.checks import Report
from platformctl.checks.naming import NameRule, named_resources, report_unknown, rules
from platformctl.checks.plan_view import StackPlan, is_opaque

ID = "name-invalid"


def problem(rule: NameRule, name: str) -> str | None:
    """What AWS would refuse in `name`, or None."""
    if len(name) > rule.max:
        return f"is {len(name)} characters, over the limit of {rule.max}"
    if len(name) < rule.min:
        return f"is {len(name)} characters, under the minimum of {rule.min}"
    if not rule.pattern.fullmatch(name):
        return f"does not match {rule.pattern.pattern}"
    return None


def _check_prefixes(view: StackPlan, report: Report) -> None:
    """Name prefixes: the provider adds a unique suffix, so they have a limit of their own."""
    for resource in view.plan["resources"]:
        rule = rules().get(resource["type"])
        if rule is None or rule.prefix is None:
            continue
        limit = rule.prefix
        prefix = (resource.get("props") or {}).get(limit["property"])
        if isinstance(prefix, str) and not is_opaque(prefix) and len(prefix) > limit["max"]:
            report.add(ID, resource["urn"], f"{view.label(resource)}: {limit['property']} "
                       f"'{prefix}' is {len(prefix)} characters, over the limit of "
                       f"{limit['max']}; shorten it ({limit['source']})")


def run(plans: list[StackPlan], report: Report) -> None:
    for view in plans:
        _check_prefixes(view, report)
    for named in named_resources(plans, report_unknown(report, ID)):
        reason = problem(named.rule, named.name)
        if reason:
            report.add(ID, named.resource["urn"],
                       f"{named.view.label(named.resource)}: {named.rule.property} "
                       f"'{named.name}' {reason}; shorten or fix it ({named.rule.source})")
