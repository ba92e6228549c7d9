"""Blueprint `knowledgecity` (seed 004): the features that define the seed, asserted in the
plans of every shipped stack of the blueprint (found by their stack files), with the
jurisdictions, settings and region capabilities read from the data, never listed here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from environments import SpecError, load_stack_spec
from environments.capabilities import regions_offering
from environments.loader import EnvironmentData
from policies.data_stores import STORES
from stacks.blueprints import load
from stacks.blueprints.knowledgecity import DEFAULT_LOCATION, ID, KnowledgeCitySettings
from tests.plans import PlanView
from tests.shipped_stacks import plan_stacks, settings, stacks_of

STACKS = stacks_of(ID)
STORE_TYPES = {t for kind in STORES for t in kind.types}
UNRESTRICTED = ("public-content",)
# Media service type prefixes -> the botocore service whose endpoints say where it exists.
MEDIA_SERVICES = {"aws:mediaconvert/": "mediaconvert", "aws-native:mediaconvert:": "mediaconvert",
                  "aws:medialive/": "medialive", "aws-native:medialive:": "medialive",
                  "aws-native:mediapackagev2:": "mediapackagev2"}
SEED_COUNTRIES = {"SA", "US", DEFAULT_LOCATION}


def typed(stack: str) -> KnowledgeCitySettings:
    """The stack's settings as the blueprint reads them (stack file over defaults)."""
    return KnowledgeCitySettings.model_validate(settings(stack))


def allowed(stack: str) -> list[str]:
    return load_stack_spec(stack, ID).allowed_regions


def regional(role: str | None = None) -> list[str]:
    return [s for s in STACKS if load_stack_spec(s, ID).scope == "regional"
            and (role is None or typed(s).role == role)]


@pytest.fixture(scope="module")
def plans() -> dict[str, PlanView]:
    return plan_stacks(STACKS)


def test_the_blueprint_ships_entry_stacks_of_two_jurisdictions_and_a_global_stack() -> None:
    assert [s for s in STACKS if load_stack_spec(s, ID).scope == "global"]
    entries = regional("entry")
    assert {typed(s).user_data for s in entries} == {"aurora", "dynamodb"}
    assert len({load_stack_spec(s, ID).jurisdiction_name for s in entries}) >= 2


@pytest.mark.parametrize("stack", STACKS)
def test_no_mandatory_violation(plans: dict[str, PlanView], stack: str) -> None:
    assert [v for v in plans[stack].plan["violations"] if v["enforcement"] == "mandatory"] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_store_replica_and_copy_stays_in_the_stacks_jurisdiction(
        plans: dict[str, PlanView], stack: str) -> None:
    regions = allowed(stack)
    view = plans[stack]
    stores = [r for r in view.resources if r["type"] in STORE_TYPES
              and (r["props"].get("tags") or {}).get("data-class") not in UNRESTRICTED]
    assert stores
    outside = [(r["name"], r["region"]) for r in stores if r["region"] not in regions]
    assert outside == []
    for table in view.of_type("aws:dynamodb/table:Table"):
        replicas = [r["regionName"] for r in table["props"].get("replicas") or []]
        assert set(replicas) <= set(regions) - {table["region"]}, table["name"]
    buckets = view.of_type("aws:s3/bucket:Bucket")
    for rule_set in view.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig"):
        for rule in rule_set["props"]["rules"]:
            destination = rule["destination"]
            # Offline, a bucket's name is its logical name plus a suffix.
            name = destination["bucket"].split(":::", 1)[1]
            [bucket] = [b for b in buckets if name.startswith(f"{b['name']}-")
                        and name.count("-") == b["name"].count("-") + 1]
            assert bucket["region"] in regions, (rule_set["name"], bucket["region"])
            key = destination["encryptionConfiguration"]["replicaKmsKeyId"]
            assert key.split(":")[3] in regions


def test_the_backups_of_every_entry_stack_replicate_inside_its_jurisdiction(
        plans: dict[str, PlanView]) -> None:
    for stack in regional("entry"):
        view = plans[stack]
        replica = view.named("backups-replica-bucket")
        assert replica["region"] in allowed(stack)
        assert replica["region"] != view.named("backups-bucket")["region"]


@pytest.mark.parametrize("stack", STACKS)
def test_media_services_only_where_the_region_offers_them(
        plans: dict[str, PlanView], stack: str) -> None:
    for resource in plans[stack].resources:
        for prefix, service in MEDIA_SERVICES.items():
            if resource["type"].startswith(prefix):
                assert resource["region"] in regions_offering(service), resource["urn"]


def test_every_jurisdiction_with_users_has_a_vod_pipeline_in_it(
        plans: dict[str, PlanView]) -> None:
    for stack in regional("entry"):
        regions = allowed(stack)
        pipelines = [s for s in regional() if load_stack_spec(s, ID).region in regions
                     and plans[s].of_type("aws:mediaconvert/queue:Queue")]
        assert pipelines, f"no MediaConvert pipeline in {stack}'s jurisdiction"


def test_vod_in_a_region_without_mediaconvert_is_refused_naming_one_that_has_it() -> None:
    data = EnvironmentData()
    offering = regions_offering("mediaconvert")
    lacking = [(name, r.jurisdiction) for name, r in data.regions.items()
               if name not in offering and "prod" in r.vpc_cidrs
               and any(o in offering for o in data.jurisdictions[r.jurisdiction].regions)]
    assert lacking, "no region of the data lacks MediaConvert: nothing to refuse"
    region, jurisdiction = lacking[0]
    with pytest.raises(SpecError, match="mediaconvert") as refused:
        load(f"{ID}-prod-{region}", ID, {"vod": True})
    named = [r for r in data.jurisdictions[jurisdiction].regions if r in offering]
    assert all(r in str(refused.value) for r in named)
    load(f"{ID}-prod-{region}", ID, {"vod": False})  # the same stack without VOD loads


def test_aurora_user_data_has_readers_in_at_least_two_azs(plans: dict[str, PlanView]) -> None:
    aurora_stacks = [s for s in regional("entry") if typed(s).user_data == "aurora"]
    assert aurora_stacks
    for stack in aurora_stacks:
        view = plans[stack]
        cluster = view.one("aws:rds/cluster:Cluster")
        assert cluster["props"]["storageEncrypted"] is True
        instances = view.of_type("aws:rds/clusterInstance:ClusterInstance")
        assert len(instances) >= 2  # a writer and at least one reader
        assert len({i["props"]["availabilityZone"] for i in instances}) >= 2
        assert not view.of_type("aws:dynamodb/table:Table")


def test_dynamodb_user_data_is_a_global_table_only_within_its_jurisdiction(
        plans: dict[str, PlanView]) -> None:
    dynamo_stacks = [s for s in regional("entry") if typed(s).user_data == "dynamodb"]
    assert dynamo_stacks
    for stack in dynamo_stacks:
        table = plans[stack].named("users-table-table")
        replicas = {r["regionName"] for r in table["props"]["replicas"]}
        configured = typed(stack).dynamodb_replica_regions
        expected = set(configured) if configured is not None else (
            set(allowed(stack)) - {table["region"]})
        assert replicas == expected and replicas <= set(allowed(stack))
        assert table["props"]["pointInTimeRecovery"]["enabled"] is True


def _geolocation_records(plans: dict[str, PlanView]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Country (or `*`) -> (stack, record) over every stack: each stack owns its records."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for stack, view in plans.items():
        for record in view.of_type("aws:route53/record:Record"):
            for policy in record["props"].get("geolocationRoutingPolicies") or []:
                assert policy["country"] not in found, f"{policy['country']} routed twice"
                found[policy["country"]] = (stack, record)
    return found


def test_geolocation_routes_sa_and_us_to_their_own_jurisdictions_and_has_a_default(
        plans: dict[str, PlanView]) -> None:
    records = _geolocation_records(plans)
    assert set(records) >= SEED_COUNTRIES
    for country, (stack, record) in records.items():
        view = plans[stack]
        checks = {c["props"]["fqdn"]: c for c in view.of_type("aws:route53/healthCheck:HealthCheck")
                  if record["props"]["healthCheckId"].startswith(c["name"])}
        assert checks, f"{country}: no health check of its own"
        [alias] = record["props"]["aliases"]
        assert alias["evaluateTargetHealth"] is True
        assert alias["name"] in checks  # the check probes the entry point routed to
        if country != DEFAULT_LOCATION:
            # The routed entry point's ALB is in the jurisdiction whose country it serves.
            spec = load_stack_spec(stack, ID)
            assert spec.region == typed(stack).geolocation[country]
    for country in ("SA", "US"):
        assert load_stack_spec(records[country][0], ID).jurisdiction_name == country.lower()


def test_the_global_stack_reads_its_default_entry_point_through_the_typed_contract(
        plans: dict[str, PlanView]) -> None:
    for stack in STACKS:
        if load_stack_spec(stack, ID).scope != "global":
            continue
        target = f"{ID}-prod-{typed(stack).geolocation[DEFAULT_LOCATION]}"
        references = plans[stack].plan["stackReferences"]
        assert [r["stack"].rsplit("/", 1)[-1] for r in references] == [target]
        assert all(r["name"].startswith("KnowledgeCityEntryExports-") for r in references)


@pytest.mark.parametrize("stack", regional("entry"))
def test_web_tier_is_an_imdsv2_asg_behind_an_https_alb_with_waf_scaling_on_cpu(
        plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    template = view.named("web-launch-template")["props"]
    assert template["metadataOptions"]["httpTokens"] == "required"
    assert all(m["ebs"]["encrypted"] == "true" for m in template["blockDeviceMappings"])
    assert "keyName" not in template  # no SSH key: SSM only
    group = view.named("web-asg")["props"]
    assert group["minSize"] >= 2 and group["healthCheckType"] == "ELB"
    assert len(group["vpcZoneIdentifiers"]) == len(load_stack_spec(stack, ID).availability_zones)
    policy = view.named("web-scale-cpu")["props"]
    assert policy["policyType"] == "TargetTrackingScaling"
    assert policy["targetTrackingConfiguration"]["predefinedMetricSpecification"][
        "predefinedMetricType"] == "ASGAverageCPUUtilization"
    listeners = {r["props"]["port"]: r["props"] for r in view.of_type("aws:lb/listener:Listener")
                 if r["parent"].endswith("::web")}
    assert listeners[443]["protocol"] == "HTTPS" and listeners[443]["certificateArn"]
    assert listeners[80]["defaultActions"][0]["type"] == "redirect"
    acl = view.named("web-waf")["props"]
    assert acl["scope"] == "REGIONAL"
    assert view.named("web-waf-association")["region"] == view.named("web-alb")["region"]
    for queue in (view.named("web-queue"), view.named("web-dlq")):
        assert queue["props"]["kmsMasterKeyId"]
    assert "deadLetterTargetArn" in view.named("web-queue")["props"]["redrivePolicy"]


@pytest.mark.parametrize("stack", regional("entry"))
def test_analytics_tier_is_eks_with_karpenter(plans: dict[str, PlanView], stack: str) -> None:
    view = plans[stack]
    view.one("aws:eks/cluster:Cluster")
    charts = [r["props"].get("chart", "") for r in view.of_type("kubernetes:helm.sh/v3:Release")]
    assert any(chart.rsplit("/", 1)[-1] == "karpenter" for chart in charts)


@pytest.mark.parametrize("stack", STACKS)
def test_stack_references_are_typed_and_stay_in_the_jurisdictions_backend(
        plans: dict[str, PlanView], stack: str) -> None:
    jurisdiction = load_stack_spec(stack, ID).jurisdiction_name
    for reference in plans[stack].plan["stackReferences"]:
        target = reference["stack"].rsplit("/", 1)[-1]
        assert reference["name"].split("-", 1)[0] in {"KnowledgeCityEntryExports",
                                                       "KnowledgeCityVodExports"}
        assert load_stack_spec(target, ID).jurisdiction_name == jurisdiction
        assert reference["outputs"] == "known"


def test_entry_stacks_without_vod_sign_uploads_into_their_jurisdictions_pipeline(
        plans: dict[str, PlanView]) -> None:
    for stack in regional("entry"):
        statements = json.loads(
            plans[stack].named("web-uploads-policy")["props"]["policy"])["Statement"]
        [key] = [st["Resource"] for st in statements if st["Sid"] == "EncryptUploads"]
        assert key.split(":")[3] in allowed(stack)
        references = [r["stack"].rsplit("/", 1)[-1] for r in plans[stack].plan["stackReferences"]]
        if typed(stack).vod:
            assert references == [] and key.split(":")[3] == load_stack_spec(stack, ID).region
        else:
            [vod_stack] = references
            assert typed(vod_stack).role == "vod"
            assert plans[vod_stack].of_type("aws:mediaconvert/queue:Queue")


def _pipelines(plans: dict[str, PlanView]) -> list[PlanView]:
    found = [plans[s] for s in regional() if plans[s].of_type("aws:mediaconvert/queue:Queue")]
    assert found
    return found


def test_processed_video_is_served_only_through_signed_urls(plans: dict[str, PlanView]) -> None:
    for view in _pipelines(plans):
        distribution = view.named("video-cdn-distribution")["props"]
        behaviours = [distribution["defaultCacheBehavior"],
                      *(distribution.get("orderedCacheBehaviors") or [])]
        assert all(b.get("trustedKeyGroups") for b in behaviours)
        assert distribution["webAclId"]


def test_lifecycle_uploads_to_standard_ia_at_30_days_videos_intelligent_backups_deep_archive(
        plans: dict[str, PlanView]) -> None:
    def transitions(view: PlanView, lifecycle: str) -> list[tuple[int, str]]:
        return [(t["days"], t["storageClass"]) for rule in view.named(lifecycle)["props"]["rules"]
                for t in rule.get("transitions") or []]

    for view in _pipelines(plans):
        assert transitions(view, "vod-uploads-lifecycle") == [(30, "STANDARD_IA")]
        assert [c for _, c in transitions(view, "vod-outputs-lifecycle")] == [
            "INTELLIGENT_TIERING"]
    for stack in regional("entry"):
        assert [c for _, c in transitions(plans[stack], "backups-lifecycle")] == ["DEEP_ARCHIVE"]
        rules = plans[stack].named("backups-replication")["props"]["rules"]
        assert {r["destination"]["storageClass"] for r in rules} == {"DEEP_ARCHIVE"}


def test_global_course_content_is_one_public_bucket_in_the_home_region_behind_cloudfront_waf(
        plans: dict[str, PlanView]) -> None:
    for stack in STACKS:
        spec = load_stack_spec(stack, ID)
        if spec.scope != "global":
            continue
        view = plans[stack]
        [bucket] = [b for b in view.of_type("aws:s3/bucket:Bucket")
                    if b["props"]["tags"].get("data-class") == "public-content"]
        assert bucket["region"] == spec.region
        assert not [b for b in view.of_type("aws:s3/bucket:Bucket")
                    if b["props"]["tags"].get("data-class") in ("user-pii", "user-content")]
        distribution = view.one("aws:cloudfront/distribution:Distribution")["props"]
        assert distribution["webAclId"]
        assert view.one("aws:wafv2/webAcl:WebAcl")["props"]["scope"] == "CLOUDFRONT"
