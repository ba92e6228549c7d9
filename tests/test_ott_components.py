"""The components the `ott` blueprint added or extended, on programs of their own: good and
bad arguments (one line naming the knob) and what they plan."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.aurora import AuroraPostgresArgs
from components.cdn import Cdn, CdnArgs, CdnOrigin
from components.container_registry import (
    ContainerRegistry,
    ContainerRegistryArgs,
    ContainerRegistrySettings,
)
from components.event_stream import EventStream, EventStreamArgs, EventStreamSettings
from components.http_api import HttpApi, HttpApiArgs, HttpProxyRoute
from components.k8s_baseline import K8sBaseline, K8sBaselineArgs, K8sBaselineSettings
from components.k8s_monitoring import K8sMonitoringSettings
from tests.plans import PlanView, in_region, run_offline
from tests.test_cdn_cloudfront import MEDIAPACKAGE, PEM

PROXY = HttpProxyRoute("ANY /{proxy+}", "https://services.example.com/{proxy}")
HEALTH = HttpProxyRoute("GET /health", "https://services.example.com/health")


def _api(**changes: Any) -> HttpApiArgs:
    return HttpApiArgs(**{"proxy_routes": [PROXY], "jwt_issuer": "https://issuer",
                          "jwt_audiences": ["client"], **changes})


@pytest.mark.parametrize(("changes", "words"), [
    ({"proxy_routes": []}, "routes: empty"),
    ({"health_route": HttpProxyRoute("POST /health", "https://x.example.com/h")},
     "health_route: 'POST /health' is not a GET route"),
    ({"domain_name": "api.example.com"}, "domain_name: needs route53_zone_id"),
    ({"health_route": HttpProxyRoute("ANY /{proxy+}", "https://x.example.com/h")},
     "health_route: 'ANY /{proxy\\+}' is not a GET route"),
])
def test_bad_proxy_api_arguments_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        _api(**changes)


def test_a_proxy_route_forwards_only_over_https() -> None:
    with pytest.raises(ValueError, match="is not an https URL"):
        HttpProxyRoute("ANY /{proxy+}", "http://services.example.com/{proxy}")


def test_only_the_health_route_skips_the_authorizer_and_the_domain_is_regional() -> None:
    view = run_offline(in_region("us-west-2", lambda opts: HttpApi("api", _api(
        health_route=HEALTH, domain_name="api.example.com", route53_zone_id="Z1"), opts=opts)))
    routes = {r["props"]["routeKey"]: r["props"] for r in
              view.of_type("aws:apigatewayv2/route:Route")}
    assert {k: r["authorizationType"] for k, r in routes.items()} == {
        "ANY /{proxy+}": "JWT", "GET /health": "NONE"}
    assert {i["props"]["integrationType"] for i in
            view.of_type("aws:apigatewayv2/integration:Integration")} == {"HTTP_PROXY"}
    domain = view.one("aws:apigatewayv2/domainName:DomainName")
    assert domain["props"]["domainNameConfiguration"]["endpointType"] == "REGIONAL"
    assert domain["region"] == "us-west-2"
    view.one("aws:apigatewayv2/apiMapping:ApiMapping")


@pytest.mark.parametrize(("changes", "words"), [
    ({"repositories": ()}, "repositories: empty"),
    ({"repositories": ("Catalog",)}, "'Catalog' is not an ECR name"),
    ({"repositories": ("a", "a")}, "a name repeats"),
    ({"keep_images": 0}, "keep_images: must be at least 1"),
])
def test_bad_registry_settings_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ContainerRegistrySettings(**{"repositories": ("catalog",), **changes})


@pytest.mark.parametrize(("regions", "words"), [
    (["us-east-1"], "is the stack's own region"),
    (["eu-west-1"], "is outside the jurisdiction"),
])
def test_registry_replication_stays_in_the_jurisdiction(regions: list[str], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        ContainerRegistryArgs(repositories=("catalog",), prefix="s", region="us-east-1",
                              allowed_regions=["us-east-1", "us-west-2"],
                              replication_regions=regions)


def _registry(replication: list[str]) -> PlanView:
    return run_offline(in_region("us-east-1", lambda opts: ContainerRegistry(
        "registry", ContainerRegistryArgs(
            repositories=("catalog", "playback"), prefix="ott-prod-us-east-1",
            region="us-east-1", allowed_regions=["us-east-1", "us-west-2"],
            replication_regions=replication), opts=opts)))


def test_repositories_scan_on_push_and_replicate_only_this_stacks_prefix() -> None:
    view = _registry(["us-west-2"])
    repositories = view.of_type("aws:ecr/repository:Repository")
    assert {r["props"]["name"] for r in repositories} == {
        "ott-prod-us-east-1/catalog", "ott-prod-us-east-1/playback"}
    assert all(r["props"]["imageScanningConfiguration"]["scanOnPush"] for r in repositories)
    assert all(r["props"]["imageTagMutability"] == "IMMUTABLE" for r in repositories)
    [rule] = view.one("aws:ecr/replicationConfiguration:ReplicationConfiguration")[
        "props"]["replicationConfiguration"]["rules"]
    assert [d["region"] for d in rule["destinations"]] == ["us-west-2"]
    assert rule["repositoryFilters"] == [{"filter": "ott-prod-us-east-1/",
                                          "filterType": "PREFIX_MATCH"}]
    assert _registry([]).of_type(
        "aws:ecr/replicationConfiguration:ReplicationConfiguration") == []


@pytest.mark.parametrize(("changes", "words"), [
    ({"retention_hours": 12}, "retention_hours: 12 is outside"),
    ({"buffer_seconds": 1000}, "buffer_seconds: 1000 is outside"),
    ({"buffer_mib": 0}, "buffer_mib: 0 is outside"),
])
def test_bad_event_stream_settings_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        EventStreamSettings(**changes)


def test_events_reach_the_lake_through_firehose_with_customer_keys() -> None:
    view = run_offline(in_region("us-east-1", lambda opts: EventStream("events", EventStreamArgs(
        region="us-east-1", allowed_regions=["us-east-1", "us-west-2"],
        replication_region="us-west-2", protect=False), opts=opts)))
    stream = view.one("aws:kinesis/stream:Stream")["props"]
    assert stream["encryptionType"] == "KMS"
    assert stream["streamModeDetails"]["streamMode"] == "ON_DEMAND"
    delivery = view.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")["props"]
    assert delivery["destination"] == "extended_s3" and delivery["extendedS3Configuration"][
        "kmsKeyArn"]
    [replica] = [b for b in view.of_type("aws:s3/bucket:Bucket") if "replica" in b["name"]]
    assert replica["region"] == "us-west-2"
    # Firehose may write only under its two prefixes.
    [policy] = [p["props"]["policy"] for p in view.of_type("aws:iam/rolePolicy:RolePolicy")
                if "firehose" in p["name"]]
    writes = [s for s in json.loads(policy)["Statement"] if "s3:PutObject" in s["Action"]]
    assert writes and all(r.endswith(("/events/*", "/errors/*"))
                          for s in writes for r in s["Resource"])


def _baseline(**changes: Any) -> PlanView:
    def build(opts: pulumi.ResourceOptions) -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        K8sBaseline("baseline", K8sBaselineArgs(
            kubernetes_provider=provider, vpc_cidr="10.32.0.0/16", **changes), opts=opts)

    return run_offline(in_region("us-east-1", build))


def test_bad_baseline_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="metrics_server_replicas: at least 2"):
        K8sBaselineSettings(metrics_server_replicas=1)
    with pytest.raises(ValueError, match="is not an exact version"):
        K8sBaselineSettings(metrics_server_version="3.x")


def test_the_namespace_denies_all_then_allow_lists_and_metrics_server_spreads() -> None:
    view = _baseline(namespace="shop")
    policies = {p["props"]["metadata"]["name"]: p["props"] for p in
                view.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")}
    assert {p["metadata"]["namespace"] for p in policies.values()} == {"shop"}
    assert policies["default-deny"]["spec"] == {"podSelector": {},
                                                "policyTypes": ["Ingress", "Egress"]}
    stores = policies["allow-data-stores"]["spec"]["egress"][0]
    assert stores["to"] == [{"ipBlock": {"cidr": "10.32.0.0/16"}}]
    [release] = view.of_type("kubernetes:helm.sh/v3:Release")
    [spread] = release["props"]["values"]["topologySpreadConstraints"]
    assert (spread["maxSkew"], spread["topologyKey"]) == (1, "topology.kubernetes.io/zone")


def test_bad_monitoring_chat_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="chat_kind: 'teams' is unknown"):
        K8sMonitoringSettings(chat_kind="teams")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="chat_severities: 'sev 1'"):
        K8sMonitoringSettings(chat_severities=("sev 1",))


def test_an_aurora_secondary_may_join_the_cluster_the_primary_publishes() -> None:
    base = {"vpc_id": "vpc-1", "db_subnet_group_name": "db",
            "availability_zones": ["us-west-2a", "us-west-2b"], "region": "us-west-2",
            "allowed_regions": ["us-east-1", "us-west-2"]}
    joined = AuroraPostgresArgs(**base, global_role="secondary", primary_region="us-east-1",
                                joins_global_cluster=pulumi.Output.from_input("ott-prod"))
    assert joined.global_cluster_identifier is None
    with pytest.raises(ValueError, match="joins_global_cluster: only a global secondary"):
        AuroraPostgresArgs(**base, global_role="primary", global_cluster_identifier="g",
                           joins_global_cluster="ott-prod")
    with pytest.raises(ValueError, match="joins_global_cluster: only a global secondary"):
        AuroraPostgresArgs(**base, joins_global_cluster="ott-prod")


def test_a_video_origin_with_a_failover_copy_becomes_an_origin_group() -> None:
    dr = "def456.egress.mediapackagev2.us-west-2.amazonaws.com"

    def build(opts: pulumi.ResourceOptions) -> None:
        Cdn("cdn", CdnArgs(origins=[
            CdnOrigin(origin_id="api", domain_name="api.example.com", role="api"),
            CdnOrigin(origin_id="live", domain_name=MEDIAPACKAGE, role="live",
                      failover_domain_name=dr, path_patterns=["/out/v1/*"],
                      access="mediapackagev2-oac", grant_access=lambda arn: None)],
            domain_names=["watch.example.com"], signing_public_key_pem=PEM), opts=opts)

    props = run_offline(in_region("us-east-1", build)).one(
        "aws:cloudfront/distribution:Distribution")["props"]
    origins = {o["originId"]: o for o in props["origins"]}
    assert origins["live-failover"]["domainName"] == dr
    assert origins["live-failover"]["originAccessControlId"] == origins["live"][
        "originAccessControlId"]
    [group] = props["originGroups"]
    assert [m["originId"] for m in group["members"]] == ["live", "live-failover"]
    [live] = props["orderedCacheBehaviors"]
    assert live["targetOriginId"] == group["originId"]


def test_an_api_origin_cannot_fail_over_in_an_origin_group() -> None:
    with pytest.raises(ValueError, match="failover_domain_name: origin 'api' is api"):
        CdnOrigin(origin_id="api", domain_name="a.example.com", role="api",
                  failover_domain_name="b.example.com")
