"""crd-order: a Kubernetes custom resource created before the CRD that defines its kind.

A kind is built in when the pulumi_kubernetes SDK registers its API module; any other
`kubernetes:<group>/<version>:<Kind>` is a custom resource. Its CRD comes from a
CustomResourceDefinition in the plan, or from a Helm release/chart that installs it
(data/crd_charts.yaml, else a chart named after the group); the custom resource must wait
for that resource, else Kubernetes refuses it ("no matches for kind") when both are
created at once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from platformctl.checks import Report
from platformctl.checks.helm_chart import HELM_TYPES
from platformctl.checks.plan_view import StackPlan, is_opaque

ID = "crd-order"
TABLE = Path(__file__).with_name("data") / "crd_charts.yaml"
CRD_TYPES = ("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
             "kubernetes:apiextensions.k8s.io/v1beta1:CustomResourceDefinition")


@cache
def crd_charts() -> dict[str, frozenset[str]]:
    return {group: frozenset(entry["charts"])
            for group, entry in yaml.safe_load(TABLE.read_text()).items()}


def is_builtin(api_module: str) -> bool:
    """True for an API module the Kubernetes SDK ships (`apps/v1`, `helm.sh/v3`, ...)."""
    import pulumi_kubernetes  # noqa: F401 - registers the SDK's resource modules
    from pulumi.runtime.rpc import get_resource_module

    return get_resource_module("kubernetes", api_module, "") is not None


def custom_kind(type_token: str) -> tuple[str, str] | None:
    """(group, kind) of a custom resource type, or None for a built-in kind."""
    package, _, rest = type_token.partition(":")
    api_module, _, kind = rest.rpartition(":")
    if package != "kubernetes" or "/" not in api_module or is_builtin(api_module):
        return None
    return api_module.split("/")[0], kind


def chart_name(resource: dict[str, Any]) -> str | None:
    chart = (resource.get("props") or {}).get("chart")
    return chart.rstrip("/").rsplit("/", 1)[-1] if isinstance(chart, str) else None


# Words that say nothing about which project an API group or chart belongs to.
GENERIC_WORDS = frozenset({"io", "sh", "com", "org", "dev", "net", "k8s", "aws", "x",
                           "operator", "controller", "crd", "crds", "helm", "chart", "charts"})


def named_after(group: str, chart: str | None) -> bool:
    """For a group the table does not know: a chart named after the group's own project
    (`keda.sh` <- keda, `kafka.strimzi.io` <- strimzi-kafka-operator)."""
    if chart is None:
        return False
    words = set(re.split(r"[.-]", group)) - GENERIC_WORDS
    return bool(words & (set(chart.split("-")) - GENERIC_WORDS))


def _installs(resource: dict[str, Any], group: str, charts: dict[str, frozenset[str]]) -> bool:
    name = chart_name(resource)
    return name in charts[group] if group in charts else named_after(group, name)


def _defines(resource: dict[str, Any], group: str, kind: str) -> bool:
    spec = (resource.get("props") or {}).get("spec") or {}
    return spec.get("group") == group and (spec.get("names") or {}).get("kind") == kind


def run(plans: list[StackPlan], report: Report) -> None:
    charts = crd_charts()
    for view in plans:
        crds = view.of_type(*CRD_TYPES)
        helm = view.of_type(*HELM_TYPES)
        for resource in view.plan["resources"]:
            custom = custom_kind(resource["type"])
            if custom is None:
                continue
            group, kind = custom
            sources = [c for c in crds if _defines(c, group, kind)]
            sources += [h for h in helm if _installs(h, group, charts)]
            if not sources:
                opaque = any(is_opaque((h.get("props") or {}).get("chart")) for h in helm)
                why = ("a chart reference is unknown until apply" if opaque else
                       "no CRD or known chart in this stack defines it (installed outside "
                       "the program?)")
                report.skip(ID, resource["urn"], f"{view.label(resource)}: order of {kind} "
                            f"({group}) not checked: {why}")
                continue
            # Rendered by the chart itself (a child of it): the chart orders CRDs first.
            waits = view.waits_for(resource["urn"]) | view.ancestors(resource["urn"])
            if not any(s["urn"] in waits for s in sources):
                names = ", ".join(s["name"] for s in sources)
                report.add(ID, resource["urn"], f"{view.label(resource)}: {kind} ({group}) is "
                           f"created without waiting for {names}, which defines it; add "
                           f"depends_on=[{sources[0]['name']}] to its options")
