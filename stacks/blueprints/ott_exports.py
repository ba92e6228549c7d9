"""The cross-stack contracts of blueprint `ott`: what a regional stack publishes (read by
the DR region's stack and by the global stack) and what the global stack publishes.

A contract is defined once here; a stack writes it with `publish()` and another reads it
with `read(stack)` (stacks/exports.py): one StackReference, `require_output` per field.
"""

from __future__ import annotations

import dataclasses

import pulumi

from stacks.exports import StackExports


@dataclasses.dataclass(frozen=True)
class OttRegionExports(StackExports):
    """A regional stack (`ott-<env>-<region>`, primary or DR)."""

    region: pulumi.Input[str]
    role: pulumi.Input[str]
    """`primary` or `dr`."""
    api_domain_target: pulumi.Input[str]
    """The API's regional custom domain target (alias target of the failover record)."""
    api_domain_zone_id: pulumi.Input[str]
    """Hosted zone of `api_domain_target`."""
    api_health_host: pulumi.Input[str]
    """Host the Route 53 health check calls (`/health` on the API's own endpoint)."""
    live_origin_domain: pulumi.Input[str]
    """MediaPackage v2 egress domain of the live channel group."""
    live_channel_group: pulumi.Input[str]
    live_channel: pulumi.Input[str]
    live_hls_endpoint_name: pulumi.Input[str]
    live_dash_endpoint_name: pulumi.Input[str]
    live_hls_endpoint_arn: pulumi.Input[str]
    live_dash_endpoint_arn: pulumi.Input[str]
    aurora_global_cluster_identifier: pulumi.Input[str]
    """The Aurora global database both regions' clusters belong to (the DR stack joins it)."""
    profiles_table_name: pulumi.Input[str]
    """The DynamoDB global table (created by the primary, replicated into the DR region)."""
    vod_bucket_name: pulumi.Input[str]
    event_stream_name: pulumi.Input[str]
    eks_cluster_name: pulumi.Input[str]


@dataclasses.dataclass(frozen=True)
class OttEdgeExports(StackExports):
    """The global stack (`ott-<env>-global`)."""

    viewer_url: pulumi.Input[str]
    cdn_domain_name: pulumi.Input[str]
    distribution_id: pulumi.Input[str]
    web_acl_arn: pulumi.Input[str]
    api_origin_host: pulumi.Input[str]
    """The failover name the distribution's API origin is."""
