"""The data layer of a regional stack: Aurora, DocumentDB, Redis and DynamoDB.

Every store gets the profile's protection (`protect_stateful`), backup retention
(`backup_retention_days`) and availability (`availability`), sits in the network's isolated
subnets and admits only the workload security groups the compute layer recorded in
`ctx.workload_security_group_ids` (empty: the stores admit nobody).

Aurora global database across stacks: both stack files set the same
`aurora.global_cluster_identifier` under `config: platform:profile`; the primary stack
(`global_role: primary`) creates the global cluster with that name, the secondary
(`global_role: secondary`, `global_primary_region`) joins it by name. Both regions must be
in the stack's jurisdiction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pulumi

from components.aurora import AuroraPostgres, AuroraPostgresArgs
from components.documentdb import DocumentDb, DocumentDbArgs
from components.dynamodb import DynamoTable, DynamoTableArgs
from components.redis import Redis, RedisArgs
from stacks.context import RegionalContext, profile_args

ArgsT = TypeVar("ArgsT")
StoreT = TypeVar("StoreT", bound=pulumi.ComponentResource)


def _store(ctx: RegionalContext, name: str, component: Callable[..., StoreT],
           build: Callable[[], ArgsT], *, section: str | None = None) -> StoreT:
    """Build the store `name` from args made of profile `section` (default: `name`), add it
    to `ctx`; a refused argument becomes one line naming its file (`profile_args`)."""
    args = profile_args(ctx.spec, section or name, build)
    store = component(name, args, opts=ctx.providers.opts())
    ctx.add(name, store)
    return store


def _in_network(ctx: RegionalContext) -> dict[str, Any]:
    """Args every store in the isolated subnets shares: VPC, AZs, the workload groups it
    admits, the profile's availability and protection."""
    return {
        "vpc_id": ctx.network.vpc_id,
        "availability_zones": ctx.network.availability_zones,
        "workload_security_group_ids": list(ctx.workload_security_group_ids),
        "multi_az": ctx.spec.profile.availability == "multi-az",
        "protect": ctx.spec.profile.protect_stateful,
    }


def build(ctx: RegionalContext) -> None:
    """Build the data components the profile turns on into `ctx`."""
    profile = ctx.spec.profile
    if profile.aurora.enabled:
        _aurora(ctx)
    if profile.documentdb.enabled:
        _documentdb(ctx)
    if profile.redis.enabled:
        _redis(ctx)
    if profile.dynamodb.enabled:
        _dynamodb(ctx)


def _aurora(ctx: RegionalContext) -> None:
    spec, profile = ctx.spec, ctx.spec.profile
    aurora = profile.aurora
    cluster = _store(ctx, "aurora", AuroraPostgres, lambda: AuroraPostgresArgs(
        **_in_network(ctx),
        db_subnet_group_name=ctx.network.db_subnet_group_name,
        engine_version=aurora.engine_version,
        instance_class=aurora.instance_class,
        instance_count=aurora.instance_count,
        serverless_min_acu=aurora.serverless_min_acu,
        serverless_max_acu=aurora.serverless_max_acu,
        database_name=aurora.database_name,
        backup_retention_days=profile.backup_retention_days,
        log_retention_days=profile.log_retention_days,
        performance_insights_retention_days=aurora.performance_insights_retention_days,
        global_role=aurora.global_role,
        global_cluster_identifier=aurora.global_cluster_identifier,
        region=spec.region,
        primary_region=(aurora.global_primary_region if aurora.global_role == "secondary"
                        else None),
        allowed_regions=spec.allowed_regions,
        data_class=aurora.data_class,
    ))
    ctx.export("auroraClusterIdentifier", cluster.cluster_identifier)
    ctx.export("auroraEndpoint", cluster.endpoint)
    ctx.export("auroraReaderEndpoint", cluster.reader_endpoint)
    if cluster.master_secret_arn is not None:
        ctx.export("auroraMasterSecretArn", cluster.master_secret_arn)
    if cluster.global_cluster_identifier is not None:
        ctx.export("auroraGlobalClusterIdentifier", cluster.global_cluster_identifier)


def _documentdb(ctx: RegionalContext) -> None:
    profile = ctx.spec.profile
    docdb = profile.documentdb
    cluster = _store(ctx, "documentdb", DocumentDb, lambda: DocumentDbArgs(
        **_in_network(ctx),
        subnet_group_name=ctx.network.docdb_subnet_group_name,
        engine_version=docdb.engine_version,
        instance_class=docdb.instance_class,
        instance_count=docdb.instance_count,
        backup_retention_days=profile.backup_retention_days,
        log_retention_days=profile.log_retention_days,
        data_class=docdb.data_class,
    ))
    ctx.export("documentDbClusterIdentifier", cluster.cluster_identifier)
    ctx.export("documentDbEndpoint", cluster.endpoint)
    ctx.export("documentDbMasterSecretArn", cluster.master_secret_arn)


def _redis(ctx: RegionalContext) -> None:
    profile = ctx.spec.profile
    redis = profile.redis
    group = _store(ctx, "redis", Redis, lambda: RedisArgs(
        **_in_network(ctx),
        subnet_group_name=ctx.network.cache_subnet_group_name,
        engine=redis.engine,
        engine_version=redis.engine_version,
        node_type=redis.node_type,
        replicas=redis.replicas,
        snapshot_retention_days=profile.backup_retention_days,
        log_retention_days=profile.log_retention_days,
        data_class=redis.data_class,
    ))
    ctx.export("redisReplicationGroupId", group.replication_group_id)
    ctx.export("redisPrimaryEndpoint", group.primary_endpoint)
    ctx.export("redisAuthTokenSecretArn", group.auth_token_secret_arn)


def _dynamodb(ctx: RegionalContext) -> None:
    spec, profile = ctx.spec, ctx.spec.profile
    dynamodb = profile.dynamodb
    names = {}
    for table_name, table in sorted(dynamodb.tables.items()):
        component = _store(
            ctx, f"dynamodb-{table_name}", DynamoTable, lambda t=table: DynamoTableArgs(
                hash_key=t.hash_key,
                range_key=t.range_key,
                attributes=dict(t.attributes),
                ttl_attribute=t.ttl_attribute,
                region=spec.region,
                allowed_regions=spec.allowed_regions,
                replica_regions=list(dynamodb.replica_regions),
                point_in_time_recovery_days=profile.backup_retention_days,
                protect=profile.protect_stateful,
                data_class=t.data_class,
            ), section=f"dynamodb.tables.{table_name}")
        names[table_name] = component.table_name
    ctx.export("dynamoDbTableNames", names)
