"""IAM documents and roles: the one place that writes policy documents, service trust
policies and service roles (a role, its AWS-managed policy attachments and inline policies).

Naming follows `components.labels.child_name`: a role is `<component>-<role>`, an inline
policy or a managed-policy attachment is `<component>-<key>` for the key the caller gives
(call sites keep the names they already had, e.g. `flow-logs-role` + `flow-logs-policy`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.labels import child_name, resource_tags

POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com"
"""EKS Pod Identity: its agent assumes a role for a service account (needs sts:TagSession)."""


def policy_document(statements: Sequence[Mapping[str, Any]]) -> str:
    """An IAM (or resource) policy document with these statements, as JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def service_grant_statement(sid: str, service: str, action: str, resource: str, *,
                            source_arn: str) -> dict[str, Any]:
    """Resource-policy statement: `service` may do `action` on `resource`, only on behalf of
    `source_arn` (e.g. one EventBridge rule sending to a queue or topic)."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": action,
        "Resource": resource,
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
    }


def service_assume_role_policy(services: str | Sequence[str], account_id: str | None = None,
                               *, source_arn: str | None = None,
                               source_arn_like: str | None = None,
                               tag_session: bool = False) -> str:
    """Trust policy admitting AWS service principal(s) (e.g. `lambda.amazonaws.com`).

    `account_id` adds the `aws:SourceAccount` condition (confused-deputy guard; None = none,
    for services that do not send it, such as EC2 or EKS); `source_arn` adds an exact
    `aws:SourceArn` StringEquals condition (one known caller, e.g. a trail) and
    `source_arn_like` an `aws:SourceArn` ArnLike one (a pattern); `tag_session` also allows
    `sts:TagSession`."""
    if source_arn is not None and source_arn_like is not None:
        raise ValueError("source_arn: given together with source_arn_like; pass only one")
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": services if isinstance(services, str) else list(services)},
        "Action": ["sts:AssumeRole", "sts:TagSession"] if tag_session else "sts:AssumeRole",
    }
    condition: dict[str, Any] = {}
    equals: dict[str, str] = {}
    if account_id is not None:
        equals["aws:SourceAccount"] = account_id
    if source_arn is not None:
        equals["aws:SourceArn"] = source_arn
    if equals:
        condition["StringEquals"] = equals
    if source_arn_like is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn_like}
    if condition:
        statement["Condition"] = condition
    return policy_document([statement])


def managed_policy_arn(partition: pulumi.Input[str], name: str) -> pulumi.Output[str]:
    """`arn:<partition>:iam::aws:policy/<name>` of an AWS-managed policy (`name` may carry a
    path, e.g. `service-role/AmazonEBSCSIDriverPolicy`)."""
    return pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", name)


def role_policy(component: str, key: str, *, role: aws.iam.Role, policy: pulumi.Input[str],
                parent: pulumi.Resource) -> aws.iam.RolePolicy:
    """Inline policy `<component>-<key>` of `role` (for a caller that needs the resource
    itself, e.g. to make something depend on it; otherwise pass `inline_policies`)."""
    return aws.iam.RolePolicy(child_name(component, key), role=role.id, policy=policy,
                              opts=pulumi.ResourceOptions(parent=parent))


def service_role(component: str, role: str, *, services: str | Sequence[str],
                 parent: pulumi.Resource, aws_context: AwsContext,
                 description: str | None = None,
                 inline_policies: Mapping[str, pulumi.Input[str]] | None = None,
                 managed_policies: Mapping[str, str] | None = None,
                 source_account: bool = True,
                 source_arn: pulumi.Input[str] | None = None,
                 source_arn_like: pulumi.Input[str] | None = None,
                 tag_session: bool = False,
                 tags: Mapping[str, str] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> aws.iam.Role:
    """A role `<component>-<role>` that `services` may assume.

    - trust: `service_assume_role_policy`, with the `aws:SourceAccount` condition unless
      `source_account=False`, plus `source_arn` / `source_arn_like` / `tag_session` when
      given;
    - `inline_policies`: key -> policy JSON, each an `aws.iam.RolePolicy` `<component>-<key>`;
    - `managed_policies`: key -> AWS-managed policy name (partition from `aws_context`), each
      an `aws.iam.RolePolicyAttachment` `<component>-<key>`;
    - `tags`: extra tags after the Name tag (`resource_tags`); `opts` merge into the role's.
    """
    if source_arn is not None and source_arn_like is not None:
        raise ValueError("source_arn: given together with source_arn_like; pass only one")
    name = child_name(component, role)
    if source_account or source_arn is not None or source_arn_like is not None:
        account = aws_context.account_id if source_account else None
        trust: pulumi.Input[str] = pulumi.Output.all(account, source_arn, source_arn_like).apply(
            lambda a: service_assume_role_policy(services, a[0], source_arn=a[1],
                                                 source_arn_like=a[2], tag_session=tag_session))
    else:
        trust = service_assume_role_policy(services, tag_session=tag_session)
    child = pulumi.ResourceOptions(parent=parent)
    iam_role = aws.iam.Role(
        name, assume_role_policy=trust, description=description,
        tags=resource_tags(name, extra=tags),
        opts=pulumi.ResourceOptions.merge(child, opts) if opts is not None else child)
    for key, policy_name in (managed_policies or {}).items():
        aws.iam.RolePolicyAttachment(
            child_name(component, key), role=iam_role.name,
            policy_arn=managed_policy_arn(aws_context.partition, policy_name), opts=child)
    for key, policy in (inline_policies or {}).items():
        role_policy(component, key, role=iam_role, policy=policy, parent=parent)
    return iam_role


def pod_identity_role(component: str, role: str, *, parent: pulumi.Resource,
                      aws_context: AwsContext, source_account: bool = False,
                      **kwargs: Any) -> aws.iam.Role:
    """`service_role` for EKS Pod Identity: trusts `pods.eks.amazonaws.com` with
    `sts:TagSession` (which the agent requires); the role is bound to a service account by an
    `aws.eks.PodIdentityAssociation` (or an add-on's `pod_identity_associations`)."""
    return service_role(component, role, services=POD_IDENTITY_SERVICE, parent=parent,
                        aws_context=aws_context, source_account=source_account,
                        tag_session=True, **kwargs)


def policy_attachments(role: str, policies: Sequence[str]) -> dict[str, str]:
    """`managed_policies` for `service_role`, one attachment per AWS-managed policy named
    `<role>-<policy name>` (the path, e.g. `service-role/`, is not part of the name)."""
    return {f"{role}-{policy.rsplit('/', 1)[-1]}": policy for policy in policies}
