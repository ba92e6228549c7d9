"""Blueprint `upload-api` (seed 002): a serverless video upload and caption API.

Reads top to bottom: foundation (a VPC over `zones` AZs whose private subnets hold the
functions; S3 and DynamoDB gateway endpoints on the private route tables and a Transcribe
interface endpoint, so no NAT gateway) -> data (a private, KMS-encrypted, versioned video
bucket reached only through presigned URLs; a DynamoDB table of videos with PITR and KMS)
-> identity (Cognito user pool + app client) -> functions (components/upload_api_handlers,
each with its own least-privilege role) -> the HTTP API (JWT authorizer on every route,
throttling, access logs) -> the caption path (S3 ObjectCreated on `videos/*/video` ->
`start-caption` -> Amazon Transcribe -> EventBridge "Transcribe Job State Change"
COMPLETED -> `finish-caption`) -> account security services and alarms.

Where the seed left gaps (its own list): Cognito auth (the authorizer verifies the token,
the handlers check its `sub` is the `userId` acted for), X-Ray on every function, alarms on
error rate and throttles (Observability, from each component's `monitored`), VPC flow logs
(Network), GuardDuty, Security Hub and Inspector Lambda scanning (settings; each is one per
account and region). WAF: HTTP APIs take no WAF association; see README ("upload-api").

Inputs: `UploadApiSettings` (`platform:settings`). Outputs: the API endpoint, the user
pool and client ids, the bucket and table names, the alert topic.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field

from components.aws_context import AwsContext
from components.dynamodb import DynamoTable, DynamoTableArgs
from components.http_api import HttpApi, HttpApiArgs, HttpApiSettings, HttpRoute
from components.lambda_function import LambdaFunction, LambdaFunctionArgs, allow
from components.network import NetworkSettings
from components.object_store import LogBucket, LogBucketArgs, ObjectStore, ObjectStoreArgs
from components.observability import ObservabilitySettings
from components.settings import wire
from components.upload_api_handlers import handlers
from components.user_pool import UserPool, UserPoolArgs, UserPoolSettings
from environments import StackSpec
from stacks.blueprints.base import Blueprint, BlueprintSettings
from stacks.foundation import Foundation, component_args, stack_observability

ID = "upload-api"
HANDLERS_DIR = Path(handlers.__file__).resolve().parent
VIDEO_OBJECTS = "videos/*"
TRANSCRIPT_OBJECTS = "transcripts/*"
CAPTION_OBJECTS = "videos/*/caption.vtt"
# Transcribe has no gateway endpoint: an interface endpoint keeps the caption path off NAT.
NETWORK = NetworkSettings(nat_strategy="none", public_subnets=False,
                          interface_endpoint_services=("transcribe",))


class UploadApiSettings(BlueprintSettings):
    zones: int = Field(2, ge=2, description="AZs the VPC and the functions span (seed: 2).")
    cors_allowed_origins: list[str] = Field(
        default_factory=list, description="Browser origins that may call the API and PUT "
        "to the presigned URLs (none = no browser access).")
    upload_url_expiry_seconds: int = Field(
        handlers.UPLOAD_URL_EXPIRY_SECONDS, ge=60, le=3600,
        description="Lifetime of the presigned PUT URL POST /upload returns.")
    download_url_expiry_seconds: int = Field(
        handlers.DOWNLOAD_URL_EXPIRY_SECONDS, ge=60, le=43200,
        description="Lifetime of the presigned GET URLs GET /video/{id} returns.")
    caption_language: str = Field("en-US", description="Language Transcribe listens for.")
    reserved_concurrency: int = Field(
        50, ge=1, description="Reserved concurrency of each API function.")
    security_hub: bool = Field(
        True, description="Enable Security Hub (one per account and region).")
    inspector: bool = Field(
        True, description="Enable Inspector scanning of Lambda functions and their code "
        "(one per account and region).")
    network: NetworkSettings = NETWORK
    api: HttpApiSettings = HttpApiSettings()
    users: UserPoolSettings = UserPoolSettings()
    observability: ObservabilitySettings = ObservabilitySettings(cloudtrail=False)


def _via(services: list[str], region: str) -> dict[str, Any]:
    """The key is usable only through these services (kms:ViaService)."""
    return {"StringEquals": {"kms:ViaService": [f"{s}.{region}.amazonaws.com"
                                                for s in services]}}


def _statements(role: str, a: dict[str, str]) -> list[dict[str, Any]]:
    """Each function's own permissions: its table action, its bucket prefix, its keys (only
    through the service that uses them), its Transcribe action."""
    table, bucket, region = a["table"], a["bucket"], a["region"]
    jobs = f"arn:{a['partition']}:transcribe:{region}:{a['account']}:transcription-job/caption-*"

    def key(sid: str, arn: str, actions: list[str], *via: str) -> dict[str, Any]:
        return {**allow(sid, actions, [arn]), "Condition": _via(via, region)}

    read, write = ["kms:Decrypt"], ["kms:Decrypt", "kms:GenerateDataKey"]
    return {
        "upload": [allow("PutVideoItem", ["dynamodb:PutItem"], [table]),
                   allow("PresignVideoPut", ["s3:PutObject"], [f"{bucket}/{VIDEO_OBJECTS}"]),
                   key("TableKey", a["table_key"], ["kms:Encrypt", *write], "dynamodb"),
                   key("BucketKey", a["bucket_key"], write, "s3")],
        "get-video": [allow("GetVideoItem", ["dynamodb:GetItem"], [table]),
                      allow("PresignVideoGet", ["s3:GetObject"], [f"{bucket}/{VIDEO_OBJECTS}"]),
                      key("TableKey", a["table_key"], read, "dynamodb"),
                      key("BucketKey", a["bucket_key"], read, "s3")],
        # Transcribe reads the video and writes its output with the caller's permissions.
        "start-caption": [
            allow("StartCaptionJob", ["transcribe:StartTranscriptionJob"], [jobs]),
            allow("ReadVideo", ["s3:GetObject"], [f"{bucket}/{VIDEO_OBJECTS}"]),
            allow("WriteTranscript", ["s3:PutObject"], [f"{bucket}/{TRANSCRIPT_OBJECTS}"]),
            key("BucketKey", a["bucket_key"], write, "s3", "transcribe")],
        "finish-caption": [
            allow("ReadCaptionJob", ["transcribe:GetTranscriptionJob"], [jobs]),
            allow("ReadTranscript", ["s3:GetObject"], [f"{bucket}/{TRANSCRIPT_OBJECTS}"]),
            allow("WriteCaption", ["s3:PutObject"], [f"{bucket}/{CAPTION_OBJECTS}"]),
            allow("SetCaptionKey", ["dynamodb:UpdateItem"], [table]),
            key("TableKey", a["table_key"], ["kms:Encrypt", *write], "dynamodb"),
            key("BucketKey", a["bucket_key"], write, "s3")],
    }[role]


def build(spec: StackSpec, settings: UploadApiSettings) -> None:
    # The seed's VPC: the first `zones` AZs of the region.
    spec = spec.model_copy(update={"availability_zones": spec.availability_zones[:settings.zones]})
    foundation = Foundation.create(spec, settings.network)
    opts, profile, network = foundation.opts(), spec.profile, foundation.network

    access_logs = LogBucket("access-logs", LogBucketArgs(
        purpose="s3-access", protect=profile.protect_stateful), opts=opts)
    videos = ObjectStore("videos", component_args(spec, "videos", lambda: ObjectStoreArgs(
        data_class="user-content", region=spec.region, allowed_regions=spec.allowed_regions,
        protect=profile.protect_stateful, access_log_bucket=access_logs.bucket_name,
        tiering="none",
        cors_allowed_origins=list(settings.cors_allowed_origins),
        cors_allowed_methods=["PUT", "GET", "HEAD"])), opts=opts)
    table = DynamoTable("videos-table", component_args(spec, "table", lambda: DynamoTableArgs(
        hash_key="videoId", attributes={"videoId": "S"}, region=spec.region,
        allowed_regions=spec.allowed_regions, protect=profile.protect_stateful,
        data_class="user-content")), opts=opts)
    users = UserPool("users", component_args(spec, "users", lambda: wire(
        UserPoolArgs, settings.users, protect=profile.protect_stateful)), opts=opts)

    assert videos.bucket_arn is not None and videos.kms_key_arn is not None
    ctx = AwsContext.of(network)
    grants = pulumi.Output.all(
        table=table.table_arn, table_key=table.kms_key_arn, bucket=videos.bucket_arn,
        bucket_key=videos.kms_key_arn, partition=ctx.partition, region=ctx.region,
        account=ctx.account_id)
    data = {"TABLE_NAME": table.table_name, "BUCKET_NAME": videos.bucket_name}
    # Each function is told only what it uses.
    environment: dict[str, dict[str, pulumi.Input[str]]] = {
        "upload": {**data, "UPLOAD_URL_EXPIRY_SECONDS": str(settings.upload_url_expiry_seconds)},
        "get-video": {**data, "DOWNLOAD_URL_EXPIRY_SECONDS":
                      str(settings.download_url_expiry_seconds)},
        "start-caption": {"CAPTION_LANGUAGE": settings.caption_language,
                          "CAPTION_KMS_KEY_ARN": videos.kms_key_arn},
        "finish-caption": {"TABLE_NAME": table.table_name}}

    def function(role: str, handler: str, description: str, timeout: int = 10
                 ) -> LambdaFunction:
        return LambdaFunction(role, component_args(spec, role, lambda: LambdaFunctionArgs(
            source_dir=HANDLERS_DIR, handler=f"handlers.{handler}", description=description,
            statements=grants.apply(lambda a: _statements(role, a)),
            environment=environment[role],
            timeout_seconds=timeout, reserved_concurrency=settings.reserved_concurrency,
            subnet_ids=network.private_subnet_ids, vpc_id=network.vpc_id,
            # Only the endpoints: S3 / DynamoDB gateways, Transcribe's interface in the VPC.
            egress_prefix_list_ids=network.gateway_prefix_list_ids,
            egress_cidr_blocks=[network.vpc_cidr_block],
            log_retention_days=profile.log_retention_days)), opts=opts)

    upload = function("upload", "upload", "POST /upload: store the item, presign the PUT")
    get_video = function("get-video", "get_video", "GET /video/{id}: metadata + presigned GETs")
    start = function("start-caption", "start_caption", "start a Transcribe job per video")
    finish = function("finish-caption", "finish_caption", "caption beside the video", 60)

    api = HttpApi("api", component_args(spec, "api", lambda: wire(
        HttpApiArgs, settings.api, jwt_issuer=users.issuer, jwt_audiences=[users.client_id],
        cors_allowed_origins=list(settings.cors_allowed_origins),
        log_retention_days=profile.log_retention_days,
        routes=[HttpRoute("POST /upload", upload.function_name, upload.invoke_arn),
                HttpRoute("GET /video/{id}", get_video.function_name, get_video.invoke_arn)])),
        opts=opts)
    _caption_path(foundation, ctx, videos, start, finish)
    _security_services(foundation, ctx, settings)

    monitored = [*network.monitored, *table.monitored, *api.monitored, *upload.monitored,
                 *get_video.monitored, *start.monitored, *finish.monitored]
    observability = stack_observability(spec, settings.observability, monitored, opts,
                                        access_log_bucket=access_logs.bucket_name)

    pulumi.export("apiEndpoint", api.api_endpoint)
    pulumi.export("userPoolId", users.user_pool_id)
    pulumi.export("userPoolClientId", users.client_id)
    pulumi.export("videoBucketName", videos.bucket_name)
    pulumi.export("videoTableName", table.table_name)
    pulumi.export("alertTopicArn", observability.alert_topic_arn)


def _caption_path(foundation: Foundation, ctx: AwsContext, videos: ObjectStore,
                  start: LambdaFunction, finish: LambdaFunction) -> None:
    """S3 ObjectCreated (`videos/*/video`) -> start; Transcribe COMPLETED -> finish."""
    provider = pulumi.ResourceOptions(provider=foundation.providers.aws)
    invoke = aws.lambda_.Permission(
        "start-caption-from-s3", action="lambda:InvokeFunction",
        function=start.function_name, principal="s3.amazonaws.com",
        source_arn=videos.bucket_arn, source_account=ctx.account_id, opts=provider)
    aws.s3.BucketNotification(
        "videos-created", bucket=videos.bucket_name,
        lambda_functions=[aws.s3.BucketNotificationLambdaFunctionArgs(
            lambda_function_arn=start.function_arn, events=["s3:ObjectCreated:*"],
            filter_prefix="videos/", filter_suffix="/video")],
        opts=pulumi.ResourceOptions(provider=foundation.providers.aws, depends_on=[invoke]))
    rule = aws.cloudwatch.EventRule(
        "caption-finished", description="A caption job of this stack finished",
        event_pattern=json.dumps({
            "source": ["aws.transcribe"], "detail-type": ["Transcribe Job State Change"],
            "detail": {"TranscriptionJobStatus": ["COMPLETED"],
                       "TranscriptionJobName": [{"prefix": "caption-"}]}}),
        opts=provider)
    aws.cloudwatch.EventTarget("caption-finished-target", rule=rule.name,
                               arn=finish.function_arn, opts=provider)
    aws.lambda_.Permission(
        "finish-caption-from-events", action="lambda:InvokeFunction",
        function=finish.function_name, principal="events.amazonaws.com",
        source_arn=rule.arn, opts=provider)


def _security_services(foundation: Foundation, ctx: AwsContext,
                       settings: UploadApiSettings) -> None:
    provider = pulumi.ResourceOptions(provider=foundation.providers.aws)
    if settings.security_hub:
        aws.securityhub.Account("security-hub", enable_default_standards=True,
                                auto_enable_controls=True, opts=provider)
    if settings.inspector:
        aws.inspector2.Enabler("inspector", account_ids=[ctx.account_id],
                               resource_types=["LAMBDA", "LAMBDA_CODE"], opts=provider)


def _services(settings: UploadApiSettings) -> list[tuple[str, str]]:
    return [("functions", "lambda"), ("api", "apigatewayv2"), ("users", "cognito-idp"),
            ("caption_language", "transcribe"),
            *([("security_hub", "securityhub")] if settings.security_hub else []),
            *([("inspector", "inspector2")] if settings.inspector else [])]


BLUEPRINT = Blueprint(id=ID, settings=UploadApiSettings, build=build,
                      regional_services=_services,
                      summary="Serverless video upload + caption API: HTTP API with Cognito "
                      "JWT, Lambda in a 2-AZ VPC, S3 + DynamoDB gateway endpoints, Transcribe")
