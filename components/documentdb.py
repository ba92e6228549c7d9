"""DocumentDB (MongoDB-compatible): the CourseBundler seed's database.

A cluster in the isolated subnets with instances spread over AZs, TLS required and audit
logs on through the cluster parameter group, storage and Performance Insights encrypted
with a customer key, audit/profiler log exports, and a generated master password that
reaches the cluster only as a secret and the applications through Secrets Manager.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.labels import DataClass, child_name, resource_tags
from components.logs import check_log_retention
from components.monitoring import MonitoredResource
from components.stateful import (
    check_backup_retention,
    check_form,
    check_instances,
    cluster_identifier,
    cluster_instances,
    deletion_guard,
    export_log_groups,
    generated_secret,
    store_foundation,
)

PORT = 27017
LOG_EXPORTS = ["audit", "profiler"]
_ENGINE_VERSION = re.compile(r"^(?P<family>\d+\.\d+)\.\d+$")
_USERNAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{0,62}$")


@dataclass(frozen=True, kw_only=True)
class DocumentDbSettings:
    engine_version: str = "5.0.0"
    """DocumentDB engine version (`5.0.0`); picks the parameter family (`docdb5.0`)."""
    instance_class: str = "db.r6g.large"
    """Instance class of every instance."""
    instance_count: int = 2
    """Primary plus replicas; 2 (default) gives a failover target in a second AZ."""
    master_username: str = "platformadmin"
    """Master user; its password is generated, never configured."""
    profiler_threshold_ms: int = 100
    """Operations slower than this are written to the profiler log."""
    data_class: DataClass = "user-pii"
    """`data-class` tag of the cluster and instances (default: user-pii)."""

    @property
    def family(self) -> str:
        match = _ENGINE_VERSION.match(self.engine_version)
        assert match is not None
        return f"docdb{match['family']}"

    def __post_init__(self) -> None:
        check_form("engine_version", self.engine_version,
                   bool(_ENGINE_VERSION.match(self.engine_version)), "a DocumentDB version",
                   "write it like 5.0.0")
        check_form("master_username", self.master_username,
                   bool(_USERNAME.match(self.master_username)), "a DocumentDB user name",
                   "start with a letter, use letters and digits")
        if self.profiler_threshold_ms < 50:
            raise ValueError(f"profiler_threshold_ms: {self.profiler_threshold_ms} is below "
                             "DocumentDB's minimum; use 50 or more")


@dataclass(frozen=True, kw_only=True)
class DocumentDbArgs(DocumentDbSettings):
    vpc_id: pulumi.Input[str]
    """VPC of the cluster's security group (the Network's `vpc_id`)."""
    subnet_group_name: pulumi.Input[str]
    """DocumentDB subnet group over the isolated subnets (`docdb_subnet_group_name`)."""
    availability_zones: list[str]
    """AZ names the instances are placed in, round-robin (the Network's AZs)."""
    workload_security_group_ids: list[pulumi.Input[str]] = field(default_factory=list)
    """Security groups admitted on 27017; empty admits nothing (fail closed)."""
    multi_az: bool = True
    """Require instances in at least two AZs (default)."""
    backup_retention_days: int = 14
    """Backup retention, 1-35 days; at least 7 when `protect`."""
    log_retention_days: int = 365
    """Retention of the exported audit and profiler log groups (KMS-encrypted, made first)."""
    protect: bool = True
    """Deletion protection, Pulumi protect, retain on delete and a final snapshot (default on)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the cluster and instances."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_instances(self.instance_class, self.instance_count, self.availability_zones,
                        self.multi_az, class_kind="a DocumentDB", class_example="db.r6g.large")
        check_log_retention("log_retention_days", self.log_retention_days)
        check_backup_retention("backup_retention_days", self.backup_retention_days,
                               self.protect)


class DocumentDb(pulumi.ComponentResource):
    """DocumentDB cluster, instances over AZs, its key, parameters, secret and security group."""

    cluster_identifier: pulumi.Output[str]
    """The cluster's identifier (the `DBClusterIdentifier` metric dimension)."""
    endpoint: pulumi.Output[str]
    """Primary (writer) endpoint."""
    reader_endpoint: pulumi.Output[str]
    """Load-balanced reader endpoint."""
    port: int
    """TCP port (27017)."""
    security_group_id: pulumi.Output[str]
    """Security group of the cluster (admits 27017 from the workload groups only)."""
    kms_key_arn: pulumi.Output[str]
    """Customer key encrypting storage, Performance Insights and the master secret."""
    master_secret_arn: pulumi.Output[str]
    """Secrets Manager secret with the master `username` and `password`."""
    monitored: list[MonitoredResource]
    """The cluster, for the `documentdb` alarm set (dimension DBClusterIdentifier)."""

    def __init__(self, name: str, args: DocumentDbArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:documentdb:DocumentDb", name, None, opts)
        self.args = args
        base = store_foundation(
            name, parent=self, protect=args.protect, key_description=f"{name} DocumentDB "
            "storage, Performance Insights and master secret", vpc_id=args.vpc_id, port=PORT,
            protocol="MongoDB protocol",
            workload_security_group_ids=args.workload_security_group_ids)
        key, sg = base.key, base.security_group
        self.kms_key_arn = key.arn
        self.security_group_id = sg.id
        self.port = PORT

        parameters = aws.docdb.ClusterParameterGroup(
            child_name(name, "cluster-params"),
            family=args.family,
            description=f"{name}: TLS required, audit and profiler logs on",
            parameters=[
                aws.docdb.ClusterParameterGroupParameterArgs(
                    name=param, value=value, apply_method="pending-reboot")
                for param, value in (("tls", "enabled"), ("audit_logs", "enabled"),
                                     ("profiler", "enabled"),
                                     ("profiler_threshold_ms", str(args.profiler_threshold_ms)))
            ],
            tags=resource_tags(child_name(name, "cluster-params")),
            opts=pulumi.ResourceOptions(parent=self),
        )
        password = generated_secret(
            name, "master-password", parent=self, kms_key_arn=key.arn,
            description=f"{name} DocumentDB master credentials", protect=args.protect,
            username=args.master_username)
        self.master_secret_arn = password.secret.arn

        identifier = cluster_identifier(name)
        log_groups = export_log_groups(
            name, parent=self, keep=base.keep, retention_days=args.log_retention_days,
            names=[f"/aws/docdb/{identifier}/{log}" for log in LOG_EXPORTS])
        cluster = aws.docdb.Cluster(
            child_name(name, "cluster"),
            cluster_identifier=identifier,
            engine="docdb",
            engine_version=args.engine_version,
            db_subnet_group_name=args.subnet_group_name,
            vpc_security_group_ids=[sg.id],
            port=PORT,
            db_cluster_parameter_group_name=parameters.name,
            master_username=args.master_username,
            master_password=password.value,
            storage_encrypted=True,
            kms_key_id=key.arn,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            backup_retention_period=args.backup_retention_days,
            tags=resource_tags(name, args.data_class, args.tags),
            opts=pulumi.ResourceOptions.merge(base.keep,
                                              pulumi.ResourceOptions(depends_on=log_groups)),
            **deletion_guard(name, args.protect),
        )
        self.cluster_identifier = cluster.cluster_identifier
        self.endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint

        cluster_instances(
            aws.docdb.ClusterInstance, name, parent=self, zones=args.availability_zones,
            count=args.instance_count, protect=args.protect, data_class=args.data_class,
            tags=args.tags,
            cluster_identifier=cluster.id,
            engine="docdb",
            instance_class=args.instance_class,
            enable_performance_insights=True,
            performance_insights_kms_key_id=key.arn,
        )

        self.monitored = [MonitoredResource(
            kind="documentdb", name=name,
            dimensions={"DBClusterIdentifier": cluster.cluster_identifier})]
        self.register_outputs({
            "clusterIdentifier": self.cluster_identifier,
            "endpoint": self.endpoint,
            "readerEndpoint": self.reader_endpoint,
            "port": self.port,
            "securityGroupId": self.security_group_id,
            "kmsKeyArn": self.kms_key_arn,
            "masterSecretArn": self.master_secret_arn,
        })
