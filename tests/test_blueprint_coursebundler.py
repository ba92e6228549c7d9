"""Blueprint `coursebundler` (seed 001): the features that define the seed, asserted in the
plan of every shipped stack of the blueprint (found by its stack file's platform:blueprint)."""

from __future__ import annotations

import pytest

from tests.plans import PlanView
from tests.shipped_stacks import plan_stacks, settings, stacks_of

STACKS = stacks_of("coursebundler")
ECS_SERVICE = "aws:ecs/service:Service"


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanView]:
    return plan_stacks(STACKS)



def test_the_blueprint_ships_prod_dev_and_a_dr_region() -> None:
    assert any("-prod-" in s for s in STACKS) and any("-dev-" in s for s in STACKS)
    assert any(settings(s).get("role") == "dr" for s in STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_no_mandatory_violation(plans: dict[str, PlanView], stack: str) -> None:
    assert [v for v in plans[stack].plan["violations"] if v["enforcement"] == "mandatory"] == []


@pytest.mark.parametrize("stack", STACKS)
def test_frontend_and_backend_fargate_services_scale_2_to_10_on_cpu_70(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    services = {s["name"]: s["props"] for s in view.of_type(ECS_SERVICE)}
    assert set(services) == {"frontend-service", "backend-service"}
    for props in services.values():
        assert {s["capacityProvider"] for s in props["capacityProviderStrategies"]} <= {
            "FARGATE", "FARGATE_SPOT"}
        assert props["networkConfiguration"]["assignPublicIp"] is False
    cpu = [p["props"] for p in view.of_type("aws:appautoscaling/policy:Policy")
           if p["name"].endswith("scale-cpu")]
    assert len(cpu) == 2
    for policy in cpu:
        config = policy["targetTrackingScalingPolicyConfiguration"]
        assert config["targetValue"] == 70.0
    if "-prod-" in stack:
        targets = [t["props"] for t in view.of_type("aws:appautoscaling/target:Target")]
        assert [(t["minCapacity"], t["maxCapacity"]) for t in targets] == [(2, 10), (2, 10)]
        assert all(r["props"]["imageTagMutability"] == "IMMUTABLE"
                   for r in view.of_type("aws:ecr/repository:Repository"))


@pytest.mark.parametrize("stack", STACKS)
def test_one_alb_routes_api_paths_to_the_backend_and_the_rest_to_the_frontend(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    view.one("aws:lb/loadBalancer:LoadBalancer")
    groups = {g["name"]: g for g in view.of_type("aws:lb/targetGroup:TargetGroup")}
    assert set(groups) == {"frontend-tg", "backend-tg"}
    https = [listener for listener in view.of_type("aws:lb/listener:Listener")
             if listener["props"]["protocol"] == "HTTPS"]
    assert len(https) == 1
    [rule] = [r["props"] for r in view.of_type("aws:lb/listenerRule:ListenerRule")]
    assert rule["conditions"][0]["pathPattern"]["values"] == ["/api/*"]
    assert rule["actions"][0]["type"] == "forward"


@pytest.mark.parametrize("stack", STACKS)
def test_prod_vpc_spans_three_azs_with_a_nat_gateway_each(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    zones = {s["props"]["availabilityZone"] for s in view.of_type("aws:ec2/subnet:Subnet")}
    assert len(zones) == 3
    if "-prod-" in stack:
        assert len(view.of_type("aws:ec2/natGateway:NatGateway")) == 3


@pytest.mark.parametrize("stack", STACKS)
def test_documentdb_encrypted_with_backups_and_multi_az_in_prod(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    cluster = view.one("aws:docdb/cluster:Cluster")["props"]
    assert cluster["storageEncrypted"] is True
    instances = view.of_type("aws:docdb/clusterInstance:ClusterInstance")
    if "-prod-" in stack:
        assert cluster["backupRetentionPeriod"] >= 7
        assert len({i["props"]["availabilityZone"] for i in instances}) >= 2


@pytest.mark.parametrize("stack", STACKS)
def test_alb_admits_only_cloudfront_and_its_certificate_names_the_origin(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    rules = [r["props"] for r in view.of_type(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if "-alb-in-" in r["name"]]
    assert rules and all(r.get("prefixListId", "").startswith("pl-")
                         and "cidrIpv4" not in r for r in rules)
    lookups = [a for a in view.plan["assumptions"]
               if a["invoke"] == "aws:ec2/getManagedPrefixList:getManagedPrefixList"]
    alb_regions = {r["region"] for r in view.of_type("aws:lb/loadBalancer:LoadBalancer")}
    assert {a["region"] for a in lookups} == alb_regions  # looked up where the ALB is
    assert all("com.amazonaws.global.cloudfront.origin-facing" in a["assumed"] for a in lookups)
    distribution = view.one("aws:cloudfront/distribution:Distribution")["props"]
    origins = {o["originId"]: o["domainName"] for o in distribution["origins"]}
    certificates = {c["props"]["domainName"] for c in
                    view.of_type("aws:acm/certificate:Certificate")}
    for service in ("frontend", "backend"):
        assert origins[service] in certificates
    # Every certificate validates through a record the program creates.
    assert len(view.of_type("aws:acm/certificateValidation:CertificateValidation")) == len(
        certificates)
    assert all(v["props"].get("validationRecordFqdns") for v in
               view.of_type("aws:acm/certificateValidation:CertificateValidation"))


@pytest.mark.parametrize("stack", STACKS)
def test_route53_failover_pairs_the_primary_with_the_dr_region(
        plans: dict[str, PlanView], stack: str) -> None:
    role = settings(stack).get("role", "primary")
    records = [r["props"] for r in plans[stack].of_type("aws:route53/record:Record")
               if r["name"] == "origin-record"]
    assert len(records) == 1
    for record in records:
        policies = record.get("failoverRoutingPolicies") or []
        expected = {"primary": ["PRIMARY"], "dr": ["SECONDARY"], "standalone": []}[role]
        assert [p["type"] for p in policies] == expected
        assert record["aliases"][0]["evaluateTargetHealth"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_assets_versioned_behind_cloudfront_and_replicated_by_the_primary(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    replication = view.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    if settings(stack).get("role", "primary") == "primary":
        [config] = replication
        dr = settings(stack)["dr_region"]
        replica = [b for b in view.of_type("aws:s3/bucket:Bucket")
                   if b["props"].get("region") == dr]
        assert replica and config["props"]["rules"][0]["status"] == "Enabled"
    else:
        assert not replication
    distribution = view.one("aws:cloudfront/distribution:Distribution")["props"]
    paths = {b["pathPattern"] for b in distribution["orderedCacheBehaviors"]}
    assert {"/api/*", "/assets/*"} <= paths
    assert distribution["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"


@pytest.mark.parametrize("stack", STACKS)
def test_secrets_manager_holds_the_seed_api_keys_and_database_credentials(
        plans: dict[str, PlanView], stack: str) -> None:
    names = {s["name"] for s in plans[stack].of_type("aws:secretsmanager/secret:Secret")}
    for secret in ("razorpay-key-id", "razorpay-key-secret", "cloudinary-api-key",
                   "cloudinary-api-secret", "jwt-secret"):
        assert any(secret in n for n in names), (secret, names)
    assert any(n.startswith("documentdb-master-password") for n in names)
    assert all(s["props"].get("kmsKeyId") for s in
               plans[stack].of_type("aws:secretsmanager/secret:Secret"))


def test_physical_names_differ_between_the_stacks(plans: dict[str, PlanView]) -> None:
    kinds = ("aws:kms/alias:Alias", "aws:cloudfront/originAccessControl:OriginAccessControl",
             "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
             "aws:ecs/taskDefinition:TaskDefinition", "aws:docdb/cluster:Cluster")
    key = {"aws:ecs/taskDefinition:TaskDefinition": "family",
           "aws:docdb/cluster:Cluster": "clusterIdentifier"}
    seen: dict[tuple[str, str], str] = {}
    for stack, view in plans.items():
        for kind in kinds:
            for resource in view.of_type(kind):
                name = resource["props"][key.get(kind, "name")]
                assert (kind, name) not in seen, (kind, name, seen.get((kind, name)), stack)
                seen[(kind, name)] = stack
