"""Read-only view of one plan JSON for the deploy-time checks: resources by URN, what each
resource waits for, the account it deploys to, and which values a preview cannot know."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

# The plan's placeholders (platformctl/plan.py): a value the preview cannot know, a secret.
UNKNOWN = "[unknown]"
SECRET = "[secret]"
GLOBAL_REGION = "global"


def is_opaque(value: Any) -> bool:
    """True when a value cannot be judged offline: unknown until apply, or a secret (also
    inside a string built from one, and for the structured unknown some plans carry)."""
    if isinstance(value, str):
        return UNKNOWN in value or SECRET in value
    if isinstance(value, dict):
        return value.get("unknown") is True or any(is_opaque(v) for v in value.values())
    if isinstance(value, list):
        return any(is_opaque(v) for v in value)
    return False


def string_list(value: Any) -> list[str] | None:
    """A list of strings given as a list or as its JSON text (provider inputs are strings)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


@dataclass(frozen=True)
class StackPlan:
    """One stack's plan, with what the checks need beyond the plan itself."""

    plan: dict[str, Any]
    # aws:allowedAccountIds of the stack config (the default provider's), when known.
    config_accounts: tuple[str, ...] | None = None
    # Project directory, when the plan was made here (local chart paths resolve against it).
    directory: Path | None = None
    resources: dict[str, dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "resources", {r["urn"]: r for r in self.plan["resources"]})

    @property
    def stack(self) -> str:
        return str(self.plan.get("stack", "?"))

    def of_type(self, *types: str) -> list[dict[str, Any]]:
        return [r for r in self.plan["resources"] if r["type"] in types]

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = defaultdict(list)
        for resource in self.plan["resources"]:
            if resource.get("parent"):
                children[resource["parent"]].append(resource["urn"])
        return children

    def waits_for(self, urn: str) -> set[str]:
        """Every resource `urn` waits for before it is created: its dependencies, theirs,
        and, for a component it depends on, everything under that component."""
        seen: set[str] = set()
        todo = list(self.resources[urn].get("dependencies") or [])
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            resource = self.resources.get(current)
            if resource is None:
                continue
            todo.extend(resource.get("dependencies") or [])
            if not resource.get("custom", True):
                todo.extend(self._children.get(current, []))
        return seen

    def ancestors(self, urn: str) -> set[str]:
        """The components `urn` is nested in (a chart's rendered children have the chart)."""
        found: set[str] = set()
        parent = self.resources[urn].get("parent")
        while parent and parent not in found and parent in self.resources:
            found.add(parent)
            parent = self.resources[parent].get("parent")
        return found

    def accounts(self, resource: dict[str, Any]) -> tuple[str, ...] | None:
        """Accounts the resource may deploy to (its provider's allowedAccountIds, else the
        stack's aws:allowedAccountIds); None when nothing says."""
        ref = resource.get("provider") or ""  # a URN, or the engine's `urn::id`
        provider = self.resources.get(ref) or self.resources.get(ref.rsplit("::", 1)[0])
        if provider is not None:
            ids = string_list((provider.get("props") or {}).get("allowedAccountIds"))
            if ids:
                return tuple(sorted(ids))
        return self.config_accounts

    def label(self, resource: dict[str, Any]) -> str:
        return f"{self.stack}: {resource['name']} ({resource['type']})"


def share_account(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> bool:
    """Two deployments may share an account unless both name accounts and none in common."""
    return a is None or b is None or bool(set(a) & set(b))
