"""CloudWatch log groups: always KMS-encrypted, always with a retention."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.labels import resource_tags
from components.retention import LOG_RETENTION_DAYS, check_log_retention

__all__ = ["LOGS_SERVICE", "LOG_RETENTION_DAYS", "check_log_retention", "encrypted_log_group"]

LOGS_SERVICE = "logs.{region}.{dns_suffix}"


def encrypted_log_group(name: str, *, retention_days: int, kms_key_arn: pulumi.Input[str],
                        parent: pulumi.Resource, log_group_name: str | None = None,
                        opts: pulumi.ResourceOptions | None = None) -> aws.cloudwatch.LogGroup:
    """A log group; its key must admit Logs: `customer_key(services=[LOGS_SERVICE])`."""
    return aws.cloudwatch.LogGroup(
        name,
        name=log_group_name,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags=resource_tags(name, "telemetry"),
        opts=pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=parent), opts),
    )
