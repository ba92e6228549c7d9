"""The global stack of blueprint `ott` (`ott-<env>-global`): the edge both regions share.

- `api-origin.<env>.<domain>`: a Route 53 failover record, PRIMARY = the primary region's
  API domain, SECONDARY = the DR region's, each with an HTTPS health check on `/health` of
  that region's API (its own endpoint, so each check measures its own region).
- One CloudFront distribution with a WAF web ACL on `viewer_host`: the API (default
  behaviour, no caching) at the failover name; live video (signed URLs) from the primary
  region's MediaPackage v2, with the DR region's channel (same channel group name, so the
  same paths) as the failover member of an origin group. Both regions' HLS and DASH
  endpoints admit exactly this distribution (OAC); their policies are written here, where
  the distribution is, through a provider per region.

Reads both regional stacks through `OttRegionExports`; publishes `OttEdgeExports`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from components.cdn import Cdn, CdnArgs, CdnOrigin
from components.dns_routing import CLOUDFRONT_ZONE_ID, RoutedRecord, RoutedRecordArgs, RouteTarget
from components.labels import child_name
from components.live_channel import cdn_endpoint_policy, egress_path_pattern
from environments import StackSpec
from stacks.blueprints.ott_exports import OttEdgeExports, OttRegionExports
from stacks.foundation import component_args, stack_observability
from stacks.providers import RegionalProviders

if TYPE_CHECKING:
    from stacks.blueprints.ott import OttSettings

REPO = Path(__file__).resolve().parents[2]


def build_edge(spec: StackSpec, settings: OttSettings) -> None:
    from stacks.blueprints.ott import (
        HEALTH_PATH,
        LIVE,
        api_origin_host,
        live_channel_group,
        regional_stack,
    )

    providers = RegionalProviders.create(spec)
    opts, profile = providers.opts(), spec.profile
    roles = {"PRIMARY": settings.primary_region, "SECONDARY": settings.dr_region}
    regions = {region: OttRegionExports.read(regional_stack(spec, region))
               for region in roles.values()}

    api_origin = RoutedRecord("api-origin", component_args(spec, "api", lambda: RoutedRecordArgs(
        zone_id=settings.route53_zone_id, name=api_origin_host(spec, settings),
        policy="failover", targets=[
            RouteTarget(id=region, dns_name=regions[region].api_domain_target,
                        alias_zone_id=regions[region].api_domain_zone_id,
                        health_check_host=regions[region].api_health_host,
                        health_check_path=HEALTH_PATH, failover=failover)  # type: ignore[arg-type]
            for failover, region in roles.items()])), opts=opts)

    primary, dr = regions[settings.primary_region], regions[settings.dr_region]
    pem_path = REPO / settings.signing_public_key
    if not pem_path.is_file():
        raise pulumi.RunError(f"{spec.stack_file}: settings.signing_public_key: "
                              f"'{settings.signing_public_key}' is not a file of the repository; "
                              "give the path of the PEM public key")
    cdn = Cdn("edge", component_args(spec, "edge", lambda: CdnArgs(
        kind="cloudfront",
        origins=[
            CdnOrigin(origin_id="api", role="api", domain_name=api_origin.fqdn),
            CdnOrigin(origin_id="live", role="live", access="mediapackagev2-oac",
                      domain_name=primary.live_origin_domain,
                      failover_domain_name=dr.live_origin_domain,
                      path_patterns=[egress_path_pattern(live_channel_group(spec), LIVE)],
                      grant_access=lambda arn: _admit(spec, providers, regions, arn)),
        ],
        domain_names=[settings.viewer_host], route53_zone_id=settings.route53_zone_id,
        rate_limit_per_5_minutes=settings.rate_limit_per_5_minutes,
        signed_urls=True, signing_public_key_pem=pem_path.read_text(),
        log_region=spec.region, protect=profile.protect_stateful)), opts=opts)
    aws.route53.Record(
        "viewer-record", zone_id=settings.route53_zone_id, name=settings.viewer_host, type="A",
        aliases=[aws.route53.RecordAliasArgs(name=cdn.domain_name, zone_id=CLOUDFRONT_ZONE_ID,
                                             evaluate_target_health=False)],
        opts=pulumi.ResourceOptions(provider=providers.aws))

    stack_observability(spec, settings.observability, cdn.monitored, opts)

    assert cdn.distribution_id is not None and cdn.web_acl_arn is not None
    OttEdgeExports(viewer_url=f"https://{settings.viewer_host}", cdn_domain_name=cdn.domain_name,
                   distribution_id=cdn.distribution_id, web_acl_arn=cdn.web_acl_arn,
                   api_origin_host=api_origin.fqdn).publish()


def _admit(spec: StackSpec, providers: RegionalProviders,
           regions: dict[str, OttRegionExports], distribution_arn: pulumi.Output[str]) -> None:
    """Each region's HLS and DASH endpoints admit only this distribution (OAC)."""
    for region, exports in regions.items():
        provider = (providers.aws_native if region == spec.region else aws_native.Provider(
            f"aws-native-{region}", region=region,
            default_tags=aws_native.ProviderDefaultTagsArgs(tags=providers.default_tags)))
        for kind, name, arn in (
                ("hls", exports.live_hls_endpoint_name, exports.live_hls_endpoint_arn),
                ("dash", exports.live_dash_endpoint_name, exports.live_dash_endpoint_arn)):
            aws_native.mediapackagev2.OriginEndpointPolicy(
                child_name("live", f"{region}-{kind}-endpoint-policy"),
                channel_group_name=exports.live_channel_group,
                channel_name=exports.live_channel, origin_endpoint_name=name,
                policy=pulumi.Output.all(arn, distribution_arn).apply(
                    lambda a: cdn_endpoint_policy(a[0], [a[1]])),
                opts=pulumi.ResourceOptions(provider=provider))
