"""What would change between two plans: per resource create/update/replace/delete, with the
changed property paths and the dangers a reviewer must see first.

Plans are the JSON `platformctl plan --format json` writes: a file holding one plan (or
`{"plans": [...]}`), or a directory of such files; stacks are matched by name, resources
by URN. Offline plans show values known only after deployment as the plan's unknown
marker: an unknown on one side is a change that may happen ("may change"), and an unknown
on both sides changes only when a resource it depends on is created or replaced.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from platformctl.errors import PlanInputError
from platformctl.plan import UNKNOWN
from platformctl.replacement import rule_for, segments_of
from policies.graph import (
    AUTONAME_SUFFIX,
    DATA_CLASS_TAG,
    PUBLIC_DATA_CLASS,
    S3_BUCKET_TYPES,
    arn_region,
)

REPLICATION_TABLE = Path(__file__).parent / "data" / "replication_destinations.yaml"
DIFF_SCHEMA_VERSION = 1
KINDS = ("create", "update", "replace", "delete")
# Options of a resource (not inputs) whose change Pulumi shows; provider and region replace.
OPTIONS = ("protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges")
# Beyond the data stores the residency policies know: keys and secrets without which kept
# data is unreadable, and the global database that ties regional clusters together.
EXTRA_STATEFUL = ("aws:kms/key:Key", "aws:secretsmanager/secret:Secret",
                  "aws:rds/globalCluster:GlobalCluster", "aws:docdb/globalCluster:GlobalCluster",
                  "cloudflare:index/r2Bucket:R2Bucket", "aws:ebs/volume:Volume")
BUCKET_ARN_PREFIX = "arn:aws:s3:::"
# Inputs that make AWS itself refuse a delete (RDS, DocumentDB, EKS; DynamoDB; load balancers).
DELETION_PROTECTION = ("deletionProtection", "deletionProtectionEnabled",
                       "enableDeletionProtection")


@dataclass
class Change:
    """One resource that differs between BASE and HEAD."""

    stack: str
    urn: str
    type: str
    kind: str
    props: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    may_replace: bool = False
    danger: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "urn": self.urn, "type": self.type, "kind": self.kind,
                "mayReplace": self.may_replace, "props": self.props, "options": self.options,
                "why": self.why, "danger": self.danger}


@dataclass
class StackDiff:
    stack: str
    status: str  # added | removed (no longer planned, not destroyed) | changed | unchanged
    changes: list[Change]
    base_failures: list[dict[str, Any]]
    head_failures: list[dict[str, Any]]

    @property
    def new_failures(self) -> list[dict[str, Any]]:
        seen = {(v["policy"], v.get("urn")) for v in self.base_failures}
        return [v for v in self.head_failures if (v["policy"], v.get("urn")) not in seen]

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for c in self.changes if c.kind == kind) for kind in KINDS}

    def dangers(self) -> list[Change]:
        return [c for c in self.changes if c.danger]


# ---------------------------------------------------------------------------- loading plans

def load_plans(path: Path) -> dict[str, dict[str, Any]]:
    """Stack name -> plan, from a plan JSON file or a directory of them."""
    if not path.exists():
        raise PlanInputError(f"{path}: no such file or directory; give a plan JSON file "
                             "(platformctl plan STACK --format json) or a directory of them")
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise PlanInputError(f"{path}: no *.json plan files in this directory")
    plans: dict[str, dict[str, Any]] = {}
    for file in files:
        for plan in _plans_in(file):
            if plan["stack"] in plans:
                raise PlanInputError(f"{file}: stack '{plan['stack']}' appears twice under "
                                     f"{path}; keep one plan per stack")
            plans[plan["stack"]] = plan
    return plans


def _plans_in(file: Path) -> list[dict[str, Any]]:
    try:
        document = json.loads(file.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlanInputError(f"{file}: not readable plan JSON ({error}); write it with "
                             "`platformctl plan STACK --format json`") from None
    plans = document.get("plans", [document]) if isinstance(document, dict) else None
    if not isinstance(plans, list) or not all(
            isinstance(p, dict) and isinstance(p.get("stack"), str)
            and isinstance(p.get("resources"), list) for p in plans):
        raise PlanInputError(f"{file}: not a plan (expected an object with 'stack' and "
                             "'resources', or {\"plans\": [...]}); write it with "
                             "`platformctl plan STACK --format json`")
    return plans


# ---------------------------------------------------------------------------- property paths

def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf path -> value: `{"a": [{"b": 1}]}` -> `{"a[0].b": 1}`; empty containers are leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def _ignored(path: str, ignore_changes: Iterable[str]) -> bool:
    segments = segments_of(path)
    return any(segments[:len(s)] == s for s in (segments_of(i) for i in ignore_changes))


@dataclass(frozen=True)
class PropDiff:
    changed: list[str]  # known on both sides and different, or added / removed
    unknown: list[str]  # unknown on one side: may change
    computed: list[str]  # unknown on both sides: changes only if a dependency does


def prop_diff(base: dict[str, Any], head: dict[str, Any],
              ignore_changes: Iterable[str] = ()) -> PropDiff:
    old, new = flatten(base), flatten(head)
    changed, unknown, computed = [], [], []
    for path in sorted(set(old) | set(new)):
        if _ignored(path, ignore_changes):
            continue
        before, after = old.get(path), new.get(path)
        if before == UNKNOWN and after == UNKNOWN:
            computed.append(path)
        elif UNKNOWN in (before, after):
            unknown.append(path)
        elif path not in old or path not in new or before != after:
            changed.append(path)
    return PropDiff(changed, unknown, computed)


# ---------------------------------------------------------------------------- knowledge tables

@cache
def _replication_paths() -> dict[str, tuple[tuple[str, ...], ...]]:
    entries = yaml.safe_load(REPLICATION_TABLE.read_text())
    return {t: tuple(segments_of(p) for p in e["paths"]) for t, e in entries.items()}


@cache
def _stateful_types() -> frozenset[str]:
    from policies.residency import DATA_STORES

    return frozenset((*DATA_STORES, *EXTRA_STATEFUL))


@cache
def _jurisdiction_of_region() -> dict[str, str]:
    """Region -> jurisdiction key, from environments/ when this project has it."""
    try:
        from environments.errors import SpecError
        from environments.loader import EnvironmentData
    except ImportError:  # not this toolkit: regions are still named, only without jurisdiction
        return {}
    try:
        data = EnvironmentData()
    except SpecError:
        return {}
    return {region: name for name, j in data.jurisdictions.items() for region in j.regions}


def _restricted(resource: dict[str, Any]) -> bool:
    """Restricted data, as the residency policies say: any data class but public content;
    untagged fails closed."""
    tags = resource["props"].get("tags")
    return (tags.get(DATA_CLASS_TAG) if isinstance(tags, dict) else None) != PUBLIC_DATA_CLASS


# ---------------------------------------------------------------------------- the diff

def diff_plans(base: dict[str, dict[str, Any]],
               head: dict[str, dict[str, Any]]) -> list[StackDiff]:
    result = []
    everywhere = bucket_regions([*base.values(), *head.values()])
    for stack in sorted(set(base) | set(head)):
        old, new = base.get(stack), head.get(stack)
        # a destination is placed by its own stack's buckets first, then by the others'
        buckets = {**everywhere, **bucket_regions([p for p in (old, new) if p])}
        # a stack no longer in the project is not destroyed by the change: nothing deploys
        # it any more, and its resources stay until someone runs `pulumi destroy`
        changes = _stack_changes(stack, old, new, buckets) if new is not None else []
        status = ("added" if old is None else "removed" if new is None
                  else "changed" if changes else "unchanged")
        result.append(StackDiff(stack, status, changes, _failures(old), _failures(new)))
    return result


def _failures(plan: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [v for v in (plan or {}).get("violations", []) if v.get("enforcement") == "mandatory"]


def _stack_changes(stack: str, base: dict[str, Any] | None, head: dict[str, Any] | None,
                   buckets: dict[str, str]) -> list[Change]:
    old = {r["urn"]: r for r in (base or {}).get("resources", [])}
    new = {r["urn"]: r for r in (head or {}).get("resources", [])}
    changes: dict[str, Change] = {}
    computed: dict[str, list[str]] = {}
    for urn in sorted(set(old) | set(new)):
        before, after = old.get(urn), new.get(urn)
        if before is None:
            changes[urn] = Change(stack, urn, after["type"], "create")
        elif after is None:
            changes[urn] = Change(stack, urn, before["type"], "delete")
        else:
            change, computed[urn] = _compare(stack, before, after)
            if change is not None:
                changes[urn] = change
    _propagate(stack, new, changes, computed)
    for urn, change in changes.items():
        change.danger = _dangers(change, old.get(urn), new.get(urn), buckets)
    return [changes[urn] for urn in sorted(changes)]


def _compare(stack: str, before: dict[str, Any],
             after: dict[str, Any]) -> tuple[Change | None, list[str]]:
    diff = prop_diff(before["props"], after["props"], after.get("ignoreChanges") or ())
    options = [o for o in OPTIONS if before.get(o) != after.get(o)]
    moved = [o for o in ("provider", "region") if before.get(o) != after.get(o)]
    if not (diff.changed or diff.unknown or options or moved):
        return None, diff.computed
    change = Change(stack, after["urn"], after["type"], "update",
                    props=diff.changed + diff.unknown, options=options + moved)
    if moved and after["custom"]:
        change.kind = "replace"
        if "region" in moved:
            change.why.append(f"region changed ({before.get('region')} -> "
                              f"{after.get('region')}): the resource is recreated there")
        else:
            change.why.append("provider changed: the new provider recreates the resource")
    if after["custom"] and diff.changed + diff.unknown:
        _decide_replacement(change, after, diff)
    return change, diff.computed


def _decide_replacement(change: Change, resource: dict[str, Any], diff: PropDiff) -> None:
    rule = rule_for(resource["type"], resource.get("region"))
    if rule is None:
        change.may_replace = True
        change.why.append(f"may replace: no replacement data for {resource['type']} (neither "
                          "a CloudFormation schema nor an entry in replace_on_change.yaml)")
        return
    definite = [p for p in diff.changed if rule.replaced_by(p)]
    maybe = [p for p in diff.unknown if rule.replaced_by(p)]
    if definite:
        change.kind = "replace"
        change.why.append(f"replaces: {', '.join(definite)} cannot change in place "
                          f"({rule.source})")
    elif maybe:
        change.may_replace = True
        change.why.append(f"may replace: {', '.join(maybe)} unknown until deployment and "
                          f"cannot change in place ({rule.source})")


def _propagate(stack: str, resources: dict[str, dict[str, Any]], changes: dict[str, Change],
               computed: dict[str, list[str]]) -> None:
    """A resource computed from one that is created or replaced may change with it: its
    values known only after deployment (unknown in both plans) may differ. Repeated until
    nothing more changes, so the effect follows chains of dependencies."""
    pending = {urn: paths for urn, paths in computed.items() if paths}
    while True:
        caused = {urn: causes for urn, causes in (
            (urn, [d for d in resources[urn].get("dependencies", ()) if _recreated(changes.get(d))])
            for urn in pending) if causes}
        if not caused:
            return
        for urn, causes in caused.items():
            paths = pending.pop(urn)
            resource = resources[urn]
            change = changes.get(urn) or Change(stack, urn, resource["type"], "update")
            change.props = sorted(set(change.props) | set(paths))
            rule = rule_for(resource["type"], resource.get("region"))
            replaced = [p for p in paths if rule is None or rule.replaced_by(p)]
            if resource["custom"] and replaced and change.kind != "replace":
                change.may_replace = True
            because = (f" ({', '.join(replaced)} cannot change in place)"
                       if resource["custom"] and replaced and rule else "")
            change.why.append(f"may change: {', '.join(paths)} computed from "
                              f"{', '.join(sorted(_short(c) for c in causes))}, which is "
                              f"created or replaced{because}")
            changes[urn] = change


def _recreated(change: Change | None) -> bool:
    return change is not None and (change.kind in ("create", "replace") or change.may_replace)


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def _dangers(change: Change, before: dict[str, Any] | None, after: dict[str, Any] | None,
             buckets: dict[str, str]) -> list[str]:
    dangers = []
    resource = before or after
    assert resource is not None
    goes = change.kind in ("replace", "delete") or change.may_replace
    if goes and resource["custom"] and before is not None:
        verb = ("deleted" if change.kind == "delete" else "replaced"
                if change.kind == "replace" else "possibly replaced")
        if change.type in _stateful_types():
            kept = (" (retainOnDelete keeps the old one in the account, unmanaged)"
                    if before.get("retainOnDelete") else "")
            dangers.append(f"stateful resource {verb}: its data goes with it{kept}")
        if before.get("protect"):
            dangers.append(f"protected resource {verb}: `pulumi up` refuses until protect is "
                           "removed")
        flags = [f for f in DELETION_PROTECTION if before["props"].get(f) is True]
        if flags:
            dangers.append(f"deletion-protected resource {verb}: AWS refuses until {flags[0]} "
                           "is turned off")
    if (before is not None and after is not None and before.get("region") != after.get("region")
            and change.type in _stateful_types() and _restricted(after)):
        old, new = before.get("region"), after.get("region")
        dangers.append(f"restricted data moves region: {old} -> {new}"
                       f"{_jurisdiction_move(old, new)}")
    dangers.extend(_replication_dangers(change, before, after, buckets))
    return dangers


def _jurisdiction_move(old: str | None, new: str | None) -> str:
    table = _jurisdiction_of_region()
    a, b = table.get(old or ""), table.get(new or "")
    if a and b and a != b:
        return f" (jurisdiction {a} -> {b})"
    return ""


def _replication_dangers(change: Change, before: dict[str, Any] | None,
                         after: dict[str, Any] | None, buckets: dict[str, str]) -> list[str]:
    paths = _replication_paths().get(change.type)
    if not paths:
        return []
    old = _destinations(before, paths)
    new = _destinations(after, paths)
    if after is None or not set(new) - set(old):  # fewer copies is no new place for data
        return []
    # the plans' own buckets place a destination first, the replica key's region next
    buckets = {**_replica_key_regions(before), **_replica_key_regions(after), **buckets}

    def where(values: list[str]) -> str:
        return ", ".join(_located(v, buckets) for v in values) or "none"
    dangers = [f"replication destination changes: {where(old)} -> {where(new)}"]
    old_j = {_jurisdiction_of_region().get(_region_of(v, buckets) or "") for v in old}
    new_j = {_jurisdiction_of_region().get(_region_of(v, buckets) or "") for v in new}
    moved = sorted(j for j in new_j - old_j if j)
    if moved:
        dangers.append(f"replicated data reaches jurisdiction {', '.join(moved)}")
    return dangers


def _replica_key_regions(resource: dict[str, Any] | None) -> dict[str, str]:
    """Destination bucket name -> region of the KMS key its replicas are encrypted with (a
    replica key must be in the destination's region), for S3 replication rules."""
    out = {}
    for rule in ((resource or {}).get("props", {}).get("rules") or []):
        destination = rule.get("destination") if isinstance(rule, dict) else None
        if not isinstance(destination, dict) or not isinstance(destination.get("bucket"), str):
            continue
        key = (destination.get("encryptionConfiguration") or {}).get("replicaKmsKeyId")
        region = arn_region(key)
        if region:
            out[destination["bucket"].removeprefix(BUCKET_ARN_PREFIX)] = region
    return out


def _destinations(resource: dict[str, Any] | None,
                  paths: tuple[tuple[str, ...], ...]) -> list[str]:
    if resource is None:
        return []
    return sorted(str(v) for p, v in flatten(resource["props"]).items()
                  if segments_of(p) in paths and v not in (None, ""))


def bucket_keys(destination: str) -> tuple[str, str]:
    """The names a replication destination may be known by in a plan: the bucket name of
    its ARN, and that name less an auto-name suffix (the bucket's logical name)."""
    name = destination.removeprefix(BUCKET_ARN_PREFIX)
    return name, AUTONAME_SUFFIX.sub("", name)


def destinations_of(resource: dict[str, Any]) -> list[str]:
    """Where `resource` replicates its data to (buckets, regions, global clusters)."""
    paths = _replication_paths().get(resource["type"])
    return _destinations(resource, paths) if paths else []


def _region_of(destination: str, buckets: dict[str, str]) -> str | None:
    for candidate in bucket_keys(destination):
        if candidate in buckets:
            return buckets[candidate]
    return destination if destination in _jurisdiction_of_region() else None


def _located(destination: str, buckets: dict[str, str]) -> str:
    region = _region_of(destination, buckets)
    if region is None:
        return destination
    if region == destination:
        return region
    return f"{destination} ({region})"


def bucket_regions(plans: Iterable[dict[str, Any]]) -> dict[str, str]:
    """S3 bucket name -> region over every plan given, to place replication destinations.
    A bucket without an explicit `bucket` is auto-named `<logical name>-<7 hex>`, so its
    logical name stands in; a name found in two regions is left out (ambiguous)."""
    regions: dict[str, set[str]] = {}
    for resource in _resources(plans):
        if resource["type"] not in S3_BUCKET_TYPES or not resource.get("region"):
            continue
        name = resource["props"].get("bucket")
        key = name if isinstance(name, str) and name != UNKNOWN else resource["name"]
        regions.setdefault(key, set()).add(resource["region"])
    return {name: found.pop() for name, found in regions.items() if len(found) == 1}


def _resources(plans: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for plan in plans:
        yield from plan.get("resources", [])


def has_dangers(stacks: list[StackDiff]) -> bool:
    return any(s.dangers() for s in stacks)
