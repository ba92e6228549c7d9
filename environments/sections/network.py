"""Network knobs of an environment profile."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from environments.sections.base import StrictModel

NatStrategy = Literal["none", "single", "one-per-az"]


class NetworkProfile(StrictModel):
    nat: NatStrategy = Field(
        "one-per-az",
        description="NAT gateways: one per AZ keeps egress up when an AZ fails (default); "
        "`single` is cheaper and shares one AZ's fate; `none` gives private subnets no egress.",
    )
    interface_endpoints: bool = Field(
        True, description="ECR, STS, Logs and Secrets Manager interface endpoints."
    )
    flow_logs: bool = Field(True, description="VPC flow logs to a KMS-encrypted log group.")
