"""EventStream: viewer interaction events -> Kinesis Data Streams -> Firehose -> S3 data lake.

    producers --PutRecords--> Kinesis stream (on-demand, KMS) --Firehose (its role reads the
    stream)--> data-lake ObjectStore (KMS, versioned, optionally replicated to a DR region)
    under `events/!{timestamp:yyyy/MM/dd}/`, delivery errors under `errors/`

Every hop is encrypted with a customer key: the stream with its own key, Firehose's
delivery with the lake bucket's key. Firehose's role may only read this stream, use its key,
write the lake bucket under its prefixes and use the bucket's key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws_context import AwsContext
from components.iam import policy_document, service_role
from components.kms import customer_key
from components.labels import DataClass, child_name, physical_name, resource_tags
from components.logs import LOGS_SERVICE, check_log_retention, encrypted_log_group
from components.monitoring import MonitoredResource
from components.object_store import ObjectStore, ObjectStoreArgs


@dataclass(frozen=True, kw_only=True)
class EventStreamSettings:
    retention_hours: int = 24
    """Hours Kinesis keeps records (24-8760); 24 (default) covers a day of replay."""
    buffer_seconds: int = 300
    """Firehose buffering interval before an S3 object is written (0-900 s)."""
    buffer_mib: int = 64
    """Firehose buffer size before an S3 object is written (1-128 MiB)."""
    data_class: DataClass = "user-pii"
    """`data-class` of the stream and the lake: interaction events name the viewer."""

    def __post_init__(self) -> None:
        if not 24 <= self.retention_hours <= 8760:
            raise ValueError(f"retention_hours: {self.retention_hours} is outside Kinesis's "
                             "24-8760")
        if not 0 <= self.buffer_seconds <= 900:
            raise ValueError(f"buffer_seconds: {self.buffer_seconds} is outside 0-900")
        if not 1 <= self.buffer_mib <= 128:
            raise ValueError(f"buffer_mib: {self.buffer_mib} is outside 1-128")


@dataclass(frozen=True, kw_only=True)
class EventStreamArgs(EventStreamSettings):
    region: str
    """The stack's region (plain): the lake's replication must leave it."""
    allowed_regions: list[str] = field(default_factory=list)
    """Regions of the stack's jurisdiction (the lake's replica must be in one)."""
    replication_region: str | None = None
    """Replicate the lake to this region (S3 CRR, DR); None = no replica."""
    protect: bool = True
    """Protect and retain the lake bucket."""
    log_retention_days: int = 365
    """Retention of Firehose's error log group."""
    access_log_bucket: pulumi.Input[str] | None = None
    """S3 access-log bucket of the stack's region for the lake; None = the lake's own."""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_log_retention("log_retention_days", self.log_retention_days)


class EventStream(pulumi.ComponentResource):
    """Kinesis stream -> Firehose -> S3 data lake, encrypted with customer keys."""

    stream_arn: pulumi.Output[str]
    """The Kinesis stream producers write to."""
    stream_name: pulumi.Output[str]
    """Its name (for the producers' PutRecords)."""
    lake_bucket_name: pulumi.Output[str]
    """The data lake bucket (events under `events/`)."""
    lake: ObjectStore
    """The lake's ObjectStore (versioned, KMS, replicated when asked)."""
    monitored: list[MonitoredResource]
    """The stream (kind `kinesis-stream`)."""

    def __init__(self, name: str, args: EventStreamArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:event_stream:EventStream", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ctx = AwsContext.of(self)
        self.lake = ObjectStore(child_name(name, "lake"), ObjectStoreArgs(
            data_class=args.data_class, protect=args.protect, region=args.region,
            allowed_regions=args.allowed_regions, replication_region=args.replication_region,
            tiering="intelligent-tiering", access_log_bucket=args.access_log_bucket),
            opts=child)
        stream_key = customer_key(name, "stream-key", description=f"{name}: event stream",
                                  parent=self, aws_context=ctx)
        stream_name = physical_name(name, "stream", limit=128)
        stream = aws.kinesis.Stream(
            child_name(name, "stream"), name=stream_name,
            retention_period=args.retention_hours,
            stream_mode_details=aws.kinesis.StreamStreamModeDetailsArgs(stream_mode="ON_DEMAND"),
            encryption_type="KMS", kms_key_id=stream_key.arn,
            tags=resource_tags(child_name(name, "stream"), args.data_class), opts=child)
        logs_key = customer_key(name, "logs-key", description=f"{name}: delivery errors",
                                parent=self, services=[LOGS_SERVICE], aws_context=ctx)
        errors = encrypted_log_group(child_name(name, "delivery-logs"),
                                     retention_days=args.log_retention_days,
                                     kms_key_arn=logs_key.arn, parent=self)
        error_stream = aws.cloudwatch.LogStream(
            child_name(name, "delivery-errors"), name="S3Delivery", log_group_name=errors.name,
            opts=child)
        lake_arn, lake_key = self.lake.bucket_arn, self.lake.kms_key_arn
        assert lake_arn is not None and lake_key is not None
        role = service_role(
            name, "firehose-role", services="firehose.amazonaws.com", parent=self,
            aws_context=ctx, description=f"{name}: Firehose reads the stream, writes the lake",
            inline_policies={"firehose-policy": pulumi.Output.all(
                stream.arn, stream_key.arn, lake_arn, lake_key, errors.arn).apply(
                lambda a: policy_document([
                    {"Effect": "Allow", "Resource": a[0], "Action": [
                        "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
                        "kinesis:GetShardIterator", "kinesis:GetRecords",
                        "kinesis:ListShards"]},
                    {"Effect": "Allow", "Resource": a[1], "Action": ["kms:Decrypt"]},
                    {"Effect": "Allow", "Resource": a[2], "Action": [
                        "s3:GetBucketLocation", "s3:ListBucket",
                        "s3:ListBucketMultipartUploads"]},
                    {"Effect": "Allow", "Resource": [f"{a[2]}/events/*", f"{a[2]}/errors/*"],
                     "Action": ["s3:PutObject", "s3:AbortMultipartUpload"]},
                    {"Effect": "Allow", "Resource": a[3],
                     "Action": ["kms:GenerateDataKey", "kms:Decrypt"]},
                    {"Effect": "Allow", "Resource": f"{a[4]}:*",
                     "Action": ["logs:PutLogEvents"]}]))})
        delivery = aws.kinesis.FirehoseDeliveryStream(
            child_name(name, "delivery"), name=physical_name(name, "delivery", limit=64),
            destination="extended_s3",
            kinesis_source_configuration=aws.kinesis.FirehoseDeliveryStreamKinesisSourceConfigurationArgs(
                kinesis_stream_arn=stream.arn, role_arn=role.arn),
            extended_s3_configuration=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs(
                role_arn=role.arn, bucket_arn=lake_arn, kms_key_arn=lake_key,
                prefix="events/!{timestamp:yyyy/MM/dd}/",
                error_output_prefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
                buffering_interval=args.buffer_seconds, buffering_size=args.buffer_mib,
                compression_format="GZIP",
                cloudwatch_logging_options=aws.kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptionsArgs(
                    enabled=True, log_group_name=errors.name,
                    log_stream_name=error_stream.name)),
            tags=resource_tags(child_name(name, "delivery"), args.data_class), opts=child)
        self.stream_arn = stream.arn
        self.stream_name = stream.name
        self.lake_bucket_name = self.lake.bucket_name
        self.monitored = [MonitoredResource(kind="kinesis-stream", name=child_name(name, "stream"),
                                            dimensions={"StreamName": stream.name})]
        self.register_outputs({"streamArn": stream.arn, "deliveryStreamArn": delivery.arn,
                               "lakeBucketName": self.lake.bucket_name})
