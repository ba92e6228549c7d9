"""The policy-pack config of a stack of this project, written from environments/.

The same JSON serves `pulumi preview --policy-pack policies --policy-pack-config FILE` and
`platformctl plan` (which uses it automatically for this project's stacks), so both judge a
stack with the same allowed regions, R2 jurisdiction, environment, backup floor and tags.
Foreign projects (no environments/ loader) get only `--policy-config` or schema defaults.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from platformctl.errors import PlanInputError
from platformctl.policy_runner import Pack

MIN_BACKUP_DAYS_PROTECTED = 7
REQUIRED_TAGS = ["environment", "region", "jurisdiction", "managed-by"]


def has_environments(directory: Path) -> bool:
    """Whether `directory` is a project of this toolkit (environments/ with our loader)."""
    env = directory / "environments"
    return (env / "loader.py").is_file() and (env / "jurisdictions.yaml").is_file()


def stack_spec(directory: Path, stack: str) -> Any:
    """The validated StackSpec of `stack`, through the project's own environments/ loader."""
    added = str(directory)
    sys.path.insert(0, added)
    try:
        environments = importlib.import_module("environments")
        blueprint = _blueprint_of(directory, stack)
        try:
            return environments.load_stack_spec(stack, blueprint)
        except environments.SpecError as error:
            raise PlanInputError(str(error)) from None
    finally:
        sys.path.remove(added)


def shared_settings(directory: Path, stack: str) -> dict[str, Any]:
    """The shared policy keys of `stack`, from the project's environments/ data."""
    spec = stack_spec(directory, stack)
    profile = spec.profile
    # Stacks that protect their data get the 7-day floor; a profile that deliberately
    # keeps less (dev: protect_stateful false) is judged by its own, visible choice.
    min_days = (MIN_BACKUP_DAYS_PROTECTED if profile.protect_stateful
                else min(MIN_BACKUP_DAYS_PROTECTED, profile.backup_retention_days))
    return {
        "allowedRegions": list(spec.allowed_regions),
        "r2Jurisdiction": spec.jurisdiction.r2_jurisdiction,
        "environment": spec.environment,
        "minBackupDays": min_days,
        "requiredTags": list(REQUIRED_TAGS),
    }


def _blueprint_of(directory: Path, stack: str) -> str | None:
    from platformctl.project import Project

    # The stack's config as `plan` reads it (one reader, the same one-line errors).
    return Project.load(directory).stack_config(stack).values.get("platform:blueprint")


def config_for(pack: Pack, settings: dict[str, Any]) -> dict[str, Any]:
    """`--policy-pack-config` JSON: each policy gets the shared keys its schema declares."""
    config: dict[str, Any] = {}
    for policy in pack.policies:
        declared = policy.config_schema.properties if policy.config_schema else {}
        entry = {k: v for k, v in settings.items() if k in declared}
        if entry:
            config[policy.name] = entry
    return config


def stack_policy_config(directory: Path, stack: str, pack: Pack) -> dict[str, Any] | None:
    """The generated config for a stack of this toolkit; None for foreign projects."""
    if not has_environments(directory):
        return None
    return config_for(pack, shared_settings(directory, stack))
