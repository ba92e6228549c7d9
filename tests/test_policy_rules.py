"""Every policy: a program that violates it reports exactly its id with a clear message; the
same program with the one field fixed reports nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_cloudflare as cloudflare
import pytest

from tests.policy_cases import (
    PACK,
    aurora,
    enforced,
    good_bucket,
    in_region,
    policy_json,
    provider,
    public_access_block,
    redis,
    table,
    verdicts,
)
from tests.security_cases import SECURITY_CASES

Build = Callable[[pulumi.ResourceOptions], Any]


@dataclass(frozen=True)
class Case:
    policy: str
    bad: Callable[[], Any]
    good: Callable[[], Any]
    message: str  # a fragment the violation message must contain


def _both(build: Callable[[pulumi.ResourceOptions, bool], Any], region: str = "us-east-1",
          tags: dict[str, str] | None = None) -> tuple[Callable[[], Any], Callable[[], Any]]:
    return (in_region(lambda o: build(o, True), region, tags),
            in_region(lambda o: build(o, False), region, tags))


# --- residency --------------------------------------------------------------------------------
def _store_region(bad: bool) -> None:
    good_bucket("uploads", provider("eu-west-1" if bad else "us-west-2"))


def _replication(opts: pulumi.ResourceOptions, bad: bool) -> None:
    table("profiles", opts, replicas=[aws.dynamodb.TableReplicaArgs(
        region_name="eu-west-1" if bad else "us-west-2")], stream_enabled=True,
        stream_view_type="NEW_AND_OLD_IMAGES")


def _s3_replication(bad: bool) -> None:
    home = provider("us-east-1")
    away = provider("eu-west-1" if bad else "us-west-2", name="aws-replica")
    source = good_bucket("source", home)
    # The destination is (wrongly or rightly) public content, so only the copy is judged.
    destination = good_bucket("destination", away, data_class="public-content")
    role = aws.iam.Role("replication", assume_role_policy=policy_json([{
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sts:AssumeRole"}]), opts=home)
    aws.s3.BucketReplicationConfig(
        "source-replication", bucket=source.id, role=role.arn, opts=home,
        rules=[aws.s3.BucketReplicationConfigRuleArgs(
            status="Enabled", destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                bucket=destination.arn))])


def _r2(bad: bool) -> None:
    cf = pulumi.ResourceOptions(provider=cloudflare.Provider("cf", api_token="x" * 40))
    cloudflare.R2Bucket("media", account_id="0" * 32, name="media",
                        jurisdiction="default" if bad else "eu", opts=cf)


def _replica_key(bad: bool) -> None:
    primary = aws.kms.Key("data", multi_region=True, enable_key_rotation=True,
                          opts=provider("us-east-1"))
    aws.kms.ReplicaKey("data-replica", primary_key_arn=primary.arn,
                       opts=provider("eu-west-1" if bad else "us-west-2", name="aws-replica"))


# --- storage ----------------------------------------------------------------------------------
def _pab(opts: pulumi.ResourceOptions, bad: bool) -> None:
    bucket = good_bucket("assets", opts, pab=False)
    public_access_block("assets", bucket, opts, restrict_public_buckets=not bad)


def _kms(opts: pulumi.ResourceOptions, bad: bool) -> None:
    good_bucket("uploads", opts, algorithm="AES256" if bad else "aws:kms")


def _storage(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.efs.FileSystem("shared", encrypted=not bad, tags={"data-class": "user-content"},
                       opts=opts)


def _rds_public(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.rds.Instance("legacy", engine="postgres", instance_class="db.t4g.micro",
                     allocated_storage=20, username="app", manage_master_user_password=True,
                     storage_encrypted=True, publicly_accessible=bad, multi_az=True,
                     deletion_protection=True, backup_retention_period=7,
                     tags={"data-class": "user-pii"}, opts=opts)


def _sg(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.ec2.SecurityGroup("web", vpc_id="vpc-123", description="web", opts=opts, ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443,
                                         cidr_blocks=["0.0.0.0/0"]),
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22,
                                         cidr_blocks=["0.0.0.0/0" if bad else "10.0.0.0/8"]),
    ])


def _eks(opts: pulumi.ResourceOptions, bad: bool) -> None:
    key = aws.kms.Key("eks-key", enable_key_rotation=True, opts=opts)
    aws.eks.Cluster("platform", role_arn="arn:aws:iam::123456789012:role/eks", opts=opts,
                    vpc_config=aws.eks.ClusterVpcConfigArgs(
                        subnet_ids=["subnet-a", "subnet-b"], endpoint_private_access=True,
                        endpoint_public_access=True,
                        public_access_cidrs=["0.0.0.0/0"] if bad else ["203.0.113.0/24"]),
                    encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                        resources=["secrets"],
                        provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key.arn)))


def _cloudfront(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.cloudfront.Distribution(
        "cdn", enabled=True, opts=opts,
        origins=[aws.cloudfront.DistributionOriginArgs(domain_name="origin.example.com",
                                                       origin_id="origin")],
        default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
            target_origin_id="origin", allowed_methods=["GET", "HEAD"],
            cached_methods=["GET", "HEAD"],
            viewer_protocol_policy="allow-all" if bad else "redirect-to-https"),
        restrictions=aws.cloudfront.DistributionRestrictionsArgs(
            geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                restriction_type="none")),
        viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
            acm_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/x",
            ssl_support_method="sni-only", minimum_protocol_version="TLSv1.2_2021"))


def _iam(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.iam.Policy("ops", opts=opts, policy=policy_json([{
        "Effect": "Allow", "Action": "*" if bad else "s3:GetObject",
        "Resource": "*" if bad else "arn:aws:s3:::assets/*"}]))


def _kms_rotation(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.kms.Key("data", enable_key_rotation=not bad, opts=opts)


# --- reliability ------------------------------------------------------------------------------
def _multi_az(opts: pulumi.ResourceOptions, bad: bool) -> None:
    redis("sessions", opts, automatic_failover_enabled=not bad, multi_az_enabled=not bad,
          num_cache_clusters=1 if bad else 2)


def _aurora_single(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aurora("catalog", opts, instances=1 if bad else 2)


def _deletion(opts: pulumi.ResourceOptions, bad: bool) -> None:
    table("progress", opts, deletion_protection_enabled=not bad)


def _backup(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aurora("catalog", opts, backup_retention_period=3 if bad else 7)


def _tags(opts: pulumi.ResourceOptions, bad: bool) -> None:
    aws.sqs.Queue("jobs", sqs_managed_sse_enabled=True, tags={"data-class": "public-content"},
                  opts=opts)


def _waiver_reason(opts: pulumi.ResourceOptions, bad: bool) -> None:
    good_bucket("logs", opts, tags={"policy-waiver:kms-key-rotation": "" if bad else
                                    "no key here, tag kept for the record"})


CASES = [
    Case("residency-region-allowed", lambda: _store_region(True), lambda: _store_region(False),
         "outside allowedRegions"),
    Case("residency-replication-target", *_both(_replication), "eu-west-1, outside"),
    Case("residency-replication-target", lambda: _s3_replication(True),
         lambda: _s3_replication(False), "bucket 'destination' in eu-west-1"),
    Case("kms-multi-region-key", lambda: _replica_key(True), lambda: _replica_key(False),
         "a KMS replica key (this key) in eu-west-1, outside"),
    Case("residency-r2-jurisdiction", lambda: _r2(True), lambda: _r2(False),
         "jurisdiction 'default' but restricted data here must use 'eu'"),
    Case("s3-public-access-blocked", *_both(_pab), "does not set restrictPublicBuckets"),
    Case("s3-encryption-kms", *_both(_kms), "uses AES256"),
    Case("storage-encrypted", *_both(_storage), "unencrypted EFS"),
    Case("rds-not-public", *_both(_rds_public), "publicly accessible"),
    Case("security-group-no-open-ingress", *_both(_sg), "0.0.0.0/0 on tcp 22"),
    Case("eks-endpoint-restricted", *_both(_eks), "open to 0.0.0.0/0"),
    Case("cloudfront-https-only", *_both(_cloudfront), "allows plain HTTP"),
    Case("iam-no-wildcard-admin", *_both(_iam), "Action '*' on Resource '*'"),
    Case("kms-key-rotation", *_both(_kms_rotation), "does not rotate"),
    Case("prod-multi-az", *_both(_multi_az), "no Multi-AZ failover"),
    Case("prod-multi-az", *_both(_aurora_single), "has 1 instance(s) in prod"),
    Case("prod-deletion-protection", *_both(_deletion), "no deletion protection"),
    Case("backup-retention-min", *_both(_backup), "3 day(s), below the minimum of 7"),
    Case("required-tags", _both(_tags, tags={})[0], _both(_tags)[1], "missing the tag(s) "
         "environment"),
    Case("policy-waiver-reason", *_both(_waiver_reason), "without a reason"),
    *(Case(*case) for case in SECURITY_CASES),
]


def test_every_policy_has_a_case() -> None:
    assert {p.name for p in PACK.policies} == {c.policy for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.policy}:{c.message[:20]}")
def test_violating_program_reports_exactly_its_policy(case: Case) -> None:
    found = enforced(verdicts(case.bad))
    assert {v["policy"] for v in found} == {case.policy}, json.dumps(found, indent=1)
    assert any(case.message in v["message"] for v in found), [v["message"] for v in found]
    for violation in found:
        assert violation["urn"], "a violation names its resource"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.policy}:{c.message[:20]}")
def test_compliant_program_reports_nothing(case: Case) -> None:
    assert verdicts(case.good) == []


def test_enforcement_follows_the_policy_default() -> None:
    advisory = {p.name for p in PACK.policies if p.enforcement_level.value == "advisory"}
    assert advisory == {"kms-key-rotation", "required-tags"}
    (violation,) = verdicts(in_region(lambda o: _kms_rotation(o, True)))
    assert violation["enforcement"] == "advisory"
