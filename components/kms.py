"""Customer-managed KMS keys: rotation on, a 30-day deletion window, and a key policy that
admits the account and only the AWS services named by the caller."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.labels import child_name, physical_name, resource_tags

KEY_USE_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                   "kms:Describe*"]


# The condition each service principal is held to in a key policy, as AWS documents it
# (placeholders: {partition} {region} {account}). A service not listed is held to the
# key's account with aws:SourceAccount.
SERVICE_CONDITIONS: dict[str, dict[str, dict[str, str]]] = {
    # CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS KMS".
    "logs": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                         "arn:{partition}:logs:{region}:{account}:log-group:*"}},
    # CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail".
    "cloudtrail.amazonaws.com": {
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
                       "arn:{partition}:cloudtrail:*:{account}:trail/*"},
        "StringEquals": {"aws:SourceAccount": "{account}"}},
    # CloudFront Developer Guide, "Restricting access to an Amazon S3 origin" (SSE-KMS):
    # only this account's distributions.
    "cloudfront.amazonaws.com": {
        "ArnLike": {"aws:SourceArn": "arn:{partition}:cloudfront::{account}:distribution/*"}},
    # Amazon CloudWatch Logs "Enabling logging from AWS services" (vended log delivery).
    "delivery.logs.amazonaws.com": {
        "StringEquals": {"aws:SourceAccount": "{account}"},
        "ArnLike": {"aws:SourceArn": "arn:{partition}:logs:{region}:{account}:*"}},
}


def _condition(service: str, account_id: str, partition: str, region: str
               ) -> dict[str, dict[str, str]]:
    key = "logs" if service.startswith("logs.") else service
    template = SERVICE_CONDITIONS.get(key, {"StringEquals": {"aws:SourceAccount": "{account}"}})
    return {op: {k: v.format(partition=partition, region=region, account=account_id)
                 for k, v in values.items()} for op, values in template.items()}


def _key_policy(account_id: str, partition: str, region: str, dns_suffix: str,
                services: Sequence[str]) -> str:
    statements = [{
        "Sid": "AccountAdministers",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }]
    for template in services:
        service = template.format(region=region, dns_suffix=dns_suffix)
        statements.append({
            "Sid": "ServiceUse" + "".join(p.capitalize() for p in service.split(".")[:1]),
            "Effect": "Allow",
            "Principal": {"Service": [service]},
            "Action": KEY_USE_ACTIONS,
            "Resource": "*",
            "Condition": _condition(service, account_id, partition, region),
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def customer_key(component: str, role: str, *, description: str, parent: pulumi.Resource,
                 services: Sequence[str] = (), aws_context: AwsContext | None = None,
                 region: str | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> aws.kms.Key:
    """A rotating customer key for `component`; `services` are principals such as
    `logs.{region}.{dns_suffix}` (formatted per region) that may use it. `region` places the
    key (and alias) in another region than the provider's (e.g. a replica bucket's key)."""
    ctx = aws_context or AwsContext.of(parent)
    name = child_name(component, role)
    key_region = region if region is not None else ctx.region
    policy = pulumi.Output.all(ctx.account_id, ctx.partition, key_region, ctx.dns_suffix).apply(
        lambda a: _key_policy(*a, services=services))
    key = aws.kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=policy,
        tags=resource_tags(name),
        region=region,
        # `opts` (e.g. protect + retain_on_delete of the data store the key encrypts).
        opts=pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=parent), opts),
    )
    aws.kms.Alias(
        f"{name}-alias",
        # Aliases are unique per account and region: scoped by the stack.
        name=f"alias/{physical_name(component, role, limit=250, separator='/')}",
        target_key_id=key.key_id,
        region=region,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return key
