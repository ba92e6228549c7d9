"""Judge a deployed stack offline: a `pulumi stack export` file (deployment version 3)
becomes a plan of the same resources, which the policy runner evaluates as it evaluates a
plan (what `pulumi policy analyze --file` does, with this toolkit's runner and no Pulumi
account).

The plan is built from each resource's `inputs`, which is what a preview hands the policies
(outputs carry values AWS filled in later, which a plan never sees). Provider references
(`<urn>::<id>`) become provider URNs, and each resource's region is resolved from its own
`region` input or its provider's (explicit or default provider, both real resources in a
state). Secrets become `[secret]`, as in a plan. Resources pending deletion are skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from platformctl.errors import PlanInputError
from platformctl.plan import PLAN_SCHEMA_VERSION
from platformctl.project import SECRET_PLACEHOLDER

DEPLOYMENT_VERSION = 3
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's special-value signature key
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"  # ... whose value marks a secret
REGIONAL_PROVIDERS = ("pulumi:providers:aws", "pulumi:providers:aws-native")


def read_state(path: Path) -> dict[str, Any]:
    """The `deployment` of a `pulumi stack export` file, checked for version 3."""
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise PlanInputError(f"{path}: state file not found; write one with "
                             "`pulumi stack export --file FILE`") from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlanInputError(f"{path}: cannot read the state file ({error}); pass the JSON "
                             "that `pulumi stack export` writes") from None
    except ValueError as error:
        raise PlanInputError(f"{path}: not valid JSON ({error}); pass the JSON that "
                             "`pulumi stack export` writes") from None
    if not isinstance(document, dict) or not isinstance(document.get("deployment"), dict):
        raise PlanInputError(f"{path}: no `deployment` object; pass the JSON that "
                             "`pulumi stack export` writes")
    version = document.get("version")
    if version != DEPLOYMENT_VERSION:
        raise PlanInputError(f"{path}: deployment version {version!r}, this reads version "
                             f"{DEPLOYMENT_VERSION}; export it with a current Pulumi CLI")
    resources = document["deployment"].get("resources") or []
    if not isinstance(resources, list) or not all(
            isinstance(r, dict) and isinstance(r.get("urn"), str) and isinstance(
                r.get("type"), str) for r in resources):
        raise PlanInputError(f"{path}: deployment.resources must be a list of resources with "
                             "`urn` and `type`")
    return document["deployment"]


def clean(value: Any) -> Any:
    """State values as a plan holds them: secrets `[secret]`, engine-internal keys dropped."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            return SECRET_PLACEHOLDER
        return {k: clean(v) for k, v in sorted(value.items()) if not k.startswith("__")}
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def provider_urn(reference: str | None) -> str | None:
    """`<provider urn>::<provider id>` -> the provider's URN."""
    return reference.rsplit("::", 1)[0] if reference else None


def stack_and_project(urn: str) -> tuple[str, str]:
    """`urn:pulumi:<stack>::<project>::...` -> (stack, project)."""
    head = urn.removeprefix("urn:pulumi:").split("::")
    if len(head) < 3 or not urn.startswith("urn:pulumi:"):
        raise PlanInputError(f"state: '{urn}' is not a Pulumi URN")
    return head[0], head[1]


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def resolve_regions(resources: list[dict[str, Any]]) -> dict[str, str | None]:
    """URN -> region: the resource's own `region` input, else its AWS provider's."""
    provider_region = {r["urn"]: (r.get("inputs") or {}).get("region")
                       for r in resources if r["type"] in REGIONAL_PROVIDERS}
    regions: dict[str, str | None] = {}
    for resource in resources:
        own = (resource.get("inputs") or {}).get("region")
        if resource["type"] in REGIONAL_PROVIDERS:
            regions[resource["urn"]] = own if isinstance(own, str) and own else None
        elif isinstance(own, str) and own and resource["type"].startswith(("aws:",
                                                                             "aws-native:")):
            regions[resource["urn"]] = own
        else:
            region = provider_region.get(provider_urn(resource.get("provider")))
            regions[resource["urn"]] = region if isinstance(region, str) and region else None
    return regions


def plan_of_state(deployment: dict[str, Any]) -> dict[str, Any]:
    """A plan document (the shape `platformctl plan` writes) of the deployed resources."""
    live = [r for r in deployment.get("resources") or [] if not r.get("delete")]
    if not live:
        raise PlanInputError("state: the deployment has no resources; export a stack that "
                             "has been deployed")
    stack, project = stack_and_project(live[0]["urn"])
    regions = resolve_regions(live)
    known = {r["urn"] for r in live}
    resources = []
    for resource in sorted(live, key=lambda r: r["urn"]):
        resources.append({
            "urn": resource["urn"],
            "type": resource["type"],
            "name": _name(resource["urn"]),
            "parent": resource.get("parent") if resource.get("parent") in known else None,
            "provider": provider_urn(resource.get("provider")),
            "region": regions[resource["urn"]],
            "custom": bool(resource.get("custom")),
            "protect": bool(resource.get("protect")),
            "retainOnDelete": bool(resource.get("retainOnDelete")),
            "deleteBeforeReplace": bool(resource.get("deleteBeforeReplace")),
            "ignoreChanges": sorted(resource.get("ignoreChanges") or []),
            "dependencies": sorted(d for d in resource.get("dependencies") or [] if d in known),
            "props": clean(resource.get("inputs") or {}),
        })
    stack_resource = next((r for r in live if r["type"] == "pulumi:pulumi:Stack"), {})
    by_type = Counter(r["type"] for r in resources)
    return {
        "schemaVersion": PLAN_SCHEMA_VERSION,
        "project": project,
        "stack": stack,
        "resources": resources,
        "outputs": clean(stack_resource.get("outputs") or {}),
        "violations": [],
        "diagnostics": [],
        "summary": {
            "resources": len(resources),
            "custom": sum(1 for r in resources if r["custom"]),
            "protected": sum(1 for r in resources if r["protect"]),
            "byType": dict(sorted(by_type.items())),
        },
    }


def analyze_state(path: Path, pack_dir: Path | None, config: dict[str, Any] | None,
                  project_dir: Path | None = None) -> dict[str, Any]:
    """The plan of the state in `path` with the pack's verdicts. Without `config`, a stack
    of the toolkit project in `project_dir` gets its generated config, as `plan` does."""
    from platformctl.policy_config import stack_policy_config
    from platformctl.policy_runner import evaluate, load_pack

    plan = plan_of_state(read_state(path))
    if pack_dir is None:
        return plan
    pack = load_pack(pack_dir)
    if config is None and project_dir is not None and _ours(project_dir, plan):
        config = stack_policy_config(project_dir, plan["stack"], pack)
    evaluate(plan, pack, config, {})
    return plan


def _ours(project_dir: Path, plan: dict[str, Any]) -> bool:
    """Whether the state is of a stack (a Pulumi.<stack>.yaml) of the project in
    `project_dir`: same project name, a known stack."""
    from platformctl.project import Project

    try:
        project = Project.load(project_dir)
    except PlanInputError:
        return False
    return project.name == plan["project"] and plan["stack"] in project.stacks()
