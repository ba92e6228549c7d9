"""Aurora PostgreSQL: a cluster in the isolated subnets, reachable only from the workloads.

Inputs follow terraform-aws-modules/rds-aurora; defaults are the production choice
(provisioned writer + reader in two AZs, customer-key encryption, TLS forced, IAM auth,
Performance Insights, deletion protection and a final snapshot). Serverless v2 is chosen
with `instance_class="db.serverless"`.

Master credentials:
- standalone (`global_role="none"`): RDS manages the password in Secrets Manager
  (`manage_master_user_password`), encrypted with the cluster's key; it never enters
  Pulumi state;
- global primary: RDS-managed passwords are not supported for clusters of a global
  database, so a pulumi-random password is generated, passed only as a secret and kept in
  a KMS-encrypted Secrets Manager secret;
- global secondary: no credentials (they come from the primary through replication).

Global database: the primary stack creates `aws.rds.GlobalCluster` named
`global_cluster_identifier` and its cluster joins it; a secondary stack (another region
of the same jurisdiction) joins the global cluster by that same identifier, which both
stacks read from their profile (`aurora.global_cluster_identifier` in the stack file).
The identifier is chosen, not generated, so no StackReference is needed to join.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.labels import DataClass, child_name, resource_tags
from components.logs import check_log_retention
from components.monitoring import MonitoredResource
from components.stateful import (
    check_backup_retention,
    check_form,
    check_in_jurisdiction,
    check_instances,
    cluster_identifier,
    cluster_instances,
    deletion_guard,
    export_log_groups,
    generated_secret,
    store_foundation,
)

GlobalRole = Literal["none", "primary", "secondary"]
GLOBAL_ROLES: tuple[str, ...] = ("none", "primary", "secondary")
ENGINE = "aurora-postgresql"
PORT = 5432
LOG_EXPORTS = ["postgresql"]
SERVERLESS_CLASS = "db.serverless"
MAX_ACU = 256
PERFORMANCE_INSIGHTS_RETENTION = (7, 31, 62, 93, 124, 155, 186, 217, 248, 279, 310, 341,
                                  372, 403, 434, 465, 496, 527, 558, 589, 620, 651, 682, 713,
                                  731)
_ENGINE_VERSION = re.compile(r"^(?P<major>\d+)(\.\d+)?$")
_IDENTIFIER = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{0,62}(?<!-)$")
_USERNAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$")


@dataclass(frozen=True, kw_only=True)
class AuroraPostgresSettings:
    engine_version: str = "16.6"
    """Aurora PostgreSQL version (`16.6`, or a major like `16`); picks the parameter family."""
    instance_class: str = "db.r6g.large"
    """Instance class of every instance; `db.serverless` makes the cluster Serverless v2."""
    instance_count: int = 2
    """Writer plus readers; 2 (default) gives a failover target in a second AZ."""
    serverless_min_acu: float = 0.5
    """Serverless v2 minimum capacity (0 lets it auto-pause); only with `db.serverless`."""
    serverless_max_acu: float = 16
    """Serverless v2 maximum capacity, up to 256; only with `db.serverless`."""
    database_name: str = "app"
    """Initial database; ignored by a global secondary, which replicates the primary's."""
    master_username: str = "platform_admin"
    """Master user; its password is generated (see the module docstring), never configured."""
    performance_insights_retention_days: int = 7
    """Performance Insights retention: 7 (free tier) or a multiple of 31 up to 731."""
    global_role: GlobalRole = "none"
    """`none` (default), `primary` (creates the global cluster) or `secondary` (joins it)."""
    global_cluster_identifier: str | None = None
    """Global cluster name shared by the primary and secondary stacks; required when global."""
    primary_region: str | None = None
    """Region of the global primary; required for a secondary, must differ from `region`."""
    data_class: DataClass = "user-pii"
    """`data-class` tag of the cluster, its instances and snapshots (default: user-pii)."""

    @property
    def serverless(self) -> bool:
        return self.instance_class == SERVERLESS_CLASS

    @property
    def engine_major(self) -> str:
        return self.engine_version.split(".")[0]

    def __post_init__(self) -> None:
        check_form("engine_version", self.engine_version,
                   bool(_ENGINE_VERSION.match(self.engine_version)), "a version",
                   "write it like 16.6")
        if self.serverless and not (
                0 <= self.serverless_min_acu <= self.serverless_max_acu <= MAX_ACU):
            raise ValueError(f"serverless_min_acu: {self.serverless_min_acu}-"
                             f"{self.serverless_max_acu} ACU is not a range within 0-{MAX_ACU}; "
                             "give 0 <= min <= max <= 256")
        check_form("master_username", self.master_username,
                   bool(_USERNAME.match(self.master_username)), "a PostgreSQL user name",
                   "start with a letter, use letters, digits and _")
        # A database name is a PostgreSQL identifier, like the user name.
        check_form("database_name", self.database_name,
                   bool(_USERNAME.match(self.database_name)), "a PostgreSQL database name",
                   "start with a letter, use up to 63 letters, digits and _")
        if self.performance_insights_retention_days not in PERFORMANCE_INSIGHTS_RETENTION:
            raise ValueError(f"performance_insights_retention_days: "
                             f"{self.performance_insights_retention_days} is not offered; use 7 "
                             "or a multiple of 31 up to 731")


@dataclass(frozen=True, kw_only=True)
class AuroraPostgresArgs(AuroraPostgresSettings):
    vpc_id: pulumi.Input[str]
    """VPC of the cluster's security group (the Network's `vpc_id`)."""
    db_subnet_group_name: pulumi.Input[str]
    """Subnet group over the isolated subnets (the Network's `db_subnet_group_name`)."""
    availability_zones: list[str]
    """AZ names the instances are placed in, round-robin (the Network's AZs)."""
    workload_security_group_ids: list[pulumi.Input[str]] = field(default_factory=list)
    """Security groups admitted on 5432; empty admits nothing (fail closed)."""
    multi_az: bool = True
    """Require instances in two or more AZs (default): losing an AZ is a failover, not an outage."""
    backup_retention_days: int = 14
    """Automated backup retention, 1-35 days; at least 7 when `protect`."""
    log_retention_days: int = 365
    """Retention of the exported `postgresql` log group (KMS-encrypted, made before the cluster)."""
    protect: bool = True
    """Deletion protection, Pulumi protect, retain on delete and a final snapshot (default on)."""
    region: str | None = None
    """This cluster's region (plain value, for the jurisdiction check); required when global."""
    allowed_regions: list[str] = field(default_factory=list)
    """Regions of the stack's jurisdiction; a global cluster's regions must all be in it."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the cluster and instances."""
    joins_global_cluster: pulumi.Input[str] | None = None
    """Secondary only: the global cluster to join as the primary stack publishes it (an
    Output of its exports), instead of spelling `global_cluster_identifier` in both stacks."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_instances(self.instance_class, self.instance_count, self.availability_zones,
                        self.multi_az, class_kind="an RDS",
                        class_example=f"db.r6g.large or {SERVERLESS_CLASS}")
        check_log_retention("log_retention_days", self.log_retention_days)
        check_backup_retention("backup_retention_days", self.backup_retention_days,
                               self.protect)
        self._check_global()

    def _check_global(self) -> None:
        if self.global_role not in GLOBAL_ROLES:
            raise ValueError(f"global_role: '{self.global_role}' is unknown; use one of "
                             f"{', '.join(GLOBAL_ROLES)}")
        if self.global_role == "none":
            if self.joins_global_cluster is not None:
                raise ValueError("joins_global_cluster: only a global secondary joins one; set "
                                 "global_role: secondary")
            return
        if self.joins_global_cluster is not None:
            if self.global_role != "secondary":
                raise ValueError("joins_global_cluster: only a global secondary joins one; a "
                                 "primary creates global_cluster_identifier")
        elif not self.global_cluster_identifier or not _IDENTIFIER.match(
                self.global_cluster_identifier):
            raise ValueError(f"global_cluster_identifier: {self.global_cluster_identifier!r} is "
                             f"not a cluster identifier; a {self.global_role} needs one like "
                             "course-platform-prod-us (letters, digits, single hyphens)")
        if not self.region:
            raise ValueError(f"region: missing; a global {self.global_role} needs its region "
                             "for the jurisdiction check")
        check_in_jurisdiction(self.region, self.allowed_regions, "cluster")
        if self.global_role == "primary":
            if self.primary_region not in (None, self.region):
                raise ValueError(f"primary_region: {self.primary_region} differs from region "
                                 f"{self.region}; a primary is its own primary region, leave "
                                 "primary_region unset")
            return
        if not self.primary_region:
            raise ValueError("primary_region: missing; a global secondary needs the region "
                             "of the primary cluster it joins")
        if self.primary_region not in self.allowed_regions:
            raise ValueError(f"primary_region: {self.primary_region} is outside the "
                             f"jurisdiction ({', '.join(self.allowed_regions)}) of {self.region}; "
                             "join a global cluster whose primary is in one of those regions")
        if self.primary_region == self.region:
            raise ValueError(f"primary_region: {self.primary_region} is this cluster's own "
                             "region; a secondary must be in another region of the jurisdiction")


class AuroraPostgres(pulumi.ComponentResource):
    """Aurora PostgreSQL cluster, instances over AZs, its key, parameters and security group."""

    cluster_identifier: pulumi.Output[str]
    """The cluster's identifier (the `DBClusterIdentifier` metric dimension)."""
    endpoint: pulumi.Output[str]
    """Writer endpoint."""
    reader_endpoint: pulumi.Output[str]
    """Load-balanced reader endpoint."""
    port: int
    """TCP port (5432)."""
    security_group_id: pulumi.Output[str]
    """Security group of the cluster (admits 5432 from the workload groups only)."""
    kms_key_arn: pulumi.Output[str]
    """Customer key encrypting storage, Performance Insights and the master secret."""
    master_secret_arn: pulumi.Output[str] | None
    """Secrets Manager secret holding the master credentials (None for a global secondary)."""
    global_cluster_identifier: pulumi.Input[str] | None
    """The global cluster this cluster belongs to, if any."""
    monitored: list[MonitoredResource]
    """The cluster, for the `aurora` alarm set (dimension DBClusterIdentifier)."""

    def __init__(self, name: str, args: AuroraPostgresArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:aurora:AuroraPostgres", name, None, opts)
        self.args = args
        child = pulumi.ResourceOptions(parent=self)
        tags = resource_tags(name, args.data_class, args.tags)

        base = store_foundation(
            name, parent=self, protect=args.protect, key_description=f"{name} Aurora "
            "PostgreSQL storage, Performance Insights and master secret", vpc_id=args.vpc_id,
            port=PORT, protocol="PostgreSQL",
            workload_security_group_ids=args.workload_security_group_ids)
        keep, key, sg = base.keep, base.key, base.security_group
        self.kms_key_arn = key.arn
        self.security_group_id = sg.id
        self.port = PORT

        parameters = aws.rds.ClusterParameterGroup(
            child_name(name, "cluster-params"),
            family=f"{ENGINE}{args.engine_major}",
            description=f"{name}: TLS required",
            parameters=[aws.rds.ClusterParameterGroupParameterArgs(
                name="rds.force_ssl", value="1", apply_method="pending-reboot")],
            tags=resource_tags(child_name(name, "cluster-params")),
            opts=child,
        )

        global_cluster = None
        self.global_cluster_identifier = (
            args.joins_global_cluster or args.global_cluster_identifier)
        if args.global_role == "primary":
            global_cluster = aws.rds.GlobalCluster(
                child_name(name, "global"),
                global_cluster_identifier=args.global_cluster_identifier,
                engine=ENGINE,
                engine_version=args.engine_version,
                database_name=args.database_name,
                storage_encrypted=True,
                deletion_protection=args.protect,
                tags=resource_tags(child_name(name, "global"), args.data_class),
                opts=keep,
            )

        credentials = self._credentials(name, args, key)
        cluster_opts = keep
        if args.global_role == "secondary":
            # Set by RDS when the secondary joins; terraform-aws-modules ignores it likewise.
            cluster_opts = pulumi.ResourceOptions.merge(
                keep, pulumi.ResourceOptions(ignore_changes=["replicationSourceIdentifier"]))
        identifier = cluster_identifier(name)
        log_groups = export_log_groups(
            name, parent=self, keep=keep, retention_days=args.log_retention_days,
            names=[f"/aws/rds/cluster/{identifier}/{log}" for log in LOG_EXPORTS])
        cluster_opts = pulumi.ResourceOptions.merge(
            cluster_opts, pulumi.ResourceOptions(depends_on=log_groups))
        cluster = aws.rds.Cluster(
            child_name(name, "cluster"),
            cluster_identifier=identifier,
            engine=ENGINE,
            engine_mode="provisioned",
            engine_version=args.engine_version,
            global_cluster_identifier=(
                global_cluster.global_cluster_identifier if global_cluster is not None
                else self.global_cluster_identifier if args.global_role == "secondary"
                else None),
            db_subnet_group_name=args.db_subnet_group_name,
            vpc_security_group_ids=[sg.id],
            port=PORT,
            db_cluster_parameter_group_name=parameters.name,
            storage_encrypted=True,
            kms_key_id=key.arn,
            iam_database_authentication_enabled=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            backup_retention_period=args.backup_retention_days,
            copy_tags_to_snapshot=True,
            delete_automated_backups=not args.protect,
            serverlessv2_scaling_configuration=(
                aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                    min_capacity=args.serverless_min_acu, max_capacity=args.serverless_max_acu)
                if args.serverless else None),
            tags=tags,
            opts=cluster_opts,
            **deletion_guard(name, args.protect),
            **credentials,
        )
        self.cluster_identifier = cluster.cluster_identifier
        self.endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
        if args.global_role == "none":
            self.master_secret_arn = cluster.master_user_secrets.apply(
                lambda secrets: secrets[0].secret_arn if secrets else "")
        elif args.global_role == "primary":
            self.master_secret_arn = self._generated.secret.arn
        else:
            self.master_secret_arn = None

        cluster_instances(
            aws.rds.ClusterInstance, name, parent=self, zones=args.availability_zones,
            count=args.instance_count, protect=args.protect, data_class=args.data_class,
            tags=args.tags,
            cluster_identifier=cluster.id,
            engine=ENGINE,
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            db_subnet_group_name=args.db_subnet_group_name,
            publicly_accessible=False,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=key.arn,
            performance_insights_retention_period=args.performance_insights_retention_days,
        )

        self.monitored = [MonitoredResource(
            kind="aurora", name=name,
            dimensions={"DBClusterIdentifier": cluster.cluster_identifier})]
        self.register_outputs({
            "clusterIdentifier": self.cluster_identifier,
            "endpoint": self.endpoint,
            "readerEndpoint": self.reader_endpoint,
            "port": self.port,
            "securityGroupId": self.security_group_id,
            "kmsKeyArn": self.kms_key_arn,
            "masterSecretArn": self.master_secret_arn,
            "globalClusterIdentifier": self.global_cluster_identifier,
        })

    def _credentials(self, name: str, args: AuroraPostgresArgs,
                     key: aws.kms.Key) -> dict[str, object]:
        """Cluster arguments for the master user, by global role (module docstring)."""
        if args.global_role == "secondary":
            return {}
        if args.global_role == "primary":
            self._generated = generated_secret(
                name, "master-password", parent=self, kms_key_arn=key.arn,
                description=f"{name} Aurora master credentials", protect=args.protect,
                username=args.master_username)
            return {"master_username": args.master_username,
                    "master_password": self._generated.value,
                    "database_name": args.database_name}
        return {"master_username": args.master_username,
                "manage_master_user_password": True,
                "master_user_secret_kms_key_id": key.arn,
                "database_name": args.database_name}
