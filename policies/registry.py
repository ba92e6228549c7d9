"""Container registries: ECR repositories are never open to everyone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Report, stack_policy
from .graph import Graph, get, label
from .storage import public_statements

# type -> prop holding the repository policy document.
REPOSITORY_POLICIES = {
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws-native:ecr:Repository": "repositoryPolicyText",
}


def check_ecr_not_public(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    for type_token, prop in REPOSITORY_POLICIES.items():
        for resource in graph.of_type(type_token):
            statements = public_statements(get(resource.props, prop))
            if statements:
                report(resource, f"{label(resource)}: the repository policy allows Principal "
                                 f"'*' without a Condition (statement {statements[0]}), so "
                                 "anyone can pull (or push) images; grant specific accounts or "
                                 "roles, or add an aws:PrincipalOrgID condition")


POLICIES = [
    stack_policy(
        "ecr-repository-not-public",
        "ECR repository policies never grant Principal `*` without a Condition.",
        check_ecr_not_public,
        remediation="Grant specific principals (or condition on aws:PrincipalOrgID).",
    ),
]
