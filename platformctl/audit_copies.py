"""The live half of the copy-path table: copies `platformctl audit` reads from the account.

Driven by policies/copy_paths.py: every entry marked `live` has a collector here, and its
findings carry the entry's id as their `kind`, so a plan-time finding `[copy path
sns-subscription]` and a live one name the same path. A copy carries the data class of what
it copies (the topic, rule, log group or source stream), never its own; a destination whose
region cannot be read (an e-mail address, a URL outside AWS, a bucket we may not locate)
is `unknown` and reported (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from platformctl.audit import (
    REPLICATED_OUTSIDE,
    UNKNOWN_REGION,
    ClientFactory,
    Finding,
    _aws,
    arn_region,
    bucket_region,
    data_class,
    is_restricted,
    tag_dict,
)
from policies.copy_paths import COPY_PATHS
from policies.copy_resolution import host_region, short_name

# Read-only IAM actions the live copy paths call (the README lists them for the audit role).
IAM_ACTIONS = (
    "sns:ListTopics", "sns:ListTagsForResource", "sns:ListSubscriptionsByTopic",
    "events:ListEventBuses", "events:ListRules", "events:ListTagsForResource",
    "events:ListTargetsByRule",
    "firehose:ListDeliveryStreams", "firehose:DescribeDeliveryStream",
    "firehose:ListTagsForDeliveryStream", "kinesis:ListTagsForStream",
    "logs:DescribeLogGroups", "logs:DescribeSubscriptionFilters", "logs:ListTagsForResource",
)


@dataclass(frozen=True)
class Copy:
    """One live copy: `source` (with its tags) sends data to `target`."""

    path: str  # the copy path id of policies/copy_paths.py
    source: str
    region: str
    tags: Mapping[str, str]
    target: str
    target_region: str  # UNKNOWN_REGION when it cannot be determined


def copy_findings(copies: Iterable[Copy], allowed_regions: Iterable[str]) -> list[Finding]:
    """A finding for every copy of restricted data to a region outside `allowed_regions`
    (or to an unknown one)."""
    allowed = set(allowed_regions)
    return [Finding(c.region, c.path, c.source, REPLICATED_OUTSIDE, c.target, c.target_region,
                    data_class(c.tags))
            for c in copies if is_restricted(c.tags) and c.target_region not in allowed]


def endpoint_region(endpoint: str) -> str:
    """Where an ARN or AWS regional URL points; UNKNOWN_REGION for anything else."""
    if endpoint.startswith("arn:"):
        return arn_region(endpoint)
    return host_region(endpoint) or UNKNOWN_REGION


# --- collectors ----------------------------------------------------------------------------

def sns_subscriptions(client: ClientFactory, region: str) -> list[Copy]:
    sns = client("sns", region)
    copies = []
    with _aws("sns:ListTopics", region):
        topics = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate()
                  for t in page.get("Topics", ())]
    for topic in topics:
        with _aws(f"sns:ListTagsForResource({topic})", region):
            tags = tag_dict(sns.list_tags_for_resource(ResourceArn=topic).get("Tags"))
        with _aws(f"sns:ListSubscriptionsByTopic({topic})", region):
            for page in sns.get_paginator("list_subscriptions_by_topic").paginate(
                    TopicArn=topic):
                copies += [Copy("sns-subscription", short_name(topic), region, tags,
                                s["Endpoint"], endpoint_region(s["Endpoint"]))
                           for s in page.get("Subscriptions", ())]
    return copies


def _pages(call: Callable[..., dict[str, Any]], key: str, **args: Any) -> list[Any]:
    """Every item of a NextToken-paginated call that has no boto3 paginator."""
    found, token = [], None
    while True:
        answer = call(**args, **({"NextToken": token} if token else {}))
        found += answer.get(key, [])
        token = answer.get("NextToken")
        if not token:
            return found


def eventbridge_targets(client: ClientFactory, region: str) -> list[Copy]:
    events = client("events", region)
    copies = []
    with _aws("events:ListEventBuses", region):
        buses = [b["Name"] for b in _pages(events.list_event_buses, "EventBuses")]
    for bus in buses:
        with _aws(f"events:ListRules({bus})", region):
            rules = _pages(events.list_rules, "Rules", EventBusName=bus)
        for rule in rules:
            with _aws(f"events:ListTagsForResource({rule['Name']})", region):
                tags = tag_dict(events.list_tags_for_resource(ResourceARN=rule["Arn"])
                                .get("Tags"))
            with _aws(f"events:ListTargetsByRule({rule['Name']})", region):
                targets = _pages(events.list_targets_by_rule, "Targets", Rule=rule["Name"],
                                 EventBusName=bus)
            copies += [Copy("eventbridge-target", rule["Name"], region, tags, t["Arn"],
                            endpoint_region(t["Arn"])) for t in targets]
    return copies


# Where each Firehose destination description keeps its destination (ARN or URL).
FIREHOSE_DESTINATIONS = (
    ("ExtendedS3DestinationDescription", "BucketARN"),
    ("S3DestinationDescription", "BucketARN"),
    ("AmazonopensearchserviceDestinationDescription", "DomainARN"),
    ("ElasticsearchDestinationDescription", "DomainARN"),
    ("RedshiftDestinationDescription", "ClusterJDBCURL"),
    ("SplunkDestinationDescription", "HECEndpoint"),
)


def _firehose_targets(destination: Mapping[str, Any]) -> list[str]:
    found = [destination[kind][key] for kind, key in FIREHOSE_DESTINATIONS
             if destination.get(kind, {}).get(key)]
    http = destination.get("HttpEndpointDestinationDescription", {})
    url = http.get("EndpointConfiguration", {}).get("Url")
    return found + ([url] if url else [])


def firehose_deliveries(client: ClientFactory, region: str) -> list[Copy]:
    from botocore.exceptions import ClientError

    firehose = client("firehose", region)
    names: list[str] = []
    with _aws("firehose:ListDeliveryStreams", region):
        while True:
            start = {"ExclusiveStartDeliveryStreamName": names[-1]} if names else {}
            answer = firehose.list_delivery_streams(**start)
            names += answer.get("DeliveryStreamNames", [])
            if not answer.get("HasMoreDeliveryStreams"):
                break
    copies = []
    for name in names:
        with _aws(f"firehose:DescribeDeliveryStream({name})", region):
            stream = firehose.describe_delivery_stream(DeliveryStreamName=name)[
                "DeliveryStreamDescription"]
        source = stream.get("Source", {}).get("KinesisStreamSourceDescription", {}).get(
            "KinesisStreamARN")
        if source:  # the copy carries the source stream's data class
            with _aws(f"kinesis:ListTagsForStream({source})", arn_region(source)):
                tags = tag_dict(client("kinesis", arn_region(source)).list_tags_for_stream(
                    StreamName=short_name(source)).get("Tags"))
        else:
            with _aws(f"firehose:ListTagsForDeliveryStream({name})", region):
                tags = tag_dict(firehose.list_tags_for_delivery_stream(
                    DeliveryStreamName=name).get("Tags"))
        for destination in stream.get("Destinations", ()):
            for target in _firehose_targets(destination):
                target_region = endpoint_region(target)
                if target.startswith("arn:aws:s3:::"):  # bucket ARNs have no region field
                    try:
                        with _aws(f"s3:GetBucketLocation({target})", region,
                                  tolerate=("AccessDenied", "NoSuchBucket")):
                            target_region = bucket_region(client("s3", region)
                                                          .get_bucket_location(
                                Bucket=short_name(target)).get("LocationConstraint"))
                    except ClientError:
                        target_region = UNKNOWN_REGION  # another account's: fail closed
                copies.append(Copy("firehose-delivery", name, region, tags, target,
                                   target_region))
    return copies


def log_subscriptions(client: ClientFactory, region: str) -> list[Copy]:
    logs = client("logs", region)
    copies = []
    with _aws("logs:DescribeLogGroups", region):
        groups = [g for page in logs.get_paginator("describe_log_groups").paginate()
                  for g in page.get("logGroups", ())]
    for group in groups:
        name = group["logGroupName"]
        with _aws(f"logs:DescribeSubscriptionFilters({name})", region):
            filters = [f for page in logs.get_paginator("describe_subscription_filters")
                       .paginate(logGroupName=name) for f in page.get("subscriptionFilters", ())]
        if not filters:
            continue
        with _aws(f"logs:ListTagsForResource({name})", region):
            tags = logs.list_tags_for_resource(
                resourceArn=group["arn"].removesuffix(":*")).get("tags") or {}
        copies += [Copy("logs-subscription-filter", name, region, tags, f["destinationArn"],
                        endpoint_region(f["destinationArn"])) for f in filters]
    return copies


Collector = Callable[[ClientFactory, str], list[Copy]]
COLLECTORS: dict[str, Collector] = {
    "sns-subscription": sns_subscriptions,
    "eventbridge-target": eventbridge_targets,
    "firehose-delivery": firehose_deliveries,
    "logs-subscription-filter": log_subscriptions,
}
LIVE_PATHS = tuple(e.id for e in COPY_PATHS if e.live)


def collect_copies(client: ClientFactory, regions: Sequence[str]) -> list[Copy]:
    """Every live copy path of the table, in every region scanned."""
    return [copy for region in regions for path in LIVE_PATHS
            for copy in COLLECTORS[path](client, region)]
