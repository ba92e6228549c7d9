"""The edge layer of a regional stack: the CDN in front of storage, compute and video.

Origins, each added only when the layer before built it:
- `assets` ObjectStore (public-content): the default behaviour (site assets).
- `content` ObjectStore (user-content): `/content/*`, signed (course files, uploads).
- the ECS service's ALB (`ctx.components["ecs"].alb_dns_name`): `/api/*`, not cached.
- the live channel (`ctx.components["live"]`, a LiveChannel): its MediaPackage v2
  `path_pattern` through OAC, signed; the channel admits the distribution (`admit_cdn`).
- the VOD output (`ctx.components["vod"].output_store`, an ObjectStore): `/vod/*`, signed.

After the CDN, every S3 ObjectStore of the stack whose bucket policy is still pending
(built as a CloudFront origin but not routed) gets its TLS-only policy, so no bucket is
left without one.

Config (stack file / `pulumi config`, platform namespace): `cloudfrontSigningPublicKey`
(optional; else components/keys/cloudfront-signing-placeholder.pub.pem), and for Cloudflare
`cloudflareZoneId` and `cloudflareVideoTokenSecret` (secret; else one is generated and
exported as the secret output `videoTokenSecret` for the URL-signing service).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_random as random

from components.cdn import Cdn, CdnArgs, CdnOrigin
from components.object_store import ObjectStore
from stacks import cloudflare as cf
from stacks.context import RegionalContext, profile_args
from stacks.storage import fill

PLACEHOLDER_PUBLIC_KEY = (Path(__file__).resolve().parent.parent / "components" / "keys"
                          / "cloudfront-signing-placeholder.pub.pem")
API_PATHS = ["/api/*"]
CONTENT_PATHS = ["/content/*"]
VOD_PATHS = ["/vod/*"]


def build(ctx: RegionalContext) -> None:
    """Build the edge components the profile turns on into `ctx`."""
    profile = ctx.spec.profile
    if profile.cdn.enabled:
        if profile.cdn.kind == "cloudfront":
            _cloudfront(ctx)
        else:
            _cloudflare(ctx)
    _close_pending_policies(ctx)


def _stores(ctx: RegionalContext) -> list[ObjectStore]:
    found = [c for c in ctx.components.values() if isinstance(c, ObjectStore)]
    for component in ctx.components.values():
        for attr in ("output_store", "source_store", "store"):
            store = getattr(component, attr, None)
            if isinstance(store, ObjectStore) and store not in found:
                found.append(store)
    return found


def _close_pending_policies(ctx: RegionalContext) -> None:
    for store in _stores(ctx):
        if store.policy_pending:
            store.create_policy()


def _vod_store(ctx: RegionalContext) -> ObjectStore | None:
    store = getattr(ctx.components.get("vod"), "output_store", None)
    return store if isinstance(store, ObjectStore) else None


def _public_key() -> str:
    configured = pulumi.Config("platform").get("cloudfrontSigningPublicKey")
    return configured or PLACEHOLDER_PUBLIC_KEY.read_text()


def _cloudfront(ctx: RegionalContext) -> None:
    spec, cdn_profile = ctx.spec, ctx.spec.profile.cdn
    origins: list[CdnOrigin] = []
    assets = ctx.components.get("assets")
    content = ctx.components.get("content")
    s3_stores = [s for s in (assets, content) if isinstance(s, ObjectStore) and s.kind == "s3"
                 and s.args.cloudfront_origin]
    if assets in s3_stores:
        origins.append(CdnOrigin.for_store(assets, origin_id="assets", role="static"))
    if content in s3_stores:
        origins.append(CdnOrigin.for_store(
            content, origin_id="content", role="static", signed=True,
            path_patterns=[] if assets not in s3_stores else CONTENT_PATHS))
    alb_dns = getattr(ctx.components.get("ecs"), "alb_dns_name", None)
    if alb_dns is not None:
        origins.append(CdnOrigin(origin_id="api", domain_name=alb_dns, role="api",
                                 path_patterns=API_PATHS))
    live = ctx.components.get("live")
    if live is not None and getattr(live, "origin_domain", None) is not None:
        origins.append(CdnOrigin(
            origin_id="live", domain_name=live.origin_domain, role="live",
            path_patterns=[live.path_pattern], access="mediapackagev2-oac",
            grant_access=live.admit_cdn))
    vod = _vod_store(ctx)
    if vod is not None and vod.kind == "s3" and vod.args.cloudfront_origin:
        origins.append(CdnOrigin.for_store(vod, origin_id="vod", role="vod",
                                           path_patterns=VOD_PATHS))
    if not origins:
        return
    if all(o.path_patterns for o in origins):
        # No bucket for the default behaviour: the API (or first origin) takes it.
        first = next((o for o in origins if o.role == "api"), origins[0])
        origins[origins.index(first)] = _as_default(first)
    args = profile_args(spec, "cdn", lambda: CdnArgs(
        kind="cloudfront",
        origins=origins,
        domain_names=[fill(d, spec) for d in cdn_profile.domain_names],
        certificate_arn=cdn_profile.certificate_arn,
        route53_zone_id=cdn_profile.route53_zone_id,
        price_class=cdn_profile.price_class,
        geo_restriction=cdn_profile.geo_restriction,
        geo_locations=list(cdn_profile.geo_locations),
        rate_limit_per_5_minutes=cdn_profile.rate_limit_per_5_minutes,
        signed_urls=cdn_profile.signed_urls,
        signing_public_key_pem=_public_key() if cdn_profile.signed_urls else None,
        logging=cdn_profile.logging,
        log_region=spec.region,
        log_retention_days=spec.profile.object_store.access_log_retention_days,
        protect=spec.profile.protect_stateful,
    ))
    cdn = Cdn("cdn", args, opts=ctx.providers.opts())
    ctx.add("cdn", cdn)
    ctx.export("cdnDomainName", cdn.domain_name)
    ctx.export("cdnDistributionId", cdn.distribution_id)
    if cdn.certificate_validation_records is not None:
        ctx.export("cdnCertificateValidationRecords", cdn.certificate_validation_records)


def _as_default(origin: CdnOrigin) -> CdnOrigin:
    fields: dict[str, Any] = {k: getattr(origin, k) for k in origin.__dataclass_fields__}
    return CdnOrigin(**{**fields, "path_patterns": []})


def _cloudflare(ctx: RegionalContext) -> None:
    spec, cdn_profile = ctx.spec, ctx.spec.profile.cdn
    zone_id = cf.require("cloudflareZoneId", "the Cloudflare CDN")
    domains = [fill(d, spec) for d in cdn_profile.domain_names]
    origins: list[CdnOrigin] = []
    content = ctx.components.get("content")
    if isinstance(content, ObjectStore) and content.kind == "r2" and content.custom_domain:
        origins.append(CdnOrigin.for_store(content, origin_id="content", role="vod",
                                           signed=True))
    alb_dns = getattr(ctx.components.get("ecs"), "alb_dns_name", None)
    if alb_dns is not None:
        if not domains:
            raise pulumi.RunError(f"{spec.source_of('cdn')}: cdn: domain_names: empty; the API "
                                  "needs a hostname in the Cloudflare zone "
                                  "(e.g. api-{region}.example.com)")
        origins.append(CdnOrigin(origin_id="api", domain_name=alb_dns, role="api",
                                 hostname=domains[0]))
    # MediaPackage v2 (live) and private S3 (VOD output) accept only CloudFront's signed
    # requests (OAC), so they are not fronted by Cloudflare.
    if not origins:
        return
    secret = pulumi.Config("platform").get_secret("cloudflareVideoTokenSecret")
    if secret is None and cdn_profile.signed_urls:
        generated = random.RandomPassword("video-token-secret", length=64, special=False)
        secret = pulumi.Output.secret(generated.result)
        ctx.export("videoTokenSecret", secret)
    args = profile_args(spec, "cdn", lambda: CdnArgs(
        kind="cloudflare", origins=origins, domain_names=domains, zone_id=zone_id,
        hmac_secret=secret if cdn_profile.signed_urls else None,
        rate_limit_per_5_minutes=cdn_profile.rate_limit_per_5_minutes,
        signed_urls=cdn_profile.signed_urls,
        segment_cache_seconds=cdn_profile.segment_cache_seconds,
        geo_restriction="none", logging=False, protect=spec.profile.protect_stateful,
    ))
    provider = cf.provider("edge")
    cdn = Cdn("cdn", args, opts=pulumi.ResourceOptions(providers=[provider]))
    ctx.add("cdn", cdn)
    ctx.export("cdnDomainName", cdn.domain_name)
