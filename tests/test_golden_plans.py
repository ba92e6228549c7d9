"""Golden plans: the JSON plan of every shipped stack, kept under tests/golden/.

A change in what would be deployed shows up here and in review. After an intended change,
refresh them with:

    REFRESH_GOLDEN_PLANS=1 python -m pytest tests/test_golden_plans.py

and read the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from environments.loader import GLOBAL_HOME_REGION, GLOBAL_SCOPE, STACK_NAME

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")]
                for p in (REPO / "environments" / "stacks").glob("Pulumi.*.yaml"))
REFRESH = os.environ.get("REFRESH_GOLDEN_PLANS") == "1"


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    """Every shipped stack planned through the CLI, in parallel, as CI and reviewers run it."""
    result = subprocess.run(
        [sys.executable, "-m", "platformctl", "plan", "--all", "--format", "json", "--jobs", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    found = document.get("plans", [document])
    return {plan["stack"]: plan for plan in found}


def describe_difference(expected: dict[str, Any], actual: dict[str, Any]) -> str:
    """The URNs added, removed and changed: what a reviewer needs to see first."""
    old = {r["urn"]: r for r in expected["resources"]}
    new = {r["urn"]: r for r in actual["resources"]}
    lines = [f"+ {urn}" for urn in sorted(new.keys() - old.keys())]
    lines += [f"- {urn}" for urn in sorted(old.keys() - new.keys())]
    lines += [f"~ {urn}" for urn in sorted(old.keys() & new.keys()) if old[urn] != new[urn]]
    for key in ("outputs", "violations", "summary"):
        if expected.get(key) != actual.get(key):
            lines.append(f"~ {key}")
    return "\n".join(lines[:40]) + ("\n..." if len(lines) > 40 else "")


def test_every_shipped_stack_has_a_golden_plan() -> None:
    assert STACKS, "no shipped stacks found under environments/stacks"
    golden = sorted(p.stem for p in GOLDEN.glob("*.json"))
    if not REFRESH:
        assert golden == STACKS


@pytest.mark.parametrize("stack", STACKS)
def test_plan_matches_golden(plans: dict[str, dict[str, Any]], stack: str) -> None:
    actual = plans[stack]
    path = GOLDEN / f"{stack}.json"
    if REFRESH:
        path.write_text(json.dumps(actual, indent=2, sort_keys=True) + "\n")
        return
    expected = json.loads(path.read_text())
    assert expected == actual, (
        f"plan of {stack} differs from {path.relative_to(REPO)}:\n"
        f"{describe_difference(expected, actual)}\n"
        "If the change is intended, refresh with REFRESH_GOLDEN_PLANS=1 (see module docstring).")


def test_plans_of_the_same_stack_are_identical_run_to_run(
        plans: dict[str, dict[str, Any]]) -> None:
    """Determinism: a second plan of one stack equals the first (no random ids or paths)."""
    stack = STACKS[0]
    result = subprocess.run(
        [sys.executable, "-m", "platformctl", "plan", stack, "--format", "json"],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == plans[stack]


AWS_PACKAGES = ("aws:", "aws-native:", "pulumi:providers:aws")


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_has_a_region_and_every_resource_a_parent(
        plans: dict[str, dict[str, Any]], stack: str) -> None:
    plan = plans[stack]
    regionless = [r["urn"] for r in plan["resources"]
                  if r["type"].startswith(AWS_PACKAGES) and not r["region"]]
    assert regionless == []
    orphans = [r["urn"] for r in plan["resources"]
               if r["parent"] is None and r["type"] != "pulumi:pulumi:Stack"]
    assert orphans == []
    urns = {r["urn"] for r in plan["resources"]}
    dangling = [r["urn"] for r in plan["resources"] if r["parent"] and r["parent"] not in urns]
    assert dangling == []


@pytest.mark.parametrize("stack", STACKS)
def test_stack_uses_explicit_regional_providers_with_default_tags(
        plans: dict[str, dict[str, Any]], stack: str) -> None:
    plan = plans[stack]
    parts = STACK_NAME.match(stack)
    assert parts is not None
    environment, region = parts["env"], parts["region"]
    if region == GLOBAL_SCOPE:  # a global stack's providers are its home region's
        region = GLOBAL_HOME_REGION
    providers = {r["urn"]: r for r in plan["resources"]
                 if r["type"] in ("pulumi:providers:aws", "pulumi:providers:aws-native")}
    regional = [p for p in providers.values() if p["props"].get("region") == region]
    assert {p["type"] for p in regional} == {"pulumi:providers:aws", "pulumi:providers:aws-native"}
    for provider in regional:
        # Provider inputs reach the engine JSON-encoded, as the SDK sends provider config.
        tags = json.loads(provider["props"]["defaultTags"])["tags"]
        assert tags["environment"] == environment
        assert tags["region"] == region
        assert tags["blueprint"] == parts["blueprint"]
        assert {"jurisdiction", "managed-by"} <= tags.keys()
    # Nothing relies on the ambient default provider.
    defaulted = [r["urn"] for r in plan["resources"]
                 if r["custom"] and r["type"].startswith(("aws:", "aws-native:"))
                 and r["provider"] is None]
    assert defaulted == []
