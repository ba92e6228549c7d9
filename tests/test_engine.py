"""The offline engine: what it captures (parents, dependencies, providers, regions, options),
what it never shows (secrets), and how it fails (one line, exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest

from tests.plans import PlanView, run_offline

REPO = Path(__file__).resolve().parent.parent
SHOP = Path(__file__).resolve().parent / "projects" / "shop"
SHOP_SECRET = "c2VjcmV0LWNpcGhlcnRleHQtdGhhdC1pcy1ub3QtcmVhbA=="


def platformctl(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "platformctl", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def shop_plan() -> dict:
    """The foreign project, planned through the CLI exactly as a user would."""
    result = platformctl("plan", "dev", "--cwd", str(SHOP), "--format", "json",
                         "--policy-pack", "none")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def by_name(plan: dict, type_token: str, name: str) -> dict:
    return next(r for r in plan["resources"] if r["type"] == type_token and r["name"] == name)


def test_foreign_project_plans_with_cwd(shop_plan: dict) -> None:
    assert shop_plan["project"] == "shop"
    assert shop_plan["stack"] == "dev"
    assert shop_plan["summary"]["resources"] == len(shop_plan["resources"]) == 9
    assert set(shop_plan) >= {"project", "stack", "resources", "outputs", "violations", "summary"}


def test_region_comes_from_own_input_then_provider_then_stack_config(shop_plan: dict) -> None:
    assert by_name(shop_plan, "aws:s3/bucket:Bucket", "replica")["region"] == "eu-central-1"
    assert by_name(shop_plan, "aws:s3/bucket:Bucket", "orders")["region"] == "eu-west-1"
    assert by_name(shop_plan, "aws:cloudwatch/logGroup:LogGroup", "logs")["region"] == "us-west-2"
    assert by_name(shop_plan, "random:index/randomPassword:RandomPassword",
                   "db-password")["region"] is None


def test_parents_providers_dependencies_and_options_are_captured(shop_plan: dict) -> None:
    orders = by_name(shop_plan, "aws:s3/bucket:Bucket", "orders")
    versioning = by_name(shop_plan, "aws:s3/bucketVersioning:BucketVersioning",
                         "orders-versioning")
    provider = by_name(shop_plan, "pulumi:providers:aws", "eu")
    assert versioning["parent"] == orders["urn"]
    assert orders["urn"] in versioning["dependencies"]
    assert versioning["provider"] == provider["urn"]
    assert versioning["ignoreChanges"] == ["tags"]
    assert orders["protect"] is True
    replica = by_name(shop_plan, "aws:s3/bucket:Bucket", "replica")
    assert replica["retainOnDelete"] is True and replica["deleteBeforeReplace"] is True
    logs = by_name(shop_plan, "aws:cloudwatch/logGroup:LogGroup", "logs")
    api_key = by_name(shop_plan, "aws:ssm/parameter:Parameter", "api-key")
    assert logs["urn"] in api_key["dependencies"]
    # Config: project defaults and stack values, as the CLI would hand them over.
    assert logs["props"] == {"retentionInDays": 30, "tags": {"owner": "team-video"}}


def test_secrets_are_masked_everywhere(shop_plan: dict) -> None:
    assert by_name(shop_plan, "aws:ssm/parameter:Parameter", "api-key")["props"]["value"] == \
        "[secret]"
    assert by_name(shop_plan, "aws:ssm/parameter:Parameter", "db-password")["props"]["value"] == \
        "[secret]"
    assert shop_plan["outputs"]["password"] == "[secret]"
    assert SHOP_SECRET not in json.dumps(shop_plan)


@pytest.mark.parametrize("output_format", ["text", "markdown", "json"])
def test_generated_password_never_appears_in_any_format(output_format: str) -> None:
    from platformctl.engine import run_project
    from platformctl.fixtures import NewResource, resource_outputs

    capture = run_project(SHOP, "dev")
    password = next(r for r in capture.registrations if r.type.startswith("random:"))
    _, state = resource_outputs(NewResource(type=password.type, name=password.name,
                                            urn=password.urn, inputs={"length": 24},
                                            region=None))
    plaintext = state["result"]
    result = platformctl("plan", "dev", "--cwd", str(SHOP), "--format", output_format,
                         "--policy-pack", "none")
    assert result.returncode == 0, result.stderr
    assert plaintext not in result.stdout
    assert SHOP_SECRET not in result.stdout


def test_component_children_name_their_parent_and_inherit_the_provider() -> None:
    class Pair(pulumi.ComponentResource):
        def __init__(self, name: str, opts: pulumi.ResourceOptions) -> None:
            super().__init__("test:index:Pair", name, None, opts)
            key = aws.kms.Key(f"{name}-key", enable_key_rotation=True,
                              opts=pulumi.ResourceOptions(parent=self))
            aws.kms.Alias(f"{name}-alias", target_key_id=key.key_id, name=f"alias/{name}",
                          opts=pulumi.ResourceOptions(parent=self))
            self.register_outputs({})

    def program() -> None:
        provider = aws.Provider("sa", region="me-south-1")
        Pair("pair", pulumi.ResourceOptions(providers=[provider]))

    view = run_offline(program, config={"aws:region": "us-east-1"})
    component = view.one("test:index:Pair")
    key, alias = view.one("aws:kms/key:Key"), view.one("aws:kms/alias:Alias")
    provider = view.one("pulumi:providers:aws")
    for child in (key, alias):
        assert child["parent"] == component["urn"]
        assert child["provider"] == provider["urn"]
        assert child["region"] == "me-south-1"
    assert key["urn"] in alias["dependencies"]
    assert component["parent"] == view.one("pulumi:pulumi:Stack")["urn"]


def test_outputs_are_shaped_like_aws_in_the_resource_region() -> None:
    def program() -> None:
        provider = aws.Provider("sa", region="me-south-1")
        topic = aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(provider=provider))
        vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16",
                          opts=pulumi.ResourceOptions(provider=provider))
        aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.0.0/24",
                       opts=pulumi.ResourceOptions(provider=provider))
        aws.cloudwatch.MetricAlarm(
            "alarm", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
            metric_name="CPUUtilization", namespace="AWS/EC2", period=60, statistic="Average",
            threshold=80, alarm_actions=[topic.arn], opts=pulumi.ResourceOptions(provider=provider))

    view = run_offline(program)
    [topic_arn] = view.named("alarm")["props"]["alarmActions"]
    assert topic_arn.startswith("arn:aws:sns:me-south-1:123456789012:alerts-")
    assert view.named("subnet")["props"]["vpcId"].startswith("vpc-")


def test_secret_output_of_a_program_is_masked_in_outputs() -> None:
    def program() -> None:
        password = random.RandomPassword("pw", length=20)
        pulumi.export("pw", password.result)
        pulumi.export("derived", password.result.apply(lambda p: f"postgres://u:{p}@db"))

    view = run_offline(program)
    assert view.plan["outputs"] == {"derived": "[secret]", "pw": "[secret]"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["plan", "prod"], r"^error: stack 'prod': name: does not parse as "
                           r"<blueprint>-<env>-<region> or <blueprint>-<env>-global; "
                           r"name it like "
                           r"coursebundler-prod-us-east-1$"),
        (["plan", "coursebundler-qa-us-east-1"],
         r"^error: environments/stacks/Pulumi\.coursebundler-qa-us-east-1\.yaml: "
         r"config\.platform:blueprint: missing"),
        (["plan", "dev", "--cwd", "/nonexistent"], r"^error: /nonexistent: no Pulumi\.yaml"),
        (["plan"], r"^error: give a STACK or --all"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], expected: str) -> None:
    import re

    result = platformctl(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(expected, lines[0]), lines[0]
    assert "Traceback" not in result.stderr


def test_planview_finds_nothing_when_nothing_matches() -> None:
    view = PlanView({"resources": []})
    assert view.of_type("aws:s3/bucket:Bucket") == []
