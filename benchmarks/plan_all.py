"""Benchmark (not a test): `platformctl plan --all --jobs 2` over N stacks, before and after
the preloaded fork server, and what one stack costs with and without loading the SDK.

    python benchmarks/plan_all.py --before REV [--after REV] [--stacks N] [--runs 3]

Each side runs from a temporary copy of the repository at its revision (`git archive`);
N stacks: the shipped ones, plus stacks written by `platformctl new-stack` (blueprint x
environment x REGIONS, in a fixed order, each with the config of a shipped stack of its
blueprint) until there are N, or the first N shipped ones; a generated stack its blueprint
refuses is dropped, one that still fails to plan is counted as `failed`. The sides run
alternately, back to back, and every plan of the two sides is compared
(JSON equality per stack). Reported, medians of the runs:

- wall: `plan --all` from start to exit;
- peak memory: the largest sum, over the command's process tree, of VmRSS (counts pages
  shared copy-on-write once per process: an upper bound) and of Pss (shared pages split
  between the processes sharing them: what the tree really holds), sampled every 0.1 s
  from /proc (Linux only);
- with --per-stack (after side, the shipped stacks): a stack planned in a fresh process
  (loading included), the load alone (importing, in a fresh interpreter, the installed
  modules those plans loaded), and a stack planned by the fork server once it has them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
ENVS = ("dev", "staging", "prod")
# Regions every shipped blueprint runs in (the sa regions are opt-in: no CloudFront standard
# logging there, no R2 jurisdiction), for the generated stacks.
REGIONS = ("us-east-1", "us-west-2", "eu-central-1", "eu-west-1")

FRESH_STACK = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from platformctl.fork_server import installed_modules
from platformctl.worker import PlanRequest, plan_in_worker
result = plan_in_worker(PlanRequest(directory=Path("."), stack=sys.argv[1]))
assert result.ok, result.error
print(json.dumps({"seconds": time.perf_counter() - start, "modules": sorted(installed_modules())}))
"""

LOAD_ONLY = """
import json, sys, time
start = time.perf_counter()
from platformctl.fork_server import ENGINE_MODULES, _preload
_preload(set(ENGINE_MODULES) | set(json.load(open(sys.argv[1]))))
print(time.perf_counter() - start)
"""

FORKED_STACKS = """
import json, sys, time
from pathlib import Path
from platformctl.fork_server import ForkServer
from platformctl.worker import PlanRequest
stacks = sys.argv[1:]
with ForkServer() as server:
    for stack in stacks:  # first pass: the server learns what the stacks load
        server.submit(PlanRequest(directory=Path("."), stack=stack))
        assert server.next_done().ok
    seconds = {}
    for stack in stacks:
        start = time.perf_counter()
        server.submit(PlanRequest(directory=Path("."), stack=stack))
        assert server.next_done().ok
        seconds[stack] = time.perf_counter() - start
print(json.dumps(seconds))
"""


def checkout(revision: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def python(copy: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(copy))
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True,
                          text=True, **kwargs)


def stack_files(copy: Path) -> list[Path]:
    return sorted((copy / "environments" / "stacks").glob("Pulumi.*.yaml"))


VALID = """
import sys, yaml
from environments import SpecError
from stacks.blueprints import load
for file in sys.argv[1:]:
    config = yaml.safe_load(open(file))["config"]
    stack = file.rsplit("/", 1)[1][len("Pulumi."):-len(".yaml")]
    try:
        load(stack, config.get("platform:blueprint"), config.get("platform:settings"))
    except SpecError:
        continue
    print(file)
"""


def make_stacks(copy: Path, count: int) -> list[str]:
    """The copy's shipped stacks, then stacks written by new-stack (blueprint x environment x
    region, each with the whole config of its blueprint's shipped stack of that environment,
    else of prod, in its own region) that the blueprint accepts, cut to `count`."""
    shipped = stack_files(copy)
    sources: dict[tuple[str, str], dict] = {}
    for file in sorted(shipped, key=lambda f: "us-east-1" not in f.name):
        config = yaml.safe_load(file.read_text())["config"]
        stack = file.name[len("Pulumi."):-len(".yaml")]
        env = stack.removesuffix(f"-{config['aws:region']}").rsplit("-", 1)[1]
        sources.setdefault((config["platform:blueprint"], env), config)
    blueprints = sorted({b for b, _ in sources})
    written = []
    for env, region, blueprint in itertools.product(ENVS, REGIONS, blueprints):
        file = copy / "environments" / "stacks" / f"Pulumi.{blueprint}-{env}-{region}.yaml"
        if file.exists() or python(copy, "-m", "platformctl", "new-stack", blueprint, env,
                                   region).returncode != 0:
            continue
        config = dict(sources.get((blueprint, env)) or sources[(blueprint, "prod")])
        config["aws:region"] = region
        file.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
        written.append(file)
    valid = set(python(copy, "-c", VALID, *map(str, written), check=True).stdout.split())
    kept = (shipped + [f for f in written if str(f) in valid])[:count]
    for file in set(stack_files(copy)) - set(kept):
        file.unlink()
    return [f.name[len("Pulumi."):-len(".yaml")] for f in stack_files(copy)]


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, Pss) of a process, KiB; (0, 0) once it is gone."""
    try:
        rss = next(int(line.split()[1]) for line in
                   Path(f"/proc/{pid}/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))
        pss = next(int(line.split()[1]) for line in
                   Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                   if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0, 0
    return rss, pss


def run_plan_all(copy: Path, out: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(copy))
    peak = {"rss": 0, "pss": 0}
    start = time.perf_counter()
    with out.open("w") as stdout:
        process = subprocess.Popen([sys.executable, "-m", "platformctl", "plan", "--all",
                                    "--jobs", "2", "--format", "json"], cwd=copy, env=env,
                                   stdout=stdout, stderr=subprocess.DEVNULL)

        def sample() -> None:
            while process.poll() is None:
                sizes = [_memory_kib(p) for p in _tree(process.pid)]
                peak["rss"] = max(peak["rss"], sum(s[0] for s in sizes))
                peak["pss"] = max(peak["pss"], sum(s[1] for s in sizes))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = process.wait()
        sampler.join()
    wall = time.perf_counter() - start
    try:
        failed = len(json.loads(out.read_text()).get("failed", []))
    except ValueError:
        raise SystemExit(f"plan --all wrote no plans in {copy} (exit {code})") from None
    return {"wall": wall, "rss_mib": peak["rss"] / 1024, "pss_mib": peak["pss"] / 1024,
            "failed": failed}


def plans_of(out: Path) -> dict[str, str]:
    document = json.loads(out.read_text())
    return {p["stack"]: json.dumps(p, sort_keys=True) for p in document.get("plans", [document])}


def per_stack(copy: Path, stacks: list[str], scratch: Path) -> dict[str, float]:
    fresh, modules = [], set()
    for stack in stacks:
        result = python(copy, "-c", FRESH_STACK, stack, check=True)
        found = json.loads(result.stdout.strip().splitlines()[-1])
        fresh.append(found["seconds"])
        modules |= set(found["modules"])
    listed = scratch / "modules.json"
    listed.write_text(json.dumps(sorted(modules)))
    load = [float(python(copy, "-c", LOAD_ONLY, str(listed), check=True).stdout)
            for _ in range(3)]
    forked = json.loads(python(copy, "-c", FORKED_STACKS, *stacks, check=True).stdout)
    return {"fresh_stack": statistics.median(fresh), "load": statistics.median(load),
            "forked_stack": statistics.median(forked.values()), "modules": len(modules)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="revision planned in fresh processes")
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--stacks", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-stack", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        sides = {name: checkout(rev, scratch / name)
                 for name, rev in (("before", args.before), ("after", args.after))}
        stacks = {name: make_stacks(copy, args.stacks) for name, copy in sides.items()}
        assert stacks["before"] == stacks["after"], stacks
        print(f"{len(stacks['after'])} stacks: {', '.join(stacks['after'])}", flush=True)
        figures: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
        for run in range(args.runs):
            outs = {}
            for name, copy in sides.items():
                outs[name] = scratch / f"{name}-{run}.json"
                figures[name].append(run_plan_all(copy, outs[name]))
                print(f"run {run + 1} {name}: " + ", ".join(
                    f"{k} {v:.1f}" for k, v in figures[name][-1].items()), flush=True)
            before, after = plans_of(outs["before"]), plans_of(outs["after"])
            differ = sorted(s for s in before if before[s] != after.get(s))
            print(f"run {run + 1}: {len(before)} plans, identical except: {differ or 'none'}",
                  flush=True)
        for name, runs in figures.items():
            print(f"{name} (median of {len(runs)}): " + ", ".join(
                f"{k} {statistics.median(r[k] for r in runs):.1f}" for k in runs[0]))
        if args.per_stack:
            shipped = [f.name[len("Pulumi."):-len(".yaml")]
                       for f in stack_files(checkout(args.after, scratch / "shipped"))]
            figures_one = per_stack(sides["after"], shipped, scratch)
            print("per stack (median over the shipped stacks): " + ", ".join(
                f"{k} {v:.2f}" for k, v in figures_one.items()))


if __name__ == "__main__":
    main()
