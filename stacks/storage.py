"""The storage layer of a regional stack: the content (and assets) buckets.

What later layers read from the context:
- `ctx.components["content"]`: `ObjectStore` (data class `user-content`) for course content
  and uploads; on S3 it is a CloudFront origin when the profile's CDN is CloudFront (its
  bucket policy then waits for the edge layer's `allow_cloudfront`).
- `ctx.components["assets"]`: `ObjectStore` (`public-content`) for site assets, when
  `object_store.assets_bucket` is on.
- `ctx.components["storage-access-logs"]`: the S3 server access-log `LogBucket` (S3 only),
  which other layers' S3 ObjectStores may pass as `access_log_bucket`.
"""

from __future__ import annotations

import pulumi

from components.object_store import LogBucket, LogBucketArgs, ObjectStore, ObjectStoreArgs
from environments import StackSpec
from environments.sections.edge import ObjectStoreProfile
from stacks import cloudflare as cf
from stacks.context import RegionalContext, profile_args


def fill(template: str, spec: StackSpec) -> str:
    """`{environment}` / `{region}` placeholders of profile values, filled for this stack."""
    return template.format(environment=spec.environment, region=spec.region)


def replication_region(spec: StackSpec, profile: ObjectStoreProfile) -> str | None:
    """The DR region: the profile's, else the jurisdiction's first other region."""
    if not profile.replication:
        return None
    if profile.replication_region is not None:
        return profile.replication_region
    others = [r for r in spec.allowed_regions if r != spec.region]
    if not others:
        raise ValueError(f"replication: jurisdiction '{spec.jurisdiction_name}' has no region "
                         f"besides {spec.region}; turn replication off or add a region to "
                         "jurisdictions.yaml")
    return others[0]


def build(ctx: RegionalContext) -> None:
    """Build the storage components the profile turns on into `ctx`."""
    profile = ctx.spec.profile
    if not profile.object_store.enabled:
        return
    if profile.object_store.kind == "s3":
        _s3(ctx)
    else:
        _r2(ctx)


def _common(ctx: RegionalContext) -> dict:
    store = ctx.spec.profile.object_store
    return {
        "protect": ctx.spec.profile.protect_stateful,
        "tiering": store.tiering,
        "tiering_after_days": store.tiering_after_days,
        "cors_allowed_origins": [fill(o, ctx.spec) for o in store.cors_allowed_origins],
    }


def _s3(ctx: RegionalContext) -> None:
    spec, profile = ctx.spec, ctx.spec.profile
    store = profile.object_store
    behind_cloudfront = profile.cdn.enabled and profile.cdn.kind == "cloudfront"
    logs = LogBucket("storage-access-logs", LogBucketArgs(
        purpose="s3-access", retention_days=store.access_log_retention_days,
        protect=profile.protect_stateful), opts=ctx.providers.opts())
    ctx.add("storage-access-logs", logs)
    s3_common = {
        **_common(ctx),
        "region": spec.region,
        "allowed_regions": spec.allowed_regions,
        "noncurrent_version_expiration_days": store.noncurrent_version_expiration_days,
        "access_log_bucket": logs.bucket_name,
        "cloudfront_origin": behind_cloudfront,
    }
    content_args = profile_args(spec, "object_store", lambda: ObjectStoreArgs(
        data_class="user-content", replication_region=replication_region(spec, store),
        **s3_common))
    content = ObjectStore("content", content_args, opts=ctx.providers.opts())
    ctx.add("content", content)
    ctx.export("contentBucketName", content.bucket_name)
    ctx.export("contentBucketArn", content.bucket_arn)
    if content.replica_bucket_arn is not None:
        ctx.export("contentReplicaBucketArn", content.replica_bucket_arn)
    if store.assets_bucket:
        # Site assets are public content: no replication (rebuilt from CI), no upload CORS.
        assets = ObjectStore("assets", profile_args(spec, "object_store", lambda: ObjectStoreArgs(
            data_class="public-content", **{**s3_common, "cors_allowed_origins": []})),
            opts=ctx.providers.opts())
        ctx.add("assets", assets)
        ctx.export("assetsBucketName", assets.bucket_name)


def _r2(ctx: RegionalContext) -> None:
    spec, profile = ctx.spec, ctx.spec.profile
    store = profile.object_store
    account_id = cf.require("cloudflareAccountId", "R2 object storage")
    provider = cf.provider("storage")
    r2_common = {
        **_common(ctx),
        "kind": "r2",
        "r2_account_id": account_id,
        "r2_jurisdiction": spec.jurisdiction.r2_jurisdiction,
        "r2_location_hint": spec.jurisdiction.r2_location_hint,
    }
    custom_domain = fill(store.r2_custom_domain, spec) if store.r2_custom_domain else None
    zone_id = cf.require("cloudflareZoneId", "an R2 custom domain") if custom_domain else None
    content_args = profile_args(spec, "object_store", lambda: ObjectStoreArgs(
        data_class="user-content", bucket_name=f"{spec.environment}-{spec.region}-content",
        r2_custom_domain=custom_domain, r2_zone_id=zone_id, **r2_common))
    opts = pulumi.ResourceOptions(providers=[provider])
    content = ObjectStore("content", content_args, opts=opts)
    ctx.add("content", content)
    ctx.export("contentBucketName", content.bucket_name)
    ctx.export("contentR2Jurisdiction", content.jurisdiction)
    if store.assets_bucket:
        assets = ObjectStore("assets", profile_args(spec, "object_store", lambda: ObjectStoreArgs(
            data_class="public-content", bucket_name=f"{spec.environment}-{spec.region}-assets",
            **{**r2_common, "cors_allowed_origins": []})), opts=opts)
        ctx.add("assets", assets)
        ctx.export("assetsBucketName", assets.bucket_name)
