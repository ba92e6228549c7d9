"""Production reliability: multi-AZ, deletion protection, backups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Report, stack_policy
from .config import setting
from .graph import UNKNOWN, Graph, get, items, label, number, truthy

RDS_CLUSTER = "aws:rds/cluster:Cluster"
DOCDB_CLUSTER = "aws:docdb/cluster:Cluster"
INSTANCES = {RDS_CLUSTER: "aws:rds/clusterInstance:ClusterInstance",
             DOCDB_CLUSTER: "aws:docdb/clusterInstance:ClusterInstance"}


def environment(graph: Graph, config: Mapping[str, Any]) -> str:
    """`environment` from config, else the providers' `environment` default tag."""
    return setting(config, "environment") or graph.environment()


def _aurora(cluster: Any) -> bool:
    engine = get(cluster.props, "engine")
    return not isinstance(engine, str) or engine.startswith("aurora") or \
        cluster.resource_type == DOCDB_CLUSTER


def _members_by_cluster(graph: Graph, cluster_type: str) -> dict[int, list[Any]]:
    """id(cluster) -> its instances, for the clusters of `cluster_type`."""
    members: dict[int, list[Any]] = {}
    for instance in graph.of_type(INSTANCES[cluster_type]):
        clusters = graph.linked(instance, get(instance.props, "clusterIdentifier"),
                                [cluster_type], "clusterIdentifier", prop="clusterIdentifier")
        for cluster_id in dict.fromkeys(id(c) for c in clusters):
            members.setdefault(cluster_id, []).append(instance)
    return members


def _members(graph: Graph, cluster: Any) -> list[Any]:
    by_cluster = graph.index(("cluster members", cluster.resource_type),
                             lambda g: _members_by_cluster(g, cluster.resource_type))
    return list(by_cluster.get(id(cluster), []))


def check_multi_az(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    if environment(graph, config) != "prod":
        return
    for cluster in graph.of_type(RDS_CLUSTER, DOCDB_CLUSTER):
        if not _aurora(cluster) or get(cluster.props, "engineMode") == "serverless":
            continue
        members = _members(graph, cluster)
        if len(members) < 2:
            report(cluster, f"{label(cluster)} has {len(members)} instance(s) in prod; add a "
                            "second instance (a reader in another AZ) so a failover has a "
                            "target")
    for db in graph.of_type("aws:rds/instance:Instance"):
        if not get(db.props, "replicateSourceDb") and get(db.props, "multiAz") is not UNKNOWN \
                and not truthy(get(db.props, "multiAz")):
            report(db, f"database {label(db)} is single-AZ in prod; set multi_az=True")
    for group in graph.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        off = [k for k in ("automaticFailoverEnabled", "multiAzEnabled")
               if get(group.props, k) is not UNKNOWN and not truthy(get(group.props, k))]
        if off:
            report(group, f"cache {label(group)} has no Multi-AZ failover in prod "
                          f"({', '.join(off)} not set); set automatic_failover_enabled=True, "
                          "multi_az_enabled=True and at least 2 cache clusters")
    for cache in graph.of_type("aws:elasticache/cluster:Cluster"):
        if get(cache.props, "engine") in ("redis", "valkey") and not get(
                cache.props, "replicationGroupId"):
            report(cache, f"cache {label(cache)} is a single node in prod; use an "
                          "aws.elasticache.ReplicationGroup with Multi-AZ failover")
    for group in graph.of_type("aws:eks/nodeGroup:NodeGroup"):
        subnets = items(get(group.props, "subnetIds"))
        if UNKNOWN not in subnets and len(set(subnets)) < 2:
            report(group, f"EKS node group {label(group)} spans {len(set(subnets))} subnet(s) "
                          "in prod; give it subnets in at least two AZs")
    for channel in graph.of_type("aws:medialive/channel:Channel"):
        if get(channel.props, "channelClass") == "SINGLE_PIPELINE":
            report(channel, f"MediaLive channel {label(channel)} is SINGLE_PIPELINE in prod; "
                            "set channel_class='STANDARD' (two pipelines in two AZs)")


PROTECTION = {
    RDS_CLUSTER: "deletionProtection", DOCDB_CLUSTER: "deletionProtection",
    "aws:rds/instance:Instance": "deletionProtection",
    "aws:dynamodb/table:Table": "deletionProtectionEnabled",
    "aws-native:dynamodb:Table": "deletionProtectionEnabled",
    "aws-native:rds:DbCluster": "deletionProtection",
    "aws-native:rds:DbInstance": "deletionProtection",
}
SNAKE = {"deletionProtection": "deletion_protection",
         "deletionProtectionEnabled": "deletion_protection_enabled"}


def check_deletion_protection(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    if environment(graph, config) != "prod":
        return
    for type_token, key in PROTECTION.items():
        for db in graph.of_type(type_token):
            value = get(db.props, key)
            if value is not UNKNOWN and not truthy(value):
                report(db, f"{label(db)} has no deletion protection in prod; set "
                           f"{SNAKE[key]}=True (and protect=True, retain_on_delete=True)")


def check_backup_retention(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    minimum = setting(config, "minBackupDays")

    def judge(resource: Any, days: Any, what: str, fix: str) -> None:
        value = number(days)
        if days is not UNKNOWN and (value is None or value < minimum):
            shown = "unset" if days is None else f"{days:g}" if isinstance(days, float) else days
            report(resource, f"{label(resource)} keeps {what} for {shown} day(s), below the "
                             f"minimum of {minimum}; {fix}")

    for cluster in graph.of_type(RDS_CLUSTER, DOCDB_CLUSTER):
        judge(cluster, get(cluster.props, "backupRetentionPeriod", default=1.0), "backups",
              f"set backup_retention_period>={minimum}")
    for db in graph.of_type("aws:rds/instance:Instance"):
        if not get(db.props, "replicateSourceDb"):
            judge(db, get(db.props, "backupRetentionPeriod", default=0.0), "backups",
                  f"set backup_retention_period>={minimum}")
    # CloudFormation defaults BackupRetentionPeriod to 1 day for both.
    for cluster in graph.of_type("aws-native:rds:DbCluster"):
        judge(cluster, get(cluster.props, "backupRetentionPeriod", default=1.0), "backups",
              f"set backup_retention_period>={minimum}")
    for db in graph.of_type("aws-native:rds:DbInstance"):
        if get(db.props, "dbClusterIdentifier") or get(db.props,
                                                       "sourceDbInstanceIdentifier"):
            continue  # a cluster member (the cluster keeps the backups) or a read replica
        judge(db, get(db.props, "backupRetentionPeriod", default=1.0), "backups",
              f"set backup_retention_period>={minimum}")
    for table in graph.of_type("aws:dynamodb/table:Table"):
        pitr = get(table.props, "pointInTimeRecovery")
        if get(pitr, "enabled") is UNKNOWN:
            continue
        days = get(pitr, "recoveryPeriodInDays", default=35.0) if truthy(
            get(pitr, "enabled")) else 0.0
        judge(table, days, "point-in-time recovery",
              f"set point_in_time_recovery enabled=True (recovery period >= {minimum} days)")
    for plan in graph.of_type("aws:backup/plan:Plan"):
        for rule in items(get(plan.props, "rules")):
            after = get(rule, "lifecycle", "deleteAfter")
            if after is not None:
                judge(plan, after, f"recovery points of rule '{get(rule, 'ruleName')}'",
                      f"set lifecycle.delete_after>={minimum}")
            for action in items(get(rule, "copyActions")):
                after = get(action, "lifecycle", "deleteAfter")
                if after is not None:
                    judge(plan, after, "copied recovery points",
                          f"set the copy action's lifecycle.delete_after>={minimum}")


POLICIES = [
    stack_policy(
        "prod-multi-az",
        "In prod: Aurora/DocumentDB clusters have 2+ instances, Redis has Multi-AZ failover, "
        "node groups span AZs, MediaLive channels are STANDARD.",
        check_multi_az, config_keys=("environment",),
        remediation="Add instances / turn on Multi-AZ / spread over AZs.",
    ),
    stack_policy(
        "prod-deletion-protection",
        "In prod: databases and tables have deletion protection.",
        check_deletion_protection, config_keys=("environment",),
        remediation="Set deletion protection on the database or table.",
    ),
    stack_policy(
        "backup-retention-min",
        "Backups (RDS/Aurora, DocumentDB, DynamoDB PITR, AWS Backup rules) are kept at least "
        "minBackupDays.",
        check_backup_retention, config_keys=("minBackupDays",),
        remediation="Raise the retention to minBackupDays or more.",
    ),
]
