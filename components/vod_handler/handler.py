"""Submit one MediaConvert job per uploaded video.

Event flow: S3 (EventBridge notifications) -> EventBridge rule "Object Created" -> SQS ->
this function (event source mapping with ReportBatchItemFailures). Each SQS record's body
is one EventBridge event; see `parse_record`.

For every video the function reads the job template once per container (the template
holds the output groups), copies its settings, points the input at the uploaded object
and every output group at `s3://<output bucket>/<key without extension>/<group>/`, and
calls CreateJob with the template, the MediaConvert role and queue. The ClientRequestToken
is derived from bucket, key and ETag, so a redelivered message (SQS is at-least-once)
does not start a second job for the same upload.

Records that fail (malformed body, MediaConvert error) are returned in
`batchItemFailures`: SQS redelivers only those, and after the queue's maxReceiveCount
they land in the dead-letter queue, which is alarmed. Keys that are not videos and empty
objects are skipped (acknowledged) and logged.

Configuration (environment): JOB_TEMPLATE, MEDIACONVERT_QUEUE_ARN, MEDIACONVERT_ROLE_ARN,
OUTPUT_BUCKET, optional OUTPUT_KEY_PREFIX (folder the renditions go under, matching the
CDN's path pattern), optional MEDIACONVERT_ENDPOINT (an account endpoint; without it the SDK's
regional endpoint is used, which MediaConvert serves in every region) and VIDEO_SUFFIXES
(comma-separated, default DEFAULT_VIDEO_SUFFIXES).

Pure functions (`parse_record`, `is_video`, `output_prefix`, `client_request_token`,
`build_job_request`) hold the logic; `process_batch` does the AWS calls through the
client it is given; `handler` wires the environment and a cached boto3 client.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LOG = logging.getLogger()
LOG.setLevel(logging.INFO)

DEFAULT_VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".mkv", ".mxf", ".webm", ".avi", ".mpg",
                          ".mpeg", ".ts")
AUDIO_SELECTOR = "Audio Selector 1"
GROUP_FOLDERS = {"HLS_GROUP_SETTINGS": "hls", "DASH_ISO_GROUP_SETTINGS": "dash",
                 "CMAF_GROUP_SETTINGS": "cmaf", "FILE_GROUP_SETTINGS": "file"}
GROUP_SETTINGS_KEYS = {"HLS_GROUP_SETTINGS": "HlsGroupSettings",
                       "DASH_ISO_GROUP_SETTINGS": "DashIsoGroupSettings",
                       "CMAF_GROUP_SETTINGS": "CmafGroupSettings",
                       "FILE_GROUP_SETTINGS": "FileGroupSettings"}
JOB_TAG = "vod-pipeline"


class BadEvent(ValueError):
    """The SQS record does not carry an S3 Object Created event we understand."""


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    etag: str
    size: int


@dataclass(frozen=True)
class Config:
    job_template: str
    queue_arn: str
    role_arn: str
    output_bucket: str
    video_suffixes: tuple[str, ...] = DEFAULT_VIDEO_SUFFIXES
    endpoint_url: str | None = None
    output_key_prefix: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        missing = [k for k in ("JOB_TEMPLATE", "MEDIACONVERT_QUEUE_ARN", "MEDIACONVERT_ROLE_ARN",
                               "OUTPUT_BUCKET") if not env.get(k)]
        if missing:
            raise RuntimeError(f"environment: {', '.join(missing)} not set")
        suffixes = tuple(s.strip().lower() for s in env.get("VIDEO_SUFFIXES", "").split(",")
                         if s.strip()) or DEFAULT_VIDEO_SUFFIXES
        return cls(job_template=env["JOB_TEMPLATE"], queue_arn=env["MEDIACONVERT_QUEUE_ARN"],
                   role_arn=env["MEDIACONVERT_ROLE_ARN"], output_bucket=env["OUTPUT_BUCKET"],
                   video_suffixes=suffixes, endpoint_url=env.get("MEDIACONVERT_ENDPOINT") or None,
                   output_key_prefix=env.get("OUTPUT_KEY_PREFIX", ""))


# ---- pure functions ------------------------------------------------------------------------


def parse_record(record: Mapping[str, Any]) -> Upload:
    """The upload an SQS record's body (an EventBridge S3 "Object Created" event) names."""
    try:
        event = json.loads(record["body"])
        if event.get("source") != "aws.s3" or event.get("detail-type") != "Object Created":
            raise BadEvent(f"not an S3 Object Created event: {event.get('source')!r} "
                           f"{event.get('detail-type')!r}")
        detail = event["detail"]
        obj = detail["object"]
        return Upload(bucket=detail["bucket"]["name"], key=obj["key"],
                      etag=str(obj.get("etag", "")), size=int(obj.get("size", 0)))
    except BadEvent:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise BadEvent(f"malformed record body: {exc!r}") from exc


def is_video(key: str, suffixes: Sequence[str] = DEFAULT_VIDEO_SUFFIXES) -> bool:
    return not key.endswith("/") and key.lower().endswith(tuple(suffixes))


def output_prefix(output_bucket: str, key: str, key_prefix: str = "") -> str:
    """`s3://<output>/[<key_prefix>/]<key without extension>/`: one folder per source video
    (the key prefix matches the CDN's path pattern, e.g. `vod` for `/vod/*`)."""
    stem, _ = posixpath.splitext(key)
    folder = "/".join(p for p in (key_prefix.strip("/"), stem.strip("/")) if p)
    return f"s3://{output_bucket}/{folder}/"


def client_request_token(upload: Upload) -> str:
    """Idempotency token: the same object version (bucket, key, ETag) gives the same token."""
    return hashlib.sha256(f"{upload.bucket}/{upload.key}/{upload.etag}".encode()).hexdigest()


def build_job_request(upload: Upload, template_settings: Mapping[str, Any],
                      config: Config) -> dict[str, Any]:
    """CreateJob parameters: the template's output groups with per-video destinations."""
    settings = copy.deepcopy(dict(template_settings))
    prefix = output_prefix(config.output_bucket, upload.key, config.output_key_prefix)
    for group in settings.get("OutputGroups", []):
        group_settings = group.get("OutputGroupSettings", {})
        group_type = group_settings.get("Type")
        settings_key = GROUP_SETTINGS_KEYS.get(group_type)
        if settings_key is None:
            raise ValueError(f"job template output group type {group_type!r} is not supported")
        group_settings.setdefault(settings_key, {})["Destination"] = (
            f"{prefix}{GROUP_FOLDERS[group_type]}/")
    template_inputs = settings.get("Inputs") or [{}]
    job_input = copy.deepcopy(template_inputs[0])
    job_input["FileInput"] = f"s3://{upload.bucket}/{upload.key}"
    job_input.setdefault("AudioSelectors", {AUDIO_SELECTOR: {"DefaultSelection": "DEFAULT"}})
    job_input.setdefault("VideoSelector", {})
    job_input.setdefault("TimecodeSource", "ZEROBASED")
    settings["Inputs"] = [job_input]
    return {
        "JobTemplate": config.job_template,
        "Queue": config.queue_arn,
        "Role": config.role_arn,
        "Settings": settings,
        "UserMetadata": {"source-bucket": upload.bucket, "source-key": upload.key[:256],
                         "source-etag": upload.etag},
        "Tags": {"created-by": JOB_TAG},
        "ClientRequestToken": client_request_token(upload),
        "StatusUpdateInterval": "SECONDS_60",
    }


# ---- AWS calls -------------------------------------------------------------------------------


def process_batch(event: Mapping[str, Any], mediaconvert: Any, config: Config,
                  template_cache: dict[str, Any] | None = None) -> dict[str, Any]:
    """Submit a job per video record; return the ids of the records to retry."""
    failures: list[dict[str, str]] = []
    cache = template_cache if template_cache is not None else {}
    for record in event.get("Records", []):
        message_id = record.get("messageId", "")
        try:
            upload = parse_record(record)
            if not is_video(upload.key, config.video_suffixes):
                LOG.info("skip %s/%s: not a video", upload.bucket, upload.key)
                continue
            if upload.size == 0:
                LOG.info("skip %s/%s: empty object", upload.bucket, upload.key)
                continue
            if config.job_template not in cache:
                response = mediaconvert.get_job_template(Name=config.job_template)
                cache[config.job_template] = response["JobTemplate"]["Settings"]
            request = build_job_request(upload, cache[config.job_template], config)
            job = mediaconvert.create_job(**request)["Job"]
            LOG.info("job %s for s3://%s/%s", job.get("Id"), upload.bucket, upload.key)
        except Exception:  # noqa: BLE001 - any failure: let SQS redeliver, then dead-letter
            LOG.exception("record %s failed", message_id)
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def mediaconvert_client(config: Config, session: Any = None) -> Any:
    """A MediaConvert client on the configured account endpoint, else the regional one."""
    import boto3  # in the Lambda runtime; imported here so the pure functions need no SDK

    session = session or boto3.session.Session()
    return session.client("mediaconvert", endpoint_url=config.endpoint_url)


_STATE: dict[str, Any] = {}


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Lambda entry point (SQS event source mapping, ReportBatchItemFailures)."""
    if "client" not in _STATE:
        _STATE["config"] = Config.from_env(os.environ)
        _STATE["client"] = mediaconvert_client(_STATE["config"])
        _STATE["templates"] = {}
    return process_batch(event, _STATE["client"], _STATE["config"], _STATE["templates"])
