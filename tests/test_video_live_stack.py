"""The video layer inside the shipped prod stack: what reviewers check in the plan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from platformctl.fixtures import NewResource, resource_outputs

REPO = Path(__file__).resolve().parent.parent


def _plan(stack: str) -> list[dict[str, Any]]:
    result = subprocess.run([sys.executable, "-m", "platformctl", "plan", stack, "--format",
                             "json"], cwd=REPO, capture_output=True, text=True, timeout=600)
    # Exit 1 means mandatory policy violations (judged elsewhere); the plan is still complete.
    assert result.returncode in (0, 1) and result.stdout, result.stderr
    return json.loads(result.stdout)["resources"]


@pytest.fixture(scope="module")
def prod() -> list[dict[str, Any]]:
    return _plan("prod-us-east-1")


def _of(resources: list[dict[str, Any]], type_token: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["type"] == type_token]


def test_prod_live_channel_is_standard_with_a_three_rung_ladder(prod: list[dict[str, Any]]) -> None:
    [channel] = _of(prod, "aws:medialive/channel:Channel")
    assert channel["props"]["channelClass"] == "STANDARD"
    assert len(channel["props"]["encoderSettings"]["videoDescriptions"]) >= 3
    [isg] = _of(prod, "aws:medialive/inputSecurityGroup:InputSecurityGroup")
    cidrs = [rule["cidr"] for rule in isg["props"]["whitelistRules"]]
    assert cidrs and "0.0.0.0/0" not in cidrs


def test_prod_cdn_routes_the_live_path_to_the_endpoint_it_is_admitted_to(
        prod: list[dict[str, Any]]) -> None:
    [distribution] = _of(prod, "aws:cloudfront/distribution:Distribution")
    origins = {o["originId"]: o for o in distribution["props"]["origins"]}
    [group] = _of(prod, "aws-native:mediapackagev2:ChannelGroup")
    live_origins = [o for o in origins.values() if ".mediapackagev2." in o["domainName"]]
    assert len(live_origins) == 1
    live_origin = live_origins[0]
    behaviours = [b for b in distribution["props"]["orderedCacheBehaviors"]
                  if b["targetOriginId"] == live_origin["originId"]]
    group_name = group["props"]["channelGroupName"]
    assert [b["pathPattern"] for b in behaviours] == [f"/out/v1/{group_name}/live-channel/*"]
    policies = _of(prod, "aws-native:mediapackagev2:OriginEndpointPolicy")
    assert {p["props"]["originEndpointName"] for p in policies} == {
        e["props"]["originEndpointName"]
        for e in _of(prod, "aws-native:mediapackagev2:OriginEndpoint")}
    # The ARN the offline fixtures give this stack's distribution, computed from its URN.
    _, state = resource_outputs(NewResource(
        type=distribution["type"], name=distribution["name"], urn=distribution["urn"],
        inputs={}, region=distribution["region"]))
    assert state["arn"].startswith("arn:aws:cloudfront::123456789012:distribution/")
    assert policies
    for policy in policies:
        [statement] = policy["props"]["policy"]["Statement"]
        assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
        [source] = statement["Condition"]["StringEquals"]["AWS:SourceArn"]
        assert source == state["arn"], policy["name"]


def test_prod_vod_pipeline_and_its_dead_letter_alarm(prod: list[dict[str, Any]]) -> None:
    names = {r["name"] for r in prod}
    assert {"vod-uploads-bucket", "vod-outputs-bucket", "vod-upload-rule", "vod-jobs",
            "vod-dlq", "vod-handler", "vod-job-template", "vod-notifications"} <= names
    assert any(r["type"] == "aws:cloudwatch/metricAlarm:MetricAlarm" and "vod-dlq" in r["name"]
               for r in prod)


def test_prod_vod_buckets_log_to_the_storage_access_log_bucket(
        prod: list[dict[str, Any]]) -> None:
    [access_logs] = [r for r in _of(prod, "aws:s3/bucket:Bucket")
                     if r["name"] == "storage-access-logs-bucket"]
    targets = {r["name"]: r["props"]["targetBucket"]
               for r in _of(prod, "aws:s3/bucketLogging:BucketLogging")
               if r["name"] in ("vod-uploads-logging", "vod-outputs-logging")}
    assert len(targets) == 2
    assert all(t.startswith("storage-access-logs-bucket") for t in targets.values()), targets
    assert not [r for r in prod if r["name"].startswith("vod-") and "access-logs" in r["name"]]
    assert access_logs["props"]["tags"]["data-class"] == "telemetry"
