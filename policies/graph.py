"""Reading the resource graph the engine hands a stack policy: values, tags, regions, links.

Everything here works on `pulumi_policy.PolicyResource`s exactly as the analyzer builds them
(props behind the unknown-checking proxy, providers as `PolicyProviderResource`), so the
same code runs under `pulumi preview --policy-pack` and offline. An unknown value (known
only after deployment) reads as `UNKNOWN`; callers decide, and residency fails closed.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


T = TypeVar("T")

UNKNOWN: Any = _Unknown()
"""A value that is not known until deployment."""

DATA_CLASS_TAG = "data-class"
PUBLIC_DATA_CLASS = "public-content"
AWS_PACKAGES = ("aws", "aws-native")

S3_BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
AUTONAME_SUFFIX = re.compile(r"-[0-9a-f]{7}$")
ARN = re.compile(r"^arn:(?P<partition>[\w-]+):(?P<service>[\w-]+):(?P<region>[\w-]*):"
                 r"(?P<account>\d*):(?P<resource>.+)$")


# class -> (a Mapping, a Sequence other than a string): the ABC checks, once per class
# (they are the most frequent calls of the pack; an ABC check is many times a dict lookup).
_KINDS: dict[type, tuple[bool, bool]] = {}


def _kind(value: Any) -> tuple[bool, bool]:
    kind = _KINDS.get(type(value))
    if kind is None:
        kind = _KINDS[type(value)] = (
            isinstance(value, Mapping),
            isinstance(value, Sequence) and not isinstance(value, str | bytes))
    return kind


def _is_seq(value: Any) -> bool:
    return _kind(value)[1]


def listify(value: Any) -> list[Any]:
    """IAM-style "one or a list": `value` itself when a list, else `[value]`."""
    return value if isinstance(value, list) else [value]


def get(value: Any, *path: str | int, default: Any = None) -> Any:
    """`value[path[0]][path[1]]...`, `default` when absent or null, `UNKNOWN` when unknown."""
    current = value
    try:
        for key in path:
            mapping, sequence = _kind(current)
            if mapping and isinstance(key, str):
                if key not in current:
                    return default
                current = current[key]
            elif sequence and isinstance(key, int) and -len(current) <= key < len(current):
                current = current[key]
            else:
                return default
    except UnknownValueError:
        return UNKNOWN
    return default if current is None else current


def items(value: Any) -> list[Any]:
    """The elements of a list prop (unknown elements as `UNKNOWN`); `[]` when not a list."""
    value = parse_json(value)
    if not _is_seq(value):
        return []
    return [get(value, i) for i in range(len(value))]


def parse_json(value: Any) -> Any:
    """Providers and policy documents carry JSON strings: decode those, pass the rest."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _value_at(mapping: Mapping[str, Any], key: str) -> Any:
    """`get(mapping, key)` for a key the mapping listed (one read instead of two)."""
    try:
        return mapping[key]
    except KeyError:
        return None
    except UnknownValueError:
        return UNKNOWN


def plain(value: Any) -> Any:
    """A plain copy (dicts/lists) of a proxied value, unknowns as `UNKNOWN`."""
    value = parse_json(value)
    mapping, sequence = _kind(value)
    if mapping:
        return {str(k): plain(_value_at(value, str(k))) for k in list(value)}
    if sequence:
        return [plain(v) for v in items(value)]
    return value


def truthy(value: Any) -> bool:
    """True for `True`/`"true"` (provider and JSON-encoded booleans)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def number(value: Any) -> float | None:
    if isinstance(value, bool) or value is UNKNOWN:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def package_of(type_token: str) -> str:
    if type_token.startswith("pulumi:providers:"):
        return type_token.removeprefix("pulumi:providers:")
    return type_token.split(":", 1)[0]


def tag_map(value: Any) -> dict[str, Any]:
    """Tags as a dict from either shape: `{"k": "v"}` (aws) or `[{"key", "value"}]` (native)."""
    value = plain(value)
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        found = {}
        for entry in value:
            if isinstance(entry, Mapping) and isinstance(entry.get("key"), str):
                found[entry["key"]] = entry.get("value")
        return found
    return {}


def arn_region(value: Any) -> str | None:
    """The region of an ARN (None when the ARN has none, e.g. S3, or it is not an ARN)."""
    if not isinstance(value, str):
        return None
    match = ARN.match(value)
    return (match["region"] or None) if match else None


class Graph:
    """Lookups over one stack's resources; indexes are built on first use and kept."""

    @classmethod
    def of(cls, resources: list[PolicyResource]) -> Graph:
        """The graph of `resources`. The engine hands each stack policy a list of its own,
        which gets its own graph; a list that can be weakly referenced and hashed (the
        offline runner hands every stack policy of a plan one such list) keeps its graph,
        shared by those policies, for as long as the list lives and is unchanged."""
        try:
            graph = _GRAPHS.get(resources)
        except TypeError:  # a plain list
            return cls(resources)
        if graph is None or graph.resources != resources:  # element identity, O(n) in C
            graph = _GRAPHS[resources] = cls(resources)
        return graph

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self.by_type: dict[str, list[PolicyResource]] = {}
        for resource in self.resources:
            self.by_type.setdefault(resource.resource_type, []).append(resource)
        self.buckets = self.of_type(*S3_BUCKET_TYPES)
        self._position = {id(r): i for i, r in enumerate(self.resources)}
        self._all_by_urn: dict[str, list[PolicyResource]] = {}
        for resource in self.resources:
            self._all_by_urn.setdefault(resource.urn, []).append(resource)
        self._bucket_of: dict[str, list[PolicyResource]] = {}
        self._configuring: dict[str, dict[str, list[PolicyResource]]] = {}
        self._indexes: dict[Hashable, Any] = {}
        # id(resource or provider) -> (it, its tags)
        self._own_tags: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._default_tags: dict[int, tuple[Any, dict[str, Any]]] = {}

    def of_type(self, *types: str) -> list[PolicyResource]:
        if len(types) == 1:
            return list(self.by_type.get(types[0], []))
        return [r for t in dict.fromkeys(types) for r in self.by_type.get(t, [])]

    def index(self, key: Hashable, build: Callable[[Graph], T]) -> T:
        """A lookup table derived from this graph, built by `build(graph)` on first use and
        kept (`key` names the table): one pass over the graph instead of one per lookup."""
        if key not in self._indexes:
            self._indexes[key] = build(self)
        return self._indexes[key]

    def select(self, types: Sequence[str], found: Iterable[PolicyResource]) -> list[PolicyResource]:
        """The resources of `found` that are in the graph and of `types`, once each, in the
        order of `of_type(*types)`: filtering `of_type(*types)` by membership in `found`
        without walking every resource of those types."""
        rank = {t: i for i, t in enumerate(dict.fromkeys(types))}
        unique = {id(r): r for r in found
                  if r.resource_type in rank and id(r) in self._position}
        return sorted(unique.values(),
                      key=lambda r: (rank[r.resource_type], self._position[id(r)]))

    def with_urns(self, urns: Iterable[str]) -> list[PolicyResource]:
        """The graph's resources with these URNs."""
        return [r for urn in urns for r in self._all_by_urn.get(urn, ())]

    # --- tags -----------------------------------------------------------------------------
    @staticmethod
    def _cached(cache: dict[int, tuple[Any, dict[str, Any]]], subject: Any,
                read: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        """`read(subject)`, once per subject (the cache keeps it, so its id stays its own).
        Callers here only read the result; the public methods hand out copies."""
        entry = cache.get(id(subject))
        if entry is None or entry[0] is not subject:
            entry = cache[id(subject)] = (subject, read(subject))
        return entry[1]

    def _own(self, resource: PolicyResource) -> dict[str, Any]:
        return self._cached(self._own_tags, resource,
                            lambda r: tag_map(get(r.props, "tags")))

    def _default(self, resource: PolicyResource) -> dict[str, Any]:
        if resource.provider is None:
            return {}
        return self._cached(self._default_tags, resource.provider,
                            lambda p: tag_map(get(parse_json(get(p.props, "defaultTags")),
                                                  "tags")))

    def own_tags(self, resource: PolicyResource) -> dict[str, Any]:
        return dict(self._own(resource))

    def default_tags(self, resource: PolicyResource) -> dict[str, Any]:
        return dict(self._default(resource))

    def tags(self, resource: PolicyResource) -> dict[str, Any]:
        """Effective tags: the provider's default tags overlaid by the resource's own."""
        return {**self._default(resource), **self._own(resource)}

    def data_class(self, resource: PolicyResource) -> Any:
        own = self._own(resource)
        return own[DATA_CLASS_TAG] if DATA_CLASS_TAG in own else \
            self._default(resource).get(DATA_CLASS_TAG)

    def restricted(self, resource: PolicyResource) -> bool:
        """Restricted data: any data class but public-content; untagged fails closed."""
        return self.data_class(resource) != PUBLIC_DATA_CLASS

    # --- regions --------------------------------------------------------------------------
    @staticmethod
    def region(resource: PolicyResource) -> Any:
        """Own `region` input, else the provider's region (the default provider's is the
        stack's aws:region); None when neither says, UNKNOWN when not known yet."""
        own = get(resource.props, "region")
        if own is UNKNOWN or (isinstance(own, str) and own):
            return own
        if resource.provider is not None:
            region = get(resource.provider.props, "region")
            if region is UNKNOWN or (isinstance(region, str) and region):
                return region
        return None

    def provider_regions(self) -> set[str]:
        """Regions of the stack's default AWS providers (what `aws:region` configures)."""
        found = set()
        for resource in self.resources:
            provider = resource.provider
            if provider is None or package_of(provider.resource_type) not in AWS_PACKAGES:
                continue
            if "::default" in provider.urn or provider.name.startswith("default"):
                region = get(provider.props, "region")
                if isinstance(region, str) and region:
                    found.add(region)
        return found

    def environment(self) -> str:
        """The `environment` default tag the providers carry ('' when none)."""
        for resource in self.resources:
            value = self._default(resource).get("environment")
            if isinstance(value, str) and value:
                return value
        return ""

    # --- links ----------------------------------------------------------------------------
    def dependencies(self, resource: PolicyResource) -> list[PolicyResource]:
        return list(resource.dependencies or [])

    @staticmethod
    def names(resource: PolicyResource, *keys: str) -> set[str]:
        """Known names/ids a resource is referred to by in other resources' props."""
        found = {resource.name}
        for key in keys:
            value = get(resource.props, key)
            if isinstance(value, str) and value:
                found.add(value)
        return found

    @staticmethod
    def _short(value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            return None
        return value.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if value.startswith("arn:") else value

    def named(self, value: Any, types: Sequence[str], *keys: str) -> list[PolicyResource]:
        """The resources of `types` that prop `value` (name, id or ARN) names, in graph
        order (indexed lookup: one index per types and keys)."""
        value = self._short(value)
        if value is None:
            return []
        index = self.index(("names", tuple(types), keys),
                           lambda graph: graph._names_index(types, keys))
        found = list(index.get(value, []))
        if AUTONAME_SUFFIX.search(value):
            found += [r for r in index.get(value[:-8], []) if r.name == value[:-8]
                      and r not in found]
        return found

    def _names_index(self, types: Sequence[str],
                     keys: tuple[str, ...]) -> dict[str, list[PolicyResource]]:
        index: dict[str, list[PolicyResource]] = {}
        for resource in sorted(self.of_type(*types), key=lambda r: self._position[id(r)]):
            for name in self.names(resource, *keys):
                index.setdefault(name, []).append(resource)
        return index

    @staticmethod
    def property_dependencies(resource: PolicyResource, prop: str) -> list[PolicyResource]:
        """Resources the engine says `prop` of `resource` was computed from."""
        found = getattr(resource, "property_dependencies", None) or {}
        return list(found.get(prop) or [])

    def linked(self, resource: PolicyResource, value: Any, types: Sequence[str],
               *keys: str, prop: str | None = None) -> list[PolicyResource]:
        """Resources of `types` that prop `value` of `resource` points at: by name when the
        value is known, else by the engine's property dependencies of `prop`, else among
        the resource's dependencies."""
        named = [r for r in self.named(value, types, *keys) if r is not resource]
        if named:
            return named
        if prop is not None:
            found = self._linked_by_urn(
                resource, types, {d.urn for d in self.property_dependencies(resource, prop)})
            if found:
                return found
        return self._linked_by_urn(resource, types, {d.urn for d in self.dependencies(resource)})

    def _linked_by_urn(self, resource: PolicyResource, types: Sequence[str],
                       urns: set[str]) -> list[PolicyResource]:
        return [r for r in self.select(types, self.with_urns(urns)) if r is not resource]

    def bucket_of(self, resource: PolicyResource) -> list[PolicyResource]:
        """The bucket(s) a split-out aws:s3/* resource configures (its `bucket` prop)."""
        found = self._bucket_of.get(resource.urn)
        if found is None:
            found = self.linked(resource, get(resource.props, "bucket"), S3_BUCKET_TYPES,
                                "bucket", prop="bucket")
            self._bucket_of[resource.urn] = found
        return found

    def configuring(self, bucket: PolicyResource, type_token: str) -> list[PolicyResource]:
        """The split-out resources of `type_token` that configure `bucket`."""
        by_bucket = self._configuring.get(type_token)
        if by_bucket is None:
            by_bucket = {}
            for resource in self.of_type(type_token):
                for owner in self.bucket_of(resource):
                    by_bucket.setdefault(owner.urn, []).append(resource)
            self._configuring[type_token] = by_bucket
        return list(by_bucket.get(bucket.urn, []))


_GRAPHS: weakref.WeakKeyDictionary[Any, Graph] = weakref.WeakKeyDictionary()
"""Resource list -> its graph (see Graph.of)."""


def label(resource: PolicyResource) -> str:
    """How messages name a resource: `name (type)`."""
    return f"'{resource.name}' ({resource.resource_type})"
