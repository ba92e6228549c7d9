"""Plan output formats: a tree for the terminal, JSON for machines, Markdown for reviews.

Every format shows every stack asked for, a failed one as failed, and a verdict that never
claims what was not checked (platformctl/verdict.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from platformctl import verdict as verdicts

Failure = tuple[str, str]
"""(stack, error) of a stack whose plan failed."""


def _failed_entry(stack: str, error: str) -> dict[str, Any]:
    return {"stack": stack, "verdict": str(verdicts.Verdict.FAILED), "error": error}


def _all_verdicts(plans: list[dict[str, Any]],
                  failed: Sequence[Failure]) -> list[verdicts.Verdict]:
    return [verdicts.of_plan(p) for p in plans] + [verdicts.Verdict.FAILED for _ in failed]


def render_json(plans: list[dict[str, Any]], failed: Sequence[Failure] = ()) -> str:
    """One stack as its plan (a failed one as `{stack, verdict: failed, error}`); several as
    `{"plans": [...], "failed": [...], "verdict": ...}`. Sorted keys: diffable."""
    if len(plans) + len(failed) == 1:
        document: Any = plans[0] if plans else _failed_entry(*failed[0])
    else:
        document = {"plans": plans, "failed": [_failed_entry(*f) for f in failed],
                    "verdict": str(verdicts.overall(_all_verdicts(plans, failed)))}
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _children(plan: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for resource in plan["resources"]:
        children[resource["parent"]].append(resource)
    return children


def _label(resource: dict[str, Any]) -> str:
    flags = []
    if resource["region"]:
        flags.append(resource["region"])
    if resource["protect"]:
        flags.append("protect")
    suffix = f" [dim]({', '.join(flags)})[/dim]" if flags else ""
    return f"[bold]{resource['name']}[/bold] [cyan]{resource['type']}[/cyan]{suffix}"


def _output_rows(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """Stack outputs as shown: `[unknown]` / `[secret]` where a preview would not show them."""
    return [(name, value if isinstance(value, str) else json.dumps(value, sort_keys=True))
            for name, value in sorted(plan["outputs"].items())]


def _violation_rows(plan: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(v["enforcement"], v["policy"], v.get("urn") or "-",
             v["message"] + (f" (waived: {v['reason']})" if v.get("reason") else ""))
            for v in plan["violations"]]


def render_text(plans: list[dict[str, Any]], console: Console,
                failed: Sequence[Failure] = ()) -> None:
    for plan in plans:
        children = _children(plan)
        roots = children.get(None, [])
        tree = Tree(f"[bold]{plan['project']}[/bold] / stack [bold]{plan['stack']}[/bold]")
        for root in roots:
            for kid in _sorted_children(children, root):
                _add_branch(tree, kid, children)
        summary = Table(title="Summary", show_header=True, header_style="bold")
        summary.add_column("type")
        summary.add_column("count", justify="right")
        for type_, count in plan["summary"]["byType"].items():
            summary.add_row(type_, str(count))
        summary.add_row("[bold]total[/bold]", f"[bold]{plan['summary']['resources']}[/bold]")
        parts: list[Any] = [tree, summary]
        if plan["outputs"]:
            outputs = Table(title="Outputs", header_style="bold")
            outputs.add_column("name")
            outputs.add_column("value", overflow="fold")
            for name, value in _output_rows(plan):
                outputs.add_row(escape(name), escape(value))
            parts.append(outputs)
        if plan.get("incomplete"):
            parts.append("[yellow]Not seen inside (multi-language components):[/yellow] "
                         + escape(", ".join(f"{r['name']} ({r['type']})"
                                            for r in plan["incomplete"])))
        if plan.get("assumptions"):
            parts.append(f"[dim]{len(plan['assumptions'])} data-source answers assumed "
                         "(see `assumptions` in --format json)[/dim]")
        if plan["violations"]:
            table = Table(title="Policy violations", header_style="bold")
            for column in ("enforcement", "policy", "resource", "message"):
                table.add_column(column, overflow="fold")
            for row in _violation_rows(plan):
                table.add_row(*row)
            parts.append(table)
        elif "policyPack" in plan:
            parts.append("[green]No policy violations.[/green]")
        console.print(Group(*parts))
    for stack, error in failed:
        console.print(f"[bold]{escape(stack)}[/bold]: [red]plan failed[/red]: {escape(error)}",
                      highlight=False, soft_wrap=True)
    _verdict_lines(plans, failed, console)


def _verdict_lines(plans: list[dict[str, Any]], failed: Sequence[Failure],
                   console: Console) -> None:
    """One line per stack, then the overall verdict: the last lines of every text report."""
    for plan in plans:
        console.print(f"verdict {plan['stack']}: {verdicts.of_plan(plan)} "
                      f"({verdicts.detail(plan)})", markup=False, highlight=False,
                      soft_wrap=True)
    for stack, error in failed:
        console.print(f"verdict {stack}: failed ({error})", markup=False, highlight=False,
                      soft_wrap=True)
    overall = verdicts.overall(_all_verdicts(plans, failed))
    console.print(f"overall: {overall}", markup=False, highlight=False)


def _sorted_children(children: dict[str | None, list[dict[str, Any]]],
                     resource: dict[str, Any]) -> list[dict[str, Any]]:
    """Components first, then resources, each by type and name."""
    return sorted(children.get(resource["urn"], []),
                  key=lambda r: (r["custom"], r["type"], r["name"]))


def _add_branch(node: Tree, resource: dict[str, Any],
                children: dict[str | None, list[dict[str, Any]]]) -> None:
    kids = _sorted_children(children, resource)
    size = _subtree_size(children, resource)
    count = f" [dim]{size} resource{'s' if size > 1 else ''}[/dim]" if kids else ""
    branch = node.add(_label(resource) + count)
    for kid in kids:
        _add_branch(branch, kid, children)


def _subtree_size(children: dict[str | None, list[dict[str, Any]]],
                  resource: dict[str, Any]) -> int:
    return sum(1 + _subtree_size(children, kid) for kid in children.get(resource["urn"], []))


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(plans: list[dict[str, Any]], failed: Sequence[Failure] = ()) -> str:
    overall = verdicts.overall(_all_verdicts(plans, failed))
    lines: list[str] = [f"## {overall.symbol} Overall: {overall}", ""]
    lines += ["| stack | verdict | detail |", "|---|---|---|"]
    for plan in plans:
        stack_verdict = verdicts.of_plan(plan)
        lines.append(f"| `{plan['stack']}` | {stack_verdict.symbol} {stack_verdict} | "
                     f"{_md(verdicts.detail(plan))} |")
    for stack, error in failed:
        lines.append(f"| `{stack}` | ❌ failed | {_md(error)} |")
    lines.append("")
    for plan in plans:
        summary = plan["summary"]
        stack_verdict = verdicts.of_plan(plan)
        lines += [f"### Stack `{plan['stack']}`: {summary['resources']} resources, "
                  f"{stack_verdict.symbol} {stack_verdict}", ""]
        if plan.get("incomplete"):
            lines += ["Not seen inside (multi-language components; plan them with "
                      "`pulumi preview`):", ""]
            lines += [f"- `{r['name']}` `{r['type']}`" for r in plan["incomplete"]]
            lines.append("")
        children = _children(plan)
        stack_urns = [r["urn"] for r in children.get(None, [])]
        top = [r for urn in stack_urns for r in children.get(urn, [])]
        lines += ["| component | type | resources |", "|---|---|---:|"]
        for resource in sorted(top, key=lambda r: (r["type"], r["name"])):
            size = 1 + _subtree_size(children, resource)
            lines.append(f"| `{resource['name']}` | `{resource['type']}` | {size} |")
        lines.append("")
        if plan["violations"]:
            lines += ["| enforcement | policy | resource | message |", "|---|---|---|---|"]
            for enforcement, policy, urn, message in _violation_rows(plan):
                lines.append(f"| {enforcement} | `{policy}` | `{_md(urn)}` | {_md(message)} |")
            lines.append("")
        if plan["outputs"]:
            lines += ["| output | value |", "|---|---|"]
            lines += [f"| `{name}` | `{_md(value)}` |" for name, value in _output_rows(plan)]
            lines.append("")
        lines += ["<details><summary>Resources by type</summary>", "",
                  "| type | count |", "|---|---:|"]
        lines += [f"| `{t}` | {n} |" for t, n in summary["byType"].items()]
        lines += ["", "</details>", ""]
    for stack, error in failed:
        lines += [f"### Stack `{stack}`: ❌ failed", "", f"> {_md(error)}", ""]
    return "\n".join(lines)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"mandatory": "error", "advisory": "warning", "disabled": "none"}


PLAN_RULES = {
    "platformctl-plan-failed": "The stack could not be planned; nothing of it was checked.",
    "platformctl-plan-incomplete": "Multi-language components the offline engine cannot see "
                                   "inside; their resources were not checked.",
    "platformctl-policies-not-evaluated": "Policies were skipped (--policy-pack none).",
}


def _plan_findings(plans: list[dict[str, Any]],
                   failed: Sequence[Failure]) -> list[tuple[str, str, str, str]]:
    """(rule, level, stack, message) of what a run did not check."""
    found = [("platformctl-plan-failed", "error", stack, error) for stack, error in failed]
    for plan in plans:
        for component in plan.get("incomplete", []):
            found.append(("platformctl-plan-incomplete", "error", plan["stack"],
                          f"{component['name']} ({component['type']}): {component['reason']}"))
        if "policyPack" not in plan:
            found.append(("platformctl-policies-not-evaluated", "note", plan["stack"],
                          "policies not evaluated"))
    return found


def render_sarif(plans: list[dict[str, Any]], failed: Sequence[Failure] = ()) -> str:
    """SARIF 2.1.0 for GitHub code scanning: one rule per policy, one result per violation
    (level by enforcement; waived findings as results suppressed with their reason), and a
    result for each failed or incomplete stack and for skipped policies."""
    import hashlib

    rules: dict[str, dict[str, Any]] = {}
    defaults: dict[str, str] = {}
    pack_name = "policy-pack"
    for plan in plans:
        pack = plan.get("policyPack") or {}
        pack_name = pack.get("name", pack_name)
        for policy in pack.get("policies", []):
            defaults[policy["id"]] = policy["enforcement"]
            rules.setdefault(policy["id"], {
                "id": policy["id"], "name": policy["id"],
                "shortDescription": {"text": policy["description"]},
                "fullDescription": {"text": policy["description"]},
                "defaultConfiguration": {"level": SARIF_LEVELS.get(policy["enforcement"],
                                                                   "warning")},
                "properties": {"enforcement": policy["enforcement"]},
            })
        for violation in plan["violations"]:
            rules.setdefault(violation["policy"], {
                "id": violation["policy"], "name": violation["policy"],
                "shortDescription": {"text": violation["policy"]}})
    findings = _plan_findings(plans, failed)
    for rule, level, _, _ in findings:
        rules.setdefault(rule, {"id": rule, "name": rule,
                                "shortDescription": {"text": PLAN_RULES[rule]},
                                "defaultConfiguration": {"level": level}})
    order = sorted(rules)
    results = []
    for rule, level, stack, message in findings:
        results.append({
            "ruleId": rule, "ruleIndex": order.index(rule), "level": level,
            "message": {"text": f"[{stack}] {message}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "Pulumi.yaml"},
                                                "region": {"startLine": 1}}}],
            "partialFingerprints": {"policyUrn/v1": hashlib.sha256(
                f"{stack}|{rule}|{message}".encode()).hexdigest()},
            "properties": {"stack": stack},
        })
    for plan in plans:
        for violation in plan["violations"]:
            enforcement = violation["enforcement"]
            level = SARIF_LEVELS.get(enforcement if enforcement != "waived"
                                     else defaults.get(violation["policy"], "advisory"),
                                     "warning")
            urn = violation.get("urn") or f"stack {plan['stack']}"
            fingerprint = hashlib.sha256(
                f"{plan['stack']}|{violation['policy']}|{urn}".encode()).hexdigest()
            result: dict[str, Any] = {
                "ruleId": violation["policy"],
                "ruleIndex": order.index(violation["policy"]),
                "level": level,
                "message": {"text": f"[{plan['stack']}] {violation['message']}"},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": "Pulumi.yaml"},
                                         "region": {"startLine": 1}},
                    "logicalLocations": [{"fullyQualifiedName": urn, "kind": "resource"}],
                }],
                "partialFingerprints": {"policyUrn/v1": fingerprint},
                "properties": {"stack": plan["stack"], "enforcement": enforcement},
            }
            if enforcement == "waived":
                result["suppressions"] = [{"kind": "external", "status": "accepted",
                                           "justification": violation.get("reason", "")}]
            results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "platformctl", "semanticVersion": "0.1.0",
                                "informationUri": "https://www.pulumi.com/docs/iac/"
                                                  "using-pulumi/crossguard/",
                                "rules": [rules[r] for r in order],
                                "properties": {"policyPack": pack_name}}},
            "columnKind": "utf16CodeUnits",
            "results": results,
            # Every stack asked for, with its verdict (one that passes has no result).
            "properties": {
                "stacks": [{"stack": p["stack"], "verdict": str(verdicts.of_plan(p))}
                           for p in plans] + [_failed_entry(*f) for f in failed],
                "verdict": str(verdicts.overall(_all_verdicts(plans, failed)))},
        }],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
