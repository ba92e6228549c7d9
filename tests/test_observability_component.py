"""Observability: alarms follow the monitored components, thresholds and chat come from the
args/profile, every alarm notifies the encrypted topic, and the audit trail stays in region."""

from __future__ import annotations

import json
import typing

import pulumi
import pytest

from components.alarm_catalogue import CATALOGUE, THRESHOLD_NAMES, AlarmThresholds
from components.monitoring import MonitoredKind, MonitoredResource
from components.observability import Observability, ObservabilityArgs
from tests.plans import PlanView, in_region, run_offline

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
WEBHOOK = "https://hooks.example.com/services/T000/B000/very-secret-token"

NAT = MonitoredResource("nat-gateway", "network-nat-a", {"NatGatewayId": "nat-0a"})
ALB = MonitoredResource("alb", "web-alb", {"LoadBalancer": "app/web/0123"})
ECS = MonitoredResource("ecs-service", "web-svc", {"ClusterName": "c", "ServiceName": "web"})
AURORA = MonitoredResource("aurora", "db", {"DBClusterIdentifier": "db-cluster"})
REDIS = MonitoredResource("redis", "cache", {"CacheClusterId": "cache-001"})
CDN = MonitoredResource("cloudfront", "cdn", {"DistributionId": "E123"})
DYNAMO = MonitoredResource("dynamodb", "table", {"TableName": "uploads"})


def plan(monitored, region: str = "us-east-1", config=None, secret_keys=None,
         **kwargs) -> PlanView:
    def build(opts: pulumi.ResourceOptions) -> None:
        extra = dict(kwargs)
        if extra.get("chat") == "webhook":
            extra["webhook_url"] = pulumi.Config("platform").get_secret("alertWebhookUrl")
        Observability("obs", ObservabilityArgs(region=region, monitored=monitored, **extra),
                      opts=opts)
    return run_offline(in_region(region, build), config=config, secret_keys=secret_keys)


def alarm_names(view: PlanView) -> set[str]:
    return {r["props"]["name"] for r in view.of_type(ALARM)}


def alarm(view: PlanView, name: str) -> dict:
    return next(r for r in view.of_type(ALARM) if r["props"]["name"] == name)


# ---- the catalogue ---------------------------------------------------------------------------


def test_every_monitored_kind_has_alarms() -> None:
    assert set(typing.get_args(MonitoredKind)) == set(CATALOGUE)
    assert all(CATALOGUE.values())


def test_every_catalogue_threshold_is_a_named_threshold() -> None:
    used = {spec.threshold for specs in CATALOGUE.values() for spec in specs}
    assert used <= set(THRESHOLD_NAMES)
    assert set(THRESHOLD_NAMES) <= used, "a threshold no alarm uses"




# ---- alarms follow the components present ----------------------------------------------------


def test_adding_a_component_adds_exactly_its_alarms() -> None:
    base = alarm_names(plan([NAT, ALB]))
    more = alarm_names(plan([NAT, ALB, REDIS]))
    assert more - base == {"obs-cache-engine-cpu", "obs-cache-evictions",
                           "obs-cache-replication-lag"}
    assert base <= more


def test_removing_a_component_removes_its_alarms_and_the_composite() -> None:
    with_alb = plan([NAT, ALB])
    without = plan([NAT])
    assert alarm_names(with_alb) - alarm_names(without) == {"obs-web-alb-5xx-rate",
                                                            "obs-web-alb-p99-latency"}
    assert alarm_names(without) == {"obs-network-nat-a-port-allocation"}
    assert len(with_alb.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")) == 1
    assert without.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm") == []


def test_alarm_metrics_and_dimensions_come_from_the_catalogue() -> None:
    view = plan([ALB, AURORA, NAT, DYNAMO])
    nat = alarm(view, "obs-network-nat-a-port-allocation")["props"]
    assert (nat["namespace"], nat["metricName"], nat["dimensions"]) == (
        "AWS/NATGateway", "ErrorPortAllocation", {"NatGatewayId": "nat-0a"})
    assert nat["treatMissingData"] == "notBreaching"
    latency = alarm(view, "obs-web-alb-p99-latency")["props"]
    assert latency["extendedStatistic"] == "p99" and "statistic" not in latency
    rate = alarm(view, "obs-web-alb-5xx-rate")["props"]
    queries = {q["id"]: q for q in rate["metricQueries"]}
    assert queries["e1"]["expression"] == "100 * FILL(m1, 0) / m2"
    assert queries["m1"]["metric"]["metricName"] == "HTTPCode_Target_5XX_Count"
    assert queries["m2"]["metric"]["metricName"] == "RequestCount"
    assert queries["m1"]["metric"]["dimensions"] == {"LoadBalancer": "app/web/0123"}
    memory = alarm(view, "obs-db-freeable-memory")["props"]
    assert memory["comparisonOperator"] == "LessThanThreshold"
    assert memory["treatMissingData"] == "missing"
    errors = alarm(view, "obs-table-system-errors")["props"]["metricQueries"]
    assert {q["metric"]["dimensions"]["Operation"] for q in errors if "metric" in q} >= {
        "GetItem", "PutItem", "Query"}


def test_thresholds_come_from_the_args() -> None:
    default = alarm(plan([AURORA]), "obs-db-cpu")["props"]["threshold"]
    tuned = plan([AURORA], thresholds=AlarmThresholds(aurora_cpu_percent=65))
    assert default == 80
    assert alarm(tuned, "obs-db-cpu")["props"]["threshold"] == 65
    assert "aurora_cpu_percent=65" in alarm(tuned, "obs-db-cpu")["props"]["alarmDescription"]


def test_every_alarm_notifies_the_encrypted_topic_in_its_region() -> None:
    view = plan([NAT, ALB, ECS, AURORA, REDIS, DYNAMO, CDN], region="me-south-1")
    topics = {t["region"]: t for t in view.of_type(TOPIC)}
    assert set(topics) == {"me-south-1", "us-east-1"}
    for topic in topics.values():
        assert topic["props"]["kmsMasterKeyId"].startswith("arn:aws:kms:" + topic["region"])
    alarms = view.of_type(ALARM) + view.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
    assert len(alarms) == 15
    for resource in alarms:
        arn = f"arn:aws:sns:{resource['region']}:123456789012:obs-alerts" + (
            "" if resource["region"] == "me-south-1" else "-us-east-1")
        assert resource["props"]["alarmActions"] == [arn], resource["name"]
        assert resource["props"]["okActions"] == [arn], resource["name"]


def test_cloudfront_alarm_lives_in_us_east_1() -> None:
    view = plan([CDN], region="me-south-1")
    cdn = alarm(view, "obs-cdn-5xx-rate")
    assert cdn["region"] == "us-east-1"
    assert cdn["props"]["dimensions"] == {"DistributionId": "E123", "Region": "Global"}
    # In us-east-1 itself the one topic serves and no relay is created.
    local = plan([CDN], region="us-east-1")
    assert len(local.of_type(TOPIC)) == 1
    assert alarm(local, "obs-cdn-5xx-rate")["region"] == "us-east-1"


def test_composite_covers_serving_alarms_of_the_stack_region() -> None:
    view = plan([NAT, ALB, AURORA, CDN], region="me-south-1")
    composite = view.one("aws:cloudwatch/compositeAlarm:CompositeAlarm")["props"]
    assert composite["alarmRule"] == ('ALARM("obs-web-alb-5xx-rate") OR '
                                      'ALARM("obs-web-alb-p99-latency")')
    assert composite["alarmName"] == "obs-service-unhealthy"


def test_dashboard_is_generated_from_the_monitored_resources() -> None:
    body = json.loads(plan([NAT, ALB, REDIS]).one(
        "aws:cloudwatch/dashboard:Dashboard")["props"]["dashboardBody"])
    titles = {w["properties"].get("title") for w in body["widgets"]}
    assert {"network-nat-a port-allocation", "web-alb 5xx-rate", "cache evictions"} <= titles
    nat = next(w for w in body["widgets"]
               if w["properties"].get("title") == "network-nat-a port-allocation")
    assert nat["properties"]["metrics"] == [["AWS/NATGateway", "ErrorPortAllocation",
                                             "NatGatewayId", "nat-0a", {"stat": "Sum"}]]
    for widget in body["widgets"]:
        assert widget["x"] + widget["width"] <= 24


# ---- chat and email ----------------------------------------------------------------------------


def test_webhook_url_never_appears_in_plaintext() -> None:
    view = plan([NAT, CDN], region="me-south-1", chat="webhook",
                config={"platform:alertWebhookUrl": WEBHOOK},
                secret_keys=["platform:alertWebhookUrl"])
    hooks = [r for r in view.of_type("aws:sns/topicSubscription:TopicSubscription")
             if r["props"]["protocol"] == "https"]
    assert len(hooks) == 2  # the stack's topic and the us-east-1 relay
    assert all(h["props"]["endpoint"] == "[secret]" for h in hooks)
    assert WEBHOOK not in json.dumps(view.plan)
    assert "very-secret-token" not in json.dumps(view.plan)


def test_slack_goes_through_chatbot_with_read_only_guardrails() -> None:
    view = plan([NAT], chat="slack", slack_team_id="T0123", slack_channel_id="C0456",
                alert_emails=["oncall@example.com"])
    slack = view.one("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration")["props"]
    assert (slack["slackTeamId"], slack["slackChannelId"]) == ("T0123", "C0456")
    assert slack["snsTopicArns"] == ["arn:aws:sns:us-east-1:123456789012:obs-alerts"]
    assert slack["guardrailPolicyArns"] == ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]
    email = view.one("aws:sns/topicSubscription:TopicSubscription")["props"]
    assert (email["protocol"], email["endpoint"]) == ("email", "oncall@example.com")
    key_policy = json.loads(view.named("obs-alerts-key")["props"]["policy"])
    services = [p for st in key_policy["Statement"][1:] for p in st["Principal"]["Service"]]
    assert {"cloudwatch.amazonaws.com", "events.amazonaws.com",
            "chatbot.amazonaws.com"} <= set(services)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"chat": "slack"}, r"chat: 'slack' needs slack_team_id and slack_channel_id"),
    ({"chat": "webhook"}, r"chat: 'webhook' needs webhook_url"),
    ({"chat": "teams"}, r"chat: 'teams' is unknown; use one of none, slack, webhook"),
    ({"alert_emails": ["oncall"]}, r"alert_emails: 'oncall' is not an email address"),
    ({"monitored": [NAT, NAT]}, r"monitored: names network-nat-a appear more than once"),
    ({"monitored": [MonitoredResource("kafka", "k", {"a": "b"})]},  # type: ignore[arg-type]
     r"monitored: kind 'kafka' has no alarms in the catalogue"),
    ({"monitored": [MonitoredResource("redis", "r")]}, r"monitored: 'r' has no dimensions"),
    ({"guardduty_features": ["MAGIC"]}, r"guardduty_features: MAGIC unknown"),
    ({"region": ""}, r"region: empty"),
])
def test_bad_args_are_refused(kwargs, message) -> None:
    args = {"region": "us-east-1", **kwargs}
    with pytest.raises(ValueError, match=message):
        ObservabilityArgs(**args)


def test_negative_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match=r"thresholds.redis_evictions: -1 is not a non-negative"):
        AlarmThresholds(redis_evictions=-1)


# ---- audit -------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["us-east-1", "me-south-1"])
def test_trail_validates_logs_into_a_bucket_in_the_stack_region(region: str) -> None:
    view = plan([NAT], region=region)
    trail = view.one("aws:cloudtrail/trail:Trail")
    props = trail["props"]
    assert props["isMultiRegionTrail"] is True
    assert props["enableLogFileValidation"] is True
    assert props["includeGlobalServiceEvents"] is True
    assert props["kmsKeyId"].startswith(f"arn:aws:kms:{region}:")
    assert props["cloudWatchLogsGroupArn"].endswith(":*")
    store = view.one("platform:object_store:ObjectStore")
    bucket = view.named("obs-trail-bucket")
    assert bucket["parent"] == store["urn"]
    assert bucket["region"] == trail["region"] == region
    assert bucket["props"]["tags"]["data-class"] == "telemetry"
    assert bucket["protect"] is True
    assert props["s3BucketName"].startswith("obs-trail-bucket-")
    sse = view.named("obs-trail-encryption")["props"]["rules"][0]
    assert sse["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert sse["bucketKeyEnabled"] is True
    # ONE bucket policy: the TLS-only deny plus CloudTrail's statements, for this trail only.
    policies = [p for p in view.of_type("aws:s3/bucketPolicy:BucketPolicy")
                if p["parent"] == store["urn"]]
    assert [p["name"] for p in policies] == ["obs-trail-policy"]
    policy = json.loads(policies[0]["props"]["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [
        "DenyInsecureTransport", "CloudTrailAclCheck", "CloudTrailWrite"]
    bucket_arn = policy["Statement"][0]["Resource"][0]
    assert bucket_arn.startswith("arn:aws:s3:::obs-trail-bucket")
    acl, write = policy["Statement"][1:]
    assert acl["Resource"] == bucket_arn
    assert write["Resource"] == f"{bucket_arn}/AWSLogs/123456789012/*"
    for statement in (acl, write):
        assert statement["Condition"]["StringEquals"]["aws:SourceArn"] == (
            f"arn:aws:cloudtrail:{region}:123456789012:trail/obs-audit")
    # CloudTrail checks the policy when the trail is created: it must exist first.
    assert policies[0]["urn"] in trail["dependencies"]
    rules = {r["id"]: r for r in view.named("obs-trail-lifecycle")["props"]["rules"]}
    assert rules["expire-current-versions"]["expiration"]["days"] == 2557
    assert rules["tier-current-versions"]["transitions"] == [
        {"days": 30, "storageClass": "STANDARD_IA"}]
    log_group = view.one("aws:cloudwatch/logGroup:LogGroup")["props"]
    assert log_group["retentionInDays"] == 365 and log_group["kmsKeyId"]


@pytest.mark.parametrize("protect", [True, False])
def test_audit_key_is_kept_with_the_trail_logs(protect: bool) -> None:
    view = plan([NAT], protect=protect)
    for name in ("obs-trail-bucket", "obs-audit-key"):
        resource = view.named(name)
        assert (resource["protect"], resource["retainOnDelete"]) == (protect, protect), name


def test_trail_bucket_logs_to_the_given_access_log_bucket() -> None:
    own = plan([NAT])
    assert own.named("obs-trail-logging")["props"]["targetBucket"].startswith(
        "obs-trail-access-logs-bucket")
    shared = plan([NAT], access_log_bucket="storage-access-logs-bucket-1")
    assert shared.named("obs-trail-logging")["props"]["targetBucket"] == (
        "storage-access-logs-bucket-1")
    assert [b["name"] for b in shared.of_type("aws:s3/bucket:Bucket")] == ["obs-trail-bucket"]


def test_short_audit_retention_skips_standard_ia() -> None:
    rules = {r["id"] for r in plan([NAT], audit_retention_days=45).named(
        "obs-trail-lifecycle")["props"]["rules"]}
    assert "tier-current-versions" not in rules and "expire-current-versions" in rules


def test_guardduty_detector_with_features_and_finding_alerts() -> None:
    view = plan([NAT])
    detector = view.one("aws:guardduty/detector:Detector")["props"]
    assert detector["enable"] is True
    assert detector["findingPublishingFrequency"] == "FIFTEEN_MINUTES"
    features = {f["props"]["name"] for f in view.of_type(
        "aws:guardduty/detectorFeature:DetectorFeature")}
    assert {"S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "RUNTIME_MONITORING"} <= features
    target = view.one("aws:cloudwatch/eventTarget:EventTarget")["props"]
    assert target["arn"] == "arn:aws:sns:us-east-1:123456789012:obs-alerts"


def test_audit_can_be_turned_off() -> None:
    view = plan([NAT], cloudtrail=False, guardduty=False)
    assert view.of_type("aws:cloudtrail/trail:Trail") == []
    assert view.of_type("aws:guardduty/detector:Detector") == []
    assert len(view.of_type(ALARM)) == 1
