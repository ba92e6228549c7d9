"""A Mermaid flowchart of one stack's plan: its components grouped by region, what each
uses of the others (the dependencies between their resources, labelled by the kind of
resource that links them), where data is replicated, and the stacks it reads.

Components are the top-level component resources (children of the stack); custom
resources outside any component are shown by type. Everything comes from the plan, so the
same diagram can be drawn for any Pulumi program `platformctl plan` can run.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from platformctl.diff import bucket_keys, destinations_of
from platformctl.stack_links import STACK_REFERENCE, references
from policies.graph import S3_BUCKET_TYPES

STACK_TYPE = "pulumi:pulumi:Stack"
MAX_EDGE_LABELS = 3


@dataclass
class Node:
    label: list[str]  # lines
    region: str
    shape: str = "box"  # box | stack | external


@dataclass
class Diagram:
    nodes: dict[str, Node] = field(default_factory=dict)
    uses: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    flows: set[tuple[str, str, str]] = field(default_factory=set)  # (from, to, label), dashed


def _short_type(type_: str) -> str:
    """`aws:s3/bucket:Bucket` -> `Bucket`; `platform:aurora:AuroraPostgres` -> `AuroraPostgres`."""
    return type_.rsplit(":", 1)[-1]


def _text(label: str) -> str:
    """A label safe inside Mermaid's `["..."]`: quotes and angle brackets as entities."""
    return (label.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def _owners(plan: dict[str, Any]) -> dict[str, str]:
    """Resource URN -> the key of the node it is drawn in: its top-level component, or its
    own type for a custom resource directly under the stack."""
    by_urn = {r["urn"]: r for r in plan["resources"]}
    owners = {}
    for resource in plan["resources"]:
        current = resource
        while current.get("parent") in by_urn and by_urn[current["parent"]]["type"] != STACK_TYPE:
            current = by_urn[current["parent"]]
        owners[resource["urn"]] = current["urn"] if not current["custom"] else (
            f"type:{current['type']}" if current is resource else current["urn"])
    return owners


def build(plan: dict[str, Any]) -> Diagram:
    diagram = Diagram()
    by_urn = {r["urn"]: r for r in plan["resources"]}
    owners = _owners(plan)
    regions: dict[str, Counter[str]] = defaultdict(Counter)
    for resource in plan["resources"]:
        if resource["type"] in (STACK_TYPE, STACK_REFERENCE) or resource["type"].startswith(
                "pulumi:providers:"):
            continue
        owner = owners[resource["urn"]]
        if resource.get("region"):
            regions[owner][resource["region"]] += 1
        if owner not in diagram.nodes:
            top = by_urn.get(owner)
            label = ([top["name"], _short_type(top["type"])] if top
                     else [_short_type(owner.removeprefix("type:"))])
            diagram.nodes[owner] = Node(label, "")
    for key, node in diagram.nodes.items():
        node.region = regions[key].most_common(1)[0][0] if regions[key] else "no region"
    for resource in plan["resources"]:
        user = owners.get(resource["urn"])
        for dependency in resource.get("dependencies", ()):
            used = owners.get(dependency)
            if user in diagram.nodes and used in diagram.nodes and used != user:
                diagram.uses[(used, user)][_short_type(by_urn[dependency]["type"])] += 1
    _replication_flows(plan, owners, diagram)
    for name, stack in references(plan):
        key = f"stack:{stack}"
        diagram.nodes.setdefault(key, Node([f"stack {stack}"], "other stacks", "stack"))
        read_by = next((r["urn"] for r in plan["resources"] if r["name"] == name), None)
        reader = owners.get(read_by) if read_by else None
        if reader not in diagram.nodes:  # read by the program itself, outside any component
            reader = f"stack:{plan['stack']}"
            diagram.nodes.setdefault(reader, Node([f"stack {plan['stack']}", "program"],
                                                  "this stack", "stack"))
        diagram.flows.add((key, reader, "stack outputs"))
    return diagram


def _replication_flows(plan: dict[str, Any], owners: dict[str, str], diagram: Diagram) -> None:
    """Replication edges: to the bucket's node when the destination is in this stack, else to
    an external node named by the destination."""
    buckets = {}
    for resource in plan["resources"]:
        if resource["type"] in S3_BUCKET_TYPES:
            explicit = resource["props"].get("bucket")
            buckets[explicit if isinstance(explicit, str) else resource["name"]] = resource
    for resource in plan["resources"]:
        source = owners.get(resource["urn"])
        for destination in destinations_of(resource):
            bucket = next((buckets[k] for k in bucket_keys(destination) if k in buckets), None)
            if bucket is None:
                target = f"external:{destination}"
                diagram.nodes.setdefault(target, Node(
                    [destination.removeprefix("arn:aws:s3:::")], "outside this stack",
                    "external"))
            elif owners[bucket["urn"]] != source:
                target = owners[bucket["urn"]]
            else:  # a replica inside the same component: drawn as its own node, in its region
                target = f"replica:{bucket['urn']}"
                diagram.nodes.setdefault(target, Node([bucket["name"], "replica"],
                                                      bucket.get("region") or "no region"))
            if source in diagram.nodes:
                diagram.flows.add((source, target, "replicates to"))


def render_mermaid(plan: dict[str, Any]) -> str:
    diagram = build(plan)
    ids = {key: f"n{index}" for index, key in enumerate(sorted(diagram.nodes))}
    lines = ["flowchart LR", f"  %% {plan['stack']}: components, what they use, replication, "
             "stack references"]
    by_region: dict[str, list[str]] = defaultdict(list)
    for key, node in diagram.nodes.items():
        by_region[node.region].append(key)
    shapes = {"box": '["{}"]', "stack": '[["{}"]]', "external": '[("{}")]'}
    for index, region in enumerate(sorted(by_region)):
        lines.append(f'  subgraph region{index}["{_text(region)}"]')
        for key in sorted(by_region[region]):
            node = diagram.nodes[key]
            label = "<br/>".join(_text(part) for part in node.label)
            lines.append(f"    {ids[key]}{shapes[node.shape].format(label)}")
        lines.append("  end")
    for (used, user), kinds in sorted(diagram.uses.items()):
        label = ", ".join(k for k, _ in kinds.most_common(MAX_EDGE_LABELS))
        lines.append(f'  {ids[used]} -->|"{_text(label)}"| {ids[user]}')
    for source, target, label in sorted(diagram.flows):
        lines.append(f'  {ids[source]} -.->|"{_text(label)}"| {ids[target]}')
    return "\n".join(lines) + "\n"
