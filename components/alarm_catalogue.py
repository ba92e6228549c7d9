"""The alarm catalogue: which CloudWatch alarms each kind of monitored resource gets.

One table (`CATALOGUE`, kind -> alarm specs) drives both the alarms and the dashboard of the
Observability component, so adding a component to a stack adds its alarms and widgets and
nothing else has to change. Thresholds are named (`AlarmThresholds`) so an environment
profile can tune them; the defaults are the production choice.

`treat_missing_data` is chosen per metric, deliberately:
- `notBreaching` for error counters that AWS only publishes when something happened
  (5xx counts, evictions, throttles, port-allocation errors, DLQ depth of an idle queue) and
  for metrics that only exist on some members (replica lag on a single-instance cluster);
- `missing` for utilisation metrics that should always report: a silent CPU metric is itself
  suspicious, so the alarm shows INSUFFICIENT_DATA rather than a reassuring OK;
- never `breaching`: the live channel's metrics stop when the channel is stopped between
  events, which is normal; its alarms use `missing` so a stopped channel reads
  INSUFFICIENT_DATA instead of paging.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

from components.monitoring import MonitoredKind

Comparison = Literal[
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold",
    "LessThanOrEqualToThreshold",
]
TreatMissing = Literal["breaching", "notBreaching", "ignore", "missing"]

# CloudFront publishes its metrics only in us-east-1 (with the dimension Region=Global).
CLOUDFRONT_METRICS_REGION = "us-east-1"


@dataclass(frozen=True, kw_only=True)
class AlarmThresholds:
    """Named alarm thresholds; every field is the production default and its unit."""

    alb_5xx_rate_percent: float = 5.0
    """Target 5xx responses as a percentage of ALB requests (5 of 100 failing pages someone)."""
    alb_p99_latency_seconds: float = 2.0
    """p99 of the ALB's TargetResponseTime in seconds."""
    ecs_cpu_percent: float = 85.0
    """ECS service average CPU; autoscaling targets ~70%, so 85% sustained means it lags."""
    ecs_memory_percent: float = 85.0
    """ECS service average memory; tasks are OOM-killed at 100%."""
    aurora_cpu_percent: float = 80.0
    """Aurora cluster average CPU."""
    aurora_freeable_memory_bytes: float = 256 * 1024 * 1024
    """Aurora minimum FreeableMemory (bytes); below 256 MiB the instance starts swapping."""
    aurora_replica_lag_ms: float = 1000.0
    """Aurora maximum AuroraReplicaLag (milliseconds) before reads on replicas go stale."""
    documentdb_cpu_percent: float = 80.0
    """DocumentDB cluster average CPU."""
    documentdb_connections: float = 1000.0
    """DocumentDB DatabaseConnections (maximum); r6g.large allows 1,700."""
    redis_engine_cpu_percent: float = 80.0
    """Redis EngineCPUUtilization (the engine is single-threaded: the CPU that matters)."""
    redis_evictions: float = 1000.0
    """Redis evictions per 5 minutes; sustained evictions mean the cache is too small."""
    redis_replication_lag_seconds: float = 5.0
    """Redis ReplicationLag (seconds) on replicas."""
    cloudfront_5xx_rate_percent: float = 5.0
    """CloudFront 5xxErrorRate (percent of viewer requests)."""
    medialive_active_alerts: float = 0.0
    """MediaLive ActiveAlerts above which the channel alarms (0: any alert)."""
    medialive_input_loss_seconds: float = 5.0
    """MediaLive InputLossSeconds per minute."""
    medialive_dropped_frames: float = 50.0
    """MediaLive DroppedFrames per minute."""
    mediapackage_5xx_requests: float = 10.0
    """MediaPackage egress 5xx responses per 5 minutes."""
    nat_port_allocation_errors: float = 0.0
    """NAT gateway ErrorPortAllocation per 5 minutes (0: any error)."""
    dynamodb_throttled_events: float = 50.0
    """DynamoDB read + write throttle events per 5 minutes."""
    dynamodb_system_errors: float = 0.0
    """DynamoDB SystemErrors per 5 minutes (0: any error)."""
    vod_dlq_messages: float = 0.0
    """Messages visible in the VOD pipeline's dead-letter queue (0: any failed job)."""
    eks_failed_nodes: float = 0.0
    """EKS failed worker nodes (Container Insights cluster_failed_node_count; 0: any)."""
    eks_node_cpu_percent: float = 85.0
    """EKS average node CPU (Container Insights node_cpu_utilization)."""
    lambda_error_rate_percent: float = 5.0
    """Share of a Lambda function's invocations that failed (Errors / Invocations)."""
    lambda_throttles: float = 0.0
    """Lambda invocations refused for lack of (reserved) concurrency."""
    http_api_5xx_rate_percent: float = 5.0
    """Share of an HTTP API's requests answered 5xx."""
    kinesis_iterator_age_ms: float = 600_000.0
    """Age of the oldest unread record of an event stream (ms); 10 minutes behind means the
    consumer (Firehose) is stuck and the stream's retention is being used up."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or value < 0:
                raise ValueError(f"thresholds.{f.name}: {value!r} is not a non-negative number; "
                                 f"the default is {f.default}")


THRESHOLD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(AlarmThresholds))


@dataclass(frozen=True)
class MathMetric:
    """One metric inside a metric-math alarm: `id` is used in the expression."""

    id: str
    metric: str
    statistic: str
    extra_dimensions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AlarmSpec:
    """One row of the catalogue. `metric` is a metric name, or the expression when `math`
    lists the metrics of a metric-math alarm."""

    slug: str
    namespace: str
    metric: str
    statistic: str
    comparison: Comparison
    threshold: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: TreatMissing
    description: str
    serving: bool = False
    """Counts towards the composite "service unhealthy" alarm (users see it when it fires)."""
    math: tuple[MathMetric, ...] = ()
    extra_dimensions: tuple[tuple[str, str], ...] = ()
    region: str | None = None
    """Where the metric lives when not in the stack's region."""

    @property
    def is_math(self) -> bool:
        return bool(self.math)


def _spec(slug, namespace, metric, statistic, comparison, threshold, period, evaluation_periods,
          datapoints_to_alarm, treat_missing_data, description, **extra) -> AlarmSpec:
    return AlarmSpec(slug, namespace, metric, statistic, comparison, threshold, period,
                     evaluation_periods, datapoints_to_alarm, treat_missing_data, description,
                     **extra)


GT = "GreaterThanThreshold"
LT = "LessThanThreshold"
_DYNAMODB_OPERATIONS = ("GetItem", "PutItem", "Query", "UpdateItem", "DeleteItem",
                        "BatchWriteItem")

# kind -> alarms. Columns: slug, namespace, metric (or expression), statistic, comparison,
# threshold name, period (s), evaluation periods, datapoints to alarm, treat_missing_data.
CATALOGUE: dict[str, tuple[AlarmSpec, ...]] = {
    "alb": (
        _spec("5xx-rate", "AWS/ApplicationELB", "100 * FILL(m1, 0) / m2", "Sum", GT,
              "alb_5xx_rate_percent", 60, 5, 3, "notBreaching",
              "Share of requests answered 5xx by the targets",
              serving=True,
              math=(MathMetric("m1", "HTTPCode_Target_5XX_Count", "Sum"),
                    MathMetric("m2", "RequestCount", "Sum"))),
        _spec("p99-latency", "AWS/ApplicationELB", "TargetResponseTime", "p99", GT,
              "alb_p99_latency_seconds", 60, 5, 3, "notBreaching",
              "p99 target response time", serving=True),
    ),
    "ecs-service": (
        _spec("cpu", "AWS/ECS", "CPUUtilization", "Average", GT, "ecs_cpu_percent",
              300, 3, 3, "missing", "Service CPU above what autoscaling should hold"),
        _spec("memory", "AWS/ECS", "MemoryUtilization", "Average", GT, "ecs_memory_percent",
              300, 3, 3, "missing", "Service memory close to the task limit"),
    ),
    "eks-cluster": (
        _spec("failed-nodes", "ContainerInsights", "cluster_failed_node_count", "Maximum", GT,
              "eks_failed_nodes", 300, 2, 2, "missing", "Worker nodes failing"),
        _spec("node-cpu", "ContainerInsights", "node_cpu_utilization", "Average", GT,
              "eks_node_cpu_percent", 300, 3, 3, "missing", "Nodes short of CPU"),
    ),
    "aurora": (
        _spec("cpu", "AWS/RDS", "CPUUtilization", "Average", GT, "aurora_cpu_percent",
              300, 3, 3, "missing", "Cluster CPU high"),
        _spec("freeable-memory", "AWS/RDS", "FreeableMemory", "Minimum", LT,
              "aurora_freeable_memory_bytes", 300, 3, 3, "missing", "Instance memory low"),
        _spec("replica-lag", "AWS/RDS", "AuroraReplicaLag", "Maximum", GT,
              "aurora_replica_lag_ms", 60, 5, 5, "notBreaching",
              "Replicas behind the writer (no replica, no metric)"),
    ),
    "documentdb": (
        _spec("cpu", "AWS/DocDB", "CPUUtilization", "Average", GT, "documentdb_cpu_percent",
              300, 3, 3, "missing", "Cluster CPU high"),
        _spec("connections", "AWS/DocDB", "DatabaseConnections", "Maximum", GT,
              "documentdb_connections", 300, 3, 3, "missing", "Connections near the limit"),
    ),
    "redis": (
        _spec("engine-cpu", "AWS/ElastiCache", "EngineCPUUtilization", "Average", GT,
              "redis_engine_cpu_percent", 300, 3, 3, "missing", "Redis engine thread busy"),
        _spec("evictions", "AWS/ElastiCache", "Evictions", "Sum", GT, "redis_evictions",
              300, 3, 3, "notBreaching", "Keys evicted for memory"),
        _spec("replication-lag", "AWS/ElastiCache", "ReplicationLag", "Maximum", GT,
              "redis_replication_lag_seconds", 60, 5, 5, "notBreaching",
              "Replicas behind the primary (primaries publish no lag)"),
    ),
    "dynamodb": (
        _spec("throttles", "AWS/DynamoDB", "FILL(r, 0) + FILL(w, 0)", "Sum", GT,
              "dynamodb_throttled_events", 300, 2, 2, "notBreaching",
              "Read and write requests throttled",
              math=(MathMetric("r", "ReadThrottleEvents", "Sum"),
                    MathMetric("w", "WriteThrottleEvents", "Sum"))),
        _spec("system-errors", "AWS/DynamoDB",
              " + ".join(f"FILL(e{i}, 0)" for i in range(len(_DYNAMODB_OPERATIONS))), "Sum", GT,
              "dynamodb_system_errors", 300, 1, 1, "notBreaching",
              "DynamoDB answered 5xx (SystemErrors over the main operations)",
              math=tuple(MathMetric(f"e{i}", "SystemErrors", "Sum", (("Operation", op),))
                         for i, op in enumerate(_DYNAMODB_OPERATIONS))),
    ),
    "cloudfront": (
        _spec("5xx-rate", "AWS/CloudFront", "5xxErrorRate", "Average", GT,
              "cloudfront_5xx_rate_percent", 300, 3, 2, "notBreaching",
              "Viewer requests answered 5xx", serving=True,
              extra_dimensions=(("Region", "Global"),), region=CLOUDFRONT_METRICS_REGION),
    ),
    "medialive": (
        _spec("active-alerts", "MediaLive", "ActiveAlerts", "Maximum", GT,
              "medialive_active_alerts", 60, 3, 2, "missing", "Channel raising alerts",
              serving=True),
        _spec("input-loss", "MediaLive", "InputLossSeconds", "Sum", GT,
              "medialive_input_loss_seconds", 60, 3, 2, "missing",
              "Channel input lost (viewers see slate)", serving=True),
        _spec("dropped-frames", "MediaLive", "DroppedFrames", "Sum", GT,
              "medialive_dropped_frames", 60, 5, 3, "notBreaching", "Encoder dropping frames"),
    ),
    "mediapackage": (
        _spec("egress-5xx", "AWS/MediaPackage", "EgressRequestCount", "Sum", GT,
              "mediapackage_5xx_requests", 300, 2, 2, "notBreaching",
              "Origin answering players 5xx", serving=True,
              extra_dimensions=(("StatusCodeRange", "5xx"),)),
    ),
    "vod-queue": (
        _spec("dlq-depth", "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", GT,
              "vod_dlq_messages", 300, 1, 1, "notBreaching",
              "VOD jobs failed into the dead-letter queue"),
    ),
    "lambda": (
        _spec("error-rate", "AWS/Lambda", "100 * FILL(e, 0) / FILL(i, 1)", "Sum", GT,
              "lambda_error_rate_percent", 300, 2, 2, "notBreaching",
              "Share of invocations that failed", serving=True,
              math=(MathMetric("e", "Errors", "Sum"), MathMetric("i", "Invocations", "Sum"))),
        _spec("throttles", "AWS/Lambda", "Throttles", "Sum", GT, "lambda_throttles",
              300, 1, 1, "notBreaching", "Invocations throttled (reserved concurrency reached)"),
    ),
    "http-api": (
        _spec("5xx-rate", "AWS/ApiGateway", "100 * FILL(m1, 0) / FILL(m2, 1)", "Sum", GT,
              "http_api_5xx_rate_percent", 60, 5, 3, "notBreaching",
              "Share of API requests answered 5xx", serving=True,
              math=(MathMetric("m1", "5xx", "Sum"), MathMetric("m2", "Count", "Sum"))),
    ),
    "kinesis-stream": (
        _spec("iterator-age", "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "Maximum", GT,
              "kinesis_iterator_age_ms", 300, 3, 3, "notBreaching",
              "Events not read from the stream (delivery to the lake stalled)"),
    ),
    "nat-gateway": (
        _spec("port-allocation", "AWS/NATGateway", "ErrorPortAllocation", "Sum", GT,
              "nat_port_allocation_errors", 300, 1, 1, "notBreaching",
              "NAT gateway out of source ports (connections failing)"),
    ),
}


def specs_for(kind: MonitoredKind) -> tuple[AlarmSpec, ...]:
    """The alarms of `kind`; an unknown kind is an error (it would otherwise go unwatched)."""
    if kind not in CATALOGUE:
        raise ValueError(f"monitored: kind '{kind}' has no alarms in the catalogue; add it to "
                         f"CATALOGUE in components/alarm_catalogue.py (known: "
                         f"{', '.join(sorted(CATALOGUE))})")
    return CATALOGUE[kind]
