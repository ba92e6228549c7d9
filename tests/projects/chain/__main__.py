"""`primary` publishes its VPC; `secondary` reads it and publishes its own with the
primary's; `edge` reads only `secondary`, so the primary's VPC reaches it two references
deep (as a global stack reads a secondary region that reads the Aurora global primary)."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from stacks.exports import StackExports


@dataclass(frozen=True)
class PrimaryExports(StackExports):
    vpc_id: pulumi.Output[str]
    vpc_owner: pulumi.Output[str]  # not known to a preview


@dataclass(frozen=True)
class SecondaryExports(StackExports):
    vpc_id: pulumi.Output[str]
    primary_vpc_id: pulumi.Output[str]


role = pulumi.Config().require("role")
if role == "primary":
    vpc = aws.ec2.Vpc("primary", cidr_block="10.10.0.0/16")
    PrimaryExports(vpc_id=vpc.id, vpc_owner=vpc.owner_id).publish()
elif role == "secondary":
    primary = PrimaryExports.read("primary")
    vpc = aws.ec2.Vpc("secondary", cidr_block="10.20.0.0/16")
    aws.ec2.VpcPeeringConnection("to-primary", vpc_id=vpc.id, peer_vpc_id=primary.vpc_id,
                                 peer_region="us-east-1")
    SecondaryExports(vpc_id=vpc.id, primary_vpc_id=primary.vpc_id).publish()
    pulumi.export("primaryOwner", primary.vpc_owner)
else:
    secondary = SecondaryExports.read("secondary")
    aws.ec2.SecurityGroup("edge", vpc_id=secondary.primary_vpc_id)
    pulumi.export("primaryVpc", secondary.primary_vpc_id)
    pulumi.export("secondaryVpc", secondary.vpc_id)
