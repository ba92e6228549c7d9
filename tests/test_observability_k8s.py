"""K8sMonitoring: pinned Helm releases, Loki in a telemetry bucket of the stack's region through
Pod Identity, locked-down namespaces, and the chat webhook only ever as a secret."""

from __future__ import annotations

import json
import re

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.k8s_monitoring import CHART_VERSIONS, K8sMonitoring, K8sMonitoringArgs
from tests.plans import PlanView, in_region, run_offline

RELEASE = "kubernetes:helm.sh/v3:Release"
WEBHOOK = "https://alerts.example.com/hook/very-secret-token"
KUBECONFIG = json.dumps({"apiVersion": "v1", "kind": "Config", "clusters": [], "contexts": [],
                         "users": []})


def plan(region: str = "me-south-1", with_webhook: bool = True, **kwargs) -> PlanView:
    def build(opts: pulumi.ResourceOptions) -> None:
        provider = k8s.Provider("k8s", kubeconfig=KUBECONFIG)
        webhook = pulumi.Config("platform").get_secret("alertWebhookUrl") if with_webhook else None
        K8sMonitoring("mon", K8sMonitoringArgs(
            kubernetes_provider=provider, cluster_name="prod-eks", region=region,
            chat_webhook_url=webhook, **kwargs), opts=opts)
    return run_offline(in_region(region, build),
                       config={"platform:alertWebhookUrl": WEBHOOK},
                       secret_keys=["platform:alertWebhookUrl"])


def release(view: PlanView, chart: str) -> dict:
    return next(r for r in view.of_type(RELEASE) if r["props"]["chart"] == chart)


def test_every_release_pins_an_exact_chart_version() -> None:
    view = plan()
    releases = view.of_type(RELEASE)
    assert {r["props"]["chart"] for r in releases} == set(CHART_VERSIONS)
    for r in releases:
        assert re.fullmatch(r"\d+\.\d+\.\d+", r["props"]["version"]), r["name"]
        assert r["provider"].endswith("::k8s")


def test_prometheus_retention_and_storage_come_from_the_args() -> None:
    values = release(plan(prometheus_retention="30d", prometheus_storage_gi=200),
                     "kube-prometheus-stack")["props"]["values"]
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "30d"
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"][
        "storage"] == "200Gi"


@pytest.mark.parametrize("region", ["us-east-1", "me-south-1"])
def test_loki_bucket_is_in_the_stack_region_and_reached_by_pod_identity(region: str) -> None:
    view = plan(region=region)
    [store] = [s for s in view.of_type("platform:object_store:ObjectStore")
               if s["name"] == "mon-loki"]
    bucket = view.named("mon-loki-bucket")
    assert bucket["parent"] == store["urn"]
    assert bucket["region"] == region
    assert bucket["props"]["tags"]["data-class"] == "telemetry"
    assert bucket["protect"] is True
    # The store's one policy: TLS only (the Loki bucket had none before ObjectStore).
    policy = json.loads(view.named("mon-loki-policy")["props"]["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport"]
    rules = {r["id"]: r for r in view.named("mon-loki-lifecycle")["props"]["rules"]}
    assert rules["expire-current-versions"]["expiration"]["days"] == 31
    assert "tier-current-versions" not in rules  # a day in Standard-IA would cost 30
    loki = release(view, "loki")["props"]["values"]["loki"]["storage"]
    assert loki["type"] == "s3" and loki["s3"]["region"] == region
    [association] = [a["props"] for a in view.of_type(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation") if "loki" in a["name"]]
    assert (association["clusterName"], association["namespace"],
            association["serviceAccount"]) == ("prod-eks", "monitoring", "loki")
    trust = json.loads(view.named("mon-loki-role")["props"]["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    policy = json.loads(view.named("mon-loki-role-policy")["props"]["policy"])
    resources = {r for s in policy["Statement"] for r in [s["Resource"]]}
    assert "*" not in resources
    bucket_arn = policy["Statement"][0]["Resource"]
    assert bucket_arn.startswith("arn:aws:s3:::mon-loki-bucket-")
    assert f"{bucket_arn}/*" in resources
    # The bucket's default key (the store's) is the one Loki may use.
    sse = view.named("mon-loki-encryption")["props"]["rules"][0]
    assert sse["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] in resources


def test_alertmanager_reads_the_webhook_from_a_secret() -> None:
    view = plan()
    text = json.dumps(view.plan)
    assert WEBHOOK not in text and "very-secret-token" not in text
    secret = view.named("mon-alert-webhook")
    assert secret["props"]["stringData"] == "[secret]"
    config = release(view, "kube-prometheus-stack")["props"]["values"]["alertmanager"]
    assert config["config"]["route"]["receiver"] == "chat"
    hook = config["config"]["receivers"][1]["webhook_configs"][0]
    assert hook["url_file"] == "/etc/alertmanager/secrets/alertmanager-chat-webhook/url"
    assert config["alertmanagerSpec"]["secrets"] == ["alertmanager-chat-webhook"]


def test_without_webhook_no_secret_and_no_chat_route() -> None:
    view = plan(with_webhook=False)
    assert not [r for r in view.resources if r["name"] == "mon-alert-webhook"]
    values = release(view, "kube-prometheus-stack")["props"]["values"]
    assert values["alertmanager"]["config"]["route"]["receiver"] == "null"


def test_namespaces_have_pod_security_and_deny_ingress_by_default() -> None:
    view = plan()
    namespaces = {n["props"]["metadata"]["name"]: n["props"]["metadata"]["labels"]
                  for n in view.of_type("kubernetes:core/v1:Namespace")}
    assert namespaces["monitoring"]["pod-security.kubernetes.io/enforce"] == "baseline"
    assert namespaces["monitoring-node"]["pod-security.kubernetes.io/enforce"] == "privileged"
    policies = {p["props"]["metadata"]["name"]: p["props"]["spec"]
                for p in view.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")}
    deny = policies["default-deny-ingress"]
    assert deny["podSelector"] == {} and deny["ingress"] == [] and deny["policyTypes"] == [
        "Ingress"]
    assert "allow-prometheus-scrape" in policies and "allow-same-namespace" in policies


def test_grafana_admin_password_is_generated_and_secret() -> None:
    view = plan()
    assert view.named("mon-grafana-admin")["props"]["stringData"] == "[secret]"
    password = view.named("mon-grafana-admin-password")
    assert password["type"] == "random:index/randomPassword:RandomPassword"


def test_managed_path_adds_encrypted_prometheus_and_grafana_workspaces() -> None:
    view = plan(managed_prometheus=True)
    workspace = view.one("aws:amp/workspace:Workspace")
    assert workspace["props"]["kmsKeyArn"].startswith("arn:aws:kms:me-south-1:")
    grafana = view.one("aws:grafana/workspace:Workspace")["props"]
    assert grafana["roleArn"].startswith("arn:aws:iam::")
    remote = release(view, "kube-prometheus-stack")["props"]["values"]["prometheus"][
        "prometheusSpec"]["remoteWrite"][0]
    assert remote["url"].endswith("/api/v1/remote_write")
    assert plan().of_type("aws:amp/workspace:Workspace") == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"chart_versions": {**CHART_VERSIONS, "loki": "6.x"}}, r"'loki' is '6.x', not an exact"),
    ({"chart_versions": {"loki": "6.29.0"}}, r"chart_versions: no version for"),
    ({"prometheus_retention": "forever"}, r"prometheus_retention: 'forever' is not"),
])
def test_bad_args_are_refused(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        K8sMonitoringArgs(kubernetes_provider=None, cluster_name="c",  # type: ignore[arg-type]
                          region="us-east-1", **kwargs)


def test_volumes_use_an_encrypted_gp3_storage_class_created_before_the_releases() -> None:
    view = plan(storage_class="monitoring-gp3")
    storage_class = view.one("kubernetes:storage.k8s.io/v1:StorageClass")
    props = storage_class["props"]
    assert props["metadata"]["name"] == "monitoring-gp3"
    assert props["provisioner"] == "ebs.csi.aws.com"
    assert props["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert (props["reclaimPolicy"], props["volumeBindingMode"], props["allowVolumeExpansion"]
            ) == ("Retain", "WaitForFirstConsumer", True)
    for r in view.of_type(RELEASE):
        assert storage_class["urn"] in r["dependencies"], r["name"]
    values = release(view, "kube-prometheus-stack")["props"]["values"]
    assert values["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"][
        "spec"]["storageClassName"] == "monitoring-gp3"
    assert values["grafana"]["persistence"]["storageClassName"] == "monitoring-gp3"


def test_the_storage_class_is_the_default_one_loki_binds_to() -> None:
    """EKS 1.30+ has no default StorageClass; Loki 6.x persistence takes the default."""
    view = plan()
    metadata = view.one("kubernetes:storage.k8s.io/v1:StorageClass")["props"]["metadata"]
    assert metadata["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"


def test_release_order_follows_what_each_release_needs() -> None:
    view = plan()
    operator = release(view, "kube-prometheus-stack")
    collector = release(view, "opentelemetry-collector")
    # The collector's PodMonitor needs the Prometheus Operator's CRDs.
    assert operator["urn"] in collector["dependencies"]
    associations = [a["urn"] for a in view.of_type(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation") if "loki" in a["name"]]
    assert associations
    assert set(associations) <= set(release(view, "loki")["dependencies"])


def test_long_term_metrics_go_to_a_bucket_in_the_region_through_the_thanos_sidecar() -> None:
    view = plan()
    values = release(view, "kube-prometheus-stack")["props"]["values"]
    thanos = values["prometheus"]["prometheusSpec"]["thanos"]["objectStorageConfig"]
    secret = next(s for s in view.of_type("kubernetes:core/v1:Secret")
                  if s["props"]["metadata"]["name"] == thanos["existingSecret"]["name"])
    # The objstore config (it names the bucket and key) stays a secret in every output.
    assert secret["props"]["stringData"] == "[secret]"
    bucket = view.named("mon-metrics-bucket")
    assert bucket["region"] == "me-south-1"
    assert bucket["props"]["tags"]["data-class"] == "telemetry"
    association = [a["props"] for a in view.of_type(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation")
        if a["props"]["serviceAccount"] == "kube-prometheus-stack-prometheus"]
    assert len(association) == 1
    assert not release(plan(long_term_metrics_days=0), "kube-prometheus-stack")["props"][
        "values"]["prometheus"]["prometheusSpec"].get("thanos")
