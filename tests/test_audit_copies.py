"""`platformctl audit`, live copy paths: SNS subscriptions, EventBridge targets, Firehose
deliveries and log subscription filters read from moto's standalone server on 127.0.0.1,
reported with the copy path ids of policies/copy_paths.py."""

from __future__ import annotations

import json

import boto3
import pytest

from platformctl.audit import REPLICATED_OUTSIDE, UNKNOWN_REGION, Finding, audit, client_factory
from platformctl.audit_copies import (
    COLLECTORS,
    LIVE_PATHS,
    Copy,
    collect_copies,
    copy_findings,
    endpoint_region,
)
from policies.copy_paths import COPY_PATHS

SA = ["me-south-1", "me-central-1"]
HOME = "me-south-1"
ACCOUNT = "123456789012"  # moto's default account
PII = [{"Key": "data-class", "Value": "user-pii"}]
PUBLIC = [{"Key": "data-class", "Value": "public-content"}]


def test_every_live_path_of_the_table_has_a_collector() -> None:
    assert set(COLLECTORS) == set(LIVE_PATHS)
    assert set(LIVE_PATHS) <= {e.id for e in COPY_PATHS}


@pytest.mark.parametrize(("endpoint", "region"), [
    ("arn:aws:sqs:us-east-1:123456789012:q", "us-east-1"),
    ("https://search-x.eu-west-1.es.amazonaws.com", "eu-west-1"),
    ("sales@example.com", UNKNOWN_REGION),
    ("https://hooks.example.com/me-south-1/in", UNKNOWN_REGION),  # not an AWS host
    ("arn:aws:s3:::bucket", UNKNOWN_REGION),
])
def test_endpoint_region(endpoint: str, region: str) -> None:
    assert endpoint_region(endpoint) == region


def test_a_copy_carries_its_sources_class() -> None:
    copies = [Copy("sns-subscription", "signups", HOME, {"data-class": "user-pii"}, "q",
                   "us-east-1"),
              Copy("sns-subscription", "catalog", HOME, {"data-class": "public-content"}, "q",
                   "us-east-1"),
              Copy("sns-subscription", "untagged", HOME, {}, "mail", UNKNOWN_REGION),
              Copy("sns-subscription", "dr", HOME, {}, "q", "me-central-1")]
    assert copy_findings(copies, SA) == [
        Finding(HOME, "sns-subscription", "signups", REPLICATED_OUTSIDE, "q", "us-east-1",
                "user-pii"),
        Finding(HOME, "sns-subscription", "untagged", REPLICATED_OUTSIDE, "mail",
                UNKNOWN_REGION, None)]


def _client(url: str, service: str, region: str):  # noqa: ANN202
    return boto3.client(service, region_name=region, endpoint_url=url)


@pytest.fixture
def copies_seeded(aws: str) -> str:  # noqa: F811
    url = aws
    sqs_us = _client(url, "sqs", "us-east-1").create_queue(QueueName="crm-intake")
    sqs_dr = _client(url, "sqs", "me-central-1").create_queue(QueueName="signups-dr")
    queue_us = _client(url, "sqs", "us-east-1").get_queue_attributes(
        QueueUrl=sqs_us["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_dr = _client(url, "sqs", "me-central-1").get_queue_attributes(
        QueueUrl=sqs_dr["QueueUrl"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = _client(url, "sns", HOME)
    signups = sns.create_topic(Name="signups", Tags=PII)["TopicArn"]
    sns.subscribe(TopicArn=signups, Protocol="sqs", Endpoint=queue_us)       # out
    sns.subscribe(TopicArn=signups, Protocol="sqs", Endpoint=queue_dr)       # DR: fine
    sns.subscribe(TopicArn=signups, Protocol="email", Endpoint="crm@example.com")  # unknown
    catalog = sns.create_topic(Name="catalog", Tags=PUBLIC)["TopicArn"]
    sns.subscribe(TopicArn=catalog, Protocol="sqs", Endpoint=queue_us)       # public: fine

    events = _client(url, "events", HOME)
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}), Tags=PII)
    events.put_targets(Rule="orders", Targets=[
        {"Id": "analytics", "Arn": f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/analytics",
         "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/events"}])

    s3 = _client(url, "s3", "eu-west-1")
    s3.create_bucket(Bucket="clicks-lake",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    _client(url, "firehose", HOME).create_delivery_stream(
        DeliveryStreamName="clicks", DeliveryStreamType="DirectPut",
        Tags=[{"Key": "data-class", "Value": "telemetry"}],
        ExtendedS3DestinationConfiguration={
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose",
            "BucketARN": "arn:aws:s3:::clicks-lake"})

    kinesis = _client(url, "kinesis", "me-central-1")
    kinesis.create_stream(StreamName="siem", ShardCount=1)
    logs = _client(url, "logs", "me-central-1")
    logs.create_log_group(logGroupName="/app/access", tags={"data-class": "user-pii"})
    logs.put_subscription_filter(
        logGroupName="/app/access", filterName="siem", filterPattern="",
        destinationArn=f"arn:aws:kinesis:me-central-1:{ACCOUNT}:stream/siem",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/logs")
    return url


def test_live_copies_outside_are_found_with_the_table_ids(copies_seeded: str) -> None:
    result = audit("sa", SA, SA, client_factory(copies_seeded))
    found = [f for f in result.findings if f.kind in LIVE_PATHS]
    assert found == sorted(found)
    assert {(f.kind, f.name, f.target, f.target_region, f.data_class) for f in found} == {
        ("sns-subscription", "signups", f"arn:aws:sqs:us-east-1:{ACCOUNT}:crm-intake",
         "us-east-1", "user-pii"),
        ("sns-subscription", "signups", "crm@example.com", UNKNOWN_REGION, "user-pii"),
        ("eventbridge-target", "orders", f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/"
         "analytics", "eu-west-1", "user-pii"),
        ("firehose-delivery", "clicks", "arn:aws:s3:::clicks-lake", "eu-west-1", "telemetry"),
    }
    # The in-jurisdiction log subscription is read (so the path is followed) and clean.
    copies = collect_copies(client_factory(copies_seeded), ["me-central-1"])
    assert [(c.path, c.target_region) for c in copies] == [
        ("logs-subscription-filter", "me-central-1")]


def test_log_subscription_outside_is_found(aws: str) -> None:  # noqa: F811
    _client(aws, "kinesis", "me-south-1").create_stream(StreamName="siem", ShardCount=1)
    logs = _client(aws, "logs", "me-south-1")
    logs.create_log_group(logGroupName="/app/access")
    logs.put_subscription_filter(
        logGroupName="/app/access", filterName="siem", filterPattern="",
        destinationArn=f"arn:aws:kinesis:me-south-1:{ACCOUNT}:stream/siem",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/logs")
    copies = collect_copies(client_factory(aws), ["me-south-1"])
    assert [(c.path, c.source, c.tags) for c in copies] == [
        ("logs-subscription-filter", "/app/access", {})]
    # Judged against a jurisdiction that excludes the stream's region: untagged, fail closed.
    (finding,) = copy_findings(copies, ["us-east-1"])
    assert (finding.kind, finding.target_region, finding.data_class) == (
        "logs-subscription-filter", "me-south-1", None)


def test_cli_reports_live_copies_with_their_path_ids(aws: str) -> None:  # noqa: F811
    from typer.testing import CliRunner

    from platformctl.cli import app

    sns = _client(aws, "sns", "us-east-1")
    topic = sns.create_topic(Name="signups", Tags=PII)["TopicArn"]
    far = f"arn:aws:sqs:ap-southeast-2:{ACCOUNT}:crm"
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=far)
    result = CliRunner().invoke(app, ["audit", "us", "--regions", "us-east-1", "--format",
                                      "json", "--endpoint-url", aws])
    report = json.loads(result.stdout)
    assert "ap-southeast-2" not in report["allowed_regions"]
    assert result.exit_code == 1, result.output
    assert {"region": "us-east-1", "kind": "sns-subscription", "name": "signups",
            "issue": REPLICATED_OUTSIDE, "target": far, "target_region": "ap-southeast-2",
            "data_class": "user-pii"} in report["findings"]
    text = CliRunner().invoke(app, ["audit", "us", "--regions", "us-east-1",
                                    "--endpoint-url", aws])
    assert text.exit_code == 1 and "signups" in text.stdout
