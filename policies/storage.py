"""Storage security: S3 public access and encryption, encryption at rest and in transit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Report, stack_policy
from .graph import (
    S3_BUCKET_TYPES,
    UNKNOWN,
    Graph,
    get,
    items,
    label,
    listify,
    parse_json,
    plain,
    truthy,
)

PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
PAB_SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                "restrictPublicBuckets")
SSE_TYPES = ("aws:s3/bucketServerSideEncryptionConfiguration:"
             "BucketServerSideEncryptionConfiguration",
             "aws:s3/bucketServerSideEncryptionConfigurationV2:"
             "BucketServerSideEncryptionConfigurationV2")
LOGGING_TYPES = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
ACL_TYPES = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers",
                   "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
# aws-native:s3:Bucket accessControl (CloudFormation canned ACL names).
NATIVE_PUBLIC_ACLS = ("PublicRead", "PublicReadWrite", "AuthenticatedRead")
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def public_statements(document: Any) -> list[int]:
    """Indexes of Allow statements open to everyone (Principal `*`) without a Condition."""
    document = plain(parse_json(document))
    if not isinstance(document, Mapping):
        return []
    found = []
    for index, statement in enumerate(listify(document.get("Statement") or [])):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if isinstance(principal, Mapping):
            principal = [p for v in principal.values() for p in listify(v)]
        if "*" in listify(principal) and not statement.get("Condition"):
            found.append(index)
    return found


def check_public_access(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for bucket in graph.buckets:
        blocks = graph.configuring(bucket, PAB)
        if not blocks:
            report(bucket, f"S3 bucket {label(bucket)} has no public access block; add an "
                           "aws.s3.BucketPublicAccessBlock with block_public_acls, "
                           "block_public_policy, ignore_public_acls and "
                           "restrict_public_buckets all True")
        for block in blocks:
            off = [k for k in PAB_SETTINGS if not truthy(get(block.props, k))]
            if off:
                report(block, f"public access block {label(block)} of bucket '{bucket.name}' "
                              f"does not set {', '.join(off)}; set all four settings to True")
        acl = get(bucket.props, "acl")
        if acl in PUBLIC_ACLS:
            report(bucket, f"S3 bucket {label(bucket)} has the public ACL '{acl}'; use "
                           "'private' (serve public content through CloudFront)")
        public = [get(g, "uri") for g in items(get(bucket.props, "grants"))
                  if get(g, "uri") in PUBLIC_GRANTEES]
        if public:
            report(bucket, f"S3 bucket {label(bucket)} grants access to {public[0]}; drop the "
                           "grant (serve public content through CloudFront)")
        statements = public_statements(get(bucket.props, "policy"))
        if statements:
            report(bucket, f"S3 bucket {label(bucket)}: its inline policy allows Principal "
                           f"'*' without a Condition (statement {statements[0]}); grant a "
                           "specific principal (e.g. the CloudFront service with an "
                           "AWS:SourceArn condition)")
    for bucket in graph.of_type("aws-native:s3:Bucket"):
        settings = get(bucket.props, "publicAccessBlockConfiguration")
        off = [k for k in PAB_SETTINGS if not truthy(get(settings, k))]
        if off:
            report(bucket, f"S3 bucket {label(bucket)} does not set "
                           f"publicAccessBlockConfiguration {', '.join(off)}; set all four "
                           "to true")
        acl = get(bucket.props, "accessControl")
        if acl in NATIVE_PUBLIC_ACLS:
            report(bucket, f"S3 bucket {label(bucket)} has the public access_control '{acl}'; "
                           "use 'Private' (serve public content through CloudFront)")
    for acl in graph.of_type(*ACL_TYPES):
        canned = get(acl.props, "acl")
        grants = items(get(acl.props, "accessControlPolicy", "grants"))
        public = [get(g, "grantee", "uri") for g in grants
                  if get(g, "grantee", "uri") in PUBLIC_GRANTEES]
        if canned in PUBLIC_ACLS or public:
            what = f"the canned ACL '{canned}'" if canned in PUBLIC_ACLS else \
                f"a grant to {public[0]}"
            report(acl, f"bucket ACL {label(acl)} makes the bucket public with {what}; use "
                        "'private' and serve public content through CloudFront")
    for policy in graph.of_type("aws:s3/bucketPolicy:BucketPolicy", "aws-native:s3:BucketPolicy"):
        prop = "policy" if policy.resource_type.startswith("aws:") else "policyDocument"
        statements = public_statements(get(policy.props, prop))
        if statements:
            report(policy, f"bucket policy {label(policy)} allows Principal '*' without a "
                           f"Condition (statement {statements[0]}); grant a specific "
                           "principal (e.g. the CloudFront service with an AWS:SourceArn "
                           "condition)")


def _algorithms(graph: Graph, bucket: Any) -> list[Any]:
    found = []
    for sse in (c for t in SSE_TYPES for c in graph.configuring(bucket, t)):
        for rule in items(get(sse.props, "rules")):
            found.append(get(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"))
    inline = get(bucket.props, "serverSideEncryptionConfiguration", "rule",
                 "applyServerSideEncryptionByDefault", "sseAlgorithm")
    if inline:
        found.append(inline)
    for entry in items(get(bucket.props, "bucketEncryption",
                           "serverSideEncryptionConfiguration")):
        found.append(get(entry, "serverSideEncryptionByDefault", "sseAlgorithm"))
    return found


def _log_targets(graph: Graph) -> dict[int, Any]:
    """id -> bucket, for every bucket that receives another bucket's server access logs."""
    found: dict[int, Any] = {}
    for logging in graph.of_type(*LOGGING_TYPES):
        sources = graph.bucket_of(logging)
        found.update((id(t), t) for t in graph.linked(
            logging, get(logging.props, "targetBucket"), S3_BUCKET_TYPES, "bucket",
            prop="targetBucket") if t not in sources)
    return found


def log_target(graph: Graph, bucket: Any) -> bool:
    """Whether `bucket` receives S3 server access logs (which support only SSE-S3)."""
    return id(bucket) in graph.index("s3 log targets", _log_targets)


def check_encryption_kms(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for bucket in [*graph.buckets, *graph.of_type("aws-native:s3:Bucket")]:
        if not graph.restricted(bucket):
            continue
        algorithms = _algorithms(graph, bucket)
        if any(a in KMS_ALGORITHMS for a in algorithms) or UNKNOWN in algorithms:
            continue
        if "AES256" in algorithms and log_target(graph, bucket):
            continue  # S3 server access logs can only be delivered with SSE-S3.
        data_class = graph.data_class(bucket) or "untagged (treated as restricted)"
        found = f"uses {algorithms[0]}" if algorithms else "has no default encryption"
        report(bucket, f"S3 bucket {label(bucket)} holds {data_class} data but {found}; add "
                       "an aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm "
                       "'aws:kms' and a customer KMS key (bucket_key_enabled=True)")


def _flag(resource: Any, key: str, what: str, fix: str, report: Report) -> None:
    value = get(resource.props, key)
    if value is UNKNOWN:
        return
    if not truthy(value):
        report(resource, f"{label(resource)} {what}; {fix}")


def check_storage_encrypted(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for cluster in graph.of_type("aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster",
                                 "aws:rds/instance:Instance"):
        if cluster.resource_type == "aws:rds/instance:Instance" and get(
                cluster.props, "replicateSourceDb"):
            continue  # a read replica inherits the source's encryption
        _flag(cluster, "storageEncrypted", "stores data unencrypted",
              "set storage_encrypted=True with a customer KMS key (kms_key_id)", report)
    for cluster in graph.of_type("aws-native:rds:DbCluster", "aws-native:rds:DbInstance"):
        _flag(cluster, "storageEncrypted", "stores data unencrypted",
              "set storage_encrypted=True with a customer KMS key", report)
    for group in graph.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        _flag(group, "atRestEncryptionEnabled", "is not encrypted at rest",
              "set at_rest_encryption_enabled=True (with kms_key_id)", report)
        _flag(group, "transitEncryptionEnabled", "is not encrypted in transit",
              "set transit_encryption_enabled=True", report)
    for cache in graph.of_type("aws:elasticache/cluster:Cluster"):
        if get(cache.props, "engine") in ("redis", "valkey") and not get(
                cache.props, "replicationGroupId"):
            _flag(cache, "transitEncryptionEnabled", "is not encrypted in transit",
                  "set transit_encryption_enabled=True, or use an encrypted "
                  "aws.elasticache.ReplicationGroup", report)
    for volume in graph.of_type("aws:ebs/volume:Volume"):
        _flag(volume, "encrypted", "is an unencrypted EBS volume",
              "set encrypted=True (with kms_key_id)", report)
    for instance in graph.of_type("aws:ec2/instance:Instance"):
        root = get(instance.props, "rootBlockDevice")
        if get(root, "encrypted") is not UNKNOWN and not truthy(get(root, "encrypted")):
            report(instance, f"{label(instance)} has an unencrypted root volume; set "
                             "root_block_device.encrypted=True")
        for device in items(get(instance.props, "ebsBlockDevices")):
            if get(device, "encrypted") is not UNKNOWN and not truthy(get(device, "encrypted")):
                report(instance, f"{label(instance)} has an unencrypted EBS volume "
                                 f"{get(device, 'deviceName')}; set encrypted=True")
    for template in graph.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        for mapping in items(get(template.props, "blockDeviceMappings")):
            ebs = get(mapping, "ebs")
            if ebs and get(ebs, "encrypted") is not UNKNOWN and not truthy(
                    get(ebs, "encrypted")):
                report(template, f"{label(template)} maps the unencrypted EBS volume "
                                 f"{get(mapping, 'deviceName')}; set ebs.encrypted='true'")
    for fs in graph.of_type("aws:efs/fileSystem:FileSystem", "aws-native:efs:FileSystem"):
        _flag(fs, "encrypted", "is an unencrypted EFS file system",
              "set encrypted=True (with kms_key_id)", report)
    for cluster in graph.of_type("aws:eks/cluster:Cluster"):
        configs = items(get(cluster.props, "encryptionConfig"))
        if not configs and isinstance(plain(get(cluster.props, "encryptionConfig")), Mapping):
            configs = [get(cluster.props, "encryptionConfig")]
        resources = {r for c in configs for r in items(get(c, "resources"))}
        if UNKNOWN not in resources and "secrets" not in resources:
            report(cluster, f"EKS cluster {label(cluster)} does not encrypt Kubernetes "
                            "secrets; set encryption_config with resources=['secrets'] and a "
                            "customer KMS key")


POLICIES = [
    stack_policy(
        "s3-public-access-blocked",
        "S3 buckets block public access (all four settings) and carry no public ACL or policy.",
        check_public_access,
        remediation="Add an aws.s3.BucketPublicAccessBlock with all four settings True.",
    ),
    stack_policy(
        "s3-encryption-kms",
        "S3 buckets holding restricted data use SSE-KMS (server-access-log targets may use "
        "SSE-S3, the only encryption S3 log delivery supports).",
        check_encryption_kms,
        remediation="Add a BucketServerSideEncryptionConfiguration with sse_algorithm aws:kms.",
    ),
    stack_policy(
        "storage-encrypted",
        "Databases, caches (at rest and in transit), EBS, EFS and EKS secrets are encrypted.",
        check_storage_encrypted,
        remediation="Turn on the resource's encryption setting with a customer KMS key.",
    ),
]
