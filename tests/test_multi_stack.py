"""Projects whose stacks read each other through typed exports contracts (stacks/exports.py):
`plan --all` and `plan STACK` answer every reference with the referenced stack's own plan,
however deep the chain; `order` deploys a stack after the stacks it reads; a cycle is one
line, exit 2. And the preloaded fork server plans exactly what fresh processes plan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from platformctl.fixtures import ID_PREFIXES
from platformctl.plan import UNKNOWN
from platformctl.project import Project
from platformctl.worker import PlanRequest, plan_in_processes

PROJECTS = Path(__file__).resolve().parent / "projects"
CHAIN, CYCLE, SIBLINGS = PROJECTS / "chain", PROJECTS / "cycle", PROJECTS / "siblings"
VPC = ID_PREFIXES["aws:ec2/vpc:Vpc"]


def platformctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "platformctl", *args], capture_output=True,
                          text=True, timeout=600)


def _plans(stdout: str) -> dict[str, dict[str, Any]]:
    document = json.loads(stdout)
    return {p["stack"]: p for p in document.get("plans", [document])}


def _resource(plan: dict[str, Any], type_: str) -> dict[str, Any]:
    [found] = [r for r in plan["resources"] if r["type"] == type_]
    return found


@pytest.fixture(scope="module")
def chain() -> dict[str, dict[str, Any]]:
    result = platformctl("plan", "--all", "--cwd", str(CHAIN), "-f", "json", "--jobs", "2",
                         "--policy-pack", "none")
    assert result.returncode == 0, result.stderr
    return _plans(result.stdout)


def test_plan_all_answers_a_reference_two_stacks_deep_with_real_values(chain) -> None:
    primary_vpc = chain["primary"]["outputs"]["vpcId"]
    assert primary_vpc.startswith(VPC)
    assert chain["secondary"]["outputs"]["primaryVpcId"] == primary_vpc
    peering = _resource(chain["secondary"], "aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
    assert peering["props"]["peerVpcId"] == primary_vpc
    # edge reads only secondary, which passes on what it read from primary
    assert chain["edge"]["outputs"]["primaryVpc"] == primary_vpc
    assert _resource(chain["edge"], "aws:ec2/securityGroup:SecurityGroup")["props"]["vpcId"] \
        == primary_vpc
    assert chain["edge"]["outputs"]["secondaryVpc"] == chain["secondary"]["outputs"]["vpcId"]
    assert [r["source"] for r in chain["edge"]["stackReferences"]] == \
        ["plan of sibling stack secondary"]
    # what the primary's preview does not know stays unknown downstream
    assert chain["secondary"]["outputs"]["primaryOwner"] == UNKNOWN


def test_plan_of_one_stack_plans_its_siblings_recursively(chain) -> None:
    result = platformctl("plan", "edge", "--cwd", str(CHAIN), "-f", "json",
                         "--policy-pack", "none")
    assert result.returncode == 0, result.stderr
    assert list(_plans(result.stdout)) == ["edge"]  # siblings answer it, only it is reported
    assert _plans(result.stdout)["edge"]["outputs"] == chain["edge"]["outputs"]


@pytest.mark.parametrize("blueprint_option", [(), ("--plans",)])
def test_order_lists_each_stack_after_the_stacks_it_reads(chain, tmp_path: Path,
                                                         blueprint_option: tuple[str, ...]) -> None:
    if blueprint_option:
        saved = tmp_path / "plans.json"
        saved.write_text(json.dumps({"plans": list(chain.values())}))
        args = ["--plans", str(saved)]
    else:
        args = ["--cwd", str(CHAIN)]
    result = platformctl("order", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["primary", "secondary", "edge"]
    text = platformctl("order", *args).stdout.splitlines()
    assert text == ["1. primary", "2. secondary  (after primary)", "3. edge  (after secondary)"]


def test_order_of_an_unknown_blueprint_names_the_known_ones() -> None:
    result = platformctl("order", "--cwd", str(CHAIN), "--blueprint", "nosuch")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "--blueprint nosuch" in result.stderr and "give one of: none" in result.stderr


@pytest.mark.parametrize("command", [("plan", "--all", "--policy-pack", "none"),
                                     ("plan", "left", "--policy-pack", "none"),
                                     ("check", "--all"), ("order",)])
def test_a_reference_cycle_is_one_line_exit_2(command: tuple[str, ...]) -> None:
    result = platformctl(*command, "--cwd", str(CYCLE))
    assert result.returncode == 2, result.stdout
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "cycle: left, right" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("project", [CHAIN, SIBLINGS])
def test_the_fork_server_plans_what_fresh_processes_plan(project: Path) -> None:
    requests = [PlanRequest(directory=project, stack=s) for s in Project.load(project).stacks()]
    forked = plan_in_processes(requests, 2)
    fresh = plan_in_processes(requests, 2, fresh_processes=True)
    assert all(r.ok for r in forked), [r.error for r in forked]
    assert [json.dumps(r.plan, sort_keys=True) for r in forked] == \
        [json.dumps(r.plan, sort_keys=True) for r in fresh]
