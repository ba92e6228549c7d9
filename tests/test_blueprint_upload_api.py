"""Blueprint `upload-api` (seed 002): the features that define the seed, asserted by resource
type and property in the plan of every shipped stack of the blueprint (found by its stack
file's platform:blueprint)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.plans import PlanView
from tests.shipped_stacks import plan_stacks, stacks_of
from tests.shipped_stacks import settings as stack_settings  # `settings` is a local there

STACKS = stacks_of("upload-api")
FUNCTION = "aws:lambda/function:Function"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
API_FUNCTIONS = {"upload", "get-video"}
ALL_FUNCTIONS = API_FUNCTIONS | {"start-caption", "finish-caption"}


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanView]:
    return plan_stacks(STACKS)


def functions(view: PlanView) -> dict[str, dict[str, Any]]:
    return {f["name"].removesuffix("-function"): f["props"] for f in view.of_type(FUNCTION)}


def statements(view: PlanView, function: str) -> list[dict[str, Any]]:
    policy = view.named(f"{function}-policy")["props"]["policy"]
    return json.loads(policy)["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_blueprint_ships_prod_and_dev() -> None:
    assert any("-prod-" in s for s in STACKS) and any("-dev-" in s for s in STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_no_mandatory_violation(plans: dict[str, PlanView], stack: str) -> None:
    assert [v for v in plans[stack].plan["violations"] if v["enforcement"] == "mandatory"] == []


@pytest.mark.parametrize("stack", STACKS)
def test_routes_and_methods_each_behind_the_cognito_jwt_authorizer(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    api = view.one("aws:apigatewayv2/api:Api")["props"]
    assert api["protocolType"] == "HTTP"
    routes = view.of_type("aws:apigatewayv2/route:Route")
    assert sorted(r["props"]["routeKey"] for r in routes) == ["GET /video/{id}", "POST /upload"]
    authorizer = view.one("aws:apigatewayv2/authorizer:Authorizer")
    assert authorizer["props"]["authorizerType"] == "JWT"
    assert authorizer["props"]["jwtConfiguration"]["issuer"].startswith(
        "https://cognito-idp.")
    client = view.one("aws:cognito/userPoolClient:UserPoolClient")
    assert authorizer["props"]["jwtConfiguration"]["audiences"] == [client["props"]["name"]]
    for route in routes:
        assert route["props"]["authorizationType"] == "JWT"
        assert route["props"]["authorizerId"] == authorizer["name"]
    stage = view.one("aws:apigatewayv2/stage:Stage")["props"]
    assert stage["defaultRouteSettings"]["throttlingRateLimit"] > 0
    assert stage["defaultRouteSettings"]["throttlingBurstLimit"] > 0
    assert stage["accessLogSettings"]["destinationArn"].startswith("arn:aws:logs:")


@pytest.mark.parametrize("stack", STACKS)
def test_functions_run_in_private_subnets_of_two_azs_with_tracing_dlq_and_concurrency(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    private_zones = {s["props"]["availabilityZone"] for s in view.of_type(
        "aws:ec2/subnet:Subnet") if "-private-" in s["name"]}
    assert len(private_zones) == 2
    assert not view.of_type("aws:ec2/natGateway:NatGateway")
    assert not view.of_type("aws:ec2/internetGateway:InternetGateway")
    found = functions(view)
    assert set(found) == ALL_FUNCTIONS
    for props in found.values():
        assert props["tracingConfig"]["mode"] == "Active"
        assert props["deadLetterConfig"]["targetArn"].startswith("arn:aws:sqs:")
        assert props["reservedConcurrentExecutions"] >= 1
    # The functions' subnets are exactly the private ones (by their route table association).
    private_subnets = sorted(
        r["props"]["subnetId"] for r in view.of_type(
            "aws:ec2/routeTableAssociation:RouteTableAssociation") if "-private-" in r["name"])
    for props in found.values():
        assert sorted(props["vpcConfig"]["subnetIds"]) == private_subnets
    # Their groups admit nothing and reach only HTTPS, never the whole internet.
    for function in ALL_FUNCTIONS:
        group = view.named(f"{function}-sg")["props"]
        assert group["ingress"] == []
        assert group["egress"] and all(
            (rule["fromPort"], rule["toPort"]) == (443, 443)
            and "0.0.0.0/0" not in rule.get("cidrBlocks", []) for rule in group["egress"])


@pytest.mark.parametrize("stack", STACKS)
def test_s3_and_dynamodb_gateway_endpoints_on_the_private_route_tables(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    private_tables = {r["props"]["routeTableId"] for r in view.of_type(
        "aws:ec2/routeTableAssociation:RouteTableAssociation") if "-private-" in r["name"]}
    assert len(private_tables) == 2
    gateways = {e["props"]["serviceName"].rsplit(".", 1)[1]: e["props"] for e in view.of_type(
        "aws:ec2/vpcEndpoint:VpcEndpoint") if e["props"]["vpcEndpointType"] == "Gateway"}
    assert set(gateways) == {"s3", "dynamodb"}
    for endpoint in gateways.values():
        assert private_tables <= set(endpoint["routeTableIds"])


@pytest.mark.parametrize("stack", STACKS)
def test_video_bucket_private_encrypted_versioned_and_triggering_captions(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    [bucket] = [b for b in view.of_type("aws:s3/bucket:Bucket")
                if b["props"]["tags"].get("data-class") == "user-content"]
    name = view.plan["outputs"]["videoBucketName"]
    assert bucket["name"] == "videos-bucket"

    def of_bucket(kind: str) -> dict[str, Any]:
        [found] = [r["props"] for r in view.of_type(kind) if r["props"]["bucket"] == name]
        return found

    block = of_bucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                         "ignorePublicAcls", "restrictPublicBuckets"))
    sse = of_bucket("aws:s3/bucketServerSideEncryptionConfiguration:"
                    "BucketServerSideEncryptionConfiguration")
    default = sse["rules"][0]["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms" and default["kmsMasterKeyId"]
    assert of_bucket("aws:s3/bucketVersioning:BucketVersioning")[
        "versioningConfiguration"]["status"] == "Enabled"
    policy = json.loads(of_bucket("aws:s3/bucketPolicy:BucketPolicy")["policy"])
    assert all(s["Effect"] == "Deny" for s in policy["Statement"] if s.get("Principal") == "*")
    notification = of_bucket("aws:s3/bucketNotification:BucketNotification")
    [trigger] = notification["lambdaFunctions"]
    assert trigger["events"] == ["s3:ObjectCreated:*"]
    assert trigger["filterPrefix"] == "videos/" and trigger["filterSuffix"] == "/video"
    assert ":function:start-caption-function" in trigger["lambdaFunctionArn"]
    [rule] = [r["props"] for r in view.of_type("aws:cloudwatch/eventRule:EventRule")
              if "aws.transcribe" in r["props"].get("eventPattern", "")]
    assert json.loads(rule["eventPattern"])["detail"]["TranscriptionJobStatus"] == ["COMPLETED"]


@pytest.mark.parametrize("stack", STACKS)
def test_table_has_pitr_and_a_customer_key(plans: dict[str, PlanView], stack: str) -> None:
    table = plans[stack].one("aws:dynamodb/table:Table")["props"]
    assert table["pointInTimeRecovery"]["enabled"] is True
    assert table["serverSideEncryption"]["enabled"] is True
    assert table["serverSideEncryption"]["kmsKeyArn"].startswith("arn:aws:kms:")


def _data_statements(view: PlanView, function: str) -> list[dict[str, Any]]:
    """The function's statements on data and services (not its logs / tracing / DLQ / ENIs)."""
    runtime = {"OwnLogs", "Tracing", "DeadLetters", "DeadLetterKey", "VpcNetworkInterfaces"}
    return [s for s in statements(view, function) if s["Sid"] not in runtime]


@pytest.mark.parametrize("stack", STACKS)
def test_each_function_may_touch_only_its_table_bucket_prefix_and_service_actions(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    table_arn = f":table/{view.plan['outputs']['videoTableName']}"
    bucket_arn = f"arn:aws:s3:::{view.plan['outputs']['videoBucketName']}"
    expected = {  # function -> {action: resource suffixes}
        "upload": {"dynamodb:PutItem": ["table"], "s3:PutObject": ["/videos/*"]},
        "get-video": {"dynamodb:GetItem": ["table"], "s3:GetObject": ["/videos/*"]},
        "start-caption": {"transcribe:StartTranscriptionJob": ["transcription-job/caption-*"],
                          "s3:GetObject": ["/videos/*"], "s3:PutObject": ["/transcripts/*"]},
        "finish-caption": {"transcribe:GetTranscriptionJob": ["transcription-job/caption-*"],
                           "s3:GetObject": ["/transcripts/*"],
                           "s3:PutObject": ["/videos/*/caption.vtt"],
                           "dynamodb:UpdateItem": ["table"]},
    }
    for function, allowed in expected.items():
        granted: dict[str, list[str]] = {}
        for statement in _data_statements(view, function):
            assert statement["Effect"] == "Allow"
            resources = as_list(statement["Resource"])
            assert "*" not in resources, (function, statement)
            for action in as_list(statement["Action"]):
                if action.startswith("kms:"):
                    # Keys only through the service that uses them.
                    assert statement["Condition"]["StringEquals"]["kms:ViaService"]
                    continue
                granted.setdefault(action, []).extend(resources)
        assert set(granted) == set(allowed), function
        for action, suffixes in allowed.items():
            for resource, suffix in zip(granted[action], suffixes, strict=True):
                if suffix == "table":
                    assert resource.endswith(table_arn), (function, action, resource)
                elif action.startswith("s3:"):
                    assert resource == bucket_arn + suffix, (function, action, resource)
                else:
                    assert resource.endswith(suffix), (function, action, resource)
    # Runtime statements: the function's own log group only; ENI actions held to the region.
    for function in ALL_FUNCTIONS:
        [logs] = [s for s in statements(view, function) if s["Sid"] == "OwnLogs"]
        assert ":log-group:" + function + "-logs" in logs["Resource"]


@pytest.mark.parametrize("stack", STACKS)
def test_alarms_on_error_rate_and_throttles_and_account_security_settings(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    alarms = {a["name"] for a in view.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")}
    for function in ALL_FUNCTIONS:
        assert any(function in a and "error-rate" in a for a in alarms), (function, alarms)
        assert any(function in a and "throttles" in a for a in alarms), (function, alarms)
    assert any("api" in a and "5xx" in a for a in alarms)
    assert view.of_type("aws:ec2/flowLog:FlowLog")
    settings = stack_settings(stack)
    assert bool(view.of_type("aws:securityhub/account:Account")) == settings.get(
        "security_hub", True)
    enablers = view.of_type("aws:inspector2/enabler:Enabler")
    assert bool(enablers) == settings.get("inspector", True)
    for enabler in enablers:
        assert set(enabler["props"]["resourceTypes"]) == {"LAMBDA", "LAMBDA_CODE"}
