"""The compute layer of a regional stack: the EKS cluster and the ECS Fargate web service.

What later layers read from the context:
- `ctx.components["eks"]`: `Eks`; `.kubernetes_provider` for in-cluster components
  (observability), `.cluster_name`, `.node_security_group_id`.
- `ctx.components["ecs"]`: `EcsService`; `.alb_dns_name` is the API origin for the edge
  layer (CloudFront / Cloudflare), `.alb_arn` for a regional WAF, and
  `.certificate_validation_records` the DNS records to create when the service requested
  its own certificate.
- `ctx.workload_security_group_ids`: the EKS cluster security group (nodes and pods) and
  the ECS tasks' security group, which the data stores admit.
"""

from __future__ import annotations

from components.ecs_service import EcsService, EcsServiceArgs
from components.eks import Eks, EksArgs, NodeGroupSpec, Taint
from environments.sections.compute import EcsProfile, EksProfile, NodeGroupProfile
from stacks.context import RegionalContext, profile_args


def build(ctx: RegionalContext) -> None:
    """Build the compute components the profile turns on into `ctx`."""
    profile = ctx.spec.profile
    if profile.eks.enabled:
        _eks(ctx, profile.eks)
    if profile.ecs.enabled:
        _ecs(ctx, profile.ecs)


def _node_group(group: NodeGroupProfile, capacity_type: str) -> NodeGroupSpec:
    return NodeGroupSpec(
        capacity_type=capacity_type,  # type: ignore[arg-type]
        instance_types=list(group.instance_types),
        min_size=group.min_size,
        desired_size=group.desired_size,
        max_size=group.max_size,
        disk_size_gib=group.disk_size_gib,
        labels=dict(group.labels),
        taints=[Taint(key=t.key, value=t.value, effect=t.effect) for t in group.taints],
    )


def _eks(ctx: RegionalContext, eks: EksProfile) -> None:
    spec = ctx.spec
    cluster = Eks(
        "eks",
        profile_args(spec, "eks", lambda: EksArgs(
            cluster_name=f"{spec.environment}-platform",
            subnet_ids=ctx.network.private_subnet_ids,
            availability_zones=ctx.network.availability_zones,
            kubernetes_version=eks.kubernetes_version,
            endpoint_public_access=eks.endpoint_public_access,
            public_access_cidrs=list(eks.public_access_cidrs),
            admin_principal_arns=list(eks.admin_principal_arns),
            system_node_group=_node_group(eks.system_nodes, "ON_DEMAND"),
            workload_node_group=_node_group(eks.spot_nodes, "SPOT"),
            karpenter=eks.karpenter,
            karpenter_chart_version=eks.karpenter_chart_version,
            karpenter_ami_alias=eks.karpenter_ami_alias,
            log_retention_days=spec.profile.log_retention_days,
            deletion_protection=spec.profile.protect_stateful,
        )),
        opts=ctx.providers.opts(),
    )
    ctx.add("eks", cluster)
    ctx.workload_security_group_ids.append(cluster.node_security_group_id)
    ctx.export("eksClusterName", cluster.cluster_name)
    ctx.export("eksClusterEndpoint", cluster.endpoint)
    ctx.export("eksNodeRoleArn", cluster.node_role_arn)


def _ecs(ctx: RegionalContext, ecs: EcsProfile) -> None:
    spec = ctx.spec
    service = EcsService(
        "ecs",
        profile_args(spec, "ecs", lambda: EcsServiceArgs(
            vpc_id=ctx.network.vpc_id,
            public_subnet_ids=ctx.network.public_subnet_ids,
            private_subnet_ids=ctx.network.private_subnet_ids,
            certificate_arn=ecs.certificate_arn,
            domain_name=ecs.domain_name,
            image=ecs.image,
            image_tag=ecs.image_tag,
            cpu=ecs.cpu,
            memory=ecs.memory,
            container_port=ecs.container_port,
            health_check_path=ecs.health_check_path,
            min_tasks=ecs.min_tasks,
            max_tasks=ecs.max_tasks,
            cpu_target_percent=ecs.cpu_target_percent,
            memory_target_percent=ecs.memory_target_percent,
            fargate_base=ecs.fargate_base,
            fargate_weight=ecs.fargate_weight,
            fargate_spot_weight=ecs.fargate_spot_weight,
            log_retention_days=spec.profile.log_retention_days,
            protect=spec.profile.protect_stateful,
        )),
        opts=ctx.providers.opts(),
    )
    ctx.add("ecs", service)
    ctx.workload_security_group_ids.append(service.security_group_id)
    ctx.export("ecsClusterName", service.cluster_name)
    ctx.export("ecsServiceName", service.service_name)
    ctx.export("apiOriginDnsName", service.alb_dns_name)
    ctx.export("ecrRepositoryUrl", service.repository_url)
    ctx.export("apiCertificateValidationRecords", service.certificate_validation_records)
