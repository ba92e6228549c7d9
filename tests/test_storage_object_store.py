"""ObjectStore and LogBucket: both kinds, the bucket bar, replication and residency refusals."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_cloudflare as cloudflare
import pytest

from components.object_store import (
    AWSLOGSDELIVERY_CANONICAL_ID,
    R2_DATA_CLASS_PATTERN,
    LogBucket,
    LogBucketArgs,
    ObjectStore,
    ObjectStoreArgs,
)
from tests.plans import PlanView, in_region, run_offline

BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
KMS_KEY = "aws:kms/key:Key"
US = ["us-east-1", "us-west-2"]


def attached(plan: PlanView, bucket: dict[str, Any], type_token: str) -> list[dict[str, Any]]:
    """Resources of `type_token` that configure `bucket` (they depend on its URN)."""
    return [r for r in plan.of_type(type_token) if bucket["urn"] in r["dependencies"]]


def statements(policy_resource: dict[str, Any]) -> list[dict[str, Any]]:
    return json.loads(policy_resource["props"]["policy"])["Statement"]


def assert_bucket_bar(plan: PlanView) -> int:
    """Every S3 bucket: public access fully blocked, encrypted (SSE-KMS with a bucket key, or
    SSE-S3 only on telemetry log buckets), versioned, ONE TLS-only policy, a lifecycle."""
    buckets = plan.of_type(BUCKET)
    for bucket in buckets:
        name = bucket["name"]
        [pab] = attached(plan, bucket, PAB)
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                 "restrictPublicBuckets")
        assert all(pab["props"][k] is True for k in flags), name
        [sse] = attached(plan, bucket, SSE)
        rule = sse["props"]["rules"][0]
        algorithm = rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
        tags = bucket["props"]["tags"]
        if algorithm == "AES256":
            # Only S3 server-access-log and ALB log targets (AWS cannot deliver either under
            # SSE-KMS); the ALB one carries the visible KMS waiver with its reason.
            assert tags.get("data-class") == "telemetry", name
            assert tags.get("log-purpose") in ("s3-access", "alb"), name
            if tags["log-purpose"] == "alb":
                assert tags.get("policy-waiver:s3-encryption-kms"), name
        else:
            assert algorithm == "aws:kms", name
            assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith(
                "arn:aws:kms:"), name
            assert rule["bucketKeyEnabled"] is True, name
        [versioning] = attached(plan, bucket, VERSIONING)
        assert versioning["props"]["versioningConfiguration"]["status"] == "Enabled", name
        [policy] = attached(plan, bucket, POLICY)
        deny = [s for s in statements(policy) if s["Effect"] == "Deny"]
        assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}, name
        [lifecycle] = attached(plan, bucket, LIFECYCLE)
        assert lifecycle["props"]["rules"], name
        assert "data-class" in bucket["props"]["tags"], name
    return len(buckets)


def s3_plan(**overrides: Any) -> PlanView:
    args = {"data_class": "user-content", "region": "us-east-1", "allowed_regions": US,
            **overrides}

    def build(opts: pulumi.ResourceOptions) -> None:
        ObjectStore("content", ObjectStoreArgs(**args), opts=opts)

    return run_offline(in_region("us-east-1", build))


# ---- S3 ---------------------------------------------------------------------------------


def test_s3_store_and_its_log_bucket_meet_the_bucket_bar() -> None:
    plan = s3_plan()
    assert assert_bucket_bar(plan) == 2
    bucket = plan.named("content-bucket")
    assert bucket["props"]["tags"]["data-class"] == "user-content"
    assert bucket["protect"] and bucket["retainOnDelete"]
    [ownership] = attached(plan, bucket, OWNERSHIP)
    assert ownership["props"]["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    [sse] = attached(plan, bucket, SSE)
    key = plan.named("content-key")
    assert key["props"]["enableKeyRotation"] is True
    assert sse["props"]["rules"][0]["applyServerSideEncryptionByDefault"][
        "kmsMasterKeyId"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    # Access logs go to the store's own log bucket, which is SSE-S3 and tagged telemetry.
    log_bucket = plan.named("content-access-logs-bucket")
    assert log_bucket["props"]["tags"]["data-class"] == "telemetry"
    [logging] = attached(plan, bucket, LOGGING)
    assert logging["props"]["targetBucket"].startswith("content-access-logs-bucket")
    [log_policy] = attached(plan, log_bucket, POLICY)
    delivery = [s for s in statements(log_policy) if s["Effect"] == "Allow"]
    assert delivery[0]["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery[0]["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"


def test_s3_lifecycle_follows_the_args() -> None:
    rules = {r["id"]: r for r in s3_plan().named("content-lifecycle")["props"]["rules"]}
    assert rules["tier-current-versions"]["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"}]
    assert rules["abort-incomplete-multipart-uploads"]["abortIncompleteMultipartUpload"] == {
        "daysAfterInitiation": 7}
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {
        "noncurrentDays": 90}

    rules = {r["id"]: r for r in s3_plan(
        tiering="intelligent-tiering", tiering_after_days=1 + 29, archive_after_days=180,
    ).named("content-lifecycle")["props"]["rules"]}
    assert [t["storageClass"] for t in rules["tier-current-versions"]["transitions"]] == [
        "INTELLIGENT_TIERING", "DEEP_ARCHIVE"]


def test_object_lock_and_cors() -> None:
    plan = s3_plan(object_lock_days=30, cors_allowed_origins=["https://app.example.com"])
    assert plan.named("content-bucket")["props"]["objectLockEnabled"] is True
    lock = plan.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock["props"]["rule"]["defaultRetention"] == {"mode": "GOVERNANCE", "days": 30}
    cors = plan.one("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")
    rule = cors["props"]["corsRules"][0]
    assert rule["allowedOrigins"] == ["https://app.example.com"]
    assert "PUT" in rule["allowedMethods"]
    no_extras = s3_plan()
    assert not no_extras.of_type("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration")
    assert "objectLockEnabled" not in no_extras.named("content-bucket")["props"]


@pytest.mark.parametrize("origin", ["*", "https://*", "http://app.example.com"])
def test_cors_refuses_open_or_plaintext_origins(origin: str) -> None:
    with pytest.raises(ValueError, match=r"^cors_allowed_origins: "):
        ObjectStoreArgs(data_class="user-content", cors_allowed_origins=[origin])


def test_extra_policy_statements_merge_into_the_one_policy() -> None:
    extra = {"Sid": "AuditRead", "Effect": "Allow",
             "Principal": {"AWS": "arn:aws:iam::123456789012:role/audit"},
             "Action": "s3:ListBucket", "Resource": "*"}
    plan = s3_plan(policy_statements=[extra])
    [policy] = attached(plan, plan.named("content-bucket"), POLICY)
    assert [s["Sid"] for s in statements(policy)] == ["DenyInsecureTransport", "AuditRead"]


def test_cloudfront_origin_policy_waits_for_the_distribution() -> None:
    arn = "arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE"
    stores: dict[str, ObjectStore] = {}

    def build(opts: pulumi.ResourceOptions) -> None:
        store = ObjectStore("content", ObjectStoreArgs(data_class="user-content",
                                                       cloudfront_origin=True), opts=opts)
        stores["content"] = store
        assert store.policy_pending
        store.allow_cloudfront([arn])
        assert not store.policy_pending
        with pytest.raises(ValueError, match="ONE policy"):
            store.create_policy()

    plan = run_offline(in_region("us-east-1", build))
    bucket = plan.named("content-bucket")
    [policy] = attached(plan, bucket, POLICY)
    oac = [s for s in statements(policy) if s["Sid"] == "CloudFrontOriginAccessControlRead"][0]
    assert oac["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert oac["Action"] == "s3:GetObject"
    assert oac["Condition"] == {"StringEquals": {"AWS:SourceArn": arn}}
    key_policy = json.loads(plan.named("content-key")["props"]["policy"])
    services = [s for s in key_policy["Statement"] if s["Sid"].startswith("ServiceUse")]
    assert services[0]["Principal"]["Service"] == ["cloudfront.amazonaws.com"]
    # Only this account's distributions (CloudFront's documented SSE-KMS condition).
    assert services[0]["Condition"] == {"ArnLike": {
        "aws:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*"}}


def test_allow_cloudfront_needs_a_cloudfront_origin_store() -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        store = ObjectStore("content", ObjectStoreArgs(data_class="user-content"), opts=opts)
        with pytest.raises(ValueError, match="cloudfront_origin=True"):
            store.allow_cloudfront(["arn:aws:cloudfront::123456789012:distribution/E1"])

    run_offline(in_region("us-east-1", build))


# ---- replication ------------------------------------------------------------------------


def test_replication_to_another_region_of_the_jurisdiction() -> None:
    plan = s3_plan(replication_region="us-west-2")
    replica = plan.named("content-replica-bucket")
    assert replica["region"] == "us-west-2"
    assert replica["props"]["tags"]["data-class"] == "user-content"
    replica_key = plan.named("content-replica-key")
    assert replica_key["region"] == "us-west-2"
    assert plan.named("content-key")["region"] == "us-east-1"
    for resource in attached(plan, replica, PAB) + attached(plan, replica, SSE) + \
            attached(plan, replica, POLICY) + attached(plan, replica, VERSIONING):
        assert resource["region"] == "us-west-2", resource["name"]
    [sse] = attached(plan, replica, SSE)
    assert ":us-west-2:" in sse["props"]["rules"][0]["applyServerSideEncryptionByDefault"][
        "kmsMasterKeyId"]
    config = plan.one(REPLICATION)
    rule = config["props"]["rules"][0]
    assert rule["destination"]["bucket"].startswith("arn:aws:s3:::content-replica-bucket")
    assert ":us-west-2:" in rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]
    assert rule["sourceSelectionCriteria"]["sseKmsEncryptedObjects"]["status"] == "Enabled"
    role = plan.named("content-replication-role")
    trust = json.loads(role["props"]["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    assert ":role/content-replication-role" in config["props"]["role"]
    assert_bucket_bar(plan)
    # Deep archive is never applied to the DR copy.
    archived = s3_plan(replication_region="us-west-2", archive_after_days=365)
    replica_rules = archived.named("content-replica-lifecycle")["props"]["rules"]
    assert "DEEP_ARCHIVE" not in json.dumps(replica_rules)
    assert "DEEP_ARCHIVE" in json.dumps(archived.named("content-lifecycle")["props"]["rules"])


@pytest.mark.parametrize("protect", [True, False])
def test_keys_live_as_long_as_the_data(protect: bool) -> None:
    """A retained bucket must stay readable: its key (and the replica's) is kept with it."""
    plan = s3_plan(protect=protect, replication_region="us-west-2")
    for name in ("content-bucket", "content-key", "content-replica-bucket",
                 "content-replica-key"):
        resource = plan.named(name)
        assert (resource["protect"], resource["retainOnDelete"]) == (protect, protect), name


def test_key_services_are_admitted_by_the_bucket_key() -> None:
    plan = s3_plan(key_services=["cloudtrail.amazonaws.com"])
    policy = json.loads(plan.named("content-key")["props"]["policy"])
    services = [s["Principal"]["Service"] for s in policy["Statement"]
                if "Service" in s.get("Principal", {})]
    assert services == [["cloudtrail.amazonaws.com"]]


def test_replication_outside_the_jurisdiction_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^replication_region: 'eu-west-1' is outside the "
                                         r"jurisdiction \(allowed: us-east-1, us-west-2\)"):
        ObjectStoreArgs(data_class="user-content", region="us-east-1", allowed_regions=US,
                        replication_region="eu-west-1")


def test_replication_into_its_own_region_or_unchecked_is_refused() -> None:
    with pytest.raises(ValueError, match="bucket's own region"):
        ObjectStoreArgs(data_class="user-content", region="us-east-1", allowed_regions=US,
                        replication_region="us-east-1")
    with pytest.raises(ValueError, match=r"^allowed_regions: empty"):
        ObjectStoreArgs(data_class="user-content", replication_region="us-west-2")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"object_lock_mode": "STRICT"},
     "object_lock_mode: 'STRICT' is unknown; use one of GOVERNANCE, COMPLIANCE"),
    ({"replication_storage_class": "GLACIER_FLEXIBLE"},
     "replication_storage_class: 'GLACIER_FLEXIBLE' is unknown; use one of STANDARD, "
     "STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE"),
])
def test_literal_fields_are_checked_at_runtime(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        ObjectStoreArgs(**{"data_class": "user-content", **overrides})


def test_replication_of_a_locked_bucket_is_refused() -> None:
    message = ("replication_region: not supported together with object_lock_days; drop one "
               "of them (keep the lock, or replicate an unlocked bucket)")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        ObjectStoreArgs(data_class="user-content", region="us-east-1", allowed_regions=US,
                        replication_region="us-west-2", object_lock_days=30)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"tiering_after_days": 10}, r"^tiering_after_days: 10 is below the 30 days"),
    ({"archive_after_days": 20}, r"^archive_after_days: 20 is not after"),
    ({"expire_after_days": 10}, r"^expire_after_days: 10 is not after"),
    ({"data_class": "secret"}, r"^data_class: 'secret' is unknown"),
    ({"r2_jurisdiction": "eu"}, r"^r2_jurisdiction: only applies to kind 'r2'"),
    ({"bucket_name": "Bad_Name"}, r"^bucket_name: 'Bad_Name' is not a valid bucket name"),
])
def test_s3_args_validation(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ObjectStoreArgs(**{"data_class": "user-content", **overrides})


# ---- log buckets ------------------------------------------------------------------------


def test_cloudfront_log_bucket_has_acls_for_log_delivery() -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        LogBucket("cdn-logs", LogBucketArgs(purpose="cloudfront", retention_days=90),
                  opts=opts)

    plan = run_offline(in_region("us-east-1", build))
    assert assert_bucket_bar(plan) == 1
    bucket = plan.named("cdn-logs-bucket")
    [ownership] = attached(plan, bucket, OWNERSHIP)
    assert ownership["props"]["rule"]["objectOwnership"] == "BucketOwnerPreferred"
    acl = plan.one("aws:s3/bucketAcl:BucketAcl")
    grantees = [g["grantee"]["id"] for g in acl["props"]["accessControlPolicy"]["grants"]]
    assert AWSLOGSDELIVERY_CANONICAL_ID in grantees
    [lifecycle] = attached(plan, bucket, LIFECYCLE)
    assert lifecycle["props"]["rules"][0]["expiration"] == {"days": 90}
    # SSE-KMS with a key that CloudFront's log delivery may use.
    [sse] = attached(plan, bucket, SSE)
    assert sse["props"]["rules"][0]["applyServerSideEncryptionByDefault"][
        "sseAlgorithm"] == "aws:kms"
    key_policy = json.loads(plan.named("cdn-logs-key")["props"]["policy"])
    [use] = [s for s in key_policy["Statement"] if s["Sid"].startswith("ServiceUse")]
    assert use["Principal"]["Service"] == ["delivery.logs.amazonaws.com"]
    # No S3 server-access-log delivery grant on a CloudFront log bucket.
    [policy] = attached(plan, bucket, POLICY)
    assert [s["Effect"] for s in statements(policy)] == ["Deny"]


@pytest.mark.parametrize("protect", [True, False])
def test_cloudfront_log_bucket_key_is_kept_with_the_logs(protect: bool) -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        LogBucket("cdn-logs", LogBucketArgs(purpose="cloudfront", protect=protect), opts=opts)

    plan = run_offline(in_region("us-east-1", build))
    for name in ("cdn-logs-bucket", "cdn-logs-key"):
        resource = plan.named(name)
        assert (resource["protect"], resource["retainOnDelete"]) == (protect, protect), name


@pytest.mark.parametrize(("region", "elb_account"), [
    ("us-east-1", "arn:aws:iam::127311923021:root"),  # a region with a regional ELB account
    ("eu-central-2", None),                           # newer region: service principal only
])
def test_alb_log_bucket_admits_only_elb_log_delivery(region: str, elb_account: str | None
                                                     ) -> None:
    def build(opts: pulumi.ResourceOptions) -> None:
        LogBucket("api-alb-logs", LogBucketArgs(purpose="alb", retention_days=30,
                                                tags={"team": "web"}), opts=opts)

    plan = run_offline(in_region(region, build))
    assert assert_bucket_bar(plan) == 1
    bucket = plan.named("api-alb-logs-bucket")
    assert bucket["props"]["tags"]["team"] == "web"
    assert "SSE-S3" in bucket["props"]["tags"]["policy-waiver:s3-encryption-kms"]
    [sse] = attached(plan, bucket, SSE)
    assert sse["props"]["rules"][0]["applyServerSideEncryptionByDefault"][
        "sseAlgorithm"] == "AES256"
    [lifecycle] = attached(plan, bucket, LIFECYCLE)
    assert lifecycle["props"]["rules"][0]["expiration"] == {"days": 30}
    [policy] = attached(plan, bucket, POLICY)
    [deny, delivery] = statements(policy)
    assert deny["Sid"] == "DenyInsecureTransport"
    assert delivery["Sid"] == "AlbLogDelivery" and delivery["Action"] == "s3:PutObject"
    assert delivery["Principal"].get("AWS") == elb_account
    assert delivery["Principal"]["Service"] == "logdelivery.elasticloadbalancing.amazonaws.com"
    assert delivery["Resource"].endswith("/*/AWSLogs/123456789012/*")
    assert not plan.of_type("aws:s3/bucketAcl:BucketAcl")


def test_log_bucket_refuses_an_unknown_purpose() -> None:
    with pytest.raises(ValueError, match=r"^purpose: 'nlb' is unknown; use s3-access, "
                                         r"cloudfront, alb"):
        LogBucketArgs(purpose="nlb")  # type: ignore[arg-type]


# ---- R2 ---------------------------------------------------------------------------------


def r2_plan(**overrides: Any) -> PlanView:
    args = {"kind": "r2", "data_class": "user-content", "r2_account_id": "0123abcd",
            "r2_jurisdiction": "eu", "r2_location_hint": "weur", **overrides}

    def program() -> None:
        provider = cloudflare.Provider("cloudflare")
        ObjectStore("content", ObjectStoreArgs(**args),
                    opts=pulumi.ResourceOptions(providers=[provider]))

    return run_offline(program)


def test_r2_store_keeps_its_jurisdiction_and_names_its_data_class() -> None:
    plan = r2_plan(cors_allowed_origins=["https://app.example.com"],
                   r2_custom_domain="content.example.com", r2_zone_id="zone123",
                   bucket_name="prod-content")
    bucket = plan.one("cloudflare:index/r2Bucket:R2Bucket")
    assert bucket["props"]["jurisdiction"] == "eu"
    assert bucket["props"]["location"] == "weur"
    assert bucket["props"]["name"] == "prod-content-dc-user-content"
    match = R2_DATA_CLASS_PATTERN.search(bucket["props"]["name"])
    assert match and match["data_class"] == "user-content"
    assert bucket["protect"]
    lifecycle = plan.one("cloudflare:index/r2BucketLifecycle:R2BucketLifecycle")
    assert lifecycle["props"]["jurisdiction"] == "eu"
    rules = {r["id"]: r for r in lifecycle["props"]["rules"]}
    assert rules["abort-incomplete-multipart-uploads"]["abortMultipartUploadsTransition"][
        "condition"] == {"type": "Age", "maxAge": 7 * 86_400}
    assert rules["tier-to-infrequent-access"]["storageClassTransitions"][0][
        "storageClass"] == "InfrequentAccess"
    cors = plan.one("cloudflare:index/r2BucketCors:R2BucketCors")
    assert cors["props"]["rules"][0]["allowed"]["origins"] == ["https://app.example.com"]
    domain = plan.one("cloudflare:index/r2CustomDomain:R2CustomDomain")
    assert domain["props"]["domain"] == "content.example.com"
    assert domain["props"]["minTls"] == "1.2"
    assert not plan.of_type(BUCKET)


def test_r2_refuses_restricted_data_where_it_cannot_keep_residency() -> None:
    with pytest.raises(ValueError, match=r"^r2_jurisdiction: none for this stack's jurisdiction, "
                                         r"so R2 cannot keep 'user-content' data in it"):
        ObjectStoreArgs(kind="r2", data_class="user-content", r2_account_id="a",
                        r2_jurisdiction=None)
    with pytest.raises(ValueError, match="'user-pii'"):
        ObjectStoreArgs(kind="r2", data_class="user-pii", r2_account_id="a")
    # Public content has no residency requirement: R2's default jurisdiction.
    plan = r2_plan(data_class="public-content", r2_jurisdiction=None, r2_location_hint=None)
    assert plan.one("cloudflare:index/r2Bucket:R2Bucket")["props"]["jurisdiction"] == "default"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"replication_region": "eu-west-1"}, r"^replication_region: R2 has no equivalent"),
    ({"object_lock_days": 7}, r"^object_lock_days: R2 has no equivalent"),
    ({"cloudfront_origin": True}, r"^cloudfront_origin: R2 has no equivalent"),
    ({"tiering": "intelligent-tiering"}, r"^tiering: R2 has no intelligent tiering"),
    ({"r2_account_id": None}, r"^r2_account_id: missing"),
    ({"r2_location_hint": "mars"}, r"^r2_location_hint: 'mars' is unknown"),
    ({"r2_custom_domain": "c.example.com"}, r"^r2_custom_domain: needs r2_zone_id"),
])
def test_r2_args_validation(overrides: dict[str, Any], message: str) -> None:
    args = {"kind": "r2", "data_class": "user-content", "r2_account_id": "a",
            "r2_jurisdiction": "eu", **overrides}
    with pytest.raises(ValueError, match=message):
        ObjectStoreArgs(**args)


def test_cloudfront_log_bucket_acl_waits_for_its_ownership_controls() -> None:
    """An ACL before BucketOwnerPreferred fails with AccessControlListNotSupported."""
    view = run_offline(in_region("us-east-1", lambda opts: LogBucket(
        "cdn-logs", LogBucketArgs(purpose="cloudfront"), opts=opts)))
    ownership = view.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    acl = view.one("aws:s3/bucketAcl:BucketAcl")
    assert ownership["urn"] in acl["dependencies"]
