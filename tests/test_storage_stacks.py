"""The storage and edge layers in the shipped stacks, planned as reviewers do
(`platformctl plan STACK --format json`), plus the layers' refusals on bad profiles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from environments import load_stack_spec
from platformctl.errors import PlanInputError
from platformctl.fixtures import NewResource, resource_outputs
from stacks import edge, storage
from stacks.context import RegionalContext
from stacks.providers import RegionalProviders
from tests.plans import PlanView, run_offline
from tests.test_storage_object_store import (
    BUCKET,
    POLICY,
    assert_bucket_bar,
    attached,
    statements,
)

REPO = Path(__file__).resolve().parent.parent
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
MY_COMPONENTS = ("platform:object_store:ObjectStore", "platform:object_store:LogBucket")


def plan_stack(stack: str) -> PlanView:
    result = subprocess.run(
        [sys.executable, "-m", "platformctl", "plan", stack, "--format", "json"],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return PlanView(json.loads(result.stdout))


@pytest.fixture(scope="module")
def us() -> PlanView:
    return plan_stack("prod-us-east-1")


@pytest.fixture(scope="module")
def eu() -> PlanView:
    return plan_stack("prod-eu-central-1")


def storage_buckets(plan: PlanView) -> PlanView:
    """The plan narrowed to the buckets ObjectStore / LogBucket components create."""
    parents = {r["urn"] for r in plan.resources if r["type"] in MY_COMPONENTS}
    return PlanView({"resources": [r for r in plan.resources
                                   if r["type"] != BUCKET or r["parent"] in parents]})


def test_us_buckets_meet_the_bar_and_stay_in_the_jurisdiction(us: PlanView) -> None:
    mine = storage_buckets(us)
    assert assert_bucket_bar(mine) >= 6  # content, replica, assets, 2 log buckets, VOD ...
    for bucket in mine.of_type(BUCKET):
        assert bucket["region"] in ("us-east-1", "us-west-2"), bucket["name"]
    assert us.named("content-replica-bucket")["region"] == "us-west-2"


def test_us_distribution_is_https_only_oac_signed_and_logged(us: PlanView) -> None:
    distribution = us.one(DISTRIBUTION)
    props = distribution["props"]
    assert props["viewerCertificate"]["minimumProtocolVersion"] == "TLSv1.2_2021"
    assert props["aliases"] == ["learn-us-east-1.course-platform.example.com"]
    assert props["webAclId"].startswith("arn:aws:wafv2:us-east-1:")
    behaviours = [props["defaultCacheBehavior"], *props["orderedCacheBehaviors"]]
    assert {b["viewerProtocolPolicy"] for b in behaviours} == {"redirect-to-https"}
    by_path = {b.get("pathPattern", "default"): b for b in behaviours}
    [key_group] = us.of_type("aws:cloudfront/keyGroup:KeyGroup")
    video = [p for p in by_path if p.startswith("/vod/") or p.startswith("/out/")]
    assert len(video) == 2, sorted(by_path)
    for path in video + ["/content/*"]:
        assert by_path[path]["trustedKeyGroups"] == [key_group["name"]], path
    assert not by_path["/api/*"].get("trustedKeyGroups")
    origins = {o["originId"]: o for o in props["origins"]}
    for origin_id in ("assets", "content", "vod", "live"):
        assert origins[origin_id]["originAccessControlId"], origin_id
    assert origins["api"]["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    log_bucket = us.named("cdn-logs-bucket")
    assert log_bucket["region"] == "us-east-1"
    assert props["loggingConfig"]["bucket"].startswith("cdn-logs-bucket")


def test_us_bucket_policies_name_the_distribution(us: PlanView) -> None:
    distribution = us.one(DISTRIBUTION)
    # The ARN the offline fixtures give this stack's distribution, computed from its URN.
    _, state = resource_outputs(NewResource(
        type=distribution["type"], name=distribution["name"], urn=distribution["urn"],
        inputs={}, region=distribution["region"]))
    assert state["arn"].startswith("arn:aws:cloudfront::123456789012:distribution/")
    for name in ("content-bucket", "assets-bucket", "vod-outputs-bucket"):
        [policy] = attached(us, us.named(name), POLICY)
        [oac] = [s for s in statements(policy)
                 if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
        source_arn = oac["Condition"]["StringEquals"]["AWS:SourceArn"]
        assert source_arn == state["arn"], name
        assert distribution["urn"] in policy["dependencies"], name


def test_eu_stack_is_r2_and_cloudflare_without_an_aws_cdn(eu: PlanView) -> None:
    buckets = eu.of_type("cloudflare:index/r2Bucket:R2Bucket")
    assert buckets
    for bucket in buckets:
        assert bucket["props"]["jurisdiction"] == "eu", bucket["name"]
        assert bucket["props"]["name"].endswith(("-dc-user-content", "-dc-public-content"))
    phases = {r["props"]["phase"] for r in eu.of_type("cloudflare:index/ruleset:Ruleset")}
    assert {"http_request_firewall_managed", "http_ratelimit", "http_request_cache_settings",
            "http_request_firewall_custom"} <= phases
    assert not [r for r in eu.resources if r["type"].startswith("aws:cloudfront/")
                or r["type"].startswith("aws:wafv2/")]
    assert eu.of_type("cloudflare:index/tieredCache:TieredCache")
    # The generated video token secret never shows in the plan.
    assert eu.plan["outputs"]["videoTokenSecret"] == "[secret]"


# ---- refusals -------------------------------------------------------------------------


def run_layers(stack: str, overrides: dict[str, Any], config: dict[str, str] | None = None
               ) -> PlanView:
    spec = load_stack_spec(stack, overrides)

    def program() -> None:
        ctx = RegionalContext(spec=spec, providers=RegionalProviders.create(spec),
                              network=None)  # type: ignore[arg-type]
        storage.build(ctx)
        edge.build(ctx)

    return run_offline(program, config={"aws:region": spec.region, **(config or {})})


def test_r2_is_refused_for_user_content_where_r2_has_no_jurisdiction() -> None:
    with pytest.raises(PlanInputError, match=r"R2 cannot keep 'user-content' data"):
        run_layers("prod-me-south-1",
                   {"object_store": {"kind": "r2"}, "cdn": {"enabled": False}},
                   config={"platform:cloudflareAccountId": "acc"})


def test_replication_outside_the_jurisdiction_is_refused_naming_the_region() -> None:
    with pytest.raises(PlanInputError, match=r"replication_region: 'us-east-1' is outside the "
                                             r"jurisdiction \(allowed: me-south-1, "
                                             r"me-central-1\)"):
        run_layers("prod-me-south-1",
                   {"object_store": {"replication_region": "us-east-1"}})


def test_sa_stack_replicates_inside_its_jurisdiction_and_logs_nowhere_else() -> None:
    plan = run_layers("prod-me-south-1", {"live_video": {"enabled": False},
                                          "cdn": {"logging": False}})
    assert plan.named("content-replica-bucket")["region"] == "me-central-1"
    assert plan.named("content-bucket")["region"] == "me-south-1"
    assert "loggingConfig" not in plan.one(DISTRIBUTION)["props"]
    assert_bucket_bar(plan)
    with pytest.raises(PlanInputError, match=r"cannot deliver to buckets in me-south-1"):
        run_layers("prod-me-south-1", {"cdn": {"logging": True}})


def test_r2_without_account_id_is_one_clear_line() -> None:
    with pytest.raises(PlanInputError,
                       match=r"^environments/stacks/Pulumi\.[\w-]+\.yaml: config "
                       r"platform:cloudflareAccountId: missing; R2 object storage needs it"):
        run_layers("prod-us-east-1", {"object_store": {"kind": "r2"}, "cdn": {"enabled": False}})
