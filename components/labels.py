"""Naming and tags: the one place that decides how resources are named and tagged.

Provider `default_tags` carry the stack-wide set (`stack_tags`); a component adds only
what it alone knows through `resource_tags` (its Name and, on data stores, `data-class`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Literal

import pulumi

DataClass = Literal["user-pii", "user-content", "public-content", "telemetry"]
DATA_CLASS_TAG = "data-class"
MANAGED_BY = "pulumi/course-platform"


def stack_tags(environment: str, region: str, jurisdiction: str) -> dict[str, str]:
    """Tags every resource of a stack carries, through the providers' default tags."""
    return {
        "environment": environment,
        "region": region,
        "jurisdiction": jurisdiction,
        "managed-by": MANAGED_BY,
    }


def resource_tags(name: str, data_class: DataClass | None = None,
                  extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Per-resource tags, merged in a fixed order: Name, data-class, then caller extras."""
    tags = {"Name": name}
    if data_class is not None:
        tags[DATA_CLASS_TAG] = data_class
    tags.update(extra or {})
    return tags


def child_name(component: str, role: str, zone: str | None = None) -> str:
    """`<component>-<role>[-<az suffix>]`: unique per component instance, stable across edits."""
    return f"{component}-{role}-{zone[-1]}" if zone else f"{component}-{role}"


def physical_name(component: str, role: str, *, limit: int = 64, separator: str = "-") -> str:
    """An AWS name for a resource whose name is unique per account (or account and region):
    `<stack>-<component>-<role>`. The stack name carries blueprint, environment and region,
    so two stacks of one account never collide. Longer than `limit`: cut, and a short digest
    of the whole name keeps it unique."""
    full = separator.join((pulumi.get_stack(), component, role))
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:8]
    return f"{full[:limit - 9]}{separator}{digest}"
