"""`left` reads `right` and `right` reads `left`: a reference cycle."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from stacks.exports import StackExports


@dataclass(frozen=True)
class SideExports(StackExports):
    vpc_id: pulumi.Output[str]


side = pulumi.Config().require("side")
other = SideExports.read("right" if side == "left" else "left")
vpc = aws.ec2.Vpc(side, cidr_block="10.30.0.0/16", tags={"peer": other.vpc_id})
SideExports(vpc_id=vpc.id).publish()
