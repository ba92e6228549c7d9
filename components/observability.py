"""Observability: alerting, alarms, a dashboard and the audit trail of one regional stack.

Alarms and dashboard widgets are derived from the `MonitoredResource`s of the components
present (components/monitoring.py) through one table (components/alarm_catalogue.py), so a
stack never lists alarms by hand: adding a component adds its alarms.

Region choices:
- Alarms live where their metrics live. CloudFront publishes only in us-east-1, so its alarms
  are created there (`region="us-east-1"`), and because an alarm's actions must be in the
  alarm's own region, a stack outside us-east-1 gets a small relay topic in us-east-1 with
  the same subscribers (its own KMS key there). Only alert metadata crosses regions; the
  audit trail and its bucket stay in the stack's region.
- The composite "service unhealthy" alarm can only reference alarms of its own region, so it
  covers the serving alarms of the stack's region.
- AWS Chatbot is a global service whose API answers in a few regions (`chatbot_region`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components.alarm_catalogue import AlarmSpec, AlarmThresholds, specs_for
from components.aws_context import AwsContext
from components.iam import managed_policy_arn, policy_document, role_policy, service_role
from components.kms import customer_key
from components.labels import child_name, resource_tags
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.monitoring import MonitoredResource
from components.object_store import ObjectStore, ObjectStoreArgs
from components.stateful import stateful_options

ChatKind = Literal["none", "slack", "webhook"]
CHAT_KINDS: tuple[str, ...] = ("none", "slack", "webhook")
FINDING_FREQUENCIES = ("FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS")
GUARDDUTY_FEATURES = ("S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "EBS_MALWARE_PROTECTION",
                      "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS", "RUNTIME_MONITORING")
RUNTIME_AGENT_MANAGEMENT = ("EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT")
# Services that publish to the alert topic and so must be able to use its key.
ALERT_PUBLISHERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com")
CHATBOT_SERVICE = "chatbot.amazonaws.com"
CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com"
WIDGETS_PER_ROW = 3
WIDGET_WIDTH, WIDGET_HEIGHT = 8, 6


@dataclass(frozen=True, kw_only=True)
class ObservabilitySettings:
    thresholds: AlarmThresholds = field(default_factory=AlarmThresholds)
    """Alarm thresholds; defaults are the production choice (components/alarm_catalogue.py)."""
    alert_emails: Sequence[str] = ()
    """Addresses subscribed to the alert topic (each confirms by mail); none by default."""
    chat: ChatKind = "none"
    """`slack` (AWS Chatbot: needs slack_team_id and slack_channel_id), `webhook` (HTTPS
    subscription: needs webhook_url) or `none` (default)."""
    slack_team_id: str | None = None
    """Slack workspace id authorised once in the AWS Chatbot console (chat=slack)."""
    slack_channel_id: str | None = None
    """Slack channel id the alerts go to (chat=slack)."""
    chatbot_region: str = "us-west-2"
    """Region whose AWS Chatbot API holds the Slack channel configuration (Chatbot is global)."""
    audit_retention_days: int = 2557
    """Days the trail bucket keeps log files (7 years, a common audit requirement)."""
    composite_alarm: bool = True
    """A composite "service unhealthy" alarm over the serving alarms of the stack's region."""
    cloudtrail: bool = True
    """A multi-region CloudTrail trail (log file validation, KMS) into a bucket in this region;
    one per account is enough, so stacks sharing an account may turn it off in all but one."""
    guardduty: bool = True
    """A GuardDuty detector (one per account and region) with the GUARDDUTY_FEATURES on."""
    guardduty_features: Sequence[str] = GUARDDUTY_FEATURES
    """Protection plans to enable; runtime monitoring manages the EKS and Fargate agents."""
    finding_publishing_frequency: str = "FIFTEEN_MINUTES"
    """How often GuardDuty publishes updated findings."""
    finding_alert_severity: float = 7.0
    """GuardDuty findings at or above this severity (7 = high) go to the alert topic."""

    def __post_init__(self) -> None:
        if self.chat not in CHAT_KINDS:
            raise ValueError(f"chat: '{self.chat}' is unknown; use one of {', '.join(CHAT_KINDS)}")
        if self.chat == "slack" and not (self.slack_team_id and self.slack_channel_id):
            raise ValueError("chat: 'slack' needs slack_team_id and slack_channel_id; set both "
                             "(from the AWS Chatbot console) or use chat='none'")
        for email in self.alert_emails:
            if "@" not in email or email.strip() != email:
                raise ValueError(f"alert_emails: '{email}' is not an email address; "
                                 "write it like oncall@example.com")
        if self.finding_publishing_frequency not in FINDING_FREQUENCIES:
            raise ValueError(f"finding_publishing_frequency: '{self.finding_publishing_frequency}'"
                             f" is unknown; use one of {', '.join(FINDING_FREQUENCIES)}")
        unknown = sorted(set(self.guardduty_features) - set(GUARDDUTY_FEATURES))
        if unknown:
            raise ValueError(f"guardduty_features: {', '.join(unknown)} unknown; use any of "
                             f"{', '.join(GUARDDUTY_FEATURES)}")
        if not 1 <= self.finding_alert_severity <= 10:
            raise ValueError(f"finding_alert_severity: {self.finding_alert_severity} is outside "
                             "GuardDuty's 1-10 scale; 7 means high")


@dataclass(frozen=True, kw_only=True)
class ObservabilityArgs(ObservabilitySettings):
    region: str
    """The stack's region (plain): decides which alarms need a relay topic in another region."""
    monitored: Sequence[MonitoredResource] = ()
    """What the stack's components asked to be watched (`ctx.monitored`); alarms and widgets
    are derived from it through the alarm catalogue."""
    name_prefix: str | None = None
    """Prefix of alarm, dashboard and trail names, unique per account and region (the stack
    name); default: the component name."""
    webhook_url: pulumi.Input[str] | None = None
    """HTTPS endpoint of the chat webhook (chat=webhook); pass it as a Pulumi secret
    (`Config.get_secret`): it carries the channel's credential."""
    log_retention_days: int = 365
    """Retention of the trail's CloudWatch log group (and bucket objects' minimum age)."""
    protect: bool = True
    """Protect and retain the audit bucket (and keep its objects on stack deletion)."""
    access_log_bucket: pulumi.Input[str] | None = None
    """Name of an S3 access-log `LogBucket` in this region (the stack's
    `storage-access-logs`) for the audit bucket's server access logs; None (default) = the
    audit bucket's ObjectStore creates its own."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_log_retention("log_retention_days", self.log_retention_days)
        if not self.region:
            raise ValueError("region: empty; pass the stack's region (spec.region)")
        if self.chat == "webhook" and self.webhook_url is None:
            raise ValueError("chat: 'webhook' needs webhook_url; pass the secret config value "
                             "platform:alertWebhookUrl or use chat='none'")
        names = [m.name for m in self.monitored]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"monitored: names {', '.join(duplicates)} appear more than once; "
                             "each MonitoredResource needs a unique name (alarms are named "
                             "after it)")
        for resource in self.monitored:
            specs_for(resource.kind)
            if not resource.dimensions:
                raise ValueError(f"monitored: '{resource.name}' has no dimensions; give the "
                                 "CloudWatch dimensions that identify it")


@dataclass(frozen=True)
class _Alarm:
    resource: MonitoredResource
    spec: AlarmSpec
    name: str
    region: str
    alarm: aws.cloudwatch.MetricAlarm


class Observability(pulumi.ComponentResource):
    """Encrypted alert topic with its subscribers, catalogue-driven alarms, a dashboard,
    CloudTrail and GuardDuty."""

    alert_topic_arn: pulumi.Output[str]
    """The KMS-encrypted SNS topic every alarm notifies (in the stack's region)."""
    alert_topic_arns: dict[str, pulumi.Output[str]]
    """Alert topic per region alarms live in (the stack's region, plus us-east-1 for
    CloudFront when the stack is elsewhere)."""
    alarm_names: list[str]
    """Names of the metric alarms, in catalogue order."""
    composite_alarm_name: str | None
    """Name of the "service unhealthy" composite alarm (None without serving alarms)."""
    dashboard_name: pulumi.Output[str]
    """The CloudWatch dashboard generated from the monitored resources."""
    trail_arn: pulumi.Output[str] | None
    """The CloudTrail trail (None when cloudtrail=False)."""
    trail_bucket_name: pulumi.Output[str] | None
    """The bucket the trail writes to, in the stack's region."""
    detector_id: pulumi.Output[str] | None
    """The GuardDuty detector (None when guardduty=False)."""

    def __init__(self, name: str, args: ObservabilityArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:observability:Observability", name, None, opts)
        self._name = name
        self.args = args
        self._prefix = args.name_prefix or name
        self._ctx = AwsContext.of(self)

        self.alert_topic_arns = {args.region: self._alert_topic(args.region)}
        for region in sorted(self._alarm_regions() - {args.region}):
            self.alert_topic_arns[region] = self._alert_topic(region)
        self.alert_topic_arn = self.alert_topic_arns[args.region]
        self._subscriptions()

        alarms = self._alarms()
        self.alarm_names = [a.name for a in alarms]
        self.composite_alarm_name = self._composite(alarms) if args.composite_alarm else None
        self.dashboard_name = self._dashboard(alarms)

        self.trail_arn = self.trail_bucket_name = None
        if args.cloudtrail:
            self.trail_arn, self.trail_bucket_name = self._trail()
        self.detector_id = self._guardduty() if args.guardduty else None

        self.register_outputs({
            "alertTopicArn": self.alert_topic_arn,
            "alertTopicArns": self.alert_topic_arns,
            "alarmNames": self.alarm_names,
            "compositeAlarmName": self.composite_alarm_name,
            "dashboardName": self.dashboard_name,
            "trailArn": self.trail_arn,
            "trailBucketName": self.trail_bucket_name,
            "detectorId": self.detector_id,
        })

    # ---- alerting ---------------------------------------------------------------------

    def _child(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)

    def _alarm_regions(self) -> set[str]:
        return {self._region_of(m, s) for m in self.args.monitored for s in specs_for(m.kind)}

    def _region_of(self, resource: MonitoredResource, spec: AlarmSpec) -> str:
        return resource.region or spec.region or self.args.region

    def _suffix(self, region: str) -> str:
        """Role suffix of a relay resource in another region ('' in the stack's region)."""
        return "" if region == self.args.region else f"-{region}"

    def _topic_key_services(self) -> list[str]:
        services = list(ALERT_PUBLISHERS)
        if self.args.chat == "slack":
            services.append(CHATBOT_SERVICE)
        return services

    def _alert_topic(self, region: str) -> pulumi.Output[str]:
        suffix = self._suffix(region)
        # A relay topic outside the stack's region gets its own key in that region.
        key = customer_key(self._name, "alerts-key" + suffix,
                           description=f"{self._name} alert topic ({region})", parent=self,
                           services=self._topic_key_services(), aws_context=self._ctx,
                           region=region if suffix else None)
        topic_name = child_name(self._name, "alerts" + suffix)
        topic = aws.sns.Topic(
            topic_name,
            name=f"{self._prefix}-alerts{suffix}",
            kms_master_key_id=key.arn,
            region=region if suffix else None,
            tags=resource_tags(topic_name),
            opts=self._child(),
        )
        aws.sns.TopicPolicy(
            child_name(self._name, "alerts-policy" + suffix),
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, self._ctx.account_id, self._ctx.partition).apply(
                lambda a: _topic_policy(*a)),
            region=region if suffix else None,
            opts=self._child(),
        )
        return topic.arn

    def _subscriptions(self) -> None:
        args = self.args
        for region, topic_arn in self.alert_topic_arns.items():
            suffix = self._suffix(region)
            own_region = region if suffix else None
            for index, email in enumerate(args.alert_emails):
                aws.sns.TopicSubscription(
                    child_name(self._name, f"alerts-email-{index}{suffix}"),
                    topic=topic_arn, protocol="email", endpoint=email, region=own_region,
                    opts=self._child())
            if args.chat == "webhook":
                # The URL stays a secret Output end to end: never formatted into a string.
                aws.sns.TopicSubscription(
                    child_name(self._name, f"alerts-webhook{suffix}"),
                    topic=topic_arn, protocol="https",
                    endpoint=pulumi.Output.secret(args.webhook_url),
                    endpoint_auto_confirms=True, region=own_region, opts=self._child())
        if args.chat == "slack":
            self._chatbot()

    def _chatbot(self) -> None:
        args = self.args
        role = service_role(self._name, "chatbot-role", services=CHATBOT_SERVICE, parent=self,
                            aws_context=self._ctx, source_account=False,
                            managed_policies={"chatbot-read-only": "CloudWatchReadOnlyAccess"})
        read_only = managed_policy_arn(self._ctx.partition, "CloudWatchReadOnlyAccess")
        config_name = child_name(self._name, "slack")
        aws.chatbot.SlackChannelConfiguration(
            config_name,
            configuration_name=f"{self._prefix}-alerts",
            iam_role_arn=role.arn,
            slack_team_id=args.slack_team_id,
            slack_channel_id=args.slack_channel_id,
            sns_topic_arns=list(self.alert_topic_arns.values()),
            # Whatever a channel member asks Chatbot to do, it can only read CloudWatch.
            guardrail_policy_arns=[read_only],
            logging_level="ERROR",
            region=args.chatbot_region,
            tags=resource_tags(config_name),
            opts=self._child())

    # ---- alarms -----------------------------------------------------------------------

    def _alarms(self) -> list[_Alarm]:
        alarms = []
        for resource in self.args.monitored:
            for spec in specs_for(resource.kind):
                alarms.append(self._alarm(resource, spec))
        return alarms

    def _alarm(self, resource: MonitoredResource, spec: AlarmSpec) -> _Alarm:
        region = self._region_of(resource, spec)
        topic = self.alert_topic_arns[region]
        alarm_name = f"{self._prefix}-{resource.name}-{spec.slug}"
        dimensions = {**resource.dimensions, **dict(spec.extra_dimensions)}
        threshold = float(getattr(self.args.thresholds, spec.threshold))
        common: dict[str, Any] = dict(
            name=alarm_name,
            alarm_description=f"{spec.description} ({resource.kind} {resource.name}; threshold "
                              f"{spec.threshold}={threshold:g})",
            comparison_operator=spec.comparison,
            threshold=threshold,
            evaluation_periods=spec.evaluation_periods,
            datapoints_to_alarm=spec.datapoints_to_alarm,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[topic],
            ok_actions=[topic],
            region=None if region == self.args.region else region,
            tags=resource_tags(alarm_name, extra={"monitored-kind": resource.kind}),
        )
        if spec.is_math:
            common["metric_queries"] = [
                aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id="e1", expression=spec.metric, label=spec.slug, return_data=True),
                *[aws.cloudwatch.MetricAlarmMetricQueryArgs(
                    id=m.id, return_data=False,
                    metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                        namespace=spec.namespace, metric_name=m.metric, stat=m.statistic,
                        period=spec.period,
                        dimensions={**dimensions, **dict(m.extra_dimensions)}))
                  for m in spec.math],
            ]
        else:
            percentile = spec.statistic.startswith("p")
            common.update(
                namespace=spec.namespace, metric_name=spec.metric, period=spec.period,
                dimensions=dimensions,
                statistic=None if percentile else spec.statistic,
                extended_statistic=spec.statistic if percentile else None)
        alarm = aws.cloudwatch.MetricAlarm(
            child_name(self._name, f"{resource.name}-{spec.slug}"), **common,
            opts=self._child())
        return _Alarm(resource, spec, alarm_name, region, alarm)

    def _composite(self, alarms: list[_Alarm]) -> str | None:
        serving = [a for a in alarms if a.spec.serving and a.region == self.args.region]
        if not serving:
            return None
        name = f"{self._prefix}-service-unhealthy"
        topic = self.alert_topic_arn
        aws.cloudwatch.CompositeAlarm(
            child_name(self._name, "service-unhealthy"),
            alarm_name=name,
            alarm_description="Users are affected: a serving alarm of this stack is in ALARM ("
                              + ", ".join(sorted({a.resource.kind for a in serving})) + ")",
            alarm_rule=" OR ".join(f'ALARM("{a.name}")' for a in serving),
            alarm_actions=[topic],
            ok_actions=[topic],
            tags=resource_tags(name),
            opts=self._child(depends_on=[a.alarm for a in serving]))
        return name

    # ---- dashboard --------------------------------------------------------------------

    def _dashboard(self, alarms: list[_Alarm]) -> pulumi.Output[str]:
        widgets: list[dict[str, Any]] = []
        position = _Grid()
        widgets.append(position.place({
            "type": "text",
            "properties": {"markdown": f"# {self._prefix}\nAlarms and metrics generated from "
                                       f"the {len(self.args.monitored)} monitored resources."},
        }, width=24, height=2))
        local = [a.alarm.arn for a in alarms if a.region == self.args.region]
        if local:
            widgets.append(position.place({
                "type": "alarm",
                "properties": {"title": "Alarms", "alarms": local[:100],
                               "sortBy": "stateUpdatedTimestamp"},
            }, width=24, height=max(3, min(12, 2 + len(local) // 4))))
        kinds: list[str] = []
        for resource in self.args.monitored:
            if resource.kind not in kinds:
                kinds.append(resource.kind)
        for kind in kinds:
            widgets.append(position.place(
                {"type": "text", "properties": {"markdown": f"## {kind}"}}, width=24, height=1))
            for alarm in (a for a in alarms if a.resource.kind == kind):
                widgets.append(position.place(self._metric_widget(alarm)))
        name = f"{self._prefix}-overview"
        dashboard = aws.cloudwatch.Dashboard(
            child_name(self._name, "dashboard"),
            dashboard_name=name,
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets}),
            opts=self._child())
        return dashboard.dashboard_name

    def _metric_widget(self, alarm: _Alarm) -> dict[str, Any]:
        spec, resource = alarm.spec, alarm.resource
        dims = {**resource.dimensions, **dict(spec.extra_dimensions)}
        flat = [item for pair in dims.items() for item in pair]
        if spec.is_math:
            metrics: list[Any] = [[{"expression": spec.metric, "label": spec.slug, "id": "e1"}]]
            for m in spec.math:
                extra = [item for pair in m.extra_dimensions for item in pair]
                metrics.append([spec.namespace, m.metric, *flat, *extra,
                                {"id": m.id, "stat": m.statistic, "visible": False}])
        else:
            metrics = [[spec.namespace, spec.metric, *flat, {"stat": spec.statistic}]]
        threshold = float(getattr(self.args.thresholds, spec.threshold))
        return {
            "type": "metric",
            "properties": {
                "title": f"{resource.name} {spec.slug}",
                "region": alarm.region,
                "view": "timeSeries",
                "period": spec.period,
                "metrics": metrics,
                "annotations": {"horizontal": [{"label": spec.threshold, "value": threshold}]},
            },
        }

    # ---- audit ------------------------------------------------------------------------

    def _trail(self) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        args, ctx = self.args, self._ctx
        key = customer_key(self._name, "audit-key", description=f"{self._name} audit trail",
                           parent=self, services=[CLOUDTRAIL_SERVICE, LOGS_SERVICE],
                           aws_context=ctx,
                           # Kept like the trail's logs: retained logs need their key.
                           opts=stateful_options(args.protect, self))
        trail_name = f"{self._prefix}-audit"
        # Built from its parts (as AWS documents it), not read from the trail: the trail
        # must wait for the bucket policy that names it.
        trail_arn = pulumi.Output.concat("arn:", ctx.partition, ":cloudtrail:", ctx.region, ":",
                                         ctx.account_id, ":trail/", trail_name)
        # The statements name the store's own bucket, which exists only once the store does.
        bucket_arn, resolve_bucket_arn = pulumi.deferred_output()
        statements = pulumi.Output.all(bucket_arn, trail_arn, ctx.account_id).apply(
            lambda a: _trail_bucket_statements(*a))
        store = telemetry_store(self, child_name(self._name, "trail"), protect=args.protect,
                                expire_after_days=args.audit_retention_days,
                                access_log_bucket=args.access_log_bucket,
                                policy_statements=[statements[0], statements[1]],
                                key_services=[CLOUDTRAIL_SERVICE])
        resolve_bucket_arn(store.bucket_arn)

        log_group = encrypted_log_group(child_name(self._name, "trail-logs"),
                                        retention_days=args.log_retention_days,
                                        kms_key_arn=key.arn, parent=self)
        role = service_role(self._name, "trail-logs-role", services=CLOUDTRAIL_SERVICE,
                            parent=self, aws_context=ctx, source_account=False,
                            source_arn=trail_arn)
        logs_policy = role_policy(
            self._name, "trail-logs-policy", role=role, parent=self,
            policy=log_group.arn.apply(lambda arn: policy_document([{
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{arn}:log-stream:*",
            }])))
        trail = aws.cloudtrail.Trail(
            child_name(self._name, "trail"),
            name=trail_name,
            s3_bucket_name=store.bucket_name,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            kms_key_id=key.arn,
            cloud_watch_logs_group_arn=pulumi.Output.concat(log_group.arn, ":*"),
            cloud_watch_logs_role_arn=role.arn,
            tags=resource_tags(trail_name),
            # The store's children include its one bucket policy, which CloudTrail checks.
            opts=self._child(depends_on=[store, logs_policy]))
        return trail.arn, store.bucket_name

    def _guardduty(self) -> pulumi.Output[str]:
        args = self.args
        detector = aws.guardduty.Detector(
            child_name(self._name, "guardduty"),
            enable=True,
            finding_publishing_frequency=args.finding_publishing_frequency,
            tags=resource_tags(child_name(self._name, "guardduty")),
            opts=self._child())
        for feature in args.guardduty_features:
            extra = []
            if feature == "RUNTIME_MONITORING":
                extra = [aws.guardduty.DetectorFeatureAdditionalConfigurationArgs(
                    name=agent, status="ENABLED") for agent in RUNTIME_AGENT_MANAGEMENT]
            aws.guardduty.DetectorFeature(
                child_name(self._name, f"guardduty-{feature.lower().replace('_', '-')}"),
                detector_id=detector.id, name=feature, status="ENABLED",
                additional_configurations=extra or None, opts=self._child())
        rule_name = child_name(self._name, "guardduty-findings")
        rule = aws.cloudwatch.EventRule(
            rule_name,
            description=f"GuardDuty findings of severity >= {args.finding_alert_severity:g}",
            event_pattern=json.dumps({
                "source": ["aws.guardduty"],
                "detail-type": ["GuardDuty Finding"],
                "detail": {"severity": [{"numeric": [">=", args.finding_alert_severity]}]},
            }),
            tags=resource_tags(rule_name), opts=self._child())
        aws.cloudwatch.EventTarget(child_name(self._name, "guardduty-findings-target"),
                                   rule=rule.name, arn=self.alert_topic_arn, opts=self._child())
        return detector.id


class _Grid:
    """Places dashboard widgets left to right, top to bottom on CloudWatch's 24-column grid."""

    def __init__(self) -> None:
        self.x = self.y = self.row_height = 0

    def place(self, widget: dict[str, Any], width: int = WIDGET_WIDTH,
              height: int = WIDGET_HEIGHT) -> dict[str, Any]:
        if self.x + width > 24:
            self.x, self.y, self.row_height = 0, self.y + self.row_height, 0
        placed = {**widget, "x": self.x, "y": self.y, "width": width, "height": height}
        self.x += width
        self.row_height = max(self.row_height, height)
        return placed


def _topic_policy(topic_arn: str, account_id: str, partition: str) -> str:
    return policy_document([
        {"Sid": "AccountManages", "Effect": "Allow",
         "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
         "Action": ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic", "sns:Publish"],
         "Resource": topic_arn},
        {"Sid": "ServicesPublish", "Effect": "Allow",
         "Principal": {"Service": list(ALERT_PUBLISHERS)},
         "Action": "sns:Publish", "Resource": topic_arn,
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
         "Action": "sns:Publish", "Resource": topic_arn,
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ])


def _trail_bucket_statements(bucket_arn: str, trail_arn: str,
                             account_id: str) -> list[dict[str, Any]]:
    """CloudTrail may check the bucket ACL and write log files, for this trail only."""
    return [
        {"Sid": "CloudTrailAclCheck", "Effect": "Allow",
         "Principal": {"Service": CLOUDTRAIL_SERVICE}, "Action": "s3:GetBucketAcl",
         "Resource": bucket_arn,
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}}},
        {"Sid": "CloudTrailWrite", "Effect": "Allow",
         "Principal": {"Service": CLOUDTRAIL_SERVICE}, "Action": "s3:PutObject",
         "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
         "Condition": {"StringEquals": {"aws:SourceArn": trail_arn,
                                        "s3:x-amz-acl": "bucket-owner-full-control"}}},
    ]


STANDARD_IA_MINIMUM_DAYS = 30
"""S3 bills Standard-IA objects for at least 30 days, and moves nothing there before day 30."""


def telemetry_store(owner: pulumi.Resource, name: str, *, protect: bool,
                    expire_after_days: int, access_log_bucket: pulumi.Input[str] | None,
                    policy_statements: Sequence[pulumi.Input[dict[str, Any]]] = (),
                    key_services: Sequence[str] = ()) -> ObjectStore:
    """An S3 ObjectStore (data class telemetry) child of `owner` whose objects expire.

    Objects move to Standard-IA after 30 days when they live long enough there to pay off;
    noncurrent versions go after 30 days.
    """
    tier = expire_after_days >= 2 * STANDARD_IA_MINIMUM_DAYS
    return ObjectStore(name, ObjectStoreArgs(
        data_class="telemetry",
        protect=protect,
        tiering="standard-ia" if tier else "none",
        tiering_after_days=STANDARD_IA_MINIMUM_DAYS,
        expire_after_days=expire_after_days,
        noncurrent_version_expiration_days=30,
        access_log_bucket=access_log_bucket,
        policy_statements=policy_statements,
        key_services=key_services,
    ), opts=pulumi.ResourceOptions(parent=owner))
