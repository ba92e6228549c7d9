"""Messages and streams at rest: SQS queues, SNS topics, Kinesis streams and Firehose
delivery streams are encrypted, with a KMS key where the data is restricted.

SQS encrypts new queues with SQS-managed keys unless told not to, so an unset
`sqs_managed_sse_enabled` counts as SSE-SQS; restricted data needs SSE-KMS. SNS topics and
Kinesis streams are unencrypted unless given a KMS key. A Firehose stream fed by a Kinesis
stream (or MSK) cannot take its own SSE: the source's encryption applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Report, stack_policy
from .graph import UNKNOWN, Graph, get, label, truthy

QUEUES = ("aws:sqs/queue:Queue", "aws-native:sqs:Queue")
TOPICS = ("aws:sns/topic:Topic", "aws-native:sns:Topic")
FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
FIREHOSE_SOURCES = ("kinesisSourceConfiguration", "mskSourceConfiguration")


def _set(value: Any) -> bool:
    """A key is given (or will be, once known)."""
    return value is UNKNOWN or (isinstance(value, str) and bool(value))


def _class(graph: Graph, resource: Any) -> str:
    return graph.data_class(resource) or "untagged (treated as restricted)"


def check_queues(graph: Graph, report: Report) -> None:
    for queue in graph.of_type(*QUEUES):
        if _set(get(queue.props, "kmsMasterKeyId")):
            continue
        managed = get(queue.props, "sqsManagedSseEnabled")
        if managed is UNKNOWN:
            continue
        off = managed is not None and not truthy(managed)
        if graph.restricted(queue):
            found = "is unencrypted" if off else "uses SQS-managed keys (SSE-SQS)"
            report(queue, f"SQS queue {label(queue)} holds {_class(graph, queue)} data but "
                          f"{found}; set kms_master_key_id to a customer KMS key")
        elif off:
            report(queue, f"SQS queue {label(queue)} is unencrypted "
                          "(sqs_managed_sse_enabled=False); drop that setting or set "
                          "kms_master_key_id")


def check_topics(graph: Graph, report: Report) -> None:
    for topic in graph.of_type(*TOPICS):
        if not _set(get(topic.props, "kmsMasterKeyId")):
            report(topic, f"SNS topic {label(topic)} is unencrypted at rest; set "
                          "kms_master_key_id (a customer KMS key for restricted data)")


def check_streams(graph: Graph, report: Report) -> None:
    for stream in graph.of_type("aws:kinesis/stream:Stream"):
        kind = get(stream.props, "encryptionType")
        if kind is not UNKNOWN and kind != "KMS":
            report(stream, f"Kinesis stream {label(stream)} is unencrypted at rest; set "
                           "encryption_type='KMS' with kms_key_id")
    for stream in graph.of_type("aws-native:kinesis:Stream"):
        kind = get(stream.props, "streamEncryption", "encryptionType")
        if kind is not UNKNOWN and kind != "KMS":
            report(stream, f"Kinesis stream {label(stream)} is unencrypted at rest; set "
                           "stream_encryption with encryption_type='KMS' and a key_id")
    for stream in graph.of_type(FIREHOSE):
        if any(get(stream.props, source) for source in FIREHOSE_SOURCES):
            continue  # encrypted (or not) by its source stream, judged there
        enabled = get(stream.props, "serverSideEncryption", "enabled")
        if enabled is not UNKNOWN and not truthy(enabled):
            report(stream, f"Firehose delivery stream {label(stream)} is unencrypted at rest; "
                           "set server_side_encryption enabled=True (key_type "
                           "'CUSTOMER_MANAGED_CMK' with key_arn for restricted data)")


def check_messaging_encrypted(graph: Graph, config: Mapping[str, Any], report: Report) -> None:
    check_queues(graph, report)
    check_topics(graph, report)
    check_streams(graph, report)


POLICIES = [
    stack_policy(
        "queue-topic-stream-encrypted",
        "SQS queues, SNS topics, Kinesis streams and Firehose delivery streams are encrypted "
        "at rest; SQS queues holding restricted data use a KMS key.",
        check_messaging_encrypted,
        remediation="Set the resource's KMS key (kms_master_key_id / encryption_type KMS).",
    ),
]
