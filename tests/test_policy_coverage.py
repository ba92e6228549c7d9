"""Gaps a reviewer found in what the policies look at: aws-native RDS/ElastiCache, managed
policy lists, inline bucket policy/grants/replication, aws-native S3 ACLs and policies, and
type tokens that must exist in the installed SDKs. Each case: the violating program reports
exactly its policy; the same program with the one field fixed reports nothing."""

from __future__ import annotations

import ast
import importlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
import pytest

from tests.policy_cases import (
    DEFAULT_TAGS,
    REGION,
    encryption,
    enforced,
    good_bucket,
    policy_json,
    provider,
    public_access_block,
    verdicts,
)
from tests.test_policy_rules import Case, _both

POLICY_DIR = Path(__file__).resolve().parents[1] / "policies"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ASSUME = policy_json([{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                       "Action": "sts:AssumeRole"}])


def native(region: str = REGION, name: str | None = None) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=aws_native.Provider(
        name or f"aws-native-{region}", region=region,
        default_tags=aws_native.ProviderDefaultTagsArgs(tags=DEFAULT_TAGS)))


def _tags(data_class: str) -> list[aws_native.TagArgs]:
    return [aws_native.TagArgs(key="data-class", value=data_class)]


# --- 1. aws-native type tokens ----------------------------------------------------------------
def _native_rds_public(bad: bool) -> None:
    aws_native.rds.DbInstance("legacy", engine="postgres", db_instance_class="db.t4g.micro",
                              allocated_storage="20", storage_encrypted=True,
                              deletion_protection=True, backup_retention_period=7,
                              publicly_accessible=bad, tags=_tags("user-pii"), opts=native())


def _native_cluster(bad: bool) -> None:
    aws_native.rds.DbCluster("catalog", engine="aurora-postgresql", storage_encrypted=not bad,
                             deletion_protection=True, backup_retention_period=7,
                             tags=_tags("user-pii"), opts=native())


def _native_deletion(bad: bool) -> None:
    aws_native.rds.DbCluster("catalog", engine="aurora-postgresql", storage_encrypted=True,
                             deletion_protection=not bad, backup_retention_period=7,
                             tags=_tags("user-pii"), opts=native())


def _native_cache_region(bad: bool) -> None:
    opts = native("eu-west-1" if bad else "us-west-2")
    aws_native.elasticache.ReplicationGroup(
        "sessions", replication_group_description="sessions", engine="redis",
        cache_node_type="cache.t4g.small", num_cache_clusters=2,
        automatic_failover_enabled=True, multi_az_enabled=True,
        at_rest_encryption_enabled=True, transit_encryption_enabled=True,
        tags=_tags("user-content"), opts=opts)


def _native_cache_cluster_region(bad: bool) -> None:
    aws_native.elasticache.CacheCluster(
        "counters", engine="memcached", cache_node_type="cache.t4g.small", num_cache_nodes=1,
        tags=_tags("telemetry"), opts=native("eu-west-1" if bad else "us-west-2"))


# --- 2. backup retention of aws-native RDS ----------------------------------------------------
def _native_instance_backup(bad: bool) -> None:
    aws_native.rds.DbInstance("legacy", engine="postgres", db_instance_class="db.t4g.micro",
                              allocated_storage="20", storage_encrypted=True,
                              deletion_protection=True, publicly_accessible=False,
                              backup_retention_period=3 if bad else 7,
                              tags=_tags("user-pii"), opts=native())


def _native_cluster_backup(bad: bool) -> None:
    retention = {} if bad else {"backup_retention_period": 14}  # unset: CFN's default, 1 day
    aws_native.rds.DbCluster("catalog", engine="aurora-postgresql", storage_encrypted=True,
                             deletion_protection=True, tags=_tags("user-pii"), opts=native(),
                             **retention)


# --- 3. AdministratorAccess in managed policy lists -------------------------------------------
def _role_managed(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.iam.Role("ops", assume_role_policy=ASSUME, opts=opts,
                 managed_policy_arns=[READ_ONLY, ADMIN] if bad else [READ_ONLY])


def _native_role_managed(bad: bool) -> None:
    aws_native.iam.Role("ops", assume_role_policy_document=json.loads(ASSUME), opts=native(),
                        managed_policy_arns=[ADMIN] if bad else [READ_ONLY])


def _exclusive(opts: pulumi.ResourceOptions, bad: bool) -> None:
    role = aws.iam.Role("ops", assume_role_policy=ASSUME, opts=opts)
    aws.iam.RolePolicyAttachmentsExclusive("ops-exclusive", role_name=role.name, opts=opts,
                                           policy_arns=[READ_ONLY, ADMIN] if bad else [READ_ONLY])


# --- 4. S3: inline public policy / grants, aws-native ACL and policy, inline replication ------
def _classic_bucket(name: str, opts: pulumi.ResourceOptions, **args: Any) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(name, tags={"data-class": "user-content"}, opts=opts, **args)
    public_access_block(name, bucket, opts)
    encryption(name, bucket, opts)
    return bucket


def _inline_policy(opts: pulumi.ResourceOptions, bad: bool) -> None:
    _classic_bucket("site", opts, policy=policy_json([{
        "Effect": "Allow", "Principal": "*" if bad else {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*"}]))


def _inline_grants(opts: pulumi.ResourceOptions, bad: bool) -> None:
    grantee = ({"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}
               if bad else {"type": "CanonicalUser", "id": "c" * 64})
    _classic_bucket("site", opts, grants=[aws.s3.BucketGrantArgs(permissions=["READ"],
                                                                  **grantee)])


def _native_bucket(name: str, opts: pulumi.ResourceOptions, data_class: str = "user-content",
                   **args: Any) -> aws_native.s3.Bucket:
    return aws_native.s3.Bucket(
        name, tags=_tags(data_class), opts=opts,
        public_access_block_configuration=aws_native.s3.BucketPublicAccessBlockConfigurationArgs(
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True,
            restrict_public_buckets=True),
        bucket_encryption=aws_native.s3.BucketEncryptionArgs(
            server_side_encryption_configuration=[
                aws_native.s3.BucketServerSideEncryptionRuleArgs(
                    server_side_encryption_by_default=aws_native.s3.
                    BucketServerSideEncryptionByDefaultArgs(
                        sse_algorithm=aws_native.s3.BucketServerSideEncryptionByDefaultSseAlgorithm.AWSKMS,
                        kms_master_key_id="arn:aws:kms:us-east-1:123456789012:key/k"))]),
        **args)


def _native_acl(bad: bool) -> None:
    _native_bucket("site", native(), access_control="PublicRead" if bad else "Private")


def _native_bucket_policy(bad: bool) -> None:
    opts = native()
    bucket = _native_bucket("site", opts)
    aws_native.s3.BucketPolicy("site-policy", bucket=bucket.id, opts=opts, policy_document={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::site/*",
            "Principal": "*" if bad else {"Service": "cloudfront.amazonaws.com"},
            **({} if bad else {"Condition": {"StringEquals": {
                "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/D"}}})}]})


def _classic_inline_replication(bad: bool) -> None:
    home = provider("us-east-1")
    away = provider("eu-west-1" if bad else "us-west-2", name="aws-replica")
    destination = good_bucket("destination", away, data_class="public-content")
    _classic_bucket("source", home, replication_configuration=aws.s3.
                    BucketReplicationConfigurationArgs(
                        role="arn:aws:iam::123456789012:role/replication",
                        rules=[aws.s3.BucketReplicationConfigurationRuleArgs(
                            status="Enabled",
                            destination=aws.s3.BucketReplicationConfigurationRuleDestinationArgs(
                                bucket=destination.arn))]))


def _native_inline_replication(bad: bool) -> None:
    destination = _native_bucket("destination", native("eu-west-1" if bad else "us-west-2"),
                                 data_class="public-content")
    _native_bucket("source", native(), replication_configuration=aws_native.s3.
                   BucketReplicationConfigurationArgs(
                       role="arn:aws:iam::123456789012:role/replication",
                       rules=[aws_native.s3.BucketReplicationRuleArgs(
                           status=aws_native.s3.BucketReplicationRuleStatus.ENABLED,
                           destination=aws_native.s3.BucketReplicationDestinationArgs(
                               bucket=destination.arn))]))


def _pair(build: Callable[[bool], Any]) -> tuple[Callable[[], Any], Callable[[], Any]]:
    return (lambda: build(True)), (lambda: build(False))


CASES = [
    Case("rds-not-public", *_pair(_native_rds_public), "publicly accessible"),
    Case("storage-encrypted", *_pair(_native_cluster), "stores data unencrypted"),
    Case("prod-deletion-protection", *_pair(_native_deletion), "no deletion protection"),
    Case("residency-region-allowed", *_pair(_native_cache_region), "outside allowedRegions"),
    Case("residency-region-allowed", *_pair(_native_cache_cluster_region),
         "telemetry data in eu-west-1"),
    Case("backup-retention-min", *_pair(_native_instance_backup),
         "3 day(s), below the minimum of 7"),
    Case("backup-retention-min", *_pair(_native_cluster_backup),
         "keeps backups for 1 day(s), below the minimum of 7"),
    Case("iam-no-wildcard-admin", *_both(_role_managed), "AdministratorAccess (in "
         "managedPolicyArns)"),
    Case("iam-no-wildcard-admin", *_pair(_native_role_managed), "AdministratorAccess (in "
         "managedPolicyArns)"),
    Case("iam-no-wildcard-admin", *_both(_exclusive), "AdministratorAccess (in policyArns)"),
    Case("s3-public-access-blocked", *_both(_inline_policy), "inline policy allows Principal"),
    Case("s3-public-access-blocked", *_both(_inline_grants), "grants access to "
         "http://acs.amazonaws.com/groups/global/AllUsers"),
    Case("s3-public-access-blocked", *_pair(_native_acl), "public access_control 'PublicRead'"),
    Case("s3-public-access-blocked", *_pair(_native_bucket_policy), "allows Principal '*'"),
    Case("residency-replication-target", *_pair(_classic_inline_replication),
         "bucket 'destination' in eu-west-1"),
    Case("residency-replication-target", *_pair(_native_inline_replication),
         "bucket 'destination' in eu-west-1"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.policy}:{c.message[:24]}")
def test_violating_program_reports_exactly_its_policy(case: Case) -> None:
    found = enforced(verdicts(case.bad))
    assert {v["policy"] for v in found} == {case.policy}, json.dumps(found, indent=1)
    assert any(case.message in v["message"] for v in found), [v["message"] for v in found]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.policy}:{c.message[:24]}")
def test_compliant_program_reports_nothing(case: Case) -> None:
    assert verdicts(case.good) == [], json.dumps(verdicts(case.good), indent=1)


# --- type tokens in the pack exist in the installed SDKs --------------------------------------
TOKEN = re.compile(r"^(aws|aws-native):([\w-]+)(?:/(\w+))?:([A-Z]\w*)$")


def _tokens() -> set[str]:
    """Every string constant in policies/*.py that looks like an aws / aws-native type token
    (adjacent literals are joined by the parser, so split tokens are seen whole)."""
    found = set()
    for path in POLICY_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and TOKEN.match(node.value):
                found.add(node.value)
    return found


def _exists(token: str) -> bool:
    package, module, _, cls = TOKEN.match(token).groups()
    module = "lambda_" if module == "lambda" else module  # `lambda` is a Python keyword
    name = f"pulumi_aws_native.{module}" if package == "aws-native" else f"pulumi_aws.{module}"
    try:
        return hasattr(importlib.import_module(name), cls)
    except ImportError:
        return False


def test_token_regex_sees_the_pack() -> None:
    tokens = _tokens()
    assert {"aws:s3/bucket:Bucket", "aws-native:rds:DbInstance",
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
            } <= tokens
    assert not _exists("aws-native:rds:DBInstance") and not _exists(
        "aws-native:medialive:Channel"), "the check must be able to fail"


def test_every_type_token_in_the_pack_exists() -> None:
    missing = sorted(t for t in _tokens() if not _exists(t))
    assert missing == []
