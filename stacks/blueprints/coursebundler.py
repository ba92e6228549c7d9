"""Blueprint `coursebundler` (seed 001): ECS Fargate frontend and backend behind CloudFront,
DocumentDB, S3 static assets, Route 53 failover to a DR region of the same blueprint.

Reads top to bottom: foundation (providers, a 3-AZ VPC with a NAT gateway per AZ) -> secrets
-> data (DocumentDB) -> services (frontend, backend: 2-10 tasks, CPU target 70%; the
frontend owns the ALB, the backend joins its listener on `/api/*`) -> DNS (failover pair)
-> assets bucket -> CDN -> observability. The stack whose `role` is `primary` owns the
PRIMARY record and replicates its assets to `dr_region`; the stack of the same environment
in `dr_region` (`role: dr`) owns the SECONDARY record.

Inputs: `CoursebundlerSettings` (the stack file's `platform:settings`). Outputs: the viewer
URL, CDN domain, both ECR repositories, the DocumentDB endpoint, the assets bucket and the
alert topic.

Names in the hosted zone (`domain`, zone `route53_zone_id`):
- `origin.<env>.<domain>`: the ALB, a failover pair (primary region first; Route 53 fails
  over when the primary ALB has no healthy targets). The ALB's certificate names exactly
  this host and CloudFront reaches both services under it, so TLS to the origin validates;
  the ALB admits only CloudFront's origin-facing addresses.
- `viewer_host`: the distribution of this stack (CloudFront aliases are unique, so the DR
  stack has its own host).
"""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, model_validator

from components.app_secrets import AppSecrets, AppSecretsArgs, AppSecretsSettings
from components.cdn import Cdn, CdnArgs, CdnOrigin
from components.dns_routing import CLOUDFRONT_ZONE_ID
from components.documentdb import DocumentDb, DocumentDbArgs, DocumentDbSettings
from components.ecs_service import EcsService, EcsServiceArgs, EcsServiceSettings
from components.network import NetworkSettings
from components.object_store import LogBucket, LogBucketArgs, ObjectStore, ObjectStoreArgs
from components.observability import ObservabilitySettings
from components.settings import wire
from environments import StackSpec
from stacks.blueprints.base import Blueprint, BlueprintSettings
from stacks.foundation import Foundation, component_args, stack_observability
from stacks.obligations import Obligations

ID = "coursebundler"
ASSET_PATHS = ["/assets/*"]
API_PATHS = ("/api/*",)


class CoursebundlerSettings(BlueprintSettings):
    domain: str = Field(description="DNS domain of the system (a Route 53 public zone).")
    route53_zone_id: str = Field(description="Hosted zone id of `domain`.")
    viewer_host: str = Field(description="Host viewers use for this stack's distribution.")
    role: Literal["primary", "dr", "standalone"] = Field(
        "primary", description="`primary` serves and replicates to `dr_region`; `dr` is the "
        "failover target; `standalone` (e.g. dev) has plain records and no replica.")
    dr_region: str = Field(
        "us-west-2", description="The DR region (seed: us-west-2); assets replicate there.")
    network: NetworkSettings = NetworkSettings()
    frontend: EcsServiceSettings = EcsServiceSettings(container_port=3000,
                                                      health_check_path="/")
    backend: EcsServiceSettings = EcsServiceSettings(health_check_path="/api/health",
                                                     path_patterns=API_PATHS)
    documentdb: DocumentDbSettings = DocumentDbSettings()
    secrets: AppSecretsSettings = AppSecretsSettings(
        generated=("jwt-secret",),
        external=("razorpay-key-id", "razorpay-key-secret", "cloudinary-api-key",
                  "cloudinary-api-secret"))
    observability: ObservabilitySettings = ObservabilitySettings(cloudtrail=False,
                                                                 guardduty=False)

    @model_validator(mode="after")
    def _hosts(self) -> CoursebundlerSettings:
        if not self.viewer_host.endswith(f".{self.domain}"):
            raise ValueError(f"viewer_host: '{self.viewer_host}' is outside domain "
                             f"'{self.domain}'; use a name under it")
        return self


def _origin_host(spec: StackSpec, settings: CoursebundlerSettings) -> str:
    return f"origin.{spec.environment}.{settings.domain}"


def _service(foundation: Foundation, settings: CoursebundlerSettings, service: str,
             knobs: EcsServiceSettings, **wiring: object) -> EcsService:
    spec, network = foundation.spec, foundation.network
    return EcsService(service, component_args(spec, service, lambda: wire(
        EcsServiceArgs, knobs,
        domain_name=knobs.domain_name or _origin_host(spec, settings),
        route53_zone_id=knobs.route53_zone_id or settings.route53_zone_id,
        vpc_id=network.vpc_id, public_subnet_ids=network.public_subnet_ids,
        private_subnet_ids=network.private_subnet_ids,
        log_retention_days=spec.profile.log_retention_days,
        protect=spec.profile.protect_stateful,
        **wiring)),
        opts=foundation.opts())


def _failover_record(foundation: Foundation, settings: CoursebundlerSettings,
                     ecs: EcsService) -> None:
    """This region's half of the origin's failover pair (alias to the ALB); a plain alias
    for a standalone stack."""
    spec = foundation.spec
    failover = {} if settings.role == "standalone" else {
        "set_identifier": spec.region,
        "failover_routing_policies": [aws.route53.RecordFailoverRoutingPolicyArgs(
            type="PRIMARY" if settings.role == "primary" else "SECONDARY")]}
    aws.route53.Record(
        "origin-record", zone_id=settings.route53_zone_id,
        name=_origin_host(spec, settings), type="A", **failover,
        # Route 53 health-checks the alias target: no healthy tasks = fail over.
        aliases=[aws.route53.RecordAliasArgs(name=ecs.alb_dns_name, zone_id=ecs.alb_zone_id,
                                             evaluate_target_health=True)],
        opts=pulumi.ResourceOptions(provider=foundation.providers.aws))


def build(spec: StackSpec, settings: CoursebundlerSettings) -> None:
    foundation = Foundation.create(spec, settings.network)
    opts, profile = foundation.opts(), spec.profile
    obligations = Obligations()

    secrets = AppSecrets("secrets", component_args(spec, "secrets", lambda: wire(
        AppSecretsArgs, settings.secrets, protect=profile.protect_stateful)), opts=opts)

    frontend = _service(foundation, settings, "frontend", settings.frontend)
    backend_secrets = {name.upper().replace("-", "_"): arn for name, arn in secrets.arns.items()}
    database = DocumentDb("documentdb", component_args(spec, "documentdb", lambda: wire(
        DocumentDbArgs, settings.documentdb, vpc_id=foundation.network.vpc_id,
        subnet_group_name=foundation.network.docdb_subnet_group_name,
        availability_zones=spec.availability_zones, multi_az=spec.multi_az,
        backup_retention_days=profile.backup_retention_days,
        log_retention_days=profile.log_retention_days, protect=profile.protect_stateful)),
        opts=opts)
    backend = _service(
        foundation, settings, "backend", settings.backend,
        secrets={**backend_secrets, "DOCUMENTDB_CREDENTIALS": database.master_secret_arn},
        secret_kms_key_arns=[secrets.kms_key_arn, database.kms_key_arn],
        attach_to=frontend.listener)
    # The database admits the backend only (its group is known once the service exists).
    aws.vpc.SecurityGroupIngressRule(
        "documentdb-in-backend", security_group_id=database.security_group_id,
        ip_protocol="tcp", from_port=database.port, to_port=database.port,
        referenced_security_group_id=backend.security_group_id,
        description="DocumentDB from the backend tasks",
        opts=pulumi.ResourceOptions(provider=foundation.providers.aws))
    _failover_record(foundation, settings, frontend)

    access_logs = LogBucket("access-logs", LogBucketArgs(
        purpose="s3-access", protect=profile.protect_stateful), opts=opts)
    assets = obligations.bucket_policy("assets", ObjectStore("assets", component_args(
        spec, "assets", lambda: ObjectStoreArgs(
            data_class="public-content", region=spec.region,
            allowed_regions=spec.allowed_regions, protect=profile.protect_stateful,
            access_log_bucket=access_logs.bucket_name, cloudfront_origin=True,
            # Versioned, and copied to the DR region by the primary (seed: S3 CRR).
            replication_region=settings.dr_region if settings.role == "primary" else None)),
        opts=opts), owed_to="the CDN")

    cdn = Cdn("cdn", component_args(spec, "cdn", lambda: CdnArgs(
        kind="cloudfront",
        origins=[
            CdnOrigin(origin_id="frontend", role="api",
                      domain_name=_origin_host(spec, settings)),
            CdnOrigin(origin_id="backend", role="api", path_patterns=list(API_PATHS),
                      domain_name=_origin_host(spec, settings)),
            CdnOrigin.for_store(assets, origin_id="assets", path_patterns=ASSET_PATHS),
        ],
        domain_names=[settings.viewer_host], route53_zone_id=settings.route53_zone_id,
        signed_urls=False, log_region=spec.region,
        protect=profile.protect_stateful)), opts=opts)
    aws.route53.Record(
        "viewer-record", zone_id=settings.route53_zone_id, name=settings.viewer_host,
        type="A", aliases=[aws.route53.RecordAliasArgs(
            name=cdn.domain_name, zone_id=CLOUDFRONT_ZONE_ID, evaluate_target_health=False)],
        opts=pulumi.ResourceOptions(provider=foundation.providers.aws))

    monitored = [*foundation.network.monitored, *frontend.monitored, *backend.monitored,
                 *database.monitored, *cdn.monitored]
    observability = stack_observability(spec, settings.observability, monitored, opts,
                                        access_log_bucket=access_logs.bucket_name)
    obligations.settle_all()

    pulumi.export("viewerUrl", f"https://{settings.viewer_host}")
    pulumi.export("cdnDomainName", cdn.domain_name)
    pulumi.export("frontendRepositoryUrl", frontend.repository_url)
    pulumi.export("backendRepositoryUrl", backend.repository_url)
    pulumi.export("documentDbEndpoint", database.endpoint)
    pulumi.export("assetsBucketName", assets.bucket_name)
    pulumi.export("alertTopicArn", observability.alert_topic_arn)


def _services(settings: CoursebundlerSettings) -> list[tuple[str, str]]:
    return [("frontend", "ecs"), ("backend", "ecs"), ("frontend", "ecr"),
            ("documentdb", "docdb"), ("secrets", "secretsmanager")]


BLUEPRINT = Blueprint(id=ID, settings=CoursebundlerSettings, build=build,
                      regional_services=_services,
                      summary="ECS Fargate frontend + backend behind CloudFront, DocumentDB "
                      "multi-AZ, S3 assets, Route 53 failover to a DR region")
