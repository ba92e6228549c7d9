"""Benchmark (not a test): the offline plan against what the bare Pulumi SDK costs.

    python benchmarks/offline_plan.py [STACK] [--runs N] [--pack]
    python benchmarks/offline_plan.py --buckets [--runs N]

STACK (default coursebundler-prod-us-east-1), against its floor: a fresh process imports the
typed SDK modules the plan loaded (`pulumi_*`), then registers the plan's resources (types,
names, parents, providers, inputs) through `pulumi.CustomResource` with the type token, under
`set_mocks` with trivial mocks. That is all the SDK must do for those resources (load the
modules, serialize the inputs, register, resolve the outputs) and none of a program's own
work; the typed classes' constructors are left out, so the floor is a lower bound.

--buckets: the generated program benchmarks/buckets (1,000 private buckets, each with its
public-access block, encryption and versioning: 4,000 resources), under the bare SDK
(the same program, `set_mocks` with trivial mocks) against our plan of it with the pack.

Every run is a fresh process (as `platformctl plan` plans a stack); the two sides alternate,
so a loaded machine slows both alike. Medians of N runs; ours is split into import / program
run / serialization / policy (benchmarks/plan_phases.py does one run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PHASES = Path(__file__).resolve().parent / "plan_phases.py"
BUCKETS = Path(__file__).resolve().parent / "buckets"


def timed(*args: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    output = subprocess.run([sys.executable, str(PHASES), *args], cwd=REPO, check=True,
                            capture_output=True, text=True, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def record_floor(stack: str) -> Path:
    """The stack's registrations, in registration order, and the typed modules its plan
    loaded, for `plan_phases.py replay`."""
    sys.path.insert(0, str(REPO))
    from platformctl.engine import run_project
    from platformctl.plan import mask

    capture = run_project(REPO, stack)
    resources = [{"urn": r.urn, "type": r.type, "name": r.name, "custom": r.custom,
                  "parent": r.parent, "provider": r.provider,
                  "props": mask(r.inputs, capture.directory)}
                 for r in capture.registrations if r.type != "pulumi:pulumi:Stack"]
    # Modules the run executed; SDK packages also register the rest lazily, never loaded.
    modules = [name for name, module in sys.modules.items()
               if name.startswith("pulumi_") and type(module) is types.ModuleType]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"project": capture.project, "stack": stack, "config": capture.config,
                   "modules": modules, "resources": resources}, handle)
    return Path(handle.name)


def median_phases(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def report(label: str, floor: dict[str, float], ours: dict[str, float], runs: int) -> None:
    print(f"{label}, {runs} runs each (medians, seconds)")
    print(f"  floor: {floor['total']:.2f}  (import {floor['import']:.2f}, "
          f"registration {floor['run']:.2f})")
    print(f"  ours:  {ours['total']:.2f}  (import {ours['import']:.2f}, program run "
          f"{ours['run']:.2f}, serialization {ours['serialize']:.2f}, "
          f"policy {ours['policy']:.2f})")
    print(f"  ratio: {ours['total'] / floor['total']:.2f}x"
          + (f"; without the pack {(ours['total'] - ours['policy']) / floor['total']:.2f}x"
             if ours["policy"] else ""))
    print(f"  CPU seconds: floor {floor['cpu']:.2f}, ours {ours['cpu']:.2f}, "
          f"ratio {ours['cpu'] / floor['cpu']:.2f}x"
          + (f"; the pack {ours['policy_cpu']:.2f} of ours, without it "
             f"{(ours['cpu'] - ours['policy_cpu']) / floor['cpu']:.2f}x"
             if ours["policy"] else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stack", nargs="?", default="coursebundler-prod-us-east-1")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pack", action="store_true", help="include the policy pack in ours")
    parser.add_argument("--buckets", action="store_true",
                        help="the generated 4,000-resource program instead of STACK (with "
                        "the pack)")
    options = parser.parse_args()

    if options.buckets:
        floor_args = ("bare", str(BUCKETS), "bench")
        ours_args = ("ours", str(BUCKETS), "bench", "--pack")
        label = "benchmarks/buckets (generated, 4,000 resources): bare SDK vs ours with the pack"
    else:
        floor_args = ("replay", str(record_floor(options.stack)))
        ours_args = ("ours", str(REPO), options.stack, *(["--pack"] if options.pack else []))
        label = f"stack {options.stack}: floor (same resources and typed modules) vs ours"
    floors, ours = [], []
    for _ in range(options.runs):
        floors.append(timed(*floor_args))
        ours.append(timed(*ours_args))
    report(label, median_phases(floors), median_phases(ours), options.runs)
    print(f"  resources: {int(ours[0]['resources'])}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"benchmark wall time {time.perf_counter() - started:.1f} s")
