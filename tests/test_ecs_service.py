"""ECS Fargate service under the offline engine (prod and dev profiles) and its validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.alb import TLS_POLICY
from components.ecs_service import (
    CLOUDFRONT_ORIGIN_FACING,
    EcsService,
    EcsServiceArgs,
)
from platformctl.fixtures import ID_PREFIXES, digest
from tests.compute_stack import build_compute, plan_compute, spec_of
from tests.plans import PlanView, in_region, run_offline

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:api-jwt-AbCdEf"


def resource_id(resource: dict[str, Any]) -> str:
    return ID_PREFIXES[resource["type"]] + digest(resource["urn"])


def subnet_ids(view: PlanView, tier: str) -> list[str]:
    return sorted(resource_id(s) for s in view.of_type("aws:ec2/subnet:Subnet")
                  if s["props"]["tags"]["tier"] == tier)


@pytest.fixture(scope="module")
def prod() -> PlanView:
    return plan_compute(spec_of("prod", eks={"enabled": False}))


def test_https_listener_with_modern_tls_and_a_certificate(prod: PlanView) -> None:
    https = prod.named("ecs-https")["props"]
    assert (https["port"], https["protocol"], https["sslPolicy"]) == (443, "HTTPS", TLS_POLICY)
    assert https["certificateArn"].startswith("arn:aws:acm:us-east-1:")
    assert https["defaultActions"][0]["type"] == "forward"
    assert prod.one("aws:acm/certificate:Certificate")["props"]["validationMethod"] == "DNS"


def test_http_only_redirects_to_https(prod: PlanView) -> None:
    http = prod.named("ecs-http-redirect")["props"]
    assert (http["port"], http["protocol"]) == (80, "HTTP")
    [action] = http["defaultActions"]
    assert action["type"] == "redirect"
    assert action["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}


def test_alb_is_public_with_access_logs_to_a_private_sse_s3_bucket(prod: PlanView) -> None:
    alb = prod.one("aws:lb/loadBalancer:LoadBalancer")["props"]
    assert alb["internal"] is False and alb["dropInvalidHeaderFields"] is True
    assert sorted(alb["subnets"]) == subnet_ids(prod, "public")
    assert alb["enableDeletionProtection"] is True
    assert alb["accessLogs"]["enabled"] is True
    bucket = prod.one("aws:s3/bucket:Bucket")
    assert alb["accessLogs"]["bucket"].startswith("ecs-alb-logs")
    sse = prod.one("aws:s3/bucketServerSideEncryptionConfiguration:"
                   "BucketServerSideEncryptionConfiguration")["props"]
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    block = prod.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")["props"]
    assert all(block[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                  "restrictPublicBuckets"))
    policy = json.loads(prod.one("aws:s3/bucketPolicy:BucketPolicy")["props"]["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    writer = statements["AlbLogDelivery"]["Principal"]
    assert writer["AWS"] == "arn:aws:iam::127311923021:root"  # ELB account of us-east-1
    assert writer["Service"] == "logdelivery.elasticloadbalancing.amazonaws.com"
    assert statements["AlbLogDelivery"]["Resource"].endswith("/*/AWSLogs/123456789012/*")
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    assert bucket["protect"] is True and bucket["props"].get("forceDestroy") is False
    # The shared LogBucket bar: versioned, expiring, and the visible KMS waiver with its reason.
    tags = bucket["props"]["tags"]
    assert tags["log-purpose"] == "alb" and tags["data-class"] == "telemetry"
    assert "SSE-S3" in tags["policy-waiver:s3-encryption-kms"]
    versioning = prod.one("aws:s3/bucketVersioning:BucketVersioning")["props"]
    assert versioning["versioningConfiguration"]["status"] == "Enabled"
    [rule] = prod.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[
        "props"]["rules"]
    assert rule["expiration"]["days"] == 90


def test_target_group_health_check(prod: PlanView) -> None:
    tg = prod.one("aws:lb/targetGroup:TargetGroup")["props"]
    assert tg["targetType"] == "ip" and tg["port"] == 8080
    assert tg["healthCheck"]["path"] == "/health" and tg["healthCheck"]["enabled"] is True


def test_tasks_admit_only_the_alb_and_the_alb_admits_the_world(prod: PlanView) -> None:
    alb_sg, service_sg = prod.named("ecs-alb-sg"), prod.named("ecs-service-sg")
    ingress = prod.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    to_service = [r["props"] for r in ingress
                  if r["props"]["securityGroupId"] == resource_id(service_sg)]
    assert to_service == [{**to_service[0], "referencedSecurityGroupId": resource_id(alb_sg)}]
    assert "cidrIpv4" not in to_service[0] and to_service[0]["fromPort"] == 8080
    to_alb = sorted(r["props"]["fromPort"] for r in ingress
                    if r["props"]["securityGroupId"] == resource_id(alb_sg)
                    and r["props"]["cidrIpv4"] == "0.0.0.0/0")
    assert to_alb == [80, 443]


def test_service_runs_in_private_subnets_with_circuit_breaker(prod: PlanView) -> None:
    service = prod.one("aws:ecs/service:Service")
    props = service["props"]
    network = props["networkConfiguration"]
    assert sorted(network["subnets"]) == subnet_ids(prod, "private")
    assert network["assignPublicIp"] is False
    assert props["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert "desiredCount" in service["ignoreChanges"]
    assert props["capacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}]


def test_cluster_has_container_insights_and_both_capacity_providers(prod: PlanView) -> None:
    cluster = prod.one("aws:ecs/cluster:Cluster")["props"]
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]
    providers = prod.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")["props"]
    assert providers["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]


def test_autoscaling_tracks_cpu_at_70_and_memory(prod: PlanView) -> None:
    target = prod.one("aws:appautoscaling/target:Target")["props"]
    assert (target["minCapacity"], target["maxCapacity"]) == (2, 10)
    policies = {p["name"]: p["props"]["targetTrackingScalingPolicyConfiguration"]
                for p in prod.of_type("aws:appautoscaling/policy:Policy")}
    cpu = policies["ecs-scale-cpu"]
    assert cpu["predefinedMetricSpecification"]["predefinedMetricType"] == \
        "ECSServiceAverageCPUUtilization"
    assert cpu["targetValue"] == 70
    assert cpu["scaleInCooldown"] > cpu["scaleOutCooldown"] > 0
    assert policies["ecs-scale-memory"]["predefinedMetricSpecification"][
        "predefinedMetricType"] == "ECSServiceAverageMemoryUtilization"


def test_logs_go_to_an_encrypted_group_with_retention(prod: PlanView) -> None:
    task = prod.one("aws:ecs/taskDefinition:TaskDefinition")["props"]
    [container] = json.loads(task["containerDefinitions"])
    group = prod.named("ecs-logs")["props"]
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert group["retentionInDays"] == 365 and group["kmsKeyId"].startswith("arn:aws:kms:")
    assert container["readonlyRootFilesystem"] is True
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"


def test_ecr_repository_is_immutable_scanned_encrypted_and_pruned(prod: PlanView) -> None:
    repo = prod.one("aws:ecr/repository:Repository")["props"]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfigurations"][0]["encryptionType"] == "KMS"
    # Retained images are unreadable without their key: both are protected and retained.
    for res in (prod.one("aws:ecr/repository:Repository"), prod.named("ecs-ecr-key")):
        assert res["protect"] is True and res["retainOnDelete"] is True
    rules = json.loads(prod.one("aws:ecr/lifecyclePolicy:LifecyclePolicy")["props"]["policy"])
    assert {r["selection"]["tagStatus"] for r in rules["rules"]} == {"untagged", "any"}


def test_execution_role_reads_only_the_given_secrets() -> None:
    def program(opts: Any) -> None:
        EcsService("api", EcsServiceArgs(
            vpc_id="vpc-1", public_subnet_ids=["subnet-p1", "subnet-p2"],
            private_subnet_ids=["subnet-a", "subnet-b"],
            certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
            secrets={"JWT_SECRET": SECRET}, environment={"NODE_ENV": "production"},
            route53_zone_id="Z0123456789"),
            opts=opts)

    view = run_offline(in_region("us-east-1", program))
    policy = json.loads(view.named("api-execution-policy")["props"]["policy"])
    secrets = [s for s in policy["Statement"] if s["Sid"] == "Secrets"]
    assert secrets == [{"Sid": "Secrets", "Effect": "Allow",
                        "Action": "secretsmanager:GetSecretValue", "Resource": [SECRET]}]
    for statement in policy["Statement"]:
        resources = statement["Resource"]
        resources = [resources] if isinstance(resources, str) else list(resources)
        assert statement["Sid"] == "EcrAuth" or "*" not in resources, statement
    [container] = json.loads(view.one("aws:ecs/taskDefinition:TaskDefinition")["props"][
        "containerDefinitions"])
    assert container["secrets"] == [{"name": "JWT_SECRET", "valueFrom": SECRET}]
    assert not view.of_type("aws:acm/certificate:Certificate")
    assert view.named("api-https")["props"]["certificateArn"].endswith("certificate/abc")
    # The task role starts with no permissions at all.
    assert [p["name"] for p in view.of_type("aws:iam/rolePolicy:RolePolicy")] == [
        "api-execution-policy"]
    assert not view.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def test_service_exposes_its_workload_group_and_monitored_entries() -> None:
    captured: dict[str, Any] = {}

    def program(opts: Any) -> None:
        captured["ctx"] = build_compute(spec_of("dev"), opts)

    run_offline(in_region("us-east-1", program), stack="compute-dev-us-east-1")
    ctx = captured["ctx"]
    ecs = ctx.components["ecs"]
    assert isinstance(ecs, EcsService)
    assert ecs.security_group_id in ctx.workload_security_group_ids
    kinds = {m.kind: m.dimensions for m in ecs.monitored}
    assert set(kinds["alb"]) == {"LoadBalancer", "TargetGroup"}
    assert set(kinds["ecs-service"]) == {"ClusterName", "ServiceName"}


def test_dev_profile_runs_all_tasks_on_spot_and_keeps_https() -> None:
    dev = plan_compute(spec_of("dev"))
    strategy = dev.one("aws:ecs/service:Service")["props"]["capacityProviderStrategies"]
    assert strategy == [{"capacityProvider": "FARGATE", "base": 0, "weight": 0},
                        {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1}]
    assert dev.named("ecs-https")["props"]["sslPolicy"] == TLS_POLICY
    assert dev.one("aws:lb/loadBalancer:LoadBalancer")["props"]["enableDeletionProtection"] is False


def args(**overrides: Any) -> EcsServiceArgs:
    base: dict[str, Any] = {"vpc_id": "vpc-1", "public_subnet_ids": ["p1", "p2"],
                            "private_subnet_ids": ["a", "b"], "domain_name": "api.example.com",
                            "ingress": "internet"}
    return EcsServiceArgs(**{**base, **overrides})


@pytest.mark.parametrize(("overrides", "message"), [
    ({"domain_name": None}, r"^certificate_arn: the HTTPS listener needs a certificate"),
    ({"public_subnet_ids": ["p1"]}, r"^public_subnet_ids: an ALB needs subnets in at least two"),
    ({"private_subnet_ids": []}, r"^private_subnet_ids: empty"),
    ({"cpu": 300}, r"^cpu: 300 is not a Fargate size"),
    ({"cpu": 256, "memory": 4096}, r"^memory: 4096 MiB does not fit cpu 256"),
    ({"min_tasks": 5, "max_tasks": 2}, r"^min_tasks: 5 must be 1..max_tasks"),
    ({"cpu_target_percent": 100}, r"^cpu_target_percent: 100 is outside"),
    ({"fargate_weight": 0, "fargate_spot_weight": 0}, r"^fargate_weight: .* both 0"),
    ({"health_check_path": "health"}, r"^health_check_path: 'health' must start with /"),
    ({"secrets": {"DB": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}},
     r"^secrets: DB -> .* is not a Secrets Manager secret ARN"),
    ({"secrets": {"A": SECRET}, "environment": {"A": "x"}}, r"^secrets: A also set"),
    ({"environment": {"bad-name": "x"}}, r"^environment: 'bad-name' is not a valid"),
    ({"cpu_architecture": "arm64"},
     r"^cpu_architecture: 'arm64' is unknown; use one of X86_64, ARM64$"),
    ({"container_insights": "disabled"},
     r"^container_insights: 'disabled' is unknown; use one of enabled, enhanced$"),
    ({"ecr_keep_images": 0},
     r"^ecr_keep_images: 0 keeps no image; keep at least 1 \(the running one\)$"),
    ({"log_retention_days": 10},
     r"^log_retention_days: 10 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, "
     r"30, .*, 3653$"),
])
def test_invalid_args_name_the_field(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        args(**overrides)


def test_behind_cloudfront_the_alb_admits_only_the_origin_facing_prefix_list() -> None:
    def program(opts: Any) -> None:
        EcsService("api", args(ingress="cloudfront", route53_zone_id="Z0123456789"),
                   opts=opts)

    view = run_offline(in_region("us-east-1", program))
    ingress = [r["props"] for r in view.of_type(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r["name"].startswith("api-alb-in")]
    assert ingress == [{**ingress[0], "fromPort": 443, "toPort": 443}]
    # The id of the AWS-managed list, looked up by its name in the ALB's region.
    assert ingress[0]["prefixListId"].startswith("pl-")
    lookup = [a for a in view.plan["assumptions"]
              if a["invoke"] == "aws:ec2/getManagedPrefixList:getManagedPrefixList"]
    assert lookup and CLOUDFRONT_ORIGIN_FACING in lookup[0]["assumed"]
    assert not any("cidrIpv4" in rule for rule in ingress)
    # The certificate names the origin host and validates through a record in the zone.
    record = view.named("api-certificate-validation-record")["props"]
    assert record["zoneId"] == "Z0123456789"
    validation = view.one("aws:acm/certificateValidation:CertificateValidation")["props"]
    assert validation["validationRecordFqdns"]


def test_execution_role_may_pull_the_guardduty_runtime_agent() -> None:
    def program(opts: Any) -> None:
        EcsService("api", args(), opts=opts)

    view = run_offline(in_region("us-east-1", program))
    policy = json.loads(view.named("api-execution-policy")["props"]["policy"])
    [pull] = [s for s in policy["Statement"] if s["Sid"] == "GuardDutyAgentPull"]
    assert pull["Resource"] == "arn:aws:ecr:us-east-1:*:repository/aws-guardduty-agent-fargate"
    assert "ecr:BatchGetImage" in pull["Action"]
