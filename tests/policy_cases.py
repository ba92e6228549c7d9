"""Helpers for the policy tests: run a small program offline, evaluate the pack on its plan,
and building blocks for compliant resources (a compliant bucket, database, ...)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from platformctl.policy_config import config_for
from platformctl.policy_runner import DEFAULT_PACK_DIR, evaluate, load_pack
from tests.plans import run_offline

PACK = load_pack(DEFAULT_PACK_DIR)
REGION = "us-east-1"
SETTINGS = {"allowedRegions": ["us-east-1", "us-west-2"], "r2Jurisdiction": "eu",
            "environment": "prod", "minBackupDays": 7, "requiredTags": ["environment"]}
CONFIG = config_for(PACK, SETTINGS)
STACK_CONFIG = {"aws:region": REGION}
DEFAULT_TAGS = {"environment": "prod"}


def verdicts(program: Callable[[], Any], config: dict[str, Any] | None = None,
             stack_config: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """All violations the pack reports on `program` (config: the test config by default)."""
    stack_config = STACK_CONFIG if stack_config is None else stack_config
    view = run_offline(program, config=stack_config)
    return evaluate(view.plan, PACK, CONFIG if config is None else config, stack_config)


def enforced(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v["enforcement"] != "waived"]


def ids(violations: list[dict[str, Any]]) -> set[str]:
    return {v["policy"] for v in enforced(violations)}


def provider(region: str = REGION, name: str | None = None,
             tags: dict[str, str] | None = None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=aws.Provider(
        name or f"aws-{region}", region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=DEFAULT_TAGS if tags is None else tags)))


def in_region(build: Callable[[pulumi.ResourceOptions], Any], region: str = REGION,
              tags: dict[str, str] | None = None) -> Callable[[], Any]:
    def program() -> None:
        build(provider(region, tags=tags))
    return program


def public_access_block(name: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions,
                        **overrides: bool) -> aws.s3.BucketPublicAccessBlock:
    settings = dict(block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
                    restrict_public_buckets=True)
    settings.update(overrides)
    return aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=bucket.id, opts=opts, **settings)


def encryption(name: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions,
               algorithm: str = "aws:kms") -> None:
    key = None
    if algorithm == "aws:kms":
        key = aws.kms.Key(f"{name}-key", enable_key_rotation=True, opts=opts).arn
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse", bucket=bucket.id, opts=opts,
        rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.
            BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm=algorithm, kms_master_key_id=key),
            bucket_key_enabled=algorithm == "aws:kms")])


def good_bucket(name: str, opts: pulumi.ResourceOptions, data_class: str = "user-content",
                tags: dict[str, str] | None = None, pab: bool = True,
                algorithm: str | None = "aws:kms") -> aws.s3.Bucket:
    """A bucket every policy accepts (unless the caller removes a piece)."""
    all_tags = {"data-class": data_class} if data_class else {}
    all_tags.update(tags or {})
    bucket = aws.s3.Bucket(name, tags=all_tags, opts=opts)
    if pab:
        public_access_block(name, bucket, opts)
    if algorithm:
        encryption(name, bucket, opts, algorithm)
    return bucket


def aurora(name: str, opts: pulumi.ResourceOptions, instances: int = 2,
           **overrides: Any) -> aws.rds.Cluster:
    args: dict[str, Any] = dict(engine="aurora-postgresql", master_username="app",
                                manage_master_user_password=True, storage_encrypted=True,
                                deletion_protection=True, backup_retention_period=14,
                                skip_final_snapshot=False,
                                final_snapshot_identifier=f"{name}-final",
                                tags={"data-class": "user-pii"})
    args.update(overrides)
    cluster = aws.rds.Cluster(name, opts=opts, **args)
    for index in range(instances):
        aws.rds.ClusterInstance(f"{name}-{index}", cluster_identifier=cluster.id,
                                instance_class="db.r6g.large", engine="aurora-postgresql",
                                publicly_accessible=False, opts=opts,
                                tags={"data-class": "user-pii"})
    return cluster


def redis(name: str, opts: pulumi.ResourceOptions, **overrides: Any) -> None:
    args: dict[str, Any] = dict(description="cache", engine="redis", node_type="cache.t4g.small",
                                num_cache_clusters=2, automatic_failover_enabled=True,
                                multi_az_enabled=True, at_rest_encryption_enabled=True,
                                transit_encryption_enabled=True,
                                tags={"data-class": "user-content"})
    args.update(overrides)
    aws.elasticache.ReplicationGroup(name, opts=opts, **args)


def table(name: str, opts: pulumi.ResourceOptions, **overrides: Any) -> aws.dynamodb.Table:
    args: dict[str, Any] = dict(
        billing_mode="PAY_PER_REQUEST", hash_key="id",
        attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
        deletion_protection_enabled=True,
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
        tags={"data-class": "user-pii"})
    args.update(overrides)
    return aws.dynamodb.Table(name, opts=opts, **args)


def policy_json(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})
