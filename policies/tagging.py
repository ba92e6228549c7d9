"""Tags: required tags on taggable resources; waiver tags must carry a reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from ._taggable import TAGGABLE_AWS_TYPES
from .base import Report, stack_policy
from .config import setting
from .graph import Graph, label
from .waivers import TAG_PREFIX


def taggable(resource: Any) -> bool:
    return resource.resource_type in TAGGABLE_AWS_TYPES or (
        resource.resource_type.startswith("aws-native:") and "tags" in resource.props)


def check_required_tags(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    required = setting(config, "requiredTags")
    for resource in graph.resources:
        if not taggable(resource):
            continue
        tags = graph.tags(resource)
        missing = [t for t in required if t not in tags]
        if missing:
            report(resource, f"{label(resource)} is missing the tag(s) {', '.join(missing)}; "
                             "add them to the provider's default_tags (or the resource's tags)")


def check_waiver_reason(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for resource in graph.resources:
        for key, value in graph.own_tags(resource).items():
            if key.startswith(TAG_PREFIX) and not (isinstance(value, str) and value.strip()):
                report(resource, f"{label(resource)} carries the waiver tag '{key}' without a "
                                 "reason; set the tag's value to why the finding is accepted "
                                 "(an empty waiver waives nothing)")


POLICIES = [
    stack_policy(
        "required-tags",
        "Taggable resources carry the configured tags (provider default tags count).",
        check_required_tags, enforcement=EnforcementLevel.ADVISORY,
        config_keys=("requiredTags",),
        remediation="Add the tags to the provider's default_tags.",
    ),
    stack_policy(
        "policy-waiver-reason",
        "A policy-waiver:<policy-id> tag states the reason the finding is accepted.",
        check_waiver_reason,
        remediation="Set the waiver tag's value to the reason.",
    ),
]
