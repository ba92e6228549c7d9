"""Object storage: one interface over AWS S3 and Cloudflare R2, chosen by `kind`.

S3 (`aws.s3.Bucket` plus its split-out configuration resources, never BucketV2): public
access fully blocked, BucketOwnerEnforced, SSE-KMS with a customer key and a bucket key,
versioning, ONE TLS-only bucket policy, server access logs to a log bucket, lifecycle
(tiering, Deep Archive for backups, aborted multipart uploads, noncurrent versions), optional
object lock, CORS for browser uploads through presigned URLs, optional cross-region
replication to a bucket (with its own key) in another region of the same jurisdiction.

R2 (`cloudflare.R2Bucket`): jurisdiction and location hint from the stack's jurisdiction,
lifecycle, CORS and an optional custom domain.

Bucket policy: one per bucket. Statements known when the store is built go in
`ObjectStoreArgs.policy_statements`. A store fronted by CloudFront (`cloudfront_origin=True`)
cannot know its distribution's ARN yet, so its policy is created later by exactly one call
of `allow_cloudfront([distribution_arn])` (the Cdn component does this) or
`create_policy()`; until then `policy_pending` is True, and whoever builds the edge must
close every pending policy (stacks/edge.py does). Every policy starts with the TLS-only deny.

Data class: every S3 bucket carries the `data-class` tag. R2 has no tags, so the data class
is encoded in the bucket NAME, as its last segment: `<base>-dc-<data-class>`, e.g.
`content-dc-user-content`, `assets-dc-public-content`. A policy pack reads it with
`R2_DATA_CLASS_PATTERN` (a name without the `-dc-<class>` suffix is restricted: fail closed).

Log buckets (`LogBucket`, tagged `data-class=telemetry`) meet the same bar (public access
blocked, versioned, TLS-only policy, lifecycle expiry, encrypted), with two exceptions AWS
imposes:
- `s3-access`: S3 server access logs cannot be delivered to SSE-KMS buckets, so this bucket
  uses SSE-S3 (AES256); delivery is admitted by a bucket policy statement for
  `logging.s3.amazonaws.com` limited to this account (a policy pack must accept AES256 on
  telemetry buckets that are BucketLogging targets).
- `cloudfront`: CloudFront standard logging (legacy) writes through ACLs, so this bucket has
  ObjectOwnership BucketOwnerPreferred and a FULL_CONTROL grant to the `awslogsdelivery`
  canonical user (public access stays fully blocked: the grant is not public). It is SSE-KMS
  with its own customer key whose policy admits `delivery.logs.amazonaws.com`.
- `alb`: Application Load Balancer access logs support only SSE-S3, so this bucket is AES256
  and carries the visible waiver tag `policy-waiver:s3-encryption-kms` with the reason (the
  policy pack honours it); delivery is admitted for the ELB log-delivery service principal
  and, in regions opened before August 2022, the region's ELB account
  (`ELB_LOG_ACCOUNTS`), under `*/AWSLogs/<account>/*` only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.iam import policy_document, service_role
from components.kms import customer_key
from components.labels import DataClass, child_name, resource_tags
from components.stateful import stateful_options

Kind = Literal["s3", "r2"]
KINDS: tuple[str, ...] = ("s3", "r2")
DATA_CLASSES: tuple[str, ...] = ("user-pii", "user-content", "public-content", "telemetry")
RESTRICTED_DATA_CLASSES: tuple[str, ...] = ("user-pii", "user-content")
"""Data that must stay in its jurisdiction (R2 refuses it where R2 cannot guarantee that)."""
Tiering = Literal["standard-ia", "intelligent-tiering", "none"]
TIERINGS: tuple[str, ...] = ("standard-ia", "intelligent-tiering", "none")
LockMode = Literal["GOVERNANCE", "COMPLIANCE"]
LOCK_MODES: tuple[str, ...] = ("GOVERNANCE", "COMPLIANCE")
ReplicaStorageClass = Literal["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
                              "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]
REPLICA_STORAGE_CLASSES: tuple[str, ...] = ("STANDARD", "STANDARD_IA", "ONEZONE_IA",
                                            "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER",
                                            "DEEP_ARCHIVE")
R2Jurisdiction = Literal["default", "eu", "fedramp"]
R2_JURISDICTIONS: tuple[str, ...] = ("default", "eu", "fedramp")
R2_LOCATION_HINTS: tuple[str, ...] = ("wnam", "enam", "weur", "eeur", "apac", "oc")
R2_DATA_CLASS_MARK = "-dc-"
R2_DATA_CLASS_PATTERN = re.compile(
    r"-dc-(?P<data_class>user-pii|user-content|public-content|telemetry)$")
"""How a policy pack reads the data class of an R2 bucket from its name."""
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
SECONDS_PER_DAY = 86_400
CORS_METHODS: tuple[str, ...] = ("GET", "PUT", "POST", "HEAD", "DELETE")
# The canonical user of CloudFront's log delivery (legacy standard logging writes with it).
AWSLOGSDELIVERY_CANONICAL_ID = "c4c1ede66af53448b93c283ce9448c4ba468c9432aa01d700d3878632f77d2d0"
LogPurpose = Literal["s3-access", "cloudfront", "alb"]
LOG_PURPOSES: tuple[str, ...] = ("s3-access", "cloudfront", "alb")
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"
"""The principal CloudFront standard logging encrypts log objects as (key policy)."""
ELB_LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
"""The ELB log writer in regions opened from August 2022 on (admitted everywhere)."""
# Accounts of the regional ELB log writers, for regions opened before August 2022; newer
# regions use the logdelivery.elasticloadbalancing service principal (both are admitted).
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580", "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331", "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864", "ca-central-1": "985666609251",
    "eu-central-1": "054676820928", "eu-west-1": "156460612806", "eu-west-2": "652711504416",
    "eu-south-1": "635631232127", "eu-west-3": "009996457667", "eu-north-1": "897822967062",
    "me-south-1": "076674570225", "sa-east-1": "507241528517",
}
ALB_KMS_WAIVER = {"policy-waiver:s3-encryption-kms":
                  "ALB access log delivery supports only SSE-S3 (AES256)"}
"""The sanctioned, visible waiver (policies/waivers.py) of the KMS rule on ALB log buckets."""


def tls_only_statement(bucket_arn: str) -> dict[str, Any]:
    """Deny every request that does not use TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def alb_log_delivery_statement(bucket_arn: str, account_id: str, region: str,
                               partition: str) -> dict[str, Any]:
    """ELB access-log delivery may write under `*/AWSLogs/<account>/*` of the bucket."""
    writers: dict[str, Any] = {"Service": ELB_LOG_DELIVERY_SERVICE}
    if region in ELB_LOG_ACCOUNTS:
        writers = {**writers, "AWS": f"arn:{partition}:iam::{ELB_LOG_ACCOUNTS[region]}:root"}
    return {"Sid": "AlbLogDelivery", "Effect": "Allow", "Principal": writers,
            "Action": "s3:PutObject", "Resource": f"{bucket_arn}/*/AWSLogs/{account_id}/*"}


def cloudfront_read_statement(bucket_arn: str, distribution_arns: Sequence[str]) -> dict[str, Any]:
    """Origin Access Control: CloudFront may read objects, only for the named distributions."""
    arns = list(distribution_arns)
    return {
        "Sid": "CloudFrontOriginAccessControlRead",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"{bucket_arn}/*",
        "Condition": {"StringEquals": {"AWS:SourceArn": arns[0] if len(arns) == 1 else arns}},
    }


def r2_bucket_name(base: str, data_class: str) -> str:
    """`<base>-dc-<data-class>`: the R2 naming convention that carries the data class."""
    return f"{base}{R2_DATA_CLASS_MARK}{data_class}"


def check_cors_origins(field_name: str, origins: Sequence[str]) -> None:
    """Raise ValueError naming `field_name` unless every origin is https (or
    http://localhost[:port]) and names one site (no `*`)."""
    for origin in origins:
        if origin == "*" or "*" in origin.split("//", 1)[-1].split(".", 1)[-1]:
            raise ValueError(f"{field_name}: '{origin}' lets any site use presigned URLs; "
                             "list the application's origins")
        if not (origin.startswith("https://") or origin.startswith("http://localhost")):
            raise ValueError(f"{field_name}: '{origin}' is not an https origin; write it like "
                             "https://app.example.com")


@dataclass(frozen=True, kw_only=True)
class ObjectStoreArgs:
    data_class: DataClass
    """What the bucket holds (`user-pii`, `user-content`, `public-content`, `telemetry`);
    tagged on S3, encoded in the name on R2. Required: there is no safe default."""
    kind: Kind = "s3"
    """`s3` (default) or `r2` (Cloudflare R2)."""
    bucket_name: str | None = None
    """Physical name base. S3: None (default) lets Pulumi auto-name. R2: None uses the
    component name; the `-dc-<data-class>` suffix is always appended."""
    protect: bool = True
    """Pulumi `protect` + retain on delete on the bucket(s); default on (stateful)."""
    region: str | None = None
    """The region the S3 bucket lives in (the stack's); None (default) = the provider's.
    Needed to refuse replication into the bucket's own region."""
    allowed_regions: list[str] = field(default_factory=list)
    """Regions of the stack's jurisdiction; a replication destination must be one of them."""
    tiering: Tiering = "standard-ia"
    """Lifecycle tiering of current versions: `standard-ia` (default; R2: InfrequentAccess),
    `intelligent-tiering` (S3 only; unknown access patterns) or `none`."""
    tiering_after_days: int = 30
    """Days after which current versions move to the tiering class; 30 (the S3 minimum for
    Standard-IA, the seed's choice)."""
    archive_after_days: int | None = None
    """S3 only: move current versions to DEEP_ARCHIVE after N days (backups); None = never."""
    expire_after_days: int | None = None
    """Delete current versions after N days (scratch / upload staging); None (default) = keep."""
    noncurrent_version_expiration_days: int = 90
    """S3: delete noncurrent versions N days after they are superseded; 90 by default
    (recovery window vs. cost). R2 has no versioning."""
    abort_multipart_after_days: int = 7
    """Abort incomplete multipart uploads after N days (both kinds); 7 by default."""
    object_lock_days: int | None = None
    """S3 only: enable object lock with a default retention of N days; None = no lock
    (object lock can only be turned on when the bucket is created)."""
    object_lock_mode: LockMode = "GOVERNANCE"
    """Default retention mode; GOVERNANCE (default) lets privileged users shorten it."""
    cors_allowed_origins: list[str] = field(default_factory=list)
    """Browser origins allowed to use presigned URLs (https://..., or http://localhost[:port]
    for development); empty (default) = no CORS. `*` is refused."""
    cors_allowed_methods: list[str] = field(default_factory=lambda: ["GET", "PUT", "POST", "HEAD"])
    """Methods of the CORS rule; the presigned upload/download set by default."""
    replication_region: str | None = None
    """S3 only: replicate every object to a new bucket (with its own KMS key) in this region
    of the same jurisdiction (CourseBundler's DR); None (default) = no replication."""
    replication_storage_class: ReplicaStorageClass = "STANDARD_IA"
    """Storage class of replicas (STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING,
    GLACIER_IR, GLACIER, DEEP_ARCHIVE); STANDARD_IA (default): DR copies are rarely read."""
    access_log_bucket: pulumi.Input[str] | None = None
    """S3: name of a `LogBucket(purpose="s3-access")` in the same region to send server access
    logs to; None (default) = the store creates its own."""
    access_log_retention_days: int = 365
    """S3: expiry of the access logs when the store creates its own log bucket."""
    policy_statements: Sequence[pulumi.Input[dict[str, Any]]] = ()
    """S3: extra bucket policy statements, merged after the TLS-only deny into the ONE policy."""
    cloudfront_origin: bool = False
    """S3: a CloudFront distribution reads this bucket through OAC. The KMS key admits
    cloudfront.amazonaws.com and the bucket policy waits for `allow_cloudfront()`."""
    key_services: Sequence[str] = ()
    """S3: more AWS service principals the bucket's key admits, for services that write
    into the bucket (e.g. `cloudtrail.amazonaws.com` for a trail bucket)."""
    r2_account_id: pulumi.Input[str] | None = None
    """R2: Cloudflare account id (required for kind r2)."""
    r2_jurisdiction: R2Jurisdiction | None = None
    """R2: the stack jurisdiction's `r2_jurisdiction`; None means R2 cannot keep data there,
    so restricted data classes are refused."""
    r2_location_hint: str | None = None
    """R2: location hint (`wnam`, `enam`, `weur`, `eeur`, `apac`, `oc`); best effort."""
    r2_custom_domain: str | None = None
    """R2: serve the bucket on this hostname (needs `r2_zone_id`); None = no public domain."""
    r2_zone_id: pulumi.Input[str] | None = None
    """R2: Cloudflare zone of `r2_custom_domain`."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the S3 bucket(s)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: '{self.kind}' is unknown; use one of {', '.join(KINDS)}")
        if self.data_class not in DATA_CLASSES:
            raise ValueError(f"data_class: '{self.data_class}' is unknown; use one of "
                             f"{', '.join(DATA_CLASSES)}")
        if self.tiering not in TIERINGS:
            raise ValueError(f"tiering: '{self.tiering}' is unknown; use one of "
                             f"{', '.join(TIERINGS)}")
        for key in ("tiering_after_days", "abort_multipart_after_days",
                    "noncurrent_version_expiration_days"):
            if getattr(self, key) < 1:
                raise ValueError(f"{key}: {getattr(self, key)} is not a number of days; use 1 "
                                 "or more")
        if self.tiering == "standard-ia" and self.tiering_after_days < 30:
            raise ValueError(f"tiering_after_days: {self.tiering_after_days} is below the 30 "
                             "days S3 requires before STANDARD_IA; use 30 or more")
        if self.archive_after_days is not None and self.tiering != "none" \
                and self.archive_after_days <= self.tiering_after_days:
            raise ValueError(f"archive_after_days: {self.archive_after_days} is not after the "
                             f"tiering transition ({self.tiering_after_days}); make it later")
        if self.expire_after_days is not None:
            last = max([d for d in (self.archive_after_days, self.tiering_after_days
                                    if self.tiering != "none" else None) if d] or [0])
            if self.expire_after_days <= last:
                raise ValueError(f"expire_after_days: {self.expire_after_days} is not after the "
                                 f"last transition (day {last}); make it later or drop the "
                                 "transition")
        if self.object_lock_days is not None and self.object_lock_days < 1:
            raise ValueError(f"object_lock_days: {self.object_lock_days} is not a number of "
                             "days; use 1 or more, or None for no lock")
        if self.object_lock_mode not in LOCK_MODES:
            raise ValueError(f"object_lock_mode: '{self.object_lock_mode}' is unknown; use one "
                             f"of {', '.join(LOCK_MODES)}")
        if self.replication_storage_class not in REPLICA_STORAGE_CLASSES:
            raise ValueError(f"replication_storage_class: '{self.replication_storage_class}' is "
                             f"unknown; use one of {', '.join(REPLICA_STORAGE_CLASSES)}")
        check_cors_origins("cors_allowed_origins", self.cors_allowed_origins)
        for method in self.cors_allowed_methods:
            if method not in CORS_METHODS:
                raise ValueError(f"cors_allowed_methods: '{method}' is not a CORS method; use "
                                 f"{', '.join(CORS_METHODS)}")
        if self.bucket_name is not None and not _BUCKET_NAME.match(self.bucket_name):
            raise ValueError(f"bucket_name: '{self.bucket_name}' is not a valid bucket name; use "
                             "3-63 lowercase letters, digits and hyphens")
        if self.kind == "s3":
            self._check_s3()
        else:
            self._check_r2()

    def _check_s3(self) -> None:
        if self.replication_region is not None:
            if self.object_lock_days is not None:
                # The replica would need object lock too, and the role GetObjectRetention /
                # GetObjectLegalHold: not built, so S3 would refuse the replication.
                raise ValueError("replication_region: not supported together with "
                                 "object_lock_days; drop one of them (keep the lock, or "
                                 "replicate an unlocked bucket)")
            if not self.allowed_regions:
                raise ValueError("allowed_regions: empty, so replication_region "
                                 f"'{self.replication_region}' cannot be checked against the "
                                 "jurisdiction; pass the jurisdiction's regions")
            if self.replication_region not in self.allowed_regions:
                raise ValueError(
                    f"replication_region: '{self.replication_region}' is outside the "
                    f"jurisdiction (allowed: {', '.join(self.allowed_regions)}); replicate to "
                    "another region of the same jurisdiction")
            if self.replication_region == self.region:
                raise ValueError(f"replication_region: '{self.replication_region}' is the "
                                 "bucket's own region; pick another region of the jurisdiction")
        for key in ("r2_account_id", "r2_jurisdiction", "r2_location_hint", "r2_custom_domain",
                    "r2_zone_id"):
            if getattr(self, key) is not None:
                raise ValueError(f"{key}: only applies to kind 'r2'; remove it or set kind='r2'")

    def _check_r2(self) -> None:
        s3_only = {
            "replication_region": self.replication_region is not None,
            "object_lock_days": self.object_lock_days is not None,
            "archive_after_days": self.archive_after_days is not None,
            "access_log_bucket": self.access_log_bucket is not None,
            "policy_statements": bool(self.policy_statements),
            "cloudfront_origin": self.cloudfront_origin,
        }
        for key, is_set in s3_only.items():
            if is_set:
                raise ValueError(f"{key}: R2 has no equivalent; remove it or use kind='s3'")
        if self.tiering == "intelligent-tiering":
            raise ValueError("tiering: R2 has no intelligent tiering; use 'standard-ia' "
                             "(InfrequentAccess) or 'none'")
        if self.r2_account_id is None:
            raise ValueError("r2_account_id: missing; pass the Cloudflare account id "
                             "(stack config platform:cloudflareAccountId)")
        if self.r2_jurisdiction is None and self.data_class in RESTRICTED_DATA_CLASSES:
            raise ValueError(
                f"r2_jurisdiction: none for this stack's jurisdiction, so R2 cannot keep "
                f"'{self.data_class}' data in it; use kind='s3' for restricted data here")
        if self.r2_jurisdiction is not None and self.r2_jurisdiction not in R2_JURISDICTIONS:
            raise ValueError(f"r2_jurisdiction: '{self.r2_jurisdiction}' is unknown; use one of "
                             f"{', '.join(R2_JURISDICTIONS)}")
        if self.r2_location_hint is not None and self.r2_location_hint not in R2_LOCATION_HINTS:
            raise ValueError(f"r2_location_hint: '{self.r2_location_hint}' is unknown; use one "
                             f"of {', '.join(R2_LOCATION_HINTS)}")
        if (self.r2_custom_domain is None) != (self.r2_zone_id is None):
            raise ValueError("r2_custom_domain: needs r2_zone_id (and the reverse); give both "
                             "or neither")
        if self.bucket_name is not None and \
                len(r2_bucket_name(self.bucket_name, self.data_class)) > 63:
            raise ValueError(f"bucket_name: '{self.bucket_name}' is too long once "
                             f"'-dc-{self.data_class}' is appended; keep it under "
                             f"{63 - len(R2_DATA_CLASS_MARK) - len(self.data_class)} characters")


def _private_bucket_controls(parent: pulumi.Resource, name: str, bucket: aws.s3.Bucket,
                             *, ownership: str, region: str | None,
                             ) -> tuple[aws.s3.BucketPublicAccessBlock,
                                        aws.s3.BucketOwnershipControls]:
    """Public access block (all four) and object ownership, the same for every bucket."""
    child = pulumi.ResourceOptions(parent=parent)
    pab = aws.s3.BucketPublicAccessBlock(
        child_name(name, "public-access-block"), bucket=bucket.id,
        block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
        restrict_public_buckets=True, region=region, opts=child)
    ownership_controls = aws.s3.BucketOwnershipControls(
        child_name(name, "ownership"), bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership=ownership),
        region=region, opts=child)
    return pab, ownership_controls


@dataclass(frozen=True, kw_only=True)
class LogBucketArgs:
    purpose: LogPurpose = "s3-access"
    """`s3-access` (S3 server access logs, BucketOwnerEnforced, delivery by bucket policy),
    `cloudfront` (CloudFront standard logs: ACLs on, awslogsdelivery FULL_CONTROL grant) or
    `alb` (load balancer access logs: SSE-S3 with the KMS waiver tag, ELB delivery policy)."""
    retention_days: int = 365
    """Days logs are kept before expiry; 365 by default (audit)."""
    protect: bool = True
    """Pulumi `protect` + retain on delete on the bucket."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on the bucket (after Name, data-class and log-purpose); default none."""

    def __post_init__(self) -> None:
        if self.purpose not in LOG_PURPOSES:
            raise ValueError(f"purpose: '{self.purpose}' is unknown; use "
                             f"{', '.join(LOG_PURPOSES)}")
        if self.retention_days < 1:
            raise ValueError(f"retention_days: {self.retention_days} is not a number of days; "
                             "use 1 or more")


class LogBucket(pulumi.ComponentResource):
    """A private, versioned, TLS-only, SSE-S3, expiring bucket that receives logs."""

    bucket_name: pulumi.Output[str]
    """The log bucket's name (BucketLogging target)."""
    bucket_arn: pulumi.Output[str]
    """The log bucket's ARN."""
    bucket_domain_name: pulumi.Output[str]
    """`<bucket>.s3.amazonaws.com`, what CloudFront's logging_config wants."""
    kms_key_arn: pulumi.Output[str] | None
    """`cloudfront` purpose: the bucket's customer key; None for `s3-access` and `alb`
    (SSE-S3)."""

    def __init__(self, name: str, args: LogBucketArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:object_store:LogBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        bucket_name = child_name(name, "bucket")
        bucket = aws.s3.Bucket(
            bucket_name,
            force_destroy=not args.protect,
            tags=resource_tags(bucket_name, data_class="telemetry", extra={
                "log-purpose": args.purpose, **args.tags,
                **(ALB_KMS_WAIVER if args.purpose == "alb" else {})}),
            opts=stateful_options(args.protect, self))
        cloudfront = args.purpose == "cloudfront"
        pab, ownership = _private_bucket_controls(
            self, name, bucket, region=None,
            ownership="BucketOwnerPreferred" if cloudfront else "BucketOwnerEnforced")
        if cloudfront:
            # CloudFront's log delivery may use a customer key its key policy admits; kept
            # like the logs it encrypts (retained logs need their key).
            key = customer_key(name, "key", description=f"{name} CloudFront standard logs",
                               parent=self, services=[LOG_DELIVERY_SERVICE],
                               opts=stateful_options(args.protect, self))
            self.kms_key_arn = key.arn
            default = aws.s3.\
                BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key.arn)
        else:
            # S3 server access and ALB logs cannot be delivered to SSE-KMS buckets: SSE-S3.
            self.kms_key_arn = None
            default = aws.s3.\
                BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256")
        aws.s3.BucketServerSideEncryptionConfiguration(
            child_name(name, "encryption"), bucket=bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default,
                bucket_key_enabled=True if cloudfront else None)],
            opts=child)
        aws.s3.BucketVersioning(
            child_name(name, "versioning"), bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"), opts=child)
        aws.s3.BucketLifecycleConfiguration(
            child_name(name, "lifecycle"), bucket=bucket.id,
            rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-logs", status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=args.retention_days),
                noncurrent_version_expiration=aws.s3.
                BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=7),
                abort_incomplete_multipart_upload=aws.s3.
                BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=1))],
            opts=child)
        ctx = AwsContext.of(self)
        purpose = args.purpose

        def delivery(bucket_arn: str, account_id: str, region: str,
                     partition: str) -> list[dict[str, Any]]:
            if purpose == "alb":
                return [alb_log_delivery_statement(bucket_arn, account_id, region, partition)]
            if purpose == "s3-access":
                return [{
                    "Sid": "S3ServerAccessLogsDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket_arn}/*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }]
            return []

        statements = pulumi.Output.all(bucket.arn, ctx.account_id, ctx.region,
                                       ctx.partition).apply(
            lambda a: policy_document([tls_only_statement(a[0]), *delivery(*a)]))
        aws.s3.BucketPolicy(child_name(name, "policy"), bucket=bucket.id, policy=statements,
                            opts=pulumi.ResourceOptions(parent=self, depends_on=[pab]))
        if cloudfront:
            owner = aws.s3.get_canonical_user_id_output(
                opts=pulumi.InvokeOutputOptions(parent=self))
            aws.s3.BucketAcl(
                child_name(name, "acl"), bucket=bucket.id,
                access_control_policy=aws.s3.BucketAclAccessControlPolicyArgs(
                    owner=aws.s3.BucketAclAccessControlPolicyOwnerArgs(id=owner.id),
                    grants=[
                        aws.s3.BucketAclAccessControlPolicyGrantArgs(
                            permission="FULL_CONTROL",
                            grantee=aws.s3.BucketAclAccessControlPolicyGrantGranteeArgs(
                                type="CanonicalUser", id=owner.id)),
                        aws.s3.BucketAclAccessControlPolicyGrantArgs(
                            permission="FULL_CONTROL",
                            grantee=aws.s3.BucketAclAccessControlPolicyGrantGranteeArgs(
                                type="CanonicalUser", id=AWSLOGSDELIVERY_CANONICAL_ID)),
                    ]),
                # ACLs are refused (AccessControlListNotSupported) until ownership allows them.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[pab, ownership]))
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.bucket_domain_name = bucket.bucket_domain_name
        self.register_outputs({"bucketName": self.bucket_name, "bucketArn": self.bucket_arn,
                               "bucketDomainName": self.bucket_domain_name,
                               "kmsKeyArn": self.kms_key_arn})


class ObjectStore(pulumi.ComponentResource):
    """A private bucket on S3 or R2 with encryption, lifecycle, CORS and (S3) replication."""

    kind: str
    """`s3` or `r2`."""
    data_class: str
    """The data class the bucket holds."""
    bucket_name: pulumi.Output[str]
    """The bucket's physical name (R2: ends with `-dc-<data-class>`)."""
    bucket_arn: pulumi.Output[str] | None
    """S3: the bucket ARN; None on R2."""
    bucket_regional_domain_name: pulumi.Output[str] | None
    """S3: `<bucket>.s3.<region>.amazonaws.com`, the CloudFront OAC origin; None on R2."""
    kms_key_arn: pulumi.Output[str] | None
    """S3: the bucket's customer KMS key; None on R2 (Cloudflare-managed encryption)."""
    jurisdiction: str | None
    """R2: the bucket's R2 jurisdiction; None on S3 (region-bound)."""
    replica_bucket_arn: pulumi.Output[str] | None
    """S3 with replication: the destination bucket's ARN; else None."""
    replica_kms_key_arn: pulumi.Output[str] | None
    """S3 with replication: the destination bucket's key (in the destination region)."""
    custom_domain: str | None
    """R2 with a custom domain: the hostname; else None."""
    monitored: list
    """Nothing to alarm on yet (S3 request metrics are opt-in)."""

    def __init__(self, name: str, args: ObjectStoreArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:object_store:ObjectStore", name, None, opts)
        self._name = name
        self.args = args
        self.kind = args.kind
        self.data_class = args.data_class
        self.monitored = []
        self.bucket_arn = None
        self.bucket_regional_domain_name = None
        self.kms_key_arn = None
        self.jurisdiction = None
        self.replica_bucket_arn = None
        self.replica_kms_key_arn = None
        self.custom_domain = None
        self._policy: aws.s3.BucketPolicy | None = None
        if args.kind == "s3":
            self._build_s3()
        else:
            from components.object_store_r2 import build_r2

            r2 = build_r2(self, name, args)
            self.bucket_name, self.jurisdiction = r2.bucket_name, r2.jurisdiction
            self.custom_domain = r2.custom_domain
        self.register_outputs({
            "bucketName": self.bucket_name,
            "bucketArn": self.bucket_arn,
            "bucketRegionalDomainName": self.bucket_regional_domain_name,
            "kmsKeyArn": self.kms_key_arn,
            "jurisdiction": self.jurisdiction,
            "replicaBucketArn": self.replica_bucket_arn,
        })

    # ---- bucket policy ------------------------------------------------------------------

    @property
    def policy_pending(self) -> bool:
        """True while an S3 store's ONE bucket policy is still to be created."""
        return self.kind == "s3" and self._policy is None

    def create_policy(self, extra_statements: Sequence[pulumi.Input[dict[str, Any]]] = (),
                      ) -> aws.s3.BucketPolicy:
        """Create the bucket's ONE policy: TLS-only deny, `policy_statements`, then these."""
        if self.kind != "s3":
            raise ValueError(f"{self._name}: R2 buckets have no bucket policy")
        if self._policy is not None:
            raise ValueError(f"{self._name}: the bucket policy exists already; a bucket has ONE "
                             "policy, so pass every statement to that one call")
        statements = [*self.args.policy_statements, *extra_statements]
        document = pulumi.Output.all(self._bucket.arn, *statements).apply(
            lambda a: policy_document([tls_only_statement(a[0]), *a[1:]]))
        self._policy = aws.s3.BucketPolicy(
            child_name(self._name, "policy"), bucket=self._bucket.id, policy=document,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self._pab]))
        return self._policy

    def allow_cloudfront(self, distribution_arns: Sequence[pulumi.Input[str]],
                         ) -> aws.s3.BucketPolicy:
        """Create the policy with the OAC read grant for exactly these distributions."""
        if not self.args.cloudfront_origin:
            raise ValueError(f"{self._name}: not built as a CloudFront origin; set "
                             "ObjectStoreArgs.cloudfront_origin=True so its key admits "
                             "CloudFront and its policy waits for the distribution")
        if not distribution_arns:
            raise ValueError(f"{self._name}: allow_cloudfront needs at least one distribution")
        statement = pulumi.Output.all(self._bucket.arn, *distribution_arns).apply(
            lambda a: cloudfront_read_statement(a[0], a[1:]))
        return self.create_policy([statement])

    # ---- S3 -----------------------------------------------------------------------------

    def _build_s3(self) -> None:
        args, name = self.args, self._name
        child = pulumi.ResourceOptions(parent=self)
        services = [*(["cloudfront.amazonaws.com"] if args.cloudfront_origin else []),
                    *args.key_services]
        # The key lives as long as the data: a retained bucket must stay readable.
        key = customer_key(name, "key", description=f"{name} bucket ({args.data_class})",
                           parent=self, services=services,
                           opts=stateful_options(args.protect, self))
        bucket_name = child_name(name, "bucket")
        bucket = aws.s3.Bucket(
            bucket_name,
            bucket=args.bucket_name,
            object_lock_enabled=True if args.object_lock_days is not None else None,
            force_destroy=not args.protect,
            region=args.region,
            tags=resource_tags(bucket_name, data_class=args.data_class, extra=args.tags),
            opts=stateful_options(args.protect, self))
        self._bucket = bucket
        self._pab, _ = _private_bucket_controls(self, name, bucket,
                                                ownership="BucketOwnerEnforced",
                                                region=args.region)
        self._encryption(name, bucket, key, args.region)
        versioning = aws.s3.BucketVersioning(
            child_name(name, "versioning"), bucket=bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"), region=args.region, opts=child)
        self._lifecycle(name, bucket, args.region, archive=True)

        log_target = args.access_log_bucket
        if log_target is None:
            log_target = LogBucket(child_name(name, "access-logs"), LogBucketArgs(
                purpose="s3-access", retention_days=args.access_log_retention_days,
                protect=args.protect), opts=child).bucket_name
        aws.s3.BucketLogging(
            child_name(name, "logging"), bucket=bucket.id, target_bucket=log_target,
            target_prefix=pulumi.Output.concat(bucket.bucket, "/"),
            target_object_key_format=aws.s3.BucketLoggingTargetObjectKeyFormatArgs(
                partitioned_prefix=aws.s3.BucketLoggingTargetObjectKeyFormatPartitionedPrefixArgs(
                    partition_date_source="EventTime")),
            region=args.region, opts=child)

        if args.object_lock_days is not None:
            aws.s3.BucketObjectLockConfiguration(
                child_name(name, "object-lock"), bucket=bucket.id,
                rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                    default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                        mode=args.object_lock_mode, days=args.object_lock_days)),
                region=args.region, opts=pulumi.ResourceOptions(parent=self,
                                                                depends_on=[versioning]))
        if args.cors_allowed_origins:
            aws.s3.BucketCorsConfiguration(
                child_name(name, "cors"), bucket=bucket.id,
                cors_rules=[aws.s3.BucketCorsConfigurationCorsRuleArgs(
                    id="presigned-browser-access",
                    allowed_origins=list(args.cors_allowed_origins),
                    allowed_methods=list(args.cors_allowed_methods),
                    allowed_headers=["*"],
                    expose_headers=["ETag"],
                    max_age_seconds=3000)],
                region=args.region, opts=child)
        if args.replication_region is not None:
            self._replication(bucket, key, versioning, args.replication_region)

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.bucket_regional_domain_name = bucket.bucket_regional_domain_name
        self.kms_key_arn = key.arn
        if not args.cloudfront_origin:
            self.create_policy()

    def _encryption(self, name: str, bucket: aws.s3.Bucket, key: aws.kms.Key,
                    region: str | None) -> None:
        aws.s3.BucketServerSideEncryptionConfiguration(
            child_name(name, "encryption"), bucket=bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.
                BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key.arn),
                bucket_key_enabled=True)],
            region=region, opts=pulumi.ResourceOptions(parent=self))

    def _lifecycle_rules(self, archive: bool) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
        args = self.args
        everything = aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="")
        transitions = []
        if args.tiering != "none":
            transitions.append(aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=args.tiering_after_days,
                storage_class="STANDARD_IA" if args.tiering == "standard-ia"
                else "INTELLIGENT_TIERING"))
        if archive and args.archive_after_days is not None:
            transitions.append(aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=args.archive_after_days, storage_class="DEEP_ARCHIVE"))
        rules = [
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="abort-incomplete-multipart-uploads", status="Enabled", filter=everything,
                abort_incomplete_multipart_upload=aws.s3.
                BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=args.abort_multipart_after_days)),
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-noncurrent-versions", status="Enabled", filter=everything,
                noncurrent_version_expiration=aws.s3.
                BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=args.noncurrent_version_expiration_days)),
        ]
        if transitions:
            rules.append(aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="tier-current-versions", status="Enabled", filter=everything,
                transitions=transitions))
        if args.expire_after_days is not None:
            rules.append(aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-current-versions", status="Enabled", filter=everything,
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=args.expire_after_days)))
        return rules

    def _lifecycle(self, name: str, bucket: aws.s3.Bucket, region: str | None,
                   archive: bool) -> None:
        aws.s3.BucketLifecycleConfiguration(
            child_name(name, "lifecycle"), bucket=bucket.id,
            rules=self._lifecycle_rules(archive), region=region,
            opts=pulumi.ResourceOptions(parent=self))

    def _replication(self, source: aws.s3.Bucket, source_key: aws.kms.Key,
                     source_versioning: aws.s3.BucketVersioning, region: str) -> None:
        """A replica bucket in `region` (same bar as the source, own key) and the replication."""
        args, name = self.args, child_name(self._name, "replica")
        child = pulumi.ResourceOptions(parent=self)
        key = customer_key(self._name, "replica-key", region=region, parent=self,
                           description=f"{self._name} replica bucket in {region}",
                           opts=stateful_options(args.protect, self))
        bucket_name = child_name(name, "bucket")
        replica = aws.s3.Bucket(
            bucket_name, region=region, force_destroy=not args.protect,
            tags=resource_tags(bucket_name, data_class=args.data_class,
                               extra={**args.tags, "replica-of": self._name}),
            opts=stateful_options(args.protect, self))
        pab, _ = _private_bucket_controls(self, name, replica, ownership="BucketOwnerEnforced",
                                          region=region)
        self._encryption(name, replica, key, region)
        replica_versioning = aws.s3.BucketVersioning(
            child_name(name, "versioning"), bucket=replica.id, region=region,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"), opts=child)
        # No Deep Archive on the replica: the DR copy must be readable at once.
        self._lifecycle(name, replica, region, archive=False)
        aws.s3.BucketPolicy(
            child_name(name, "policy"), bucket=replica.id, region=region,
            policy=replica.arn.apply(lambda arn: policy_document([tls_only_statement(arn)])),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[pab]))

        role = service_role(
            self._name, "replication-role", services="s3.amazonaws.com", parent=self,
            aws_context=AwsContext.of(self),
            inline_policies={"replication-policy": pulumi.Output.all(
                source.arn, replica.arn, source_key.arn, key.arn).apply(
                lambda a: policy_document([
                    {"Effect": "Allow",
                     "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                     "Resource": a[0]},
                    {"Effect": "Allow",
                     "Action": ["s3:GetObjectVersionForReplication",
                                "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                     "Resource": f"{a[0]}/*"},
                    {"Effect": "Allow",
                     "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                     "Resource": f"{a[1]}/*"},
                    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": a[2]},
                    {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                     "Resource": a[3]},
                ]))})
        aws.s3.BucketReplicationConfig(
            child_name(self._name, "replication"), bucket=source.id, role=role.arn,
            region=args.region,
            rules=[aws.s3.BucketReplicationConfigRuleArgs(
                id="replicate-everything", status="Enabled",
                filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                    status="Enabled"),
                source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                    sse_kms_encrypted_objects=aws.s3.
                    BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                        status="Enabled")),
                destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                    bucket=replica.arn, storage_class=args.replication_storage_class,
                    encryption_configuration=aws.s3.
                    BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                        replica_kms_key_id=key.arn)))],
            opts=pulumi.ResourceOptions(parent=self,
                                        depends_on=[source_versioning, replica_versioning]))
        self.replica_bucket_arn = replica.arn
        self.replica_kms_key_arn = key.arn
