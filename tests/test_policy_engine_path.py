"""The pack's verdicts do not depend on the offline runner's shortcuts: judged as the engine's
analyzer hands a stack policy its arguments (a plain list of its own per policy, props
proxied up front by the SDK's `unknown_checking_proxy`), a plan gets the same findings as
from `evaluate` (one shared list, props proxied as read)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from platformctl.policy_runner import evaluate, resolve_config
from tests.plans import run_offline
from tests.policy_cases import CONFIG, PACK, STACK_CONFIG, aurora, good_bucket, in_region
from tests.test_policy_evaluation_cost import unit


def program(opts: pulumi.ResourceOptions) -> None:
    """Compliant units and one of each finding the indexes resolve."""
    for index in range(2):
        unit(index, opts)
    open_bucket = good_bucket("open", opts, pab=False)
    aws.s3.BucketReplicationConfig(
        "open-replication", bucket=open_bucket.id, role="arn:aws:iam::1:role/r",
        rules=[aws.s3.BucketReplicationConfigRuleArgs(
            status="Enabled", destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                bucket="arn:aws:s3:::a-bucket-elsewhere"))], opts=opts)
    aurora("lonely", opts, instances=1)


def engine_value(value: Any) -> Any:
    if value == "[unknown]":
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {k: engine_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    return value


def engine_resources(plan: dict[str, Any]) -> list[PolicyResource]:
    """A fresh, plainly listed, eagerly proxied resource list, as AnalyzeStack builds one."""
    providers = {r["urn"]: PolicyProviderResource(r["type"], unknown_checking_proxy(
        engine_value(r["props"])), r["urn"], r["name"])
        for r in plan["resources"] if r["type"].startswith("pulumi:providers:")}
    built = {r["urn"]: PolicyResource(
        r["type"], unknown_checking_proxy(engine_value(r["props"])), r["urn"], r["name"],
        PolicyResourceOptions(bool(r["protect"]), list(r["ignoreChanges"]), None, [],
                              PolicyCustomTimeouts(0, 0, 0), [], r["parent"]),
        providers.get(r["provider"]), None, [], {}) for r in plan["resources"]}
    for r in plan["resources"]:
        built[r["urn"]].parent = built.get(r["parent"])
        built[r["urn"]].dependencies.extend(built[d] for d in r["dependencies"] if d in built)
    return list(built.values())


def engine_findings(plan: dict[str, Any]) -> set[tuple[str, str | None, str]]:
    resolved = resolve_config(PACK, CONFIG)
    found: set[tuple[str, str | None, str]] = set()
    for policy in PACK.policies:
        def report(message: str, urn: str | None = None, name: str = policy.name) -> None:
            found.add((name, urn, message))
        policy.validate(StackValidationArgs(engine_resources(plan),
                                            resolved[policy.name].properties, {}), report)
    return found


def test_the_engine_s_way_and_the_runner_s_way_agree() -> None:
    plan = run_offline(in_region(program), config=STACK_CONFIG).plan
    offline = {(v["policy"], v["urn"], v["message"]) for v in evaluate(
        plan, PACK, CONFIG, STACK_CONFIG) if v["enforcement"] != "waived"}
    assert {name for name, _, _ in offline} >= {
        "s3-public-access-blocked", "residency-replication-target", "prod-multi-az"}
    assert engine_findings(plan) == offline
