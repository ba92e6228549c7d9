"""The upload-api functions (seed 002): one module, four entry points.

- `upload` (POST /upload): validates the request, stores the video item (`videoId`,
  `userId`, metadata) in the table, returns a presigned PUT URL for the video object.
- `get_video` (GET /video/{id}): the item's metadata, a presigned GET URL of the video and,
  once `captionFileKey` is set, of the caption.
- `start_caption` (S3 ObjectCreated on `videos/*/video`): starts an Amazon Transcribe job
  writing WebVTT subtitles under `transcripts/<videoId>/`.
- `finish_caption` (EventBridge "Transcribe Job State Change" COMPLETED): copies the
  subtitles beside the video (`videos/<userId>/<videoId>/caption.vtt`) and sets
  `captionFileKey` on the item.

Who acts: the API's JWT authorizer has verified the Cognito token; its `sub` claim is the
caller. A request acts only for the caller: `userId` in POST /upload must equal `sub`, and
GET /video/{id} answers only the item's owner (403 otherwise). Every request is validated
completely BEFORE anything is written; an invalid one is a 4xx with one message and no
side effect.

Configuration (environment, each function gets only its own): `upload` TABLE_NAME,
BUCKET_NAME, UPLOAD_URL_EXPIRY_SECONDS (default 900); `get_video` TABLE_NAME, BUCKET_NAME,
DOWNLOAD_URL_EXPIRY_SECONDS (default 3600); `start_caption` CAPTION_LANGUAGE (default
en-US), CAPTION_KMS_KEY_ARN (the bucket's key, for Transcribe's output; the bucket comes
from the event); `finish_caption` TABLE_NAME (the bucket comes from the job).
"""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import unquote_plus, urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

LOG = logging.getLogger(__name__)
LOG.setLevel(logging.INFO)

# Content types a browser may upload, and the largest single PUT S3 accepts (5 GiB).
CONTENT_TYPES = ("video/mp4", "video/quicktime", "video/webm")
MAX_SIZE_BYTES = 5 * 1024**3
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_BODY_BYTES = 16 * 1024
UPLOAD_URL_EXPIRY_SECONDS = 900
DOWNLOAD_URL_EXPIRY_SECONDS = 3600
VIDEO_KEY = re.compile(r"^videos/(?P<user>[^/]+)/(?P<video>[0-9a-f-]{36})/video$")
_VIDEO_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def video_key(user_id: str, video_id: str) -> str:
    return f"videos/{user_id}/{video_id}/video"


def caption_key(user_id: str, video_id: str) -> str:
    """Beside the video; not matching the trigger's `/video` suffix (no loop)."""
    return f"videos/{user_id}/{video_id}/caption.vtt"


def transcript_key(video_id: str) -> str:
    """Where Transcribe writes (the .vtt subtitles take the same name)."""
    return f"transcripts/{video_id}/transcript.json"


def job_name(video_id: str) -> str:
    return f"caption-{video_id}"


class RequestError(Exception):
    """A refused request: its HTTP status and one message saying what to fix."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class UploadRequest:
    user_id: str
    title: str
    content_type: str
    size_bytes: int
    description: str


def response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "application/json"},
            "body": json.dumps(body)}


def caller_of(event: dict[str, Any]) -> str:
    """The verified token's `sub` (401 when the authorizer passed none)."""
    claims = (event.get("requestContext", {}).get("authorizer", {}).get("jwt", {})
              .get("claims", {}))
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise RequestError(401, "no authenticated user: send a Cognito access token")
    return subject


def parse_upload(event: dict[str, Any], caller: str) -> UploadRequest:
    body = event.get("body") or ""
    if len(body.encode()) > MAX_BODY_BYTES:
        raise RequestError(413, f"body: larger than {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        raise RequestError(400, "body: not JSON; send {userId, title, contentType, "
                                "sizeBytes}") from None
    if not isinstance(data, dict):
        raise RequestError(400, "body: not a JSON object")
    missing = [f for f in ("userId", "title", "contentType", "sizeBytes") if f not in data]
    if missing:
        raise RequestError(400, f"body: missing {', '.join(missing)}")
    user_id, title = data["userId"], data["title"]
    content_type, size = data["contentType"], data["sizeBytes"]
    description = data.get("description", "")
    if user_id != caller:
        raise RequestError(403, "userId: not the authenticated user; upload only for yourself")
    if not isinstance(title, str) or not 1 <= len(title) <= MAX_TITLE:
        raise RequestError(400, f"title: give 1-{MAX_TITLE} characters")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise RequestError(400, f"description: give at most {MAX_DESCRIPTION} characters")
    if content_type not in CONTENT_TYPES:
        raise RequestError(415, f"contentType: use one of {', '.join(CONTENT_TYPES)}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise RequestError(400, "sizeBytes: give the file's size in bytes (a positive integer)")
    if size > MAX_SIZE_BYTES:
        raise RequestError(413, f"sizeBytes: {size} is over the {MAX_SIZE_BYTES}-byte limit")
    return UploadRequest(user_id, title, content_type, size, description)


def video_id_of(event: dict[str, Any]) -> str:
    video_id = (event.get("pathParameters") or {}).get("id", "")
    if not _VIDEO_ID.match(video_id):
        raise RequestError(400, "id: not a video id (a UUID returned by POST /upload)")
    return video_id


@cache
def _client(service: str) -> Any:
    # SigV4 presigned URLs: required for objects under SSE-KMS.
    return boto3.client(service, config=Config(signature_version="s3v4")
                        if service == "s3" else None)


def _expiry(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _answer(work: Any, event: dict[str, Any]) -> dict[str, Any]:
    try:
        return work(event)
    except RequestError as error:
        return response(error.status, {"message": error.message})


def upload(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return _answer(_upload, event)


def _upload(event: dict[str, Any]) -> dict[str, Any]:
    request = parse_upload(event, caller_of(event))
    video_id = str(uuid.uuid4())
    key = video_key(request.user_id, video_id)
    _client("dynamodb").put_item(
        TableName=os.environ["TABLE_NAME"],
        Item={"videoId": {"S": video_id}, "userId": {"S": request.user_id},
              "title": {"S": request.title}, "description": {"S": request.description},
              "contentType": {"S": request.content_type},
              "sizeBytes": {"N": str(request.size_bytes)}, "videoFileKey": {"S": key},
              "createdAt": {"S": datetime.now(UTC).isoformat()}},
        ConditionExpression="attribute_not_exists(videoId)")
    expires = _expiry("UPLOAD_URL_EXPIRY_SECONDS", UPLOAD_URL_EXPIRY_SECONDS)
    url = _client("s3").generate_presigned_url(
        "put_object", ExpiresIn=expires,
        Params={"Bucket": os.environ["BUCKET_NAME"], "Key": key,
                "ContentType": request.content_type})
    return response(201, {"videoId": video_id, "uploadUrl": url, "uploadMethod": "PUT",
                          "uploadHeaders": {"Content-Type": request.content_type},
                          "expiresInSeconds": expires})


def get_video(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return _answer(_get_video, event)


def _get_video(event: dict[str, Any]) -> dict[str, Any]:
    caller, video_id = caller_of(event), video_id_of(event)
    item = _client("dynamodb").get_item(TableName=os.environ["TABLE_NAME"],
                                        Key={"videoId": {"S": video_id}}).get("Item")
    if item is None:
        raise RequestError(404, f"id: no video {video_id}")
    if item["userId"]["S"] != caller:
        raise RequestError(403, "id: this video belongs to another user")
    expires = _expiry("DOWNLOAD_URL_EXPIRY_SECONDS", DOWNLOAD_URL_EXPIRY_SECONDS)
    bucket = os.environ["BUCKET_NAME"]

    def presigned(key: str) -> str:
        return _client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires)

    body: dict[str, Any] = {
        "videoId": video_id, "userId": caller, "title": item["title"]["S"],
        "description": item.get("description", {}).get("S", ""),
        "contentType": item["contentType"]["S"], "sizeBytes": int(item["sizeBytes"]["N"]),
        "createdAt": item["createdAt"]["S"], "videoUrl": presigned(item["videoFileKey"]["S"]),
        "expiresInSeconds": expires}
    if "captionFileKey" in item:
        body["captionUrl"] = presigned(item["captionFileKey"]["S"])
    return response(200, body)


def start_caption(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """One Transcribe job per uploaded video; a redelivered event finds the job and skips."""
    started = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        match = VIDEO_KEY.match(key)
        if match is None:
            LOG.warning("not a video key, skipped: %s", key)
            continue
        video_id = match["video"]
        request: dict[str, Any] = {
            "TranscriptionJobName": job_name(video_id),
            "LanguageCode": os.environ.get("CAPTION_LANGUAGE", "en-US"),
            "Media": {"MediaFileUri": f"s3://{bucket}/{key}"},
            "OutputBucketName": bucket, "OutputKey": transcript_key(video_id),
            "Subtitles": {"Formats": ["vtt"]}}
        if os.environ.get("CAPTION_KMS_KEY_ARN"):
            request["OutputEncryptionKMSKeyId"] = os.environ["CAPTION_KMS_KEY_ARN"]
        try:
            _client("transcribe").start_transcription_job(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConflictException":
                raise
            LOG.info("job %s exists, skipped", job_name(video_id))
            continue
        started.append(job_name(video_id))
    return {"started": started}


def finish_caption(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Copy a finished job's subtitles beside its video and record `captionFileKey`."""
    detail = event.get("detail", {})
    name = detail.get("TranscriptionJobName", "")
    if detail.get("TranscriptionJobStatus") != "COMPLETED" or not name.startswith("caption-"):
        LOG.info("job %s is %s, nothing to do", name, detail.get("TranscriptionJobStatus"))
        return {"captionFileKey": None}
    job = _client("transcribe").get_transcription_job(TranscriptionJobName=name)[
        "TranscriptionJob"]
    media = urlparse(job["Media"]["MediaFileUri"])
    match = VIDEO_KEY.match(media.path.lstrip("/"))
    if match is None:
        raise ValueError(f"job {name}: media {job['Media']['MediaFileUri']} is not a video key")
    # Subtitle URIs are path-style: https://s3.<region>.amazonaws.com/<bucket>/<key>.
    _, bucket, source = urlparse(job["Subtitles"]["SubtitleFileUris"][0]).path.split("/", 2)
    target = caption_key(match["user"], match["video"])
    _client("s3").copy_object(Bucket=bucket, Key=target, ContentType="text/vtt",
                              CopySource={"Bucket": bucket, "Key": source},
                              MetadataDirective="REPLACE")
    _client("dynamodb").update_item(
        TableName=os.environ["TABLE_NAME"], Key={"videoId": {"S": match["video"]}},
        UpdateExpression="SET captionFileKey = :key",
        ConditionExpression="attribute_exists(videoId)",
        ExpressionAttributeValues={":key": {"S": target}})
    return {"captionFileKey": target}
