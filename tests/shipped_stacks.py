"""The shipped stacks of a blueprint, found by their stack files' `platform:blueprint` (never
a hand list), and their plans through `platformctl plan`, as a reviewer runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.plans import PlanView

REPO = Path(__file__).resolve().parent.parent
CONFIGS = {p.name[len("Pulumi."):-len(".yaml")]: yaml.safe_load(p.read_text())["config"]
           for p in sorted((REPO / "environments" / "stacks").glob("Pulumi.*.yaml"))}


def stacks_of(blueprint: str) -> list[str]:
    return sorted(s for s, c in CONFIGS.items() if c.get("platform:blueprint") == blueprint)


def settings(stack: str) -> dict[str, Any]:
    """The blueprint settings the stack file gives (`platform:settings`)."""
    return CONFIGS[stack].get("platform:settings", {})


def plan_stacks(stacks: list[str]) -> dict[str, PlanView]:
    found = {}
    for stack in stacks:
        result = subprocess.run([sys.executable, "-m", "platformctl", "plan", stack, "--format",
                                 "json"], cwd=REPO, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        found[stack] = PlanView(json.loads(result.stdout))
    return found
