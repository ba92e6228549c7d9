"""The GitHub Actions workflows: valid against GitHub's published workflow schema (as
check-jsonschema ships it), and wired the way the pull-request and deploy paths promise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))


def _load(name: str) -> dict[str, Any]:
    # PyYAML reads the `on:` key as True (YAML 1.1); normalise it back
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))
    return document


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def _uses(job: dict[str, Any]) -> list[str]:
    return [s["uses"].split("@")[0] for s in _steps(job) if "uses" in s]


def test_workflows_validate_against_githubs_schema() -> None:
    assert FILES, "no workflow files"
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", *map(str, FILES)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: oops\n")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_long_lived_aws_keys(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)", text)


def test_pull_requests_plan_a_matrix_upload_sarif_and_keep_one_comment() -> None:
    workflow = _load("pull-request.yml")
    assert "pull_request" in workflow["on"]
    plan = workflow["jobs"]["plan"]
    # the matrix comes from the project's stacks, never a hand-written list
    assert plan["strategy"]["matrix"]["stack"].startswith("${{ fromJSON(needs.stacks")
    assert "github/codeql-action/upload-sarif" in _uses(plan)
    assert plan["permissions"]["security-events"] == "write"
    runs = " ".join(s.get("run", "") for s in _steps(plan))
    assert "--format sarif" in runs and "--format json" in runs
    comment = workflow["jobs"]["comment"]
    assert "marocchino/sticky-pull-request-comment" in _uses(comment)
    assert "platformctl diff out/base out/head --format markdown" in " ".join(
        s.get("run", "") for s in _steps(comment))


def test_main_deploys_stack_by_stack_in_order_behind_environments_with_oidc() -> None:
    workflow = _load("deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "order"
    assert deploy["strategy"]["max-parallel"] == 1 and deploy["strategy"]["fail-fast"]
    assert deploy["environment"] == "${{ matrix.stack }}"
    assert deploy["permissions"]["id-token"] == "write"
    steps = _steps(deploy)
    aws = next(s for s in steps if s.get("uses", "").startswith(
        "aws-actions/configure-aws-credentials"))
    assert "role-to-assume" in aws["with"]
    commands = [s["with"]["command"] for s in steps
                if s.get("uses", "").startswith("pulumi/actions")]
    assert commands == ["preview", "up"]
    assert steps.index(aws) < next(i for i, s in enumerate(steps)
                                   if s.get("uses", "").startswith("pulumi/actions"))
    # the matrix is `platformctl order`'s JSON list, computed from the plans just made
    order = " ".join(s.get("run", "") for s in _steps(workflow["jobs"]["order"]))
    assert "platformctl plan --all --format json" in order
    assert "platformctl order --plans plans/all.json --format json" in order
    assert deploy["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.order.outputs.stacks) }}"


def test_each_stack_deploys_against_its_own_jurisdictions_backend_and_key() -> None:
    workflow = _load("deploy.yml")
    runs = " ".join(s.get("run", "") for s in _steps(workflow["jobs"]["order"]))
    assert "platformctl state-backends" in runs and "--format json" in runs
    pulumi_steps = [s for s in _steps(workflow["jobs"]["deploy"])
                    if s.get("uses", "").startswith("pulumi/actions")]
    for step in pulumi_steps:
        # Looked up per matrix stack, never one repository-wide backend.
        assert "[matrix.stack].backend" in step["with"]["cloud-url"]
    assert any("[matrix.stack].secrets" in s["with"].get("secrets-provider", "")
               for s in pulumi_steps)
