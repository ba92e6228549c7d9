"""The offline engine runs a program as `pulumi preview` would: what a preview cannot know is
unknown in every format, every data source answers (and the plan says what was assumed),
resource references serialize as ids, URNs follow the engine's rules, and what the engine
cannot see inside makes the verdict incomplete. Programs: tests/projects/preview."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from platformctl.capture import ROOT_STACK_TYPE
from platformctl.fixtures import ID_PREFIXES, digest
from platformctl.plan import UNKNOWN
from tests.plans import run_offline

PREVIEW = Path(__file__).resolve().parent / "projects" / "preview"
GOLDEN = Path(__file__).resolve().parent / "golden"
STACK = "dev-us-east-2"


def platformctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "platformctl", *args], capture_output=True,
                          text=True, timeout=600)


def plan_json(stack: str, *extra: str) -> dict[str, Any]:
    result = platformctl("plan", stack, "--cwd", str(PREVIEW), "-f", "json",
                         "--policy-pack", "none", *extra)
    assert result.returncode in (0, 3), result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    return plan_json(STACK)


def resource(plan: dict[str, Any], type_token: str, name: str) -> dict[str, Any]:
    return next(r for r in plan["resources"] if r["type"] == type_token and r["name"] == name)


# --- preview semantics ---------------------------------------------------------------------


def test_the_program_runs_as_a_preview(plan: dict[str, Any]) -> None:
    assert plan["outputs"]["dry_run"] is True


def test_outputs_a_preview_cannot_know_are_unknown_and_known_ones_stay(plan) -> None:
    outputs = plan["outputs"]
    # An apply on a computed output (the Stage's execution ARN) does not run in a preview.
    assert outputs["source_arn"] == UNKNOWN
    # Ids and ARNs a preview of an existing stack knows keep their AWS shape.
    assert outputs["vpc_id"].startswith(ID_PREFIXES["aws:ec2/vpc:Vpc"])
    assert outputs["bucket_arn"].startswith("arn:aws:s3:::site-logs-bucket")


def test_an_input_derived_from_an_unknown_output_is_unknown() -> None:
    def program() -> None:
        api = aws.apigateway.RestApi("api")
        deployment = aws.apigateway.Deployment("api", rest_api=api.id)
        stage = aws.apigateway.Stage("api", rest_api=api.id, deployment=deployment.id,
                                     stage_name="v1")
        aws.sns.Topic("url", display_name=stage.invoke_url)
        pulumi.export("url", stage.invoke_url)

    view = run_offline(program, config={"aws:region": "eu-west-1"})
    assert view.named("url")["props"]["displayName"] == UNKNOWN
    assert view.plan["outputs"]["url"] == UNKNOWN


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_unknown_exports_show_as_unknown_in_every_format(output_format: str) -> None:
    result = platformctl("plan", STACK, "--cwd", str(PREVIEW), "-f", output_format,
                         "--policy-pack", "none")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "source_arn" in line)
    assert UNKNOWN in line


# --- data sources ----------------------------------------------------------------------------


def test_curated_answers_carry_meaning(plan: dict[str, Any]) -> None:
    instance = resource(plan, "aws:ec2/instance:Instance", "web")
    assert instance["props"]["ami"].startswith("ami-")
    assert instance["props"]["subnetId"].startswith("subnet-")
    outputs = plan["outputs"]
    assert outputs["zones"] and all(z.startswith("us-east-2") for z in outputs["zones"])
    assert outputs["registry"] == "https://123456789012.dkr.ecr.us-east-2.amazonaws.com"
    assert outputs["zone_id"].startswith("Z")


def test_the_policy_document_is_computed_from_its_inputs(plan: dict[str, Any]) -> None:
    assert plan["outputs"]["policy"] == {"Version": "2012-10-17", "Statement": [{
        "Sid": "Assume", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "ec2.amazonaws.com"}}]}
    role = resource(plan, "aws:iam/role:Role", "web")
    assert json.loads(role["props"]["assumeRolePolicy"]) == plan["outputs"]["policy"]


def test_an_uncurated_data_source_gets_typed_placeholders_listed_as_assumed(plan) -> None:
    assert isinstance(plan["outputs"]["instance_vcpus"], int)
    assumed = {a["invoke"]: a for a in plan["assumptions"]}
    assert "aws:ec2/getInstanceType:getInstanceType" in assumed
    # Everything made up is listed; what follows from the inputs alone is not.
    assert {"aws:ec2/getAmi:getAmi", "aws:ec2/getVpc:getVpc", "aws:ec2/getSubnets:getSubnets",
            "aws:route53/getZone:getZone"} <= set(assumed)
    assert "aws:iam/getPolicyDocument:getPolicyDocument" not in assumed
    assert all(a["region"] == "us-east-2" and a["assumed"] for a in plan["assumptions"])


@pytest.mark.parametrize("call", [
    lambda: aws.ec2.get_security_group(name="default"),
    lambda: aws.elb.get_service_account(),
    lambda: aws.kms.get_key(key_id="alias/aws/s3"),
    lambda: aws.ssm.get_parameter(name="/app/setting"),
    lambda: aws.ec2.get_ami_ids(owners=["amazon"]),
    lambda: aws.eks.get_cluster(name="shared"),
])
def test_any_data_source_answers_with_values_of_its_declared_types(call) -> None:
    def program() -> None:
        result = call()
        pulumi.export("fields", {k: v for k, v in vars(result).items()
                                 if not k.startswith("_")})

    view = run_offline(program, config={"aws:region": "ap-south-1"})
    assert view.plan["assumptions"]
    assert view.plan["outputs"]["fields"]


def test_every_region_botocore_knows_has_zones_and_its_partition() -> None:
    import botocore.session

    from platformctl import regions

    session = botocore.session.get_session()
    for partition in session.get_available_partitions():
        for region in session.get_available_regions("ec2", partition):
            zones, _ = regions.zones(region)
            assert len(zones) >= 3 and all(z.startswith(region) for z in zones.values())
            assert regions.partition_of(region).name == partition


def test_resources_in_a_china_region_get_aws_cn_arns() -> None:
    def program() -> None:
        aws.sns.Topic("alerts")
        pulumi.export("zones", aws.get_availability_zones().names)

    view = run_offline(program, config={"aws:region": "cn-northwest-1"})
    assert view.named("alerts")["region"] == "cn-northwest-1"
    assert all(z.startswith("cn-northwest-1") for z in view.plan["outputs"]["zones"])


# --- resource references, URNs, global resources ---------------------------------------------


def test_a_resource_passed_as_an_input_becomes_its_id(plan: dict[str, Any]) -> None:
    vpc = resource(plan, "aws:ec2/vpc:Vpc", "app-vpc")
    group = resource(plan, "aws:ec2/securityGroup:SecurityGroup", "web")
    assert group["props"]["vpcId"] == ID_PREFIXES["aws:ec2/vpc:Vpc"] + digest(vpc["urn"])
    assert " object at 0x" not in json.dumps(plan)


def _check_engine_urns(plan: dict[str, Any]) -> None:
    by_urn = {r["urn"]: r for r in plan["resources"]}
    for item in plan["resources"]:
        parent = by_urn.get(item["parent"]) if item["parent"] else None
        if parent is None or parent["type"] == ROOT_STACK_TYPE:
            qualified = item["type"]
        else:
            qualified = f"{parent['urn'].split('::')[2]}${item['type']}"
        assert item["urn"] == (f"urn:pulumi:{plan['stack']}::{plan['project']}::{qualified}"
                               f"::{item['name']}")


def test_urns_follow_the_engine_rules(plan: dict[str, Any]) -> None:
    _check_engine_urns(plan)
    top = resource(plan, "aws:ec2/vpc:Vpc", "app-vpc")
    assert top["urn"] == f"urn:pulumi:{STACK}::preview::aws:ec2/vpc:Vpc::app-vpc"
    bucket = resource(plan, "aws:s3/bucket:Bucket", "site-logs-bucket")
    assert bucket["urn"] == (f"urn:pulumi:{STACK}::preview::preview:index:Site$"
                             "preview:index:Logs$aws:s3/bucket:Bucket::site-logs-bucket")


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_golden_plan_urns_follow_the_engine_rules(golden: Path) -> None:
    _check_engine_urns(json.loads(golden.read_text()))


def test_global_resources_are_shown_as_global(plan: dict[str, Any]) -> None:
    assert resource(plan, "aws:iam/role:Role", "web")["region"] == "global"
    assert resource(plan, "aws:route53/zone:Zone", "internal")["region"] == "global"
    assert resource(plan, "aws:wafv2/webAcl:WebAcl", "edge")["region"] == "global"
    # Route 53 Resolver lives in a VPC's region.
    resolver = resource(plan, "aws:route53/resolverEndpoint:ResolverEndpoint", "resolver")
    assert resolver["region"] == STACK.removeprefix("dev-")


def test_a_regional_web_acl_stays_in_its_region() -> None:
    def program() -> None:
        aws.wafv2.WebAcl("api", scope="REGIONAL", default_action={"allow": {}},
                         visibility_config={"cloudwatch_metrics_enabled": False,
                                            "metric_name": "api",
                                            "sampled_requests_enabled": False})

    view = run_offline(program, config={"aws:region": "eu-west-1"})
    assert view.named("api")["region"] == "eu-west-1"


# --- stack references --------------------------------------------------------------------------


def test_an_unnamed_stack_reference_reads_unknown_outputs_and_is_listed(plan) -> None:
    assert plan["outputs"]["shared_subnets"] == UNKNOWN
    assert plan["stackReferences"] == [{"name": "acme/network/prod",
                                        "stack": "acme/network/prod",
                                        "source": None, "outputs": "unknown"}]


@pytest.mark.parametrize("shape", ["outputs", "plan"])
def test_a_stack_reference_reads_the_file_the_user_names(tmp_path: Path, shape: str) -> None:
    outputs = {"privateSubnetIds": ["subnet-0a", "subnet-0b"]}
    document = outputs if shape == "outputs" else {"resources": [], "outputs": outputs}
    source = tmp_path / "network.json"
    source.write_text(json.dumps(document))
    found = plan_json(STACK, "--stack-reference", f"acme/network/prod={source}")
    assert found["outputs"]["shared_subnets"] == ["subnet-0a", "subnet-0b"]
    assert found["stackReferences"][0]["source"] == str(source)


# --- multi-language components ----------------------------------------------------------------


@pytest.fixture(scope="module")
def mlc_plan() -> dict[str, Any]:
    return plan_json("mlc")


def test_a_multi_language_component_is_named_and_never_echoed(mlc_plan) -> None:
    [component] = mlc_plan["incomplete"]
    assert (component["name"], component["type"]) == ("cluster", "eks:index:Cluster")
    assert mlc_plan["verdict"] == "incomplete"
    # Its outputs come from its provider, which the engine does not run: unknown, not inputs.
    assert mlc_plan["outputs"]["kubeconfig"] == UNKNOWN


@pytest.mark.parametrize("output_format", ["text", "json", "markdown", "sarif"])
def test_an_incomplete_plan_exits_3_in_every_format(output_format: str) -> None:
    result = platformctl("plan", "mlc", "--cwd", str(PREVIEW), "-f", output_format,
                         "--policy-pack", "none")
    assert result.returncode == 3, result.stderr
    assert "incomplete" in result.stdout
    assert "passes" not in result.stdout


# --- reports never claim what was not checked -------------------------------------------------


@pytest.fixture(scope="module", params=["text", "json", "markdown", "sarif"])
def all_stacks(request) -> tuple[str, subprocess.CompletedProcess[str]]:
    return request.param, platformctl("plan", "--all", "--cwd", str(PREVIEW), "-f",
                                      request.param, "--policy-pack", "none", "--jobs", "2")


def test_every_stack_of_all_appears_and_a_failed_one_is_marked(all_stacks) -> None:
    output_format, result = all_stacks
    assert result.returncode == 2
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in PREVIEW.glob("Pulumi.*.yaml"))
    for stack in stacks:
        assert stack in result.stdout
    if output_format == "json":
        document = json.loads(result.stdout)
        assert [f["stack"] for f in document["failed"]] == ["wrong-us-east-1"]
        assert document["failed"][0]["verdict"] == "failed"
        assert document["verdict"] == "failed"
    if output_format == "markdown":
        assert result.stdout.splitlines()[0].endswith("Overall: failed")
        assert "| `wrong-us-east-1` | ❌ failed |" in result.stdout
    if output_format == "text":
        tail = result.stdout.strip().splitlines()[-(len(stacks) + 1):]
        assert [line.split(":")[0] for line in tail] == [
            *(f"verdict {s}" for s in stacks), "overall"]
        assert tail[-1] == "overall: failed"
    if output_format == "sarif":
        [run] = json.loads(result.stdout)["runs"]
        assert sorted(s["stack"] for s in run["properties"]["stacks"]) == stacks
        assert run["properties"]["verdict"] == "failed"
        rules = {r["ruleId"] for r in run["results"]}
        assert {"platformctl-plan-failed", "platformctl-plan-incomplete",
                "platformctl-policies-not-evaluated"} <= rules


def test_skipped_policies_are_never_reported_as_passing() -> None:
    result = platformctl("plan", STACK, "--cwd", str(PREVIEW), "--policy-pack", "none")
    assert result.returncode == 0, result.stderr
    assert "passes" not in result.stdout and "No policy violations" not in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "overall: policies not evaluated"


def test_program_output_goes_to_stderr_and_json_stays_json() -> None:
    result = platformctl("plan", STACK, "--cwd", str(PREVIEW), "-f", "json",
                         "--policy-pack", "none")
    json.loads(result.stdout)
    assert "program output goes to stderr" in result.stderr
    assert "Task was destroyed" not in result.stderr


def test_the_blueprint_comes_from_stack_config(plan, mlc_plan) -> None:
    assert plan["blueprint"] == "demo"
    assert mlc_plan["blueprint"] is None


def test_version() -> None:
    result = platformctl("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("platformctl ")


def test_incomplete_outranks_the_violations_it_also_lists() -> None:
    result = platformctl("plan", "mlc", "--cwd", str(PREVIEW), "-f", "json")
    assert result.returncode == 3, result.stderr
    plan = json.loads(result.stdout)
    assert plan["verdict"] == "incomplete"
    assert any(v["enforcement"] == "mandatory" for v in plan["violations"])


def test_a_stack_reference_to_a_sibling_stack_reads_its_plan() -> None:
    siblings = PREVIEW.parent / "siblings"
    result = platformctl("plan", "app", "--cwd", str(siblings), "-f", "json",
                         "--policy-pack", "none")
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    [reference] = plan["stackReferences"]
    assert reference["source"] == "plan of sibling stack network"
    vpc_id = plan["outputs"]["networkVpc"]
    assert vpc_id.startswith(ID_PREFIXES["aws:ec2/vpc:Vpc"])
    group = resource(plan, "aws:ec2/securityGroup:SecurityGroup", "app")
    assert group["props"]["vpcId"] == vpc_id
    # What the sibling's preview does not know stays unknown here.
    assert plan["outputs"]["networkOwner"] == UNKNOWN


def test_a_data_source_with_no_region_anywhere_says_which_it_assumed() -> None:
    def program() -> None:
        pulumi.export("zones", aws.get_availability_zones().names)

    view = run_offline(program)
    assert any("assumed us-east-1" in a["assumed"] for a in view.plan["assumptions"])


@pytest.mark.parametrize(("module", "hint"), [
    ("pulumi_nosuchprovider", "pip install pulumi-nosuchprovider"),
    ("nosuchlibrary.sub", "install the package that provides it"),
])
def test_a_missing_import_names_the_module_and_how_to_install_it(module: str, hint: str) -> None:
    from platformctl.errors import ProgramError

    def program() -> None:
        __import__(module)

    with pytest.raises(ProgramError, match=f"imports {module.split('.')[0]}, which is not "
                                           f"installed where platformctl runs; {hint}"):
        run_offline(program)
