"""Red team: programs that each move restricted data out of a jurisdiction by a different
route must be caught on the right resource with a residency id; the controls (copies
inside the jurisdiction, public content outside, untagged stores inside) must stay clean.

The jurisdictions here are the test's own (not the shipped catalog): `sa` keeps data in
me-south-1 / me-central-1, `us` in us-east-1 / us-west-2.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pytest

from platformctl.policy_config import config_for
from platformctl.policy_runner import UNKNOWN_MARK, evaluate
from tests.plans import run_offline
from tests.policy_cases import PACK, enforced
from tests.residency_programs import (
    PII,
    ROLE,
    arn,
    aws_in,
    bucket,
    distribution,
    dynamo,
    log_group,
    rds_cluster,
    rds_instance,
)

JURISDICTIONS = {"sa": ("me-south-1", ["me-south-1", "me-central-1"]),
                 "us": ("us-east-1", ["us-east-1", "us-west-2"])}
RESIDENCY = {"residency-region-allowed", "residency-replication-target", "kms-multi-region-key"}
PUBLIC = {"data-class": "public-content"}


def judge_plan(plan: dict, jurisdiction: str) -> list[dict]:
    home, allowed = JURISDICTIONS[jurisdiction]
    config = config_for(PACK, {"allowedRegions": allowed, "requiredTags": []})
    found = evaluate(plan, PACK, config, {"aws:region": home})
    return [v for v in enforced(found) if v["policy"] in RESIDENCY]


def judge(program: Callable[[], None], jurisdiction: str) -> list[dict]:
    home, _ = JURISDICTIONS[jurisdiction]
    return judge_plan(run_offline(program, config={"aws:region": home}).plan, jurisdiction)


def sa() -> pulumi.ResourceOptions:
    return aws_in("me-south-1")


def dr() -> pulumi.ResourceOptions:
    return aws_in("me-central-1", name="aws-dr")


def outside(region: str = "eu-west-1", tags: dict[str, str] | None = None
            ) -> pulumi.ResourceOptions:
    return aws_in(region, name="aws-outside", tags=tags)


def replicate(source: aws.s3.Bucket, destination: pulumi.Input[str], name: str,
              opts: pulumi.ResourceOptions) -> None:
    aws.s3.BucketReplicationConfig(
        name, bucket=source.id, role=ROLE, opts=opts,
        rules=[aws.s3.BucketReplicationConfigRuleArgs(
            status="Enabled", destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                bucket=destination))])


# --- routes out ------------------------------------------------------------------------------

def logical_name_trap() -> None:
    """A literal ARN of someone else's `recordings-replica` bucket, next to this stack's
    autonamed bucket of that logical name: never the same bucket."""
    bucket("recordings-replica", dr())
    replicate(bucket("recordings", sa()), "arn:aws:s3:::recordings-replica", "recordings-repl",
              sa())


def public_default_tags_secondary() -> None:
    """A secondary cluster on a reused provider whose default tags say public-content."""
    group = aws.rds.GlobalCluster("users-global", global_cluster_identifier="users-global",
                                  engine="aurora-postgresql", tags=PII, opts=sa())
    rds_cluster("users", sa(), global_cluster_identifier=group.id)
    aws.rds.Cluster("users-secondary", engine="aurora-postgresql", storage_encrypted=True,
                    global_cluster_identifier=group.id, opts=outside(tags=PUBLIC))


def public_tagged_table_replica() -> None:
    table = dynamo("profiles", sa(), stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES")
    aws.dynamodb.TableReplica("profiles-eu", global_table_arn=table.arn,
                              opts=outside(tags=PUBLIC))


def public_tagged_read_replica() -> None:
    primary = rds_instance("ledger", sa(), username="app", manage_master_user_password=True)
    aws.rds.Instance("ledger-replica", instance_class="db.t4g.micro", storage_encrypted=True,
                     replicate_source_db=primary.arn, tags=PUBLIC, opts=outside())


def provider_region_not_stack_region() -> None:
    """An explicit provider for eu-west-1 in a me-south-1 stack: the store is in eu-west-1."""
    provider = aws.Provider("eu", region="eu-west-1")
    aws.s3.Bucket("uploads", tags=PII, opts=pulumi.ResourceOptions(provider=provider))


def provider_without_region() -> None:
    provider = aws.Provider("unscoped")
    aws.sqs.Queue("jobs", opts=pulumi.ResourceOptions(provider=provider))


def replication_chain() -> None:
    """Into the DR region (fine), and from there on out (not fine)."""
    replica = bucket("uploads-dr", dr())
    replicate(bucket("uploads", sa()), replica.arn, "uploads-repl", sa())
    replicate(replica, bucket("uploads-far", outside(), "public-content").arn, "uploads-dr-repl",
              dr())


def plain_name_elsewhere() -> None:
    replicate(bucket("uploads", sa()), "uploads-backup-bucket", "uploads-repl", sa())


def sns_to_queue_elsewhere() -> None:
    topic = aws.sns.Topic("signups", tags=PII, opts=sa())
    aws.sns.TopicSubscription("signups-crm", topic=topic.arn, protocol="sqs",
                              endpoint=arn("sqs", "us-east-1", "crm-intake"), opts=sa())


def sns_to_email() -> None:
    topic = aws.sns.Topic("signups", tags=PII, opts=sa())
    aws.sns.TopicSubscription("signups-mail", topic=topic.arn, protocol="email",
                              endpoint="sales@example.com", opts=sa())


def firehose_to_bucket_elsewhere() -> None:
    lake = bucket("clickstream", outside("us-east-1"), "public-content")
    aws.kinesis.FirehoseDeliveryStream(
        "clicks", destination="extended_s3", tags={"data-class": "telemetry"}, opts=sa(),
        extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
            role_arn=ROLE, bucket_arn=lake.arn))


def firehose_to_third_party() -> None:
    aws.kinesis.FirehoseDeliveryStream(
        "clicks", destination="http_endpoint", tags={"data-class": "telemetry"}, opts=sa(),
        http_endpoint_configuration=aws.kinesis.
        FirehoseDeliveryStreamHttpEndpointConfigurationArgs(
            url="https://intake.analytics.example.com/v1", role_arn=ROLE,
            s3_configuration=aws.kinesis.
            FirehoseDeliveryStreamHttpEndpointConfigurationS3ConfigurationArgs(
                role_arn=ROLE, bucket_arn=bucket("clicks-backup", sa()).arn)))


def eventbridge_to_other_bus() -> None:
    rule = aws.cloudwatch.EventRule("orders", event_pattern=json.dumps({"source": ["shop"]}),
                                    opts=sa())
    aws.cloudwatch.EventTarget("orders-us", rule=rule.name, role_arn=ROLE, opts=sa(),
                               arn=arn("events", "us-east-1", "event-bus/analytics"))


def logs_to_stream_elsewhere() -> None:
    group = log_group("api-access", sa())
    aws.cloudwatch.LogSubscriptionFilter("api-access-siem", log_group=group.name,
                                         filter_pattern="", role_arn=ROLE, opts=sa(),
                                         destination_arn=arn("logs", "eu-west-1",
                                                             "destination:siem"))


def cloudfront_logs_elsewhere() -> None:
    logs = bucket("cdn-logs", outside("us-east-1"))
    distribution("cdn", outside("us-east-1", tags=PUBLIC),
                 logging_config=aws.cloudfront.DistributionLoggingConfigArgs(
                     bucket=logs.bucket_domain_name))


def dms_to_endpoint_elsewhere() -> None:
    source = aws.dms.Endpoint("users-db", endpoint_id="users-db", endpoint_type="source",
                              engine_name="postgres", tags=PII, opts=sa())
    aws.dms.ReplicationTask("users-export", migration_type="full-load-and-cdc",
                            replication_task_id="users-export", table_mappings="{}",
                            replication_instance_arn=arn("dms", "me-south-1", "rep:R"),
                            source_endpoint_arn=source.endpoint_arn, opts=sa(),
                            target_endpoint_arn=arn("dms", "eu-central-1", "endpoint:WH"))


def multi_region_access_point() -> None:
    buckets = [bucket("media", sa()), bucket("media-eu", outside(), "public-content")]
    aws.s3control.MultiRegionAccessPoint(
        "media", opts=sa(), details=aws.s3control.MultiRegionAccessPointDetailsArgs(
            name="media", regions=[aws.s3control.MultiRegionAccessPointDetailsRegionArgs(
                bucket=b.bucket) for b in buckets]))


def legacy_global_table() -> None:
    aws.dynamodb.GlobalTable("sessions", name="sessions", opts=sa(), replicas=[
        aws.dynamodb.GlobalTableReplicaArgs(region_name=r) for r in ("me-south-1", "eu-west-1")])


def stackset_instance_elsewhere() -> None:
    aws.cloudformation.StackSetInstance("data-baseline", stack_set_name="data-baseline",
                                        stack_set_instance_region="eu-west-1", opts=sa())


def cognito_pool_elsewhere() -> None:
    aws.cognito.UserPool("learners", opts=outside("us-east-1"))


def queue_elsewhere() -> None:
    aws.sqs.Queue("grading", opts=outside())


def topic_elsewhere() -> None:
    aws.sns.Topic("progress-events", kms_master_key_id="alias/aws/sns", opts=outside())


def warehouse_elsewhere() -> None:
    aws.redshiftserverless.Namespace("analytics", namespace_name="analytics", tags=PII,
                                     opts=outside("us-east-1"))


def kms_replica_elsewhere() -> None:
    key = aws.kms.Key("users", multi_region=True, enable_key_rotation=True, opts=sa())
    aws.kms.ReplicaKey("users-us", primary_key_arn=key.arn, opts=outside("us-east-1"))


def route53_query_logs() -> None:
    group = log_group("zone-queries", outside("us-east-1"))
    aws.route53.QueryLog("zone-queries", zone_id="Z123", cloudwatch_log_group_arn=group.arn,
                         opts=sa())


def resource_region_override() -> None:
    """pulumi-aws 7 takes `region` on each resource: the provider says me-south-1, the
    replica key says us-east-1."""
    key = aws.kms.Key("users", multi_region=True, enable_key_rotation=True, opts=sa())
    aws.kms.ReplicaKey("users-us", primary_key_arn=key.arn, region="us-east-1", opts=sa())


def resource_region_override_replica() -> None:
    table = dynamo("profiles", sa(), stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES")
    aws.dynamodb.TableReplica("profiles-us", global_table_arn=table.arn, region="us-east-1",
                              opts=aws_in("me-south-1", name="aws-public", tags=PUBLIC))


def us_backup_to_eu_vault() -> None:
    vault = aws.backup.Vault("offsite", opts=outside())
    aws.backup.Plan("nightly", opts=aws_in("us-east-1"), rules=[aws.backup.PlanRuleArgs(
        rule_name="nightly", target_vault_name="main", schedule="cron(0 5 * * ? *)",
        copy_actions=[aws.backup.PlanRuleCopyActionArgs(destination_vault_arn=vault.arn)])])


def us_flow_logs_to_eu() -> None:
    flows = bucket("flows", outside())
    aws.ec2.FlowLog("vpc-flows", vpc_id="vpc-1", traffic_type="ALL", log_destination_type="s3",
                    log_destination=flows.arn, opts=aws_in("us-east-1"))


@dataclass(frozen=True)
class Route:
    name: str
    program: Callable[[], None]
    jurisdiction: str
    policy: str
    subject: str  # logical name of the resource the finding must be on
    says: str  # a fragment of the message


ROUTES = [
    Route("logical-name-trap", logical_name_trap, "sa", "residency-replication-target",
          "recordings-repl", "cannot be determined"),
    Route("public-default-tags-secondary", public_default_tags_secondary, "sa",
          "residency-replication-target", "users-secondary", "copies user-pii data"),
    Route("public-tagged-table-replica", public_tagged_table_replica, "sa",
          "residency-replication-target", "profiles-eu", "copies user-pii data"),
    Route("public-tagged-read-replica", public_tagged_read_replica, "sa",
          "residency-replication-target", "ledger-replica", "copies user-pii data"),
    Route("provider-region", provider_region_not_stack_region, "sa",
          "residency-region-allowed", "uploads", "in eu-west-1"),
    Route("provider-without-region", provider_without_region, "sa",
          "residency-region-allowed", "jobs", "cannot be determined"),
    Route("replication-chain", replication_chain, "sa", "residency-replication-target",
          "uploads-dr-repl", "in eu-west-1"),
    Route("plain-name-elsewhere", plain_name_elsewhere, "sa", "residency-replication-target",
          "uploads-repl", "cannot be determined"),
    Route("sns-to-queue", sns_to_queue_elsewhere, "sa", "residency-replication-target",
          "signups-crm", "in us-east-1"),
    Route("sns-to-email", sns_to_email, "sa", "residency-replication-target", "signups-mail",
          "cannot be determined"),
    Route("firehose-to-bucket", firehose_to_bucket_elsewhere, "sa",
          "residency-replication-target", "clicks", "in us-east-1"),
    Route("firehose-to-third-party", firehose_to_third_party, "sa",
          "residency-replication-target", "clicks", "cannot be determined"),
    Route("eventbridge-to-bus", eventbridge_to_other_bus, "sa", "residency-replication-target",
          "orders-us", "in us-east-1"),
    Route("logs-to-destination", logs_to_stream_elsewhere, "sa",
          "residency-replication-target", "api-access-siem", "in eu-west-1"),
    Route("cloudfront-logs", cloudfront_logs_elsewhere, "sa", "residency-replication-target",
          "cdn", "viewer request logs"),
    Route("dms-replication", dms_to_endpoint_elsewhere, "sa", "residency-replication-target",
          "users-export", "in eu-central-1"),
    Route("multi-region-access-point", multi_region_access_point, "sa",
          "residency-replication-target", "media", "in eu-west-1"),
    Route("legacy-global-table", legacy_global_table, "sa", "residency-replication-target",
          "sessions", "in eu-west-1"),
    Route("stackset-instance", stackset_instance_elsewhere, "sa",
          "residency-replication-target", "data-baseline", "in eu-west-1"),
    Route("cognito-pool", cognito_pool_elsewhere, "sa", "residency-region-allowed", "learners",
          "in us-east-1"),
    Route("queue", queue_elsewhere, "sa", "residency-region-allowed", "grading", "in eu-west-1"),
    Route("topic", topic_elsewhere, "sa", "residency-region-allowed", "progress-events",
          "in eu-west-1"),
    Route("warehouse", warehouse_elsewhere, "sa", "residency-region-allowed", "analytics",
          "in us-east-1"),
    Route("kms-replica", kms_replica_elsewhere, "sa", "kms-multi-region-key", "users-us",
          "in us-east-1"),
    Route("route53-query-logs", route53_query_logs, "sa", "residency-replication-target",
          "zone-queries", "in us-east-1"),
    Route("resource-region-override", resource_region_override, "sa", "kms-multi-region-key",
          "users-us", "in us-east-1"),
    Route("resource-region-override-replica", resource_region_override_replica, "sa",
          "residency-replication-target", "profiles-us", "copies user-pii data"),
    Route("us-backup-to-eu", us_backup_to_eu_vault, "us", "residency-replication-target",
          "nightly", "in eu-west-1"),
    Route("us-flow-logs-to-eu", us_flow_logs_to_eu, "us", "residency-replication-target",
          "vpc-flows", "in eu-west-1"),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_route_out_is_caught_on_its_resource(route: Route) -> None:
    found = judge(route.program, route.jurisdiction)
    hits = [v for v in found if v["policy"] == route.policy
            and v["urn"].endswith(f"::{route.subject}") and route.says in v["message"]]
    assert hits, json.dumps(found, indent=1)


def test_unknown_global_cluster_membership_fails_closed() -> None:
    """In plan JSON an unknown is a marker; a cluster tagged public-content whose membership
    is unknown at plan time is judged as a copy of restricted data."""
    def program() -> None:
        aws.rds.Cluster("reporting", engine="aurora-postgresql", storage_encrypted=True,
                        global_cluster_identifier="placeholder", tags=PUBLIC, opts=outside())

    plan = copy.deepcopy(run_offline(program, config={"aws:region": "me-south-1"}).plan)
    (cluster,) = [r for r in plan["resources"] if r["name"] == "reporting"]
    cluster["props"]["globalClusterIdentifier"] = UNKNOWN_MARK
    found = judge_plan(plan, "sa")
    assert [v["policy"] for v in found] == ["residency-replication-target"], found
    assert "restricted data (`globalClusterIdentifier` is not a resource" in found[0]["message"]
    cluster["props"].pop("globalClusterIdentifier")  # not a member: public content, clean
    assert judge_plan(plan, "sa") == []


def test_unknown_destination_fails_closed() -> None:
    def program() -> None:
        replicate(bucket("uploads", sa()), "placeholder", "uploads-repl", sa())

    plan = copy.deepcopy(run_offline(program, config={"aws:region": "me-south-1"}).plan)
    (config,) = [r for r in plan["resources"] if r["name"] == "uploads-repl"]
    config["props"]["rules"][0]["destination"]["bucket"] = UNKNOWN_MARK
    found = judge_plan(plan, "sa")
    assert [v["urn"].rsplit("::", 1)[-1] for v in found] == ["uploads-repl"], found
    assert "unknown" in found[0]["message"] and "cannot be determined" in found[0]["message"]


@pytest.mark.parametrize(("queue_region", "caught"), [("me-central-1", False),
                                                      ("us-east-1", True)])
def test_unknown_target_arn_resolves_through_dependencies(queue_region: str,
                                                           caught: bool) -> None:
    """A new queue's ARN is unknown at preview: the target is the queue it came from (the
    rule's IAM role, also a dependency, is not a destination)."""
    def program() -> None:
        role = aws.iam.Role("events", assume_role_policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "events.amazonaws.com"}}]}), opts=sa())
        queue = aws.sqs.Queue("orders-copy", tags=PII, opts=aws_in(queue_region, "aws-q"))
        rule = aws.cloudwatch.EventRule("orders", opts=sa(),
                                        event_pattern=json.dumps({"source": ["shop"]}))
        aws.cloudwatch.EventTarget("orders-copy", rule=rule.name, arn=queue.arn,
                                   role_arn=role.arn, opts=sa())

    plan = copy.deepcopy(run_offline(program, config={"aws:region": "me-south-1"}).plan)
    (target,) = [r for r in plan["resources"] if r["type"].endswith("EventTarget")]
    target["props"]["arn"] = target["props"]["roleArn"] = UNKNOWN_MARK
    found = [v for v in judge_plan(plan, "sa") if "[copy path eventbridge-target]"
             in v["message"]]
    assert bool(found) is caught, found
    target["dependencies"] = []  # nothing it could have come from: fail closed
    (violation,) = [v for v in judge_plan(plan, "sa") if "[copy path eventbridge-target]"
                    in v["message"]]
    assert "cannot be determined" in violation["message"]


# --- controls --------------------------------------------------------------------------------

def dr_copies_inside() -> None:
    replicate(bucket("uploads", sa()), bucket("uploads-dr", dr()).arn, "uploads-repl", sa())
    group = aws.rds.GlobalCluster("users-global", global_cluster_identifier="users-global",
                                  engine="aurora-postgresql", opts=sa())
    rds_cluster("users", sa(), global_cluster_identifier=group.id)
    rds_cluster("users-dr", dr(), global_cluster_identifier=group.id)
    dynamo("profiles", sa(), stream_enabled=True, stream_view_type="NEW_AND_OLD_IMAGES",
           replicas=[aws.dynamodb.TableReplicaArgs(region_name="me-central-1")])
    key = aws.kms.Key("users-key", multi_region=True, enable_key_rotation=True, opts=sa())
    aws.kms.ReplicaKey("users-key-dr", primary_key_arn=key.arn, opts=dr())
    topic = aws.sns.Topic("signups", tags=PII, opts=sa())
    queue = aws.sqs.Queue("signups-dr", tags=PII, opts=dr())
    aws.sns.TopicSubscription("signups-dr", topic=topic.arn, protocol="sqs",
                              endpoint=queue.arn, opts=sa())
    vault = aws.backup.Vault("dr-vault", opts=dr())
    aws.backup.Plan("nightly", opts=sa(), rules=[aws.backup.PlanRuleArgs(
        rule_name="nightly", target_vault_name="main", schedule="cron(0 5 * * ? *)",
        copy_actions=[aws.backup.PlanRuleCopyActionArgs(destination_vault_arn=vault.arn)])])
    rule = aws.cloudwatch.EventRule("orders", event_pattern=json.dumps({"source": ["shop"]}),
                                    opts=sa())
    aws.cloudwatch.EventTarget("orders-dr", rule=rule.name, arn=queue.arn, opts=sa())
    group = log_group("api-access", sa())
    aws.cloudwatch.LogSubscriptionFilter(
        "api-access-dr", log_group=group.name, filter_pattern="", role_arn=ROLE, opts=sa(),
        destination_arn=aws.kinesis.Stream("siem", shard_count=1, opts=dr()).arn)
    lake = bucket("clicks", dr())
    aws.kinesis.FirehoseDeliveryStream(
        "clicks", destination="extended_s3", tags={"data-class": "telemetry"}, opts=sa(),
        extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
            role_arn=ROLE, bucket_arn=lake.arn))
    logs = bucket("cdn-logs", sa())
    distribution("cdn", outside("us-east-1", tags=PUBLIC),
                 logging_config=aws.cloudfront.DistributionLoggingConfigArgs(
                     bucket=logs.bucket_domain_name))
    aws.cloudtrail.Trail("audit", s3_bucket_name=bucket("trail", dr()).id, opts=sa())


def public_content_outside() -> None:
    site = bucket("catalog", outside("us-east-1"), "public-content")
    replicate(site, bucket("catalog-eu", outside("eu-west-1"), "public-content").arn,
              "catalog-repl", outside("us-east-1"))
    topic = aws.sns.Topic("catalog-updates", tags=PUBLIC, opts=sa())
    aws.sns.TopicSubscription("catalog-updates-us", topic=topic.arn, protocol="sqs",
                              endpoint=arn("sqs", "us-east-1", "catalog-cache"), opts=sa())


def untagged_stores_inside() -> None:
    aws.s3.Bucket("scratch", opts=sa())
    aws.sqs.Queue("jobs", opts=sa())
    aws.sns.Topic("events", opts=dr())
    aws.cognito.UserPool("learners", opts=sa())
    aws.efs.FileSystem("shared", encrypted=True, opts=dr())


@pytest.mark.parametrize("program", [dr_copies_inside, public_content_outside,
                                     untagged_stores_inside], ids=lambda p: p.__name__)
def test_control_stays_clean(program: Callable[[], None]) -> None:
    assert judge(program, "sa") == []
