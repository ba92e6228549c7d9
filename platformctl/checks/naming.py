"""The naming table (data/naming.yaml): which input holds a type's physical name, where AWS
keeps it unique, and its length and character limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from platformctl.checks.plan_view import StackPlan, is_opaque

TABLE = Path(__file__).with_name("data") / "naming.yaml"
SCOPES = ("global", "account", "region")


@dataclass(frozen=True)
class NameRule:
    type: str
    property: str
    scope: str
    namespace: str
    max: int
    pattern: re.Pattern[str]
    source: str
    min: int = 1
    ignore_case: bool = False
    qualifier: str | None = None
    prefix: dict[str, Any] | None = None  # {property, max, source}


@cache
def rules() -> dict[str, NameRule]:
    data = yaml.safe_load(TABLE.read_text())
    table = {}
    for type_, entry in data.items():
        fields: dict[str, Any] = {**entry, "pattern": re.compile(entry["pattern"])}
        fields.setdefault("namespace", type_)
        table[type_] = NameRule(type=type_, **fields)
    return table


@dataclass(frozen=True)
class NamedResource:
    view: StackPlan
    resource: dict[str, Any]
    rule: NameRule
    name: str


OnUnknown = Callable[[StackPlan, dict[str, Any], NameRule], None]


def report_unknown(report: Any, check: str) -> OnUnknown:
    """An OnUnknown that lists the name under `check` as not checked."""
    def unknown(view: StackPlan, resource: dict[str, Any], rule: NameRule) -> None:
        report.skip(check, resource["urn"], f"{view.label(resource)}: {rule.property} unknown "
                    "until apply")

    return unknown


def named_resources(plans: list[StackPlan],
                    unknown: OnUnknown | None = None) -> list[NamedResource]:
    """Resources with an explicit physical name of a known type. `unknown(view, resource,
    rule)` is told about names that cannot be read offline."""
    found = []
    table = rules()
    for view in plans:
        for resource in view.plan["resources"]:
            rule = table.get(resource["type"])
            if rule is None:
                continue
            value = (resource.get("props") or {}).get(rule.property)
            if value is None:
                continue  # auto-named by the provider: unique by construction
            if not isinstance(value, str) or is_opaque(value):
                if unknown is not None:
                    unknown(view, resource, rule)
                continue
            found.append(NamedResource(view, resource, rule, value))
    return found
