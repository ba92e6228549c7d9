"""Blueprint `cost-optimized` (seed 000): EKS on spot plus on-demand nodes, Cloudflare in
front, R2 content, Aurora PostgreSQL, DocumentDB (MongoDB-compatible), Redis, and in-cluster
Kafka, NGINX WAF (ModSecurity + OWASP CRS), Prometheus/Grafana/Loki/OpenTelemetry/Tempo.

Reads top to bottom: foundation (providers, VPC with ONE NAT gateway: the seed's cost
choice) -> cluster (on-demand group for critical components, spot group for applications)
-> data stores admitting the cluster's nodes -> R2 content in the jurisdiction's R2
location, behind Cloudflare (WAF, rate limit, HMAC-token video URLs) -> in-cluster
monitoring and services -> AWS-side alarms and audit.

The seed's cost choices are settings with these defaults (a stack file may undo them):
`network.nat_strategy: single`, `aurora.instance_count: 1` (single-AZ Aurora: in prod the
cluster carries a `policy-waiver:prod-multi-az` tag with the seed's reason, visible in every
report), spot capacity for applications.

In-cluster resources (Helm releases, Kafka, namespaces) are applied by this same program,
so `pulumi up` must reach the cluster's API, never through a world-open endpoint. Either
the stack file turns on `eks.endpoint_public_access` for exactly `eks.public_access_cidrs`
(the deploy runner's and operators' egress ranges: what the shipped stacks do), or it keeps
the endpoint private (the component default) and `pulumi up` runs inside the VPC (a runner
in the private subnets, or over the VPN).

Inputs: `CostOptimizedSettings` (`platform:settings`), Cloudflare ids from stack config
(`platform:cloudflareAccountId`, `platform:cloudflareZoneId`; stacks/cloudflare.py).
Outputs: cluster name and endpoint, Aurora / DocumentDB / Redis endpoints, the R2 bucket,
the Kafka bootstrap and tracing endpoints, the alert topic.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random
from pydantic import Field

from components.aurora import AuroraPostgres, AuroraPostgresArgs, AuroraPostgresSettings
from components.cdn import Cdn, CdnArgs, CdnOrigin
from components.cluster_services import (
    ClusterServices,
    ClusterServicesArgs,
    ClusterServicesSettings,
)
from components.documentdb import DocumentDb, DocumentDbArgs, DocumentDbSettings
from components.eks import Eks, EksArgs, EksSettings, NodeGroupSpec
from components.k8s_monitoring import K8sMonitoring, K8sMonitoringArgs, K8sMonitoringSettings
from components.network import NetworkSettings
from components.object_store import ObjectStore, ObjectStoreArgs
from components.observability import ObservabilitySettings
from components.redis import Redis, RedisArgs, RedisSettings
from components.settings import wire
from environments import StackSpec
from stacks import cloudflare as cf
from stacks.blueprints.base import Blueprint, BlueprintSettings
from stacks.foundation import Foundation, component_args, stack_observability

ID = "cost-optimized"
SINGLE_AZ_AURORA_REASON = ("seed 000 cost choice: one Aurora writer in one AZ; an AZ loss is "
                           "recovered from backups (restore, not failover)")
# The seed's prod sizing: 12 x t3.xlarge spot for applications, 3 x t3.2xlarge on-demand
# for critical components. Spot draws from two pools of the same size (t3 and t3a).
CRITICAL_NODES = NodeGroupSpec(capacity_type="ON_DEMAND", instance_types=("t3.2xlarge",),
                               min_size=3, desired_size=3, max_size=3,
                               labels={"node-role": "system"})
APPLICATION_NODES = NodeGroupSpec(capacity_type="SPOT",
                                  instance_types=("t3.xlarge", "t3a.xlarge"),
                                  min_size=12, desired_size=12, max_size=16,
                                  labels={"node-role": "workload", "capacity": "spot"})


class CostOptimizedSettings(BlueprintSettings):
    content_domain: str = Field(
        description="Hostname (in the Cloudflare zone) the R2 content is served on.")
    network: NetworkSettings = NetworkSettings(nat_strategy="single")
    eks: EksSettings = EksSettings(system_node_group=CRITICAL_NODES,
                                   workload_node_group=APPLICATION_NODES, karpenter=False)
    aurora: AuroraPostgresSettings = AuroraPostgresSettings(instance_count=1)
    documentdb: DocumentDbSettings = DocumentDbSettings()
    redis: RedisSettings = RedisSettings(replicas=1)
    monitoring: K8sMonitoringSettings = K8sMonitoringSettings()
    cluster_services: ClusterServicesSettings = ClusterServicesSettings()
    observability: ObservabilitySettings = ObservabilitySettings(cloudtrail=False,
                                                                 guardduty=False)
    rate_limit_per_5_minutes: int = Field(
        2000, ge=100, description="Requests per client IP per 5 minutes at Cloudflare.")


def build(spec: StackSpec, settings: CostOptimizedSettings) -> None:
    foundation = Foundation.create(spec, settings.network)
    opts, profile, network = foundation.opts(), spec.profile, foundation.network
    if spec.jurisdiction.r2_jurisdiction is None:
        raise pulumi.RunError(f"{spec.stack_file}: R2 cannot keep data in jurisdiction "
                              f"'{spec.jurisdiction_name}'; run cost-optimized in a region "
                              "whose jurisdiction has an r2_jurisdiction")

    cluster = Eks("eks", component_args(spec, "eks", lambda: wire(
        EksArgs, settings.eks, cluster_name=spec.stack,
        subnet_ids=network.private_subnet_ids, availability_zones=spec.availability_zones,
        log_retention_days=profile.log_retention_days,
        deletion_protection=profile.protect_stateful)), opts=opts)
    workloads = [cluster.node_security_group_id]

    in_network = {"vpc_id": network.vpc_id, "availability_zones": spec.availability_zones,
                  "workload_security_group_ids": workloads, "protect": profile.protect_stateful,
                  "log_retention_days": profile.log_retention_days}
    single_aurora = settings.aurora.instance_count == 1
    aurora = AuroraPostgres("aurora", component_args(spec, "aurora", lambda: wire(
        AuroraPostgresArgs, settings.aurora, **in_network,
        db_subnet_group_name=network.db_subnet_group_name,
        multi_az=spec.multi_az and not single_aurora,
        backup_retention_days=profile.backup_retention_days, region=spec.region,
        allowed_regions=spec.allowed_regions,
        tags=({"policy-waiver:prod-multi-az": SINGLE_AZ_AURORA_REASON}
              if single_aurora and spec.environment == "prod" else {}))), opts=opts)
    documents = DocumentDb("documentdb", component_args(spec, "documentdb", lambda: wire(
        DocumentDbArgs, settings.documentdb, **in_network,
        subnet_group_name=network.docdb_subnet_group_name, multi_az=spec.multi_az,
        backup_retention_days=profile.backup_retention_days)), opts=opts)
    cache = Redis("redis", component_args(spec, "redis", lambda: wire(
        RedisArgs, settings.redis, **in_network, subnet_group_name=network.cache_subnet_group_name,
        multi_az=spec.multi_az, snapshot_retention_days=profile.backup_retention_days)),
        opts=opts)

    zone_id = cf.require("cloudflareZoneId", "the Cloudflare edge")
    content = ObjectStore("content", component_args(spec, "content", lambda: ObjectStoreArgs(
        kind="r2", data_class="user-content", bucket_name=f"{spec.stack}-content",
        r2_account_id=cf.require("cloudflareAccountId", "R2 object storage"),
        r2_jurisdiction=spec.jurisdiction.r2_jurisdiction,
        r2_location_hint=spec.jurisdiction.r2_location_hint,
        r2_custom_domain=settings.content_domain, r2_zone_id=zone_id,
        protect=profile.protect_stateful)),
        opts=pulumi.ResourceOptions(providers=[cf.provider("storage")]))
    # Video URLs carry an HMAC token the edge verifies; the key is generated, never in config.
    token_secret = pulumi.Config("platform").get_secret("cloudflareVideoTokenSecret")
    if token_secret is None:
        token_secret = pulumi.Output.secret(
            random.RandomPassword("video-token-secret", length=64, special=False).result)
    Cdn("cdn", component_args(spec, "cdn", lambda: CdnArgs(
        kind="cloudflare", zone_id=zone_id, domain_names=[settings.content_domain],
        origins=[CdnOrigin.for_store(content, origin_id="content", role="vod", signed=True)],
        hmac_secret=token_secret, signed_urls=True, geo_restriction="none", logging=False,
        rate_limit_per_5_minutes=settings.rate_limit_per_5_minutes,
        protect=profile.protect_stateful)),
        opts=pulumi.ResourceOptions(providers=[cf.provider("edge")]))

    monitoring = K8sMonitoring("k8s-monitoring", component_args(spec, "monitoring", lambda: wire(
        K8sMonitoringArgs, settings.monitoring, kubernetes_provider=cluster.kubernetes_provider,
        cluster_name=cluster.cluster_name, region=spec.region,
        chat_webhook_url=pulumi.Config("platform").get_secret("alertWebhookUrl"),
        log_retention_days=profile.log_retention_days, protect=profile.protect_stateful)),
        opts=opts)
    services = ClusterServices("cluster-services", component_args(
        spec, "cluster_services", lambda: wire(
            ClusterServicesArgs, settings.cluster_services,
            kubernetes_provider=cluster.kubernetes_provider,
            storage_class=settings.monitoring.storage_class, depends_on=[monitoring])),
        opts=opts)

    observability = stack_observability(
        spec, settings.observability,
        [*network.monitored, *cluster.monitored, *aurora.monitored, *documents.monitored,
         *cache.monitored], opts,
        webhook_url=pulumi.Config("platform").get_secret("alertWebhookUrl"))

    pulumi.export("eksClusterName", cluster.cluster_name)
    pulumi.export("eksClusterEndpoint", cluster.endpoint)
    pulumi.export("auroraEndpoint", aurora.endpoint)
    pulumi.export("documentDbEndpoint", documents.endpoint)
    pulumi.export("redisPrimaryEndpoint", cache.primary_endpoint)
    pulumi.export("contentBucketName", content.bucket_name)
    pulumi.export("brokerBootstrap", services.broker_bootstrap)
    pulumi.export("tracingEndpoint", services.tracing_endpoint)
    pulumi.export("alertTopicArn", observability.alert_topic_arn)


def _services(settings: CostOptimizedSettings) -> list[tuple[str, str]]:
    return [("eks", "eks"), ("aurora", "rds"), ("documentdb", "docdb"),
            ("redis", "elasticache")]


BLUEPRINT = Blueprint(id=ID, settings=CostOptimizedSettings, build=build,
                      regional_services=_services,
                      summary="EKS on spot + on-demand, Cloudflare edge and R2, Aurora, "
                      "DocumentDB, Redis, in-cluster Kafka, NGINX WAF and observability")
