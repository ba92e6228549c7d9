"""EKS: a private, KMS-encrypted cluster with managed node groups, add-ons and Karpenter.

Inputs follow terraform-aws-modules/eks (v20+: access entries, Pod Identity); defaults are
the production choice: private endpoint only, secrets envelope-encrypted with a rotating
customer key, control-plane logs kept, an on-demand system group plus a spot workload
group over every AZ, add-ons managed by EKS with their own roles, and Karpenter.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws_context import AwsContext
from components.iam import pod_identity_role, policy_attachments, policy_document, service_role
from components.karpenter import AMI_ALIAS, Karpenter, KarpenterArgs, check_ami_alias
from components.kms import customer_key
from components.labels import child_name, resource_tags
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.monitoring import MonitoredResource

CapacityType = Literal["ON_DEMAND", "SPOT"]
TaintEffect = Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]
TAINT_EFFECTS: tuple[str, ...] = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
CONTROL_PLANE_LOGS = ["api", "audit", "authenticator"]
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly",
                 "AmazonSSMManagedInstanceCore")
CLUSTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
OPEN_TO_WORLD = ipaddress.ip_network("0.0.0.0/0")


@dataclass(frozen=True)
class Addon:
    """An EKS-managed add-on; `before_compute` ones exist before any node joins."""

    name: str
    before_compute: bool
    service_account: str | None = None
    """Service account given `policy` through a Pod Identity association."""
    policy: str | None = None
    """AWS-managed policy of the add-on's role."""
    configuration: Mapping[str, object] | None = None


ADDONS = (
    # Networking must be in place before nodes join, or they never become Ready.
    Addon("vpc-cni", True, "aws-node", "AmazonEKS_CNI_Policy",
          {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"},
           "enableNetworkPolicy": "true"}),
    Addon("kube-proxy", True),
    Addon("eks-pod-identity-agent", True),
    Addon("coredns", False),
    Addon("aws-ebs-csi-driver", False, "ebs-csi-controller-sa",
          "service-role/AmazonEBSCSIDriverPolicy"),
    # Container Insights: the ContainerInsights metrics the eks-cluster alarms read.
    Addon("amazon-cloudwatch-observability", False, "cloudwatch-agent",
          "CloudWatchAgentServerPolicy"),
)


@dataclass(frozen=True, kw_only=True)
class Taint:
    key: str
    """Taint key."""
    value: str = "true"
    """Taint value."""
    effect: TaintEffect = "NO_SCHEDULE"
    """NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE (EKS API spelling)."""

    def __post_init__(self) -> None:
        if self.effect not in TAINT_EFFECTS:
            raise ValueError(f"taints.effect: '{self.effect}' is unknown; use one of "
                             f"{', '.join(TAINT_EFFECTS)}")


@dataclass(frozen=True, kw_only=True)
class NodeGroupSpec:
    capacity_type: CapacityType = "ON_DEMAND"
    """ON_DEMAND for add-ons that must stay up; SPOT for interruptible workloads."""
    instance_types: Sequence[str] = ("m7i.large",)
    """Instance types; a spot group needs two or more of the same size."""
    min_size: int = 2
    """Fewest nodes (two keep a spread over AZs)."""
    desired_size: int = 2
    """Nodes at creation; afterwards the autoscaler owns it (ignored on update)."""
    max_size: int = 4
    """Most nodes."""
    disk_size_gib: int = 50
    """Encrypted gp3 root volume."""
    ami_type: str = "AL2023_x86_64_STANDARD"
    """EKS AMI family (Amazon Linux 2023)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Kubernetes node labels."""
    taints: Sequence[Taint] = ()
    """Kubernetes taints."""

    def __post_init__(self) -> None:
        if self.capacity_type not in ("ON_DEMAND", "SPOT"):
            raise ValueError(f"capacity_type: '{self.capacity_type}' is unknown; use "
                             "ON_DEMAND or SPOT")
        if not self.instance_types:
            raise ValueError("instance_types: empty; give at least one instance type")
        if self.capacity_type == "SPOT" and len(self.instance_types) < 2:
            raise ValueError("instance_types: a SPOT group needs at least two instance types "
                             "of the same size, so one reclaimed pool does not empty it")
        if self.min_size < 0:
            raise ValueError(f"min_size: {self.min_size} is negative")
        if self.max_size < 1:
            raise ValueError(f"max_size: {self.max_size} must be at least 1")
        if self.min_size > self.max_size:
            raise ValueError(f"min_size: {self.min_size} exceeds max_size {self.max_size}; "
                             "lower min_size or raise max_size")
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(f"desired_size: {self.desired_size} is outside min_size.."
                             f"max_size ({self.min_size}..{self.max_size})")
        if self.disk_size_gib < 20:
            raise ValueError(f"disk_size_gib: {self.disk_size_gib} is below 20 GiB")


def _system_group() -> NodeGroupSpec:
    return NodeGroupSpec(capacity_type="ON_DEMAND", instance_types=("m7i.large",),
                         min_size=2, desired_size=3, max_size=4,
                         labels={"node-role": "system"},
                         taints=(Taint(key="CriticalAddonsOnly"),))


def _workload_group() -> NodeGroupSpec:
    return NodeGroupSpec(capacity_type="SPOT",
                         instance_types=("m7i.xlarge", "m6i.xlarge", "m7a.xlarge", "m6a.xlarge"),
                         min_size=2, desired_size=3, max_size=20,
                         labels={"node-role": "workload", "capacity": "spot"})


@dataclass(frozen=True, kw_only=True)
class EksSettings:
    kubernetes_version: str = "1.33"
    """Kubernetes minor version; upgrade one minor at a time."""
    endpoint_public_access: bool = False
    """Public API endpoint; off by default (the private endpoint is always on)."""
    public_access_cidrs: Sequence[str] = ()
    """CIDRs admitted to the public endpoint: required when it is on; never 0.0.0.0/0."""
    admin_principal_arns: Sequence[str] = ()
    """IAM principals given cluster-admin through access entries."""
    bootstrap_creator_admin: bool = True
    """Give the identity running Pulumi cluster-admin (it installs the Helm charts)."""
    system_node_group: NodeGroupSpec = field(default_factory=_system_group)
    """On-demand group for cluster-critical add-ons (tainted CriticalAddonsOnly)."""
    workload_node_group: NodeGroupSpec = field(default_factory=_workload_group)
    """Spot group for general workloads (most work runs on spot, per the cost seed)."""
    addon_versions: Mapping[str, str] = field(default_factory=dict)
    """Add-on name -> pinned version; unset add-ons get EKS's default for the cluster version."""
    karpenter: bool = True
    """Install Karpenter (node autoscaling; the OTT seed scales nodes with it)."""
    karpenter_chart_version: str = "1.5.1"
    """Pinned Karpenter Helm chart version."""
    karpenter_ami_alias: str = AMI_ALIAS
    """Pinned AMI alias of Karpenter's nodes (default al2023@v20250915; never `@latest`, bump
    deliberately)."""
    karpenter_zone_spread: bool = False
    """Spread the Karpenter controller's replicas evenly over AZs (topology spread, maxSkew 1)
    rather than relying on the chart's default."""

    def __post_init__(self) -> None:
        if not re.match(r"^1\.\d{2}$", self.kubernetes_version):
            raise ValueError(f"kubernetes_version: '{self.kubernetes_version}' is not a "
                             "minor version like 1.33")
        self._validate_public_endpoint()
        if self.karpenter and not re.match(r"^\d+\.\d+\.\d+$", self.karpenter_chart_version):
            raise ValueError(f"karpenter_chart_version: '{self.karpenter_chart_version}' is not "
                             "pinned; give an exact x.y.z version")
        if self.karpenter:
            check_ami_alias("karpenter_ami_alias", self.karpenter_ami_alias)
        unknown = set(self.addon_versions) - {a.name for a in ADDONS}
        if unknown:
            raise ValueError(f"addon_versions: unknown add-on {', '.join(sorted(unknown))}; use "
                             f"{', '.join(a.name for a in ADDONS)}")
        if self.system_node_group.capacity_type != "ON_DEMAND":
            raise ValueError("system_node_group: must be ON_DEMAND; cluster add-ons must not "
                             "be reclaimed with their nodes")

    def _validate_public_endpoint(self) -> None:
        for cidr in self.public_access_cidrs:
            try:
                network = ipaddress.ip_network(cidr, strict=True)
            except ValueError as exc:
                raise ValueError(f"public_access_cidrs: '{cidr}' is not a CIDR ({exc})") from None
            if network == OPEN_TO_WORLD:
                raise ValueError("public_access_cidrs: 0.0.0.0/0 opens the API server to the "
                                 "world; list your office / VPN / CI CIDRs")
        if self.endpoint_public_access and not self.public_access_cidrs:
            raise ValueError("public_access_cidrs: required when endpoint_public_access is "
                             "on (the default would admit 0.0.0.0/0)")
        if self.public_access_cidrs and not self.endpoint_public_access:
            raise ValueError("public_access_cidrs: given but endpoint_public_access is off; "
                             "turn it on or drop the CIDRs")


@dataclass(frozen=True, kw_only=True)
class EksArgs(EksSettings):
    cluster_name: str
    """EKS cluster name, unique in the account and region (plain: names its log group)."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets, one per AZ (Network.private_subnet_ids); control plane and nodes."""
    availability_zones: Sequence[str]
    """AZ names of `subnet_ids`, same order; node groups span all of them."""
    log_retention_days: int = 365
    """Retention of the control-plane log group."""
    deletion_protection: bool = True
    """EKS deletion protection (the cluster cannot be deleted until it is turned off)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on the cluster."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_log_retention("log_retention_days", self.log_retention_days)
        if not CLUSTER_NAME.match(self.cluster_name):
            raise ValueError(f"cluster_name: '{self.cluster_name}' is invalid; use 1-100 "
                             "letters, digits, - or _, starting with a letter or digit")
        if len(self.availability_zones) < 2:
            raise ValueError("availability_zones: EKS needs subnets in at least two AZs; "
                             "give the network two or more AZs")
        if len(self.subnet_ids) != len(self.availability_zones):
            raise ValueError(f"subnet_ids: {len(self.subnet_ids)} subnets for "
                             f"{len(self.availability_zones)} AZs; give one private subnet per AZ")


class Eks(pulumi.ComponentResource):
    """EKS cluster, node groups, add-ons, access entries, Karpenter and a Kubernetes provider."""

    cluster_name: pulumi.Output[str]
    """Cluster name."""
    cluster_arn: pulumi.Output[str]
    """Cluster ARN."""
    endpoint: pulumi.Output[str]
    """API server endpoint (private unless the public endpoint is on)."""
    certificate_authority: pulumi.Output[str]
    """Base64 CA bundle of the API server."""
    node_security_group_id: pulumi.Output[str]
    """Cluster security group, carried by nodes and pods: data stores admit it."""
    node_role_arn: pulumi.Output[str]
    """Role of the managed node groups."""
    kubernetes_provider: k8s.Provider
    """Provider for in-cluster resources (kubeconfig with `aws eks get-token`)."""
    monitored: list[MonitoredResource]
    """The cluster (kind `eks-cluster`)."""

    def __init__(self, name: str, args: EksArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:eks:Eks", name, None, opts)
        self._name = name
        self.args = args
        self._ctx = AwsContext.of(self)
        self.monitored = []

        cluster = self._cluster()
        self.cluster_name = cluster.name
        self.cluster_arn = cluster.arn
        self.endpoint = cluster.endpoint
        self.certificate_authority = cluster.certificate_authority.data
        self.node_security_group_id = cluster.vpc_config.cluster_security_group_id
        self._access_entries(cluster)

        node_role = self._node_role("nodes-role")
        self.node_role_arn = node_role.arn
        early = [self._addon(cluster, a) for a in ADDONS if a.before_compute]
        groups = [self._node_group(cluster, node_role, "system", args.system_node_group, early),
                  self._node_group(cluster, node_role, "workload", args.workload_node_group,
                                   early)]
        for addon in ADDONS:
            if not addon.before_compute:
                self._addon(cluster, addon, depends_on=groups)

        self.kubernetes_provider = k8s.Provider(
            child_name(name, "k8s"), kubeconfig=self._kubeconfig(cluster),
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=groups))
        if args.karpenter:
            self._karpenter(cluster, groups)

        self.monitored.append(MonitoredResource(
            kind="eks-cluster", name=child_name(name, "cluster"),
            dimensions={"ClusterName": cluster.name}))
        self.register_outputs({
            "clusterName": self.cluster_name,
            "clusterArn": self.cluster_arn,
            "endpoint": self.endpoint,
            "certificateAuthority": self.certificate_authority,
            "nodeSecurityGroupId": self.node_security_group_id,
            "nodeRoleArn": self.node_role_arn,
        })

    def _opts(self, **kwargs: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)  # type: ignore[arg-type]

    # ---- control plane --------------------------------------------------------------------

    def _cluster(self) -> aws.eks.Cluster:
        args = self.args
        secrets_key = customer_key(self._name, "secrets-key",
                                   description=f"{args.cluster_name} Kubernetes secrets",
                                   parent=self, aws_context=self._ctx)
        logs_key = customer_key(self._name, "logs-key",
                                description=f"{args.cluster_name} control-plane logs",
                                parent=self, services=[LOGS_SERVICE], aws_context=self._ctx)
        # EKS writes to this exact name; creating it first sets retention and encryption.
        log_group = encrypted_log_group(child_name(self._name, "control-plane-logs"),
                                        log_group_name=f"/aws/eks/{args.cluster_name}/cluster",
                                        retention_days=args.log_retention_days,
                                        kms_key_arn=logs_key.arn, parent=self)
        role = service_role(
            self._name, "cluster-role", services="eks.amazonaws.com", tag_session=True,
            source_account=False, parent=self, aws_context=self._ctx,
            description=f"EKS control plane of {args.cluster_name}",
            managed_policies=policy_attachments(
                "cluster-role", ["AmazonEKSClusterPolicy", "AmazonEKSVPCResourceController"]),
            inline_policies={"cluster-role-policy": secrets_key.arn.apply(
                lambda arn: policy_document([{"Effect": "Allow", "Resource": arn, "Action": [
                    "kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]}]))})
        return aws.eks.Cluster(
            child_name(self._name, "cluster"),
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=list(args.subnet_ids),
                endpoint_private_access=True,
                endpoint_public_access=args.endpoint_public_access,
                # Empty when the endpoint is private: AWS would otherwise report 0.0.0.0/0.
                public_access_cidrs=list(args.public_access_cidrs) or None,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API",
                bootstrap_cluster_creator_admin_permissions=args.bootstrap_creator_admin),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=secrets_key.arn)),
            enabled_cluster_log_types=CONTROL_PLANE_LOGS,
            # Add-ons are installed as EKS-managed add-ons below, with their own roles.
            bootstrap_self_managed_addons=False,
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            deletion_protection=args.deletion_protection,
            tags=resource_tags(child_name(self._name, "cluster"), extra=args.tags),
            opts=self._opts(depends_on=[log_group]),
        )

    def _access_entries(self, cluster: aws.eks.Cluster) -> None:
        admin_policy = pulumi.Output.concat(
            "arn:", self._ctx.partition,
            ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
        for index, principal in enumerate(self.args.admin_principal_arns):
            entry = aws.eks.AccessEntry(
                child_name(self._name, f"admin-{index}"), cluster_name=cluster.name,
                principal_arn=principal, type="STANDARD", opts=self._opts())
            aws.eks.AccessPolicyAssociation(
                child_name(self._name, f"admin-{index}-policy"), cluster_name=cluster.name,
                principal_arn=entry.principal_arn, policy_arn=admin_policy,
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=self._opts())

    def _kubeconfig(self, cluster: aws.eks.Cluster) -> pulumi.Output[str]:
        return pulumi.Output.json_dumps({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster.name, "cluster": {
                "server": cluster.endpoint,
                "certificate-authority-data": cluster.certificate_authority.data}}],
            "contexts": [{"name": cluster.name,
                          "context": {"cluster": cluster.name, "user": cluster.name}}],
            "current-context": cluster.name,
            "users": [{"name": cluster.name, "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": "aws",
                "args": ["eks", "get-token", "--cluster-name", cluster.name,
                         "--region", self._ctx.region, "--output", "json"],
                "interactiveMode": "Never",
            }}}],
        })

    # ---- add-ons --------------------------------------------------------------------------

    def _addon(self, cluster: aws.eks.Cluster, addon: Addon,
               depends_on: Sequence[pulumi.Resource] = ()) -> aws.eks.Addon:
        associations = None
        if addon.service_account and addon.policy:
            role_key = f"{addon.name}-role"
            role = pod_identity_role(
                self._name, role_key, parent=self, aws_context=self._ctx,
                description=f"{addon.name} add-on of {self.args.cluster_name}",
                managed_policies=policy_attachments(role_key, [addon.policy]))
            associations = [aws.eks.AddonPodIdentityAssociationArgs(
                role_arn=role.arn, service_account=addon.service_account)]
        return aws.eks.Addon(
            child_name(self._name, addon.name),
            cluster_name=cluster.name,
            addon_name=addon.name,
            addon_version=self.args.addon_versions.get(addon.name),
            configuration_values=json.dumps(addon.configuration) if addon.configuration else None,
            pod_identity_associations=associations,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            tags=resource_tags(child_name(self._name, addon.name)),
            opts=self._opts(depends_on=list(depends_on)),
        )

    # ---- nodes ----------------------------------------------------------------------------

    def _node_role(self, role: str) -> aws.iam.Role:
        """Node role without the CNI policy: vpc-cni has its own Pod Identity role."""
        return service_role(
            self._name, role, services="ec2.amazonaws.com", source_account=False, parent=self,
            aws_context=self._ctx, description=f"EKS nodes of {self.args.cluster_name}",
            managed_policies=policy_attachments(role, NODE_POLICIES))

    def _launch_template(self, group: str, spec: NodeGroupSpec) -> aws.ec2.LaunchTemplate:
        """Encrypted gp3 root volume; IMDSv2 only, hop limit 1 so pods cannot use node creds."""
        name = child_name(self._name, f"{group}-lt")
        return aws.ec2.LaunchTemplate(
            name,
            update_default_version=True,
            block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    volume_size=spec.disk_size_gib, volume_type="gp3", encrypted="true",
                    delete_on_termination="true"))],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1),
            tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(
                resource_type=kind, tags=resource_tags(name)) for kind in ("instance", "volume")],
            tags=resource_tags(name),
            opts=self._opts())

    def _node_group(self, cluster: aws.eks.Cluster, role: aws.iam.Role, group: str,
                    spec: NodeGroupSpec, depends_on: Sequence[pulumi.Resource]
                    ) -> aws.eks.NodeGroup:
        """One managed node group over the private subnets of every AZ."""
        template = self._launch_template(group, spec)
        name = child_name(self._name, f"{group}-nodes")
        return aws.eks.NodeGroup(
            name,
            cluster_name=cluster.name,
            node_role_arn=role.arn,
            subnet_ids=list(self.args.subnet_ids),
            capacity_type=spec.capacity_type,
            instance_types=list(spec.instance_types),
            ami_type=spec.ami_type,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=spec.min_size, desired_size=spec.desired_size, max_size=spec.max_size),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable_percentage=33),
            node_repair_config=aws.eks.NodeGroupNodeRepairConfigArgs(enabled=True),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)),
            labels=dict(spec.labels),
            taints=[aws.eks.NodeGroupTaintArgs(key=t.key, value=t.value, effect=t.effect)
                    for t in spec.taints],
            tags=resource_tags(name),
            # The autoscaler (Karpenter / cluster-autoscaler) moves desired size.
            opts=self._opts(depends_on=list(depends_on),
                            ignore_changes=["scalingConfig.desiredSize"]),
        )

    def _karpenter(self, cluster: aws.eks.Cluster, groups: Sequence[pulumi.Resource]) -> None:
        node_role = self._node_role("karpenter-node-role")
        # Karpenter's nodes join through an EC2_LINUX access entry (no aws-auth ConfigMap).
        entry = aws.eks.AccessEntry(
            child_name(self._name, "karpenter-node-access"), cluster_name=cluster.name,
            principal_arn=node_role.arn, type="EC2_LINUX", opts=self._opts())
        Karpenter(
            child_name(self._name, "karpenter"),
            KarpenterArgs(
                cluster_name=cluster.name,
                cluster_arn=cluster.arn,
                node_role_arn=node_role.arn,
                node_role_name=node_role.name,
                subnet_ids=list(self.args.subnet_ids),
                node_security_group_id=self.node_security_group_id,
                kubernetes_provider=self.kubernetes_provider,
                chart_version=self.args.karpenter_chart_version,
                ami_alias=self.args.karpenter_ami_alias,
                zone_spread=self.args.karpenter_zone_spread,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[entry, *groups]))
