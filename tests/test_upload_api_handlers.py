"""The upload-api handlers against moto's standalone server on 127.0.0.1 (S3, DynamoDB,
Transcribe): good requests do what the API contract says; bad ones are a clear 4xx and
leave the table and the bucket untouched."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests

from components.upload_api_handlers import handlers
from tests.moto_server import reset, use_fake_aws

TABLE, BUCKET, REGION = "videos", "videos-bucket", "us-east-1"
ALICE, BOB = "alice-sub-0001", "bob-sub-0002"


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Fake credentials, every client pointed at moto, a fresh table and bucket."""
    use_fake_aws(monkeypatch, REGION, AWS_ENDPOINT_URL=moto_url, TABLE_NAME=TABLE,
                 BUCKET_NAME=BUCKET)
    reset(moto_url)
    handlers._client.cache_clear()
    client("dynamodb").create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "videoId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "videoId", "AttributeType": "S"}])
    client("s3").create_bucket(Bucket=BUCKET)
    yield moto_url
    handlers._client.cache_clear()


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def api_event(sub: str | None, body: Any = None, video_id: str | None = None
              ) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event after the JWT authorizer."""
    event: dict[str, Any] = {"requestContext": {"authorizer": {"jwt": {"claims": (
        {"sub": sub} if sub else {})}}}}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    if video_id is not None:
        event["pathParameters"] = {"id": video_id}
    return event


def good_upload(**changes: Any) -> dict[str, Any]:
    return {"userId": ALICE, "title": "Lecture 1", "contentType": "video/mp4",
            "sizeBytes": 10_000_000, "description": "intro", **changes}


def items() -> list[dict[str, Any]]:
    return client("dynamodb").scan(TableName=TABLE)["Items"]


def objects() -> list[str]:
    return [o["Key"] for o in client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def body_of(result: dict[str, Any]) -> dict[str, Any]:
    return json.loads(result["body"])


def test_upload_stores_the_item_for_the_caller_and_presigns_a_put(aws: str) -> None:
    result = handlers.upload(api_event(ALICE, good_upload()))
    assert result["statusCode"] == 201
    answer = body_of(result)
    [item] = items()
    assert item["videoId"]["S"] == answer["videoId"]
    assert item["userId"]["S"] == ALICE and item["title"]["S"] == "Lecture 1"
    assert item["contentType"]["S"] == "video/mp4" and item["sizeBytes"]["N"] == "10000000"
    assert answer["uploadMethod"] == "PUT"
    assert answer["expiresInSeconds"] == handlers.UPLOAD_URL_EXPIRY_SECONDS
    assert f"X-Amz-Expires={handlers.UPLOAD_URL_EXPIRY_SECONDS}" in answer["uploadUrl"]
    # The presigned URL works: the video lands at the key the item names.
    put = requests.put(answer["uploadUrl"], data=b"video-bytes",
                       headers=answer["uploadHeaders"], timeout=30)
    assert put.status_code == 200
    assert objects() == [item["videoFileKey"]["S"]]
    assert item["videoFileKey"]["S"] == handlers.video_key(ALICE, answer["videoId"])


@pytest.mark.parametrize(("sub", "body", "status", "words"), [
    (ALICE, good_upload(userId=BOB), 403, "userId"),
    (ALICE, {k: v for k, v in good_upload().items() if k != "userId"}, 400, "userId"),
    (ALICE, {k: v for k, v in good_upload().items() if k != "title"}, 400, "title"),
    (ALICE, {k: v for k, v in good_upload().items() if k != "sizeBytes"}, 400, "sizeBytes"),
    (ALICE, good_upload(contentType="application/x-sh"), 415, "contentType"),
    (ALICE, good_upload(contentType="video/mp4" + "x" * 5000), 415, "contentType"),
    (ALICE, good_upload(sizeBytes=handlers.MAX_SIZE_BYTES + 1), 413, "sizeBytes"),
    (ALICE, good_upload(sizeBytes=0), 400, "sizeBytes"),
    (ALICE, good_upload(sizeBytes="big"), 400, "sizeBytes"),
    (ALICE, good_upload(title=""), 400, "title"),
    (ALICE, good_upload(title="t" * (handlers.MAX_TITLE + 1)), 400, "title"),
    (ALICE, "not json", 400, "JSON"),
    (ALICE, "x" * (handlers.MAX_BODY_BYTES + 1), 413, "body"),
    (None, good_upload(), 401, "token"),
])
def test_a_bad_upload_is_a_clear_4xx_and_writes_nothing(
        aws: str, sub: str | None, body: Any, status: int, words: str) -> None:
    result = handlers.upload(api_event(sub, body))
    assert result["statusCode"] == status
    assert words in body_of(result)["message"]
    assert items() == [] and objects() == []


def _uploaded(user: str = ALICE) -> str:
    return body_of(handlers.upload(api_event(user, good_upload(userId=user))))["videoId"]


def test_get_video_answers_the_owner_with_metadata_and_presigned_urls(aws: str) -> None:
    video_id = _uploaded()
    result = handlers.get_video(api_event(ALICE, video_id=video_id))
    assert result["statusCode"] == 200
    answer = body_of(result)
    assert answer["videoId"] == video_id and answer["userId"] == ALICE
    assert answer["title"] == "Lecture 1" and answer["sizeBytes"] == 10_000_000
    assert handlers.video_key(ALICE, video_id) in answer["videoUrl"]
    assert f"X-Amz-Expires={handlers.DOWNLOAD_URL_EXPIRY_SECONDS}" in answer["videoUrl"]
    assert "captionUrl" not in answer


@pytest.mark.parametrize(("sub", "which", "status"), [
    (BOB, "alice's", 403),
    (ALICE, "unknown", 404),
    (ALICE, "malformed", 400),
    (None, "alice's", 401),
])
def test_get_video_refuses_other_users_unknown_and_malformed_ids(
        aws: str, sub: str | None, which: str, status: int) -> None:
    video_id = {"alice's": _uploaded(), "unknown": str(uuid.uuid4()),
                "malformed": "../etc/passwd"}[which]
    result = handlers.get_video(api_event(sub, video_id=video_id))
    assert result["statusCode"] == status
    assert "videoUrl" not in body_of(result)


def _s3_event(key: str) -> dict[str, Any]:
    return {"Records": [{"s3": {"bucket": {"name": BUCKET}, "object": {"key": key}}}]}


def _complete(job: str) -> dict[str, Any]:
    """moto moves a job one state per read; read until it is COMPLETED."""
    for _ in range(5):
        found = client("transcribe").get_transcription_job(TranscriptionJobName=job)[
            "TranscriptionJob"]
        if found["TranscriptionJobStatus"] == "COMPLETED":
            return found
    raise AssertionError(f"{job} never completed")


def test_caption_path_starts_a_job_and_records_the_caption_beside_the_video(aws: str) -> None:
    video_id = _uploaded()
    key = handlers.video_key(ALICE, video_id)
    client("s3").put_object(Bucket=BUCKET, Key=key, Body=b"video")
    assert handlers.start_caption(_s3_event(key)) == {"started": [handlers.job_name(video_id)]}
    # A redelivered event does not start a second job.
    assert handlers.start_caption(_s3_event(key)) == {"started": []}
    job = _complete(handlers.job_name(video_id))
    assert job["Media"]["MediaFileUri"] == f"s3://{BUCKET}/{key}"
    assert job["Subtitles"]["Formats"] == ["vtt"]
    # What Transcribe writes: the subtitles under the job's output key.
    subtitles = job["Subtitles"]["SubtitleFileUris"][0].split(f"/{BUCKET}/", 1)[1]
    client("s3").put_object(Bucket=BUCKET, Key=subtitles, Body=b"WEBVTT\n")

    done = handlers.finish_caption({"detail": {
        "TranscriptionJobName": handlers.job_name(video_id),
        "TranscriptionJobStatus": "COMPLETED"}})
    caption = handlers.caption_key(ALICE, video_id)
    assert done == {"captionFileKey": caption}
    assert client("s3").get_object(Bucket=BUCKET, Key=caption)["Body"].read() == b"WEBVTT\n"
    [item] = items()
    assert item["captionFileKey"]["S"] == caption
    answer = body_of(handlers.get_video(api_event(ALICE, video_id=video_id)))
    assert caption in answer["captionUrl"]


def test_caption_start_ignores_keys_that_are_not_videos(aws: str) -> None:
    for key in ("videos/alice/not-a-uuid/video", f"videos/{ALICE}/{uuid.uuid4()}/caption.vtt",
                "transcripts/x/transcript.json"):
        assert handlers.start_caption(_s3_event(key)) == {"started": []}
    assert client("transcribe").list_transcription_jobs()["TranscriptionJobSummaries"] == []


def test_caption_finish_ignores_failed_jobs(aws: str) -> None:
    video_id = _uploaded()
    result = handlers.finish_caption({"detail": {
        "TranscriptionJobName": handlers.job_name(video_id), "TranscriptionJobStatus": "FAILED"}})
    assert result == {"captionFileKey": None}
    assert "captionFileKey" not in items()[0]
