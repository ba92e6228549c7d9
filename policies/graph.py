"""Reading the resource graph the engine hands a stack policy: values, tags, regions, links.

Everything here works on `pulumi_policy.PolicyResource`s exactly as the analyzer builds them
(props behind the unknown-checking proxy, providers as `PolicyProviderResource`), so the
same code runs under `pulumi preview --policy-pack` and offline. An unknown value (known
only after deployment) reads as `UNKNOWN`; callers decide, and residency fails closed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()
"""A value that is not known until deployment."""

DATA_CLASS_TAG = "data-class"
PUBLIC_DATA_CLASS = "public-content"
AWS_PACKAGES = ("aws", "aws-native")

S3_BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
AUTONAME_SUFFIX = re.compile(r"-[0-9a-f]{7}$")
ARN = re.compile(r"^arn:(?P<partition>[\w-]+):(?P<service>[\w-]+):(?P<region>[\w-]*):"
                 r"(?P<account>\d*):(?P<resource>.+)$")


def _is_seq(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def listify(value: Any) -> list[Any]:
    """IAM-style "one or a list": `value` itself when a list, else `[value]`."""
    return value if isinstance(value, list) else [value]


def get(value: Any, *path: str | int, default: Any = None) -> Any:
    """`value[path[0]][path[1]]...`, `default` when absent or null, `UNKNOWN` when unknown."""
    current = value
    for key in path:
        try:
            if isinstance(current, Mapping) and isinstance(key, str):
                if key not in current:
                    return default
                current = current[key]
            elif _is_seq(current) and isinstance(key, int) and -len(current) <= key < len(current):
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


def plain(value: Any) -> Any:
    """A plain copy (dicts/lists) of a proxied value, unknowns as `UNKNOWN`."""
    value = parse_json(value)
    if isinstance(value, Mapping):
        return {str(k): plain(get(value, str(k))) for k in list(value)}
    if _is_seq(value):
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
    """Lookups over one stack's resources."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self.by_type: dict[str, list[PolicyResource]] = {}
        for resource in self.resources:
            self.by_type.setdefault(resource.resource_type, []).append(resource)
        self.buckets = self.of_type(*S3_BUCKET_TYPES)
        self._name_index: dict[tuple[str, ...], dict[str, list[PolicyResource]]] = {}
        self._bucket_of: dict[str, list[PolicyResource]] = {}
        self._configuring: dict[str, dict[str, list[PolicyResource]]] = {}

    def of_type(self, *types: str) -> list[PolicyResource]:
        if len(types) == 1:
            return list(self.by_type.get(types[0], []))
        return [r for t in dict.fromkeys(types) for r in self.by_type.get(t, [])]

    # --- tags -----------------------------------------------------------------------------
    @staticmethod
    def own_tags(resource: PolicyResource) -> dict[str, Any]:
        return tag_map(get(resource.props, "tags"))

    @staticmethod
    def default_tags(resource: PolicyResource) -> dict[str, Any]:
        provider = resource.provider
        if provider is None:
            return {}
        default = parse_json(get(provider.props, "defaultTags"))
        return tag_map(get(default, "tags"))

    def tags(self, resource: PolicyResource) -> dict[str, Any]:
        """Effective tags: the provider's default tags overlaid by the resource's own."""
        return {**self.default_tags(resource), **self.own_tags(resource)}

    def data_class(self, resource: PolicyResource) -> Any:
        return self.tags(resource).get(DATA_CLASS_TAG)

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
            value = self.default_tags(resource).get("environment")
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

    def named(self, value: Any, *keys: str) -> list[PolicyResource]:
        """Every resource that prop `value` (name, id or ARN) names (indexed lookup)."""
        value = self._short(value)
        if value is None:
            return []
        index = self._name_index.get(keys)
        if index is None:
            index = {}
            for resource in self.resources:
                for name in self.names(resource, *keys):
                    index.setdefault(name, []).append(resource)
            self._name_index[keys] = index
        found = list(index.get(value, []))
        if AUTONAME_SUFFIX.search(value):
            found += [r for r in index.get(value[:-8], []) if r.name == value[:-8]
                      and r not in found]
        return found

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
        candidates = [r for r in self.of_type(*types) if r is not resource]
        named = [r for r in self.named(value, *keys)
                 if r.resource_type in types and r is not resource]
        if named:
            return named
        if prop is not None:
            by_prop = {d.urn for d in self.property_dependencies(resource, prop)}
            found = [r for r in candidates if r.urn in by_prop]
            if found:
                return found
        deps = {d.urn for d in self.dependencies(resource)}
        return [r for r in candidates if r.urn in deps]

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


def label(resource: PolicyResource) -> str:
    """How messages name a resource: `name (type)`."""
    return f"'{resource.name}' ({resource.resource_type})"
