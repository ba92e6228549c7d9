"""Offline policy evaluation: a CrossGuard pack judged on a plan, as the engine would judge it.

The plan's resources become the real `pulumi_policy` argument objects (`PolicyResource`,
`PolicyResourceOptions`, `PolicyProviderResource`, `StackValidationArgs`,
`ResourceValidationArgs`) with props behind the SDK's unknown-checking proxy (wrapped as
they are read: platformctl.policy_props); each policy's `config_schema` defaults are applied
(the Pulumi CLI does that, not the SDK); enforcement levels resolve as the CLI resolves them
(`all`, then the policy's own entry). Resources that use a default provider get one, as the
engine creates it from the stack's `<package>:region`.

The pack is loaded from its directory without running `__main__.py` when the package exposes
`POLICIES`; any other Python pack is loaded by running its `__main__.py` with `PolicyPack`
replaced by a stand-in that records the policies instead of starting a server.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import gc
import hashlib
import importlib.util
import json
import runpy
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from inspect import isawaitable
from pathlib import Path
from typing import Any

import jsonschema
import pulumi_policy
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from platformctl.errors import PlanInputError, ProgramError
from platformctl.global_services import GLOBAL_REGION
from platformctl.policy_props import UNKNOWN_MARK, props_proxy

DEFAULT_PACK_DIR = Path(__file__).resolve().parent.parent / "policies"
WAIVED = "waived"
ENFORCEMENT_ORDER = {"mandatory": 0, "advisory": 1, WAIVED: 2}


@dataclass
class Pack:
    name: str
    directory: Path
    policies: list[Policy]
    enforcement_level: EnforcementLevel = EnforcementLevel.ADVISORY
    initial_config: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> list[dict[str, Any]]:
        """The pack's policies (id, description, default enforcement) for reports."""
        return [{"id": p.name, "description": p.description,
                 "enforcement": (p.enforcement_level or self.enforcement_level).value}
                for p in self.policies]


class _Captured(Exception):
    pass


def _module_name(directory: Path) -> str:
    return "policy_pack_" + hashlib.sha1(str(directory).encode()).hexdigest()[:10]


def load_pack(directory: Path) -> Pack:
    """The policies of the CrossGuard pack in `directory` (no analyzer is started)."""
    directory = directory.resolve()
    if not (directory / "PulumiPolicy.yaml").is_file():
        raise PlanInputError(f"{directory}: no PulumiPolicy.yaml; --policy-pack must name a "
                             "policy pack directory (or 'none')")
    init = directory / "__init__.py"
    if init.is_file():
        name = _module_name(directory)
        module = sys.modules.get(name)
        if module is None:
            spec = importlib.util.spec_from_file_location(
                name, init, submodule_search_locations=[str(directory)])
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as error:
                del sys.modules[name]
                raise ProgramError(f"policy pack {directory}: {type(error).__name__}: "
                                   f"{error}") from error
        if isinstance(getattr(module, "POLICIES", None), list):
            return Pack(name=getattr(module, "PACK_NAME", directory.name), directory=directory,
                        policies=list(module.POLICIES),
                        enforcement_level=getattr(module, "ENFORCEMENT_LEVEL",
                                                  EnforcementLevel.ADVISORY))
    return _run_main(directory)


def _run_main(directory: Path) -> Pack:
    """Run the pack's `__main__.py` with a PolicyPack stand-in that records the pack."""
    captured: dict[str, Any] = {}

    def stand_in(name: str, policies: list[Policy], enforcement_level=None,
                 initial_config=None, **_: Any) -> None:
        captured.update(name=name, policies=policies, enforcement_level=enforcement_level,
                        initial_config=initial_config or {})
        raise _Captured

    main = directory / "__main__.py"
    if not main.is_file():
        raise PlanInputError(f"{directory}: no __main__.py; a Python policy pack needs one")
    originals = (pulumi_policy.PolicyPack, pulumi_policy.policy.PolicyPack)
    pulumi_policy.PolicyPack = pulumi_policy.policy.PolicyPack = stand_in  # type: ignore[misc]
    sys.path.insert(0, str(directory))
    try:
        runpy.run_path(str(main), run_name="__main__")
    except _Captured:
        pass
    except Exception as error:
        raise ProgramError(f"policy pack {directory}: {type(error).__name__}: {error}") from error
    finally:
        pulumi_policy.PolicyPack, pulumi_policy.policy.PolicyPack = originals
        sys.path.remove(str(directory))
    if not captured:
        raise PlanInputError(f"{main}: never built a PolicyPack")
    initial = {k: (v.value if isinstance(v, EnforcementLevel) else v)
               for k, v in captured["initial_config"].items()}
    return Pack(name=captured["name"], directory=directory, policies=captured["policies"],
                enforcement_level=captured["enforcement_level"] or EnforcementLevel.ADVISORY,
                initial_config=initial)


# --- config --------------------------------------------------------------------------------
def read_config(path: Path) -> dict[str, Any]:
    """A `--policy-pack-config` JSON file."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise PlanInputError(f"{path}: policy config file not found") from None
    except OSError as error:
        raise PlanInputError(f"{path}: cannot read the policy config ({error.strerror}); "
                             "pass a JSON file") from None
    except ValueError as error:
        raise PlanInputError(f"{path}: not valid JSON ({error}); fix the syntax") from None
    if not isinstance(data, dict):
        raise PlanInputError(f"{path}: must be a JSON object of policy id -> config")
    return data


def _level(value: Any, where: str) -> EnforcementLevel:
    try:
        return EnforcementLevel(value)
    except ValueError:
        allowed = ", ".join(e.value for e in EnforcementLevel)
        raise PlanInputError(f"policy config {where}: '{value}' is not an enforcement level; "
                             f"use one of {allowed}") from None


@dataclass
class Resolved:
    enforcement: EnforcementLevel
    properties: dict[str, Any]


@functools.lru_cache(maxsize=512)
def _validator(document: str) -> Any:
    """The validator of a config schema (JSON text), the schema checked once: checking it
    against the meta-schema, as `jsonschema.validate` does on each call, cost more than
    the rest of a plan's policy evaluation."""
    schema = json.loads(document)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


_CONFIG_ERRORS: dict[tuple[str, str], tuple[str, str] | None] = {}


def _config_error(document: str, properties: dict[str, Any]) -> tuple[str, str] | None:
    """(where, message) of the error `jsonschema.validate` raises for `properties`, None
    when they are valid; remembered, since a pack's policies share one schema and config."""
    key = (document, repr(properties))  # repr tells a list from a tuple, 1 from 1.0
    if key not in _CONFIG_ERRORS:
        if len(_CONFIG_ERRORS) > 1024:
            _CONFIG_ERRORS.clear()
        error = jsonschema.exceptions.best_match(
            _validator(document).iter_errors(properties))
        _CONFIG_ERRORS[key] = None if error is None else (
            ".".join(str(p) for p in error.absolute_path), error.message)
    return _CONFIG_ERRORS[key]


def resolve_config(pack: Pack, config: Mapping[str, Any] | None) -> dict[str, Resolved]:
    """Enforcement level and properties of each policy, as the Pulumi CLI computes them:
    pack initial config, then the file; `all` sets every level, a policy's entry overrides;
    schema defaults fill missing properties, and properties are checked against the schema."""
    merged: dict[str, Any] = copy.deepcopy(pack.initial_config)
    for key, value in (config or {}).items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    names = {p.name for p in pack.policies}
    unknown = sorted(set(merged) - names - {"all"})
    if unknown:
        raise PlanInputError(f"policy config: {', '.join(unknown)} is not a policy of pack "
                             f"'{pack.name}'; known: {', '.join(sorted(names))}")
    everything = merged.get("all")
    if isinstance(everything, Mapping):
        everything = everything.get("enforcementLevel")
    resolved = {}
    for policy in pack.policies:
        level = policy.enforcement_level or pack.enforcement_level
        if everything is not None:
            level = _level(everything, "all")
        entry = merged.get(policy.name)
        properties: dict[str, Any] = {}
        if isinstance(entry, str):
            level = _level(entry, policy.name)
        elif isinstance(entry, Mapping):
            if "enforcementLevel" in entry:
                level = _level(entry["enforcementLevel"], f"{policy.name}.enforcementLevel")
            properties = {k: v for k, v in entry.items() if k != "enforcementLevel"}
        elif entry is not None:
            raise PlanInputError(f"policy config {policy.name}: must be an enforcement level "
                                 "or an object")
        schema = policy.config_schema
        if schema is not None:
            for key, prop in schema.properties.items():
                if key not in properties and "default" in prop:
                    properties[key] = copy.deepcopy(prop["default"])
            document = {"type": "object", "properties": schema.properties}
            if schema.required:
                document["required"] = schema.required
            error = _config_error(json.dumps(document, sort_keys=True), properties)
            if error is not None:
                where, message = error
                raise PlanInputError(f"policy config {policy.name}.{where}: {message}")
        resolved[policy.name] = Resolved(level, properties)
    return resolved


# --- the graph as the engine hands it to policies -----------------------------------------
def _package(type_token: str) -> str:
    if type_token.startswith("pulumi:providers:"):
        return type_token.removeprefix("pulumi:providers:")
    return type_token.split(":", 1)[0]


@dataclass
class _Graph:
    resources: list[PolicyResource]
    # per resource: parent urn, dependency urns
    links: dict[str, tuple[str | None, list[str]]]


def _options(resource: dict[str, Any]) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=bool(resource.get("protect")),
        ignore_changes=list(resource.get("ignoreChanges") or []),
        delete_before_replace=resource.get("deleteBeforeReplace"),
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.get("parent"),
    )


def _default_providers(plan: dict[str, Any],
                       stack_config: Mapping[str, str] | None) -> dict[str, dict[str, Any]]:
    """package -> props of the default provider the engine would create for it."""
    stack_config = stack_config or {}
    packages: dict[str, dict[str, Any]] = {}
    for resource in plan["resources"]:
        if not resource["custom"] or resource["provider"] or resource["type"].startswith(
                ("pulumi:providers:", "pulumi:pulumi:")):
            continue
        package = _package(resource["type"])
        props = packages.setdefault(package, {})
        prefix = f"{package}:"
        for key, value in stack_config.items():
            if key.startswith(prefix):
                props[key[len(prefix):]] = value
        # The capture resolved this resource's region from the stack's <package>:region
        # (a global resource's shown region, "global", is no provider's).
        own = resource["props"].get("region")
        shown = resource.get("region")
        if "region" not in props and shown and shown != GLOBAL_REGION and not own:
            props["region"] = shown
    return packages


def build_graph(plan: dict[str, Any],
                stack_config: Mapping[str, str] | None = None) -> _Graph:
    """PolicyResources for every resource of the plan (plus the default providers)."""
    project, stack = plan["project"], plan["stack"]
    providers: dict[str, PolicyProviderResource] = {}
    by_urn = {r["urn"]: r for r in plan["resources"]}
    for resource in plan["resources"]:
        if resource["type"].startswith("pulumi:providers:"):
            providers[resource["urn"]] = PolicyProviderResource(
                resource["type"], props_proxy(resource["props"]), resource["urn"],
                resource["name"])
    defaults = {}
    extra: list[PolicyResource] = []
    for package, props in _default_providers(plan, stack_config).items():
        type_token = f"pulumi:providers:{package}"
        urn = f"urn:pulumi:{stack}::{project}::{type_token}::default"
        defaults[package] = PolicyProviderResource(
            type_token, props_proxy(props), urn, "default")
        extra.append(PolicyResource(type_token, props_proxy(props), urn,
                                    "default", PolicyResourceOptions(False, [], None, [],
                                                                     PolicyCustomTimeouts(0, 0, 0),
                                                                     [], None),
                                    None, None, [], {}))
    resources: list[PolicyResource] = []
    links: dict[str, tuple[str | None, list[str]]] = {}
    for resource in plan["resources"]:
        provider = None
        if resource["provider"]:
            provider = providers.get(resource["provider"])
            if provider is None and resource["provider"] in by_urn:
                ref = by_urn[resource["provider"]]
                provider = PolicyProviderResource(ref["type"], props_proxy({}),
                                                  ref["urn"], ref["name"])
        elif resource["custom"] and not resource["type"].startswith(
                ("pulumi:providers:", "pulumi:pulumi:")):
            provider = defaults.get(_package(resource["type"]))
        resources.append(PolicyResource(
            resource["type"], props_proxy(resource["props"]), resource["urn"],
            resource["name"], _options(resource), provider, None, [], {}))
        links[resource["urn"]] = (resource["parent"], list(resource["dependencies"]))
    return _Graph(resources=resources + extra, links=links)


class _StackResources(list):
    """The resource list every stack policy of one plan receives. Hashed by identity and
    weakly referenceable, so a pack may keep what it derives from the list (policies.graph
    keeps its Graph) exactly as long as the evaluation holds the list."""

    __hash__ = object.__hash__


def _stack_resources(graph: _Graph) -> list[PolicyResource]:
    """The resources, one per URN, with parents and dependencies linked, as AnalyzeStack
    hands them to stack policies. Linked in place, once per plan: resource policies get
    their resource's fields (ResourceValidationArgs), never these objects."""
    by_urn = {r.urn: r for r in graph.resources}
    for urn, (parent, dependencies) in graph.links.items():
        resource = by_urn[urn]
        if parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
    return _StackResources(by_urn.values())


# --- evaluation ----------------------------------------------------------------------------
class _Reporter:
    """The report_violation callback; `waived` receives findings a waiver accepted."""

    def __init__(self, policy: Policy, enforcement: EnforcementLevel, default_urn: str | None,
                 out: list[dict[str, Any]]) -> None:
        self.policy, self.enforcement, self.default_urn, self.out = (policy, enforcement,
                                                                    default_urn, out)

    def __call__(self, message: str, urn: str | None = None) -> None:
        if message and not isinstance(message, str):
            raise TypeError("Expected message to be a string")
        self.out.append({"policy": self.policy.name, "enforcement": self.enforcement.value,
                         "urn": self.default_urn or urn or None,
                         "message": message or self.policy.description})

    def waived(self, message: str, urn: str | None, reason: str) -> None:
        self.out.append({"policy": self.policy.name, "enforcement": WAIVED,
                         "urn": self.default_urn or urn or None, "message": message,
                         "reason": reason})


def _run(policy: Policy, args: Any, report: _Reporter) -> None:
    try:
        result = policy.validate(args, report)
        if isawaitable(result):
            asyncio.run(_await(result))
    except UnknownValueError as error:
        report.out.append({"policy": policy.name, "enforcement": "advisory",
                           "urn": report.default_urn,
                           "message": f"can't run policy '{policy.name}' during preview: "
                                      f"{error.message}"})
    except pulumi_policy.policy._NotApplicableError:  # noqa: SLF001 - the SDK's own signal
        pass
    except Exception as error:  # noqa: BLE001 - a crashing policy fails the plan, as in the engine
        raise ProgramError(f"policy '{policy.name}' failed: {type(error).__name__}: "
                           f"{error}") from error


async def _await(result: Any) -> None:
    await result


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Evaluation allocates many small objects that reference counting frees (the graph
    holds no cycles); the cycle collector's full passes walk the whole heap (the plan, the
    SDK modules), and their number grows with the plan: without this, evaluation time
    grew faster than the plan."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def evaluate(plan: dict[str, Any], pack: Pack, config: Mapping[str, Any] | None = None,
             stack_config: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every violation the pack reports on the plan, sorted; also stored in the plan."""
    with _no_cycle_collection():
        return _evaluate(plan, pack, config, stack_config)


def _evaluate(plan: dict[str, Any], pack: Pack, config: Mapping[str, Any] | None,
              stack_config: Mapping[str, str] | None) -> list[dict[str, Any]]:
    resolved = resolve_config(pack, config)
    graph = build_graph(plan, stack_config)
    violations: list[dict[str, Any]] = []
    stack_tags: dict[str, str] = {}
    # One linked list of resources for every stack policy of this plan (the SDK's analyzer
    # builds a fresh one per policy: policies only read their arguments, and building it
    # per policy made the cost of the graph grow with the number of policies).
    stack_resources: list[PolicyResource] | None = None
    for policy in pack.policies:
        setting = resolved[policy.name]
        level = setting.enforcement
        if level == EnforcementLevel.DISABLED:
            continue
        if level == EnforcementLevel.REMEDIATE:
            level = EnforcementLevel.MANDATORY
        config_copy = copy.deepcopy(setting.properties) or None
        if isinstance(policy, StackValidationPolicy):
            if stack_resources is None:
                stack_resources = _stack_resources(graph)
            args = StackValidationArgs(stack_resources, config_copy, stack_tags)
            _run(policy, args, _Reporter(policy, level, None, violations))
        elif isinstance(policy, ResourceValidationPolicy):
            if not policy.has_validation():
                continue
            for resource in graph.resources:
                if resource.name == "default" and resource.urn.endswith("::default"):
                    continue  # default providers are not analyzed as resources
                args = ResourceValidationArgs(resource.resource_type, resource.props,
                                              resource.urn, resource.name, resource.opts,
                                              resource.provider, copy.deepcopy(config_copy),
                                              stack_tags)
                _run(policy, args, _Reporter(policy, level, resource.urn, violations))
    violations.sort(key=lambda v: (ENFORCEMENT_ORDER.get(v["enforcement"], 3), v["policy"],
                                   v["urn"] or "", v["message"]))
    plan["violations"] = violations
    plan["policyPack"] = {"name": pack.name, "policies": pack.describe()}
    return violations


def evaluate_plan(plan: dict[str, Any], pack_dir: Path | None = DEFAULT_PACK_DIR,
                  config: Mapping[str, Any] | None = None,
                  stack_config: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Load the pack in `pack_dir` (None: no pack) and evaluate it on `plan`."""
    if pack_dir is None:
        return plan["violations"]
    return evaluate(plan, load_pack(pack_dir), config, stack_config)


__all__ = ["DEFAULT_PACK_DIR", "UNKNOWN_MARK", "Pack", "build_graph", "evaluate", "evaluate_plan",
           "load_pack", "read_config", "resolve_config"]
