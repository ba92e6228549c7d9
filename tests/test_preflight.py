"""`platformctl preflight` against moto's standalone server on 127.0.0.1, seeded with a bucket
name owned by another account, an existing IAM role and VPC usage that leaves the quota
below what the plan needs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from platformctl.checks.plan_view import StackPlan
from platformctl.checks.sources import plan_stacks
from platformctl.preflight import PreflightError, client_factory, preflight
from platformctl.project import Project
from tests.moto_server import FAKE_ENV, reset, use_fake_aws

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "tests" / "projects" / "preflight"
OTHER_ACCOUNT = "210987654321"


@pytest.fixture(scope="module")
def plans() -> dict[str, StackPlan]:
    project = Project.load(CASES)
    views, failed = plan_stacks(project, project.stacks(), jobs=2)
    assert not failed, [f.error for f in failed]
    return {v.stack: v for v in views}


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Fake credentials and no default region (preflight names the stack's), a clean moto."""
    use_fake_aws(monkeypatch, region=None)
    reset(moto_url)
    return moto_url


def _client(url: str, service: str, account: str | None = None):  # noqa: ANN202
    client = boto3.client(service, region_name="us-east-1", endpoint_url=url)
    if account is not None:  # moto serves another account for this header
        client.meta.events.register("before-sign.*.*", lambda request, **_: request.headers
                                    .__setitem__("x-moto-account-id", account))
    return client


@pytest.fixture
def seeded(aws: str) -> str:
    _client(aws, "s3", OTHER_ACCOUNT).create_bucket(Bucket="preflight-taken-assets")
    _client(aws, "iam").create_role(RoleName="preflight-existing-role",
                                    AssumeRolePolicyDocument="{}")
    return aws


def checks(report) -> list[str]:
    return sorted(p.check for p in report.problems)


def test_ready_stack_has_no_problems(plans: dict[str, StackPlan], seeded: str) -> None:
    report = preflight(plans["ready"], client_factory(endpoint_url=seeded))
    assert report.problems == [] and report.account == "123456789012"
    # moto's Service Quotas knows VPC quotas only: the others are AWS defaults, and say so
    assert any("EC2-VPC Elastic IPs" in n and "documented default" in n for n in report.notes)
    assert not any("VPCs per Region" in n for n in report.notes)


def test_taken_names_and_a_short_quota_are_one_line_each(plans: dict[str, StackPlan],
                                                         seeded: str) -> None:
    report = preflight(plans["blocked"], client_factory(endpoint_url=seeded))
    assert checks(report) == ["name-taken", "name-taken", "quota-exceeded"]
    lines = {p.check + ":" + p.message for p in report.problems}
    assert any("preflight-taken-assets" in line and "another account" in line for line in lines)
    assert any("preflight-existing-role" in line and "already exists" in line for line in lines)
    quota = next(p.message for p in report.problems if p.check == "quota-exceeded")
    assert "VPCs per Region" in quota and "adds 5" in quota and "quota 5" in quota
    assert all("\n" not in p.message for p in report.problems)


def test_a_bucket_refused_to_this_account_is_owned_elsewhere(
        plans: dict[str, StackPlan], seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real S3 answers 403 for another account's bucket; moto does when told to."""
    from botocore.exceptions import ClientError

    monkeypatch.setenv("MOTO_S3_ALLOW_CROSSACCOUNT_ACCESS", "false")
    with pytest.raises(ClientError, match="403"):
        _client(seeded, "s3").head_bucket(Bucket="preflight-taken-assets")
    report = preflight(plans["blocked"], client_factory(endpoint_url=seeded))
    assert any("'preflight-taken-assets' is owned by another account" in p.message
               for p in report.problems)


def test_a_bucket_of_this_account_is_taken_too(plans: dict[str, StackPlan], aws: str) -> None:
    _client(aws, "s3").create_bucket(Bucket="preflight-free-assets")
    report = preflight(plans["ready"], client_factory(endpoint_url=aws))
    assert [p.message for p in report.problems if p.check == "name-taken"] == [
        "ready: assets (aws:s3/bucket:Bucket): bucket 'preflight-free-assets' already exists "
        "in this account; `pulumi import` it or choose another name"]


def test_nat_gateways_count_per_availability_zone(plans: dict[str, StackPlan], aws: str) -> None:
    ec2 = _client(aws, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.0.0/24",
                               AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    for _ in range(5):  # the quota of us-east-1a is used up; us-east-1b is free
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)
    report = preflight(plans["ready"], client_factory(endpoint_url=aws))
    nat = [p.message for p in report.problems if "NAT gateways" in p.message]
    assert len(nat) == 1 and nat[0].startswith("us-east-1a (us-east-1):")
    assert any("EC2-VPC Elastic IPs" in p.message for p in report.problems)  # 5 used + 2


def test_caller_account_must_be_the_stacks(plans: dict[str, StackPlan], aws: str) -> None:
    report = preflight(plans["wrong-account"], client_factory(endpoint_url=aws))
    assert checks(report) == ["account-mismatch"]
    assert "123456789012" in report.problems[0].message
    assert "999999999999" in report.problems[0].message


def test_opt_in_region_not_enabled_is_a_problem(plans: dict[str, StackPlan], aws: str) -> None:
    report = preflight(plans["opt-in"], client_factory(endpoint_url=aws))
    assert "region-not-enabled" in checks(report)
    assert "quota-exceeded" not in checks(report)  # a disabled region is not asked about
    assert any("no aws:allowedAccountIds" in n for n in report.notes)


def test_unreachable_endpoint_is_one_line(plans: dict[str, StackPlan], aws: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with pytest.raises(PreflightError, match="AWS unreachable or no credentials"):
        preflight(plans["ready"], client_factory(endpoint_url=closed))


# --- the command ---------------------------------------------------------------------


def platformctl(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "PATH": os.environ["PATH"], **FAKE_ENV}
    return subprocess.run([sys.executable, "-m", "platformctl", *args], cwd=REPO,
                          capture_output=True, text=True, env=env)


def test_command_exit_codes_and_json(plans: dict[str, StackPlan], seeded: str,
                                     tmp_path: Path) -> None:
    for stack in ("ready", "blocked"):
        (tmp_path / f"{stack}.json").write_text(json.dumps(plans[stack].plan))
    blocked = platformctl("preflight", "--plan", str(tmp_path / "blocked.json"),
                          "--endpoint-url", seeded, "-f", "json")
    assert blocked.returncode == 1, blocked.stderr
    document = json.loads(blocked.stdout)
    assert sorted(p["check"] for p in document["problems"]) == [
        "name-taken", "name-taken", "quota-exceeded"]
    # a saved plan carries no stack config: the account is not compared, and that is said
    assert any("no aws:allowedAccountIds" in n for n in document["notes"])
    ready = platformctl("preflight", "--plan", str(tmp_path / "ready.json"),
                        "--endpoint-url", seeded)
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert "ready" in ready.stdout.splitlines()[-1]


def test_command_plans_the_stack_with_cwd(seeded: str) -> None:
    result = platformctl("preflight", "blocked", "--cwd", str(CASES), "--endpoint-url", seeded)
    assert result.returncode == 1, result.stderr
    problems = [line for line in result.stdout.splitlines() if line.startswith("problem:")]
    assert len(problems) == 3, result.stdout
    assert not any("no aws:allowedAccountIds" in line for line in result.stdout.splitlines())


@pytest.mark.parametrize("args,says", [
    (["preflight"], "give a STACK or --plan FILE"),
    (["preflight", "ready", "--cwd", "/nonexistent"], "no Pulumi.yaml"),
    (["preflight", "--plan", "/nonexistent.json"], "cannot read it"),
    (["preflight", "--plan", "/dev/null"], "not JSON"),
    (["preflight", "ready", "--cwd", str(CASES), "--profile", "nope"], "--profile nope"),
    (["preflight", "--plan", "/dev/null", "--endpoint-url", "not a url"], "--endpoint-url"),
])
def test_command_bad_input_is_exit_two(args: list[str], says: str) -> None:
    result = platformctl(*args)
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr
