"""Data-tier components under the offline engine: the properties that keep data safe and home.

Each store is checked for customer-key encryption, AZ spread, protection, backups, network
exposure and secrets; validation is checked on the full refusal message.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components.aurora import AuroraPostgres, AuroraPostgresArgs
from components.documentdb import DocumentDb, DocumentDbArgs
from components.dynamodb import DynamoTable, DynamoTableArgs
from components.redis import Redis, RedisArgs
from platformctl.fixtures import digest
from tests.plans import PlanView, in_region, run_offline

AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]
US = ["us-east-1", "us-west-2"]
WORKLOAD_SG = "sg-0workload0000001"
NET = {"vpc_id": "vpc-0test", "availability_zones": AZS,
       "workload_security_group_ids": [WORKLOAD_SG]}


def plan_of(build: Any, region: str = "us-east-1") -> PlanView:
    return run_offline(in_region(region, build))


def key_arn_of(view: PlanView, name: str) -> str:
    """The ARN the plan shows for customer key `name` (read back from its alias)."""
    assert view.named(name)["props"]["enableKeyRotation"] is True
    alias = view.named(f"{name}-alias")
    key_id = alias["props"]["targetKeyId"]
    region = view.named(name)["region"]
    return f"arn:aws:kms:{region}:123456789012:key/{key_id}"


def plaintext_passwords(view: PlanView) -> list[str]:
    """The values the offline fixture generated for every RandomPassword of the plan."""
    values = []
    for res in view.of_type("random:index/randomPassword:RandomPassword"):
        length = int(res["props"]["length"])
        values.append(digest("password", res["urn"], length=64)[:length])
    return values


def assert_no_plaintext(view: PlanView) -> None:
    passwords = plaintext_passwords(view)
    assert passwords, "expected generated passwords in the plan"
    text = json.dumps(view.plan)
    for value in passwords:
        assert value not in text


def assert_workload_only(sg: dict[str, Any], port: int) -> None:
    ingress = sg["props"]["ingress"]
    assert len(ingress) == 1
    assert ingress[0]["fromPort"] == port and ingress[0]["toPort"] == port
    assert ingress[0]["securityGroups"] == [WORKLOAD_SG]
    assert not ingress[0].get("cidrBlocks") and not ingress[0].get("ipv6CidrBlocks")
    assert sg["props"]["egress"] == []


def assert_protected(res: dict[str, Any]) -> None:
    assert res["protect"] is True and res["retainOnDelete"] is True, res["name"]


# ---- Aurora -------------------------------------------------------------------------------


def aurora(**overrides: Any) -> AuroraPostgresArgs:
    return AuroraPostgresArgs(db_subnet_group_name="db-subnets", **{**NET, **overrides})


def test_aurora_production_defaults() -> None:
    view = plan_of(lambda opts: AuroraPostgres("aurora", aurora(), opts=opts))
    cluster = view.one("aws:rds/cluster:Cluster")
    props = cluster["props"]
    assert props["storageEncrypted"] is True
    assert props["kmsKeyId"] == key_arn_of(view, "aurora-key")
    assert props["deletionProtection"] is True and props["skipFinalSnapshot"] is False
    assert props["finalSnapshotIdentifier"] == "aurora-final-test"
    assert props["backupRetentionPeriod"] >= 7 and props["copyTagsToSnapshot"] is True
    assert props["iamDatabaseAuthenticationEnabled"] is True
    assert props["enabledCloudwatchLogsExports"] == ["postgresql"]
    assert props["tags"]["data-class"] == "user-pii"
    assert_protected(cluster)
    # RDS manages the master password: nothing of it passes through Pulumi.
    assert props["manageMasterUserPassword"] is True
    assert props["masterUserSecretKmsKeyId"] == props["kmsKeyId"]
    assert "masterPassword" not in props

    instances = view.of_type("aws:rds/clusterInstance:ClusterInstance")
    assert len(instances) == 2
    assert len({i["props"]["availabilityZone"] for i in instances}) == 2
    for instance in instances:
        assert instance["props"]["publiclyAccessible"] is False
        assert instance["props"]["performanceInsightsEnabled"] is True
        assert instance["props"]["performanceInsightsKmsKeyId"] == props["kmsKeyId"]
        assert instance["protect"] is True

    params = view.one("aws:rds/clusterParameterGroup:ClusterParameterGroup")["props"]
    assert params["family"] == "aurora-postgresql16"
    assert {"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"} in \
        params["parameters"]
    assert_workload_only(view.one("aws:ec2/securityGroup:SecurityGroup"), 5432)
    assert_protected(view.named("aurora-key"))


def test_aurora_serverless_unprotected_for_dev() -> None:
    args = aurora(instance_class="db.serverless", instance_count=1, multi_az=False,
                  serverless_min_acu=0, serverless_max_acu=4, protect=False,
                  backup_retention_days=1, workload_security_group_ids=[])
    view = plan_of(lambda opts: AuroraPostgres("aurora", args, opts=opts))
    cluster = view.one("aws:rds/cluster:Cluster")
    assert cluster["props"]["serverlessv2ScalingConfiguration"] == {
        "minCapacity": 0, "maxCapacity": 4}
    assert cluster["props"]["deletionProtection"] is False
    assert cluster["props"]["skipFinalSnapshot"] is True
    assert cluster["protect"] is False
    assert cluster["props"]["storageEncrypted"] is True
    instance = view.one("aws:rds/clusterInstance:ClusterInstance")
    assert instance["props"]["instanceClass"] == "db.serverless"
    assert instance["props"]["publiclyAccessible"] is False
    # No workloads: the database admits nobody.
    assert view.one("aws:ec2/securityGroup:SecurityGroup")["props"]["ingress"] == []


def test_aurora_global_primary_creates_and_joins_the_global_cluster() -> None:
    args = aurora(global_role="primary", global_cluster_identifier="platform-prod-us",
                  region="us-east-1", allowed_regions=US)
    view = plan_of(lambda opts: AuroraPostgres("aurora", args, opts=opts))
    global_cluster = view.one("aws:rds/globalCluster:GlobalCluster")
    assert global_cluster["props"]["globalClusterIdentifier"] == "platform-prod-us"
    assert global_cluster["props"]["storageEncrypted"] is True
    assert global_cluster["props"]["deletionProtection"] is True
    assert_protected(global_cluster)
    cluster = view.one("aws:rds/cluster:Cluster")["props"]
    assert cluster["globalClusterIdentifier"] == "platform-prod-us"
    # RDS-managed passwords are not offered in a global database: generated, secret only.
    assert cluster["masterPassword"] == "[secret]"
    assert "manageMasterUserPassword" not in cluster
    secret = view.one("aws:secretsmanager/secret:Secret")
    assert secret["props"]["kmsKeyId"] == cluster["kmsKeyId"]
    assert view.one("aws:secretsmanager/secretVersion:SecretVersion")["props"][
        "secretString"] == "[secret]"
    assert_no_plaintext(view)


def test_aurora_global_secondary_joins_without_credentials() -> None:
    args = aurora(availability_zones=["us-west-2a", "us-west-2b"], global_role="secondary",
                  global_cluster_identifier="platform-prod-us", region="us-west-2",
                  primary_region="us-east-1", allowed_regions=US)
    view = plan_of(lambda opts: AuroraPostgres("aurora", args, opts=opts), "us-west-2")
    assert view.of_type("aws:rds/globalCluster:GlobalCluster") == []
    cluster = view.one("aws:rds/cluster:Cluster")
    assert cluster["props"]["globalClusterIdentifier"] == "platform-prod-us"
    assert cluster["region"] == "us-west-2"
    assert cluster["props"]["kmsKeyId"].startswith("arn:aws:kms:us-west-2:")
    assert not {"masterUsername", "masterPassword", "manageMasterUserPassword"} & set(
        cluster["props"])
    assert cluster["ignoreChanges"] == ["replicationSourceIdentifier"]
    assert view.of_type("random:index/randomPassword:RandomPassword") == []


@pytest.mark.parametrize(("overrides", "message"), [
    ({"global_role": "secondary", "global_cluster_identifier": "platform-prod-us",
      "region": "us-west-2", "primary_region": "me-south-1", "allowed_regions": US},
     r"^primary_region: me-south-1 is outside the jurisdiction \(us-east-1, us-west-2\) of "
     r"us-west-2; join a global cluster whose primary is in one of those regions$"),
    ({"global_role": "primary", "global_cluster_identifier": "platform-prod-sa",
      "region": "me-south-1", "allowed_regions": US},
     r"^region: me-south-1 is outside the jurisdiction \(us-east-1, us-west-2\); place the "
     r"cluster in one of those regions$"),
    ({"global_role": "secondary", "global_cluster_identifier": "platform-prod-us",
      "region": "us-east-1", "primary_region": "us-east-1", "allowed_regions": US},
     r"^primary_region: us-east-1 is this cluster's own region"),
    ({"global_role": "secondary", "region": "us-west-2", "primary_region": "us-east-1",
      "allowed_regions": US},
     r"^global_cluster_identifier: None is not a cluster identifier; a secondary needs one"),
    ({"instance_count": 1},
     r"^instance_count: 1 leaves the store in one AZ; use at least 2 with multi_az=True, "
     r"or set multi_az=False$"),
    ({"availability_zones": ["us-east-1a"]},
     r"^availability_zones: one AZ \(us-east-1a\) cannot hold a multi-AZ instance_count"),
    ({"backup_retention_days": 3},
     r"^backup_retention_days: 3 days is too short for a protected store; use at least 7 or "
     r"set protect=False$"),
    ({"instance_class": "db.serverless", "serverless_min_acu": 8, "serverless_max_acu": 4},
     r"^serverless_min_acu: 8-4 ACU is not a range within 0-256"),
    ({"engine_version": "latest"}, r"^engine_version: 'latest' is not a version"),
    ({"global_role": "tertiary"}, r"^global_role: 'tertiary' is unknown"),
    ({"database_name": "app-db"},
     r"^database_name: 'app-db' is not a PostgreSQL database name; start with a letter, use "
     r"up to 63 letters, digits and _$"),
])
def test_aurora_refuses_bad_input(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        aurora(**overrides)


# ---- DocumentDB ---------------------------------------------------------------------------


def test_documentdb_production_defaults() -> None:
    view = plan_of(lambda opts: DocumentDb(
        "docdb", DocumentDbArgs(subnet_group_name="docdb-subnets", **NET), opts=opts))
    cluster = view.one("aws:docdb/cluster:Cluster")
    props = cluster["props"]
    assert props["storageEncrypted"] is True
    assert props["kmsKeyId"] == key_arn_of(view, "docdb-key")
    assert props["deletionProtection"] is True and props["skipFinalSnapshot"] is False
    assert props["backupRetentionPeriod"] >= 7
    assert props["enabledCloudwatchLogsExports"] == ["audit", "profiler"]
    assert props["masterPassword"] == "[secret]"
    assert props["tags"]["data-class"] == "user-pii"
    assert_protected(cluster)
    instances = view.of_type("aws:docdb/clusterInstance:ClusterInstance")
    assert len({i["props"]["availabilityZone"] for i in instances}) == 2
    assert all(i["props"]["performanceInsightsKmsKeyId"] == props["kmsKeyId"]
               for i in instances)
    params = {p["name"]: p["value"] for p in view.one(
        "aws:docdb/clusterParameterGroup:ClusterParameterGroup")["props"]["parameters"]}
    assert params["tls"] == "enabled" and params["audit_logs"] == "enabled"
    assert_workload_only(view.one("aws:ec2/securityGroup:SecurityGroup"), 27017)
    secret = view.one("aws:secretsmanager/secret:Secret")
    assert secret["props"]["kmsKeyId"] == props["kmsKeyId"]
    assert_protected(secret)
    assert_no_plaintext(view)


def test_documentdb_refuses_single_instance_multi_az() -> None:
    with pytest.raises(ValueError, match=r"^instance_count: 1 leaves the store in one AZ"):
        DocumentDbArgs(subnet_group_name="s", instance_count=1, **NET)
    with pytest.raises(ValueError, match=r"^engine_version: '5' is not a DocumentDB version"):
        DocumentDbArgs(subnet_group_name="s", engine_version="5", **NET)


# ---- Redis --------------------------------------------------------------------------------


def test_redis_production_defaults() -> None:
    view = plan_of(lambda opts: Redis(
        "redis", RedisArgs(subnet_group_name="cache-subnets", **NET), opts=opts))
    group = view.one("aws:elasticache/replicationGroup:ReplicationGroup")
    props = group["props"]
    assert props["atRestEncryptionEnabled"] is True
    assert props["kmsKeyId"] == key_arn_of(view, "redis-key")
    assert props["transitEncryptionEnabled"] is True
    assert props["authToken"] == "[secret]"
    assert props["multiAzEnabled"] is True and props["automaticFailoverEnabled"] is True
    assert props["numCacheClusters"] == 3
    assert len(set(props["preferredCacheClusterAzs"])) == 3
    assert props["snapshotRetentionLimit"] >= 7
    assert props["finalSnapshotIdentifier"] == "redis-final-test"
    assert props["tags"]["data-class"] == "user-pii"
    assert_protected(group)
    log_group = view.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group["props"]["kmsKeyId"] == key_arn_of(view, "redis-slow-log-key")
    assert props["logDeliveryConfigurations"][0]["logType"] == "slow-log"
    assert_workload_only(view.one("aws:ec2/securityGroup:SecurityGroup"), 6379)
    assert_no_plaintext(view)


def test_redis_single_node_for_dev() -> None:
    args = RedisArgs(subnet_group_name="c", replicas=0, multi_az=False, protect=False,
                     snapshot_retention_days=1, **NET)
    view = plan_of(lambda opts: Redis("redis", args, opts=opts))
    props = view.one("aws:elasticache/replicationGroup:ReplicationGroup")["props"]
    assert props["automaticFailoverEnabled"] is False and props["multiAzEnabled"] is False
    assert props["numCacheClusters"] == 1
    assert props["atRestEncryptionEnabled"] is True and props["transitEncryptionEnabled"]


def test_redis_refuses_multi_az_without_replica() -> None:
    with pytest.raises(ValueError, match=r"^replicas: 0 leaves no failover target for "
                                         r"multi_az=True; use at least 1 or set multi_az=False$"):
        RedisArgs(subnet_group_name="c", replicas=0, **NET)


# ---- DynamoDB -----------------------------------------------------------------------------


def table(**overrides: Any) -> DynamoTableArgs:
    base: dict[str, Any] = {"hash_key": "pk", "range_key": "sk",
                            "attributes": {"pk": "S", "sk": "S"}, "region": "us-east-1",
                            "allowed_regions": US}
    return DynamoTableArgs(**{**base, **overrides})


def test_dynamodb_global_table_in_jurisdiction() -> None:
    view = plan_of(lambda opts: DynamoTable("users", table(replica_regions=["us-west-2"]),
                                            opts=opts))
    res = view.one("aws:dynamodb/table:Table")
    props = res["props"]
    assert props["billingMode"] == "PAY_PER_REQUEST"
    assert props["pointInTimeRecovery"]["enabled"] is True
    assert props["serverSideEncryption"] == {"enabled": True,
                                             "kmsKeyArn": key_arn_of(view, "users-key")}
    assert props["deletionProtectionEnabled"] is True
    assert props["streamEnabled"] is True
    assert props["tags"]["data-class"] == "user-pii"
    assert_protected(res)
    [replica] = props["replicas"]
    assert replica["regionName"] == "us-west-2"
    assert replica["kmsKeyArn"] == key_arn_of(view, "users-key-us-west-2")
    assert replica["kmsKeyArn"].startswith("arn:aws:kms:us-west-2:")
    assert replica["pointInTimeRecovery"] is True
    assert view.named("users-key-us-west-2")["region"] == "us-west-2"


def test_dynamodb_regional_table_has_no_stream() -> None:
    view = plan_of(lambda opts: DynamoTable("users", table(protect=False), opts=opts))
    props = view.one("aws:dynamodb/table:Table")["props"]
    assert props["streamEnabled"] is False
    assert not props.get("replicas")
    assert props["deletionProtectionEnabled"] is False
    assert props["serverSideEncryption"]["kmsKeyArn"].startswith("arn:aws:kms:us-east-1:")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"replica_regions": ["eu-west-1"]},
     r"^replica_regions: eu-west-1 is outside the jurisdiction \(us-east-1, us-west-2\) of "
     r"us-east-1; replicate only to those regions$"),
    ({"region": "me-south-1", "allowed_regions": ["me-south-1", "me-central-1"],
      "replica_regions": ["us-east-1"]},
     r"^replica_regions: us-east-1 is outside the jurisdiction \(me-south-1, me-central-1\)"),
    ({"replica_regions": ["us-east-1"]},
     r"^replica_regions: us-east-1 is the table's own region; list only other regions$"),
    ({"range_key": "ts"}, r"^range_key: 'ts' is not declared in attributes"),
    ({"attributes": {"pk": "S", "sk": "S", "email": "S"}},
     r"^attributes: email are not keys; DynamoDB declares only key attributes"),
    ({"point_in_time_recovery_days": 3}, r"^point_in_time_recovery_days: 3 days is too short"),
    ({"range_key": "pk", "attributes": {"pk": "S"}},
     r"^range_key: 'pk' is also the hash_key; use another attribute or no range_key$"),
    ({"ttl_attribute": "expires at"},
     r"^ttl_attribute: 'expires at' is not an attribute name; use 1-255 letters, digits, _ \. "
     r"and -$"),
])
def test_dynamodb_refuses_bad_input(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        table(**overrides)


def test_monitored_dimensions() -> None:
    found: dict[str, Any] = {}

    def build(opts: pulumi.ResourceOptions) -> None:
        found["aurora"] = AuroraPostgres("aurora", aurora(), opts=opts).monitored
        found["redis"] = Redis("redis", RedisArgs(subnet_group_name="c", **NET),
                               opts=opts).monitored
        found["table"] = DynamoTable("users", table(), opts=opts).monitored

    plan_of(build)
    assert [m.kind for m in found["aurora"]] == ["aurora"]
    assert set(found["aurora"][0].dimensions) == {"DBClusterIdentifier"}
    assert [m.name for m in found["redis"]] == ["redis-001", "redis-002", "redis-003"]
    assert set(found["table"][0].dimensions) == {"TableName"}


# ---- exported logs --------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "cluster_type", "expected"), [
    (lambda opts: AuroraPostgres("aurora", aurora(log_retention_days=90), opts=opts),
     "aws:rds/cluster:Cluster", {"/aws/rds/cluster/aurora-test/postgresql"}),
    (lambda opts: DocumentDb("docdb", DocumentDbArgs(subnet_group_name="docdb-subnets",
                                                     log_retention_days=90, **NET), opts=opts),
     "aws:docdb/cluster:Cluster",
     {"/aws/docdb/docdb-test/audit", "/aws/docdb/docdb-test/profiler"}),
])
def test_exported_logs_are_encrypted_kept_and_made_before_the_cluster(
        build: Any, cluster_type: str, expected: set[str]) -> None:
    """Left to RDS / DocumentDB, the export log groups would be unencrypted and kept forever."""
    view = plan_of(build)
    cluster = view.one(cluster_type)
    exported = set(cluster["props"]["enabledCloudwatchLogsExports"])
    groups = [g for g in view.of_type("aws:cloudwatch/logGroup:LogGroup")
              if g["props"]["name"].rsplit("/", 1)[-1] in exported]
    assert {g["props"]["name"] for g in groups} == expected
    cluster_id = cluster["props"]["clusterIdentifier"]
    for group in groups:
        assert f"/{cluster_id}/" in group["props"]["name"]
        assert group["props"]["retentionInDays"] == 90
        assert group["props"]["kmsKeyId"].startswith("arn:aws:kms:us-east-1:")
        assert_protected(group)
        assert group["urn"] in cluster["dependencies"]
