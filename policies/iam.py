"""Identity and keys: no wildcard admin policies; customer keys rotate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from .base import Report, stack_policy
from .graph import UNKNOWN, Graph, get, items, label, listify, parse_json, plain, truthy

ADMIN_POLICY_ARN_SUFFIX = ":iam::aws:policy/AdministratorAccess"
DOCUMENT_PROPS = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
    "aws-native:iam:ManagedPolicy": "policyDocument",
    "aws-native:iam:RolePolicy": "policyDocument",
}
ATTACHMENTS = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
               "aws:iam/userPolicyAttachment:UserPolicyAttachment",
               "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
               "aws:iam/policyAttachment:PolicyAttachment")
# Resources that attach a list of managed policies: type -> prop holding the ARNs.
ARN_LISTS = {
    "aws:iam/role:Role": "managedPolicyArns",
    "aws-native:iam:Role": "managedPolicyArns",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
}


def admin_statements(document: Any) -> list[int]:
    """Indexes of statements allowing action `*` on resource `*`."""
    document = plain(parse_json(document))
    if not isinstance(document, Mapping):
        return []
    found = []
    for index, statement in enumerate(listify(document.get("Statement") or [])):
        if (isinstance(statement, Mapping) and statement.get("Effect") == "Allow"
                and "*" in listify(statement.get("Action"))
                and "*" in listify(statement.get("Resource"))):
            found.append(index)
    return found


def check_wildcard_admin(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    documents: list[tuple[Any, str, Any]] = []
    for type_token, prop in DOCUMENT_PROPS.items():
        documents += [(r, "its policy", get(r.props, prop)) for r in graph.of_type(type_token)]
    for role in graph.of_type("aws:iam/role:Role"):
        documents += [(role, f"inline policy '{get(p, 'name')}'", get(p, "policy"))
                      for p in items(get(role.props, "inlinePolicies"))]
    for role in graph.of_type("aws-native:iam:Role"):
        documents += [(role, f"inline policy '{get(p, 'policyName')}'",
                       get(p, "policyDocument")) for p in items(get(role.props, "policies"))]
    for resource, what, document in documents:
        statements = admin_statements(document)
        if statements:
            report(resource, f"{label(resource)}: {what} allows Action '*' on Resource '*' "
                             f"(statement {statements[0]}), full admin; grant only the actions "
                             "and resources the workload needs")
    for attachment in graph.of_type(*ATTACHMENTS):
        arn = get(attachment.props, "policyArn")
        if isinstance(arn, str) and arn.endswith(ADMIN_POLICY_ARN_SUFFIX):
            report(attachment, f"{label(attachment)} attaches AdministratorAccess; attach a "
                               "least-privilege policy instead")
    for type_token, prop in ARN_LISTS.items():
        for resource in graph.of_type(type_token):
            if any(isinstance(arn, str) and arn.endswith(ADMIN_POLICY_ARN_SUFFIX)
                   for arn in items(get(resource.props, prop))):
                report(resource, f"{label(resource)} attaches AdministratorAccess (in {prop}); "
                                 "attach a least-privilege policy instead")


def check_key_rotation(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for key in graph.of_type("aws:kms/key:Key", "aws-native:kms:Key"):
        spec = get(key.props, "customerMasterKeySpec") or get(key.props, "keySpec") or \
            "SYMMETRIC_DEFAULT"
        if spec != "SYMMETRIC_DEFAULT":
            continue  # AWS rotates only symmetric encryption keys
        rotation = get(key.props, "enableKeyRotation")
        if rotation is not UNKNOWN and not truthy(rotation):
            report(key, f"KMS key {label(key)} does not rotate; set enable_key_rotation=True")


POLICIES = [
    stack_policy(
        "iam-no-wildcard-admin",
        "IAM policies never allow `*` actions on `*` resources (nor attach AdministratorAccess).",
        check_wildcard_admin,
        remediation="Grant only the actions and resources the workload needs.",
    ),
    stack_policy(
        "kms-key-rotation",
        "Customer-managed symmetric KMS keys rotate yearly.",
        check_key_rotation, enforcement=EnforcementLevel.ADVISORY,
        remediation="Set enable_key_rotation=True.",
    ),
]
