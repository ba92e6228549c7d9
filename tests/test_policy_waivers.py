"""Waivers, enforcement levels, config defaults and fail-closed region resolution."""

from __future__ import annotations

import pulumi_aws as aws
import pytest

from platformctl.errors import PlanInputError
from platformctl.policy_runner import evaluate
from tests.plans import run_offline
from tests.policy_cases import (
    CONFIG,
    PACK,
    STACK_CONFIG,
    enforced,
    good_bucket,
    in_region,
    public_access_block,
    verdicts,
)


def _open_bucket(tags: dict[str, str]):
    def build(opts):
        bucket = good_bucket("site", opts, pab=False, tags=tags)
        public_access_block("site", bucket, opts, block_public_policy=False)
    return in_region(build)


def test_waiver_tag_on_bucket_covers_its_split_out_resources() -> None:
    found = verdicts(_open_bucket({"policy-waiver:s3-public-access-blocked":
                                   "static site; bucket policy reviewed in SEC-12"}))
    assert enforced(found) == []
    (waived,) = found
    assert waived["policy"] == "s3-public-access-blocked"
    assert waived["enforcement"] == "waived"
    assert waived["reason"] == "static site; bucket policy reviewed in SEC-12"
    assert waived["urn"].endswith("::site-pab")


def test_waiver_for_another_policy_does_not_waive() -> None:
    found = verdicts(_open_bucket({"policy-waiver:s3-encryption-kms": "not this one"}))
    assert [v["policy"] for v in enforced(found)] == ["s3-public-access-blocked"]


def test_empty_waiver_reason_waives_nothing_and_is_itself_a_violation() -> None:
    found = verdicts(_open_bucket({"policy-waiver:s3-public-access-blocked": ""}))
    by_policy = {v["policy"]: v for v in enforced(found)}
    assert set(by_policy) == {"s3-public-access-blocked", "policy-waiver-reason"}
    assert by_policy["s3-public-access-blocked"]["enforcement"] == "mandatory"
    assert "empty reason" in by_policy["s3-public-access-blocked"]["message"]
    assert "without a reason" in by_policy["policy-waiver-reason"]["message"]


def _plan_and_urn():
    view = run_offline(_open_bucket({}), config=STACK_CONFIG)
    return view.plan, view.named("site-pab")["urn"]


def test_config_listed_urn_waives_with_its_reason() -> None:
    plan, urn = _plan_and_urn()
    config = {**CONFIG, "s3-public-access-blocked": {
        **CONFIG["s3-public-access-blocked"], "waivers": {urn: "accepted in review 42"}}}
    (waived,) = evaluate(plan, PACK, config, STACK_CONFIG)
    assert (waived["enforcement"], waived["reason"]) == ("waived", "accepted in review 42")


def test_config_waiver_with_empty_reason_is_enforced() -> None:
    plan, urn = _plan_and_urn()
    config = {**CONFIG, "s3-public-access-blocked": {"waivers": {urn: " "}}}
    found = enforced(evaluate(plan, PACK, config, STACK_CONFIG))
    assert {v["policy"] for v in found} >= {"s3-public-access-blocked"}
    assert all(v["enforcement"] == "mandatory" for v in found)


def test_all_and_per_policy_enforcement_levels() -> None:
    plan, _ = _plan_and_urn()
    (v,) = evaluate(plan, PACK, {**CONFIG, "all": "advisory"}, STACK_CONFIG)
    assert v["enforcement"] == "advisory"
    config = {**CONFIG, "all": "advisory",
              "s3-public-access-blocked": {"enforcementLevel": "mandatory"}}
    (v,) = evaluate(plan, PACK, config, STACK_CONFIG)
    assert v["enforcement"] == "mandatory"
    disabled = {**CONFIG, "s3-public-access-blocked": "disabled"}
    assert evaluate(plan, PACK, disabled, STACK_CONFIG) == []


def test_bad_config_is_input_error() -> None:
    plan, _ = _plan_and_urn()
    with pytest.raises(PlanInputError, match="no-such-policy is not a policy"):
        evaluate(plan, PACK, {"no-such-policy": "mandatory"}, STACK_CONFIG)
    with pytest.raises(PlanInputError, match="minBackupDays"):
        evaluate(plan, PACK, {"backup-retention-min": {"minBackupDays": "seven"}}, STACK_CONFIG)
    with pytest.raises(PlanInputError, match="not an enforcement level"):
        evaluate(plan, PACK, {"all": "strict"}, STACK_CONFIG)


# --- regions without config -----------------------------------------------------------------
def _default_provider_log_group() -> None:
    aws.cloudwatch.LogGroup("audit", retention_in_days=365,
                            tags={"data-class": "telemetry", "environment": "dev"})


def test_without_config_the_default_providers_region_is_allowed() -> None:
    assert verdicts(_default_provider_log_group, config={}) == []


def test_without_config_explicit_providers_fail_closed() -> None:
    def program():
        in_region(lambda o: aws.cloudwatch.LogGroup(
            "audit", retention_in_days=365, tags={"data-class": "telemetry"}, opts=o))()
    (v,) = enforced(verdicts(program, config={}))
    assert v["policy"] == "residency-region-allowed"
    assert "configure allowedRegions" in v["message"]


def test_undeterminable_region_fails_closed() -> None:
    found = enforced(verdicts(_default_provider_log_group, stack_config={}))
    (v,) = [v for v in found if v["policy"] == "residency-region-allowed"]
    assert "cannot be determined" in v["message"]


def test_own_region_input_wins_over_the_provider() -> None:
    def build(opts):
        aws.cloudwatch.LogGroup("audit", region="eu-central-1", retention_in_days=365,
                                tags={"data-class": "telemetry"}, opts=opts)
    (v,) = enforced(verdicts(in_region(build)))
    assert "in eu-central-1, outside allowedRegions" in v["message"]


def test_public_content_is_not_restricted_but_untagged_is() -> None:
    def build(data_class):
        return lambda opts: aws.cloudwatch.LogGroup(
            "audit", retention_in_days=365, opts=opts,
            tags={"data-class": data_class} if data_class else {})
    assert verdicts(in_region(build("public-content"), "eu-west-1")) == []
    (v,) = enforced(verdicts(in_region(build(None), "eu-west-1")))
    assert "untagged (treated as restricted)" in v["message"]


def test_server_access_log_target_may_use_sse_s3() -> None:
    def build(opts):
        logs = good_bucket("access-logs", opts, data_class="telemetry", algorithm="AES256")
        site = good_bucket("site", opts)
        aws.s3.BucketLogging("site-logging", bucket=site.id, target_bucket=logs.id,
                             target_prefix="site/", opts=opts)
    assert verdicts(in_region(build)) == []
