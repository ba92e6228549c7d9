"""VodPipeline: uploaded lecture -> MediaConvert HLS + DASH renditions, with back-pressure.

    upload bucket (ObjectStore, EventBridge notifications on)
      --"Object Created" rule (bucket + video suffixes)--> SQS jobs queue (SSE-KMS)
      --event source mapping (batch, ReportBatchItemFailures)--> Lambda (components/vod_handler,
        reserved concurrency = the back-pressure) --CreateJob (template, role, queue)-->
      MediaConvert queue + job template (HLS and DASH_ISO groups, the ABR ladder)
      --> output bucket (ObjectStore; STANDARD_IA after 30 days, the KnowledgeCity seed)
    MediaConvert "Job State Change" COMPLETE / ERROR --rule--> SNS topic (SSE-KMS)

Failure handling: a record the handler cannot submit is retried by SQS and, after
`max_receive_count` deliveries, lands in the dead-letter queue, which is `monitored`
(kind `vod-queue`, the DLQ's QueueName) so Observability alarms on its depth. The rule's
own delivery failures also go to the DLQ.

Least privilege: the Lambda may only CreateJob with this template on this queue, read the
template, pass the MediaConvert role (to MediaConvert only), consume its queue and write its
log group. The MediaConvert role may only read the upload bucket, write the output bucket
and use the two buckets' keys for that.

The output bucket is a CloudFront origin when `output_cdn_origin` is set: ObjectStore then
defers its bucket policy, and the edge layer must call
`vod.output_store.allow_cloudfront([distribution_arn])` (see components/object_store.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from components.aws_context import AwsContext
from components.iam import policy_document, role_policy, service_grant_statement, service_role
from components.kms import customer_key
from components.labels import DataClass, child_name, resource_tags
from components.live_channel import Rendition, validate_ladder
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.monitoring import MonitoredResource
from components.object_store import (
    TIERINGS,
    ObjectStore,
    ObjectStoreArgs,
    Tiering,
    check_cors_origins,
)

HANDLER_DIR = Path(__file__).resolve().parent / "vod_handler"
EVENTS_SERVICE = "events.amazonaws.com"
DEFAULT_VIDEO_SUFFIXES: tuple[str, ...] = (".mp4", ".mov", ".m4v", ".mkv", ".mxf", ".webm")
AUDIO_SELECTOR = "Audio Selector 1"
DEFAULT_RENDITIONS: tuple[Rendition, ...] = (
    Rendition(name="1080p", width=1920, height=1080, bitrate=5_000_000),
    Rendition(name="720p", width=1280, height=720, bitrate=3_000_000),
    Rendition(name="540p", width=960, height=540, bitrate=1_800_000),
    Rendition(name="360p", width=640, height=360, bitrate=800_000),
)
LAMBDA_TIMEOUT_SECONDS = 60
KMS_READ = ["kms:Decrypt"]
KMS_WRITE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]


@dataclass(frozen=True, kw_only=True)
class VodPipelineSettings:
    renditions: list[Rendition] = field(default_factory=lambda: list(DEFAULT_RENDITIONS))
    """ABR ladder of the job template (HLS and DASH); default 1080p/720p/540p/360p."""
    segment_seconds: int = 6
    """HLS and DASH segment length; 6 s (default)."""
    audio_bitrate: int = 96_000
    """AAC-LC stereo bitrate; 96 kb/s (default) suits speech-heavy lectures."""
    output_transition_days: int = 30
    """Days before outputs move to `output_tiering`'s class; 30 (default, the seed; S3's
    minimum for STANDARD_IA)."""
    output_tiering: Tiering = "standard-ia"
    """Storage class the renditions move to: `standard-ia` (default) or
    `intelligent-tiering` (KnowledgeCity: popularity of lectures is unknown up front)."""
    upload_data_class: DataClass = "user-content"
    """Data class of the raw uploads, also tagged on the job queues and the notifications
    topic (their messages name upload keys); `user-content` (default: instructors' uploads)."""
    output_data_class: DataClass = "user-content"
    """Data class of the renditions; `user-content` (default: paid courses, signed URLs)."""
    upload_cors_origins: list[str] = field(default_factory=list)
    """Browser origins allowed to upload through presigned URLs; empty (default) = none."""
    output_cdn_origin: bool = False
    """The output bucket is a CloudFront (OAC) origin; its policy then waits for the edge
    layer's `output_store.allow_cloudfront(...)`. Default False."""
    output_key_prefix: str = "vod"
    """Folder of the output bucket the renditions go under (`<prefix>/<key stem>/hls|dash/`);
    `vod` (default) matches the CDN's `/vod/*` behaviour, which forwards the full path."""
    video_suffixes: list[str] = field(default_factory=lambda: list(DEFAULT_VIDEO_SUFFIXES))
    """Object-key suffixes that start a job (matched in the rule, lower and upper case)."""
    reserved_concurrency: int = 5
    """Lambda reserved concurrency, also the event source mapping's maximum concurrency:
    caps job submissions (back-pressure); 5 by default, at least 2 (SQS mapping minimum)."""
    batch_size: int = 5
    """SQS messages per Lambda invocation; 5 (default)."""
    max_receive_count: int = 5
    """Deliveries before a message moves to the dead-letter queue; 5 (default)."""

    def __post_init__(self) -> None:
        validate_ladder(self.renditions, "renditions")
        if not 1 <= self.segment_seconds <= 30:
            raise ValueError(f"segment_seconds: {self.segment_seconds}; use 1..30")
        if not 64_000 <= self.audio_bitrate <= 320_000:
            raise ValueError(f"audio_bitrate: {self.audio_bitrate}; use 64000..320000 bit/s")
        if self.output_tiering not in TIERINGS:
            raise ValueError(f"output_tiering: '{self.output_tiering}' is unknown; use one of "
                             f"{', '.join(TIERINGS)}")
        if self.output_tiering == "standard-ia" and self.output_transition_days < 30:
            raise ValueError(f"output_transition_days: {self.output_transition_days} is below "
                             "the 30 days S3 requires before STANDARD_IA; use 30 or more")
        if not re.match(r"^[a-z0-9][a-z0-9-]{0,30}$", self.output_key_prefix):
            raise ValueError(f"output_key_prefix: '{self.output_key_prefix}' must be one "
                             "lower-case folder name like vod")
        if not self.video_suffixes:
            raise ValueError("video_suffixes: empty; list the video extensions (e.g. .mp4)")
        for suffix in self.video_suffixes:
            if not re.match(r"^\.[a-z0-9]{1,8}$", suffix):
                raise ValueError(f"video_suffixes: '{suffix}' is not a lower-case extension "
                                 "like .mp4")
        if not 2 <= self.reserved_concurrency <= 1000:
            raise ValueError(f"reserved_concurrency: {self.reserved_concurrency}; use 2..1000 "
                             "(the SQS event source mapping needs at least 2)")
        if not 1 <= self.batch_size <= 10:
            raise ValueError(f"batch_size: {self.batch_size}; use 1..10")
        if not 1 <= self.max_receive_count <= 100:
            raise ValueError(f"max_receive_count: {self.max_receive_count}; use 1..100")
        check_cors_origins("upload_cors_origins", self.upload_cors_origins)


@dataclass(frozen=True, kw_only=True)
class VodPipelineArgs(VodPipelineSettings):
    log_retention_days: int = 365
    """Retention of the Lambda's log group."""
    mediaconvert_endpoint: str | None = None
    """Account-specific MediaConvert endpoint for the handler; None (default) uses the
    regional endpoint, which MediaConvert serves everywhere."""
    protect: bool = True
    """Pulumi `protect` + retain on delete on both buckets (stateful)."""
    access_log_bucket: pulumi.Input[str] | None = None
    """Name of an S3 access-log `LogBucket` in this region (the stack's
    `storage-access-logs`) for both buckets' server access logs; None (default) = each
    bucket's ObjectStore creates its own."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags on the Lambda function and queues."""
    replication_region: str | None = None
    """Replicate the renditions (S3 CRR) to this region of the jurisdiction (a DR region);
    None (default) = no replica."""
    region: str | None = None
    """The stack's region (plain), needed with `replication_region`."""
    allowed_regions: list[str] = field(default_factory=list)
    """Regions of the stack's jurisdiction (the replica must be in one)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_log_retention("log_retention_days", self.log_retention_days)
        if self.mediaconvert_endpoint is not None and \
                not self.mediaconvert_endpoint.startswith("https://"):
            raise ValueError("mediaconvert_endpoint: not https; give the endpoint URL")


# ---- pure: renditions -> MediaConvert job template settings -----------------------------


def _video_description(rendition: Rendition) -> dict[str, Any]:
    return {
        "Width": rendition.width,
        "Height": rendition.height,
        "ScalingBehavior": "DEFAULT",
        "Sharpness": 50,
        "CodecSettings": {"Codec": "H_264", "H264Settings": {
            "RateControlMode": "QVBR",
            "QvbrSettings": {"QvbrQualityLevel": 7},
            "MaxBitrate": rendition.bitrate,
            "CodecProfile": "HIGH",
            "CodecLevel": "AUTO",
            "GopSize": 2,
            "GopSizeUnits": "SECONDS",
            "GopClosedCadence": 1,
            "NumberBFramesBetweenReferenceFrames": 2,
            "SceneChangeDetect": "TRANSITION_DETECTION",
            "FramerateControl": "INITIALIZE_FROM_SOURCE",
            "ParControl": "INITIALIZE_FROM_SOURCE",
        }},
    }


def _audio_description(bitrate: int) -> dict[str, Any]:
    return {"AudioSourceName": AUDIO_SELECTOR,
            "CodecSettings": {"Codec": "AAC", "AacSettings": {
                "Bitrate": bitrate, "CodingMode": "CODING_MODE_2_0", "SampleRate": 48000}}}


def job_template_settings(renditions: list[Rendition], *, segment_seconds: int = 6,
                          audio_bitrate: int = 96_000,
                          output_kms_key_arn: str | None = None) -> dict[str, Any]:
    """Job template `Settings`: an HLS group (TS, audio muxed) and a DASH_ISO group (video
    renditions plus one audio output). Destinations are set per job by the handler."""
    destination: dict[str, Any] = {}
    if output_kms_key_arn is not None:
        destination = {"DestinationSettings": {"S3Settings": {"Encryption": {
            "EncryptionType": "SERVER_SIDE_ENCRYPTION_KMS", "KmsKeyArn": output_kms_key_arn}}}}
    hls_outputs = [{
        "NameModifier": f"_{r.name}",
        "ContainerSettings": {"Container": "M3U8", "M3u8Settings": {}},
        "VideoDescription": _video_description(r),
        "AudioDescriptions": [_audio_description(audio_bitrate)],
    } for r in renditions]
    dash_outputs = [{
        "NameModifier": f"_{r.name}",
        "ContainerSettings": {"Container": "MPD"},
        "VideoDescription": _video_description(r),
    } for r in renditions] + [{
        "NameModifier": "_audio",
        "ContainerSettings": {"Container": "MPD"},
        "AudioDescriptions": [_audio_description(audio_bitrate)],
    }]
    return {
        "TimecodeConfig": {"Source": "ZEROBASED"},
        "Inputs": [{"AudioSelectors": {AUDIO_SELECTOR: {"DefaultSelection": "DEFAULT"}},
                    "VideoSelector": {}, "TimecodeSource": "ZEROBASED"}],
        "OutputGroups": [
            {"Name": "HLS", "OutputGroupSettings": {
                "Type": "HLS_GROUP_SETTINGS",
                "HlsGroupSettings": {
                    "SegmentLength": segment_seconds,
                    "MinSegmentLength": 0,
                    "SegmentControl": "SEGMENTED_FILES",
                    "DirectoryStructure": "SINGLE_DIRECTORY",
                    "ManifestDurationFormat": "INTEGER",
                    "OutputSelection": "MANIFESTS_AND_SEGMENTS",
                    "CodecSpecification": "RFC_4281",
                    "StreamInfResolution": "INCLUDE",
                    **destination,
                }},
             "Outputs": hls_outputs},
            {"Name": "DASH", "OutputGroupSettings": {
                "Type": "DASH_ISO_GROUP_SETTINGS",
                "DashIsoGroupSettings": {
                    "SegmentLength": segment_seconds,
                    "FragmentLength": 2,
                    "SegmentControl": "SEGMENTED_FILES",
                    "MpdProfile": "MAIN_PROFILE",
                    "HbbtvCompliance": "NONE",
                    **destination,
                }},
             "Outputs": dash_outputs},
        ],
    }


class VodPipeline(pulumi.ComponentResource):
    """Upload and output buckets, S3 -> EventBridge -> SQS (+DLQ) -> Lambda -> MediaConvert,
    and SNS notifications of finished and failed jobs."""

    upload_bucket_name: pulumi.Output[str]
    """Bucket that receives raw uploads (presigned PUT from the application)."""
    output_bucket_name: pulumi.Output[str]
    """Bucket that receives the HLS and DASH renditions under
    `<output_key_prefix>/<key stem>/hls|dash/`."""
    output_bucket_regional_domain_name: pulumi.Output[str]
    """`<bucket>.s3.<region>.amazonaws.com` of the output bucket (the CDN origin)."""
    upload_store: ObjectStore
    """The upload ObjectStore (for callers that need its key or policy hooks)."""
    output_store: ObjectStore
    """The output ObjectStore; call `allow_cloudfront` on it when `output_cdn_origin`."""
    job_template_name: pulumi.Output[str]
    """MediaConvert job template the handler submits jobs with."""
    mediaconvert_queue_arn: pulumi.Output[str]
    """MediaConvert queue the jobs run in."""
    mediaconvert_role_arn: pulumi.Output[str]
    """Role MediaConvert assumes to read uploads and write outputs."""
    jobs_queue_url: pulumi.Output[str]
    """SQS queue between the upload events and the Lambda."""
    dead_letter_queue_url: pulumi.Output[str]
    """Dead-letter queue of uploads that could not be submitted."""
    function_name: pulumi.Output[str]
    """The job-submitting Lambda."""
    notifications_topic_arn: pulumi.Output[str]
    """SNS topic receiving MediaConvert COMPLETE and ERROR job events; subscribe to it."""
    monitored: list[MonitoredResource]
    """The dead-letter queue (kind `vod-queue`)."""

    def __init__(self, name: str, args: VodPipelineArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:vod_pipeline:VodPipeline", name, None, opts)
        self._name = name
        self.args = args
        self.monitored = []
        child = pulumi.ResourceOptions(parent=self)
        ctx = AwsContext.of(self)

        # -- buckets (ObjectStore: private, SSE-KMS, versioned, TLS-only) -------------------
        self.upload_store = ObjectStore(child_name(name, "uploads"), ObjectStoreArgs(
            kind="s3", data_class=args.upload_data_class, protect=args.protect,
            cors_allowed_origins=list(args.upload_cors_origins),
            cors_allowed_methods=["PUT", "POST", "HEAD"],
            access_log_bucket=args.access_log_bucket), opts=child)
        self.output_store = ObjectStore(child_name(name, "outputs"), ObjectStoreArgs(
            kind="s3", data_class=args.output_data_class, protect=args.protect,
            tiering=args.output_tiering, tiering_after_days=args.output_transition_days,
            cloudfront_origin=args.output_cdn_origin,
            replication_region=args.replication_region, region=args.region,
            allowed_regions=list(args.allowed_regions),
            access_log_bucket=args.access_log_bucket), opts=child)
        upload, output = self.upload_store, self.output_store
        assert upload.bucket_arn is not None and output.bucket_arn is not None
        assert upload.kms_key_arn is not None and output.kms_key_arn is not None
        self.upload_bucket_name = upload.bucket_name
        self.output_bucket_name = output.bucket_name
        assert output.bucket_regional_domain_name is not None
        self.output_bucket_regional_domain_name = output.bucket_regional_domain_name
        notification = aws.s3.BucketNotification(
            child_name(name, "upload-events"), bucket=upload.bucket_name, eventbridge=True,
            opts=child)

        # -- one key for the queues, the topic and the logs -------------------------------
        key = customer_key(name, "key", description=f"{name}: job queues, notifications, logs",
                           parent=self, services=[EVENTS_SERVICE, LOGS_SERVICE],
                           aws_context=ctx)

        # -- SQS between the events and the Lambda ----------------------------------------
        dlq_name = child_name(name, "dlq")
        dlq = aws.sqs.Queue(
            dlq_name, kms_master_key_id=key.arn, kms_data_key_reuse_period_seconds=300,
            message_retention_seconds=14 * 86_400,
            tags=resource_tags(dlq_name, data_class=args.upload_data_class,
                               extra=args.tags), opts=child)
        queue_name = child_name(name, "jobs")
        queue = aws.sqs.Queue(
            queue_name, kms_master_key_id=key.arn, kms_data_key_reuse_period_seconds=300,
            # AWS: at least six times the function timeout, so retries do not overlap.
            visibility_timeout_seconds=6 * LAMBDA_TIMEOUT_SECONDS,
            message_retention_seconds=4 * 86_400,
            receive_wait_time_seconds=20,
            redrive_policy=dlq.arn.apply(lambda arn: json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": args.max_receive_count})),
            tags=resource_tags(queue_name, data_class=args.upload_data_class,
                               extra=args.tags), opts=child)
        self.jobs_queue_url = queue.url
        self.dead_letter_queue_url = dlq.url
        self.monitored.append(MonitoredResource(kind="vod-queue", name=dlq_name,
                                                dimensions={"QueueName": dlq.name}))

        rule_name = child_name(name, "upload-rule")
        rule = aws.cloudwatch.EventRule(
            rule_name, description=f"{name}: a video was uploaded",
            event_pattern=upload.bucket_name.apply(lambda bucket: json.dumps({
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {"bucket": {"name": [bucket]},
                           "object": {"key": self._suffix_patterns()}},
            })),
            tags=resource_tags(rule_name), opts=pulumi.ResourceOptions(
                parent=self, depends_on=[notification]))
        for target_queue, policy_name in ((queue, "jobs-policy"), (dlq, "dlq-policy")):
            aws.sqs.QueuePolicy(
                child_name(name, policy_name), queue_url=target_queue.url,
                policy=pulumi.Output.all(target_queue.arn, rule.arn).apply(
                    lambda a: policy_document([service_grant_statement(
                        "UploadRuleSendsMessages", EVENTS_SERVICE, "sqs:SendMessage", a[0],
                        source_arn=a[1])])), opts=child)
        aws.cloudwatch.EventTarget(
            child_name(name, "upload-target"), rule=rule.name, arn=queue.arn,
            dead_letter_config={"arn": dlq.arn},
            retry_policy={"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 20},
            opts=child)

        # -- MediaConvert: queue, template, role ------------------------------------------
        mc_queue = aws.mediaconvert.Queue(
            child_name(name, "mediaconvert-queue"), pricing_plan="ON_DEMAND", status="ACTIVE",
            description=f"{name}: lecture transcodes",
            tags=resource_tags(child_name(name, "mediaconvert-queue")), opts=child)
        self.mediaconvert_queue_arn = mc_queue.arn
        template_name = child_name(name, "job-template")
        # Job templates are named per account and region: the stack keeps two stacks apart.
        template = aws_native.mediaconvert.JobTemplate(
            template_name, name=f"{template_name}-{pulumi.get_stack()}", category="vod",
            description=f"{name}: HLS + DASH ABR ladder",
            queue=mc_queue.arn, status_update_interval="SECONDS_60", priority=0,
            settings_json=output.kms_key_arn.apply(lambda arn: job_template_settings(
                list(args.renditions), segment_seconds=args.segment_seconds,
                audio_bitrate=args.audio_bitrate, output_kms_key_arn=arn)),
            tags=resource_tags(template_name), opts=child)
        self.job_template_name = template.name  # type: ignore[assignment]  # given above

        mc_role = service_role(
            name, "mediaconvert-role", services="mediaconvert.amazonaws.com", parent=self,
            aws_context=ctx, description=f"{name}: MediaConvert reads uploads, writes renditions",
            inline_policies={"mediaconvert-policy": pulumi.Output.all(
                upload.bucket_arn, output.bucket_arn, upload.kms_key_arn,
                output.kms_key_arn).apply(lambda a: policy_document([
                    {"Sid": "ReadUploads", "Effect": "Allow", "Action": "s3:GetObject",
                     "Resource": f"{a[0]}/*"},
                    {"Sid": "WriteRenditions", "Effect": "Allow", "Action": "s3:PutObject",
                     "Resource": f"{a[1]}/*"},
                    {"Sid": "DecryptUploads", "Effect": "Allow", "Action": KMS_READ,
                     "Resource": a[2]},
                    {"Sid": "EncryptRenditions", "Effect": "Allow", "Action": KMS_WRITE,
                     "Resource": a[3]},
                ]))})
        self.mediaconvert_role_arn = mc_role.arn

        # -- the Lambda ---------------------------------------------------------------------
        log_group = encrypted_log_group(child_name(name, "handler-logs"),
                                        retention_days=args.log_retention_days,
                                        kms_key_arn=key.arn, parent=self)
        fn_role = service_role(
            name, "handler-role", services="lambda.amazonaws.com", parent=self,
            aws_context=ctx, description=f"{name}: submits MediaConvert jobs from the SQS queue")
        # Kept as a resource of its own: the function waits for its permissions.
        fn_policy = role_policy(
            name, "handler-policy", role=fn_role, parent=self,
            policy=pulumi.Output.all(queue.arn, key.arn, mc_queue.arn, template.arn,
                                     mc_role.arn, log_group.arn, ctx.partition, ctx.region,
                                     ctx.account_id).apply(self._handler_policy))
        environment = {
            "JOB_TEMPLATE": self.job_template_name,
            "MEDIACONVERT_QUEUE_ARN": mc_queue.arn,
            "MEDIACONVERT_ROLE_ARN": mc_role.arn,
            "OUTPUT_BUCKET": output.bucket_name,
            "OUTPUT_KEY_PREFIX": args.output_key_prefix,
            "VIDEO_SUFFIXES": ",".join(args.video_suffixes),
        }
        if args.mediaconvert_endpoint is not None:
            environment["MEDIACONVERT_ENDPOINT"] = args.mediaconvert_endpoint
        function_name = child_name(name, "handler")
        function = aws.lambda_.Function(
            function_name,
            runtime="python3.12",
            handler="handler.handler",
            code=pulumi.FileArchive(str(HANDLER_DIR)),
            role=fn_role.arn,
            timeout=LAMBDA_TIMEOUT_SECONDS,
            memory_size=256,
            architectures=["arm64"],
            reserved_concurrent_executions=args.reserved_concurrency,
            environment={"variables": environment},
            logging_config={"log_format": "JSON", "log_group": log_group.name,
                            "application_log_level": "INFO", "system_log_level": "WARN"},
            tags=resource_tags(function_name, extra=args.tags),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[fn_policy]))
        self.function_name = function.name
        aws.lambda_.EventSourceMapping(
            child_name(name, "handler-trigger"), event_source_arn=queue.arn,
            function_name=function.arn, batch_size=args.batch_size,
            maximum_batching_window_in_seconds=5,
            function_response_types=["ReportBatchItemFailures"],
            scaling_config={"maximum_concurrency": args.reserved_concurrency},
            opts=child)

        # -- notifications ------------------------------------------------------------------
        topic_name = child_name(name, "notifications")
        topic = aws.sns.Topic(topic_name, kms_master_key_id=key.arn,
                              tags=resource_tags(topic_name, data_class=args.upload_data_class),
                              opts=child)
        self.notifications_topic_arn = topic.arn
        job_rule_name = child_name(name, "job-state-rule")
        job_rule = aws.cloudwatch.EventRule(
            job_rule_name, description=f"{name}: MediaConvert job finished or failed",
            event_pattern=mc_queue.arn.apply(lambda arn: json.dumps({
                "source": ["aws.mediaconvert"],
                "detail-type": ["MediaConvert Job State Change"],
                "detail": {"status": ["COMPLETE", "ERROR"], "queue": [arn]},
            })),
            tags=resource_tags(job_rule_name), opts=child)
        topic_policy = aws.sns.TopicPolicy(
            child_name(name, "notifications-policy"), arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, job_rule.arn).apply(
                lambda a: policy_document([service_grant_statement(
                    "JobStateRulePublishes", EVENTS_SERVICE, "sns:Publish", a[0],
                    source_arn=a[1])])), opts=child)
        aws.cloudwatch.EventTarget(
            child_name(name, "job-state-target"), rule=job_rule.name, arn=topic.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[topic_policy]))

        self.register_outputs({
            "uploadBucketName": self.upload_bucket_name,
            "outputBucketName": self.output_bucket_name,
            "outputBucketRegionalDomainName": self.output_bucket_regional_domain_name,
            "jobTemplateName": self.job_template_name,
            "mediaconvertQueueArn": self.mediaconvert_queue_arn,
            "mediaconvertRoleArn": self.mediaconvert_role_arn,
            "jobsQueueUrl": self.jobs_queue_url,
            "deadLetterQueueUrl": self.dead_letter_queue_url,
            "functionName": self.function_name,
            "notificationsTopicArn": self.notifications_topic_arn,
        })

    def _suffix_patterns(self) -> list[dict[str, str]]:
        suffixes = self.args.video_suffixes
        return [{"suffix": s} for s in suffixes] + [{"suffix": s.upper()} for s in suffixes]

    @staticmethod
    def _handler_policy(a: list[str]) -> str:
        queue, key, mc_queue, template, mc_role, log_group, partition, region, account = a
        return policy_document([
            {"Sid": "ConsumeJobsQueue", "Effect": "Allow",
             "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                        "sqs:ChangeMessageVisibility"],
             "Resource": queue},
            {"Sid": "DecryptMessages", "Effect": "Allow", "Action": KMS_READ, "Resource": key},
            {"Sid": "SubmitJobsWithTemplate", "Effect": "Allow",
             "Action": "mediaconvert:CreateJob", "Resource": [mc_queue, template]},
            {"Sid": "ReadJobTemplate", "Effect": "Allow",
             "Action": "mediaconvert:GetJobTemplate", "Resource": template},
            {"Sid": "TagOwnJobs", "Effect": "Allow", "Action": "mediaconvert:TagResource",
             "Resource": f"arn:{partition}:mediaconvert:{region}:{account}:jobs/*"},
            {"Sid": "PassMediaConvertRole", "Effect": "Allow", "Action": "iam:PassRole",
             "Resource": mc_role,
             "Condition": {"StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}}},
            {"Sid": "WriteOwnLogs", "Effect": "Allow",
             "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"{log_group}:*"},
        ])
