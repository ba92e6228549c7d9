"""Benchmark (not a test): policy evaluation time per 1,000 resources, at several plan sizes.

Builds the offline plans of a mix of shipped stacks, then synthesizes plans of each size by
replicating that mix: copy `i` of a stack marks its logical names, its stack name and every
auto-name (`<logical>-<7 hex>`) in URNs and props with `-c<i>`, so each copy has its own
physical names and ARNs and its links (parents, dependencies, names in props) stay inside
the copy, as if the plan held many stacks of the same account. The last copy is cut to reach
the size exactly (its providers first, so what it keeps is judged with its region and default
tags).

For each size it times `platformctl.policy_runner.evaluate` (the pack, with the first stack's
generated policy config) and reports ms per 1,000 resources: the median and best wall time
of the runs and the median CPU time of this process (steadier on a shared machine); then the
findings per copy (a check that the copies are judged like the original), and with
`--split` the time of each policy at the largest size.

    python benchmarks/policy_eval.py [--stacks S1,S2,...] [--sizes 1000,2000,5000,10000]
                                     [--repeat R] [--split]
"""

from __future__ import annotations

import argparse
import copy
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from platformctl import policy_runner  # noqa: E402
from platformctl.engine import run_project  # noqa: E402
from platformctl.plan import build_plan  # noqa: E402
from platformctl.policy_config import stack_policy_config  # noqa: E402
from platformctl.policy_runner import DEFAULT_PACK_DIR, evaluate, load_pack  # noqa: E402
from platformctl.project import Project  # noqa: E402

DEFAULT_STACKS = ("coursebundler-prod-us-east-1", "cost-optimized-prod-us-east-1",
                  "upload-api-prod-us-east-1")
DEFAULT_SIZES = (1000, 2000, 5000, 10000)
STACK_TYPE = "pulumi:pulumi:Stack"


def _renamer(plan: dict[str, Any], index: int) -> Callable[[str], str]:
    """Copy `index` of `plan`'s strings: stack name and auto-names get a `-c<index>` mark."""
    stack = plan["stack"]
    names = sorted({r["name"] for r in plan["resources"]}, key=len, reverse=True)
    autoname = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) +
                          r")-([0-9a-f]{7})(?![\w-])")
    mark = f"-c{index}"

    def rename(value: str) -> str:
        value = value.replace(stack, stack + mark)
        return autoname.sub(lambda m: f"{m[1]}{mark}-{m[2]}", value)
    return rename


def _renamed(value: Any, rename: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return rename(value)
    if isinstance(value, dict):
        return {k: _renamed(v, rename) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, rename) for v in value]
    return value


def _providers_first(resource: dict[str, Any]) -> bool:
    return not resource["type"].startswith("pulumi:providers:")


def synthesize(plans: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """A plan of `size` resources: the first plan's stack resource, then renamed copies of
    every plan's resources in turn (their stack resources folded into the first one)."""
    first = plans[0]
    root = next(r for r in first["resources"] if r["type"] == STACK_TYPE)
    big = {**{k: v for k, v in first.items() if k != "resources"},
           "resources": [copy.deepcopy(root)]}
    index = 0
    while len(big["resources"]) < size:
        for plan in plans:
            rename = _renamer(plan, index)
            stack_urn = next(r["urn"] for r in plan["resources"] if r["type"] == STACK_TYPE)

            def link(urn: str | None, rename: Callable[[str], str] = rename,
                     stack_urn: str = stack_urn) -> str | None:
                if urn is None or urn == stack_urn:
                    return root["urn"] if urn else None
                return rename(urn)
            for resource in sorted(plan["resources"], key=_providers_first):
                if resource["type"] == STACK_TYPE:
                    continue
                if len(big["resources"]) == size:
                    return big
                clone = _renamed(resource, rename)
                clone["name"] = f"{resource['name']}-c{index}"
                clone["parent"] = link(resource["parent"])
                clone["provider"] = link(resource["provider"])
                clone["dependencies"] = [link(d) for d in resource["dependencies"]]
                big["resources"].append(clone)
        index += 1
    return big


def _timed(plan: dict[str, Any], pack: Any, config: Any, stack_config: Any,
           repeat: int) -> tuple[list[float], list[float], int]:
    """(wall seconds, CPU seconds of this process, findings) of `repeat` evaluations."""
    wall, cpu, findings = [], [], 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        findings = len(evaluate(plan, pack, config, stack_config))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu, findings


def policy_split(plan: dict[str, Any], pack: Any, config: Any,
                 stack_config: Any) -> tuple[float, dict[str, float]]:
    """(whole evaluation, seconds per policy) of one run; the rest is the runner's own work
    (config resolution, the graph of PolicyResources)."""
    spent: dict[str, float] = {}
    original = policy_runner._run  # noqa: SLF001 - the benchmark times each policy's call

    def timed_run(policy: Any, args: Any, report: Any) -> None:
        started = time.perf_counter()
        try:
            original(policy, args, report)
        finally:
            spent[policy.name] = spent.get(policy.name, 0.0) + time.perf_counter() - started
    policy_runner._run = timed_run  # noqa: SLF001
    try:
        started = time.perf_counter()
        evaluate(plan, pack, config, stack_config)
        total = time.perf_counter() - started
    finally:
        policy_runner._run = original  # noqa: SLF001
    return total, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", default=",".join(DEFAULT_STACKS),
                        help="comma-separated shipped stacks whose plans make the mix")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated plan sizes (resources)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per size (median)")
    parser.add_argument("--split", action="store_true",
                        help="also time each policy at the largest size")
    options = parser.parse_args()
    stacks = [s for s in options.stacks.split(",") if s]
    sizes = [int(s) for s in options.sizes.split(",") if s]
    project = Project.load(ROOT)
    plans = [build_plan(run_project(ROOT, stack)) for stack in stacks]
    pack = load_pack(DEFAULT_PACK_DIR)
    config = stack_policy_config(ROOT, stacks[0], pack)
    stack_config = project.stack_config(stacks[0]).values
    mix = sum(len(p["resources"]) - 1 for p in plans)
    base = len(evaluate(synthesize(plans, mix + 1), pack, config, stack_config))
    parts = ", ".join(f"{s} ({len(p['resources'])})" for s, p in zip(stacks, plans, strict=True))
    print(f"mix: {parts} = {mix} resources per copy, {base} findings per copy; "
          f"{len(pack.policies)} policies; median and best of {options.repeat} runs")
    print(f"{'resources':>9} {'wall s':>7} {'ms/1,000 wall':>14} {'(best)':>7} "
          f"{'ms/1,000 CPU':>13} {'findings':>9} {'per copy':>9}")
    for size in sizes:
        plan = synthesize(plans, size)
        wall, cpu, findings = _timed(plan, pack, config, stack_config, options.repeat)
        count = len(plan["resources"])
        per_1000 = 1e6 / count
        print(f"{count:>9,} {statistics.median(wall):>7.3f} "
              f"{statistics.median(wall) * per_1000:>14.1f} {min(wall) * per_1000:>7.1f} "
              f"{statistics.median(cpu) * per_1000:>13.1f} {findings:>9} "
              f"{findings * mix / count:>9.1f}")
    if options.split:
        plan = synthesize(plans, sizes[-1])
        total, spent = policy_split(plan, pack, config, stack_config)
        print(f"\nper policy at {len(plan['resources']):,} resources (one run, {total:.3f} s):")
        for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {seconds * 1000:8.1f} ms  {name}")
        print(f"  {(total - sum(spent.values())) * 1000:8.1f} ms  (runner: config, graph)")


if __name__ == "__main__":
    main()
