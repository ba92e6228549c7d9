"""`platformctl audit`: the residency rules (pure) and the boto3 collectors against moto's
standalone server on 127.0.0.1 (no real endpoint is ever contacted)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from platformctl.audit import (
    REPLICATED_OUTSIDE,
    STORED_OUTSIDE,
    UNKNOWN_REGION,
    Finding,
    Store,
    Target,
    dynamodb_stores,
    findings_for,
    is_restricted,
)
from platformctl.cli import app
from tests.moto_server import closed_port_url

US = ["us-east-1", "us-west-2"]


# ---- pure rules ----------------------------------------------------------------------

@pytest.mark.parametrize(("tags", "restricted"), [
    ({}, True),                                        # untagged: fail closed
    ({"data-class": "user-pii"}, True),
    ({"data-class": "telemetry"}, True),
    ({"data-class": ""}, True),
    ({"data-class": "Public-Content"}, True),          # exact value only
    ({"owner": "public-content"}, True),
    ({"data-class": "public-content"}, False),
])
def test_is_restricted(tags: dict[str, str], restricted: bool) -> None:
    assert is_restricted(tags) is restricted


def test_findings_for_stores_and_copies_outside() -> None:
    stores = [
        Store("s3-bucket", "inside", "us-east-1", {"data-class": "user-pii"}),
        Store("s3-bucket", "outside", "eu-west-1", {}),
        Store("s3-bucket", "public", "eu-west-1", {"data-class": "public-content"},
              (Target("far", "ap-southeast-1"),)),
        Store("dynamodb-table", "users", "us-east-1", {"data-class": "user-pii"},
              (Target("users@us-west-2", "us-west-2"), Target("users@eu-west-1", "eu-west-1"))),
        Store("s3-bucket", "lost", "us-west-2", {"data-class": "user-content"},
              (Target("not-ours", UNKNOWN_REGION),)),
    ]
    assert findings_for(stores, US) == [
        Finding("eu-west-1", "s3-bucket", "outside", STORED_OUTSIDE, None, None, None),
        Finding("us-east-1", "dynamodb-table", "users", REPLICATED_OUTSIDE,
                "users@eu-west-1", "eu-west-1", "user-pii"),
        Finding("us-west-2", "s3-bucket", "lost", REPLICATED_OUTSIDE, "not-ours",
                UNKNOWN_REGION, "user-content"),
    ]
    assert findings_for(stores[:1], US) == []
    assert findings_for(stores[:1], []) != []  # nothing allowed: everything restricted is out


def test_dynamodb_replicas_become_targets() -> None:
    """moto's DynamoDB has no global-table replicas, so the collector reads a stubbed
    DescribeTable shaped like AWS's answer (the client points at a closed port; the
    Stubber answers before anything is sent)."""
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=closed_port_url(),
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/users"
    with Stubber(client) as stub:
        stub.add_response("list_tables", {"TableNames": ["users"]})
        stub.add_response("describe_table", {"Table": {
            "TableName": "users", "TableArn": arn,
            "Replicas": [{"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE"},
                         {"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE"}]}},
            {"TableName": "users"})
        stub.add_response("list_tags_of_resource",
                          {"Tags": [{"Key": "data-class", "Value": "user-pii"}]},
                          {"ResourceArn": arn})
        stores = dynamodb_stores(lambda service, region: client, "us-east-1")
    assert stores == [Store("dynamodb-table", "users", "us-east-1", {"data-class": "user-pii"},
                            (Target("users@eu-west-1", "eu-west-1"),))]
    assert [(f.issue, f.target_region) for f in findings_for(stores, US)] == [
        (REPLICATED_OUTSIDE, "eu-west-1")]


# ---- against moto --------------------------------------------------------------------

def _client(url: str, service: str, region: str):  # noqa: ANN202
    return boto3.client(service, region_name=region, endpoint_url=url)


def _bucket(url: str, name: str, region: str, data_class: str | None = None) -> None:
    s3 = _client(url, "s3", region)
    config = {} if region == "us-east-1" else {
        "CreateBucketConfiguration": {"LocationConstraint": region}}
    s3.create_bucket(Bucket=name, **config)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    if data_class is not None:
        s3.put_bucket_tagging(Bucket=name, Tagging={
            "TagSet": [{"Key": "data-class", "Value": data_class}]})


def _tags(data_class: str) -> list[dict[str, str]]:
    return [{"Key": "data-class", "Value": data_class}]


@pytest.fixture
def seeded(aws: str) -> str:
    url = aws
    _bucket(url, "kc-us-uploads", "us-east-1", "user-content")       # inside: fine
    _bucket(url, "kc-eu-untagged", "eu-west-1")                       # outside, untagged
    _bucket(url, "kc-eu-catalog", "eu-west-1", "public-content")      # outside, public: fine
    # the inside bucket replicates into the untagged EU bucket: a transfer
    _client(url, "s3", "us-east-1").put_bucket_replication(
        Bucket="kc-us-uploads", ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/replication",
            "Rules": [{"ID": "all", "Status": "Enabled", "Priority": 1, "Filter": {},
                       "DeleteMarkerReplication": {"Status": "Disabled"},
                       "Destination": {"Bucket": "arn:aws:s3:::kc-eu-untagged"}}]})
    dynamodb = _client(url, "dynamodb", "us-east-1")
    dynamodb.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          Tags=_tags("user-pii"))
    _client(url, "rds", "me-south-1").create_db_cluster(
        DBClusterIdentifier="kc-sa-users", Engine="aurora-postgresql", MasterUsername="kc",
        MasterUserPassword="not-a-secret-1", Tags=_tags("user-pii"))
    _client(url, "rds", "us-west-2").create_db_instance(
        DBInstanceIdentifier="kc-us-reports", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="kc", MasterUserPassword="not-a-secret-1", AllocatedStorage=20)
    _client(url, "elasticache", "eu-central-1").create_replication_group(
        ReplicationGroupId="kc-eu-sessions", ReplicationGroupDescription="sessions",
        Engine="redis", CacheNodeType="cache.t3.micro", Tags=_tags("user-pii"))
    _client(url, "elasticache", "eu-central-1").create_replication_group(
        ReplicationGroupId="kc-eu-pages", ReplicationGroupDescription="page cache",
        Engine="redis", CacheNodeType="cache.t3.micro", Tags=_tags("public-content"))
    return url


def _audit(url: str, *args: str):  # noqa: ANN202
    return CliRunner().invoke(app, ["audit", *args, "--endpoint-url", url])


EXPECTED_US = [
    {"region": "eu-central-1", "kind": "elasticache-replication-group", "name": "kc-eu-sessions",
     "issue": STORED_OUTSIDE, "target": None, "target_region": None, "data_class": "user-pii"},
    {"region": "eu-west-1", "kind": "s3-bucket", "name": "kc-eu-untagged",
     "issue": STORED_OUTSIDE, "target": None, "target_region": None, "data_class": None},
    {"region": "me-south-1", "kind": "rds-cluster", "name": "kc-sa-users",
     "issue": STORED_OUTSIDE, "target": None, "target_region": None, "data_class": "user-pii"},
    {"region": "us-east-1", "kind": "s3-bucket", "name": "kc-us-uploads",
     "issue": REPLICATED_OUTSIDE, "target": "kc-eu-untagged", "target_region": "eu-west-1",
     "data_class": "user-content"},
]


def test_audit_reports_exactly_the_restricted_stores_outside(seeded: str) -> None:
    result = _audit(seeded, "us", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["findings"] == EXPECTED_US
    assert report["allowed_regions"] == US
    assert report["stores_scanned"] == {"dynamodb-table": 1, "elasticache-replication-group": 2,
                                        "rds-cluster": 1, "rds-instance": 1, "s3-bucket": 3}
    assert result.stdout == _audit(seeded, "us", "--format", "json").stdout  # stable


def test_audit_text_is_a_table_of_findings(seeded: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per finding, names unwrapped
    result = _audit(seeded, "us")
    assert result.exit_code == 1, result.output
    for expected in EXPECTED_US:
        assert expected["name"] in result.stdout
    assert "(untagged)" in result.stdout
    assert "kc-eu-catalog" not in result.stdout
    assert "4 finding(s) outside us" in result.stdout


def test_audit_judges_against_the_named_jurisdiction(seeded: str) -> None:
    report = json.loads(_audit(seeded, "sa", "--format", "json").stdout)
    names = {(f["name"], f["issue"]) for f in report["findings"]}
    assert ("kc-sa-users", STORED_OUTSIDE) not in names
    assert {("kc-us-uploads", STORED_OUTSIDE), ("users", STORED_OUTSIDE),
            ("kc-us-reports", STORED_OUTSIDE)} <= names


def test_regions_narrow_the_scan_and_buckets_belong_to_their_location(seeded: str) -> None:
    result = _audit(seeded, "us", "--regions", "us-east-1,me-south-1", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["scanned_regions"] == ["me-south-1", "us-east-1"]
    assert [(f["name"], f["issue"]) for f in report["findings"]] == [
        ("kc-sa-users", STORED_OUTSIDE), ("kc-us-uploads", REPLICATED_OUTSIDE)]
    assert report["stores_scanned"]["s3-bucket"] == 1  # the EU buckets are not in scope


def test_nothing_outside_exits_zero(aws: str) -> None:
    _bucket(aws, "kc-us-uploads", "us-east-1", "user-content")
    _bucket(aws, "kc-eu-catalog", "eu-west-1", "public-content")
    result = _audit(aws, "us", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["findings"] == []
    assert _audit(aws, "us").exit_code == 0


def test_unknown_jurisdiction_is_one_line(aws: str) -> None:
    result = _audit(aws, "mars")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: environments/jurisdictions.yaml: no jurisdiction 'mars'; use one of eu, sa, us"]


def test_unknown_region_is_one_line(aws: str) -> None:
    result = _audit(aws, "us", "--regions", "us-east-1,mars-north-1")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: --regions: mars-north-1 is not a region of this "
                               "account (ec2:DescribeRegions); use ")


def test_unreachable_endpoint_is_one_line(aws: str) -> None:
    result = CliRunner().invoke(app, ["audit", "us", "--regions", "us-east-1",
                                      "--endpoint-url", closed_port_url()])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ec2:DescribeRegions in us-east-1 failed: "
                               "EndpointConnectionError;")
    assert "Traceback" not in result.output


def test_missing_credentials_is_one_line(aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = _audit(aws, "us", "--regions", "us-east-1")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: ec2:DescribeRegions in us-east-1 failed: NoCredentials (no AWS credentials "
        "found); the audit is incomplete, check the credentials (read-only access to EC2 "
        "regions, S3, RDS, DynamoDB, ElastiCache, KMS and SQS) and the endpoint"]


def test_an_aws_error_code_is_reported(aws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An AWS error answer (here moto's for a table that is gone between ListTables and
    DescribeTable): the call, the region and AWS's error code make the one line."""
    from platformctl import audit as audit_module

    def vanished(client, region):  # noqa: ANN001, ANN202
        with audit_module._aws("dynamodb:DescribeTable(gone)", region):
            client("dynamodb", region).describe_table(TableName="gone")
        return []

    monkeypatch.setattr(audit_module, "REGIONAL_COLLECTORS", (vanished,))
    result = _audit(aws, "us", "--regions", "us-west-2")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[0].startswith(
        "error: dynamodb:DescribeTable(gone) in us-west-2 failed: ResourceNotFoundException;")


def test_readme_lists_every_iam_action_the_audit_uses() -> None:
    from platformctl.audit import IAM_ACTIONS
    from platformctl.docs import REPO

    readme = (REPO / "README.md").read_text()
    assert [a for a in IAM_ACTIONS if f"`{a}`" not in readme] == []


# ---- regions the account enables, global resources -----------------------------------

def _never_listed(url: str, count: int) -> list[str]:
    """Regions this account (moto) enables that environments/aws_regions.yaml never lists."""
    from environments.loader import EnvironmentData

    listed = set(EnvironmentData().aws_zones)
    enabled = [r["RegionName"] for r in
               _client(url, "ec2", "us-east-1").describe_regions()["Regions"]]
    found = [r for r in sorted(enabled) if r not in listed and r.startswith(
        ("af-", "ap-", "ca-", "eu-", "il-", "me-", "mx-", "sa-"))]
    assert len(found) >= count
    return found[:count]


def test_default_scan_covers_every_enabled_region(aws: str) -> None:
    first, second, third = _never_listed(aws, 3)
    _client(aws, "dynamodb", first).create_table(
        TableName="orders", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    _client(aws, "rds", second).create_db_cluster(
        DBClusterIdentifier="far-users", Engine="aurora-postgresql", MasterUsername="kc",
        MasterUserPassword="not-a-secret-1", Tags=_tags("user-pii"))
    _client(aws, "elasticache", third).create_replication_group(
        ReplicationGroupId="far-sessions", ReplicationGroupDescription="sessions",
        Engine="redis", CacheNodeType="cache.t3.micro", Tags=_tags("user-pii"))
    _bucket(aws, "far-catalog", third, "public-content")
    result = _audit(aws, "us", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    enabled = sorted(r["RegionName"] for r in
                     _client(aws, "ec2", "us-east-1").describe_regions()["Regions"])
    assert report["scanned_regions"] == enabled
    assert [(f["region"], f["name"], f["issue"]) for f in report["findings"]] == sorted([
        (first, "orders", STORED_OUTSIDE), (second, "far-users", STORED_OUTSIDE),
        (third, "far-sessions", STORED_OUTSIDE)])


def test_regions_accepts_a_region_the_project_never_listed(aws: str) -> None:
    (far,) = _never_listed(aws, 1)
    _bucket(aws, "far-uploads", far, "user-content")
    _bucket(aws, "kc-us-uploads", "us-east-1", "user-content")
    result = _audit(aws, "us", "--regions", far, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["scanned_regions"] == [far]
    assert [(f["name"], f["issue"]) for f in report["findings"]] == [
        ("far-uploads", STORED_OUTSIDE)]


def test_aurora_global_cluster_members_are_copies(aws: str) -> None:
    (far,) = _never_listed(aws, 1)
    home = _client(aws, "rds", "us-east-1")
    home.create_global_cluster(GlobalClusterIdentifier="catalog", Engine="aurora-postgresql")
    home.create_db_cluster(DBClusterIdentifier="catalog-primary", Engine="aurora-postgresql",
                           MasterUsername="kc", MasterUserPassword="not-a-secret-1",
                           GlobalClusterIdentifier="catalog", Tags=_tags("user-pii"))
    _client(aws, "rds", far).create_db_cluster(
        DBClusterIdentifier="catalog-secondary", Engine="aurora-postgresql",
        GlobalClusterIdentifier="catalog", Tags=_tags("user-pii"))
    report = json.loads(_audit(aws, "us", "--regions", "us-east-1", "--format", "json").stdout)
    assert report["findings"] == [
        {"region": "us-east-1", "kind": "rds-cluster", "name": "catalog-primary",
         "issue": REPLICATED_OUTSIDE, "target": "catalog/catalog-secondary",
         "target_region": far, "data_class": "user-pii"}]


def test_multi_region_kms_key_replicas_are_copies(aws: str) -> None:
    (far,) = _never_listed(aws, 1)
    kms = _client(aws, "kms", "us-east-1")
    key = kms.create_key(MultiRegion=True, Tags=[{"TagKey": "data-class",
                                                  "TagValue": "user-pii"}])["KeyMetadata"]
    kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion=far)
    kms.create_key(Tags=[{"TagKey": "data-class", "TagValue": "user-pii"}])  # single-Region
    report = json.loads(_audit(aws, "us", "--regions", "us-east-1", "--format", "json").stdout)
    assert report["stores_scanned"].get("kms-multi-region-key") == 1
    assert [(f["kind"], f["issue"], f["target_region"]) for f in report["findings"]] == [
        ("kms-multi-region-key", REPLICATED_OUTSIDE, far)]
    whole = json.loads(_audit(aws, "us", "--format", "json").stdout)
    assert (far, STORED_OUTSIDE) in {(f["region"], f["issue"]) for f in whole["findings"]}


def test_queues_are_stores_judged_by_their_data_class(aws: str) -> None:
    """A work queue holds messages at rest: restricted ones outside are found, public not."""
    _client(aws, "sqs", "me-south-1").create_queue(QueueName="kc-sa-work",
                                                   tags={"data-class": "user-pii"})
    _client(aws, "sqs", "me-south-1").create_queue(QueueName="kc-sa-untagged")
    _client(aws, "sqs", "me-south-1").create_queue(QueueName="kc-sa-catalog",
                                                   tags={"data-class": "public-content"})
    _client(aws, "sqs", "us-east-1").create_queue(QueueName="kc-us-work",
                                                  tags={"data-class": "user-pii"})
    report = json.loads(_audit(aws, "us", "--regions", "us-east-1,me-south-1",
                               "--format", "json").stdout)
    queues = [(f["region"], f["name"], f["data_class"]) for f in report["findings"]
              if f["kind"] == "sqs-queue"]
    assert queues == [("me-south-1", "kc-sa-untagged", None),
                      ("me-south-1", "kc-sa-work", "user-pii")]
    assert report["stores_scanned"]["sqs-queue"] == 4
    inside = json.loads(_audit(aws, "sa", "--regions", "me-south-1", "--format", "json").stdout)
    assert not [f for f in inside["findings"] if f["kind"] == "sqs-queue"]


def test_elasticache_global_datastore_members_are_copies() -> None:
    """moto has no global datastores: a Stubber answers DescribeGlobalReplicationGroups as
    AWS does (the client points at a closed port; nothing is sent)."""
    from platformctl.audit import elasticache_global_groups, with_members

    client = boto3.client("elasticache", region_name="us-east-1",
                          endpoint_url=closed_port_url(), aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    with Stubber(client) as stub:
        stub.add_response("describe_global_replication_groups", {"GlobalReplicationGroups": [{
            "GlobalReplicationGroupId": "ldgnf-sessions", "Members": [
                {"ReplicationGroupId": "sessions", "ReplicationGroupRegion": "us-east-1",
                 "Role": "PRIMARY"},
                {"ReplicationGroupId": "sessions-eu", "ReplicationGroupRegion": "eu-west-1",
                 "Role": "SECONDARY"}]}]}, {"ShowMemberInfo": True})
        groups, unlisted = elasticache_global_groups(lambda s, r: client, ["us-east-1"])
    assert unlisted == {}
    stores = with_members([Store("elasticache-replication-group", "sessions", "us-east-1",
                                 {"data-class": "user-pii"}, group="ldgnf-sessions")],
                          "elasticache-replication-group", groups)
    assert [(f.issue, f.target, f.target_region) for f in findings_for(stores, US)] == [
        (REPLICATED_OUTSIDE, "ldgnf-sessions/sessions-eu", "eu-west-1")]
    # A member whose datastore nobody could list fails closed.
    unknown = with_members([Store("elasticache-replication-group", "sessions", "us-east-1",
                                  {}, group="ldgnf-sessions")],
                           "elasticache-replication-group", {})
    assert [f.target_region for f in findings_for(unknown, US)] == [UNKNOWN_REGION]


def test_text_report_fits_80_columns(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = _audit(seeded, "us")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for expected in EXPECTED_US:
        assert any(expected["name"] in line for line in lines)
    assert "copied to kc-eu-untagged in eu-west-1; data-class user-content" in result.stdout
