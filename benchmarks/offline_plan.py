"""Benchmark (not a test): the offline plan of a stack against a bare registration script.

    python benchmarks/offline_plan.py [STACK] [--runs N]

A: `run_project` + `build_plan` of STACK (the toolkit program, fixtures, capture, plan).
B: a bare script that registers the same resources (same types, names and inputs) directly
   under Pulumi's plain mock runtime with trivial mocks.
Each run is a fresh process (as `platformctl plan` uses); the median of N runs is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TOOLKIT_RUN = """
import sys, time
from pathlib import Path
start = time.perf_counter()
from platformctl.engine import run_project
from platformctl.plan import build_plan
plan = build_plan(run_project(Path(sys.argv[1]), sys.argv[2]))
print(time.perf_counter() - start, len(plan["resources"]))
"""

BARE_RUN = """
import json, sys, time
start = time.perf_counter()
import pulumi
from pulumi.runtime.mocks import Mocks, set_mocks

class Echo(Mocks):
    def new_resource(self, args):
        return args.name + "-id", dict(args.inputs)
    def call(self, args):
        return {}

set_mocks(Echo(), project="bare", stack="bare", preview=False)
resources = json.load(open(sys.argv[1]))

@pulumi.runtime.test
def program():
    created = [pulumi.CustomResource(r["type"], r["name"], dict(r["props"]))
               if r["custom"] else pulumi.ComponentResource(r["type"], r["name"])
               for r in resources]
    return pulumi.Output.all(*[c.urn for c in created])

program()
print(time.perf_counter() - start, len(resources))
"""


def timed(args: list[str]) -> tuple[float, int]:
    output = subprocess.run([sys.executable, "-c", *args], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout.split()
    return float(output[0]), int(output[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stack", nargs="?", default="coursebundler-prod-us-east-1")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    from platformctl.engine import run_project
    from platformctl.plan import build_plan

    plan = build_plan(run_project(REPO, options.stack))
    bare = [r for r in plan["resources"]
            if not r["type"].startswith(("pulumi:pulumi:", "pulumi:providers:"))]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(bare, handle)

    toolkit, baseline = [], []
    for _ in range(options.runs):
        toolkit.append(timed([TOOLKIT_RUN, str(REPO), options.stack])[0])
        baseline.append(timed([BARE_RUN, handle.name])[0])
    a, b = statistics.median(toolkit), statistics.median(baseline)
    print(f"stack {options.stack}: {len(plan['resources'])} resources, {options.runs} runs each")
    print(f"offline plan (toolkit program + capture + plan): {a:.2f} s (median)")
    print(f"bare registration of the same resources:          {b:.2f} s (median)")
    print(f"ratio: {a / b:.2f}x")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark wall time {time.perf_counter() - started:.1f} s")
