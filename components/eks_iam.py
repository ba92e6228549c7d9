"""IAM roles of the EKS components: trust policies and one helper that builds a role with
its managed-policy attachments and optional inline policy (shared by components/eks.py and
components/karpenter.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.labels import child_name, resource_tags

# Pod Identity: the agent assumes the role for a service account (sts:TagSession is required).
POD_IDENTITY_TRUST = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    }],
})


def service_trust(service: str, *, tag_session: bool = False) -> str:
    """Trust policy admitting one AWS service principal (e.g. `ec2.amazonaws.com`)."""
    actions = ["sts:AssumeRole", "sts:TagSession"] if tag_session else "sts:AssumeRole"
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": actions}]})


def managed_policy_arn(partition: pulumi.Input[str], name: str) -> pulumi.Output[str]:
    """`arn:<partition>:iam::aws:policy/<name>` of an AWS-managed policy."""
    return pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", name)


def role_with_policies(component: str, role: str, *, trust: pulumi.Input[str],
                       description: str, partition: pulumi.Input[str],
                       managed_policies: Sequence[str] = (),
                       inline_policy: pulumi.Input[str] | None = None,
                       parent: pulumi.Resource) -> aws.iam.Role:
    """A role named `<component>-<role>` with AWS-managed policies attached by name
    (e.g. `AmazonEKSWorkerNodePolicy`) and an optional inline policy."""
    name = child_name(component, role)
    opts = pulumi.ResourceOptions(parent=parent)
    iam_role = aws.iam.Role(name, assume_role_policy=trust, description=description,
                            tags=resource_tags(name), opts=opts)
    for policy in managed_policies:
        attachment = policy.rsplit("/", 1)[-1]
        aws.iam.RolePolicyAttachment(f"{name}-{attachment}", role=iam_role.name,
                                     policy_arn=managed_policy_arn(partition, policy), opts=opts)
    if inline_policy is not None:
        aws.iam.RolePolicy(f"{name}-policy", role=iam_role.id, policy=inline_policy, opts=opts)
    return iam_role
