"""A VPC (or several) with a NAT gateway and Elastic IP per AZ, an EKS cluster, a bucket and
a role with explicit names: what a pre-flight must find room and free names for."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
vpcs = config.get_int("vpcs") or 1
zones = ["a", "b"]
region = aws.config.region

for index in range(vpcs):
    vpc = aws.ec2.Vpc(f"vpc-{index}", cidr_block=f"10.{index}.0.0/16")
    if index == 0:
        for number, zone in enumerate(zones):
            subnet = aws.ec2.Subnet(f"public-{zone}", vpc_id=vpc.id,
                                    cidr_block=f"10.0.{number}.0/24",
                                    availability_zone=f"{region}{zone}")
            eip = aws.ec2.Eip(f"nat-{zone}", domain="vpc")
            aws.ec2.NatGateway(f"nat-{zone}", subnet_id=subnet.id, allocation_id=eip.id)

role = aws.iam.Role("cluster-role", name=config.require("roleName"),
                    assume_role_policy='{"Version": "2012-10-17", "Statement": []}')
aws.eks.Cluster("cluster", role_arn=role.arn, vpc_config={"subnet_ids": ["subnet-1"]})
aws.s3.Bucket("assets", bucket=config.require("bucketName"))
