"""Security groups of the data tier: one port, admitted only from the workloads' groups.

Every database (Aurora, DocumentDB, Redis) gets its group from `workload_ingress_group`,
so "who may reach a data store" is decided in one place: no CIDR ranges, no egress, and an
empty workload list admits nothing (fail closed) rather than everything.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.labels import child_name, resource_tags


def workload_ingress_group(component: str, *, vpc_id: pulumi.Input[str], port: int,
                           workload_security_group_ids: Sequence[pulumi.Input[str]],
                           description: str, parent: pulumi.Resource,
                           role: str = "sg") -> aws.ec2.SecurityGroup:
    """A group admitting TCP `port` from each of `workload_security_group_ids` only.

    One ingress rule per source group keeps the rule count (a plain value) independent of
    the ids, which are Outputs of the compute layer. No egress: a database never initiates
    connections.
    """
    if not 0 < port < 65536:
        raise ValueError(f"port: {port} is not a TCP port; use 1-65535")
    name = child_name(component, role)
    return aws.ec2.SecurityGroup(
        name,
        vpc_id=vpc_id,
        description=description,
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=port, to_port=port, security_groups=[source],
                description=f"TCP {port} from workload security group {index + 1}")
            for index, source in enumerate(workload_security_group_ids)
        ],
        egress=[],
        tags=resource_tags(name),
        opts=pulumi.ResourceOptions(parent=parent),
    )
