"""The check knowledge tables and rules, without planning: every table entry is sourced and
consistent with botocore / the Kubernetes SDK, and each rule accepts good input and refuses
bad input."""

from __future__ import annotations

import re
from pathlib import Path

import botocore.loaders
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from platformctl.checks import (
    account_singleton,
    crd_order,
    helm_chart,
    naming,
    opt_in_region,
    service_region,
)
from platformctl.checks.name_invalid import problem as name_problem
from platformctl.checks.plan_view import is_opaque, share_account

LOADER = botocore.loaders.Loader()
AWS_REGIONS = {r for p in LOADER.load_data("endpoints")["partitions"] for r in p["regions"]}


def test_naming_table_entries_are_sourced_and_well_formed() -> None:
    raw = yaml.safe_load(naming.TABLE.read_text())
    assert raw, "naming table is empty"
    for type_, rule in naming.rules().items():
        assert rule.source.startswith("https://docs.aws.amazon.com/"), type_
        assert rule.scope in naming.SCOPES, type_
        assert 1 <= rule.min <= rule.max, type_
        assert re.fullmatch(r"[a-z-]+:[A-Za-z0-9/.]+:[A-Za-z0-9]+", type_), type_


def test_singleton_table_names_real_pulumi_aws_types_with_sources() -> None:
    import importlib

    table = account_singleton.singletons()
    assert table, "singleton table is empty"
    for type_, entry in table.items():
        assert entry["source"].startswith("https://docs.aws.amazon.com/"), type_
        assert entry["what"], type_
        package, module_path, name = type_.split(":")
        module = importlib.import_module(f"pulumi_aws.{module_path.split('/')[0]}")
        assert package == "aws" and hasattr(module, name), type_


def test_types_sharing_a_namespace_share_its_scope_and_limits() -> None:
    by_namespace: dict[str, set] = {}
    for rule in naming.rules().values():
        by_namespace.setdefault(rule.namespace, set()).add((rule.scope, rule.max,
                                                            rule.ignore_case))
    assert all(len(v) == 1 for v in by_namespace.values()), by_namespace


def test_service_table_names_botocore_services_with_sources() -> None:
    services = set(LOADER.list_available_services("service-2"))
    for key, entry in yaml.safe_load(service_region.TABLE.read_text()).items():
        assert entry["service"] in services, key
        assert entry["source"], key


def test_opt_in_regions_are_botocore_regions() -> None:
    assert set(opt_in_region.opt_in_regions()) <= AWS_REGIONS


def test_crd_chart_groups_are_not_built_in_kinds_and_are_sourced() -> None:
    for group, entry in yaml.safe_load(crd_order.TABLE.read_text()).items():
        assert entry["source"].startswith("https://"), group
        assert crd_order.custom_kind(f"kubernetes:{group}/v1:Thing") == (group, "Thing")


@pytest.mark.parametrize("token", ["kubernetes:apps/v1:Deployment",
                                   "kubernetes:core/v1:ConfigMap",
                                   "kubernetes:helm.sh/v3:Release",
                                   "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
                                   "pulumi:providers:kubernetes"])
def test_built_in_kinds_are_not_custom(token: str) -> None:
    assert crd_order.custom_kind(token) is None


def test_no_mapped_provider_module_is_missing_from_us_east_1() -> None:
    """A sanity net for the module -> endpoint mapping: AWS launches nearly every service in
    us-east-1, so a mapping that says otherwise is almost surely a wrong endpoint prefix.
    (Device Farm really is us-west-2 only.)"""
    import pkgutil

    import pulumi_aws

    wrong = []
    for module in pkgutil.iter_modules(pulumi_aws.__path__):
        service = service_region.botocore_service(f"aws:{module.name}/thing:Thing")
        if service and service_region.service_in_region(service, "us-east-1") is False:
            wrong.append(module.name)
    assert set(wrong) <= {"devicefarm"}, wrong


@pytest.mark.parametrize("token,service", [
    ("aws:cloudwatch/logGroup:LogGroup", "logs"),
    ("aws:cloudwatch/eventRule:EventRule", "events"),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "cloudwatch"),
    ("aws:lb/targetGroup:TargetGroup", "elbv2"),
    ("aws-native:cognito:IdentityPool", "cognito-identity"),
    ("aws-native:cognito:UserPool", "cognito-idp"),
    ("aws-native:mediapackagev2:Channel", "mediapackagev2"),
    ("random:index/randomPassword:RandomPassword", None),
])
def test_provider_types_map_to_their_botocore_service(token: str, service: str | None) -> None:
    assert service_region.botocore_service(token) == service


def test_global_services_are_available_in_every_region() -> None:
    for region in AWS_REGIONS:
        if service_region.partition_of(region)["partition"] == "aws":
            assert service_region.service_in_region("iam", region) is True
            assert service_region.service_in_region("cloudfront", region) is True


def test_unknown_region_cannot_be_told() -> None:
    assert service_region.service_in_region("s3", "xx-nowhere-9") is None


# --- names ---------------------------------------------------------------------------

SQS = naming.rules()["aws:sqs/queue:Queue"]
BUCKET = naming.rules()["aws:s3/bucket:Bucket"]
QUEUE_CHARS = st.sampled_from("abcXYZ019_-")


@given(st.text(QUEUE_CHARS, min_size=1, max_size=SQS.max))
def test_queue_names_within_limits_pass(name: str) -> None:
    assert name_problem(SQS, name) is None


@given(st.text(QUEUE_CHARS, min_size=SQS.max + 1, max_size=SQS.max + 40))
def test_queue_names_over_the_limit_fail(name: str) -> None:
    assert "over the limit" in name_problem(SQS, name)


@pytest.mark.parametrize("name,ok", [("my-assets-1", True), ("My-Assets", False),
                                     ("ab", False), ("a" * 64, False), ("-assets", False),
                                     ("assets-s3alias", False), ("xn--assets", False)])
def test_bucket_name_rules(name: str, ok: bool) -> None:
    assert (name_problem(BUCKET, name) is None) == ok


@pytest.mark.parametrize("name,ok", [("aurora-prod", True), ("aurora--prod", False),
                                     ("1aurora", False), ("aurora-", False)])
def test_db_identifier_rules(name: str, ok: bool) -> None:
    rule = naming.rules()["aws:rds/cluster:Cluster"]
    assert (name_problem(rule, name) is None) == ok


def test_kms_alias_needs_the_prefix_and_refuses_the_aws_namespace() -> None:
    rule = naming.rules()["aws:kms/alias:Alias"]
    assert name_problem(rule, "alias/app-key") is None
    assert name_problem(rule, "app-key") is not None
    assert name_problem(rule, "alias/aws/app") is not None


def test_documentdb_and_rds_clusters_share_a_namespace() -> None:
    rules = naming.rules()
    assert rules["aws:docdb/cluster:Cluster"].namespace == rules[
        "aws:rds/cluster:Cluster"].namespace


def test_accounts() -> None:
    assert share_account(None, ("1",)) and share_account(("1", "2"), ("2",))
    assert not share_account(("1",), ("2",))


@pytest.mark.parametrize("value,opaque", [("[unknown]", True), ("x-[unknown]-y", True),
                                          ("[secret]", True), ({"a": ["[unknown]"]}, True),
                                          ("plain", False), (3, False), (None, False)])
def test_opaque_values(value: object, opaque: bool) -> None:
    assert is_opaque(value) == opaque


# --- helm ----------------------------------------------------------------------------


@pytest.mark.parametrize("chart,repo,fails_with", [
    ("karpenter", "oci://public.ecr.aws/karpenter", "is an OCI registry"),
    ("oci://public.ecr.aws/karpenter/karpenter", None, None),
    ("oci://public.ecr.aws/karpenter/karpenter", "https://charts.example.com",
     "drop repositoryOpts.repo"),
    ("loki", "https://grafana.github.io/helm-charts", None),
    ("grafana/loki", "https://grafana.github.io/helm-charts", "repository prefix"),
    ("grafana/loki", None, "helm repo add"),
    ("loki", None, "no repositoryOpts.repo"),
    ("loki", "ftp://charts.example.com", "not an http(s) chart repository"),
])
def test_chart_references(chart: str, repo: str | None, fails_with: str | None) -> None:
    reason = helm_chart.problem(chart, repo, None)
    assert (reason is None) if fails_with is None else (fails_with in reason)


def test_local_chart_paths_resolve_against_the_project(tmp_path: Path) -> None:
    (tmp_path / "charts" / "app").mkdir(parents=True)
    assert helm_chart.problem("./charts/app", None, tmp_path) is None
    assert "does not exist" in helm_chart.problem("./charts/missing", None, tmp_path)


@pytest.mark.parametrize("group,chart,installs", [
    ("keda.sh", "keda", True), ("kafka.strimzi.io", "strimzi-kafka-operator", True),
    ("apps.example.com", "example-operator", True), ("keda.sh", "loki", False),
    ("example.com", "operator", False), ("keda.sh", None, False)])
def test_charts_named_after_an_unknown_group(group: str, chart: str | None,
                                             installs: bool) -> None:
    assert crd_order.named_after(group, chart) == installs


def test_chart_urls_resolve_by_themselves() -> None:
    assert helm_chart.problem("https://charts.example.com/app-1.0.0.tgz", None, None) is None
    assert "drop one" in helm_chart.problem("https://charts.example.com/app-1.0.0.tgz",
                                            "https://charts.example.com", None)


def test_rules_on_other_event_buses_do_not_collide() -> None:
    from platformctl.checks import run_checks

    rule = "aws:cloudwatch/eventRule:EventRule"
    apart = _plan((rule, "a", {"name": "nightly"}),
                  (rule, "b", {"name": "nightly", "eventBusName": "orders"}))
    together = _plan((rule, "a", {"name": "nightly", "eventBusName": "orders"}),
                     (rule, "b", {"name": "nightly", "eventBusName": "orders"}))
    assert [f.check for f in run_checks([apart]).findings] == []
    assert [f.check for f in run_checks([together]).findings] == ["name-collision"] * 2


def _plan(*resources: tuple[str, str, dict]) -> object:
    from platformctl.checks.plan_view import StackPlan

    return StackPlan(plan={"stack": "s", "resources": [
        {"urn": f"urn:pulumi:s::p::{type_}::{name}", "type": type_, "name": name,
         "parent": None, "provider": None, "region": "us-east-1", "dependencies": [],
         "props": props} for type_, name, props in resources]})


@pytest.mark.parametrize("prefix,fails", [("web-", False), ("webapp", False),
                                          ("webapp-", True)])
def test_load_balancer_name_prefix_limit(prefix: str, fails: bool) -> None:
    from platformctl.checks import run_checks

    view = _plan(("aws:lb/loadBalancer:LoadBalancer", "alb", {"namePrefix": prefix}))
    assert [f.check for f in run_checks([view]).findings] == (["name-invalid"] if fails else [])


def test_regions_offering_a_service_share_the_geography_and_offer_it() -> None:
    for service, region in (("devicefarm", "us-east-1"), ("mediapackagev2", "me-south-1")):
        nearby = service_region.regions_offering(service, region)
        assert region not in nearby
        assert all(r.split("-")[0] == region.split("-")[0] for r in nearby)
        assert all(service_region.service_in_region(service, r) for r in nearby)


def test_without_a_region_only_regional_services_are_listed_unchecked() -> None:
    from platformctl.checks import run_checks

    view = _plan(("aws:iam/role:Role", "role", {}), ("aws:sqs/queue:Queue", "queue", {}))
    for resource in view.plan["resources"]:
        resource["region"] = None
    report = run_checks([view])
    assert report.findings == []
    assert [u.urn.rsplit("::", 1)[-1] for u in report.unchecked
            if u.check == "service-not-in-region"] == ["queue"]


def test_a_custom_resource_rendered_by_its_own_chart_is_in_order() -> None:
    from platformctl.checks import run_checks

    chart = ("kubernetes:helm.sh/v3:Chart", "keda",
             {"chart": "keda", "fetchOpts": {"repo": "https://kedacore.github.io/charts"}})
    scaler = ("kubernetes:keda.sh/v1alpha1:ScaledObject", "scaler", {})
    alone = _plan(chart, scaler)
    assert [f.check for f in run_checks([alone]).findings] == ["crd-order"]
    rendered = _plan(chart, scaler)
    rendered.plan["resources"][1]["parent"] = rendered.plan["resources"][0]["urn"]
    assert run_checks([rendered]).findings == []
