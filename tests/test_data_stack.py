"""The data layer wired from the shipped profiles and stack files.

Runs the regional stack offline with only the data layer (plus a stand-in compute layer that
records one workload security group), so these tests judge the data tier itself; the last
test plans the whole prod-us-east-1 stack as reviewers do and looks for leaked secrets.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
import yaml

from environments import load_stack_spec
from environments.loader import DATA_DIR
from platformctl.errors import PlanInputError
from platformctl.fixtures import digest
from stacks import data, regional
from stacks.context import RegionalContext
from tests.plans import PlanView, run_offline

STORE_TYPES = ("aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster",
               "aws:elasticache/replicationGroup:ReplicationGroup", "aws:dynamodb/table:Table")
INSTANCE_TYPES = {"aws:rds/cluster:Cluster": "aws:rds/clusterInstance:ClusterInstance",
                  "aws:docdb/cluster:Cluster": "aws:docdb/clusterInstance:ClusterInstance"}


def stack_overrides(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((DATA_DIR / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return (config.get("config") or {}).get("platform:profile") or {}


def _workloads(ctx: RegionalContext) -> None:
    """Stand-in compute layer: one workload security group the stores must admit."""
    sg = aws.ec2.SecurityGroup("workload-sg", vpc_id=ctx.network.vpc_id,
                               opts=pulumi.ResourceOptions(provider=ctx.providers.aws))
    ctx.workload_security_group_ids.append(sg.id)


def plan_data_layer(stack: str, overrides: dict[str, Any] | None = None,
                    monkeypatch: pytest.MonkeyPatch | None = None) -> PlanView:
    profile = overrides if overrides is not None else stack_overrides(stack)

    def program() -> None:
        regional.build_regional_stack(load_stack_spec(stack, profile))

    assert monkeypatch is not None
    monkeypatch.setattr(regional, "LAYERS", (SimpleNamespace(build=_workloads), data))
    return run_offline(program, stack=stack, project="course-platform")


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanView]:
    with pytest.MonkeyPatch.context() as mp:
        return {stack: plan_data_layer(stack, monkeypatch=mp) for stack in
                ("prod-us-east-1", "prod-us-west-2", "prod-me-south-1", "dev-us-east-1")}


def stores(view: PlanView) -> list[dict[str, Any]]:
    return [r for r in view.resources if r["type"] in STORE_TYPES]


def key_arns(view: PlanView) -> set[str]:
    """ARNs of the customer keys of the plan (rotation on)."""
    arns = set()
    for alias in view.of_type("aws:kms/alias:Alias"):
        key = view.named(alias["name"].removesuffix("-alias"))
        assert key["props"]["enableKeyRotation"] is True
        arns.add(f"arn:aws:kms:{key['region']}:123456789012:key/{alias['props']['targetKeyId']}")
    return arns


def encryption_key(store: dict[str, Any]) -> str:
    props = store["props"]
    if store["type"] == "aws:dynamodb/table:Table":
        assert props["serverSideEncryption"]["enabled"] is True
        return props["serverSideEncryption"]["kmsKeyArn"]
    if store["type"] == "aws:elasticache/replicationGroup:ReplicationGroup":
        assert props["atRestEncryptionEnabled"] is True
        assert props["transitEncryptionEnabled"] is True
    else:
        assert props["storageEncrypted"] is True
    return props["kmsKeyId"]


def zones_of(view: PlanView, store: dict[str, Any]) -> set[str]:
    if store["type"] == "aws:elasticache/replicationGroup:ReplicationGroup":
        return set(store["props"]["preferredCacheClusterAzs"])
    members = [r for r in view.of_type(INSTANCE_TYPES[store["type"]])
               if r["parent"] == store["parent"]]
    return {m["props"]["availabilityZone"] for m in members}


def backup_days(store: dict[str, Any]) -> int:
    props = store["props"]
    if store["type"] == "aws:dynamodb/table:Table":
        assert props["pointInTimeRecovery"]["enabled"] is True
        return props["pointInTimeRecovery"]["recoveryPeriodInDays"]
    if store["type"] == "aws:elasticache/replicationGroup:ReplicationGroup":
        return props["snapshotRetentionLimit"]
    return props["backupRetentionPeriod"]


def deletion_protected(store: dict[str, Any]) -> bool:
    props = store["props"]
    if store["type"] == "aws:dynamodb/table:Table":
        return props["deletionProtectionEnabled"]
    if store["type"] == "aws:elasticache/replicationGroup:ReplicationGroup":
        # No deletion-protection flag: protect plus a final snapshot stand in for it.
        return bool(props.get("finalSnapshotIdentifier"))
    return props["deletionProtection"] and props["skipFinalSnapshot"] is False and bool(
        props["finalSnapshotIdentifier"])


def plaintext_passwords(view: PlanView) -> list[str]:
    return [digest("password", r["urn"], length=64)[:int(r["props"]["length"])]
            for r in view.of_type("random:index/randomPassword:RandomPassword")]


@pytest.mark.parametrize("stack", ["prod-us-east-1", "prod-us-west-2", "prod-me-south-1"])
def test_prod_stores_are_safe(plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    found = stores(view)
    kinds = {s["type"] for s in found}
    assert {"aws:rds/cluster:Cluster", "aws:docdb/cluster:Cluster",
            "aws:elasticache/replicationGroup:ReplicationGroup"} <= kinds
    keys = key_arns(view)
    for store in found:
        assert encryption_key(store) in keys, store["name"]
        assert store["protect"] is True and store["retainOnDelete"] is True, store["name"]
        assert deletion_protected(store), store["name"]
        assert backup_days(store) >= 7, store["name"]
        assert store["props"]["tags"]["data-class"] == "user-pii", store["name"]
        if store["type"] != "aws:dynamodb/table:Table":
            assert len(zones_of(view, store)) >= 2, store["name"]
    for instance in view.of_type("aws:rds/clusterInstance:ClusterInstance"):
        assert instance["props"]["publiclyAccessible"] is False
    text = json.dumps(view.plan)
    for value in plaintext_passwords(view):
        assert value not in text


@pytest.mark.parametrize("stack", ["prod-us-east-1", "dev-us-east-1"])
def test_stores_admit_only_the_workloads(plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    workload_sg = view.named("workload-sg")
    data_sgs = [r for r in view.of_type("aws:ec2/securityGroup:SecurityGroup")
                if r["name"] in ("aurora-sg", "documentdb-sg", "redis-sg")]
    assert len(data_sgs) == 3
    ports = {"aurora-sg": 5432, "documentdb-sg": 27017, "redis-sg": 6379}
    for sg in data_sgs:
        [rule] = sg["props"]["ingress"]
        assert rule["fromPort"] == rule["toPort"] == ports[sg["name"]]
        assert rule["securityGroups"] == [f"sg-{digest(workload_sg['urn'])}"]
        assert not rule.get("cidrBlocks")


def test_aurora_global_database_pair_joins(plans: dict[str, PlanView]) -> None:
    primary, secondary = plans["prod-us-east-1"], plans["prod-us-west-2"]
    global_cluster = primary.one("aws:rds/globalCluster:GlobalCluster")
    identifier = global_cluster["props"]["globalClusterIdentifier"]
    assert primary.one("aws:rds/cluster:Cluster")["props"]["globalClusterIdentifier"] == \
        identifier
    assert secondary.of_type("aws:rds/globalCluster:GlobalCluster") == []
    joined = secondary.one("aws:rds/cluster:Cluster")
    assert joined["props"]["globalClusterIdentifier"] == identifier
    assert joined["region"] == "us-west-2" and global_cluster["region"] == "us-east-1"
    assert "masterPassword" not in joined["props"]
    assert primary.plan["outputs"]["auroraGlobalClusterIdentifier"] == identifier


def test_prod_me_south_1_is_standalone(plans: dict[str, PlanView]) -> None:
    view = plans["prod-me-south-1"]
    assert view.of_type("aws:rds/globalCluster:GlobalCluster") == []
    cluster = view.one("aws:rds/cluster:Cluster")["props"]
    assert "globalClusterIdentifier" not in cluster
    assert cluster["manageMasterUserPassword"] is True
    regional = {r["region"] for r in view.resources if r["region"] not in (None, "global")}
    assert regional == {"me-south-1"}


def test_dynamodb_replicas_stay_in_the_jurisdiction(plans: dict[str, PlanView]) -> None:
    table = plans["prod-us-east-1"].one("aws:dynamodb/table:Table")
    assert [r["regionName"] for r in table["props"]["replicas"]] == ["us-west-2"]
    assert table["props"]["replicas"][0]["kmsKeyArn"].startswith("arn:aws:kms:us-west-2:")
    assert plans["prod-us-west-2"].of_type("aws:dynamodb/table:Table") == []


def test_dev_is_cheap_but_still_encrypted(plans: dict[str, PlanView]) -> None:
    view = plans["dev-us-east-1"]
    [instance] = view.of_type("aws:rds/clusterInstance:ClusterInstance")
    assert instance["props"]["instanceClass"] == "db.serverless"
    assert instance["props"]["publiclyAccessible"] is False
    cluster = view.one("aws:rds/cluster:Cluster")
    assert "serverlessv2ScalingConfiguration" in cluster["props"]
    keys = key_arns(view)
    for store in stores(view):
        assert encryption_key(store) in keys
        assert store["protect"] is False
        assert store["props"]["tags"]["data-class"] == "user-pii"


def test_replica_outside_the_jurisdiction_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(PlanInputError, match=r"^environments/stacks/Pulumi\.prod-me-south-1\.yaml: "
                       r"dynamodb\.tables\.user-data: replica_regions: us-east-1 is outside "
                       r"the jurisdiction \(me-south-1, me-central-1\) of me-south-1"):
        plan_data_layer("prod-me-south-1", {"dynamodb": {"replica_regions": ["us-east-1"]}},
                        monkeypatch)


def test_secondary_of_a_foreign_primary_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    overrides = stack_overrides("prod-us-west-2")
    overrides["aurora"] = {**overrides["aurora"], "global_primary_region": "me-south-1"}
    with pytest.raises(PlanInputError, match=r"^environments/stacks/Pulumi\.prod-us-west-2\.yaml: "
                       r"aurora: primary_region: me-south-1 is "
                       r"outside the jurisdiction \(us-east-1, us-west-2\) of us-west-2"):
        plan_data_layer("prod-us-west-2", overrides, monkeypatch)


def test_whole_prod_stack_leaks_no_secret() -> None:
    """The plan reviewers read: every layer, no generated password or token in plaintext."""

    def program() -> None:
        regional.build_regional_stack(load_stack_spec("prod-us-east-1",
                                                      stack_overrides("prod-us-east-1")))

    view = run_offline(program, stack="prod-us-east-1", project="course-platform")
    passwords = plaintext_passwords(view)
    assert len(passwords) >= 3
    text = json.dumps(view.plan)
    assert all(value not in text for value in passwords)
