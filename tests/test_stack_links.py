"""Deploy order from StackReferences between plans."""

from __future__ import annotations

from typing import Any

import pytest

from platformctl.errors import PlanInputError
from platformctl.stack_links import deploy_order, references


def _plan(stack: str, *reads: str) -> dict[str, Any]:
    """A plan as the engine writes it: each StackReference read listed in stackReferences."""
    return {"stack": stack, "resources": [], "stackReferences": [
        {"name": f"org/p/{r}", "stack": f"org/p/{r}", "source": None, "outputs": "unknown"}
        for r in reads]}


def test_a_stack_comes_after_the_stacks_it_reads() -> None:
    plans = {"a-secondary": _plan("a-secondary", "z-primary"), "z-primary": _plan("z-primary"),
             "m-edge": _plan("m-edge", "a-secondary", "elsewhere")}
    assert deploy_order(plans) == ["z-primary", "a-secondary", "m-edge"]
    assert references(plans["m-edge"]) == [("org/p/a-secondary", "a-secondary"),
                                            ("org/p/elsewhere", "elsewhere")]


def test_a_cycle_has_no_order() -> None:
    with pytest.raises(PlanInputError, match="cycle: a, b"):
        deploy_order({"a": _plan("a", "b"), "b": _plan("b", "a")})
