"""Plan output formats: a tree for the terminal, JSON for machines, Markdown for reviews."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from rich.console import Console, Group
from rich.table import Table
from rich.tree import Tree


def render_json(plans: list[dict[str, Any]]) -> str:
    """One plan as an object; several as `{"plans": [...]}`. Sorted keys: diffable."""
    document: Any = plans[0] if len(plans) == 1 else {"plans": plans}
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


def _violation_rows(plan: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(v["enforcement"], v["policy"], v.get("urn") or "-",
             v["message"] + (f" (waived: {v['reason']})" if v.get("reason") else ""))
            for v in plan["violations"]]


def render_text(plans: list[dict[str, Any]], console: Console) -> None:
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
        if plan["violations"]:
            table = Table(title="Policy violations", header_style="bold")
            for column in ("enforcement", "policy", "resource", "message"):
                table.add_column(column, overflow="fold")
            for row in _violation_rows(plan):
                table.add_row(*row)
            parts.append(table)
        else:
            parts.append("[green]No policy violations.[/green]")
        console.print(Group(*parts))


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


def render_markdown(plans: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for plan in plans:
        summary = plan["summary"]
        mandatory = sum(1 for v in plan["violations"] if v["enforcement"] == "mandatory")
        verdict = "❌ blocked by policy" if mandatory else "✅ passes policy"
        lines += [f"### Stack `{plan['stack']}`: {summary['resources']} resources, {verdict}", ""]
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
        lines += ["<details><summary>Resources by type</summary>", "",
                  "| type | count |", "|---|---:|"]
        lines += [f"| `{t}` | {n} |" for t, n in summary["byType"].items()]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"mandatory": "error", "advisory": "warning", "disabled": "none"}


def render_sarif(plans: list[dict[str, Any]]) -> str:
    """SARIF 2.1.0 for GitHub code scanning: one rule per policy, one result per violation
    (level by enforcement; waived findings as results suppressed with their reason)."""
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
    order = sorted(rules)
    results = []
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
        }],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"
