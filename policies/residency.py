"""Data residency: restricted data, and copies of it, stay in the allowed regions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Check, Report, stack_policy
from .config import setting
from .copy_paths import COPY_PATHS, KMS_POLICY, REPLICATION_POLICY, CopyPath
from .copy_resolution import applies, copied_class, destinations, sources
from .data_stores import DATA_STORES
from .graph import UNKNOWN, Graph, get, label

R2_BUCKET = "cloudflare:index/r2Bucket:R2Bucket"


def allowed_regions(graph: Graph, config: Mapping[str, Any]) -> set[str]:
    """`allowedRegions`, else the default provider's region (the stack's aws:region)."""
    configured = setting(config, "allowedRegions")
    return set(configured) if configured else graph.provider_regions()


def _allowed_text(allowed: set[str]) -> str:
    return ", ".join(sorted(allowed)) if allowed else "none (configure allowedRegions)"


def _undetermined(what: str) -> str:
    return (f"{what} cannot be determined (no region input, provider region or aws:region); "
            "set `region` on its provider (or the resource) so residency can be checked")


def check_region_allowed(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    allowed = allowed_regions(graph, config)
    for resource in graph.of_type(*DATA_STORES):
        if not graph.restricted(resource):
            continue
        data_class = graph.data_class(resource) or "untagged (treated as restricted)"
        region = graph.region(resource)
        if region is None or region is UNKNOWN:
            report(resource, f"{label(resource)} holds {data_class} data but its "
                             + _undetermined("region"))
        elif region not in allowed:
            report(resource, f"{label(resource)} holds {data_class} data in {region}, outside "
                             f"allowedRegions ({_allowed_text(allowed)}); create it with a "
                             "provider for an allowed region, or tag it "
                             "data-class=public-content if it holds only public content")


def check_copies(policy: str) -> Check:
    """A check following every copy path of `policy` (see policies/copy_paths.py)."""
    entries = [e for e in COPY_PATHS if e.policy == policy]

    def check(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
        allowed = allowed_regions(graph, config)
        for entry in entries:
            for resource in graph.of_type(*entry.types):
                if applies(resource, entry):
                    _judge_copy(graph, resource, entry, allowed, report)

    return check


def _judge_copy(graph: Graph, resource: Any, entry: CopyPath, allowed: set[str],
                report: Report) -> None:
    copied = copied_class(graph, resource, entry)
    if copied is None or copied[0] == 0:  # nothing copied, or only public content
        return
    found: list[tuple[str, Any]] = []
    if entry.to:
        # An unknown destination never resolves to the data's own source (unless the
        # path's sources are its destinations, as for a Multi-Region Access Point).
        exclude = [] if set(entry.source) & set(entry.to) else sources(graph, resource, entry)
        for ref in entry.to:
            found += destinations(graph, resource, ref, entry.what, exclude)
    else:
        found.append((entry.what, graph.region(resource)))
    for where, region in dict.fromkeys(found):
        subject = f"{label(resource)} copies {copied[1]} to {where}"
        path = f" [copy path {entry.id}]"
        if not isinstance(region, str) or not region:
            report(resource, f"{subject}, whose region cannot be determined; point it at a "
                             "resource of this stack or a full ARN in an allowed region "
                             f"({_allowed_text(allowed)}){path}")
        elif region not in allowed:
            report(resource, f"{subject} in {region}, outside allowedRegions "
                             f"({_allowed_text(allowed)}); copy only to an allowed region{path}")


def check_r2_jurisdiction(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    wanted = setting(config, "r2Jurisdiction")
    for bucket in graph.of_type(R2_BUCKET):
        # R2 buckets carry no tags: every one counts as restricted (waive public ones).
        jurisdiction = get(bucket.props, "jurisdiction") or "default"
        if wanted is None:
            report(bucket, f"{label(bucket)}: R2 cannot keep restricted data in this stack's "
                           "jurisdiction (r2Jurisdiction is null); keep restricted data in S3 "
                           "in an allowed region, or waive the bucket if it holds only public "
                           "content")
        elif jurisdiction is UNKNOWN or jurisdiction != wanted:
            report(bucket, f"{label(bucket)} uses R2 jurisdiction '{jurisdiction}' but "
                           f"restricted data here must use '{wanted}'; set "
                           f"jurisdiction='{wanted}' (a new bucket: R2 cannot move one)")


POLICIES = [
    stack_policy(
        "residency-region-allowed",
        "Restricted-data stores (every store type in policies/data_stores.py: S3, RDS, "
        "DynamoDB, ElastiCache, OpenSearch, Redshift, EFS, SQS, Cognito, ...) must be "
        "in allowedRegions.",
        check_region_allowed, config_keys=("allowedRegions",),
        remediation="Create the store with a provider for an allowed region; tag stores of "
                    "public content data-class=public-content.",
    ),
    stack_policy(
        REPLICATION_POLICY,
        "Copies of restricted data (replication, replicas, global-cluster members, "
        "deliveries, subscriptions, targets, log and export destinations: every path in "
        "policies/copy_paths.py) must land in allowedRegions; an undeterminable destination "
        "fails closed.",
        check_copies(REPLICATION_POLICY), config_keys=("allowedRegions",),
        remediation="Copy only to allowed regions; point copies at resources of the stack or "
                    "full ARNs so their region can be checked.",
    ),
    stack_policy(
        KMS_POLICY,
        "Multi-Region KMS keys and replica keys (key material that decrypts restricted "
        "data) must stay in allowedRegions, primary and replicas.",
        check_copies(KMS_POLICY), config_keys=("allowedRegions",),
        remediation="Create replica keys only in allowed regions, or use single-Region keys.",
    ),
    stack_policy(
        "residency-r2-jurisdiction",
        "R2 buckets holding restricted data must use the configured r2Jurisdiction.",
        check_r2_jurisdiction, config_keys=("r2Jurisdiction",),
        remediation="Create the bucket with jurisdiction=<r2Jurisdiction>, or keep the data "
                    "in S3.",
    ),
]
