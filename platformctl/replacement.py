"""Which property changes make a resource be replaced rather than updated in place.

aws-native resources: the CloudFormation resource schemas' `createOnlyProperties`, as
cfn-lint ships them (AWS's own published schemas, per region). Everything else: the table
in `data/replace_on_change.yaml`, one entry per type with its source. A type neither knows
is `None`: the caller says "may replace", never "in place".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

TABLE = Path(__file__).parent / "data" / "replace_on_change.yaml"
ANY_CHANGE = "*"
DEFAULT_SCHEMA_REGION = "us-east-1"
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Rule:
    """Paths (lower-cased key segments) whose change replaces; `source` says who says so."""

    paths: tuple[tuple[str, ...], ...]
    source: str

    def replaced_by(self, prop_path: str) -> bool:
        """Does a change at `prop_path` (`a.b[0].c`) replace? A change below or above a
        create-only path counts (a create-only object changed in one field)."""
        if self.paths == ((ANY_CHANGE,),):
            return True
        segments = segments_of(prop_path)
        return any(segments[:len(p)] == p or p[:len(segments)] == segments for p in self.paths)


def segments_of(prop_path: str) -> tuple[str, ...]:
    """`rules[0].destination.bucket` -> ("rules", "destination", "bucket"), lower-cased so
    camelCase plan keys meet CloudFormation's PascalCase names."""
    return tuple(s.lower() for s in _INDEX.sub("", prop_path).split(".") if s)


@cache
def _table() -> dict[str, Rule]:
    entries = yaml.safe_load(TABLE.read_text())
    return {type_: Rule(tuple(segments_of(p) for p in entry["replace_on"]), entry["source"])
            for type_, entry in entries.items()}


@cache
def _cfn_types(region: str) -> dict[str, str]:
    """`service:resource` lower-cased -> CloudFormation type name, for one region."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    names = PROVIDER_SCHEMA_MANAGER.get_resource_types(region)
    return {"::".join(n.split("::")[1:]).lower(): n for n in names if n.startswith("AWS::")}


@cache
def _cfn_rule(pulumi_type: str, region: str) -> Rule | None:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    _, module, resource = pulumi_type.split(":", 2)
    cfn_type = _cfn_types(region).get(f"{module}::{resource}".lower())
    if cfn_type is None:
        return None
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, cfn_type).schema
    paths = tuple(tuple(s.lower() for s in p.removeprefix("/properties/").split("/")
                        if s != "*")
                  for p in schema.get("createOnlyProperties", []))
    return Rule(paths, f"CloudFormation schema {cfn_type} createOnlyProperties "
                       f"({region}, via cfn-lint)")


def rule_for(resource_type: str, region: str | None) -> Rule | None:
    """The replacement rule of a type, or None when no data says which changes replace."""
    if resource_type.startswith("aws-native:"):
        from cfnlint.helpers import REGIONS

        # global resources, and regions cfn-lint has no schemas for, use us-east-1's schema
        schema_region = region if region in REGIONS else DEFAULT_SCHEMA_REGION
        return (_cfn_rule(resource_type, schema_region)
                or _cfn_rule(resource_type, DEFAULT_SCHEMA_REGION))
    table = _table()
    if resource_type in table:
        return table[resource_type]
    for pattern, rule in table.items():
        if pattern.endswith(ANY_CHANGE) and resource_type.startswith(pattern[:-1]):
            return rule
    return None
