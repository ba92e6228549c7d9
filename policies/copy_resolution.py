"""Following a copy path through the graph: where each copy goes, and what it carries.

Destinations are matched by physical name or ARN, never by logical name: a literal
`arn:aws:s3:::recordings-replica` is not the stack's autonamed `recordings-replica-1a2b3c4`.
A `<logical>-<7 hex>` value (Pulumi's auto-name, or an id offline plans derive from it, when
the physical name is not in the props) matches a resource of that logical name only when the
copy depends on it: the value flowed from it. An unknown value resolves through the copy's
dependencies; otherwise the region is undetermined and the caller fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from .copy_paths import CopyPath, Ref
from .graph import ARN, PUBLIC_DATA_CLASS, UNKNOWN, Graph, get, items, parse_json, truthy

# Props that hold the name AWS knows a resource by (never the Pulumi logical name).
PHYSICAL_NAME_KEYS = (
    "name", "bucket", "functionName", "clusterIdentifier", "identifier", "replicationGroupId",
    "tableName", "topicName", "queueName", "domainName", "streamName", "repositoryName",
    "globalClusterIdentifier", "namespaceName", "deliveryStreamName", "logGroupName",
    "endpointId", "clusterName", "keyId",
)
AUTONAME = re.compile(r"^(?P<logical>.+)-[0-9a-f]{7}$")
REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$")
AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "on.aws", "api.aws")
S3_DOMAIN = re.compile(r"^(?P<bucket>[a-z0-9.-]+?)\.s3(?:[.-](?P<region>[a-z0-9-]+))?"
                       r"\.amazonaws\.com(?:\.cn)?$")

# Data classes from least to most restrictive; anything else (untagged) ranks highest.
RANK = {PUBLIC_DATA_CLASS: 0, "telemetry": 1, "user-content": 2, "user-pii": 3}
UNTAGGED_RANK = 4


def values_at(value: Any, path: str) -> list[Any]:
    """The values at a dotted prop path (`[]` walks a list; an object counts as a list of
    one); UNKNOWN where part of the path is unknown; absent and empty values are left out."""
    current = [value]
    for segment in path.split("."):
        expand = segment.endswith("[]")
        key = segment.removesuffix("[]")
        found: list[Any] = []
        for item in current:
            if item is UNKNOWN:
                found.append(UNKNOWN)
                continue
            child = get(item, key)
            if child is None:
                continue
            if expand:
                child = parse_json(child)
                if child is UNKNOWN or isinstance(child, str | Mapping):
                    found.append(child)
                else:
                    found += items(child)
            else:
                found.append(child)
        current = found
    return [v for v in current if v is not None and v != ""]


def applies(resource: PolicyResource, entry: CopyPath) -> bool:
    """Whether an entry's `when` condition holds (an unknown condition holds: fail closed)."""
    if entry.when is None:
        return True
    path, wanted = entry.when
    (actual, *_) = values_at(resource.props, path) or [None]
    if actual is UNKNOWN:
        return True
    return truthy(actual) if wanted is True else actual == wanted


# --- names ---------------------------------------------------------------------------------

def short_name(value: str) -> str:
    """The name inside an ARN or S3 domain name (`value` itself when it is neither)."""
    match = ARN.match(value)
    if match:
        service, resource = match["service"], match["resource"]
        if service == "s3" and not match["region"]:  # arn:aws:s3:::bucket[/key]
            return resource.split("/", 1)[0]
        if service == "logs" and resource.startswith("log-group:"):
            return resource.removeprefix("log-group:").removesuffix(":*")
        return resource.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    if value.startswith("s3://"):  # s3://bucket/prefix
        return value.removeprefix("s3://").split("/", 1)[0]
    domain = S3_DOMAIN.match(value)
    return domain["bucket"] if domain else value


def physical_names(resource: PolicyResource) -> set[str]:
    found = set()
    for key in ("arn", *PHYSICAL_NAME_KEYS):
        value = get(resource.props, key)
        if isinstance(value, str) and value:
            found |= {value, short_name(value)}
    return found


def _by_physical_name(graph: Graph, types: tuple[str, ...]) -> dict[str, list[PolicyResource]]:
    index: dict[str, list[PolicyResource]] = {}
    for resource in graph.of_type(*types):
        for name in physical_names(resource):
            index.setdefault(name, []).append(resource)
    return index


def find(graph: Graph, resource: PolicyResource, value: Any, ref: Ref,
         exclude: Iterable[PolicyResource] = ()) -> list[PolicyResource]:
    """The resources of `ref.types` that `value` (at `ref.path` of `resource`) names."""
    skip = {resource.urn, *(r.urn for r in exclude)}

    def candidates(found: Iterable[PolicyResource]) -> list[PolicyResource]:
        return [r for r in graph.select(ref.types, found) if r.urn not in skip]
    deps = {d.urn for d in graph.dependencies(resource)}
    if value is UNKNOWN:  # what the prop was computed from (the engine says), else any dep
        prop = ref.path.split(".", 1)[0].removesuffix("[]")
        computed_from = {d.urn for d in graph.property_dependencies(resource, prop)}
        return candidates(graph.with_urns(computed_from or deps))
    if not isinstance(value, str) or not value:
        return []
    short = short_name(value)
    by_name = graph.index(("physical names", ref.types),
                          lambda g: _by_physical_name(g, ref.types))
    exact = candidates([*by_name.get(value, ()), *by_name.get(short, ())])
    if exact:
        return exact
    auto = AUTONAME.match(short)
    if auto is None:
        return []
    return candidates(r for r in graph.with_urns(deps) if r.name == auto["logical"])


# --- regions -------------------------------------------------------------------------------

def host_region(value: str) -> str | None:
    """The region of an AWS regional endpoint (URL, JDBC URL or host name); None otherwise."""
    host = value.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    host = host.lower().rstrip(".")
    if not host.endswith(AWS_DOMAINS):
        return None
    domain = S3_DOMAIN.match(host)
    if domain and domain["region"]:
        return domain["region"]
    return next((label for label in host.split(".") if REGION.match(label)), None)


Destination = tuple[str, Any]
"""(how a message names the destination, its region or None when undetermined)."""


def noun(resource: PolicyResource) -> str:
    kind = resource.resource_type.rsplit(":", 1)[-1]
    return re.sub(r"(?<!^)(?=[A-Z])", " ", kind).lower()


def _matched(graph: Graph, matches: list[PolicyResource]) -> list[Destination]:
    return [(f"{noun(m)} '{m.name}'", graph.region(m)) for m in matches]


def destinations(graph: Graph, resource: PolicyResource, ref: Ref, what: str,
                 exclude: Iterable[PolicyResource] = ()) -> list[Destination]:
    """Every place `ref` of `resource` sends data, each with its region (None: unknown)."""
    found: list[Destination] = []
    for value in values_at(resource.props, ref.path):
        found += _destination(graph, resource, ref, what, value, list(exclude))
    return found


def _destination(graph: Graph, resource: PolicyResource, ref: Ref, what: str, value: Any,
                 exclude: list[PolicyResource]) -> list[Destination]:
    if ref.kind == "region":
        return [(what, value if isinstance(value, str) else None)]
    if value is UNKNOWN:
        matches = find(graph, resource, value, ref, exclude)
        return _matched(graph, matches) or [(f"{what} (`{ref.path}` unknown)", None)]
    if not isinstance(value, str):
        return [(f"{what} (`{ref.path}`)", None)]
    named = f"{what} '{value}'"
    arn = ARN.match(value)
    if ref.kind == "host" or (ref.kind == "endpoint" and not arn):
        return [(named, host_region(value) if "://" in value or ref.kind == "host" else None)]
    if arn and arn["region"]:  # the ARN says where; the graph only names it
        matches = find(graph, resource, value, ref, exclude)
        return [(where, arn["region"]) for where, _ in _matched(graph, matches)] or [
            (named, arn["region"])]
    if ref.kind == "bucket":
        domain = S3_DOMAIN.match(value)
        if domain and domain["region"]:
            return [(named, domain["region"])]
    return _matched(graph, find(graph, resource, value, ref, exclude)) or [(named, None)]


# --- data classes --------------------------------------------------------------------------

DataClass = tuple[int, str]
"""(rank, how a message names what is copied: "user-pii data", "viewer request logs")."""


def data_class(graph: Graph, resource: PolicyResource) -> DataClass:
    value = graph.data_class(resource)
    if isinstance(value, str) and value in RANK:
        return RANK[value], f"{value} data"
    if isinstance(value, str) and value:
        return UNTAGGED_RANK, f"{value} data"
    return UNTAGGED_RANK, "untagged data (treated as restricted)"


def copied_class(graph: Graph, resource: PolicyResource, entry: CopyPath) -> DataClass | None:
    """The most restrictive class of what the copy carries (never the copy's own tags when
    it copies something else); None when the entry does not apply to `resource`."""
    if entry.opaque:
        return UNTAGGED_RANK, entry.opaque
    classes: list[DataClass] = []
    for ref in entry.source:
        for value in values_at(resource.props, ref.path):
            matches = find(graph, resource, value, ref)
            if not matches:
                classes.append((UNTAGGED_RANK, f"restricted data (`{ref.path}` is not a "
                                               "resource of this stack)"))
            classes += [data_class(graph, m) for m in matches]
            if isinstance(value, str) and not entry.to:  # the other members of its group
                group = graph.index(("copy group", entry.types, ref.path),
                                    lambda g, e=entry, r=ref: _groups(g, e.types, r.path))
                classes += [data_class(graph, p) for p in group.get(value, ())
                            if p is not resource]
    if entry.source and not classes and not entry.to and entry.when is None:
        return None  # not a member / not a replica: nothing is copied into it
    if not classes or not entry.to:
        classes.append(data_class(graph, resource))
    return max(classes)


def _groups(graph: Graph, types: tuple[str, ...], path: str) -> dict[str, list[PolicyResource]]:
    """Resources of `types` by each name they hold at `path` (the groups copies join)."""
    groups: dict[str, list[PolicyResource]] = {}
    for resource in graph.of_type(*types):
        for value in dict.fromkeys(v for v in values_at(resource.props, path)
                                   if isinstance(v, str)):
            groups.setdefault(value, []).append(resource)
    return groups


def sources(graph: Graph, resource: PolicyResource, entry: CopyPath) -> list[PolicyResource]:
    """The resources of the graph an entry's source refs name (never a destination)."""
    return [m for ref in entry.source for value in values_at(resource.props, ref.path)
            for m in find(graph, resource, value, ref)]
