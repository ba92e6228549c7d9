"""What a component offers the Observability component to alarm on and chart.

Each component appends `MonitoredResource`s to its `monitored` list; Observability reads
the lists of the components present and derives alarms and dashboard widgets from them,
so no stack lists alarms by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pulumi

MonitoredKind = Literal[
    "nat-gateway", "alb", "ecs-service", "eks-cluster", "aurora", "documentdb", "redis",
    "dynamodb", "cloudfront", "medialive", "mediapackage", "vod-queue",
    "lambda", "http-api", "kinesis-stream",
]


@dataclass(frozen=True)
class MonitoredResource:
    kind: MonitoredKind
    """Which alarm set applies (see the Observability component's alarm catalogue)."""
    name: str
    """Logical name, unique in the stack; alarms are named after it."""
    dimensions: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """CloudWatch metric dimensions identifying the resource."""
    region: str | None = None
    """Region the metrics live in when not the stack's (None = the stack's region); the
    catalogue already knows CloudFront's (us-east-1)."""
