"""Benchmark (not a test): policy evaluation time per 1,000 resources.

Synthesizes a large plan by replicating a shipped stack's resources (renamed so URNs stay
unique, links kept inside each copy), then times `platformctl.policy_runner.evaluate`
with the stack's generated policy config. Prints the figure.

    python benchmarks/policy_eval.py [STACK] [--copies N] [--repeat R]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from platformctl.engine import run_project  # noqa: E402
from platformctl.plan import build_plan  # noqa: E402
from platformctl.policy_config import stack_policy_config  # noqa: E402
from platformctl.policy_runner import DEFAULT_PACK_DIR, evaluate, load_pack  # noqa: E402
from platformctl.project import Project  # noqa: E402


def synthesize(plan: dict, copies: int) -> dict:
    """`copies` renamed copies of the plan's resources in one plan."""
    big = copy.deepcopy(plan)
    big["resources"] = []
    stack_urn = next(r["urn"] for r in plan["resources"] if r["type"] == "pulumi:pulumi:Stack")
    for index in range(copies):
        def rename(urn: str | None, index: int = index) -> str | None:
            if urn is None or urn == stack_urn:
                return urn
            return f"{urn}-c{index}"
        for resource in plan["resources"]:
            if index and resource["urn"] == stack_urn:
                continue
            clone = copy.deepcopy(resource)
            clone["urn"] = rename(resource["urn"])
            clone["name"] = resource["name"] if resource["urn"] == stack_urn else \
                f"{resource['name']}-c{index}"
            clone["parent"] = rename(resource["parent"])
            clone["provider"] = rename(resource["provider"])
            clone["dependencies"] = [rename(d) for d in resource["dependencies"]]
            big["resources"].append(clone)
    return big


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stack", nargs="?", default="coursebundler-prod-us-east-1")
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    project = Project.load(ROOT)
    plan = build_plan(run_project(ROOT, options.stack))
    pack = load_pack(DEFAULT_PACK_DIR)
    config = stack_policy_config(ROOT, options.stack, pack)
    stack_config = project.stack_config(options.stack).values
    big = synthesize(plan, options.copies)
    count = len(big["resources"])
    timings = []
    for _ in range(options.repeat):
        started = time.perf_counter()
        violations = evaluate(big, pack, config, stack_config)
        timings.append(time.perf_counter() - started)
    best, median = min(timings), statistics.median(timings)
    print(f"stack {options.stack}: {len(plan['resources'])} resources x {options.copies} = "
          f"{count} resources, {len(pack.policies)} policies, {len(violations)} findings")
    print(f"policy evaluation: best {best:.3f}s, median {median:.3f}s for {count} resources")
    print(f"per 1,000 resources: {best / count * 1000 * 1000:.0f} ms (best), "
          f"{median / count * 1000 * 1000:.0f} ms (median)")


if __name__ == "__main__":
    main()
