"""Blueprint `cost-optimized` (seed 000): the features that define the seed, asserted in the
plan of every shipped stack of the blueprint (found by its stack file's platform:blueprint)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.blueprints.cost_optimized import APPLICATION_NODES, CRITICAL_NODES
from tests.plans import PlanView
from tests.shipped_stacks import plan_stacks, settings, stacks_of

STACKS = stacks_of("cost-optimized")
RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanView]:
    return plan_stacks(STACKS)



def releases(view: PlanView) -> dict[str, dict[str, Any]]:
    return {r["props"]["name"]: r for r in view.of_type(RELEASE)}


def test_the_blueprint_ships_prod_and_dev() -> None:
    assert any("-prod-" in s for s in STACKS) and any("-dev-" in s for s in STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_no_mandatory_violation_and_the_cost_choices_are_waived_visibly(
        plans: dict[str, PlanView], stack: str) -> None:
    violations = plans[stack].plan["violations"]
    assert [v for v in violations if v["enforcement"] == "mandatory"] == []
    if "-prod-" in stack:
        waived = [v for v in violations if v["enforcement"] == "waived"]
        assert any(v["policy"] == "prod-multi-az" and "seed 000" in json.dumps(v)
                   for v in waived), waived


@pytest.mark.parametrize("stack", STACKS)
def test_eks_runs_spot_for_applications_and_on_demand_for_critical_components(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    groups = {g["props"]["capacityType"]: g["props"] for g in
              view.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert set(groups) == {"SPOT", "ON_DEMAND"}
    if "-prod-" in stack:
        assert groups["SPOT"]["instanceTypes"] == list(APPLICATION_NODES.instance_types)
        assert groups["SPOT"]["scalingConfig"]["desiredSize"] == 12
        assert groups["ON_DEMAND"]["instanceTypes"] == list(CRITICAL_NODES.instance_types)
        assert groups["ON_DEMAND"]["scalingConfig"]["desiredSize"] == 3
        assert {"t3.xlarge"} <= set(groups["SPOT"]["instanceTypes"])
        assert groups["ON_DEMAND"]["instanceTypes"] == ["t3.2xlarge"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_cluster_api_is_never_world_open(plans: dict[str, PlanView], stack: str) -> None:
    vpc = plans[stack].one("aws:eks/cluster:Cluster")["props"]["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    if vpc.get("endpointPublicAccess"):
        cidrs = vpc["publicAccessCidrs"]
        assert cidrs and "0.0.0.0/0" not in cidrs
        assert cidrs == settings(stack)["eks"]["public_access_cidrs"]


@pytest.mark.parametrize("stack", STACKS)
def test_one_nat_gateway_and_encrypted_data_stores(plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    assert len(view.of_type("aws:ec2/natGateway:NatGateway")) == 1
    aurora = view.one("aws:rds/cluster:Cluster")["props"]
    assert aurora["engine"] == "aurora-postgresql" and aurora["storageEncrypted"] is True
    assert aurora["kmsKeyId"]
    docdb = view.one("aws:docdb/cluster:Cluster")["props"]
    assert docdb["storageEncrypted"] is True and docdb["kmsKeyId"]
    redis = view.one("aws:elasticache/replicationGroup:ReplicationGroup")["props"]
    assert redis["atRestEncryptionEnabled"] in (True, "true")
    assert redis["transitEncryptionEnabled"] is True and redis["kmsKeyId"]


@pytest.mark.parametrize("stack", STACKS)
def test_r2_content_in_the_jurisdictions_location_behind_cloudflare(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    [bucket] = view.of_type("cloudflare:index/r2Bucket:R2Bucket")
    assert bucket["props"]["jurisdiction"] == "default"
    assert bucket["props"]["location"].lower() == "enam"
    rulesets = {r["props"]["phase"] for r in view.of_type("cloudflare:index/ruleset:Ruleset")}
    # Managed WAF, rate limiting and the token check on video paths.
    assert {"http_request_firewall_managed", "http_ratelimit",
            "http_request_firewall_custom"} <= rulesets
    token = [r for r in view.of_type("cloudflare:index/ruleset:Ruleset")
             if r["props"]["phase"] == "http_request_firewall_custom"]
    assert "is_timed_hmac_valid_v0" in json.dumps(token)


@pytest.mark.parametrize("stack", STACKS)
def test_in_cluster_broker_waf_and_observability_from_pinned_charts(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    found = releases(view)
    assert {"strimzi-kafka-operator", "ingress-nginx", "tempo", "kube-prometheus-stack", "loki",
            "otel-collector"} <= set(found)
    for release in found.values():
        version = release["props"]["version"]
        assert len(version.split(".")) == 3 and all(p.isdigit() for p in version.split("."))
    config = found["ingress-nginx"]["props"]["values"]["controller"]["config"]
    assert config["enable-modsecurity"] == "true"
    assert config["enable-owasp-modsecurity-crs"] == "true"
    assert "SecRuleEngine On" in config["modsecurity-snippet"]
    kafka = [r for r in view.of_type("kubernetes:kafka.strimzi.io/v1beta2:Kafka")]
    assert len(kafka) == 1
    assert found["strimzi-kafka-operator"]["urn"] in kafka[0]["dependencies"]
    # Logs and long-term metrics in S3 buckets of the stack's region (in the jurisdiction).
    region = view.one("aws:eks/cluster:Cluster")["region"]
    for store in ("loki", "metrics"):
        buckets = [b for b in view.of_type("aws:s3/bucket:Bucket") if f"-{store}-" in b["name"]]
        assert buckets and all(b["region"] == region for b in buckets), store
    spec = found["kube-prometheus-stack"]["props"]["values"]["prometheus"]["prometheusSpec"]
    assert spec["thanos"]["objectStorageConfig"]["existingSecret"]


@pytest.mark.parametrize("stack", STACKS)
def test_kms_throughout(plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    assert all(k["props"]["enableKeyRotation"] is True for k in view.of_type("aws:kms/key:Key"))
    cluster = view.one("aws:eks/cluster:Cluster")["props"]
    assert cluster["encryptionConfig"]["resources"] == ["secrets"]
