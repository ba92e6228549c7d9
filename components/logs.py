"""CloudWatch log groups: always KMS-encrypted, always with a retention."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.labels import resource_tags

LOGS_SERVICE = "logs.{region}.{dns_suffix}"
# CloudWatch Logs accepts only these retention values (environments/fields.py keeps
# an equal copy, since environments must not import components; a test holds them equal).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                      1827, 2192, 2557, 2922, 3288, 3653)


def check_log_retention(field: str, days: int) -> None:
    """Raise ValueError naming `field` unless `days` is a retention CloudWatch Logs accepts."""
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
        raise ValueError(f"{field}: {days} is not a CloudWatch Logs retention; use one of "
                         f"{allowed}")


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
