"""One timed run, in a fresh process (benchmarks/offline_plan.py starts it; not a test).

    python benchmarks/plan_phases.py ours DIR STACK [--pack]
    python benchmarks/plan_phases.py bare DIR STACK
    python benchmarks/plan_phases.py replay REPLAY.json

`ours`: `platformctl plan` in-process, split into import / program run / serialization
(plan + JSON) / policy (the pack, with the stack's generated config as `plan` uses it).
`bare`: the same program under the bare SDK: `set_mocks` with trivial mocks (outputs echo
inputs), run as the language host runs it (`run_in_stack`), as a preview.
`replay`: the floor of a stack: first import the typed SDK modules its plan loaded, then
register the plan's resources (types, names, parents, providers, inputs) through
`pulumi.CustomResource` / `ComponentResource` / `ProviderResource` under the same bare mocks.
Prints one JSON object of phase -> wall seconds, `cpu` (CPU seconds of the whole run: steadier
than wall time on a shared machine) and `resources`.
"""

from __future__ import annotations

import json
import sys
import time

STARTED, CPU_STARTED = time.perf_counter(), time.process_time()


def _bare_runtime(project: str, stack: str, config: dict[str, str]) -> None:
    import pulumi
    from pulumi.runtime import settings
    from pulumi.runtime.mocks import Mocks, set_mocks

    class Echo(Mocks):
        def new_resource(self, args):
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args):
            return {}

    pulumi.runtime.set_all_config(config)
    set_mocks(Echo(), project=project, stack=stack, preview=True)
    # set_mocks made a root stack for unit tests; run_in_stack makes its own, as the
    # language host does.
    settings.ROOT.set(None)


def _run_program(program) -> None:
    from pulumi.runtime.stack import run_in_stack
    from pulumi.runtime.sync_await import _sync_await

    _sync_await(run_in_stack(program))


def _stack_config(directory: str, stack: str) -> tuple[str, dict[str, str]]:
    from pathlib import Path

    import yaml

    root = Path(directory)
    project = yaml.safe_load((root / "Pulumi.yaml").read_text())
    config_dir = root / project.get("stackConfigDir", ".")
    values = yaml.safe_load((config_dir / f"Pulumi.{stack}.yaml").read_text())["config"]
    return project["name"], {k if ":" in k else f"{project['name']}:{k}":
                             v if isinstance(v, str) else json.dumps(v)
                             for k, v in values.items()}


def ours(directory: str, stack: str, with_pack: bool) -> dict[str, float]:
    from pathlib import Path

    from platformctl.engine import run_project
    from platformctl.plan import build_plan
    from platformctl.render import render_json
    from platformctl.verdict import of_plan
    imported = time.perf_counter()
    capture = run_project(Path(directory), stack)
    ran = time.perf_counter()
    plan = build_plan(capture)
    serialized_once, cpu_policy_started = time.perf_counter(), time.process_time()
    policy = 0.0
    if with_pack:
        from platformctl.policy_config import stack_policy_config
        from platformctl.policy_runner import DEFAULT_PACK_DIR, evaluate, load_pack
        from platformctl.project import Project

        pack = load_pack(DEFAULT_PACK_DIR)
        config = stack_policy_config(Path(directory), stack, pack)
        evaluate(plan, pack, config, Project.load(Path(directory)).stack_config(stack).values)
        policy = time.perf_counter() - serialized_once
    policy_cpu = time.process_time() - cpu_policy_started
    rendering = time.perf_counter()
    plan["verdict"] = str(of_plan(plan))
    render_json([plan])
    done = time.perf_counter()
    return {"import": imported - STARTED, "run": ran - imported,
            "serialize": (serialized_once - ran) + (done - rendering), "policy": policy,
            "total": done - STARTED,
            "cpu": time.process_time() - CPU_STARTED, "policy_cpu": policy_cpu,
            "resources": len(plan["resources"])}


def bare(directory: str, stack: str) -> dict[str, float]:
    import os
    import runpy

    project, config = _stack_config(directory, stack)
    os.chdir(directory)
    sys.path.insert(0, directory)
    _bare_runtime(project, stack, config)
    imported = time.perf_counter()
    _run_program(lambda: runpy.run_path("__main__.py", run_name="__main__"))
    done = time.perf_counter()
    return {"import": imported - STARTED, "run": done - imported, "total": done - STARTED,
            "cpu": time.process_time() - CPU_STARTED}


def replay(path: str) -> dict[str, float]:
    import importlib
    import types

    with open(path) as handle:
        recorded = json.load(handle)
    for name in recorded["modules"]:
        module = importlib.import_module(name)
        if type(module) is not types.ModuleType:
            # A package the SDK registered lazily: load it, as the program's first use did.
            getattr(module, "__all__", None)
    import pulumi

    _bare_runtime(recorded["project"], recorded["stack"], recorded["config"])
    imported = time.perf_counter()

    def program() -> None:
        created: dict[str, pulumi.Resource] = {}
        for resource in recorded["resources"]:
            opts = pulumi.ResourceOptions(parent=created.get(resource["parent"]),
                                          provider=created.get(resource["provider"]))
            kind = resource["type"]
            if kind.startswith("pulumi:providers:"):
                made = pulumi.ProviderResource(kind.removeprefix("pulumi:providers:"),
                                               resource["name"], resource["props"], opts)
            elif resource["custom"]:
                made = pulumi.CustomResource(kind, resource["name"], resource["props"], opts)
            else:
                made = pulumi.ComponentResource(kind, resource["name"], None, opts)
            created[resource["urn"]] = made

    _run_program(program)
    done = time.perf_counter()
    return {"import": imported - STARTED, "run": done - imported, "total": done - STARTED,
            "cpu": time.process_time() - CPU_STARTED,
            "resources": len(recorded["resources"])}


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "ours":
        result = ours(args[0], args[1], "--pack" in args)
    elif mode == "bare":
        result = bare(args[0], args[1])
    elif mode == "replay":
        result = replay(args[0])
    else:
        raise SystemExit(f"unknown mode {mode}; use ours, bare or replay")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
