"""Blueprint `ott` (seed 003): the features that define the seed, asserted in the plans of
the shipped stacks of the blueprint (found by their stack files' platform:blueprint; each
regional stack's role and DR region come from its settings, never from this file)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from environments import SpecError, load_stack_spec
from stacks.blueprints import load
from tests.plans import PlanView, run_offline
from tests.shipped_stacks import plan_stacks, settings, stacks_of

STACKS = stacks_of("ott")
GLOBAL = [s for s in STACKS if s.endswith("-global")]
REGIONAL = [s for s in STACKS if s not in GLOBAL]
RELEASE = "kubernetes:helm.sh/v3:Release"
ZONE = "topology.kubernetes.io/zone"


def role_of(stack: str) -> str:
    region = load_stack_spec(stack, "ott").region
    blueprint_settings = load(stack, "ott", settings(stack))[2]
    assert region in (blueprint_settings.primary_region,  # type: ignore[attr-defined]
                      blueprint_settings.dr_region)  # type: ignore[attr-defined]
    return "primary" if region == blueprint_settings.primary_region else "dr"  # type: ignore


def peer_regions(stack: str) -> tuple[str, str]:
    """(primary region, DR region) the stack's settings name."""
    typed = load(stack, "ott", settings(stack))[2]
    return typed.primary_region, typed.dr_region  # type: ignore[attr-defined]


def environment_of(stack: str) -> str:
    return load_stack_spec(stack, "ott").environment


def stack_in(environment: str, region: str) -> str:
    return f"ott-{environment}-{region}"


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanView]:
    return plan_stacks(STACKS)


def test_each_environment_ships_a_primary_a_dr_region_and_a_global_stack() -> None:
    assert GLOBAL and REGIONAL
    for stack in GLOBAL:
        environment = environment_of(stack)
        primary, dr = peer_regions(stack)
        assert {stack_in(environment, primary), stack_in(environment, dr)} <= set(REGIONAL)
    for stack in REGIONAL:
        primary, dr = peer_regions(stack)
        allowed = load_stack_spec(stack, "ott").allowed_regions
        # Warm standby in the same jurisdiction.
        assert primary != dr and {primary, dr} <= set(allowed)


@pytest.mark.parametrize("stack", STACKS)
def test_no_mandatory_violation(plans: dict[str, PlanView], stack: str) -> None:
    assert [v for v in plans[stack].plan["violations"] if v["enforcement"] == "mandatory"] == []


@pytest.mark.parametrize("stack", REGIONAL)
def test_live_is_medialive_standard_with_two_pipelines_into_hls_and_dash(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    channel = view.one("aws:medialive/channel:Channel")["props"]
    assert channel["channelClass"] == "STANDARD"
    [destination] = channel["destinations"]
    assert len(destination["settings"]) == 2  # one ingest URL per pipeline
    endpoints = view.of_type("aws-native:mediapackagev2:OriginEndpoint")
    manifests = {kind for e in endpoints for kind in ("hlsManifests", "dashManifests")
                 if e["props"].get(kind)}
    assert manifests == {"hlsManifests", "dashManifests"}
    view.one("aws:mediaconvert/queue:Queue")


@pytest.mark.parametrize("stack", REGIONAL)
def test_aurora_is_a_global_database_primary_here_secondary_in_the_dr_region(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    cluster = view.one("aws:rds/cluster:Cluster")
    assert cluster["props"]["engine"] == "aurora-postgresql"
    assert cluster["region"] in load_stack_spec(stack, "ott").allowed_regions
    primary_region, _ = peer_regions(stack)
    primary_plan = plans[stack_in(environment_of(stack), primary_region)]
    [global_cluster] = primary_plan.of_type("aws:rds/globalCluster:GlobalCluster")
    identifier = global_cluster["props"]["globalClusterIdentifier"]
    assert cluster["props"]["globalClusterIdentifier"] == identifier
    if role_of(stack) == "primary":
        assert cluster["region"] == primary_region
    else:
        assert view.of_type("aws:rds/globalCluster:GlobalCluster") == []
        assert cluster["region"] != primary_region
        # The secondary joins what the primary publishes (its typed exports).
        assert [r["stack"].rsplit("/", 1)[-1] for r in view.plan["stackReferences"]] == [
            stack_in(environment_of(stack), primary_region)]


@pytest.mark.parametrize("stack", REGIONAL)
def test_the_dynamodb_global_table_replicates_into_the_dr_region(
        plans: dict[str, PlanView], stack: str) -> None:
    tables = plans[stack].of_type("aws:dynamodb/table:Table")
    _, dr = peer_regions(stack)
    if role_of(stack) == "dr":
        assert tables == []  # the replica belongs to the primary's table
        return
    [table] = tables
    assert [r["regionName"] for r in table["props"]["replicas"]] == [dr]
    assert all(r["kmsKeyArn"] and r["pointInTimeRecovery"] for r in table["props"]["replicas"])


def _bucket_regions(view: PlanView) -> dict[str, str]:
    """Bucket physical name (as in an ARN) -> region, from the plan's bucket resources."""
    found = {}
    for bucket in view.of_type("aws:s3/bucket:Bucket"):
        name = bucket["props"].get("bucket") or bucket.get("id") or ""
        found[name] = bucket["region"]
        found[bucket["name"]] = bucket["region"]
    return found


@pytest.mark.parametrize("stack", REGIONAL)
def test_vod_logs_and_the_event_lake_replicate_into_the_dr_region(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    configs = view.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    if role_of(stack) == "dr":
        assert configs == []
        return
    _, dr = peer_regions(stack)
    replicated = {c["name"].removesuffix("-replication") for c in configs}
    assert {"vod-outputs", "log-archive", "events-lake"} <= replicated
    regions = _bucket_regions(view)
    for config in configs:
        for rule in config["props"]["rules"]:
            name = rule["destination"]["bucket"].removeprefix("arn:aws:s3:::")
            logical = re.sub(r"-[0-9a-f]{7}$", "", name)
            assert regions.get(name, regions.get(logical)) == dr, name
            assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"]


@pytest.mark.parametrize("stack", REGIONAL)
def test_ecr_scans_on_push_and_the_primary_replicates_images_to_the_dr_region(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    repositories = view.of_type("aws:ecr/repository:Repository")
    replication = view.of_type("aws:ecr/replicationConfiguration:ReplicationConfiguration")
    primary, dr = peer_regions(stack)
    if role_of(stack) == "dr":
        assert replication == [] and repositories == []
        # ECR creates the replicas here from this template: customer key, immutable tags.
        [template] = view.of_type("aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate")
        props = template["props"]
        assert props["appliedFors"] == ["REPLICATION"]
        assert props["prefix"] == stack_in(environment_of(stack), primary)
        assert props["imageTagMutability"] == "IMMUTABLE"
        assert [e["encryptionType"] for e in props["encryptionConfigurations"]] == ["KMS"]
        return
    assert repositories and all(
        r["props"]["imageScanningConfiguration"]["scanOnPush"] is True for r in repositories)
    [config] = replication
    [rule] = config["props"]["replicationConfiguration"]["rules"]
    assert [d["region"] for d in rule["destinations"]] == [dr]


def _values(view: PlanView, chart: str) -> dict[str, Any]:
    [release] = [r for r in view.of_type(RELEASE) if r["props"]["chart"] == chart]
    return release["props"]["values"]


def _spreads_over_zones(constraints: list[dict[str, Any]] | None) -> bool:
    return bool(constraints) and all(
        c["maxSkew"] == 1 and c["topologyKey"] == ZONE for c in constraints or [])


@pytest.mark.parametrize("stack", REGIONAL)
def test_hpa_metrics_karpenter_and_pods_spread_evenly_over_zones(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    charts = {r["props"]["chart"].rsplit("/", 1)[-1] for r in view.of_type(RELEASE)}
    assert {"metrics-server", "karpenter", "kube-prometheus-stack", "loki"} <= charts
    metrics = _values(view, "metrics-server")
    assert metrics["replicas"] >= 2 and _spreads_over_zones(metrics["topologySpreadConstraints"])
    kps = _values(view, "kube-prometheus-stack")
    assert _spreads_over_zones(kps["prometheus"]["prometheusSpec"]["topologySpreadConstraints"])
    assert _spreads_over_zones(kps["alertmanager"]["alertmanagerSpec"][
        "topologySpreadConstraints"])
    assert _spreads_over_zones(kps["grafana"]["topologySpreadConstraints"])
    karpenter = _values(view, "oci://public.ecr.aws/karpenter/karpenter")
    assert _spreads_over_zones(karpenter["topologySpreadConstraints"])
    loki = _values(view, "loki")
    for target in ("read", "write", "backend", "gateway"):
        assert _spreads_over_zones(loki[target]["topologySpreadConstraints"]), target


@pytest.mark.parametrize("stack", REGIONAL)
def test_application_namespace_denies_by_default_and_allow_lists(
        plans: dict[str, PlanView], stack: str) -> None:
    namespace = load(stack, "ott", settings(stack))[2].baseline.namespace  # type: ignore
    policies = [p["props"] for p in plans[stack].of_type(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy")
        if p["props"]["metadata"]["namespace"] == namespace]
    deny = [p for p in policies if p["spec"]["podSelector"] == {}
            and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert len(deny) == 1
    allows = [p for p in policies if p not in deny]
    assert allows and all(p["spec"].get("ingress") or p["spec"].get("egress") for p in allows)
    # The VPC CNI enforces them.
    [cni] = [a for a in plans[stack].of_type("aws:eks/addon:Addon")
             if a["props"]["addonName"] == "vpc-cni"]
    assert '"enableNetworkPolicy": "true"' in cni["props"]["configurationValues"]


@pytest.mark.parametrize("stack", REGIONAL)
def test_alertmanager_routes_critical_alerts_to_slack_from_a_secret(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    config = _values(view, "kube-prometheus-stack")["alertmanager"]["config"]
    [slack] = [r for r in config["receivers"] if r.get("slack_configs")]
    assert all("api_url_file" in c and "api_url" not in c for c in slack["slack_configs"])
    routes = [r for r in config["route"]["routes"] if r["receiver"] == slack["name"]]
    assert routes and all(any("critical" in m for m in r["matchers"]) for r in routes)
    assert config["route"]["receiver"] != slack["name"]  # only the critical ones


@pytest.mark.parametrize("stack", REGIONAL)
def test_events_flow_from_kinesis_through_firehose_into_the_lake_encrypted(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    stream = view.one("aws:kinesis/stream:Stream")["props"]
    assert stream["encryptionType"] == "KMS" and stream["kmsKeyId"]
    delivery = view.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")["props"]
    assert delivery["kinesisSourceConfiguration"]["kinesisStreamArn"]
    s3 = delivery["extendedS3Configuration"]
    assert s3["kmsKeyArn"] and "events-lake" in s3["bucketArn"]


@pytest.mark.parametrize("stack", GLOBAL)
def test_the_api_origin_fails_over_between_the_regions_with_a_health_check_each(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    environment = environment_of(stack)
    primary, dr = peer_regions(stack)
    checks = {c["name"]: c["props"] for c in view.of_type(
        "aws:route53/healthCheck:HealthCheck")}
    records = [r for r in view.of_type("aws:route53/record:Record")
               if r["props"].get("failoverRoutingPolicies")]
    roles = {r["props"]["failoverRoutingPolicies"][0]["type"]: r for r in records}
    assert set(roles) == {"PRIMARY", "SECONDARY"} and len(records) == 2
    assert len({r["props"]["name"] for r in records}) == 1
    for role, region in (("PRIMARY", primary), ("SECONDARY", dr)):
        record = roles[role]["props"]
        outputs = plans[stack_in(environment, region)].plan["outputs"]
        # The alias is that region's API domain; its health check calls that region.
        assert record["aliases"][0]["name"] == outputs["apiDomainTarget"]
        [check] = [c for name, c in checks.items()
                   if record["healthCheckId"].startswith(name)]
        assert check["fqdn"] == outputs["apiHealthHost"] and check["type"] == "HTTPS"
        assert check["resourcePath"] == "/health"


@pytest.mark.parametrize("stack", GLOBAL)
def test_every_distribution_has_waf_and_live_video_fails_over_to_the_dr_region(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    acls = view.of_type("aws:wafv2/webAcl:WebAcl")
    assert acls and all(a["props"]["scope"] == "CLOUDFRONT" for a in acls)
    distributions = view.of_type("aws:cloudfront/distribution:Distribution")
    assert distributions and all(d["props"]["webAclId"] for d in distributions)
    environment = environment_of(stack)
    primary, dr = peer_regions(stack)
    domains = {region: plans[stack_in(environment, region)].plan["outputs"]["liveOriginDomain"]
               for region in (primary, dr)}
    [distribution] = distributions
    origins = {o["originId"]: o["domainName"] for o in distribution["props"]["origins"]}
    [group] = distribution["props"]["originGroups"]
    members = [origins[m["originId"]] for m in group["members"]]
    assert members == [domains[primary], domains[dr]]
    # Both regions' endpoints admit the distribution (HLS and DASH each).
    policies = view.of_type("aws-native:mediapackagev2:OriginEndpointPolicy")
    assert sorted(p["region"] for p in policies) == sorted([primary, primary, dr, dr])


def test_a_dr_region_equal_to_the_primary_is_one_line_naming_the_setting() -> None:
    stack = REGIONAL[0]
    primary, _ = peer_regions(stack)
    with pytest.raises(SpecError) as error:
        load(stack, "ott", {**settings(stack), "dr_region": primary})
    message = str(error.value)
    assert "\n" not in message and "dr_region" in message and stack in message


@pytest.mark.parametrize(("change", "expected"), [
    ({"dr_region": "eu-west-1"}, r"dr_region: 'eu-west-1' is outside jurisdiction"),
    ({"live": None}, r"settings\.live: missing"),
])
def test_a_regional_stack_refuses_bad_settings_in_one_line_before_creating_anything(
        change: dict[str, Any], expected: str) -> None:
    stack = REGIONAL[0]
    blueprint, spec, typed = load(stack, "ott", {**settings(stack), **change})
    with pytest.raises(Exception, match=expected) as error:
        run_offline(lambda: blueprint.build(spec, typed), stack=stack)
    assert spec.stack_file in str(error.value)
