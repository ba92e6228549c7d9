"""Karpenter on an EKS cluster: controller role (Pod Identity), interruption queue with its
EventBridge rules, the pinned Helm chart, and a default EC2NodeClass + NodePool.

Follows the Karpenter v1 getting-started CloudFormation and terraform-aws-eks'
`modules/karpenter`; the controller's EC2 and IAM rights are scoped to resources tagged
for this cluster.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws_context import AwsContext
from components.iam import pod_identity_role, policy_document, service_grant_statement
from components.k8s_baseline import zone_spread
from components.labels import child_name, resource_tags

# The full OCI reference as the chart: pulumi-kubernetes treats `repository_opts.repo` as a
# classic repository and fails fetching its index.yaml (pulumi-kubernetes#2334).
CHART_REFERENCE = "oci://public.ecr.aws/karpenter/karpenter"
SERVICE_ACCOUNT = "karpenter"
# EventBridge events Karpenter reacts to by draining the node before it goes away.
INTERRUPTION_EVENTS = {
    "health": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
    "spot": {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
    "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    "state-change": {"source": ["aws.ec2"],
                     "detail-type": ["EC2 Instance State-change Notification"]},
}
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
# Pinned node AMI release (an EKS-optimized AL2023 release of awslabs/amazon-eks-ami).
AMI_ALIAS = "al2023@v20250915"
# `<family>@<version>`, e.g. al2023@v20250915 or bottlerocket@v1.46.0; never `@latest`.
PINNED_AMI_ALIAS = re.compile(r"^[a-z0-9]+@v\d[0-9.]*$")


@dataclass(frozen=True, kw_only=True)
class KarpenterArgs:
    cluster_name: pulumi.Input[str]
    """EKS cluster name (an Output of the cluster, so everything here waits for it)."""
    cluster_arn: pulumi.Input[str]
    """EKS cluster ARN (eks:DescribeCluster is limited to it)."""
    node_role_arn: pulumi.Input[str]
    """Role of the nodes Karpenter launches (needs an EC2_LINUX access entry)."""
    node_role_name: pulumi.Input[str]
    """Name of that role (the EC2NodeClass refers to it)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets the nodes may launch in (every AZ)."""
    node_security_group_id: pulumi.Input[str]
    """Security group of the nodes (the cluster security group)."""
    kubernetes_provider: k8s.Provider
    """Provider of the cluster the chart is installed into."""
    chart_version: str = "1.5.1"
    """Pinned chart version (never floating); bump deliberately after reading the upgrade guide."""
    namespace: str = "kube-system"
    """Namespace of the controller (kube-system keeps it with the other critical add-ons)."""
    cpu_limit: int = 1000
    """vCPUs the default NodePool may provision at most (a cost ceiling)."""
    zone_spread: bool = False
    """Spread the controller's replicas evenly over AZs (topology spread, maxSkew 1)."""
    ami_alias: str = AMI_ALIAS
    """Pinned node AMI alias of the default EC2NodeClass (default al2023@v20250915), never
    `@latest`: a new AMI then rolls every node only when someone bumps this deliberately
    (after checking the amazon-eks-ami release notes), not whenever AWS publishes one."""

    def __post_init__(self) -> None:
        if not SEMVER.match(self.chart_version):
            raise ValueError(f"chart_version: '{self.chart_version}' is not pinned; give an "
                             "exact x.y.z version")
        if not self.subnet_ids:
            raise ValueError("subnet_ids: empty; give the private subnets of every AZ")
        if self.cpu_limit < 1:
            raise ValueError(f"cpu_limit: {self.cpu_limit} must be positive")
        check_ami_alias("ami_alias", self.ami_alias)


def check_ami_alias(field: str, alias: str) -> None:
    """Raise ValueError naming `field` unless `alias` is a pinned EC2NodeClass AMI alias."""
    if not PINNED_AMI_ALIAS.match(alias):
        raise ValueError(f"{field}: '{alias}' is not a pinned AMI alias; give a released "
                         f"version like {AMI_ALIAS}, bumped deliberately")


class Karpenter(pulumi.ComponentResource):
    """The Karpenter controller and everything it needs in AWS."""

    controller_role_arn: pulumi.Output[str]
    """Role of the controller (through a Pod Identity association)."""
    queue_name: pulumi.Output[str]
    """Interruption queue."""
    release_name: pulumi.Output[str]
    """Helm release name."""

    def __init__(self, name: str, args: KarpenterArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:karpenter:Karpenter", name, None, opts)
        self._name = name
        self.args = args
        ctx = AwsContext.of(self)
        queue = self._interruption_queue(ctx)
        self.queue_name = queue.name
        controller = pod_identity_role(
            name, "controller-role", parent=self, aws_context=ctx,
            description=f"Karpenter controller ({name})",
            inline_policies={"controller-role-policy": pulumi.Output.all(
                args.cluster_name, ctx.partition, ctx.region, ctx.account_id, args.cluster_arn,
                queue.arn, args.node_role_arn).apply(lambda a: _controller_policy(*a))})
        self.controller_role_arn = controller.arn
        association = aws.eks.PodIdentityAssociation(
            child_name(name, "pod-identity"), cluster_name=args.cluster_name,
            namespace=args.namespace, service_account=SERVICE_ACCOUNT, role_arn=controller.arn,
            tags=resource_tags(child_name(name, "pod-identity")),
            opts=pulumi.ResourceOptions(parent=self))
        release = self._release(queue, association)
        self.release_name = release.name
        self._default_node_pool(release)
        self.register_outputs({"controllerRoleArn": self.controller_role_arn,
                               "queueName": self.queue_name, "releaseName": self.release_name})

    def _interruption_queue(self, ctx: AwsContext) -> aws.sqs.Queue:
        opts = pulumi.ResourceOptions(parent=self)
        name = child_name(self._name, "interruptions")
        queue = aws.sqs.Queue(name, name=self.args.cluster_name,
                              message_retention_seconds=300,
                              sqs_managed_sse_enabled=True, tags=resource_tags(name, extra={
                                  "policy-waiver:queue-topic-stream-encrypted":
                                  "EC2 interruption notices (no user data); SSE-SQS as in "
                                  "Karpenter's reference template"}), opts=opts)
        rules: dict[str, aws.cloudwatch.EventRule] = {}
        for event, pattern in INTERRUPTION_EVENTS.items():
            rule_name = child_name(self._name, f"{event}-rule")
            rule = aws.cloudwatch.EventRule(
                rule_name, description=f"Karpenter interruption: {pattern['detail-type'][0]}",
                event_pattern=json.dumps(pattern), tags=resource_tags(rule_name), opts=opts)
            rules[event] = rule
            aws.cloudwatch.EventTarget(child_name(self._name, f"{event}-target"), rule=rule.name,
                                       target_id="KarpenterInterruptionQueue", arn=queue.arn,
                                       opts=opts)

        # EventBridge may send only on behalf of this component's own rules.
        def queue_policy(arn: str, *rule_arns: str) -> str:
            writes = [service_grant_statement(
                f"EventBridgeWrites{event.title().replace('-', '')}", "events.amazonaws.com",
                "sqs:SendMessage", arn, source_arn=rule_arn)
                for event, rule_arn in zip(rules, rule_arns, strict=True)]
            return policy_document([*writes, {
                "Sid": "DenyHTTP", "Effect": "Deny", "Action": "sqs:*", "Principal": "*",
                "Resource": arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}])

        aws.sqs.QueuePolicy(
            f"{name}-policy", queue_url=queue.url,
            policy=pulumi.Output.all(queue.arn, *(rule.arn for rule in rules.values()))
            .apply(lambda a: queue_policy(*a)), opts=opts)
        return queue

    def _release(self, queue: aws.sqs.Queue,
                 association: aws.eks.PodIdentityAssociation) -> k8s.helm.v3.Release:
        args = self.args
        return k8s.helm.v3.Release(
            child_name(self._name, "release"),
            name="karpenter",
            chart=CHART_REFERENCE,
            version=args.chart_version,
            namespace=args.namespace,
            atomic=True,
            cleanup_on_fail=True,
            values={
                "serviceAccount": {"name": SERVICE_ACCOUNT},
                "replicas": 2,
                "settings": {"clusterName": args.cluster_name, "interruptionQueue": queue.name},
                # Runs on the on-demand system group (it must not run on nodes it manages).
                "nodeSelector": {"node-role": "system"},
                "controller": {"resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                                             "limits": {"memory": "512Mi"}}},
                **({"topologySpreadConstraints": zone_spread(
                    {"app.kubernetes.io/name": "karpenter"})} if args.zone_spread else {}),
            },
            opts=pulumi.ResourceOptions(parent=self, provider=args.kubernetes_provider,
                                        depends_on=[association]))

    def _default_node_pool(self, release: k8s.helm.v3.Release) -> None:
        args = self.args
        opts = pulumi.ResourceOptions(parent=self, provider=args.kubernetes_provider,
                                      depends_on=[release])
        k8s.apiextensions.CustomResource(
            child_name(self._name, "node-class"),
            api_version="karpenter.k8s.aws/v1", kind="EC2NodeClass",
            metadata={"name": "default"},
            spec={
                "role": args.node_role_name,
                "amiSelectorTerms": [{"alias": args.ami_alias}],
                "subnetSelectorTerms": [{"id": s} for s in args.subnet_ids],
                "securityGroupSelectorTerms": [{"id": args.node_security_group_id}],
                "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1,
                                    "httpEndpoint": "enabled"},
                "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {
                    "volumeSize": "50Gi", "volumeType": "gp3", "encrypted": True}}],
            },
            opts=opts)
        k8s.apiextensions.CustomResource(
            child_name(self._name, "node-pool"),
            api_version="karpenter.sh/v1", kind="NodePool",
            metadata={"name": "default"},
            spec={
                "template": {"spec": {
                    "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass",
                                     "name": "default"},
                    "requirements": [
                        {"key": "karpenter.sh/capacity-type", "operator": "In",
                         "values": ["spot", "on-demand"]},
                        {"key": "kubernetes.io/arch", "operator": "In", "values": ["amd64"]},
                        {"key": "karpenter.k8s.aws/instance-category", "operator": "In",
                         "values": ["c", "m", "r"]},
                        {"key": "karpenter.k8s.aws/instance-generation", "operator": "Gt",
                         "values": ["5"]},
                    ],
                    "expireAfter": "720h",
                }},
                "limits": {"cpu": str(args.cpu_limit)},
                "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized",
                               "consolidateAfter": "1m"},
            },
            opts=opts)


def _controller_policy(cluster: str, partition: str, region: str, account: str,
                       cluster_arn: str, queue_arn: str, node_role_arn: str) -> str:
    """Karpenter v1 controller policy, scoped to this cluster's tagged resources."""
    ec2 = f"arn:{partition}:ec2:{region}"
    owned = {f"aws:ResourceTag/kubernetes.io/cluster/{cluster}": "owned"}
    request_owned = {f"aws:RequestTag/kubernetes.io/cluster/{cluster}": "owned",
                     "aws:RequestTag/eks:eks-cluster-name": cluster}
    launched = [f"{ec2}:*:{kind}/*" for kind in (
        "fleet", "instance", "volume", "network-interface", "launch-template",
        "spot-instances-request")]
    profile_arn = f"arn:{partition}:iam::{account}:instance-profile/*"
    statements = [
        {"Sid": "AllowScopedEC2InstanceAccessActions", "Effect": "Allow",
         "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
         "Resource": [f"{ec2}::image/*", f"{ec2}::snapshot/*", f"{ec2}:*:security-group/*",
                      f"{ec2}:*:subnet/*", f"{ec2}:*:capacity-reservation/*"]},
        {"Sid": "AllowScopedEC2LaunchTemplateAccessActions", "Effect": "Allow",
         "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
         "Resource": f"{ec2}:*:launch-template/*",
         "Condition": {"StringEquals": owned,
                       "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}}},
        {"Sid": "AllowScopedEC2InstanceActionsWithTags", "Effect": "Allow",
         "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
         "Resource": launched,
         "Condition": {"StringEquals": request_owned,
                       "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}}},
        {"Sid": "AllowScopedResourceCreationTagging", "Effect": "Allow",
         "Action": "ec2:CreateTags", "Resource": launched,
         "Condition": {"StringEquals": {**request_owned, "ec2:CreateAction": [
             "RunInstances", "CreateFleet", "CreateLaunchTemplate"]},
             "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}}},
        {"Sid": "AllowScopedResourceTagging", "Effect": "Allow", "Action": "ec2:CreateTags",
         "Resource": f"{ec2}:*:instance/*",
         "Condition": {"StringEquals": owned,
                       "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                       "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                       "ForAllValues:StringEquals": {"aws:TagKeys": [
                           "eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]}}},
        {"Sid": "AllowScopedDeletion", "Effect": "Allow",
         "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
         "Resource": [f"{ec2}:*:instance/*", f"{ec2}:*:launch-template/*"],
         "Condition": {"StringEquals": owned,
                       "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"}}},
        {"Sid": "AllowRegionalReadActions", "Effect": "Allow", "Resource": "*",
         "Action": ["ec2:DescribeCapacityReservations", "ec2:DescribeImages",
                    "ec2:DescribeInstances", "ec2:DescribeInstanceTypeOfferings",
                    "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates",
                    "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory",
                    "ec2:DescribeSubnets", "ec2:DescribeAvailabilityZones"],
         "Condition": {"StringEquals": {"aws:RequestedRegion": region}}},
        {"Sid": "AllowSSMReadActions", "Effect": "Allow", "Action": "ssm:GetParameter",
         "Resource": f"arn:{partition}:ssm:{region}::parameter/aws/service/*"},
        {"Sid": "AllowPricingReadActions", "Effect": "Allow", "Action": "pricing:GetProducts",
         "Resource": "*"},
        {"Sid": "AllowInterruptionQueueActions", "Effect": "Allow", "Resource": queue_arn,
         "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"]},
        {"Sid": "AllowPassingInstanceRole", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": node_role_arn,
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
        {"Sid": "AllowScopedInstanceProfileCreationActions", "Effect": "Allow",
         "Action": ["iam:CreateInstanceProfile", "iam:TagInstanceProfile"],
         "Resource": profile_arn,
         "Condition": {"StringEquals": {**request_owned,
                                        "aws:RequestTag/topology.kubernetes.io/region": region},
                       "StringLike": {
                           "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
        {"Sid": "AllowScopedInstanceProfileActions", "Effect": "Allow",
         "Action": ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile",
                    "iam:DeleteInstanceProfile", "iam:TagInstanceProfile"],
         "Resource": profile_arn,
         "Condition": {"StringEquals": {
             **owned, "aws:ResourceTag/topology.kubernetes.io/region": region},
             "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"}}},
        {"Sid": "AllowInstanceProfileReadActions", "Effect": "Allow",
         "Action": ["iam:GetInstanceProfile", "iam:ListInstanceProfiles"],
         "Resource": "*"},
        {"Sid": "AllowAPIServerEndpointDiscovery", "Effect": "Allow",
         "Action": "eks:DescribeCluster", "Resource": cluster_arn},
    ]
    return policy_document(statements)
