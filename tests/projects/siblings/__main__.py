"""`network` exports its VPC; `app` reads it through a StackReference to its sibling."""

import pulumi
import pulumi_aws as aws

if pulumi.Config().require("role") == "network":
    vpc = aws.ec2.Vpc("shared", cidr_block="10.2.0.0/16")
    pulumi.export("vpcId", vpc.id)
    pulumi.export("vpcOwner", vpc.owner_id)  # not known to a preview
else:
    network = pulumi.StackReference(f"{pulumi.get_organization()}/siblings/network")
    aws.ec2.SecurityGroup("app", vpc_id=network.require_output("vpcId"))
    pulumi.export("networkVpc", network.get_output("vpcId"))
    pulumi.export("networkOwner", network.get_output("vpcOwner"))
