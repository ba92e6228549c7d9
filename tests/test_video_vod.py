"""VodPipeline: validation, the job template mapping, and the planned graph."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pytest

from components.live_channel import Rendition
from components.vod_pipeline import VodPipeline, VodPipelineArgs, job_template_settings
from platformctl.fixtures import NewResource, resource_outputs
from tests.plans import PlanView, in_region, run_offline

_PLANS: dict[str, PlanView] = {}


def plan_vod(args: VodPipelineArgs | None = None, key: str = "default") -> PlanView:
    if key not in _PLANS or args is not None:
        def build(opts: pulumi.ResourceOptions) -> None:
            VodPipeline("vod", args or VodPipelineArgs(), opts=opts)

        _PLANS[key] = run_offline(in_region("us-east-1", build))
    return _PLANS[key]


def doc(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


def statements(value: Any) -> list[dict[str, Any]]:
    return doc(value)["Statement"]


def as_list(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else list(value)


def by_name(plan: PlanView, type_token: str, name: str) -> dict[str, Any]:
    [found] = [r for r in plan.of_type(type_token) if r["name"] == name]
    return found


# ---- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"renditions": []}, "renditions: empty"),
    ({"output_transition_days": 7}, "output_transition_days: 7 is below the 30 days"),
    ({"reserved_concurrency": 1}, "reserved_concurrency: 1"),
    ({"batch_size": 11}, "batch_size: 11"),
    ({"video_suffixes": ["mp4"]}, "video_suffixes: 'mp4'"),
    ({"video_suffixes": []}, "video_suffixes: empty"),
    ({"mediaconvert_endpoint": "http://x"}, "mediaconvert_endpoint"),
])
def test_validation_names_the_field(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        VodPipelineArgs(**kwargs)


@pytest.mark.parametrize(("origin", "message"), [
    ("*", "upload_cors_origins: '*' lets any site use presigned URLs; list the application's "
          "origins"),
    ("http://app.example.com", "upload_cors_origins: 'http://app.example.com' is not an https "
                               "origin; write it like https://app.example.com"),
])
def test_upload_cors_origins_errors_name_the_field(origin: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        VodPipelineArgs(upload_cors_origins=[origin])


# ---- job template mapping --------------------------------------------------------------------


def test_job_template_has_hls_and_dash_groups_with_every_rendition() -> None:
    ladder = [Rendition(name="720p", width=1280, height=720, bitrate=3_000_000),
              Rendition(name="360p", width=640, height=360, bitrate=800_000)]
    settings = job_template_settings(ladder, segment_seconds=4, output_kms_key_arn="arn:key")
    groups = {g["OutputGroupSettings"]["Type"]: g for g in settings["OutputGroups"]}
    assert set(groups) == {"HLS_GROUP_SETTINGS", "DASH_ISO_GROUP_SETTINGS"}
    hls, dash = groups["HLS_GROUP_SETTINGS"], groups["DASH_ISO_GROUP_SETTINGS"]
    assert [(o["VideoDescription"]["Width"], o["VideoDescription"]["Height"],
             o["VideoDescription"]["CodecSettings"]["H264Settings"]["MaxBitrate"])
            for o in hls["Outputs"]] == [(1280, 720, 3_000_000), (640, 360, 800_000)]
    assert all(o["AudioDescriptions"] for o in hls["Outputs"])
    dash_video = [o for o in dash["Outputs"] if "VideoDescription" in o]
    dash_audio = [o for o in dash["Outputs"] if "AudioDescriptions" in o]
    assert len(dash_video) == 2 and len(dash_audio) == 1
    assert hls["OutputGroupSettings"]["HlsGroupSettings"]["SegmentLength"] == 4
    for group, key in ((hls, "HlsGroupSettings"), (dash, "DashIsoGroupSettings")):
        encryption = group["OutputGroupSettings"][key]["DestinationSettings"]["S3Settings"][
            "Encryption"]
        assert encryption == {"EncryptionType": "SERVER_SIDE_ENCRYPTION_KMS",
                              "KmsKeyArn": "arn:key"}
        assert "Destination" not in group["OutputGroupSettings"][key]
    names = [o["NameModifier"] for o in dash["Outputs"]]
    assert len(set(names)) == len(names)


# ---- the planned graph -----------------------------------------------------------------------


def test_both_buckets_are_private_encrypted_and_tagged() -> None:
    plan = plan_vod()
    buckets = {b["name"]: b for b in plan.of_type("aws:s3/bucket:Bucket")}
    for name in ("vod-uploads-bucket", "vod-outputs-bucket"):
        bucket = buckets[name]
        assert bucket["props"]["tags"]["data-class"] == "user-content"
        assert bucket["protect"] is True
        store = bucket["parent"]
        children = {r["type"]: r for r in plan.children_of(store)}
        pab = children["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]["props"]
        assert all(pab[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                    "restrictPublicBuckets"))
        [rule] = children["aws:s3/bucketServerSideEncryptionConfiguration:"
                          "BucketServerSideEncryptionConfiguration"]["props"]["rules"]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"


def test_both_buckets_log_to_the_given_access_log_bucket() -> None:
    own = plan_vod()
    assert {b["name"] for b in own.of_type("aws:s3/bucket:Bucket")} >= {
        "vod-uploads-access-logs-bucket", "vod-outputs-access-logs-bucket"}
    shared = plan_vod(VodPipelineArgs(access_log_bucket="storage-access-logs-bucket-1"),
                      key="shared-logs")
    for store in ("vod-uploads", "vod-outputs"):
        logging = by_name(shared, "aws:s3/bucketLogging:BucketLogging", f"{store}-logging")
        assert logging["props"]["targetBucket"] == "storage-access-logs-bucket-1"
    assert {b["name"] for b in shared.of_type("aws:s3/bucket:Bucket")} == {
        "vod-uploads-bucket", "vod-outputs-bucket"}


def test_queues_and_topic_carry_the_upload_data_class() -> None:
    plan = plan_vod(VodPipelineArgs(upload_data_class="user-pii"), key="pii")
    tagged = [*plan.of_type("aws:sqs/queue:Queue"), plan.one("aws:sns/topic:Topic")]
    assert {r["name"] for r in tagged} == {"vod-jobs", "vod-dlq", "vod-notifications"}
    for resource in tagged:
        assert resource["props"]["tags"]["data-class"] == "user-pii", resource["name"]


def test_outputs_move_to_standard_ia_after_the_configured_days() -> None:
    plan = plan_vod(VodPipelineArgs(output_transition_days=45), key="45")
    lifecycle = by_name(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                        "vod-outputs-lifecycle")
    transitions = [t for r in lifecycle["props"]["rules"] for t in r.get("transitions", [])]
    assert {"days": 45, "storageClass": "STANDARD_IA"} in transitions


def test_uploads_reach_the_queue_through_an_eventbridge_rule() -> None:
    plan = plan_vod()
    notification = plan.one("aws:s3/bucketNotification:BucketNotification")["props"]
    upload_bucket = by_name(plan, "aws:s3/bucket:Bucket", "vod-uploads-bucket")
    assert notification["eventbridge"] is True
    rule = by_name(plan, "aws:cloudwatch/eventRule:EventRule", "vod-upload-rule")["props"]
    pattern = json.loads(rule["eventPattern"])
    assert pattern["source"] == ["aws.s3"] and pattern["detail-type"] == ["Object Created"]
    [bucket_name] = pattern["detail"]["bucket"]["name"]
    assert bucket_name == notification["bucket"]
    assert bucket_name.startswith("vod-uploads-bucket")
    assert upload_bucket["name"] == "vod-uploads-bucket"
    assert {"suffix": ".mp4"} in pattern["detail"]["object"]["key"]
    target = by_name(plan, "aws:cloudwatch/eventTarget:EventTarget", "vod-upload-target")["props"]
    queues = {q["name"]: q for q in plan.of_type("aws:sqs/queue:Queue")}
    assert target["arn"].split(":")[-1].startswith("vod-jobs")
    assert target["deadLetterConfig"]["arn"].split(":")[-1].startswith("vod-dlq")
    assert set(queues) == {"vod-jobs", "vod-dlq"}


def test_queue_is_encrypted_with_a_dead_letter_queue_and_admits_only_the_rule() -> None:
    plan = plan_vod()
    queues = {q["name"]: q["props"] for q in plan.of_type("aws:sqs/queue:Queue")}
    for props in queues.values():
        assert props["kmsMasterKeyId"].startswith("arn:aws:kms:")
    redrive = json.loads(queues["vod-jobs"]["redrivePolicy"])
    assert redrive["maxReceiveCount"] == 5
    assert redrive["deadLetterTargetArn"].split(":")[-1].startswith("vod-dlq")
    rule_arn_prefix = "arn:aws:events:us-east-1:123456789012:rule/vod-upload-rule"
    policies = {p["name"]: p for p in plan.of_type("aws:sqs/queuePolicy:QueuePolicy")}
    assert set(policies) == {"vod-jobs-policy", "vod-dlq-policy"}
    for queue in plan.of_type("aws:sqs/queue:Queue"):
        # The URL the offline fixtures give this queue, computed from its URN.
        _, state = resource_outputs(NewResource(type=queue["type"], name=queue["name"],
                                                urn=queue["urn"], inputs=queue["props"],
                                                region=queue["region"]))
        assert policies[f"{queue['name']}-policy"]["props"]["queueUrl"] == state["url"]
    for policy in policies.values():
        [statement] = statements(policy["props"]["policy"])
        assert statement["Principal"] == {"Service": "events.amazonaws.com"}
        assert statement["Action"] == "sqs:SendMessage"
        assert statement["Condition"]["ArnEquals"]["aws:SourceArn"].startswith(rule_arn_prefix)


def test_lambda_consumes_the_queue_with_back_pressure_and_batch_failures() -> None:
    plan = plan_vod(VodPipelineArgs(reserved_concurrency=3, batch_size=8), key="bp")
    function = plan.one("aws:lambda/function:Function")["props"]
    assert function["runtime"] == "python3.12" and function["handler"] == "handler.handler"
    assert function["reservedConcurrentExecutions"] == 3
    env = function["environment"]["variables"]
    assert set(env) >= {"JOB_TEMPLATE", "MEDIACONVERT_QUEUE_ARN", "MEDIACONVERT_ROLE_ARN",
                        "OUTPUT_BUCKET", "OUTPUT_KEY_PREFIX"}
    assert env["OUTPUT_KEY_PREFIX"] == "vod"
    template = plan.one("aws-native:mediaconvert:JobTemplate")["props"]
    assert env["JOB_TEMPLATE"] == template["name"]
    assert env["MEDIACONVERT_QUEUE_ARN"] == template["queue"]
    log_group = plan.one("aws:cloudwatch/logGroup:LogGroup")["props"]
    assert function["loggingConfig"]["logGroup"].startswith("vod-handler-logs")
    assert log_group["kmsKeyId"] and log_group["retentionInDays"] == 365
    mapping = plan.one("aws:lambda/eventSourceMapping:EventSourceMapping")["props"]
    assert mapping["batchSize"] == 8
    assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["scalingConfig"]["maximumConcurrency"] == 3
    assert mapping["eventSourceArn"].split(":")[-1].startswith("vod-jobs")


def test_job_template_produces_hls_and_dash() -> None:
    template = plan_vod().one("aws-native:mediaconvert:JobTemplate")["props"]
    types = {g["OutputGroupSettings"]["Type"] for g in template["settingsJson"]["OutputGroups"]}
    assert types == {"HLS_GROUP_SETTINGS", "DASH_ISO_GROUP_SETTINGS"}
    hls = template["settingsJson"]["OutputGroups"][0]
    assert len(hls["Outputs"]) == 4


def test_roles_are_least_privilege() -> None:
    plan = plan_vod()
    policies = {p["name"]: statements(p["props"]["policy"])
                for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")}
    for name in ("vod-handler-policy", "vod-mediaconvert-policy"):
        for statement in policies[name]:
            assert all("*" not in a for a in as_list(statement["Action"])), (name, statement)
            assert "*" not in as_list(statement["Resource"]), (name, statement)
    handler = {s["Sid"]: s for s in policies["vod-handler-policy"]}
    assert handler["SubmitJobsWithTemplate"]["Action"] == "mediaconvert:CreateJob"
    assert len(handler["SubmitJobsWithTemplate"]["Resource"]) == 2
    assert handler["PassMediaConvertRole"]["Resource"].split("/")[-1].startswith(
        "vod-mediaconvert-role")
    assert handler["PassMediaConvertRole"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}}
    assert handler["ConsumeJobsQueue"]["Resource"].split(":")[-1].startswith("vod-jobs")
    actions = {a for s in policies["vod-handler-policy"] for a in as_list(s["Action"])}
    assert not any(a.startswith("s3:") for a in actions), "the handler never reads videos"
    converter = {s["Sid"]: s for s in policies["vod-mediaconvert-policy"]}
    assert converter["ReadUploads"]["Action"] == "s3:GetObject"
    assert "vod-uploads-bucket" in converter["ReadUploads"]["Resource"]
    assert converter["WriteRenditions"]["Action"] == "s3:PutObject"
    assert "vod-outputs-bucket" in converter["WriteRenditions"]["Resource"]
    roles = {r["name"]: doc(r["props"]["assumeRolePolicy"])
             for r in plan.of_type("aws:iam/role:Role")}
    assert roles["vod-mediaconvert-role"]["Statement"][0]["Principal"] == {
        "Service": "mediaconvert.amazonaws.com"}
    assert roles["vod-handler-role"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"}


def test_job_state_changes_are_published_to_an_encrypted_topic() -> None:
    plan = plan_vod()
    topic = plan.one("aws:sns/topic:Topic")["props"]
    assert topic["kmsMasterKeyId"].startswith("arn:aws:kms:")
    rule = by_name(plan, "aws:cloudwatch/eventRule:EventRule", "vod-job-state-rule")["props"]
    pattern = json.loads(rule["eventPattern"])
    assert pattern["source"] == ["aws.mediaconvert"]
    assert pattern["detail"]["status"] == ["COMPLETE", "ERROR"]
    target = by_name(plan, "aws:cloudwatch/eventTarget:EventTarget", "vod-job-state-target")
    assert target["props"]["arn"].split(":")[-1].startswith("vod-notifications")
    [statement] = statements(plan.one("aws:sns/topicPolicy:TopicPolicy")["props"]["policy"])
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"].split("/")[-1].startswith(
        "vod-job-state-rule")


def test_dead_letter_queue_is_monitored() -> None:
    captured: dict[str, Any] = {}

    def build(opts: pulumi.ResourceOptions) -> None:
        captured["vod"] = VodPipeline("vod", VodPipelineArgs(), opts=opts)

    run_offline(in_region("us-east-1", build))
    [monitored] = captured["vod"].monitored
    assert monitored.kind == "vod-queue" and monitored.name == "vod-dlq"
    assert set(monitored.dimensions) == {"QueueName"}
