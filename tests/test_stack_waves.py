"""Stacks planned after the siblings they reference (platformctl.stack_waves), with a runner
that plans nothing: each fake stack reads the siblings listed for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformctl.errors import PlanInputError
from platformctl.stack_waves import plan_in_waves
from platformctl.worker import PlanRequest, PlanResult


class FakeRunner:
    """Plans `reads[stack]` siblings: a reference nobody answered is a `need`, as a worker
    reports it; a stack whose references are answered exports its own and its siblings'
    values, so a value read two references deep shows whether it arrived."""

    def __init__(self, reads: dict[str, list[str]], jobs: int,
                 failing: frozenset[str] = frozenset()) -> None:
        self.reads, self.jobs, self.failing = reads, jobs, failing
        self.running: list[PlanRequest] = []
        self.runs: list[PlanRequest] = []

    def submit(self, request: PlanRequest) -> None:
        self.running.append(request)
        self.runs.append(request)
        assert len(self.running) <= self.jobs

    def next_done(self) -> PlanResult:
        request = self.running.pop(0)
        if request.stack in self.failing:
            return PlanResult(stack=request.stack, plan=None, error="program error: boom")
        answered = request.stack_references or {}
        names = {f"org/p/{s}": s for s in self.reads[request.stack]}
        needs = {n: s for n, s in names.items() if n not in answered}
        if needs and request.resolve_siblings:
            return PlanResult(stack=request.stack, plan=None, needs=needs)
        outputs = {"own": request.stack}
        for name, sibling in names.items():
            outputs[sibling] = answered.get(name, {}).get("own", "[unknown]")
            outputs |= {k: v for k, v in answered.get(name, {}).items() if k != "own"}
        return PlanResult(stack=request.stack, plan={"stack": request.stack, "outputs": outputs})


def _requests(*stacks: str, policy_pack: Path | None = None) -> list[PlanRequest]:
    return [PlanRequest(directory=Path("."), stack=s, policy_pack=policy_pack) for s in stacks]


CHAIN = {"global": ["secondary"], "secondary": ["primary"], "primary": []}


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_a_chain_resolves_to_the_deepest_reference_each_stack_finished_once(jobs: int) -> None:
    runner = FakeRunner(CHAIN, jobs)
    results = plan_in_waves(_requests("global", "secondary", "primary"), jobs, runner)
    assert [r.stack for r in results] == ["global", "secondary", "primary"]
    by_stack = {r.stack: r.plan for r in results}
    assert by_stack["global"]["outputs"]["primary"] == "primary"  # two references deep
    assert by_stack["global"]["outputs"]["secondary"] == "secondary"
    runs = [r.stack for r in runner.runs]
    # a stack with no references runs once; one that reads a sibling stops once, then runs
    assert runs.count("primary") == 1
    assert runs.count("secondary") <= 2 and runs.count("global") <= 2


def test_a_sibling_nobody_asked_for_is_planned_without_policies_and_not_reported() -> None:
    runner = FakeRunner(CHAIN, jobs=2)
    done: list[str] = []
    [result] = plan_in_waves(_requests("global", policy_pack=Path("policies")), 2, runner,
                             on_done=lambda r: done.append(r.stack))
    assert result.plan["outputs"]["primary"] == "primary"
    helpers = [r for r in runner.runs if r.stack != "global"]
    assert {r.stack for r in helpers} == {"secondary", "primary"}
    assert all(r.policy_pack is None for r in helpers)
    assert done == ["global"]


def test_a_sibling_that_fails_leaves_its_reference_unknown() -> None:
    runner = FakeRunner(CHAIN, jobs=2, failing=frozenset({"primary"}))
    results = {r.stack: r for r in plan_in_waves(_requests(*CHAIN), 2, runner)}
    assert results["primary"].error == "program error: boom"
    assert results["secondary"].plan["outputs"]["primary"] == "[unknown]"
    assert results["global"].plan["outputs"]["secondary"] == "secondary"


@pytest.mark.parametrize("asked", [("a", "b", "c"), ("c",)])
def test_a_cycle_is_refused_in_one_line(asked: tuple[str, ...]) -> None:
    runner = FakeRunner({"a": ["b"], "b": ["a"], "c": ["a"]}, jobs=2)
    with pytest.raises(PlanInputError, match=r"^stacks reference each other in a cycle: "
                                             r"a, b, c; no deploy order exists"):
        plan_in_waves(_requests(*asked), 2, runner)


def test_stacks_without_references_run_once_each() -> None:
    runner = FakeRunner({"x": [], "y": [], "z": []}, jobs=2)
    results = plan_in_waves(_requests("z", "x", "y"), 2, runner)
    assert [r.stack for r in results] == ["z", "x", "y"]
    assert sorted(r.stack for r in runner.runs) == ["x", "y", "z"]
