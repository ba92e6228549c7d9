"""The observability layer: profile -> Observability (and K8sMonitoring with EKS) wiring."""

from __future__ import annotations

import json

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.monitoring import MonitoredResource
from environments.model import Jurisdiction, Profile, StackSpec
from environments.sections.observability import AlarmThresholdsProfile, ObservabilityProfile
from stacks import observability as layer
from stacks.context import RegionalContext
from stacks.providers import RegionalProviders
from tests.plans import PlanView, run_offline

WEBHOOK = "https://hooks.example.com/T000/very-secret-token"
NAT = MonitoredResource("nat-gateway", "network-nat-a", {"NatGatewayId": "nat-0a"})
AURORA = MonitoredResource("aurora", "aurora", {"DBClusterIdentifier": "db"})


class FakeEks(pulumi.ComponentResource):
    """Stands in for the Eks component: the two attributes the layer reads."""

    def __init__(self) -> None:
        super().__init__("platform:test:FakeEks", "eks")
        self.kubernetes_provider = k8s.Provider("eks-k8s", kubeconfig="{}",
                                                opts=pulumi.ResourceOptions(parent=self))
        self.cluster_name = pulumi.Output.from_input("prod-eks")
        self.monitored = [MonitoredResource("eks-cluster", "eks", {"ClusterName": "prod-eks"})]


def spec(region: str = "me-south-1", **observability) -> StackSpec:
    return StackSpec(
        stack=f"prod-{region}", environment="prod", region=region, jurisdiction_name="sa",
        jurisdiction=Jurisdiction(regions=[region], r2_jurisdiction=None),
        availability_zones=[f"{region}a", f"{region}b"], vpc_cidr="10.40.0.0/16",
        profile=Profile(observability=ObservabilityProfile(**observability)))


def plan(stack_spec: StackSpec, *, webhook: bool = False, eks: bool = False) -> tuple[
        PlanView, dict]:
    ctx_holder: dict = {}

    def program() -> None:
        ctx = RegionalContext(spec=stack_spec, providers=RegionalProviders.create(stack_spec),
                              network=None)  # type: ignore[arg-type]
        ctx.monitored.extend([NAT, AURORA])
        if eks:
            ctx.add("eks", FakeEks())
        layer.build(ctx)
        ctx_holder["exports"] = ctx.exports
    config = {"platform:alertWebhookUrl": WEBHOOK} if webhook else {}
    view = run_offline(program, config=config, secret_keys=list(config))
    return view, ctx_holder["exports"]


def alarm_props(view: PlanView, suffix: str) -> dict:
    return next(r["props"] for r in view.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
                if r["props"]["name"].endswith(suffix))


def test_thresholds_come_from_the_profile() -> None:
    default, _ = plan(spec())
    tuned, _ = plan(spec(thresholds=AlarmThresholdsProfile(aurora_cpu_percent=55,
                                                           nat_port_allocation_errors=3)))
    assert alarm_props(default, "aurora-cpu")["threshold"] == 80
    assert alarm_props(tuned, "aurora-cpu")["threshold"] == 55
    assert alarm_props(tuned, "network-nat-a-port-allocation")["threshold"] == 3


def test_alarms_are_named_after_the_stack() -> None:
    view, exports = plan(spec())
    assert alarm_props(view, "aurora-cpu")["name"] == "prod-me-south-1-aurora-cpu"
    assert set(exports) >= {"alertTopicArn", "dashboardName"}


def test_webhook_from_secret_config_never_in_plaintext() -> None:
    view, _ = plan(spec(chat="webhook"), webhook=True)
    hooks = [r for r in view.of_type("aws:sns/topicSubscription:TopicSubscription")
             if r["props"]["protocol"] == "https"]
    assert [h["props"]["endpoint"] for h in hooks] == ["[secret]"]
    assert "very-secret-token" not in json.dumps(view.plan)


def test_webhook_chat_without_the_secret_creates_no_subscription() -> None:
    view, _ = plan(spec(chat="webhook"), webhook=False)
    assert view.of_type("aws:sns/topicSubscription:TopicSubscription") == []
    assert any("alertWebhookUrl" in d["message"] for d in view.plan["diagnostics"])


def test_slack_profile_needs_both_ids() -> None:
    with pytest.raises(ValueError, match="chat 'slack' needs slack_team_id and slack_channel_id"):
        ObservabilityProfile(chat="slack", slack_team_id="T1")


def test_with_eks_the_cluster_is_alarmed_and_monitored_inside() -> None:
    view, exports = plan(spec(), eks=True, webhook=True)
    assert alarm_props(view, "eks-failed-nodes")["dimensions"] == {"ClusterName": "prod-eks"}
    releases = view.of_type("kubernetes:helm.sh/v3:Release")
    assert len(releases) == 3 and all(r["props"]["version"] for r in releases)
    assert view.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")["props"][
        "clusterName"] == "prod-eks"
    loki_bucket = next(b for b in view.of_type("aws:s3/bucket:Bucket")
                       if b["name"] == "k8s-monitoring-loki-bucket")
    assert loki_bucket["region"] == "me-south-1"
    assert "lokiBucketName" in exports
    assert "very-secret-token" not in json.dumps(view.plan)


def test_without_eks_no_kubernetes_resources() -> None:
    view, _ = plan(spec())
    assert not [r for r in view.resources if r["type"].startswith("kubernetes:")]


def test_disabled_builds_nothing() -> None:
    view, exports = plan(spec(enabled=False))
    assert not [r for r in view.resources if r["type"].startswith("platform:observability")]
    assert exports == {}
