"""The engine's run loop: what its speed-ups must not change (speed itself: benchmarks/).

Monitor calls run inline, pending Outputs are settled before the SDK's own end-of-run wait,
and the cyclic garbage collector is paused during the run: a plan still sees every value a
program computes late, a failure inside an `apply` is still the program's error, and the
collector is left as it was found."""

from __future__ import annotations

import gc

import pulumi
import pulumi_aws as aws
import pytest

from platformctl.engine import run_callable
from platformctl.errors import ProgramError
from tests.plans import run_offline


def _chained_program(depth: int) -> None:
    """A bucket whose tags come out of a chain of `depth` applies started off a resource
    output, and a stack output at the end of another chain: values known late."""
    first = aws.s3.Bucket("first")
    value = first.bucket.apply(lambda _: "0")
    for _ in range(depth):
        value = value.apply(lambda v: str(int(v) + 1))
    aws.s3.Bucket("second", tags={"depth": value, "fixed": "yes"})
    pulumi.export("depth", pulumi.Output.from_input("x").apply(lambda _: depth))


@pytest.mark.parametrize("depth", [0, 1, 25])
def test_values_computed_late_reach_the_plan(depth: int) -> None:
    plan = run_offline(lambda: _chained_program(depth))
    # A preview does not know the first bucket's name, so the chain stays unknown; what
    # matters is that the registration waited for it and kept the known tag.
    tags = plan.named("second")["props"]["tags"]
    assert tags["fixed"] == "yes"
    assert tags["depth"] in ("[unknown]", str(depth))
    assert plan.plan["outputs"] == {"depth": depth}


def test_a_failure_inside_an_apply_is_the_programs_error() -> None:
    def program() -> None:
        aws.s3.Bucket("b")
        pulumi.Output.from_input("x").apply(lambda _: {}["missing"])

    with pytest.raises(ProgramError, match="KeyError"):
        run_callable(program, project="test", stack="test")


@pytest.mark.parametrize("enabled", [True, False])
def test_the_garbage_collector_is_left_as_it_was_found(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        run_callable(lambda: aws.s3.Bucket("b"), project="test", stack="test")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
