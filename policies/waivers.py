"""Waivers: the sanctioned way to accept a finding, visible in every report.

- A resource tag `policy-waiver:<policy-id>` whose value is the reason waives that policy's
  findings on the resource. On an S3 bucket it also covers the split-out aws:s3/* resources
  that configure the bucket (public access block, encryption, policy, ...).
- A policy's config may list waived URNs: `{"<policy-id>": {"waivers": {"<urn>": "reason"}}}`.
- An empty reason waives nothing: the finding stays enforced and `policy-waiver-reason`
  reports the empty tag.

Waived findings are not reported to the engine (so `pulumi preview` passes); the offline
runner receives them through the optional `waived` attribute of its report callback and
lists them with `"enforcement": "waived"` and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource

from .graph import S3_BUCKET_TYPES, Graph

TAG_PREFIX = "policy-waiver:"


def tag_key(policy_id: str) -> str:
    return f"{TAG_PREFIX}{policy_id}"


def _covering(graph: Graph, resource: PolicyResource) -> list[PolicyResource]:
    """The resource itself and, for split-out S3 configuration, the bucket it configures."""
    covering = [resource]
    if (resource.resource_type.startswith("aws:s3/")
            and resource.resource_type not in S3_BUCKET_TYPES):
        covering += graph.bucket_of(resource)
    return covering


def waiver(graph: Graph, policy_id: str, urn: str | None,
           config: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(reason, problem): the reason when the finding is waived; else a note on why a waiver
    that was attempted does not count (empty reason), or (None, None)."""
    if not urn:
        return None, None
    problem = None
    listed = (config or {}).get("waivers") or {}
    if isinstance(listed, Mapping) and urn in listed:
        reason = listed[urn]
        if isinstance(reason, str) and reason.strip():
            return reason.strip(), None
        problem = (f"the config waiver for it has an empty reason; give the reason under "
                   f"{policy_id}.waivers")
    resource = graph.by_urn.get(urn)
    if resource is None:
        return None, problem
    for candidate in _covering(graph, resource):
        tags = graph.own_tags(candidate)
        if tag_key(policy_id) not in tags:
            continue
        reason = tags[tag_key(policy_id)]
        if isinstance(reason, str) and reason.strip():
            return reason.strip(), None
        problem = (f"the '{tag_key(policy_id)}' tag on '{candidate.name}' has an empty reason; "
                   "set its value to the reason")
    return None, problem
