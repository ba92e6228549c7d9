"""EKS under the offline engine (prod profile), its validation, and the staging/dev profiles."""

from __future__ import annotations

import json
from typing import Any

import pulumi_kubernetes as k8s
import pytest

from components.eks import ADDONS, EksArgs, NodeGroupSpec, Taint
from platformctl.fixtures import ID_PREFIXES, digest
from tests.compute_stack import build_compute, plan_compute, spec_of
from tests.plans import PlanView, in_region, run_offline

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


def subnet_ids(view: PlanView, tier: str) -> list[str]:
    return sorted(ID_PREFIXES[s["type"]] + digest(s["urn"])
                  for s in view.of_type("aws:ec2/subnet:Subnet")
                  if s["props"]["tags"]["tier"] == tier)


@pytest.fixture(scope="module")
def prod() -> PlanView:
    return plan_compute(spec_of("prod"))


def test_endpoint_is_private_and_not_open_to_the_world(prod: PlanView) -> None:
    vpc = prod.one("aws:eks/cluster:Cluster")["props"]["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is False
    assert "0.0.0.0/0" not in vpc.get("publicAccessCidrs", [])
    assert sorted(vpc["subnetIds"]) == subnet_ids(prod, "private")


def test_secrets_are_encrypted_with_a_rotating_customer_key(prod: PlanView) -> None:
    cluster = prod.one("aws:eks/cluster:Cluster")
    key = prod.named("eks-secrets-key")
    encryption = cluster["props"]["encryptionConfig"]
    assert encryption["resources"] == ["secrets"]
    assert encryption["provider"]["keyArn"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert key["urn"] in cluster["dependencies"]
    assert key["props"]["enableKeyRotation"] is True
    # The control plane may use exactly that key.
    policy = json.loads(prod.named("eks-cluster-role-policy")["props"]["policy"])
    assert policy["Statement"][0]["Resource"] == encryption["provider"]["keyArn"]


def test_control_plane_logs_and_api_authentication(prod: PlanView) -> None:
    cluster = prod.one("aws:eks/cluster:Cluster")
    props = cluster["props"]
    assert set(props["enabledClusterLogTypes"]) >= {"api", "audit", "authenticator"}
    assert props["accessConfig"]["authenticationMode"] == "API"
    group = prod.named("eks-control-plane-logs")
    assert group["props"]["name"] == "/aws/eks/prod-platform/cluster"
    assert group["props"]["retentionInDays"] == 365
    assert group["props"]["kmsKeyId"].startswith("arn:aws:kms:")
    assert group["urn"] in cluster["dependencies"]


def test_node_groups_span_every_az_on_demand_and_spot(prod: PlanView) -> None:
    groups = {g["name"]: g["props"] for g in prod.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert set(groups) == {"eks-system-nodes", "eks-workload-nodes"}
    for props in groups.values():
        assert sorted(props["subnetIds"]) == subnet_ids(prod, "private")
        assert len(props["subnetIds"]) == len(ZONES)
    system, spot = groups["eks-system-nodes"], groups["eks-workload-nodes"]
    assert system["capacityType"] == "ON_DEMAND"
    assert system["taints"] == [{"key": "CriticalAddonsOnly", "value": "true",
                                 "effect": "NO_SCHEDULE"}]
    assert system["labels"] == {"node-role": "system"}
    assert spot["capacityType"] == "SPOT" and len(spot["instanceTypes"]) >= 2
    assert spot["labels"]["capacity"] == "spot"


def test_node_launch_templates_encrypt_disks_and_require_imdsv2(prod: PlanView) -> None:
    templates = {t["name"]: t for t in prod.of_type("aws:ec2/launchTemplate:LaunchTemplate")}
    groups = {g["name"]: g["props"] for g in prod.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert groups and set(templates) == {n.removesuffix("-nodes") + "-lt" for n in groups}
    for name, group in groups.items():
        template = templates[name.removesuffix("-nodes") + "-lt"]
        assert group["launchTemplate"]["id"] == (
            ID_PREFIXES[template["type"]] + digest(template["urn"])), name
    for template in templates.values():
        props = template["props"]
        assert props["metadataOptions"]["httpTokens"] == "required"
        assert props["metadataOptions"]["httpPutResponseHopLimit"] == 1
        assert props["blockDeviceMappings"][0]["ebs"]["encrypted"] == "true"


def test_networking_addons_exist_before_nodes_and_the_rest_after(prod: PlanView) -> None:
    addons = {a["props"]["addonName"]: a for a in prod.of_type("aws:eks/addon:Addon")}
    assert set(addons) == {a.name for a in ADDONS}
    for group in prod.of_type("aws:eks/nodeGroup:NodeGroup"):
        for addon in ADDONS:
            before = addons[addon.name]["urn"] in group["dependencies"]
            assert before == addon.before_compute, addon.name
    for addon in ADDONS:
        if not addon.before_compute:
            deps = addons[addon.name]["dependencies"]
            assert all(g["urn"] in deps for g in prod.of_type("aws:eks/nodeGroup:NodeGroup"))


@pytest.mark.parametrize(("addon", "service_account", "policy"), [
    ("vpc-cni", "aws-node", "AmazonEKS_CNI_Policy"),
    ("aws-ebs-csi-driver", "ebs-csi-controller-sa", "AmazonEBSCSIDriverPolicy"),
])
def test_addon_roles_through_pod_identity(prod: PlanView, addon: str, service_account: str,
                                          policy: str) -> None:
    props = prod.named(f"eks-{addon}")["props"]
    [association] = props["podIdentityAssociations"]
    assert association["serviceAccount"] == service_account
    role = prod.named(f"eks-{addon}-role")
    assert association["roleArn"].split("/")[-1].startswith(f"eks-{addon}-role")
    trust = json.loads(role["props"]["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    attached = [a["props"]["policyArn"] for a in prod.of_type(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a["name"].startswith(
        f"eks-{addon}-role")]
    assert [a.rsplit("/", 1)[-1] for a in attached] == [policy]


def test_node_role_does_not_carry_the_cni_policy(prod: PlanView) -> None:
    attached = [a["props"]["policyArn"] for a in prod.of_type(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a["name"].startswith(
        "eks-nodes-role")]
    assert attached and not any("CNI" in arn for arn in attached)


def test_karpenter_release_is_pinned_and_wired_to_its_queue(prod: PlanView) -> None:
    release = prod.one("kubernetes:helm.sh/v3:Release")
    props = release["props"]
    # The full OCI reference, no classic repository (pulumi-kubernetes#2334).
    assert props["chart"] == "oci://public.ecr.aws/karpenter/karpenter"
    assert not (props.get("repositoryOpts") or {}).get("repo")
    assert props["version"] == "1.5.1"
    queue = prod.one("aws:sqs/queue:Queue")["props"]
    assert queue["sqsManagedSseEnabled"] is True
    assert props["values"]["settings"] == {"clusterName": "prod-platform",
                                           "interruptionQueue": queue["name"]}
    assert release["provider"].endswith("::eks-k8s")


def test_karpenter_interruption_rules_target_the_queue(prod: PlanView) -> None:
    rules = prod.of_type("aws:cloudwatch/eventRule:EventRule")
    detail_types = {json.loads(r["props"]["eventPattern"])["detail-type"][0] for r in rules}
    assert detail_types == {"AWS Health Event", "EC2 Spot Instance Interruption Warning",
                            "EC2 Instance Rebalance Recommendation",
                            "EC2 Instance State-change Notification"}
    targets = prod.of_type("aws:cloudwatch/eventTarget:EventTarget")
    assert len(targets) == 4 and all(":sqs:" in t["props"]["arn"] for t in targets)


def test_karpenter_nodes_run_a_pinned_ami(prod: PlanView) -> None:
    node_class = next(r for r in prod.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"))
    assert node_class["props"]["spec"]["amiSelectorTerms"] == [{"alias": "al2023@v20250915"}]


def test_karpenter_queue_admits_only_its_own_rules(prod: PlanView) -> None:
    queue = prod.one("aws:sqs/queue:Queue")["props"]["name"]
    policy = json.loads(prod.one("aws:sqs/queuePolicy:QueuePolicy")["props"]["policy"])
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert all(s["Principal"] == {"Service": "events.amazonaws.com"}
               and s["Action"] == "sqs:SendMessage" and s["Resource"].endswith(f":{queue}")
               for s in allows)
    sources = sorted(s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in allows)
    rules = sorted(t["props"]["rule"]
                   for t in prod.of_type("aws:cloudwatch/eventTarget:EventTarget"))
    assert len(rules) == 4
    assert sources == [f"arn:aws:events:us-east-1:{source.split(':')[4]}:rule/{rule}"
                       for source, rule in zip(sources, rules, strict=True)]


def test_karpenter_nodes_join_through_an_access_entry(prod: PlanView) -> None:
    entry = prod.named("eks-karpenter-node-access")["props"]
    assert entry["type"] == "EC2_LINUX"
    assert "eks-karpenter-node-role" in entry["principalArn"]
    policy = json.loads(prod.named("eks-karpenter-controller-role-policy")["props"]["policy"])
    pass_role = next(s for s in policy["Statement"] if s["Sid"] == "AllowPassingInstanceRole")
    assert pass_role["Resource"] == entry["principalArn"]


def test_kubernetes_provider_is_exposed_with_an_exec_kubeconfig() -> None:
    captured: dict[str, Any] = {}

    def program(opts: Any) -> None:
        captured["ctx"] = build_compute(spec_of("staging"), opts)

    view = run_offline(in_region("us-east-1", program), stack="compute-staging-us-east-1")
    eks = captured["ctx"].components["eks"]
    assert isinstance(eks.kubernetes_provider, k8s.Provider)
    provider = view.one("pulumi:providers:kubernetes")["props"]
    kubeconfig = json.loads(provider["kubeconfig"])
    assert kubeconfig["users"][0]["user"]["exec"]["args"][:2] == ["eks", "get-token"]
    assert eks.node_security_group_id in captured["ctx"].workload_security_group_ids


def test_dev_profile_has_no_cluster() -> None:
    view = plan_compute(spec_of("dev"))
    assert not view.of_type("aws:eks/cluster:Cluster")


def test_public_endpoint_admits_only_the_configured_cidrs() -> None:
    view = plan_compute(spec_of("staging", eks={"endpoint_public_access": True,
                                                "public_access_cidrs": ["203.0.113.0/24"],
                                                "karpenter": False}))
    vpc = view.one("aws:eks/cluster:Cluster")["props"]["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]
    assert not view.of_type("kubernetes:helm.sh/v3:Release")


def args(**overrides: Any) -> EksArgs:
    base: dict[str, Any] = {"cluster_name": "prod-platform",
                            "subnet_ids": ["subnet-a", "subnet-b", "subnet-c"],
                            "availability_zones": ZONES}
    return EksArgs(**{**base, **overrides})


@pytest.mark.parametrize(("overrides", "message"), [
    ({"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]},
     r"^public_access_cidrs: 0\.0\.0\.0/0 opens the API server to the world"),
    ({"endpoint_public_access": True}, r"^public_access_cidrs: required when"),
    ({"public_access_cidrs": ["203.0.113.0/24"]}, r"^public_access_cidrs: given but"),
    ({"public_access_cidrs": ["203.0.113.1/24"], "endpoint_public_access": True},
     r"^public_access_cidrs: '203\.0\.113\.1/24' is not a CIDR"),
    ({"subnet_ids": ["subnet-a"]}, r"^subnet_ids: 1 subnets for 3 AZs"),
    ({"availability_zones": ["us-east-1a"], "subnet_ids": ["s"]}, r"^availability_zones: EKS"),
    ({"cluster_name": "-bad name"}, r"^cluster_name: '-bad name' is invalid"),
    ({"kubernetes_version": "latest"}, r"^kubernetes_version: 'latest'"),
    ({"karpenter_chart_version": "1.x"}, r"^karpenter_chart_version: '1.x' is not pinned"),
    ({"karpenter_ami_alias": "al2023@latest"},
     r"^karpenter_ami_alias: 'al2023@latest' is not a pinned AMI alias; give a released version "
     r"like al2023@v20250915, bumped deliberately$"),
    ({"log_retention_days": 10},
     r"^log_retention_days: 10 is not a CloudWatch Logs retention; use one of 1, 3, 5, .*, "
     r"3653$"),
    ({"addon_versions": {"istio": "1.0"}}, r"^addon_versions: unknown add-on istio"),
    ({"system_node_group": NodeGroupSpec(capacity_type="SPOT", instance_types=["a", "b"])},
     r"^system_node_group: must be ON_DEMAND"),
])
def test_invalid_cluster_args_name_the_field(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        args(**overrides)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"min_size": 5, "max_size": 3, "desired_size": 4}, r"^min_size: 5 exceeds max_size 3"),
    ({"min_size": 1, "max_size": 3, "desired_size": 4}, r"^desired_size: 4 is outside"),
    ({"capacity_type": "SPOT", "instance_types": ["m7i.large"]},
     r"^instance_types: a SPOT group needs at least two"),
    ({"instance_types": []}, r"^instance_types: empty"),
    ({"capacity_type": "RESERVED"}, r"^capacity_type: 'RESERVED' is unknown"),
    ({"disk_size_gib": 8}, r"^disk_size_gib: 8 is below 20"),
])
def test_invalid_node_groups_name_the_field(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NodeGroupSpec(**kwargs)


def test_invalid_taint_effect_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"^taints.effect: 'NoSchedule' is unknown"):
        Taint(key="dedicated", effect="NoSchedule")  # type: ignore[arg-type]

