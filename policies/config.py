"""The shared policy configuration keys and the JSON schema each policy declares.

Every policy takes the same keys (only those it reads are in its schema), in the format of
`pulumi preview --policy-pack-config`: `{"<policy-id>": {"<key>": ...}, "all": "<level>"}`;
every policy's schema declares all of them, so the same object can be given to each.
The Pulumi CLI fills in each schema's `default`s before a policy sees its config; the
offline runner does the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyConfigSchema

DEFAULT_MIN_BACKUP_DAYS = 7
DEFAULT_REQUIRED_TAGS = ["environment"]

# key -> JSON schema of the key (with its default): the one definition of the shared keys.
KEYS: dict[str, dict[str, Any]] = {
    "allowedRegions": {
        "type": "array", "items": {"type": "string"}, "default": [],
        "description": "AWS regions restricted data may live in. Empty (the default) allows "
                       "only the region of the stack's default aws provider (its aws:region) "
                       "and nothing when no resource uses the default provider: fail closed.",
    },
    "r2Jurisdiction": {
        "type": ["string", "null"], "enum": ["default", "eu", "fedramp", None], "default": None,
        "description": "R2 jurisdiction restricted data must use; null (the default) means "
                       "R2 cannot keep restricted data here at all.",
    },
    "environment": {
        "type": "string", "default": "",
        "description": "Environment of the stack; `prod` turns on the prod-* policies. "
                       "Empty (the default) reads the `environment` tag of the providers.",
    },
    "minBackupDays": {
        "type": "integer", "minimum": 0, "default": DEFAULT_MIN_BACKUP_DAYS,
        "description": "Minimum backup retention in days.",
    },
    "requiredTags": {
        "type": "array", "items": {"type": "string"}, "default": DEFAULT_REQUIRED_TAGS,
        "description": "Tag keys every taggable resource must carry (provider default tags "
                       "count).",
    },
    "waivers": {
        "type": "object", "additionalProperties": {"type": "string"}, "default": {},
        "description": "URN -> reason: findings of this policy on these resources are waived "
                       "(reported with enforcement `waived`). An empty reason waives nothing.",
    },
}


def schema(*reads: str) -> PolicyConfigSchema:
    """The config schema of a policy: every policy takes every shared key (so one config
    object serves all of them); `reads` names the keys it actually uses, first."""
    unknown = set(reads) - set(KEYS)
    if unknown:
        raise ValueError(f"unknown config keys {sorted(unknown)}; add them to KEYS")
    ordered = dict.fromkeys([*reads, *KEYS])
    return PolicyConfigSchema(properties={k: dict(KEYS[k]) for k in ordered})


def setting(config: Mapping[str, Any], key: str) -> Any:
    """A config value, falling back to the schema default (for callers that skip the CLI)."""
    value = config.get(key) if config is not None else None
    if value is None and key != "r2Jurisdiction":
        default = KEYS[key]["default"]
        return list(default) if isinstance(default, list) else (
            dict(default) if isinstance(default, dict) else default)
    return value
