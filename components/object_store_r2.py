"""The R2 half of ObjectStore: a Cloudflare R2 bucket with its lifecycle, CORS and domain.

Kept apart from components/object_store.py so that stacks without R2 never import
pulumi_cloudflare (about 1.5 s of every plan).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_cloudflare as cloudflare

from components.labels import child_name
from components.object_store import SECONDS_PER_DAY, ObjectStoreArgs, r2_bucket_name
from components.stateful import stateful_options


@dataclass(frozen=True)
class R2Bucket:
    bucket_name: pulumi.Output[str]
    jurisdiction: str
    custom_domain: str | None


def build_r2(store: pulumi.ComponentResource, name: str, args: ObjectStoreArgs) -> R2Bucket:
    """Create the R2 bucket `name` and its configuration as children of `store`."""
    child = pulumi.ResourceOptions(parent=store)
    physical = r2_bucket_name(args.bucket_name or name, args.data_class)
    jurisdiction = args.r2_jurisdiction or "default"
    bucket = cloudflare.R2Bucket(
        child_name(name, "bucket"), account_id=args.r2_account_id, name=physical,
        jurisdiction=jurisdiction, location=args.r2_location_hint,
        storage_class="Standard",
        opts=stateful_options(args.protect, store))
    everything = cloudflare.R2BucketLifecycleRuleConditionsArgs(prefix="")
    rules = [cloudflare.R2BucketLifecycleRuleArgs(
        id="abort-incomplete-multipart-uploads", enabled=True, conditions=everything,
        abort_multipart_uploads_transition=cloudflare.
        R2BucketLifecycleRuleAbortMultipartUploadsTransitionArgs(
            condition=cloudflare.R2BucketLifecycleRuleAbortMultipartUploadsTransitionConditionArgs(
                type="Age", max_age=args.abort_multipart_after_days * SECONDS_PER_DAY)))]
    if args.tiering == "standard-ia":
        rules.append(cloudflare.R2BucketLifecycleRuleArgs(
            id="tier-to-infrequent-access", enabled=True, conditions=everything,
            storage_class_transitions=[cloudflare.R2BucketLifecycleRuleStorageClassTransitionArgs(
                storage_class="InfrequentAccess",
                condition=cloudflare.R2BucketLifecycleRuleStorageClassTransitionConditionArgs(
                    type="Age", max_age=args.tiering_after_days * SECONDS_PER_DAY))]))
    if args.expire_after_days is not None:
        rules.append(cloudflare.R2BucketLifecycleRuleArgs(
            id="expire-objects", enabled=True, conditions=everything,
            delete_objects_transition=cloudflare.R2BucketLifecycleRuleDeleteObjectsTransitionArgs(
                condition=cloudflare.R2BucketLifecycleRuleDeleteObjectsTransitionConditionArgs(
                    type="Age", max_age=args.expire_after_days * SECONDS_PER_DAY))))
    cloudflare.R2BucketLifecycle(
        child_name(name, "lifecycle"), account_id=args.r2_account_id, bucket_name=bucket.name,
        jurisdiction=jurisdiction, rules=rules, opts=child)
    if args.cors_allowed_origins:
        cloudflare.R2BucketCors(
            child_name(name, "cors"), account_id=args.r2_account_id,
            bucket_name=bucket.name, jurisdiction=jurisdiction,
            rules=[cloudflare.R2BucketCorsRuleArgs(
                id="presigned-browser-access",
                allowed=cloudflare.R2BucketCorsRuleAllowedArgs(
                    origins=list(args.cors_allowed_origins),
                    methods=list(args.cors_allowed_methods), headers=["*"]),
                expose_headers=["ETag"], max_age_seconds=3000)],
            opts=child)
    custom_domain = None
    if args.r2_custom_domain is not None:
        cloudflare.R2CustomDomain(
            child_name(name, "domain"), account_id=args.r2_account_id,
            bucket_name=bucket.name, jurisdiction=jurisdiction,
            domain=args.r2_custom_domain, zone_id=args.r2_zone_id, enabled=True,
            min_tls="1.2", opts=child)
        custom_domain = args.r2_custom_domain
    return R2Bucket(bucket_name=bucket.name, jurisdiction=jurisdiction,
                    custom_domain=custom_domain)
