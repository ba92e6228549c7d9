"""The account, partition and region a component's resources land in, read through invokes.

Invoked with the caller's options, so they answer for the component's own provider
(and, offline, from the plan's per-region fixtures).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsContext:
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: pulumi.Output[str]
    dns_suffix: pulumi.Output[str]

    @classmethod
    def of(cls, parent: pulumi.Resource) -> AwsContext:
        opts = pulumi.InvokeOutputOptions(parent=parent)
        identity = aws.get_caller_identity_output(opts=opts)
        partition = aws.get_partition_output(opts=opts)
        region = aws.get_region_output(opts=opts)
        return cls(
            account_id=identity.account_id,
            partition=partition.partition,
            region=region.region,
            dns_suffix=partition.dns_suffix,
        )
