"""The VOD Lambda handler (components/vod_handler/handler.py).

moto has no MediaConvert, so the MediaConvert client is a real botocore client wrapped in
botocore's Stubber, which checks every request against the service model and against the
exact parameters we expect (role, template, queue, input path, output destinations,
client request token). The messages travel through a real SQS queue with a redrive policy
on moto's standalone server (127.0.0.1), as the event source mapping would deliver them,
so partial batch failures are shown to end in the dead-letter queue.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from components.vod_handler import handler as vod
from tests.moto_server import use_fake_aws

REGION = "us-east-1"
CONFIG = vod.Config(
    job_template="vod-job-template",
    queue_arn="arn:aws:mediaconvert:us-east-1:123456789012:queues/vod-queue",
    role_arn="arn:aws:iam::123456789012:role/vod-mediaconvert-role",
    output_bucket="vod-output-bucket",
)
TEMPLATE_SETTINGS: dict[str, Any] = {
    "Inputs": [{"AudioSelectors": {"Audio Selector 1": {"DefaultSelection": "DEFAULT"}},
                "VideoSelector": {}, "TimecodeSource": "ZEROBASED"}],
    "OutputGroups": [
        {"Name": "HLS", "OutputGroupSettings": {
            "Type": "HLS_GROUP_SETTINGS",
            "HlsGroupSettings": {"SegmentLength": 6, "MinSegmentLength": 0,
                                 "Destination": "s3://placeholder/hls/"}},
         "Outputs": [{"NameModifier": "_720p", "ContainerSettings": {"Container": "M3U8"}}]},
        {"Name": "DASH", "OutputGroupSettings": {
            "Type": "DASH_ISO_GROUP_SETTINGS",
            "DashIsoGroupSettings": {"SegmentLength": 6, "FragmentLength": 2}},
         "Outputs": [{"NameModifier": "_720p", "ContainerSettings": {"Container": "MPD"}}]},
    ],
}


def s3_event(key: str, *, bucket: str = "vod-upload-bucket", etag: str = "d41d8cd98f00b204",
             size: int = 1_048_576) -> dict[str, Any]:
    """An EventBridge "Object Created" event as S3 sends it."""
    return {
        "version": "0", "id": "17793124-05d4-b198-2fde-7ededc63b103",
        "detail-type": "Object Created", "source": "aws.s3", "account": "123456789012",
        "time": "2024-05-01T12:00:00Z", "region": REGION,
        "resources": [f"arn:aws:s3:::{bucket}"],
        "detail": {"version": "0", "bucket": {"name": bucket},
                   "object": {"key": key, "size": size, "etag": etag,
                              "sequencer": "00617F08299329D189"},
                   "request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012",
                   "reason": "PutObject"},
    }


def sqs_record(body: Any, message_id: str = "m-1") -> dict[str, Any]:
    return {"messageId": message_id, "receiptHandle": "rh", "eventSource": "aws:sqs",
            "body": body if isinstance(body, str) else json.dumps(body)}


def expected_request(key: str, *, bucket: str = "vod-upload-bucket",
                     etag: str = "d41d8cd98f00b204", stem: str) -> dict[str, Any]:
    """The CreateJob parameters the handler must send, written out by hand."""
    token = hashlib.sha256(f"{bucket}/{key}/{etag}".encode()).hexdigest()
    return {
        "JobTemplate": "vod-job-template",
        "Queue": "arn:aws:mediaconvert:us-east-1:123456789012:queues/vod-queue",
        "Role": "arn:aws:iam::123456789012:role/vod-mediaconvert-role",
        "ClientRequestToken": token,
        "StatusUpdateInterval": "SECONDS_60",
        "UserMetadata": {"source-bucket": bucket, "source-key": key, "source-etag": etag},
        "Tags": {"created-by": "vod-pipeline"},
        "Settings": {
            "Inputs": [{"FileInput": f"s3://{bucket}/{key}",
                        "AudioSelectors": {"Audio Selector 1": {"DefaultSelection": "DEFAULT"}},
                        "VideoSelector": {}, "TimecodeSource": "ZEROBASED"}],
            "OutputGroups": [
                {"Name": "HLS", "OutputGroupSettings": {
                    "Type": "HLS_GROUP_SETTINGS",
                    "HlsGroupSettings": {"SegmentLength": 6, "MinSegmentLength": 0,
                                         "Destination": f"s3://vod-output-bucket/{stem}/hls/"}},
                 "Outputs": [{"NameModifier": "_720p",
                              "ContainerSettings": {"Container": "M3U8"}}]},
                {"Name": "DASH", "OutputGroupSettings": {
                    "Type": "DASH_ISO_GROUP_SETTINGS",
                    "DashIsoGroupSettings": {
                        "SegmentLength": 6, "FragmentLength": 2,
                        "Destination": f"s3://vod-output-bucket/{stem}/dash/"}},
                 "Outputs": [{"NameModifier": "_720p",
                              "ContainerSettings": {"Container": "MPD"}}]},
            ],
        },
    }


@pytest.fixture
def mediaconvert() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                   region_name=REGION).client("mediaconvert")
    with Stubber(client) as stubber:
        yield client, stubber


def stub_template(stubber: Stubber) -> None:
    stubber.add_response("get_job_template",
                         {"JobTemplate": {"Name": "vod-job-template",
                                          "Settings": TEMPLATE_SETTINGS}},
                         {"Name": "vod-job-template"})


def stub_job(stubber: Stubber, request: dict[str, Any]) -> None:
    stubber.add_response("create_job", {"Job": {"Id": "1700000000000-abc123",
                                                "Role": request["Role"],
                                                "Settings": request["Settings"]}}, request)


# ---- pure functions ------------------------------------------------------------------------


def test_parse_record_reads_bucket_key_etag_and_size() -> None:
    upload = vod.parse_record(sqs_record(s3_event("lectures/Week 1/intro.MP4", size=42)))
    assert upload == vod.Upload(bucket="vod-upload-bucket", key="lectures/Week 1/intro.MP4",
                                etag="d41d8cd98f00b204", size=42)


@pytest.mark.parametrize("body", ["not json", {"source": "aws.s3"},
                                  {**s3_event("a.mp4"), "detail-type": "Object Deleted"},
                                  {**s3_event("a.mp4"), "detail": {"bucket": {}}}])
def test_parse_record_refuses_other_bodies(body: Any) -> None:
    with pytest.raises(vod.BadEvent):
        vod.parse_record(sqs_record(body))


@pytest.mark.parametrize(("key", "video"), [("a/b.mp4", True), ("a/b.MOV", True),
                                            ("a/b.mkv", True), ("a/b.jpg", False),
                                            ("a/b.mp4.txt", False), ("folder.mp4/", False),
                                            ("captions.vtt", False)])
def test_is_video(key: str, video: bool) -> None:
    assert vod.is_video(key) is video


def test_output_prefix_is_one_folder_per_source() -> None:
    assert vod.output_prefix("out", "lectures/intro.mp4") == "s3://out/lectures/intro/"
    assert vod.output_prefix("out", "intro.final.mov") == "s3://out/intro.final/"
    assert vod.output_prefix("out", "/a/b.mp4", "vod/") == "s3://out/vod/a/b/"


def test_token_is_stable_per_object_version_and_differs_between_versions() -> None:
    first = vod.Upload("b", "k.mp4", "etag-1", 1)
    assert vod.client_request_token(first) == vod.client_request_token(
        vod.Upload("b", "k.mp4", "etag-1", 99))
    assert vod.client_request_token(first) != vod.client_request_token(
        vod.Upload("b", "k.mp4", "etag-2", 1))
    assert vod.client_request_token(first) != vod.client_request_token(
        vod.Upload("b2", "k.mp4", "etag-1", 1))


def test_build_job_request_does_not_touch_the_cached_template() -> None:
    before = json.dumps(TEMPLATE_SETTINGS, sort_keys=True)
    request = vod.build_job_request(vod.Upload("vod-upload-bucket", "a/b.mp4", "e", 1),
                                    TEMPLATE_SETTINGS, CONFIG)
    assert json.dumps(TEMPLATE_SETTINGS, sort_keys=True) == before
    assert request == expected_request("a/b.mp4", etag="e", stem="a/b")


def test_build_job_request_refuses_unknown_output_groups() -> None:
    settings = {"OutputGroups": [{"OutputGroupSettings": {"Type": "MS_SMOOTH_GROUP_SETTINGS"}}]}
    with pytest.raises(ValueError, match="MS_SMOOTH_GROUP_SETTINGS"):
        vod.build_job_request(vod.Upload("b", "k.mp4", "e", 1), settings, CONFIG)


def test_config_from_env_requires_the_pipeline_settings() -> None:
    with pytest.raises(RuntimeError, match="MEDIACONVERT_ROLE_ARN"):
        vod.Config.from_env({"JOB_TEMPLATE": "t", "MEDIACONVERT_QUEUE_ARN": "q",
                             "OUTPUT_BUCKET": "o"})
    config = vod.Config.from_env({"JOB_TEMPLATE": "t", "MEDIACONVERT_QUEUE_ARN": "q",
                                  "MEDIACONVERT_ROLE_ARN": "r", "OUTPUT_BUCKET": "o",
                                  "VIDEO_SUFFIXES": ".MP4, .mov",
                                  "MEDIACONVERT_ENDPOINT": "https://abcd.mediaconvert.x"})
    assert config.video_suffixes == (".mp4", ".mov")
    assert config.endpoint_url == "https://abcd.mediaconvert.x"
    assert config.output_key_prefix == ""


def test_client_uses_the_configured_account_endpoint() -> None:
    session = boto3.session.Session(aws_access_key_id="testing",
                                    aws_secret_access_key="testing", region_name=REGION)
    custom = vod.Config(**{**CONFIG.__dict__, "endpoint_url": "https://abcd1234.mediaconvert."
                           "us-east-1.amazonaws.com"})
    assert vod.mediaconvert_client(custom, session).meta.endpoint_url == \
        "https://abcd1234.mediaconvert.us-east-1.amazonaws.com"
    assert "mediaconvert.us-east-1.amazonaws.com" in \
        vod.mediaconvert_client(CONFIG, session).meta.endpoint_url


# ---- process_batch against the stubbed MediaConvert API ----------------------------------


def test_submits_the_exact_job_request(mediaconvert: tuple[Any, Stubber]) -> None:
    client, stubber = mediaconvert
    stub_template(stubber)
    stub_job(stubber, expected_request("lectures/intro.mp4", stem="lectures/intro"))
    result = vod.process_batch({"Records": [sqs_record(s3_event("lectures/intro.mp4"))]},
                               client, CONFIG)
    assert result == {"batchItemFailures": []}
    stubber.assert_no_pending_responses()


def test_wrong_output_destination_is_caught(mediaconvert: tuple[Any, Stubber]) -> None:
    client, stubber = mediaconvert
    stub_template(stubber)
    request = expected_request("a.mp4", stem="a")
    request["Settings"]["OutputGroups"][0]["OutputGroupSettings"]["HlsGroupSettings"][
        "Destination"] = "s3://vod-output-bucket/hls/"
    stub_job(stubber, request)
    result = vod.process_batch({"Records": [sqs_record(s3_event("a.mp4"))]}, client, CONFIG)
    assert result["batchItemFailures"] == [{"itemIdentifier": "m-1"}]


def test_skips_non_videos_and_empty_objects_without_calling_mediaconvert(
        mediaconvert: tuple[Any, Stubber]) -> None:
    client, _ = mediaconvert  # no responses queued: any call would raise
    records = [sqs_record(s3_event("notes/slides.pdf"), "m-1"),
               sqs_record(s3_event("lectures/empty.mp4", size=0), "m-2")]
    assert vod.process_batch({"Records": records}, client, CONFIG) == {"batchItemFailures": []}


def test_reports_only_the_failed_records(mediaconvert: tuple[Any, Stubber]) -> None:
    client, stubber = mediaconvert
    stub_template(stubber)  # read once for the whole batch
    stub_job(stubber, expected_request("a.mp4", stem="a"))
    stubber.add_client_error("create_job", service_error_code="TooManyRequestsException",
                             http_status_code=429,
                             expected_params=expected_request("b.mp4", stem="b"))
    stub_job(stubber, expected_request("c.mov", stem="c"))
    records = [sqs_record(s3_event("a.mp4"), "m-a"), sqs_record(s3_event("b.mp4"), "m-b"),
               sqs_record("{broken", "m-broken"), sqs_record(s3_event("c.mov"), "m-c")]
    result = vod.process_batch({"Records": records}, client, CONFIG)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-b"},
                                            {"itemIdentifier": "m-broken"}]}
    stubber.assert_no_pending_responses()


# ---- through a real queue with a dead-letter queue (moto server) ------------------------


@pytest.fixture
def sqs(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    use_fake_aws(monkeypatch, REGION)
    return boto3.client("sqs", endpoint_url=moto_url, region_name=REGION)


def as_lambda_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """What the SQS event source mapping hands the function for these messages."""
    return {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"],
                         "body": m["Body"], "attributes": m.get("Attributes", {}),
                         "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                         "eventSource": "aws:sqs", "eventSourceARN": queue_arn,
                         "awsRegion": REGION} for m in messages]}


def deliver(sqs: Any, queue_url: str, queue_arn: str, client: Any) -> dict[str, Any]:
    """One poll of the event source mapping: receive, invoke, delete what succeeded."""
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                   VisibilityTimeout=0, AttributeNames=["All"]).get("Messages", [])
    result = vod.process_batch(as_lambda_event(messages, queue_arn), client, CONFIG,
                               template_cache={"vod-job-template": TEMPLATE_SETTINGS})
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    for message in messages:
        if message["MessageId"] not in failed:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return result


def test_failed_jobs_end_in_the_dead_letter_queue(sqs: Any,
                                                  mediaconvert: tuple[Any, Stubber]) -> None:
    client, stubber = mediaconvert
    dlq_url = sqs.create_queue(QueueName="vod-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url,
                                       AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(QueueName="vod-jobs", Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url,
                                         AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(s3_event("good.mp4")))
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(s3_event("bad.mp4")))

    stub_job(stubber, expected_request("good.mp4", stem="good"))
    for _ in range(2):  # the bad upload fails on every delivery
        stubber.add_client_error("create_job", service_error_code="BadRequestException",
                                 http_status_code=400,
                                 expected_params=expected_request("bad.mp4", stem="bad"))
    for _ in range(2):
        result = deliver(sqs, queue_url, queue_arn, client)
        assert len(result["batchItemFailures"]) == 1
    stubber.assert_no_pending_responses()
    assert sqs.receive_message(QueueUrl=queue_url, VisibilityTimeout=0).get("Messages") is None
    dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["detail"]["object"]["key"] for m in dead] == ["bad.mp4"]
