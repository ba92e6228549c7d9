"""The observability layer of a regional stack: built last, it watches everything before it."""

from __future__ import annotations

import pulumi

from components.alarm_catalogue import AlarmThresholds
from components.k8s_monitoring import K8sMonitoring, K8sMonitoringArgs
from components.object_store import LogBucket
from components.observability import Observability, ObservabilityArgs
from stacks.context import RegionalContext, profile_args

WEBHOOK_CONFIG_KEY = "alertWebhookUrl"
"""`platform:alertWebhookUrl`: the chat webhook, set with `pulumi config set --secret`."""


def build(ctx: RegionalContext) -> None:
    """Build the observability components the profile turns on into `ctx`."""
    spec = ctx.spec
    profile = spec.profile.observability
    if not profile.enabled:
        return
    webhook_url = pulumi.Config("platform").get_secret(WEBHOOK_CONFIG_KEY)
    chat = profile.chat
    if chat == "webhook" and webhook_url is None:
        pulumi.log.warn(f"observability.chat is 'webhook' but platform:{WEBHOOK_CONFIG_KEY} is "
                        "not set; no webhook subscription is created (set it with `pulumi "
                        f"config set --secret platform:{WEBHOOK_CONFIG_KEY} https://...`)")
        chat = "none"
    # The storage layer's S3 access-log bucket, when there is one, takes our buckets' logs too.
    access_logs = ctx.components.get("storage-access-logs")
    access_log_bucket = access_logs.bucket_name if isinstance(access_logs, LogBucket) else None

    observability = Observability(
        "observability",
        profile_args(spec, "observability", lambda: ObservabilityArgs(
            region=spec.region,
            monitored=list(ctx.monitored),
            name_prefix=spec.stack,
            thresholds=AlarmThresholds(**profile.thresholds.model_dump()),
            alert_emails=list(profile.alert_emails),
            chat=chat,
            slack_team_id=profile.slack_team_id,
            slack_channel_id=profile.slack_channel_id,
            webhook_url=webhook_url if chat == "webhook" else None,
            log_retention_days=spec.profile.log_retention_days,
            audit_retention_days=profile.audit_retention_days,
            composite_alarm=profile.composite_alarm,
            cloudtrail=profile.cloudtrail,
            guardduty=profile.guardduty,
            protect=spec.profile.protect_stateful,
            access_log_bucket=access_log_bucket,
        )),
        opts=ctx.providers.opts(),
    )
    ctx.add("observability", observability)
    ctx.export("alertTopicArn", observability.alert_topic_arn)
    ctx.export("dashboardName", observability.dashboard_name)

    eks = ctx.components.get("eks")
    if eks is not None:
        monitoring = K8sMonitoring(
            "k8s-monitoring",
            profile_args(spec, "observability", lambda: K8sMonitoringArgs(
                kubernetes_provider=eks.kubernetes_provider,  # type: ignore[attr-defined]
                cluster_name=eks.cluster_name,  # type: ignore[attr-defined]
                region=spec.region,
                chat_webhook_url=webhook_url,
                prometheus_retention=profile.prometheus_retention,
                prometheus_storage_gi=profile.prometheus_storage_gi,
                loki_retention_days=profile.loki_retention_days,
                log_retention_days=spec.profile.log_retention_days,
                managed_prometheus=profile.managed_prometheus,
                protect=spec.profile.protect_stateful,
                access_log_bucket=access_log_bucket,
            )),
            opts=ctx.providers.opts(),
        )
        ctx.add("k8s-monitoring", monitoring)
        ctx.export("lokiBucketName", monitoring.loki_bucket_name)
