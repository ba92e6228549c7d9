"""Blueprint `ott` (seed 003): an OTT video platform in a primary region with a warm-standby
DR region of the same jurisdiction, and a global stack with the edge.

Stacks: `ott-<env>-<primary_region>` (role primary), `ott-<env>-<dr_region>` (role dr; the
role is which of the two regions the stack is in) and `ott-<env>-global` (CloudFront, WAF,
Route 53 failover). Deploy order follows the references: primary, DR (reads the primary's
Aurora global cluster), global (reads both).

A regional stack reads top to bottom: foundation (providers, a 3-AZ VPC) -> cluster (EKS
with Karpenter; metrics-server for the HPA, default-deny network policies, monitoring with
Alertmanager routing critical alerts to Slack; pods spread evenly over AZs) -> data
(Aurora PostgreSQL global primary / secondary, DynamoDB global table created by the primary
with its replica in the DR region, ElastiCache Redis) -> API (API Gateway + Cognito, on the
regional custom domain the failover record serves) -> video (MediaLive STANDARD into
MediaPackage v2 HLS + DASH; MediaConvert VOD) -> event ingest (Kinesis -> Firehose -> S3
lake) -> images (ECR, scanned on push) -> observability. The primary replicates VOD, the log
archive and the event lake (S3 CRR) and its images (ECR, account-level) into the DR region.

The global stack (stacks/blueprints/ott_edge.py) builds one distribution with WAF: the
API at `api-origin.<env>.<domain>` (a Route 53 failover record between the regions' API
domains, each with a health check), live video from the primary's MediaPackage with the
DR region's as the origin group's failover member.

Inputs: `OttSettings`; the Slack webhook of Alertmanager is the secret config value
`platform:alertWebhookUrl`. Outputs: the contracts of stacks/blueprints/ott_exports.py.
"""

from __future__ import annotations

from typing import Literal

import pulumi
from pydantic import Field, model_validator

from components.aurora import AuroraPostgres, AuroraPostgresArgs, AuroraPostgresSettings
from components.container_registry import (
    ContainerRegistry,
    ContainerRegistryArgs,
    ContainerRegistrySettings,
    ReplicaRegistry,
    ReplicaRegistryArgs,
)
from components.dynamodb import DynamoTable, DynamoTableArgs
from components.eks import Eks, EksArgs, EksSettings
from components.event_stream import EventStream, EventStreamArgs, EventStreamSettings
from components.http_api import HttpApi, HttpApiArgs, HttpApiSettings, HttpProxyRoute
from components.k8s_baseline import K8sBaseline, K8sBaselineArgs, K8sBaselineSettings
from components.k8s_monitoring import K8sMonitoring, K8sMonitoringArgs, K8sMonitoringSettings
from components.live_channel import LiveChannel, LiveChannelArgs
from components.network import NetworkSettings
from components.object_store import LogBucket, LogBucketArgs, ObjectStore, ObjectStoreArgs
from components.observability import ObservabilitySettings
from components.redis import Redis, RedisArgs, RedisSettings
from components.settings import wire
from components.user_pool import UserPool, UserPoolArgs, UserPoolSettings
from components.vod_pipeline import VodPipeline, VodPipelineArgs, VodPipelineSettings
from environments import StackSpec
from stacks.blueprints.base import Blueprint, BlueprintSettings
from stacks.blueprints.ott_exports import OttRegionExports
from stacks.foundation import Foundation, component_args, stack_observability

ID = "ott"
Role = Literal["primary", "dr"]
# The seed's microservices, one image repository each.
SERVICES = ("catalog", "playback", "profiles", "recommendations", "subscriptions", "search")
LIVE = "live"
HEALTH_PATH = "/health"


class OttSettings(BlueprintSettings):
    domain: str = Field(description="DNS domain of the system (a Route 53 public zone).")
    route53_zone_id: str = Field(description="Hosted zone id of `domain`.")
    viewer_host: str = Field(description="Host viewers use (the global distribution).")
    primary_region: str = Field("us-east-1", description="Region that serves (seed: us-east-1).")
    dr_region: str = Field("us-west-2", description="Warm-standby region of the same "
                           "jurisdiction (seed: us-west-2); replicas land here.")
    network: NetworkSettings = NetworkSettings()
    eks: EksSettings = EksSettings(karpenter_zone_spread=True)
    baseline: K8sBaselineSettings = K8sBaselineSettings()
    monitoring: K8sMonitoringSettings = K8sMonitoringSettings(
        zone_spread=True, chat_kind="slack", chat_severities=("critical",))
    live: LiveChannelArgs | None = Field(
        None, description="The live channel (MediaLive STANDARD + MediaPackage v2); a "
        "regional stack needs its `input_cidrs` (the contribution encoders' ranges).")
    vod: VodPipelineSettings = VodPipelineSettings()
    aurora: AuroraPostgresSettings = AuroraPostgresSettings(database_name="catalog")
    redis: RedisSettings = RedisSettings()
    api: HttpApiSettings = HttpApiSettings()
    users: UserPoolSettings = UserPoolSettings()
    events: EventStreamSettings = EventStreamSettings()
    registry: ContainerRegistrySettings = ContainerRegistrySettings(repositories=SERVICES)
    observability: ObservabilitySettings = ObservabilitySettings(cloudtrail=False,
                                                                 guardduty=False)
    rate_limit_per_5_minutes: int = Field(
        2000, ge=100, description="Requests per client IP per 5 minutes at the edge (WAF).")
    signing_public_key: str = Field(
        "components/keys/cloudfront-signing-placeholder.pub.pem",
        description="PEM public key (repository path) video URLs are signed against.")

    @model_validator(mode="after")
    def _regions(self) -> OttSettings:
        if self.primary_region == self.dr_region:
            raise ValueError(f"dr_region: '{self.dr_region}' is the primary region; warm "
                             "standby needs another region of the jurisdiction")
        for host in (self.viewer_host,):
            if not host.endswith(f".{self.domain}"):
                raise ValueError(f"viewer_host: '{host}' is outside domain '{self.domain}'")
        return self


def api_origin_host(spec: StackSpec, settings: OttSettings) -> str:
    """The name the failover record answers and both regions' API domains carry."""
    return f"api-origin.{spec.environment}.{settings.domain}"


def services_host(spec: StackSpec, settings: OttSettings) -> str:
    """The cluster's ingress in this region (published by the in-cluster ingress
    controller), which the API forwards to."""
    return f"services.{spec.region}.{spec.environment}.{settings.domain}"


def regional_stack(spec: StackSpec, region: str) -> str:
    return f"{ID}-{spec.environment}-{region}"


def live_channel_group(spec: StackSpec) -> str:
    """One name in both regions (unique per account and region), so the live paths are the
    same and the DR channel can back the primary's in one origin group."""
    return f"{ID}-{spec.environment}-{LIVE}"


def _role(spec: StackSpec, settings: OttSettings) -> Role:
    for region, role in ((settings.primary_region, "primary"), (settings.dr_region, "dr")):
        if region not in spec.allowed_regions:
            raise pulumi.RunError(
                f"{spec.stack_file}: settings.{role if role == 'dr' else 'primary'}_region: "
                f"'{region}' is outside jurisdiction '{spec.jurisdiction_name}' "
                f"({', '.join(spec.allowed_regions)}); DR stays in the jurisdiction")
    if spec.region == settings.primary_region:
        return "primary"
    if spec.region == settings.dr_region:
        return "dr"
    raise pulumi.RunError(f"{spec.stack_file}: settings.primary_region/dr_region: the stack's "
                          f"region {spec.region} is neither ({settings.primary_region}, "
                          f"{settings.dr_region}); name this region in one of them")


def build(spec: StackSpec, settings: OttSettings) -> None:
    if spec.scope == "global":
        from stacks.blueprints.ott_edge import build_edge
        build_edge(spec, settings)
    else:
        _build_region(spec, settings)


def _build_region(spec: StackSpec, settings: OttSettings) -> None:
    role = _role(spec, settings)
    live_settings = settings.live
    if live_settings is None:
        raise pulumi.RunError(f"{spec.stack_file}: settings.live: missing; give at least "
                              "live.input_cidrs (the contribution encoders' egress ranges)")
    replica = settings.dr_region if role == "primary" else None
    foundation = Foundation.create(spec, settings.network)
    opts, profile, network = foundation.opts(), spec.profile, foundation.network
    protect = profile.protect_stateful
    # The DR stack reads the primary's contract (its Aurora global cluster, its table).
    primary = (None if role == "primary"
               else OttRegionExports.read(regional_stack(spec, settings.primary_region)))
    access_logs = LogBucket("access-logs", LogBucketArgs(purpose="s3-access", protect=protect),
                            opts=opts)

    # ---- cluster ---------------------------------------------------------------------------
    cluster = Eks("eks", component_args(spec, "eks", lambda: wire(
        EksArgs, settings.eks, cluster_name=spec.stack, subnet_ids=network.private_subnet_ids,
        availability_zones=spec.availability_zones, log_retention_days=profile.log_retention_days,
        deletion_protection=protect)), opts=opts)
    assert spec.vpc_cidr is not None
    baseline = K8sBaseline("k8s-baseline", component_args(spec, "baseline", lambda: wire(
        K8sBaselineArgs, settings.baseline, kubernetes_provider=cluster.kubernetes_provider,
        vpc_cidr=str(spec.vpc_cidr))), opts=opts)
    K8sMonitoring("k8s-monitoring", component_args(spec, "monitoring", lambda: wire(
        K8sMonitoringArgs, settings.monitoring, kubernetes_provider=cluster.kubernetes_provider,
        cluster_name=cluster.cluster_name, region=spec.region,
        # Slack's incoming webhook carries its credential: a secret, never in the stack file.
        chat_webhook_url=pulumi.Config("platform").get_secret("alertWebhookUrl"),
        log_retention_days=profile.log_retention_days, protect=protect,
        access_log_bucket=access_logs.bucket_name)),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[baseline])))

    # ---- data ------------------------------------------------------------------------------
    in_network = {"vpc_id": network.vpc_id, "availability_zones": spec.availability_zones,
                  "workload_security_group_ids": [cluster.node_security_group_id],
                  "protect": protect, "log_retention_days": profile.log_retention_days}
    if primary is None:
        global_db = {"global_role": "primary", "global_cluster_identifier":
                     settings.aurora.global_cluster_identifier or f"{ID}-{spec.environment}"}
    else:
        global_db = {"global_role": "secondary", "global_cluster_identifier": None,
                     "primary_region": settings.primary_region,
                     "joins_global_cluster": primary.aurora_global_cluster_identifier}
    aurora = AuroraPostgres("aurora", component_args(spec, "aurora", lambda: wire(
        AuroraPostgresArgs, settings.aurora, **in_network, **global_db,
        db_subnet_group_name=network.db_subnet_group_name, multi_az=spec.multi_az,
        backup_retention_days=profile.backup_retention_days, region=spec.region,
        allowed_regions=spec.allowed_regions)), opts=opts)
    profiles = None
    if primary is None:
        # The global table: created here, its replica (own key) in the DR region.
        profiles = DynamoTable("profiles", component_args(spec, "profiles", lambda: DynamoTableArgs(
            hash_key="pk", range_key="sk", attributes={"pk": "S", "sk": "S"},
            region=spec.region, allowed_regions=spec.allowed_regions,
            replica_regions=[settings.dr_region], protect=protect, data_class="user-pii")),
            opts=opts)
    cache = Redis("redis", component_args(spec, "redis", lambda: wire(
        RedisArgs, settings.redis, **in_network, subnet_group_name=network.cache_subnet_group_name,
        multi_az=spec.multi_az, snapshot_retention_days=profile.backup_retention_days)),
        opts=opts)

    # ---- API -------------------------------------------------------------------------------
    users = UserPool("users", component_args(spec, "users", lambda: wire(
        UserPoolArgs, settings.users, protect=protect)), opts=opts)
    services = f"https://{services_host(spec, settings)}"
    api = HttpApi("api", component_args(spec, "api", lambda: wire(
        HttpApiArgs, settings.api, jwt_issuer=users.issuer, jwt_audiences=[users.client_id],
        proxy_routes=[HttpProxyRoute("ANY /{proxy+}", f"{services}/{{proxy}}")],
        health_route=HttpProxyRoute(f"GET {HEALTH_PATH}", f"{services}{HEALTH_PATH}"),
        domain_name=api_origin_host(spec, settings), route53_zone_id=settings.route53_zone_id,
        log_retention_days=profile.log_retention_days)), opts=opts)
    assert api.domain_target is not None and api.domain_zone_id is not None

    # ---- video -----------------------------------------------------------------------------
    live = LiveChannel(LIVE, component_args(spec, "live", lambda: LiveChannelArgs(**{
        **{f: getattr(live_settings, f) for f in LiveChannelArgs.__dataclass_fields__},
        "channel_group_name": live_settings.channel_group_name or live_channel_group(spec)})),
        opts=opts)
    vod = VodPipeline("vod", component_args(spec, "vod", lambda: wire(
        VodPipelineArgs, settings.vod, log_retention_days=profile.log_retention_days,
        protect=protect, access_log_bucket=access_logs.bucket_name,
        replication_region=replica, region=spec.region,
        allowed_regions=spec.allowed_regions)), opts=opts)

    # ---- events, logs, images ------------------------------------------------------------
    events = EventStream("events", component_args(spec, "events", lambda: wire(
        EventStreamArgs, settings.events, region=spec.region,
        allowed_regions=spec.allowed_regions, replication_region=replica, protect=protect,
        log_retention_days=profile.log_retention_days,
        access_log_bucket=access_logs.bucket_name)), opts=opts)
    ObjectStore("log-archive", component_args(spec, "log_archive", lambda: ObjectStoreArgs(
        data_class="telemetry", region=spec.region, allowed_regions=spec.allowed_regions,
        protect=protect, access_log_bucket=access_logs.bucket_name,
        replication_region=replica)), opts=opts)
    if role == "primary":
        # The registry's replication is account-wide: the primary owns it; the DR region's
        # nodes pull the replicated images from their own region.
        ContainerRegistry("registry", component_args(spec, "registry", lambda: wire(
            ContainerRegistryArgs, settings.registry, prefix=spec.stack,
            replication_regions=[settings.dr_region], region=spec.region,
            allowed_regions=spec.allowed_regions, protect=protect)), opts=opts)
    else:
        ReplicaRegistry("registry-replicas", ReplicaRegistryArgs(
            prefix=regional_stack(spec, settings.primary_region),
            keep_images=settings.registry.keep_images, protect=protect), opts=opts)

    monitored = [*network.monitored, *cluster.monitored, *aurora.monitored,
                 *(profiles.monitored if profiles is not None else []), *cache.monitored,
                 *api.monitored, *live.monitored, *vod.monitored, *events.monitored]
    stack_observability(spec, settings.observability, monitored, opts,
                        access_log_bucket=access_logs.bucket_name)

    assert aurora.global_cluster_identifier is not None
    if profiles is not None:
        table_name: pulumi.Input[str] = profiles.table_name
    else:
        assert primary is not None
        table_name = primary.profiles_table_name
    OttRegionExports(
        region=spec.region, role=role, api_domain_target=api.domain_target,
        api_domain_zone_id=api.domain_zone_id,
        api_health_host=api.api_endpoint.apply(lambda url: url.removeprefix("https://")),
        live_origin_domain=live.origin_domain, live_channel_group=live.channel_group_name,
        live_channel=live.channel_name,
        live_hls_endpoint_name=live.endpoint_names["hls"],
        live_dash_endpoint_name=live.endpoint_names["dash"],
        live_hls_endpoint_arn=live.hls_endpoint_arn,
        live_dash_endpoint_arn=live.dash_endpoint_arn,
        aurora_global_cluster_identifier=aurora.global_cluster_identifier,
        profiles_table_name=table_name,
        vod_bucket_name=vod.output_bucket_name, event_stream_name=events.stream_name,
        eks_cluster_name=cluster.cluster_name).publish()


def _services(settings: OttSettings) -> list[tuple[str, str]]:
    return [("eks", "eks"), ("aurora", "rds"), ("redis", "elasticache"),
            ("live", "medialive"), ("live", "mediapackagev2"), ("vod", "mediaconvert"),
            ("events", "kinesis"), ("events", "firehose"), ("api", "apigatewayv2"),
            ("users", "cognito-idp"), ("registry", "ecr")]


BLUEPRINT = Blueprint(id=ID, global_stacks=True, settings=OttSettings, build=build,
                      regional_services=_services,
                      summary="OTT video: EKS + Karpenter, MediaLive/MediaPackage live and "
                      "MediaConvert VOD, Aurora global database, DynamoDB global table, "
                      "Kinesis event lake; warm-standby DR region and a global CloudFront + "
                      "WAF edge with Route 53 failover")
