"""Data residency: restricted data, and copies of it, stay in the allowed regions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Report, stack_policy
from .config import setting
from .graph import (
    S3_BUCKET_TYPES,
    UNKNOWN,
    Graph,
    arn_region,
    get,
    items,
    label,
)

# Stores of user data (the data-class tag decides whether they hold restricted data).
DATA_STORES = (
    *S3_BUCKET_TYPES,
    "aws:rds/cluster:Cluster", "aws:rds/instance:Instance",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:docdb/cluster:Cluster", "aws:docdb/clusterInstance:ClusterInstance",
    "aws:docdb/elasticCluster:ElasticCluster",
    "aws:dynamodb/table:Table", "aws:dynamodb/tableReplica:TableReplica",
    "aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/cluster:Cluster",
    "aws:elasticache/serverlessCache:ServerlessCache",
    "aws:opensearch/domain:Domain", "aws:kinesis/stream:Stream",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    "aws:efs/fileSystem:FileSystem", "aws:backup/vault:Vault",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws-native:s3:Bucket", "aws-native:rds:DbCluster", "aws-native:rds:DbInstance",
    "aws-native:dynamodb:Table", "aws-native:dynamodb:GlobalTable",
    "aws-native:elasticache:ServerlessCache", "aws-native:elasticache:ReplicationGroup",
    "aws-native:elasticache:CacheCluster", "aws-native:kinesis:Stream",
    "aws-native:efs:FileSystem", "aws-native:backup:BackupVault", "aws-native:logs:LogGroup",
    "aws-native:docdbelastic:Cluster", "aws-native:opensearchservice:Domain",
)
R2_BUCKET = "cloudflare:index/r2Bucket:R2Bucket"
REPLICA_BUCKET_TYPES = (*S3_BUCKET_TYPES, "aws-native:s3:Bucket")


def allowed_regions(graph: Graph, config: Mapping[str, Any]) -> set[str]:
    """`allowedRegions`, else the default provider's region (the stack's aws:region)."""
    configured = setting(config, "allowedRegions")
    return set(configured) if configured else graph.provider_regions()


def _allowed_text(allowed: set[str]) -> str:
    return ", ".join(sorted(allowed)) if allowed else "none (configure allowedRegions)"


def _undetermined(what: str) -> str:
    return (f"{what} cannot be determined (no region input, provider region or aws:region); "
            "set `region` on its provider (or the resource) so residency can be checked")


def check_region_allowed(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    allowed = allowed_regions(graph, config)
    for resource in graph.of_type(*DATA_STORES):
        if not graph.restricted(resource):
            continue
        data_class = graph.data_class(resource) or "untagged (treated as restricted)"
        region = graph.region(resource)
        if region is None or region is UNKNOWN:
            report(resource, f"{label(resource)} holds {data_class} data but its "
                             + _undetermined("region"))
        elif region not in allowed:
            report(resource, f"{label(resource)} holds {data_class} data in {region}, outside "
                             f"allowedRegions ({_allowed_text(allowed)}); create it with a "
                             "provider for an allowed region, or tag it "
                             "data-class=public-content if it holds only public content")


def _target(resource: Any, what: str, region: Any, allowed: set[str], report: Report) -> None:
    if region is None or region is UNKNOWN:
        report(resource, f"{label(resource)} copies data to {what} whose region cannot be "
                         "determined; point it at a resource in this stack or a full ARN in "
                         f"an allowed region ({_allowed_text(allowed)})")
    elif region not in allowed:
        report(resource, f"{label(resource)} copies data to {what} in {region}, outside "
                         f"allowedRegions ({_allowed_text(allowed)}); replicate only to "
                         "an allowed region")


def _destinations(graph: Graph, resource: Any, sources: list[Any], deps: list[Any],
                  rules: list[Any], allowed: set[str], report: Report) -> None:
    """Judge the destination bucket of each replication rule (`destination.bucket`: an ARN
    or name of a bucket in this stack, or a full ARN)."""
    for index, rule in enumerate(rules):
        destination = get(rule, "destination", "bucket")
        what = f"destination bucket of rule {index}"
        named = [b for b in graph.named(destination, "bucket", "bucketName")
                 if b.resource_type in REPLICA_BUCKET_TYPES and b not in sources]
        if named:
            for bucket in named:
                _target(resource, f"bucket '{bucket.name}'", graph.region(bucket), allowed,
                        report)
        elif arn_region(destination):
            _target(resource, what, arn_region(destination), allowed, report)
        elif len(deps) == 1:
            _target(resource, f"bucket '{deps[0].name}'", graph.region(deps[0]), allowed,
                    report)
        else:
            _target(resource, what, None, allowed, report)


def _s3_replication(graph: Graph, allowed: set[str], report: Report) -> None:
    for config in graph.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig"):
        sources = graph.bucket_of(config)
        if sources and not any(graph.restricted(s) for s in sources):
            continue
        deps = [d for d in (graph.property_dependencies(config, "rules")
                            or graph.dependencies(config))
                if d.resource_type in S3_BUCKET_TYPES and d not in sources]
        _destinations(graph, config, sources, deps, items(get(config.props, "rules")),
                      allowed, report)
    # Inline replication on the bucket itself (classic Bucket and aws-native Bucket).
    for bucket in graph.of_type(*REPLICA_BUCKET_TYPES):
        if not graph.restricted(bucket):
            continue
        rules = items(get(bucket.props, "replicationConfiguration", "rules"))
        if not rules:
            continue
        deps = [d for d in (graph.property_dependencies(bucket, "replicationConfiguration")
                            or graph.dependencies(bucket))
                if d.resource_type in REPLICA_BUCKET_TYPES and d is not bucket]
        _destinations(graph, bucket, [bucket], deps, rules, allowed, report)


def _listed_regions(graph: Graph, allowed: set[str], report: Report) -> None:
    """Replicas named by region inside a resource's props."""
    for table in graph.of_type("aws:dynamodb/table:Table"):
        if graph.restricted(table):
            for replica in items(get(table.props, "replicas")):
                _target(table, "a DynamoDB replica", get(replica, "regionName"),
                        allowed, report)
    for table in graph.of_type("aws-native:dynamodb:GlobalTable"):
        if graph.restricted(table):
            for replica in items(get(table.props, "replicas")):
                _target(table, "a DynamoDB replica", get(replica, "region"),
                        allowed, report)
    for ecr in graph.of_type("aws:ecr/replicationConfiguration:ReplicationConfiguration"):
        for rule in items(get(ecr.props, "replicationConfiguration", "rules")):
            for destination in items(get(rule, "destinations")):
                _target(ecr, "an ECR replica registry", get(destination, "region"),
                        allowed, report)
    for efs in graph.of_type("aws:efs/replicationConfiguration:ReplicationConfiguration"):
        region = get(efs.props, "destination", "region") or graph.region(efs)
        _target(efs, "an EFS replica", region, allowed, report)
    for copy in graph.of_type("aws:rds/snapshotCopy:SnapshotCopy",
                              "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy"):
        region = get(copy.props, "destinationRegion") or graph.region(copy)
        _target(copy, "a snapshot copy", region, allowed, report)


def _members(graph: Graph, allowed: set[str], report: Report) -> None:
    """Resources that are themselves the copy: global-cluster members, replica keys, ..."""
    for cluster in graph.of_type("aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster"):
        if get(cluster.props, "globalClusterIdentifier") and graph.restricted(cluster):
            _target(cluster, "a global-cluster member (this cluster)",
                    graph.region(cluster), allowed, report)
    for group in graph.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        if get(group.props, "globalReplicationGroupId") and graph.restricted(group):
            _target(group, "a global-datastore member (this replication group)",
                    graph.region(group), allowed, report)
    for resource in graph.of_type("aws:kms/replicaKey:ReplicaKey",
                                  "aws:kms/replicaExternalKey:ReplicaExternalKey",
                                  "aws:dynamodb/tableReplica:TableReplica",
                                  "aws:rds/instanceAutomatedBackupsReplication:"
                                  "InstanceAutomatedBackupsReplication"):
        _target(resource, "a replica (this resource)", graph.region(resource), allowed,
                report)
    vaults = graph.of_type("aws:backup/vault:Vault")
    for plan in graph.of_type("aws:backup/plan:Plan"):
        for rule in items(get(plan.props, "rules")):
            for action in items(get(rule, "copyActions")):
                arn = get(action, "destinationVaultArn")
                named = [v for v in graph.named(arn, "name") if v in vaults]
                region = arn_region(arn) or (graph.region(named[0]) if named else None)
                _target(plan, "a backup copy vault", region, allowed, report)


def check_replication_target(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    allowed = allowed_regions(graph, config)
    _s3_replication(graph, allowed, report)
    _listed_regions(graph, allowed, report)
    _members(graph, allowed, report)


def check_r2_jurisdiction(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    wanted = setting(config, "r2Jurisdiction")
    for bucket in graph.of_type(R2_BUCKET):
        # R2 buckets carry no tags: every one counts as restricted (waive public ones).
        jurisdiction = get(bucket.props, "jurisdiction") or "default"
        if wanted is None:
            report(bucket, f"{label(bucket)}: R2 cannot keep restricted data in this stack's "
                           "jurisdiction (r2Jurisdiction is null); keep restricted data in S3 "
                           "in an allowed region, or waive the bucket if it holds only public "
                           "content")
        elif jurisdiction is UNKNOWN or jurisdiction != wanted:
            report(bucket, f"{label(bucket)} uses R2 jurisdiction '{jurisdiction}' but "
                           f"restricted data here must use '{wanted}'; set "
                           f"jurisdiction='{wanted}' (a new bucket: R2 cannot move one)")


POLICIES = [
    stack_policy(
        "residency-region-allowed",
        "Restricted-data stores (S3, RDS/Aurora, DocumentDB, DynamoDB, ElastiCache, "
        "OpenSearch, Kinesis, EFS, Backup vaults, log groups) must be in allowedRegions.",
        check_region_allowed, config_keys=("allowedRegions",),
        remediation="Create the store with a provider for an allowed region; tag stores of "
                    "public content data-class=public-content.",
    ),
    stack_policy(
        "residency-replication-target",
        "Replication and copies of restricted data (S3 replication, DynamoDB replicas, "
        "global clusters and datastores, Backup copy actions, KMS replica keys, ECR "
        "replication) must target allowedRegions.",
        check_replication_target, config_keys=("allowedRegions",),
        remediation="Replicate only to allowed regions; make targets resolvable.",
    ),
    stack_policy(
        "residency-r2-jurisdiction",
        "R2 buckets holding restricted data must use the configured r2Jurisdiction.",
        check_r2_jurisdiction, config_keys=("r2Jurisdiction",),
        remediation="Create the bucket with jurisdiction=<r2Jurisdiction>, or keep the data "
                    "in S3.",
    ),
]
