"""Policy evaluation grows with the plan, not with its square: structural checks (counts of
calls, never timings; the figures are in benchmarks/policy_eval.py)."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pulumi
import pulumi_aws as aws
import pytest
from pulumi_policy import StackValidationPolicy

import policies
from platformctl.errors import PlanInputError
from platformctl.policy_runner import DEFAULT_PACK_DIR, Pack, evaluate, resolve_config
from policies import graph as pack_graph
from tests.plans import run_offline
from tests.policy_cases import CONFIG, STACK_CONFIG, aurora, good_bucket, in_region

PACK = Pack(name="ours", directory=DEFAULT_PACK_DIR, policies=list(policies.POLICIES))
PACK_DIR = str(Path(policies.__file__).resolve().parent)


def unit(index: int, opts: pulumi.ResourceOptions) -> None:
    """The shapes whose judgment used to scan the whole plan per resource: a replicated
    bucket (destination by ARN), an access-log target (SSE-S3), an Aurora cluster and its
    instances (members by cluster identifier)."""
    source = good_bucket(f"media{index}", opts)
    replica = good_bucket(f"replica{index}", opts)
    logs = good_bucket(f"logs{index}", opts, data_class="telemetry", algorithm="AES256")
    aws.s3.BucketLogging(f"media{index}-logging", bucket=source.id, target_bucket=logs.id,
                         target_prefix="media/", opts=opts)
    aws.s3.BucketReplicationConfig(
        f"media{index}-replication", bucket=source.id, role=f"arn:aws:iam::1:role/r{index}",
        rules=[aws.s3.BucketReplicationConfigRuleArgs(
            status="Enabled",
            destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                bucket=replica.arn))], opts=opts)
    aurora(f"db{index}", opts)


def plan_of(units: int) -> dict[str, Any]:
    def build(opts: pulumi.ResourceOptions) -> None:
        for index in range(units):
            unit(index, opts)
    return run_offline(in_region(build), config=STACK_CONFIG).plan


def pack_calls(plan: dict[str, Any]) -> int:
    """Python calls into the pack's modules while the pack judges `plan`."""
    count = 0

    def profile(frame: Any, event: str, _: Any) -> None:
        nonlocal count
        if event == "call" and frame.f_code.co_filename.startswith(PACK_DIR):
            count += 1
    sys.setprofile(profile)
    try:
        evaluate(plan, PACK, CONFIG, STACK_CONFIG)
    finally:
        sys.setprofile(None)
    return count


@pytest.fixture(scope="module")
def plans() -> dict[int, dict[str, Any]]:
    return {units: plan_of(units) for units in (3, 6)}


def test_doubling_the_plan_at_most_doubles_the_pack_s_work(plans) -> None:
    small, large = (pack_calls(plans[units]) for units in (3, 6))
    assert len(plans[6]["resources"]) > 1.8 * len(plans[3]["resources"])
    # Linear work doubles (less: fixed costs); one scan per resource would quadruple it.
    assert large < 2.2 * small, (small, large)


def test_the_plan_is_judged_as_intended(plans) -> None:
    """The cost check above is only meaningful if these shapes are resolved, not skipped."""
    found = evaluate(plans[3], PACK, CONFIG, STACK_CONFIG)
    assert [v for v in found if v["enforcement"] != "waived"] == []


def counting(target: Any, name: str) -> tuple[list[Any], Callable[..., Any]]:
    calls: list[Any] = []
    original = getattr(target, name)

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(self, *args, **kwargs)
    return calls, counted


def test_every_stack_policy_of_a_plan_shares_one_graph(plans, monkeypatch) -> None:
    calls, counted = counting(pack_graph.Graph, "__init__")
    monkeypatch.setattr(pack_graph.Graph, "__init__", counted)
    evaluate(plans[3], PACK, CONFIG, STACK_CONFIG)
    assert len(PACK.policies) > 1 and len(calls) == 1
    evaluate(plans[3], PACK, CONFIG, STACK_CONFIG)
    assert len(calls) == 2  # a new evaluation is a new graph, never a stale one


def test_stack_policies_receive_one_linked_resource_list(plans) -> None:
    seen: list[Any] = []

    def spy(args: Any, report_violation: Any) -> None:
        seen.append(args.resources)
    pack = Pack(name="spy", directory=Path("."), policies=[
        StackValidationPolicy(name=f"spy-{i}", description="spy", validate=spy)
        for i in range(2)])
    evaluate(plans[3], pack, {}, STACK_CONFIG)
    assert seen[0] is seen[1]
    linked = [r for r in seen[0] if r.dependencies]
    assert linked and all(d in seen[0] for r in linked for d in r.dependencies)


class SharedList(list):
    """A list like the one the runner shares: hashable by identity, weakly referenceable."""

    __hash__ = object.__hash__


def resources(count: int) -> list[Any]:
    return [SimpleNamespace(urn=f"urn-{i}", resource_type="t", name=f"r{i}")
            for i in range(count)]


def test_a_shared_list_keeps_its_graph_while_it_lives_and_is_unchanged() -> None:
    shared = SharedList(resources(2))
    graph = pack_graph.Graph.of(shared)
    assert pack_graph.Graph.of(shared) is graph
    shared.append(resources(3)[2])
    changed = pack_graph.Graph.of(shared)
    assert changed is not graph and len(changed.resources) == 3
    released = weakref.ref(changed)
    del shared, changed
    assert released() is None  # the graph goes with its list, not at the next evaluation


def test_a_plain_list_gets_a_graph_of_its_own_each_time() -> None:
    plain = resources(2)  # what the engine hands each policy
    assert pack_graph.Graph.of(plain) is not pack_graph.Graph.of(plain)


def test_config_checks_are_remembered_but_never_skipped() -> None:
    """Schemas are checked once and results reused; a bad value is refused every time,
    with the message jsonschema gives."""
    bad = {"backup-retention-min": {"minBackupDays": -1}}
    policy = next(p for p in PACK.policies if p.name == "backup-retention-min")
    document = {"type": "object", "properties": policy.config_schema.properties}
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(resolve_config(PACK, None)[policy.name].properties
                            | {"minBackupDays": -1}, document)
    for _ in range(2):
        with pytest.raises(PlanInputError) as raised:
            resolve_config(PACK, bad)
        assert str(raised.value) == (f"policy config backup-retention-min.minBackupDays: "
                                     f"{expected.value.message}")
    assert resolve_config(PACK, {"backup-retention-min": {"minBackupDays": 3}})[
        policy.name].properties["minBackupDays"] == 3
