"""platformctl diff: kinds, changed paths and danger flags between two plans of programs
written here (planned by the offline engine, so URNs and values are the engine's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native
import pytest
import yaml
from typer.testing import CliRunner

from environments.loader import EnvironmentData
from platformctl.cli import app
from platformctl.diff import Change, diff_plans, flatten, load_plans, prop_diff
from platformctl.errors import PlanInputError
from platformctl.plan import UNKNOWN
from platformctl.replacement import TABLE, rule_for
from tests.plans import run_offline

JURISDICTIONS = EnvironmentData().jurisdictions
# Two regions of different jurisdictions, whatever environments/ ships.
HOME, ABROAD = (j.regions[0] for j in list(JURISDICTIONS.values())[:2])


def program(**variant: Any) -> Any:
    """A small data platform: a protected user-data bucket replicated to a replica bucket,
    an Aurora cluster and a DynamoDB table; `variant` switches one thing."""

    def build() -> None:
        home = aws.Provider("aws-home", region=variant.get("home", HOME))
        abroad = aws.Provider("aws-abroad", region=ABROAD)
        stateful = pulumi.ResourceOptions(provider=home, protect=True, retain_on_delete=True)
        tags = {"data-class": "user-pii", "team": variant.get("team", "data")}
        bucket = aws.s3.Bucket("uploads", bucket=variant.get("bucket_name", "uploads-prod"),
                               tags=tags, opts=stateful)
        replica = aws.s3.Bucket("uploads-replica", tags=tags,
                                opts=pulumi.ResourceOptions(provider=home))
        if variant.get("replicate_abroad"):
            replica = aws.s3.Bucket("uploads-replica-abroad", tags=tags,
                                    opts=pulumi.ResourceOptions(provider=abroad))
        aws.s3.BucketReplicationConfig(
            "uploads-replication", bucket=bucket.id, role="arn:aws:iam::123456789012:role/r",
            rules=[{"id": "all", "status": "Enabled", "filter": {"prefix": ""},
                    "delete_marker_replication": {"status": "Enabled"},
                    "destination": {"bucket": replica.arn}}],
            opts=pulumi.ResourceOptions(provider=home))
        aws.rds.Cluster("aurora", engine=variant.get("engine", "aurora-postgresql"),
                        cluster_identifier="aurora-prod", master_username="admin_user",
                        manage_master_user_password=True, storage_encrypted=True,
                        tags=tags, opts=stateful)
        if not variant.get("drop_table"):
            aws.dynamodb.Table("users", hash_key="pk", billing_mode="PAY_PER_REQUEST",
                               attributes=[{"name": "pk", "type": "S"}], tags=tags,
                               opts=stateful)
        aws_native.mediapackagev2.ChannelGroup(
            "live-group", channel_group_name=variant.get("group", "live"),
            description=variant.get("description", "live video"),
            opts=pulumi.ResourceOptions(provider=aws_native.Provider(
                "native-home", region=variant.get("home", HOME))))

    return build


def plan(**variant: Any) -> dict[str, Any]:
    return run_offline(program(**variant), stack="prod").plan


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return plan()


def changes(base: dict[str, Any], head: dict[str, Any]) -> dict[str, Change]:
    (stack,) = diff_plans({"prod": base}, {"prod": head})
    return {c.urn.rsplit("::", 1)[-1]: c for c in stack.changes}


def test_no_change_is_no_change(base: dict[str, Any]) -> None:
    assert changes(base, plan()) == {}


def test_tag_change_is_an_in_place_update_without_danger(base: dict[str, Any]) -> None:
    found = changes(base, plan(team="video"))
    assert found["uploads"].kind == "update" and not found["uploads"].may_replace
    assert found["uploads"].props == ["tags.team"]
    assert found["uploads"].danger == []


def test_bucket_rename_replaces_a_protected_store(base: dict[str, Any]) -> None:
    change = changes(base, plan(bucket_name="uploads-renamed"))["uploads"]
    assert change.kind == "replace" and change.props == ["bucket"]
    assert any(d.startswith("stateful resource replaced") for d in change.danger)
    assert any(d.startswith("protected resource replaced") for d in change.danger)


def test_aurora_engine_change_replaces_the_cluster(base: dict[str, Any]) -> None:
    change = changes(base, plan(engine="aurora-mysql"))["aurora"]
    assert change.kind == "replace" and "engine" in change.props
    assert "terraform-provider-aws" in " ".join(change.why)  # says whose data decided
    assert any("stateful" in d for d in change.danger)


def test_deleting_a_protected_table_is_flagged(base: dict[str, Any]) -> None:
    change = changes(base, plan(drop_table=True))["users"]
    assert change.kind == "delete"
    assert any(d.startswith("protected resource deleted") for d in change.danger)
    assert any(d.startswith("stateful resource deleted") for d in change.danger)


def test_replication_moved_to_another_jurisdiction_is_flagged(base: dict[str, Any]) -> None:
    found = changes(base, plan(replicate_abroad=True))
    danger = " ".join(found["uploads-replication"].danger)
    assert "replication destination changes" in danger and ABROAD in danger
    abroad = next(k for k, j in JURISDICTIONS.items() if ABROAD in j.regions)
    assert f"jurisdiction {abroad}" in danger
    assert found["uploads-replica-abroad"].kind == "create"


def test_user_data_moving_region_is_flagged(base: dict[str, Any]) -> None:
    change = changes(base, plan(home=ABROAD))["uploads"]
    assert change.kind == "replace"
    assert any(d.startswith(f"restricted data moves region: {HOME} -> {ABROAD}")
               for d in change.danger)


def test_aws_native_create_only_property_replaces_and_others_update(
        base: dict[str, Any]) -> None:
    assert changes(base, plan(group="live-2"))["live-group"].kind == "replace"
    described = changes(base, plan(description="other"))["live-group"]
    assert described.kind == "update" and not described.may_replace
    assert "CloudFormation schema" in rule_for("aws-native:mediapackagev2:ChannelGroup",
                                                HOME).source


def _resource(name: str, type_: str, props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:s::p::{type_}::{name}", "type": type_, "name": name,
            "custom": True, "protect": False, "region": HOME, "provider": "p",
            "dependencies": [], "ignoreChanges": [], "props": props, **extra}


def _stack(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"stack": "s", "resources": list(resources), "violations": []}


def test_a_type_without_replacement_data_may_replace_said_as_such() -> None:
    old = _resource("thing", "aws:nosuch/thing:Thing", {"size": 1})
    new = _resource("thing", "aws:nosuch/thing:Thing", {"size": 2})
    (change,) = diff_plans({"s": _stack(old)}, {"s": _stack(new)})[0].changes
    assert change.kind == "update" and change.may_replace
    assert change.why[0].startswith("may replace: no replacement data")


def test_unknown_create_only_value_may_replace() -> None:
    old = _resource("logs", "aws:cloudwatch/logGroup:LogGroup", {"name": "app"})
    new = _resource("logs", "aws:cloudwatch/logGroup:LogGroup", {"name": UNKNOWN})
    (change,) = diff_plans({"s": _stack(old)}, {"s": _stack(new)})[0].changes
    assert change.kind == "update" and change.may_replace
    assert "unknown until deployment" in change.why[0]
    assert any("possibly replaced" in d for d in change.danger)  # a log group is stateful


def test_computed_values_change_only_when_a_dependency_is_recreated() -> None:
    key_old = _resource("key", "aws:kms/key:Key", {"multiRegion": False})
    key_new = _resource("key", "aws:kms/key:Key", {"multiRegion": True})
    logs = _resource("logs", "aws:cloudwatch/logGroup:LogGroup",
                     {"name": "app", "kmsKeyId": UNKNOWN}, dependencies=[key_old["urn"]])
    same = diff_plans({"s": _stack(key_old, logs)}, {"s": _stack(key_old, logs)})
    assert same[0].changes == []
    found = {c.urn.rsplit("::", 1)[-1]: c for c in diff_plans(
        {"s": _stack(key_old, logs)}, {"s": _stack(key_new, logs)})[0].changes}
    key, dependent = found["key"], found["logs"]
    assert key.kind == "replace"
    assert dependent.kind == "update" and dependent.props == ["kmsKeyId"]
    assert not dependent.may_replace  # kmsKeyId of a log group updates in place
    assert "computed from key" in dependent.why[0]


def test_ignore_changes_hides_a_property() -> None:
    old = _resource("q", "aws:sqs/queue:Queue", {"delaySeconds": 0},
                    ignoreChanges=["delaySeconds"])
    new = dict(old, props={"delaySeconds": 5})
    assert diff_plans({"s": _stack(old)}, {"s": _stack(new)})[0].changes == []
    (change,) = diff_plans({"s": _stack(old)},
                           {"s": _stack(dict(new, ignoreChanges=[]))})[0].changes
    assert change.props == ["delaySeconds"] and change.options == ["ignoreChanges"]


def test_flatten_and_prop_diff_name_leaf_paths() -> None:
    assert flatten({"a": [{"b": 1}, {}], "c": {}}) == {"a[0].b": 1, "a[1]": {}, "c": {}}
    diff = prop_diff({"a": 1, "b": UNKNOWN, "c": UNKNOWN}, {"a": 2, "b": 3, "c": UNKNOWN})
    assert (diff.changed, diff.unknown, diff.computed) == (["a"], ["b"], ["c"])


def test_replacement_table_covers_the_stateful_types_with_a_source() -> None:
    entries = yaml.safe_load(TABLE.read_text())
    assert all(entry["source"].strip() and entry["replace_on"] for entry in entries.values())
    for type_ in ("aws:s3/bucket:Bucket", "aws:rds/cluster:Cluster",
                  "aws:rds/clusterInstance:ClusterInstance", "aws:docdb/cluster:Cluster",
                  "aws:docdb/clusterInstance:ClusterInstance", "aws:dynamodb/table:Table",
                  "aws:elasticache/replicationGroup:ReplicationGroup", "aws:kms/key:Key",
                  "aws:eks/cluster:Cluster", "aws:cloudwatch/logGroup:LogGroup"):
        assert type_ in entries, type_


def test_load_plans_reads_files_lists_and_directories(tmp_path: Path,
                                                      base: dict[str, Any]) -> None:
    (tmp_path / "one.json").write_text(json.dumps(base))
    other = dict(base, stack="other")
    (tmp_path / "many.json").write_text(json.dumps({"plans": [other]}))
    assert sorted(load_plans(tmp_path)) == ["other", "prod"]
    assert list(load_plans(tmp_path / "one.json")) == ["prod"]
    (tmp_path / "dup.json").write_text(json.dumps(base))
    with pytest.raises(PlanInputError, match="appears twice"):
        load_plans(tmp_path)


@pytest.mark.parametrize("content, message", [
    ("{not json", "not readable plan JSON"),
    ('{"resources": []}', "not a plan"),
    ("[]", "not a plan"),
])
def test_bad_plan_files_are_one_line_errors(tmp_path: Path, content: str,
                                            message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = CliRunner().invoke(app, ["diff", str(bad), str(bad)])
    assert result.exit_code == 2 and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_json_has_the_change_fields_and_exits_1_on_danger(
        tmp_path: Path, base: dict[str, Any]) -> None:
    (tmp_path / "base.json").write_text(json.dumps(base))
    (tmp_path / "head.json").write_text(json.dumps(plan(drop_table=True, team="x")))
    result = CliRunner().invoke(app, ["diff", str(tmp_path / "base.json"),
                                      str(tmp_path / "head.json"), "--format", "json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    kinds = {c["urn"].rsplit("::", 1)[-1]: c["kind"] for c in document["changes"]}
    assert kinds["users"] == "delete" and kinds["uploads"] == "update"
    assert {"urn", "type", "kind", "props", "danger"} <= set(document["changes"][0])
    assert document["stacks"][0]["cost"]["delta"] < 0  # the table's cost goes away
    same = CliRunner().invoke(app, ["diff", str(tmp_path / "base.json"),
                                    str(tmp_path / "base.json")])
    assert same.exit_code == 0 and same.output.startswith("no changes")


def test_destination_outside_the_plans_is_placed_by_its_replica_key() -> None:
    def replication(bucket: str, key_region: str) -> dict[str, Any]:
        return _resource("replication", "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
                         {"bucket": "src", "rules": [{"destination": {
                             "bucket": f"arn:aws:s3:::{bucket}", "encryptionConfiguration": {
                                 "replicaKmsKeyId": f"arn:aws:kms:{key_region}:123456789012:"
                                                    "key/k"}}}]})
    (change,) = diff_plans({"s": _stack(replication("copy-home", HOME))},
                           {"s": _stack(replication("copy-abroad", ABROAD))})[0].changes
    assert change.danger[0] == (f"replication destination changes: arn:aws:s3:::copy-home "
                                f"({HOME}) -> arn:aws:s3:::copy-abroad ({ABROAD})")
    abroad = next(k for k, j in JURISDICTIONS.items() if ABROAD in j.regions)
    assert change.danger[1] == f"replicated data reaches jurisdiction {abroad}"


def test_aws_deletion_protection_is_a_danger_of_its_own() -> None:
    table = _resource("users", "aws:dynamodb/table:Table",
                      {"name": "users", "deletionProtectionEnabled": True})
    (change,) = diff_plans({"s": _stack(table)}, {"s": _stack()})[0].changes
    assert "deletion-protected resource deleted: AWS refuses until deletionProtectionEnabled " \
           "is turned off" in change.danger
    assert not any(d.startswith("protected resource") for d in change.danger)  # no `protect`


def test_provider_settings_update_in_place_and_its_region_replaces() -> None:
    old = _resource("aws", "pulumi:providers:aws", {"region": HOME, "defaultTags": {"a": "1"}})
    tagged = dict(old, props={"region": HOME, "defaultTags": {"a": "2"}})
    (change,) = diff_plans({"s": _stack(old)}, {"s": _stack(tagged)})[0].changes
    assert change.kind == "update" and not change.may_replace
    moved = dict(old, props={"region": ABROAD, "defaultTags": {"a": "1"}})
    (change,) = diff_plans({"s": _stack(old)}, {"s": _stack(moved)})[0].changes
    assert change.kind == "replace"
