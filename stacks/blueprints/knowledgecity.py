"""Blueprint `knowledgecity` (seed 004): Saudi users' data in the Middle East, US users' data
in the US, global course content behind CloudFront, geolocation routing to the regions.

Three kinds of stack, all of this one blueprint:

- `entry` (regional, the default role): the jurisdiction's entry point and user data.
  Foundation (providers, 3-AZ VPC) -> user data (`user_data: aurora`, a writer and readers
  over every AZ; or `dynamodb`, a global table replicated only to `dynamodb_replica_regions`
  of the jurisdiction) -> the PHP monolith (components/web_tier.py: EC2 Auto Scaling behind
  an HTTPS ALB with a REGIONAL WAF, CPU target tracking, an SQS work queue with a DLQ) -> the
  analytics tier (EKS + Karpenter, its S3 lake) -> backups (Glacier Deep Archive, replicated
  to another region of the jurisdiction) -> the VOD pipeline when `vod` is on -> alarms.
  It publishes `KnowledgeCityEntryExports` (the ALB the global stack routes to).
- `vod` (regional): only the VOD pipeline and its signed-URL distribution, for a
  jurisdiction whose entry region lacks MediaConvert (`sa`: me-south-1 has none, so the sa
  pipeline runs in me-central-1). The load-time capability check refuses `vod: true` in a
  region without MediaConvert and names the jurisdiction's regions that have it.
- `<blueprint>-<env>-global`: course content in one S3 bucket in us-east-1 (public
  content) behind CloudFront with WAF, and the Route 53 geolocation record of the app
  (`geolocation`: country -> region of an entry stack; `*` is the default), each target with
  a health check. It reads every routed entry stack through `KnowledgeCityEntryExports`.

VOD: uploads (raw, Standard-IA after 30 days) -> MediaConvert -> renditions
(Intelligent-Tiering), served by CloudFront with signed URLs only (key group from
`platform:cloudfrontSigningPublicKey`, else components/keys' placeholder, which fails closed).

Inputs: `KnowledgeCitySettings` (`platform:settings`); every field has a default, so a new
region of a jurisdiction is `platformctl new-stack knowledgecity <env> <region>` alone.
Outputs: see `KnowledgeCityEntryExports` and the exports at the end of each build.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, model_validator

from components.aurora import AuroraPostgres, AuroraPostgresArgs, AuroraPostgresSettings
from components.cdn import LEGACY_LOG_UNSUPPORTED_REGIONS, Cdn, CdnArgs, CdnOrigin
from components.dns_routing import (
    CLOUDFRONT_ZONE_ID,
    DEFAULT_LOCATION,
    RoutedRecord,
    RoutedRecordArgs,
    RouteTarget,
)
from components.dynamodb import DynamoTable, DynamoTableArgs
from components.eks import Eks, EksArgs, EksSettings
from components.iam import policy_document
from components.monitoring import MonitoredResource
from components.network import NetworkSettings
from components.object_store import LogBucket, LogBucketArgs, ObjectStore, ObjectStoreArgs
from components.observability import ObservabilitySettings
from components.settings import wire
from components.vod_pipeline import VodPipeline, VodPipelineArgs
from components.waf import CLOUDFRONT_REGION
from components.web_tier import WebTier, WebTierArgs, WebTierSettings
from environments import StackSpec
from environments.capabilities import regions_offering
from stacks.blueprints.base import Blueprint, BlueprintSettings
from stacks.exports import StackExports
from stacks.foundation import Foundation, component_args, stack_observability
from stacks.obligations import Obligations
from stacks.providers import RegionalProviders

ID = "knowledgecity"
SIGNING_KEY_CONFIG = "cloudfrontSigningPublicKey"
PLACEHOLDER_SIGNING_KEY = (Path(__file__).resolve().parents[2] / "components" / "keys"
                           / "cloudfront-signing-placeholder.pub.pem")
Role = Literal["entry", "vod"]
DEFAULT_TARGET = "default"
_LOCATION = re.compile(r"^([A-Z]{2}|\*)$")


@dataclasses.dataclass(frozen=True)
class KnowledgeCityEntryExports(StackExports):
    """What an `entry` stack publishes for the global stack (its geolocation target)."""

    alb_dns_name: pulumi.Input[str]
    alb_zone_id: pulumi.Input[str]
    region: pulumi.Input[str]
    jurisdiction: pulumi.Input[str]


@dataclasses.dataclass(frozen=True)
class KnowledgeCityVodExports(StackExports):
    """What a `vod` stack publishes for the entry stack of its jurisdiction, whose
    application issues the presigned uploads."""

    upload_bucket_arn: pulumi.Input[str]
    upload_kms_key_arn: pulumi.Input[str]
    video_url: pulumi.Input[str]


class KnowledgeCitySettings(BlueprintSettings):
    domain: str = Field("knowledgecity.example.com",
                        description="DNS domain of the system (a Route 53 public zone).")
    route53_zone_id: str = Field("Z0KNOWLEDGECITY0EXAMP",
                                 description="Hosted zone id of `domain`.")
    role: Role = Field("entry", description="Regional stacks: `entry` (user data, web and "
                       "analytics tiers, VOD when `vod`) or `vod` (only the VOD pipeline).")
    app_host: str = Field("app", description="Label of the geolocated app name "
                          "(`<app_host>.<domain>`), which the ALBs' certificates name.")
    user_data: Literal["aurora", "dynamodb"] = Field(
        "dynamodb", description="Store of the users' data: `aurora` (PostgreSQL, readers over "
        "every AZ) or `dynamodb` (a global table within the jurisdiction).")
    dynamodb_replica_regions: list[str] | None = Field(
        None, description="Replica regions of the DynamoDB global table; None = every other "
        "region of the stack's jurisdiction. Regions outside it are refused.")
    vod: bool = Field(True, description="Run the jurisdiction's VOD pipeline here (the "
                      "region must offer MediaConvert; `vod` stacks always do).")
    vod_region: str | None = Field(
        None, description="With `vod` off: the region of the jurisdiction's `vod` stack; "
        "None = the first region of the jurisdiction that offers MediaConvert.")
    video_host: str | None = Field(None, description="Viewer host of the video distribution; "
                                   "None = video-<region>.<domain>.")
    backup_archive_after_days: int = Field(
        1, ge=1, description="Days before backups move to Glacier Deep Archive.")
    backup_replica_region: str | None = Field(
        None, description="Region of the backups' replica; None = the first other region of "
        "the stack's jurisdiction.")
    network: NetworkSettings = NetworkSettings()
    web: WebTierSettings = WebTierSettings()
    aurora: AuroraPostgresSettings = AuroraPostgresSettings(instance_count=3)
    eks: EksSettings = EksSettings()
    observability: ObservabilitySettings = ObservabilitySettings(cloudtrail=False,
                                                                 guardduty=False)
    content_host: str = Field("courses", description="Global stack: label of the course "
                              "content distribution (`<content_host>.<domain>`).")
    geolocation: dict[str, str] = Field(
        {"SA": "me-south-1", "US": "us-east-1", DEFAULT_LOCATION: "us-east-1"},
        description="ISO country code (or `*`, the default) -> region of the entry stack of "
        "the same environment that answers it; every stack validates the whole table and "
        "creates its own locations' records (the global stack the default's).")

    @model_validator(mode="after")
    def _check(self) -> KnowledgeCitySettings:
        bad = [location for location in self.geolocation if not _LOCATION.match(location)]
        if bad:
            raise ValueError(f"geolocation: {bad[0]!r} is not an ISO 3166 country code; write "
                             "it like SA (or * for the default)")
        if DEFAULT_LOCATION not in self.geolocation:
            raise ValueError("geolocation: no default location '*'; resolvers elsewhere would "
                             "get no answer, add '*: <region>'")
        if self.video_host is not None and not self.video_host.endswith(f".{self.domain}"):
            raise ValueError(f"video_host: '{self.video_host}' is outside domain "
                             f"'{self.domain}'; use a name under it")
        return self


def _host(settings: KnowledgeCitySettings, label: str) -> str:
    return f"{label}.{settings.domain}"


def _other_regions(spec: StackSpec) -> list[str]:
    return [r for r in spec.allowed_regions if r != spec.region]


def _signing_key() -> str:
    configured = pulumi.Config("platform").get(SIGNING_KEY_CONFIG)
    return configured if configured else PLACEHOLDER_SIGNING_KEY.read_text()


def _target_id(location: str) -> str:
    return DEFAULT_TARGET if location == DEFAULT_LOCATION else location.lower()


def _routed_app(spec: StackSpec, settings: KnowledgeCitySettings,
                owned: dict[str, KnowledgeCityEntryExports],
                opts: pulumi.ResourceOptions) -> RoutedRecord:
    """The app name's geolocation records: the whole table (every stack validates the same
    one), with the entry points of the locations in `owned` (this stack's records)."""
    return RoutedRecord("app", component_args(spec, "geolocation", lambda: RoutedRecordArgs(
        zone_id=settings.route53_zone_id, name=_host(settings, settings.app_host),
        policy="geolocation", targets=[RouteTarget(
            id=_target_id(location),
            dns_name=owned[location].alb_dns_name if location in owned else None,
            alias_zone_id=owned[location].alb_zone_id if location in owned else None,
            country=location, health_check_path=settings.web.health_check_path)
            for location in settings.geolocation])), opts=opts)


# ---- regional parts ------------------------------------------------------------------------


def _user_data(foundation: Foundation, settings: KnowledgeCitySettings,
               workloads: list[pulumi.Output[str]]) -> list[MonitoredResource]:
    """The users' store in this region (and its in-jurisdiction replicas); its `monitored`."""
    spec, profile, network = foundation.spec, foundation.spec.profile, foundation.network
    if settings.user_data == "aurora":
        aurora = AuroraPostgres("users-db", component_args(spec, "aurora", lambda: wire(
            AuroraPostgresArgs, settings.aurora, vpc_id=network.vpc_id,
            db_subnet_group_name=network.db_subnet_group_name,
            availability_zones=spec.availability_zones, workload_security_group_ids=workloads,
            multi_az=spec.multi_az, backup_retention_days=profile.backup_retention_days,
            log_retention_days=profile.log_retention_days, protect=profile.protect_stateful,
            region=spec.region, allowed_regions=spec.allowed_regions)),
            opts=foundation.opts())
        pulumi.export("usersDbEndpoint", aurora.endpoint)
        pulumi.export("usersDbReaderEndpoint", aurora.reader_endpoint)
        return aurora.monitored
    replicas = settings.dynamodb_replica_regions
    table = DynamoTable("users-table", component_args(
        spec, "dynamodb_replica_regions", lambda: DynamoTableArgs(
            hash_key="user_id", attributes={"user_id": "S"}, region=spec.region,
            allowed_regions=spec.allowed_regions,
            replica_regions=_other_regions(spec) if replicas is None else list(replicas),
            protect=profile.protect_stateful)), opts=foundation.opts())
    pulumi.export("usersTableName", table.table_name)
    return table.monitored


def _backups(spec: StackSpec, settings: KnowledgeCitySettings, opts: pulumi.ResourceOptions,
             access_logs: LogBucket) -> ObjectStore:
    others = _other_regions(spec)
    replica = settings.backup_replica_region or (others[0] if others else None)
    return ObjectStore("backups", component_args(spec, "backup_replica_region", lambda: (
        ObjectStoreArgs(
            data_class="user-pii", region=spec.region, allowed_regions=spec.allowed_regions,
            tiering="none", archive_after_days=settings.backup_archive_after_days,
            replication_region=replica, replication_storage_class="DEEP_ARCHIVE",
            access_log_bucket=access_logs.bucket_name,
            protect=spec.profile.protect_stateful))), opts=opts)


def _vod(spec: StackSpec, settings: KnowledgeCitySettings, opts: pulumi.ResourceOptions,
         access_logs: LogBucket, obligations: Obligations,
         ) -> tuple[KnowledgeCityVodExports, list[MonitoredResource]]:
    """The jurisdiction's VOD pipeline and the signed-URL distribution of its renditions;
    what the application needs of it, and what to alarm on."""
    profile = spec.profile
    vod = VodPipeline("vod", component_args(spec, "vod", lambda: VodPipelineArgs(
        output_tiering="intelligent-tiering", output_cdn_origin=True,
        log_retention_days=profile.log_retention_days, protect=profile.protect_stateful,
        access_log_bucket=access_logs.bucket_name)), opts=opts)
    obligations.bucket_policy("vod-outputs", vod.output_store, owed_to="the video CDN")
    video_host = settings.video_host or _host(settings, f"video-{spec.region}")
    cdn = Cdn("video-cdn", component_args(spec, "video_host", lambda: CdnArgs(
        kind="cloudfront",
        origins=[CdnOrigin.for_store(vod.output_store, origin_id="renditions", role="vod")],
        domain_names=[video_host], route53_zone_id=settings.route53_zone_id,
        signed_urls=True, signing_public_key_pem=_signing_key(),
        # Legacy standard logging cannot deliver to opt-in regions (me-central-1), and a log
        # bucket elsewhere would take viewer IPs out of the jurisdiction.
        logging=spec.region not in LEGACY_LOG_UNSUPPORTED_REGIONS, log_region=spec.region,
        protect=profile.protect_stateful)), opts=opts)
    aws.route53.Record(
        "video-record", zone_id=settings.route53_zone_id, name=video_host, type="A",
        aliases=[aws.route53.RecordAliasArgs(name=cdn.domain_name, zone_id=CLOUDFRONT_ZONE_ID,
                                             evaluate_target_health=False)],
        opts=opts)
    pulumi.export("vodUploadBucket", vod.upload_bucket_name)
    pulumi.export("vodNotificationsTopicArn", vod.notifications_topic_arn)
    # CloudFront publishes metrics only in us-east-1, where its alarms (and their relay
    # topic) must be: outside the jurisdiction of a stack that does not include it.
    edge = cdn.monitored if CLOUDFRONT_REGION in spec.allowed_regions else []
    upload = vod.upload_store
    assert upload.bucket_arn is not None and upload.kms_key_arn is not None  # S3 stores
    exports = KnowledgeCityVodExports(upload_bucket_arn=upload.bucket_arn,
                                      upload_kms_key_arn=upload.kms_key_arn,
                                      video_url=f"https://{video_host}")
    return exports, [*vod.monitored, *edge]


def _vod_of_jurisdiction(spec: StackSpec, settings: KnowledgeCitySettings,
                         ) -> KnowledgeCityVodExports:
    """The `vod` stack of this entry stack's jurisdiction (same state backend), read through
    its contract; its region is `vod_region`, else the jurisdiction's first with
    MediaConvert (botocore's endpoint data)."""
    offering = [r for r in spec.allowed_regions
                if r != spec.region and r in regions_offering("mediaconvert")]
    region = settings.vod_region or (offering[0] if offering else None)
    if region is None or region not in spec.allowed_regions:
        raise pulumi.RunError(
            f"{spec.stack_file}: settings.vod_region: {region or 'no region'} of jurisdiction "
            f"'{spec.jurisdiction_name}' ({', '.join(spec.allowed_regions)}) runs its VOD "
            "pipeline; set vod_region to one of them that offers MediaConvert, or turn vod "
            "on here")
    return KnowledgeCityVodExports.read(f"{ID}-{spec.environment}-{region}")


def _grant_uploads(web: WebTier, vod: KnowledgeCityVodExports,
                   opts: pulumi.ResourceOptions) -> None:
    """The monolith signs presigned uploads: its instances may put objects (and encrypt
    them) in the jurisdiction's upload bucket only."""
    aws.iam.RolePolicy("web-uploads-policy", role=web.instance_role_name,
                       policy=pulumi.Output.all(vod.upload_bucket_arn,
                                                vod.upload_kms_key_arn).apply(
                           lambda a: policy_document([
                               {"Sid": "PutUploads", "Effect": "Allow",
                                "Action": "s3:PutObject", "Resource": f"{a[0]}/*"},
                               {"Sid": "EncryptUploads", "Effect": "Allow",
                                "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
                                "Resource": a[1]}])), opts=opts)


def _observability(spec: StackSpec, settings: KnowledgeCitySettings,
                   opts: pulumi.ResourceOptions, monitored: list[MonitoredResource],
                   access_logs: LogBucket) -> None:
    observability = stack_observability(spec, settings.observability, monitored, opts,
                                        access_log_bucket=access_logs.bucket_name)
    pulumi.export("alertTopicArn", observability.alert_topic_arn)


def _entry(spec: StackSpec, settings: KnowledgeCitySettings) -> None:
    foundation = Foundation.create(spec, settings.network)
    opts, profile, network = foundation.opts(), spec.profile, foundation.network
    obligations = Obligations()
    access_logs = LogBucket("access-logs", LogBucketArgs(
        purpose="s3-access", protect=profile.protect_stateful), opts=opts)

    web = WebTier("web", component_args(spec, "web", lambda: wire(
        WebTierArgs, settings.web, vpc_id=network.vpc_id,
        public_subnet_ids=network.public_subnet_ids,
        private_subnet_ids=network.private_subnet_ids,
        domain_name=_host(settings, settings.app_host),
        route53_zone_id=settings.route53_zone_id, protect=profile.protect_stateful)),
        opts=opts)
    analytics = Eks("analytics", component_args(spec, "eks", lambda: wire(
        EksArgs, settings.eks, cluster_name=spec.stack, subnet_ids=network.private_subnet_ids,
        availability_zones=spec.availability_zones,
        log_retention_days=profile.log_retention_days,
        deletion_protection=profile.protect_stateful)), opts=opts)
    monitored = [*network.monitored, *web.monitored, *analytics.monitored]
    monitored += _user_data(foundation, settings,
                            [web.security_group_id, analytics.node_security_group_id])
    lake = ObjectStore("analytics-lake", component_args(spec, "analytics", lambda: (
        ObjectStoreArgs(data_class="user-pii", region=spec.region,
                        allowed_regions=spec.allowed_regions, tiering="intelligent-tiering",
                        access_log_bucket=access_logs.bucket_name,
                        protect=profile.protect_stateful))), opts=opts)
    backups = _backups(spec, settings, opts, access_logs)
    if settings.vod:
        vod, watched = _vod(spec, settings, opts, access_logs, obligations)
        monitored += watched
    else:
        vod = _vod_of_jurisdiction(spec, settings)
    _grant_uploads(web, vod, opts)
    _observability(spec, settings, opts, monitored, access_logs)
    obligations.settle_all()

    exports = KnowledgeCityEntryExports(alb_dns_name=web.alb_dns_name,
                                        alb_zone_id=web.alb_zone_id, region=spec.region,
                                        jurisdiction=spec.jurisdiction_name)
    exports.publish()
    # The countries routed here are this stack's records (the default is the global stack's).
    countries = [c for c, r in settings.geolocation.items()
                 if r == spec.region and c != DEFAULT_LOCATION]
    if countries:
        _routed_app(spec, settings, dict.fromkeys(countries, exports), opts)
    pulumi.export("vpcId", network.vpc_id)
    pulumi.export("workQueueUrl", web.queue_url)
    pulumi.export("analyticsClusterName", analytics.cluster_name)
    pulumi.export("analyticsLakeBucket", lake.bucket_name)
    pulumi.export("backupsBucket", backups.bucket_name)
    pulumi.export("videoUrl", vod.video_url)


def _vod_only(spec: StackSpec, settings: KnowledgeCitySettings) -> None:
    # No VPC: the pipeline is S3, SQS, Lambda (outside a VPC) and MediaConvert.
    providers = RegionalProviders.create(spec)
    opts, profile = providers.opts(), spec.profile
    obligations = Obligations()
    access_logs = LogBucket("access-logs", LogBucketArgs(
        purpose="s3-access", protect=profile.protect_stateful), opts=opts)
    exports, monitored = _vod(spec, settings, opts, access_logs, obligations)
    _observability(spec, settings, opts, monitored, access_logs)
    obligations.settle_all()
    exports.publish()
    pulumi.export("region", spec.region)
    pulumi.export("jurisdiction", spec.jurisdiction_name)


# ---- the global stack ----------------------------------------------------------------------


def _global(spec: StackSpec, settings: KnowledgeCitySettings) -> None:
    providers = RegionalProviders.create(spec)
    opts, profile = providers.opts(), spec.profile
    obligations = Obligations()
    access_logs = LogBucket("access-logs", LogBucketArgs(
        purpose="s3-access", protect=profile.protect_stateful), opts=opts)
    # Course content is public content: one bucket for every jurisdiction, no user data.
    content = obligations.bucket_policy("course-content", ObjectStore(
        "course-content", component_args(spec, "content_host", lambda: ObjectStoreArgs(
            data_class="public-content", region=spec.region,
            allowed_regions=spec.allowed_regions, tiering="none", cloudfront_origin=True,
            access_log_bucket=access_logs.bucket_name, protect=profile.protect_stateful)),
        opts=opts), owed_to="the content CDN")
    content_host = _host(settings, settings.content_host)
    cdn = Cdn("content-cdn", component_args(spec, "content_host", lambda: CdnArgs(
        kind="cloudfront", origins=[CdnOrigin.for_store(content, origin_id="courses")],
        domain_names=[content_host], route53_zone_id=settings.route53_zone_id,
        signed_urls=False, log_region=spec.region, protect=profile.protect_stateful)),
        opts=opts)
    aws.route53.Record(
        "content-record", zone_id=settings.route53_zone_id, name=content_host, type="A",
        aliases=[aws.route53.RecordAliasArgs(name=cdn.domain_name, zone_id=CLOUDFRONT_ZONE_ID,
                                             evaluate_target_health=False)],
        opts=pulumi.ResourceOptions(provider=providers.aws))

    default_region = settings.geolocation[DEFAULT_LOCATION]
    if default_region not in spec.allowed_regions:
        raise pulumi.RunError(
            f"{spec.stack_file}: settings.geolocation.*: the default goes to {default_region}, "
            f"outside this stack's jurisdiction ({', '.join(spec.allowed_regions)}), whose "
            "state backend it cannot read; map '*' to one of those regions")
    # The default location's record: this stack's, on the entry point of its jurisdiction.
    entry = KnowledgeCityEntryExports.read(f"{ID}-{spec.environment}-{default_region}")
    app = _routed_app(spec, settings, {DEFAULT_LOCATION: entry}, opts)
    obligations.settle_all()

    pulumi.export("scope", "global")
    pulumi.export("appUrl", f"https://{app.fqdn}")
    pulumi.export("contentUrl", f"https://{content_host}")
    pulumi.export("contentBucket", content.bucket_name)
    pulumi.export("contentDistributionId", cdn.distribution_id)
    pulumi.export("defaultHealthCheckId", app.health_check_ids[DEFAULT_TARGET])


def build(spec: StackSpec, settings: KnowledgeCitySettings) -> None:
    if spec.scope == "global":
        _global(spec, settings)
    elif settings.role == "vod":
        _vod_only(spec, settings)
    else:
        _entry(spec, settings)


def _services(settings: KnowledgeCitySettings) -> list[tuple[str, str]]:
    if settings.role == "vod":
        return [("role", "mediaconvert")]
    services = [("web", "autoscaling"), ("web", "elbv2"), ("web", "sqs"), ("web", "wafv2"),
                ("eks", "eks"),
                ("user_data", "rds" if settings.user_data == "aurora" else "dynamodb")]
    if settings.vod:
        services.append(("vod", "mediaconvert"))
    return services


BLUEPRINT = Blueprint(id=ID, global_stacks=True, settings=KnowledgeCitySettings, build=build,
                      regional_services=_services,
                      summary="User data per jurisdiction (Aurora in me-south-1, DynamoDB in "
                      "us-east-1), EC2 monolith + EKS analytics, VOD where MediaConvert is "
                      "offered, global content behind CloudFront, geolocation routing")
