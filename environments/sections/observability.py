"""Observability knobs of a profile: alerting, thresholds, audit, in-cluster monitoring.

The webhook URL of `chat: webhook` is not here: it is a credential, read from the secret
stack config `platform:alertWebhookUrl` (`pulumi config set --secret`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from environments.sections.base import PositiveInt, StrictModel


class AlarmThresholdsProfile(StrictModel):
    """Alarm thresholds (units in the names). Defaults equal components/alarm_catalogue.py's
    AlarmThresholds (a test keeps them in step)."""

    alb_5xx_rate_percent: float = Field(5.0, ge=0, description="ALB target 5xx share of requests.")
    alb_p99_latency_seconds: float = Field(2.0, ge=0, description="ALB p99 target response time.")
    ecs_cpu_percent: float = Field(85.0, ge=0, le=100, description="ECS service CPU.")
    ecs_memory_percent: float = Field(85.0, ge=0, le=100, description="ECS service memory.")
    aurora_cpu_percent: float = Field(80.0, ge=0, le=100, description="Aurora CPU.")
    aurora_freeable_memory_bytes: float = Field(
        256 * 1024 * 1024, ge=0, description="Aurora minimum freeable memory.")
    aurora_replica_lag_ms: float = Field(1000.0, ge=0, description="Aurora replica lag.")
    documentdb_cpu_percent: float = Field(80.0, ge=0, le=100, description="DocumentDB CPU.")
    documentdb_connections: float = Field(1000.0, ge=0, description="DocumentDB connections.")
    redis_engine_cpu_percent: float = Field(80.0, ge=0, le=100, description="Redis engine CPU.")
    redis_evictions: float = Field(1000.0, ge=0, description="Redis evictions per 5 minutes.")
    redis_replication_lag_seconds: float = Field(5.0, ge=0, description="Redis replica lag.")
    cloudfront_5xx_rate_percent: float = Field(5.0, ge=0, description="CloudFront 5xx rate.")
    medialive_active_alerts: float = Field(0.0, ge=0, description="MediaLive active alerts.")
    medialive_input_loss_seconds: float = Field(5.0, ge=0, description="Input loss s/minute.")
    medialive_dropped_frames: float = Field(50.0, ge=0, description="Dropped frames per minute.")
    mediapackage_5xx_requests: float = Field(10.0, ge=0, description="Origin 5xx per 5 minutes.")
    nat_port_allocation_errors: float = Field(0.0, ge=0, description="NAT port errors / 5 min.")
    dynamodb_throttled_events: float = Field(50.0, ge=0, description="Throttles per 5 minutes.")
    dynamodb_system_errors: float = Field(0.0, ge=0, description="DynamoDB 5xx per 5 minutes.")
    vod_dlq_messages: float = Field(0.0, ge=0, description="Failed VOD jobs in the DLQ.")
    eks_failed_nodes: float = Field(0.0, ge=0, description="Failed EKS worker nodes.")
    eks_node_cpu_percent: float = Field(85.0, ge=0, le=100, description="EKS node CPU.")


class ObservabilityProfile(StrictModel):
    enabled: bool = Field(True, description="Alarms, dashboard and audit trail.")
    alert_emails: list[str] = Field(
        default_factory=list, description="Addresses subscribed to the alert topic.")
    chat: Literal["none", "slack", "webhook"] = Field(
        "none", description="Chat channel for alerts: Slack through AWS Chatbot, a webhook "
        "(URL from the secret config platform:alertWebhookUrl), or none.")
    slack_team_id: str | None = Field(None, description="Slack workspace id (chat: slack).")
    slack_channel_id: str | None = Field(None, description="Slack channel id (chat: slack).")
    thresholds: AlarmThresholdsProfile = AlarmThresholdsProfile()
    composite_alarm: bool = Field(True, description='Composite "service unhealthy" alarm.')
    cloudtrail: bool = Field(
        True, description="Multi-region CloudTrail trail into a bucket in the stack's region "
        "(one per account suffices; turn off in other stacks of the same account).")
    guardduty: bool = Field(True, description="GuardDuty detector with its protection plans.")
    audit_retention_days: PositiveInt = Field(
        2557, description="Days the trail bucket keeps log files (7 years).")
    prometheus_retention: str = Field(
        "15d", pattern=r"^[0-9]+[hdwy]$", description="Prometheus TSDB retention (EKS).")
    prometheus_storage_gi: PositiveInt = Field(
        50, description="Prometheus persistent volume size in GiB (EKS).")
    loki_retention_days: PositiveInt = Field(30, description="Loki log retention (EKS).")
    managed_prometheus: bool = Field(
        False, description="EKS: also create Amazon Managed Prometheus and Managed Grafana "
        "workspaces (the managed path) and remote-write to them.")

    @model_validator(mode="after")
    def _slack_ids(self) -> ObservabilityProfile:
        if self.chat == "slack" and not (self.slack_team_id and self.slack_channel_id):
            raise ValueError("chat 'slack' needs slack_team_id and slack_channel_id (from the "
                             "AWS Chatbot console); set both or use chat: none")
        return self
