"""One verdict per planned stack, and the exit code of a run: never green on what was not
checked (a failed plan, components the engine cannot see inside, policies skipped)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

EXIT_OK, EXIT_POLICY, EXIT_INPUT, EXIT_INCOMPLETE = 0, 1, 2, 3


class Verdict(StrEnum):
    # Worst first: a run's overall verdict is the worst of its stacks'. Incomplete outranks
    # blocked: violations found are listed either way, but what was not seen matters first.
    FAILED = "failed"
    INCOMPLETE = "incomplete"
    BLOCKED = "blocked by policy"
    NOT_EVALUATED = "policies not evaluated"
    PASSES = "passes policy"

    @property
    def ok(self) -> bool:
        return self in (Verdict.PASSES, Verdict.NOT_EVALUATED)

    @property
    def symbol(self) -> str:
        return {Verdict.FAILED: "❌", Verdict.BLOCKED: "❌", Verdict.INCOMPLETE: "⚠️",
                Verdict.NOT_EVALUATED: "⚪", Verdict.PASSES: "✅"}[self]


ORDER = list(Verdict)


def of_plan(plan: dict[str, Any] | None) -> Verdict:
    if plan is None:
        return Verdict.FAILED
    if plan.get("incomplete"):
        return Verdict.INCOMPLETE
    if any(v["enforcement"] == "mandatory" for v in plan["violations"]):
        return Verdict.BLOCKED
    if "policyPack" not in plan:
        return Verdict.NOT_EVALUATED
    return Verdict.PASSES


def overall(verdicts: list[Verdict]) -> Verdict:
    return min(verdicts, key=ORDER.index) if verdicts else Verdict.FAILED


def detail(plan: dict[str, Any] | None, error: str | None = None) -> str:
    """What stands behind a stack's verdict, in a few words."""
    if plan is None:
        return error or "the plan failed"
    parts = [f"{plan['summary']['resources']} resources"]
    mandatory = sum(1 for v in plan["violations"] if v["enforcement"] == "mandatory")
    advisory = sum(1 for v in plan["violations"] if v["enforcement"] == "advisory")
    if mandatory:
        parts.append(f"{mandatory} mandatory violation{'s' * (mandatory != 1)}")
    if advisory:
        parts.append(f"{advisory} advisory")
    if plan.get("incomplete"):
        names = ", ".join(f"{r['name']} ({r['type']})" for r in plan["incomplete"])
        parts.append(f"cannot see inside {names}")
    if plan.get("assumptions"):
        parts.append(f"{len(plan['assumptions'])} assumed data-source answers")
    return "; ".join(parts)


def exit_code(verdicts: list[Verdict]) -> int:
    worst = overall(verdicts)
    return {Verdict.FAILED: EXIT_INPUT, Verdict.BLOCKED: EXIT_POLICY,
            Verdict.INCOMPLETE: EXIT_INCOMPLETE}.get(worst, EXIT_OK)
